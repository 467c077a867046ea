"""Exact linkage: join the release to the electoral roll on every quasi-identifier both share.

A row gets a guess (a roll entry, by its EPIC number) only where exactly one roll entry matches all
shared quasi-identifiers; rows matching several entries, or none, get no guess; a row with a null
quasi-identifier gets none.

Names are compared as an attacker reads them across formats (:mod:`synth.core.name_parts`): a roll entry
matches a released name where the given names are equal and each released initial is one the entry supports
(of its printed name, house name or relative), so "K. P. Rajan" meets the roll's "Rajan" of house Kizhakkethil,
son of Prabhakaran.

At state scale (a crore of released rows against 2.7 crore roll entries) joining on seven columns, most
of them strings, is slow. Where the release's names are among them, the pairs that agree on every key but the
initials are found on one 64-bit hash of those keys and kept where the initials fit
(:func:`~synth.attacks.fitting_matches.fitting_unique_matches`); where names learnt elsewhere are matched on their
given name alone, :func:`hashed_unique_matches` joins on a hash of the keys, through the backend-neutral core
:func:`synth.engine.relational.match_counts`. Both verify on the columns themselves, so that their answer is exactly
that of :func:`synth.engine.relational.unique_matches`, which matches without names (few distinct keys, which
group fast as they are).

Ages on two dates. The release's ages are whole years on its reference date (the export's, 1 February
2026 in the Kerala preset), the roll's on its qualifying date (1 January 2026): anyone born between the
two dates is a year older in the release than on the roll. In general a release dated ``D`` years after the
roll (negative: before it; a 2020 list against a 2026 roll) holds ages ``floor(D)`` or ``ceil(D)`` above the
roll's. An attacker who knows both dates joins on both, so by default (:class:`ExactLinkageParams`, ``strict =
false``) a row is linked where exactly one roll entry matches it at the likelier offset (equal ages, for the
export a month after the roll), and otherwise where exactly one matches at either offset
(:func:`equal_age_first`; a row that two entries match, one at each offset, and none at the likelier one, gets
no link). It is computed exactly by giving each roll entry one candidate per offset: a release row has one age,
so it meets at most one candidate of an entry, and counting candidates is counting entries (see
:func:`age_candidates`). ``strict = true`` keeps equality.

The tolerance applies only where the release's ages are whole years (an integer column). Banded ages
("60-64", "80+") keep equality on the band: a January birthday moves a person across a band boundary only
at the band's lowest age (one in five for 5-year bands), so accepting the neighbouring band would double
every row's candidates (and its ties) to catch those few; top-coded years (strings) keep equality too.

A person listed twice (at home and at an old address) is two entries a row can match, where the release's place
is coarser than the ward. Entries that agree on the row's keys and on everything the roll prints of a person
(name, relative, sex, age) are one person to the attacker, who links to the first (lowest EPIC) of them
(:func:`one_per_printed_person`): two namesakes alike in all of that are guessed at, as a real attacker would.

The attacker takes the dates from the release view's metadata where it states them
(``reference_date`` and ``roll_qualifying_date``, ISO dates: a composed scenario's releases state theirs);
without them it assumes what the default scenario has: a release dated after the roll, within a year of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable, raise_problems
from synth.attacks.fitting_matches import fitting_unique_matches
from synth.attacks.linking import LinkageAttack, all_links, one_per_printed_person, scope_for_names
from synth.core.coding import key_hash, roll_in_release_coding, shared_columns, years_between
from synth.core.name_parts import GIVEN, INITIALS, with_name_parts
from synth.engine.io import Memo, content_key
from synth.engine.relational import match_counts, unique_matches
from synth.release.build import AttackerView
from synth.scoring.linkage import RightEntries
from synth.version import __version__

ATTACK_ID = "exact_linkage"
SHARED_SHARE = 0.25  # above this share of matched rows in shared hash buckets, the keys are coarse


@dataclass(frozen=True)
class ExactLinkageParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    strict
        ``False`` (the default): a whole-year release age matches a roll entry printed at that age or one
        year younger (the module docstring says why). ``True``: ages must be equal.
    """

    strict: bool = False

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.strict, bool):
            problems.append(f"strict = {self.strict!r}; allowed is true or false")
        raise_problems(ATTACK_ID, problems)


