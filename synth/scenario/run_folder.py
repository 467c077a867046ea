"""A run's output folder and what makes it the same run: the scenario as resolved (``scenario.resolved.json``) and
the keyed fingerprints of the secrets its policies read. A folder holding anything else, or a run of another
scenario or key, is refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

from synth.core.paths import PACKAGE_DIR
from synth.errors import OutputError
from synth.scenario.composed_run import keyed_policy
from synth.scenario.spec import Scenario

MARKER = "scenario.resolved.json"


def key_fingerprints(scenario: Scenario) -> dict[str, str]:
    """``"POLICY/STEP"`` (``"RELEASE:POLICY/STEP"`` for a release of several) -> the keyed fingerprint of each
    secret a policy reads from outside the scenario (an HMAC key from ``SYNTH_HMAC_KEY`` or a key file): a run
    under another key is another run. Never the key itself."""
    policies = [("", p) for p in scenario.policies]
    policies += [(f"{r.id}:", keyed_policy(r.policy, r.key, 0, r.id)) for r in scenario.releases]
    return {
        f"{prefix}{policy.id}/{i}": fingerprint
        for prefix, policy in policies
        for i, step in enumerate(policy.steps)
        if (fingerprint := step.key_fingerprint()) is not None
    }


def check_out(out: Path, scenario: Scenario | None) -> None:
    """Refuse an output folder inside the package, a file, or a folder holding anything but this run."""
    out = out.resolve()
    if out == PACKAGE_DIR or PACKAGE_DIR in out.parents:
        raise OutputError(f"output folder {out} is inside the package ({PACKAGE_DIR}); choose a folder outside it")
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {out} is a file; choose a folder")
    if out.is_dir() and any(out.iterdir()):
        marker = out / MARKER
        if not marker.is_file():
            raise OutputError(f"output folder {out} holds other files; choose a new or empty folder")
        if scenario is None:
            return
        held = json.loads(marker.read_text())
        if held.get("scenario") != json.loads(json.dumps(dict(scenario.raw), default=str)):
            raise OutputError(
                f"output folder {out} holds the results of a different scenario; choose another folder or delete it"
            )
        now = key_fingerprints(scenario)
        before = held.get("key_fingerprints", {})
        changed = sorted({step.split("/")[0] for step in set(now) | set(before) if before.get(step) != now.get(step)})
        if changed:
            raise OutputError(
                f"output folder {out} holds results made under another HMAC key for the policies "
                f"{', '.join(changed)} (SYNTH_HMAC_KEY or the key file changed since); choose another folder or "
                "delete it, or set the key the run was made with"
            )
