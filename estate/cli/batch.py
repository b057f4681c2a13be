"""Batches of independent solves on Dask distributed.

A batch (the points of a cost–carbon front, the plans of what-if scenarios)
is a list of :class:`SolveJob`; each is one Dask task, :func:`run_job`,
which solves on a worker and returns the plan. :func:`cluster` gives a Dask
client: a ``LocalCluster`` of worker processes on this machine (one thread
each; each solve runs CP-SAT with its own ``workers`` threads, so by default
``cores // workers`` processes), or an existing cluster at ``tcp://HOST:PORT``
with no other change. :func:`run_batch` submits the jobs and hands each plan
back as its task finishes, so the caller writes results as they come.

A worker lost mid-batch does not lose the batch: the scheduler runs the task
again on another worker (up to ``distributed.scheduler.allowed-failures``
times); a task that raises is retried ``RETRIES`` times. Nothing here is
home-made distribution: Dask's scheduler, workers and futures do the work.

Tasks carry plain picklable objects (a resolved :class:`~estate.model.Estate`,
pins, :class:`~solver.epsilon.Epsilon`), so workers need this package
installed, not the input files.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from estate.errors import EstateError, Issue, PlanDisagrees
from estate.model import Estate, Pin
from estate.plan import Plan
from solver.epsilon import Epsilon

__all__ = ["JobFailed", "SolveJob", "cluster", "default_processes", "run_batch", "run_job"]

RETRIES = 2
#: Seconds to connect to a ``--scheduler`` (Dask's own handshake has no bound:
#: a port that accepts and never answers hung for good).
CONNECT_TIMEOUT = 30.0
#: Seconds a batch may go without any task finishing, beyond its solves' own
#: time limits (model building, a retry, a slow worker), before the scheduler
#: is taken as lost.
STALL_SLACK = 120.0
#: Seconds to close a client (a lost scheduler must not hang the exit).
CLOSE_TIMEOUT = 10.0
_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):([0-9]{1,5})")


@dataclass(frozen=True)
class SolveJob:
    """One solve of a batch (see :func:`estate.cli.pipeline.solve_resolved`).

    ``name`` names the result (a folder of the output); ``estate`` is resolved;
    ``alternatives`` false leaves the plan's cloud alternatives out (a batch
    that compares totals only).
    """

    name: str
    estate: Estate
    inputs: dict[str, str | None]
    pins: tuple[Pin, ...] = ()
    objective: str = "balanced"
    carbon_price: float | None = None
    time_limit: float = 60.0
    workers: int = 1
    seed: int = 0
    epsilon: Epsilon | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)
    alternatives: bool = True


@dataclass(frozen=True)
class JobFailed:
    """A job whose task failed even after the retries (``message`` says why)."""

    name: str
    message: str


def run_job(job: SolveJob) -> Plan | PlanDisagrees:
    """The Dask task: solve ``job`` on this worker and return its complete,
    verified plan, or the disagreement of the independent evaluator (returned,
    not raised: a bug is not retried)."""
    from estate.cli.pipeline import solve_resolved

    try:
        run = solve_resolved(job.estate, inputs=job.inputs, pins=job.pins,
                             time_limit=job.time_limit, workers=job.workers, seed=job.seed,
                             objective=job.objective, carbon_price=job.carbon_price,
                             epsilon=job.epsilon, assumptions=job.assumptions,
                             name=f"plan {job.name!r}", alternatives=job.alternatives)
    except PlanDisagrees as exc:
        return exc
    return run.result.plan


def check_address(address: str) -> str:
    """``address`` if it is a Dask scheduler address ``tcp://HOST:PORT`` (or
    ``tls://``); raise :class:`ValueError` saying what is expected otherwise."""
    m = _ADDRESS.fullmatch(address.strip())
    if m is None or not 0 < int(m.group(3)) < 65536:
        raise ValueError(f"{address!r} is not a Dask scheduler address: expected "
                         "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786, as `dask scheduler` "
                         "prints it)")
    return address.strip()


def _connect_seconds() -> float:
    """:data:`CONNECT_TIMEOUT`, or Dask's ``distributed.comm.timeouts.connect`` when shorter."""
    import dask
    from dask.utils import parse_timedelta

    try:
        configured = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))
    except (KeyError, ValueError, TypeError):
        configured = None
    return min(CONNECT_TIMEOUT, float(configured)) if configured else CONNECT_TIMEOUT


def _connect(scheduler: str, seconds: float) -> Any:
    """A ``Client`` of ``scheduler``, connected within ``seconds`` or refused.

    Dask's connection handshake waits for good on a port that accepts and never
    answers, whatever its ``timeout``; so the client is made in a daemon thread
    and abandoned when it has not connected in time.
    """
    from dask.distributed import Client

    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = Client(scheduler, timeout=seconds)
        except BaseException as exc:  # noqa: BLE001 — garbage on the port raises anything
            box["error"] = exc

    thread = threading.Thread(target=connect, name="estate-dask-connect", daemon=True)
    thread.start()
    thread.join(seconds + 1.0)
    how = ("start it with `dask scheduler` and its workers with `dask worker ADDRESS`, or "
           "leave out --scheduler to run on this machine")
    if thread.is_alive():
        raise EstateError(Issue(scheduler, f"the Dask scheduler did not answer within "
                                f"{seconds:g} s (something accepts connections there but "
                                f"does not speak Dask); {how}"))
    if "error" in box:
        exc = box["error"]
        raise EstateError(Issue(scheduler, f"cannot reach the Dask scheduler "
                                f"({type(exc).__name__}: {str(exc)[:200]}); {how}"))
    return box["client"]


