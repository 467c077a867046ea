"""What the peer benchmarks share: where their worlds live, measuring a step in its own process, the machine.

Every generator and every anonymeter evaluator is measured in a process of its own, so that its peak memory
(``ru_maxrss``) is its own and not that of whatever ran before it in the test session. The child prints one
line of JSON as its last line of output; :func:`run_json` reads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from synth import World, open_world
from synth.engine.meter import peak_rss_bytes
from synth.world.build import build_world
from synth.world.plan import WorldSpec

REPO = Path(__file__).resolve().parents[1]
ANONYMETER_VENV = REPO / ".venv-anonymeter"
ANONYMETER_PYTHON = ANONYMETER_VENV / "bin" / "python"
SEED = 2026
SCALE_ORDER = ("Wayanad", "Idukki", "Pathanamthitta", "Kasaragod")  # districts join the scale curve in this order
DEFAULT_SCENARIO = REPO / "scenarios" / "kerala_2026_export.toml"
# Ours first, then the peers, in the order the report lists them.
PACKAGES = ("synth-citizens", "faker", "mimesis", "indian-fakedata", "sdv", "polars", "numpy", "pytest-benchmark")


def own_peak_rss_mb() -> float:
    """Peak resident memory of this program in MiB: ``VmHWM`` of /proc/self/status where there is one.

    ``ru_maxrss`` is not used for the process itself: Linux carries it over ``fork`` and ``exec``, so a program
    started by a large process (pytest holding a world, say) would report its parent's size as its own peak.
    """
    return peak_rss_bytes() / 2**20


def peak_rss_mb() -> float:
    """Peak resident memory in MiB of this program, or of its largest finished child (a worker) if larger.

    A child's ``ru_maxrss`` may include this program's size when it was started (see :func:`own_peak_rss_mb`),
    which is never more than this program's own peak, so the larger of the two is still the true peak.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
    return max(own_peak_rss_mb(), children)


def bench_cache() -> Path:
    """Where benchmark worlds are kept: ``$SYNTH_BENCH_CACHE``, else where ``synth run`` keeps its worlds."""
    root = os.environ.get("SYNTH_BENCH_CACHE") or os.environ.get("SYNTH_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "synth" / "worlds"


def world_folder(spec: WorldSpec, cache: Path | None = None) -> Path:
    """The cache folder of a spec, named as ``synth run`` names it, so the two share their worlds."""
    digest = hashlib.sha256(json.dumps(spec.to_dict(), sort_keys=True).encode()).hexdigest()[:16]
    return (cache or bench_cache()) / f"{spec.preset}-{digest}"


def world_for(spec: WorldSpec, workers: int = 2, cache: Path | None = None) -> World:
    """Open the cached world of ``spec``, building it first if it is not there (a finished world is only read)."""
    folder = world_folder(spec, cache)
    if not (folder / "manifest.json").is_file():
        build_world(spec, folder, workers=workers)
    return open_world(folder)


def scale_districts(n: int) -> tuple[str, ...]:
    """The districts of the scale curve's point ``n``: the first ``n`` of :data:`SCALE_ORDER`, or all (14)."""
    if n == 14:
        return ()
    if not 1 <= n <= len(SCALE_ORDER):
        raise ValueError(f"scale point {n}: allowed are 1 to {len(SCALE_ORDER)}, or 14")
    return SCALE_ORDER[:n]


def scenario_with_districts(names: Sequence[str], scenario: Path = DEFAULT_SCENARIO) -> str:
    """The text of ``scenario`` with its world's districts replaced by ``names`` (removed for the whole state)."""
    text = scenario.read_text()
    line = 'districts = ["Wayanad"]\n'
    if line not in text:
        raise ValueError(f"{scenario}: no line {line.strip()!r} to replace")
    return text.replace(line, f"districts = {json.dumps(list(names))}\n" if names else "")


def scenario_on(names: Sequence[str], folder: Path) -> tuple[Path, World]:
    """The default scenario on ``names`` (all districts when empty), written to ``folder/scenario.toml``, and its
    world, built into the benchmark cache first if it is not there (outside any clock)."""
    world = world_for(WorldSpec(districts=tuple(names), seed=SEED))
    scenario = folder / "scenario.toml"
    scenario.write_text(scenario_with_districts(names))
    return scenario, world


def run_json(
    argv: Sequence[str], timeout: float | None = None, env: Mapping[str, str] | None = None, cwd: Path = REPO
) -> dict[str, Any]:
    """Run a command and return the JSON object it prints on its last line of standard output.

    Parameters
    ----------
    argv
        The command, with its arguments.
    timeout
        Seconds before the command is killed (None: no limit).
    env
        Variables added to this process's environment for the command.
    cwd
        Working folder of the command (default: the repository, so ``-m benchmarks.x`` resolves).

    Raises
    ------
    RuntimeError
        The command failed, or printed no JSON; the message carries the end of its error output.
    """
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        list(argv), cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(argv[:4])} ... exited with status {done.returncode}: {(done.stderr or done.stdout)[-3000:]}"
        )
    try:
        out: dict[str, Any] = json.loads(lines[-1])
    except ValueError:
        raise RuntimeError(f"{' '.join(argv[:4])} ... printed no JSON on its last line: {lines[-1][:500]}") from None
    return out


