"""``synth world extract``: a world as the one-row-per-person table ``synth world learn`` takes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.world.api import open_world
from synth.world.people_table import people_table, read_table
from tests.unit.cli.helpers import error_of

COLUMNS = [
    "district",
    "taluk",
    "local_body",
    "ward",
    "sex",
    "age",
    "community",
    "marital_status",
    "disabled",
    "occupation",
    "ration_card",
    "pension_scheme",
    "employee",
    "entrepreneur",
    "womens_scheme",
]


def test_the_extracted_table_is_what_learn_takes(tiny_world: Path, tmp_path: Path) -> None:
    table = tmp_path / "tables" / "extract.parquet"
    result = CliRunner().invoke(app, ["world", "extract", str(tiny_world), "--out", str(table), "--json"])
    assert result.exit_code == 0, result.output
    people = open_world(tiny_world).manifest["rows"]["people"]
    assert json.loads(result.stdout) == {"world": str(tiny_world), "out": str(table), "rows": people}
    frame, source = read_table(table)  # the reader of `synth world learn`
    assert source["file"] == "extract.parquet"
    assert frame.columns == COLUMNS
    assert frame.height == people
    assert frame["district"].unique().to_list() == ["Wayanad"]  # names, not a code DuckDB reads from folder names
    # `synth world learn` checks everything before fitting: with --rows 0 the table's only problem is --rows
    learned = tmp_path / "learned"
    refused = CliRunner().invoke(
        app, ["world", "learn", str(table), "--rows", "0", "--seed", "1", "--out", str(learned)]
    )
    assert refused.exit_code == 2, refused.output
    assert len(refused.stderr.splitlines()) == 1
    assert refused.stderr.startswith("error: rows = 0: must be a whole number from 1 to ")
    assert not learned.exists()
    assert frame.equals(people_table(open_world(tiny_world)).collect())
    assert [p.name for p in table.parent.iterdir()] == ["extract.parquet"]


def test_identifiers_come_first_when_asked_for(tiny_world: Path, tmp_path: Path) -> None:
    table = tmp_path / "extract.parquet"
    result = CliRunner().invoke(app, ["world", "extract", str(tiny_world), "--out", str(table), "--identifiers"])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet_schema(table).names() == ["name", "phone", *COLUMNS]


def test_an_existing_table_is_never_overwritten(tiny_world: Path, tmp_path: Path) -> None:
    table = tmp_path / "extract.parquet"
    table.write_text("keep me")
    message = error_of(["world", "extract", str(tiny_world), "--out", str(table)])
    assert message == f"error: {table}: exists; refusing to overwrite it: choose a new --out file or delete this one"
    assert table.read_text() == "keep me"


def test_only_parquet_is_written(tiny_world: Path, tmp_path: Path) -> None:
    table = tmp_path / "extract.csv"
    message = error_of(["world", "extract", str(tiny_world), "--out", str(table)])
    assert message == f"error: --out = '{table}': must be a .parquet file (the table `synth world learn` reads)"
    assert not table.exists()


def test_a_folder_that_is_not_a_world(tmp_path: Path) -> None:
    table = tmp_path / "extract.parquet"
    message = error_of(["world", "extract", str(tmp_path), "--out", str(table)])
    assert message == f"error: {tmp_path}: not a world folder (no manifest.json)"
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_leaves_no_partial_table(tiny_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: pl.LazyFrame, path: str | Path, *args: object, **kwargs: object) -> None:
        Path(path).write_bytes(b"PAR1 partial")
        raise pl.exceptions.ComputeError("parquet: underlying IO error: No space left on device (os error 28)")

    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", full)
    table = tmp_path / "extract.parquet"
    message = error_of(["world", "extract", str(tiny_world), "--out", str(table)])
    assert message == (
        f"error: {table}: cannot write (no space left on the device); free space or fix the folder, then run the "
        "same command again"
    )
    assert list(tmp_path.iterdir()) == []
