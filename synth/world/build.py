"""Build a world: shard plan -> executor -> partitioned Parquet + manifest.

Layout of a world folder::

    DIR/manifest.json                          written last; a folder without it is not a world
    DIR/<table>/district=<code>/part-<shard>.parquet
    DIR/geography/{wards,local_bodies}.parquet
    DIR/_shards/<shard>.json                   per-shard row counts and checksums (resume)
    DIR/_shards/<shard>-roll.json              the same for a shard's roll, where entries move across districts
    DIR/_stage/<shard>-*.parquet               staged rolls, leavers and addresses of those builds (phase 1)
    DIR/_build.json                            present while a build is unfinished

Where the world holds two districts or more, entries of the roll move across districts, so a build runs in two
phases: every shard's tables with its roll staged, then every shard's roll with the entries of other districts
listed at its households (:mod:`synth.world.district_moves`).

Every file is written under a temporary name and renamed into place, so a file is either whole
or absent. An interrupted build resumes: steps whose files verify against their checksums are
kept, the rest are rebuilt. A folder that holds a different world is never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from synth.core.numbering import PLANS, load_plan
from synth.core.paths import PHONE_PLAN_DIR
from synth.engine import Engine, as_engine, resolve_out, run_tasks
from synth.engine.executors import client_for
from synth.engine.io import (
    PACKAGE_ROOT,
    Progress,
    atomic_json,
    atomic_parquet,
    check_empty_or_new,
    clean_temporaries,
    sha256_file,
    source_digest,
    versions,
)
from synth.errors import BuildInterrupted, OutputError, WorkerLost
from synth.version import __version__
from synth.world.district_moves import STAGE_DIR, arrivals, crosses_districts, listed_roll, stage_roll
from synth.world.generate import generate_local_body
from synth.world.plan import Shard, WorldPlan, WorldSpec, plan_world
from synth.world.render import render, render_roll
from synth.world.roll_moves import with_moves
from synth.world.shard_context import TABLES, ShardContext

MANIFEST = "manifest.json"
BUILD_MARKER = "_build.json"
SHARD_DIR = "_shards"
ROLL_RECORD = "-roll"  # _shards/<shard>-roll.json: a shard's phase 2 (its roll, where entries move across districts)
FORMAT_VERSION = 1


@cache
def generator_sha256() -> str:
    """A digest of the code and data that generate a world (every file of ``synth.world`` and ``synth.core``), so
    that a world cached by an older generator is never taken for one this code would build."""
    return source_digest(PACKAGE_ROOT, ("world", "core"))


def cache_key(spec: WorldSpec) -> str:
    """The folder name under which a world of ``spec`` is cached: the preset's name (never its path) and a digest
    of everything that identifies the world (:func:`spec_record`: spec, preset and phone plan contents, versions)
    and of the generator's code, so that a changed preset or generator builds a world of its own."""
    plan = plan_world(spec)  # not the cached plan: the preset's files are read as they are now
    record = {k: v for k, v in spec_record(plan).items() if k != "local_bodies"}
    text = json.dumps({**record, "generator_sha256": generator_sha256()}, sort_keys=True, default=str)
    return f"{plan.preset.name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def spec_record(plan: WorldPlan) -> dict[str, Any]:
    """What identifies a world: the spec, the preset's content and the code's format version."""
    preset_hash = hashlib.sha256()
    preset_hash.update(json.dumps(plan.preset.params, sort_keys=True, default=str).encode())
    for key in sorted(plan.preset.tables):
        preset_hash.update(plan.preset.tables[key].write_csv().encode())
    return {
        "format_version": FORMAT_VERSION,
        "synth_version": __version__,
        "spec": plan.spec.to_dict(),
        "preset": plan.preset.name,
        "preset_sha256": preset_hash.hexdigest(),
        "phone_plan": plan.phone_plan,
        "phone_plan_sha256": sha256_file(PHONE_PLAN_DIR / PLANS[plan.phone_plan]),
        "local_bodies": plan.local_bodies["local_body_code"].to_list(),
    }


@cache
def _plan_for(spec: WorldSpec) -> WorldPlan:
    return plan_world(spec)


