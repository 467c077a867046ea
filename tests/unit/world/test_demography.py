"""Single years of age from 5-year bands: the interpolant is scipy's PCHIP, band totals are kept, no steps."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.interpolate import PchipInterpolator  # type: ignore[import-untyped]

from synth.world.demography import _single_years, build_demography, pchip
from synth.world.preset import load_preset
from synth.world.validate import edge_step_ratio


@pytest.mark.parametrize("seed", range(5))
def test_pchip_is_scipys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        n = int(rng.integers(3, 20))
        x = np.cumsum(rng.random(n) + 0.1)
        y = rng.normal(size=n) if rng.random() < 0.5 else np.cumsum(rng.random(n))  # any shape, and monotone
        at = np.linspace(x[0], x[-1], 97)
        assert np.allclose(pchip(x, y, at), PchipInterpolator(x, y)(at), rtol=1e-12, atol=1e-12)


def test_single_years_keep_every_band_total_and_have_no_steps() -> None:
    counts = np.array([900.0, 1000, 1200, 1500, 1400, 1100, 800, 300])  # 0-4 ... 30-34, then 35+ open
    lo = np.array([0, 5, 10, 15, 20, 25, 30, 35])
    hi = np.array([4, 9, 14, 19, 24, 29, 34, 100])
    years = _single_years(counts, lo, hi)
    assert [round(years[a : b + 1].sum(), 9) for a, b in zip(lo, hi, strict=True)] == counts.tolist()
    assert (years >= 0).all()
    closed = years[:35]
    steps = np.abs(np.diff(closed)) / closed[1:]
    assert steps.max() < 0.1  # flat bands would step 25% to 38% at the edges (1,200 -> 1,500 ... 1,100 -> 800)
    assert edge_step_ratio(np.r_[years[:80], np.zeros(21)]) < 2


def test_every_district_keeps_its_bands_and_loses_the_steps() -> None:
    preset = load_preset("kerala-2026")
    demo = build_demography(preset)
    table = preset.table("age_sex")
    for d, code in enumerate(demo.district_codes):
        people = demo.age_sex[d] * demo.population[d]
        for sex, row in enumerate(("M", "F")):
            bands = table.filter((pl.col("district_code") == code) & (pl.col("sex") == row)).sort("age_min")
            for lo, hi, n in bands.select("age_min", "age_max", "population").iter_rows():
                assert people[sex, lo : min(hi, 100) + 1].sum() == pytest.approx(n, rel=1e-9)
        assert edge_step_ratio(people.sum(axis=0)) < 2, code
