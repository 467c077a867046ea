"""Learn a population from a user's own table with SDV, sample it at any size, and keep its rules.

The table's columns, their roles and the direct identifiers never learned are found by
:mod:`synth.world.learned.columns`; the rules it keeps by
:mod:`synth.world.learned.table_rules`.

Rules are kept two ways. SDV's ``FixedCombinations`` keeps the place hierarchy (only ward, local body,
taluk and district combinations the table holds) and the combinations of the categorical columns the
rules name; every rule (the world's eligibility rules written for the table's columns, the age range
the table shows for each value of a categorical role, and the user's declared rules) is then enforced
by rejection: sampled rows that break one are dropped and counted, and sampling continues until the
requested number of rows is reached.

The learner follows scikit-learn's conventions: ``__init__`` stores parameters, :meth:`LearnedPopulation.fit`
validates every input (collecting every problem into one :class:`~synth.errors.LearnError`, before any
fitting) and returns the learner, learned state ends in ``_``, :meth:`LearnedPopulation.sample` checks
that the learner is fitted. Models stay in memory only: nothing is pickled.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from synth.checks import seed_problem, whole
from synth.errors import LearnError, NotFittedError, SynthError
from synth.world.excluded import table_names
from synth.world.learned.columns import (
    BOOLEAN_ROLES,
    FILLED_ROLES,
    NONE,
    ROLES,
    ColumnPlan,
    check_roles,
    is_name_column,
    is_phone_column,
    locatable,
    locate,
    national_numbers,
    place_problems,
    place_table,
    plan_columns,
)
from synth.world.learned.metadata import TABLE, metadata_columns, metadata_mismatch, sdtypes, table_metadata
from synth.world.learned.sampling import AGE_BAND, age_pools, from_model, rule_breaks, to_model
from synth.world.learned.sdv_fit import MODELS, fit_synthesizer, sample_quietly, sdv_metadata, seed_sampling
from synth.world.learned.table_rules import observed_age_rules, world_rules
from synth.world.preset import load_preset
from synth.world.rules import kind_of, parse_rule, parse_rules, schema_kinds

MAX_ROWS = 100_000_000
MIN_ACCEPTANCE = 0.001  # below this share of sampled rows meeting every rule, sampling gives up
BATCH = 500_000  # most rows drawn from SDV at a time
SALT_AGES = 0x414745


def too_small(table_name: str, rows: int, min_rows: int) -> str:
    """The message refusing a table of ``rows`` rows, fewer than the ``min_rows`` learning needs."""
    has = f"{rows:,} row{'' if rows == 1 else 's'}"
    needs = f"{min_rows:,} row{'' if min_rows == 1 else 's'}"
    return f"{table_name} has {has}; a table to learn from needs at least {needs}"


class LearnedPopulation:
    """An SDV model of a user's table of people that samples rows keeping the table's rules.

    Parameters
    ----------
    metadata
        SDV metadata of the table (a ``Metadata.to_dict()`` mapping, one table), optionally with a
        ``"rules"`` object; None: detected with SDV from the table.
    rules
        Declared rules, ``{name: expression}`` (see :mod:`synth.world.rules`), added to those of the metadata.
    model
        ``"gaussian_copula"`` (default) or ``"ctgan"``.
    epochs
        Training epochs for CTGAN.
    seed
        Seeds fitting (CTGAN) and sampling: the same table, parameters and seed give the same rows.
    preset
        Calibration preset whose geography, vocabularies and eligibility rules the table is read against.

    Attributes
    ----------
    columns_ : ColumnPlan
        Roles, places, identifiers and extra columns found in the table.
    rules_ : list of Rule
        Every rule enforced: the world's, the observed age ranges and the declared ones.
    rule_sources_ : dict
        ``"world"``, ``"observed"`` or ``"declared"`` for each rule name.
    input_breaks_ : dict
        Rows of the table that break each rule.
    metadata_ : dict
        The metadata of the table (given or detected), identifiers marked ``pii``.
    constraints_ : list of list of str
        Column groups kept by SDV's ``FixedCombinations``.
    input_ : polars.DataFrame
        The modelled columns of the table, as modelled (empty pension schemes and registries as ``none``).
    places_ : polars.DataFrame
        Ward of every place combination of the table.
    phones_ : numpy.ndarray
        National numbers of the table's phone columns (never given to anybody in a learned world).
    name_columns_ : tuple of str
        The table's columns of people's names.
    names_ : polars.Series
        Full names of those columns (never the name of anybody in a learned world; see
        :mod:`synth.world.excluded`).
    synthesizer_
        The fitted SDV synthesizer.
    fit_seconds_ : float
    """

    def __init__(
        self,
        metadata: Mapping[str, Any] | None = None,
        rules: Mapping[str, str] | None = None,
        model: str = "gaussian_copula",
        epochs: int = 300,
        seed: int = 0,
        preset: str = "kerala-2026",
    ) -> None:
        self.metadata = metadata
        self.rules = rules
        self.model = model
        self.epochs = epochs
        self.seed = seed
        self.preset = preset

    # ---------------------------------------------------------------- validation

    def check(
        self, table: pl.DataFrame, rows: int | None = None, table_name: str = "the table", min_rows: int = 1
    ) -> list[str]:
        """Every problem with the parameters, the table, its metadata and its rules (empty when all is well).

        Nothing is fitted. ``rows``, when given, is checked too (a positive whole number). A table of fewer
        than ``min_rows`` rows is refused before anything else of it is read or given to SDV: the model needs
        one row, and a learned world's figures more (see
        :attr:`~synth.world.fidelity.FidelitySizes.min_table_rows`). ``table_name`` is how that message names
        the table (its path, where it came from a file).
        """
        problems: list[str] = []
        if rows is not None and not whole(rows, 1, MAX_ROWS):
            problems.append(f"rows = {rows!r}: must be a whole number from 1 to {MAX_ROWS:,}")
        seed = self.seed
        if (problem := seed_problem(seed)) is not None:
            problems.append(problem)
        if self.model not in MODELS:
            problems.append(f"model = {self.model!r}: allowed are {', '.join(MODELS)}")
        if not whole(self.epochs, 1):
            problems.append(f"epochs = {self.epochs!r}: must be a positive whole number")
        try:
            preset = load_preset(self.preset)
        except SynthError as exc:
            return [*problems, str(exc)]
        if table.height < max(1, min_rows):
            return [*problems, too_small(table_name, table.height, max(1, min_rows))]
        meta_columns, declared = metadata_columns(self.metadata, problems)
        if meta_columns is not None:
            problems.extend(metadata_mismatch(table, meta_columns))
        columns = plan_columns(table, meta_columns)
        problems.extend(check_roles(table, columns, self.preset))
        if locatable(columns.geography):
            places = locate(table, columns.geography, place_table(preset))
            problems.extend(place_problems(places, columns.geography))
        all_declared = {**declared, **dict(self.rules or {})}
        schema = schema_kinds({c: table.schema[c] for c in table.columns})
        for name, text in all_declared.items():
            try:
                rule = parse_rule(name, text, schema)
            except LearnError as exc:
                problems.append(str(exc))
                continue
            named = [c for c in rule.columns if c in columns.identifiers]
            if named:
                problems.append(
                    f"rule '{name}' ({text!r}): column '{named[0]}' is a direct identifier "
                    f"({columns.identifiers[named[0]]}), which is never learned"
                )
            dropped = [c for c in rule.columns if c in columns.dropped]
            if dropped:
                problems.append(
                    f"rule '{name}' ({text!r}): column '{dropped[0]}' is not learned ({columns.dropped[dropped[0]]})"
                )
        return problems

    # ---------------------------------------------------------------- fitting

    def fit(self, table: pl.DataFrame) -> LearnedPopulation:
        """Validate everything, then fit the SDV model on the table's modelled columns.

        Raises
        ------
        LearnError
            Every problem found, one per line, before anything is fitted.
        """
        problems = self.check(table)
        if problems:
            raise LearnError("\n".join(problems))
        preset = load_preset(self.preset)
        meta_columns, declared = metadata_columns(self.metadata, [])
        columns = plan_columns(table, meta_columns)
        frame = table.select(columns.modelled).with_columns(
            pl.col(columns.roles[r]).cast(pl.String).fill_null(NONE) for r in FILLED_ROLES if r in columns.roles
        )
        frame = frame.with_columns(
            pl.col(columns.roles[r]).cast(pl.String)
            for r in ROLES
            if r in columns.roles and r not in ("age", *BOOLEAN_ROLES, *FILLED_ROLES)
        )
        kinds = schema_kinds(frame.schema)
        sources: dict[str, str] = {}
        texts: dict[str, str] = {}
        for source, rules in (
            ("world", world_rules(columns.roles, preset)),
            ("observed", observed_age_rules(frame, columns.roles)),
            ("declared", {**declared, **dict(self.rules or {})}),
        ):
            for name, text in rules.items():
                key = name if source == "declared" else f"{source}:{name}"
                texts[key] = text
                sources[key] = source
        parsed, problems = parse_rules(texts, kinds)
        if problems:  # the world's rules are written for the roles found; a failure here is a bug
            raise LearnError("\n".join(problems))
        self.columns_ = columns
        self.rules_ = parsed
        self.rule_sources_ = sources
        self.input_ = frame
        self.places_ = locate(frame, columns.geography, place_table(preset))
        self.input_breaks_ = rule_breaks(frame, parsed)
        phone_columns = [
            c for c in columns.identifiers if is_phone_column(c, None if meta_columns is None else meta_columns.get(c))
        ]
        self.phones_ = (
            np.unique(np.concatenate([national_numbers(table[c]) for c in phone_columns]))
            if phone_columns
            else np.zeros(0, dtype=np.int64)
        )
        self.name_columns_ = tuple(
            c
            for c in columns.identifiers
            if kind_of(table.schema[c]) == "text"
            and is_name_column(c, None if meta_columns is None else meta_columns.get(c))
        )
        self.names_ = table_names(table[c] for c in self.name_columns_)
        self.metadata_ = table_metadata(table, meta_columns, columns)
        self.sdtypes_ = sdtypes(frame, columns, meta_columns)
        self.banded_ = self.model == "gaussian_copula"
        self.model_sdtypes_ = (
            {**{c: t for c, t in self.sdtypes_.items() if c != columns.roles["age"]}, AGE_BAND: "categorical"}
            if self.banded_
            else dict(self.sdtypes_)
        )
        self.constraints_ = self._constraint_groups(columns)
        self.ages_ = age_pools(frame, columns.roles["sex"], columns.roles["age"])
        start = time.perf_counter()
        self.synthesizer_ = self._fit_sdv(frame)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _constraint_groups(self, columns: ColumnPlan) -> list[list[str]]:
        """Column groups for ``FixedCombinations``: the places, and every categorical role with the age band
        and any categorical extra a rule names (the combinations of a person's attributes the table holds)."""
        groups = []
        if len(columns.geography) >= 2:
            groups.append(list(columns.geography))
        if not self.banded_:  # CTGAN one-hot encodes categories: thousands of combinations would swamp it
            return groups
        named = {c for rule in self.rules_ for c in rule.columns}
        person = [
            c
            for c in self.model_sdtypes_
            if c not in columns.geography
            and self.model_sdtypes_[c] in ("categorical", "boolean")
            and (c in columns.roles.values() or c in named or c == AGE_BAND)
        ]
        if len(person) >= 2:
            groups.append(person)
        return groups

    def _fit_sdv(self, frame: pl.DataFrame) -> Any:
        """The SDV synthesizer fitted on the modelled columns (CPU only, seeded: see :mod:`.sdv_fit`)."""
        return fit_synthesizer(
            sdv_metadata(TABLE, self.model_sdtypes_),
            TABLE,
            to_model(frame, self.columns_.geography, self.columns_.roles["age"], self.banded_),
            model=self.model,
            epochs=self.epochs,
            constraints=self.constraints_,
            seed=int(self.seed),
            enable_gpu=False,
        )

    # ---------------------------------------------------------------- sampling

    sampling_: dict[str, Any]

    def sample(self, rows: int) -> pl.DataFrame:
        """``rows`` rows of the modelled columns, every one meeting every rule and naming a real ward.

        Rows are drawn from SDV in batches with its generator seeded by ``seed`` (so the same fitted
        learner and ``rows`` give the same rows); rows that break a rule or name a place combination the
        table lacks are dropped and counted in :attr:`sampling_`. The returned frame has a ``_ward_code``
        column after the modelled ones.

        Raises
        ------
        LearnError
            ``rows`` is not a positive whole number, or the rules reject nearly every sampled row.
        """
        if not hasattr(self, "synthesizer_"):
            raise NotFittedError("LearnedPopulation: call fit before sample")
        if not whole(rows, 1, MAX_ROWS):
            raise LearnError(f"rows = {rows!r}: must be a whole number from 1 to {MAX_ROWS:,}")
        start = time.perf_counter()
        seed_sampling(self.synthesizer_, int(self.seed))
        rng = np.random.default_rng(np.random.SeedSequence(int(self.seed), spawn_key=(SALT_AGES,)))
        places = self.places_.filter(pl.col("_ward_code").is_not_null()).select(*self.columns_.geography, "_ward_code")
        kept: list[pl.DataFrame] = []
        have = sampled = 0
        breaks = dict.fromkeys([r.name for r in self.rules_], 0)
        unplaced = 0
        accept = 1.0
        while have < rows:
            n = min(BATCH, max(1_000, math.ceil((rows - have) / max(accept, MIN_ACCEPTANCE) * 1.1)))
            batch = from_model(
                sample_quietly(self.synthesizer_, TABLE, n),
                self.input_.schema,
                self.sdtypes_,
                self.columns_.roles["sex"],
                self.columns_.roles["age"],
                self.ages_ if self.banded_ else None,
                rng,
            )
            sampled += n
            batch = batch.join(places, on=list(self.columns_.geography), how="left", maintain_order="left")
            flags = batch.select(
                _unplaced=pl.col("_ward_code").is_null(), **{f"_r{i}": r.broken() for i, r in enumerate(self.rules_)}
            )
            unplaced += int(flags["_unplaced"].sum())
            bad = flags["_unplaced"]
            for i, r in enumerate(self.rules_):
                column = flags[f"_r{i}"]
                breaks[r.name] += int(column.sum())
                bad = bad | column
            good = batch.filter(~bad)
            kept.append(good)
            have += good.height
            accept = have / sampled
            if accept < MIN_ACCEPTANCE and sampled >= 100_000:
                worst = sorted(breaks.items(), key=lambda kv: -kv[1])[:3]
                raise LearnError(
                    f"the rules reject {1 - accept:.2%} of the {sampled:,} rows sampled from the model; "
                    "the most often broken: "
                    + ", ".join(f"'{name}' ({count / sampled:.1%})" for name, count in worst)
                    + "; check the rules against the table (synth world learn reports the rows of the table "
                    "that break each rule)"
                )
        out = pl.concat(kept, how="vertical").head(rows)
        self.sampling_ = {
            "rows": rows,
            "sampled": sampled,
            "rejected": sampled - have,
            "rejected_share": (sampled - have) / sampled,
            "unplaced": unplaced,
            "breaks": breaks,
        }
        self.sample_seconds_ = time.perf_counter() - start
        return out
