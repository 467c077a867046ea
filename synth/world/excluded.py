"""Keep the full names of a user's table out of a learned world.

A learned world names its people from the world's own vocabulary, so the common names of a table
spelt as the world spells them would recur by chance (about four full names in five of a district).
The table's full names are excluded instead, as its phone numbers are: wherever a published full name
(``people.name``, ``electoral_roll.name``, a caller-ID label) would equal one of them, compared with
:func:`~synth.world.names.normal_name` (lower case, punctuation as spaces), the given name behind it is
drawn again with the local body's generator:

- a person's own given name is drawn with the vocabulary's weights among the names of their community,
  sex and birth cohort that leave their full name out of the table (the draws a rejection sampler would
  make, without the rejections); where the table holds every one, among their spelling variants; then
  among the names, and then the variants, of the other birth cohorts. A Christian's name holds the
  father's or husband's given name, so the relatives of a person redrawn are checked again.
- a roll entry's or caller-ID label's given name is first drawn as a spelling variant of the person's
  own (the kind of difference those sources already have), a few times, then as above.

Only names of two words or more are excluded: a given name alone is a word of the vocabulary, which recurs
in any population, not an identity. A world built from a preset excludes nothing and draws nothing here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl

from synth.core.name_parts import normal_name
from synth.errors import LearnError
from synth.world.names import COHORTS, Vocabulary, cohort_of

MIN_WORDS = 2
PLACEHOLDER = "\x00"  # a word that no name holds: where a given name goes
VARIANT_ROUNDS = 3  # draws of a roll entry's or label's given name as a spelling variant, before any other name
MAX_ROUNDS = 40  # rounds in all (a Christian's redrawn name changes the names of the relatives named after him)


def table_names(columns: Iterable[pl.Series]) -> pl.Series:
    """The distinct full names (two words or more) of a table's name columns, compared form, sorted."""
    values = [c.cast(pl.String).drop_nulls() for c in columns]
    if not values:
        return pl.Series("name", [], dtype=pl.String)
    names = pl.concat(values).rename("name").to_frame().select(normal_name(pl.col("name")))["name"]
    return names.filter(names.str.count_matches(" ") >= MIN_WORDS - 1).unique().sort()


@dataclass(frozen=True)
class Redraw:
    """Whom each entry's given name is drawn for: the person's own given name (vocabulary index), community,
    sex (0 man, 1 woman) and birth year."""

    own: np.ndarray
    community: np.ndarray
    sex: np.ndarray
    birth_year: np.ndarray


def clear_names(
    vocab: Vocabulary,
    excluded: pl.Series,
    naming: Callable[[pl.Series], pl.Expr],
    codes: dict[str, np.ndarray],
    who: Redraw,
    rng: np.random.Generator,
    variant_rounds: int = 0,
    relative: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], int]:
    """Redraw the given names of the entries whose name is excluded, until no entry's name is.

    Parameters
    ----------
    vocab
        The world's vocabulary.
    excluded
        Names no entry may have, as :func:`table_names` gives them (empty: nothing is drawn).
    naming
        The name of an entry from the integer columns of ``codes``, given the vocabulary's words (such as
        :func:`~synth.world.names.full_name`).
    codes
        Integer columns of the entries; ``given`` is redrawn.
    who
        Whom each entry's given name is drawn for.
    rng
        The local body's generator.
    variant_rounds
        How many draws of an entry are spelling variants of ``who.own`` before any given name.
    relative
        For people: the entry whose given name is each entry's ``rel_given`` (-1: none); a redrawn
        given name is copied to the relatives' ``rel_given`` and their names are checked again.

    Returns
    -------
    tuple
        ``codes`` with the new ``given`` (and ``rel_given``), and how many entries were redrawn.

    Raises
    ------
    LearnError
        Some entries have no name left (the table holds every name their pool makes with the rest of
        their name), or still have an excluded name after ``MAX_ROUNDS`` rounds.
    """
    n = len(codes["given"])
    if excluded.len() == 0 or n == 0:
        return codes, 0
    banned = excluded.implode()
    words = pl.concat([vocab.series, pl.Series("word", [PLACEHOLDER])])  # the last stands for any given name
    name = naming(words)
    given = codes["given"].copy()
    codes = {**codes, "given": given}
    inside = np.zeros(n, dtype=bool) if relative is None else relative >= 0
    if relative is not None:
        codes["rel_given"] = codes["rel_given"].copy()
    redrawn = np.zeros(n, dtype=bool)
    todo = np.arange(n)
    for round_ in range(MAX_ROUNDS + 1):
        if relative is not None:
            codes["rel_given"][inside] = given[relative[inside]]
        frame = pl.DataFrame({k: v[todo] for k, v in codes.items()})
        hit = todo[frame.select(normal_name(name).is_in(banned).fill_null(False)).to_series().to_numpy()]
        if hit.size == 0:
            return codes, int(redrawn.sum())
        if round_ == MAX_ROUNDS:
            break
        redrawn[hit] = True
        if round_ < variant_rounds:
            given[hit] = vocab.draw_variant(who.own[hit], rng, 1.0)
        else:
            given[hit] = _choose_left(vocab, words, banned, name, codes, who, hit, rng)
        todo = hit
        if relative is not None:
            changed = np.zeros(n, dtype=bool)
            changed[hit] = True
            todo = np.union1d(hit, np.flatnonzero(inside & changed[np.maximum(relative, 0)]))
    raise LearnError(  # only where redrawn Christians keep renaming each other: in practice, never
        f"{hit.size:,} name(s) still equal a name of the table after {MAX_ROUNDS} rounds of drawing given names"
    )