def shard_frames(plan: WorldPlan, shard: Shard) -> tuple[ShardContext, dict[str, pl.DataFrame]]:
    """Generate the integer-coded frames of one shard, with its moves within the district (no I/O)."""
    ctx = ShardContext(plan)
    lbs = plan.local_bodies.filter(pl.col("local_body_code").is_in(list(shard.local_bodies)))
    parts: dict[str, list[pl.DataFrame]] = {}
    for lb in lbs.sort("local_body_code").iter_rows(named=True):
        wards = plan.wards.filter(pl.col("local_body_code") == lb["local_body_code"]).sort("ward_code")
        for name, frame in generate_local_body(ctx, lb, wards).items():
            parts.setdefault(name, []).append(frame)
    frames = {name: pl.concat(fs, how="vertical") for name, fs in parts.items()}
    return ctx, with_moves(frames, ctx, shard)


def _rendered(ctx: ShardContext, frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    tables = render(ctx, frames)
    tables["_shortfall"] = frames["_shortfall"].group_by("registry").agg(pl.col("missing").sum()).sort("registry")
    return tables


def build_shard(plan: WorldPlan, shard: Shard) -> dict[str, pl.DataFrame]:
    """Generate and render the tables of one shard (no I/O), its roll as the moves within its district leave it
    (moves across districts are the build's second phase, :mod:`synth.world.district_moves`)."""
    return _rendered(*shard_frames(plan, shard))


def write_tables(out: Path, shard: Shard, tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    """Write a shard's tables (those of :data:`TABLES` it has) as ``<table>/district=<code>/part-<shard>.parquet``;
    their checksums and rows."""
    record: dict[str, dict[str, Any]] = {"files": {}, "rows": {}}
    for name in (t for t in TABLES if t in tables):
        folder = out / name / f"district={shard.district_code}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part-{shard.key}.parquet"
        atomic_parquet(path, tables[name])
        record["files"][str(path.relative_to(out))] = sha256_file(path)
        record["rows"][name] = tables[name].height
    return record


def _write_shard(out: Path, plan: WorldPlan, shard: Shard) -> dict[str, Any]:
    """Phase 1 of a shard: every table, and its roll too unless entries move across districts (then staged)."""
    ctx, frames = shard_frames(plan, shard)
    staged: dict[str, str] = {}
    if crosses_districts(plan):
        frames, staged = stage_roll(out / STAGE_DIR, ctx, shard, frames)
    tables = _rendered(ctx, frames)
    record: dict[str, Any] = {
        "shard": shard.key,
        "district_code": shard.district_code,
        **write_tables(out, shard, tables),
        "staged": staged,
    }
    record["shortfall"] = dict(
        zip(tables["_shortfall"]["registry"].to_list(), tables["_shortfall"]["missing"].to_list(), strict=True)
    )
    atomic_json(out / SHARD_DIR / f"{shard.key}.json", record)
    return record


def _write_roll(out: Path, plan: WorldPlan, shard: Shard, arriving: pl.DataFrame) -> dict[str, Any]:
    """Phase 2 of a shard: its roll with the entries of other districts (``arriving``) listed at its households."""
    ctx = ShardContext(plan)
    roll, truth = listed_roll(out / STAGE_DIR, ctx, shard, arriving)
    record = {"shard": shard.key, **write_tables(out, shard, render_roll(ctx, roll, truth))}
    atomic_json(out / SHARD_DIR / f"{shard.key}{ROLL_RECORD}.json", record)
    return record


def _run_shard(spec: WorldSpec, out: str, key: str) -> dict[str, Any]:
    """One shard, as a task of a Dask worker: the plan is rebuilt (and cached) in the worker."""
    plan = _plan_for(spec)
    shard = next(s for s in plan.shards if s.key == key)
    return _write_shard(Path(out), plan, shard)


def _run_roll(spec: WorldSpec, out: str, key: str, arriving: pl.DataFrame) -> dict[str, Any]:
    """One shard's roll (phase 2), as a task of a Dask worker."""
    plan = _plan_for(spec)
    shard = next(s for s in plan.shards if s.key == key)
    return _write_roll(Path(out), plan, shard, arriving)


def _verified(out: Path, shard: Shard, suffix: str = "") -> dict[str, Any] | None:
    path = out / SHARD_DIR / f"{shard.key}{suffix}.json"
    try:
        record: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    for rel, digest in {**record.get("files", {}), **record.get("staged", {})}.items():
        file = out / rel
        if not file.is_file() or sha256_file(file) != digest:
            return None
    return record


def _prepare_folder(out: Path, record: dict[str, Any]) -> None:
    manifest, marker = out / MANIFEST, out / BUILD_MARKER
    for existing in (manifest, marker):
        if existing.is_file():
            try:
                other = json.loads(existing.read_text())
            except ValueError:
                raise OutputError(f"{existing}: unreadable; delete {out} or choose another folder") from None
            mine = {k: v for k, v in record.items() if k != "local_bodies"}
            theirs = {k: other.get("build", other).get(k) for k in mine}
            if theirs != mine or other.get("build", other).get("local_bodies") != record["local_bodies"]:
                raise OutputError(
                    f"{out}: holds a different world (spec {json.dumps(theirs.get('spec'))}); "
                    "refusing to overwrite it: choose another --out folder or delete this one"
                )
            return
    check_empty_or_new(out, "world")
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / SHARD_DIR).mkdir(exist_ok=True)
        atomic_json(marker, record)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write to the output folder ({exc.strerror or exc})") from None


def build_world(
    spec: WorldSpec,
    out: str | Path,
    workers: int | Engine = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build (or resume, or confirm) a world and return its manifest.

    Parameters
    ----------
    spec
        What to build (preset, geography, seed).
    out
        Output folder (a path or a ``file://`` URL): new, empty, or holding an unfinished build of the same
        spec. With a Dask scheduler, a folder every worker sees at the same path.
    workers
        Where shards are generated: 1 in this process, N > 1 a local Dask cluster of N worker processes,
        or an :class:`~synth.engine.Engine` (an existing Dask scheduler). The output is byte-identical
        on every engine.
    progress
        Called as ``progress(done, total, shard_key)`` after each shard.

    Raises
    ------
    SpecError
        A bad spec or worker count.
    OutputError
        The folder cannot be written, is full, or holds another world.
    BuildInterrupted
        The build stopped part-way; run the same build again to resume.
    """
    engine = as_engine(workers)
    out = resolve_out(out)
    plan = _plan_for(spec)
    record = spec_record(plan)
    _prepare_folder(out, record)
    manifest_path = out / MANIFEST
    if manifest_path.is_file():
        return dict(json.loads(manifest_path.read_text()))
    clean_temporaries(out)

    # A step is a shard's tables, or (where entries move across districts) a shard's tables and then its roll.
    phases = [("", _run_shard)] + ([(ROLL_RECORD, _run_roll)] if crosses_districts(plan) else [])
    steps = [(shard, suffix) for suffix, _ in phases for shard in plan.shards]
    unit = "shards" if len(phases) == 1 else "shard steps (each shard's tables, then its roll)"
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for shard, suffix in steps:
        if (done := _verified(out, shard, suffix)) is not None:
            records[shard.key, suffix] = done
    total = len(steps)
    if progress:
        progress(len(records), total, "")

    def complete() -> int:  # workers may finish in-flight steps
        return sum(_verified(out, shard, suffix) is not None for shard, suffix in steps)

    remote = engine.kind != "in_process"
    # largest first: the last steps of a phase, which one worker may run while the other waits, are short
    by_size = sorted(plan.shards, key=lambda shard: -shard.population)

    def run_phases(client: Any) -> None:
        for suffix, task in phases:
            todo = [shard for shard in by_size if (shard.key, suffix) not in records]
            if not todo:
                continue

            def step_done(_: int, rec: dict[str, Any], suffix: str = suffix) -> None:
                records[rec["shard"], suffix] = rec
                if progress:
                    progress(len(records), total, rec["shard"] + suffix)

            # phase 2 takes each shard's arrivals, read once here rather than by every step from every shard
            given = arrivals(out / STAGE_DIR, plan) if suffix == ROLL_RECORD else {}
            calls = [(spec, str(out.resolve()), s.key, *([given[s.key]] if given else [])) for s in todo]
            run_tasks(engine, task, calls, [s.key for s in todo], on_result=step_done, client=client)
            # workers elsewhere must have written where this machine reads (phase 2 reads what phase 1 staged)
            written = [rel for rec in records.values() for rel in {**rec["files"], **rec.get("staged", {})}]
            unseen = [rel for rel in written if remote and not (out / rel).is_file()]
            if unseen:
                raise OutputError(
                    f"{out}: the Dask workers wrote {len(unseen)} files this machine cannot see (first: {unseen[0]}); "
                    "--out must be a folder every worker and this machine share at the same path"
                )

    # one cluster for both phases (a local cluster costs seconds to start); one step left runs in this process.
    # A shard's worker peaks at about a gigabyte: keeping what it frees saves the kernel's page faults.
    many = remote and total - len(records) > 1
    cluster = client_for(engine, keep_freed_memory=True) if many else contextlib.nullcontext()
    try:
        with cluster as client:
            run_phases(client)
    except KeyboardInterrupt:
        clean_temporaries(out)
        raise BuildInterrupted(
            f"{out}: build interrupted; {complete()} of {total} {unit} are complete and verified. "
            "Run the same command again to resume, or delete the folder."
        ) from None
    except WorkerLost as exc:
        clean_temporaries(out)
        raise OutputError(
            f"{out}: {exc}; {complete()} of {total} {unit} are complete and verified. "
            "Run the same command again (with fewer --workers) to resume, or delete the folder."
        ) from None
    except OSError as exc:
        clean_temporaries(out)
        why = "no space left on the device" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise OutputError(
            f"{out}: cannot write the world ({why}); {len(records)} of {total} {unit} are complete and "
            "verified. Free space or fix the folder and run the same command to resume, or delete it."
        ) from None

    try:
        return _finish(out, plan, record, records)
    except OSError as exc:
        clean_temporaries(out)
        raise OutputError(
            f"{out}: cannot write the manifest ({exc.strerror or exc}); every shard is written and "
            "verified: run the same command again to finish"
        ) from None


def _finish(
    out: Path, plan: WorldPlan, record: dict[str, Any], records: dict[tuple[str, str], dict[str, Any]]
) -> dict[str, Any]:
    clean_temporaries(out)  # a write cut short by a lost Dask worker (its task was rerun elsewhere)
    geo = out / "geography"
    geo.mkdir(exist_ok=True)
    files: dict[str, str] = {}
    for name, frame in (("wards", plan.wards), ("local_bodies", plan.local_bodies)):
        path = geo / f"{name}.parquet"
        atomic_parquet(path, frame)
        files[str(path.relative_to(out))] = sha256_file(path)
    rows: dict[str, int] = {}
    shortfall: dict[str, int] = {}
    for key in sorted(records):
        files.update(records[key]["files"])
        for name, n in records[key]["rows"].items():
            rows[name] = rows.get(name, 0) + int(n)
        for name, n in records[key].get("shortfall", {}).items():
            shortfall[name] = shortfall.get(name, 0) + int(n)
    phones = load_plan(plan.phone_plan)
    manifest = {
        "build": record,
        "versions": versions(),
        "reference_date": plan.preset.reference_date.isoformat(),
        "roll_qualifying_date": plan.preset.roll_qualifying_date.isoformat(),
        "phone_plan": {"name": phones.name, "numbers": phones.size, "blocks": len(phones.starts)},
        "targets": plan.targets,
        "shortfall": shortfall,
        "shards": sorted({key for key, _ in records}),
        "rows": rows,
        "files": dict(sorted(files.items())),
    }
    atomic_json(out / MANIFEST, manifest)
    (out / BUILD_MARKER).unlink(missing_ok=True)
    shutil.rmtree(out / SHARD_DIR, ignore_errors=True)
    shutil.rmtree(out / STAGE_DIR, ignore_errors=True)
    return manifest
