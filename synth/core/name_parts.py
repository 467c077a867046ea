"""The parts of a written Kerala name, as anyone reading it finds them: the given name and the set of initials.

A source writes a name in one of several formats ("Rajan K Nair", "K. P. Rajan", "Rajan Kizhakkethil", "Mary
Varghese"): initials before or after the given name, with dots or without, a house or father's name written out
or cut to its initial, a caste title or not. What stays is

- the **given name**: the first word of two letters or more that is not a caste title;
- the **initials**: the first letter of every other word but the titles, as a sorted set ("Rajan Kizhakkethil"
  and "K. Rajan" have the same, ``k``).

Caste titles are public words (``vocab/caste_titles.csv``); reading them is knowing the language, not the world.

Whom a name fits. A roll entry (or a person) **supports** the initials of its written name, its house name and its
relative (father, or a married woman's husband): "Rajan" of house Kizhakkethil, son of Prabhakaran, supports ``kp``
(:func:`supported_initials`). A written name fits an entry where the given names are equal and each of its initials
is one the entry supports: "K. P. Rajan" and "Rajan K" fit him, "Rajan M" does not. Exact linkage pairs a written
name with the entries of its given name and other keys and keeps the pairs whose initials fit
(:mod:`synth.attacks.fitting_matches`); that counts what an equality join counts on each entry listed once per
subset of its supported initials (:func:`initial_subsets`), a written name meeting the copy whose subset is its own
set. Singling out counts the people a released name fits by pairs too.

What fitting cannot see is a written-out word beyond its initial ("Rajan Kizhakkethil" fits a Rajan of any house
starting with K): a reader who compares the whole house name separates a few more namesakes.
"""

from __future__ import annotations

import csv
import itertools
from functools import cache

import polars as pl

from synth.core.coding import as_enum
from synth.core.paths import VOCAB_DIR

GIVEN, INITIALS = "given", "initials"
# rows of a frame read at once by supported_initials_as_enums: about a seventh of the whole state's roll of 2.7
# crore entries, whose strings of first letters, given names and initials took 2.4 GiB read at once
ROWS_AT_ONCE = 4_000_000


@cache
def caste_titles() -> tuple[str, ...]:
    """The caste titles, lower case."""
    with open(VOCAB_DIR / "caste_titles.csv", newline="", encoding="utf-8") as f:
        return tuple(sorted(r["title"].strip().lower() for r in csv.DictReader(f)))


def normal_name(name: pl.Expr) -> pl.Expr:
    """A name as compared with others: lower case, words separated by one space (punctuation is a separator). The
    marks that combine with a letter (the vowel signs and virama of Malayalam script) belong to its word."""
    return name.str.to_lowercase().str.replace_all(r"[^\p{L}\p{M}\p{N}]+", " ").str.strip_chars()


