"""Moves across districts on hand-built frames: who leaves, where to, and where an arrival is listed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth.world.auxiliary import ROLL_DUPLICATE, ROLL_GHOST, ROLL_LIVING, ROLL_MOVED
from synth.world.district_moves import PLACING_ROUNDS, arrivals, crosses_districts, pick_leavers, place_arrivals
from synth.world.plan import WorldSpec, plan_world
from synth.world.roll_checks import staleness_targets

HOMES = pl.DataFrame(
    {  # two local bodies of the destination shard, in local-body order
        "ward_code": ["G02001001", "G02001001", "G02001002", "M02003001", "M02003001"],
        "house_serial": [1, 2, 1, 1, 2],
        "house_a": [10, 11, 12, 13, 14],
        "house_b": [20, 21, 22, 23, 24],
    }
)
DESTINATIONS = pl.DataFrame({"local_body_code": ["G02001", "G03004", "M02003"], "population": [1_000, 3_000, 6_000]})


def _arrivals(destination: list[str], draw: list[float]) -> pl.DataFrame:
    n = len(draw)
    return pl.DataFrame(
        {
            "epic": np.arange(n),
            "ward_code": ["G01001001"] * n,
            "house_serial": [9] * n,
            "house_a": [0] * n,
            "house_b": [0] * n,
            "given": np.arange(n),
            "destination": destination,
            "draw": draw,
        }
    )


def test_leavers_are_living_entries_bound_for_local_bodies_in_proportion_to_population() -> None:
    status = np.resize(np.array([ROLL_LIVING] * 7 + [ROLL_MOVED, ROLL_GHOST, ROLL_DUPLICATE]), 100_000)
    where, to = pick_leavers(status, DESTINATIONS, 0.05, np.random.default_rng(4))
    assert (status[where] == ROLL_LIVING).all()  # moved, ghost and duplicate entries stay where they are
    assert len(where) / 70_000 == pytest.approx(0.05, abs=0.003)
    shares = to["destination"].value_counts(normalize=True).sort("destination")["proportion"].to_list()
    assert shares == pytest.approx([0.1, 0.3, 0.6], abs=0.02)
    assert ((to["draw"] >= 0) & (to["draw"] < 1)).all()
    twin_where, twin_to = pick_leavers(status, DESTINATIONS, 0.05, np.random.default_rng(4))
    assert (twin_where == where).all() and twin_to.equals(to)


def test_an_arrival_takes_the_household_its_draw_picks_in_its_local_body() -> None:
    arrivals = _arrivals(["G02001", "G02001", "G02001", "M02003", "M02003"], [0.0, 0.5, 0.99, 0.0, 0.75])
    placed = place_arrivals(arrivals, HOMES)
    assert placed.select("ward_code", "house_serial", "house_a", "house_b").rows() == [
        ("G02001001", 1, 10, 20),  # G02001 holds three households: draws 0, 0.5 and 0.99 take the 1st, 2nd, 3rd
        ("G02001001", 2, 11, 21),
        ("G02001002", 1, 12, 22),
        ("M02003001", 1, 13, 23),
        ("M02003001", 2, 14, 24),
    ]
    assert placed.select("epic", "given").equals(arrivals.select("epic", "given"))


def test_a_refused_arrival_is_listed_at_the_next_household_of_its_local_body() -> None:
    arrivals = _arrivals(["G02001", "M02003"], [0.99, 0.0])
    seen: list[list[int]] = []

    def allowed(frame: pl.DataFrame) -> np.ndarray:
        seen.append(frame["house_a"].to_list())
        return (~frame["house_a"].is_in([12, 13])).to_numpy()

    placed = place_arrivals(arrivals, HOMES, allowed=allowed)
    # G02001's last household (12) is refused: the next is its first (10), not one of another local body
    assert placed["house_a"].to_list() == [10, 14]
    assert seen == [[12, 13], [10, 14]]
    with pytest.raises(AssertionError) as err:
        place_arrivals(arrivals, HOMES, allowed=lambda f: np.zeros(f.height, dtype=bool))
    assert str(err.value) == "2 moves across districts print a name the world must not hold"
    assert PLACING_ROUNDS == 64


def test_no_arrivals_and_an_arrival_bound_elsewhere() -> None:
    none = place_arrivals(_arrivals([], []), HOMES)
    assert none.height == 0
    with pytest.raises(AssertionError, match="an arrival is bound for a local body this shard does not hold"):
        place_arrivals(_arrivals(["G09009"], [0.5]), HOMES)


def test_the_leavers_of_every_shard_are_split_by_the_shard_of_their_destination(tmp_path: Path) -> None:
    plan = plan_world(WorldSpec(districts=("Wayanad", "Idukki"), local_bodies=12, seed=7))
    first, *rest = plan.shards
    bound = [rest[0].local_bodies[0], first.local_bodies[-1], rest[0].local_bodies[0]]
    _arrivals(bound, [0.1, 0.2, 0.3]).with_columns(epic=pl.Series([30, 20, 10])).write_parquet(
        tmp_path / f"{first.key}-leavers.parquet"
    )
    for shard in rest:
        _arrivals([first.local_bodies[0]], [0.9]).with_columns(epic=pl.lit(5, dtype=pl.Int64)).write_parquet(
            tmp_path / f"{shard.key}-leavers.parquet"
        )

    given = arrivals(tmp_path, plan)

    assert list(given) == [s.key for s in plan.shards]
    assert given[first.key]["epic"].to_list() == [5] * len(rest) + [20]  # in EPIC order
    assert given[rest[0].key]["epic"].to_list() == [10, 30]
    assert all(given[s.key].height == 0 for s in rest[1:])
    assert given[rest[0].key].columns == _arrivals([], []).columns


def test_only_a_world_of_two_districts_or_more_moves_entries_across() -> None:
    assert not crosses_districts(plan_world(WorldSpec(districts=("Wayanad",), local_bodies=3, seed=1)))
    two = WorldSpec(districts=("Wayanad", "Idukki"), local_bodies=12, seed=7)
    assert crosses_districts(plan_world(two))
    none = WorldSpec(
        districts=two.districts, local_bodies=4, seed=1, noise=(("electoral_roll.moved_district_share", 0.0),)
    )
    assert not crosses_districts(plan_world(none))


def test_staleness_targets_follow_the_assumptions_and_the_worlds_shape() -> None:
    one = plan_world(WorldSpec(districts=("Wayanad",), local_bodies=3, seed=7))
    assert staleness_targets(one, 0.5) == {
        "roll_moved_within_local_body": 0.03,
        "roll_moved_across_local_bodies": pytest.approx(0.97 * 0.02 * 0.5),  # half the entries in shards of 2+
        "roll_moved_across_districts": 0.0,  # nowhere to move to
        "roll_duplicate_share": 0.01,
    }
    noise = (("electoral_roll.moved_district_share", 0.05),)
    two = plan_world(WorldSpec(districts=("Wayanad", "Idukki"), local_bodies=12, seed=7, noise=noise))
    assert staleness_targets(two, 1.0)["roll_moved_across_districts"] == pytest.approx((0.97 - 0.97 * 0.02) * 0.05)
