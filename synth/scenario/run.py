"""Run a scenario: build or reuse its world, run every seed x policy x attack cell, write the results.

Output folder::

    results.parquet                 one tidy row per scenario, seed, policy, attack, group, measure
    results.json                    the same rows ("results"), the policies ranked ("ranking"), the policy
                                    recommended for each purpose ("recommendations"), the what-if ("whatif"):
                                    synth.measure.decision; with a search, its frontier ("search")
    timings.parquet                 figures measured on this machine (hash rates), which vary by run
    notes.json                      what could not be measured, and why
    scenario.toml                   the scenario file as given; scenario.resolved.json as validated
    releases/POLICY.parquet         the attacker's view of each policy's release (first seed)
    truth/POLICY.parquet            its hidden truth (row_id -> person_id), kept apart
    cells/seed=S/POLICY/UNIT.parquet  finished cells; an interrupted run resumes from them
    cells/seed=S/POLICY/costs.parquet what each unit cost (wall and CPU seconds, peak memory), into timings.parquet
    search/                         the searched frontier, with [search] (synth.scenario.search_run)
    report.html                     the report (synth.report)

Every cell's randomness comes from (seed, attack), so the results are the same in any order, in one
process or several, and policies are compared on the same draws.

The costly parts of attacks (the links of exact and probabilistic linkage, attribute inference's predictions,
singling out's counts) are kept under the content key of their inputs in a result store beside the world cache
(``CACHE/reuse/<digest of this code and its libraries>/KEY.parquet``, :func:`synth.engine.io.store_folder`), so
that another policy, seed, scenario or a rerun into another folder reads them back instead of computing them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from synth.attacks.registry import ATTACKS, run_order
from synth.engine import Engine, as_engine, resolve_out, run_tasks
from synth.engine.executors import shared_cluster
from synth.engine.freed_memory import give_back_freed_memory
from synth.engine.io import Progress, ResultStore, atomic_parquet, atomic_text, clean_temporaries, store_folder
from synth.engine.meter import Cost, metered
from synth.errors import OutputError, PolicyError, RunInterrupted, SpecError
from synth.measure.curve import curve_json, curve_points
from synth.measure.decision import decide_run
from synth.measure.names import COSTS, TIMED
from synth.measure.results import RESULT_SCHEMA
from synth.release.build import make_release
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scenario.cells import (
    CellContext,
    ChainState,
    leak,
    minimized_for,
    rng_for,
    run_cell,
    sample_sources,
)
from synth.scenario.chain_files import cleared, passes_through, read_state, write_state
from synth.scenario.composed_run import run_composed
from synth.scenario.run_folder import MARKER, check_out, key_fingerprints
from synth.scenario.schedule import submission_order
from synth.scenario.search_run import run_search
from synth.scenario.sensitivity_run import run_settings
from synth.scenario.spec import Scenario
from synth.scenario.world_table import WorldRef
from synth.scoring.breakdown import strata
from synth.version import __version__
from synth.world.api import World, open_world
from synth.world.build import build_world, cache_key

REUSE = "reuse"  # the result store's folder in the world cache
BUILT = "built"  # CellContext.cache: what building the context cost, until the group that built it records it


@dataclass(frozen=True)
class RunResult:
    """Where the run wrote, its tidy results and its notes."""

    out: Path
    results: pl.DataFrame
    notes: tuple[str, ...]


def run_scenario(
    scenario: Scenario,
    out: str | Path,
    workers: int | Engine = 1,
    progress: Progress | None = None,
    cache: str | Path | None = None,
    world_progress: Progress | None = None,
    reuse: bool | str | Path = True,
) -> RunResult:
    """Run every cell of ``scenario`` into ``out`` (resuming finished cells) and write the results.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`synth.scenario.load_scenario`).
    out
        Output folder (a path or a ``file://`` URL): new, empty, or holding an unfinished run of the same
        scenario. With a Dask scheduler, a folder every worker sees at the same path.
    workers
        Where cells run: 1 in this process, N > 1 a local Dask cluster of N worker processes, or an
        :class:`~synth.engine.Engine` (an existing Dask scheduler); the results do not depend on it.
        The world, when the run builds it, is built on the same engine.
    progress
        Optional callback ``progress(done, total, cell)``.
    cache
        Where built worlds are kept between runs (default ``$SYNTH_CACHE`` or ``~/.cache/synth/worlds``).
    reuse
        Where the costly parts of attacks (the links of exact and probabilistic linkage, attribute inference's
        predictions, singling out's counts) are kept under the content key of their inputs and read back by every
        policy, seed, scenario and rerun whose inputs are equal: ``True`` (default) the result store beside the world
        cache (``CACHE/reuse/``, :func:`synth.engine.io.store_folder`), a folder that store's root, ``False`` nothing
        kept. The results are the same either way (tests compare them); only the time differs.
    world_progress
        Optional callback ``progress(done, total, shard)`` while the run builds its world (not called for a world
        already built).
    """
    engine = as_engine(workers)
    folder = resolve_out(out)
    try:
        with shared_cluster(engine):  # one cluster for the world's build, the cells and any settings run after
            return _run(scenario, folder, engine, progress, cache, world_progress, reuse)
    except (KeyboardInterrupt, RunInterrupted):  # a run of a search or sensitivity's setting, inside: named here
        clean_temporaries(folder)
        resume = "Run the same command again to resume, or delete the folder."
        raise RunInterrupted(f"{folder}: run interrupted; the cells that finished are kept there. {resume}") from None


def _run(
    scenario: Scenario,
    out: Path,
    engine: Engine,
    progress: Progress | None,
    cache: str | Path | None,
    world_progress: Progress | None,
    reuse: bool | str | Path,
) -> RunResult:
    store = store_for(reuse, cache)  # checked before anything is written
    out = _prepare_out(out, scenario)
    world = _world(scenario.world, engine, cache, world_progress)
    resolved = _resolved(scenario, world)
    _write_text(out / MARKER, json.dumps(resolved, indent=2, sort_keys=True))
    if Path(scenario.source).is_file():
        _write_text(out / "scenario.toml", Path(scenario.source).read_text())
    if scenario.releases:
        results, composed_notes = run_composed(scenario, world, out, engine, progress)
        return RunResult(out=out, results=results, notes=tuple(composed_notes))
    groups = submission_order(scenario.policies, scenario.seeds)
    args = [(scenario, str(world.path), str(out), seed, i, store) for seed, i in groups]
    finished = [0]

    def group_done(i: int, _: list[str]) -> None:
        finished[0] += 1
        if progress:
            seed, index = groups[i]
            progress(finished[0], len(args), f"seed {seed} / {scenario.policies[index].id}")

    # one task per seed and policy (its cells share the release); notes are kept in the scenario's order
    names = [f"seed{seed}-{scenario.policies[i].id}" for seed, i in groups]
    group_notes = run_tasks(engine, _run_group, [(a,) for a in args], names, on_result=group_done)
    by_group = dict(zip(groups, group_notes, strict=True))
    notes = [note for seed in scenario.seeds for i in range(len(scenario.policies)) for note in by_group[seed, i]]
    everything = collect(out, scenario)
    timed = pl.col("measure").is_in(list(TIMED))
    results, timings = everything.filter(~timed), pl.concat([everything.filter(timed), collect_costs(out, scenario)])
    _write_parquet(out / "results.parquet", results)
    _write_parquet(out / "timings.parquet", timings)
    decision = decide_run(results, resolved, notes)
    everything_json: dict[str, Any] = {"results": results.to_dicts(), **decision.to_dict()}
    everything_json["curve"] = curve_json(curve_points(results, resolved, notes))
    _write_text(out / "notes.json", json.dumps(notes, indent=1))
    if scenario.search is not None:  # results.json then carries the frontier too

        def phase(name: str) -> Progress | None:
            if progress is None:
                return None
            return lambda done, total, cell: progress(done, total, f"search {name}: {cell}")

        everything_json["search"] = run_search(
            scenario,
            Path(world.path),
            out,
            lambda s, o: run_scenario(
                s, o, engine, phase("frontier" if o.parent.name == "frontier" else "screen"), cache, reuse=reuse
            ),
        )
    if scenario.sensitivity is not None:

        def setting(s: Scenario, o: Path) -> None:
            told = None if progress is None else (lambda d, t, c: progress(d, t, f"sensitivity {o.name}: {c}"))
            run_scenario(s, o, engine, told, cache, reuse=reuse)

        everything_json["sensitivity"] = run_settings(scenario, out, setting)
    _write_text(out / "results.json", json.dumps(everything_json, indent=1, allow_nan=False))
    return RunResult(out=out, results=results, notes=tuple(notes))


def units(scenario: Scenario) -> list[str]:
    """What runs in every cell, in order: release measures, utility, then the attacks."""
    return ["release", "utility", *run_order(scenario.attacks)]


def collect(out: Path, scenario: Scenario) -> pl.DataFrame:
    """Every finished cell's rows, in the scenario's order of seeds, policies and units."""
    frames = [
        pl.read_parquet(path)
        for seed in scenario.seeds
        for policy in scenario.policies
        for unit in units(scenario)
        if (path := _cell_path(out, seed, policy.id, unit)).is_file()
    ]
    if not frames:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    return pl.concat(frames)


def collect_costs(out: Path, scenario: Scenario) -> pl.DataFrame:
    """What every unit of every finished group cost where it ran (``attack`` is the unit, or ``context`` for
    building the export, the leak and the sources in a process), in the scenario's order."""
    frames = [
        pl.read_parquet(path)
        for seed in scenario.seeds
        for policy in scenario.policies
        if (path := _cell_path(out, seed, policy.id, "costs")).is_file()
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=RESULT_SCHEMA)


def _cost_rows(scenario: str, seed: int, policy: str, unit: str, cost: Cost) -> pl.DataFrame:
    values = (cost.wall_seconds, cost.cpu_seconds, float(cost.peak_rss_bytes), float(cost.peak_is_exact))
    rows = [(scenario, seed, policy, unit, "all", m, v, None, None) for m, v in zip(COSTS, values, strict=True)]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


def _run_group(args: tuple[Scenario, str, str, int, int, str | None]) -> list[str]:
    """One seed and one policy: every unit, each written as a cell file once finished (``store``: the result
    store's folder, None for none)."""
    scenario, world_path, out_text, seed, index, store = args
    out, policy = Path(out_text), scenario.policies[index]
    todo = [u for u in units(scenario) if not _cell_path(out, seed, policy.id, u).is_file()]
    notes_path = out / "cells" / f"seed={seed}" / policy.id / "notes.json"
    # notes by unit: a unit rerun after an interruption replaces its notes instead of adding them again
    notes = _read_notes(notes_path)
    costs_path = _cell_path(out, seed, policy.id, "costs")
    # by unit: a unit rerun after an interruption replaces its cost instead of adding a second
    costs = dict(pl.read_parquet(costs_path).partition_by("attack", as_dict=True)) if costs_path.is_file() else {}
    if todo:
        ctx = _context(scenario, world_path, seed)
        if (built := ctx.cache.pop(BUILT, None)) is not None:  # this group built it (the next ones keep it)
            costs[("context",)] = _cost_rows(scenario.id, seed, policy.id, "context", built)
        try:
            with metered() as meter:
                minimized = minimized_for(ctx, policy)
        except (PolicyError, SpecError) as exc:
            notes["policy"] = [f"{policy.id}: the policy could not be applied: {exc}"]
            _write_text(notes_path, json.dumps(notes))
            for unit in todo:
                _write_parquet(_cell_path(out, seed, policy.id, unit), pl.DataFrame(schema=RESULT_SCHEMA))
            return _flat(notes, scenario)
        costs[("policy",)] = _cost_rows(scenario.id, seed, policy.id, "policy", meter.cost)
        if seed == scenario.seeds[0]:
            _write_parquet(out / "releases" / f"{policy.id}.parquet", minimized.view.data)
            _write_parquet(out / "truth" / f"{policy.id}.parquet", minimized.truth)
        folder = out / "cells" / f"seed={seed}" / policy.id
        state, aside = read_state(folder) or ChainState.start(minimized), False
        memo = ResultStore(Path(store)) if store is not None else None
        for unit in todo:
            params = scenario.purposes if unit == "utility" else scenario.attacks.get(unit)
            if passes_through(unit) != aside:  # the state waits in its files while units that never look at it run
                aside = not aside
                state = cleared(state) if aside else read_state(folder) or ChainState.start(minimized)
            with metered() as meter:
                cell, state = run_cell(ctx, policy, minimized, unit, params, state, memo)
            costs[(unit,)] = _cost_rows(scenario.id, seed, policy.id, unit, meter.cost)
            notes[unit] = list(cell.notes)
            if unit in ATTACKS and ATTACKS[unit].adds:  # the others read the knowledge and leave it as it was
                write_state(folder, state)
            _write_text(notes_path, json.dumps(notes))
            _write_parquet(_cell_path(out, seed, policy.id, unit), cell.rows)
            _write_parquet(costs_path, pl.concat(costs.values()))
            give_back_freed_memory()  # so that no unit starts above what the previous one kept
    return _flat(notes, scenario)


def _read_notes(path: Path) -> dict[str, list[str]]:
    return dict(json.loads(path.read_text())) if path.is_file() else {}


def _flat(notes: dict[str, list[str]], scenario: Scenario) -> list[str]:
    """Notes in the order of the units (the policy's own note first)."""
    return [n for key in ("policy", *units(scenario)) for n in notes.get(key, [])]


@lru_cache(maxsize=2)
def _world_at(path: str) -> World:
    return open_world(path)


_CONTEXTS: dict[tuple[object, ...], CellContext] = {}


def _context(scenario: Scenario, world_path: str, seed: int) -> CellContext:
    """The export, its leaked part and the attacker's sources for one seed (kept for the next policy).

    Kept under everything it is made of, not the scenario's id alone: two scenarios of one id that export
    other fields, leak another share or grant other sources (a scenario edited and rerun in one process)
    must not share it.
    """
    key = (
        scenario.id,
        world_path,
        seed,
        repr(scenario.release),
        scenario.onward_leak,
        tuple(scenario.sources),
        tuple(sorted(dict(scenario.coverage).items())),
    )
    if key not in _CONTEXTS:
        _CONTEXTS.clear()
        with metered() as meter:
            _CONTEXTS[key] = _build_context(scenario, world_path, seed)
        _CONTEXTS[key].cache[BUILT] = meter.cost
    return _CONTEXTS[key]


def _build_context(scenario: Scenario, world_path: str, seed: int) -> CellContext:
    world = _world_at(world_path)
    release = make_release(world, scenario.release)
    leaked = leak(release, scenario.onward_leak, rng_for(seed, "onward_leak"))
    aux = sample_sources(
        auxiliary_from_world(world, scenario.sources), dict(scenario.coverage), rng_for(seed, "coverage")
    )
    roll_truth = world.table("roll_truth").collect()
    return CellContext(scenario.id, world, release, leaked, aux, roll_truth, seed, strata(world, leaked))


def _cell_path(out: Path, seed: int, policy: str, unit: str) -> Path:
    return out / "cells" / f"seed={seed}" / policy / f"{unit}.parquet"


def _world(ref: WorldRef, workers: Engine, cache: str | Path | None, progress: Progress | None = None) -> World:
    if ref.path is not None:
        return open_world(ref.path)
    folder = _cache_root(cache) / cache_key(ref.spec)
    build_world(ref.spec, folder, workers=workers, progress=progress)
    return open_world(folder)


def _cache_root(cache: str | Path | None) -> Path:
    """The world cache: ``cache``, else ``$SYNTH_CACHE``, else ``~/.cache/synth/worlds``."""
    return resolve_out(cache or os.environ.get("SYNTH_CACHE") or Path.home() / ".cache" / "synth" / "worlds", "--cache")


def store_for(reuse: bool | str | Path, cache: str | Path | None) -> str | None:
    """The result store's folder for this code (see :func:`run_scenario`'s ``reuse``), None where nothing is kept.

    Raises
    ------
    OutputError
        ``reuse`` names a file, or an object store (which has no atomic rename).
    """
    if reuse is False:
        return None
    root = _cache_root(cache) / REUSE if reuse is True else resolve_out(reuse, "--reuse")
    if root.exists() and not root.is_dir():
        raise OutputError(f"{root}: exists and is not a folder; the result store needs a folder")
    return str(store_folder(root))


def _resolved(scenario: Scenario, world: World) -> dict[str, Any]:
    variants = {p.id for p in scenario.whatif.policies} if scenario.whatif else set()
    points = {p.id for p in scenario.curve.policies} if scenario.curve else set()
    return {
        "scenario": json.loads(json.dumps(dict(scenario.raw), default=str)),  # TOML dates as ISO text
        "policies": [
            {
                "id": p.id,
                "description": p.description,
                "releases": p.releases,
                "safeguards": p.safeguards(),
                "steps": [repr(step) for step in p.steps],
                **({"whatif": True} if p.id in variants else {}),
                **({"curve": True} if p.id in points else {}),
            }
            for p in scenario.policies
        ],
        "whatif": (
            {"base": scenario.whatif.base, "items": [dataclasses.asdict(w) for w in scenario.whatif.items]}
            if scenario.whatif
            else None
        ),
        "curve": (
            {"base": scenario.curve.base, "points": [dataclasses.asdict(c) for c in scenario.curve.points]}
            if scenario.curve
            else None
        ),
        "releases": [
            {
                "id": r.id,
                "registries": list(r.spec.registries),
                "fields": list(r.spec.fields),
                "policy": r.policy.id,
                "steps": [repr(step) for step in r.policy.steps],
                "key": r.key,  # a name: the secret is never written
                "onward_leak": r.onward_leak,
            }
            for r in scenario.releases
        ],
        "purposes": list(scenario.purposes),
        "keep": dict(scenario.keep),
        "world_path": str(world.path),
        "world_manifest_spec": world.manifest["build"]["spec"],
        "synth_version": __version__,
        "key_fingerprints": key_fingerprints(scenario),
    }


def _prepare_out(out: Path, scenario: Scenario) -> Path:
    check_out(out, scenario)
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _write_parquet(path: Path, frame: pl.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_parquet(path, frame)


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_text(path, text)
