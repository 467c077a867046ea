import shutil
from pathlib import Path

import pytest

from synth.core.paths import CALIBRATION_DIR
from synth.errors import PresetError
from synth.world.preset import PENSION_SCHEMES, available_presets, load_preset


def test_shipped_preset_loads_with_its_sizes() -> None:
    p = load_preset("kerala-2026")
    assert available_presets() == ["kerala-2026"]
    assert p.registries.employees == 800_000
    assert p.registries.pensioners == 6_200_000
    assert p.registries.womens_scheme == 1_020_000
    assert p.registries.entrepreneurs == 300_000
    assert set(p.registries.pensions) == set(PENSION_SCHEMES)
    assert p.table("districts").height == 14
    assert p.table("taluks").height == 78
    assert p.table("local_bodies").height == 1034
    assert p.table("wards").height == 20_998
    assert p.table("local_bodies")["local_body_type"].value_counts().sort("local_body_type").rows() == [
        ("corporation", 6),
        ("grama_panchayat", 941),
        ("municipality", 87),
    ]


def test_projected_state_population_and_60_plus() -> None:
    p = load_preset("kerala-2026")
    t = p.table("age_sex")
    total = t["population"].sum()
    old = t.filter(t["age_min"] >= 60)["population"].sum()
    assert total == 35_800_000
    assert abs(old / total - 0.186) < 1e-4


def test_unknown_preset_is_named_with_suggestion() -> None:
    with pytest.raises(PresetError) as exc:
        load_preset("kerala-2062")
    assert str(exc.value) == (
        "unknown preset 'kerala-2062': allowed are kerala-2026 or the path of a preset TOML file"
        " (did you mean 'kerala-2026'?)"
    )


def test_user_preset_extends_and_overrides(tmp_path: Path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text('[preset]\nextends = "kerala-2026"\nname = "mine"\n[registries]\nemployees = 500000\n')
    p = load_preset(f)
    assert p.name == "mine"
    assert p.registries.employees == 500_000
    assert p.registries.entrepreneurs == 300_000  # inherited


def test_every_bad_value_is_reported_together(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(
        '[preset]\nextends = "kerala-2026"\n[registries]\nemployees = 0\nentrepreneurs = -5\n'
        "[registries.pensions]\nwidows = 10\n[caller_id]\ncoverage = 1.5\n"
    )
    with pytest.raises(PresetError) as exc:
        load_preset(f)
    assert str(exc.value).splitlines() == [
        f"{f}: registries.pensions.widows: unknown scheme; allowed are disability, widow, unmarried_women,"
        " agricultural_labourer, welfare_fund_board, old_age (did you mean 'widow'?)",
        f"{f}: registries.employees = 0: must be a positive whole number",
        f"{f}: registries.entrepreneurs = -5: must be a positive whole number",
        f"{f}: caller_id.coverage = 1.5: must be a number between 0 and 1",
    ]


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PresetError) as exc:
        load_preset(tmp_path / "nowhere.toml")
    assert str(exc.value) == f"{tmp_path / 'nowhere.toml'}: preset file not found"


def test_a_copy_from_before_a_setting_existed_is_told_it_is_missing(tmp_path: Path) -> None:
    """A full copy of the preset made before ``duplicate_share`` and ``household_size_2026`` existed."""
    copy = tmp_path / "old"
    shutil.copytree(CALIBRATION_DIR / "kerala-2026", copy)
    f = copy / "preset.toml"
    lines = f.read_text().splitlines(keepends=True)
    f.write_text("".join(x for x in lines if not x.startswith(("duplicate_share", "household_size_2026"))))
    with pytest.raises(PresetError) as exc:
        load_preset(f)
    assert str(exc.value).splitlines() == [
        f"{f}: electoral_roll.duplicate_share: missing; must be a number between 0 and 1",
        f"{f}: demography.household_size_2026: missing; must name a CSV file",
    ]
