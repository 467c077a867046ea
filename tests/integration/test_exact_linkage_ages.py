"""Exact linkage's age tolerance on a whole district, against an independent count in plain Polars."""

from __future__ import annotations

import numpy as np
import polars as pl

from synth import World
from synth.attacks.exact_linkage import ExactLinkageParams, exact_linkage
from synth.release import make_release
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.linkage import correct_links
from tests.integration.name_recount import compatible, with_read_names, with_supported
from tests.integration.test_exact_linkage_district import alike_once, recount_roll


def test_age_tolerance_equals_an_independent_count(wayanad: World) -> None:
    release = make_release(wayanad)
    aux = auxiliary_from_world(wayanad)
    view = release.attacker_view()
    tolerant = exact_linkage(view, aux, np.random.default_rng(0))
    strict = exact_linkage(view, aux, np.random.default_rng(0), ExactLinkageParams(strict=True))

    # Independent count: the roll with place names from the world's own tables; a row linked where exactly one
    # compatible entry (its given name, initials the entry supports: name_recount) is printed at its age, else
    # where exactly one distinct EPIC is printed at its age or its age - 1.
    keys = ["name", "gender", "age", "local_body", "ward"]
    by = ["given", "gender", "age", "local_body", "ward"]
    roll = with_supported(alike_once(recount_roll(wayanad), keys)).select(*by, "mask", "epic")
    rows = with_read_names(release.data.select("row_id", *keys)).drop_nulls(by)
    same = compatible(rows.join(roll, on=by)).select("row_id", "epic")
    younger = compatible(rows.with_columns(pl.col("age") - 1).join(roll, on=by)).select("row_id", "epic")
    counted = (
        pl.concat([same, younger]).group_by("row_id").agg(pl.col("epic").n_unique().alias("n"), pl.col("epic").first())
    )
    equal_ages = same.filter(pl.len().over("row_id") == 1).sort("row_id")
    assert strict.equals(equal_ages)
    loose = counted.filter(pl.col("n") == 1).select("row_id", "epic").join(equal_ages, on="row_id", how="anti")
    assert tolerant.equals(pl.concat([equal_ages, loose]).sort("row_id"))

    # the tolerance finds people a year younger on the roll: mostly those born between the roll's qualifying
    # date and the export's (in January), the rest printed a year young on the roll (the world's roll errors)
    truth = wayanad.table("roll_truth").collect()
    assert correct_links(tolerant, release.truth, truth) > 1.05 * correct_links(strict, release.truth, truth)
    gained = (
        tolerant.join(strict, on="row_id", how="anti")
        .join(release.truth, on="row_id")
        .join(truth.select("epic", p2="person_id"), on="epic")
        .filter(pl.col("person_id") == pl.col("p2"))
        .join(wayanad.people.select("person_id", "dob").collect(), on="person_id")
        .join(release.data.select("row_id", "age"), on="row_id")
        .join(roll.select("epic", roll_age="age"), on="epic")
    )
    assert gained.height > 0 and (gained["roll_age"] == gained["age"] - 1).all()
    assert (gained["dob"].dt.month() == 1).mean() > 0.6  # type: ignore[operator]
    assert correct_links(tolerant, release.truth, truth) / tolerant.height > 0.95  # precision stays high
