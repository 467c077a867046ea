"""A national population from the india-2011 pack: people with state, sex and age only, as Dask tasks.

This is the smallest honest national generator, not a national version of the Kerala world: the pack has
state granularity (population, sex ratio and 5-year age groups of Census 2011 for all 35 states and union
territories), so each person gets a state, a sex and an age drawn from that state's figures, and nothing
else (no households, places below the state, registries, names or phones). It exists to build a
population of the size of a national breach and run the relational measures on it through Dask.

Layout of the output folder::

    DIR/manifest.json                              written last
    DIR/people/state=<code>/part-<code>-<nnnnn>.parquet
    DIR/_parts/<code>-<nnnnn>.json                 per-part rows and checksum (resume), removed at the end
    DIR/_build.json                                present while a build is unfinished

Each part (``rows_per_part`` people of one state) is one task; its draws come from a numpy Generator
seeded by (seed, state code, part number), so the bytes do not depend on the engine or the order, and
``person_id`` is the person's place in the whole population (states in code order). Writes are atomic and
an interrupted build resumes from its verified parts, as in :mod:`synth.world.build`.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth.checks import is_share, seed_problem, whole
from synth.core.coding import AGE_BANDS, BAND_TOP, BAND_WIDTH
from synth.core.paths import CALIBRATION_DIR
from synth.engine import Engine, as_engine, resolve_out, run_tasks
from synth.engine.io import (
    Progress,
    atomic_json,
    atomic_parquet,
    check_empty_or_new,
    clean_temporaries,
    sha256_file,
    versions,
)
from synth.errors import OutputError, SpecError, WorkerLost, did_you_mean
from synth.world.build import MANIFEST

PACK_DIR = CALIBRATION_DIR / "india-2011"
SEX = pl.Enum(["M", "F"])
BUILD_MARKER = "_build.json"
PART_DIR = "_parts"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class NationalPack:
    """The india-2011 pack: one row per state with its sex ratio and 5-year age shares."""

    name: str
    states: pl.DataFrame  # state_code, state, population_2011, females_per_1000_males, p_female
    age_shares: np.ndarray  # (states, 17): shares of the 5-year groups (age not stated left out)
    oldest: int
    open_group_decay: float
    rows_per_part: int
    sha256: str

    def share_60_plus(self) -> pl.DataFrame:
        """Each state's share of people aged 60 or more (of those whose age was stated)."""
        return self.states.select("state_code", "state").with_columns(
            share_60_plus=pl.Series(self.age_shares[:, 12:].sum(axis=1))
        )


@cache
def load_pack(folder: Path = PACK_DIR) -> NationalPack:
    """Read and check the pack (every group sums to the state's total; totals agree between files)."""
    with open(folder / "national.toml", "rb") as f:
        params = tomllib.load(f)
    states = pl.read_csv(folder / params["pack"]["states"], schema_overrides={"state_code": pl.String})
    ages = pl.read_csv(folder / params["pack"]["age_groups"], schema_overrides={"state_code": pl.String})
    ages = states.select("state_code").join(ages, on="state_code", how="left", maintain_order="left")
    counts = ages.select(*AGE_BANDS).to_numpy().astype(np.float64)
    stated = counts.sum(axis=1) + ages["not_stated"].to_numpy()
    problems = [
        f"{folder}: state {code}: age groups sum to {int(s):,}, not {int(t):,}"
        for code, s, t in zip(ages["state_code"], stated, ages["all_ages"], strict=True)
        if s != t
    ]
    problems += [
        f"{folder}: state {code}: age table total {int(a):,} differs from population {int(p):,}"
        for code, a, p in zip(states["state_code"], ages["all_ages"], states["population_2011"], strict=True)
        if a != p
    ]
    if problems:
        raise SpecError("\n".join(problems))
    digest = hashlib.sha256()
    for name in ("national.toml", params["pack"]["states"], params["pack"]["age_groups"]):
        digest.update((folder / name).read_bytes())
    ratio = states["females_per_1000_males"].cast(pl.Float64)
    return NationalPack(
        name=params["pack"]["name"],
        states=states.with_columns(p_female=ratio / (1000.0 + ratio)),
        age_shares=counts / counts.sum(axis=1, keepdims=True),
        oldest=int(params["model"]["oldest"]),
        open_group_decay=float(params["model"]["open_group_decay"]),
        rows_per_part=int(params["model"]["rows_per_part"]),
        sha256=digest.hexdigest(),
    )