def age_offsets(view: AttackerView, keys: list[str], params: ExactLinkageParams) -> tuple[int, ...]:
    """What to add to a roll age to meet the release's: the likelier offset first, then the other (one offset:
    equality after it). A release dated ``D`` years after the roll's qualifying date (negative: before) meets
    release ages ``floor(D)`` or ``ceil(D)`` above the roll's; without dates in the metadata the attacker assumes
    the default scenario's (a release a month after the roll: 0, then 1)."""
    if params.strict or "age" not in keys or not view.data.schema["age"].is_integer():
        return (0,)
    released, qualifying = view.metadata.get("reference_date"), view.metadata.get("roll_qualifying_date")
    if released is None or qualifying is None:
        return (0, 1)  # the default scenario's case: the release is dated after the roll, within a year
    years = years_between(qualifying, released)
    low, high = math.floor(years), math.ceil(years)
    if low == high:
        return (low,)
    return (low, high) if years - low < 0.5 else (high, low)


def shifted(coded: pl.DataFrame, offset: int) -> pl.DataFrame:
    """The roll coded like the release, each entry's age moved by ``offset`` years."""
    if offset == 0:
        return coded
    dtype = coded.schema["age"]
    return coded.with_columns((pl.col("age").cast(pl.Int64) + offset).cast(dtype).alias("age"))


def age_candidates(coded: pl.DataFrame, offsets: tuple[int, ...] = (0, 1)) -> pl.DataFrame:
    """Each roll entry once per offset: at its printed (whole-year) age moved by each.

    A release row has one age, so it meets at most one candidate of each entry (an entry's candidates differ in
    age), and the candidates matching a row are the entries matching it under the tolerance, one each: the
    unique-match count on the candidates is exact.
    """
    return pl.concat([shifted(coded, k) for k in offsets], how="vertical")


def exact_linkage(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    params: ExactLinkageParams | None = None,
    scope: RightEntries | None = None,
) -> pl.DataFrame:
    """Guesses ``row_id -> epic`` where exactly one roll entry shares every quasi-identifier (an age
    under the tolerance, unless ``params.strict``).

    Parameters
    ----------
    view
        The attacker's view of the (minimized) release.
    aux
        Auxiliary data; needs the electoral roll.
    rng
        Unused (the attack is deterministic); taken so every attack has the same signature.
    params
        ``strict`` (default :class:`ExactLinkageParams`: the age tolerance).
    scope
        For a baseline: only the rows whose person has an entry that agrees on every key but the name and the age
        are matched (:class:`~synth.scoring.linkage.RightEntries`); the others could make no right link.
    """
    params = params or ExactLinkageParams()
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

    def coded(entries: pl.DataFrame, initials: pl.DataFrame | None) -> pl.DataFrame:
        """Roll ``entries`` in the release's coding (that of the whole release), with the ``initials`` they support
        where names are keys."""
        out = roll_in_release_coding(entries, data, keys)
        return out if initials is None else pl.concat([out, initials], how="horizontal")

    supported = aux.roll_initials if "name" in keys else None
    offsets = age_offsets(view, keys, params)
    if "name" in keys:  # each distinct name read once for the whole release, not once per district
        data = with_name_parts(data.select("row_id", *keys))

    def linked(rows: pl.DataFrame, entries: pl.DataFrame, here: pl.Series | None) -> pl.DataFrame:
        initials = supported if supported is None or here is None else supported.filter(here)
        return _linked(rows, entries, coded(entries, initials), keys, offsets, scope, _printed(aux, here))

    return district_by_district(data, roll, keys, linked)


def district_by_district(
    data: pl.DataFrame,
    roll: pl.DataFrame,
    keys: list[str],
    link: Callable[[pl.DataFrame, pl.DataFrame, pl.Series | None], pl.DataFrame],
) -> pl.DataFrame:
    """``link(rows, entries, here)`` of each district's release rows and roll entries (``here``: the entries' mask
    in the roll), by ``row_id``; ``link(data, roll, None)`` where the keys hold no district or it has one district.

    A row can match only entries of its own district (the district is a key, and a row without one matches
    nothing), so the links are those of the whole, and the roll is coded and expanded (once per age) and paired
    one district at a time: the whole state's roll and pairs at once do not fit in memory.
    """
    districts = data["district"].drop_nulls().unique().sort() if "district" in keys else pl.Series([])
    if len(districts) < 2:
        return link(data, roll, None)
    released, listed = data["district"], roll["district"]
    parts = []
    for d in districts:
        here = listed == d
        parts.append(link(data.filter(released == d), roll.filter(here), here))
    return pl.concat(parts).sort("row_id")


