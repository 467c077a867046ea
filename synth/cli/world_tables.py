"""``synth world learn`` and ``synth world extract``: a world learned from a table of people, and any world
written as such a table (one row per person)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from synth.cli.common import err, fail, one_message, out
from synth.cli.progress import ProgressReport
from synth.errors import SynthError

LEARN_HELP = (
    "Learn a population from a table with SDV, keep its rules, and write a world of --rows people "
    "(`synth world extract` writes any world as such a table)."
)
EXTRACT_HELP = (
    "Write a world as the table `synth world learn` takes, one row per person: place, sex, age, community, "
    "marital status, disability, occupation, ration card and registries."
)


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
    """Learn a world from a table of people (see LEARN_HELP)."""
    from synth.world.learned.api import learn_world

    with one_message(out_dir), ProgressReport(err, "learning", str(table), disable=as_json) as progress:
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


def world_extract(
    world_dir: Annotated[Path, typer.Argument(help="A world folder (built or learned).")],
    table: Annotated[Path, typer.Option("--out", help="The table to write: a new .parquet file.")],
    identifiers: Annotated[
        bool, typer.Option("--identifiers", help="Add each person's name and phone (never learned, but kept apart).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Write a world as a table of people (see EXTRACT_HELP)."""
    from synth.engine.io import temporary_name
    from synth.world.api import open_world
    from synth.world.people_table import people_table

    problems = []
    if table.suffix.lower() != ".parquet":
        problems.append(f"--out = '{table}': must be a .parquet file (the table `synth world learn` reads)")
    if table.exists() or table.is_symlink():
        problems.append(f"{table}: exists; refusing to overwrite it: choose a new --out file or delete this one")
    world = None
    try:
        world = open_world(world_dir)
    except SynthError as exc:
        problems.append(str(exc))
    if problems or world is None:
        fail("\n".join(problems))
    tmp = temporary_name(table)
    with one_message(table):
        try:
            table.parent.mkdir(parents=True, exist_ok=True)
            people_table(world, identifiers=identifiers).sink_parquet(tmp, compression="zstd", statistics=True)
            os.replace(tmp, table)
        finally:
            tmp.unlink(missing_ok=True)
    rows = world.manifest["rows"]["people"]
    if as_json:
        print(json.dumps({"world": str(world_dir), "out": str(table), "rows": rows}, indent=2))
        return
    out.print(f"{rows:,} people of {world_dir}: {table}", highlight=False)
