"""Caller-ID lookup: phone number -> the directory's label -> a name.

A crowd-sourced caller-ID directory labels numbers with what other people saved them as: a full name,
a given name, a given name with an initial or a role ("Suresh Driver"), a nickname, a relation word
("Amma"), sometimes a previous holder's name. Every released row whose number the attacker knows (released
in clear, or recovered from a digest) is looked up. The attacker reads a label as a real adversary does,
with the public word lists of roles, relation words and nicknames (``calibration/vocab/nicknames.csv``): a
trailing role is cut off, a label that is only a relation word or a nickname (and no given name anyone
bears) names nobody, and what is left is a name whose first word is a given name. Spelling variants and
previous holders' names stay as the directory has them: the linkage that follows pays for them.

The baseline runs the same lookup with the known numbers shuffled among the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NoParams, NotApplicable, Outcome, Scored, Truth
from synth.attacks.knowledge import chain
from synth.core.paths import VOCAB_DIR
from synth.scoring.breakdown import breakdown_rows
from synth.scoring.stats import Rate, Risk, risk, wilson

ATTACK_ID = "caller_id_lookup"


@cache
def _words() -> tuple[str, frozenset[str]]:
    """A regex of trailing roles, and the words that name nobody (relation words and nicknames that are
    no given name)."""
    words = pl.read_csv(VOCAB_DIR / "nicknames.csv")
    given = set(pl.read_csv(VOCAB_DIR / "given_names.csv")["name"].str.to_lowercase().to_list())
    roles = sorted(words.filter(pl.col("kind") == "role")["label"].to_list(), key=len, reverse=True)
    role = r"(?i)\s+(?:" + "|".join(r.replace(" ", r"\s+") for r in roles) + r")$"
    nobody = {w.lower() for w in words.filter(pl.col("kind") != "role")["label"].to_list()} - given
    return role, frozenset(nobody)


def read_label(label: pl.Expr) -> pl.Expr:
    """The name a caller-ID label gives (null where it names nobody)."""
    role, nobody = _words()
    name = label.str.replace(role, "").str.strip_chars()
    return pl.when(name.str.to_lowercase().is_in(list(nobody)) | (name == "")).then(None).otherwise(name)


def caller_id_lookup(view: object, aux: AuxiliaryData, rng: np.random.Generator, phones: pl.DataFrame) -> pl.DataFrame:
    """Names from the directory for the rows whose number is known.

    Parameters
    ----------
    view
        Unused (the numbers come from ``phones``); taken so every attack has the same signature.
    aux
        Auxiliary data; needs the caller-ID directory (``phone``, ``label``).
    rng
        Unused (deterministic).
    phones
        ``row_id``, ``phone`` and ``by`` (the chain that gave the number) of the rows whose number is known.

    Returns
    -------
    polars.DataFrame
        ``row_id``, ``label``, ``name``, ``given`` (its first word) and ``by`` (the chain), for each row whose
        number carries a label that names somebody, by ``row_id``.
    """
    aux.require("caller_id", ATTACK_ID)
    found = phones.select("row_id", pl.col("phone").cast(pl.String), "by").join(
        aux.caller_id_labels, on="phone", how="inner"
    )
    # each label read once: the whole state's directory holds 5.9 lakh labels for 1.75 crore numbers
    names = found.select("label").unique().with_columns(name=read_label(pl.col("label")))
    names = names.filter(pl.col("name").is_not_null()).with_columns(given=pl.col("name").str.extract(r"^(\S+)"))
    found = found.join(names, on="label", how="inner")
    return found.select("row_id", "label", "name", "given", by=chain(pl.col("by"), ATTACK_ID)).sort("row_id")


@dataclass(frozen=True)
class CallerIdScore:
    """Names read from the directory: ``rows`` with a known number, ``guesses`` given a name, ``correct``
    those whose given name is the person's own (up to spelling), against the baseline's precision."""

    rows: int
    guesses: int
    correct: int
    precision: Rate
    recall: Rate
    baseline: Rate
    risk: Risk


def _right(found: pl.DataFrame, truth: Truth) -> pl.DataFrame:
    """Rows whose name's first word is the person's given name (compared by the transliteration key).

    Only the people of the rows found are read (the whole state holds 3.58 crore), and each distinct given name is
    keyed once, not once per row."""
    from synth.attacks.linkage_inputs import name_key

    people = truth.world.people.select("person_id", "given_name")
    joined = (
        found.lazy()
        .join(truth.release.lazy().select("row_id", "person_id"), on="row_id")
        .join(people, on="person_id")
        .with_columns(true_given=pl.col("given_name").str.extract(r"^(\S+)"))
        .select("row_id", "given", "true_given")
        .collect()
    )
    spelt = pl.concat([joined["given"], joined["true_given"]]).drop_nulls().unique().alias("spelt").to_frame()
    keys = spelt.with_columns(key=name_key(pl.col("spelt")))
    keyed = joined.join(keys.rename({"spelt": "given"}), on="given", how="left").join(
        keys.rename({"spelt": "true_given", "key": "true_key"}), on="true_given", how="left"
    )
    return keyed.filter(pl.col("key") == pl.col("true_key")).select("row_id").sort("row_id")


class CallerIdLookup(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Look up every known phone number (released, or recovered from a digest) in the caller-ID directory "
        "and read a name from its label."
    )
    Params: ClassVar[type] = NoParams
    sources: ClassVar[tuple[str, ...]] = ("caller_id",)
    reads: ClassVar[tuple[str, ...]] = ("phone",)
    adds: ClassVar[tuple[str, ...]] = ("name",)

    def run(self, cell: Cell, params: NoParams) -> Outcome:
        if not cell.rows_are_people:
            raise NotApplicable(f"attack '{ATTACK_ID}': the release's rows are not people (synthetic or aggregate)")
        phones = cell.knowledge.known("phone")
        if phones.height == 0:
            raise NotApplicable(f"attack '{ATTACK_ID}': the attacker knows no phone number of any released row")
        found = caller_id_lookup(cell.view, cell.aux, cell.rng, phones)
        shuffled = phones.with_columns(pl.col("phone").gather(cell.rng.permutation(phones.height)))
        baseline = caller_id_lookup(cell.view, cell.aux, cell.rng, shuffled)
        knowledge = cell.knowledge.learn("name", found)
        return Outcome(guesses=found, baseline=baseline, knowledge=knowledge, extra=phones.height)

    def score(self, outcome: Outcome, truth: Truth, params: NoParams) -> Scored:
        rows = int(outcome.extra)
        right = _right(outcome.guesses, truth)
        assert outcome.baseline is not None
        base_right = _right(outcome.baseline, truth).height
        recall = wilson(right.height, rows)
        score = CallerIdScore(
            rows=rows,
            guesses=outcome.guesses.height,
            correct=right.height,
            precision=wilson(right.height, outcome.guesses.height),
            recall=recall,
            baseline=wilson(base_right, outcome.baseline.height),
            risk=risk(wilson(right.height, outcome.guesses.height), wilson(base_right, outcome.baseline.height)),
        )
        strata = truth.strata.join(truth.release.select("row_id"), on="row_id", how="semi")
        return Scored((score,), breakdown_rows(right, strata, "recall"))


ATTACK = CallerIdLookup()
