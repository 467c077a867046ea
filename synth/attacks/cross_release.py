"""Cross-release linkage: rows of two releases of one world tied to each other, and what one release's rows then
give the other's.

An attacker who holds two releases (two departments' exports, or one department's at two dates) links them on
whatever they share, and every fact it knows of a row of one then holds for its twin in the other: one
department's plain phone numbers give the other's HMAC'd rows their numbers back. Three kinds of link, each made
from what the attacker holds, never from the truth:

- ``equal <column>``: an identifier column both releases carry (a phone number plain, as one digest, or as one
  token) holding the same value, once on each side. Digests under one key, and tokens from one vault, are join
  keys; under independent keys they never agree.
- ``phone digits shown``: a masked number (``+91XXXXXX2345``) and a plain one showing those digits, in the same
  place (every place column both releases carry), once on each side: the mask hides the number from a dictionary,
  not from a list that holds it.
- ``quasi-identifiers``: every quasi-identifier both releases carry alike (name, sex, age, place, ...) equal,
  and the combination once on each side (a one-to-one exact link; at least :data:`MIN_SHARED` of them).
- ``same entry``: rows the attacker has already linked to one electoral-roll entry.

:func:`transfer` then hands a row's known phone, name and roll links to its twin, each fact's chain naming the
release it came from and the link (``B:hash_reversal>equal phone``).
"""

from __future__ import annotations

import math

import polars as pl

from synth.attacks.knowledge import LINK_SCHEMA, Knowledge
from synth.core.coding import years_between
from synth.release.build import AttackerView

ATTACK_ID = "cross_release_linkage"
SUMMARY = (
    "Link two releases to each other on equal identifiers (plain, digest or token), masked numbers against plain "
    "ones, equal quasi-identifiers (ages moved between dated lists) and shared roll entries, and hand each row what "
    "its twin gave away."
)
IDENTIFIERS = ("phone", "ration_card")  # one value, one phone or card, whatever form it is released in
QUASI_IDENTIFIERS = (
    "name",
    "gender",
    "age",
    "date_of_birth",
    "relative_name",
    "house_number",
    "district",
    "taluk",
    "local_body",
    "ward",
)
PLACES = ("district", "taluk", "local_body", "ward")
PLAIN = r"^\+91\d{10}$"  # a usable number (as the attacker's knowledge reads one)
MASK = "X"  # what the mask step hides digits with
MIN_SHARED = 3  # fewer shared quasi-identifiers than this tie rows by chance more than by person
PAIR_SCHEMA = {"row_id": pl.Int64, "other": pl.Int64, "how": pl.String}


def key_links(a: AttackerView, b: AttackerView) -> pl.DataFrame:
    """``row_id`` (of ``a``), ``other`` (of ``b``) and ``how`` for every identifier column both carry, on values
    that occur once in each."""
    if not _rows(a, b):
        return pl.DataFrame(schema=PAIR_SCHEMA)
    out = [
        _one_to_one(a.data, b.data, [column], f"equal {column}")
        for column in IDENTIFIERS
        if column in a.columns and column in b.columns and a.data.schema[column] == b.data.schema[column]
    ]
    return pl.concat(out) if out else pl.DataFrame(schema=PAIR_SCHEMA)


def masked_links(a: AttackerView, b: AttackerView) -> pl.DataFrame:
    """``row_id``, ``other`` and ``how`` of rows whose masked phone (in either release) shows the digits of the
    other's plain phone, in the same place, where that combination occurs once in each."""
    if not _rows(a, b) or "phone" not in a.columns or "phone" not in b.columns:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    out = []
    for masked, plain, flip in ((a, b, False), (b, a, True)):
        pattern = _mask_of(masked.data["phone"])
        if pattern is None or not plain.data["phone"].cast(pl.String).str.contains(PLAIN).any():
            continue
        places = [c for c in PLACES if c in a.columns and c in b.columns and a.data.schema[c] == b.data.schema[c]]
        shown = pl.concat_str(
            [pl.col("phone").str.slice(i, 1) if keep else pl.lit(MASK) for i, keep in enumerate(pattern)]
        )
        left = masked.data.select("row_id", "phone", *places).drop_nulls("phone")
        plain_rows = plain.data.with_columns(pl.col("phone").cast(pl.String))
        right = plain_rows.filter(pl.col("phone").str.contains(PLAIN)).select("row_id", shown.alias("phone"), *places)
        pairs = _one_to_one(left, right, ["phone", *places], "phone digits shown")
        out.append(pairs.select(row_id="other", other="row_id", how="how") if flip else pairs)
    return pl.concat(out).cast(pl.Schema(PAIR_SCHEMA)) if out else pl.DataFrame(schema=PAIR_SCHEMA)


def _mask_of(phones: pl.Series) -> list[bool] | None:
    """Which characters a release's masked numbers show (True) and hide (False), or None when they are not masked
    numbers (one mask for the whole release, as the mask step makes)."""
    masked = phones.cast(pl.String).drop_nulls()
    masked = masked.filter(masked.str.contains(rf"^\+91[0-9{MASK}]{{10}}$") & masked.str.contains(MASK, literal=True))
    if masked.len() == 0:
        return None
    return [c != MASK for c in masked[0]]


