"""Command line: ``synth world build``, ``synth world learn``, ``synth world validate``, ``synth list presets``.

Exit status: 0 success, 1 a validation failed, 2 bad input or an error that stopped the work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from synth.errors import SynthError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Synthetic citizens and breach simulation: build and validate synthetic populations.",
)
world_app = typer.Typer(no_args_is_help=True, help="Build and validate synthetic worlds.")
list_app = typer.Typer(no_args_is_help=True, help="List what is available.")
app.add_typer(world_app, name="world")
app.add_typer(list_app, name="list")
err = Console(stderr=True)
out = Console(width=None if Console().is_terminal else 160)


class Show(StrEnum):
    failed = "failed"
    all = "all"


def _bar(verb: str, disable: bool = False) -> Progress:
    """A progress bar on stderr, shown only on a terminal."""
    return Progress(
        TextColumn(f"[bold]{verb}[/] {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=disable or not err.is_terminal,
    )


def _fail(exc: Exception, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


WORKERS_HELP = "1: in this process; N > 1: a local Dask cluster of N worker processes (same output)."
SCHEDULER_HELP = "Address of an existing Dask scheduler (tcp://HOST:PORT) whose workers run the work (same output)."
OUT_HELP = "a path, or a file:// URL; with --scheduler, a folder every worker shares"
BUILD_OUT_HELP = f"Output folder: new, empty, or an unfinished build ({OUT_HELP})."
RUN_OUT_HELP = f"Output folder: new, empty, or an unfinished run ({OUT_HELP})."


def _engine(workers: int, scheduler: str | None, problems: list[str]) -> Any:
    """The executor of --workers and --scheduler, or None with the problems added."""
    from synth.engine import engine_problems, make_engine

    found = engine_problems(workers, scheduler, cli=True)
    problems += found
    return None if found else make_engine(workers, scheduler, cli=True)


def _out(text: str, problems: list[str]) -> Path | None:
    from synth.engine import resolve_out

    try:
        return resolve_out(text)
    except SynthError as exc:
        problems.append(str(exc))
        return None


def _build_with_bar(out_dir: Path, quiet: bool, build: Callable[[Callable[[int, int, str], None]], Any]) -> Any:
    """``build(progress)`` under a progress bar of the output folder; a SynthError ends the command (exit 2)."""
    try:
        with _bar("building", disable=quiet) as bar:
            task = bar.add_task(str(out_dir), total=None)

            def progress(done: int, total: int, key: str) -> None:
                bar.update(task, completed=done, total=total, description=f"{out_dir} {key}")

            return build(progress)
    except SynthError as exc:
        _fail(exc)


def _engine_and_out(workers: int, scheduler: str | None, out_text: str) -> tuple[Any, Path]:
    """The executor and the output folder of a build, or the command ends listing every problem (exit 2)."""
    problems: list[str] = []
    engine = _engine(workers, scheduler, problems)
    out_dir = _out(out_text, problems)
    if problems or out_dir is None:
        _fail(SynthError("\n".join(problems)))
    return engine, out_dir


@world_app.command("build")
def world_build(
    out_text: Annotated[str, typer.Option("--out", help=BUILD_OUT_HELP)],
    seed: Annotated[int, typer.Option(help="Non-negative integer; same spec and seed, same bytes.")],
    preset: Annotated[str, typer.Option(help="Preset name or path of a preset TOML file.")] = "kerala-2026",
    districts: Annotated[str, typer.Option(help="Comma-separated district names or codes (default: all).")] = "",
    local_bodies: Annotated[int | None, typer.Option("--local-bodies", help="Build only N local bodies.")] = None,
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = 1,
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    phone_plan: Annotated[str | None, typer.Option("--phone-plan", help="safe (default) or realistic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest summary as JSON.")] = False,
) -> None:
    """Build a world: people, households, registries, electoral roll and caller-ID directory."""
    from synth.world.build import build_world
    from synth.world.plan import WorldSpec

    names = tuple(d.strip() for d in districts.split(",") if d.strip())
    engine, out_dir = _engine_and_out(workers, scheduler, out_text)
    try:
        spec = WorldSpec(preset=preset, districts=names, local_bodies=local_bodies, seed=seed, phone_plan=phone_plan)
    except SynthError as exc:
        _fail(exc)
    manifest = _build_with_bar(out_dir, as_json, lambda progress: build_world(spec, out_dir, engine, progress))
    summary: dict[str, Any] = {
        "out": str(out_dir),
        "seed": seed,
        "rows": manifest["rows"],
        "local_bodies": len(manifest["build"]["local_bodies"]),
        "phone_plan": manifest["phone_plan"],
    }
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    table = Table(title=f"world {out_dir} (seed {seed}, {summary['local_bodies']} local bodies)")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in manifest["rows"].items():
        table.add_row(name, f"{n:,}")
    out.print(table)


@world_app.command("national")
def world_national(
    out_text: Annotated[str, typer.Option("--out", help=BUILD_OUT_HELP)],
    seed: Annotated[int, typer.Option(help="Non-negative integer; same spec and seed, same bytes.")],
    scale: Annotated[float, typer.Option(help="Share of each state's 2011 population (1.0: 121 crore people).")] = 1.0,
    states: Annotated[str, typer.Option(help="Comma-separated state names or codes 01-35 (default: all).")] = "",
    rows_per_part: Annotated[
        int | None, typer.Option("--rows-per-part", help="People per part file and Dask task (default 1,000,000).")
    ] = None,
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = 1,
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest summary as JSON.")] = False,
) -> None:
    """Build a national population from the india-2011 pack: people with state, sex and age only."""
    from synth.world.national import NationalSpec, build_national

    engine, out_dir = _engine_and_out(workers, scheduler, out_text)
    names = tuple(x.strip() for x in states.split(",") if x.strip())
    try:
        spec = NationalSpec(seed=seed, scale=scale, states=names, rows_per_part=rows_per_part)
    except SynthError as exc:
        _fail(exc)
    manifest = _build_with_bar(out_dir, as_json, lambda progress: build_national(spec, out_dir, engine, progress))
    summary = {"out": str(out_dir), "seed": seed, "rows": manifest["rows"], "parts": manifest["parts"]}
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    out.print(f"{manifest['rows']['people']:,} people in {manifest['parts']} parts: {out_dir}", highlight=False)


@world_app.command("learn")
def world_learn(
    table: Annotated[Path, typer.Argument(help="A table of people: .parquet or .csv, one row per person.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (new or empty).")],
    rows: Annotated[int, typer.Option(help="People in the learned world.")],
    seed: Annotated[int, typer.Option(help="Non-negative integer; same table and seed, same bytes.")],
    metadata: Annotated[
        Path | None, typer.Option(help="SDV metadata JSON of the table (detected with SDV when absent).")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option(help='Rules TOML: a \\[rules] table of name = "expression" (e.g. age >= 60 if ...).')
    ] = None,
    model: Annotated[str, typer.Option(help="gaussian_copula (default) or ctgan.")] = "gaussian_copula",
    epochs: Annotated[int, typer.Option(help="CTGAN training epochs.")] = 300,
    preset: Annotated[
        str, typer.Option(help="Preset whose geography and vocabularies the table uses.")
    ] = "kerala-2026",
    phone_plan: Annotated[str | None, typer.Option("--phone-plan", help="safe (default) or realistic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Learn a population from a table with SDV, keep its rules, and write a world of --rows people."""
    from synth.world.api import learn_world

    try:
        with _bar("learning", disable=as_json) as bar:
            task = bar.add_task(str(table), total=None)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None, description=f"{table}: {stage}")

            world = learn_world(
                table,
                out_dir,
                rows=rows,
                seed=seed,
                metadata=metadata,
                rules=rules,
                model=model,
                epochs=epochs,
                preset=preset,
                phone_plan=phone_plan,
                progress=progress,
            )
    except SynthError as exc:
        _fail(exc)
    learned = world.manifest["learned"]
    timings = json.loads((out_dir / "timings.json").read_text())
    privacy = learned["privacy"]
    summary: dict[str, Any] = {
        "out": str(out_dir),
        "seed": seed,
        "rows": world.manifest["rows"],
        "rejected_share": learned["sampling"]["rejected_share"],
        "quality": learned["quality"],
        "exact_match_share": privacy["exact_match_share"],
        "exact_match_share_by_chance": privacy["exact_match_share_by_chance"],
        "dcr": privacy["dcr"],
        "input_phones_in_output": privacy["identifiers"]["input_phones_in_output"],
        "input_names_in_output": privacy["identifiers"]["input_names_in_output"],
        "not_modelled": learned["columns"]["identifiers"],
        "timings": timings,
    }
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    table_view = Table(title=f"learned world {out_dir} (seed {seed})")
    table_view.add_column("table")
    table_view.add_column("rows", justify="right")
    for name, n in world.manifest["rows"].items():
        table_view.add_row(name, f"{n:,}")
    out.print(table_view)
    quality = learned["quality"]
    out.print(
        f"fit {timings['fit_seconds']:.1f} s, sampling {timings['sample_seconds']:.1f} s "
        f"({learned['sampling']['rejected_share']:.1%} of {learned['sampling']['sampled']:,} sampled rows broke a rule "
        "and were dropped), world "
        f"{timings['derive_seconds']:.1f} s, checks {timings['evaluate_seconds']:.1f} s",
        highlight=False,
    )
    out.print(
        f"quality {quality['score']:.3f} (column shapes {quality['column_shapes']:.3f}, pair trends "
        f"{quality['column_pair_trends']:.3f}); rows equal to a table row {privacy['exact_match_share']:.2%} "
        f"(by chance {privacy['exact_match_share_by_chance']:.2%}); median distance to the closest record "
        f"{privacy['dcr']['median_synthetic']:.3f} (real rows {privacy['dcr']['median_real']:.3f}); "
        f"table phone numbers in the world: {privacy['identifiers']['input_phones_in_output']}, "
        f"table names in the world: {privacy['identifiers']['input_names_in_output']}",
        highlight=False,
    )
    if learned["columns"]["identifiers"]:
        out.print(
            "not learned (direct identifiers, regenerated): " + ", ".join(learned["columns"]["identifiers"]),
            highlight=False,
        )


