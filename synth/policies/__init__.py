"""Data-minimization policies: steps in the scikit-learn style, pipelines declared in TOML."""

from synth.policies.apply import MinimizedRelease, minimize
from synth.policies.base import Policy, Step
from synth.policies.library import STEPS, load_policy, policy_from_dict, policy_ids

__all__ = ["STEPS", "MinimizedRelease", "Policy", "Step", "load_policy", "minimize", "policy_from_dict", "policy_ids"]
