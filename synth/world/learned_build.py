"""Build a world from a learned population: the same folder, manifest and schema as a preset's world.

The learned rows (one per person: place, sex, age, community, marital status, disability, occupation,
ration card, registry memberships and any extra column) replace the preset's sampled people; every
other table comes from the world's own generators, local body by local body, with the generator of
``(seed, local body)``:

- households are formed by the household generator within each ward, community and ration-card class
  (priority or not), so a household's card (its head's) keeps every member's registry rules;
- house numbers and names, given names, relatives, phones (safe plan by default, none of the table's
  own numbers), birth dates (from the learned age; employees' May clustering), the electoral roll and
  the caller-ID directory are drawn as for any world, except that no full name of the table is given
  to anybody (see :mod:`synth.world.excluded`);
- registries take the learned memberships; what a registry records beyond membership (department,
  posting district, enterprise category, payment mode) is drawn from the preset's shares.

The world is written to a temporary folder beside ``out`` and renamed into place when complete.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from synth.errors import LearnError, OutputError, SynthError
from synth.world.build import (
    FORMAT_VERSION,
    MANIFEST,
    _atomic_json,
    _atomic_parquet,
    _versions,
    sha256_file,
    spec_record,
    write_tables,
)
from synth.world.demography import MARITAL
from synth.world.fidelity import FidelitySizes, evaluate
from synth.world.generate import (
    PERSON_ID_SPAN,
    TABLES,
    ShardContext,
    assemble_local_body,
    local_body_number,
    local_body_rng,
)
from synth.world.households import Households, form_households
from synth.world.learned import PRIORITY, LearnedPopulation, membership
from synth.world.learned_columns import NONE, SEX, occupations
from synth.world.names import COMMUNITIES, normal_name
from synth.world.people import People, birth_dates
from synth.world.phones import load_plan
from synth.world.plan import REGISTRIES, Shard, WorldPlan, WorldSpec, assign_shards, plan_world, shards_of
from synth.world.preset import PENSION_SCHEMES, RATION_CARDS
from synth.world.registries import NO_PENSION, RegistryDraw, draw_shares, employee_records
from synth.world.render import render
from synth.world.rules import schema_kinds

if TYPE_CHECKING:
    from synth.world.api import World

KIND = "learned"
Progress = Callable[[str, int, int], None]
DERIVED = {
    "people": "learned: place, sex, age, community, marital status, disability, occupation and extra columns; "
    "generated: ids, households and relations, house numbers, names (none of the table's full names), relatives, "
    "birth dates (from the age), phones (none of the table's numbers)",
    "households": "generated from the learned people, within each ward, community and ration-card class; "
    "a household's card is its head's learned card",
    "employees": "learned membership (occupation government_employee); department and posting drawn from the preset",
    "pensioners": "learned scheme; payment mode drawn from the preset",
    "entrepreneurs": "learned membership; enterprise category drawn from the preset",
    "womens_scheme": "learned membership; ration card of the household",
    "electoral_roll": "generated from the learned people with the preset's coverage, staleness and noise; "
    "size scaled from the local body's published roll by the learned population; none of the table's full names",
    "roll_truth": "generated with the roll",
    "caller_id": "generated from the learned people's phones; no label is a full name of the table",
    "geography": "the preset's wards that hold learned people; roll parts scaled by the learned population",
}


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def check_out(out: Path) -> None:
    """Refuse an output path that is a file or a folder holding anything."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        raise OutputError(f"{out}: folder is not empty; choose an empty or new folder")


