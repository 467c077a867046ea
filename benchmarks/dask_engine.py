"""In process against a local Dask cluster: a scenario, a national population and the measures on it.

Run (about two minutes on 2 cores; figures go to the JSON file and the README quotes them)::

    python -m benchmarks.dask_engine --out benchmarks/results/dask_engine.json

What it measures, each in a process of its own where it is a command:

- ``synth run SCENARIO`` with ``--workers 1`` (in process) and ``--workers 2`` (a LocalCluster of two
  single-threaded worker processes), on a world already in the cache (its build is not timed): wall
  seconds, the peak memory of the command's process and of each worker process (``VmHWM`` read from
  /proc every 50 ms until it exits), and the overhead: the cluster's seconds against half the in-process
  seconds (perfect scaling on two workers).
- Starting and closing an empty LocalCluster of two workers (the fixed part of that overhead).
- ``synth world national --scale S`` in process and on the LocalCluster, then on the cluster's workers:
  ``key_counts`` (state, sex, age) and ``unique_rows`` on the same keys (a window: Dask shuffles every row
  by its key) through Narwhals on ``dask.dataframe.read_parquet``, with each worker's peak memory, the
  bytes on disk and in memory per person: the figures the plan for 40 crore people scales from.

The default scenario (``kerala_2026_export``, all of Wayanad) is the issue's target; ``ci_smoke`` is the
default here because the machine these figures came from was running a whole-state build beside them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.common import REPO, machine

SYNTH = Path(sys.executable).with_name("synth")


def _hwm_mb(proc: psutil.Process) -> float | None:
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measured(argv: list[str]) -> dict[str, Any]:
    """Run a command; its seconds, its own peak memory and that of each process it started (workers)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(child.pid)
    peaks: dict[int, float] = {}
    while child.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            procs = []
        for proc in procs:
            hwm = _hwm_mb(proc)
            if hwm is not None:
                peaks[proc.pid] = max(peaks.get(proc.pid, 0.0), hwm)
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    _, err = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {child.returncode}: {err[-3000:]}")
    own = peaks.pop(child.pid, 0.0)
    workers = sorted((round(v, 1) for v in peaks.values() if v > 150), reverse=True)  # drop tiny helper processes
    return {"seconds": round(seconds, 2), "command_peak_mb": round(own, 1), "worker_peaks_mb": workers}


def cluster_start_seconds(workers: int) -> float:
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.wait_for_workers(workers)
    return round(time.perf_counter() - started, 2)


def scenario_figures(scenario: Path, workers: int, folder: Path) -> dict[str, Any]:
    cache = folder / "cache"
    warm = [str(SYNTH), "run", str(scenario), "--out", str(folder / "warm"), "--cache", str(cache)]
    subprocess.run(warm, check=True, capture_output=True)  # builds the world into the cache (not timed)
    run = [str(SYNTH), "run", str(scenario), "--cache", str(cache), "--out"]
    # each run with a result store of its own: neither reads back what the other (or the warm-up) computed
    one = measured([*run, str(folder / "one"), "--reuse", str(folder / "one-reuse")])
    many = measured([*run, str(folder / "many"), "--workers", str(workers), "--reuse", str(folder / "many-reuse")])
    same = (folder / "one" / "results.json").read_text() == (folder / "many" / "results.json").read_text()
    return {
        "scenario": scenario.name,
        "in_process": one,
        "local_cluster": many,
        "identical_results": same,
        "speedup": round(one["seconds"] / many["seconds"], 2),
        "overhead_seconds": round(many["seconds"] - one["seconds"] / workers, 2),
    }


def _worker_peaks(client: Any) -> list[float]:
    def hwm() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    return sorted((round(v, 1) for v in client.run(hwm).values()), reverse=True)


def national_figures(scale: float, workers: int, folder: Path) -> dict[str, Any]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from synth.engine.relational import key_counts, unique_rows
    from synth.world.national import people_files

    args = ["world", "national", "--seed", "7", "--scale", str(scale), "--json"]
    one = measured([str(SYNTH), *args, "--out", str(folder / "nat1")])
    many = measured([str(SYNTH), *args, "--out", str(folder / "nat2"), "--workers", str(workers)])
    manifest = json.loads((folder / "nat2" / "manifest.json").read_text())
    same = manifest["files"] == json.loads((folder / "nat1" / "manifest.json").read_text())["files"]
    people = manifest["rows"]["people"]
    disk = sum((folder / "nat2" / rel).stat().st_size for rel in manifest["files"])
    keys = ["state_code", "sex", "age"]
    figures: dict[str, Any] = {
        "scale": scale,
        "people": people,
        "parts": manifest["parts"],
        "identical_files": same,
        "build_in_process": one,
        "build_local_cluster": many,
        "disk_bytes_per_person": round(disk / people, 2),
    }
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        frame = dd.read_parquet(people_files(folder / "nat2"))
        frame = frame.assign(sex=frame["sex"].astype("string")).rename(columns={"person_id": "row_id"})
        sizes = client.compute(frame.map_partitions(lambda p: p.memory_usage(deep=True).sum())).result()
        figures["memory_bytes_per_person"] = round(float(sizes.sum()) / people, 2)
        figures["partitions"] = frame.npartitions
        started = time.perf_counter()
        counts = client.compute(key_counts(frame, keys)).result()
        figures["key_counts"] = {"seconds": round(time.perf_counter() - started, 2), "groups": len(counts)}
        started = time.perf_counter()
        lonely = client.compute(unique_rows(frame, keys)).result()
        figures["unique_rows"] = {"seconds": round(time.perf_counter() - started, 2), "rows": len(lonely)}
        figures["measure_worker_peaks_mb"] = _worker_peaks(client)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "ci_smoke.toml")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--national-scale", type=float, default=0.01)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="dask-engine-"))
    try:
        result = {
            "machine": machine(),
            "workers": args.workers,
            "cluster_start_seconds": cluster_start_seconds(args.workers),
            "scenario": scenario_figures(args.scenario, args.workers, folder),
            "national": national_figures(args.national_scale, args.workers, folder),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
