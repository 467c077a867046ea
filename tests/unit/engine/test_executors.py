"""Where work runs: the executor choice is checked at once, tasks run in order in this process, outputs are
local folders."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from synth.engine import Engine, as_engine, engine_problems, make_engine, resolve_out, run_tasks
from synth.engine.executors import client_for, shared_cluster, worker_environment
from synth.errors import OutputError, SpecError


def _square(x: int) -> int:
    return x * x


def test_every_problem_of_an_executor_choice_at_once() -> None:
    assert engine_problems(1) == []
    assert engine_problems(0, "http://x", cli=True) == [
        "--workers = 0: must be a whole number of at least 1 (1 runs in this process; N > 1 starts a local Dask "
        "cluster of N worker processes)",
        "--scheduler = 'http://x': not a Dask scheduler address; allowed is tcp://HOST:PORT or tls://HOST:PORT "
        "(for example tcp://10.0.0.5:8786)",
    ]
    assert engine_problems(True) == ["workers = True: must be a whole number of at least 1"]


def test_make_engine_raises_one_error_and_strips_the_address() -> None:
    assert make_engine(1, " tcp://10.0.0.5:8786 ").scheduler == "tcp://10.0.0.5:8786"
    with pytest.raises(SpecError) as err:
        make_engine(-1)
    assert str(err.value) == "workers = -1: must be a whole number of at least 1"
    assert as_engine(3) == Engine(workers=3)
    engine = Engine(workers=2)
    assert as_engine(engine) is engine


def test_tasks_run_in_this_process_in_order() -> None:
    seen: list[tuple[int, int]] = []
    results = run_tasks(
        Engine(), _square, [(1,), (2,), (3,)], ["a", "b", "c"], on_result=lambda i, r: seen.append((i, r))
    )
    assert results == [1, 4, 9]
    assert seen == [(0, 1), (1, 4), (2, 9)]
    with pytest.raises(ValueError, match="one name per call"):
        run_tasks(Engine(), _square, [(1,)], [])


def test_a_single_task_on_a_local_cluster_runs_here() -> None:
    assert run_tasks(Engine(workers=4), _square, [(5,)], ["only"]) == [25]


def _worker_pid(_: int) -> int:
    return os.getpid()


def test_runs_inside_a_shared_cluster_use_one_cluster_closed_with_the_block() -> None:
    engine = Engine(workers=2)
    calls, names = [(i,) for i in range(6)], [str(i) for i in range(6)]
    with shared_cluster(engine):
        with client_for(engine) as client:
            pass
        assert client.status == "running"  # the block's client outlives its use
        workers = set(client.run(os.getpid).values())
        first = set(run_tasks(engine, _worker_pid, calls, names))
        with shared_cluster(engine):  # a nested block shares the outer one's
            second = set(run_tasks(engine, _worker_pid, calls, names))
        with client_for(engine) as again:
            assert again is client
        assert first <= workers and second <= workers and len(workers) == 2  # the same two worker processes
    assert client.status == "closed"
    with shared_cluster(Engine()):  # in process: nothing to share, nothing started
        assert run_tasks(Engine(), _square, [(3,)], ["x"]) == [9]


def _http_address(dask_scheduler: Any) -> tuple[str, int]:
    return dask_scheduler.http_server.address, dask_scheduler.http_server.port


def test_a_local_cluster_serves_its_http_routes_on_a_free_port_of_this_machine() -> None:
    """The scheduler's HTTP routes (health, metrics) not on Dask's default 8787, which a second run's scheduler would
    find taken ("Port 8787 is already in use"), nor open to other machines."""
    engine = Engine(workers=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with shared_cluster(engine), client_for(engine) as client:
            host, port = client.run_on_scheduler(_http_address)
    assert host == "127.0.0.1" and port != 8787
    assert [str(w.message) for w in caught if "8787" in str(w.message)] == []


def test_workers_keep_freed_memory_where_asked_reuse_it_otherwise_and_give_it_back_under_a_limit() -> None:
    threads = ["POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]
    one_thread = dict.fromkeys(threads, "1")
    kept = {
        "MALLOC_MMAP_THRESHOLD_": "33554432",
        "MALLOC_TRIM_THRESHOLD_": "4294967296",
        "MALLOC_TOP_PAD_": "268435456",
        "_RJEM_MALLOC_CONF": "dirty_decay_ms:-1,muzzy_decay_ms:-1",
    }
    assert worker_environment(Engine(workers=2), keep_freed_memory=True) == {**one_thread, **kept}
    reused = {
        "MALLOC_MMAP_THRESHOLD_": "33554432",
        "MALLOC_TRIM_THRESHOLD_": "536870912",
        "MALLOC_TOP_PAD_": "67108864",
        "_RJEM_MALLOC_CONF": "dirty_decay_ms:5000,muzzy_decay_ms:5000",
    }
    assert worker_environment(Engine(workers=2), keep_freed_memory=False) == {**one_thread, **reused}
    # a limit of the caller's own: Dask would pause a worker that never gives memory back
    assert worker_environment(Engine(workers=2, memory_limit="1.5GB"), keep_freed_memory=True) == one_thread
    assert worker_environment(Engine(workers=2, memory_limit="1.5GB"), keep_freed_memory=False) == one_thread


def test_outputs_are_local_folders(tmp_path: Path) -> None:
    assert resolve_out(tmp_path / "w") == tmp_path / "w"
    assert resolve_out(f"file://{tmp_path}/w") == tmp_path / "w"
    with pytest.raises(OutputError) as err:
        resolve_out("s3://bucket/w")
    assert str(err.value).startswith("--out = 's3://bucket/w': s3:// is not a folder this machine and the workers")


def test_an_engine_checks_itself_once_when_made() -> None:
    with pytest.raises(SpecError) as err:
        Engine(workers=0)
    assert str(err.value) == "workers = 0: must be a whole number of at least 1"
    with pytest.raises(SpecError, match="not a Dask scheduler address"):
        Engine(scheduler="localhost")


CYCLE_AT_EXIT = """
import gc
class Cycle:
    def __del__(self):
        print("collected at exit")
gc.disable()  # no collection before exit: only the interpreter's last one could find the cycle
cycle = Cycle()
cycle.me = cycle
del cycle
"""


def _exit_output(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", CYCLE_AT_EXIT + code], capture_output=True, text=True, check=True)
    return done.stdout


def test_a_worker_exits_without_the_interpreters_last_collection() -> None:
    assert _exit_output("") == "collected at exit\n"  # the control: the last collection finds the cycle
    assert _exit_output("from synth.engine.executors import _exit_without_collecting\n_exit_without_collecting()") == ""
