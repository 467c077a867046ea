"""Where long work runs: in this process, on a local Dask cluster, or on an existing Dask scheduler.

This module alone owns the choice; the world build, the national build and the scenario runner hand it
their tasks (one per shard or per scenario cell group) and get the results back in their own order.

- ``Engine()`` or ``Engine(workers=1)``: every task runs in this process, one after the other.
- ``Engine(workers=N)``, N > 1: a Dask ``LocalCluster`` of N single-threaded worker processes on this
  machine, started for the command and closed after it.
- ``Engine(scheduler="tcp://HOST:PORT")``: the tasks go to an existing Dask scheduler and run on its
  workers, which must see the same output folder (a shared file system) and have this package installed.

A task is a module-level function and its arguments (both pickled to the workers). Tasks write their
own files atomically (temporary name, then rename) and return small records; Dask reruns a task whose
worker died, so a task must give the same bytes when run twice. Outputs go to a local path or a
``file://`` URL of a folder every worker shares (:func:`resolve_out`).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import os
import re
import secrets
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from synth.checks import whole
from synth.errors import EngineError, OutputError, SpecError, WorkerLost

if TYPE_CHECKING:
    from distributed import Client

SCHEDULER_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")
THREAD_VARIABLES = ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SINGLE_THREADED = dict.fromkeys(THREAD_VARIABLES, "1")
# Workers that keep the memory they free, for reuse (see client_for): glibc's malloc serves blocks up to 32 MiB
# from its heap and keeps up to 4 GiB of it free (Dask's own default gives back all but 64 KiB), and the jemalloc
# of Polars never purges (Polars' defaults purge after 0.5 and 1 s; it puts them before this setting, and the last
# wins). A state build's workers spent 39 of 245 CPU seconds in the kernel faulting in pages that had just been given
# back; with these, 10 of 207 (1 min 47 s against 2 min 7 s, the same bytes; each worker's peak 1.1 GB, was 0.8).
KEEP_FREED_MEMORY = {
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(4 << 30),
    "MALLOC_TOP_PAD_": str(256 << 20),
    "_RJEM_MALLOC_CONF": "dirty_decay_ms:-1,muzzy_decay_ms:-1",
}
# Workers of mixed work (a scenario's policies and attacks, whose peaks differ) reuse what they free for a while and
# then give it back: glibc keeps up to 512 MiB free at the top of its heap (Dask's own default gives back all but
# 64 KiB) and Polars' jemalloc purges pages unused for 5 s (its defaults: 0.5 and 1 s). Wayanad's default scenario
# on 2 workers: 2:21 and 2:37 against 2:57, 2:47 and 2:52, 31 to 33 CPU seconds in the kernel against 56 to 59
# (9 against 21 million page faults), the largest process 1.51 to 1.57 GB against 1.38 to 1.42 GB; the same bytes.
REUSE_FREED_MEMORY = {
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(512 << 20),
    "MALLOC_TOP_PAD_": str(64 << 20),
    "_RJEM_MALLOC_CONF": "dirty_decay_ms:5000,muzzy_decay_ms:5000",
}
ALLOWED_SCHEDULER = "tcp://HOST:PORT or tls://HOST:PORT (for example tcp://10.0.0.5:8786)"


@dataclass(frozen=True)
class Engine:
    """Where tasks run (see the module docstring).

    Parameters
    ----------
    workers
        1: in this process; N > 1: a local Dask cluster of N worker processes.
    scheduler
        Address of an existing Dask scheduler (``tcp://HOST:PORT``); its workers run the tasks.
    memory_limit
        Memory of each local worker (``"1.5GB"``, bytes, or ``None`` for Dask's ``"auto"``: this machine's
        memory split evenly). Dask restarts a worker that passes 95% of it and reruns its task elsewhere.
    timeout
        Seconds to wait for a scheduler to answer and to have at least one worker.
    """

    workers: int = 1
    scheduler: str | None = None
    memory_limit: str | int | None = None
    timeout: float = 10.0

    def __post_init__(self) -> None:
        problems = engine_problems(self.workers, self.scheduler)
        if problems:  # checked here once: every holder of an Engine holds a valid one
            raise SpecError("\n".join(problems))

    @property
    def kind(self) -> Literal["in_process", "local_cluster", "scheduler"]:
        if self.scheduler is not None:
            return "scheduler"
        return "local_cluster" if self.workers > 1 else "in_process"

    def describe(self) -> str:
        """A few words for logs and benchmark tables."""
        if self.kind == "scheduler":
            return f"Dask scheduler {self.scheduler}"
        if self.kind == "local_cluster":
            return f"local Dask cluster of {self.workers} worker processes"
        return "in process"


def engine_problems(workers: object, scheduler: object = None, *, cli: bool = False) -> list[str]:
    """Everything wrong with an executor choice, one message each, naming the option, its value and
    what is allowed (``cli``: name the command-line options, ``--workers`` and ``--scheduler``)."""
    w_name, s_name = ("--workers", "--scheduler") if cli else ("workers", "scheduler")
    problems = []
    if not whole(workers, 1):
        problems.append(
            f"{w_name} = {workers!r}: must be a whole number of at least 1"
            + (" (1 runs in this process; N > 1 starts a local Dask cluster of N worker processes)" if cli else "")
        )
    if scheduler is not None:
        if not isinstance(scheduler, str) or not (m := SCHEDULER_ADDRESS.match(scheduler.strip())):
            problems.append(f"{s_name} = {scheduler!r}: not a Dask scheduler address; allowed is {ALLOWED_SCHEDULER}")
        elif not 1 <= int(m.group(3)) <= 65535:
            problems.append(f"{s_name} = {scheduler!r}: port {int(m.group(3))} is out of range; allowed are 1 to 65535")
        elif whole(workers, 2):
            problems.append(
                f"{w_name} = {workers} with {s_name} = {scheduler!r}: the scheduler's own workers run the tasks; "
                f"give {w_name} (a local cluster) or {s_name} (an existing one), not both"
            )
    return problems


def make_engine(
    workers: int = 1, scheduler: str | None = None, memory_limit: str | int | None = None, *, cli: bool = False
) -> Engine:
    """A validated :class:`Engine` (it checks itself, once); raises :class:`~synth.errors.SpecError` listing every
    problem, naming the command-line options with ``cli``."""
    address = scheduler.strip() if isinstance(scheduler, str) else scheduler
    try:
        return Engine(workers=workers, scheduler=address, memory_limit=memory_limit)
    except SpecError:
        if not cli:
            raise
        raise SpecError("\n".join(engine_problems(workers, scheduler, cli=True))) from None


def as_engine(workers: int | Engine) -> Engine:
    """An :class:`Engine` from the ``workers`` argument of the Python API (a number or an engine, which checked
    itself when it was made)."""
    return workers if isinstance(workers, Engine) else make_engine(workers)


def resolve_out(out: str | Path, option: str = "--out") -> Path:
    """The local folder of an output given as a path or an fsspec URL.

    Local paths and ``file://`` URLs are allowed: with a Dask cluster, a folder every worker mounts at
    the same path (NFS, Lustre, CephFS, a cloud file share). Object stores (``s3://``, ``gs://``,
    ``abfs://``) have no atomic rename, which resuming relies on; they are refused with a message.
    """
    text = os.fspath(out)
    if "://" not in text:
        return Path(text)
    import fsspec
    from fsspec.implementations.local import LocalFileSystem

    protocol = text.split("://", 1)[0]
    try:
        fs, path = fsspec.core.url_to_fs(text)
    except (ValueError, ImportError):
        fs, path = None, ""
    if isinstance(fs, LocalFileSystem):
        return Path(path)
    raise OutputError(
        f"{option} = {text!r}: {protocol}:// is not a folder this machine and the workers can share; allowed are a "
        "local path or a file:// URL (with a Dask cluster, a folder every worker mounts at the same path: NFS, "
        "Lustre, a cloud file share; an object store can be mounted as one, e.g. with s3fs-fuse or gcsfuse)"
    )


@contextlib.contextmanager
def _children_environment(variables: dict[str, str]) -> Iterator[None]:
    """Worker processes started inside this block get ``variables`` in their environment (set before they start,
    as the allocators read them then); this process keeps its own settings."""
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class _Shared:
    """The cluster of a :func:`shared_cluster` block: what closes it, and its client once one was opened."""

    stack: contextlib.ExitStack[bool | None]
    client: Client | None = None


_SHARED: dict[Engine, _Shared] = {}


@contextlib.contextmanager
def shared_cluster(engine: Engine) -> Iterator[None]:
    """Within this block, every :func:`client_for` of ``engine`` gets one client: the cluster (a local one costs
    seconds to start and close, and its workers import the package again) starts on first use and closes when the
    block ends. A nested block shares the outer one's; an in-process engine has none."""
    if engine.kind == "in_process" or engine in _SHARED:
        yield
        return
    with contextlib.ExitStack() as stack:
        _SHARED[engine] = _Shared(stack)
        try:
            yield
        finally:
            del _SHARED[engine]


@contextlib.contextmanager
def client_for(engine: Engine, keep_freed_memory: bool = False) -> Iterator[Client]:
    """A Dask client of ``engine`` (a new local cluster, or the scheduler it names), closed on exit; inside
    :func:`shared_cluster`, the block's client (opened on first use, closed with the block).

    ``keep_freed_memory``: a new local cluster's workers keep the memory they free for reuse
    (:data:`KEEP_FREED_MEMORY`; see :func:`worker_environment`), so a worker holds its peak until it exits. For
    tasks whose peaks are small and alike (a world's shards). A :func:`shared_cluster` runs mixed work (a
    scenario's world, then its policies, whose peaks differ): its workers reuse freed memory for a while and then
    give it back (:data:`REUSE_FREED_MEMORY`), whoever opens it.
    """
    if engine.kind == "in_process":
        raise ValueError("an in-process engine has no Dask client")
    shared = _SHARED.get(engine)
    if shared is None:
        with _new_client(engine, keep_freed_memory) as client:
            yield client
        return
    if shared.client is None:
        shared.client = shared.stack.enter_context(_new_client(engine))
    yield shared.client


@contextlib.contextmanager
def _new_client(engine: Engine, keep_freed_memory: bool = False) -> Generator[Client, None, None]:
    """A Dask client of a cluster of its own: a new local cluster, or the scheduler ``engine`` names."""
    from distributed import Client, LocalCluster

    if engine.kind == "scheduler":
        assert engine.scheduler is not None
        try:
            client = Client(engine.scheduler, timeout=engine.timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EngineError(
                f"--scheduler = {engine.scheduler!r}: no Dask scheduler answered within {engine.timeout:g} s "
                f"({type(exc).__name__}); start one with `dask scheduler` and workers with "
                f"`dask worker {engine.scheduler}`, or check the address"
            ) from None
        try:
            try:
                client.wait_for_workers(1, timeout=engine.timeout)
            except (OSError, TimeoutError):
                raise EngineError(
                    f"--scheduler = {engine.scheduler!r}: the scheduler has no workers after {engine.timeout:g} s; "
                    f"start some with `dask worker {engine.scheduler}`"
                ) from None
            yield client
        finally:
            client.close()
        return
    with _children_environment(worker_environment(engine, keep_freed_memory)):
        cluster = LocalCluster(
            n_workers=engine.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=engine.memory_limit if engine.memory_limit is not None else "auto",
            dashboard_address=None,
            # no dashboard; the scheduler still serves its HTTP routes (health, metrics), at 8787 unless told
            # otherwise, which a second run's scheduler then found taken ("Port 8787 is already in use"): a free
            # port of this machine's own
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
    try:
        with Client(cluster, set_as_default=False) as client:
            client.run(_exit_without_collecting)
            yield client
    finally:
        cluster.close()


def worker_environment(engine: Engine, keep_freed_memory: bool) -> dict[str, str]:
    """The environment a new local cluster's workers start with: one thread each, and where the workers have
    Dask's automatic memory limit, :data:`KEEP_FREED_MEMORY` where asked for, :data:`REUSE_FREED_MEMORY` otherwise.
    Under a limit of the caller's own, Dask pauses a worker whose memory passes 80% of it, and one that kept its
    freed memory would never resume: its workers give freed memory back (Dask's own settings)."""
    if engine.memory_limit is not None:
        return dict(SINGLE_THREADED)
    return {**SINGLE_THREADED, **(KEEP_FREED_MEMORY if keep_freed_memory else REUSE_FREED_MEMORY)}


def _exit_without_collecting() -> None:
    """In a worker of a local cluster: skip the interpreter's garbage collection at exit, which walks every object
    the imported libraries made (SDV's and scikit-learn's: about a second a worker) to free memory the process is
    about to give back; closing a cluster took 1.5 s, 0.2 s without it."""
    atexit.register(gc.freeze)


def run_tasks(
    engine: Engine,
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    names: Sequence[str],
    on_result: Callable[[int, Any], None] | None = None,
    client: Client | None = None,
) -> list[Any]:
    """Run ``fn(*args)`` for every ``args`` of ``calls`` on ``engine``; results in the order of ``calls``.

    ``on_result(i, result)`` is called as each task finishes (in finishing order on a cluster). On a
    local cluster, a single task runs in this process (no cluster is started for it). A task
    whose worker dies is rerun by Dask on another worker; one that kills every worker it runs on (more
    than ``distributed.scheduler.allowed-failures`` times) raises :class:`~synth.errors.WorkerLost`.
    Give ``client`` to run on an already open cluster (several batches, one cluster).
    """
    if len(names) != len(calls):
        raise ValueError("one name per call")
    results: list[Any] = [None] * len(calls)
    in_process = engine.kind == "in_process" or (engine.kind == "local_cluster" and len(calls) <= 1)
    if in_process and client is None:  # one task is not worth starting a local cluster for
        for i, args in enumerate(calls):
            results[i] = fn(*args)
            if on_result:
                on_result(i, results[i])
        return results
    if client is None:
        with client_for(engine) as opened:
            return run_tasks(engine, fn, calls, names, on_result, opened)

    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    run = secrets.token_hex(4)  # keys unique to this run: a shared scheduler may hold another run's tasks
    # A task is submitted when a worker thread is free, in the order of ``calls`` (a caller puts its longest tasks
    # first, or those that others will wait for): Dask hands a small batch out at once, two tasks to a worker
    # whatever their priority, and a worker then runs its second task while another sits idle.
    waiting = iter(enumerate(zip(names, calls, strict=True)))
    index: dict[Any, int] = {}
    futures: list[Any] = []
    finished = as_completed([], with_results=True, loop=client.loop)

    def top_up() -> None:
        """Submit the next tasks until every worker thread has one (workers may join a scheduler at any time)."""
        threads = max(1, sum(client.nthreads().values()))
        while len(futures) - sum(f.done() for f in futures) < threads:
            i, (name, args) = next(waiting, (-1, ("", ())))
            if i < 0:
                return
            future = client.submit(fn, *args, key=f"synth-{fn.__name__}-{name}-{run}", pure=False)
            index[future.key] = i
            futures.append(future)
            finished.add(future)

    try:
        top_up()
        for future, result in finished:
            i = index[future.key]
            results[i] = result
            if on_result:
                on_result(i, result)
            top_up()
    except KilledWorker as exc:
        raise WorkerLost(
            f"Dask task {exc.args[0] if exc.args else '?'} killed every worker it ran on (out of memory, or a crash)"
        ) from None
    finally:
        client.cancel([f for f in futures if not f.done()])
    return results
