"""Exact linkage: join the release to the electoral roll on every quasi-identifier both share.

A row gets a guess (a roll entry, by its EPIC number) only where exactly one roll entry matches all
shared quasi-identifiers; rows matching several entries, or none, get no guess; a row with a null
quasi-identifier gets none.

At state scale (a crore of released rows against 2.7 crore roll entries) joining on seven columns, most
of them strings, is slow; where names are among them, :func:`hashed_unique_matches` joins on one 64-bit
hash of them instead, through the backend-neutral core :func:`synth.measure.relational.match_counts`,
and verifies on the columns themselves, so that its answer is exactly that of
:func:`synth.measure.relational.unique_matches`, which matches without names (few distinct keys, which
group fast as they are).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NoParams, NotApplicable
from synth.attacks.linking import LinkageAttack, all_links
from synth.attacks.quasi_identifiers import key_hash, roll_in_release_coding, shared_columns
from synth.measure.relational import match_counts, unique_matches
from synth.release.build import AttackerView

ATTACK_ID = "exact_linkage"
SHARED_SHARE = 0.25  # above this share of matched rows in shared hash buckets, the keys are coarse


def exact_linkage(view: AttackerView, aux: AuxiliaryData, rng: np.random.Generator) -> pl.DataFrame:
    """Guesses ``row_id -> epic`` where exactly one roll entry shares every quasi-identifier.

    Parameters
    ----------
    view
        The attacker's view of the (minimized) release.
    aux
        Auxiliary data; needs the electoral roll.
    rng
        Unused (the attack is deterministic); taken so every attack has the same signature.
    """
    roll = aux.require("electoral_roll", ATTACK_ID)
    data = view.data
    if data.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty; nothing to link")
    keys = shared_columns(data)
    if not keys:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release shares no quasi-identifier with the roll "
            f"(it has {', '.join(data.columns)})"
        )
    coded = roll_in_release_coding(roll, data, keys)
    if "name" not in keys:  # coarse keys, few distinct values: grouping on them as they are is fast
        result: pl.DataFrame = unique_matches(data, coded, keys, "epic")
        return result
    return hashed_unique_matches(data, coded, keys, "epic")


def hashed_unique_matches(release: pl.DataFrame, roll: pl.DataFrame, keys: list[str], roll_id: str) -> pl.DataFrame:
    """``unique_matches(release, roll, keys, roll_id)`` exactly, computed on a 64-bit hash of the keys.

    1. Both sides get a hash of their keys (null where a key is null: such rows never match) and their
       position; the core :func:`~synth.measure.relational.match_counts` groups the roll by hash and joins
       the release to it, on integers only.
    2. A release row whose hash exactly one roll entry carries can match only that entry: it is linked
       where the keys themselves are equal (different keys can share a hash; equal keys cannot differ).
    3. A release row whose hash several roll entries carry is matched on the keys themselves against
       those entries only: every roll entry with the row's keys carries the row's hash, so counting among
       them is counting among all.

    Hashing pays where keys are nearly unique (names among them). Where more than :data:`SHARED_SHARE`
    of the matched release rows share their hash with several roll entries, the keys are coarse, and the
    whole is matched on the keys themselves (:func:`~synth.measure.relational.unique_matches`) instead.

    Parameters
    ----------
    release
        ``row_id`` and ``keys``.
    roll
        ``keys`` (of the release's dtypes, or castable to them) and ``roll_id``.
    keys
        The columns to match on.
    roll_id
        The roll's id column.

    Returns
    -------
    pl.DataFrame
        ``row_id`` and ``roll_id`` of every release row with exactly one matching roll entry, by row_id.
    """
    schema = release.schema
    # one contiguous chunk per column: gathers across the chunks of a Parquet read are several times slower
    rel = release.select("row_id", *keys).rechunk()
    aux = roll.select(*[pl.col(c).cast(schema[c]) if roll.schema[c] != schema[c] else pl.col(c) for c in keys], roll_id)
    nullable = [c for c in keys if rel[c].null_count() or aux[c].null_count()]
    left = rel.select(row_id=pl.int_range(pl.len(), dtype=pl.UInt64), h=key_hash(keys, nullable))
    right = aux.select(h=key_hash(keys, nullable), rid=pl.int_range(pl.len(), dtype=pl.UInt64))
    # the hashes are computed eagerly, the core runs lazily on Polars' streaming engine: at 1 crore rows
    # against 2.7 crore, about half the time of the in-memory engine on the same plan
    counted = match_counts(left.lazy(), right.lazy(), ["h"], "rid").collect(engine="streaming")
    single = counted.filter(pl.col("n") == 1)
    shared = counted.filter(pl.col("n") > 1)
    if shared.height > SHARED_SHARE * counted.height:  # coarse keys after all: match on them as they are
        result: pl.DataFrame = unique_matches(release, roll, keys, roll_id)
        return result
    entries = right.join(shared.select("h").unique(), on="h", how="semi")

    # the roll entries that can match anybody, in roll order, in one chunk; `at` maps roll positions to theirs
    wanted = np.zeros(aux.height, dtype=bool)
    wanted[single["rid"].to_numpy()] = True
    wanted[entries["rid"].to_numpy()] = True
    candidates = aux.filter(pl.Series(wanted)).rechunk()
    at = np.cumsum(wanted, dtype=np.int64) - 1
    single = single.with_columns(rid=pl.Series(at[single["rid"].to_numpy()]))
    entries = entries.with_columns(rid=pl.Series(at[entries["rid"].to_numpy()]))

    same = [rel[c].gather(single["row_id"]).eq_missing(candidates[c].gather(single["rid"])) for c in keys]
    linked = single.select("row_id", "rid").filter(pl.all_horizontal(same))
    if shared.height:
        rest = unique_matches(
            rel[shared["row_id"]].with_columns(row_id=shared["row_id"]),
            candidates[entries["rid"]].drop(roll_id).with_columns(rid=entries["rid"]),
            keys,
            "rid",
        )
        linked = pl.concat([linked, rest], how="vertical")
    ordered = rel["row_id"].is_sorted()
    if ordered:  # positions and row ids sort alike: sort the small integers
        linked = linked.sort("row_id")
    out = pl.DataFrame(
        {"row_id": rel["row_id"].gather(linked["row_id"]), roll_id: candidates[roll_id].gather(linked["rid"])}
    )
    return out if ordered else out.sort("row_id")


def given_name_links(view: AttackerView, names: pl.DataFrame, aux: AuxiliaryData) -> pl.DataFrame:
    """Links of the rows whose name the attacker learnt elsewhere, on its first word (the given name, as a
    caller-ID label gives it) and every other quasi-identifier the release shares with the roll.

    Returns ``row_id``, ``epic`` and ``name_by`` (the chain that gave the name) where exactly one roll entry
    whose name starts with that given name shares every other quasi-identifier.
    """
    roll = aux.require("electoral_roll", ATTACK_ID)
    keys = [c for c in shared_columns(view.data) if c != "name"]
    if names.height == 0 or not keys:
        return pl.DataFrame(schema={"row_id": pl.Int64, "epic": pl.String, "name_by": pl.String})
    data = view.data.select("row_id", *keys).join(names, on="row_id", how="inner")
    rel = data.select("row_id", *keys, given=pl.col("name").str.extract(r"^(\S+)"))
    coded = roll_in_release_coding(roll, view.data, keys).with_columns(given=roll["name"].str.extract(r"^(\S+)"))
    linked = hashed_unique_matches(rel, coded, ["given", *keys], "epic")
    return linked.join(data.select("row_id", "name_by"), on="row_id", how="left").sort("row_id")


class ExactLinkage(LinkageAttack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Join the release to the electoral roll on every shared quasi-identifier, and rows named only by an "
        "earlier attack on their given name; link where one entry matches."
    )
    Params: ClassVar[type] = NoParams

    def link(
        self, view: AttackerView, names: pl.DataFrame, aux: AuxiliaryData, rng: np.random.Generator, params: Any
    ) -> pl.DataFrame:
        return all_links(exact_linkage(view, aux, rng), given_name_links(view, names, aux), ATTACK_ID)


ATTACK = ExactLinkage()


def shuffled_view(view: AttackerView, rng: np.random.Generator) -> AttackerView:
    """The naive baseline's input: each quasi-identifier column permuted on its own, so the marginals
    stay and the link between a row's values and a real person is broken."""
    data = view.data
    cols = {c: data[c].gather(rng.permutation(data.height)) for c in shared_columns(data)}
    return AttackerView(data=data.with_columns(**cols), metadata=view.metadata)
