"""Outreach utility: the share of the intended recipients that the holder of a minimized release can message.

Recipients are the distinct people of the original release with a sendable number: a plain ``+91`` number in at
least one of their rows (nobody, not even the controller, can message a person the release has no number for;
they are counted apart in ``people_without_number``). A received row reaches its person when its phone is that
row's own plain number; when the policy holds a step declaring ``delivers_via_controller`` (tokenization: the
holder hands the tokens back and the controller sends through its vault; no release: the controller sends
itself), every received row with a token reaches its person, and a release of no rows reaches every recipient.
Hashed, masked or dropped numbers reach nobody (reversing a hash is an attack, not a use), nor do synthetic or
aggregate rows. People are counted once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from synth.measure.utility.inputs import check_pair
from synth.policies.apply import MinimizedRelease
from synth.policies.library import STEPS
from synth.release.build import Release
from synth.scoring.stats import Rate, wilson

PLAIN_PHONE = r"^\+91\d{10}$"

Channel = Literal["phone", "controller_vault", "controller_sends", "none"]


@dataclass(frozen=True)
class OutreachUtility:
    """People the holder of a minimized release can message.

    Attributes
    ----------
    reach
        Recipients reached, of the intended recipients (people of the original release with a
        sendable number), with its Wilson 95% interval.
    channel
        How they are reached: ``"phone"`` (plain numbers in the rows), ``"controller_vault"`` (tokens
        handed back to the controller), ``"controller_sends"`` (no release; the controller sends) or
        ``"none"``.
    people_released
        Distinct people of the original release.
    people_without_number
        Of those, people with no sendable number in any of their rows (not among the recipients).
    """

    reach: Rate
    channel: Channel
    people_released: int
    people_without_number: int


def _delivers_via_controller(minimized: MinimizedRelease) -> bool:
    """Whether a step of the policy declares that the controller sends to the people."""
    return any(
        getattr(STEPS.get(str(entry.get("step"))), "delivers_via_controller", False) for entry in minimized.report
    )


def outreach_utility(original: Release, minimized: MinimizedRelease) -> OutreachUtility:
    """Share of the intended recipients the holder of ``minimized`` can message (see the module docstring).

    Parameters
    ----------
    original
        The release before minimization (its truth gives who each row is).
    minimized
        ``minimize(original, policy)``.

    Returns
    -------
    OutreachUtility

    Raises
    ------
    SpecError
        The minimized release does not come from the original.
    """
    check_pair(original, minimized)
    phone = pl.col("phone").cast(pl.String) if "phone" in original.data.columns else pl.lit(None, dtype=pl.String)
    rows = (
        original.truth.select("row_id", "person_id")
        .join(original.data.select("row_id", original_phone=phone), on="row_id", how="left")
        .with_columns(sendable=pl.col("original_phone").str.contains(PLAIN_PHONE).fill_null(False))
    )
    people = rows.group_by("person_id").agg(pl.col("sendable").any())
    recipients = int(people["sendable"].sum())
    via_controller = _delivers_via_controller(minimized)
    data = minimized.view.data
    if minimized.rows_are_people:
        held = pl.col("phone").cast(pl.String) if "phone" in data.columns else pl.lit(None, dtype=pl.String)
        received = data.select("row_id", received_phone=held).join(rows, on="row_id", how="inner")
        direct = (pl.col("received_phone") == pl.col("original_phone")) & pl.col("sendable")
        handed_back = pl.col("received_phone").is_not_null() & pl.col("sendable") & pl.lit(via_controller)
        marked = received.select(
            "person_id", direct=direct.fill_null(False), reached=(direct | handed_back).fill_null(False)
        )
        reached = marked.filter(pl.col("reached"))["person_id"].n_unique()
        channel: Channel = (
            "phone" if bool(marked["direct"].any()) else ("controller_vault" if via_controller else "none")
        )
    elif via_controller:
        reached, channel = recipients, "controller_sends"
    else:
        reached, channel = 0, "none"
    return OutreachUtility(
        reach=wilson(reached, recipients),
        channel=channel,
        people_released=people.height,
        people_without_number=people.height - recipients,
    )
