"""Names: vocabularies (data files under ``calibration/vocab``), draws, and spelling variants.

Draws return integer indices into the vocabulary, so a shard carries small integer columns until
the strings are assembled once, column-wise, in Polars. Conventions (see ``vocab/README.md``):

- Hindu: given name, the house-name initial, and for some a caste title ("Rajan K Nair").
- Muslim: given name and the house-name initial ("Fathima P").
- Christian: given name and the father's (for a married woman, the husband's) given name
  ("Mary Varghese"); the family name is the house name.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth.core.paths import VOCAB_DIR
from synth.errors import PresetError
from synth.world.auxiliary import LABEL_KINDS

COMMUNITIES = ("christian", "hindu", "muslim")  # sorted, as in the demography tables
COHORTS = ("old", "middle", "young")
COHORT_BOUNDS = (1965, 1995)
MAX_VARIANTS = 6  # spelling variants kept per given name


def cohort_of(birth_year: np.ndarray) -> np.ndarray:
    """Cohort index (0 old, 1 middle, 2 young) of each birth year."""
    return np.searchsorted(np.array(COHORT_BOUNDS), birth_year, side="right")


@dataclass(frozen=True)
class Pool:
    """A weighted list of vocabulary indices to draw from."""

    index: np.ndarray
    cumulative: np.ndarray  # cumulative probabilities, last = 1

    def draw(self, u: np.ndarray) -> np.ndarray:
        return self.index[np.minimum(np.searchsorted(self.cumulative, u, side="right"), len(self.index) - 1)]


def _pool(index: list[int], weights: list[float]) -> Pool:
    w = np.asarray(weights, dtype=np.float64)
    return Pool(index=np.asarray(index, dtype=np.int32), cumulative=np.cumsum(w) / w.sum())


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        raise PresetError(f"{path}: vocabulary file not found") from None


@dataclass(frozen=True)
class Vocabulary:
    """All name material, as one string table ``words`` and weighted pools of indices into it."""

    words: tuple[str, ...]
    given: dict[tuple[int, int, int], Pool]  # (community, sex 0=M 1=F, cohort) -> pool
    titles_m: Pool  # index -1 = no title
    titles_f: Pool
    house_prefix: Pool
    house_suffix: Pool
    family: dict[int, Pool]  # community -> family/house names (christian, muslim)
    variants: np.ndarray  # [len(words), max_variants] word index of a spelling variant, -1 padded
    pet_names: dict[int, Pool]  # sex -> pool
    relations: dict[int, Pool]
    roles: Pool
    whole_rules: dict[str, tuple[str, ...]]  # name -> whole-name variants (both directions)
    substring_rules: tuple[tuple[str, str], ...]

    @property
    def series(self) -> pl.Series:
        return pl.Series("word", self.words, dtype=pl.String)

    def draw_given(
        self, community: np.ndarray, sex: np.ndarray, birth_year: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Given-name indices by community, sex and birth cohort."""
        out = np.empty(len(community), dtype=np.int32)
        u = rng.random(len(community))
        key = (community.astype(np.int64) * 2 + sex) * 3 + cohort_of(birth_year)
        for k in np.unique(key):
            sel = key == k
            c, rest = divmod(int(k), 6)
            s, h = divmod(rest, 3)
            out[sel] = self.given[(c, s, h)].draw(u[sel])
        return out

    @property
    def women_title_ratio(self) -> float:
        """Share of titled women relative to titled men (caste_titles.csv): women of a titled household
        carry its title with this probability. Women-only titles (Amma, Antharjanam) are not drawn."""
        return (1 - float(self.titles_f.cumulative[0])) / (1 - float(self.titles_m.cumulative[0]))

    def variants_of(self, name: str) -> list[str]:
        """Spelling variants of ``name``: whole-name rules first, then substring rules."""
        cands = list(self.whole_rules.get(name, ())) + _apply_substring_rules(name, list(self.substring_rules))
        return [c for c in dict.fromkeys(cands) if c != name]

    def draw_variant(self, word: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
        """With probability ``share``, replace a word by one of its spelling variants (if it has any)."""
        n_var = (self.variants[word] >= 0).sum(axis=1)
        pick = (rng.random(len(word)) < share) & (n_var > 0)
        choice = (rng.random(len(word)) * np.maximum(n_var, 1)).astype(np.int64)
        out = word.copy()
        out[pick] = self.variants[word[pick], choice[pick]]
        return out


def _apply_substring_rules(name: str, rules: list[tuple[str, str]]) -> list[str]:
    out = []
    for pattern, replacement in rules:
        if pattern and pattern in name.lower():
            i = name.lower().index(pattern)
            cand = name[:i] + replacement + name[i + len(pattern) :]
            cand = " ".join(w[:1].upper() + w[1:] for w in cand.split(" "))  # each word of a compound name
            if cand != name and re.fullmatch(r"[A-Za-z ]+", cand) and not re.search(r"(.)\1\1", cand):
                out.append(cand)
    return out


@cache
def load_vocabulary(folder: Path = VOCAB_DIR) -> Vocabulary:
    """Load every vocabulary file of ``folder`` (cached: vocabularies are read-only)."""
    words: list[str] = []
    index: dict[str, int] = {}

    def idx(w: str) -> int:
        if w not in index:
            index[w] = len(words)
            words.append(w)
        return index[w]

    groups: dict[tuple[int, int, int], tuple[list[int], list[float]]] = {}
    for row in _rows(folder / "given_names.csv"):
        key = (COMMUNITIES.index(row["community"]), "MF".index(row["gender"]), COHORTS.index(row["cohort"]))
        ids, ws = groups.setdefault(key, ([], []))
        ids.append(idx(row["name"].strip()))
        ws.append(float(row["weight"]))
    given = {k: _pool(*v) for k, v in groups.items()}
    missing = [(c, s, h) for c in range(3) for s in range(2) for h in range(3) if (c, s, h) not in given]
    if missing:
        raise PresetError(f"{folder / 'given_names.csv'}: no names for {missing}")

    def titled(col: str) -> Pool:
        rows = _rows(folder / "caste_titles.csv")
        shares = [float(r[col]) for r in rows]
        ids = [idx(r["title"].strip()) for r in rows]
        return _pool([-1, *ids], [max(0.0, 1 - sum(shares)), *shares])

    titles = (titled("share_of_hindu_men"), titled("share_of_hindu_women"))
    parts = _rows(folder / "house_name_parts.csv")
    prefix = _pool(
        [idx(r["part"].strip()) for r in parts if r["kind"] == "prefix"],
        [float(r["weight"]) for r in parts if r["kind"] == "prefix"],
    )
    suffix = _pool(
        [idx(r["part"].strip()) for r in parts if r["kind"] == "suffix"],
        [float(r["weight"]) for r in parts if r["kind"] == "suffix"],
    )
    fam_rows = _rows(folder / "family_names.csv")
    family = {}
    for c in ("christian", "muslim"):
        sub = [r for r in fam_rows if r["community"] == c]
        family[COMMUNITIES.index(c)] = _pool([idx(r["name"].strip()) for r in sub], [float(r["weight"]) for r in sub])

    nick = _rows(folder / "nicknames.csv")

    def nick_pool(kind: str, sex: str | None) -> Pool:
        sub = [r for r in nick if r["kind"] == kind and (sex is None or r["gender"] in (sex, "A"))]
        return _pool([idx(r["label"].strip()) for r in sub], [float(r["weight"]) for r in sub])

    pet = {0: nick_pool("pet_name", "M"), 1: nick_pool("pet_name", "F")}
    rel = {0: nick_pool("relation", "M"), 1: nick_pool("relation", "F")}
    roles = nick_pool("role", None)

    # Spelling variants of given names: whole-name rules first, then substring rules.
    rules = _rows(folder / "transliteration_variants.csv")
    whole: dict[str, list[str]] = {}
    for r in rules:
        if r["kind"] == "whole":
            a, b = r["pattern"].strip(), r["replacement"].strip()
            whole.setdefault(a, []).append(b)
            whole.setdefault(b, []).append(a)
    whole_rules = {k: tuple(dict.fromkeys(v)) for k, v in whole.items()}
    subs = tuple((r["pattern"].lower(), r["replacement"].lower()) for r in rules if r["kind"] == "substring")
    base_names = sorted({words[i] for pool in given.values() for i in pool.index})
    var_lists = {}
    for name in base_names:
        cands = list(whole_rules.get(name, ())) + _apply_substring_rules(name, list(subs))
        var_lists[name] = [c for c in dict.fromkeys(cands) if c != name][:MAX_VARIANTS]
    width = max(1, *(len(v) for v in var_lists.values()))
    for vs in var_lists.values():
        for v in vs:
            idx(v)
    variants = np.full((len(words), width), -1, dtype=np.int32)
    for name, vs in var_lists.items():
        for j, v in enumerate(vs):
            variants[index[name], j] = index[v]
    titles_m, titles_f = titles
    return Vocabulary(
        words=tuple(words),
        given=given,
        titles_m=titles_m,
        titles_f=titles_f,
        house_prefix=prefix,
        house_suffix=suffix,
        family=family,
        variants=variants,
        pet_names=pet,
        relations=rel,
        roles=roles,
        whole_rules=whole_rules,
        substring_rules=subs,
    )


def word(words: pl.Series, col: str) -> pl.Expr:
    """The word of each vocabulary index in column ``col`` (-1: null)."""
    return pl.lit(words).gather(pl.when(pl.col(col) >= 0).then(pl.col(col)))


def house_name(words: pl.Series) -> pl.Expr:
    """The house name: the words of the integer columns ``house_a`` and ``house_b`` (absent: none) joined."""
    return pl.concat_str([word(words, "house_a"), word(words, "house_b")], separator="", ignore_nulls=True)


def full_name(words: pl.Series) -> pl.Expr:
    """Full name by community convention, from the integer columns given/title/house_a/rel_given/community."""
    given = word(words, "given")
    initial = word(words, "house_a").str.slice(0, 1)
    title = word(words, "title")
    relative = word(words, "rel_given")
    return (
        pl.when(pl.col("community") == COMMUNITIES.index("hindu"))
        .then(pl.concat_str([given, initial, title], separator=" ", ignore_nulls=True))
        .when(pl.col("community") == COMMUNITIES.index("christian"))
        .then(pl.concat_str([given, relative], separator=" "))
        .otherwise(pl.concat_str([given, initial], separator=" "))
    )


def caller_labels(words: pl.Series) -> dict[int, pl.Expr]:
    """The caller-ID label each kind (``LABEL_KINDS`` index) writes, from the integer columns of :func:`full_name`
    and ``extra`` (the nickname, relation word or role)."""
    given = word(words, "given")
    given_initial = pl.concat_str([given, word(words, "house_a").str.slice(0, 1)], separator=" ")
    written = {
        "full_name": full_name(words),
        "given": given,
        "given_initial": given_initial,
        "given_role": pl.concat_str([given, word(words, "extra")], separator=" "),
        "pet_name": word(words, "extra"),
        "relation": word(words, "extra"),
        "stale": given_initial,
    }
    return {LABEL_KINDS.index(kind): expr for kind, expr in written.items()}


def caller_label(words: pl.Series) -> pl.Expr:
    """A caller-ID label, as :func:`caller_labels` writes each kind (``kind`` column), in one expression."""
    cases = list(caller_labels(words).items())
    chain: Any = pl.when(pl.col("kind") == cases[0][0]).then(cases[0][1])
    for kind, expr in cases[1:]:
        chain = chain.when(pl.col("kind") == kind).then(expr)
    out: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.String))
    return out


def transliteration_variants(name: str, folder: Path = VOCAB_DIR) -> list[str]:
    """Spelling variants of a given name as other sources write it (Sreedevi -> Sridevi, ...).

    Works for any name, in either direction of a whole-name rule (Mohammed -> Muhammed too).

    Examples
    --------
    >>> "Sridevi" in transliteration_variants("Sreedevi")
    True
    """
    return load_vocabulary(folder).variants_of(name)
