"""The Dask engine: on a LocalCluster of 2 worker processes, a world, a scenario's results, a national
population and every relational measure are identical to the in-process run; a worker killed in the middle
of a world build costs nothing but time; bad executor choices get one exact message each."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import polars as pl
import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

import synth.world.build as build_module
from synth.cli import app
from synth.engine import Engine, run_tasks
from synth.engine.executors import KEEP_FREED_MEMORY, client_for, shared_cluster
from synth.engine.relational import key_counts, match_counts, unique_matches, unique_rows
from synth.errors import EngineError
from synth.scenario import load_scenario
from synth.scenario.run import run_scenario
from synth.world.build import build_world
from synth.world.national import NationalSpec, build_national, people_files
from synth.world.plan import WorldSpec

pytestmark = pytest.mark.filterwarnings("ignore:Dask support is moving:FutureWarning")
SMOKE = Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml"
SMALL = WorldSpec(districts=("Kasaragod",), local_bodies=3, seed=5)
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two single-threaded worker processes of 1.5 GB each."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="1.5GB", dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster, set_as_default=False) as c:
        yield c


def _files(path: Path) -> dict[str, str]:
    return dict(json.loads((path / "manifest.json").read_text())["files"])


def _tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def test_a_world_is_identical_on_a_local_cluster(small_world_dir: Path, cluster: LocalCluster, tmp_path: Path) -> None:
    out = tmp_path / "dask"
    build_world(SMALL, f"file://{out}", workers=Engine(scheduler=cluster.scheduler_address))
    assert _files(out) == _files(small_world_dir)
    assert _tree(out) == _tree(small_world_dir)  # no temporary or per-shard files left behind


def test_a_killed_worker_still_gives_a_complete_identical_world(
    small_world_dir: Path, cluster: LocalCluster, client: Client, tmp_path: Path
) -> None:
    pids: dict[str, int] = client.run(os.getpid)
    killed: dict[str, Any] = {}

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = {worker: keys for worker, keys in client.processing().items() if keys}
            if busy:
                worker, keys = next(iter(busy.items()))
                time.sleep(0.1)  # the shard is being generated
                os.kill(pids[worker], signal.SIGKILL)
                killed.update(worker=worker, keys=list(keys))
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    out = tmp_path / "killed"
    manifest = build_world(SMALL, out, workers=Engine(scheduler=cluster.scheduler_address))
    killer.join()
    assert killed and all(key.startswith("synth-_run_shard-") for key in killed["keys"]), killed
    # the scheduler sent a killed task to a worker twice: once to the killed one, once after it died
    story = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.story(*killed["keys"]))
    assert any(entry[0] in killed["keys"] and entry[2] == "processing" for entry in story)
    assert sum(1 for entry in story if entry[2] == "processing") >= len(killed["keys"]) + 1, story
    assert client.run(os.getpid).get(killed["worker"]) is None  # that worker is gone; Dask reran its shard
    assert manifest["shards"] == ["14-000", "14-002"]
    assert _files(out) == _files(small_world_dir)
    assert _tree(out) == _tree(small_world_dir)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next tests


@pytest.mark.slow
def test_a_scenario_gives_identical_results_on_a_local_cluster(
    cluster: LocalCluster, tmp_path: Path, cache: Path
) -> None:
    # ci_smoke without attribute inference (its slowest attack), with three policies: a cell group each, on two
    # workers; dp_counts_eps1 draws noise (seeded by the policy, whatever the process)
    text = (
        SMOKE.read_text(encoding="utf-8")
        .replace(
            'policies = ["as_exported", "hash_plain", "k5", "sdv_copula"]',
            'policies = ["as_exported", "k5", "dp_counts_eps1"]',
        )
        .replace('[attacks.attribute_inference]\nsecret = "pension_scheme"\n', "")
    )
    assert "attribute_inference" not in text and '"dp_counts_eps1"]' in text
    (tmp_path / "smaller.toml").write_text(text, encoding="utf-8")
    scenario = load_scenario(tmp_path / "smaller.toml")
    # each with a result store of its own: the cluster's workers compute what the run here kept
    here = run_scenario(scenario, tmp_path / "here", cache=cache, reuse=tmp_path / "here-reuse")
    cluster_engine = Engine(scheduler=cluster.scheduler_address)
    there = run_scenario(scenario, tmp_path / "there", cluster_engine, cache=cache, reuse=tmp_path / "there-reuse")
    assert here.results.height > 200
    assert there.results.equals(here.results)
    assert there.notes == here.notes
    noisy = here.results.filter((pl.col("policy") == "dp_counts_eps1") & (pl.col("measure") == "ward_planning_mae"))
    assert noisy.height == 1 and noisy["value"][0] > 0
    for name in (
        "results.parquet",
        "releases/k5.parquet",
        "releases/dp_counts_eps1.parquet",
        "truth/as_exported.parquet",
    ):
        assert pl.read_parquet(tmp_path / "there" / name).equals(pl.read_parquet(tmp_path / "here" / name)), name


def _rows(frame: Any) -> list[tuple[Any, ...]]:
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if not isinstance(frame, pl.DataFrame):
        frame = pl.from_pandas(frame.reset_index(drop=True))
    frame = frame.with_columns(pl.col(pl.Categorical, pl.Enum).cast(pl.String))
    return sorted(frame.rows(), key=repr)


@pytest.mark.slow
def test_every_relational_measure_is_identical_on_dask(small_world_dir: Path, client: Client) -> None:
    """The measures run on Dask DataFrames read from the world's Parquet files, on the cluster."""
    keys = ["ward_code", "sex", "age", "name"]
    people_files = sorted(str(p) for p in (small_world_dir / "people").rglob("*.parquet"))
    roll_files = sorted(str(p) for p in (small_world_dir / "electoral_roll").rglob("*.parquet"))
    people = pl.scan_parquet(people_files).select(pl.col("person_id").alias("row_id"), *keys)
    roll = pl.scan_parquet(roll_files).select("epic", *keys)

    def on_dask(files: list[str], columns: list[str]) -> Any:
        frame = dd.read_parquet(files, columns=columns)
        return frame.assign(sex=frame["sex"].astype("string"))

    d_people = on_dask(people_files, ["person_id", *keys]).rename(columns={"person_id": "row_id"})
    d_roll = on_dask(roll_files, ["epic", *keys])
    assert d_people.npartitions == 2  # one per shard: the work is spread over partitions
    cases = {
        "unique_matches": (unique_matches(people, roll, keys, "epic"), unique_matches(d_people, d_roll, keys, "epic")),
        "match_counts": (match_counts(people, roll, keys, "epic"), match_counts(d_people, d_roll, keys, "epic")),
        "unique_rows": (unique_rows(people, keys[:3]), unique_rows(d_people, keys[:3])),
        "key_counts": (key_counts(people, keys[:3]), key_counts(d_people, keys[:3])),
    }
    for name, (expected, on_cluster) in cases.items():
        got = client.compute(on_cluster).result()
        assert len(_rows(expected)) > 100, name
        assert _rows(got) == _rows(expected), name