def default_processes(workers: int) -> int:
    """Local worker processes: ``max(1, cores // workers)``."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


@contextmanager
def cluster(scheduler: str | None = None, *, processes: int | None = None,
            workers: int = 1) -> Iterator[Any]:
    """A Dask ``Client``: of ``scheduler`` (``tcp://HOST:PORT``) when given,
    else of a ``LocalCluster`` on 127.0.0.1 with ``processes`` worker
    processes (default :func:`default_processes`), one thread each.

    Raises
    ------
    EstateError
        When ``scheduler`` is not an address, or does not answer as a Dask
        scheduler within :data:`CONNECT_TIMEOUT` (nothing listening, a port
        that accepts and says nothing, or one that sends garbage).
    """
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            address = check_address(scheduler)
        except ValueError as exc:
            raise EstateError(Issue("--scheduler", str(exc))) from None
        client = _connect(address, _connect_seconds())
        try:
            yield client
        finally:
            _close(client)
        return
    n = processes or default_processes(workers)
    local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                         host="127.0.0.1", dashboard_address="127.0.0.1:0",
                         silence_logs=logging.ERROR)
    client = Client(local)
    try:
        yield client
    finally:
        _close(client)
        local.close()


def _close(client: Any) -> None:
    """Close a client within :data:`CLOSE_TIMEOUT` (a lost scheduler must not hang)."""
    try:
        client.close(timeout=CLOSE_TIMEOUT)
    except Exception:  # noqa: BLE001 — closing a client whose scheduler is gone
        pass


def run_batch(client: Any, jobs: Sequence[SolveJob],
              done: Callable[[SolveJob, Plan | JobFailed], Sequence[SolveJob] | None]
              ) -> None:
    """Run ``jobs`` as Dask tasks; call ``done(job, plan)`` as each finishes.

    The jobs are handed to the scheduler as threads of its workers come free
    (as many in flight as the workers have threads), so that no worker waits
    while another holds a queue (see :func:`_slots`).

    ``done`` may return more jobs (e.g. the inner points of a front once both
    ends are known); they join the batch. A task that still fails after its
    retries (or after the workers running it died too often) is reported as
    :class:`JobFailed`; the rest of the batch goes on. A plan the independent
    evaluator disagrees with stops the batch (plans already handed to ``done``
    stay).

    Every wait is bounded: when no task finishes within ``(RETRIES + 1) ×``
    the longest time limit ``+`` :data:`STALL_SLACK` seconds, the scheduler
    is taken as lost (an :class:`EstateError` saying so).

    Raises
    ------
    PlanDisagrees
        From the first such plan.
    """
    from dask.distributed import wait

    batch = uuid.uuid4().hex[:8]
    futures: dict[str, SolveJob] = {}
    pending: set[Any] = set()
    backlog: deque[SolveJob] = deque()

    def submit(job: SolveJob) -> None:
        fut = client.submit(run_job, job, key=f"estate-{job.name}-{batch}", pure=False,
                            retries=RETRIES)
        futures[fut.key] = job
        pending.add(fut)

    def feed() -> None:
        """As many jobs in flight as the workers have threads (at least one)."""
        while backlog and len(pending) < _slots(client):
            submit(backlog.popleft())

    backlog.extend(jobs)
    feed()
    while pending:
        stall = (RETRIES + 1) * max(futures[f.key].time_limit for f in pending) + STALL_SLACK
        try:
            finished, _ = wait(list(pending), timeout=stall, return_when="FIRST_COMPLETED")
        except TimeoutError:
            finished = set()
        if not finished:
            raise EstateError(Issue("--scheduler", f"no solve of the batch finished in "
                                    f"{stall:g} s: the Dask scheduler or its workers stopped "
                                    "answering; the plans finished so far are written — "
                                    "rerun with --resume"))
        for fut in finished:
            pending.discard(fut)
        feed()  # the freed workers start the next jobs while these are handed back
        for fut in finished:
            job = futures[fut.key]
            result: Plan | JobFailed | PlanDisagrees
            try:
                result = fut.result(timeout=CLOSE_TIMEOUT)
            except Exception as exc:  # a task's own error, or KilledWorker
                result = JobFailed(job.name, f"{type(exc).__name__}: {exc}")
            fut.release()
            if isinstance(result, PlanDisagrees):
                raise result  # closing the client (the caller's) drops the other tasks
            outcome: Plan | JobFailed = result
            backlog.extend(done(job, outcome) or ())
            feed()


def _slots(client: Any) -> int:
    """Threads of the cluster's workers now (at least 1): the jobs kept in flight.

    Jobs are handed to the scheduler one per free thread rather than all at
    once: given every job up front, Dask assigns them to workers before any
    has run (their durations unknown) and can leave one worker idle while
    another holds a queue; in a batch of 21 equal solves on 2 workers that
    cost two rounds of a solve each."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 — a lost scheduler is caught by the wait below
        return 1
