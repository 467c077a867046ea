"""The learner: columns and roles, every problem reported before fitting, rules written for the table,
seeded twins, and phone numbers of the table kept out of the world."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth import LearnError, learn_world, open_world
from synth.errors import NotFittedError
from synth.world.fidelity import FidelitySizes
from synth.world.generate import own_numbers
from synth.world.learned.columns import national_numbers, plan_columns
from synth.world.learned.population import LearnedPopulation
from synth.world.learned.table_rules import observed_age_rules, world_rules
from synth.world.people_table import people_table
from synth.world.plan import WorldSpec, plan_world
from synth.world.preset import load_preset
from synth.world.rules import parse_rules, schema_kinds
from synth.world.shard_context import ShardContext

SMALL = FidelitySizes(quality=1_000, new_rows=10, dcr_reference=200, dcr_queries=50)


@pytest.fixture(scope="module")
def table(small_world_dir: Path) -> pl.DataFrame:
    """3,000 people of three local bodies of Kasaragod, with their names and phones."""
    people = people_table(open_world(small_world_dir), identifiers=True).collect()
    rng = np.random.default_rng(2)
    return people[np.sort(rng.choice(people.height, 3_000, replace=False))]


def test_columns_are_sorted_into_roles_places_identifiers_and_extras() -> None:
    frame = pl.DataFrame(
        {
            "person_id": [1],
            "full_name": ["A"],
            "mobile_no": ["+91 98470 12345"],
            "dob": ["1980-01-01"],
            "gender": ["F"],
            "sex": ["F"],
            "scheme": ["none"],
            "local_body": ["Kalpetta"],
            "ward": [3],
            "income": [1200.0],
            "relation": ["head"],
        }
    )
    plan = plan_columns(frame, None)
    assert plan.geography == ("local_body", "ward")
    assert plan.roles == {"sex": "gender", "pension_scheme": "scheme"}
    assert plan.identifiers == {
        "person_id": "named like a direct identifier ('id')",
        "full_name": "named like a direct identifier ('name')",
        "mobile_no": "named like a direct identifier ('mobile')",
        "dob": "a birth date (regenerated from the learned age)",
    }
    assert plan.extra == ("income",)
    assert plan.dropped == {
        "sex": "a second column for 'sex' (the table's 'gender' is used)",
        "relation": "derived by the world's own generators",
    }


def test_metadata_marks_identifiers() -> None:
    frame = pl.DataFrame({"code": ["x"], "contact": ["9847012345"], "tag": ["a"], "age": [3]})
    meta = {
        "code": {"sdtype": "id"},
        "contact": {"sdtype": "phone_number"},
        "tag": {"sdtype": "categorical", "pii": True},
        "age": {"sdtype": "numerical"},
    }
    assert plan_columns(frame, meta).identifiers == {
        "code": "an id in the metadata",
        "contact": "sdtype 'phone_number' in the metadata",
        "tag": "marked as personal data (pii) in the metadata",
    }


def test_national_numbers_of_a_phone_column() -> None:
    numbers = pl.Series(["+91 98470 12345", "09847012345", "12345", None, "+910000000001"])
    assert national_numbers(numbers).tolist() == [1, 9847012345]


def test_every_problem_is_reported_before_any_fitting(table: pl.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fitting(*args: object) -> None:
        raise AssertionError("SDV was fitted")

    monkeypatch.setattr(LearnedPopulation, "_fit_sdv", no_fitting)
    bad = table.with_columns(
        community=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("jain")).otherwise(pl.col("community")),
        age=pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(130)).otherwise(pl.col("age")),
    ).drop("ration_card")
    learner = LearnedPopulation(rules={"women": 'gender == "F" if womens_scheme'}, seed=-1)
    with pytest.raises(LearnError) as exc:
        learner.fit(bad)
    assert str(exc.value).splitlines() == [
        "seed = -1: must be a whole number from 0 to 2**32 - 1",
        "the table has no 'ration_card' column: a learned world needs sex, age, community, marital_status, "
        "disabled, occupation and ration_card for every person",
        "column 'age' (age): values 130 are not allowed; allowed are whole numbers from 0 to 100",
        "column 'community' (community): values 'jain' are not allowed; allowed are christian, hindu, muslim",
        "rule 'women' ('gender == \"F\" if womens_scheme'): column 'gender' is not in the table",
    ]
    assert not hasattr(learner, "synthesizer_")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.head(0), "the table has 0 rows; a table to learn from needs at least 1 row"),
        (
            lambda t: t.drop("ward"),
            "the table does not say each person's ward: give 'ward_code', or 'ward' with 'local_body_code' or "
            "'local_body' (and 'district' where a local body's name recurs)",
        ),
        (
            lambda t: t.with_columns(ward=pl.lit(99, dtype=pl.Int16)),
            "3 place(s) of the table are not wards of the preset (district, taluk, local_body, ward): "
            "'Kasaragod / Kasaragod / Bellur / 99', 'Kasaragod / Kasaragod / Karadka / 99', "
            "'Kasaragod / Vellarikundu / Kallar / 99'",
        ),
        (
            lambda t: t.with_columns(registry=pl.lit("none")),
            "the table has a 'registry' column and membership column(s) 'employee', 'entrepreneur', 'womens_scheme': "
            "give one or the other",
        ),
        (
            lambda t: t.with_columns(disabled=pl.col("disabled").cast(pl.Int8)),
            "column 'disabled' (disabled) must be true/false, not Int8",
        ),
    ],
)
def test_bad_tables(table: pl.DataFrame, change, message: str) -> None:  # type: ignore[no-untyped-def]
    assert LearnedPopulation().check(change(table), rows=10) == [message]


def test_rows_must_be_positive(table: pl.DataFrame) -> None:
    assert LearnedPopulation().check(table, rows=0) == ["rows = 0: must be a whole number from 1 to 100,000,000"]


def test_a_table_that_does_not_match_its_metadata(table: pl.DataFrame) -> None:
    from sdv.metadata import Metadata

    meta = Metadata.detect_from_dataframes({"people": table.to_pandas()}).to_dict()
    assert LearnedPopulation(metadata=meta).check(table) == []
    assert LearnedPopulation(metadata=meta).check(table.drop("entrepreneur")) == [
        "the table does not match its metadata: column(s) 'entrepreneur' are missing from the table"
    ]
    with_income = table.with_columns(income=pl.col("age").cast(pl.Int64) * 1_000 + pl.int_range(pl.len()))
    meta = Metadata.detect_from_dataframes({"people": with_income.to_pandas()}).to_dict()
    assert meta["tables"]["people"]["columns"]["income"]["sdtype"] == "numerical"
    richer = with_income.with_columns(income=pl.when(pl.int_range(pl.len()) == 0).then(10**9).otherwise("income"))
    assert LearnedPopulation(metadata=meta).check(richer) == [
        "the table does not match its metadata: Out of range values found for numerical column 'income': [1000000000]."
    ]
    assert LearnedPopulation(metadata={"tables": {}}).check(table) == [
        "metadata: must describe exactly one table, not 0"
    ]


def test_world_rules_are_written_for_the_tables_columns(table: pl.DataFrame) -> None:
    preset = load_preset("kerala-2026")
    as_registry = (
        table.drop("entrepreneur", "womens_scheme", "employee")
        .with_columns(
            registry=pl.when(table["employee"])
            .then(pl.lit("employees"))
            .when(table["womens_scheme"])
            .then(pl.lit("womens_scheme"))
            .when(table["pension_scheme"] != "none")
            .then(pl.lit("pensioners"))
            .otherwise(pl.lit("none")),
            gender=pl.col("sex"),
        )
        .drop("sex")
    )
    roles = plan_columns(as_registry, None).roles
    rules = world_rules(roles, preset)
    assert rules["womens_scheme_woman_35_60"] == (
        'gender == "F" and age >= 35 and age <= 60 if registry == "womens_scheme"'
    )
    assert rules["pension_old_age_60_plus"] == 'age >= 60 if pension_scheme == "old_age"'
    parsed, problems = parse_rules(rules, schema_kinds(as_registry.schema))
    assert problems == []
    assert len(parsed) == len(rules) == 21
    assert rules["entrepreneur_age_21_65"] == 'age >= 21 and age <= 65 if registry == "entrepreneurs"'
    assert rules["government_employee_in_registry_employees"] == (
        'registry == "employees" if occupation == "government_employee"'
    )
    breaks = as_registry.select(**{r.name: r.broken().sum() for r in parsed}).row(0, named=True)
    assert breaks == dict.fromkeys(rules, 0)  # the table keeps every rule
    observed = observed_age_rules(table, plan_columns(table, None).roles)
    assert observed["age_range:marital_status=married"].endswith('if marital_status == "married"')


@pytest.mark.slow
def test_ctgan_is_an_option_seeded_and_keeps_the_rules(table: pl.DataFrame) -> None:
    learners = [LearnedPopulation(model="ctgan", epochs=1, seed=5).fit(table[::3]) for _ in range(2)]
    samples = [learner.sample(300) for learner in learners]
    assert samples[0].equals(samples[1])  # fitting and sampling seeded: the same rows
    learner = learners[0]
    assert learner.constraints_ == [["district", "taluk", "local_body", "ward"]]  # the places only
    assert samples[0].select(pl.sum_horizontal(r.broken() for r in learner.rules_).sum()).item() == 0
    assert learner.sampling_["rejected"] > 0  # CTGAN breaks rules that rejection keeps


def test_a_table_too_small_to_learn_from_is_refused_before_any_fitting(
    table: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "one.parquet"
    table.head(1).write_parquet(path)
    monkeypatch.setattr(LearnedPopulation, "fit", lambda *_: pytest.fail("fitted"))
    with pytest.raises(LearnError) as exc:
        learn_world(path, tmp_path / "w", rows=10, seed=1)
    assert str(exc.value) == f"{path} has 1 row; a table to learn from needs at least 2,001 rows"
    with pytest.raises(LearnError) as exc:  # smaller figures need fewer rows: the reference and one held out
        learn_world(table.head(200), tmp_path / "w", rows=10, seed=1, fidelity=SMALL)
    assert str(exc.value) == "the table has 200 rows; a table to learn from needs at least 201 rows"
    assert not (tmp_path / "w").exists()


def test_sample_needs_a_fitted_learner() -> None:
    with pytest.raises(NotFittedError) as exc:
        LearnedPopulation().sample(10)
    assert str(exc.value) == "LearnedPopulation: call fit before sample"


def test_seeded_twins_are_byte_identical(table: pl.DataFrame, tmp_path: Path) -> None:
    worlds = [
        learn_world(table, tmp_path / name, rows=4_000, seed=seed, fidelity=SMALL)
        for name, seed in (("a", 3), ("b", 3), ("c", 4))
    ]
    a, b = worlds[0].path, worlds[1].path
    assert json.loads((a / "manifest.json").read_text()) == json.loads((b / "manifest.json").read_text())
    files = list(worlds[0].manifest["files"])
    _, mismatch, errors = filecmp.cmpfiles(a, b, [*files, "manifest.json"], shallow=False)
    assert (mismatch, errors) == ([], [])
    assert (
        worlds[2].manifest["files"]["people/district=14/part-14-000.parquet"]
        != (worlds[0].manifest["files"]["people/district=14/part-14-000.parquet"])
    )
    assert worlds[0].people.select(pl.len()).collect().item() == 4_000
    sampling = worlds[0].manifest["learned"]["sampling"]
    assert sampling["sampled"] - sampling["rejected"] >= sampling["rows"] == 4_000


def test_no_full_name_or_phone_of_the_table_is_given_to_anybody(table: pl.DataFrame, tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    world = learn_world(
        table, tmp_path / "w", rows=3_000, seed=2, fidelity=SMALL, progress=lambda *call: calls.append(call)
    )
    assert [what for _, _, what in calls] == ["fitting", "sampling", "writing", "writing", "evaluating"]
    assert calls[2:4] == [(0, 1, "writing"), (1, 1, "writing")]  # progress(done, total, what)
    names = table["name"].str.to_lowercase().unique().implode()
    phones = table["phone"].drop_nulls().unique().implode()
    published = {
        "people": ["name", "phone", "contact_phone"],
        "electoral_roll": ["name"],
        "caller_id": ["phone", "label"],
        **{registry: ["name", "contact_phone"] for registry in ("employees", "pensioners", "womens_scheme")},
    }
    found = {
        f"{name}.{column}": world.table(name)
        .select(pl.col(column).str.to_lowercase().is_in(names) | pl.col(column).is_in(phones))
        .collect()
        .to_series()
        .sum()
        for name, columns in published.items()
        for column in columns
    }
    assert found == dict.fromkeys(found, 0)
    identifiers = world.manifest["learned"]["privacy"]["identifiers"]
    assert identifiers["input_name_columns"] == ["name"]
    assert identifiers["input_names"] == table["name"].n_unique()  # every name of the table has two words or more
    assert identifiers["input_names_in_output"] == identifiers["input_phones_in_output"] == 0
    redrawn = identifiers["names_redrawn"]
    assert set(redrawn) == {"people", "registries", "electoral_roll", "caller_id"}
    assert redrawn["people"]["entries"] == 3_000
    assert 0.2 < redrawn["people"]["share"] < 0.9  # the names of a small area: many recur by chance


def test_the_tables_numbers_are_never_given_out() -> None:
    plan = plan_world(WorldSpec(districts=("Wayanad",), local_bodies=1, seed=1))
    index = np.arange(50_000)
    free = own_numbers(ShardContext(plan), index)
    excluded = np.sort(free[::7])
    numbers = own_numbers(ShardContext(plan, excluded_phones=excluded, population=50_000), index)
    assert not np.isin(numbers, excluded).any()
    assert len(np.unique(numbers)) == len(numbers)
    kept = ~np.isin(free, excluded)
    assert (numbers[kept] == free[kept]).all()


def test_rules_in_the_metadata_are_checked_with_the_others(table: pl.DataFrame) -> None:
    columns = {c: {"sdtype": "numerical" if c == "age" else "categorical"} for c in table.columns}
    meta = {
        "tables": {"people": {"columns": columns}},
        "rules": {"named": "name != 'X' if womens_scheme", "typo": 'sex == "F" if womens_schem'},
    }
    assert LearnedPopulation(metadata=meta).check(table) == [
        "rule 'named' (\"name != 'X' if womens_scheme\"): column 'name' is a direct identifier "
        "(named like a direct identifier ('name')), which is never learned",
        "rule 'typo' ('sex == \"F\" if womens_schem'): column 'womens_schem' is not in the table "
        "(did you mean 'womens_scheme'?)",
    ]


def test_validation_catches_a_learned_world_that_breaks_a_rule(table: pl.DataFrame, tmp_path: Path) -> None:
    from synth import validate_world

    world = learn_world(
        table, tmp_path / "w", rows=3_000, seed=1, rules={"women": 'sex == "F" if womens_scheme'}, fidelity=SMALL
    )
    rules = pl.col("kind") == "rule"
    assert validate_world(world).filter(rules & ~pl.col("ok")).height == 0
    (part,) = [world.path / p for p in world.manifest["files"] if p.startswith("people/")]
    people = pl.read_parquet(part)
    members = world.table("womens_scheme").select("person_id").collect()["person_id"]
    mothers = people["mother_id"].drop_nulls()
    alone = people.filter(
        pl.col("person_id").is_in(members.implode())
        & ~pl.col("person_id").is_in(mothers.implode())
        & pl.col("spouse_id").is_null()
    )
    member = alone["person_id"][0]  # a member who is nobody's wife or mother: only her registry's rules break
    sex = people.schema["sex"]
    people.with_columns(
        sex=pl.when(pl.col("person_id") == member).then(pl.lit("M")).otherwise(pl.col("sex").cast(pl.String)).cast(sex)
    ).write_parquet(part)
    failed = validate_world(world).filter(rules & ~pl.col("ok"))
    assert sorted(failed["check"].to_list()) == [
        "declared:women",
        "womens_scheme_woman_35_60",
        "world:womens_scheme_woman_35_60",
    ]
    assert failed["value"].to_list() == [1.0, 1.0, 1.0]
