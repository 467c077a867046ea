"""Derive the demographic calibration files of the ``kerala-2026`` preset.

Reads the Census 2011 tables in ``../shared/data`` (C-14 age by sex, HLPCA household size,
district religion) and writes, under ``synth/world/calibration/kerala-2026/demography/``:

``age_sex_2026.csv``
    Projected 2026 population per district, five-year age band and sex (a cohort-component
    projection of the 2011 table, see ``ASSUMPTIONS``).
``household_size.csv``
    Share of households by size band per district (HLPCA columns c56-c62, Census 2011).
``household_size_2026.csv``
    The same moved to the 2026 age structure (households per adult held at 2011's; least-entropy tilt to the
    implied mean size).
``community.csv``
    Community (religion) shares per district (Census 2011 C-01 via the district indicators table).

Every assumption is printed into ``demography/README.md`` with its source, so that the preset can be
re-derived and audited. Run from the repository root::

    python tools/calibration/derive_demography.py --shared ../shared/data
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

BANDS = [
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80+",
]

# Census district code (C-14 "Area Name" suffix) -> LSG district number.
CENSUS_TO_LSG = {
    "14": "01",
    "13": "02",
    "12": "03",
    "11": "04",
    "10": "05",
    "09": "06",
    "08": "07",
    "07": "08",
    "06": "09",
    "05": "10",
    "04": "11",
    "03": "12",
    "02": "13",
    "01": "14",
}

# 15-year survival from the 2011 band to the band three steps older (2026), by sex. Approximated
# from the SRS abridged life tables for Kerala 2016-20 (e0 about 72 for men and 78 for women).
SURVIVAL_15Y = {
    "M": [
        0.995,
        0.996,
        0.994,
        0.990,
        0.987,
        0.984,
        0.978,
        0.967,
        0.950,
        0.925,
        0.885,
        0.825,
        0.735,
        0.600,
        0.430,
        0.250,
        0.080,
    ],
    "F": [
        0.996,
        0.997,
        0.996,
        0.994,
        0.993,
        0.991,
        0.987,
        0.980,
        0.972,
        0.958,
        0.935,
        0.897,
        0.835,
        0.730,
        0.570,
        0.370,
        0.130,
    ],
}
STATE_TOTAL_2026 = 35_800_000  # projection quoted in shared/facts/kerala.md (3.58 crore)
STATE_60PLUS_2026 = 0.186  # same source
STATE_0_14_2026 = 0.183  # births 2011-2025 (CRS Kerala, about 4.9 to 3.9 lakh a year) less deaths
MALE_SHARE_OF_NET_EMIGRATION = 0.70  # Kerala Migration Survey 2018: emigrants are mostly men


def read_c14(shared: Path) -> dict[str, dict[str, list[float]]]:
    """Return {district_no: {"M": [17 bands], "F": [...]}} with 'Age not stated' spread pro rata."""
    out: dict[str, dict[str, list[float]]] = {}
    with open(shared / "census2011_C14_kerala_age5_sex_residence.csv", newline="") as f:
        for row in csv.DictReader(f):
            area = row["Area Name"]
            if not area.startswith("District"):
                continue
            code = area.rsplit("(", 1)[1].strip(")")
            d = out.setdefault(CENSUS_TO_LSG[code], {"M": [0.0] * 17, "F": [0.0] * 17, "nsM": [0.0], "nsF": [0.0]})
            group = row["Age Group"]
            for sex, col in (("M", "Total Males"), ("F", "Total Females")):
                if group in BANDS:
                    d[sex][BANDS.index(group)] = float(row[col])
                elif group == "Age not stated":
                    d["ns" + sex][0] = float(row[col])
    for d in out.values():
        for sex in ("M", "F"):
            total = sum(d[sex])
            d[sex] = [v * (1 + d["ns" + sex][0] / total) for v in d[sex]]
            del d["ns" + sex]
    return out


def project(c14: dict[str, dict[str, list[float]]]) -> tuple[dict[str, dict[str, list[float]]], dict[str, float]]:
    """Cohort-component projection 2011 -> 2026, calibrated to the state totals above."""
    survivors: dict[str, dict[str, list[float]]] = {}
    for dist, by_sex in c14.items():
        survivors[dist] = {}
        for sex, counts in by_sex.items():
            s = SURVIVAL_15Y[sex]
            new = [0.0] * 17
            for b in range(17):
                target = min(b + 3, 16)
                new[target] += counts[b] * s[b]
            survivors[dist][sex] = new
    # Children 0-14 in 2026: in proportion to each district's 2011 0-14 (fertility differentials persist).
    kids_2011 = {d: sum(by["M"][:3]) + sum(by["F"][:3]) for d, by in c14.items()}
    kids_total = STATE_0_14_2026 * STATE_TOTAL_2026
    for d, by in survivors.items():
        share = kids_2011[d] / sum(kids_2011.values())
        for sex in ("M", "F"):
            sex_share = sum(c14[d][sex][:3]) / kids_2011[d]
            base = c14[d][sex][:3]
            for b in range(3):
                by[sex][b] = kids_total * share * sex_share * base[b] / sum(base)
    # Old ages: one factor on 60+ so that the state 60+ share matches the published projection.
    old = sum(sum(by[s][12:]) for by in survivors.values() for s in ("M", "F"))
    old_factor = STATE_60PLUS_2026 * STATE_TOTAL_2026 / old
    for by in survivors.values():
        for sex in ("M", "F"):
            by[sex][12:] = [v * old_factor for v in by[sex][12:]]
    # Net emigration: whatever exceeds the state total leaves from ages 20-44, mostly men.
    total = sum(sum(by[s]) for by in survivors.values() for s in ("M", "F"))
    excess = total - STATE_TOTAL_2026
    working = {s: sum(sum(by[s][4:9]) for by in survivors.values()) for s in ("M", "F")}
    factors = {}
    for sex, share in (("M", MALE_SHARE_OF_NET_EMIGRATION), ("F", 1 - MALE_SHARE_OF_NET_EMIGRATION)):
        factors[sex] = 1 - excess * share / working[sex]
        for by in survivors.values():
            by[sex][4:9] = [v * factors[sex] for v in by[sex][4:9]]
    return survivors, {
        "old_factor": old_factor,
        "emigration_excess": excess,
        **{f"stay_{k}": v for k, v in factors.items()},
    }


def write_age_sex(out_dir: Path, proj: dict[str, dict[str, list[float]]]) -> None:
    # Largest-remainder rounding per district so that the integers add up to the rounded total.
    with open(out_dir / "age_sex_2026.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["district_code", "age_band", "age_min", "age_max", "sex", "population"])
        for d in sorted(proj):
            cells = [(b, s, proj[d][s][b]) for s in ("M", "F") for b in range(17)]
            floors = [int(v) for _, _, v in cells]
            short = round(sum(v for _, _, v in cells)) - sum(floors)
            order = sorted(range(len(cells)), key=lambda i: cells[i][2] - floors[i], reverse=True)
            for i in order[:short]:
                floors[i] += 1
            for (b, s, _), n in zip(cells, floors, strict=True):
                lo = b * 5
                hi = 100 if b == 16 else lo + 4
                w.writerow([d, BANDS[b], lo, hi, s, n])


def write_household_size(shared: Path, out_dir: Path) -> None:
    cols = ["c56", "c57", "c58", "c59", "c60", "c61", "c62"]
    labels = ["1", "2", "3", "4", "5", "6-8", "9+"]
    with (
        open(shared / "census2011_HLPCA_kerala_district_taluk_pct.csv", newline="") as f,
        open(out_dir / "household_size.csv", "w", newline="") as g,
    ):
        w = csv.writer(g, lineterminator="\n")
        w.writerow(["district_code", "size_band", "size_min", "size_max", "share"])
        for row in csv.DictReader(f):
            if row["Tehsil Code"] != "00000" or row["District Code"] == "000" or row["Rural/Urban"] != "Total":
                continue
            d = CENSUS_TO_LSG[f"{int(row['District Code']) - 587:02d}"]
            vals = [float(row[c]) for c in cols]
            total = sum(vals)
            for lab, v in zip(labels, vals, strict=True):
                lo, hi = {"6-8": (6, 8), "9+": (9, 12)}.get(lab, (int(lab[0]), int(lab[0])))
                w.writerow([d, lab, lo, hi, round(v / total, 5)])


def households_2011(shared: Path) -> dict[str, int]:
    """Census 2011 households per district (table A-1, Total rows)."""
    out: dict[str, int] = {}
    with open(shared / "census2011_A1_kerala_district_taluk_population.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Category"] == "DISTRICT" and row["Residence"] == "Total":
                out[CENSUS_TO_LSG[f"{int(row['District Code']) - 587:02d}"]] = int(row["Households"])
    return out


def adults(by_sex: dict[str, list[float]]) -> float:
    """People of 18 and over: bands 20+ and two fifths of 15-19."""
    return sum(sum(by_sex[s][4:]) + 0.4 * by_sex[s][3] for s in ("M", "F"))


def tilt_to_mean(shares: np.ndarray, sizes: np.ndarray, mean: float) -> np.ndarray:
    """The distribution closest to ``shares`` (least relative entropy) with the given mean size:
    ``shares * exp(t * sizes)``, normalised, with ``t`` solved."""

    def gap(t: float) -> float:
        w = shares * np.exp(t * sizes)
        return float((w * sizes).sum() / w.sum() - mean)

    w = shares * np.exp(brentq(gap, -3.0, 3.0) * sizes)
    return w / w.sum()


def write_household_size_2026(
    shared: Path, out_dir: Path, c14: dict[str, dict[str, list[float]]], proj: dict[str, dict[str, list[float]]]
) -> dict[str, tuple[float, float]]:
    """The 2011 size shares moved to the 2026 age structure (see ``demography/README.md``).

    Households per adult are held at each district's 2011 figure, so the 2026 mean household size is the 2026
    population over its adults times that rate; the 2011 shares are then tilted (least relative entropy) to
    that mean. Sizes inside a band are spread evenly (6-8; 9+ as 9-12), so the tilt keeps the ratio of the
    2026 to the 2011 mean on the band scale. Returns each district's 2011 and 2026 mean size.
    """
    hh = households_2011(shared)
    table = read_household_size(out_dir / "household_size.csv")
    sizes = np.arange(1, 13, dtype=float)
    means: dict[str, tuple[float, float]] = {}
    with open(out_dir / "household_size_2026.csv", "w", newline="") as g:
        w = csv.writer(g, lineterminator="\n")
        w.writerow(["district_code", "size_band", "size_min", "size_max", "share"])
        for d in sorted(table):
            pop11 = sum(sum(c14[d][s]) for s in ("M", "F"))
            pop26 = sum(sum(proj[d][s]) for s in ("M", "F"))
            mean11 = pop11 / hh[d]
            mean26 = pop26 / (adults(proj[d]) * hh[d] / adults(c14[d]))
            spread = np.zeros(12)
            for _, lo, hi, share in table[d]:
                spread[lo - 1 : hi] += share / (hi - lo + 1)
            spread /= spread.sum()
            tilted = tilt_to_mean(spread, sizes, float((spread * sizes).sum()) * mean26 / mean11)
            for band, lo, hi, _ in table[d]:
                w.writerow([d, band, lo, hi, round(float(tilted[lo - 1 : hi].sum()), 5)])
            means[d] = (mean11, mean26)
    return means


def read_household_size(path: Path) -> dict[str, list[tuple[str, int, int, float]]]:
    """``household_size.csv`` by district: (band, size_min, size_max, share) rows."""
    out: dict[str, list[tuple[str, int, int, float]]] = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["district_code"], []).append(
                (row["size_band"], int(row["size_min"]), int(row["size_max"]), float(row["share"]))
            )
    return out


def write_community(shared: Path, out_dir: Path) -> None:
    with (
        open(shared / "census2011_kaggle_district_indicators_kerala.csv", newline="") as f,
        open(out_dir / "community.csv", "w", newline="") as g,
    ):
        w = csv.writer(g, lineterminator="\n")
        w.writerow(["district_code", "community", "share"])
        for row in csv.DictReader(f):
            d = CENSUS_TO_LSG[f"{int(row['District code']) - 587:02d}"]
            pop = float(row["Population"])
            hindu = float(row["Hindus"])
            muslim = float(row["Muslims"])
            christian = float(row["Christians"])
            other = pop - hindu - muslim - christian  # 0.3 %: named with the Hindu vocabulary
            for name, v in (("hindu", hindu + other), ("muslim", muslim), ("christian", christian)):
                w.writerow([d, name, round(v / pop, 5)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("synth/world/calibration/kerala-2026/demography"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    c14 = read_c14(args.shared)
    proj, factors = project(c14)
    write_age_sex(args.out, proj)
    write_household_size(args.shared, args.out)
    for d, (m11, m26) in sorted(write_household_size_2026(args.shared, args.out, c14, proj).items()):
        print(f"district {d}: mean household size 2011 {m11:.3f}, 2026 {m26:.3f}")
    write_community(args.shared, args.out)
    total = sum(sum(by[s]) for by in proj.values() for s in ("M", "F"))
    old = sum(sum(by[s][12:]) for by in proj.values() for s in ("M", "F"))
    print(f"state 2026: {total:,.0f}; 60+ {old / total:.4f}; factors {factors}")
    for d in sorted(proj):
        p = sum(proj[d]["M"]) + sum(proj[d]["F"])
        o = (sum(proj[d]["M"][12:]) + sum(proj[d]["F"][12:])) / p
        print(d, f"{p:,.0f}", "F/1000M", round(1000 * sum(proj[d]["F"]) / sum(proj[d]["M"])), f"60+ {o:.3f}")


if __name__ == "__main__":
    main()
