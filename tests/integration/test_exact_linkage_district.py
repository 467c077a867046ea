"""Exact linkage on a whole district's export, against an independent count in plain Polars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from synth import World, open_world
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.exact_linkage import (
    ExactLinkageParams,
    _linked,
    age_offsets,
    equal_age_first,
    exact_linkage,
    given_name_links,
    hashed_unique_matches,
)
from synth.attacks.linking import one_per_printed_person, shuffled_view
from synth.core.coding import roll_in_release_coding, shared_columns
from synth.core.name_parts import GIVEN, with_name_parts
from synth.release import make_release
from synth.release.build import AttackerView
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.linkage import score_linkage
from tests.integration.name_recount import compatible, with_read_names, with_supported


def recount_roll(world: World) -> pl.DataFrame:
    """The roll with its local bodies' names and ward numbers, from the world's own tables (for recounts)."""
    lbs = world.table("local_bodies").select("local_body_code", "local_body").collect()
    return (
        world.electoral_roll.collect()
        .join(lbs, on="local_body_code")
        .with_columns(ward=pl.col("ward_code").str.slice(6).cast(pl.Int16), gender=pl.col("sex").cast(pl.String))
    )


def alike_once(roll: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The roll with one entry (the lowest EPIC) of those alike in ``keys`` and in all the roll prints of a person:
    to the attacker, a person listed twice is one candidate."""
    printed = ["name", "relative_type", "relative_name", "sex", "age"]
    return roll.sort("epic").unique(subset=sorted({*keys, *printed}), keep="first", maintain_order=True)


def test_exact_linkage_equals_an_independent_count(wayanad: World) -> None:
    release = make_release(wayanad)
    aux = auxiliary_from_world(wayanad)
    # strict: equal ages (the tolerant default is recounted in test_exact_linkage_ages.py)
    guesses = exact_linkage(release.attacker_view(), aux, np.random.default_rng(0), ExactLinkageParams(strict=True))

    # Independent count: the roll with place names from the world's own tables; a row linked where exactly one
    # entry has its given name, gender, age and place and supports every initial the row's name writes.
    keys = ["name", "gender", "age", "local_body", "ward"]
    by = ["given", "gender", "age", "local_body", "ward"]
    roll = with_supported(alike_once(recount_roll(wayanad), keys))
    rows = with_read_names(release.data.select("row_id", *keys)).drop_nulls(by)
    pairs = compatible(rows.join(roll.select(*by, "mask", "epic"), on=by))
    expected = pairs.filter(pl.len().over("row_id") == 1).select("row_id", "epic").sort("row_id")
    assert guesses.equals(expected)
    assert guesses.height > 0.5 * release.data.height  # as exported, most rows link

    truth = wayanad.table("roll_truth").collect()
    score = score_linkage(
        guesses,
        exact_linkage(shuffled_view(release.attacker_view(), np.random.default_rng(1)), aux, np.random.default_rng(1)),
        release.truth,
        truth,
        release.data.height,
    )
    right = expected.join(release.truth, on="row_id").join(truth.select("epic", p2="person_id"), on="epic")
    assert score.correct == int((right["person_id"] == right["p2"]).sum())
    assert score.precision.value > 0.95
    assert score.baseline.value < 0.01


def test_singling_out_equals_an_independent_count(wayanad: World) -> None:
    from synth.attacks.auxiliary import AuxiliaryData
    from synth.attacks.singling_out import singling_out
    from synth.engine.relational import key_counts
    from synth.scoring.singling_out import population_counts, population_in_release_coding, score_singling_out

    release = make_release(wayanad)
    guesses = singling_out(release.attacker_view(), AuxiliaryData(), np.random.default_rng(0))
    keys = ["age", "gender", "district", "taluk", "local_body", "ward"]
    counts = release.data.group_by(keys).len()
    expected = release.data.join(counts.filter(pl.col("len") == 1), on=keys).select("row_id").sort("row_id")
    assert guesses["row_id"].to_list() == expected["row_id"].to_list()
    # population uniqueness recounted from the people table directly
    people = wayanad.people.collect().with_columns(ward=pl.col("ward_code").str.slice(6).cast(pl.Int16))
    pop = people.group_by("local_body_code", "ward", "age", "sex").len().filter(pl.col("len") == 1)
    truth = release.truth.join(people.select("person_id", "local_body_code", "ward", "age", "sex"), on="person_id")
    unique_pop = truth.join(pop, on=["local_body_code", "ward", "age", "sex"], how="semi").height
    rng = np.random.default_rng(1)
    shuffled = singling_out(shuffled_view(release.attacker_view(), rng), AuxiliaryData(), rng)
    counts = population_counts(wayanad, release.data, keys)
    person_by_person = population_in_release_coding(wayanad, release.data, keys)
    assert counts.sort(keys).equals(key_counts(person_by_person, keys, "n_pop").sort(keys).select(counts.columns))
    score = score_singling_out(guesses, shuffled, release.data, counts)
    assert score.baseline.value < score.precision.value / 5  # random combinations of real values rarely single out
    assert score.unique_in_population.successes == unique_pop
    assert 0 < score.correct <= guesses.height


