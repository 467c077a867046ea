"""A run's identity holds its HMAC key by a keyed fingerprint: a run folder made under one key is never taken
for a run under another (the hmac release would be the old key's), and the key itself is never written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.errors import OutputError
from synth.policies.hashing import HashColumn, key_fingerprint
from synth.scenario import scenario_from_dict
from synth.scenario.run_folder import MARKER, check_out, key_fingerprints

SCENARIO = {
    "spec_version": 1,
    "policies": ["as_exported", "hmac"],
    "seeds": [1],
    "scenario": {"id": "keyed", "description": "a run with an HMAC policy"},
    "world": {"districts": ["Wayanad"], "local_bodies": 1, "seed": 3},
    "attacker": {"sources": ["electoral_roll"]},
    "attacks": {"exact_linkage": {}},
}
KEY_A, KEY_B = "a" * 64, "b" * 64


def _finished_run(out: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """A run folder as `synth run` leaves it under ``key`` (its marker; the rest does not matter here)."""
    monkeypatch.setenv("SYNTH_HMAC_KEY", key)
    scenario = scenario_from_dict(SCENARIO)
    out.mkdir()
    marker = {"scenario": dict(scenario.raw), "key_fingerprints": key_fingerprints(scenario)}
    (out / MARKER).write_text(json.dumps(marker))
    (out / "results.parquet").write_bytes(b"results made under the key")


def test_the_fingerprint_tells_keys_apart_and_never_holds_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", KEY_A)
    scenario = scenario_from_dict(SCENARIO)
    assert key_fingerprints(scenario) == {"hmac/0": key_fingerprint(KEY_A.encode())}
    assert len(key_fingerprint(KEY_A.encode())) == 16
    assert KEY_A not in json.dumps(key_fingerprints(scenario))
    assert key_fingerprint(KEY_A.encode()) != key_fingerprint(KEY_B.encode())
    assert HashColumn(method="sha256").key_fingerprint() is None


def test_the_same_key_resumes_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _finished_run(tmp_path / "run", monkeypatch, KEY_A)
    check_out(tmp_path / "run", scenario_from_dict(SCENARIO))  # no error: the same run


def test_another_key_is_another_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "run"
    _finished_run(out, monkeypatch, KEY_A)
    monkeypatch.setenv("SYNTH_HMAC_KEY", KEY_B)
    with pytest.raises(OutputError) as err:
        check_out(out, scenario_from_dict(SCENARIO))
    assert str(err.value) == (
        f"output folder {out.resolve()} holds results made under another HMAC key for the policies hmac "
        "(SYNTH_HMAC_KEY or the key file changed since); choose another folder or delete it, or set the key the "
        "run was made with"
    )
    assert (out / "results.parquet").read_bytes() == b"results made under the key"  # nothing touched
