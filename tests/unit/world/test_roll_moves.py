"""Moves across local bodies on hand-built frames: who moves, where to, and what is kept."""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.world.auxiliary import ROLL_GHOST, ROLL_LIVING, ROLL_MOVED
from synth.world.roll_moves import other_body_households, relist_across_bodies

HOUSEHOLDS = pl.DataFrame(
    {
        "ward_code": ["G01001001", "G01001002", "G01001002", "G01002001", "M01003001"],
        "house_serial": [1, 1, 2, 1, 1],
        "house_a": [10, 11, 12, 13, 14],
        "house_b": [20, 21, 22, 23, 24],
    }
)


def _frames(n: int) -> dict[str, pl.DataFrame]:
    status = np.where(np.arange(n) % 10 == 9, ROLL_GHOST, ROLL_LIVING).astype(np.int8)
    roll = pl.DataFrame(
        {
            "epic": np.arange(n),
            "ward_code": ["G01001001"] * n,
            "house_serial": [1] * n,
            "house_a": [10] * n,
            "house_b": [20] * n,
            "given": np.arange(n) % 7,
            "age": [40] * n,
        }
    )
    truth = pl.DataFrame({"epic": np.arange(n), "person_id": np.arange(n), "status": status})
    return {"electoral_roll": roll, "roll_truth": truth, "households": HOUSEHOLDS}


def test_a_draw_skips_the_entrys_own_local_body() -> None:
    starts, sizes = np.array([0, 3, 4]), np.array([3, 1, 1])
    u = np.linspace(0, 0.999, 50)
    assert set(other_body_households(np.zeros(50, dtype=np.int64), starts, sizes, u)) == {3, 4}
    assert set(other_body_households(np.ones(50, dtype=np.int64), starts, sizes, u)) == {0, 1, 2, 4}
    assert set(other_body_households(np.full(50, 2), starts, sizes, u)) == {0, 1, 2, 3}


def test_movers_take_a_household_of_another_local_body_and_keep_the_rest() -> None:
    frames = _frames(20_000)
    out = relist_across_bodies(frames, 0.2, np.random.default_rng(3))
    roll, status = out["electoral_roll"], out["roll_truth"]["status"].to_numpy()
    moved = status == ROLL_MOVED
    assert abs(moved.sum() / (status != ROLL_GHOST).sum() - 0.2) < 0.01
    assert not (moved & (frames["roll_truth"]["status"].to_numpy() == ROLL_GHOST)).any()  # ghosts never move
    moved_roll = roll.filter(pl.Series(moved))
    # the old address is one household of G01002 or M01003, its house names with it; name and age are kept
    assert set(moved_roll["ward_code"]) == {"G01002001", "M01003001"}
    assert moved_roll.join(HOUSEHOLDS, on=["ward_code", "house_serial", "house_a", "house_b"], how="anti").height == 0
    kept = ["epic", "given", "age"]
    assert roll.select(kept).equals(frames["electoral_roll"].select(kept))
    assert roll.filter(pl.Series(~moved)).equals(frames["electoral_roll"].filter(pl.Series(~moved)))
    twin = relist_across_bodies(_frames(20_000), 0.2, np.random.default_rng(3))
    assert twin["electoral_roll"].equals(roll) and twin["roll_truth"].equals(out["roll_truth"])


def test_one_local_body_or_no_share_moves_nobody() -> None:
    frames = _frames(100)
    one_body = {**frames, "households": HOUSEHOLDS.head(3)}
    assert relist_across_bodies(one_body, 0.5, np.random.default_rng(0)) is one_body
    assert relist_across_bodies(frames, 0.0, np.random.default_rng(0)) is frames


def test_a_move_not_allowed_is_not_made() -> None:
    """``allowed`` sees each mover as it would be listed (a learned world refuses names of its own table)."""
    frames = _frames(2_000)
    out = relist_across_bodies(
        frames, 0.5, np.random.default_rng(1), allowed=lambda moved: (moved["ward_code"] != "M01003001").to_numpy()
    )
    moved = out["roll_truth"]["status"].to_numpy() == ROLL_MOVED
    assert moved.sum() > 350  # about 1,800 living x 0.5, half of them refused
    assert set(out["electoral_roll"].filter(pl.Series(moved))["ward_code"]) == {"G01002001"}
