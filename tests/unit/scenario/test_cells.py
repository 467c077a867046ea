"""One cell of a scenario, on tiny hand-built releases: the onward leak, the seeded streams, the sampled sources,
the policy applied per cell, and run_cell's rows, notes and chain state (no world is built)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NoParams, Outcome, Scored, Truth
from synth.attacks.knowledge import LINK_SCHEMA, Knowledge
from synth.attacks.registry import ATTACKS
from synth.measure.results import RESULT_SCHEMA
from synth.policies.apply import MinimizedRelease
from synth.policies.base import Policy
from synth.policies.tokenize import Tokenize
from synth.release.build import AttackerView, Release
from synth.release.spec import ReleaseSpec
from synth.scenario import cells
from synth.scenario.cells import CellContext, ChainState, leak, minimized_for, rng_for, run_cell, sample_sources
from synth.world.api import World

AS_EXPORTED = Policy("as_exported", "as exported", [])
EMPTY_RESULTS = pl.DataFrame(schema=RESULT_SCHEMA)


def _release(n: int = 20) -> Release:
    data = pl.DataFrame(
        {
            "row_id": np.arange(n, dtype=np.int64),
            "phone": [f"+9198470{i:05d}" for i in range(n)],
            "name": [f"Person {i}" for i in range(n)],
            "age": [20 + i % 7 for i in range(n)],
            "gender": ["F" if i % 2 else "M" for i in range(n)],
            "district": ["Wayanad"] * n,
            "registry": ["pensioners"] * n,
        }
    )
    truth = data.select("row_id", person_id=pl.col("row_id") + 1_000, registry="registry")
    return Release(spec=ReleaseSpec(), data=data, truth=truth)


class _World:
    """What the cells read of a world without touching its tables: its people (the universe) and manifest."""

    def __init__(self, people: pl.DataFrame | None = None) -> None:
        self.people = (people if people is not None else pl.DataFrame({"person_id": [1]})).lazy()
        self.manifest = {"build": {"phone_plan": "safe"}}


def _context(release: Release | None = None, seed: int = 4, people: pl.DataFrame | None = None) -> CellContext:
    release = release or _release()
    return CellContext(
        scenario="tiny",
        world=cast(World, _World(people)),
        release=release,
        leaked=release,
        aux=AuxiliaryData(),
        roll_truth=pl.DataFrame({"epic": ["E1"], "person_id": [1_000]}),
        seed=seed,
        strata=pl.DataFrame(),
    )


def _minimized(data: pl.DataFrame, rows_are_people: bool = True) -> MinimizedRelease:
    truth = pl.DataFrame({"row_id": [], "person_id": []}, schema={"row_id": pl.Int64, "person_id": pl.Int64})
    return MinimizedRelease("as_exported", AttackerView(data=data), truth, [], rows_are_people)


def _draws(rng: np.random.Generator) -> list[int]:
    return [int(v) for v in rng.integers(0, 1_000_000, 5)]


# rng_for


def test_rng_for_the_same_seed_and_attack_give_the_same_draws() -> None:
    assert _draws(rng_for(1, "exact_linkage")) == _draws(rng_for(1, "exact_linkage"))
    expected = np.random.default_rng(np.random.SeedSequence([1, zlib.crc32(b"exact_linkage")]))
    assert _draws(rng_for(1, "exact_linkage")) == _draws(expected)


def test_rng_for_another_attack_seed_or_name_order_gives_other_draws() -> None:
    base = _draws(rng_for(1, "exact_linkage"))
    assert _draws(rng_for(1, "singling_out")) != base
    assert _draws(rng_for(2, "exact_linkage")) != base
    assert _draws(rng_for(1, "a", "b")) != _draws(rng_for(1, "b", "a"))
    assert _draws(rng_for(1)) == _draws(np.random.default_rng(np.random.SeedSequence([1])))


# leak


def test_leak_keeps_the_drawn_share_in_release_order_with_its_truth() -> None:
    release = _release(20)
    leaked = leak(release, 0.3, rng_for(7, "onward_leak"))
    expected = np.sort(rng_for(7, "onward_leak").choice(20, 6, replace=False))
    assert leaked.data["row_id"].to_list() == expected.tolist()
    assert leaked.truth["row_id"].to_list() == expected.tolist()
    assert leaked.truth["person_id"].to_list() == (expected + 1_000).tolist()
    assert_frame_equal(leaked.data, release.data[expected])
    assert leaked.spec == release.spec


def test_leak_is_the_same_for_a_seed_and_differs_for_another() -> None:
    release = _release(20)
    first = leak(release, 0.5, rng_for(7, "onward_leak"))
    assert_frame_equal(first.data, leak(release, 0.5, rng_for(7, "onward_leak")).data)
    assert_frame_equal(first.truth, leak(release, 0.5, rng_for(7, "onward_leak")).truth)
    other = leak(release, 0.5, rng_for(8, "onward_leak"))
    assert first.data.height == other.data.height == 10
    assert first.data["row_id"].to_list() != other.data["row_id"].to_list()


def test_a_share_of_one_is_the_release_itself_and_draws_nothing() -> None:
    release = _release(20)
    rng = rng_for(7, "onward_leak")
    assert leak(release, 1.0, rng) is release
    assert _draws(rng) == _draws(rng_for(7, "onward_leak"))


def test_a_share_of_zero_leaks_no_row_but_keeps_the_columns() -> None:
    release = _release(20)
    leaked = leak(release, 0.0, rng_for(7, "onward_leak"))
    assert (leaked.data.height, leaked.truth.height) == (0, 0)
    assert leaked.data.schema == release.data.schema
    assert leaked.truth.schema == release.truth.schema


@pytest.mark.parametrize(("share", "rows"), [(0.25, 2), (0.35, 4), (0.05, 0), (0.95, 10)])
def test_the_leaked_row_count_is_the_share_rounded_half_to_even(share: float, rows: int) -> None:
    assert leak(_release(10), share, rng_for(1, "onward_leak")).data.height == rows


# sample_sources


def test_sample_sources_cuts_each_granted_source_to_its_coverage() -> None:
    roll = pl.DataFrame({"epic": [f"E{i}" for i in range(10)]})
    caller = pl.DataFrame({"phone": ["+919847000001", "+919847000002"], "label": ["A", "B"]})
    aux = AuxiliaryData(electoral_roll=roll, caller_id=caller)
    sampled = sample_sources(aux, {"electoral_roll": 0.4}, rng_for(3, "coverage"))
    expected = np.sort(rng_for(3, "coverage").choice(10, 4, replace=False))
    assert sampled.electoral_roll is not None
    assert sampled.electoral_roll["epic"].to_list() == [f"E{i}" for i in expected]
    assert sampled.caller_id is caller  # no coverage given: the whole source
    twin = sample_sources(aux, {"electoral_roll": 0.4}, rng_for(3, "coverage")).electoral_roll
    assert twin is not None
    assert_frame_equal(sampled.electoral_roll, twin)


def test_sample_sources_leaves_an_ungranted_source_out_and_a_full_one_whole() -> None:
    roll = pl.DataFrame({"epic": ["E1", "E2"]})
    rng = rng_for(3, "coverage")
    sampled = sample_sources(AuxiliaryData(electoral_roll=roll), {"electoral_roll": 1.0, "caller_id": 0.5}, rng)
    assert sampled.electoral_roll is roll
    assert (sampled.caller_id, sampled.membership_targets) == (None, None)
    assert _draws(rng) == _draws(rng_for(3, "coverage"))  # nothing drawn


# ChainState, CellContext


def test_the_chain_starts_from_what_the_release_tells() -> None:
    data = pl.DataFrame({"row_id": [5, 6], "phone": ["+919847000001", "a1b2c3"], "name": ["Anu", None]})
    state = ChainState.start(_minimized(data))
    facts = state.knowledge.facts
    assert facts["row_id"].to_list() == [5, 6]
    assert facts["phone"].to_list() == ["+919847000001", None]  # a token is not a phone number
    assert facts["phone_by"].to_list() == ["released", None]
    assert facts["name"].to_list() == ["Anu", None]
    assert facts["name_by"].to_list() == ["released", None]
    assert state.knowledge.links.schema == pl.Schema(LINK_SCHEMA)
    assert state.baseline_links.height == 0
    assert state.baseline_links.schema == pl.Schema(LINK_SCHEMA)


def test_the_universe_is_every_number_in_use_once_read_then_kept() -> None:
    people = pl.DataFrame(
        {
            "person_id": [1, 2, 3],
            "phone": ["+919847000003", None, "+919847000001"],
            "contact_phone": ["+919847000001", "+919847000002", None],
        }
    )
    ctx = _context(people=people)
    universe = ctx.universe()
    assert universe.tolist() == [9847000001, 9847000002, 9847000003]
    assert universe.dtype == np.int64
    assert ctx.universe() is universe
    assert ctx.cache["universe"] is universe


def test_a_world_without_phones_has_an_empty_universe() -> None:
    assert _context().universe().tolist() == []


# minimized_for


def test_the_policy_is_seeded_by_the_scenario_seed_on_a_fresh_copy() -> None:
    policy = Policy("tokenize", "tokens", [Tokenize()])
    first = minimized_for(_context(seed=4), policy)
    twin = minimized_for(_context(seed=4), policy)
    other = minimized_for(_context(seed=5), policy)
    assert_frame_equal(first.view.data, twin.view.data)
    assert first.view.data["phone"].to_list() != other.view.data["phone"].to_list()
    assert first.view.data["phone"].str.len_chars().to_list() == [24] * 20  # 12 random bytes in hex
    assert first.policy_id == "tokenize"
    assert first.rows_are_people
    assert_frame_equal(first.truth, _release().truth)
    step = policy.steps[0]
    assert isinstance(step, Tokenize)
    assert step.random_state == 0
    assert not hasattr(step, "vault_")  # the caller's policy was never fitted


def test_minimized_for_takes_the_leaked_release_unless_given_another() -> None:
    full, part = _release(20), _release(5)
    ctx = CellContext("tiny", cast(World, _World()), full, part, AuxiliaryData(), pl.DataFrame(), 4, pl.DataFrame())
    assert minimized_for(ctx, AS_EXPORTED).view.data.height == 5
    assert minimized_for(ctx, AS_EXPORTED, full).view.data.height == 20


# run_cell: what does not apply


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (pl.DataFrame({"district": ["Wayanad"], "count": [3]}), "the release has no rows (aggregate counts)"),
        (_release(0).data, "the release is empty (nothing leaves the controller)"),
        (pl.DataFrame({"row_id": [1], "phone": ["+919847000001"]}), "the release has no quasi-identifier"),
    ],
)
def test_release_measures_that_do_not_apply_leave_a_note_and_no_rows(data: pl.DataFrame, why: str) -> None:
    ctx, minimized = _context(), _minimized(data)
    state = ChainState.start(minimized)
    result, after = run_cell(ctx, AS_EXPORTED, minimized, "release", None, state)
    assert result.notes == (f"as_exported / release: release measures: {why}",)
    assert_frame_equal(result.rows, EMPTY_RESULTS)
    assert after is state


def test_utility_of_a_release_minimized_from_another_is_a_note() -> None:
    ctx = _context(_release(3))
    minimized = _minimized(pl.DataFrame({"row_id": [0, 7, 8], "age": [30, 31, 32]}))
    result, _ = run_cell(ctx, AS_EXPORTED, minimized, "utility", ("outreach",), ChainState.start(minimized))
    assert result.notes == (
        "as_exported / utility: minimized release 'as_exported': 2 of its 3 rows are not rows of the original "
        "release (was it minimized from another release?)",
    )
    assert_frame_equal(result.rows, EMPTY_RESULTS)


def test_an_attack_that_does_not_apply_leaves_the_chain_as_it_was() -> None:
    minimized = _minimized(_release(3).data, rows_are_people=False)
    state = ChainState.start(minimized)
    result, after = run_cell(_context(), AS_EXPORTED, minimized, "caller_id_lookup", NoParams(), state)
    assert result.notes == (
        "as_exported / caller_id_lookup: attack 'caller_id_lookup': the release's rows are not people "
        "(synthetic or aggregate)",
    )
    assert_frame_equal(result.rows, EMPTY_RESULTS)
    assert after is state


# run_cell: rows, breakdown, notes and the chain, through a stand-in attack


@dataclass(frozen=True)
class _Score:
    correct: int
    recall: float
    label: str = "text gives no row"


class _FakeAttack(Attack):
    id: ClassVar[str] = "fake"
    summary: ClassVar[str] = "a stand-in that records what it was given"

    def __init__(self) -> None:
        self.draw = -1
        self.rows: list[int] = []

    def run(self, cell: Cell, params: Any) -> Outcome:
        self.draw = int(cell.rng.integers(0, 1_000_000))
        self.rows = cell.view.data["row_id"].to_list()
        found = pl.DataFrame({"row_id": [0], "name": ["Found"], "by": ["fake"]})
        links = pl.DataFrame({"row_id": [1, 2], "epic": ["E1", "E2"], "chain": ["fake", "fake"]}, schema=LINK_SCHEMA)
        return Outcome(
            guesses=found,
            baseline=None,
            knowledge=cell.knowledge.learn("name", found),
            baseline_links=links,
        )

    def score(self, outcome: Outcome, truth: Truth, params: Any) -> Scored:
        breakdown = pl.DataFrame(
            {"group": ["pensioners"], "measure": ["correct"], "value": [2], "ci_low": [None], "ci_high": [None]}
        )
        return Scored(scores=(_Score(correct=3, recall=0.5),), breakdown=breakdown)

    def caveats(self, outcome: Outcome, params: Any) -> tuple[str, ...]:
        return ("a lower bound",)


def test_an_attack_cell_gives_tidy_rows_its_breakdown_notes_and_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _FakeAttack()
    monkeypatch.setitem(ATTACKS, "fake", fake)
    release = _release(3)
    minimized = _minimized(release.data.drop("name"))
    earlier = pl.DataFrame({"row_id": [2], "epic": ["E2"], "chain": ["fake"]}, schema=LINK_SCHEMA)
    state = ChainState(Knowledge.from_view(minimized.view), earlier)
    result, after = run_cell(_context(release, seed=9), AS_EXPORTED, minimized, "fake", None, state)
    assert fake.draw == int(rng_for(9, "fake").integers(0, 1_000_000))  # seeded by (seed, attack)
    assert fake.rows == [0, 1, 2]
    expected = pl.DataFrame(
        [
            ("tiny", 9, "as_exported", "fake", "all", "correct", 3.0, None, None),
            ("tiny", 9, "as_exported", "fake", "all", "recall", 0.5, None, None),
            ("tiny", 9, "as_exported", "fake", "pensioners", "correct", 2.0, None, None),
        ],
        schema=RESULT_SCHEMA,
        orient="row",
    )
    assert_frame_equal(result.rows, expected)
    assert result.notes == ("as_exported / fake: a lower bound",)
    assert after.knowledge.facts["name"].to_list() == ["Found", None, None]
    assert after.knowledge.facts["name_by"].to_list() == ["fake", None, None]
    # the baselines' links so far, then the new ones, each once
    assert after.baseline_links.rows() == [(2, "E2", "fake"), (1, "E1", "fake")]
    assert state.baseline_links.rows() == [(2, "E2", "fake")]  # the state handed in is unchanged


@dataclass(frozen=True)
class _Purpose:
    reach: float


@dataclass(frozen=True)
class _Research:
    accuracy: float


@dataclass(frozen=True)
class _Utility:
    policy_id: str
    outreach: _Purpose
    research: _Research


def test_utility_rows_are_only_the_scenarios_purposes(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    def fake_utility(original: Release, minimized: MinimizedRelease, world: World, rng: np.random.Generator) -> Any:
        seen.append(int(rng.integers(0, 1_000_000)))
        return _Utility("as_exported", _Purpose(reach=0.75), _Research(accuracy=0.6))

    monkeypatch.setattr(cells, "utility", fake_utility)
    minimized = _minimized(_release(3).data)
    state = ChainState.start(minimized)
    result, after = run_cell(_context(seed=2), AS_EXPORTED, minimized, "utility", ("research",), state)
    assert result.rows.select("attack", "group", "measure", "value").rows() == [
        ("utility", "all", "research_accuracy", 0.6)
    ]
    assert result.notes == ()
    assert after is state
    assert seen == [int(rng_for(2, "utility").integers(0, 1_000_000))]
