"""What probabilistic linkage (:mod:`synth.attacks.probabilistic_linkage`) feeds Splink: release and roll by
district and in batches of bounded pairs, coded alike (with the attacker's phonetic name key), the names' term
frequencies, and the two blocking rules that make the candidate pairs."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from synth.core.coding import SHARED, recode_age
from synth.core.name_parts import GIVEN, INITIALS, initial_subsets, supported_initials, with_name_parts

ROLL_NAMES = {**SHARED, "relative_name": "relative_name"}
PLACES = ("local_body", "taluk", "district")  # finest first
# a roll's column of the initials each entry supports, where the caller read them already (AuxiliaryData.roll_initials)
SUPPORTED = "supported_initials"
# Folds applied in order; each pair is (regex, replacement).
NAME_KEY_FOLDS = (
    (r"[^a-z ]", ""),
    (r"([a-z])h", "$1"),  # aspirates and sh/zh/kh: th -> t, dh -> d, sh -> s
    (r"ee|ie", "i"),
    (r"oo|ou", "u"),
    (r"w", "v"),
    (r"y", "i"),
    (r"z", "s"),
    *((f"{c}{c}+", c) for c in "abcdefgijklmnoprstuvx"),  # doubled letters single (no backreferences in Rust regex)
    (r"\s+", " "),
)


def name_key(name: pl.Expr) -> pl.Expr:
    """The phonetic key of a name: transliteration variants of one name share it."""
    key = name.str.to_lowercase()
    for pattern, replacement in NAME_KEY_FOLDS:
        key = key.str.replace_all(pattern, replacement)
    return key.str.strip_chars()


def by_district(
    data: pl.DataFrame, roll: pl.DataFrame, cols: list[str]
) -> dict[str, tuple[pl.DataFrame, pl.Series | None]]:
    """Release rows by district, each with the mask of the roll's entries in its district (one part, the whole release
    with the mask None, when the release names no district). The caller cuts the roll when a district's turn comes,
    so it holds one district's entries at a time: a whole state's roll cut at once is a second copy of it."""
    if "district" not in cols:
        return {"": (data, None)}
    names = sorted(data["district"].drop_nulls().unique().cast(pl.String).to_list())
    released = data["district"].cast(pl.String)
    listed = roll[ROLL_NAMES["district"]]  # a granted roll's enum: its codes compared, no string made
    parts: dict[str, tuple[pl.DataFrame, pl.Series | None]] = {
        d: (data.filter(released == d), listed == d) for d in names
    }
    if data["district"].null_count():  # rows without a district have no roll entry to meet
        parts[""] = (data.filter(pl.col("district").is_null()), pl.Series(np.zeros(roll.height, dtype=bool)))
    return parts


def training_districts(parts: dict[str, tuple[pl.DataFrame, pl.Series | None]], rows: int, seed: int) -> list[str]:
    """Districts in a seeded random order, until they hold ``rows`` release rows (all of them if fewer)."""
    names = sorted(parts)
    order = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    chosen: list[str] = []
    held = 0
    for name in order:
        if held >= rows:
            break
        chosen.append(name)
        held += parts[name][0].height
    return sorted(chosen)


def pair_batches(
    rel: pl.DataFrame, rol: pl.DataFrame, cols: list[str], pairs: int, shares: list[float] | None = None
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Release rows in batches of at most ``pairs`` candidate pairs, each with the roll of its places.

    A row's pairs are counted per blocking rule (a pair several rules find counts once per rule, so batches
    err small), each rule's weighed by its share in ``shares`` (default: all of them): the share of its pairs
    that are compared (:func:`~synth.attacks.live_pairs.live_shares`). Rows are taken in order of place, so a batch
    needs the roll of few places.
    """
    rules = blocking_rules(cols)
    place = place_columns(cols)
    shares = shares or [1.0] * len(rules)
    cost = pl.lit(0.0, dtype=pl.Float64)
    counted = rel
    for i, (keys, share) in enumerate(zip(rules, shares, strict=True)):
        counts = rol.group_by(keys).agg(pl.len().cast(pl.Int64).alias(f"n{i}"))
        counted = counted.join(counts, on=keys, how="left", nulls_equal=False)
        cost = cost + pl.col(f"n{i}").fill_null(0) * share
    counted = counted.with_columns(cost=cost).sort([*place, "uid"], nulls_last=True)
    # A batch starts where the pairs before a row pass a multiple of the budget.
    batch = ((pl.col("cost").cum_sum() - pl.col("cost")) // pairs).alias("batch")
    counted = counted.with_columns(batch).drop("cost", *(f"n{i}" for i in range(len(rules))))
    for _, batch_rows in counted.group_by("batch", maintain_order=True):
        left = batch_rows.drop("batch")
        yield left, (rol.join(left.select(place).unique(), on=place, how="semi") if place else rol)


def name_frequencies(
    data: pl.DataFrame,
    roll: pl.DataFrame,
    features: pl.DataFrame | None = None,
    roll_counts: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Splink's term frequencies, computed once over the whole input: of each name (``name``, ``tf_name``) and of
    each given name's key (``name_key``, ``tf_name_key``), as shares of release and roll together.

    ``features``: :func:`name_features` of these names or more (read here otherwise). ``roll_counts``:
    :func:`name_counts` of the roll's names, where the caller counted them already (counted here otherwise)."""
    if roll_counts is None:
        roll_counts = name_counts(roll[ROLL_NAMES["name"]])
    counted = pl.concat([name_counts(data["name"]), roll_counts]).group_by("name").agg(pl.col("n").sum())
    total = counted["n"].sum()  # every name of release and roll, nulls left out
    if features is None:
        features = name_features(counted.select("name"))
    keys = counted.join(features, on="name").group_by("name_key").agg(pl.col("n").sum())
    return {
        "name": counted.select("name", tf_name=pl.col("n") / total).sort("name"),
        "name_key": keys.select("name_key", tf_name_key=pl.col("n") / total).sort("name_key"),
    }


def name_counts(names: pl.Series) -> pl.DataFrame:
    """Each distinct name of ``names`` (``name``) and how many times it occurs there (``n``), nulls left out."""
    return names.drop_nulls().alias("name").to_frame().group_by("name").agg(n=pl.len().cast(pl.Int64))


def linkage_inputs(
    data: pl.DataFrame,
    roll: pl.DataFrame,
    cols: list[str],
    ages: pl.Series | None,
    features: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Release and roll with the same columns, in the coding of the release's ages, and a shared ``uid``.

    ``features``: :func:`name_features` of their names or more (a name's features depend on the name alone, so
    those of the whole input serve every district and batch); read here otherwise. The initials each roll entry
    supports are the roll's column :data:`SUPPORTED` where it has one (read once per source), else read here."""
    rel = data.select(pl.format("r{}", "row_id").alias("uid"), *cols)
    rol = roll.select(pl.format("e{}", "epic").alias("uid"), *[pl.col(ROLL_NAMES[c]).alias(c) for c in cols])
    if "gender" in cols:
        rel, rol = (t.with_columns(pl.col("gender").cast(pl.String)) for t in (rel, rol))
    rol = rol.with_columns(pl.col(c).cast(rel.schema[c]) for c in PLACES if c in cols)  # a granted roll's enums
    if "age" in cols:
        assert ages is not None
        rol = rol.with_columns(recode_age(pl.col("age"), ages).alias("age"))
        if data["age"].dtype == pl.String:
            rel = rel.with_columns(pl.col("age").cast(pl.String))
        else:
            rel, rol = (t.with_columns(pl.col("age").cast(pl.Int32)) for t in (rel, rol))
    if "ward" in cols:
        rel, rol = (t.with_columns(pl.col("ward").cast(pl.Int32)) for t in (rel, rol))
    if features is None:
        features = name_features(names_of(rel, rol))
    rel, rol = (t.join(features, on="name", how="left", nulls_equal=False, maintain_order="left") for t in (rel, rol))
    # a roll entry supports the initials of its house name and relative too (synth.core.name_parts)
    supported = roll[SUPPORTED].cast(pl.String) if SUPPORTED in roll.columns else supported_initials(roll)[INITIALS]
    rol = rol.with_columns(supported.alias(INITIALS))
    # each set of initials read once: a district's entries support a few thousand sets
    sets = rol.select(pl.col(INITIALS).unique()).with_columns(mask=initial_mask(pl.col(INITIALS)))
    rol = rol.drop("mask").join(sets, on=INITIALS, how="left", nulls_equal=True, maintain_order="left")
    # namesakes: the roll's voters a name could be written for (the given name's key, initials they support); of
    # a roll entry, those supporting the same initials
    sizes = set(rel[INITIALS].drop_nulls().str.len_chars().unique().to_list())
    on = ["name_key", INITIALS]
    # each key and set of initials once with its voters, then once per subset: a district's 36 lakh entries hold
    # 1.9 lakh of them, so the subsets are 7.5 lakh rows, not 1.5 crore
    voters = rol.group_by(on).agg(namesakes=pl.len().cast(pl.Int32))
    written = initial_subsets(voters, sizes).group_by(on).agg(pl.col("namesakes").sum())
    rel = rel.join(written, on=on, how="left", maintain_order="left")
    rol = rol.join(voters, on=on, how="left", maintain_order="left")
    return rel.with_columns(pl.col("namesakes").fill_null(0)).drop(INITIALS), rol.drop(INITIALS)


def features_with(known: pl.DataFrame, names: pl.Series) -> pl.DataFrame:
    """``known`` (:func:`name_features` of some names) with the features of the names of ``names`` it lacks: a
    name's features are its own, so those of a source's names, read once, serve every release compared with it."""
    new = names.drop_nulls().unique().alias("name").to_frame().join(known.select("name"), on="name", how="anti")
    return pl.concat([known, name_features(new)]) if new.height else known


def names_of(data: pl.DataFrame, roll: pl.DataFrame) -> pl.DataFrame:
    """The distinct names of release and roll (in the release's coding or the roll's own), as ``name``."""
    return pl.concat([data.select("name"), roll.select(pl.col(ROLL_NAMES["name"]).alias("name"))]).unique()


def name_features(names: pl.DataFrame) -> pl.DataFrame:
    """``name`` and what the comparisons read of it, whatever its format (:mod:`synth.core.name_parts`): the given
    name, its phonetic key and the key's first letter, and the name's initials as a string (``initials``) and a bit
    mask (``mask``; a roll entry's are widened to the initials it supports by :func:`linkage_inputs`). Computed once
    per distinct name
    (the folds are a score of regular expressions; a roll repeats its names many times over)."""
    parts = with_name_parts(names.select("name"))
    return parts.select(
        "name",
        GIVEN,
        name_key=name_key(pl.col(GIVEN)),
        initial=name_key(pl.col(GIVEN)).str.slice(0, 1),
        mask=initial_mask(pl.col(INITIALS)),
        initials=INITIALS,
    )


OTHER_LETTER_BITS = 37  # bits 26 to 62 of a mask: letters beyond a to z, by their UTF-8 bytes modulo this


def initial_mask(initials: pl.Expr | pl.Series) -> pl.Expr:
    """A set of lower-case letters as the bits of an integer (``a`` is 1, ``b`` 2, ...): a subset is a bitwise and.

    A letter beyond ``a`` to ``z`` (a name written in Malayalam script) takes one of the bits 26 to 62, by its UTF-8
    bytes as a number modulo :data:`OTHER_LETTER_BITS`: two such letters may share a bit, so a set may seem to fit
    where it does not (a weaker test, never a missed fit). Without these bits every such set was 0 and fitted all."""
    col = pl.lit(initials) if isinstance(initials, pl.Series) else initials
    letter = pl.element()
    code = letter.str.encode("hex").str.to_integer(base=16, strict=False)
    bit = pl.when(letter.str.contains("^[a-z]$")).then(code - ord("a")).otherwise(code % OTHER_LETTER_BITS + 26)
    bits = col.str.split("").list.eval(bit).list.unique()
    return bits.list.eval(pl.lit(2, pl.Int64).pow(letter.cast(pl.Int64))).list.sum().fill_null(0).cast(pl.Int64)


def pairs_agreeing(left: pl.DataFrame, right: pl.DataFrame, keys: list[str]) -> int:
    """The ``left`` x ``right`` pairs that agree on every one of ``keys`` (a null agrees with nothing), counted
    exactly from the sizes of the blocks."""
    sizes = left.group_by(keys).len().join(right.group_by(keys).len(), on=keys, nulls_equal=False)
    return int(sizes.select((pl.col("len").cast(pl.Int64) * pl.col("len_right")).sum()).item() or 0)


def place_columns(cols: list[str]) -> list[str]:
    """The place every block lies in: the coarsest area that still keeps blocks small (a local body, else a taluk,
    else a district) of those in ``cols``; none where ``cols`` name no place."""
    return next(([p] for p in PLACES if p in cols), [])


def blocking_columns(cols: list[str]) -> tuple[list[str], list[str]]:
    """Two blocking rules: the same place and name key; the same place, ward, gender and age.

    The place is the coarsest area that still keeps blocks small (a local body, else a taluk, else a
    district), so that a voter still listed in a ward they left is compared too.
    """
    place = place_columns(cols)
    by_name = [*place, "name_key"]
    by_person = [*place, *(c for c in ("ward", "gender", "age") if c in cols)]
    return by_name, (by_person if len(by_person) > len(place) else by_name)


def blocking_rules(cols: list[str]) -> list[list[str]]:
    """The rules that make the candidate pairs: :func:`blocking_columns`, and where the release has wards, gender and
    age, the same place, gender, age and first letter of the name key.

    The third rule finds the voter still listed in a ward they left whose initials the roll prints otherwise
    (a married woman under her husband's house name: "Karthiyayani P" and "Karthiyayani K"). On Wayanad's export
    the two rules left 2.20% of true pairs in no block; with the third, 0.48%, for at least twice the pairs (7.8
    million distinct, against at most 3.8 million) (``benchmarks/test_linkage_blocking.py``).
    """
    by_name, by_person = blocking_columns(cols)
    rules = [by_name, by_person] if by_person != by_name else [by_name]
    if {"ward", "gender", "age"} <= set(by_person):
        rules.append([*place_columns(cols), "gender", "initial", "age"])
    return rules


def paired_entries(rel: pl.DataFrame, rol: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """The entries of ``rol`` that a blocking rule (:func:`blocking_rules`) pairs with a row of ``rel``: the only ones a
    scan of ``rel`` compares (a null agrees with nothing, in a rule as here)."""
    entries = rol.with_row_index("_entry")
    paired = [entries.join(rel.select(keys).unique(), on=keys, how="semi")["_entry"] for keys in blocking_rules(cols)]
    return entries.filter(pl.col("_entry").is_in(pl.concat(paired).unique().implode())).drop("_entry")
