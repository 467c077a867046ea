"""Unique matches where names are read across formats: a release row meets a roll entry where every key but the
initials is equal (the given name among them) and each initial the row's name writes is one the entry supports
(:mod:`synth.core.name_parts`). A row is linked where exactly one entry meets it.

Exact linkage counted this as an equality join, each entry listed once per subset of the initials it supports
(:func:`~synth.core.name_parts.initial_subsets`), a row meeting the copy whose subset is its own set. An entry
supports three or four initials, and a release writes sets of up to three, so the roll was listed about eleven times
over, twice where ages have a tolerance. Here the roll is listed once: the pairs that agree on the other keys are
found (few: a row's given name, age, sex and ward are shared by one or two entries), and kept where the initials fit.
Counting the fitting pairs of a row is counting the entries the equality join would have met, so the links are the
same. Over the whole state, exact linkage's unit in ``as_exported``'s cell took 73 to 74 s instead of 89 to 91 s.

Where the other keys are coarse (a name and a district alone), the pairs would be many: more than
:data:`PAIRS_PER_ROW` a row. Then rows and entries are first grouped by their keys and sets of initials, and the
groups are paired instead (:func:`_grouped_unique_matches`).
"""

from __future__ import annotations

import polars as pl

from synth.core.coding import key_hash
from synth.core.name_parts import INITIALS, initials_fit

PAIRS_PER_ROW = 16  # above this many pairs of equal keys a row (on average), pairs are counted by group


def fitting_unique_matches(release: pl.DataFrame, roll: pl.DataFrame, keys: list[str], roll_id: str) -> pl.DataFrame:
    """The release rows that exactly one roll entry meets: equal on every one of ``keys`` but :data:`INITIALS`, and
    the row's ``initials`` all among the entry's (the initials it supports). A null key meets nothing.

    Parameters
    ----------
    release
        ``row_id`` and ``keys``; ``initials`` is the sorted set of initials its name writes.
    roll
        ``keys`` (of the release's dtypes, or castable to them) and ``roll_id``; ``initials`` is the sorted set of
        initials each entry supports.
    keys
        The columns to match on, :data:`INITIALS` among them.
    roll_id
        The roll's id column.

    Returns
    -------
    pl.DataFrame
        ``row_id`` and ``roll_id`` of every release row with exactly one matching roll entry, by row_id: what
        :func:`~synth.engine.relational.unique_matches` gives on the roll listed once per subset of its initials.
    """
    if INITIALS not in keys:
        raise ValueError(f"fitting_unique_matches: keys {keys} have no {INITIALS!r}; use unique_matches")
    equal = [k for k in keys if k != INITIALS]
    schema = release.schema
    # one contiguous chunk per column: gathers across the chunks of a Parquet read are several times slower
    rel = release.select("row_id", *keys).rechunk()
    aux = roll.select(*[pl.col(c).cast(schema[c]) if roll.schema[c] != schema[c] else pl.col(c) for c in keys], roll_id)
    aux = aux.rechunk()
    sets = pl.concat([rel[INITIALS], aux[INITIALS]]).drop_nulls().unique().sort().to_frame()
    sets = sets.with_row_index("s")
    nullable = [c for c in keys if rel[c].null_count() or aux[c].null_count()]
    h = key_hash(equal, nullable)
    left = rel.select(pos=pl.int_range(pl.len(), dtype=pl.UInt32), h=h, s=_set_id(rel, sets)).drop_nulls("h")
    right = aux.select(rid=pl.int_range(pl.len(), dtype=pl.UInt32), h=h, s=_set_id(aux, sets)).drop_nulls("h")
    per_hash = right.group_by("h").len()
    pairs_wanted = left.join(per_hash, on="h").select(pl.col("len").cast(pl.Int64).sum()).item() or 0
    if pairs_wanted > PAIRS_PER_ROW * max(left.height, 1):
        return _grouped_unique_matches(rel, aux, equal, roll_id, sets)
    pairs = left.join(right, on="h", suffix="_r").select("pos", "rid", "s", "s_r")
    pairs = pairs.join(_fitting(pairs.select("s", "s_r").unique(), sets), on=["s", "s_r"], how="semi")
    # different keys can share a hash: a pair counts where the keys themselves are equal
    same = [rel[c].gather(pairs["pos"]) == aux[c].gather(pairs["rid"]) for c in equal]
    pairs = pairs.filter(pl.all_horizontal(same)) if same else pairs
    single = pairs.group_by("pos").agg(pl.len().alias("n"), pl.col("rid").first()).filter(pl.col("n") == 1)
    single = single.sort("pos")
    out = pl.DataFrame({"row_id": rel["row_id"].gather(single["pos"]), roll_id: aux[roll_id].gather(single["rid"])})
    return out if rel["row_id"].is_sorted() else out.sort("row_id")


def _set_id(frame: pl.DataFrame, sets: pl.DataFrame) -> pl.Series:
    """The id in ``sets`` of each row's set of initials (null where it has none)."""
    ids = frame.select(INITIALS).join(sets, on=INITIALS, how="left", maintain_order="left")
    return ids["s"]


def _fitting(combos: pl.DataFrame, sets: pl.DataFrame) -> pl.DataFrame:
    """The combinations ``s`` (a row's set) and ``s_r`` (an entry's) of ``combos`` whose row's initials are all
    among the entry's; each combination read once (a district's pairs make a few thousand)."""
    named = combos.join(sets, on="s").join(sets.rename({"s": "s_r", INITIALS: "_held"}), on="s_r")
    return named.filter(initials_fit(pl.col(INITIALS), pl.col("_held"))).select("s", "s_r")


def _grouped_unique_matches(
    rel: pl.DataFrame, aux: pl.DataFrame, equal: list[str], roll_id: str, sets: pl.DataFrame
) -> pl.DataFrame:
    """:func:`fitting_unique_matches` on coarse keys: the distinct keys and sets of the rows against the entries
    grouped by keys and set (their number and least id), paired on the keys; a row's group is linked where the
    entries of the groups that fit it number one (that group's least id is the entry)."""
    keys = [*equal, INITIALS]
    rows = rel.drop_nulls(keys)
    rows = rows.with_columns(s=_set_id(rows, sets))
    wanted = rows.select(*equal, "s").unique()
    entries = aux.drop_nulls(keys)
    entries = entries.select(*equal, roll_id, s=_set_id(entries, sets)).join(
        wanted.select(equal).unique(), on=equal, how="semi"
    )
    groups = entries.group_by(*equal, "s").agg(pl.len().alias("n"), pl.col(roll_id).min())
    paired = wanted.join(groups.rename({"s": "s_r"}), on=equal)
    paired = paired.join(_fitting(paired.select("s", "s_r").unique(), sets), on=["s", "s_r"], how="semi")
    single = paired.group_by(*equal, "s").agg(pl.col("n").sum(), pl.col(roll_id).min()).filter(pl.col("n") == 1)
    out = rows.join(single, on=[*equal, "s"], how="inner")
    return out.select("row_id", roll_id).sort("row_id")
