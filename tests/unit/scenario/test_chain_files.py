"""The chain's state in its files: the round trip a resumed run reads, and the attacks run while it waits there."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from synth.attacks.knowledge import LINK_SCHEMA, Knowledge
from synth.attacks.registry import ATTACKS
from synth.scenario.cells import ChainState
from synth.scenario.chain_files import cleared, passes_through, read_state, write_state


def _state() -> ChainState:
    facts = pl.DataFrame({"row_id": [1, 2], "phone": ["+919847000001", None]})
    links = pl.DataFrame({"row_id": [1], "epic": ["E1"], "chain": ["exact_linkage"]}, schema=LINK_SCHEMA)
    baseline = pl.DataFrame({"row_id": [2], "epic": ["E9"], "chain": ["exact_linkage"]}, schema=LINK_SCHEMA)
    return ChainState(Knowledge(facts=facts, links=links), baseline)


def test_the_chain_state_round_trips_through_its_files(tmp_path: Path) -> None:
    assert read_state(tmp_path) is None
    state = _state()
    write_state(tmp_path / "cell", state)
    assert sorted(p.name for p in (tmp_path / "cell").iterdir()) == [
        "baseline_links.parquet",
        "facts.parquet",
        "links.parquet",
    ]
    back = read_state(tmp_path / "cell")
    assert back is not None
    assert_frame_equal(back.knowledge.facts, state.knowledge.facts)
    assert_frame_equal(back.knowledge.links, state.knowledge.links)
    assert_frame_equal(back.baseline_links, state.baseline_links)
    (tmp_path / "cell" / "links.parquet").unlink()
    assert read_state(tmp_path / "cell") is None  # a state only part written is no state


def test_the_attacks_that_neither_read_nor_add_knowledge_pass_the_state_through() -> None:
    assert [a for a in ATTACKS if passes_through(a)] == [
        "singling_out",
        "attribute_inference",
        "membership_inference",
        "reconstruction",
    ]
    assert not passes_through("utility")  # not an attack: it runs with the state as it is
    assert not passes_through("reach")


def test_a_cleared_state_keeps_every_column_and_no_row() -> None:
    state = _state()
    empty = cleared(state)
    for before, after in [
        (state.knowledge.facts, empty.knowledge.facts),
        (state.knowledge.links, empty.knowledge.links),
        (state.baseline_links, empty.baseline_links),
    ]:
        assert after.schema == before.schema
        assert after.height == 0