def learned_plan(base: WorldPlan, people: pl.DataFrame, quotas: pl.DataFrame) -> WorldPlan:
    """The base plan cut to the wards that hold learned people, with their learned populations.

    ``people`` has a ``ward_code`` per learned person; ``quotas`` has ``local_body_code`` and the learned
    members of each registry (``quota_<registry>``). Roll sizes and parts scale with the population.
    """
    per_part = int(base.preset.params["electoral_roll"]["electors_per_part"])
    counts = people.group_by("ward_code").agg(learned=pl.len())
    wards = (
        base.wards.join(counts, on="ward_code", how="inner")
        .sort("ward_code")
        .with_columns(
            parts=(pl.col("electors") * pl.col("learned") / pl.col("population").clip(lower_bound=1) / per_part)
            .round()
            .cast(pl.Int64)
            .clip(lower_bound=1),
            population=pl.col("learned").cast(pl.Int64),
        )
        .drop("learned")
    )
    wards = wards.with_columns(
        part_start=(pl.col("parts").cum_sum().over("assembly_constituency") - pl.col("parts") + 1)
    )
    lb_pop = wards.group_by("local_body_code").agg(learned=pl.col("population").sum())
    lbs = (
        base.local_bodies.join(lb_pop, on="local_body_code", how="inner")
        .sort("local_body_code")
        .drop([f"quota_{r}" for r in REGISTRIES])
        .join(quotas, on="local_body_code", how="left", maintain_order="left")
        .sort("local_body_code")
        .with_columns(
            roll_target=(pl.col("roll_target") * pl.col("learned") / pl.col("population").clip(lower_bound=1))
            .round()
            .cast(pl.Int64),
            population=pl.col("learned").cast(pl.Int64),
        )
        .drop("learned")
        .with_columns(person_offset=pl.col("population").cum_sum() - pl.col("population"))
        .with_columns(pl.col(f"quota_{r}").fill_null(0).cast(pl.Int64) for r in REGISTRIES)
    )
    lbs = assign_shards(lbs).select(base.local_bodies.columns)
    return dataclasses.replace(base, wards=wards, local_bodies=lbs, shards=shards_of(lbs))


def person_frame(learner: LearnedPopulation, sample: pl.DataFrame) -> pl.DataFrame:
    """The learned rows as the world codes them: ward, local body, integer codes, registry flags, extras."""
    roles = learner.columns_.roles
    occ = occupations(learner.preset)
    member = membership(roles)

    def code(role: str, labels: tuple[str, ...]) -> pl.Expr:
        return pl.col(roles[role]).cast(pl.String).replace_strict({v: i for i, v in enumerate(labels)}).cast(pl.Int8)

    flags = {}
    for registry, role in (("entrepreneurs", "entrepreneur"), ("womens_scheme", "womens_scheme")):
        if role in roles:
            flags[registry] = pl.col(roles[role])
        elif registry in member:
            flags[registry] = pl.col(roles["registry"]) == registry
        else:
            flags[registry] = pl.lit(False)
    pension = (
        pl.col(roles["pension_scheme"])
        .replace_strict({s: i for i, s in enumerate(PENSION_SCHEMES)}, default=NO_PENSION)
        .cast(pl.Int8)
        if "pension_scheme" in roles
        else pl.lit(NO_PENSION, dtype=pl.Int8)
    )
    frame = sample.with_row_index("_order").select(
        pl.col("_order"),
        pl.col("_ward_code").alias("ward_code"),
        pl.col("_ward_code").str.slice(0, 6).alias("local_body_code"),
        code("sex", SEX).alias("sex"),
        pl.col(roles["age"]).cast(pl.Int16).alias("age"),
        code("community", COMMUNITIES).alias("community"),
        code("marital_status", MARITAL).alias("marital"),
        pl.col(roles["disabled"]).alias("disabled"),
        code("occupation", occ).alias("occupation"),
        code("ration_card", RATION_CARDS).alias("ration_card"),
        pension.alias("pension"),
        flags["entrepreneurs"].alias("entrepreneur"),
        flags["womens_scheme"].alias("womens_scheme"),
        *[pl.col(c) for c in learner.columns_.extra],
    )
    frame = frame.sort(["local_body_code", "ward_code", "_order"])
    span = {code: local_body_number(code) * PERSON_ID_SPAN for code in frame["local_body_code"].unique().to_list()}
    frame = frame.with_columns(
        person_id=pl.col("local_body_code").replace_strict(span, return_dtype=pl.Int64)
        + pl.int_range(pl.len(), dtype=pl.Int64).over("local_body_code")
    )
    biggest = int(frame.group_by("local_body_code").len()["len"].max() or 0)  # type: ignore[arg-type]
    if biggest >= PERSON_ID_SPAN:
        raise LearnError(
            f"rows: one local body would hold {biggest:,} people, more than the {PERSON_ID_SPAN:,} a local "
            "body's person ids allow; ask for fewer rows"
        )
    return frame