@dataclass(frozen=True)
class NationalSpec:
    """What to build: a share of each chosen state's 2011 population, and the seed.

    Parameters
    ----------
    seed
        Non-negative whole number.
    scale
        Share of each state's population to generate (1.0: 121 crore people; 0.33: about 40 crore).
    states
        State names or codes (empty: all 35).
    rows_per_part
        People per part (one Dask task and one Parquet file); None: the pack's default.
    """

    seed: int
    scale: float = 1.0
    states: tuple[str, ...] = ()
    rows_per_part: int | None = None

    def problems(self, pack: NationalPack) -> list[str]:
        out = []
        if (problem := seed_problem(self.seed)) is not None:
            out.append(problem)
        if not is_share(self.scale, zero=False):
            out.append(f"scale = {self.scale!r}: must be a number above 0 and at most 1 (a share of each state)")
        if self.rows_per_part is not None and not whole(self.rows_per_part, 1):
            out.append(f"rows_per_part = {self.rows_per_part!r}: must be a positive whole number")
        names = pack.states["state"].to_list()
        codes = pack.states["state_code"].to_list()
        lower = {n.lower(): c for n, c in zip(names, codes, strict=True)}
        for s in self.states:
            if s not in codes and s.lower() not in lower:
                out.append(
                    f"unknown state {s!r}: allowed are {', '.join(names)} or their codes 01-35" + did_you_mean(s, names)
                )
        return out

    def state_codes(self, pack: NationalPack) -> list[str]:
        if not self.states:
            return list(pack.states["state_code"])
        lower = {n.lower(): c for n, c in zip(pack.states["state"], pack.states["state_code"], strict=True)}
        chosen = {s if s in lower.values() else lower[s.lower()] for s in self.states}
        return [c for c in pack.states["state_code"] if c in chosen]

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "scale": self.scale,
            "states": list(self.states),
            "rows_per_part": self.rows_per_part,
        }


@dataclass(frozen=True)
class Part:
    """People ``start`` to ``start + rows - 1`` of the population: part ``index`` of one state."""

    state_code: str
    index: int
    start: int
    rows: int

    @property
    def key(self) -> str:
        return f"{self.state_code}-{self.index:05d}"


def plan_parts(spec: NationalSpec, pack: NationalPack) -> list[Part]:
    """Every part, in state-code order; a state of ``n`` people (its population times the scale, rounded)
    is cut into parts of ``rows_per_part``; person ids run over the chosen states."""
    size = spec.rows_per_part or pack.rows_per_part
    parts, start = [], 0
    chosen = set(spec.state_codes(pack))
    for code, population in zip(pack.states["state_code"], pack.states["population_2011"], strict=True):
        if code not in chosen:
            continue
        n = round(population * spec.scale)
        for index, first in enumerate(range(0, n, size)):
            parts.append(Part(code, index, start + first, min(size, n - first)))
        start += n
    return parts


def generate_part(spec: NationalSpec, pack: NationalPack, part: Part) -> pl.DataFrame:
    """The people of one part: person_id, state_code, sex, age (seeded by seed, state and part)."""
    row = pack.states["state_code"].to_list().index(part.state_code)
    rng = np.random.default_rng([spec.seed, int(part.state_code), part.index])
    group = rng.choice(len(AGE_BANDS), size=part.rows, p=pack.age_shares[row])
    within = rng.integers(0, BAND_WIDTH, size=part.rows)
    tail = np.arange(pack.oldest - BAND_TOP + 1)
    weights = pack.open_group_decay**tail
    old = rng.choice(tail, size=part.rows, p=weights / weights.sum())
    age = np.where(group == len(AGE_BANDS) - 1, BAND_TOP + old, group * BAND_WIDTH + within)
    female = rng.random(part.rows) < pack.states["p_female"][row]
    return pl.DataFrame(
        {
            "person_id": np.arange(part.start, part.start + part.rows, dtype=np.int64),
            "state_code": pl.repeat(part.state_code, part.rows, dtype=pl.String, eager=True),
            "sex": pl.Series(np.where(female, "F", "M")).cast(SEX),
            "age": age.astype(np.int16),
        }
    )


