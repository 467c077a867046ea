"""Python API for learned worlds: learn a world from a table of people (a file or a DataFrame)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from synth.engine.io import Progress
from synth.errors import LearnError
from synth.world.api import World, open_world
from synth.world.fidelity import FidelitySizes
from synth.world.learned.build import build_learned_world
from synth.world.people_table import read_table
from synth.world.rules import read_rules_file, rules_table


def learn_world(
    table: str | Path | pl.DataFrame,
    out: str | Path,
    rows: int,
    seed: int = 0,
    metadata: str | Path | Mapping[str, Any] | None = None,
    rules: str | Path | Mapping[str, str] | None = None,
    model: str = "gaussian_copula",
    epochs: int = 300,
    preset: str = "kerala-2026",
    phone_plan: str | None = None,
    fidelity: FidelitySizes | None = None,
    progress: Progress | None = None,
) -> World:
    """Learn a population from a table of people with SDV and write a world of ``rows`` people.

    The world has the same folder, manifest and schema as a built one, so every scenario runs on it;
    its manifest says what was learned, how (model, constraints, rules and the rejected share), and
    the quality and privacy of the learned rows against the table (see :mod:`synth.world.learned.population`).

    Parameters
    ----------
    table
        A ``.parquet`` or ``.csv`` file, or a DataFrame: one row per person.
    out
        Output folder (new or empty); written beside it and renamed into place when complete.
    rows
        People in the learned world (any size: the model is sampled until this many rows meet every rule).
    seed
        Seeds the model's sampling and every generator of the world; same table and seed, same bytes.
    metadata
        SDV metadata of the table (a JSON file or its dict, one table, optionally with ``"rules"``);
        detected with SDV when absent. Saved with the world as ``metadata.json``.
    rules
        Declared rules: a TOML file (``[rules]``, ``name = "expression"``) or a mapping.
    model
        ``"gaussian_copula"`` (default) or ``"ctgan"``.
    epochs
        CTGAN's training epochs.
    preset
        Preset whose geography and vocabularies the table uses.
    phone_plan
        ``"safe"`` (default) or ``"realistic"``.
    fidelity
        Sample sizes of the quality and privacy figures (see :class:`~synth.world.fidelity.FidelitySizes`);
        the table needs at least their ``min_table_rows`` rows (2,001 by default).
    progress
        Optional callback ``progress(done, total, stage)`` (see
        :func:`~synth.world.learned.build.build_learned_world`).

    Raises
    ------
    LearnError
        Every problem with the table (too few rows among them, naming its file), metadata, rules or
        parameters, together, before any fitting.
    OutputError
        ``out`` is a file or a non-empty folder, or cannot be written.

    Examples
    --------
    >>> world = learn_world("extract.parquet", "out/learned", rows=1_000_000, seed=7)  # doctest: +SKIP
    >>> world.manifest["learned"]["quality"]["score"]  # doctest: +SKIP
    """
    source: dict[str, Any] = {}
    if isinstance(table, pl.DataFrame):
        frame = table
    else:
        frame, source = read_table(table)
    meta: Mapping[str, Any] | None
    if metadata is None or isinstance(metadata, Mapping):
        meta = metadata
    else:
        path = Path(metadata)
        if not path.is_file():
            raise LearnError(f"{path}: metadata file not found")
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise LearnError(f"{path}: not valid JSON ({exc})") from None
        if not isinstance(meta, dict):
            raise LearnError(f"{path}: SDV metadata must be a JSON object")
    declared = rules_table(rules, "rules") if isinstance(rules, Mapping) else None
    if rules is not None and declared is None:
        declared = read_rules_file(rules)  # type: ignore[arg-type]
    build_learned_world(
        frame,
        out,
        rows=rows,
        seed=seed,
        metadata=meta,
        rules=declared,
        model=model,
        epochs=epochs,
        preset=preset,
        phone_plan=phone_plan,
        source=source,
        fidelity=fidelity,
        progress=progress,
        table_name="the table" if isinstance(table, pl.DataFrame) else str(table),
    )
    return open_world(out)
