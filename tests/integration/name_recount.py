"""Names read across formats, written out again for the recounts (plain Python over distinct names, Polars
joins): a name's given name is its first word of two letters or more that is not a caste title; its initials are
the first letters of its other words but the titles. A roll entry also supports its house name's and relative's
initials; a released name is compatible with an entry where the given names are equal and every released initial
is one the entry supports."""

from __future__ import annotations

import re

import polars as pl

from synth.core.paths import VOCAB_DIR

TITLES = set(pl.read_csv(VOCAB_DIR / "caste_titles.csv")["title"].str.to_lowercase())


def read_name(name: str) -> tuple[str | None, int]:
    """``(given name, initials as bits: a = 1, b = 2, ...)`` of one written name."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower()).split()
    given = next((w for w in words if len(w) > 1 and w not in TITLES), None)
    rest = list(words)
    if given is not None:
        rest.remove(given)
    bits = 0
    for w in rest:
        if w not in TITLES:
            bits |= 1 << (ord(w[0]) - ord("a"))
    return given, bits


def with_read_names(frame: pl.DataFrame, col: str = "name") -> pl.DataFrame:
    """``frame`` with ``given`` and ``mask`` read from its names."""
    names = frame[col].drop_nulls().unique().to_list()
    read = [(n, *read_name(n)) for n in names]
    table = pl.DataFrame(read, schema={col: pl.String, "given": pl.String, "mask": pl.Int64}, orient="row")
    return frame.join(table, on=col, how="left")


def with_supported(roll: pl.DataFrame) -> pl.DataFrame:
    """The roll with ``given`` and ``mask``: its printed name's initials with its house name's and relative's."""
    roll = with_read_names(roll)
    for col in ("house_name", "relative_name"):
        first = roll[col].str.to_lowercase().str.slice(0, 1).to_list()
        bits = [1 << (ord(c) - ord("a")) if c else 0 for c in first]
        roll = roll.with_columns(mask=pl.col("mask") | pl.Series(bits, dtype=pl.Int64))
    return roll


def compatible(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pairs (release ``mask``, roll ``mask_right``) whose released initials are all among the entry's."""
    return pairs.filter((pl.col("mask") & pl.col("mask_right")) == pl.col("mask"))
