"""Validation of the roll's staleness: how many entries are listed at an old address, and how many twice, beside
the assumptions the world was built with (the preset's, or a scenario's ``[world.noise]``).

Reported, not gated: the figures are draws of the assumptions, and the tests recount them with SQL
(``tests/integration/test_roll_noise_wayanad.py``, ``tests/integration/test_district_moves.py``). Each share is of
the entries of living people that are not duplicates, by where the entry is listed against where the person
lives; the duplicates' share is of every entry.
"""

from __future__ import annotations

import polars as pl

from synth.world.api import World
from synth.world.checks import Checks
from synth.world.district_moves import crosses_districts, share
from synth.world.plan import WorldPlan
from synth.world.shard_context import LB_TYPE_DIGIT, local_body_number


def staleness_targets(plan: WorldPlan, multi_body_share: float) -> dict[str, float]:
    """The share each check expects: an entry stays home with ``1 - moved_share``; of those, a shard of two local
    bodies or more (``multi_body_share`` of the entries) moves ``moved_body_share`` to another of its local
    bodies; of those still home, a world of two districts or more moves ``moved_district_share`` to another."""
    p = plan.preset.params["electoral_roll"]
    within, body = float(p["moved_share"]), float(p["moved_body_share"])
    home = 1 - within
    across_bodies = home * body * multi_body_share
    return {
        "roll_moved_within_local_body": within,
        "roll_moved_across_local_bodies": across_bodies,
        "roll_moved_across_districts": (home - across_bodies) * share(plan) if crosses_districts(plan) else 0.0,
        "roll_duplicate_share": float(p["duplicate_share"]),
    }


def _body(ward: str) -> pl.Expr:
    """The local body's number of a ward code (:func:`~synth.world.shard_context.local_body_number`, its district
    in the thousands): a small integer to join on where the whole state's codes would take gigabytes."""
    kind = pl.col(ward).str.slice(0, 1).replace_strict(LB_TYPE_DIGIT, return_dtype=pl.Int32)
    return kind * 100_000 + pl.col(ward).str.slice(1, 5).cast(pl.Int32)


def check_roll_staleness(c: Checks, world: World, plan: WorldPlan) -> None:
    """One info row per share of :func:`staleness_targets`, scope ``all``."""
    multi = [lb for shard in plan.shards if len(shard.local_bodies) > 1 for lb in shard.local_bodies]
    listed = (
        world.table("roll_truth")
        .select("epic", "person_id", "status")
        .join(world.electoral_roll.select("epic", listed=_body("ward_code")), on="epic")
        .join(world.people.select("person_id", home=_body("ward_code")), on="person_id", how="left")
    )
    moved = pl.col("status") == "moved"
    same_body = pl.col("listed") == pl.col("home")
    same_district = pl.col("listed") % 100_000 // 1_000 == pl.col("home") % 100_000 // 1_000
    shares = (
        listed.filter(pl.col("status").is_in(["living", "moved"]))
        .select(
            roll_moved_within_local_body=(moved & same_body).mean(),
            roll_moved_across_local_bodies=(moved & ~same_body & same_district).mean(),
            roll_moved_across_districts=(moved & ~same_district).mean(),
            multi_body=pl.col("home").is_in([local_body_number(lb) for lb in multi]).mean(),
        )
        .collect(engine="streaming")  # the whole state's roll and people: a batch at a time
        .row(0, named=True)
    )
    duplicates = world.table("roll_truth").select((pl.col("status") == "duplicate").mean()).collect().item()
    targets = staleness_targets(plan, float(shares.pop("multi_body") or 0.0))
    for check, value in {**shares, "roll_duplicate_share": duplicates}.items():
        c.info(check, "all", targets[check], float(value or 0.0))