@world_app.command("validate")
def world_validate(
    world_dir: Annotated[Path, typer.Argument(help="A world folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every check as JSON.")] = False,
    show: Annotated[Show, typer.Option(help="Rows to print.")] = Show.all,
) -> None:
    """Compare every calibration target and structural rule; exit 1 if any fails."""
    from synth.world.api import open_world, validate_world

    try:
        spinner = err.status(f"validating {world_dir}") if err.is_terminal and not as_json else nullcontext()
        with spinner:
            checks = validate_world(open_world(world_dir))
    except SynthError as exc:
        _fail(exc)
    failed = checks.filter(~pl.col("ok"))
    if as_json:
        print(json.dumps({"ok": failed.height == 0, "checks": checks.to_dicts()}, indent=2))
    elif show is Show.failed and failed.height == 0:
        out.print(f"validation of {world_dir}: [green]all {checks.height} checks ok[/]")
    else:
        rows = failed if show is Show.failed else checks
        table = Table(title=f"validation of {world_dir}: {checks.height - failed.height} of {checks.height} ok")
        for col in ("kind", "check", "scope", "target", "value", "error", "tolerance", "ok"):
            table.add_column(col, justify="right" if col in ("target", "value", "error", "tolerance") else "left")
        for r in rows.iter_rows(named=True):
            table.add_row(
                r["kind"],
                r["check"],
                r["scope"],
                _fmt(r["target"]),
                _fmt(r["value"]),
                _fmt(r["error"]),
                _fmt(r["tolerance"]),
                "[green]yes[/]" if r["ok"] else "[red]NO[/]",
            )
        out.print(table)
    if failed.height:
        raise typer.Exit(1)


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


