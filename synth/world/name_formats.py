"""Name formats: how each registry and the roll write a person's name from its parts.

A Kerala name is written from a given name, a house name and the father's (for a married woman, the husband's)
given name, and for some a caste title, in one of several formats: "Rajan K Nair", "K. P. Rajan", "Rajan
Kizhakkethil", "Mary Varghese". The formats are templates (``vocab/name_formats.csv``) over these placeholders:

- ``{given}``: the given name; ``{title}``: the caste title (a token with a missing part is left out);
- ``{house}``: the house name; ``{h}``: its initial;
- ``{father}``: the father's or husband's given name; ``{f}``: its initial.

Which format a source writes is drawn per entry from the source's distribution for the person's community, kept
in the preset under ``[name_formats.SOURCE.COMMUNITY]`` (shares that add up to 1, each an assumption the preset's
README states). A person in two registries may be written two ways; a roll entry is written its roll's way.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth.core.paths import VOCAB_DIR
from synth.errors import PresetError, did_you_mean
from synth.world.cases import by_case
from synth.world.names import COMMUNITIES, house_name, word

FORMAT_SOURCES = ("electoral_roll", "employees", "pensioners", "entrepreneurs", "womens_scheme")
SUM_TOLERANCE = 1e-6
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PARTS = ("given", "title", "house", "h", "father", "f")


@cache
def format_templates(folder: Path = VOCAB_DIR) -> dict[str, str]:
    """Format name -> template, in file order (a format's code is its position)."""
    path = folder / "name_formats.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    templates = {r["format"].strip(): r["template"].strip() for r in rows}
    for name, template in templates.items():
        unknown = sorted(set(PLACEHOLDER.findall(template)) - set(PARTS))
        if unknown or "{given}" not in template:
            raise PresetError(
                f"{path}: format {name}: template {template!r} must hold {{given}} and only {', '.join(PARTS)}"
            )
    return templates


def format_problems(params: Mapping[str, Any], where: str) -> list[str]:
    """What is wrong with ``params["name_formats"]`` (``where``: the file or key it came from): every source of
    :data:`FORMAT_SOURCES` and community of :data:`COMMUNITIES` needs a distribution over known formats, each
    share from 0 to 1, adding up to 1."""
    known = list(format_templates())
    section = params.get("name_formats")
    if not isinstance(section, Mapping):
        return [f"{where}: missing section [name_formats]"]
    problems = []
    for source in sorted(set(section) - set(FORMAT_SOURCES)):
        problems.append(
            f"{where}: name_formats.{source}: unknown source; allowed are {', '.join(FORMAT_SOURCES)}"
            + did_you_mean(source, list(FORMAT_SOURCES))
        )
    for source in FORMAT_SOURCES:
        by_community = section.get(source)
        for community in COMMUNITIES:
            key = f"name_formats.{source}.{community}"
            shares = by_community.get(community) if isinstance(by_community, Mapping) else None
            if not isinstance(shares, Mapping) or not shares:
                problems.append(f"{where}: {key}: missing; give each format's share (formats: {', '.join(known)})")
                continue
            before = len(problems)
            for name, share in shares.items():
                if name not in known:
                    problems.append(
                        f"{where}: {key}.{name}: unknown format; allowed are {', '.join(known)}"
                        + did_you_mean(name, known)
                    )
                elif isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                    problems.append(f"{where}: {key}.{name} = {share!r}: must be a share from 0 to 1")
            total = sum(shares.values()) if len(problems) == before else 1.0  # a sum of valid shares only
            if abs(total - 1) > SUM_TOLERANCE:
                problems.append(f"{where}: {key}: shares add up to {total:.4f}; they must add up to 1")
    return problems


@dataclass(frozen=True)
class FormatDraw:
    """Each source's cumulative format shares by community: ``cumulative[source][community, format]``."""

    cumulative: Mapping[str, np.ndarray]

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> FormatDraw:
        known = list(format_templates())
        out = {}
        for source in FORMAT_SOURCES:
            shares = np.zeros((len(COMMUNITIES), len(known)))
            for c, community in enumerate(COMMUNITIES):
                for name, share in params["name_formats"][source][community].items():
                    shares[c, known.index(name)] = float(share)
            out[source] = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
        return cls(cumulative=out)

    def draw(self, source: str, community: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A format code (int8) per entry of ``community``, from ``source``'s shares."""
        cumulative = self.cumulative[source]
        u = rng.random(len(community))
        rows = cumulative[community.astype(np.int64)]
        code = (u[:, None] >= rows).sum(axis=1)  # the first format whose cumulative share passes u
        return np.minimum(code, cumulative.shape[1] - 1).astype(np.int8)


def _part(words: pl.Series, part: str) -> pl.Expr:
    if part == "given":
        return word(words, "given")
    if part == "title":
        return word(words, "title")
    if part == "house":
        return house_name(words)
    if part == "h":
        return word(words, "house_a").str.slice(0, 1)
    if part == "father":
        return word(words, "rel_given")
    return word(words, "rel_given").str.slice(0, 1)  # "f"


def _template(words: pl.Series, template: str) -> pl.Expr:
    """The name a template writes; a token with a missing part is left out with its space."""
    tokens = []
    for token in template.split(" "):
        pieces: list[pl.Expr] = []
        at = 0
        for m in PLACEHOLDER.finditer(token):
            if m.start() > at:
                pieces.append(pl.lit(token[at : m.start()]))
            pieces.append(_part(words, m.group(1)))
            at = m.end()
        if at < len(token):
            pieces.append(pl.lit(token[at:]))
        tokens.append(pl.concat_str(pieces) if len(pieces) > 1 else pieces[0])
    return pl.concat_str(tokens, separator=" ", ignore_nulls=True)


def formatted_name(words: pl.Series) -> pl.Expr:
    """The name in each entry's format, from the integer columns ``given``, ``title``, ``house_a``, ``house_b``
    (absent: none), ``rel_given`` and ``fmt`` (a code of :func:`format_templates`)."""
    written = [_template(words, t) for t in format_templates().values()]
    expr: Any = pl.when(pl.col("fmt") == 0).then(written[0])
    for code, name in enumerate(written[1:], start=1):
        expr = expr.when(pl.col("fmt") == code).then(name)
    out: pl.Expr = expr.otherwise(pl.lit(None, dtype=pl.String))
    return out


def written_names(frame: pl.DataFrame, words: pl.Series) -> pl.Series:
    """:func:`formatted_name` over the rows of ``frame``, each format's template written only over its own rows.

    The expression writes every template over every row and keeps one (13 times the work); this is what the
    render of a whole shard uses. The same templates, so the same names (a unit test holds them equal).
    """
    templates = {code: _template(words, template) for code, template in enumerate(format_templates().values())}
    return by_case(frame, "fmt", templates, "name")