def test_a_national_population_is_identical_and_measured_on_dask(
    cluster: LocalCluster, client: Client, tmp_path: Path
) -> None:
    spec = NationalSpec(seed=3, scale=0.0005, states=("Kerala", "09", "Sikkim"), rows_per_part=20_000)
    here = build_national(spec, tmp_path / "here")
    there = build_national(spec, tmp_path / "there", workers=Engine(scheduler=cluster.scheduler_address))
    assert there == here
    assert here["people_by_state"] == {"09": 99_906, "11": 305, "32": 16_703}
    people = pl.scan_parquet(people_files(tmp_path / "here"))
    d_people = dd.read_parquet(people_files(tmp_path / "there"))
    d_people = d_people.assign(sex=d_people["sex"].astype("string"))
    expected = key_counts(people, ["state_code", "sex", "age"])
    assert _rows(client.compute(key_counts(d_people, ["state_code", "sex", "age"])).result()) == _rows(expected)


def _error(args: list[str]) -> str:
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    return " ".join(r.stderr.split())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--workers", "0"],
            "error: --workers = 0: must be a whole number of at least 1 (1 runs in this process; N > 1 starts a "
            "local Dask cluster of N worker processes)",
        ),
        (
            ["--scheduler", "localhost:8786"],
            "error: --scheduler = 'localhost:8786': not a Dask scheduler address; allowed is tcp://HOST:PORT or "
            "tls://HOST:PORT (for example tcp://10.0.0.5:8786)",
        ),
        (
            ["--scheduler", "tcp://10.0.0.5:99999"],
            "error: --scheduler = 'tcp://10.0.0.5:99999': port 99999 is out of range; allowed are 1 to 65535",
        ),
        (
            ["--workers", "2", "--scheduler", "tcp://10.0.0.5:8786"],
            "error: --workers = 2 with --scheduler = 'tcp://10.0.0.5:8786': the scheduler's own workers run the "
            "tasks; give --workers (a local cluster) or --scheduler (an existing one), not both",
        ),
    ],
)
@pytest.mark.parametrize("command", ["build", "run", "national"])
def test_bad_executor_choices(tmp_path: Path, command: str, options: list[str], message: str) -> None:
    out = tmp_path / "out"
    argv = {
        "build": ["world", "build", "--districts", "Wayanad", "--seed", "1", "--out", str(out)],
        "run": ["run", str(SMOKE), "--out", str(out)],
        "national": ["world", "national", "--seed", "1", "--out", str(out)],
    }[command]
    assert _error(argv + options) == message
    assert not out.exists()


