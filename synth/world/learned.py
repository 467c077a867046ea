"""Learn a population from a user's own table with SDV, sample it at any size, and keep its rules.

The table's columns, their roles and the direct identifiers never learned are found by
:mod:`synth.world.learned_columns`.

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

import contextlib
import io
import math
import time
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import polars as pl

from synth.errors import LearnError, NotFittedError, SynthError
from synth.world.excluded import table_names
from synth.world.learned_columns import (
    BOOLEAN_ROLES,
    FILLED_ROLES,
    GOVERNMENT_EMPLOYEE,
    MODELLED_SDTYPES,
    NONE,
    REQUIRED,
    ROLES,
    ColumnPlan,
    check_roles,
    examples,
    is_name_column,
    is_phone_column,
    locatable,
    locate,
    national_numbers,
    place_problems,
    place_table,
    plan_columns,
)
from synth.world.preset import Preset, load_preset
from synth.world.rules import Rule, kind_of, parse_rule, parse_rules, schema_kinds

TABLE = "table"
MODELS = ("gaussian_copula", "ctgan")
PRIORITY = ("AAY", "PHH")
MAX_ROWS = 100_000_000
MIN_ACCEPTANCE = 0.001  # below this share of sampled rows meeting every rule, sampling gives up
BATCH = 500_000  # most rows drawn from SDV at a time
AGE_BAND = "_age_band"  # what SDV models of the age: its five-year band (the age within it comes from the table)
AGE_BAND_YEARS = 5
SALT_AGES = 0x414745


def membership(roles: Mapping[str, str]) -> dict[str, str]:
    """The rule-language test of membership of each registry the table can express."""
    out = {}
    occ = roles.get("occupation")
    reg = roles.get("registry")
    if occ is not None:
        out["employees"] = f'{occ} == "{GOVERNMENT_EMPLOYEE}"'
    if "pension_scheme" in roles:
        out["pensioners"] = f'{roles["pension_scheme"]} != "{NONE}"'
    for registry, role in (("entrepreneurs", "entrepreneur"), ("womens_scheme", "womens_scheme")):
        if role in roles:
            out[registry] = roles[role]
        elif reg is not None:
            out[registry] = f'{reg} == "{registry}"'
    return out


def world_rules(roles: Mapping[str, str], preset: Preset) -> dict[str, str]:
    """The world's eligibility rules, written for the table's column names (only those its columns can express)."""
    r = dict(roles)
    if any(k not in r for k in REQUIRED):
        return {}
    age, sex, occ, card = r["age"], r["sex"], r["occupation"], r["ration_card"]
    marital, disabled = r["marital_status"], r["disabled"]
    member = membership(r)
    emp = member["employees"]
    params = preset.params["registries"]
    rules = params["pension_rules"]
    priority = '("AAY", "PHH")'
    out = {
        "employee_age_23_56": f"{age} >= 23 and {age} <= 56 if {emp}",
        "employee_no_priority_ration_card": f"{card} not in {priority} if {emp}",
        "retired_government_no_priority_ration_card": f'{card} not in {priority} if {occ} == "retired_government"',
    }
    if "employee" in r:
        out["employee_is_government_employee"] = f"{emp} if {r['employee']}"
        out["government_employee_is_employee"] = f"{r['employee']} if {emp}"
    if "registry" in r:
        out["registry_employees_is_government_employee"] = f'{emp} if {r["registry"]} == "employees"'
        out["government_employee_in_registry_employees"] = f'{r["registry"]} == "employees" if {emp}'
    if "pension_scheme" in r:
        ps = r["pension_scheme"]
        out |= {
            "employee_no_welfare_pension": f'{ps} == "{NONE}" if {emp}',
            "pension_not_government": (
                f'{occ} not in ("retired_government", "{GOVERNMENT_EMPLOYEE}") if {member["pensioners"]}'
            ),
            "pension_old_age_60_plus": f'{age} >= {rules["old_age_min_age"]} if {ps} == "old_age"',
            "pension_agricultural_labourer": (
                f'{age} >= {rules["agricultural_labourer_min_age"]} and {occ} == "agricultural_labourer" '
                f'if {ps} == "agricultural_labourer"'
            ),
            "pension_welfare_fund_board": (
                f'{age} >= {rules["welfare_fund_board_min_age"]} and {occ} == "informal_worker" '
                f'if {ps} == "welfare_fund_board"'
            ),
            "pension_widow_is_widowed_woman": (
                f'{sex} == "F" and {marital} in ("widowed", "separated") and {age} >= {rules["widow_min_age"]} '
                f'if {ps} == "widow"'
            ),
            "pension_unmarried_women_50_plus": (
                f'{sex} == "F" and {marital} == "never_married" and {age} >= {rules["unmarried_women_min_age"]} '
                f'if {ps} == "unmarried_women"'
            ),
            "pension_disability_is_disabled": (
                f'{disabled} and {age} >= {rules["disability_min_age"]} if {ps} == "disability"'
            ),
        }
        if "registry" in r:
            out["registry_pensioners_have_a_scheme"] = f'{member["pensioners"]} if {r["registry"]} == "pensioners"'
            out["pension_scheme_in_registry_pensioners"] = f'{r["registry"]} == "pensioners" if {member["pensioners"]}'
    if "womens_scheme" in member:
        ws = member["womens_scheme"]
        lo, hi = params["womens_scheme_age_min"], params["womens_scheme_age_max"]
        out["womens_scheme_woman_35_60"] = f'{sex} == "F" and {age} >= {lo} and {age} <= {hi} if {ws}'
        out["womens_scheme_priority_card"] = f"{card} in {priority} if {ws}"
        out["womens_scheme_no_government_job"] = f'{occ} not in ("retired_government", "{GOVERNMENT_EMPLOYEE}") if {ws}'
        if "pension_scheme" in r:
            out["womens_scheme_no_pension"] = f'{r["pension_scheme"]} == "{NONE}" if {ws}'
    if "entrepreneurs" in member:
        out["entrepreneur_age_21_65"] = f"{age} >= 21 and {age} <= 65 if {member['entrepreneurs']}"
        out["entrepreneur_no_government_job"] = f"not ({emp}) if {member['entrepreneurs']}"
    return out


def observed_age_rules(table: pl.DataFrame, roles: Mapping[str, str]) -> dict[str, str]:
    """For each value of each categorical role, the age range the table shows (where narrower than all ages)."""
    age = roles.get("age")
    if age is None:
        return {}
    lo_all, hi_all = table[age].min(), table[age].max()
    out = {}
    for role in ("marital_status", "occupation", "pension_scheme", "registry", *BOOLEAN_ROLES):
        column = roles.get(role)
        if column is None:
            continue
        ranges = table.group_by(column).agg(lo=pl.col(age).min(), hi=pl.col(age).max()).drop_nulls().sort(column)
        for value, lo, hi in ranges.iter_rows():
            if lo == lo_all and hi == hi_all:
                continue
            test = column if value is True else f"not {column}" if value is False else f'{column} == "{value}"'
            out[f"age_range:{column}={value}"] = f"{age} >= {lo} and {age} <= {hi} if {test}"
    return out


@contextlib.contextmanager
def _seeded_globals(seed: int) -> Iterator[None]:
    """Seed numpy's and torch's global generators for code that only draws from them (CTGAN's training),
    and put their states back afterwards."""
    import torch

    # CTGAN draws from numpy's and torch's global generators only: seeded here, restored afterwards.
    np_state, torch_state = np.random.get_state(), torch.get_rng_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002
    torch.manual_seed(seed)
    try:
        yield
    finally:
        np.random.set_state(np_state)  # noqa: NPY002
        torch.set_rng_state(torch_state)


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

    def _metadata_columns(self, problems: list[str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """The metadata's columns of its one table, and its rules (problems appended)."""
        if self.metadata is None:
            return None, {}
        meta = dict(self.metadata)
        declared = meta.pop("rules", {})
        if not isinstance(declared, dict) or any(not isinstance(v, str) for v in declared.values()):
            problems.append("metadata: 'rules' must map rule names to expressions in quotes")
            declared = {}
        tables = meta.get("tables")
        if not isinstance(tables, dict) or len(tables) != 1:
            n = len(tables) if isinstance(tables, dict) else 0
            problems.append(f"metadata: must describe exactly one table, not {n}")
            return None, declared
        (table_meta,) = tables.values()
        columns = table_meta.get("columns") if isinstance(table_meta, dict) else None
        if not isinstance(columns, dict):
            problems.append("metadata: the table has no 'columns'")
            return None, declared
        return columns, declared

    def check(self, table: pl.DataFrame, rows: int | None = None) -> list[str]:
        """Every problem with the parameters, the table, its metadata and its rules (empty when all is well).

        Nothing is fitted. ``rows``, when given, is checked too (a positive whole number).
        """
        problems: list[str] = []
        if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= MAX_ROWS):
            problems.append(f"rows = {rows!r}: must be a whole number from 1 to {MAX_ROWS:,}")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            problems.append(f"seed = {seed!r}: must be a whole number from 0 to 2**32 - 1")
        if self.model not in MODELS:
            problems.append(f"model = {self.model!r}: allowed are {', '.join(MODELS)}")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            problems.append(f"epochs = {self.epochs!r}: must be a positive whole number")
        try:
            preset = load_preset(self.preset)
        except SynthError as exc:
            return [*problems, str(exc)]
        if table.height == 0:
            return [*problems, "the table has no rows"]
        meta_columns, declared = self._metadata_columns(problems)
        if meta_columns is not None:
            problems.extend(self._metadata_mismatch(table, meta_columns))
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

    @staticmethod
    def _metadata_mismatch(table: pl.DataFrame, meta_columns: Mapping[str, Any]) -> list[str]:
        """Where the table does not match its metadata (SDV's own validation, then ours)."""
        from sdv.errors import InvalidDataError
        from sdv.metadata import Metadata

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                metadata = Metadata.load_from_dict({"tables": {TABLE: {"columns": dict(meta_columns)}}})
        except (ValueError, TypeError, KeyError) as exc:
            return [f"metadata: not valid SDV metadata ({str(exc).strip()})"]
        missing = [c for c in meta_columns if c not in table.columns]
        extra = [c for c in table.columns if c not in meta_columns]
        problems = []
        if missing:
            problems.append(
                f"the table does not match its metadata: column(s) {examples(missing)} are missing from the table"
            )
        if extra:
            problems.append(
                f"the table does not match its metadata: column(s) {examples(extra)} are not in the metadata"
            )
        if missing or extra:
            return problems
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                metadata.validate_table(table.to_pandas(), TABLE)
        except InvalidDataError as exc:
            lines = [
                line.removeprefix("Error: ").strip()
                for line in str(exc).splitlines()
                if line.strip() and not line.startswith(("The provided data does not match", "Errors in "))
            ]
            problems.append("the table does not match its metadata: " + "; ".join(lines))
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
        meta_columns, declared = self._metadata_columns([])
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
        self.input_breaks_ = _breaks(frame, parsed)
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
        self.metadata_ = self._table_metadata(table, meta_columns, columns)
        self.sdtypes_ = self._sdtypes(frame, columns, meta_columns)
        self.banded_ = self.model == "gaussian_copula"
        self.model_sdtypes_ = (
            {**{c: t for c, t in self.sdtypes_.items() if c != columns.roles["age"]}, AGE_BAND: "categorical"}
            if self.banded_
            else dict(self.sdtypes_)
        )
        self.constraints_ = self._constraint_groups(columns)
        self.ages_ = _age_pools(frame, columns.roles["sex"], columns.roles["age"])
        start = time.perf_counter()
        self.synthesizer_ = self._fit_sdv(frame)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    @staticmethod
    def _table_metadata(
        table: pl.DataFrame, meta_columns: Mapping[str, Any] | None, columns: ColumnPlan
    ) -> dict[str, Any]:
        """The table's metadata as SDV writes it (detected when not given), identifiers marked ``pii``."""
        if meta_columns is None:
            from sdv.metadata import Metadata

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                detected = Metadata.detect_from_dataframes({TABLE: table.to_pandas()}, infer_keys=None)
            meta_columns = detected.to_dict()["tables"][TABLE]["columns"]
        out = {c: dict(m) for c, m in meta_columns.items()}
        for c in columns.identifiers:
            if out.get(c, {}).get("sdtype") in MODELLED_SDTYPES or c not in out:
                out[c] = {"sdtype": "unknown", "pii": True}
        return {"tables": {TABLE: {"columns": out}}, "relationships": [], "METADATA_SPEC_VERSION": "V2"}

    @staticmethod
    def _sdtypes(frame: pl.DataFrame, columns: ColumnPlan, meta_columns: Mapping[str, Any] | None) -> dict[str, str]:
        """The sdtype each modelled column is fitted as: ages and numeric extras numerical, the rest categorical."""
        out = {}
        age = columns.roles.get("age")
        for c in frame.columns:
            given = (meta_columns or {}).get(c, {}).get("sdtype")
            if c == age:
                out[c] = "numerical"
            elif c in columns.extra and given in ("numerical", "datetime", "categorical", "boolean"):
                out[c] = given
            elif c in columns.extra and frame.schema[c].is_numeric():
                out[c] = "numerical"
            elif c in columns.extra and frame.schema[c].is_temporal():
                out[c] = "datetime"
            else:
                out[c] = "categorical"
        return out

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

    def _to_model(self, frame: pl.DataFrame) -> Any:
        """The frame as SDV takes it: places as text, the age as its five-year band."""
        age = self.columns_.roles["age"]
        frame = frame.with_columns(pl.col(c).cast(pl.String) for c in self.columns_.geography)
        if self.banded_:
            band = (pl.col(age) // AGE_BAND_YEARS * AGE_BAND_YEARS).cast(pl.String).alias(AGE_BAND)
            frame = frame.with_columns(band).drop(age)
        return frame.to_pandas()

    def _fit_sdv(self, frame: pl.DataFrame) -> Any:
        from sdv.cag import FixedCombinations
        from sdv.metadata import Metadata
        from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer

        with warnings.catch_warnings():  # SDV asks every synthesizer to save its metadata; the world does
            warnings.simplefilter("ignore")
            metadata = Metadata.load_from_dict(
                {"tables": {TABLE: {"columns": {c: {"sdtype": t} for c, t in self.model_sdtypes_.items()}}}}
            )
            if self.model == "ctgan":
                synthesizer = CTGANSynthesizer(metadata, epochs=self.epochs, enable_gpu=False)
            else:
                synthesizer = GaussianCopulaSynthesizer(metadata)
            synthesizer.add_constraints([FixedCombinations(column_names=g) for g in self.constraints_])
            with _seeded_globals(int(self.seed)):
                synthesizer.fit({TABLE: self._to_model(frame)})
        return synthesizer

    # ---------------------------------------------------------------- sampling

    def _from_model(self, sampled: Any, rng: np.random.Generator) -> pl.DataFrame:
        """Sampled rows in the table's types, each age drawn from the table's ages of its sex and band."""
        out = pl.from_pandas(sampled)
        sex, age = self.columns_.roles["sex"], self.columns_.roles["age"]
        if self.banded_:
            band = out[AGE_BAND].cast(pl.Int64).to_numpy()
            sexes = out[sex].cast(pl.String).to_numpy()
            ages = np.zeros(out.height, dtype=np.int64)
            u = rng.random(out.height)
            for (s, b), (values, cumulative) in self.ages_.items():
                sel = (sexes == s) & (band == b)
                ages[sel] = values[np.minimum(np.searchsorted(cumulative, u[sel], side="right"), len(values) - 1)]
            out = out.with_columns(pl.Series(age, ages))
        casts = []
        for c, dtype in self.input_.schema.items():
            if c == age or (dtype.is_integer() and self.sdtypes_[c] == "numerical"):
                casts.append(pl.col(c).round(0).cast(dtype))
            elif dtype == pl.Boolean and out.schema[c] != pl.Boolean:
                casts.append(
                    pl.col(c)
                    .cast(pl.String)
                    .str.to_lowercase()
                    .replace_strict({"true": True, "false": False}, default=None)
                )
            else:
                casts.append(pl.col(c).cast(dtype, strict=False))
        return out.select(casts)

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
        if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= MAX_ROWS:
            raise LearnError(f"rows = {rows!r}: must be a whole number from 1 to {MAX_ROWS:,}")
        start = time.perf_counter()
        self.synthesizer_._set_random_state(int(self.seed))  # SDV 2.0 has no public seed for sampling
        rng = np.random.default_rng(np.random.SeedSequence(int(self.seed), spawn_key=(SALT_AGES,)))
        places = self.places_.filter(pl.col("_ward_code").is_not_null()).select(*self.columns_.geography, "_ward_code")
        kept: list[pl.DataFrame] = []
        have = sampled = 0
        breaks = dict.fromkeys([r.name for r in self.rules_], 0)
        unplaced = 0
        accept = 1.0
        while have < rows:
            n = min(BATCH, max(1_000, math.ceil((rows - have) / max(accept, MIN_ACCEPTANCE) * 1.1)))
            with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():  # SDV's progress bar
                warnings.simplefilter("ignore")
                drawn = self.synthesizer_.sample(n)
            batch = self._from_model(drawn[TABLE] if isinstance(drawn, dict) else drawn, rng)
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


def _age_pools(frame: pl.DataFrame, sex: str, age: str) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    """For each sex and five-year band of the table, its ages and their cumulative shares."""
    counts = (
        frame.select(pl.col(sex).cast(pl.String), pl.col(age).cast(pl.Int64))
        .group_by(sex, age)
        .len()
        .with_columns(band=pl.col(age) // AGE_BAND_YEARS * AGE_BAND_YEARS)
        .sort(sex, age)
    )
    pools = {}
    for (s, b), group in counts.group_by(sex, "band", maintain_order=True):
        n = group["len"].to_numpy().astype(np.float64)
        pools[(str(s), int(b))] = (group[age].to_numpy(), np.cumsum(n) / n.sum())
    return pools


def _breaks(frame: pl.DataFrame, rules: list[Rule]) -> dict[str, int]:
    """Rows of ``frame`` that break each rule."""
    if not rules:
        return {}
    counts = frame.select(**{f"_r{i}": r.broken().sum() for i, r in enumerate(rules)}).row(0)
    return {r.name: int(n) for r, n in zip(rules, counts, strict=True)}
