"""The attacks a cell runs while the chain's state waits in its files score exactly as on the whole state."""

from __future__ import annotations

from pathlib import Path

from polars.testing import assert_frame_equal

from synth.attacks.registry import run_order
from synth.scenario import load_scenario
from synth.scenario.cells import ChainState, minimized_for, run_cell
from synth.scenario.chain_files import cleared, passes_through
from synth.scenario.run import _context

SMOKE = Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml"


def test_the_attacks_run_on_a_cleared_state_score_as_on_the_whole_state(small_world_dir: Path) -> None:
    """ci_smoke's world and attacks on as_exported: each attack that passes the state through gives the same rows and
    notes on the state the chain left as on that state cleared, and hands the state back unchanged."""
    scenario = load_scenario(SMOKE)
    ctx = _context(scenario, str(small_world_dir), 1)
    attacks = run_order(scenario.attacks)
    passing = [a for a in attacks if passes_through(a)]
    assert passing == ["singling_out", "attribute_inference", "membership_inference"]
    policy = scenario.policies[0]
    minimized = minimized_for(ctx, policy)
    state = ChainState.start(minimized)
    for unit in attacks:
        params = scenario.attacks.get(unit)
        full, after = run_cell(ctx, policy, minimized, unit, params, state)
        if passes_through(unit):
            assert state.knowledge.links.height > 0  # the chain has linked rows by now
            bare, _ = run_cell(ctx, policy, minimized, unit, params, cleared(state))
            assert full.rows.height > 0 or full.notes  # something to compare (membership: a note why not)
            assert_frame_equal(bare.rows, full.rows)
            assert bare.notes == full.notes
            assert after.knowledge is state.knowledge
            assert after.baseline_links is state.baseline_links
        state = after
