"""Demographic lookup arrays built from a preset's tables.

Everything here is indexed ``[sex, age]`` with sex 0 = male, 1 = female and single years of age
0..``MAX_AGE``; district-level arrays add a leading district axis in the order of the preset's
``districts`` table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synth.world.preset import Preset

MAX_AGE = 100
N_AGES = MAX_AGE + 1
SEXES = ("M", "F")
OPEN_BAND_DECLINE = 0.86  # year-on-year survival inside the open 80+ band (assumption, SRS life tables)
MARITAL = ("never_married", "married", "widowed", "separated")


def rate_table(df: pl.DataFrame, value: str) -> np.ndarray:
    """Expand a ``sex, age_min, age_max, <value>`` table (sex optional) to a ``[2, N_AGES]`` array."""
    out = np.zeros((2, N_AGES))
    for row in df.iter_rows(named=True):
        lo, hi = int(row["age_min"]), min(int(row["age_max"]), MAX_AGE)
        sexes = [SEXES.index(row["sex"])] if "sex" in row else [0, 1]
        for s in sexes:
            out[s, lo : hi + 1] = float(row[value])
    return out


def category_table(df: pl.DataFrame, category: str, share: str = "share") -> tuple[list[str], np.ndarray]:
    """Expand a long ``sex, age_min, age_max, category, share`` table to ``(names, [2, N_AGES, K])``."""
    names = sorted(df[category].unique().to_list())
    out = np.zeros((2, N_AGES, len(names)))
    for row in df.iter_rows(named=True):
        lo, hi = int(row["age_min"]), min(int(row["age_max"]), MAX_AGE)
        out[SEXES.index(row["sex"]), lo : hi + 1, names.index(row[category])] = float(row[share])
    totals = out.sum(axis=2, keepdims=True)
    return names, np.divide(out, totals, out=np.zeros_like(out), where=totals > 0)


@dataclass(frozen=True)
class Demography:
    """Per-district population structure and per-age rates of a preset."""

    district_codes: tuple[str, ...]
    population: np.ndarray  # [D] projected population per district
    age_sex: np.ndarray  # [D, 2, N_AGES] probabilities summing to 1 per district
    marital: np.ndarray  # [2, N_AGES, 4] in the order of MARITAL
    disability: np.ndarray  # [2, N_AGES]
    phone: np.ndarray  # [2, N_AGES]
    occupations: tuple[str, ...]
    occupation: np.ndarray  # [2, N_AGES, K]
    community_names: tuple[str, ...]
    community: np.ndarray  # [D, C]
    household_size: np.ndarray  # [D, 12] share of households of size 1..12 (Census 2011)
    household_size_2026: np.ndarray  # [D, 12] the same moved to the 2026 age structure

    def district_index(self, code: str) -> int:
        return self.district_codes.index(code)


def pchip(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The monotone piecewise cubic Hermite interpolant of ``(x, y)`` (Fritsch-Carlson), evaluated at ``at``.

    The same as ``scipy.interpolate.PchipInterpolator(x, y)(at)`` (a test holds them equal), written out in
    numpy: importing ``scipy.interpolate`` costs about 0.4 s in every process of a build, a sixth of a district's.
    ``x`` is strictly increasing, with at least three points.
    """
    h = np.diff(x)
    m = np.diff(y) / h
    d = np.zeros(len(x))
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    same = (np.sign(m[:-1]) * np.sign(m[1:])) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        d[1:-1] = np.where(same, (w1 + w2) / (w1 / m[:-1] + w2 / m[1:]), 0.0)

    def end(h0: float, h1: float, m0: float, m1: float) -> float:
        e = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
        if np.sign(e) != np.sign(m0):
            return 0.0
        if np.sign(m0) != np.sign(m1) and abs(e) > abs(3 * m0):
            return 3 * m0
        return float(e)

    d[0] = end(h[0], h[1], m[0], m[1])
    d[-1] = end(h[-1], h[-2], m[-1], m[-2])
    k = np.clip(np.searchsorted(x, at, side="right") - 1, 0, len(h) - 1)
    t = (at - x[k]) / h[k]
    return (
        (2 * t**3 - 3 * t**2 + 1) * y[k]
        + (t**3 - 2 * t**2 + t) * h[k] * d[k]
        + (-2 * t**3 + 3 * t**2) * y[k + 1]
        + (t**3 - t**2) * h[k] * d[k + 1]
    )