def registry_counts(people: pl.DataFrame, employee_code: int) -> pl.DataFrame:
    """Learned members of each registry per local body (``quota_<registry>`` columns)."""
    exprs = {
        "quota_employees": (pl.col("occupation") == employee_code).sum(),
        "quota_entrepreneurs": pl.col("entrepreneur").sum(),
        "quota_womens_scheme": pl.col("womens_scheme").sum(),
        **{f"quota_{s}": (pl.col("pension") == i).sum() for i, s in enumerate(PENSION_SCHEMES)},
    }
    return people.group_by("local_body_code").agg(**{k: v.cast(pl.Int64) for k, v in exprs.items()})


def local_body_frames(
    ctx: ShardContext, lb: dict[str, Any], wards: pl.DataFrame, rows: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The integer-coded frames of one local body from its learned people (see :func:`assemble_local_body`)."""
    plan, demo = ctx.plan, ctx.plan.demography
    preset = plan.preset
    rng = local_body_rng(int(plan.spec.seed), lb["local_body_code"])
    d = demo.district_index(lb["district_code"])
    ward_index = {w: i for i, w in enumerate(wards["ward_code"].to_list())}
    age = rows["age"].to_numpy().astype(np.int16)
    card = rows["ration_card"].to_numpy().astype(np.int8)
    community = rows["community"].to_numpy().astype(np.int8)
    people = People(
        ward=rows["ward_code"].replace_strict(ward_index, return_dtype=pl.Int32).to_numpy(),
        sex=rows["sex"].to_numpy().astype(np.int8),
        age=age,
        dob=birth_dates(age, preset.reference_date, rng),
        community=community,
        marital=rows["marital"].to_numpy().astype(np.int8),
        disabled=rows["disabled"].to_numpy().astype(bool),
        occupation=rows["occupation"].to_numpy().astype(np.int8),
    )
    priority = np.isin(card, [RATION_CARDS.index(c) for c in PRIORITY])
    by_card = dataclasses.replace(people, community=(community * 2 + priority).astype(np.int8))
    hh = form_households(by_card, 2 * len(COMMUNITIES), ctx.household_params, rng)
    employee_code = len(demo.occupations)
    pension = rows["pension"].to_numpy().astype(np.int8)
    entrepreneurs = np.flatnonzero(rows["entrepreneur"].to_numpy())
    womens = np.flatnonzero(rows["womens_scheme"].to_numpy())

    def registries(people: People, hh: Households) -> RegistryDraw:
        employees = np.flatnonzero(people.occupation == employee_code)
        dob, department, posting = employee_records(
            people,
            employees,
            d,
            dict(preset.params["registries"]),
            ctx.shares["departments"],
            demo.population / demo.population.sum(),
            preset.reference_date,
            rng,
        )
        return RegistryDraw(
            employees=employees,
            department=department,
            posting_district=posting,
            ration_card=card[hh.head],
            pension=pension,
            womens_scheme=womens,
            entrepreneurs=entrepreneurs,
            enterprise=draw_shares(ctx.shares["enterprises"], len(entrepreneurs), rng),
            dob=dob,
            shortfall={},
        )

    return assemble_local_body(ctx, lb, wards, people, hh, registries, rng)


def _write_shard(
    ctx: ShardContext, out: Path, shard: Shard, people: pl.DataFrame, extra: tuple[str, ...]
) -> dict[str, Any]:
    plan = ctx.plan
    parts: dict[str, list[pl.DataFrame]] = {}
    lbs = plan.local_bodies.filter(pl.col("local_body_code").is_in(list(shard.local_bodies))).sort("local_body_code")
    for lb in lbs.iter_rows(named=True):
        code = lb["local_body_code"]
        wards = plan.wards.filter(pl.col("local_body_code") == code).sort("ward_code")
        rows = people.filter(pl.col("local_body_code") == code)
        for name, frame in local_body_frames(ctx, lb, wards, rows).items():
            parts.setdefault(name, []).append(frame)
    frames = {name: pl.concat(fs, how="vertical") for name, fs in parts.items()}
    tables = render(ctx, frames)
    if extra:
        extras = people.filter(pl.col("local_body_code").is_in(list(shard.local_bodies))).select("person_id", *extra)
        tables["people"] = tables["people"].join(extras, on="person_id", how="left", maintain_order="left")
    redrawn = frames["_names_redrawn"].group_by("table").agg(pl.col("entries", "redrawn").sum())
    return {**write_tables(out, shard, tables), "names_redrawn": {r["table"]: r for r in redrawn.to_dicts()}}


NAME_COLUMNS = {"people": "name", "electoral_roll": "name", "caller_id": "label"}  # where full names are published


def _identifier_overlap(
    out: Path, files: Mapping[str, str], learner: LearnedPopulation, redrawn: Mapping[str, Mapping[str, int]]
) -> dict[str, Any]:
    """Phone numbers and full names of the table found in the world (both must be none), and the share of
    names drawn again because they were the table's (``redrawn``: entries and redrawn per table)."""
    phones = []
    names_found = 0
    banned = learner.names_.implode()
    for rel in files:
        table_name = rel.split("/", 1)[0]
        if table_name not in TABLES or not rel.endswith(".parquet"):
            continue
        path = out / rel
        columns = pl.read_parquet_schema(path)
        for col in ["phone", "contact_phone"]:
            if col in columns:
                phones.append(pl.read_parquet(path, columns=[col])[col])
        if table_name in NAME_COLUMNS and len(learner.names_):
            found = pl.scan_parquet(path).select(normal_name(pl.col(NAME_COLUMNS[table_name])).is_in(banned).sum())
            names_found += int(found.collect().item())
    numbers = (
        np.unique(np.concatenate([p.drop_nulls().str.slice(3).cast(pl.Int64).to_numpy() for p in phones]))
        if phones
        else np.zeros(0, dtype=np.int64)
    )
    return {
        "input_phones": len(learner.phones_),
        "input_phones_in_output": int(np.isin(learner.phones_, numbers).sum()),
        "input_name_columns": list(learner.name_columns_),
        "input_names": len(learner.names_),
        "input_names_in_output": names_found,
        "names_redrawn": {
            table: {**counts, "share": counts["redrawn"] / max(1, counts["entries"])}
            for table, counts in sorted(redrawn.items())
        },
    }


def build_learned_world(
    table: pl.DataFrame,
    out: str | Path,
    rows: int,
    seed: int,
    metadata: Mapping[str, Any] | None = None,
    rules: Mapping[str, str] | None = None,
    model: str = "gaussian_copula",
    epochs: int = 300,
    preset: str = "kerala-2026",
    phone_plan: str | None = None,
    source: Mapping[str, Any] | None = None,
    fidelity: FidelitySizes | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Learn a population from ``table`` and write a world of ``rows`` people to ``out``; return its manifest.

    Parameters
    ----------
    table
        One row per person (see :mod:`synth.world.learned` for the columns it needs).
    out
        Output folder: new or empty. The world is written beside it and renamed into place at the end.
    rows
        People in the learned world.
    seed
        Seeds the model's sampling, every generator of the world and the quality samples.
    metadata, rules, model, epochs, preset
        See :class:`~synth.world.learned.LearnedPopulation`.
    phone_plan
        ``"safe"`` (default of the preset) or ``"realistic"``.
    source
        What to record about the table's origin (file name and SHA-256) in the manifest.
    fidelity
        Sample sizes of the quality and privacy figures.
    progress
        Called as ``progress(stage, done, total)``.

    Raises
    ------
    LearnError
        Every problem with the table, its metadata, rules or parameters (before any fitting), or rules
        that reject nearly every sampled row.
    OutputError
        ``out`` is a file or a folder that is not empty, or cannot be written.
    """
    out = Path(out)
    problems = []
    try:
        check_out(out)
    except OutputError as exc:
        problems.append(str(exc))
    try:
        WorldSpec(preset=preset, seed=seed if isinstance(seed, int) and seed >= 0 else 0, phone_plan=phone_plan)
    except SynthError as exc:
        problems.append(str(exc))
    learner = LearnedPopulation(metadata=metadata, rules=rules, model=model, epochs=epochs, seed=seed, preset=preset)
    problems.extend(learner.check(table, rows))
    if problems:
        raise LearnError("\n".join(dict.fromkeys(problems)))

    def tick(stage: str, done: int = 0, total: int = 0) -> None:
        if progress:
            progress(stage, done, total)

    tick("fitting")
    learner.fit(table)
    tick("sampling")
    sample = learner.sample(rows)
    start = time.perf_counter()
    people = person_frame(learner, sample)
    districts = tuple(sorted({code[1:3] for code in people["local_body_code"].unique().to_list()}))
    spec = WorldSpec(preset=preset, districts=districts, seed=seed, phone_plan=phone_plan)
    base = plan_world(spec)
    employee_code = len(base.demography.occupations)
    plan = learned_plan(base, people, registry_counts(people, employee_code))
    ctx = ShardContext(plan, excluded_phones=learner.phones_, excluded_names=learner.names_, population=rows)

    tmp = out.parent / f".{out.name}.learning-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        files: dict[str, str] = {}
        counts: dict[str, int] = {}
        redrawn: dict[str, dict[str, int]] = {}
        for i, shard in enumerate(plan.shards):
            tick("writing", i, len(plan.shards))
            record = _write_shard(ctx, tmp, shard, people, learner.columns_.extra)
            files.update(record["files"])
            for name, n in record["rows"].items():
                counts[name] = counts.get(name, 0) + int(n)
            for name, r in record["names_redrawn"].items():
                total = redrawn.setdefault(name, {"entries": 0, "redrawn": 0})
                total["entries"] += int(r["entries"])
                total["redrawn"] += int(r["redrawn"])
        tick("writing", len(plan.shards), len(plan.shards))
        geo = tmp / "geography"
        geo.mkdir()
        for name, frame in (("wards", plan.wards), ("local_bodies", plan.local_bodies)):
            path = geo / f"{name}.parquet"
            _atomic_parquet(path, frame)
            files[str(path.relative_to(tmp))] = sha256_file(path)
        derive_seconds = time.perf_counter() - start

        tick("evaluating")
        start = time.perf_counter()
        figures = evaluate(learner.input_, sample.select(learner.input_.columns), learner.sdtypes_, seed, fidelity)
        figures["privacy"]["identifiers"] = _identifier_overlap(tmp, files, learner, redrawn)
        evaluate_seconds = time.perf_counter() - start

        _atomic_json(tmp / "metadata.json", learner.metadata_)
        declared = {r.name: r.text for r in learner.rules_ if learner.rule_sources_[r.name] == "declared"}
        (tmp / "rules.toml").write_text(
            "# Rules declared for this learned world (the world's own rules are in manifest.json)\n[rules]\n"
            + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in declared.items())
        )
        for extra_file in ("metadata.json", "rules.toml"):
            files[extra_file] = sha256_file(tmp / extra_file)
        manifest = _manifest(plan, learner, sample, counts, files, figures, source, rows, seed)
        _atomic_json(tmp / MANIFEST, manifest)
        timings = {
            "fit_seconds": round(learner.fit_seconds_, 3),
            "sample_seconds": round(learner.sample_seconds_, 3),
            "derive_seconds": round(derive_seconds, 3),
            "evaluate_seconds": round(evaluate_seconds, 3),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _atomic_json(tmp / "timings.json", timings)
        check_out(out)
        if out.is_dir():
            out.rmdir()
        os.rename(tmp, out)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the learned world ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _manifest(
    plan: WorldPlan,
    learner: LearnedPopulation,
    sample: pl.DataFrame,
    counts: dict[str, int],
    files: dict[str, str],
    figures: dict[str, Any],
    source: Mapping[str, Any] | None,
    rows: int,
    seed: int,
) -> dict[str, Any]:
    phones = load_plan(plan.phone_plan)
    versions = _versions()
    for pkg in ("sdv", "sdmetrics", "rdt", "copulas"):
        try:
            versions[pkg] = importlib_metadata.version(pkg)
        except importlib_metadata.PackageNotFoundError:
            versions[pkg] = "unknown"
    cols = learner.columns_
    sampling = learner.sampling_
    registries_missing = [
        r for r in ("pensioners", "entrepreneurs", "womens_scheme") if r not in membership(cols.roles)
    ]
    not_derived = [f"{r}: empty; the table has no column saying who is a member" for r in registries_missing] + [
        "households: the table holds no households; families are formed by the world's household generator",
        "calibration targets (population, age structure, registry and roll sizes of the preset) do not apply: "
        "the learned world follows the table",
    ]
    learned = {
        "input": {**dict(source or {}), "rows": learner.input_.height, "columns": list(learner.input_.columns)},
        "columns": {
            "kinds": schema_kinds(learner.input_.schema),
            "roles": cols.roles,
            "geography": list(cols.geography),
            "extra": list(cols.extra),
            "identifiers": cols.identifiers,
            "dropped": cols.dropped,
            "sdtypes": learner.sdtypes_,
        },
        "model": {
            "name": learner.model,
            "epochs": learner.epochs if learner.model == "ctgan" else None,
            "fixed_combinations": learner.constraints_,
        },
        "seed": seed,
        "rows": rows,
        "rules": [
            {
                "name": r.name,
                "text": r.text,
                "source": learner.rule_sources_[r.name],
                "input_rows_breaking": learner.input_breaks_.get(r.name, 0),
                "sampled_rows_breaking": sampling["breaks"][r.name],
            }
            for r in learner.rules_
        ],
        "sampling": {k: v for k, v in sampling.items() if k != "breaks"},
        "quality": figures["quality"],
        "privacy": figures["privacy"],
        "derived": DERIVED,
        "not_derived": not_derived,
    }
    return _clean(
        {
            "build": {**spec_record(plan), "kind": KIND, "format_version": FORMAT_VERSION},
            "versions": versions,
            "reference_date": plan.preset.reference_date.isoformat(),
            "roll_qualifying_date": plan.preset.roll_qualifying_date.isoformat(),
            "phone_plan": {"name": phones.name, "numbers": phones.size, "blocks": len(phones.starts)},
            "targets": plan.targets,
            "shortfall": {},
            "shards": [s.key for s in plan.shards],
            "rows": dict(sorted(counts.items())),
            "files": dict(sorted(files.items())),
            "learned": learned,
        }
    )


def read_table(path: str | Path) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Read a Parquet or CSV table; return it and what the manifest records of it (name, SHA-256).

    Raises
    ------
    LearnError
        The file is missing, not Parquet or CSV, or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise LearnError(f"{path}: table not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif suffix == ".csv":
            frame = pl.read_csv(path, infer_schema_length=None)
        else:
            raise LearnError(f"{path}: a table must be a .parquet or .csv file")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise LearnError(f"{path}: cannot read the table ({str(exc).splitlines()[0]})") from None
    return frame, {"file": path.name, "sha256": sha256_file(path)}


PERSON_ROLES = ("sex", "age", "community", "marital_status", "disabled", "occupation")  # people columns, as they are
DEFAULT_ROLES = {
    role: role for role in (*PERSON_ROLES, "ration_card", "pension_scheme", "employee", "entrepreneur", "womens_scheme")
}
DEFAULT_GEOGRAPHY = ("district", "taluk", "local_body", "ward")
PLACE_CODES = ("district_code", "taluk_code", "local_body_code", "ward_code")
IDENTIFIERS = ("name", "phone")  # given with identifiers=True


def people_table(world: World, identifiers: bool = False) -> pl.LazyFrame:
    """A world as a table of people in the form the learner reads: one row per person.

    For a learned world, the columns (and their kinds) of the table it was learned from; for any other
    world, ``district``, ``taluk``, ``local_body``, ``ward``, ``sex``, ``age``, ``community``,
    ``marital_status``, ``disabled``, ``occupation``, ``ration_card``, ``pension_scheme`` (``none`` for
    no pension), ``employee``, ``entrepreneur`` and ``womens_scheme``. Places come from the world's
    geography, registry columns from its registries (a ``registry`` column holds a person's first
    registry, in the order employees, pensioners, entrepreneurs, women's scheme), the ration card from
    the household. With ``identifiers``, ``name`` and ``phone`` come first (direct identifiers, which
    the learner never learns).

    Parameters
    ----------
    world
        Any world, built or learned.
    identifiers
        Add the ``name`` and ``phone`` columns of the world's people.

    Returns
    -------
    polars.LazyFrame
        One row per person of the world.

    Examples
    --------
    >>> people_table(open_world("out/wayanad"), identifiers=True).collect()  # doctest: +SKIP
    """
    learned = world.manifest.get("learned", {}).get("columns")
    roles: dict[str, str] = learned["roles"] if learned else DEFAULT_ROLES
    geography = learned["geography"] if learned else list(DEFAULT_GEOGRAPHY)
    kinds: dict[str, str] = learned["kinds"] if learned else {}
    people = world.people
    names = people.collect_schema().names()
    extra = [c for c in learned["extra"] if c in names] if learned else []
    members = {
        registry: world.table(registry).select("person_id").unique().with_columns(pl.lit(True).alias(f"_{registry}"))
        for registry in ("employees", "entrepreneurs", "womens_scheme")
    }
    pensions = world.table("pensioners").select("person_id", _scheme=pl.col("scheme").cast(pl.String))
    places = world.place_names().lazy().select("ward_code", "district", "taluk", "local_body", "ward")
    view = (
        people.select("person_id", "household_id", *PLACE_CODES, *PERSON_ROLES, *IDENTIFIERS, *extra)
        .join(
            world.households.select("household_id", "ration_card"), on="household_id", how="left", maintain_order="left"
        )
        .join(places, on="ward_code", how="left", maintain_order="left")
        .join(pensions, on="person_id", how="left", maintain_order="left")
    )
    for frame in members.values():
        view = view.join(frame, on="person_id", how="left", maintain_order="left")
    view = view.with_columns(pl.col(f"_{r}").fill_null(False) for r in members)
    source = {
        **{
            role: pl.col(role) if role in ("age", "disabled") else pl.col(role).cast(pl.String) for role in PERSON_ROLES
        },
        "ration_card": pl.col("ration_card").cast(pl.String),
        "pension_scheme": pl.col("_scheme").fill_null(NONE),
        "employee": pl.col("_employees"),
        "entrepreneur": pl.col("_entrepreneurs"),
        "womens_scheme": pl.col("_womens_scheme"),
        "registry": pl.when(pl.col("_employees"))
        .then(pl.lit("employees"))
        .when(pl.col("_scheme").is_not_null())
        .then(pl.lit("pensioners"))
        .when(pl.col("_entrepreneurs"))
        .then(pl.lit("entrepreneurs"))
        .when(pl.col("_womens_scheme"))
        .then(pl.lit("womens_scheme"))
        .otherwise(pl.lit(NONE)),
    }
    casts = {"number": None, "text": pl.String, "bool": pl.Boolean}
    columns = {c: pl.col(c) for c in IDENTIFIERS} if identifiers else {}
    for column in geography:
        columns[column] = pl.col(column)
    for role, column in roles.items():
        columns[column] = source[role]
    for column in extra:
        columns[column] = pl.col(column)
    if learned:  # the table's own column order
        order = world.manifest["learned"]["input"]["columns"]
        columns = dict(sorted(columns.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else -1))
    exprs = []
    for column, expr in columns.items():
        target = casts.get(kinds.get(column, ""))
        exprs.append((expr.cast(target, strict=False) if target is not None else expr).alias(column))
    return view.select(*exprs)
