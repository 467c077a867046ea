"""What the scorer reads of the world alone is kept once a run (Truth.of_world)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import polars as pl
from polars.testing import assert_frame_equal

from synth.attacks.base import Truth
from synth.engine.io import ResultStore

EMPTY = pl.DataFrame({"row_id": []}, schema={"row_id": pl.Int64})


def truth(files: dict[str, str], memo: ResultStore | None) -> Truth:
    world = SimpleNamespace(manifest={"files": files})
    return Truth(release=EMPTY, roll=EMPTY, strata=EMPTY, exported=None, world=world, memo=memo)


def test_a_frame_of_the_world_is_kept_under_its_files_and_parts(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "reuse")
    calls: list[str] = []

    def secrets(label: str) -> pl.DataFrame:
        calls.append(label)
        return pl.DataFrame({"epic": ["SYN1", "SYN2"], "truth": [label, "none"]})

    expected = pl.DataFrame({"epic": ["SYN1", "SYN2"], "truth": ["yes", "none"]})
    one = truth({"people/p.parquet": "1f"}, store)
    assert_frame_equal(one.of_world(lambda: secrets("yes"), "true_secrets", "womens_scheme"), expected)
    assert_frame_equal(one.of_world(lambda: secrets("no"), "true_secrets", "womens_scheme"), expected)  # read back
    assert (store.computed, store.reused) == (1, 1)
    one.of_world(lambda: secrets("widow"), "true_secrets", "widowhood")  # other parts: another key
    truth({"people/p.parquet": "2e"}, store).of_world(lambda: secrets("yes"), "true_secrets", "womens_scheme")
    assert (store.computed, store.reused) == (3, 1)
    truth({"people/p.parquet": "1f"}, None).of_world(lambda: secrets("yes"), "true_secrets", "womens_scheme")
    assert calls == ["yes", "widow", "yes", "yes"]  # without a store, computed each time
