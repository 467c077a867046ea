"""Rendering: integer-coded frames of a shard become the published tables (names by convention, house numbers,
phones in E.164, enums), checked on a household of two written by hand."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import polars as pl
import pytest

from synth.world.plan import WorldSpec, plan_world
from synth.world.render import _rows_of, render
from synth.world.shard_context import ShardContext

WORDS = ("Anil", "Beena", "Nair", "Puthen", "veedu", "Driver")  # the vocabulary: codes are indices into it
WARD = "G12008001"  # ward 1 of Noolpuzha (Wayanad): one roll part, part 1, assembly constituency 18
HINDU, PHH, HEAD, SPOUSE = 1, 1, 0, 1


def _frames() -> dict[str, pl.DataFrame]:
    """Anil (45) heads house 7 of ward 1 and works in Health Services, posted in Wayanad; Beena (40), his wife,
    gives his phone; both are on the roll; his phone's caller-ID label is his given name and role."""
    people = pl.DataFrame(
        {
            "person_id": [1, 2],
            "household_id": [10, 10],
            "ward_code": [WARD, WARD],
            "house_serial": [7, 7],
            "relation": pl.Series([HEAD, SPOUSE], dtype=pl.Int8),
            "sex": pl.Series([0, 1], dtype=pl.Int8),
            "dob": [date(1980, 5, 1), date(1985, 2, 3)],
            "age": pl.Series([45, 40], dtype=pl.Int16),
            "community": pl.Series([HINDU, HINDU], dtype=pl.Int8),
            "marital": pl.Series([1, 1], dtype=pl.Int8),
            "disabled": [False, False],
            "occupation": pl.Series([11, 3], dtype=pl.Int8),
            "given": pl.Series([0, 1], dtype=pl.Int32),
            "title": pl.Series([2, -1], dtype=pl.Int32),
            "house_a": pl.Series([3, 3], dtype=pl.Int32),
            "house_b": pl.Series([4, 4], dtype=pl.Int32),
            "rel_married": [False, True],
            "rel_given": pl.Series([-1, 0], dtype=pl.Int32),
            "father_id": pl.Series([None, None], dtype=pl.Int64),
            "mother_id": pl.Series([None, None], dtype=pl.Int64),
            "spouse_id": [2, 1],
            "phone": pl.Series([9_000_000_001, None], dtype=pl.Int64),
            "contact_phone": [9_000_000_001, 9_000_000_001],
        }
    )
    households = pl.DataFrame(
        {
            "household_id": [10],
            "ward_code": [WARD],
            "house_serial": [7],
            "house_a": pl.Series([3], dtype=pl.Int32),
            "house_b": pl.Series([4], dtype=pl.Int32),
            "community": pl.Series([HINDU], dtype=pl.Int8),
            "ration_card": pl.Series([PHH], dtype=pl.Int8),
            "head_person_id": [1],
            "size": [2],
        }
    )
    roll = people.select(
        epic=pl.Series([42, 43]),
        house_serial="house_serial",
        house_a="house_a",
        house_b="house_b",
        given="given",
        title="title",
        community="community",
        rel_married="rel_married",
        rel_given="rel_given",
        sex="sex",
        age="age",
        ward_code="ward_code",
        fmt=pl.Series([0, 12], dtype=pl.Int8),  # given_initial; given_father_house (vocab/name_formats.csv)
    )
    written = {"given": pl.Int32, "fmt": pl.Int8}
    return {
        "people": people,
        "households": households,
        "employees": pl.DataFrame(
            {
                "person_id": [1],
                "department": [1],
                "posting_district": [11],
                "given": pl.Series([0], dtype=pl.Int32),
                "fmt": pl.Series([5], dtype=pl.Int8),  # two_initials_dot_given: "{h}. {f}. {given} {title}"
                "contact_phone": [9_000_000_001],
            }
        ),
        "pensioners": pl.DataFrame(
            schema={
                "person_id": pl.Int64,
                "scheme": pl.Int8,
                "bank_paid": pl.Boolean,
                **written,
                "contact_phone": pl.Int64,
            }
        ),
        "entrepreneurs": pl.DataFrame(
            schema={"person_id": pl.Int64, "category": pl.Int64, **written, "contact_phone": pl.Int64}
        ),
        "womens_scheme": pl.DataFrame(
            schema={"person_id": pl.Int64, "ration_card": pl.Int8, **written, "contact_phone": pl.Int64}
        ),
        "electoral_roll": roll,
        "roll_truth": pl.DataFrame({"epic": [43, 42], "person_id": [2, 1], "status": pl.Series([0, 0], dtype=pl.Int8)}),
        "caller_id": pl.DataFrame(
            {
                "phone": [9_000_000_001],
                "given": pl.Series([0], dtype=pl.Int32),
                "house_a": pl.Series([3], dtype=pl.Int32),
                "title": pl.Series([2], dtype=pl.Int32),
                "community": pl.Series([HINDU], dtype=pl.Int8),
                "rel_married": [False],
                "rel_given": pl.Series([-1], dtype=pl.Int32),
                "kind": pl.Series([3], dtype=pl.Int8),  # given_role
                "extra": pl.Series([5], dtype=pl.Int32),
            }
        ),
    }


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    ctx = ShardContext(plan_world(WorldSpec(districts=("Wayanad",), local_bodies=1, seed=1)))
    ctx.__dict__["vocab"] = SimpleNamespace(series=pl.Series("word", WORDS))  # a cached property, set in place
    return render(ctx, _frames())


