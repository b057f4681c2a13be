"""Benchmark the CP-SAT planner on the demo estate and synthetic estates.

Cases (each in its own process, so peak RSS is per case):

* ``demo``  — ``inventory.demo.demo_estate()`` (≈300 applications), 60 s;
* ``1000``  — ``inventory.synth.synth_estate(1000, seed)``, 120 s;
* ``3000``  — ``inventory.synth.synth_estate(3000, seed)``, 300 s.

Prints status, objective, bound, gap, seconds, peak RSS and the objective
against the greedy plan and the baseline; writes
``benchmarks/results/solver.json``. Targets: demo optimal or gap <= 1 % in
60 s; 1,000 apps gap <= 3 % in 120 s; 3,000 apps a valid plan in 300 s
within 4 GB, >= 10 % cheaper than greedy.

Usage::

    python benchmarks/bench_solver.py [--cases demo,1000,3000] [--workers 2]
                                      [--time-scale 1.0] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

CASES = {"demo": 60.0, "1000": 120.0, "3000": 300.0}
RESULTS = Path(__file__).resolve().parent / "results" / "solver.json"


def _estate(case: str, seed: int):
    from estate.resolve import resolve

    if case == "demo":
        from inventory.demo import demo_estate

        est = demo_estate()
    else:
        from inventory.synth import synth_estate

        est = synth_estate(int(case), seed)
    return est if est.resolved else resolve(est)


def run_case(case: str, seconds: float, workers: int, seed: int) -> dict:
    """Solve one case in this process and return its figures."""
    from solver.check import compare_plan
    from solver.solve import solve

    t0 = time.monotonic()
    est = _estate(case, seed)
    load_s = time.monotonic() - t0
    r = solve(est, time_limit=seconds, workers=workers, seed=seed)
    p = r.plan
    diffs = compare_plan(est, p) if p.totals is not None else []
    out = {
        "case": case, "applications": len(est.applications), "servers": len(est.servers),
        "time_limit": seconds, "workers": workers, "status": r.status,
        "objective": r.objective, "bound": r.bound, "gap": r.gap,
        "solve_seconds": round(r.seconds, 2), "build_seconds": round(load_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "baseline": None if p.baseline is None else p.baseline.objective,
        "greedy": None if p.greedy is None else p.greedy.objective,
        "evaluator_differences": len(diffs), "log": list(r.log),
    }
    if r.objective is not None and p.greedy is not None and p.greedy.objective:
        out["saving_vs_greedy"] = 1.0 - r.objective / p.greedy.objective
    if r.objective is not None and p.baseline is not None and p.baseline.objective:
        out["saving_vs_baseline"] = 1.0 - r.objective / p.baseline.objective
    return out


def _show(res: dict) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.2f} %"

    obj = "n/a" if res.get("objective") is None else f"£{res['objective']:,.0f}"
    return (f"{res['case']:>5}: {res['applications']} apps / {res['servers']} servers  "
            f"{res['status']}  objective {obj}  gap {pct(res.get('gap'))}  "
            f"{res['solve_seconds']}s  peak RSS {res['peak_rss_mb']} MB  "
            f"vs greedy {pct(res.get('saving_vs_greedy'))}  "
            f"vs baseline {pct(res.get('saving_vs_baseline'))}  "
            f"evaluator differences {res['evaluator_differences']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="demo,1000,3000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-scale", type=float, default=1.0)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:  # child process: one case, JSON on stdout
        case, seconds = args.one.split(":")
        print(json.dumps(run_case(case, float(seconds), args.workers, args.seed)))
        return
    results = []
    for case in args.cases.split(","):
        seconds = CASES[case] * args.time_scale
        proc = subprocess.run([sys.executable, __file__, "--one", f"{case}:{seconds}",
                               "--workers", str(args.workers), "--seed", str(args.seed)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            res = {"case": case, "error": proc.stderr.strip().splitlines()[-1:]}
            print(f"{case}: failed: {res['error']}")
        else:
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            print(_show(res), flush=True)
        results.append(res)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        old[case] = res
        RESULTS.write_text(json.dumps(old, indent=2) + "\n")


if __name__ == "__main__":
    main()
