"""Turn a shard's integer-coded frames into the published tables (strings, codes, enums).

Names follow each community's convention (see :mod:`synth.world.names`); the same expression
renders the registries' spelling, the roll's spelling and the caller-ID labels, so the only
differences between sources are the ones the generator drew on purpose.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.core.numbering import e164
from synth.world.auxiliary import ROLL_STATUS
from synth.world.cases import by_case
from synth.world.demography import MARITAL
from synth.world.generate import EPIC_DOMAIN
from synth.world.households import RELATIONS
from synth.world.name_formats import format_templates, written_names
from synth.world.names import COMMUNITIES, caller_labels, full_name, house_name, word
from synth.world.phones import permute
from synth.world.plan import WorldPlan
from synth.world.preset import PENSION_SCHEMES, RATION_CARDS
from synth.world.shard_context import ShardContext

SEX = ("M", "F")
PEOPLE_COLUMNS = (  # the published people table, in order
    "person_id",
    "household_id",
    "district_code",
    "taluk_code",
    "local_body_code",
    "ward_code",
    "house_number",
    "relation",
    "sex",
    "dob",
    "age",
    "community",
    "marital_status",
    "disabled",
    "occupation",
    "given_name",
    "name",
    "relative_type",
    "relative_name",
    "father_id",
    "mother_id",
    "spouse_id",
    "phone",
    "contact_phone",
)
ID_DOMAIN = 10**13
SALT_IDS = {"employees": 0x454D, "pensioners": 0x5045, "entrepreneurs": 0x454E, "womens_scheme": 0x5753}


def _enum(col: str, labels: tuple[str, ...]) -> pl.Expr:
    return pl.col(col).replace_strict(dict(enumerate(labels)), return_dtype=pl.Enum(list(labels)))


def _house_number() -> pl.Expr:
    return pl.concat_str([pl.col("ward_no").cast(pl.String), pl.col("house_serial").cast(pl.String)], separator="/")


def _wards(plan: WorldPlan) -> pl.DataFrame:
    """Each ward's code, number, local body, taluk, district and roll parts, and ``ward``: its rank in code order
    (a number sorts faster than the code)."""
    return plan.wards.sort("ward_code").select(
        "ward_code",
        "ward_no",
        "local_body_code",
        "taluk_code",
        "district_code",
        "assembly_constituency",
        "parts",
        "part_start",
        ward=pl.int_range(pl.len(), dtype=pl.Int32),
    )


def _epic() -> pl.Expr:
    return pl.lit("SYN") + pl.col("epic").cast(pl.String).str.zfill(len(str(EPIC_DOMAIN - 1)))


def _geo(frame: pl.DataFrame, wards: pl.DataFrame) -> pl.DataFrame:
    return frame.join(wards, on="ward_code", how="left", validate="m:1")


def _registry_id(name: str, seed: int) -> pl.Expr:
    salt = SALT_IDS[name]
    return pl.col("person_id").map_batches(
        lambda s: pl.Series(permute(s.to_numpy(), ID_DOMAIN, seed, salt)), return_dtype=pl.Int64
    )


def _rows_of(people: pl.DataFrame, person_id: pl.Series) -> pl.DataFrame:
    """The rows of ``people`` of each of ``person_id``, without the id: a join by binary search, several times
    faster than Polars' join on frames this size (a shard's ids ascend within each local body)."""
    ids = people["person_id"].to_numpy()
    wanted = person_id.to_numpy()
    order = np.argsort(ids, kind="stable") if len(ids) and (np.diff(ids) < 0).any() else np.arange(len(ids))
    at = order[np.minimum(np.searchsorted(ids[order], wanted), max(len(ids) - 1, 0))]
    if not (ids[at] == wanted).all():
        raise AssertionError("a registry row of a person the shard does not hold")
    return people.drop("person_id")[at]


def render(ctx: ShardContext, frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Assemble the published tables of one shard."""
    words = ctx.vocab.series
    plan = ctx.plan
    seed = int(plan.spec.seed)
    wards = _wards(plan)
    occupations = ctx.occupations
    geo_cols = ["district_code", "taluk_code", "local_body_code", "ward_code"]

    p = _geo(frames["people"], wards)
    people = p.select(
        "person_id",
        "household_id",
        *geo_cols,
        house_number=_house_number(),
        relation=_enum("relation", RELATIONS),
        sex=_enum("sex", SEX),
        dob=pl.col("dob"),
        age=pl.col("age").cast(pl.Int16),
        community=_enum("community", COMMUNITIES),
        marital_status=_enum("marital", MARITAL),
        disabled=pl.col("disabled"),
        occupation=_enum("occupation", occupations),
        given_name=word(words, "given"),
        name=full_name(words),
        relative_type=pl.when(pl.col("rel_married")).then(pl.lit("H")).otherwise(pl.lit("F")),
        relative_name=word(words, "rel_given"),
        father_id="father_id",
        mother_id="mother_id",
        spouse_id="spouse_id",
        phone=e164(pl.col("phone")),
        contact_phone=e164(pl.col("contact_phone")),
    )

    h = _geo(frames["households"], wards)
    households = h.select(
        "household_id",
        *geo_cols,
        house_number=_house_number(),
        house_name=house_name(words),
        community=_enum("community", COMMUNITIES),
        ration_card=_enum("ration_card", RATION_CARDS),
        head_person_id="head_person_id",
        size=pl.col("size").cast(pl.Int16),
    )

    parts = frames["people"].select("person_id", "title", "house_a", "house_b", "rel_given")
    formats = tuple(format_templates())

    def written(registry: str) -> pl.DataFrame:
        """The registry's rows with their names written in each row's format (and the format's name)."""
        frame = pl.concat([frames[registry], _rows_of(parts, frames[registry]["person_id"])], how="horizontal")
        return frame.with_columns(name=written_names(frame, words)).with_columns(name_format=_enum("fmt", formats))

    departments = tuple(plan.preset.table("departments")["department"].to_list())
    categories = tuple(plan.preset.table("enterprise_categories")["category"].to_list())
    districts = plan.demography.district_codes
    employees = written("employees").select(
        employee_id=_registry_id("employees", seed),
        person_id="person_id",
        name="name",
        name_format="name_format",
        department=_enum("department", departments),
        posting_district=_enum("posting_district", districts),
        contact_phone=e164(pl.col("contact_phone")),
    )
    pensioners = written("pensioners").select(
        pension_id=_registry_id("pensioners", seed),
        person_id="person_id",
        name="name",
        name_format="name_format",
        scheme=_enum("scheme", PENSION_SCHEMES),
        payment_mode=pl.when(pl.col("bank_paid")).then(pl.lit("bank")).otherwise(pl.lit("home")),
        contact_phone=e164(pl.col("contact_phone")),
    )
    entrepreneurs = written("entrepreneurs").select(
        enterprise_id=_registry_id("entrepreneurs", seed),
        person_id="person_id",
        name="name",
        name_format="name_format",
        category=_enum("category", categories),
        contact_phone=e164(pl.col("contact_phone")),
    )
    womens = written("womens_scheme").select(
        beneficiary_id=_registry_id("womens_scheme", seed),
        person_id="person_id",
        name="name",
        name_format="name_format",
        ration_card=_enum("ration_card", RATION_CARDS),
        contact_phone=e164(pl.col("contact_phone")),
    )

    # ten national digits each, so the numbers' order is the order of their E.164 strings
    directory = frames["caller_id"].sort("phone")
    caller_id = directory.select(phone=e164(pl.col("phone"))).with_columns(
        by_case(directory, "kind", caller_labels(words), "label")
    )
    tables = {
        "people": people,
        "households": households,
        "employees": employees,
        "pensioners": pensioners,
        "entrepreneurs": entrepreneurs,
        "womens_scheme": womens,
        "caller_id": caller_id,
    }
    if "electoral_roll" in frames:  # else listed once every shard is drawn (synth.world.district_moves)
        tables.update(render_roll(ctx, frames["electoral_roll"], frames["roll_truth"]))
    return tables


