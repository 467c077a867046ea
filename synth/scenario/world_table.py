"""A scenario's ``[world]`` table: the world it runs on, an existing folder or the spec of one to build, with the
preset's assumptions about the attacker's sources overridden (``[world.noise]``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from synth.checks import is_share
from synth.errors import SpecError, SynthError
from synth.world.name_formats import SUM_TOLERANCE
from synth.world.plan import WorldSpec, describe_assumptions, noise_assumptions

WORLD_KEYS = ("preset", "districts", "local_bodies", "seed", "phone_plan", "path", "noise")


class Problems(Protocol):
    """Where a scenario's problems go (:class:`synth.scenario.spec` collects them): ``add`` one, or extend
    ``items`` with lines already named (``source: key = value: ...``)."""

    source: str
    items: list[str]

    def add(self, key: str, value: Any, allowed: str, name: str | None = None, options: Any = ()) -> None: ...


@dataclass(frozen=True)
class WorldRef:
    """The world a scenario runs on: an existing folder (``path``), or the spec of one to build (and cache)."""

    spec: WorldSpec = field(default_factory=WorldSpec)
    path: str | None = None


def parse_world(p: Problems, w: Mapping[str, Any]) -> WorldRef:
    """A scenario's ``[world]`` table: a world folder, or the spec of one to build; every problem goes to ``p``."""
    for key in w:
        if key not in WORLD_KEYS:
            p.add(f"world.{key}", w[key], f"unknown key; allowed are {', '.join(WORLD_KEYS)}", key, WORLD_KEYS)
    path = w.get("path")
    if path is not None:
        if not isinstance(path, str) or not path:
            p.add("world.path", path, "must be the path of a world folder")
        clash = [k for k in ("districts", "local_bodies", "seed", "noise") if k in w]
        if clash:
            p.add("world.path", path, f"a world folder fixes its own spec; remove {', '.join(clash)}")
    districts = w.get("districts", [])
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
        p.add("world.districts", districts, "must be a list of district names")
        districts = []
    preset = w.get("preset", "kerala-2026")
    if not isinstance(preset, str):
        p.add("world.preset", preset, "must be a preset name (synth list presets)")
        preset = "kerala-2026"
    fields: dict[str, Any] = {k: w[k] for k in ("local_bodies", "seed", "phone_plan") if k in w}
    if "noise" in w and w.get("path") is None:
        fields["noise"] = _noise(p, w["noise"], preset)
    try:  # the world's own checks, each problem named under world.
        spec = WorldSpec(preset=preset, districts=tuple(districts), **fields)
    except SpecError as exc:
        p.items += [f"{p.source}: world.{line}" for line in str(exc).splitlines()]
        spec = WorldSpec(preset=preset, districts=tuple(districts))
    if path is None and preset == "kerala-2026" and districts:
        from synth.world.preset import load_preset

        known = load_preset(preset).table("districts")["district"].to_list()
        for d in districts:
            if d not in known:
                p.add("world.districts", d, f"unknown district; allowed are {', '.join(known)}", d, known)
    return WorldRef(spec, path)


def _noise(p: Problems, raw: Any, preset: str) -> tuple[tuple[str, float], ...]:
    """``[world.noise]`` as ``(TABLE.NAME, share)`` pairs in name order: tables of the preset (``electoral_roll``,
    ``caller_id``) holding the shares they override (:func:`synth.world.plan.noise_assumptions`)."""
    from synth.world.preset import load_preset

    if not isinstance(raw, Mapping):
        p.add("world.noise", raw, "must be a table of assumptions, e.g. electoral_roll.moved_share = 0.05")
        return ()
    try:
        known = noise_assumptions(load_preset(preset))
    except SynthError:  # an unknown preset is named under world.preset
        return ()
    pairs = []
    for full, share in _flat(raw):
        if full not in known:
            allowed = f"unknown assumption; allowed are {describe_assumptions(known)}"
            p.add(f"world.noise.{full}", share, allowed, full, list(known))
        elif not is_share(share):
            p.add(f"world.noise.{full}", share, f"must be a share from 0 to 1 (the preset's is {known[full]:g})")
        else:
            pairs.append((full, float(share)))
    for source, community in sorted({tuple(n.split(".")[1:3]) for n, _ in pairs if n.startswith("name_formats.")}):
        key = f"name_formats.{source}.{community}"
        total = sum(dict(pairs).get(f"{key}.{f}", share) for f, share in _formats_of(known, key).items())
        if abs(total - 1) > SUM_TOLERANCE:
            p.add(
                f"world.noise.{key}",
                round(total, 6),
                f"its formats' shares (the preset's for those not named) add up to {total:.4g}; they must add up to 1",
            )
    return tuple(sorted(pairs))


def _flat(raw: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted key, value)`` of every leaf of nested TOML tables."""
    out = []
    for key, value in raw.items():
        full = f"{prefix}{key}"
        out += _flat(value, f"{full}.") if isinstance(value, Mapping) else [(full, value)]
    return out


def _formats_of(known: Mapping[str, float], key: str) -> dict[str, float]:
    """The preset's share of each format of ``name_formats.SOURCE.COMMUNITY`` (``key``)."""
    return {name.rsplit(".", 1)[1]: share for name, share in known.items() if name.startswith(f"{key}.")}


def reference_date_of(world: WorldRef) -> date | None:
    """The world's reference date: its preset's, or its folder's manifest's (None: a folder not built yet)."""
    if world.path is None:
        from synth.world.preset import load_preset

        return load_preset(world.spec.preset).reference_date
    manifest = Path(world.path) / "manifest.json"
    if not manifest.is_file():
        return None
    stated = json.loads(manifest.read_text()).get("reference_date")
    return date.fromisoformat(stated) if stated else None
