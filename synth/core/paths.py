"""Where the package's data files lie: calibration presets, vocabularies and numbering plans.

The files live under ``synth/world/calibration/`` (package data); their paths are named here, below every
package, so that an attack reading a vocabulary or a numbering plan needs nothing from the world.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CALIBRATION_DIR = PACKAGE_DIR / "world" / "calibration"
VOCAB_DIR = CALIBRATION_DIR / "vocab"
PHONE_PLAN_DIR = CALIBRATION_DIR / "phone_plans"
