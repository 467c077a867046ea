"""Membership inference against a synthetic release: distance to the closest record (DCR).

The attacker holds the records of some target people (age, gender, places, registry, as the
controller's table has them) and asks of each whether it was among the rows the synthesizer was
fitted on. A model that memorised its training rows places synthetic rows near them, so targets
whose closest synthetic record is nearest are flagged as members. Scoring compares the members'
flag rate with that of a holdout of people who were never given to the model (the control), as
anonymeter scores its attacks (:mod:`synth.scoring.membership`).

The distance is Gower's: the mean over columns of ``|a - b| / range`` for numbers and of ``a != b``
for categories (a missing value is a category of its own; against a number it is the farthest).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import polars as pl
from numba import njit, prange

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth, raise_problems
from synth.checks import whole
from synth.core.coding import recode_age
from synth.release.build import AttackerView
from synth.scoring.membership import membership_split, membership_targets, score_membership

ATTACK_ID = "membership_inference"
MODELS = ("dcr", "random")
# What an attacker may know of a target, and compare with a synthetic row. Identifiers are never
# released by a synthetic policy, so they cannot be compared.
COLUMNS = ("age", "gender", "district", "taluk", "local_body", "ward", "registry", "scheme")


@dataclass(frozen=True)
class MembershipInferenceParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    flag_share
        Share of targets flagged as members (the closest ones); 0.5 flags the half nearest the release.
    model
        ``"dcr"`` (the attack) or ``"random"`` (the naive baseline: the same share flagged at random).
    targets_per_side
        Members and holdout people drawn as targets, each (fewer where either side has fewer).
    holdout_share
        Share of the leaked people kept out of the policy's fit (the control).
    """

    flag_share: float = 0.5
    model: str = "dcr"
    targets_per_side: int = 1000
    holdout_share: float = 0.5

    def __post_init__(self) -> None:
        problems = []
        if not (isinstance(self.flag_share, int | float) and 0 < self.flag_share < 1):
            problems.append(f"flag_share = {self.flag_share!r}; allowed is between 0 and 1")
        if self.model not in MODELS:
            problems.append(f"model = {self.model!r}: unknown model; allowed are {', '.join(MODELS)}")
        if not whole(self.targets_per_side, 1):
            problems.append(f"targets_per_side = {self.targets_per_side!r}; allowed is a positive whole number")
        if not (isinstance(self.holdout_share, int | float) and 0 < self.holdout_share < 1):
            problems.append(f"holdout_share = {self.holdout_share!r}; allowed is between 0 and 1")
        raise_problems(ATTACK_ID, problems)


def membership_inference(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    params: MembershipInferenceParams | None = None,
) -> pl.DataFrame:
    """Each target's distance to its closest released record, and whether it is flagged a member.

    Parameters
    ----------
    view
        The attacker's view of the (synthetic) release.
    aux
        Auxiliary data; needs ``membership_targets`` (``target_id`` and the targets' records).
    rng
        Breaks ties between equally distant targets at the flagging cut, and draws the random baseline.
    params
        Share flagged and model (defaults: :class:`MembershipInferenceParams`).

    Returns
    -------
    polars.DataFrame
        ``target_id``, ``dcr`` (Gower distance, 0 to 1) and ``member`` (flagged), by ``target_id``.
    """
    params = params or MembershipInferenceParams()
    targets = aux.require("membership_targets", ATTACK_ID)
    data = view.data
    if data.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty; there is no record to be close to")
    if "target_id" not in targets.columns or targets.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': membership_targets needs rows and a 'target_id' column")
    columns = [c for c in COLUMNS if c in data.columns and c in targets.columns]
    if not columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release shares no column with the targets' records "
            f"(release: {', '.join(data.columns)}; targets: {', '.join(targets.columns)})"
        )
    released = data.select(columns).unique()  # the distance to the closest record needs each record once
    known = targets.select(columns)
    if "age" in columns and released["age"].dtype == pl.String and known["age"].dtype.is_numeric():
        known = known.with_columns(recode_age(pl.col("age"), released["age"]).alias("age"))
    x_target, x_release, numeric, span = _encode(known, released)
    dcr = _closest(x_target, x_release, numeric, span)
    flagged = round(params.flag_share * targets.height)
    tiebreak = rng.random(targets.height)
    order = rng.permutation(targets.height) if params.model == "random" else np.lexsort((tiebreak, dcr))
    member = np.zeros(targets.height, dtype=bool)
    member[order[:flagged]] = True
    return pl.DataFrame({"target_id": targets["target_id"], "dcr": dcr, "member": member}).sort("target_id")


