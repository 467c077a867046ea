"""The chain's state in its files beside a cell: what a resumed run starts from, and where the state waits while an
attack that neither reads nor extends it runs.

Every attack that adds to the attacker's knowledge writes the state after it, so the files always hold what the last
such attack left. An attack that reads nothing of the knowledge and adds nothing to it (singling out, attribute
inference, membership inference, reconstruction) is run with the state cleared, and the next attack that reads it
reads it back. Over the whole state the knowledge after linkage is 1.1 GiB (83 lakh rows of facts and their chains,
and 1.2 crore links), which singling out and attribute inference, the units of a cell's highest peaks, never look at.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from synth.attacks.knowledge import Knowledge
from synth.attacks.registry import ATTACKS
from synth.engine.io import atomic_parquet
from synth.scenario.cells import ChainState

STATE = ("facts", "links", "baseline_links")  # the chain's state, kept beside the cells so a run resumes


def passes_through(unit: str) -> bool:
    """Whether the unit ``unit`` is an attack that reads none of the attacker's knowledge and adds none to it."""
    return unit in ATTACKS and not ATTACKS[unit].reads and not ATTACKS[unit].adds


def read_state(folder: Path) -> ChainState | None:
    """The chain's state as the last finished unit left it (None: no unit has finished)."""
    paths = [folder / f"{name}.parquet" for name in STATE]
    if not all(p.is_file() for p in paths):
        return None
    facts, links, baseline = (pl.read_parquet(p) for p in paths)
    return ChainState(Knowledge(facts=facts, links=links), baseline)


def write_state(folder: Path, state: ChainState) -> None:
    """Keep ``state`` in ``folder``, each frame written whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = (state.knowledge.facts, state.knowledge.links, state.baseline_links)
    for name, frame in zip(STATE, frames, strict=True):
        atomic_parquet(folder / f"{name}.parquet", frame)


def cleared(state: ChainState) -> ChainState:
    """``state`` with no rows, its columns kept: what an attack that passes the state through is given while the
    state waits in its files."""
    knowledge = Knowledge(facts=state.knowledge.facts.clear(), links=state.knowledge.links.clear())
    return ChainState(knowledge, state.baseline_links.clear())