def _single_years(band_counts: np.ndarray, age_min: np.ndarray, age_max: np.ndarray) -> np.ndarray:
    """Single years of age from 5-year band counts, each band's total kept exactly.

    The closed bands are interpolated by a monotone cubic (PCHIP) through the cumulative count at every band
    boundary, and each single year takes the increase over its year: the counts change smoothly from year to
    year, with no step at a band's edge, and a band's years add up to its total. The open band (80+) declines
    geometrically (``OPEN_BAND_DECLINE``).
    """
    out = np.zeros(N_AGES)
    closed = (age_max - age_min) < 10
    lo, hi = age_min[closed], np.minimum(age_max[closed], MAX_AGE)
    edges = np.concatenate([lo, [hi[-1] + 1]]).astype(float)
    cumulative = np.concatenate([[0.0], np.cumsum(band_counts[closed])])
    years = np.arange(int(lo[0]), int(hi[-1]) + 2, dtype=float)
    out[int(lo[0]) : int(hi[-1]) + 1] = np.diff(pchip(edges, cumulative, years))
    for n, a, band_max in zip(band_counts[~closed], age_min[~closed], age_max[~closed], strict=True):
        top = min(int(band_max), MAX_AGE)
        w = OPEN_BAND_DECLINE ** np.arange(top - a + 1)
        out[a : top + 1] += n * w / w.sum()
    return out


def build_demography(preset: Preset) -> Demography:
    """Turn a preset's demographic tables into lookup arrays."""
    codes = tuple(preset.table("districts").sort("district_code")["district_code"].to_list())
    age_sex = preset.table("age_sex")
    pops = np.zeros((len(codes), 2, N_AGES))
    for d, code in enumerate(codes):
        rows = age_sex.filter(pl.col("district_code") == code)
        for s, sex in enumerate(SEXES):
            r = rows.filter(pl.col("sex") == sex).sort("age_min")
            pops[d, s] = _single_years(r["population"].to_numpy(), r["age_min"].to_numpy(), r["age_max"].to_numpy())
    population = pops.sum(axis=(1, 2))

    marital = preset.table("marital_status")
    mar = np.stack([rate_table(marital, m) for m in MARITAL], axis=2)
    mar /= mar.sum(axis=2, keepdims=True)
    occ_names, occ = category_table(preset.table("occupation"), "occupation")

    comm = preset.table("community")
    comm_names = tuple(sorted(comm["community"].unique().to_list()))
    community = np.zeros((len(codes), len(comm_names)))
    for row in comm.iter_rows(named=True):
        community[codes.index(row["district_code"]), comm_names.index(row["community"])] = row["share"]
    community /= community.sum(axis=1, keepdims=True)

    def size_shares(table: str) -> np.ndarray:
        sizes = np.zeros((len(codes), 12))
        for row in preset.table(table).iter_rows(named=True):
            lo, hi = int(row["size_min"]), int(row["size_max"])
            sizes[codes.index(row["district_code"]), lo - 1 : hi] += row["share"] / (hi - lo + 1)
        return np.asarray(sizes / sizes.sum(axis=1, keepdims=True))

    return Demography(
        district_codes=codes,
        population=population,
        age_sex=pops / population[:, None, None],
        marital=mar,
        disability=rate_table(preset.table("disability"), "share"),
        phone=rate_table(preset.table("phone_ownership"), "share"),
        occupations=tuple(occ_names),
        occupation=occ,
        community_names=comm_names,
        community=community,
        household_size=size_shares("household_size"),
        household_size_2026=size_shares("household_size_2026"),
    )