_LAST_CANDIDATES: list[tuple[Vocabulary, pl.DataFrame]] = []  # of the last vocabulary asked for (one per build)


def _candidates(vocab: Vocabulary) -> pl.DataFrame:
    """The given names a person of each pool may be given, best first: ``_key`` (the person's pool, as
    :meth:`Vocabulary.draw_given` numbers it), ``given``, ``_weight`` and ``_tier``: 0 the names of the
    person's own pool, 1 their spelling variants, 2 and 3 the same for the other birth cohorts of the
    person's community and sex. A variant shares its name's weight with the name's other variants.

    Built once per vocabulary: each call of :func:`_choose_left` asks for it, about a hundred a district."""
    if _LAST_CANDIDATES and _LAST_CANDIDATES[0][0] is vocab:
        return _LAST_CANDIDATES[0][1]
    frame = _build_candidates(vocab)
    _LAST_CANDIDATES[:] = [(vocab, frame)]
    return frame


def _build_candidates(vocab: Vocabulary) -> pl.DataFrame:
    parts = []
    for (community, sex, cohort), pool in vocab.given.items():
        weight = np.diff(pool.cumulative, prepend=0.0)
        variants = vocab.variants[pool.index]
        has = variants >= 0
        shared = np.repeat((weight / np.maximum(has.sum(axis=1), 1))[:, None], variants.shape[1], axis=1)
        for own in range(len(COHORTS)):
            tier = 0 if own == cohort else 2
            key = (community * 2 + sex) * 3 + own
            for given, w, t in ((pool.index, weight, tier), (variants[has], shared[has], tier + 1)):
                parts.append(pl.DataFrame({"_key": np.full(len(given), key), "given": given, "_weight": w, "_tier": t}))
    return (
        pl.concat(parts)
        .with_columns(pl.col("given").cast(pl.Int32), pl.col("_tier").cast(pl.Int8))
        .sort("_key", "_tier", "given")
        .unique(["_key", "given"], keep="first", maintain_order=True)
    )


def _choose_left(
    vocab: Vocabulary,
    words: pl.Series,
    banned: pl.Series,
    name: pl.Expr,
    codes: dict[str, np.ndarray],
    who: Redraw,
    entries: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each of ``entries``, a given name that leaves its name out of ``banned``: of the best tier of
    :func:`_candidates` that has one, drawn with the names' weights.

    Each entry's name is rendered once with the placeholder (the last of ``words``) for its given name;
    entries of the same pool whose names read the same around it share their candidates, which are
    rendered by putting each candidate in the placeholder's place.

    Raises
    ------
    LearnError
        No candidate of any tier is left for some entries.
    """
    key = (who.community[entries].astype(np.int64) * 2 + who.sex[entries]) * 3 + cohort_of(who.birth_year[entries])
    placeholder = {**{k: v[entries] for k, v in codes.items()}, "given": np.full(len(entries), len(words) - 1)}
    rendered = pl.DataFrame(placeholder).select(name.alias("_name"))["_name"]
    place = (
        rendered.str.split_exact(PLACEHOLDER, 1)
        .struct.rename_fields(["_before", "_after"])
        .struct.unnest()
        .with_columns(_key=pl.Series(key))
    )
    contexts = place.unique(maintain_order=True).with_row_index("_context")
    on = ["_key", "_before", "_after"]
    of_entry = place.join(contexts, on=on, how="left", maintain_order="left", nulls_equal=True)["_context"]
    candidates = _candidates(vocab)
    candidates = candidates.with_columns(_word=words.gather(candidates["given"]))
    found = []
    remaining = contexts
    for tiers in ((0, 1), (2, 3)):
        if remaining.height == 0:
            break
        pool = candidates.filter(pl.col("_tier").is_in(tiers))
        joined = remaining.join(pool, on="_key", how="inner", maintain_order="left_right")
        named = normal_name(pl.concat_str([pl.col("_before"), pl.col("_word"), pl.col("_after")]))
        left = joined.filter(pl.col("_after").is_not_null() & ~named.is_in(banned).fill_null(False))
        left = left.filter(pl.col("_tier") == pl.col("_tier").min().over("_context"))
        found.append(left.select("_context", "given", "_weight"))
        remaining = remaining.join(left.select("_context").unique(), on="_context", how="anti")
    left = pl.concat(found).sort("_context", maintain_order=True)
    context = left["_context"].to_numpy().astype(np.int64)
    cumulative = np.cumsum(left["_weight"].to_numpy())
    start = np.searchsorted(context, np.arange(contexts.height), side="left")[of_entry.to_numpy()]
    end = np.searchsorted(context, np.arange(contexts.height), side="right")[of_entry.to_numpy()]
    none = end == start
    if none.any():
        raise LearnError(
            f"{int(none.sum()):,} people of the world have no name left: the table holds every name the "
            "vocabulary makes, in every spelling, for their community, sex and the rest of their name"
        )
    below = np.where(start > 0, cumulative[np.maximum(start - 1, 0)], 0.0)
    target = below + rng.random(len(entries)) * (cumulative[end - 1] - below)
    pick = np.clip(np.searchsorted(cumulative, target, side="right"), start, end - 1)
    return left["given"].to_numpy()[pick].astype(codes["given"].dtype)
