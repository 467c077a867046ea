"""``synth run``, ``synth report``, ``synth world learn`` and the help: a scenario folder, a full disk, the
environment variables, and the executor validated once."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.engine import Engine
from synth.errors import SpecError
from tests.unit.cli.helpers import error_after_progress, error_of, full_disk_files, full_disk_parquet

FULL_DISK = "cannot write (no space left on the device); free space or fix the folder, then run the same command again"


def _help(args: list[str]) -> str:
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.replace("│", " ").split())


def test_the_top_level_help_describes_every_command_group() -> None:
    text = _help([])
    for group in (
        "world: build a world",
        "list: the calibration presets",
        "run: run a scenario file",
        "report: ",
        "check: exit 1",
    ):
        assert group in text
    assert "learn one from your own table of people, or extract a world as such a table" in text


def test_the_run_help_names_its_environment_variables() -> None:
    text = _help(["run"])
    assert "SYNTH_HMAC_KEY holds the secret key of the policies that hash with HMAC" in text
    assert "SYNTH_CACHE is the folder where the worlds a run builds are kept" in text
    assert "(default: $SYNTH_CACHE, else ~/.cache/synth/worlds)" in text
    assert "the costly parts of attacks are kept beside them (CACHE/reuse, or --reuse) for later runs" in text


def test_a_folder_given_as_the_scenario_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    message = error_of(["run", str(tmp_path), "--out", str(out)])
    assert message == f"error: {tmp_path}: is a directory, not a scenario file (a .toml file)"
    assert not out.exists()


def test_a_result_store_that_is_a_file_is_refused_before_anything_is_written(
    tiny_scenario: Path, tmp_path: Path
) -> None:
    out, store = tmp_path / "out", tmp_path / "store"
    store.write_text("mine", encoding="utf-8")
    message = error_of(["run", str(tiny_scenario), "--out", str(out), "--reuse", str(store)])
    assert message == f"error: --reuse: {store}: exists and is not a folder; the result store needs a folder"
    assert not out.exists() and store.read_text(encoding="utf-8") == "mine"


def test_a_full_disk_at_the_first_write_of_a_run(
    tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    writes = full_disk_files(monkeypatch)
    assert error_after_progress(["run", str(tiny_scenario), "--out", str(out)]) == f"error: {out}: {FULL_DISK}"
    assert writes() == 1
    assert list(out.rglob("*")) == []


def test_a_full_disk_while_a_run_writes_its_release(
    tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    full_disk_parquet(monkeypatch)
    release = out / "releases" / "as_exported.parquet"  # the file being written is named
    assert error_after_progress(["run", str(tiny_scenario), "--out", str(out)]) == f"error: {release}: {FULL_DISK}"
    assert [p.name for p in out.rglob("*") if p.is_file() and (".tmp" in p.name or p.suffix == ".parquet")] == []


def test_a_full_disk_while_the_report_is_written(tiny_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (tiny_run / "report.html").read_bytes()
    full_disk_files(monkeypatch)
    assert error_of(["report", str(tiny_run)]) == f"error: {tiny_run}: {FULL_DISK}"
    assert (tiny_run / "report.html").read_bytes() == before
    assert list(tiny_run.glob(".*.tmp*")) == []


def test_report_of_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    message = error_of(["report", str(tmp_path)])
    assert message == f"error: {tmp_path}: not the output folder of a finished `synth run` (no results.parquet)"


def test_a_full_disk_while_a_world_is_learned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import synth.world.learned.api

    def full(table: Path, out: Path, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(out.parent / f".{out.name}.learning-1"))

    monkeypatch.setattr(synth.world.learned.api, "learn_world", full)
    out = tmp_path / "learned"
    args = ["world", "learn", str(tmp_path / "t.parquet"), "--rows", "10", "--seed", "1", "--out", str(out)]
    assert error_of(args) == f"error: {tmp_path / '.learned.learning-1'}: {FULL_DISK}"


def test_the_executor_is_validated_once_and_handed_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import synth.engine.executors
    import synth.scenario.run

    real = synth.engine.executors.engine_problems
    calls: list[object] = []
    handed: list[object] = []

    def counted(*args: object, **kwargs: object) -> list[str]:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    def run_scenario(scenario: object, out: Path, workers: object, **kwargs: object) -> None:
        handed.append(workers)
        raise SpecError("stopped here")

    monkeypatch.setattr(synth.engine.executors, "engine_problems", counted)
    monkeypatch.setattr(synth.scenario.run, "run_scenario", run_scenario)
    scenario = Path(__file__).parents[3] / "scenarios" / "ci_smoke.toml"
    assert (
        error_after_progress(["run", str(scenario), "--out", str(tmp_path / "out"), "--workers", "2"])
        == "error: stopped here"
    )
    assert len(calls) == 1
    assert handed == [Engine(workers=2)]


SMOKE_TEXT = (Path(__file__).parents[3] / "scenarios" / "ci_smoke.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMOKE_TEXT.replace(
                'purposes = ["outreach", "ward_planning", "research"]\n', "purposes.outreach.keep = 1.5\n"
            ),
            "purposes.outreach.keep = 1.5: must be a share in (0, 1]: the least a policy must keep to serve it",
        ),
        (
            SMOKE_TEXT + '\n[whatif]\nfields = ["relative_name"]\n',
            "whatif.fields = 'relative_name': not a field of the release; allowed are phone, name, age, gender, "
            "district, taluk, ward, local_body, registry, scheme",
        ),
        (
            SMOKE_TEXT + '\n[search]\ndrop = [[], ["phone"]]\nphone = ["plain", "hmac"]\n',
            "search.drop = ['phone']: contradicts search.phone, which varies phone (give its drop there: "
            "phone = [..., 'drop'])",
        ),
        (
            SMOKE_TEXT.replace('"sdv_copula"]', '"sdv_copula", "ward_tables"]') + "\n[curve]\nepsilons = [1, 0]\n",
            "curve.epsilons = 0: must be a positive number (epsilon = 0 would publish nothing but noise)",
        ),
        (
            SMOKE_TEXT + "\n[curve]\nepsilons = [1]\n",
            "curve.base = None: not a policy of this scenario that publishes tables; allowed are none: add one, e.g. "
            "ward_tables",
        ),
    ],
    ids=["keep", "whatif", "search", "curve-epsilon", "curve-base"],
)
def test_a_bad_decision_key_stops_the_run_before_any_work(tmp_path: Path, text: str, message: str) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert error_of(["run", str(scenario), "--out", str(out)]) == f"error: {scenario}: {message}"
    assert not out.exists()


def test_the_synth_command_exits_without_the_interpreters_last_collection() -> None:
    code = """
import gc, sys
class Cycle:
    def __del__(self):
        print("collected at exit")
gc.disable()
cycle = Cycle()
cycle.me = cycle
del cycle
sys.argv = ["synth", "list", "presets"]
from synth.cli import main
main()
"""
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "kerala-2026" in done.stdout
    assert "collected at exit" not in done.stdout
    (command,) = entry_points(group="console_scripts", name="synth")
    assert command.value == "synth.cli:main"


def test_reading_a_scenario_does_not_load_scikit_learn() -> None:
    """The command line's process validates scenarios and renders the report; the attacks' models are imported
    where they run (a local cluster's workers), which saves most of a second before the first cell starts."""
    code = "import sys, synth.cli, synth.scenario.run, synth.report; print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"
