"""Generate the tables of one shard: every local body with its own seeded generator, then strings.

Random draws happen per local body, each with a generator spawned from ``(seed, local body)``,
so a local body comes out the same whichever shard, worker or subset of the state it is built in.
Strings (names, house numbers, phone numbers, labels) are assembled once per shard, column-wise.
What every local body shares (the context, the generator of each) is in :mod:`synth.world.shard_context`;
house numbers and names in :mod:`synth.world.houses`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from synth.world.auxiliary import LABEL_KINDS, ROLL_DUPLICATE, RollDraw, draw_directory, draw_roll
from synth.world.demography import MARITAL
from synth.world.excluded import VARIANT_ROUNDS, Redraw, clear_names
from synth.world.households import Households, form_households
from synth.world.houses import house_names, house_serials
from synth.world.name_formats import formatted_name
from synth.world.names import COMMUNITIES, Vocabulary, caller_label, full_name
from synth.world.people import People, sample_people
from synth.world.phones import permute
from synth.world.plan import REGISTRIES
from synth.world.registries import NO_PENSION, RegistryDraw, draw_registries
from synth.world.registry_names import format_rng, registry_names
from synth.world.shard_context import PERSON_ID_SPAN, ShardContext, local_body_number, local_body_rng

SALT_PHONE, SALT_EPIC = 0x50_4E, 0x45_50
EPIC_DOMAIN = 1_000_000_000
BANK_PAID_SHARE = 26.62 / 52.46  # welfare pensions paid into bank accounts; the rest at home (2023)


def named_relative(people: People, hh: Households) -> tuple[np.ndarray, np.ndarray]:
    """The relative the roll names: a husband for ever-married women, else the father.

    Returns ``(is_husband, relative)``, ``relative`` the person index or -1 where not in the household.
    """
    is_husband = (people.sex == 1) & (people.marital != MARITAL.index("never_married"))
    return is_husband, np.where(is_husband, hh.spouse, hh.father)


def relative_names(
    vocab: Vocabulary,
    people: People,
    hh: Households,
    given: np.ndarray,
    birth_year: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The relative the roll names (see :func:`named_relative`) and the given name it has.

    Returns ``(is_husband, given-name index)``; where that relative is not in the world (dead, away,
    or living elsewhere) a name of the right community and generation is drawn.
    """
    is_husband, relative = named_relative(people, hh)
    missing = relative < 0
    rel_given = np.where(missing, 0, given[np.maximum(relative, 0)])
    gap = np.where(is_husband, 6, 27)[missing]
    rel_given[missing] = vocab.draw_given(
        people.community[missing].astype(np.int64), np.zeros(gap.size, np.int64), birth_year[missing] - gap, rng
    )
    return is_husband, rel_given


def own_numbers(ctx: ShardContext, index: np.ndarray) -> np.ndarray:
    """Phone numbers of the people with these world-wide person indices: a keyed permutation of the index.

    A number that ``ctx.excluded_phones`` lists is replaced by the number of the index one world span
    further on (and so on), which no other person of the world can hold: numbers stay unique.
    """
    seed, size = int(ctx.plan.spec.seed), ctx.phones.size
    numbers = ctx.phones.number(permute(index, size, seed, SALT_PHONE))
    if len(ctx.excluded_phones):
        index = index.copy()
        hit = np.isin(numbers, ctx.excluded_phones)
        while hit.any():
            index[hit] += ctx.index_span
            if index.max() >= size:
                raise ValueError("the numbering plan has no room left for numbers outside the excluded ones")
            numbers[hit] = ctx.phones.number(permute(index[hit], size, seed, SALT_PHONE))
            hit[hit] = np.isin(numbers[hit], ctx.excluded_phones)
    return numbers


