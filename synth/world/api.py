"""Python API for worlds: build one, learn one from a table, open one, validate one."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from synth.engine import Engine, resolve_out
from synth.errors import WorldError
from synth.world import build as _build
from synth.world.fidelity import FidelitySizes
from synth.world.generate import TABLES
from synth.world.plan import WorldSpec


@dataclass(frozen=True)
class World:
    """A built world on disk. Tables are Polars LazyFrames over its Parquet files."""

    path: Path
    manifest: dict[str, Any] = field(repr=False)

    def table(self, name: str) -> pl.LazyFrame:
        """Scan one table (``people``, ``households``, a registry, ``electoral_roll``, ...)."""
        if name in ("wards", "local_bodies"):
            return pl.scan_parquet(self.path / "geography" / f"{name}.parquet")
        if name not in TABLES:
            raise WorldError(f"unknown table '{name}': allowed are {', '.join((*TABLES, 'wards', 'local_bodies'))}")
        files = sorted(p for p in self.manifest["files"] if p.startswith(f"{name}/"))
        return pl.scan_parquet([self.path / p for p in files], hive_partitioning=False)

    @property
    def people(self) -> pl.LazyFrame:
        return self.table("people")

    @property
    def households(self) -> pl.LazyFrame:
        return self.table("households")

    @property
    def electoral_roll(self) -> pl.LazyFrame:
        return self.table("electoral_roll")

    @property
    def caller_id(self) -> pl.LazyFrame:
        return self.table("caller_id")

    def place_names(self) -> pl.DataFrame:
        """Every built ward with the public names printed on rolls and exports: district, taluk, local body
        and ward number."""
        from synth.world.preset import load_preset

        preset = load_preset(self.manifest["build"]["spec"]["preset"])
        lbs = self.table("local_bodies").select("local_body_code", "local_body").collect()
        wards = self.table("wards").select("ward_code", "local_body_code", "district_code", "taluk_code").collect()
        return (
            wards.join(lbs, on="local_body_code")
            .join(preset.table("districts").select("district_code", "district"), on="district_code")
            .join(preset.table("taluks").select("taluk_code", "taluk"), on="taluk_code")
            .select(
                "ward_code",
                "local_body_code",
                "district",
                "taluk",
                "local_body",
                ward=pl.col("ward_code").str.slice(6).cast(pl.Int16),
            )
        )

    @property
    def seed(self) -> int:
        return int(self.manifest["build"]["spec"]["seed"])

    def verify(self) -> list[str]:
        """Files whose checksum differs from the manifest (empty when the world is intact)."""
        return [
            rel
            for rel, digest in self.manifest["files"].items()
            if not (self.path / rel).is_file() or _build.sha256_file(self.path / rel) != digest
        ]


def open_world(path: str | Path) -> World:
    """Open a built world folder.

    Raises
    ------
    WorldError
        The folder holds no finished world (an unfinished build, or something else).
    """
    path = resolve_out(path, "path")
    manifest = path / _build.MANIFEST
    if not manifest.is_file():
        if (path / _build.BUILD_MARKER).is_file():
            raise WorldError(f"{path}: the build of this world is unfinished; run the same build command to resume it")
        raise WorldError(f"{path}: not a world folder (no {_build.MANIFEST})")
    try:
        return World(path=path, manifest=json.loads(manifest.read_text()))
    except ValueError as exc:
        raise WorldError(f"{manifest}: unreadable manifest ({exc})") from None


def build_world(
    out: str | Path,
    preset: str = "kerala-2026",
    districts: Sequence[str] = (),
    local_bodies: int | None = None,
    seed: int = 0,
    workers: int | Engine = 1,
    phone_plan: str | None = None,
    progress: _build.Progress | None = None,
) -> World:
    """Build a world (or resume an unfinished build) and open it.

    Parameters
    ----------
    out
        Output folder: a path or a ``file://`` URL (with a Dask cluster, a folder every worker shares).
    preset
        Preset name (``kerala-2026``) or path of a preset TOML file.
    districts
        District names or codes; empty for the whole state.
    local_bodies
        Build only this many local bodies, sampled with the seed (a full-density subset).
    seed
        Non-negative integer.
    workers
        1: in this process; N > 1: a local Dask cluster of N worker processes; or an
        :class:`~synth.engine.Engine` naming an existing Dask scheduler. Output is byte-identical on
        every engine. With a local cluster, a script must call this under ``if __name__ == "__main__":``
        (workers are spawned, and re-import the script).
    phone_plan
        ``"safe"`` (default) or ``"realistic"``.
    progress
        Optional callback ``progress(done, total, shard_key)``.

    Examples
    --------
    >>> world = build_world("out/wayanad", districts=["Wayanad"], seed=7)  # doctest: +SKIP
    >>> world.people.select(pl.len()).collect()  # doctest: +SKIP
    """
    spec = WorldSpec(
        preset=str(preset), districts=tuple(districts), local_bodies=local_bodies, seed=seed, phone_plan=phone_plan
    )
    _build.build_world(spec, out, workers=workers, progress=progress)
    return open_world(out)


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
    progress: Callable[[str, int, int], None] | None = None,
) -> World:
    """Learn a population from a table of people with SDV and write a world of ``rows`` people.

    The world has the same folder, manifest and schema as a built one, so every scenario runs on it;
    its manifest says what was learned, how (model, constraints, rules and the rejected share), and
    the quality and privacy of the learned rows against the table (see :mod:`synth.world.learned`).

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
        Sample sizes of the quality and privacy figures (see :class:`~synth.world.fidelity.FidelitySizes`).
    progress
        Optional callback ``progress(stage, done, total)``.

    Raises
    ------
    LearnError
        Every problem with the table, metadata, rules or parameters, together, before any fitting.
    OutputError
        ``out`` is a file or a non-empty folder, or cannot be written.

    Examples
    --------
    >>> world = learn_world("extract.parquet", "out/learned", rows=1_000_000, seed=7)  # doctest: +SKIP
    >>> world.manifest["learned"]["quality"]["score"]  # doctest: +SKIP
    """
    from synth.errors import LearnError
    from synth.world.learned_build import build_learned_world, read_table
    from synth.world.rules import read_rules_file, rules_table

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
    )
    return open_world(out)


def validate_world(world: World | str | Path) -> pl.DataFrame:
    """Every calibration target and structural rule of a world, with its error (see :mod:`synth.world.validate`)."""
    from synth.world.validate import validate

    return validate(world if isinstance(world, World) else open_world(world))
