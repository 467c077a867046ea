"""A linkage baseline lent the truth's right entries (:class:`~synth.scoring.linkage.RightEntries`) makes the same
right links as one that scans every row, and no link the other does not make.

The views are the policy's own (every row linkable), and views half shuffled the way a baseline shuffles, where
some rows can no longer be right. In the views "with names both ways", a third of the released names are blanked
and half the rows carry a learnt name, so some rows are named both ways (as only a baseline's shuffle leaves them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from synth import open_world
from synth.attacks import exact_linkage as exact_module
from synth.attacks import probabilistic_linkage as probabilistic_module
from synth.attacks.exact_linkage import ExactLinkageParams
from synth.attacks.linking import LinkageAttack, blinded, named_rows, one_per_row, scope_for_names
from synth.attacks.probabilistic_linkage import ProbabilisticLinkageParams
from synth.policies.apply import MinimizedRelease, minimize
from synth.policies.library import load_policy
from synth.release import make_release
from synth.release.build import AttackerView, Release
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.linkage import RightEntries, correct_rows

EXACT = (exact_module.ATTACK, ExactLinkageParams())
PROBABILISTIC = (probabilistic_module.ATTACK, ProbabilisticLinkageParams(max_pairs=1e5))
LINK_NAMES = {"row_id": pl.Int64, "name": pl.String, "name_by": pl.String}  # no name learnt


@pytest.fixture(scope="module")
def setting(small_world_dir: Path):  # type: ignore[no-untyped-def]
    world = open_world(small_world_dir)
    release = make_release(world)
    return release, auxiliary_from_world(world, ["electoral_roll"]), world.table("roll_truth").collect()


def _inputs(release: Release, minimized: MinimizedRelease, view: str) -> tuple[AttackerView, pl.DataFrame]:
    """The view and the learnt names (``drop_names``: every row's true name, as if read off its caller-ID label)."""
    learnt = release.data.select("row_id", "name", by=pl.lit("caller_id_lookup"))
    names = named_rows(minimized.view, learnt if minimized.policy_id == "drop_names" else learnt.clear())
    if view == "own":
        return minimized.view, names
    shuffled, names = blinded(minimized.view, names, np.random.default_rng(11))
    half = minimized.view.data.height // 2
    data = pl.concat([minimized.view.data.head(half), shuffled.data.tail(-half)])
    if view == "with names both ways" and "name" in data.columns:
        data = data.with_columns(name=pl.when(pl.col("row_id") % 3 == 0).then(None).otherwise("name"))
        names = release.data.filter(pl.col("row_id") % 2 == 0).select("row_id", "name", name_by=pl.lit("caller_id"))
    return AttackerView(data=data, metadata=minimized.view.metadata), names


def _links(
    attack: LinkageAttack, params: Any, view: AttackerView, names: pl.DataFrame, aux: Any, scope: Any
) -> pl.DataFrame:
    return attack.accepted(attack.link(view, names, aux, np.random.default_rng(5), params, None, scope), params)


def _compare(setting: Any, attack: LinkageAttack, params: Any, policy: str, view: str) -> tuple[int, int, int]:
    """The right rows of the baseline's guesses (one per row), with the truth lent and without, which must be the
    same; the links lent the truth must be among the others. Returns the right rows, the links and those kept."""
    release, aux, roll_truth = setting
    minimized = minimize(release, load_policy(policy))
    data, names = _inputs(release, minimized, view)
    scope = RightEntries(minimized.truth, roll_truth, "small")
    every = _links(attack, params, data, names, aux, None)
    kept = _links(attack, params, data, names, aux, scope)
    right = [correct_rows(one_per_row(links, attack.id), minimized.truth, roll_truth) for links in (every, kept)]
    assert right[0].equals(right[1])
    assert kept.join(every, on=["row_id", "epic", "chain"], how="anti").height == 0
    return right[0].height, every.height, kept.height


@pytest.mark.parametrize("view", ["own", "half shuffled", "with names both ways"])
@pytest.mark.parametrize("policy", ["as_exported", "local_body_not_ward", "age_bands_5", "drop_names"])
def test_exact_linkage_lent_the_truth_makes_the_same_right_links(setting, policy: str, view: str) -> None:  # type: ignore[no-untyped-def]
    right, every, kept = _compare(setting, *EXACT, policy, view)
    assert right > 0
    assert kept < every  # links that cannot be right were left out: the truth narrowed the rows scanned


@pytest.mark.slow
@pytest.mark.parametrize(
    ("policy", "view"),
    [("as_exported", "with names both ways"), ("drop_names", "own")],
)
def test_probabilistic_linkage_lent_the_truth_makes_the_same_right_links(setting, policy: str, view: str) -> None:  # type: ignore[no-untyped-def]
    right, every, kept = _compare(setting, *PROBABILISTIC, policy, view)
    assert right > 0
    assert kept < every


@pytest.mark.slow
def test_links_on_learnt_names_are_scanned_whole_where_a_row_is_named_both_ways(  # type: ignore[no-untyped-def]
    setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without :func:`scope_for_names`, a row named both ways whose link on the learnt name could not be right
    would lose it, and its direct link, right, would count in its place."""
    release, _, roll_truth = setting
    minimized = minimize(release, load_policy("as_exported"))
    data, names = _inputs(release, minimized, "with names both ways")
    assert scope_for_names(data, names, RightEntries(minimized.truth, roll_truth, "small")) is None
    assert scope_for_names(minimized.view, names.clear(), RightEntries(minimized.truth, roll_truth, "small"))
    monkeypatch.setattr(probabilistic_module, "scope_for_names", lambda view, names, scope: scope)
    with pytest.raises(AssertionError):
        _compare(setting, *PROBABILISTIC, "as_exported", "with names both ways")


@pytest.mark.parametrize("attack", [EXACT, PROBABILISTIC], ids=["exact", "probabilistic"])
def test_a_baseline_that_can_get_no_row_right_links_nothing(setting, attack: tuple[Any, Any]) -> None:  # type: ignore[no-untyped-def]
    """No released row is anybody on the roll (an empty truth): every row is left unscanned, and the links come out
    empty, in their schema."""
    release, aux, roll_truth = setting
    minimized = minimize(release, load_policy("as_exported"))
    nobody = RightEntries(minimized.truth.clear(), roll_truth, "small")
    links = _links(*attack, minimized.view, pl.DataFrame(schema=LINK_NAMES), aux, nobody)
    assert links.height == 0
    assert links.columns == ["row_id", "epic", "chain"]
