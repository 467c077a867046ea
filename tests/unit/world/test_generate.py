import polars as pl

from synth.world.build import build_shard
from synth.world.generate import generate_local_body
from synth.world.plan import WorldSpec, plan_world
from synth.world.shard_context import ShardContext, local_body_number


def _frames(seed: int) -> dict[str, pl.DataFrame]:
    plan = plan_world(WorldSpec(districts=("Wayanad",), local_bodies=1, seed=seed))
    lb = plan.local_bodies.row(0, named=True)
    wards = plan.wards.filter(pl.col("local_body_code") == lb["local_body_code"]).sort("ward_code")
    return generate_local_body(ShardContext(plan), lb, wards)


def test_local_body_number() -> None:
    assert local_body_number("G01001") == 101001
    assert local_body_number("C14002") == 314002


def test_seeded_twins() -> None:
    a, b = _frames(21), _frames(21)
    for name in a:
        assert a[name].equals(b[name]), name


def test_local_body_is_the_same_alone_or_in_the_state() -> None:
    """A local body's draws depend on (seed, local body) only, not on what else is built."""
    alone = plan_world(WorldSpec(districts=("Wayanad",), local_bodies=1, seed=5))
    code = alone.local_bodies["local_body_code"][0]
    district = plan_world(WorldSpec(districts=("Wayanad",), seed=5))
    shard = next(s for s in district.shards if code in s.local_bodies)
    whole = build_shard(district, shard)["people"].filter(pl.col("local_body_code") == code)
    single = build_shard(alone, alone.shards[0])["people"]
    assert whole.equals(single)
