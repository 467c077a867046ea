"""The runner's bookkeeping, without a world: the units of a cell, collecting finished cells in the scenario's
order, the output folder it accepts, the keys a run is made under, and the chain state and notes it resumes from."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth.engine.io import store_folder
from synth.errors import OutputError
from synth.measure.results import RESULT_SCHEMA
from synth.policies.hashing import key_fingerprint
from synth.scenario import Scenario, scenario_from_dict
from synth.scenario.run import (
    _cell_path,
    _flat,
    _run_group,
    collect,
    store_for,
    units,
)
from synth.scenario.run_folder import MARKER, PACKAGE_DIR, check_out, key_fingerprints

RAW: dict[str, Any] = {
    "spec_version": 1,
    "policies": ["as_exported", "drop_names"],
    "seeds": [3, 1],
    "scenario": {"id": "tiny", "description": "a runner test"},
    "world": {"districts": ["Wayanad"], "local_bodies": 1, "seed": 3},
    "attacker": {"sources": ["electoral_roll", "caller_id"]},
    # given out of order: the runner orders them by the facts they add and read
    "attacks": {"reach": {}, "reidentification": {}, "exact_linkage": {}, "caller_id_lookup": {}},
}
HMAC_STEP = {"step": "hash", "column": "phone", "method": "hmac", "key_env": "TEST_RUN_KEY"}


def _scenario(**changes: Any) -> Scenario:
    return scenario_from_dict({**RAW, **changes})


def _cell(seed: int, policy: str, unit: str, values: list[float]) -> pl.DataFrame:
    rows = [("tiny", seed, policy, unit, "all", "correct", v, None, None) for v in values]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


def _write_cell(out: Path, frame: pl.DataFrame, seed: int, policy: str, unit: str) -> None:
    path = _cell_path(out, seed, policy, unit)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)


# units


def test_units_are_release_then_utility_then_attacks_in_run_order() -> None:
    assert units(_scenario()) == [
        "release",
        "utility",
        "caller_id_lookup",
        "exact_linkage",
        "reidentification",
        "reach",
    ]
    assert units(_scenario(attacks={"singling_out": {}})) == ["release", "utility", "singling_out"]


# collect


def test_collect_reads_finished_cells_in_the_order_of_seeds_policies_and_units(tmp_path: Path) -> None:
    scenario = _scenario()
    # written in another order than the scenario's; one cell empty, some not finished, one not of this scenario
    written = [
        (1, "as_exported", "release", [5.0]),
        (3, "drop_names", "utility", [4.0]),
        (3, "as_exported", "reach", [3.0]),
        (3, "as_exported", "exact_linkage", []),
        (3, "as_exported", "caller_id_lookup", [2.0]),
        (3, "as_exported", "release", [0.0, 1.0]),
        (3, "as_exported", "singling_out", [9.0]),
    ]
    for seed, policy, unit, values in written:
        _write_cell(tmp_path, _cell(seed, policy, unit, values), seed, policy, unit)
    got = collect(tmp_path, scenario)
    assert got.schema == pl.Schema(RESULT_SCHEMA)
    assert got.select("seed", "policy", "attack", "value").rows() == [
        (3, "as_exported", "release", 0.0),
        (3, "as_exported", "release", 1.0),
        (3, "as_exported", "caller_id_lookup", 2.0),
        (3, "as_exported", "reach", 3.0),
        (3, "drop_names", "utility", 4.0),
        (1, "as_exported", "release", 5.0),
    ]


def test_collect_with_no_finished_cell_is_an_empty_table(tmp_path: Path) -> None:
    assert_frame_equal(collect(tmp_path, _scenario()), pl.DataFrame(schema=RESULT_SCHEMA))
    _write_cell(tmp_path, pl.DataFrame(schema=RESULT_SCHEMA), 3, "as_exported", "release")
    assert_frame_equal(collect(tmp_path, _scenario()), pl.DataFrame(schema=RESULT_SCHEMA))


# check_out


def _refused(out: Path, scenario: Scenario | None) -> str:
    with pytest.raises(OutputError) as err:
        check_out(out, scenario)
    return str(err.value)


def test_an_output_folder_inside_the_package_is_refused() -> None:
    inside = PACKAGE_DIR / "scenario" / "results"
    assert _refused(inside, None) == (
        f"output folder {inside} is inside the package ({PACKAGE_DIR}); choose a folder outside it"
    )
    assert _refused(PACKAGE_DIR, _scenario()) == (
        f"output folder {PACKAGE_DIR} is inside the package ({PACKAGE_DIR}); choose a folder outside it"
    )


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "results.txt"
    out.write_text("not a folder")
    assert _refused(out, _scenario()) == f"output folder {out.resolve()} is a file; choose a folder"


def test_a_folder_holding_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("somebody's notes")
    assert _refused(tmp_path, _scenario()) == (
        f"output folder {tmp_path.resolve()} holds other files; choose a new or empty folder"
    )
    assert _refused(tmp_path, None) == (
        f"output folder {tmp_path.resolve()} holds other files; choose a new or empty folder"
    )


def test_a_folder_holding_another_scenarios_run_is_refused(tmp_path: Path) -> None:
    earlier = _scenario(seeds=[3])
    (tmp_path / MARKER).write_text(json.dumps({"scenario": dict(earlier.raw), "key_fingerprints": {}}))
    assert _refused(tmp_path, _scenario()) == (
        f"output folder {tmp_path.resolve()} holds the results of a different scenario; choose another folder or "
        "delete it"
    )
    check_out(tmp_path, earlier)  # the same scenario resumes
    check_out(tmp_path, None)  # no scenario to compare with: a run folder is enough


def test_an_empty_folder_and_a_new_path_are_accepted(tmp_path: Path) -> None:
    check_out(tmp_path, _scenario())
    check_out(tmp_path / "new" / "run", _scenario())
    assert list(tmp_path.iterdir()) == []  # nothing created


# key_fingerprints


def test_no_keyed_step_no_fingerprint() -> None:
    assert key_fingerprints(_scenario()) == {}


def test_each_keyed_step_is_fingerprinted_by_policy_and_position(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_RUN_KEY", "k" * 64)
    keyed = {
        "policy": {"id": "names_then_hmac", "description": "drop names, then key the phone"},
        "steps": [{"step": "drop", "columns": ["name"]}, HMAC_STEP],
    }
    scenario = _scenario(inline_policies=[keyed])
    assert [p.id for p in scenario.policies] == ["as_exported", "drop_names", "names_then_hmac"]
    fingerprints = key_fingerprints(scenario)
    assert fingerprints == {"names_then_hmac/1": key_fingerprint(b"k" * 64)}
    assert "k" * 64 not in json.dumps(fingerprints)
    monkeypatch.setenv("TEST_RUN_KEY", "j" * 64)
    assert key_fingerprints(scenario) == {"names_then_hmac/1": key_fingerprint(b"j" * 64)}


# resuming: the chain's state and the notes


def test_notes_come_in_the_order_of_the_units_the_policys_first() -> None:
    notes = {
        "reach": ["r"],
        "release": ["a", "b"],
        "policy": ["p"],
        "exact_linkage": ["e"],
        "singling_out": ["not a unit of this scenario"],
    }
    assert _flat(notes, _scenario()) == ["p", "a", "b", "e", "r"]


def test_a_finished_group_returns_its_notes_without_opening_the_world(tmp_path: Path) -> None:
    scenario = _scenario()
    for unit in units(scenario):
        _write_cell(tmp_path, pl.DataFrame(schema=RESULT_SCHEMA), 1, "drop_names", unit)
    notes_path = tmp_path / "cells" / "seed=1" / "drop_names" / "notes.json"
    notes_path.write_text(json.dumps({"reach": ["r"], "utility": ["u"]}))
    missing_world = str(tmp_path / "no-world-here")
    assert _run_group((scenario, missing_world, str(tmp_path), 1, 1, True)) == ["u", "r"]


def test_the_result_store_is_beside_the_world_cache_unless_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTH_CACHE", str(tmp_path / "env-cache"))
    assert store_for(True, tmp_path / "cache") == str(store_folder(tmp_path / "cache" / "reuse"))
    assert store_for(True, None) == str(store_folder(tmp_path / "env-cache" / "reuse"))
    assert store_for(tmp_path / "mine", None) == str(store_folder(tmp_path / "mine"))
    assert store_for(f"file://{tmp_path}/mine", None) == str(store_folder(tmp_path / "mine"))
    assert store_for(False, tmp_path / "cache") is None
    assert not (tmp_path / "cache").exists() and not (tmp_path / "mine").exists()  # nothing made until a result is kept


def test_a_result_store_that_is_a_file_or_an_object_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("mine")
    message = re.escape(f"{tmp_path / 'file'}: exists and is not a folder; the result store needs a folder")
    with pytest.raises(OutputError, match=rf"^{message}$"):
        store_for(tmp_path / "file", None)
    with pytest.raises(OutputError, match=r"^--reuse = 's3://bucket/reuse': s3:// is not a folder this machine"):
        store_for("s3://bucket/reuse", None)
    assert (tmp_path / "file").read_text() == "mine"
