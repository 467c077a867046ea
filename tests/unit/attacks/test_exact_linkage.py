"""Exact linkage on hand-built tables, every figure computed by hand."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth.attacks import auxiliary as auxiliary_module
from synth.attacks import exact_linkage as exact_module
from synth.attacks import linking as linking_module
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell, NotApplicable
from synth.attacks.exact_linkage import (
    ATTACK,
    ExactLinkage,
    ExactLinkageParams,
    age_candidates,
    exact_linkage,
    given_name_links,
)
from synth.attacks.knowledge import Knowledge
from synth.engine.io import ResultStore
from synth.errors import SpecError, TruthLeakError
from synth.release.build import AttackerView
from synth.scoring.linkage import RightEntries, correct_links, score_linkage

ROLL = pl.DataFrame(
    {
        "epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"],
        "name": ["Sreedevi K", "Sreedevi K", "Rajan P Nair", "Mary Varghese", "Abdul Rahman P"],
        "sex": ["F", "F", "M", "F", "M"],
        "age": [41, 41, 67, 52, 80],
        "district": ["Wayanad"] * 5,
        "taluk": ["Vythiri"] * 5,
        "local_body": ["Kalpetta", "Kalpetta", "Kalpetta", "Meppadi", "Meppadi"],
        "ward": pl.Series([3, 3, 5, 2, 7], dtype=pl.Int16),
    }
)
RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "name": ["Sreedevi K", "Rajan P Nair", "Mary Varghese", "Abdul Rahman P"],
        "age": [41, 67, 53, 80],
        "gender": ["F", "M", "F", "M"],
        "district": ["Wayanad"] * 4,
        "taluk": ["Vythiri"] * 4,
        "local_body": ["Kalpetta", "Kalpetta", "Meppadi", "Meppadi"],
        "ward": pl.Series([3, 5, 2, 7], dtype=pl.Int16),
    }
)
RNG = np.random.default_rng(0)
STRICT = ExactLinkageParams(strict=True)


def test_ties_and_misses_get_no_guess() -> None:
    guesses = exact_linkage(AttackerView(RELEASE), AuxiliaryData(electoral_roll=ROLL), RNG, STRICT)
    # row 0 ties (two Sreedevi K, 41, ward 3); row 2's age differs (53 vs 52); rows 1 and 3 are unique
    assert guesses.rows() == [(1, "SYN3"), (3, "SYN5")]
    # with the tolerance (the default), Mary at 53 in the release may be 52 on the roll: she links
    tolerant = exact_linkage(AttackerView(RELEASE), AuxiliaryData(electoral_roll=ROLL), RNG)
    assert tolerant.rows() == [(1, "SYN3"), (2, "SYN4"), (3, "SYN5")]


def test_a_person_listed_twice_is_one_candidate_and_namesakes_still_tie() -> None:
    """Sreedevi K, 41, is listed at home (ward 3) and again at an old address (ward 6): a release without wards
    meets both, and the roll prints them alike (the same relative), so they are one person to the attacker, who
    links to the first. Rajan P Nair, 67, has a namesake of his age whose father differs: still a tie."""
    roll = pl.DataFrame(
        {
            "epic": ["SYN2", "SYN1", "SYN3", "SYN4"],
            "name": ["Sreedevi K", "Sreedevi K", "Rajan P Nair", "Rajan P Nair"],
            "relative_type": ["H", "H", "F", "F"],
            "relative_name": ["Suresh", "Suresh", "Kuttan", "Gopalan"],
            "sex": ["F", "F", "M", "M"],
            "age": pl.Series([41, 41, 67, 67], dtype=pl.Int16),
            "district": ["Wayanad"] * 4,
            "taluk": ["Vythiri"] * 4,
            "local_body": ["Kalpetta"] * 4,
            "ward": pl.Series([6, 3, 5, 2], dtype=pl.Int16),
        }
    )
    release = RELEASE.filter(pl.col("row_id") <= 1).drop("ward")
    assert exact_linkage(AttackerView(release), AuxiliaryData(electoral_roll=roll), RNG).rows() == [(0, "SYN1")]
    # with wards, each row meets the one entry of its ward (the duplicate is elsewhere)
    with_wards = RELEASE.filter(pl.col("row_id") <= 1)
    assert exact_linkage(AttackerView(with_wards), AuxiliaryData(electoral_roll=roll), RNG).rows() == [
        (0, "SYN1"),
        (1, "SYN3"),
    ]
    # a roll that prints no relatives cannot tell the two Sreedevis from namesakes: a tie, no link
    bare = roll.drop("relative_type", "relative_name")
    assert exact_linkage(AttackerView(release), AuxiliaryData(electoral_roll=bare), RNG).rows() == []


def _one_person(release_age: int, roll_ages: list[int]) -> tuple[AttackerView, AuxiliaryData]:
    n = len(roll_ages)
    roll = pl.DataFrame(
        {
            "epic": [f"SYN{i + 1}" for i in range(n)],
            "name": ["Lakshmi N"] * n,
            "sex": ["F"] * n,
            "age": pl.Series(roll_ages, dtype=pl.Int16),
            "district": ["Wayanad"] * n,
            "taluk": ["Vythiri"] * n,
            "local_body": ["Kalpetta"] * n,
            "ward": pl.Series([4] * n, dtype=pl.Int16),
        }
    )
    release = pl.DataFrame(
        {
            "row_id": [7],
            "name": ["Lakshmi N"],
            "age": pl.Series([release_age], dtype=pl.Int16),
            "gender": ["F"],
            "district": ["Wayanad"],
            "taluk": ["Vythiri"],
            "local_body": ["Kalpetta"],
            "ward": pl.Series([4], dtype=pl.Int16),
        }
    )
    return AttackerView(release), AuxiliaryData(electoral_roll=roll)


def test_a_january_birthday_links_under_the_age_tolerance() -> None:
    view, aux = _one_person(60, [59])  # born in January: 59 on 1 Jan 2026, 60 on 1 Feb 2026
    assert exact_linkage(view, aux, RNG).rows() == [(7, "SYN1")]
    assert exact_linkage(view, aux, RNG, ExactLinkageParams(strict=False)).rows() == [(7, "SYN1")]
    assert exact_linkage(view, aux, RNG, STRICT).rows() == []
    # the roll never prints an age above the release's: 61 on the roll is somebody else
    assert exact_linkage(*_one_person(60, [61]), RNG).rows() == []
    # without names (the coarse-key path) alike
    nameless = AttackerView(view.data.drop("name"))
    assert exact_linkage(nameless, aux, RNG).rows() == [(7, "SYN1")]
    assert exact_linkage(nameless, aux, RNG, STRICT).rows() == []


def test_equal_ages_first_then_the_tolerance() -> None:
    # entries at 60 and 59: the equal age singles out SYN1, and the tolerance does not take that link away
    view, aux = _one_person(60, [60, 59])
    assert exact_linkage(view, aux, RNG).rows() == [(7, "SYN1")]
    assert exact_linkage(view, aux, RNG, STRICT).rows() == [(7, "SYN1")]
    assert exact_linkage(AttackerView(view.data.drop("name")), aux, RNG).rows() == [(7, "SYN1")]
    # two entries at 59 (none at 60): ambiguous under the tolerance, no link
    view, aux = _one_person(60, [59, 59])
    assert exact_linkage(view, aux, RNG).rows() == []


def test_release_dated_before_the_roll_keeps_equality() -> None:
    view, aux = _one_person(60, [59])
    dated = {"reference_date": "2025-12-01", "roll_qualifying_date": "2026-01-01"}
    assert exact_linkage(AttackerView(view.data, metadata=dated), aux, RNG).rows() == []
    after = {"reference_date": "2026-02-01", "roll_qualifying_date": "2026-01-01"}
    assert exact_linkage(AttackerView(view.data, metadata=after), aux, RNG).rows() == [(7, "SYN1")]


def test_a_release_years_before_the_roll_meets_the_ages_its_dates_allow() -> None:
    """A list of 1 June 2020 against a roll qualifying on 1 January 2026 (5.59 years): a person of 54 on the list
    is printed at 59 or 60 on the roll (60 the likelier), never at 54."""
    dated = {"reference_date": "2020-06-01", "roll_qualifying_date": "2026-01-01"}
    for printed, linked in ((60, True), (59, True), (54, False), (61, False)):
        view, aux = _one_person(54, [printed])
        rows = exact_linkage(AttackerView(view.data, metadata=dated), aux, RNG).rows()
        assert rows == ([(7, "SYN1")] if linked else []), printed
    view, aux = _one_person(54, [60, 59])  # one at each offset: the likelier one is taken
    assert exact_linkage(AttackerView(view.data, metadata=dated), aux, RNG).rows() == [(7, "SYN1")]


def test_given_name_links_use_the_tolerance() -> None:
    view, aux = _one_person(60, [59])
    unnamed = AttackerView(view.data.drop("name"))
    names = pl.DataFrame({"row_id": [7], "name": ["Lakshmi"], "name_by": ["caller_id_lookup"]})
    assert given_name_links(unnamed, names, aux).rows() == [(7, "SYN1", "caller_id_lookup")]
    assert given_name_links(unnamed, names, aux, STRICT).rows() == []
    view2, aux2 = _one_person(60, [59, 59])
    assert given_name_links(AttackerView(view2.data.drop("name")), names, aux2).rows() == []
    view3, aux3 = _one_person(60, [60, 59])
    assert given_name_links(AttackerView(view3.data.drop("name")), names, aux3).rows() == [
        (7, "SYN1", "caller_id_lookup")
    ]


def test_params_are_checked_all_at_once() -> None:
    assert ATTACK.Params is ExactLinkageParams
    assert ATTACK.parameters({}) == ExactLinkageParams(strict=False)
    assert ATTACK.parameters({"strict": True}) == STRICT
    assert ATTACK.defaults() == {"strict": False}
    with pytest.raises(SpecError) as err:
        ATTACK.parameters({"strict": "yes"})
    assert str(err.value) == "attack 'exact_linkage': strict = 'yes'; allowed is true or false"
    with pytest.raises(SpecError) as err:
        ATTACK.parameters({"strict": 1, "strictly": True})
    assert str(err.value) == (
        "attack 'exact_linkage': strictly = True: unknown parameter; allowed are strict (did you mean 'strict'?)\n"
        "attack 'exact_linkage': strict = 1; allowed is true or false"
    )
    with pytest.raises(SpecError) as err:
        ExactLinkageParams(strict=None)  # type: ignore[arg-type]
    assert str(err.value) == "attack 'exact_linkage': strict = None; allowed is true or false"


def test_banded_ages_are_matched_in_the_release_coding() -> None:
    banded = RELEASE.with_columns(age=pl.Series(["40-44", "65-69", "50-54", "80+"]))
    guesses = exact_linkage(AttackerView(banded), AuxiliaryData(electoral_roll=ROLL), RNG)
    assert guesses.rows() == [(1, "SYN3"), (2, "SYN4"), (3, "SYN5")]  # Mary now matches on 50-54


def test_scoring_by_hand() -> None:
    guesses = pl.DataFrame({"row_id": [1, 3], "epic": ["SYN3", "SYN5"]})
    release_truth = pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [10, 11, 12, 13]})
    roll_truth = pl.DataFrame(
        {"epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"], "person_id": [10, 99, 11, 12, 77]}
    )  # SYN5 is somebody else
    assert correct_links(guesses, release_truth, roll_truth) == 1
    s = score_linkage(guesses, guesses.clear(), release_truth, roll_truth, rows=4)
    assert (s.guesses, s.correct, s.precision.value, s.recall.value, s.risk.value) == (2, 1, 0.5, 0.25, 0.25)


def test_attacks_cannot_receive_the_truth() -> None:
    with pytest.raises(TruthLeakError, match="must not hold the truth: column\\(s\\) person_id"):
        AttackerView(RELEASE.with_columns(person_id=pl.lit(1)))
    with pytest.raises(TruthLeakError, match="auxiliary source 'electoral_roll' must not hold the truth"):
        AuxiliaryData(electoral_roll=ROLL.with_columns(person_id=pl.lit(1)))
    params = inspect.signature(exact_linkage).parameters
    assert [p.annotation for p in params.values()] == [
        "AttackerView",
        "AuxiliaryData",
        "np.random.Generator",
        "ExactLinkageParams | None",
        "RightEntries | None",  # the truth lent to a baseline alone (the next test)
    ]
    assert params["scope"].default is None


def test_only_the_baseline_is_lent_the_truth() -> None:
    """A linkage attack's run links the view without the cell's right entries, and its baseline (the view shuffled)
    with them."""
    lent: list[RightEntries | None] = []

    class Spy(ExactLinkage):
        def link(self, view, names, aux, rng, params, memo=None, scope=None):  # type: ignore[no-untyped-def]
            lent.append(scope)
            return super().link(view, names, aux, rng, params, memo, scope)

    people = pl.int_range(pl.len(), dtype=pl.Int64)
    truth = RightEntries(RELEASE.select("row_id", person_id=people), ROLL.select("epic", person_id=people), "world")
    view = AttackerView(RELEASE)
    printed = ROLL.with_columns(relative_name=pl.lit("Raman"), house_name=pl.lit("Kizhakkethil"))  # what a link teaches
    cell = Cell(view, AuxiliaryData(electoral_roll=printed), Knowledge.from_view(view), RNG, baseline_scope=truth)
    Spy().run(cell, ExactLinkageParams())
    assert lent == [None, truth]


def test_bad_input_names_the_attack(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as err:
        exact_linkage(AttackerView(RELEASE), AuxiliaryData(), RNG)
    assert str(err.value) == (
        "attack 'exact_linkage': needs the auxiliary source 'electoral_roll', which the scenario did not grant "
        "(granted: none)"
    )
    names = pl.DataFrame(schema={"row_id": pl.Int64, "name": pl.String, "name_by": pl.String})
    with pytest.raises(SpecError) as kept:  # the same message where the links would be kept
        ATTACK.link(AttackerView(RELEASE), names, AuxiliaryData(), RNG, ExactLinkageParams(), ResultStore(tmp_path))
    assert str(kept.value) == str(err.value)
    assert list(tmp_path.iterdir()) == []
    cases = [
        (RELEASE.clear(), "attack 'exact_linkage': the release is empty; nothing to link"),
        (
            RELEASE.select("row_id"),
            "attack 'exact_linkage': the release shares no quasi-identifier with the roll (it has row_id)",
        ),
    ]
    for data, message in cases:
        with pytest.raises(NotApplicable) as not_applicable:
            exact_linkage(AttackerView(data), AuxiliaryData(electoral_roll=ROLL), RNG)
        assert not_applicable.type is NotApplicable and str(not_applicable.value) == message


def test_top_coded_whole_years() -> None:
    coded = RELEASE.with_columns(age=pl.Series(["41", "67", "53", "75+"]))
    guesses = exact_linkage(AttackerView(coded), AuxiliaryData(electoral_roll=ROLL), RNG)
    assert guesses.rows() == [(1, "SYN3"), (3, "SYN5")]  # 80 is coded "75+" on the roll side too


def _random_tables(seed: int, n_release: int = 400, n_roll: int = 900) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Small vocabularies (so ties are common), some nulls, a shuffled non-contiguous row_id."""
    rng = np.random.default_rng(seed)

    def draw(n: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "name": rng.choice(["Sreedevi K", "Sridevi K", "Rajan P", "Mary V", "Abdul R"], n),
                "gender": rng.choice(["F", "M"], n),
                "age": pl.Series(rng.integers(40, 46, n), dtype=pl.Int16),
                "local_body": rng.choice(["Kalpetta", "Meppadi"], n),
                "ward": pl.Series(rng.integers(1, 4, n), dtype=pl.Int16),
                "_null_name": rng.random(n) < 0.05,
                "_null_age": rng.random(n) < 0.05,
            }
        ).select(
            pl.when(~pl.col("_null_name")).then(pl.col("name")).alias("name"),
            "gender",
            pl.when(~pl.col("_null_age")).then(pl.col("age")).alias("age"),
            "local_body",
            "ward",
        )

    release = draw(n_release).with_columns(row_id=pl.Series(np.sort(rng.permutation(n_release) * 3 + 5)))
    roll = draw(n_roll).with_columns(epic=pl.Series([f"SYN{i}" for i in rng.permutation(n_roll)]))
    return release, roll