def phones(
    ctx: ShardContext, offset: int, people: People, hh: Households, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Own numbers (-1 for none) and the contact number each person gives to registries.

    People of 70 and over often give a working-age relative's number, and people with no phone give
    the household's, so one number can sit on several records.
    """
    n = len(people)
    age = people.age.astype(np.int64)
    owns = rng.random(n) < ctx.plan.demography.phone[people.sex, people.age]
    phone = np.full(n, -1, dtype=np.int64)
    index = offset + np.flatnonzero(owns)
    phone[owns] = own_numbers(ctx, index)
    cand = np.flatnonzero(owns & (age >= 18) & (age < 70))
    cand = cand[np.lexsort((np.abs(age[cand] - 40), hh.household[cand]))]
    first_hh, first_pos = np.unique(hh.household[cand], return_index=True)
    family_phone = np.full(hh.count, -1, dtype=np.int64)
    family_phone[first_hh] = phone[cand[first_pos]]
    fam = family_phone[hh.household]
    share = ctx.plan.preset.params["demography"]["elderly_family_contact"]
    defers = (age >= 70) & (rng.random(n) < share) & (fam >= 0)
    return phone, np.where(owns & ~defers, phone, fam)


def _pick(living: np.ndarray, person: np.ndarray, values: np.ndarray, ghost_values: np.ndarray) -> np.ndarray:
    """Per roll entry: the person's value for living entries, the ghost's own for the others."""
    out = values[np.maximum(person, 0)].copy()
    out[~living] = ghost_values
    return out


def roll_frame(
    ctx: ShardContext,
    lb: dict[str, Any],
    roll: RollDraw,
    people: People,
    hh: Households,
    names: dict[str, np.ndarray],
    rng: np.random.Generator,
    fmt_rng: np.random.Generator,
) -> tuple[pl.DataFrame, int]:
    """Integer-coded roll entries: names as the roll spells and writes them (formats from ``fmt_rng``), the address
    as listed; and how many entries' given names were drawn again to keep out ``ctx.excluded_names``."""
    vocab, seed, ref = ctx.vocab, int(ctx.plan.spec.seed), ctx.plan.preset.reference_date
    living = roll.person >= 0
    ghost_year = ref.year - roll.ghost_age.astype(np.int64)
    ghost_comm = roll.ghost_community.astype(np.int64)
    ghost_husband = (roll.ghost_sex == 1) & (roll.ghost_age >= 25)
    ghost_given = vocab.draw_given(ghost_comm, roll.ghost_sex.astype(np.int64), ghost_year, rng)
    ghost_rel = vocab.draw_given(
        ghost_comm, np.zeros(len(ghost_comm), np.int64), ghost_year - np.where(ghost_husband, 6, 27), rng
    )
    # Everyone is listed with the house name of the house at their listed address: their own, or for
    # people listed at an old address and for ghosts, the household now living at that number.
    by_address = np.lexsort((names["house_serial"], names["house_ward"]))
    per_ward = np.bincount(names["house_ward"], minlength=int(roll.ward.max(initial=0)) + 1)
    first = np.cumsum(per_ward) - per_ward
    elsewhere = roll.house_serial >= 0
    house = hh.household[np.maximum(roll.person, 0)]
    house[elsewhere] = by_address[first[roll.ward[elsewhere]] + roll.house_serial[elsewhere] - 1]
    given = _pick(living, roll.person, names["given"], ghost_given)
    offset = int(lb["person_offset"])
    epic_index = np.where(living, offset + roll.person, ctx.ghost_epic_base + offset + np.cumsum(~living) - 1)
    epic_index = np.where(roll.status == ROLL_DUPLICATE, ctx.duplicate_epic_base + offset + roll.person, epic_index)
    community = _pick(living, roll.person, people.community, roll.ghost_community)
    sex = _pick(living, roll.person, people.sex, roll.ghost_sex)
    codes = {
        "given": np.where(roll.name_variant, vocab.draw_variant(given, rng, 1.0), given),
        "title": _pick(living, roll.person, names["title"], np.full(len(ghost_comm), -1)),
        "house_a": names["house_a"][house],
        "house_b": names["house_b"][house],
        "rel_given": vocab.draw_variant(_pick(living, roll.person, names["rel_given"], ghost_rel), rng, 0.1),
        "community": community,
        "fmt": ctx.formats.draw("electoral_roll", community, fmt_rng),
    }
    who = Redraw(given, community, sex, _pick(living, roll.person, names["birth_year"], ghost_year))
    codes, redrawn = clear_names(
        vocab, ctx.excluded_names, formatted_name, codes, who, rng, variant_rounds=VARIANT_ROUNDS
    )
    frame = pl.DataFrame(
        {
            "epic": permute(epic_index, EPIC_DOMAIN, seed, SALT_EPIC),
            "ward": roll.ward,
            "house_serial": names["house_serial"][house],
            "house_a": codes["house_a"],
            "house_b": names["house_b"][house],
            "given": codes["given"],
            "title": codes["title"],
            "community": community,
            "rel_married": _pick(living, roll.person, names["rel_married"], ghost_husband),
            "rel_given": codes["rel_given"],
            "fmt": codes["fmt"],
            "sex": sex,
            "age": roll.age,
        }
    )
    return frame, redrawn


def directory_frame(
    ctx: ShardContext,
    owners: np.ndarray,
    phone: np.ndarray,
    people: People,
    names: dict[str, np.ndarray],
    household: np.ndarray,
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, int]:
    """Integer-coded caller-ID labels; ``extra`` is the nickname, relation word or role where the label has one.
    Also returns how many labels' given names were drawn again to keep out ``ctx.excluded_names``."""
    vocab = ctx.vocab
    d = draw_directory(owners, ctx.plan.preset, rng)
    who = d.label_person
    given = np.where(d.variant, vocab.draw_variant(names["given"][who], rng, 1.0), names["given"][who])
    female = people.sex[who] == 1
    u = rng.random(len(who))
    pet = np.where(female, vocab.pet_names[1].draw(u), vocab.pet_names[0].draw(u))
    relation = np.where(female, vocab.relations[1].draw(u), vocab.relations[0].draw(u))
    kind = {k: i for i, k in enumerate(LABEL_KINDS)}
    extra = np.select(
        [d.kind == kind["pet_name"], d.kind == kind["relation"], d.kind == kind["given_role"]],
        [pet, relation, vocab.roles.draw(u)],
        -1,
    )
    codes = {
        "given": given,
        "house_a": names["house_a"][household[who]],
        "title": names["title"][who],
        "community": people.community[who],
        "rel_given": names["rel_given"][who],
        "kind": d.kind,
        "extra": extra,
    }
    own = Redraw(names["given"][who], people.community[who], people.sex[who], names["birth_year"][who])
    codes, redrawn = clear_names(
        vocab, ctx.excluded_names, caller_label, codes, own, rng, variant_rounds=VARIANT_ROUNDS
    )
    frame = pl.DataFrame(
        {
            "phone": phone[d.owner],
            "given": codes["given"],
            "house_a": codes["house_a"],
            "title": codes["title"],
            "community": codes["community"],
            "rel_married": names["rel_married"][who],
            "rel_given": codes["rel_given"],
            "kind": d.kind,
            "extra": extra,
        }
    )
    return frame, redrawn


def generate_local_body(ctx: ShardContext, lb: dict[str, Any], wards: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Draw everything random about one local body; returns integer-coded frames (see ``render``)."""
    plan, demo = ctx.plan, ctx.plan.demography
    preset = plan.preset
    rng = local_body_rng(int(plan.spec.seed), lb["local_body_code"])
    d = demo.district_index(lb["district_code"])

    people = sample_people(
        wards["population"].to_numpy(),
        d,
        demo,
        preset.reference_date,
        preset.params["geography"]["community_concentration"],
        rng,
    )
    hh = form_households(people, len(demo.community_names), ctx.household_params, demo.household_size_2026[d], rng)

    def registries(people: People, hh: Households) -> RegistryDraw:
        quotas = {r: int(lb[f"quota_{r}"]) for r in REGISTRIES}
        return draw_registries(
            people,
            hh,
            d,
            quotas,
            demo.occupations,
            dict(preset.params["registries"]),
            ctx.shares["ration"],
            ctx.shares["departments"],
            ctx.shares["enterprises"],
            demo.population / demo.population.sum(),
            preset.reference_date,
            rng,
        )

    return assemble_local_body(ctx, lb, wards, people, hh, registries, rng)


def assemble_local_body(
    ctx: ShardContext,
    lb: dict[str, Any],
    wards: pl.DataFrame,
    people: People,
    hh: Households,
    registries: Callable[[People, Households], RegistryDraw],
    rng: np.random.Generator,
) -> dict[str, pl.DataFrame]:
    """Everything of one local body that follows from its people and households: house numbers and
    names, given names and relatives, phones, registries (``registries`` is called after the phones,
    with the same generator), the roll and the caller-ID labels; integer-coded frames (see ``render``).

    A world built from a preset draws its people and registries first (:func:`generate_local_body`);
    a world learned from a user's table brings its own people and registry memberships.
    """
    plan, vocab, demo = ctx.plan, ctx.vocab, ctx.plan.demography
    preset = plan.preset
    lbn = local_body_number(lb["local_body_code"])
    n_wards = wards.height
    n = len(people)
    hh_ward = people.ward[hh.head]
    hh_comm = people.community[hh.head]
    serial = house_serials(hh_ward, n_wards, rng)
    house_a, house_b = house_names(vocab, hh_comm, rng)
    title_hh = np.where(hh_comm == COMMUNITIES.index("hindu"), vocab.titles_m.draw(rng.random(hh.count)), -1)

    birth_year = people.dob.astype("datetime64[Y]").astype(np.int64) + 1970
    given = vocab.draw_given(people.community.astype(np.int64), people.sex.astype(np.int64), birth_year, rng)
    women_keep_title = rng.random(n) < vocab.women_title_ratio
    title = np.where((people.sex == 1) & ~women_keep_title, -1, title_hh[hh.household])
    rel_married, rel_given = relative_names(vocab, people, hh, given, birth_year, rng)
    codes = {
        "given": given,
        "title": title,
        "house_a": house_a[hh.household],
        "rel_given": rel_given,
        "community": people.community,
    }
    own = Redraw(given, people.community, people.sex, birth_year)
    codes, people_redrawn = clear_names(
        vocab, ctx.excluded_names, full_name, codes, own, rng, relative=named_relative(people, hh)[1]
    )
    given, rel_given = codes["given"], codes["rel_given"]
    phone, contact = phones(ctx, int(lb["person_offset"]), people, hh, rng)

    reg = registries(people, hh)
    occupation = people.occupation.astype(np.int8).copy()
    occupation[reg.employees] = len(demo.occupations)

    names = {
        "given": given,
        "title": title,
        "rel_married": rel_married,
        "rel_given": rel_given,
        "house_a": house_a,
        "house_b": house_b,
        "house_serial": serial,
        "house_ward": hh_ward,
        "birth_year": birth_year,
    }
    roll = draw_roll(
        reg.dob,
        people.community,
        people.ward,
        np.bincount(hh_ward, minlength=n_wards),
        int(lb["roll_target"]),
        preset,
        rng,
    )
    fmt_rng = format_rng(int(plan.spec.seed), lbn)
    roll_df, roll_redrawn = roll_frame(ctx, lb, roll, people, hh, names, rng, fmt_rng)
    directory, labels_redrawn = directory_frame(
        ctx, np.flatnonzero(phone >= 0), phone, people, names, hh.household, rng
    )
    bank_paid = rng.random(int((reg.pension != NO_PENSION).sum())) < BANK_PAID_SHARE

    # Integer-coded frames with state-wide ids (local body number, then serial).
    span = lbn * PERSON_ID_SPAN
    person_id = span + np.arange(n, dtype=np.int64)
    ward_codes = wards["ward_code"]

    def nullable(a: np.ndarray) -> pl.Series:
        """-1 becomes null: the array's own buffer under an Arrow validity bitmap (no copy, no query per column)."""
        a = np.ascontiguousarray(a)
        valid = pa.py_buffer(np.packbits(a >= 0, bitorder="little"))
        return pl.Series(pa.Array.from_buffers(pa.from_numpy_dtype(a.dtype), len(a), [valid, pa.py_buffer(a)]))

    def pid(i: np.ndarray) -> pl.Series:
        return nullable(np.where(i >= 0, span + i, -1))

    written = {**codes, "given": given, "rel_given": rel_given, "house_b": house_b[hh.household]}
    registries_redrawn = [0]

    def registry(source: str, members: np.ndarray, **columns: Any) -> pl.DataFrame:
        name, redrawn = registry_names(ctx, source, members, written, own, fmt_rng)
        registries_redrawn[0] += redrawn
        return pl.DataFrame(
            {"person_id": person_id[members], **columns, **name, "contact_phone": nullable(contact[members])}
        )

    pensioners = np.flatnonzero(reg.pension != NO_PENSION)
    registry_rows = len(reg.employees) + len(pensioners) + len(reg.entrepreneurs) + len(reg.womens_scheme)
    return {
        "people": pl.DataFrame(
            {
                "person_id": person_id,
                "household_id": span + hh.household,
                "ward_code": ward_codes.gather(people.ward),
                "house_serial": serial[hh.household],
                "relation": hh.relation,
                "sex": people.sex,
                "dob": reg.dob,
                "age": people.age,
                "community": people.community,
                "marital": people.marital,
                "disabled": people.disabled,
                "occupation": occupation,
                "given": given,
                "title": title,
                "house_a": house_a[hh.household],
                "house_b": house_b[hh.household],
                "rel_married": rel_married,
                "rel_given": rel_given,
                "father_id": pid(hh.father),
                "mother_id": pid(hh.mother),
                "spouse_id": pid(hh.spouse),
                "phone": nullable(phone),
                "contact_phone": nullable(contact),
            }
        ),
        "households": pl.DataFrame(
            {
                "household_id": span + np.arange(hh.count, dtype=np.int64),
                "ward_code": ward_codes.gather(hh_ward),
                "house_serial": serial,
                "house_a": house_a,
                "house_b": house_b,
                "community": hh_comm,
                "ration_card": reg.ration_card,
                "head_person_id": person_id[hh.head],
                "size": np.bincount(hh.household, minlength=hh.count),
            }
        ),
        "employees": registry(
            "employees", reg.employees, department=reg.department, posting_district=reg.posting_district
        ),
        "pensioners": registry("pensioners", pensioners, scheme=reg.pension[pensioners], bank_paid=bank_paid),
        "entrepreneurs": registry("entrepreneurs", reg.entrepreneurs, category=reg.enterprise),
        "womens_scheme": registry(
            "womens_scheme", reg.womens_scheme, ration_card=reg.ration_card[hh.household[reg.womens_scheme]]
        ),
        "electoral_roll": roll_df.with_columns(ward_code=ward_codes.gather(roll.ward)).drop("ward"),
        "roll_truth": pl.DataFrame({"epic": roll_df["epic"], "person_id": pid(roll.person), "status": roll.status}),
        "caller_id": directory,
        "_shortfall": pl.DataFrame(
            {"registry": list(reg.shortfall), "missing": list(reg.shortfall.values())},
            schema={"registry": pl.String, "missing": pl.Int64},
        ),
        "_names_redrawn": pl.DataFrame(
            {
                "table": ["people", "registries", "electoral_roll", "caller_id"],
                "entries": [n, registry_rows, roll_df.height, directory.height],
                "redrawn": [people_redrawn, registries_redrawn[0], roll_redrawn, labels_redrawn],
            },
            schema={"table": pl.String, "entries": pl.Int64, "redrawn": pl.Int64},
        ),
    }