@list_app.command("presets")
def list_presets(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Calibration presets shipped with the package."""
    from synth.world.preset import available_presets, load_preset

    rows = []
    for name in available_presets():
        p = load_preset(name)
        rows.append(
            {
                "name": name,
                "description": p.params["preset"].get("description", ""),
                "population": p.params["preset"]["state_population"],
            }
        )
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        out.print(f"[bold]{r['name']}[/]  {r['description']} ({r['population']:,} people)")


@list_app.command("policies")
def list_policies(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Minimization policies shipped with the package (stable ids for CI gates)."""
    from synth.policies.library import load_policy, policy_ids

    rows = []
    for pid in policy_ids():
        p = load_policy(pid)
        rows.append({"id": pid, "description": p.description, "steps": [s.step for s in p.steps]})
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        out.print(f"[bold]{r['id']:<22}[/] {r['description']}", highlight=False)


@list_app.command("attacks")
def list_attacks(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Attacks by stable id, in the order a chain runs them: the sources each needs, the facts it reads from
    and adds to the attacker's knowledge, and its parameters with their defaults."""
    from synth.attacks.registry import ATTACKS, run_order

    rows: list[dict[str, Any]] = [
        {
            "id": a.id,
            "sources": list(a.sources),
            "reads": list(a.reads),
            "adds": list(a.adds),
            "params": a.defaults(),
            "summary": a.summary,
        }
        for a in (ATTACKS[i] for i in run_order(ATTACKS))
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        needs = f" (needs {', '.join(r['sources'])})" if r["sources"] else ""
        params = ", ".join(f"{k} = {v!r}" for k, v in r["params"].items())
        out.print(f"[bold]{r['id']:<22}[/] {r['summary']}{needs}", highlight=False)
        if params:
            out.print(f"{'':<23}parameters: {params}", highlight=False)


@list_app.command("measures")
def list_measures(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every measure's stable name and meaning (the names results files and CI thresholds use)."""
    from synth.measure.names import MEASURES

    if as_json:
        print(json.dumps([{"measure": k, "meaning": v} for k, v in MEASURES.items()], indent=2))
        return
    for name, meaning in MEASURES.items():
        out.print(f"[bold]{name:<32}[/] {meaning}", highlight=False)


@app.command("run")
def run(
    scenario_file: Annotated[Path, typer.Argument(help="A scenario TOML file (see scenarios/).")],
    out_text: Annotated[str, typer.Option("--out", help=RUN_OUT_HELP)],
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = 1,
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    cache: Annotated[Path | None, typer.Option(help="Folder keeping built worlds between runs.")] = None,
) -> None:
    """Run a scenario: every policy x attack x seed cell, then results, releases and the report."""
    from synth.report import render_report
    from synth.scenario import load_scenario
    from synth.scenario.run import check_out, run_scenario

    problems = []
    scenario = None
    try:
        scenario = load_scenario(scenario_file)
    except SynthError as exc:
        problems.append(str(exc))
    out_dir = _out(out_text, problems)
    if out_dir is not None:
        try:
            check_out(out_dir, scenario)
        except SynthError as exc:
            problems.append(f"--out: {exc}")
    engine = _engine(workers, scheduler, problems)
    if problems or scenario is None or out_dir is None:
        _fail(SynthError("\n".join(problems)))
    try:
        with _bar("running") as bar:
            task = bar.add_task(scenario.id, total=None)

            def progress(done: int, total: int, cell: str) -> None:
                bar.update(task, completed=done, total=total, description=f"{scenario.id}: {cell}")

            result = run_scenario(scenario, out_dir, workers=engine, progress=progress, cache=cache)
        report = render_report(result.out)
    except SynthError as exc:
        _fail(exc)
    out.print(f"results: {result.out / 'results.parquet'} ({result.results.height:,} rows)", highlight=False)
    out.print(f"report:  {report}", highlight=False)
    if result.notes:
        out.print(f"{len(result.notes)} figure(s) not measured; see the report's last section", highlight=False)


@app.command("report")
def report(run_dir: Annotated[Path, typer.Argument(help="The output folder of `synth run`.")]) -> None:
    """Re-render a run's report.html from its results."""
    from synth.report import render_report

    try:
        path = render_report(run_dir)
    except (SynthError, FileNotFoundError) as exc:
        _fail(exc)
    out.print(f"report: {path}", highlight=False)


@app.command("check")
def check(
    run_dir: Annotated[Path, typer.Argument(help="The output folder of `synth run`.")],
    maximum: Annotated[
        list[str] | None,
        typer.Option("--max", help="ATTACK.MEASURE=VALUE or MEASURE=VALUE: the largest value allowed (repeatable)."),
    ] = None,
) -> None:
    """Exit 1 when a figure exceeds a threshold of the scenario file or of --max (a CI gate)."""
    from synth.scenario.check import check as find_breaches
    from synth.scenario.check import parse_max, thresholds_of

    if not (run_dir / "results.parquet").is_file() or not (run_dir / "scenario.resolved.json").is_file():
        _fail(SynthError(f"{run_dir}: not the output folder of a finished `synth run` (no results.parquet)"))
    try:
        thresholds = {**thresholds_of(run_dir), **parse_max(maximum or [])}
    except SynthError as exc:
        _fail(exc)
    if not thresholds:
        _fail(SynthError("no thresholds: set [thresholds] in the scenario file or pass --max MEASURE=VALUE"))
    breaches = find_breaches(pl.read_parquet(run_dir / "results.parquet"), thresholds)
    for b in breaches:
        out.print(f"FAIL {b}", highlight=False)
    if breaches:
        raise typer.Exit(1)
    out.print(f"ok: {len(thresholds)} threshold(s) hold", highlight=False)
