"""Validate a world learned from a user's table: calibration targets do not apply (the world follows the
table); its sizes, the rules of every world, the rules the learner kept and the table's identifiers are
checked (see :func:`validate_learned`)."""

from __future__ import annotations

import polars as pl

from synth.world.api import World
from synth.world.checks import Checks, count_rows, plan_checked
from synth.world.learned.columns import place_table
from synth.world.people_table import people_table
from synth.world.preset import PENSION_SCHEMES
from synth.world.rule_checks import check_rules
from synth.world.rules import parse_rule, schema_kinds

EXACT_MATCH_MARGIN = 0.01  # learned rows may equal a table row at most this much above the chance rate


def validate_learned(world: World) -> pl.DataFrame:
    """Checks of a world learned from a user's table (see :mod:`synth.world.learned.population`).

    Calibration targets do not apply (the world follows the table). Checked: the population and every
    registry size against what was sampled, every rule of a world (eligibility, families, roll, phones),
    the place hierarchy against the preset, every rule the learner enforced (the world's eligibility
    rules written for the table, the observed age ranges, the declared rules) on the world seen as the
    table, no phone number or full name of the table in the world, and no more learned rows equal to a row of the
    table than chance gives (``exact_match_share`` at most the table's own duplicate share plus
    ``EXACT_MATCH_MARGIN``). The quality scores and distances to the closest record are reported.
    """
    preset, plan = plan_checked(world)
    learned = world.manifest["learned"]
    c = Checks()
    c.target("population", "all", learned["rows"], count_rows(world.people), 0.0)
    targets = world.manifest["targets"]
    sizes = {r: count_rows(world.table(r)) for r in ("employees", "entrepreneurs", "womens_scheme")}
    schemes = world.table("pensioners").group_by("scheme").agg(n=pl.len()).collect()
    for scheme in PENSION_SCHEMES:
        sizes[scheme] = int(schemes.filter(pl.col("scheme") == scheme)["n"].sum())
    for name, got in sizes.items():
        c.target(f"registry_size:{name}", "all", targets[f"quota_{name}"], got, 0.0, relative=False)

    check_rules(c, world, preset, plan.phone_plan)
    places = place_table(preset).select("ward_code", "local_body_code", "taluk_code", "district_code")
    c.rule(
        "ward_in_local_body_in_taluk_in_district",
        count_rows(
            world.people.select("ward_code", "local_body_code", "taluk_code", "district_code").join(
                places.lazy(), on=["ward_code", "local_body_code", "taluk_code", "district_code"], how="anti"
            )
        ),
    )
    view = people_table(world).collect()
    kinds = schema_kinds(view.schema)
    for entry in learned["rules"]:
        rule = parse_rule(entry["name"], entry["text"], kinds)
        c.rule(f"{entry['source']}:{entry['name'].split(':', 1)[-1]}", int(view.select(rule.broken().sum()).item()))

    privacy = learned["privacy"]
    c.rule("input_phones_in_output", int(privacy["identifiers"]["input_phones_in_output"]))
    c.rule("input_names_in_output", int(privacy["identifiers"]["input_names_in_output"]))
    share, chance = privacy["exact_match_share"], privacy["exact_match_share_by_chance"]
    c.rows.append(
        {
            "kind": "target",
            "check": "exact_match_share_at_most_chance",
            "scope": "all",
            "target": float(chance),
            "value": float(share),
            "error": float(share - chance),
            "tolerance": EXACT_MATCH_MARGIN,
            "ok": share <= chance + EXACT_MATCH_MARGIN,
        }
    )
    quality = learned["quality"]
    for key in ("score", "column_shapes", "column_pair_trends"):
        c.info(f"quality:{key}", "all", 1.0, float(quality[key]))
    c.info("rejected_share", "all", 0.0, float(learned["sampling"]["rejected_share"]))
    c.info("new_row_synthesis_sdmetrics", "all", 1.0, float(privacy["new_row_synthesis_sdmetrics"]["score"]))
    dcr = privacy["dcr"]
    for key in ("median_synthetic", "median_real", "median_random", "baseline_protection"):
        if dcr.get(key) is not None:
            c.info(
                f"dcr:{key}", "all", float(dcr["median_real"] if key == "median_synthetic" else 0.0), float(dcr[key])
            )
    return c.frame()
