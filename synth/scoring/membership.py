"""The membership experiment: who the synthesizer saw, who it did not, and how well an attack tells them apart.

:func:`membership_split` keeps a holdout of released people out of the policy's fit;
:func:`membership_targets` draws equal numbers of members and holdout people as the attacker's targets
(their records, with the answer kept apart); :func:`score_membership` compares the attack's flag rate
on members (true positives) with its flag rate on the holdout (the control), as anonymeter does:
risk = (TPR - FPR) / (1 - FPR).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synth.errors import SpecError
from synth.release.build import Release
from synth.scoring.stats import Rate, Risk, risk, wilson

TARGET_COLUMNS = ("age", "gender", "district", "taluk", "local_body", "ward", "registry", "scheme")


@dataclass(frozen=True)
class MembershipSplit:
    """``training`` goes to the policy; ``holdout`` rows (same columns) were never given to it."""

    training: Release
    holdout: pl.DataFrame


@dataclass(frozen=True)
class MembershipTargets:
    """The attacker's targets (``target_id`` and records) and, kept apart, which of them are members."""

    records: pl.DataFrame
    truth: pl.DataFrame  # target_id, member


def membership_split(release: Release, rng: np.random.Generator, holdout_share: float = 0.5) -> MembershipSplit:
    """Split a release's rows at random into a training release and a holdout of people left out."""
    if not 0 < holdout_share < 1:
        raise SpecError(f"membership: holdout_share = {holdout_share}; allowed is between 0 and 1")
    if release.data.height < 2:
        raise SpecError(f"membership: the release has {release.data.height} row(s); a split needs at least 2")
    held = np.zeros(release.data.height, dtype=bool)
    held[rng.choice(release.data.height, max(1, round(holdout_share * release.data.height)), replace=False)] = True
    mask = pl.Series(held)
    training = Release(spec=release.spec, data=release.data.filter(~mask), truth=release.truth.filter(~mask))
    return MembershipSplit(training=training, holdout=release.data.filter(mask))


def membership_targets(split: MembershipSplit, per_side: int, rng: np.random.Generator) -> MembershipTargets:
    """``per_side`` members and ``per_side`` holdout people, shuffled, with a fresh ``target_id``."""
    members, holdout = split.training.data, split.holdout
    if per_side < 1 or per_side > min(members.height, holdout.height):
        raise SpecError(
            f"membership: targets per side = {per_side}; allowed is 1 to {min(members.height, holdout.height)} "
            "(the smaller of the training and holdout rows)"
        )
    columns = [c for c in TARGET_COLUMNS if c in members.columns]
    picked = pl.concat(
        [
            members[np.sort(rng.choice(members.height, per_side, replace=False))].select(columns),
            holdout[np.sort(rng.choice(holdout.height, per_side, replace=False))].select(columns),
        ]
    ).with_columns(member=pl.Series(np.repeat([True, False], per_side)))
    picked = picked[rng.permutation(picked.height)].with_columns(target_id=pl.int_range(pl.len(), dtype=pl.Int64))
    return MembershipTargets(records=picked.select("target_id", *columns), truth=picked.select("target_id", "member"))


@dataclass(frozen=True)
class MembershipScore:
    """Flag rates on members (``tpr``) and on the holdout (``fpr``, the control), and risk over the control.

    ``guesses`` are targets flagged as members; ``correct`` those that are members; ``baseline``
    is the precision of the same share flagged at random (the naive baseline).
    """

    targets: int
    guesses: int
    correct: int
    tpr: Rate
    fpr: Rate
    precision: Rate
    baseline: Rate
    risk: Risk


def score_membership(guesses: pl.DataFrame, baseline: pl.DataFrame, truth: pl.DataFrame) -> MembershipScore:
    """Score the attack's flags and its baseline's (same function, random model) against the truth."""

    def flags(g: pl.DataFrame) -> pl.DataFrame:
        joined = truth.join(g.select("target_id", "member").rename({"member": "flag"}), on="target_id", how="inner")
        if joined.height != truth.height:
            raise SpecError(f"membership: {truth.height - joined.height} target(s) have no guess")
        return joined

    attack, base = flags(guesses), flags(baseline)
    members = int(attack["member"].sum())
    holdout = attack.height - members
    tp = int((attack["flag"] & attack["member"]).sum())
    fp = int((attack["flag"] & ~attack["member"]).sum())
    tpr, fpr = wilson(tp, members), wilson(fp, holdout)
    base_tp = int((base["flag"] & base["member"]).sum())
    return MembershipScore(
        targets=attack.height,
        guesses=tp + fp,
        correct=tp,
        tpr=tpr,
        fpr=fpr,
        precision=wilson(tp, tp + fp),
        baseline=wilson(base_tp, int(base["flag"].sum())),
        risk=risk(tpr, fpr),
    )
