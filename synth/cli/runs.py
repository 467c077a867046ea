"""``synth run``, ``synth report`` and ``synth check``: a scenario's run, its report and its CI gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from synth.cli.common import (
    RUN_OUT_HELP,
    SCHEDULER_HELP,
    WORKERS_HELP,
    engine_of,
    err,
    fail,
    one_message,
    out,
    out_folder,
)
from synth.cli.progress import ProgressReport, counted
from synth.errors import SynthError

CACHE_HELP = "Folder keeping built worlds between runs (default: $SYNTH_CACHE, else ~/.cache/synth/worlds)."
REUSE_HELP = (
    "Folder keeping the costly parts of attacks (linkage's links, inference's predictions) under the content key of "
    "their inputs, read back by later runs, other policies and seeds (default: CACHE/reuse; safe to delete)."
)

RUN_HELP = "\n\n".join(
    (
        "Run a scenario: every policy x attack x seed cell, then results, releases and the report.",
        "Environment: SYNTH_HMAC_KEY holds the secret key of the policies that hash with HMAC (the hmac policy of "
        "the default scenario, kerala_2026_export, needs it; the key is never written anywhere). SYNTH_CACHE is the "
        "folder where the worlds a run builds are kept and reused by later runs of the same world spec and seed "
        "(default ~/.cache/synth/worlds; --cache overrides it); the costly parts of attacks are kept beside them "
        "(CACHE/reuse, or --reuse) for later runs.",
    )
)


def run(
    scenario_file: Annotated[Path, typer.Argument(help="A scenario TOML file (see scenarios/).")],
    out_text: Annotated[str, typer.Option("--out", help=RUN_OUT_HELP)],
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = 1,
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    cache: Annotated[Path | None, typer.Option(help=CACHE_HELP)] = None,
    reuse: Annotated[Path | None, typer.Option(help=REUSE_HELP)] = None,
) -> None:
    """Run a scenario (see RUN_HELP)."""
    report = ProgressReport(err, "running", scenario_file.stem)  # its first line once the input is checked
    from synth.report import render_report
    from synth.scenario import load_scenario
    from synth.scenario.run import run_scenario, store_for
    from synth.scenario.run_folder import check_out

    problems = []
    scenario = None
    try:
        scenario = load_scenario(scenario_file)
    except SynthError as exc:
        problems.append(str(exc))
    out_dir = out_folder(out_text, problems)
    if out_dir is not None:
        try:
            check_out(out_dir, scenario)
        except SynthError as exc:
            problems.append(f"--out: {exc}")
    if reuse is not None:
        try:
            store_for(reuse, cache)
        except SynthError as exc:
            problems.append(f"--reuse: {exc}")
    engine = engine_of(workers, scheduler, problems)
    if problems or scenario is None or out_dir is None or engine is None:
        fail("\n".join(problems))
    groups = len(scenario.seeds) * len(scenario.policies)
    with one_message(out_dir), report:
        if scenario.releases:
            report.say(
                f"{counted(len(scenario.releases), 'release')}, alone, in pairs and together, "
                f"{counted(len(scenario.seeds), 'seed')}, {counted(len(scenario.attacks), 'attack')} each, "
                f"{engine.describe()}; a line as each seed finishes"
            )
        else:
            report.say(
                f"{counted(groups, 'group')} of cells ({counted(len(scenario.policies), 'policy', 'policies')} x "
                f"{counted(len(scenario.seeds), 'seed')}, {counted(len(scenario.attacks), 'attack')} each), "
                f"{engine.describe()}; a line as each group finishes"
            )

        def world_progress(done: int, total: int, shard: str) -> None:
            if done == 0:
                report.say(f"building the scenario's world ({counted(total, 'shard')}; kept for later runs)")
            else:
                report(done, total, f"world shards built, the last {shard}")

        result = run_scenario(
            scenario,
            out_dir,
            workers=engine,
            progress=report,
            cache=cache,
            world_progress=world_progress,
            reuse=True if reuse is None else reuse,
        )
        report.say("rendering the report")
        page = render_report(result.out)
    out.print(f"results: {result.out / 'results.parquet'} ({result.results.height:,} rows)", highlight=False)
    out.print(f"report:  {page}", highlight=False)
    if result.notes:
        out.print(f"{len(result.notes)} figure(s) not measured; see the report's last section", highlight=False)


def finished_run(run_dir: Path) -> None:
    """End the command (exit 2) unless ``run_dir`` is the output folder of a finished ``synth run``."""
    if not (run_dir / "results.parquet").is_file() or not (run_dir / "scenario.resolved.json").is_file():
        fail(f"{run_dir}: not the output folder of a finished `synth run` (no results.parquet)")


def report(run_dir: Annotated[Path, typer.Argument(help="The output folder of `synth run`.")]) -> None:
    """Re-render a run's report.html from its results."""
    from synth.report import render_report

    finished_run(run_dir)
    with one_message(run_dir):
        path = render_report(run_dir)
    out.print(f"report: {path}", highlight=False)


def check(
    run_dir: Annotated[Path, typer.Argument(help="The output folder of `synth run`.")],
    maximum: Annotated[
        list[str] | None,
        typer.Option("--max", help="ATTACK.MEASURE=VALUE or MEASURE=VALUE: the largest value allowed (repeatable)."),
    ] = None,
    require: Annotated[
        list[str] | None,
        typer.Option(
            "--require",
            help="PURPOSE=POLICY (the policy recommended for the purpose), PURPOSE=any (some policy serves it) "
            "or POLICY=PURPOSE[,PURPOSE] (repeatable).",
        ),
    ] = None,
) -> None:
    """Exit 1 when a figure exceeds a threshold of the scenario file or of --max, or when a recommendation is not
    the one --require names (a CI gate)."""
    import json

    from synth.scenario.check import check as find_breaches
    from synth.scenario.check import decision_of, parse_max, parse_require, thresholds_of, unmet

    finished_run(run_dir)
    resolved = json.loads((run_dir / "scenario.resolved.json").read_text())
    policies = [p["id"] for p in resolved.get("policies", [])]
    try:
        thresholds = {**thresholds_of(run_dir), **parse_max(maximum or [])}
        requirements = parse_require(require or [], resolved.get("purposes", []), policies)
    except SynthError as exc:
        fail(exc)
    if not thresholds and not requirements:
        fail(
            "no thresholds and no requirements: set [thresholds] in the scenario file, or pass --max MEASURE=VALUE "
            "or --require PURPOSE=POLICY"
        )
    results = pl.read_parquet(run_dir / "results.parquet")
    breaches = [str(b) for b in find_breaches(results, thresholds)]
    if requirements:
        breaches += unmet(decision_of(run_dir), requirements)
    for b in breaches:
        out.print(f"FAIL {b}", highlight=False, soft_wrap=True)
    if breaches:
        raise typer.Exit(1)
    held = [f"{len(thresholds)} threshold(s)"] if thresholds else []
    held += [f"{len(requirements)} requirement(s)"] if requirements else []
    out.print(f"ok: {' and '.join(held)} hold", highlight=False)
