"""``synth list attacks`` and ``synth list measures``: the stable ids, as JSON for scripts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from synth.attacks.registry import ACROSS_RELEASES, ATTACKS, run_order
from synth.cli import app
from synth.measure.names import MEASURES
from tests.unit.attacks.test_attack_registry import STABLE_IDS

ORDER = STABLE_IDS  # the chain's order is the registry's


def test_list_attacks_json() -> None:
    r = CliRunner().invoke(app, ["list", "attacks", "--json"])
    assert r.exit_code == 0
    every = json.loads(r.stdout)
    rows = [row for row in every if not row.get("across_releases")]
    assert [row["id"] for row in rows] == ORDER == run_order(ATTACKS)
    assert [(row["id"], row["summary"]) for row in every[len(rows) :]] == list(ACROSS_RELEASES.items())
    assert [row["id"] for row in every[len(rows) :]] == ["cross_release_linkage", "composition"]
    for row in rows:
        attack = ATTACKS[row["id"]]
        assert list(row) == ["id", "sources", "reads", "adds", "params", "summary"]
        assert (row["sources"], row["reads"], row["adds"]) == (
            list(attack.sources),
            list(attack.reads),
            list(attack.adds),
        )
        assert (row["params"], row["summary"]) == (attack.defaults(), attack.summary)
    by_id = {row["id"]: row for row in rows}
    assert by_id["hash_reversal"] == {
        "id": "hash_reversal",
        "sources": [],
        "reads": [],
        "adds": ["phone"],
        "params": {"budget": "full"},
        "summary": "Enumerate the whole numbering plan, hash every number as the policy did (with the released "
        "salt), and invert the digests.",
    }
    assert by_id["caller_id_lookup"] == {
        "id": "caller_id_lookup",
        "sources": ["caller_id"],
        "reads": ["phone"],
        "adds": ["name"],
        "params": {},
        "summary": "Look up every known phone number (released, or recovered from a digest) in the caller-ID "
        "directory and read a name from its label.",
    }
    for linkage in ("exact_linkage", "probabilistic_linkage"):
        assert (by_id[linkage]["sources"], by_id[linkage]["reads"], by_id[linkage]["adds"]) == (
            ["electoral_roll"],
            ["name"],
            ["epic"],
        )
    assert by_id["probabilistic_linkage"]["params"] == {
        "threshold": 0.9,
        "recall": 0.7,
        "max_pairs": 3_000_000.0,
        "train_rows": 200_000,
        "batch_pairs": 4_000_000,
        "roll_coverage": 0.95,
    }
    assert (by_id["reidentification"]["reads"], by_id["reidentification"]["adds"]) == (["epic"], [])
    assert by_id["singling_out"] == {
        "id": "singling_out",
        "sources": [],
        "reads": [],
        "adds": [],
        "params": {"names": True},
        "summary": "Released rows whose quasi-identifiers no other released row shares.",
    }
    assert by_id["attribute_inference"]["sources"] == ["electoral_roll"]
    assert by_id["attribute_inference"]["params"] == {
        "secret": "widowhood",
        "model": "gradient_boosting",
        "max_train_rows": 500_000,
    }
    assert by_id["membership_inference"]["params"] == {
        "flag_share": 0.5,
        "model": "dcr",
        "targets_per_side": 1000,
        "holdout_share": 0.5,
    }
    assert by_id["reach"] == {
        "id": "reach",
        "sources": [],
        "reads": ["phone", "name", "epic"],
        "adds": [],
        "params": {},
        "summary": "Who can now be phoned, addressed, and targeted as a vulnerable person.",
    }


def test_list_measures() -> None:
    r = CliRunner().invoke(app, ["list", "measures", "--json"])
    assert r.exit_code == 0
    assert [row["measure"] for row in json.loads(r.stdout)] == list(MEASURES)
    text = CliRunner().invoke(app, ["list", "measures"]).stdout
    assert "risk" in text and "(attack - control) / (1 - control)" in text