def test_people_are_rendered_by_their_communitys_naming_convention(tables: dict[str, pl.DataFrame]) -> None:
    people = tables["people"].select(
        "person_id",
        "local_body_code",
        "taluk_code",
        "house_number",
        pl.col("relation", "sex", "community", "marital_status", "occupation").cast(pl.String),
        "given_name",
        "name",
        "relative_type",
        "relative_name",
        "phone",
        "contact_phone",
    )
    assert people.rows() == [
        (1, "G12008", "T1202", "1/7", "head", "M", "hindu", "married", "government_employee", "Anil", "Anil P Nair",
         "F", None, "+919000000001", "+919000000001"),
        (2, "G12008", "T1202", "1/7", "spouse", "F", "hindu", "married", "homemaker", "Beena", "Beena P", "H", "Anil",
         None, "+919000000001"),
    ]  # fmt: skip


def test_households_registries_roll_and_labels(tables: dict[str, pl.DataFrame]) -> None:
    household = tables["households"].select("house_number", "house_name", pl.col("ration_card").cast(pl.String))
    assert household.rows() == [("1/7", "Puthenveedu", "PHH")]
    employees = tables["employees"].select(
        "person_id", "name", pl.col("department", "posting_district").cast(pl.String)
    )
    assert employees.rows() == [(1, "P. Anil Nair", "Health Services", "12")]  # no father: no second initial
    roll = tables["electoral_roll"].select(
        "epic", "assembly_constituency", "part_number", "serial_number", "house_name", "name", "relative_name"
    )
    assert roll.rows() == [
        ("SYN000000042", 18, 1, 1, "Puthenveedu", "Anil P Nair", None),
        ("SYN000000043", 18, 1, 2, "Puthenveedu", "Beena Anil Puthenveedu", "Anil"),
    ]
    assert tables["roll_truth"].select("epic", "person_id").rows() == [("SYN000000042", 1), ("SYN000000043", 2)]
    assert tables["caller_id"].rows() == [("+919000000001", "Anil Driver")]
    assert tables["pensioners"].columns == [
        "pension_id",
        "person_id",
        "name",
        "name_format",
        "scheme",
        "payment_mode",
        "contact_phone",
    ]


def test_registry_rows_find_their_people_in_any_order_of_ids() -> None:
    # a shard lists its local bodies in code order: a corporation (C..., ids from 3xxxxx) before its panchayats
    # (G..., ids from 1xxxxx), so the ids do not ascend over the shard
    people = pl.DataFrame({"person_id": [301_001_0000001, 301_001_0000002, 101_002_0000001], "given": [5, 6, 7]})
    found = _rows_of(people, pl.Series([101_002_0000001, 301_001_0000002, 101_002_0000001]))
    assert found.to_dict(as_series=False) == {"given": [7, 6, 7]}
    assert _rows_of(people.sort("person_id"), pl.Series([301_001_0000001]))["given"].to_list() == [5]
    with pytest.raises(AssertionError, match=r"^a registry row of a person the shard does not hold$"):
        _rows_of(people, pl.Series([101_002_0000009]))
