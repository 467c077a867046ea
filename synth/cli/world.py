"""``synth world build``, ``synth world national`` and ``synth world validate``: generated worlds."""

from __future__ import annotations

import json
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Table

from synth.cli.common import (
    BUILD_OUT_HELP,
    SCHEDULER_HELP,
    WORKERS_HELP,
    build_with_bar,
    engine_and_out,
    err,
    fail,
    names_option,
    out,
)
from synth.errors import SynthError

world_app = typer.Typer(
    no_args_is_help=True,
    help="Build, validate, learn and extract synthetic worlds (people, households, registries, electoral roll, "
    "caller-ID directory).",
)


class Show(StrEnum):
    failed = "failed"
    all = "all"


@world_app.command("build")
def world_build(
    out_text: Annotated[str, typer.Option("--out", help=BUILD_OUT_HELP)],
    seed: Annotated[int, typer.Option(help="Non-negative integer; same spec and seed, same bytes.")],
    preset: Annotated[str, typer.Option(help="Preset name or path of a preset TOML file.")] = "kerala-2026",
    districts: Annotated[
        str | None,
        typer.Option(help="Comma-separated district names or codes, e.g. Wayanad,Kannur (leave out: the whole state)."),
    ] = None,
    local_bodies: Annotated[int | None, typer.Option("--local-bodies", help="Build only N local bodies.")] = None,
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = 1,
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    phone_plan: Annotated[str | None, typer.Option("--phone-plan", help="safe (default) or realistic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest summary as JSON.")] = False,
) -> None:
    """Build a world: people, households, registries, electoral roll and caller-ID directory."""
    from synth.world.build import build_world
    from synth.world.plan import WorldSpec

    names, problems = names_option("--districts", districts, "district names or codes", "the whole state")
    engine, out_dir = engine_and_out(workers, scheduler, out_text, problems)
    try:
        spec = WorldSpec(preset=preset, districts=names, local_bodies=local_bodies, seed=seed, phone_plan=phone_plan)
    except SynthError as exc:
        fail(exc)
    manifest = build_with_bar(out_dir, as_json, lambda progress: build_world(spec, out_dir, engine, progress))
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
    states: Annotated[
        str | None, typer.Option(help="Comma-separated state names or codes 01-35 (leave out: every state).")
    ] = None,
    rows_per_part: Annotated[
        int | None, typer.Option("--rows-per-part", help="People per part file and Dask task (default 1,000,000).")
    ] = None,
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = 1,
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest summary as JSON.")] = False,
) -> None:
    """Build a national population from the india-2011 pack: people with state, sex and age only."""
    from synth.world.national import NationalSpec, build_national

    names, problems = names_option("--states", states, "state names or codes 01-35", "every state")
    engine, out_dir = engine_and_out(workers, scheduler, out_text, problems)
    try:
        spec = NationalSpec(seed=seed, scale=scale, states=names, rows_per_part=rows_per_part)
    except SynthError as exc:
        fail(exc)
    manifest = build_with_bar(out_dir, as_json, lambda progress: build_national(spec, out_dir, engine, progress))
    summary = {"out": str(out_dir), "seed": seed, "rows": manifest["rows"], "parts": manifest["parts"]}
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    out.print(f"{manifest['rows']['people']:,} people in {manifest['parts']} parts: {out_dir}", highlight=False)


@world_app.command("validate")
def world_validate(
    world_dir: Annotated[Path, typer.Argument(help="A world folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every check as JSON.")] = False,
    show: Annotated[Show, typer.Option(help="Rows to print.")] = Show.all,
) -> None:
    """Compare every calibration target and structural rule; exit 1 if any fails."""
    from synth.world.api import open_world
    from synth.world.validate import validate_world

    try:
        spinner = err.status(f"validating {world_dir}") if err.is_terminal and not as_json else nullcontext()
        with spinner:
            checks = validate_world(open_world(world_dir))
    except SynthError as exc:
        fail(exc)
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
