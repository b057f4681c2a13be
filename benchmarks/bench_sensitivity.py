"""Time ``estate sensitivity`` of the demo on Dask.

Plans the demo at the base and at each assumption's low and high value
(:data:`estate.sensitivity.ASSUMPTIONS`: 1 + 2 × assumptions solves; no
break-even search unless ``--break-even N``), each solve with
``--time-limit`` seconds and ``--workers`` CP-SAT threads, two ways:

1. a local cluster of 2 worker processes;
2. a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1,
   reached through ``--scheduler`` (as another machine's cluster would be).

The time is that of ``estate sensitivity --demo`` end to end
(:func:`estate.cli.sensitivity_batch.run_sensitivity`): the cluster started,
every case solved, every plan checked by the evaluator (``estate check``,
under its case's overrides, as it arrives) and the files written. Prints each
run's wall time against the target ``solves × time limit / 2 processes + 20 %``
(PASS/MISS), the machine's load average before and after, and writes
``benchmarks/results/sensitivity-t<time limit>[-<only>].json``.

Usage: ``python benchmarks/bench_sensitivity.py [--time-limit 30] [--workers 1]
[--break-even 0] [--only local2,scheduler]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages, also for the local workers
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_frontier import _start_cluster, _stop  # noqa: E402


def _run(name: str, args: argparse.Namespace, **opts: object) -> dict:
    from contextlib import contextmanager

    from estate.cli import batch
    from estate.cli.sensitivity_batch import run_sensitivity
    from estate.cli.studies import BatchOptions
    from estate.sensitivity import ASSUMPTIONS
    from inventory.demo import demo_estate

    phases: dict[str, float] = {}
    finished: dict[str, float] = {}
    own = batch.cluster

    @contextmanager
    def timed(*a: object, **k: object):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        with own(*a, **k) as client:  # type: ignore[arg-type]
            phases["cluster_up"] = time.perf_counter() - t
            phases["batch_start"] = time.perf_counter() - t0
            yield client
            t = time.perf_counter()
        phases["cluster_close"] = time.perf_counter() - t

    batch.cluster = timed  # type: ignore[assignment]
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as out:
        # timed as `estate sensitivity --demo` runs: the demo loaded, the batch
        # (the cluster started, every case solved), every plan checked, the files
        t0 = time.perf_counter()
        raw = demo_estate()
        options = BatchOptions(time_limit=args.time_limit, workers=args.workers, seed=0,
                               **opts)  # type: ignore[arg-type]
        run = run_sensitivity(raw, Path(out), assumptions=ASSUMPTIONS,
                              break_even=args.break_even, options=options,
                              done=lambda n, _s, _w: finished.setdefault(
                                  n, round(time.perf_counter() - t0, 2)))
        wall = time.perf_counter() - t0
    batch.cluster = own  # type: ignore[assignment]
    solves = len(run.batch.plans) + len(run.batch.failed)
    target = solves * args.time_limit / 2 * 1.2
    result = {"run": name, "assumptions": len(ASSUMPTIONS), "solves": solves,
              "wall_seconds": wall, "target_seconds": target,
              "within_target": wall <= target, "load_before": load,
              "load_after": os.getloadavg(), "failed": [f.message for f in run.batch.failed],
              "checked": len(run.checked), "all_checked": all(run.checked.values()),
              "disagreements": run.disagreements,
              "statuses": sorted({p.status for p in run.batch.plans.values()}),
              "break_even": [b.words() for b in run.break_evens],
              # where the time went: cluster start and close, each plan's finish
              # (seconds from the start) and its own solve time
              "phases": phases, "finished_at": finished,
              "solve_seconds": {n: round(p.solve_seconds, 2)
                                for n, p in run.batch.plans.items()}}
    print(f"\n{name}: {len(ASSUMPTIONS)} assumptions, {solves} solves, {wall:.1f} s wall "
          f"(batch and checks), target {target:.1f} s "
          f"({'PASS' if wall <= target else 'MISS'}); load {load[0]:.2f} -> "
          f"{result['load_after'][0]:.2f}; {len(run.checked)} plans checked, every one "
          f"passes the evaluator: {result['all_checked']}")
    for words in result["break_even"]:
        print(f"  {words}")
    return result


def main() -> None:
    """Run the configurations and write the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--break-even", type=int, default=0)
    ap.add_argument("--only", default="local2,scheduler")
    args = ap.parse_args()
    want = set(args.only.split(","))
    results = []
    if "local2" in want:
        results.append(_run("local, 2 processes", args, processes=2))
    if "scheduler" in want:
        address, procs = _start_cluster(2)
        try:
            results.append(_run(f"--scheduler {address}, 2 workers", args,
                                scheduler=address))
        finally:
            _stop(procs)
    tail = "" if want == {"local2", "scheduler"} else "-" + "-".join(sorted(want))
    out = ROOT / "benchmarks" / "results" / f"sensitivity-t{args.time_limit:g}{tail}.json"
    from stamp import stamp

    out.write_text(json.dumps({"stamp": stamp(), "time_limit": args.time_limit,
                               "workers": args.workers, "break_even": args.break_even,
                               "cores": os.cpu_count(), "runs": results}, indent=2) + "\n",
                   encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
