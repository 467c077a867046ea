"""Synthetic citizens and breach simulation: build a synthetic Kerala, release, minimize, attack, measure.

The public API is small: build a world, open one, validate it.
"""

from synth.errors import (
    BuildInterrupted,
    LearnError,
    OutputError,
    PresetError,
    SpecError,
    SynthError,
    WorldError,
)
from synth.world.api import World, build_world, learn_world, open_world, validate_world
from synth.world.plan import WorldSpec

__all__ = [
    "BuildInterrupted",
    "LearnError",
    "OutputError",
    "PresetError",
    "SpecError",
    "SynthError",
    "World",
    "WorldError",
    "WorldSpec",
    "build_world",
    "learn_world",
    "open_world",
    "validate_world",
]
__version__ = "0.1.0"
