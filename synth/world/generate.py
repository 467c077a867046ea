"""Generate the tables of one shard: every local body with its own seeded generator, then strings.

Random draws happen per local body, each with a generator spawned from ``(seed, local body)``,
so a local body comes out the same whichever shard, worker or subset of the state it is built in.
Strings (names, house numbers, phone numbers, labels) are assembled once per shard, column-wise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from synth.world.auxiliary import LABEL_KINDS, draw_directory, draw_roll
from synth.world.demography import MARITAL
from synth.world.households import HouseholdParams, form_households
from synth.world.names import COMMUNITIES, Vocabulary, load_vocabulary
from synth.world.people import sample_people
from synth.world.phones import NumberingPlan, load_plan, permute
from synth.world.plan import WorldPlan
from synth.world.preset import PENSION_SCHEMES, RATION_CARDS
from synth.world.registries import NO_PENSION, draw_registries

LB_TYPE_DIGIT = {"G": 1, "M": 2, "C": 3}
PERSON_ID_SPAN = 10_000_000
SALT_PHONE, SALT_EPIC = 0x50_4E, 0x45_50
EPIC_DOMAIN = 1_000_000_000
GOVERNMENT_EMPLOYEE = "government_employee"
TABLES = (
    "people",
    "households",
    "employees",
    "pensioners",
    "entrepreneurs",
    "womens_scheme",
    "electoral_roll",
    "caller_id",
    "roll_truth",
)


def local_body_number(code: str) -> int:
    """``G01001`` -> 101001: the numeric part of person and household ids."""
    return LB_TYPE_DIGIT[code[0]] * 100_000 + int(code[1:])


@dataclass(frozen=True)
class ShardContext:
    """What every local body of a build needs, loaded once per worker."""

    plan: WorldPlan

    @cached_property
    def vocab(self) -> Vocabulary:
        return load_vocabulary()

    @cached_property
    def phones(self) -> NumberingPlan:
        return load_plan(self.plan.phone_plan)

    @cached_property
    def state_population(self) -> int:
        return int(self.plan.preset.params["preset"]["state_population"]) * 2

    @cached_property
    def household_params(self) -> HouseholdParams:
        d = self.plan.preset.params["demography"]
        return HouseholdParams(**{k: d[k] for k in HouseholdParams.__dataclass_fields__})

    @cached_property
    def shares(self) -> dict[str, np.ndarray]:
        p = self.plan.preset
        return {
            "ration": np.array([p.params["ration_cards"][c] for c in RATION_CARDS]),
            "departments": p.table("departments")["share"].to_numpy(),
            "enterprises": p.table("enterprise_categories")["share"].to_numpy(),
        }

    @cached_property
    def occupations(self) -> tuple[str, ...]:
        return (*self.plan.demography.occupations, GOVERNMENT_EMPLOYEE)


def _given_for(
    vocab: Vocabulary, community: np.ndarray, sex: int, birth_year: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    return vocab.draw_given(community, np.full(len(community), sex, dtype=np.int64), birth_year, rng)


def generate_local_body(ctx: ShardContext, lb: dict[str, Any], wards: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Draw everything random about one local body; returns integer-coded frames (see ``render``)."""
    plan, vocab, demo = ctx.plan, ctx.vocab, ctx.plan.demography
    preset, seed = plan.preset, int(plan.spec.seed)
    lbn = local_body_number(lb["local_body_code"])
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(lbn,)))
    d = demo.district_index(lb["district_code"])
    ref = preset.reference_date
    ward_pop = wards["population"].to_numpy()

    people = sample_people(ward_pop, d, demo, ref, preset.params["geography"]["community_concentration"], rng)
    n = len(people)
    hh = form_households(people, len(demo.community_names), ctx.household_params, rng)
    n_hh = hh.count
    head = hh.head
    hh_ward = people.ward[head]
    hh_comm = people.community[head]
    order = np.lexsort((rng.random(n_hh), hh_ward))
    sizes = np.bincount(hh_ward, minlength=len(ward_pop))
    starts = np.cumsum(sizes) - sizes
    house_serial = np.empty(n_hh, dtype=np.int64)
    house_serial[order] = np.arange(n_hh) - starts[hh_ward[order]] + 1

    # House names: Hindu households compose a prefix and a suffix; the others a family name.
    hindu, christian, muslim = (COMMUNITIES.index(c) for c in ("hindu", "christian", "muslim"))
    u = rng.random(n_hh)
    house_a = vocab.house_prefix.draw(u)
    house_b = vocab.house_suffix.draw(rng.random(n_hh))
    for c in (christian, muslim):
        sel = hh_comm == c
        house_a[sel] = vocab.family[c].draw(u[sel])
        house_b[sel] = -1
    title_hh = np.where(hh_comm == hindu, vocab.titles_m.draw(rng.random(n_hh)), -1)

    # Given names, titles and the relative named on the roll.
    birth_year = people.dob.astype("datetime64[Y]").astype(np.int64) + 1970
    given = vocab.draw_given(people.community.astype(np.int64), people.sex.astype(np.int64), birth_year, rng)
    title = title_hh[hh.household]
    women_keep = rng.random(n) < 0.45
    title = np.where((people.sex == 1) & ~women_keep, -1, title)
    ever_married_woman = (people.sex == 1) & (people.marital != MARITAL.index("never_married"))
    rel_person = np.where(ever_married_woman, hh.spouse, hh.father)
    missing = rel_person < 0
    gap = np.where(ever_married_woman, 6, 27)
    rel_given = np.where(missing, 0, given[np.maximum(rel_person, 0)])
    rel_given[missing] = _given_for(
        vocab, people.community[missing].astype(np.int64), 0, birth_year[missing] - gap[missing], rng
    )

    # Phones: own numbers (unique state-wide) and the contact number given to registries.
    owns = rng.random(n) < demo.phone[people.sex, people.age]
    global_index = int(lb["person_offset"]) + np.arange(n)
    phone = np.full(n, -1, dtype=np.int64)
    phone[owns] = ctx.phones.number(permute(global_index[owns], ctx.phones.size, seed, SALT_PHONE))
    age = people.age.astype(np.int64)
    cand = np.flatnonzero(owns & (age >= 18) & (age < 70))
    cand = cand[np.lexsort((np.abs(age[cand] - 40), hh.household[cand]))]
    first_hh, first_pos = np.unique(hh.household[cand], return_index=True)
    family_phone = np.full(n_hh, -1, dtype=np.int64)
    family_phone[first_hh] = phone[cand[first_pos]]
    fam = family_phone[hh.household]
    elder_defers = (age >= 70) & (rng.random(n) < preset.params["demography"]["elderly_family_contact"]) & (fam >= 0)
    contact = np.where(owns & ~elder_defers, phone, fam)

    # Registries.
    quotas = {r: int(lb[f"quota_{r}"]) for r in ("employees", "entrepreneurs", "womens_scheme", *PENSION_SCHEMES)}
    reg = draw_registries(
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
        ref,
        rng,
    )
    occupation = people.occupation.astype(np.int8).copy()
    occupation[reg.employees] = len(demo.occupations)

    # Electoral roll.
    roll = draw_roll(reg.dob, people.community, people.ward, sizes, int(lb["roll_target"]), preset, rng)
    living = roll.person >= 0
    ghost = ~living
    n_ghost = int(ghost.sum())
    roll_given = np.where(living, given[np.maximum(roll.person, 0)], 0)
    ghost_year = ref.year - roll.ghost_age.astype(np.int64)
    roll_given[ghost] = vocab.draw_given(
        roll.ghost_community.astype(np.int64), roll.ghost_sex.astype(np.int64), ghost_year, rng
    )
    roll_rel = np.where(living, rel_given[np.maximum(roll.person, 0)], 0)
    ghost_married_woman = (roll.ghost_sex == 1) & (roll.ghost_age >= 25)
    roll_rel[ghost] = _given_for(
        vocab, roll.ghost_community.astype(np.int64), 0, ghost_year - np.where(ghost_married_woman, 6, 27), rng
    )
    roll_given = np.where(roll.name_variant, vocab.draw_variant(roll_given, rng, 1.0), roll_given)
    roll_rel = vocab.draw_variant(roll_rel, rng, 0.1)
    person_house = hh.household[np.maximum(roll.person, 0)]
    roll_house_a = np.where(living, house_a[person_house], 0)
    roll_house_a[ghost] = vocab.house_prefix.draw(rng.random(n_ghost))
    roll_house_b = np.where(living, house_b[person_house], 0)
    roll_house_b[ghost] = vocab.house_suffix.draw(rng.random(n_ghost))
    roll_house_serial = np.where(roll.house_serial >= 0, roll.house_serial, house_serial[person_house])
    roll_sex = np.where(living, people.sex[np.maximum(roll.person, 0)], 0)
    roll_sex[ghost] = roll.ghost_sex
    roll_comm = np.where(living, people.community[np.maximum(roll.person, 0)], 0)
    roll_comm[ghost] = roll.ghost_community
    roll_title = np.where(living, title[np.maximum(roll.person, 0)], -1)
    roll_rel_type = ever_married_woman[np.maximum(roll.person, 0)].copy()
    roll_rel_type[ghost] = ghost_married_woman
    epic_index = np.where(
        living,
        int(lb["person_offset"]) + roll.person,
        ctx.state_population + int(lb["person_offset"]) + np.cumsum(ghost) - 1,
    )
    epic = permute(epic_index, EPIC_DOMAIN, seed, SALT_EPIC)

    # Caller-ID directory.
    dirx = draw_directory(np.flatnonzero(owns), preset, rng)
    dir_given = given[dirx.label_person]
    dir_given = np.where(dirx.variant, vocab.draw_variant(dir_given, rng, 1.0), dir_given)
    label_sex = people.sex[dirx.label_person].astype(np.int64)
    pet = np.where(
        label_sex == 1,
        vocab.pet_names[1].draw(rng.random(len(dir_given))),
        vocab.pet_names[0].draw(rng.random(len(dir_given))),
    )
    relw = np.where(
        label_sex == 1,
        vocab.relations[1].draw(rng.random(len(dir_given))),
        vocab.relations[0].draw(rng.random(len(dir_given))),
    )
    role = vocab.roles.draw(rng.random(len(dir_given)))
    extra = np.select(
        [
            dirx.kind == LABEL_KINDS.index("pet_name"),
            dirx.kind == LABEL_KINDS.index("relation"),
            dirx.kind == LABEL_KINDS.index("given_role"),
        ],
        [pet, relw, role],
        -1,
    )

    # Integer-coded frames; ids.
    person_id = lbn * PERSON_ID_SPAN + np.arange(n, dtype=np.int64)
    household_id = lbn * PERSON_ID_SPAN + np.arange(n_hh, dtype=np.int64)

    def pid(i: np.ndarray) -> pl.Series:
        return pl.Series(np.where(i >= 0, lbn * PERSON_ID_SPAN + i, -1)).replace(-1, None)

    def nullable(a: np.ndarray) -> pl.Series:
        return pl.Series(a).replace(-1, None)

    ward_codes = wards["ward_code"]

    def ward_code(i: np.ndarray) -> pl.Series:
        return ward_codes.gather(i)

    pension_of = reg.pension
    return {
        "people": pl.DataFrame(
            {
                "person_id": person_id,
                "household_id": household_id[hh.household],
                "ward_code": ward_code(people.ward),
                "house_serial": house_serial[hh.household],
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
                "rel_married": ever_married_woman,
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
                "household_id": household_id,
                "ward_code": ward_code(hh_ward),
                "house_serial": house_serial,
                "house_a": house_a,
                "house_b": house_b,
                "community": hh_comm,
                "ration_card": reg.ration_card,
                "head_person_id": person_id[head],
                "size": np.bincount(hh.household, minlength=n_hh),
            }
        ),
        "employees": pl.DataFrame(
            {
                "person_id": person_id[reg.employees],
                "department": reg.department,
                "posting_district": reg.posting_district,
                "contact_phone": nullable(contact[reg.employees]),
            }
        ),
        "pensioners": pl.DataFrame(
            {
                "person_id": person_id[pension_of != NO_PENSION],
                "scheme": pension_of[pension_of != NO_PENSION],
                "bank_paid": rng.random(int((pension_of != NO_PENSION).sum())) < 0.51,
                "contact_phone": nullable(contact[pension_of != NO_PENSION]),
            }
        ),
        "entrepreneurs": pl.DataFrame(
            {
                "person_id": person_id[reg.entrepreneurs],
                "category": reg.enterprise,
                "contact_phone": nullable(contact[reg.entrepreneurs]),
            }
        ),
        "womens_scheme": pl.DataFrame(
            {
                "person_id": person_id[reg.womens_scheme],
                "ration_card": reg.ration_card[hh.household[reg.womens_scheme]],
                "contact_phone": nullable(contact[reg.womens_scheme]),
            }
        ),
        "electoral_roll": pl.DataFrame(
            {
                "epic": epic,
                "ward_code": ward_code(roll.ward),
                "house_serial": roll_house_serial,
                "house_a": roll_house_a,
                "house_b": roll_house_b,
                "given": roll_given,
                "title": roll_title,
                "community": roll_comm,
                "rel_married": roll_rel_type,
                "rel_given": roll_rel,
                "sex": roll_sex,
                "age": roll.age,
            }
        ),
        "roll_truth": pl.DataFrame(
            {
                "epic": epic,
                "person_id": pid(roll.person),
                "status": roll.status,
            }
        ),
        "caller_id": pl.DataFrame(
            {
                "phone": phone[dirx.owner],
                "given": dir_given,
                "house_a": house_a[hh.household[dirx.label_person]],
                "title": title[dirx.label_person],
                "community": people.community[dirx.label_person],
                "rel_married": ever_married_woman[dirx.label_person],
                "rel_given": rel_given[dirx.label_person],
                "kind": dirx.kind,
                "extra": extra,
            }
        ),
        "_shortfall": pl.DataFrame(
            {"registry": list(reg.shortfall), "missing": list(reg.shortfall.values())},
            schema={"registry": pl.String, "missing": pl.Int64},
        ),
    }
