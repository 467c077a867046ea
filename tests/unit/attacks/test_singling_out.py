"""Singling out on a hand-built release and population."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell, NotApplicable, Truth
from synth.attacks.knowledge import Knowledge
from synth.attacks.linking import shuffled_view
from synth.attacks.registry import ATTACKS
from synth.attacks.singling_out import SinglingOutParams, singling_out
from synth.core.coding import key_hash
from synth.engine.io import ResultStore
from synth.engine.relational import key_counts
from synth.errors import SpecError
from synth.measure.names import measure_rows
from synth.release.build import AttackerView
from synth.scoring.singling_out import (
    SinglingOutScore,
    by_written_name,
    population_counts,
    rows_meeting,
    score_singling_out,
)
from synth.scoring.written_names import people_name_parts, written_name_counts

RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "age": [40, 40, 67, 80],
        "gender": ["F", "F", "M", "M"],
        "local_body": ["Kalpetta"] * 4,
    }
)
POPULATION = pl.DataFrame(
    {  # the whole population, coded like the release
        "age": [40, 40, 40, 67, 80, 80],
        "gender": ["F", "F", "F", "M", "M", "M"],
        "local_body": ["Kalpetta"] * 6,
    }
)


def test_unique_rows_and_their_truth() -> None:
    guesses = singling_out(AttackerView(RELEASE), AuxiliaryData(), np.random.default_rng(0))
    assert guesses["row_id"].to_list() == [2, 3]  # rows 0 and 1 share (40, F)
    # the baseline's predicates (from a shuffled release): (40, M) describes nobody, (80, F) nobody,
    # (67, F) nobody, (40, F) three people: none singles anybody out
    baseline = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 3],
            "age": [40, 80, 67, 40],
            "gender": ["M", "F", "F", "F"],
            "local_body": ["Kalpetta"] * 4,
        }
    )
    counts = key_counts(POPULATION, ["age", "gender", "local_body"], "n_pop")
    s = score_singling_out(guesses, baseline, RELEASE, counts)
    # (67, M) is unique in the population; (80, M) is not (two such people, one released)
    assert (s.unique_in_release.value, s.correct, s.precision.value) == (0.5, 1, 0.5)
    assert s.unique_in_population.value == 0.25
    assert (s.baseline.value, s.risk.value) == (0.0, 0.5)
    lucky = baseline.with_columns(age=pl.Series([67, 80, 67, 40]), gender=pl.Series(["M", "F", "F", "F"]))
    assert score_singling_out(guesses, lucky, RELEASE, counts).baseline.value == 0.25  # (67, M) once


def test_not_applicable_names_the_attack() -> None:
    cases = [
        (RELEASE.select("row_id"), "attack 'singling_out': the release has no quasi-identifier (it has row_id)"),
        (RELEASE.clear(), "attack 'singling_out': the release is empty; nothing to single out"),
    ]
    for data, message in cases:
        with pytest.raises(NotApplicable) as err:
            singling_out(AttackerView(data), AuxiliaryData(), np.random.default_rng(0))
        assert err.type is NotApplicable and str(err.value) == message
        assert not isinstance(err.value, SpecError)  # "does not apply" is a note, not a bad scenario


# With names: a hand-built world of seven people in two wards of one local body, four of them released.
PLACES = pl.DataFrame(
    {
        "ward_code": ["W1", "W2"],
        "local_body_code": ["L1", "L1"],
        "district": ["Wayanad"] * 2,
        "taluk": ["Vythiri"] * 2,
        "local_body": ["Kalpetta"] * 2,
        "ward": pl.Series([1, 2], dtype=pl.Int16),
    }
)
PEOPLE = pl.LazyFrame(
    {
        "person_id": [1, 2, 3, 4, 5, 6, 7],
        "name": ["Anu K", "Bindu M", "Bindu M", "Chitra P", "Das R", "Eapen T", "Faisal A"],
        "age": pl.Series([40, 40, 40, 40, 67, 80, 80], dtype=pl.Int16),
        "sex": pl.Series(["F", "F", "F", "F", "M", "M", "M"], dtype=pl.Enum(["M", "F"])),
        "local_body_code": ["L1"] * 7,
        "ward_code": ["W1", "W1", "W1", "W1", "W1", "W2", "W2"],
        "relative_name": ["Raman", "Gopi", "Sasi", "Mohan", "Kunjan", "Thomas", "Ali"],
        "household_id": [10, 20, 30, 40, 50, 60, 70],
    }
)
HOUSES = pl.LazyFrame(
    {
        "household_id": [10, 20, 30, 40, 50, 60, 70],
        "local_body_code": ["L1"] * 7,
        "house_name": ["Kizhakkethil", "Mangalath", "Madathil", "Puthenveedu", "Rajbhavan", "Thekkel", "Arakkal"],
    }
)
WARDS = pl.LazyFrame({"ward_code": ["W1", "W2"], "local_body_code": ["L1", "L1"], "population": [5, 2]})
WORLD = SimpleNamespace(
    people=PEOPLE, place_names=lambda: PLACES, table={"households": HOUSES, "wards": WARDS}.__getitem__
)
NAMED = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "name": ["Anu K", "Bindu M", "Das R", "Eapen T"],  # people 1, 2, 5 and 6
        "age": pl.Series([40, 40, 67, 80], dtype=pl.Int16),
        "gender": ["F", "F", "M", "M"],
        "district": ["Wayanad"] * 4,
        "taluk": ["Vythiri"] * 4,
        "local_body": ["Kalpetta"] * 4,
        "ward": pl.Series([1, 1, 1, 2], dtype=pl.Int16),
        "registry": ["pensioners", "pensioners", "employees", "employees"],
    }
)
NAMED_TRUTH = Truth(
    release=pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [1, 2, 5, 6]}),
    roll=pl.DataFrame({"epic": [], "person_id": []}, schema={"epic": pl.String, "person_id": pl.Int64}),
    strata=pl.DataFrame({"row_id": [0, 1, 2, 3], "registry": ["pensioners", "pensioners", "employees", "employees"]}),
    exported=None,
    world=WORLD,
)
PLACE_KEYS = ["age", "gender", "district", "taluk", "local_body", "ward"]


def _cell(data: pl.DataFrame, seed: int = 3) -> Cell:
    view = AttackerView(data)
    return Cell(view=view, aux=AuxiliaryData(), knowledge=Knowledge.from_view(view), rng=np.random.default_rng(seed))


def test_written_name_counts() -> None:
    keys = ["name", *PLACE_KEYS]
    counts = written_name_counts(WORLD, NAMED, keys, [NAMED])  # type: ignore[arg-type]
    assert counts.columns == ["given", "initials", *PLACE_KEYS, "n_pop"]
    # the people's names, read once for a run of policies and passed in, count the same
    known = people_name_parts(WORLD)  # type: ignore[arg-type]
    assert sorted(known["name"]) == sorted(PEOPLE.select("name").unique().collect()["name"])
    assert written_name_counts(WORLD, NAMED, keys, [NAMED], people_parts=known).equals(counts)  # type: ignore[arg-type]

    def n_pop(release: pl.DataFrame) -> list[tuple[str, int | None]]:
        """Each released name with the people it could be written for (its given name; initials among those of
        their name, house and father)."""
        counted = written_name_counts(WORLD, release, keys, [release])  # type: ignore[arg-type]
        on = [c for c in counted.columns if c != "n_pop"]
        met = by_written_name(release.select(keys)).join(counted, on=on, how="left", maintain_order="left")
        return list(zip(release["name"], met["n_pop"], strict=True))

    # two Bindus of 40 in ward 1, both of a house starting with M
    assert n_pop(NAMED) == [("Anu K", 1), ("Bindu M", 2), ("Das R", 1), ("Eapen T", 1)]
    # the same people in other formats: the father's initial tells the Bindus apart; a title is no initial
    other = NAMED.with_columns(name=pl.Series(["K. Anu Nair", "M. G. Bindu", "Das", "Eapen Thekkel"]))
    assert n_pop(other) == [("K. Anu Nair", 1), ("M. G. Bindu", 1), ("Das", 1), ("Eapen Thekkel", 1)]
    bare = NAMED.with_columns(name=pl.Series(["Anu", "Bindu", "Das", "Eapen"]))  # a given name fits both Bindus
    assert n_pop(bare) == [("Anu", 1), ("Bindu", 2), ("Das", 1), ("Eapen", 1)]
    # a key that fits no one is left out: no Anu with initial M, no Das in ward 2, nobody of 41
    nobody = NAMED.with_columns(
        name=pl.Series(["Anu M", "Bindu M", "Das R", "Eapen T"]),
        ward=pl.Series([1, 1, 2, 2], dtype=pl.Int16),
        age=pl.Series([40, 41, 67, 80], dtype=pl.Int16),
    )
    assert n_pop(nobody) == [("Anu M", None), ("Bindu M", None), ("Das R", None), ("Eapen T", 1)]
    # places that no ward prints (a shuffled baseline's) fit no one; a null fits no one
    elsewhere = NAMED.with_columns(taluk=pl.Series(["Mananthavady", "Vythiri", "Vythiri", None]))
    assert n_pop(elsewhere) == [("Anu K", None), ("Bindu M", 2), ("Das R", 1), ("Eapen T", None)]
    # without the ward, the place is the local body: the Eapen T of ward 2 is still the only one
    counted = written_name_counts(WORLD, NAMED, ["name", "age", "local_body"], [NAMED])  # type: ignore[arg-type]
    assert counted.rows() == [
        ("anu", "k", 40, "Kalpetta", 1),
        ("bindu", "m", 40, "Kalpetta", 2),
        ("das", "r", 67, "Kalpetta", 1),
        ("eapen", "t", 80, "Kalpetta", 1),
    ]
    # without the name, the four women of 40 in ward 1 fall into one class, as before
    plain = population_counts(WORLD, NAMED, PLACE_KEYS).sort("age")  # type: ignore[arg-type]
    assert plain.select("age", "gender", "ward", "n_pop").rows() == [(40, "F", 1, 4), (67, "M", 1, 1), (80, "M", 2, 2)]
    with pytest.raises(ValueError) as err:
        population_counts(WORLD, NAMED, keys)  # type: ignore[arg-type]
    assert str(err.value) == (
        "population_counts: names are counted for the keys a release prints, by written_name_counts"
    )
    with pytest.raises(ValueError) as err:
        written_name_counts(WORLD, NAMED, PLACE_KEYS, [NAMED])  # type: ignore[arg-type]
    assert str(err.value) == (
        "written_name_counts: columns ['age', 'gender', 'district', 'taluk', 'local_body', 'ward'] have no name; "
        "count them with population_counts"
    )


def test_counts_are_kept_and_reused_for_the_same_keys_coded_alike(tmp_path: Path) -> None:
    """The counts with names are kept under the keys the frames print, the columns, the age coding and the world's
    files; the counts without names under the columns, the coding and the files."""
    store = ResultStore(tmp_path / "reuse")
    world = SimpleNamespace(**vars(WORLD), manifest={"files": {"people/p.parquet": "1f"}})
    keys = ["name", *PLACE_KEYS]

    def counts(release: pl.DataFrame, memo: ResultStore | None, columns: list[str] = keys) -> pl.DataFrame:
        if "name" in columns:
            counted = written_name_counts(world, release, columns, [release], memo)  # type: ignore[arg-type]
        else:
            counted = population_counts(world, release, columns, memo)  # type: ignore[arg-type]
        return counted.sort(counted.columns)

    assert_frame_equal(counts(NAMED, store), counts(NAMED, None))
    assert (store.computed, store.reused) == (1, 0)
    # the same keys in another release (other phones, other row ids): read back
    other = NAMED.with_columns(row_id=pl.Series([7, 8, 9, 10]), registry=pl.lit("employees"))
    assert_frame_equal(counts(other, store), counts(other, None))
    assert (store.computed, store.reused) == (1, 1)
    # other names: counted again
    swapped = NAMED.with_columns(name=pl.Series(["Anu M", "Bindu K", "Das T", "Eapen R"]))
    assert_frame_equal(counts(swapped, store), counts(swapped, None))
    assert (store.computed, store.reused) == (2, 1)
    # ages in 5-year bands: counted again
    banded = NAMED.with_columns(age=pl.Series(["40-44", "40-44", "65-69", "80-84"]))
    assert_frame_equal(counts(banded, store), counts(banded, None))
    assert (store.computed, store.reused) == (3, 1)
    # the same release without names: counts of their own
    assert_frame_equal(counts(NAMED, store, PLACE_KEYS), counts(NAMED, None, PLACE_KEYS))
    assert (store.computed, store.reused) == (4, 1)
    # another world (another file's checksum): counted again
    world.manifest = {"files": {"people/p.parquet": "2e"}}
    counts(NAMED, store)
    assert (store.computed, store.reused) == (5, 1)


def test_the_attack_reports_both_figures_worked_out_by_hand() -> None:
    attack = ATTACKS["singling_out"]
    params = attack.parameters({})
    assert params == SinglingOutParams(names=True)
    outcome = attack.run(_cell(NAMED), params)
    # without names: rows 0 and 1 share (40, F, ward 1); rows 2 and 3 are unique in the release
    assert outcome.guesses["row_id"].to_list() == [2, 3]
    assert outcome.guesses.columns == ["row_id", *PLACE_KEYS]
    named_guesses, named_baseline = outcome.extra[2]
    assert named_guesses["row_id"].to_list() == [0, 1, 2, 3]  # every name differs
    assert named_guesses.columns == ["row_id", "name", *PLACE_KEYS]
    # both baselines come from one shuffle: a row unique in both has the same shuffled values
    both = outcome.baseline.join(named_baseline, on="row_id", suffix="_named")  # type: ignore[union-attr]
    assert all(both[c].equals(both[f"{c}_named"]) for c in PLACE_KEYS)
    scored = attack.score(outcome, NAMED_TRUTH, params)
    plain, wrapped = scored.scores
    # (67, M, ward 1) is one person, (80, M, ward 2) two, (40, F, ward 1) four
    assert (plain.rows, plain.unique_in_release.value, plain.correct, plain.precision.value) == (4, 0.5, 1, 0.5)
    assert plain.unique_in_population.value == 0.25
    # with names: Anu K, Das R and Eapen T are unique in the population; Bindu M has a namesake of 40 in ward 1
    named = wrapped.with_names
    assert (named.rows, named.unique_in_release.value, named.correct, named.precision.value) == (4, 1.0, 3, 0.75)
    assert named.unique_in_population.value == 0.75
    # the generator of seed 3 shuffles the rows to (Eapen T, 80, M, ward 1), (Das R, 40, F, ward 1),
    # (Bindu M, 40, F, ward 1), (Anu K, 67, M, ward 2): without names (80, M, ward 1) and (67, M, ward 2) are
    # unique there and describe nobody; with names every row is unique, three describe nobody and Bindu M two
    assert outcome.baseline["row_id"].to_list() == [0, 3]  # type: ignore[index]
    assert (plain.baseline.value, plain.risk.value) == (0.0, 0.5)
    assert named_baseline["name"].to_list() == ["Eapen T", "Das R", "Bindu M", "Anu K"]
    assert (named.baseline.value, named.baseline.trials, named.risk.value) == (0.0, 4, 0.75)
    names = [r.measure for s in scored.scores for r in measure_rows(s)]
    assert names == [
        "rows",
        "unique_in_release",
        "correct",
        "precision",
        "unique_in_population",
        "baseline",
        "risk",
        "with_names_rows",
        "with_names_unique_in_release",
        "with_names_correct",
        "with_names_precision",
        "with_names_unique_in_population",
        "with_names_baseline",
        "with_names_risk",
    ]
    # the breakdown stays on the figure without names: only row 2 (an employee) is unique in the population
    breakdown = scored.breakdown
    assert breakdown is not None
    assert breakdown.select("group", "measure", "rows", "successes").rows() == [
        ("registry=employees", "unique_in_population", 2, 1),
        ("registry=pensioners", "unique_in_population", 2, 0),
    ]


def test_the_baseline_with_names_worked_out_by_hand() -> None:
    guesses = NAMED.select("row_id", "name", *PLACE_KEYS)
    # a shuffled release: names and ages permuted. (Das R, 40, F) and (Anu K, 67, M) describe nobody;
    # (Bindu M, 40, F) two people; (Eapen T, 80, M, ward 2) exactly one
    baseline = guesses.with_columns(
        name=pl.Series(["Das R", "Bindu M", "Anu K", "Eapen T"]),
    )
    counts = written_name_counts(WORLD, NAMED, ["name", *PLACE_KEYS], [NAMED, baseline])  # type: ignore[arg-type]
    s = score_singling_out(guesses, baseline, NAMED, counts)
    assert (s.baseline.value, s.precision.value) == (0.25, 0.75)
    assert s.risk.value == pytest.approx((0.75 - 0.25) / (1 - 0.25))


def test_names_false_or_no_name_column_gives_only_the_figures_without_names() -> None:
    attack = ATTACKS["singling_out"]
    for data, params in (
        (NAMED, attack.parameters({"names": False})),
        (NAMED.drop("name"), attack.parameters({})),
    ):
        outcome = attack.run(_cell(data), params)
        assert outcome.extra[2] is None
        scored = attack.score(outcome, NAMED_TRUTH, params)
        assert len(scored.scores) == 1 and isinstance(scored.scores[0], SinglingOutScore)
        assert [r.measure for r in measure_rows(scored.scores[0])] == [
            "rows",
            "unique_in_release",
            "correct",
            "precision",
            "unique_in_population",
            "baseline",
            "risk",
        ]
        # today's figures, and today's shuffle: the same generator gives the same baseline as before
        before = singling_out(shuffled_view(AttackerView(data), np.random.default_rng(3)), AuxiliaryData(), None)  # type: ignore[arg-type]
        assert outcome.baseline is not None and outcome.baseline.equals(before)
        assert (scored.scores[0].unique_in_release.value, scored.scores[0].unique_in_population.value) == (0.5, 0.25)


def test_params_errors_are_exact() -> None:
    attack = ATTACKS["singling_out"]
    assert attack.defaults() == {"names": True}
    for raw, message in (
        ({"names": "yes"}, "attack 'singling_out': names = 'yes'; allowed is true or false"),
        ({"names": 1}, "attack 'singling_out': names = 1; allowed is true or false"),
        (
            {"names": None, "name": True},
            "attack 'singling_out': name = True: unknown parameter; allowed are names (did you mean 'names'?)\n"
            "attack 'singling_out': names = None; allowed is true or false",
        ),
    ):
        with pytest.raises(SpecError) as err:
            attack.parameters(raw)
        assert str(err.value) == message
    with pytest.raises(SpecError, match=r"^attack 'singling_out': names = 0; allowed is true or false$"):
        SinglingOutParams(names=0)  # type: ignore[arg-type]


def test_rows_meeting_counts_exactly_what_a_join_on_the_columns_counts() -> None:
    keys = ["given", "initials", "age", "ward"]
    frame = pl.DataFrame(
        {
            "given": ["anu", "anu", "bindu", "das", None, "eapen"],
            "initials": ["k", "k", "m", "r", "t", "t"],
            "age": pl.Series([40, 40, 40, 67, 80, 80], dtype=pl.Int16),
            "ward": pl.Series([1, 1, 1, 1, 2, 2], dtype=pl.Int16),
        }
    )
    counted = pl.DataFrame(
        {
            "given": ["anu", "bindu", "das", None, "eapen"],
            "initials": ["k", "m", "r", "t", "t"],
            "age": pl.Series([40, 40, 67, 80, 81], dtype=pl.Int16),
            "ward": pl.Series([1, 1, 1, 2, 2], dtype=pl.Int16),
        }
    )
    hashed = counted.with_columns(_h=key_hash(keys))
    # both Anu rows, Bindu and Das; a null given name meets nothing, Eapen of 80 is not Eapen of 81
    assert rows_meeting(frame, hashed, keys) == 4 == frame.join(counted, on=keys, how="semi").height
    # a collision (another combination under Eapen's hash) meets nothing: the columns are compared
    eapen = frame.filter(pl.col("given") == "eapen").with_columns(_h=key_hash(keys))["_h"]
    collided = hashed.with_columns(_h=pl.when(pl.col("given") == "eapen").then(eapen.item()).otherwise("_h"))
    assert rows_meeting(frame, collided, keys) == 4