def measure(argv: list[str]) -> dict[str, Any]:
    """Seconds and peak memory of a command (``synth ...``), measured in a process of its own
    (:func:`measured_command`).

    The scenario's ``hmac`` policy reads its key from ``SYNTH_HMAC_KEY``: ``make`` exports a fresh one; where it
    is unset a fixed benchmark key stands in (the key changes no figure, only the digests).
    """
    key = os.environ.get("SYNTH_HMAC_KEY") or "synth-benchmark-key"
    return run_json(python_module("benchmarks.common", "--", *argv), env={"SYNTH_HMAC_KEY": key})


def python_module(module: str, *args: str, python: str | Path = sys.executable) -> list[str]:
    """``python -m module args`` as an argument list (run from the repository: see :func:`run_json`)."""
    return [str(python), "-m", module, *args]


def measured_command(argv: Sequence[str]) -> dict[str, Any]:
    """Run a command as a child of this process and measure it: seconds and the child's peak memory.

    Meant to run in a process of its own (``python -m benchmarks.common -- CMD ...``), where the largest
    finished child is the command itself or one of its workers.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(list(argv), stdout=stdout, stderr=stderr, text=True)
        tree_peak = _watch_tree(child)
        seconds = time.perf_counter() - started
        stderr.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited with status {child.returncode}: {stderr.read()[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_rss_mb": peak, "peak_tree_rss_mb": tree_peak / 2**20}


def _watch_tree(child: subprocess.Popen[str], every: float = 0.2) -> int:
    """Wait for ``child``; return the largest resident memory, in bytes, its whole process tree (workers
    included) held at once, sampled every ``every`` seconds (``peak_rss_mb`` is the largest single process)."""
    root = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        total = 0
        try:
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process may end between listing and reading
                    total += process.memory_info().rss
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(every)
    return peak


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float:
    """Total memory of the machine in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3


def machine() -> dict[str, Any]:
    """The machine the benchmarks ran on: CPU, cores, memory, system and Python."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib(), 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def versions() -> dict[str, str]:
    """Installed versions of ours and of every peer (``anonymeter`` from its own environment)."""
    out = {}
    for package in PACKAGES:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    out["anonymeter"] = anonymeter_version() or "not installed"
    return out


def anonymeter_version() -> str | None:
    """anonymeter's version in its own environment (``make anonymeter-venv``), or None where it is not built."""
    if not ANONYMETER_PYTHON.is_file():
        return None
    code = "import importlib.metadata as m; print(m.version('anonymeter'))"
    done = subprocess.run([str(ANONYMETER_PYTHON), "-c", code], capture_output=True, text=True, check=False)
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def main(argv: Sequence[str]) -> None:
    """``python -m benchmarks.common -- CMD ...``: run CMD, print its seconds and peak memory as JSON."""
    if not argv or argv[0] != "--" or len(argv) < 2:
        raise SystemExit("usage: python -m benchmarks.common -- COMMAND [ARGS...]")
    print(json.dumps(measured_command(argv[1:])))


if __name__ == "__main__":
    main(sys.argv[1:])
