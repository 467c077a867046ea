import numpy as np
import polars as pl
import pytest

from synth.errors import SpecError
from synth.world.plan import WorldSpec, _largest_remainder, plan_world


@pytest.fixture(scope="module")
def state():  # type: ignore[no-untyped-def]
    return plan_world(WorldSpec(seed=1))


def test_state_plan_totals(state) -> None:  # type: ignore[no-untyped-def]
    lbs = state.local_bodies
    assert lbs.height == 1034
    assert int(lbs["population"].sum()) == 35_800_000
    assert int(lbs["roll_target"].sum()) == 26_953_644
    t = state.targets
    assert t["quota_employees"] == 800_000
    assert t["quota_womens_scheme"] == 1_020_000
    assert (
        sum(
            t[f"quota_{s}"]
            for s in (
                "old_age",
                "widow",
                "disability",
                "agricultural_labourer",
                "unmarried_women",
                "welfare_fund_board",
            )
        )
        == 6_200_000
    )
    assert all(s.population <= 500_000 or len(s.local_bodies) == 1 for s in state.shards)


def test_subset_is_exact_slice_of_state(state) -> None:  # type: ignore[no-untyped-def]
    sub = plan_world(WorldSpec(districts=("wayanad",), seed=1))
    cols = ["local_body_code", "population", "person_offset", "roll_target", "quota_employees", "shard"]
    full = state.local_bodies.filter(pl.col("district_code") == "12").select(cols)
    assert sub.local_bodies.select(cols).equals(full)
    assert [s.key for s in sub.shards] == ["12-000", "12-001"]


def test_local_body_sample_is_seeded() -> None:
    a = plan_world(WorldSpec(local_bodies=5, seed=3)).local_bodies["local_body_code"].to_list()
    b = plan_world(WorldSpec(local_bodies=5, seed=3)).local_bodies["local_body_code"].to_list()
    c = plan_world(WorldSpec(local_bodies=5, seed=4)).local_bodies["local_body_code"].to_list()
    assert a == b
    assert a != c
    assert len(a) == 5


def test_largest_remainder_adds_up() -> None:
    out = _largest_remainder(np.array([1.0, 1.0, 1.0]), 10)
    assert out.tolist() == [4, 3, 3]
    assert _largest_remainder(np.array([0.0, 0.0]), 0).tolist() == [0, 0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "seed = -1: must be a whole number from 0 to 2**32 - 1"),
        ({"seed": "7"}, "seed = '7': must be a whole number from 0 to 2**32 - 1"),
        ({"seed": 1.5}, "seed = 1.5: must be a whole number from 0 to 2**32 - 1"),
        ({"local_bodies": 0}, "local_bodies = 0: must be a positive whole number"),
        ({"phone_plan": "real"}, "phone_plan = 'real': allowed are 'safe', 'realistic'"),
    ],
)
def test_bad_spec_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as exc:
        WorldSpec(**kwargs)  # type: ignore[arg-type]
    assert str(exc.value) == message


def test_unknown_district_with_suggestion() -> None:
    with pytest.raises(SpecError) as exc:
        plan_world(WorldSpec(districts=("Wayand",)))
    assert str(exc.value) == (
        "unknown district 'Wayand': allowed are Thiruvananthapuram, Kollam, Pathanamthitta, Alappuzha, Kottayam,"
        " Idukki, Ernakulam, Thrissur, Palakkad, Malappuram, Kozhikode, Wayanad, Kannur, Kasaragod (or codes 01-14)"
        " (did you mean 'Wayanad'?)"
    )


def test_too_many_local_bodies() -> None:
    with pytest.raises(SpecError) as exc:
        plan_world(WorldSpec(districts=("Wayanad",), local_bodies=27))
    assert str(exc.value) == "local_bodies = 27: the chosen geography has only 26 local bodies"
