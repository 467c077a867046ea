"""Calibration presets: one TOML file of parameters plus the data files it names.

A preset is found by name (a folder under ``synth/world/calibration/``) or by the path of a TOML
file. A user's TOML may say ``extends = "kerala-2026"`` under ``[preset]`` and override only the
keys it changes; data-file paths resolve against the file that names them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from synth.checks import is_share, whole
from synth.core.paths import CALIBRATION_DIR
from synth.errors import PresetError, did_you_mean

PENSION_SCHEMES = (
    "disability",
    "widow",
    "unmarried_women",
    "agricultural_labourer",
    "welfare_fund_board",
    "old_age",
)
RATION_CARDS = ("AAY", "PHH", "NPS", "NPNS")
CODE_COLUMNS = ("district_code", "taluk_code", "local_body_code", "ward_code", "block_code")


@dataclass(frozen=True)
class RegistrySizes:
    """State-wide registry sizes of a preset (a smaller world gets its share)."""

    employees: int
    entrepreneurs: int
    womens_scheme: int
    pensions: Mapping[str, int]

    @property
    def pensioners(self) -> int:
        return sum(self.pensions.values())


@dataclass(frozen=True)
class Preset:
    """A loaded, validated calibration preset. Tables are Polars DataFrames (never mutated)."""

    name: str
    source: str
    params: Mapping[str, Any]
    reference_date: date
    roll_qualifying_date: date
    registries: RegistrySizes
    tables: Mapping[str, pl.DataFrame] = field(repr=False)

    def table(self, key: str) -> pl.DataFrame:
        return self.tables[key]


def available_presets() -> list[str]:
    """Names of the presets shipped with the package."""
    return sorted(p.parent.name for p in CALIBRATION_DIR.glob("*/preset.toml"))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise PresetError(f"{path}: preset file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path}: not valid TOML: {exc}") from None


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _resolve(name_or_path: str | Path) -> tuple[Path, dict[str, Any], dict[str, Path]]:
    """Return (file, merged params, {"section.key": folder that key's data-file path is relative to})."""
    text = str(name_or_path)
    if text.endswith(".toml") or Path(text).is_file():
        path = Path(text)
    else:
        path = CALIBRATION_DIR / text / "preset.toml"
        if not path.is_file():
            names = available_presets()
            raise PresetError(
                f"unknown preset '{text}': allowed are {', '.join(names)} or the path of a preset TOML file"
                + did_you_mean(text, names)
            )
    own = _read_toml(path)
    params: dict[str, Any] = own
    folders: dict[str, Path] = {}
    parent = own.get("preset", {}).get("extends")
    if parent is not None:
        _, base, folders = _resolve(str(parent))
        params = _deep_merge(base, own)
    for section in ("geography", "demography"):
        for key, value in own.get(section, {}).items():
            if isinstance(value, str) and value.endswith(".csv"):
                folders[f"{section}.{key}"] = path.parent
    return path, params, folders


_REQUIRED_FILES = {
    "geography": ("districts", "taluks", "local_bodies", "wards", "constituencies"),
    "demography": (
        "age_sex",
        "household_size",
        "household_size_2026",
        "community",
        "marital_status",
        "disability",
        "occupation",
        "phone_ownership",
    ),
}


def _positive_int(problems: list[str], path: Path, key: str, value: Any) -> int:
    if not whole(value, 1):
        problems.append(f"{path}: {key} = {value!r}: must be a positive whole number")
        return 1
    return value


def _share(problems: list[str], path: Path, key: str, value: Any) -> float:
    if value is None:
        problems.append(f"{path}: {key}: missing; must be a number between 0 and 1")
        return 0.0
    if not is_share(value):
        problems.append(f"{path}: {key} = {value!r}: must be a number between 0 and 1")
        return 0.0
    return float(value)


def _date(problems: list[str], path: Path, key: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{path}: {key} = {value!r}: must be a date YYYY-MM-DD")
        return date(2000, 1, 1)


def load_preset(name_or_path: str | Path = "kerala-2026") -> Preset:
    """Load and validate a preset; every problem found is reported in one :class:`PresetError`.

    Parameters
    ----------
    name_or_path
        A shipped preset name (see :func:`available_presets`) or the path of a preset TOML file.
    """
    path, params, folders = _resolve(name_or_path)
    problems: list[str] = []
    for section in (
        "preset",
        "geography",
        "demography",
        "registries",
        "electoral_roll",
        "caller_id",
        "ration_cards",
        "phones",
    ):
        if section not in params:
            problems.append(f"{path}: missing section [{section}]")
    if problems:
        raise PresetError("\n".join(problems))

    reg = params["registries"]
    pensions_raw = reg.get("pensions", {})
    unknown = sorted(set(pensions_raw) - set(PENSION_SCHEMES))
    for key in unknown:
        problems.append(
            f"{path}: registries.pensions.{key}: unknown scheme; allowed are {', '.join(PENSION_SCHEMES)}"
            + did_you_mean(key, list(PENSION_SCHEMES))
        )
    pensions = {
        s: _positive_int(problems, path, f"registries.pensions.{s}", pensions_raw.get(s)) for s in PENSION_SCHEMES
    }
    sizes = RegistrySizes(
        employees=_positive_int(problems, path, "registries.employees", reg.get("employees")),
        entrepreneurs=_positive_int(problems, path, "registries.entrepreneurs", reg.get("entrepreneurs")),
        womens_scheme=_positive_int(problems, path, "registries.womens_scheme", reg.get("womens_scheme")),
        pensions=pensions,
    )
    for key in (
        "employee_women_share",
        "employee_may_birth_share",
        "employee_home_posting",
        "entrepreneur_women_share",
    ):
        _share(problems, path, f"registries.{key}", reg.get(key))
    _positive_int(problems, path, "electoral_roll.size", params["electoral_roll"].get("size"))
    _positive_int(problems, path, "preset.state_population", params["preset"].get("state_population"))
    for key in (
        "enrolment_18_19",
        "enrolment_20_24",
        "enrolment_25_plus",
        "ghost_share",
        "moved_share",
        "moved_body_share",
        "moved_district_share",
        "duplicate_share",
        "age_error_18_39",
        "age_error_40_59",
        "age_error_60_plus",
        "age_heaping_60_plus",
        "variant_share",
    ):
        _share(problems, path, f"electoral_roll.{key}", params["electoral_roll"].get(key))
    for key in ("coverage", "stale_share"):
        _share(problems, path, f"caller_id.{key}", params["caller_id"].get(key))
    cards = [_share(problems, path, f"ration_cards.{c}", params["ration_cards"].get(c)) for c in RATION_CARDS]
    if abs(sum(cards) - 1) > 1e-6:
        problems.append(f"{path}: ration_cards: shares add up to {sum(cards):.4f}; they must add up to 1")
    plan = params["phones"].get("default_plan")
    if plan not in ("safe", "realistic"):
        problems.append(f"{path}: phones.default_plan = {plan!r}: allowed are 'safe', 'realistic'")
    from synth.world.name_formats import format_problems  # here: name_formats -> names -> preset

    problems += format_problems(params, str(path))
    ref = _date(problems, path, "preset.reference_date", params["preset"].get("reference_date"))
    qual = _date(problems, path, "preset.roll_qualifying_date", params["preset"].get("roll_qualifying_date"))

    tables: dict[str, pl.DataFrame] = {}
    for section, keys in _REQUIRED_FILES.items():
        for key in keys:
            rel = params[section].get(key)
            if not isinstance(rel, str):
                problems.append(f"{path}: {section}.{key}: missing; must name a CSV file")
                continue
            file = folders.get(f"{section}.{key}", path.parent) / rel
            try:
                tables[key] = _read_csv(file)
            except (OSError, pl.exceptions.PolarsError) as exc:
                problems.append(f"{file}: cannot read ({section}.{key}): {exc}")
    for key, name in (("departments", "departments.csv"), ("enterprise_categories", "enterprise_categories.csv")):
        csv_path = folders.get("demography.marital_status", path.parent) / "assumptions" / name
        try:
            tables[key] = _read_csv(csv_path)
        except (OSError, pl.exceptions.PolarsError) as exc:
            problems.append(f"{csv_path}: cannot read: {exc}")
    if problems:
        raise PresetError("\n".join(problems))
    return Preset(
        name=str(params["preset"].get("name", path.parent.name)),
        source=str(path),
        params=params,
        reference_date=ref,
        roll_qualifying_date=qual,
        registries=sizes,
        tables=tables,
    )


def _read_csv(path: Path) -> pl.DataFrame:
    header = path.open(encoding="utf-8").readline().strip().split(",")
    overrides = {c: pl.String for c in header if c in CODE_COLUMNS}
    return pl.read_csv(path, schema_overrides=overrides, comment_prefix="#")
