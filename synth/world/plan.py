"""World specification and build plan: which geography, how many people where, and the shards.

The plan is computed for the whole state first and then cut down to the selected districts or
local bodies, so a smaller world is an exact, full-density subset of the state: each local body
gets the same population, the same registry quotas and the same random stream whether it is
built alone or with the rest of Kerala.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from synth.checks import is_share, seed_problem, whole
from synth.errors import SpecError, did_you_mean
from synth.world.demography import MARITAL, N_AGES, Demography, build_demography
from synth.world.name_formats import FORMAT_SOURCES, format_problems, format_templates
from synth.world.names import COMMUNITIES
from synth.world.preset import PENSION_SCHEMES, Preset, load_preset

SHARD_POPULATION = 500_000  # people per shard, at most (a local body is never split)
REGISTRIES = ("employees", "entrepreneurs", "womens_scheme", *PENSION_SCHEMES)
SELECTION_SALT = 0x5E1EC7  # stream of the local-body sample (--local-bodies N)


@dataclass(frozen=True)
class WorldSpec:
    """What to build: a preset, a part of its geography and a seed.

    Parameters
    ----------
    preset
        Preset name or path of a preset TOML file.
    districts
        District names or codes to build; empty for the whole state.
    local_bodies
        Build only this many local bodies (sampled with the seed from the chosen districts).
    seed
        A whole number from 0 to 2**32 - 1; the same spec and seed give byte-identical output.
    phone_plan
        ``"safe"`` (default of the preset) or ``"realistic"``.
    noise
        The preset's assumptions about the auxiliary sources overridden, as ``("TABLE.NAME", share)`` pairs in
        name order (:func:`noise_assumptions` lists them: enrolment, old addresses, spelling variants and age
        errors of the electoral roll, the caller-ID directory's coverage and stale labels). Empty: the preset's.
    """

    preset: str = "kerala-2026"
    districts: tuple[str, ...] = ()
    local_bodies: int | None = None
    seed: int = 0
    phone_plan: str | None = None
    noise: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if (problem := seed_problem(self.seed)) is not None:
            problems.append(problem)
        if self.local_bodies is not None and not whole(self.local_bodies, 1):
            problems.append(f"local_bodies = {self.local_bodies!r}: must be a positive whole number")
        if self.phone_plan not in (None, "safe", "realistic"):
            problems.append(f"phone_plan = {self.phone_plan!r}: allowed are 'safe', 'realistic'")
        for name, share in self.noise:
            if not is_share(share):
                problems.append(f"noise.{name} = {share!r}: must be a share from 0 to 1")
        if [n for n, _ in self.noise] != sorted({n for n, _ in self.noise}):
            problems.append("noise: one pair per assumption, in name order")
        if problems:
            raise SpecError("\n".join(problems))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["districts"] = list(self.districts)
        d["seed"] = int(self.seed)
        if self.noise:
            d["noise"] = {name: float(share) for name, share in self.noise}
        else:  # absent, so that a world without overrides keeps the spec (and cache key) it always had
            del d["noise"]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WorldSpec:
        """The spec :meth:`to_dict` wrote (a manifest's ``build.spec``)."""
        noise = tuple(sorted((str(k), float(v)) for k, v in (d.get("noise") or {}).items()))
        return cls(**{**d, "districts": tuple(d.get("districts", ())), "noise": noise})


NOISE_TABLES = ("electoral_roll", "caller_id")  # the preset tables whose shares a scenario may override


def noise_assumptions(preset: Preset) -> dict[str, float]:
    """Every assumption ``[world.noise]`` may override, ``TABLE.NAME`` -> the preset's share: the settings of the
    roll and the caller-ID directory that are shares (sizes and counts are not assumptions about noise), and the
    share of each name format of each source and community (``name_formats.SOURCE.COMMUNITY.FORMAT``)."""
    shares = {
        f"{table}.{name}": float(value)
        for table in NOISE_TABLES
        for name, value in preset.params.get(table, {}).items()
        if is_share(value)
    }
    formats = preset.params.get("name_formats", {})
    for source in FORMAT_SOURCES:
        for community in COMMUNITIES:
            for name in format_templates():  # every format, those the preset gives no share too (0)
                value = formats.get(source, {}).get(community, {}).get(name, 0.0)
                shares[f"name_formats.{source}.{community}.{name}"] = float(value)
    return shares


def describe_assumptions(known: Mapping[str, float]) -> str:
    """The assumptions of :func:`noise_assumptions` for a message: the shares by name, the formats' as a pattern."""
    flat = [name for name in known if not name.startswith("name_formats.")]
    return (
        ", ".join(flat)
        + ", and name_formats.SOURCE.COMMUNITY.FORMAT (SOURCE: "
        + ", ".join(FORMAT_SOURCES)
        + "; COMMUNITY: "
        + ", ".join(COMMUNITIES)
        + "; FORMAT: "
        + ", ".join(format_templates())
        + ")"
    )


def with_noise(preset: Preset, noise: Sequence[tuple[str, float]]) -> Preset:
    """``preset`` with the assumptions ``noise`` overrides; a :class:`SpecError` names an unknown one."""
    if not noise:
        return preset
    known = noise_assumptions(preset)
    unknown = [name for name, _ in noise if name not in known]
    if unknown:
        raise SpecError(
            "\n".join(
                f"noise.{name}: unknown assumption; allowed are {describe_assumptions(known)}"
                + did_you_mean(name, list(known))
                for name in unknown
            )
        )
    params = {k: dict(v) if isinstance(v, Mapping) else v for k, v in preset.params.items()}
    formats = {s: {c: dict(v) for c, v in by.items()} for s, by in params.get("name_formats", {}).items()}
    for name, share in noise:
        table, key = name.split(".", 1)
        if table == "name_formats":
            source, community, fmt = key.split(".")
            formats[source][community][fmt] = float(share)
        else:
            params[table][key] = float(share)
    params["name_formats"] = formats
    problems = [p.removeprefix("noise: ") for p in format_problems(params, "noise")]
    if problems:  # each override is a share; what can still go wrong is a distribution's sum
        raise SpecError("\n".join(f"noise.{p}" for p in problems))
    return replace(preset, params=params)


@dataclass(frozen=True)
class Shard:
    """A unit of work and of output: some local bodies of one district."""

    key: str
    district_code: str
    local_bodies: tuple[str, ...]
    population: int


@dataclass(frozen=True)
class WorldPlan:
    """Everything a shard needs that does not depend on random draws."""

    spec: WorldSpec
    preset: Preset
    demography: Demography
    wards: pl.DataFrame  # selected base wards with population and roll part numbers
    local_bodies: pl.DataFrame  # selected local bodies with population, person offset and quotas
    shards: tuple[Shard, ...]
    phone_plan: str

    @cached_property
    def targets(self) -> dict[str, int]:
        """Registry and roll sizes this world must reach (its share of the preset's state figures)."""
        lb = self.local_bodies
        out = {f"quota_{r}": int(lb[f"quota_{r}"].sum()) for r in REGISTRIES}
        out["roll_size"] = int(lb["roll_target"].sum())
        out["population"] = int(lb["population"].sum())
        return out


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that add up to exactly ``total``."""
    w = np.asarray(weights, dtype=np.float64)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = w / w.sum() * total
    out = np.floor(exact).astype(np.int64)
    short = int(total - out.sum())
    if short:
        order = np.argsort(-(exact - out), kind="stable")
        out[order[:short]] += 1
    return out


def _resolve_districts(names: tuple[str, ...], districts: pl.DataFrame) -> list[str]:
    lookup: dict[str, str] = {}
    for row in districts.iter_rows(named=True):
        for alias in (row["district"], row["district_code"], row.get("district_name_census") or ""):
            if alias:
                lookup[str(alias).strip().lower()] = row["district_code"]
    codes, problems = [], []
    for name in names:
        code = lookup.get(name.strip().lower())
        if code is None:
            allowed = districts["district"].to_list()
            problems.append(
                f"unknown district '{name}': allowed are {', '.join(allowed)} (or codes 01-14)"
                + did_you_mean(name.strip().title(), allowed)
            )
        elif code not in codes:
            codes.append(code)
    if problems:
        raise SpecError("\n".join(problems))
    return sorted(codes)


def per_capita_eligibility(demo: Demography, preset: Preset) -> dict[str, np.ndarray]:
    """Expected eligible people per head of population, per district, for each registry.

    Quotas are shared out in proportion to these, so a district with an old population gets more
    old-age pensions than a young one, and every local body's quota is fixed before any draw.
    """
    age = np.arange(N_AGES)
    p = demo.age_sex  # [D, 2, A]
    mar = demo.marital
    occ = {name: demo.occupation[:, :, i] for i, name in enumerate(demo.occupations)}
    rules = preset.params["registries"]["pension_rules"]
    w_emp = np.clip((age - 22) / 11.0, 0, 1) * ((age >= 23) & (age <= 56))
    capital = np.array(
        [preset.params["registries"]["employee_capital_weight"] if c == "01" else 1.0 for c in demo.district_codes]
    )
    women = np.array([0.0, 1.0])[:, None]
    older = (age >= 60)[None, :]
    rs = preset.params["registries"]
    ws = ((age >= rs["womens_scheme_age_min"]) & (age <= rs["womens_scheme_age_max"]))[None, :] * women
    masses = {
        "employees": (p * w_emp).sum(axis=(1, 2)) * capital,
        "entrepreneurs": (p * ((age >= 21) & (age <= 65))).sum(axis=(1, 2)),
        "womens_scheme": (p * ws).sum(axis=(1, 2)),
        "disability": (p * demo.disability * (age >= rules["disability_min_age"])).sum(axis=(1, 2)),
        "widow": (
            p
            * women
            * (mar[:, :, MARITAL.index("widowed")] + mar[:, :, MARITAL.index("separated")])
            * (age >= rules["widow_min_age"])
        ).sum(axis=(1, 2)),
        "unmarried_women": (p * women * mar[:, :, 0] * (age >= rules["unmarried_women_min_age"])).sum(axis=(1, 2)),
        "agricultural_labourer": (p * occ["agricultural_labourer"] * older).sum(axis=(1, 2)),
        "welfare_fund_board": (p * occ["informal_worker"] * older).sum(axis=(1, 2)),
        "old_age": (p * (1 - occ["retired_government"]) * older).sum(axis=(1, 2)),
    }
    return masses


def plan_world(spec: WorldSpec, preset: Preset | None = None) -> WorldPlan:
    """Compute the state-wide plan, then select the spec's geography and cut it into shards."""
    preset = with_noise(preset or load_preset(spec.preset), spec.noise)
    demo = build_demography(preset)
    districts = preset.table("districts")
    lbs = preset.table("local_bodies").sort("local_body_code")
    wards = preset.table("wards").sort("ward_code")

    # Population of every base ward: the district's projected population shared by electors.
    wards = wards.with_columns(electors=pl.col("electors_m") + pl.col("electors_f") + pl.col("electors_o"))
    wards = wards.join(
        lbs.select("local_body_code", "district_code", "taluk_code", "local_body_type"),
        on="local_body_code",
        how="left",
        validate="m:1",
    )
    pop = np.zeros(wards.height, dtype=np.int64)
    d_col = wards["district_code"].to_numpy()
    electors = wards["electors"].to_numpy()
    for i, code in enumerate(demo.district_codes):
        idx = np.flatnonzero(d_col == code)
        pop[idx] = _largest_remainder(electors[idx], round(demo.population[i]))

    # Electoral-roll parts: numbered through each constituency in ward-code order.
    per_part = int(preset.params["electoral_roll"]["electors_per_part"])
    wards = wards.with_columns(
        population=pl.Series(pop), parts=((pl.col("electors") / per_part).round().cast(pl.Int64)).clip(lower_bound=1)
    )
    wards = wards.with_columns(
        part_start=(pl.col("parts").cum_sum().over("assembly_constituency") - pl.col("parts") + 1)
    )

    # Local bodies: population, global person offset (phone numbers are unique across the state).
    lb_pop = wards.group_by("local_body_code").agg(
        population=pl.col("population").sum(), electors=pl.col("electors").sum()
    )
    lbs = lbs.join(lb_pop, on="local_body_code", how="left", validate="1:1").sort("local_body_code")
    lbs = lbs.with_columns(person_offset=pl.col("population").cum_sum() - pl.col("population"))

    # Registry quotas, state-wide, in proportion to each local body's expected eligible people.
    masses = per_capita_eligibility(demo, preset)
    lb_d = np.array([demo.district_index(c) for c in lbs["district_code"].to_list()])
    lb_pop_np = lbs["population"].to_numpy()
    sizes = preset.registries
    totals = {
        "employees": sizes.employees,
        "entrepreneurs": sizes.entrepreneurs,
        "womens_scheme": sizes.womens_scheme,
        **sizes.pensions,
    }
    quota_cols = {f"quota_{r}": _largest_remainder(lb_pop_np * masses[r][lb_d], totals[r]) for r in REGISTRIES}

    # Roll size: the February 2026 total, shared by district as the 2026 constituency rolls, then
    # by local body as its 2025 electors.
    acs = preset.table("constituencies")
    ac_d = acs.group_by("district_code").agg(
        e=(pl.col("electors_2026_m") + pl.col("electors_2026_f") + pl.col("electors_2026_tg")).sum()
    )
    ac_by_d = dict(zip(ac_d["district_code"].to_list(), ac_d["e"].to_list(), strict=True))
    d_roll = _largest_remainder(
        np.array([ac_by_d[c] for c in demo.district_codes], dtype=np.float64),
        int(preset.params["electoral_roll"]["size"]),
    )
    roll = np.zeros(lbs.height, dtype=np.int64)
    lb_e = lbs["electors"].to_numpy()
    for i in range(len(demo.district_codes)):
        idx = np.flatnonzero(lb_d == i)
        roll[idx] = _largest_remainder(lb_e[idx], int(d_roll[i]))
    lbs = lbs.with_columns(roll_target=pl.Series(roll), **{k: pl.Series(v) for k, v in quota_cols.items()})

    lbs = assign_shards(lbs)  # over the whole state, so a local body's shard does not depend on the selection

    # Selection.
    if spec.districts:
        codes = _resolve_districts(spec.districts, districts)
        lbs = lbs.filter(pl.col("district_code").is_in(codes))
    if spec.local_bodies is not None:
        if spec.local_bodies > lbs.height:
            raise SpecError(
                f"local_bodies = {spec.local_bodies}: the chosen geography has only {lbs.height} local bodies"
            )
        rng = np.random.default_rng(np.random.SeedSequence(int(spec.seed), spawn_key=(SELECTION_SALT,)))
        pick = np.sort(rng.choice(lbs.height, size=spec.local_bodies, replace=False))
        lbs = lbs[pick]
    wards = wards.filter(pl.col("local_body_code").is_in(lbs["local_body_code"].implode()))

    plan_phone = spec.phone_plan or preset.params["phones"]["default_plan"]
    return WorldPlan(
        spec=spec,
        preset=preset,
        demography=demo,
        wards=wards,
        local_bodies=lbs,
        shards=shards_of(lbs),
        phone_plan=plan_phone,
    )


def assign_shards(lbs: pl.DataFrame) -> pl.DataFrame:
    """``lbs`` with a ``shard`` column: consecutive local bodies of each district, as many as fit in
    ``SHARD_POPULATION`` people (a local body is never split), keyed ``<district code>-<chunk>``."""
    shard_of: dict[str, str] = {}
    for code in sorted(set(lbs["district_code"].to_list())):
        sub = lbs.filter(pl.col("district_code") == code)
        chunk, filled = 0, 0
        for lb_code, n in zip(sub["local_body_code"].to_list(), sub["population"].to_list(), strict=True):
            if filled and filled + n > SHARD_POPULATION:
                chunk, filled = chunk + 1, 0
            shard_of[lb_code] = f"{code}-{chunk:03d}"
            filled += n
    return lbs.with_columns(shard=pl.col("local_body_code").replace_strict(shard_of))


def shards_of(lbs: pl.DataFrame) -> tuple[Shard, ...]:
    """The shards of local bodies with a ``shard`` column (see :func:`assign_shards`), sorted by key."""
    shards = [
        Shard(
            key=str(key[0]),
            district_code=group["district_code"][0],
            local_bodies=tuple(group["local_body_code"].to_list()),
            population=int(group["population"].sum()),
        )
        for key, group in lbs.group_by("shard", maintain_order=True)
    ]
    return tuple(sorted(shards, key=lambda s: s.key))