def quasi_links(a: AttackerView, b: AttackerView) -> pl.DataFrame:
    """``row_id``, ``other`` and ``how`` of the rows equal on every quasi-identifier both releases carry alike
    (the same column, of the same type), where that combination occurs once in each; none when they share fewer
    than :data:`MIN_SHARED`. Releases of two dates (``reference_date`` in each view's metadata) compare whole-year
    ages shifted by the years between them (``floor`` or ``ceil`` of it, as a person's age moves), each row then
    linked where it has one candidate that has no other."""
    shared = [
        c for c in QUASI_IDENTIFIERS if c in a.columns and c in b.columns and a.data.schema[c] == b.data.schema[c]
    ]
    if len(shared) < MIN_SHARED or not _rows(a, b):
        return pl.DataFrame(schema=PAIR_SCHEMA)
    years = _years_between(a, b)
    if not years or "age" not in shared or not a.data.schema["age"].is_integer():
        return _one_to_one(a.data, b.data, shared, "quasi-identifiers")
    rest = [c for c in shared if c != "age"]
    left = a.data.select("row_id", *shared).drop_nulls(shared)
    right = b.data.select(pl.col("row_id").alias("other"), pl.col("age").alias("age_b"), *rest).drop_nulls(rest)
    moved = pl.col("age_b").cast(pl.Int64) - pl.col("age").cast(pl.Int64)
    candidates = left.join(right, on=rest, how="inner").filter(moved.is_in([math.floor(years), math.ceil(years)]))
    once = candidates.filter((pl.len().over("row_id") == 1) & (pl.len().over("other") == 1))
    return once.select("row_id", "other", how=pl.lit("quasi-identifiers")).sort("row_id").cast(pl.Schema(PAIR_SCHEMA))


def _years_between(a: AttackerView, b: AttackerView) -> float:
    """Years from ``a``'s reference date to ``b``'s, 0 where either view states none."""
    first, second = a.metadata.get("reference_date"), b.metadata.get("reference_date")
    if first is None or second is None:
        return 0.0
    return years_between(first, second)


def entry_links(a: Knowledge, b: Knowledge) -> pl.DataFrame:
    """``row_id``, ``other`` and ``how`` of rows of two releases the attacker has linked to one roll entry."""
    left = a.facts.filter(pl.col("epic").is_not_null()).select("row_id", "epic")
    right = b.facts.filter(pl.col("epic").is_not_null()).select(other="row_id", epic="epic")
    joined = left.join(right, on="epic", how="inner").select("row_id", "other", how=pl.lit("same entry"))
    return joined.cast(pl.Schema(PAIR_SCHEMA))


def transfer(to: Knowledge, source: Knowledge, pairs: pl.DataFrame, label: str, roll: pl.DataFrame | None) -> Knowledge:
    """``to`` with what ``source`` knows of each row's twin (``pairs``: ``row_id`` of ``to``, ``other`` of
    ``source``): phone and name where ``to`` lacks them, and every roll link, each chain prefixed with ``label``
    (the source release's id) and suffixed with the link that carried it."""
    if pairs.height == 0:
        return to
    twins = pairs.select("row_id", "other", "how").unique(maintain_order=True)

    def carried(fact: str) -> pl.DataFrame:
        known = source.known(fact).rename({"row_id": "other"})
        return twins.join(known, on="other", how="inner").select(
            "row_id", fact, by=pl.format("{}:{}>{}", pl.lit(label), "by", "how")
        )

    out = to.learn("phone", carried("phone")).learn("name", carried("name"))
    links = source.links.rename({"row_id": "other"})
    # a roll entry ``to`` already links the row to is no news, whichever chain found it (and a link that came from
    # ``to`` in an earlier round does not come back to it), so every (row, entry) keeps its first chain
    moved = (
        twins.join(links, on="other", how="inner")
        .select("row_id", "epic", chain=pl.format("{}:{}>{}", pl.lit(label), "chain", "how"))
        .join(to.links.select("row_id", "epic"), on=["row_id", "epic"], how="anti")
        .unique(["row_id", "epic"], keep="first", maintain_order=True)
    )
    return out.link(moved.cast(pl.Schema(LINK_SCHEMA)), roll) if moved.height else out


def _rows(*views: AttackerView) -> bool:
    """Whether every view holds rows (published counts have none to link)."""
    return all("row_id" in v.columns for v in views)


def _one_to_one(a: pl.DataFrame, b: pl.DataFrame, keys: list[str], how: str) -> pl.DataFrame:
    once_a = a.select("row_id", *keys).drop_nulls(keys).filter(pl.len().over(keys) == 1)
    once_b = b.select(pl.col("row_id").alias("other"), *keys).drop_nulls(keys).filter(pl.len().over(keys) == 1)
    joined = once_a.join(once_b, on=keys, how="inner").select("row_id", "other", how=pl.lit(how))
    return joined.sort("row_id").cast(pl.Schema(PAIR_SCHEMA))