def _all_collide(cols: list[str], nullable: list[str]) -> pl.Expr:
    return pl.when(~pl.any_horizontal([pl.col(c).is_null() for c in nullable])).then(pl.lit(7, pl.UInt64))


def _few_buckets(cols: list[str], nullable: list[str]) -> pl.Expr:
    h = (pl.col("age").cast(pl.UInt64) + pl.col("ward").cast(pl.UInt64)) % 3
    return pl.when(~pl.any_horizontal([pl.col(c).is_null() for c in nullable])).then(h)


@pytest.mark.parametrize("weak_hash", [None, _all_collide, _few_buckets], ids=["real", "all-collide", "few-buckets"])
@pytest.mark.parametrize("share", [1.0, 0.0], ids=["shared-buckets-matched-apart", "coarse-keys-matched-whole"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hashed_linkage_is_exact_even_when_hashes_collide(weak_hash, share: float, seed: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import synth.attacks.exact_linkage as el
    from synth.engine.relational import unique_matches

    monkeypatch.setattr(el, "SHARED_SHARE", share)
    if weak_hash is not None:
        monkeypatch.setattr(el, "key_hash", weak_hash)
    release, roll = _random_tables(seed)
    keys = ["name", "gender", "age", "local_body", "ward"]
    expected = unique_matches(release, roll, keys, "epic")
    got = el.hashed_unique_matches(release, roll, keys, "epic")
    assert got.equals(expected)
    assert 0 < got.height < release.height  # some rows link, some tie or miss
    # a hand count of one row: its keys occur exactly once on the roll
    first = got.row(0, named=True)
    row = release.filter(pl.col("row_id") == first["row_id"])
    assert roll.join(row.select(keys), on=keys).get_column("epic").to_list() == [first["epic"]]


def test_hashed_linkage_of_an_unsorted_release_is_by_row_id() -> None:
    release, roll = _random_tables(3)
    keys = ["name", "gender", "age", "local_body", "ward"]
    got = exact_linkage(
        AttackerView(release.sample(fraction=1.0, shuffle=True, seed=1)),
        AuxiliaryData(
            electoral_roll=roll.rename({"gender": "sex"}).with_columns(
                district=pl.lit("Wayanad"), taluk=pl.lit("Vythiri")
            )
        ),
        RNG,
    )
    assert got["row_id"].is_sorted()
    from synth.engine.relational import unique_matches

    # the default: equal ages first, then a roll age one year below the release's for the rows left
    strict = unique_matches(release, roll, keys, "epic")
    loose = unique_matches(release, age_candidates(roll), keys, "epic").join(strict, on="row_id", how="anti")
    assert got.equals(pl.concat([strict, loose]).sort("row_id"))


def _brute_force(release: pl.DataFrame, roll: pl.DataFrame, keys: list[str], tolerant: bool) -> list[tuple[int, str]]:
    """In plain Python: each release row with exactly one roll entry whose age is the row's and whose other
    keys are equal; when tolerant, failing that, exactly one whose age is the row's or one less; nulls never
    match."""
    others = [k for k in keys if k != "age"]
    entries = roll.select(*keys, "epic").rows(named=True)
    out = []
    for row in release.select("row_id", *keys).rows(named=True):
        if any(row[k] is None for k in keys):
            continue
        for ages in [{row["age"]}, {row["age"], row["age"] - 1}] if tolerant else [{row["age"]}]:
            hits = [
                e["epic"]
                for e in entries
                if e["age"] is not None
                and e["age"] in ages
                and all(e[k] is not None and e[k] == row[k] for k in others)
            ]
            if len(hits) == 1:
                out.append((row["row_id"], hits[0]))
                break
    return sorted(out)


@pytest.mark.parametrize("named", [True, False], ids=["hashed-with-names", "coarse-without-names"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_age_tolerance_equals_a_brute_force_count(seed: int, named: bool) -> None:
    # without names, few entries per key (72 combinations), so that some are unique
    release, roll = _random_tables(seed, n_release=300, n_roll=600 if named else 60)
    keys = ["name", "gender", "age", "local_body", "ward"] if named else ["gender", "age", "local_body", "ward"]
    if not named:
        release = release.drop("name")
    aux = AuxiliaryData(
        electoral_roll=roll.rename({"gender": "sex"}).with_columns(district=pl.lit("Wayanad"), taluk=pl.lit("Vythiri"))
    )
    tolerant = exact_linkage(AttackerView(release), aux, RNG)
    strict = exact_linkage(AttackerView(release), aux, RNG, STRICT)
    assert tolerant.rows() == _brute_force(release, roll, keys, tolerant=True)
    assert strict.rows() == _brute_force(release, roll, keys, tolerant=False)
    assert tolerant.rows() != strict.rows()  # the tolerance changes the answer on these tables
    assert tolerant.height > 0


def test_the_rolls_names_are_read_once_per_source() -> None:
    """The roll's given names and supported initials are read once, however many linkages use them, and are the
    reading of the roll itself (a copy of the source reads its own)."""
    view, aux = _one_person(40, [40, 41])
    first = aux.roll_initials
    assert first.to_dicts() == [{"given": "lakshmi", "initials": "n"}] * 2
    exact_linkage(view, aux, np.random.default_rng(0))
    assert aux.roll_initials is first
    other = AuxiliaryData(electoral_roll=aux.electoral_roll)
    assert other.roll_initials is not first and other.roll_initials.equals(first)


def test_links_are_kept_under_what_they_read_and_read_back_for_the_same_quasi_identifiers(tmp_path: Path) -> None:
    """A release that differs only in a column the linkage does not read (a hashed phone) reads the links back;
    other names learnt, other dates or another roll are linked again; every result equals the links without a
    store."""
    store = ResultStore(tmp_path / "reuse")
    aux = AuxiliaryData(electoral_roll=ROLL)
    names = pl.DataFrame({"row_id": [2], "name": ["Mary"], "name_by": ["caller_id_lookup"]})
    phoned = AttackerView(RELEASE.with_columns(phone=pl.lit("+91 00000 00000")))
    hashed = AttackerView(RELEASE.with_columns(phone=pl.lit("9f86d081884c7d65")))

    def links(view: AttackerView, names: pl.DataFrame, aux: AuxiliaryData) -> pl.DataFrame:
        kept = ATTACK.link(view, names, aux, RNG, ExactLinkageParams(), store)
        assert kept.equals(ATTACK.link(view, names, aux, RNG, ExactLinkageParams()))
        return kept

    first = links(phoned, names, aux)
    assert first.rows() == [
        (1, "SYN3", "exact_linkage"),
        (2, "SYN4", "caller_id_lookup>exact_linkage"),  # Mary, 53, on her given name: the roll's Mary is 52
        (2, "SYN4", "exact_linkage"),
        (3, "SYN5", "exact_linkage"),
    ]
    assert links(hashed, names, aux).equals(first)
    assert (store.computed, store.reused) == (1, 1)
    links(hashed, names.with_columns(name=pl.lit("Meera")), aux)
    dated = {"reference_date": "2025-12-01", "roll_qualifying_date": "2026-01-01"}
    links(AttackerView(hashed.data, metadata=dated), names, aux)
    links(hashed, names, AuxiliaryData(electoral_roll=ROLL.with_columns(age=pl.col("age") + 1)))
    assert (store.computed, store.reused) == (4, 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_districts_duplicates_are_found_once_per_source(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The roll is linked a district at a time, its duplicates merged among each district's entries: which entries
    may print one person twice in their district is read once per source, for every district and every linkage,
    and is what each part alone gives (the whole roll's differs: entries printed alike in another district)."""
    release, roll = _random_tables(seed, n_release=300, n_roll=900)
    rng = np.random.default_rng(seed + 100)
    places = {"district": ["Wayanad", "Idukki"], "taluk": ["Vythiri"]}
    release = release.with_columns(**{c: pl.Series(rng.choice(v, release.height)) for c, v in places.items()})
    roll = roll.rename({"gender": "sex"}).with_columns(
        **{c: pl.Series(rng.choice(v, roll.height)) for c, v in places.items()},
        relative_type=pl.lit("F"),
        relative_name=pl.Series(rng.choice(["Mani", "Joy"], roll.height)),
    )
    aux = AuxiliaryData(electoral_roll=roll)
    view = AttackerView(release)
    names = release.select("row_id", name=pl.col("name").str.split(" ").list.first(), name_by=pl.lit("caller_id"))
    unnamed = AttackerView(release.drop("name"))

    def links() -> list[pl.DataFrame]:
        return [
            exact_linkage(view, aux, RNG),
            exact_linkage(view, aux, RNG, STRICT),
            given_name_links(unnamed, names, aux),
        ]

    reads: list[tuple[str | None, int]] = []
    read = auxiliary_module.printed_twice
    monkeypatch.setattr(
        auxiliary_module, "printed_twice", lambda r, within=None: reads.append((within, r.height)) or read(r, within)
    )
    monkeypatch.setattr(linking_module, "printed_twice", lambda r: pytest.fail("a part's duplicates were read again"))
    merged = links()
    assert reads == [("district", roll.height)]  # once, for both districts and the three linkages
    assert all(m.height > 0 for m in merged)
    whole, within = read(roll), aux.roll_printed_twice_in_district
    for district in places["district"]:
        here = roll["district"] == district
        assert within.filter(here).equals(read(roll.filter(here)))
    assert (whole & ~within).any() and within.any()  # printed alike across districts; and within one (merged)

    # each part's duplicates read from the part, as before
    monkeypatch.setattr(linking_module, "printed_twice", read)
    own = linking_module.one_per_printed_person
    monkeypatch.setattr(exact_module, "one_per_printed_person", lambda r, coded, keys, _=None: own(r, coded, keys))
    assert [m.rows() for m in merged] == [a.rows() for a in links()]
