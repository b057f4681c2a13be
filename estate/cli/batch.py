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
import uuid
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


@dataclass(frozen=True)
class SolveJob:
    """One solve of a batch (see :func:`estate.cli.pipeline.solve_resolved`).

    ``name`` names the result (a folder of the output); ``estate`` is resolved.
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
                             name=f"plan {job.name!r}")
    except PlanDisagrees as exc:
        return exc
    return run.result.plan


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
        When the scheduler cannot be reached within Dask's connect timeout
        (``distributed.comm.timeouts.connect``, 30 s unless configured).
    """
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler)
        except (OSError, TimeoutError) as exc:
            raise EstateError(Issue(scheduler, f"cannot reach the Dask scheduler ({exc}); "
                                    "start it with `dask scheduler` and its workers with "
                                    "`dask worker ADDRESS`, or leave out --scheduler to "
                                    "run on this machine")) from None
        try:
            yield client
        finally:
            client.close()
        return
    n = processes or default_processes(workers)
    local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                         host="127.0.0.1", dashboard_address="127.0.0.1:0",
                         silence_logs=logging.ERROR)
    client = Client(local)
    try:
        yield client
    finally:
        client.close()
        local.close()


def run_batch(client: Any, jobs: Sequence[SolveJob],
              done: Callable[[SolveJob, Plan | JobFailed], Sequence[SolveJob] | None]
              ) -> None:
    """Run ``jobs`` as Dask tasks; call ``done(job, plan)`` as each finishes.

    ``done`` may return more jobs (e.g. the inner points of a front once both
    ends are known); they join the batch. A task that still fails after its
    retries (or after the workers running it died too often) is reported as
    :class:`JobFailed`; the rest of the batch goes on. A plan the independent
    evaluator disagrees with stops the batch (plans already handed to ``done``
    stay).

    Raises
    ------
    PlanDisagrees
        From the first such plan.
    """
    from dask.distributed import as_completed

    batch = uuid.uuid4().hex[:8]
    futures: dict[str, SolveJob] = {}

    def submit(job: SolveJob) -> Any:
        fut = client.submit(run_job, job, key=f"estate-{job.name}-{batch}", pure=False,
                            retries=RETRIES)
        futures[fut.key] = job
        return fut

    pending = as_completed([submit(j) for j in jobs])
    for fut in pending:
        job = futures[fut.key]
        outcome: Plan | JobFailed
        try:
            result = fut.result()
        except Exception as exc:  # a task's own error, or KilledWorker
            result = JobFailed(job.name, f"{type(exc).__name__}: {exc}")
        fut.release()
        if isinstance(result, PlanDisagrees):
            raise result  # closing the client (the caller's) drops the other tasks
        outcome = result
        for more in done(job, outcome) or ():
            pending.add(submit(more))
