"""Utility of a minimized release: what it keeps of its legitimate purposes, measured against the truth.

Three purposes, each measured on what the recipient actually holds (``minimized.view``) against the
original, unminimized release and its hidden truth, each in a module of its own (its docstring says how):

Outreach (:mod:`synth.measure.utility.outreach`)
    The share of the intended recipients that the holder can message.
Ward planning (:mod:`synth.measure.utility.ward_planning`)
    Counts by local body, ward, five-year age band and gender, against the true counts.
Research (:mod:`synth.measure.utility.research`)
    Accuracy of a decision tree predicting ``registry`` from the received rows, beside the ceiling and
    the majority baseline.

:func:`utility` measures all three. Every random draw comes from the numpy Generator passed in (scikit-learn
gets ``random_state`` from it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.measure.utility.inputs import check_pair, check_rng, check_world
from synth.measure.utility.outreach import OutreachUtility, outreach_utility
from synth.measure.utility.research import ResearchUtility, research_utility
from synth.measure.utility.ward_planning import WardPlanningUtility, ward_planning_utility
from synth.policies.apply import MinimizedRelease
from synth.release.build import Release
from synth.world.api import World

__all__ = ["Utility", "utility"]


@dataclass(frozen=True)
class Utility:
    """The three purposes of one minimized release."""

    policy_id: str
    outreach: OutreachUtility
    ward_planning: WardPlanningUtility
    research: ResearchUtility


def utility(original: Release, minimized: MinimizedRelease, world: World, rng: np.random.Generator) -> Utility:
    """What a minimized release keeps of outreach, ward planning and research (see the module docstring).

    Parameters
    ----------
    original
        The release before minimization, with its truth.
    minimized
        ``minimize(original, policy)``.
    world
        The world the release was made from (its wards make the ward-planning grid).
    rng
        The only source of randomness (the research split and the tree's seed).

    Returns
    -------
    Utility

    Raises
    ------
    SpecError
        ``rng`` is not a numpy Generator, the original release holds people who are not in ``world``,
        or the minimized release does not come from the original.

    Examples
    --------
    >>> tokenized = minimize(release, load_policy("tokenize"))  # doctest: +SKIP
    >>> u = utility(release, tokenized, world, np.random.default_rng(0))  # doctest: +SKIP
    >>> u.outreach.reach.value  # doctest: +SKIP
    1.0
    """
    check_rng(rng, "utility")
    check_pair(original, minimized)
    check_world(original, world)
    return Utility(
        policy_id=minimized.policy_id,
        outreach=outreach_utility(original, minimized),
        ward_planning=ward_planning_utility(original, minimized, world.place_names()),
        research=research_utility(original, minimized, rng),
    )
