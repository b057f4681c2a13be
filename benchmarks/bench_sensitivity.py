"""Time ``estate sensitivity`` of the demo on Dask.

Plans the demo at the base and at each assumption's low and high value
(:data:`estate.sensitivity.ASSUMPTIONS`: 1 + 2 × assumptions solves; no
break-even search unless ``--break-even N``), each solve with
``--time-limit`` seconds and ``--workers`` CP-SAT threads, two ways:

1. a local cluster of 2 worker processes;
2. a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1,
   reached through ``--scheduler`` (as another machine's cluster would be).

Every plan is checked by the evaluator (``estate check``, under its case's
overrides). Prints each run's wall time against the target
``solves × time limit / 2 processes + 20 %``, the machine's load average
before and after, and writes ``benchmarks/results/sensitivity.json``.

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
    from estate.cli.scenario_batch import run_scenarios
    from estate.cli.studies import BatchOptions
    from estate.sensitivity import ASSUMPTIONS, BreakEvenSearch, sensitivity_scenarios
    from inventory.demo import demo_estate
    from solver.check import check_plan

    raw = demo_estate()
    options = BatchOptions(time_limit=args.time_limit, workers=args.workers, seed=0,
                           **opts)  # type: ignore[arg-type]
    search = BreakEvenSearch(ASSUMPTIONS, steps=args.break_even)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        run = run_scenarios(raw, sensitivity_scenarios()[1:], Path(out), options=options,
                            more=search.seen if args.break_even else None)
        wall = time.perf_counter() - t0
    solves = len(run.plans) + len(run.failed)
    target = solves * args.time_limit / 2 * 1.2
    t1 = time.perf_counter()
    checked = {n: check_plan(raw, p, scenario_ok=True, verify=False).ok
               for n, p in run.plans.items()}
    check_seconds = time.perf_counter() - t1
    result = {"run": name, "solves": solves, "wall_seconds": wall, "target_seconds": target,
              "within_target": wall <= target, "load_before": load,
              "load_after": os.getloadavg(), "failed": [f.message for f in run.failed],
              "all_checked": all(checked.values()), "check_seconds": check_seconds,
              "break_even": [b.words() for b in search.results()]}
    print(f"\n{name}: {solves} solves, {wall:.1f} s wall, target {target:.1f} s "
          f"({'within' if wall <= target else 'OVER'}); load {load[0]:.2f} -> "
          f"{result['load_after'][0]:.2f}; every plan passes the evaluator: "
          f"{result['all_checked']} ({check_seconds:.1f} s to check)")
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
    out = ROOT / "benchmarks" / "results" / f"sensitivity-t{args.time_limit:g}.json"
    from stamp import stamp

    out.write_text(json.dumps({"stamp": stamp(), "time_limit": args.time_limit,
                               "workers": args.workers, "break_even": args.break_even,
                               "cores": os.cpu_count(), "runs": results}, indent=2) + "\n",
                   encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
