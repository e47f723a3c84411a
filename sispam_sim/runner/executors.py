"""Where replications run: in this process, in a local process pool, or on a Dask cluster.

Every executor maps the same function, :func:`run_chunk`, over chunks of replication
indices and yields the outcomes **in index order**, so a run's results are the same bytes
whichever executor ran it and however many workers it had. Replication k is a pure function
of (scenario, k); a worker receives the scenario once (:class:`Job`) and reuses it, and
sends back only what the run keeps: the day summary, and the CSV rows when ``--out`` asked
for them (text, made in the worker). Any picklable object with the method
``run(indices) -> list`` is a job too (the reference cases of ``verify`` are one): the
executors only map it.

* :class:`Serial` — one after another, here.
* :class:`Pool` — ``--jobs N``: a pool of N worker processes, forked from a clean
  ``forkserver`` (``spawn`` where there is none), so a worker inherits no thread of this
  process. Workers ignore Ctrl-C; this process stops them.
* :class:`Dask` — ``--cluster ADDRESS`` for a running scheduler, ``--cluster local`` for a
  ``LocalCluster`` on this machine; needs the optional extra ``sispam-sim[dask]``.

Chunks are large enough that scheduling costs little and small enough that every worker
gets several; at most a few chunks per worker are in flight, so memory does not grow with
the number of replications.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sispam_sim.errors import UsageError
from sispam_sim.scenario.loader import LoadedScenario
from sispam_sim.stats.findings import FindingsPlan
from sispam_sim.stats.summary import DaySummary, summarise_day

__all__ = ["Job", "Done", "run_chunk", "Executor", "Serial", "Pool", "Dask", "make_executor",
           "usable_cores", "chunk_size"]

#: Chunks in flight per worker: enough to keep it busy while its last result travels back.
IN_FLIGHT_PER_WORKER = 3
#: Replications per chunk at most (a chunk's CSV text is held until its turn is written).
MAX_CHUNK = 64
#: How long to try to reach a Dask scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = "10s"


@dataclass(frozen=True)
class Job:
    """What every worker needs, sent once: the scenario, the place names reports use, whether
    the CSV rows are wanted, and what the findings keep of each day (None: no findings)."""

    scenario: LoadedScenario
    place_names: dict[str, str]
    with_csv: bool
    findings: FindingsPlan | None = None

    def run(self, indices: Sequence[int]) -> list["Done"]:
        """Run the replications ``indices``: each summarised, and its CSV rows made if wanted."""
        from sispam_sim.runner.output import replication_csv
        from sispam_sim.runner.replications import run_one
        from sispam_sim.scenario.phases import target_phases

        phases = target_phases(self.scenario.spec)   # format 1.1 per-phase targets split the incidents
        out = []
        for k in indices:
            result = run_one(self.scenario, k, record_timeline=self.with_csv, record_events=self.with_csv)
            out.append(Done(k, summarise_day(result, self.place_names, phases, self.findings),
                            replication_csv(result) if self.with_csv else None))
        return out


class Done(NamedTuple):
    """One finished replication: its index, its day summary and (with ``--out``) its CSV rows."""

    index: int
    day: DaySummary
    csv: dict[str, str] | None


def run_chunk(job, indices: Sequence[int]) -> list:
    """Run the items ``indices`` of ``job`` (``job.run(indices)``): the one function every executor maps."""
    return job.run(indices)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # not on Linux
        return max(1, os.cpu_count() or 1)


def chunk_size(replications: int, workers: int) -> int:
    """About 8 chunks per worker, between 1 and MAX_CHUNK replications each."""
    return max(1, min(MAX_CHUNK, replications // (8 * max(1, workers)) or 1))


def _chunks(indices: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(indices), size):
        yield list(indices[start:start + size])


class Executor:
    """Maps :func:`run_chunk` over a run's replications; yields :class:`Done` (or what another
    job's ``run`` returns per index) in the order of the indices given."""

    name = "serial"
    workers = 1

    def run(self, job: Job, indices: Sequence[int]) -> Iterator[Done]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers (and stop them at once if a run was interrupted)."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Serial(Executor):
    """One replication after another, in this process."""

    def run(self, job: Job, indices: Sequence[int]) -> Iterator[Done]:
        for chunk in _chunks(indices, 1):
            yield from run_chunk(job, chunk)


def _ordered(submit, indices: Sequence[int], workers: int) -> Iterator[Done]:
    """Submit chunks with a bounded number in flight; yield their outcomes in submission order."""
    pending: deque = deque()
    chunks = _chunks(indices, chunk_size(len(indices), workers))
    limit = IN_FLIGHT_PER_WORKER * workers
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= limit:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


_JOB: Job | None = None   # a pool worker's job, set once by _start_worker


def _start_worker(job: Job) -> None:
    global _JOB
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    for name in ("SIGTERM", "SIGHUP"):   # the parent's handlers for these raise in the parent only
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _exit_with_parent()
    _JOB = job