def _encode(known: pl.DataFrame, released: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Both sides as float matrices: numbers as they are (NaN missing), categories as shared codes."""
    xt, xr, numeric, span = [], [], [], []
    for c in known.columns:
        a, b = known[c], released[c]
        if a.dtype.is_numeric() and b.dtype.is_numeric():
            av, bv = a.cast(pl.Float64).to_numpy(), b.cast(pl.Float64).to_numpy()
            both = np.concatenate([av, bv])
            width = float(np.nanmax(both) - np.nanmin(both)) if np.isfinite(both).any() else 0.0
            xt.append(av)
            xr.append(bv)
            numeric.append(True)
            span.append(width if width > 0 else 1.0)
            continue
        levels = pl.concat([a.cast(pl.String), b.cast(pl.String)]).unique().sort(nulls_last=True)
        lookup = pl.DataFrame({c: levels, "code": np.arange(len(levels), dtype=np.float64)})

        def code(s: pl.Series, col: str = c, table: pl.DataFrame = lookup) -> np.ndarray:
            frame = s.cast(pl.String).to_frame(col)
            return frame.join(table, on=col, how="left", nulls_equal=True, maintain_order="left")["code"].to_numpy()

        xt.append(code(a))
        xr.append(code(b))
        numeric.append(False)
        span.append(1.0)
    return np.column_stack(xt), np.column_stack(xr), np.array(numeric), np.array(span)


@njit(parallel=True, cache=True)
def _closest(targets: np.ndarray, released: np.ndarray, numeric: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Gower distance from each target to its closest released row (stops early at an exact match)."""
    n, m, p = targets.shape[0], released.shape[0], targets.shape[1]
    out = np.empty(n)
    for i in prange(n):
        best = np.inf
        for j in range(m):
            d = 0.0
            for k in range(p):
                a, b = targets[i, k], released[j, k]
                if numeric[k]:
                    if np.isnan(a) or np.isnan(b):
                        d += 0.0 if np.isnan(a) and np.isnan(b) else 1.0
                    else:
                        d += min(abs(a - b) / span[k], 1.0)
                elif a != b:
                    d += 1.0
                if d >= best:
                    break
            best = min(best, d)
            if best == 0.0:
                break
        out[i] = best / p
    return out


class MembershipInference(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Synthetic releases: flag targets whose closest synthetic record is nearest as members of the "
        "training rows. A release of real rows discloses membership by re-identification instead."
    )
    Params: ClassVar[type] = MembershipInferenceParams

    def prepare(self, cell: Cell, truth: Truth, params: MembershipInferenceParams) -> tuple[Cell, Truth]:
        """The experiment: a holdout of the leaked people kept out of the policy's fit, and targets drawn
        from both sides (their records to the attacker, the answer to the scorer)."""
        if cell.rows_are_people:
            raise NotApplicable(
                f"attack '{ATTACK_ID}': the release holds the registry's own rows, so whoever re-identifies a "
                "row knows its person is a member: see reidentification's membership_disclosed"
            )
        if truth.leaked is None or truth.refit is None:
            raise NotApplicable(f"attack '{ATTACK_ID}': the experiment needs the leaked release and the policy")
        split = membership_split(truth.leaked, cell.rng, params.holdout_share)
        trained = truth.refit(split.training)
        if trained.view.data.height == 0 or "row_id" not in trained.view.data.columns:
            raise NotApplicable(f"attack '{ATTACK_ID}': the policy releases no rows to be close to")
        per_side = min(params.targets_per_side, split.training.data.height, split.holdout.height)
        targets = membership_targets(split, per_side, cell.rng)
        cell = replace(cell, view=trained.view, aux=AuxiliaryData(membership_targets=targets.records))
        return cell, replace(truth, experiment=targets.truth)

    def run(self, cell: Cell, params: MembershipInferenceParams) -> Outcome:
        guesses = membership_inference(cell.view, cell.aux, cell.rng, params)
        baseline = membership_inference(cell.view, cell.aux, cell.rng, replace(params, model="random"))
        return Outcome(guesses, baseline, cell.knowledge)

    def score(self, outcome: Outcome, truth: Truth, params: MembershipInferenceParams) -> Scored:
        assert outcome.baseline is not None
        return Scored((score_membership(outcome.guesses, outcome.baseline, truth.experiment),))


ATTACK = MembershipInference()
