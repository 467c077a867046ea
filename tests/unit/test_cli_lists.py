"""``synth list attacks`` and ``synth list measures``: the stable ids, as JSON for scripts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from synth.attacks.registry import ATTACKS
from synth.cli import app
from synth.measure.names import MEASURES


def test_list_attacks_json() -> None:
    r = CliRunner().invoke(app, ["list", "attacks", "--json"])
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert [row["id"] for row in rows] == list(ATTACKS)
    assert rows[0]["sources"] == ["electoral_roll"] and rows[2] == {
        "id": "singling_out",
        "sources": [],
        "summary": "Released rows whose quasi-identifiers no other released row shares.",
    }


def test_list_measures() -> None:
    r = CliRunner().invoke(app, ["list", "measures", "--json"])
    assert r.exit_code == 0
    assert [row["measure"] for row in json.loads(r.stdout)] == list(MEASURES)
    text = CliRunner().invoke(app, ["list", "measures"]).stdout
    assert "risk" in text and "(attack - control) / (1 - control)" in text
