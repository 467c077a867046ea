"""Count people (not rows) reached, from the reach attack's per-row marks and the hidden truth."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class ReachScore:
    """Distinct real people the attacker can contact, address, and target as vulnerable."""

    people_released: int
    contactable: int
    addressable: int
    fraud_ready: int


def score_reach(marks: pl.DataFrame, release_truth: pl.DataFrame) -> ReachScore:
    """People counted once however many of their rows were released."""
    per_person = (
        marks.join(release_truth.select("row_id", "person_id"), on="row_id")
        .group_by("person_id")
        .agg(pl.col("contactable").any(), pl.col("addressable").any(), pl.col("fraud_ready").any())
    )
    return ReachScore(
        people_released=per_person.height,
        contactable=int(per_person["contactable"].sum()),
        addressable=int(per_person["addressable"].sum()),
        fraud_ready=int(per_person["fraud_ready"].sum()),
    )