def given_and_initials(name: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The given name (lower case; null where no word is one) and the initials (a sorted string of distinct
    lower-case letters) of each name. Cheaper on distinct names (:func:`name_parts`)."""
    titles = list(caste_titles())
    words = normal_name(name).str.split(" ")
    e = pl.element()
    is_given = (e.str.len_chars() > 1) & ~e.is_in(titles)
    given = words.list.eval(e.filter(is_given).first()).list.first()
    others = (~e.is_in(titles)) & (pl.int_range(pl.len()) != is_given.arg_max()) & (e.str.len_chars() > 0)
    initials = words.list.eval(e.filter(others).str.slice(0, 1)).list.unique().list.sort().list.join("")
    return given, initials


def name_parts(names: pl.Series) -> pl.DataFrame:
    """``name``, ``given`` and ``initials`` of each distinct name of ``names`` (nulls left out)."""
    given, initials = given_and_initials(pl.col("name"))
    distinct = names.drop_nulls().unique().rename("name").to_frame()
    return distinct.with_columns(given=given, initials=initials)


def with_name_parts(frame: pl.DataFrame, col: str = "name", parts: pl.DataFrame | None = None) -> pl.DataFrame:
    """``frame`` with the ``given`` name and ``initials`` of its names in ``col`` (read once per distinct name).
    ``parts``: :func:`name_parts` of these names or more, read once for several frames (read here otherwise)."""
    if parts is None:
        parts = name_parts(frame[col].cast(pl.String))
    parts = parts.with_columns(pl.col("name").cast(frame.schema[col])).rename({"name": col})
    return frame.drop(GIVEN, INITIALS, strict=False).join(parts, on=col, how="left", maintain_order="left")


def given_only(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each name (``name``) cut to its given name, wherever the format put it."""
    return frame.with_columns(name=with_name_parts(frame.select("name"))[GIVEN])


def supported_initials(frame: pl.DataFrame, parts: pl.DataFrame | None = None) -> pl.DataFrame:
    """``given`` and ``initials`` of each row of ``frame`` (aligned with it): the initials of its ``name`` with
    those of its ``house_name`` and ``relative_name``, of the two the frame has (an initial alone will do).
    ``parts``: :func:`name_parts` of these names or more, where the caller read them already (read here otherwise)."""
    printed = [c for c in ("house_name", "relative_name") if c in frame.columns]
    # each name read once (a roll repeats them many times over), then each set of letters once: the initials of a
    # name with those of a house and a relative make a few thousand sets where the names make lakhs
    firsts = frame.select("name", *(pl.col(c).cast(pl.String).str.slice(0, 1).alias(f"_{c}") for c in printed))
    firsts = with_name_parts(firsts, parts=parts)
    keys = [INITIALS, *(f"_{c}" for c in printed)]
    sets = firsts.select(keys).unique().with_columns(_supported=letter_set(*(pl.col(k) for k in keys)))
    return firsts.join(sets, on=keys, how="left", nulls_equal=True, maintain_order="left").select(
        GIVEN, initials="_supported"
    )


def supported_initials_as_enums(frame: pl.DataFrame, rows: int = ROWS_AT_ONCE) -> pl.DataFrame:
    """:func:`supported_initials` of ``frame`` with each column an enum of its sorted distinct values
    (:func:`~synth.core.coding.as_enum`), the same frame, read ``rows`` rows at a time.

    Each name is read once for the whole frame; each part of ``rows`` rows then holds its strings only until they
    are coded (as categoricals, 4 bytes a row), so the strings of the whole frame are never held at once."""
    if rows < 1:
        raise ValueError(f"supported_initials_as_enums: rows = {rows}; allowed is at least 1")
    parts = name_parts(frame["name"].cast(pl.String))
    coded = pl.concat(
        [
            supported_initials(frame.slice(start, rows), parts).cast(pl.Categorical)
            for start in range(0, max(frame.height, 1), rows)
        ]
    )
    return coded.with_columns(as_enum(coded[c]) for c in coded.columns)


def letter_set(*letters: pl.Expr) -> pl.Expr:
    """The sorted distinct lower-case letters of the strings ``letters`` together (nulls add none)."""
    joined = pl.concat_str([x.fill_null("") for x in letters]).str.to_lowercase()
    letters_of = joined.str.split("").list.eval(pl.element().filter(pl.element() != ""))
    return letters_of.list.unique().list.sort().list.join("")


def initials_fit(written: pl.Expr, held: pl.Expr) -> pl.Expr:
    """Whether every initial of the sets ``written`` is among those of ``held`` (sorted strings of letters, any
    script): a written name fits an entry that supports ``held``."""
    return written.str.split("").list.set_difference(held.str.split("")).list.len() == 0


def initial_subsets(coded: pl.DataFrame, sizes: set[int]) -> pl.DataFrame:
    """Each entry of ``coded`` once per subset of its ``initials`` with a size in ``sizes`` (the sizes the release's
    sets have: no other subset can meet a released name), the subset as ``initials`` (sorted, like the release's)."""
    length = pl.col("initials").str.len_chars()
    widest = int(coded.select(length.max()).item() or 0)
    parts = []
    for size in sorted(s for s in sizes if s <= widest):
        for bits in itertools.combinations(range(widest), size):  # the positions of the subset's letters
            subset = pl.concat_str([pl.col("initials").str.slice(j, 1) for j in bits]) if bits else pl.lit("")
            fits = coded.filter(length > (bits[-1] if bits else -1))
            parts.append(fits.with_columns(subset.alias("initials")))
    if not parts:
        return coded.clear()
    return pl.concat(parts, how="vertical")
