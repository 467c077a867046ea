"""Building worlds end to end: determinism, resume, refusal, bad input, the CLI."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synth import World, build_world, open_world
from synth.cli import app
from synth.errors import BuildInterrupted, OutputError, WorldError
from synth.world import build as build_module
from synth.world.plan import WorldSpec
from synth.world.render import PEOPLE_COLUMNS
from tests.integration.interrupt import interrupt_second_call

runner = CliRunner()


def _files(path: Path) -> dict[str, str]:
    return dict(json.loads((path / "manifest.json").read_text())["files"])


def test_one_and_two_workers_give_identical_checksums(wayanad: World, tmp_path: Path) -> None:
    again = build_world(tmp_path / "w2", districts=["Wayanad"], seed=11, workers=2)  # the fixture: one worker
    assert len(wayanad.manifest["shards"]) == 2
    assert _files(again.path) == _files(wayanad.path)
    assert again.verify() == []


def test_other_seed_gives_other_world(small_world_dir: Path, tmp_path: Path) -> None:
    other = build_world(tmp_path / "s6", districts=["Kasaragod"], local_bodies=3, seed=6)
    assert _files(other.path) != _files(small_world_dir)


def test_rebuilding_the_same_world_is_a_no_op(small_world_dir: Path) -> None:
    before = _files(small_world_dir)
    build_world(small_world_dir, districts=["Kasaragod"], local_bodies=3, seed=5)
    assert _files(small_world_dir) == before


def test_refuses_to_overwrite_a_different_world(small_world_dir: Path) -> None:
    with pytest.raises(OutputError) as exc:
        build_world(small_world_dir, districts=["Kasaragod"], local_bodies=3, seed=99)
    assert str(exc.value).startswith(f"{small_world_dir}: holds a different world (spec ")
    assert str(exc.value).endswith("refusing to overwrite it: choose another --out folder or delete this one")
    assert '"seed": 5' in str(exc.value)


def test_refuses_a_non_empty_folder_that_is_not_a_world(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError) as exc:
        build_world(tmp_path, districts=["Wayanad"], local_bodies=1, seed=1)
    assert str(exc.value) == f"{tmp_path}: folder is not empty and holds no world; choose an empty or new folder"
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError) as exc:
        build_world(blocker / "world", districts=["Wayanad"], local_bodies=1, seed=1)
    assert str(exc.value) == f"{blocker / 'world'}: cannot write to the output folder (Not a directory)"


def test_interrupted_build_resumes_to_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = WorldSpec(districts=("Idukki",), local_bodies=4, seed=8)
    reference = tmp_path / "ref"
    build_module.build_world(spec, reference)
    out = tmp_path / "out"
    interrupt_second_call(monkeypatch, build_module, "_write_shard")
    plan = build_module._plan_for(spec)
    assert len(plan.shards) >= 2
    with pytest.raises(BuildInterrupted) as exc:
        build_module.build_world(spec, out)
    assert str(exc.value) == (
        f"{out}: build interrupted; 1 of {len(plan.shards)} shards are complete and verified. "
        "Run the same command again to resume, or delete the folder."
    )
    assert not (out / "manifest.json").exists()
    assert list(out.rglob(".*.tmp-*")) == []
    with pytest.raises(WorldError, match="unfinished; run the same build command to resume it"):
        open_world(out)
    monkeypatch.undo()
    build_module.build_world(spec, out)
    assert _files(out) == _files(reference)


def test_full_disk_leaves_no_partial_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, frame: pl.DataFrame) -> None:
        path.with_name(f".{path.name}.tmp-1").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, "atomic_parquet", full)
    out = tmp_path / "w"
    with pytest.raises(OutputError) as exc:
        build_module.build_world(WorldSpec(districts=("Wayanad",), local_bodies=1, seed=2), out)
    assert str(exc.value) == (
        f"{out}: cannot write the world (no space left on the device); 0 of 1 shards are complete and verified. "
        "Free space or fix the folder and run the same command to resume, or delete it."
    )
    assert list(out.rglob("*.parquet")) == []
    assert list(out.rglob(".*.tmp-*")) == []
    assert not (out / "manifest.json").exists()


def test_bad_worker_count(tmp_path: Path) -> None:
    from synth.errors import SpecError

    with pytest.raises(SpecError, match=r"^workers = 0: must be a whole number of at least 1$"):
        build_world(tmp_path / "w", districts=["Wayanad"], workers=0)


def test_open_world_rejects_other_folders(tmp_path: Path) -> None:
    with pytest.raises(WorldError) as exc:
        open_world(tmp_path)
    assert str(exc.value) == f"{tmp_path}: not a world folder (no manifest.json)"


def test_tables_are_lazy_frames_with_expected_columns(small_world_dir: Path) -> None:
    w = open_world(small_world_dir)
    people = w.people
    assert isinstance(people, pl.LazyFrame)
    assert people.collect_schema().names() == list(PEOPLE_COLUMNS)
    assert w.electoral_roll.collect_schema().names() == [
        "epic",
        "assembly_constituency",
        "part_number",
        "serial_number",
        "district_code",
        "local_body_code",
        "ward_code",
        "house_number",
        "house_name",
        "name",
        "relative_type",
        "relative_name",
        "sex",
        "age",
    ]
    assert "person_id" not in w.electoral_roll.collect_schema().names()
    assert w.caller_id.collect_schema().names() == ["phone", "label"]
    with pytest.raises(WorldError, match="unknown table 'citizens'"):
        w.table("citizens")


def test_shared_family_phones(small_world_dir: Path) -> None:
    p = open_world(small_world_dir).people
    shared = (
        p.filter(pl.col("contact_phone").is_not_null())
        .group_by("contact_phone")
        .agg(n=pl.len())
        .filter(pl.col("n") > 1)
        .select(pl.len())
        .collect()
        .item()
    )
    assert shared > 0
    owners = p.filter(pl.col("phone").is_not_null()).select(pl.col("phone").is_duplicated().sum()).collect().item()
    assert owners == 0


def test_cli_build_and_validate(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    r = runner.invoke(
        app,
        ["world", "build", "--districts", "Wayanad", "--local-bodies", "2", "--seed", "4", "--out", str(out), "--json"],
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["rows"]["people"] > 0 and summary["local_bodies"] == 2
    v = runner.invoke(app, ["world", "validate", str(out), "--json"])
    assert v.exit_code == 0, v.output
    assert json.loads(v.stdout)["ok"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--districts", "Atlantis"], "unknown district 'Atlantis': allowed are Thiruvananthapuram"),
        (["--local-bodies", "0"], "local_bodies = 0: must be a positive whole number"),
        (["--local-bodies", "-3"], "local_bodies = -3: must be a positive whole number"),
        (["--seed", "-2"], "seed = -2: must be a whole number from 0 to 2**32 - 1"),
        (["--workers", "0"], "workers = 0: must be a whole number of at least 1"),
        (["--preset", "kerala-2020"], "unknown preset 'kerala-2020'"),
    ],
)
def test_cli_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    base = {"--seed": "1", "--out": str(tmp_path / "w")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    argv = ["world", "build", *[x for kv in base.items() for x in kv]]
    if "--seed" not in args and "--districts" not in args:
        argv += ["--districts", "Wayanad"]
    r = runner.invoke(app, argv)
    assert r.exit_code == 2
    assert message in " ".join(r.stderr.split())
    assert r.stderr.count("error:") == 1
    assert not (tmp_path / "w" / "manifest.json").exists()


def test_cli_seed_must_be_an_integer(tmp_path: Path) -> None:
    r = runner.invoke(app, ["world", "build", "--seed", "abc", "--out", str(tmp_path / "w")])
    assert r.exit_code == 2
    text = " ".join(r.stderr.replace("│", " ").split())
    assert "Invalid value for '--seed': Input should be a valid integer, unable to parse string as an integer" in text
    assert not (tmp_path / "w").exists()


def test_cli_list_presets() -> None:
    r = runner.invoke(app, ["list", "presets", "--json"])
    assert r.exit_code == 0
    assert json.loads(r.stdout)[0]["name"] == "kerala-2026"