def _linked(
    data: pl.DataFrame,
    roll: pl.DataFrame,
    coded: pl.DataFrame,
    keys: list[str],
    offsets: tuple[int, ...],
    scope: RightEntries | None,
    printed: pl.Series,
) -> pl.DataFrame:
    """:func:`exact_linkage` of ``data`` to ``roll`` (``coded``: the roll in the release's coding, with the initials
    its entries support where names are keys; ``printed``: :func:`_printed` of ``roll``). ``data``'s names are read
    here unless it carries their given names and initials (:func:`~synth.core.name_parts.with_name_parts`)."""
    coded = one_per_printed_person(roll, coded, keys, printed)
    data, coded = within(scope, data, coded, keys)
    if "name" not in keys:  # coarse keys, few distinct values: grouping on them as they are is fast
        return equal_age_first(lambda roll: unique_matches(data, roll, keys, "epic"), coded, offsets)
    rel = data if {GIVEN, INITIALS} <= set(data.columns) else with_name_parts(data.select("row_id", *keys))
    by = [GIVEN, INITIALS, *(k for k in keys if k != "name")]
    return equal_age_first(lambda roll: fitting_unique_matches(rel, roll, by, "epic"), coded, offsets)


def _printed(aux: AuxiliaryData, here: pl.Series | None) -> pl.Series:
    """Which entries of the roll, or of its part ``here`` (a district), another entry of it may print twice: read
    once per source (:class:`~synth.attacks.auxiliary.AuxiliaryData`), not again for every district of every call.
    A part's are those it has alone, so its entries come out of :func:`one_per_printed_person` as they would alone."""
    return aux.roll_printed_twice if here is None else aux.roll_printed_twice_in_district.filter(here)