def _write_part(spec: NationalSpec, out: str, key: str) -> dict[str, Any]:
    """One part, generated and written atomically (a Dask task): its file, checksum and rows."""
    pack = load_pack()
    part = next(p for p in plan_parts(spec, pack) if p.key == key)
    folder = Path(out) / "people" / f"state={part.state_code}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{part.key}.parquet"
    atomic_parquet(path, generate_part(spec, pack, part))
    record = {"part": key, "state_code": part.state_code, "rows": part.rows, "file": str(path.relative_to(out))}
    record["sha256"] = sha256_file(path)
    atomic_json(Path(out) / PART_DIR / f"{key}.json", record)
    return record


def _verified(out: Path, part: Part) -> dict[str, Any] | None:
    try:
        record: dict[str, Any] = json.loads((out / PART_DIR / f"{part.key}.json").read_text())
    except (OSError, ValueError):
        return None
    file = out / record["file"]
    return record if file.is_file() and sha256_file(file) == record["sha256"] else None


def build_national(
    spec: NationalSpec,
    out: str | Path,
    workers: int | Engine = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build (or resume, or confirm) a national population and return its manifest.

    ``workers`` is 1 (in this process), N > 1 (a local Dask cluster) or an :class:`~synth.engine.Engine`;
    the files are byte-identical on every engine. Raises :class:`~synth.errors.SpecError` (bad spec) or
    :class:`~synth.errors.OutputError` (a folder that holds something else, or that cannot be written).
    """
    pack = load_pack()
    problems = spec.problems(pack)
    if problems:
        raise SpecError("\n".join(problems))
    engine = as_engine(workers)
    out = resolve_out(out)
    record = {"format_version": FORMAT_VERSION, "pack": pack.name, "pack_sha256": pack.sha256, "spec": spec.to_dict()}
    if (out / MANIFEST).is_file():
        manifest: dict[str, Any] = json.loads((out / MANIFEST).read_text())
        if manifest.get("build") != record:
            raise OutputError(f"{out}: holds a different population; choose another --out folder or delete this one")
        return manifest
    marker = out / BUILD_MARKER
    if marker.is_file():
        if json.loads(marker.read_text()) != record:
            raise OutputError(f"{out}: holds a different unfinished build; choose another --out folder or delete it")
    else:
        check_empty_or_new(out, "population")
        try:
            (out / PART_DIR).mkdir(parents=True, exist_ok=True)
            atomic_json(marker, record)
        except OSError as exc:
            raise OutputError(f"{out}: cannot write to the output folder ({exc.strerror or exc})") from None
    clean_temporaries(out)
    (out / PART_DIR).mkdir(exist_ok=True)
    parts = plan_parts(spec, pack)
    records: dict[str, dict[str, Any]] = {}
    todo = []
    for part in parts:
        done = _verified(out, part)
        if done is None:
            todo.append(part)
        else:
            records[part.key] = done

    def part_done(_: int, rec: dict[str, Any]) -> None:
        records[rec["part"]] = rec
        if progress:
            progress(len(records), len(parts), rec["part"])

    if progress:
        progress(len(records), len(parts), "")
    calls = [(spec, str(out.resolve()), p.key) for p in todo]
    try:
        if todo:
            run_tasks(engine, _write_part, calls, [p.key for p in todo], on_result=part_done)
    except WorkerLost as exc:
        clean_temporaries(out)
        raise OutputError(f"{out}: {exc}; run the same command again to resume") from None
    clean_temporaries(out)
    rows: dict[str, int] = {}
    for key in sorted(records):
        rows[records[key]["state_code"]] = rows.get(records[key]["state_code"], 0) + int(records[key]["rows"])
    manifest = {
        "build": record,
        "versions": versions(),
        "rows": {"people": sum(rows.values())},
        "people_by_state": dict(sorted(rows.items())),
        "parts": len(records),
        "files": {records[k]["file"]: records[k]["sha256"] for k in sorted(records)},
    }
    atomic_json(out / MANIFEST, manifest)
    marker.unlink(missing_ok=True)
    for leftover in (out / PART_DIR).glob("*.json"):
        leftover.unlink()
    (out / PART_DIR).rmdir()
    return manifest


def people_files(out: str | Path, states: Sequence[str] = ()) -> list[str]:
    """The Parquet files of a built national population (for ``dask.dataframe.read_parquet`` or Polars)."""
    folder = resolve_out(out, "path")
    manifest = json.loads((folder / MANIFEST).read_text())
    return [str(folder / rel) for rel in manifest["files"] if not states or any(f"state={s}/" in rel for s in states)]
