"""The scenario's seed carried into every policy step that draws random numbers.

Steps with a ``random_state`` parameter (the salt of a salted hash, the tokens of a vault, the noise of
noisy counts, the sample of a synthetic release) would otherwise keep their default or the value of the
policy file, and every seed of a scenario would release identical salts, tokens, noise and samples: the
spread over seeds would then show only the attacks' randomness, not the policy's.
"""

from __future__ import annotations

import copy
import zlib

import numpy as np

from synth.checks import seed_problem, whole
from synth.policies.base import Policy, Step

SEED_PARAM = "random_state"


def step_seed(seed: int, policy_id: str, index: int) -> int:
    """The seed of one step: derived from the scenario seed, the policy's id and the step's position.

    Parameters
    ----------
    seed
        The scenario seed (a whole number from 0 to 2**32 - 1).
    policy_id
        The policy's id; its CRC-32 enters the entropy, so two policies with a step at the same
        position get unrelated seeds.
    index
        The step's position in the policy (0 for the first).

    Returns
    -------
    int
        A whole number from 0 to 2**32 - 1: ``SeedSequence([seed, crc32(policy_id), index])``'s first
        32-bit word.

    Raises
    ------
    ValueError
        ``seed`` is not a whole number from 0 to 2**32 - 1, or ``index`` is not a non-negative whole number.

    Examples
    --------
    >>> step_seed(1, "tokenize", 0) == step_seed(1, "tokenize", 0)
    True
    >>> step_seed(1, "tokenize", 0) != step_seed(2, "tokenize", 0)
    True
    """
    if (problem := seed_problem(seed)) is not None:
        raise ValueError(problem)
    if not whole(index, 0):
        raise ValueError(f"index = {index!r}: must be a non-negative whole number")
    entropy = [int(seed), zlib.crc32(policy_id.encode("utf-8")), int(index)]
    return int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint32)[0])


def _reseeded(step: Step, random_state: int) -> Step:
    # A new step from the constructor's parameters, as scikit-learn's clone does: __init__ stores the
    # parameters and nothing else, and the copy is unfitted (its state would be that of the old seed).
    params = copy.deepcopy(step.get_params())
    return type(step)(**{**params, SEED_PARAM: random_state})


def seeded_policy(policy: Policy, seed: int) -> Policy:
    """A copy of ``policy`` whose random steps are seeded from the scenario seed.

    Every step with a ``random_state`` parameter (see :meth:`Step.get_params`) is rebuilt through its
    constructor with ``random_state`` set to :func:`step_seed` of (``seed``, ``policy.id``, the step's
    position). Steps without one are deep copies of the originals. The caller's policy and its steps are
    never changed.

    Parameters
    ----------
    policy
        The policy as loaded (its file's ``random_state`` values, or the steps' defaults, are replaced).
    seed
        The scenario seed (a whole number from 0 to 2**32 - 1).

    Returns
    -------
    Policy
        The same id, description and steps in the same order, with derived seeds.

    Raises
    ------
    ValueError
        ``seed`` is not a whole number from 0 to 2**32 - 1.

    Notes
    -----
    Why: a scenario repeats each policy over its seeds so that the results show how much they vary.
    Without this, every seed would draw the same salt, the same tokens, the same noisy counts and the
    same synthetic rows. With it, different seeds give different salts, tokens, noise and samples, and
    the same seed gives identical ones (the derivation is deterministic, so a rerun or a resumed run
    reproduces its releases). Each step gets its own seed, so two random steps of one policy do not
    draw the same stream.

    Examples
    --------
    >>> from synth.policies.tokenize import Tokenize
    >>> p = Policy("tokenize", "tokens", [Tokenize()])
    >>> seeded_policy(p, 1).steps[0].random_state == seeded_policy(p, 1).steps[0].random_state
    True
    >>> p.steps[0].random_state  # the caller's policy is unchanged
    0
    """
    if (problem := seed_problem(seed)) is not None:
        raise ValueError(problem)
    out = copy.deepcopy(policy)
    out.steps = [
        _reseeded(step, step_seed(seed, policy.id, i)) if SEED_PARAM in step.get_params() else copied
        for i, (step, copied) in enumerate(zip(policy.steps, out.steps, strict=True))
    ]
    return out
