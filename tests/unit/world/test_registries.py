from datetime import date

import numpy as np
import pytest

from synth.world.households import form_households
from synth.world.people import age_on, sample_people
from synth.world.plan import WorldSpec, plan_world
from synth.world.preset import PENSION_SCHEMES
from synth.world.registries import NO_PENSION, draw_registries, may_birth_dates, weighted_sample
from synth.world.shard_context import ShardContext

REF = date(2026, 2, 1)


def test_weighted_sample_exact_size_and_bias() -> None:
    cand = np.arange(10_000)
    w = np.where(cand < 5_000, 4.0, 1.0)
    picks = weighted_sample(cand, w, 1_000, np.random.default_rng(0))
    assert len(picks) == 1_000 == len(set(picks.tolist()))
    assert (picks < 5_000).mean() > 0.75  # four times the weight
    assert weighted_sample(cand[:5], w[:5], 10, np.random.default_rng(0)).tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("reference", [REF, date(2026, 5, 15), date(2026, 12, 31)])
def test_may_birth_dates_keep_age(reference: date) -> None:
    age = np.random.default_rng(1).integers(23, 57, 5_000)
    dob = may_birth_dates(age, reference, np.random.default_rng(2))
    assert (dob.astype("datetime64[M]").astype(np.int64) % 12 == 4).all()
    assert np.array_equal(age_on(dob, reference), age)


def _draw(seed: int):  # type: ignore[no-untyped-def]
    plan = plan_world(WorldSpec(districts=("Kottayam",), local_bodies=1, seed=1))
    ctx = ShardContext(plan)
    demo = plan.demography
    lb = plan.local_bodies.row(0, named=True)
    rng = np.random.default_rng(seed)
    people = sample_people(np.array([3000, 2500]), demo.district_index("05"), demo, REF, 6.0, rng)
    hh = form_households(people, 3, ctx.household_params, demo.household_size_2026[demo.district_index("05")], rng)
    quotas = {
        "employees": 150,
        "entrepreneurs": 60,
        "womens_scheme": 120,
        "old_age": 300,
        "widow": 150,
        "disability": 40,
        "agricultural_labourer": 40,
        "unmarried_women": 10,
        "welfare_fund_board": 80,
    }
    reg = draw_registries(
        people,
        hh,
        demo.district_index(lb["district_code"]),
        quotas,
        demo.occupations,
        dict(plan.preset.params["registries"]),
        ctx.shares["ration"],
        ctx.shares["departments"],
        ctx.shares["enterprises"],
        demo.population / demo.population.sum(),
        REF,
        rng,
    )
    return people, hh, reg, quotas


def test_seeded_twins() -> None:
    _, _, a, _ = _draw(3)
    _, _, b, _ = _draw(3)
    for field in ("employees", "pension", "womens_scheme", "entrepreneurs", "ration_card", "dob"):
        assert np.array_equal(getattr(a, field), getattr(b, field))


def test_quotas_filled_and_rules_kept() -> None:
    people, hh, reg, quotas = _draw(4)
    assert len(reg.employees) == quotas["employees"]
    for s, scheme in enumerate(PENSION_SCHEMES):
        assert (reg.pension == s).sum() + reg.shortfall.get(scheme, 0) == quotas[scheme]
    emp = np.zeros(len(people), dtype=bool)
    emp[reg.employees] = True
    assert not (emp & (reg.pension != NO_PENSION)).any()
    card = reg.ration_card[hh.household]
    assert not np.isin(card[reg.employees], (0, 1)).any()  # no AAY/PHH card in an employee's household
    ws = reg.womens_scheme
    assert (people.sex[ws] == 1).all()
    assert ((people.age[ws] >= 35) & (people.age[ws] <= 60)).all()
    assert np.isin(card[ws], (0, 1)).all()
    assert (reg.pension[ws] == NO_PENSION).all()
    assert not emp[reg.entrepreneurs].any()
