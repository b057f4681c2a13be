"""Time the demo's cost–carbon front (``estate frontier``) on Dask.

Solves the demo front of ``--points`` points (default 6; "this plan" left
out) three ways, each solve with ``--time-limit`` seconds and ``--workers``
CP-SAT threads:

1. a local cluster of 1 worker process;
2. a local cluster of 2 worker processes;
3. a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1,
   reached through ``--scheduler`` (as another machine's cluster would be).

Prints the wall time of each and every point's status, tonnes, discounted
cost and gap, the machine's load average before and after, and writes
``benchmarks/results/frontier-w<WORKERS>-t<TIME LIMIT>.json`` (stamped).

Usage: ``python benchmarks/bench_frontier.py [--points 6] [--time-limit 30]
[--workers 1] [--only local1,local2,scheduler]``
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages, also for the local workers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_cluster(n: int) -> tuple[str, list[subprocess.Popen]]:
    """``dask scheduler`` and ``n`` ``dask worker`` processes on 127.0.0.1."""
    from dask.distributed import Client

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host",
                               "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)]
    for i in range(n):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
             "--name", f"w{i}", "--host", "127.0.0.1", "--no-dashboard"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))
    with Client(address, timeout=60) as client:
        client.wait_for_workers(n, timeout=120)
    return address, procs


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(p.pid, signal.SIGKILL)


def _run(name: str, args: argparse.Namespace, **opts: object) -> dict:
    from estate.cli.studies import BatchOptions, run_frontier
    from inventory.demo import demo_estate

    raw = demo_estate()
    options = BatchOptions(time_limit=args.time_limit, workers=args.workers, seed=0,
                           **opts)  # type: ignore[arg-type]
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        run = run_frontier(raw, args.points, Path(out), options=options, plan=False)
        wall = time.perf_counter() - t0
    points = [{"point": p.spec.name, "kind": p.spec.kind, "cap": p.spec.cap_tonnes,
               "status": p.summary.status, "tonnes": p.summary.tonnes,
               "cost_discounted": p.summary.cost_discounted, "bound": p.summary.bound,
               "gap": p.summary.gap, "seconds": p.summary.seconds,
               "dominated_by": p.dominated_by, "same_as": p.same_as, "mac": p.mac}
              for p in run.frontier.points]
    result = {"run": name, "wall_seconds": wall, "load_before": load,
              "load_after": os.getloadavg(), "failed": [f.message for f in run.failed],
              "points": points}
    print(f"\n{name}: {wall:.1f} s wall (load {load[0]:.2f} -> {result['load_after'][0]:.2f})")
    for p in points:
        gap = "–" if p["gap"] is None else f"{100 * p['gap']:.2f} %"
        tonnes = "–" if p["tonnes"] is None else f"{p['tonnes']:,.1f} t"
        cost = "–" if p["cost_discounted"] is None else f"£{p['cost_discounted']:,.0f}"
        mark = (f" dominated by {p['dominated_by']}" if p["dominated_by"]
                else f" same as {p['same_as']}" if p["same_as"] else "")
        print(f"  {p['point']:8s} {p['kind']:12s} {p['status']:9s} {tonnes:>10s} "
              f"{cost:>14s} gap {gap:>8s} ({p['seconds']:.0f} s){mark}")
    return result


def main() -> None:
    """Run the three configurations and write the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=6)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--only", default="local1,local2,scheduler")
    args = ap.parse_args()
    want = set(args.only.split(","))
    results = []
    if "local1" in want:
        results.append(_run("local, 1 process", args, processes=1))
    if "local2" in want:
        results.append(_run("local, 2 processes", args, processes=2))
    if "scheduler" in want:
        address, procs = _start_cluster(2)
        try:
            results.append(_run(f"--scheduler {address}, 2 workers", args,
                                scheduler=address))
        finally:
            _stop(procs)
    from stamp import write_result

    write_result(f"frontier-w{args.workers}-t{args.time_limit:g}.json", {
        "points": args.points, "time_limit": args.time_limit, "workers": args.workers,
        "cores": os.cpu_count(), "runs": results})


if __name__ == "__main__":
    main()
