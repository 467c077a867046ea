"""Shipped policies, TOML loading and the errors a policy author gets."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from synth.errors import PolicyError
from synth.policies.library import load_policy, policy_from_dict, policy_ids

COLUMNS = ["row_id", "phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry"]
SHIPPED = [
    "as_exported",
    "drop_names",
    "drop_phone",
    "mask_phone",
    "hash_plain",
    "hash_salted_released",
    "hash_pbkdf2",
    "hash_phone_dob",
    "hmac",
    "tokenize",
    "age_bands_5",
    "local_body_not_ward",
    "k5",
    "k10",
    "sdv_copula",
    "dp_counts_eps1",
    "ward_tables",
    "ward_tables_suppressed",
    "dp_tables_eps0.1",
    "dp_tables_eps1",
    "dp_tables_eps10",
    "controller_sends",
]


def test_shipped_ids_are_stable() -> None:
    assert policy_ids() == SHIPPED


@pytest.mark.parametrize("pid", SHIPPED)
def test_each_shipped_policy_loads_and_checks(pid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "x")
    p = load_policy(pid)
    assert p.id == pid and p.description
    p.check([*COLUMNS, "date_of_birth"])  # hash_phone_dob needs the birth date; the others ignore it


def test_unknown_policy() -> None:
    with pytest.raises(PolicyError) as exc:
        load_policy("k50")
    assert str(exc.value).startswith("unknown policy 'k50': allowed are as_exported, drop_names")
    assert str(exc.value).endswith("(did you mean 'k5'?)")


def test_every_problem_named_before_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNTH_HMAC_KEY", raising=False)
    d = {
        "policy": {"id": "mine"},
        "steps": [
            {"step": "hsah", "column": "phone"},
            {"step": "k_anonymity", "k": 1, "quasi_identifiers": ["age"]},
            {"step": "hash", "column": "aadhaar"},
            {"step": "hash", "method": "hmac"},
            {"step": "mask", "digits": 4},
        ],
    }
    with pytest.raises(PolicyError) as exc:
        p = policy_from_dict(d)
    assert str(exc.value).splitlines() == [
        "policy 'mine', step 1: unknown step 'hsah'; allowed are coarsen_geography, controller_sends, dp_counts, drop,"
        " generalize_age, hash, k_anonymity, mask, synthesize, tables, tokenize (did you mean 'hash'?)",
        "policy 'mine', step 5 (mask): unknown parameter 'digits'; allowed are column, keep, side, mask_char",
    ]
    p = policy_from_dict({"policy": {"id": "mine"}, "steps": [*d["steps"][1:4], {"step": "dp_counts", "epsilon": 0}]})
    with pytest.raises(PolicyError) as exc:
        p.check(COLUMNS)
    assert str(exc.value).splitlines() == [
        "policy 'mine', step 1 (k_anonymity): k = 1: must be a whole number of at least 2",
        "policy 'mine', step 2 (hash): column 'aadhaar' is not in the release (it has " + ", ".join(COLUMNS) + ")",
        "policy 'mine', step 3 (hash): no HMAC key: set the environment variable SYNTH_HMAC_KEY (unset or empty)",
        "policy 'mine', step 4 (dp_counts): epsilon = 0: must be a positive number",
    ]


def test_data_untouched_when_policy_is_bad() -> None:
    data = pl.DataFrame({"row_id": [1], "age": [40]})
    p = policy_from_dict({"policy": {"id": "bad"}, "steps": [{"step": "drop", "columns": ["name"]}]})
    with pytest.raises(PolicyError, match="policy 'bad', step 1 \\(drop\\): column 'name' is not in the release"):
        p.fit_transform(data)
    assert data.columns == ["row_id", "age"]


def test_policy_file(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text('[policy]\nid = "bands10"\n[[steps]]\nstep = "generalize_age"\nwidth = 10\n')
    assert load_policy(f).steps[0].get_params()["width"] == 10
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(tmp_path / "none.toml")


def test_cli_lists_policies() -> None:
    import json

    from typer.testing import CliRunner

    from synth.cli import app

    r = CliRunner().invoke(app, ["list", "policies", "--json"])
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert [x["id"] for x in rows] == SHIPPED
    assert rows[-1]["steps"] == ["controller_sends"]
