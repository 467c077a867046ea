"""The auxiliary data an attacker is granted, as it would obtain it: public tables, no truth.

The scenario grants them (:func:`synth.scenario.auxiliary.auxiliary_from_world`): the electoral roll and the
caller-ID directory come from the world without any link to people. A table holding the truth is refused here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from synth.attacks.linkage_inputs import ROLL_NAMES, name_counts, name_features
from synth.attacks.printed import printed_twice
from synth.core.name_parts import given_only, supported_initials_as_enums
from synth.engine.io import content_key
from synth.errors import SpecError, TruthLeakError
from synth.release.build import TRUTH_COLUMNS

SOURCES = ("electoral_roll", "caller_id")
# Granted by the scenario rather than taken from the world: the records of the people whose membership
# of a synthetic release's training rows is in question (see synth.scoring.membership).
GRANTED = (*SOURCES, "membership_targets")


@dataclass(frozen=True)
class AuxiliaryData:
    """Auxiliary sources granted to an attacker (None: not granted)."""

    electoral_roll: pl.DataFrame | None = None
    caller_id: pl.DataFrame | None = None
    membership_targets: pl.DataFrame | None = None

    def __post_init__(self) -> None:
        for source in GRANTED:
            table = getattr(self, source)
            leaked = [c for c in (table.columns if table is not None else []) if c in TRUTH_COLUMNS]
            if leaked:
                raise TruthLeakError(f"auxiliary source '{source}' must not hold the truth: {', '.join(leaked)}")
        if self.membership_targets is not None and "member" in self.membership_targets.columns:
            raise TruthLeakError("auxiliary source 'membership_targets' must not hold the truth: member")

    def require(self, source: str, attack: str) -> pl.DataFrame:
        table = getattr(self, source)
        if table is None:
            raise SpecError(
                f"attack '{attack}': needs the auxiliary source '{source}', which the scenario did not "
                f"grant (granted: {', '.join(s for s in GRANTED if getattr(self, s) is not None) or 'none'})"
            )
        return table

    @cached_property
    def roll_initials(self) -> pl.DataFrame:
        """``given`` and ``initials`` each roll entry supports (:func:`synth.core.name_parts.supported_initials`),
        aligned with the roll: read once per source, however many attacks and releases compare names with it. Held
        as enums (:func:`~synth.core.coding.as_enum`; the whole state's 2.7 crore entries support a few thousand of
        each: 0.2 GiB where strings held 0.8 GiB), so a reader that meets a release's strings casts its part. Read a
        part of the roll at a time (:func:`~synth.core.name_parts.supported_initials_as_enums`): read whole, the
        whole state's roll took 2.4 GiB above what it held before."""
        return supported_initials_as_enums(self.require("electoral_roll", "name reading"))

    @cached_property
    def roll_name_features(self) -> pl.DataFrame:
        """:func:`~synth.attacks.linkage_inputs.name_features` of the roll's distinct names: read once per source,
        however many releases and baselines are linked to it (a score of regular expressions over every name; the
        whole state's roll holds 15 lakh distinct names, read in 10 s on one core)."""
        names = self.require("electoral_roll", "name reading")[ROLL_NAMES["name"]]
        return name_features(names.drop_nulls().unique().alias("name").to_frame())

    @cached_property
    def roll_name_counts(self) -> pl.DataFrame:
        """:func:`~synth.attacks.linkage_inputs.name_counts` of the roll's names, for the names' term frequencies:
        counted once per source."""
        return name_counts(self.require("electoral_roll", "name frequencies")[ROLL_NAMES["name"]])

    @cached_property
    def roll_printed_twice(self) -> pl.Series:
        """:func:`~synth.attacks.printed.printed_twice` of the whole roll, aligned with it: read once per source (a
        hash of five columns of every entry, 4 to 8 s on one core for the whole state's roll)."""
        return printed_twice(self.require("electoral_roll", "merging a roll's duplicates"))

    @cached_property
    def roll_printed_twice_in_district(self) -> pl.Series:
        """:func:`~synth.attacks.printed.printed_twice` of each district's entries among themselves, aligned with the
        whole roll: a district's part is what the part alone gives, read once per source for every district."""
        return printed_twice(self.require("electoral_roll", "merging a roll's duplicates"), within="district")

    @cached_property
    def caller_id_labels(self) -> pl.DataFrame:
        """``phone`` and ``label`` (as strings): the directory's first label of each number, read once per source. The
        directory itself where each number has one label (the world's do: no copy is held)."""
        directory = self.require("caller_id", "caller-ID lookup")
        labels = directory.select(pl.col("phone").cast(pl.String), pl.col("label").cast(pl.String))
        first = labels.unique("phone", keep="first", maintain_order=True)
        return labels if first.height == labels.height else first

    @cached_property
    def given_names_only(self) -> AuxiliaryData:
        """The electoral roll alone, each name cut to its given name (:func:`~synth.core.name_parts.given_only`):
        what a name learnt from a caller-ID label, which gives a given name, is compared with. Read once for an
        attack and its baseline, with what is read from it (its own :attr:`roll_initials` and the rest), and held
        until :meth:`let_go` (the whole state's: 2.7 crore names and what is read from them, read in about 30 s)."""
        return AuxiliaryData(electoral_roll=given_only(self.require("electoral_roll", "reading learnt names")))

    def let_go(self, *derived: str) -> None:
        """Stop holding the tables read from these data named ``derived`` (properties of this class); read again
        if asked for."""
        unknown = [name for name in derived if not isinstance(getattr(type(self), name, None), cached_property)]
        if unknown:
            raise ValueError(f"AuxiliaryData.let_go: '{unknown[0]}' is not a table read from the data")
        for name in derived:
            self.__dict__.pop(name, None)

    @cached_property
    def roll_key(self) -> str:
        """The roll's content key (:func:`synth.engine.io.content_key`), for the keys of results kept in a result
        store: computed once per source (about 0.2 s for a district's roll), however many attacks key on it."""
        return content_key(self.require("electoral_roll", "a result store"))


def grant(
    sources: Sequence[str], electoral_roll: Callable[[], pl.DataFrame], caller_id: Callable[[], pl.DataFrame]
) -> AuxiliaryData:
    """The granted ``sources`` (a subset of :data:`SOURCES`), each read by its loader only when granted."""
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise SpecError(f"auxiliary source '{unknown[0]}' is unknown; allowed are {', '.join(SOURCES)}")
    return AuxiliaryData(
        electoral_roll=electoral_roll() if "electoral_roll" in sources else None,
        caller_id=caller_id() if "caller_id" in sources else None,
    )