def render_roll(ctx: ShardContext, roll_frame: pl.DataFrame, truth_frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The published roll and its truth from integer-coded entries (``electoral_roll`` and ``roll_truth`` frames,
    aligned row by row), each ward's entries listed in house order and cut into the ward's parts."""
    words, plan = ctx.vocab.series, ctx.plan
    formats = tuple(format_templates())
    # listed in house order within each ward, cut into the ward's parts, serials per part
    r = _geo(roll_frame, _wards(plan))
    r = r.sort(["ward", "house_serial", "age", "epic"], descending=[False, False, True, False])
    r = r.with_columns(pos=pl.int_range(pl.len()).over("ward"), n=pl.len().over("ward"))
    r = r.with_columns(part_number=(pl.col("part_start") + pl.col("pos") * pl.col("parts") // pl.col("n")))
    r = r.with_columns(name=written_names(r, words))
    roll = r.select(
        epic=_epic(),
        assembly_constituency=pl.col("assembly_constituency").cast(pl.Int16),
        part_number=pl.col("part_number").cast(pl.Int32),
        serial_number=(pl.int_range(pl.len()).over(["ward", "part_number"]) + 1).cast(pl.Int32),
        district_code="district_code",
        local_body_code="local_body_code",
        ward_code="ward_code",
        house_number=_house_number(),
        house_name=house_name(words),
        name="name",
        relative_type=pl.when(pl.col("rel_married")).then(pl.lit("H")).otherwise(pl.lit("F")),
        relative_name=word(words, "rel_given"),
        sex=_enum("sex", SEX),
        age=pl.col("age").cast(pl.Int16),
    )
    # the format the roll wrote each name in is the truth's: the attacker gets the roll, never this. Sorted on
    # the numbers: every EPIC has nine digits, so their order is the order of the strings.
    truth = (
        truth_frame.with_columns(fmt=roll_frame["fmt"])
        .sort("epic")
        .select(
            epic=_epic(),
            person_id="person_id",
            status=_enum("status", ROLL_STATUS),
            name_format=_enum("fmt", formats),
        )
    )

    return {"electoral_roll": roll, "roll_truth": truth}
