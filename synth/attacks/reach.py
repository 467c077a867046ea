"""Reach and targeting: what the attacker can do with what it now holds.

From the release plus whatever other attacks recovered (numbers from hashes, roll entries from
linkage), each released row is marked as contactable (a usable phone number), addressable (a name and
a house address), and, for vulnerable people (pensioners of 70 and over, women of the women's
security scheme, disability pensioners), as a fraud-ready profile when it is both.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.errors import SpecError
from synth.release.build import AttackerView

ATTACK_ID = "reach"
PLAIN_PHONE = r"^\+91\d{10}$"


def reach(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    recovered_phones: pl.DataFrame | None = None,
    links: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per released row: ``contactable``, ``addressable``, ``vulnerable`` and ``fraud_ready``.

    Parameters
    ----------
    view
        The attacker's view of the release.
    aux
        Auxiliary data; the electoral roll, when granted, gives names and addresses of linked rows.
    rng
        Unused (deterministic); taken so every attack has the same signature.
    recovered_phones
        ``row_id, phone`` recovered by hash reversal, if any.
    links
        ``row_id, epic`` guesses of a linkage attack, if any.
    """
    data = view.data
    if data.height == 0:
        raise SpecError(f"attack '{ATTACK_ID}': the release is empty")
    rows = data.select("row_id")
    phone = (
        data["phone"].cast(pl.String).str.contains(PLAIN_PHONE).fill_null(False)
        if "phone" in data.columns
        else pl.Series([False] * data.height)
    )
    rows = rows.with_columns(contactable=phone)
    if recovered_phones is not None and recovered_phones.height:
        rows = rows.with_columns(
            contactable=pl.col("contactable") | pl.col("row_id").is_in(recovered_phones["row_id"].implode())
        )
    named = data["name"].is_not_null() if "name" in data.columns else pl.Series([False] * data.height)
    placed = data["ward"].is_not_null() if "ward" in data.columns else pl.Series([False] * data.height)
    addressable = named & placed  # a name in a ward: the house is on the roll, or a walk away
    rows = rows.with_columns(addressable=addressable)
    if links is not None and links.height:
        aux.require("electoral_roll", ATTACK_ID)  # links name roll entries: their addresses are on the roll
        rows = rows.with_columns(addressable=pl.col("addressable") | pl.col("row_id").is_in(links["row_id"].implode()))
    registry = data["registry"] if "registry" in data.columns else pl.Series([None] * data.height, dtype=pl.String)
    age = _youngest_possible_age(data["age"]) if "age" in data.columns else None
    old_pensioner = (registry == "pensioners") & (age >= 70 if age is not None else False)
    disability = (
        (registry == "pensioners") & (data["scheme"] == "disability")
        if "scheme" in data.columns
        else pl.Series([False] * data.height)
    )
    vulnerable = (old_pensioner | (registry == "womens_scheme") | disability).fill_null(False)
    return rows.with_columns(vulnerable=vulnerable).with_columns(
        fraud_ready=pl.col("contactable") & pl.col("addressable") & pl.col("vulnerable")
    )


def _youngest_possible_age(age: pl.Series) -> pl.Series:
    """Whole years as they are; a band ("70-74", "80+") by its lower end: a pensioner in "70-74" is 70 or over."""
    if age.dtype != pl.String:
        return age
    return age.str.extract(r"^(\d+)", 1).cast(pl.Int64)