def test_linkage_breakdown_adds_up(wayanad: World) -> None:
    from synth.scoring.breakdown import breakdown, strata
    from synth.scoring.linkage import correct_links

    release = make_release(wayanad)
    guesses = exact_linkage(release.attacker_view(), auxiliary_from_world(wayanad), np.random.default_rng(0))
    truth = wayanad.table("roll_truth").collect()
    right = (
        guesses.join(release.truth, on="row_id")
        .join(truth.select("epic", p2="person_id"), on="epic")
        .filter(pl.col("person_id") == pl.col("p2"))
    )
    table = strata(wayanad, release)
    for by in ("registry", "district", "age_band"):
        out = breakdown(right.select("row_id"), table, by)
        assert out["rows"].sum() == release.data.height
        assert out["successes"].sum() == correct_links(guesses, release.truth, truth)


def test_district_by_district_gives_the_links_of_the_whole(small_world_dir: Path) -> None:
    """A twin district (the same people under other ids, so every name and age has a double in another district):
    linked district by district, the links are those of the whole release against the whole roll at once, and the
    twin's are the first district's."""
    world = open_world(small_world_dir)
    data = make_release(world).attacker_view().data.with_columns(pl.col("district").cast(pl.String))
    roll = (
        auxiliary_from_world(world).require("electoral_roll", "test").with_columns(pl.col("district").cast(pl.String))
    )
    offset = 10 * data.height
    view = AttackerView(pl.concat([data, data.with_columns(row_id=pl.col("row_id") + offset, district=pl.lit("Twin"))]))
    twin_roll = roll.with_columns(epic=pl.format("T{}", "epic"), district=pl.lit("Twin"))
    aux = AuxiliaryData(electoral_roll=pl.concat([roll, twin_roll]))
    links = exact_linkage(view, aux, np.random.default_rng(0))

    keys = shared_columns(view.data)
    coded = pl.concat(
        [roll_in_release_coding(aux.electoral_roll, view.data, keys), aux.roll_initials], how="horizontal"
    )
    offsets = age_offsets(view, keys, ExactLinkageParams())
    whole = _linked(view.data, aux.electoral_roll, coded, keys, offsets, None, aux.roll_printed_twice)
    assert links.height > 0.5 * data.height and links.equals(whole)
    first, second = links.filter(pl.col("row_id") < offset), links.filter(pl.col("row_id") >= offset)
    back = second.with_columns(row_id=pl.col("row_id") - offset, epic=pl.col("epic").str.slice(1))
    assert back.equals(first)


def test_given_name_links_district_by_district_are_those_of_the_whole(small_world_dir: Path) -> None:
    """Links on given names learnt elsewhere (as from caller-ID labels), on the twin districts above: district by
    district, they are those of the whole roll at once, and the twin's are the first district's."""
    world = open_world(small_world_dir)
    data = make_release(world).attacker_view().data.with_columns(pl.col("district").cast(pl.String))
    roll = (
        auxiliary_from_world(world).require("electoral_roll", "test").with_columns(pl.col("district").cast(pl.String))
    )
    offset = 10 * data.height
    both = pl.concat([data, data.with_columns(row_id=pl.col("row_id") + offset, district=pl.lit("Twin"))])
    view = AttackerView(both.drop("name"))
    twin_roll = roll.with_columns(epic=pl.format("T{}", "epic"), district=pl.lit("Twin"))
    aux = AuxiliaryData(electoral_roll=pl.concat([roll, twin_roll]))
    # every other row's given name, as a label gives it
    names = with_name_parts(both.select("row_id", "name")).filter(pl.col("row_id") % 2 == 0)
    names = names.select("row_id", name=GIVEN, name_by=pl.lit("caller_id_lookup"))
    links = given_name_links(view, names, aux)

    keys = shared_columns(view.data)
    coded = roll_in_release_coding(aux.electoral_roll, view.data, keys).with_columns(aux.roll_initials[GIVEN])
    coded = one_per_printed_person(aux.electoral_roll, coded, [GIVEN, *keys])
    rel = with_name_parts(view.data.join(names, on="row_id")).select("row_id", *keys, GIVEN)
    whole = equal_age_first(
        lambda roll: hashed_unique_matches(rel, roll, [GIVEN, *keys], "epic"),
        coded,
        age_offsets(view, keys, ExactLinkageParams()),
    )
    assert links.height > 0.2 * names.height
    assert links.select("row_id", "epic").equals(whole) and set(links["name_by"]) == {"caller_id_lookup"}
    first, second = links.filter(pl.col("row_id") < offset), links.filter(pl.col("row_id") >= offset)
    back = second.with_columns(row_id=pl.col("row_id") - offset, epic=pl.col("epic").str.slice(1))
    assert back.equals(first)