def test_an_object_store_output_is_refused(tmp_path: Path) -> None:
    message = _error(["world", "build", "--districts", "Wayanad", "--seed", "1", "--out", "s3://bucket/world"])
    assert message == (
        "error: --out = 's3://bucket/world': s3:// is not a folder this machine and the workers can share; allowed "
        "are a local path or a file:// URL (with a Dask cluster, a folder every worker mounts at the same path: "
        "NFS, Lustre, a cloud file share; an object store can be mounted as one, e.g. with s3fs-fuse or gcsfuse)"
    )


def test_an_unreachable_scheduler(tmp_path: Path) -> None:
    engine = Engine(scheduler="tcp://127.0.0.1:9", timeout=1)
    with pytest.raises(EngineError) as exc:
        build_world(SMALL, tmp_path / "w", workers=engine)
    assert str(exc.value) == (
        "--scheduler = 'tcp://127.0.0.1:9': no Dask scheduler answered within 1 s (OSError); start one with "
        "`dask scheduler` and workers with `dask worker tcp://127.0.0.1:9`, or check the address"
    )
    assert not (tmp_path / "w" / "manifest.json").exists()


def _started(log: str, i: int, seconds: float) -> int:
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{i}\n")
    time.sleep(seconds)
    return i


def test_tasks_start_in_the_order_given_as_workers_free_up(client: Client, tmp_path: Path) -> None:
    """A task is handed out only when a worker is free: the first is long, so the second's worker takes the third
    and then the fourth (Dask alone gives each worker two tasks at once, and one may wait behind the long one)."""
    log = tmp_path / "started.txt"
    seconds = [2.0, 0.2, 0.2, 0.2]
    calls = [(str(log), i, s) for i, s in enumerate(seconds)]
    engine = Engine(scheduler=client.scheduler.address)
    done: list[int] = []
    results = run_tasks(engine, _started, calls, [f"t{i}" for i in range(4)], lambda i, _: done.append(i), client)
    assert results == [0, 1, 2, 3]
    started = [int(line) for line in log.read_text().split()]
    assert sorted(started[:2]) == [0, 1]
    assert started[2:] == [2, 3]
    assert done == [1, 2, 3, 0]


def _allocator_environment() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in KEEP_FREED_MEMORY}


@pytest.mark.slow
def test_a_world_builds_on_workers_that_keep_the_memory_they_free(
    small_world_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local cluster of its own: its workers' allocators keep what they free; this process's settings stay."""
    before = _allocator_environment()
    seen: list[dict[str, dict[str, str | None]]] = []
    opened = build_module.client_for

    @contextlib.contextmanager
    def spied(engine: Engine, **kwargs: Any) -> Iterator[Client]:
        with opened(engine, **kwargs) as client:
            seen.append(client.run(_allocator_environment))
            yield client

    monkeypatch.setattr(build_module, "client_for", spied)
    build_world(SMALL, tmp_path / "kept", workers=2)
    assert len(seen) == 1 and len(seen[0]) == 2
    for env in seen[0].values():  # Polars puts its own defaults first, and jemalloc takes the last of each option
        assert str(env["_RJEM_MALLOC_CONF"]).endswith(",dirty_decay_ms:-1,muzzy_decay_ms:-1")
        assert {k: v for k, v in env.items() if k != "_RJEM_MALLOC_CONF"} == {
            "MALLOC_MMAP_THRESHOLD_": "33554432",
            "MALLOC_TRIM_THRESHOLD_": "4294967296",
            "MALLOC_TOP_PAD_": "268435456",
        }
    assert _files(tmp_path / "kept") == _files(small_world_dir)
    assert _allocator_environment() == before


@pytest.mark.slow
def test_a_shared_cluster_reuses_freed_memory_for_a_while_whoever_opens_it() -> None:
    """A scenario's cluster runs its world's shards, then its policies (peaks that differ): its workers reuse
    freed memory for a while and give it back, even where the world's build asks to keep it."""
    engine = Engine(workers=2)
    with shared_cluster(engine), client_for(engine, keep_freed_memory=True) as client:
        envs = client.run(_allocator_environment)
    assert len(envs) == 2
    for env in envs.values():
        assert str(env["_RJEM_MALLOC_CONF"]).endswith(",dirty_decay_ms:5000,muzzy_decay_ms:5000")
        assert {k: v for k, v in env.items() if k != "_RJEM_MALLOC_CONF"} == {
            "MALLOC_MMAP_THRESHOLD_": "33554432",
            "MALLOC_TRIM_THRESHOLD_": "536870912",  # Dask's own default: 65536
            "MALLOC_TOP_PAD_": "67108864",
        }