def _exit_with_parent() -> None:
    """End this worker the moment the process that started the pool ends, however it ends.

    The parent stops its workers when it can (``Pool.close``); when it cannot (SIGKILL, a crash),
    nothing else would: a worker holds both ends of the pool's queues, so it never reads an end
    of file, and it keeps the fork server alive in turn (every forked worker holds the server's
    "parent alive" pipe). ``PR_SET_PDEATHSIG`` would not help either: a worker's parent is the
    fork server, not the run. What does see the run end is :func:`multiprocessing.parent_process`:
    its sentinel is a pipe only the run holds open, ready the moment the run is gone (a handle of
    the run's process on Windows). A daemon thread waits on it (no polling) and ends the worker;
    if the run is already gone, it ends it at once. ``distributed`` does the same for its workers.
    """
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:   # not started by multiprocessing
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_in_worker(indices: Sequence[int]) -> list[Done]:
    assert _JOB is not None, "the worker was started without a job"
    return run_chunk(_JOB, indices)


def _context():
    """``forkserver`` where there is one (Linux, macOS): workers are forked from a clean,
    single-threaded server that has imported the engine once, so they start in milliseconds
    and inherit no thread of this process; ``spawn`` elsewhere."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(["sispam_sim.runner.executors", "sispam_sim.engine.model",
                                    "sispam_sim.runner.output"])
    return context


class Pool(Executor):
    """A local pool of worker processes; each receives the job once, when it starts."""

    name = "process-pool"

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = self._submitter = None
        self._job: Job | None = None

    def run(self, job: Job, indices: Sequence[int]) -> Iterator[Done]:
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

        if self._pool is None or self._job is not job:   # started once, reused by later batches of the run
            self.close()
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                             initializer=_start_worker, initargs=(job,))
            # A submission may start a worker, which is sent the job (hundreds of kB through a pipe)
            # as it starts. Submitting from a thread of its own, which Ctrl-C and SIGTERM never
            # interrupt (only the main thread sees them), means a worker never gets half a job
            # (and prints a traceback); close() lets a start in progress finish.
            self._submitter = ThreadPoolExecutor(1, thread_name_prefix="sispam-pool-submit")
            self._job = job
        pool, submitter = self._pool, self._submitter
        yield from _ordered(lambda chunk: submitter.submit(pool.submit, _run_in_worker, chunk).result(),
                            indices, self.workers)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        submitter, self._submitter = self._submitter, None
        if submitter is not None:
            submitter.shutdown(wait=True)
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:   # an interrupted run must not leave workers computing
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
        # The pool's manager thread closes its wake-up pipe as it ends; if it is still ending
        # when Python exits, the exit hook writes to that closed pipe and prints a traceback
        # after "run interrupted" (CPython 3.11). The workers are gone, so it ends at once.
        if manager is not None:
            manager.join(timeout=5)


class Dask(Executor):
    """A Dask distributed cluster: ``address`` of a running scheduler, or ``"local"``."""

    name = "dask"

    def __init__(self, address: str, workers: int | None = None):
        from concurrent.futures import ThreadPoolExecutor

        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--cluster needs Dask, which is not installed: "
                             "pip install 'sispam-sim[dask]'") from None
        self.address = address
        self._cluster = self._client = None
        self._shared = self._job = None
        # Connected from a thread of its own: only the main thread sees Ctrl-C and SIGTERM, so an
        # interrupt cannot cut the start of a local cluster short and leave it half made (which
        # distributed's exit hook then fails to close, with a traceback). An interrupted start
        # finishes, and is closed, before the interrupt goes on.
        with ThreadPoolExecutor(1, thread_name_prefix="sispam-dask-connect") as starter:
            started = starter.submit(self._connect, address, workers)
            try:
                started.result()
            except KeyboardInterrupt:
                try:
                    started.result(timeout=60)
                except Exception:   # the start failed too: the interrupt is what to report
                    pass
                self.close()
                raise
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def _connect(self, address: str, workers: int | None) -> None:
        import asyncio

        from dask.distributed import Client, LocalCluster

        try:
            if address == "local":
                self._cluster = LocalCluster(n_workers=workers or usable_cores(), threads_per_worker=1,
                                             processes=True, dashboard_address=None)
                self._client = Client(self._cluster)
                return
            try:
                self._client = Client(address, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, asyncio.TimeoutError, ValueError) as err:   # unreachable, refused, bad
                raise UsageError(f"--cluster: cannot reach a Dask scheduler at {address}: "
                                 f"{str(err) or type(err).__name__}") from None
        except BaseException:
            self.close()
            raise

    def run(self, job: Job, indices: Sequence[int]) -> Iterator[Done]:
        client = self._client
        if self._shared is None or self._job is not job:   # the scenario travels once per worker
            self._shared, self._job = client.scatter(job, broadcast=True, hash=False), job
        shared = self._shared
        yield from _ordered(lambda chunk: client.submit(run_chunk, shared, chunk, pure=False), indices, self.workers)

    def close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def make_executor(jobs: int | None, cluster: str | None, replications: int, seconds_estimate: float) -> Executor:
    """The executor for a run: a cluster if asked, else a pool of ``jobs`` workers (default:
    the usable cores), or serial when there is one core, one replication, or too little work
    (under ~2 s on one core) to repay starting the workers."""
    if cluster is not None:
        return Dask(cluster, jobs)
    if jobs is None:
        jobs = usable_cores() if seconds_estimate >= 2.0 else 1
    jobs = min(jobs, max(1, replications))
    return Pool(jobs) if jobs > 1 else Serial()
