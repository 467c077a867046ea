"""Releases: what an export takes out of a world, and the attacker's view of it."""

from synth.release.build import AttackerView, Release, make_release
from synth.release.spec import EXPORT_FIELDS, REGISTRIES, ReleaseSpec

__all__ = ["EXPORT_FIELDS", "REGISTRIES", "AttackerView", "Release", "ReleaseSpec", "make_release"]
