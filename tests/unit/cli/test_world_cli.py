"""``synth world build`` and ``synth world national``: empty name lists and a full disk get one message, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.helpers import error_after_progress, error_of, full_disk_parquet

DISTRICTS_ALLOWED = (
    "give district names or codes separated by commas, or leave --districts out to build the whole state"
)
FULL_DISK = "cannot write (no space left on the device); free space or fix the folder, then run the same command again"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "no name given"),
        ("  ", "no name given"),
        (",", "no name given"),
        ("Wayanad,", "item 2 is empty"),
        (",Wayanad", "item 1 is empty"),
        ("Wayanad, ,Kannur", "item 2 is empty"),
    ],
)
def test_an_empty_district_list_or_item_is_refused(tmp_path: Path, value: str, problem: str) -> None:
    out = tmp_path / "w"
    message = error_of(["world", "build", "--districts", value, "--seed", "1", "--out", str(out)])
    assert message == " ".join(f"error: --districts = {value!r}: {problem}; {DISTRICTS_ALLOWED}".split())
    assert not out.exists()


def test_an_empty_district_list_is_reported_with_the_other_problems(tmp_path: Path) -> None:
    out = tmp_path / "w"
    message = error_of(["world", "build", "--districts", "", "--seed", "1", "--workers", "0", "--out", str(out)])
    assert message == (
        f"error: --districts = '': no name given; {DISTRICTS_ALLOWED} --workers = 0: must be a whole number of at "
        "least 1 (1 runs in this process; N > 1 starts a local Dask cluster of N worker processes)"
    )
    assert not out.exists()


def test_an_empty_state_list_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "n"
    message = error_of(["world", "national", "--states", "Kerala,", "--seed", "1", "--out", str(out)])
    assert message == (
        "error: --states = 'Kerala,': item 2 is empty; give state names or codes 01-35 separated by commas, or "
        "leave --states out to build every state"
    )
    assert not out.exists()


def test_a_full_disk_during_a_world_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full_disk_parquet(monkeypatch)
    out = tmp_path / "w"
    args = ["world", "build", "--districts", "Wayanad", "--local-bodies", "1", "--seed", "2", "--out", str(out)]
    assert error_after_progress(args) == (
        f"error: {out}: cannot write the world (no space left on the device); 0 of 1 shards are complete and "
        "verified. Free space or fix the folder and run the same command to resume, or delete it."
    )
    assert [p for p in out.rglob("*") if p.is_file() and p.suffix != ".json"] == []  # the marker says: unfinished
    assert not (out / "manifest.json").exists()


def test_a_full_disk_during_a_national_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full_disk_parquet(monkeypatch)
    out = tmp_path / "n"
    args = ["world", "national", "--states", "Kerala", "--scale", "0.0001", "--seed", "2", "--out", str(out)]
    part = out / "people" / "state=32" / "part-32-00000.parquet"  # the file being written is named
    assert error_after_progress(args) == f"error: {part}: {FULL_DISK}"
    assert [p for p in out.rglob("*") if p.is_file() and p.suffix != ".json"] == []
    assert not (out / "manifest.json").exists()
