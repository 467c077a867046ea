"""Apply a policy to a release: the attacker's view of what leaves, and the truth kept apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from synth.policies.base import Policy
from synth.release.build import AttackerView, Release


@dataclass(frozen=True)
class MinimizedRelease:
    """A release after a policy: ``view`` goes to the recipient; ``truth`` stays for scoring.

    ``truth`` maps each released row to its person, only where released rows are real people's
    rows; a synthetic or aggregate release has no such rows and an empty truth.
    """

    policy_id: str
    view: AttackerView
    truth: pl.DataFrame
    report: list[dict[str, Any]]
    rows_are_people: bool


def minimize(release: Release, policy: Policy) -> MinimizedRelease:
    """Check the policy against the release (before touching data), fit it and transform the release."""
    data = policy.fit_transform(release.data)
    people_rows = all(step.keeps_rows for step in policy.steps) and "row_id" in data.columns
    truth = release.truth.join(data.select("row_id"), on="row_id", how="semi") if people_rows else release.truth.clear()
    return MinimizedRelease(
        policy_id=policy.id,
        view=AttackerView(data=data, metadata=policy.released_metadata()),
        truth=truth,
        report=policy.report(),
        rows_are_people=people_rows,
    )
