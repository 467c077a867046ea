"""Splink's DuckDB databases under a memory limit, and the fallback where DuckDB cannot keep to it."""

from __future__ import annotations

import duckdb
import pytest

from synth.attacks import duckdb_memory
from synth.attacks.duckdb_memory import DUCKDB_MEMORY, within_memory


def test_the_work_runs_under_the_limit_when_it_keeps_to_it() -> None:
    asked: list[str | None] = []
    assert within_memory(lambda memory: asked.append(memory) or "done") == "done"
    assert asked == [DUCKDB_MEMORY]


def test_the_work_runs_again_without_the_limit_where_duckdb_ran_out_of_memory_under_it() -> None:
    asked: list[str | None] = []

    def work(memory: str | None) -> str:
        asked.append(memory)
        if memory is not None:
            try:
                con = duckdb.connect(config={"memory_limit": "1MB"})
                con.sql("SELECT list(range) AS r FROM range(3000000)").fetchall()
            except duckdb.OutOfMemoryException as exc:  # wrapped, as Splink wraps DuckDB's errors
                raise RuntimeError("Error executing the following sql") from exc
        return f"done under {memory}"

    assert within_memory(work) == "done under None"
    assert asked == [DUCKDB_MEMORY, None]


def test_any_other_error_is_raised_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str | None] = []

    def work(memory: str | None) -> str:
        asked.append(memory)
        raise ValueError("a column is missing")

    with pytest.raises(ValueError, match=r"^a column is missing$"):
        within_memory(work)
    assert asked == [DUCKDB_MEMORY]
    monkeypatch.setattr(duckdb_memory, "DUCKDB_MEMORY", "2GB")
    assert within_memory(lambda memory: memory) == "2GB"
