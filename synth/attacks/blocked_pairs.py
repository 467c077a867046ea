"""The candidate pairs of a batch of probabilistic linkage, made by our own SQL and handed to Splink to score.

Splink blocks each prediction rule with one join and leaves out the pairs of earlier rules with ``NOT
COALESCE(earlier rule, FALSE)``, and the rules carry the condition every pair that can reach the floor meets
(:mod:`synth.attacks.live_pairs`). Two costs follow. The rule of one local body and name key joins every namesake of
a local body, decades apart in age and of either sex: 4.1 crore pairs for a batch of 18,143 rows in
Thiruvananthapuram's corporation, of which the condition keeps 29 lakh; DuckDB reads the condition on each. And a
later rule computes an earlier one's condition again, Jaro-Winkler similarities included.

Here, the same pairs, with the same match keys:

- where the condition holds only pairs that agree on a column (gender; the age, or ages a few years apart), or of which
  a side lacks it, a rule that does not block on it joins on it too: pairs whose sides both have it, joined on it
  (ages within ``k`` years on bands of ``k`` years, a band and its neighbours), then the pairs where a side lacks
  it, joined on the rule alone;
- a later rule leaves out the pairs of an earlier one by that rule's columns alone, less those the later rule joins on:
  a pair of the later rule meets the condition, so it is the earlier rule's exactly where it agrees on the earlier
  rule's columns;
- a join checks no comparison it implies: one whose live levels include the equality of a column the join equates;
- the pairs that take the same level of every comparison score the same match weight: a row's pairs with the voters of
  its local body, sex and age whose names take one level that weighs no term frequency (their initials do not fit
  its own, or fit on another given name: 95% of the pairs a batch of Wayanad without wards keeps; over the whole
  state, a batch of Alappuzha's municipality without wards kept 137,529 pairs, not 1,372,621). One pair a row and
  level, counted, stands for them (:func:`alike_pairs_sql`).

Splink's SQL then scores the pairs in the query that blocks them (:mod:`synth.attacks.pair_scores`), as it scores those
it blocks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# A condition every pair kept meets (synth.attacks.live_pairs.Narrowing.terms): for each comparison narrowed on, its
# live levels, each SQL of the blocking rules' form; a pair meets it where it meets a level of every comparison.
Condition = Sequence[Sequence[str]]

RELEASE, ROLL = "release", "roll"  # the tables' names in the linker's database (splink_model._linker)
ALIKE = "alike"  # the entries a pair of alike_pairs_sql stands for
# one equality of Splink's block_on, alone or in parentheses among others
EQUALITY = re.compile(r'\(?l\."(\w+)" = r\."\1"\)?')


def rule_columns(rule: str) -> list[str] | None:
    """The columns of a blocking rule of equalities alone, as Splink's ``block_on`` writes it (``l."a" = r."a"``,
    ``(l."a" = r."a") AND (l."b" = r."b")``); ``None`` for any other rule."""
    columns = []
    for term in rule.split(" AND "):
        match = EQUALITY.fullmatch(term.strip())
        if match is None:
            return None
        columns.append(match.group(1))
    return columns


def condition_sql(condition: Condition) -> str | None:
    """The SQL of ``condition`` (its comparisons' levels, each comparison's ORed, ANDed); ``None`` where it has no
    comparison."""
    if not condition:
        return None
    return " AND ".join(f"({' OR '.join(f'({level})' for level in levels) or 'FALSE'})" for levels in condition)


def blocked_pairs_sql(
    rules: Sequence[Sequence[str]],
    condition: Condition | None,
    within: Mapping[str, int | None] | None = None,
    lacking: tuple[bool, bool] = (True, True),
    whole: int | None = None,
    selecting: str | None = None,
) -> str:
    """SQL of the pairs the rules (the columns of each, in the order Splink scans them) block of the release and the
    roll, that meet ``condition`` (:data:`Condition`; ``None``: every pair): ``match_key`` (the rule's position) and
    ``selecting`` (SQL of a pair's columns from ``l``, the release, and ``r``, the roll: those Splink's prediction
    reads, :func:`synth.attacks.pair_scores.selected`), by default Splink's form of blocked pairs to register
    (``join_key_l`` and ``join_key_r``); empty where no rule is left.

    A join checks only what it does not imply: an earlier rule's pairs are left out by the columns the join does not
    equate, and a comparison one of whose live levels is the equality of a column the join equates holds on every pair
    it makes. Over the whole state (a batch of 310,212 rows of Alappuzha against 914,276 entries, 3,152,891 pairs,
    DuckDB's profile), the join of local body, sex, initial and age checked its 9.8 million pairs in 1.21 and 1.27
    CPU-seconds against 1.46 and 1.51, the batch's pairs in 3.81 and 3.94 against 4.19 and 4.31.

    ``within`` names the columns every pair meeting ``condition`` agrees on where both sides have them, and how far
    apart their values may be (0: equal; ``None``: no pair whose sides both have the column meets it); the caller
    vouches for it (:func:`synth.attacks.splink_model.pair_bounds`). ``lacking``: whether any release row, and any
    roll entry, lacks one of those columns (where none does, the joins of such pairs are left out). ``whole``: the
    position of a rule whose pairs are left out here (:func:`alike_pairs_sql` makes them); later rules still leave
    them out."""
    keys = selecting or _join_keys("l.uid", "r.uid")
    selects = []
    for i, columns in enumerate(rules):
        if i == whole:
            continue
        sharpened = {c: k for c, k in (within or {}).items() if c not in columns}
        for left, right, on, equal in _pieces(columns, sharpened, lacking):
            filtered = _where(rules, i, condition, equal)
            selects.append(f"SELECT '{i}' AS match_key, {keys} FROM {left} AS l JOIN {right} AS r ON {on}{filtered}")
    return "\nUNION ALL\n".join(selects)


def alike_pairs_sql(
    rules: Sequence[Sequence[str]], index: int, levels: str, counted: Sequence[int], condition: Condition | None
) -> str:
    """SQL of the pairs of the rule at ``index`` of ``rules`` (as in :func:`blocked_pairs_sql`) that meet
    ``condition``: of those whose level (``levels``: SQL of a pair's level in one comparison,
    :func:`~synth.attacks.live_pairs.level_case`) is one of ``counted``, one pair for each release row and level, the
    row and its first entry at that level; every other pair as it is. Each with its rule's position (``match_key``),
    ``uid_l``, ``uid_r`` and how many entries it stands for (``alike``: 1 for a pair as it is); the scoring query joins
    it to both sides by uid (:func:`synth.attacks.pair_scores.scored_pairs`).

    Where the rule's pairs that take one of the ``counted`` levels take one level of every other comparison too (the
    caller vouches for it: :func:`synth.attacks.splink_model.alike_rule`), and those levels weigh no term frequency,
    the pairs of a row at one level score the same match weight: one scored stands for all of them, and Splink need
    not compare the rest (95% of the pairs kept of a batch of Wayanad without wards)."""
    filtered = _where(rules, index, condition, rules[index])
    pairs = (
        f"SELECT l.uid AS uid_l, r.uid AS uid_r, {levels} AS level "
        f"FROM {RELEASE} AS l JOIN {ROLL} AS r ON {_equal(rules[index])}{filtered}"
    )
    alone = f"CASE WHEN level IN ({', '.join(str(c) for c in counted)}) THEN NULL ELSE uid_r END"
    first = "min(uid_r)"
    return (
        f"SELECT '{index}' AS match_key, uid_l, {first} AS uid_r, count(*) AS {ALIKE} "
        f"FROM ({pairs}) GROUP BY uid_l, level, {alone}"
    )


def _where(rules: Sequence[Sequence[str]], index: int, condition: Condition | None, equal: Sequence[str]) -> str:
    """The WHERE clause of a join of the rule at ``index`` that equates ``equal`` (the rule's columns and maybe
    more): not a pair of an earlier rule, and the comparisons of ``condition`` that the join does not imply."""
    implied = {_equal([c]) for c in equal}
    unmet = condition_sql([levels for levels in condition or () if not implied & set(levels)])
    earlier = _earlier(rules, index)
    kept = [sql for sql in (earlier and f"NOT ({earlier})", unmet) if sql]
    return f" WHERE {' AND '.join(kept)}" if kept else ""


def _earlier(rules: Sequence[Sequence[str]], index: int) -> str:
    """SQL of the pairs of the rule at ``index`` that are pairs of a rule before it (Splink's ``NOT COALESCE(earlier
    rule, FALSE)``, by the rules' columns alone: a pair of a later rule meets the condition), where the rule's own
    columns are equal (every join of the rule equates them): by the columns of the earlier rule that are not its own;
    ``true`` where it has none, and empty for the first rule."""
    own = set(rules[index])
    earlier = [[c for c in columns if c not in own] for columns in rules[:index]]
    if any(not rest for rest in earlier):
        return "true"
    return " OR ".join(f"coalesce(({_equal(rest)}), false)" for rest in earlier)


def _join_keys(release_uid: str, roll_uid: str) -> str:
    """Splink's ids of each side of a pair (``join_key_l``, ``join_key_r``): the release row ``release_uid``, the roll
    entry ``roll_uid``."""
    return f"'{RELEASE}-__-' || {release_uid} AS join_key_l, '{ROLL}-__-' || {roll_uid} AS join_key_r"


def _pieces(
    columns: Sequence[str], sharpened: Mapping[str, int | None], lacking: tuple[bool, bool]
) -> list[tuple[str, str, str, list[str]]]:
    """The joins that make a rule's pairs, disjoint: (release side, roll side, join condition, the columns it
    equates)."""
    on = _equal(columns)
    if not sharpened:
        return [(RELEASE, ROLL, on, [*columns])]
    complete = " AND ".join(f'"{c}" IS NOT NULL' for c in sharpened)
    pieces = []
    if lacking[0]:  # the release's side lacks one
        pieces.append((f"(SELECT * FROM {RELEASE} WHERE NOT ({complete}))", ROLL, on, [*columns]))
    if lacking[1]:  # the roll's side lacks one, the release's has all
        pieces.append(
            (
                f"(SELECT * FROM {RELEASE} WHERE {complete})",
                f"(SELECT * FROM {ROLL} WHERE NOT ({complete}))",
                on,
                [*columns],
            )
        )
    if any(k is None for k in sharpened.values()):
        return pieces  # no pair whose sides both have every column can meet the condition
    bands = {c: k for c, k in sharpened.items() if k is not None and k > 0}
    left = f"(SELECT *{''.join(_band(c, k, shifted=True) for c, k in bands.items())} FROM {RELEASE}"
    left += "".join(f" CROSS JOIN (VALUES (-1), (0), (1)) AS _{c}(shift)" for c in bands) + f" WHERE {complete})"
    right = f"(SELECT *{''.join(_band(c, k, shifted=False) for c, k in bands.items())} FROM {ROLL} WHERE {complete})"
    same = [c for c, k in sharpened.items() if not k]
    near = [f'l."_band_{c}" = r."_band_{c}"' for c in bands]
    return [(left, right, " AND ".join([on, *(_equal([c]) for c in same), *near]), [*columns, *same]), *pieces]


def _band(column: str, within: int, *, shifted: bool) -> str:
    """A column's band of ``within`` values (two values at most ``within`` apart lie in one band or two next to each
    other), on the release's side shifted by -1, 0 or 1."""
    band = f'floor("{column}" / {within})'
    return f', {band} + _{column}.shift AS "_band_{column}"' if shifted else f', {band} AS "_band_{column}"'


def _equal(columns: Sequence[str]) -> str:
    return " AND ".join(f'l."{c}" = r."{c}"' for c in columns)
