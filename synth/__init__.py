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
from synth.version import __version__
from synth.world.api import World, build_world, open_world
from synth.world.learned.api import learn_world
from synth.world.plan import WorldSpec
from synth.world.validate import validate_world

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
    "__version__",
    "build_world",
    "learn_world",
    "open_world",
    "validate_world",
]
