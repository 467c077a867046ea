"""A cached world's name changes with its spec, its preset's contents and the generator's code."""

from __future__ import annotations

import shutil
from pathlib import Path

from synth.core.paths import CALIBRATION_DIR
from synth.world.build import cache_key, generator_sha256
from synth.world.plan import WorldSpec


def test_the_key_follows_the_spec_and_the_presets_contents(tmp_path: Path) -> None:
    spec = WorldSpec(districts=("Wayanad",), seed=3)
    key = cache_key(spec)
    assert key.startswith("kerala-2026-") and key == cache_key(WorldSpec(districts=("Wayanad",), seed=3))
    assert cache_key(WorldSpec(districts=("Wayanad",), seed=4)) != key
    copy = tmp_path / "kerala-2026"
    shutil.copytree(CALIBRATION_DIR / "kerala-2026", copy)
    edited = copy / "preset.toml"
    same = cache_key(WorldSpec(preset=str(edited), districts=("Wayanad",), seed=3))
    edited.write_text(edited.read_text().replace("moved_share = 0.03 ", "moved_share = 0.04 "))
    changed = cache_key(WorldSpec(preset=str(edited), districts=("Wayanad",), seed=3))
    assert same != changed  # an edited preset is another world
    assert same.startswith("kerala-2026-") and "/" not in same  # a folder name, not the preset's path


def test_the_generators_digest_is_stable_and_sized() -> None:
    assert generator_sha256() == generator_sha256() and len(generator_sha256()) == 64