def within(
    scope: RightEntries | None, rows: pl.DataFrame, coded: pl.DataFrame, keys: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``rows`` and ``coded`` (the roll in the release's coding, its duplicates merged), or where ``scope`` is given,
    the rows whose person has an entry equal on every key that a match needs equal (all but the name, read across
    formats, and the age, under the tolerance), and the entries equal to one of those rows on those keys: the only
    ones that can match them, so each row kept meets as many entries as it meets in the whole roll."""
    if scope is None:
        return rows, coded
    equal = [k for k in keys if k not in ("name", "age")]
    rows = rows.filter(scope.reachable(rows, coded, equal))
    if not equal:
        return rows, coded
    schema = rows.schema
    held = rows.select(equal).unique()
    return rows, coded.join(held, left_on=[pl.col(k).cast(schema[k]) for k in equal], right_on=equal, how="semi")


def equal_age_first(
    match: Callable[[pl.DataFrame], pl.DataFrame], coded: pl.DataFrame, offsets: tuple[int, ...]
) -> pl.DataFrame:
    """Links where exactly one roll entry matches at the likelier offset of ages (equal ages, for a release dated
    within a year after the roll); then, for the rows still unlinked, where exactly one matches at either
    offset (:func:`age_candidates`).

    A row the equal ages single out keeps that link: the tolerance widens the candidates, and a second
    candidate a year younger would otherwise take a sure link away (with names learnt from a caller-ID
    label, given name and age match two people more often than full names do).
    """
    strict = match(shifted(coded, offsets[0]))
    if len(offsets) == 1:
        return strict
    loose = match(age_candidates(coded, offsets)).join(strict.select("row_id"), on="row_id", how="anti")
    return pl.concat([strict, loose]).sort("row_id")


def hashed_unique_matches(release: pl.DataFrame, roll: pl.DataFrame, keys: list[str], roll_id: str) -> pl.DataFrame:
    """``unique_matches(release, roll, keys, roll_id)`` exactly, computed on a 64-bit hash of the keys.

    1. Both sides get a hash of their keys (null where a key is null: such rows never match) and their
       position; the core :func:`~synth.engine.relational.match_counts` groups the roll by hash and joins
       the release to it, on integers only.
    2. A release row whose hash exactly one roll entry carries can match only that entry: it is linked
       where the keys themselves are equal (different keys can share a hash; equal keys cannot differ).
    3. A release row whose hash several roll entries carry is matched on the keys themselves against
       those entries only: every roll entry with the row's keys carries the row's hash, so counting among
       them is counting among all.

    Hashing pays where keys are nearly unique (names among them). Where more than :data:`SHARED_SHARE`
    of the matched release rows share their hash with several roll entries, the keys are coarse, and the
    whole is matched on the keys themselves (:func:`~synth.engine.relational.unique_matches`) instead.

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
    if shared.height > SHARED_SHARE * counted.height:  # coarse keys after all: match on them as they are,
        # among the roll entries whose hash some release row carries (an entry of keys no row has matches nobody,
        # and counts for no row's keys): without wards, on Wayanad, a unit's calls took 1.9 s on one thread, not 9.65 s
        hashes = left.select("h").drop_nulls().unique()
        held = right.join(hashes, on="h", how="semi")["rid"]
        result: pl.DataFrame = unique_matches(release, aux[held], keys, roll_id)
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


def given_name_links(
    view: AttackerView,
    names: pl.DataFrame,
    aux: AuxiliaryData,
    params: ExactLinkageParams | None = None,
    scope: RightEntries | None = None,
) -> pl.DataFrame:
    """Links of the rows whose name the attacker learnt elsewhere, on its given name (as a caller-ID label gives
    it; read as :mod:`synth.core.name_parts` reads any name) and every other quasi-identifier the release shares
    with the roll. A label's other words are not compared: they may be a role or a nickname ("Suresh Driver").

    Returns ``row_id``, ``epic`` and ``name_by`` (the chain that gave the name) where exactly one roll entry
    with that given name, in whatever format the roll prints it, shares every other quasi-identifier (an age under
    the tolerance, unless ``params.strict``). ``scope``: as for :func:`exact_linkage`.
    """
    params = params or ExactLinkageParams()
    roll = aux.require("electoral_roll", ATTACK_ID)
    keys = [c for c in shared_columns(view.data) if c != "name"]
    if names.height == 0 or not keys:
        return pl.DataFrame(schema={"row_id": pl.Int64, "epic": pl.String, "name_by": pl.String})
    data = view.data.select("row_id", *keys).join(names, on="row_id", how="inner")
    given = aux.roll_initials[GIVEN]
    offsets = age_offsets(view, keys, params)

    def linked(rows: pl.DataFrame, entries: pl.DataFrame, here: pl.Series | None) -> pl.DataFrame:
        coded = roll_in_release_coding(entries, view.data, keys).with_columns(
            given if here is None else given.filter(here)
        )
        coded = one_per_printed_person(entries, coded, [GIVEN, *keys], _printed(aux, here))
        rows, coded = within(scope, rows, coded, keys)
        return equal_age_first(lambda roll: hashed_unique_matches(rows, roll, [GIVEN, *keys], "epic"), coded, offsets)

    rel = with_name_parts(data).select("row_id", *keys, GIVEN)
    links = district_by_district(rel, roll, keys, linked)
    return links.join(data.select("row_id", "name_by"), on="row_id", how="left").sort("row_id")


class ExactLinkage(LinkageAttack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Join the release to the electoral roll on every shared quasi-identifier, and rows named only by an "
        "earlier attack on their given name; link where one entry matches."
    )
    Params: ClassVar[type] = ExactLinkageParams

    def link(
        self,
        view: AttackerView,
        names: pl.DataFrame,
        aux: AuxiliaryData,
        rng: np.random.Generator,
        params: Any,
        memo: Memo | None = None,
        scope: RightEntries | None = None,
    ) -> pl.DataFrame:
        """The direct and the chained links (:func:`exact_linkage`, :func:`given_name_links`; neither draws from
        ``rng``). ``memo`` keeps them under the content key of all they read: the release's quasi-identifiers
        shared with the roll, the names learnt, the roll, the parameters, the release's dates (the ages'
        offsets) and the baseline's ``scope``, so the policies that release the same quasi-identifiers (``hmac``,
        ``tokenize``, ``mask_phone`` beside ``as_exported``) and reruns read them back."""

        def compute() -> pl.DataFrame:
            direct = exact_linkage(view, aux, rng, params, scope)
            chained = given_name_links(view, names, aux, params, scope_for_names(view, names, scope))
            return all_links(direct, chained, ATTACK_ID)

        if memo is None:
            return compute()
        aux.require("electoral_roll", ATTACK_ID)  # before the key reads the roll: the message names this attack
        read = view.data.select("row_id", *shared_columns(view.data))
        dates = (view.metadata.get("reference_date"), view.metadata.get("roll_qualifying_date"))
        truth = None if scope is None else scope.key
        return memo(content_key(ATTACK_ID, __version__, read, names, aux.roll_key, params, dates, truth), compute)


ATTACK = ExactLinkage()
