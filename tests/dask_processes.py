"""A real Dask cluster for the tests: a ``dask scheduler`` and ``dask worker``
processes on 127.0.0.1 (free ports), started and torn down by the test.

Workers run without a nanny (one process each, one thread), from the
repository root with it on ``PYTHONPATH``, so they import this checkout's
code; killing a worker's process loses the worker for good.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class DaskProcesses:
    """The scheduler's address and each worker's process by name."""

    address: str
    scheduler: subprocess.Popen
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)

    def kill_worker(self, name: str) -> None:
        """SIGKILL a worker's process (it does not come back)."""
        proc = self.workers[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"]
                                     if env.get("PYTHONPATH") else "")
    env["DASK_DISTRIBUTED__WORKER__DAEMON"] = "False"
    return env


def _start(args: list[str], log: Path) -> subprocess.Popen:
    with log.open("wb") as fh:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=ROOT, env=_env(),
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


@contextmanager
def dask_processes(logs: Path, n_workers: int = 2) -> Iterator[DaskProcesses]:
    """Start ``dask scheduler`` and ``n_workers`` ``dask worker`` processes;
    wait until every worker has joined; stop them all afterwards."""
    from dask.distributed import Client

    port = free_port()
    procs = DaskProcesses(f"tcp://127.0.0.1:{port}", _start(
        ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        logs / "scheduler.log"))
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _accepts(port):
            if procs.scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dask scheduler did not start: "
                                   + (logs / "scheduler.log").read_text(errors="replace"))
            time.sleep(0.2)
        for i in range(1, n_workers + 1):
            name = f"w{i}"
            procs.workers[name] = _start(
                ["worker", procs.address, "--name", name, "--nthreads", "1", "--no-nanny",
                 "--host", "127.0.0.1", "--no-dashboard", "--death-timeout", "30"],
                logs / f"{name}.log")
        with Client(procs.address, timeout=START_SECONDS) as client:
            client.wait_for_workers(n_workers, timeout=START_SECONDS)
        yield procs
    finally:
        for proc in procs.workers.values():
            _stop(proc)
        _stop(procs.scheduler)
