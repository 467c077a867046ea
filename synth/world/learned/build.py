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

import json
import os
import shutil
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from synth.engine.io import Progress, atomic_json, atomic_parquet, check_empty_or_new, sha256_file
from synth.errors import LearnError, OutputError, SynthError
from synth.world.build import MANIFEST, write_tables
from synth.world.district_moves import STAGE_DIR, arrivals, crosses_districts, listed_roll
from synth.world.fidelity import FidelitySizes, evaluate
from synth.world.learned.identifiers import identifier_overlap
from synth.world.learned.manifest import learned_manifest
from synth.world.learned.population import LearnedPopulation
from synth.world.learned.shards import write_shard
from synth.world.learned.world_plan import learned_plan, person_frame, registry_counts
from synth.world.plan import WorldSpec, plan_world
from synth.world.render import render_roll
from synth.world.shard_context import ShardContext


def check_out(out: Path) -> None:
    """Refuse an output path that is a file, a world, or a folder holding anything else.

    Raises
    ------
    OutputError
        Naming the path and what to choose instead.
    """
    if (out / MANIFEST).is_file():
        raise OutputError(f"{out}: holds a world; refusing to overwrite it: choose another --out folder or delete it")
    check_empty_or_new(out, "world")


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
    table_name: str = "the table",
) -> dict[str, Any]:
    """Learn a population from ``table`` and write a world of ``rows`` people to ``out``; return its manifest.

    Parameters
    ----------
    table
        One row per person (see :mod:`synth.world.learned.population` for the columns it needs).
    out
        Output folder: new or empty. The world is written beside it and renamed into place at the end.
    rows
        People in the learned world.
    seed
        Seeds the model's sampling, every generator of the world and the quality samples.
    metadata, rules, model, epochs, preset
        See :class:`~synth.world.learned.population.LearnedPopulation`.
    phone_plan
        ``"safe"`` (default of the preset) or ``"realistic"``.
    source
        What to record about the table's origin (file name and SHA-256) in the manifest.
    fidelity
        Sample sizes of the quality and privacy figures; the table must have at least their
        :attr:`~synth.world.fidelity.FidelitySizes.min_table_rows` rows (2,001 by default).
    progress
        Called as ``progress(done, total, stage)``: ``fitting``, ``sampling``, ``writing`` (``done`` of
        ``total`` shards) and ``evaluating`` (``total`` 0 where the stage has no count).
    table_name
        How messages name the table (its path, where it was read from a file).

    Raises
    ------
    LearnError
        Every problem with the table (too few rows among them), its metadata, rules or parameters (before
        any fitting), or rules that reject nearly every sampled row.
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
    sizes = fidelity or FidelitySizes()
    problems.extend(learner.check(table, rows, table_name=table_name, min_rows=sizes.min_table_rows))
    if problems:
        raise LearnError("\n".join(dict.fromkeys(problems)))

    def tick(stage: str, done: int = 0, total: int = 0) -> None:
        if progress:
            progress(done, total, stage)

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
            record = write_shard(ctx, tmp, shard, people, learner.columns_.extra)
            files.update(record["files"])
            for name, n in record["rows"].items():
                counts[name] = counts.get(name, 0) + int(n)
            for name, r in record["names_redrawn"].items():
                total = redrawn.setdefault(name, {"entries": 0, "redrawn": 0})
                total["entries"] += int(r["entries"])
                total["redrawn"] += int(r["redrawn"])
        if crosses_districts(plan):  # phase 2: each shard's roll, with the entries of other districts
            given = arrivals(tmp / STAGE_DIR, plan)
            for shard in plan.shards:
                listed = listed_roll(tmp / STAGE_DIR, ctx, shard, given[shard.key])
                rolls = write_tables(tmp, shard, render_roll(ctx, *listed))
                files.update(rolls["files"])
                for name, n in rolls["rows"].items():
                    counts[name] = counts.get(name, 0) + int(n)
            shutil.rmtree(tmp / STAGE_DIR)
        tick("writing", len(plan.shards), len(plan.shards))
        geo = tmp / "geography"
        geo.mkdir()
        for name, frame in (("wards", plan.wards), ("local_bodies", plan.local_bodies)):
            path = geo / f"{name}.parquet"
            atomic_parquet(path, frame)
            files[str(path.relative_to(tmp))] = sha256_file(path)
        derive_seconds = time.perf_counter() - start

        tick("evaluating")
        start = time.perf_counter()
        figures = evaluate(learner.input_, sample.select(learner.input_.columns), learner.sdtypes_, seed, sizes)
        figures["privacy"]["identifiers"] = identifier_overlap(tmp, files, learner, redrawn)
        evaluate_seconds = time.perf_counter() - start

        atomic_json(tmp / "metadata.json", learner.metadata_)
        declared = {r.name: r.text for r in learner.rules_ if learner.rule_sources_[r.name] == "declared"}
        (tmp / "rules.toml").write_text(
            "# Rules declared for this learned world (the world's own rules are in manifest.json)\n[rules]\n"
            + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in declared.items())
        )
        for extra_file in ("metadata.json", "rules.toml"):
            files[extra_file] = sha256_file(tmp / extra_file)
        manifest = learned_manifest(plan, learner, sample, counts, files, figures, source, rows, seed)
        atomic_json(tmp / MANIFEST, manifest)
        timings = {
            "fit_seconds": round(learner.fit_seconds_, 3),
            "sample_seconds": round(learner.sample_seconds_, 3),
            "derive_seconds": round(derive_seconds, 3),
            "evaluate_seconds": round(evaluate_seconds, 3),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        atomic_json(tmp / "timings.json", timings)
        check_out(out)
        if out.is_dir():
            out.rmdir()
        os.rename(tmp, out)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the learned world ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest
