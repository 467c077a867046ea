"""Python API for worlds: a built world on disk (:class:`World`), opening one, building one.

Learning a world from a table is :func:`synth.world.learned.api.learn_world`; validating one is
:func:`synth.world.validate.validate_world`. Neither is imported here: both read worlds, so this module
imports nothing that imports it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from synth.engine import Engine, resolve_out
from synth.engine.io import Progress, sha256_file
from synth.errors import WorldError
from synth.world import build as _build
from synth.world.plan import WorldSpec
from synth.world.preset import load_preset
from synth.world.shard_context import TABLES


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
            if not (self.path / rel).is_file() or sha256_file(self.path / rel) != digest
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
    progress: Progress | None = None,
    noise: Mapping[str, float] | Sequence[tuple[str, float]] = (),
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
    noise
        The preset's assumptions about the roll and the caller-ID directory overridden, ``TABLE.NAME`` -> share
        (:func:`synth.world.plan.noise_assumptions` lists them); none: the preset's.

    Examples
    --------
    >>> world = build_world("out/wayanad", districts=["Wayanad"], seed=7)  # doctest: +SKIP
    >>> world.people.select(pl.len()).collect()  # doctest: +SKIP
    """
    pairs = noise.items() if isinstance(noise, Mapping) else noise
    spec = WorldSpec(
        preset=str(preset),
        districts=tuple(districts),
        local_bodies=local_bodies,
        seed=seed,
        phone_plan=phone_plan,
        noise=tuple(sorted((str(k), float(v)) for k, v in pairs)),
    )
    _build.build_world(spec, out, workers=workers, progress=progress)
    return open_world(out)
