"""Benchmark the planner on the demo estate and the synthetic council estates.

Cases (each run in its own process, so the peak RSS is per run):

* ``demo``  — the bundled demo (300 applications), 60 s, for each seed;
* ``1000``  — ``estate synth --apps 1000 --seed 7``, 120 s;
* ``3000``  — ``estate synth --apps 3000 --seed 7``, 300 s.

``--synth-seeds 5,7`` draws the synthetic estates with other ``estate synth``
seeds (one run each; 7 by default); ``--seed`` is the solver's seed.

The synthetic estates go through the workbook as a user's would (written,
loaded, resolved; loading is not timed). Each run reports the status,
objective, bound, gap, solve seconds (against the time limit), peak RSS,
whether the memory watchdog fired, the saving against the greedy plan, and
the independent evaluator's differences (must be 0). Results are printed as a
table, with the machine's load average before and after, and stamped
(:mod:`benchmarks.stamp`, key ``case/workers/seed``, ``case@sN/…`` for a
synthetic estate of seed N other than 7). ``--out NAME.json`` writes this run's
entries alone to ``benchmarks/results/NAME.json`` (or to an absolute path):
the file a README row cites. Without ``--out`` they are merged into
``benchmarks/results/solver.json``; with it that file is left alone, so a
scratch run never rewrites a committed file.

Targets (issue 12): demo ≤ 0.5 % gap in 60 s with 2 workers on each of 3
seeds and ≤ 2 % with 1 worker; 1,000 applications ≤ 3 % in 120 s with 2
workers; 3,000 applications a valid plan in ≤ 300 s within 4 GB, watchdog not
fired, ≥ 15 % cheaper than greedy.

Usage::

    python benchmarks/bench_solver.py                      # every case, 2 workers
    python benchmarks/bench_solver.py --cases demo --workers 1,2 --seeds 0,1,2
    python benchmarks/bench_solver.py --cases 1000 --time-scale 0.5
    python benchmarks/bench_solver.py --cases 1000 --synth-seeds 5 --out solver-1000-s5-2w.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages, not an installed copy
CASES = {"demo": 60.0, "1000": 120.0, "3000": 300.0}
SYNTH_SEED = 7
RESULTS = ROOT / "benchmarks" / "results" / "solver.json"


def _estate(case: str, synth_seed: int = SYNTH_SEED):
    """The case's resolved estate (synthetic ones through a workbook)."""
    from estate.resolve import resolve

    if case == "demo":
        from inventory.demo import demo_estate

        return resolve(demo_estate())
    from inventory.load import load_estate
    from inventory.synth import synth_estate
    from inventory.writer import write_estate

    with tempfile.TemporaryDirectory() as tmp:
        wb = Path(tmp) / f"synth{case}.xlsx"
        write_estate(synth_estate(int(case), synth_seed), wb)
        return resolve(load_estate(wb))


def run_case(case: str, seconds: float, workers: int, seed: int,
             synth_seed: int = SYNTH_SEED) -> dict:
    """Solve one case in this process and return its figures."""
    from solver.check import compare_plan
    from solver.solve import solve

    est = _estate(case, synth_seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.monotonic()
    r = solve(est, time_limit=seconds, workers=workers, seed=seed)
    wall = time.monotonic() - t0
    p = r.plan
    diffs = compare_plan(est, p) if p.totals is not None else []
    out = {
        "case": case, "applications": len(est.applications), "servers": len(est.servers),
        "synth_seed": None if case == "demo" else synth_seed,
        "time_limit": seconds, "workers": workers, "seed": seed, "status": r.status,
        "objective": r.objective, "bound": r.bound, "gap": r.gap,
        "solve_seconds": round(r.seconds, 2), "wall_seconds": round(wall, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_solve_mb": round(rss_before, 1),
        "watchdog_fired": any("memory watchdog" in line for line in r.log),
        "baseline": None if p.baseline is None else p.baseline.objective,
        "greedy": None if p.greedy is None else p.greedy.objective,
        "evaluator_differences": len(diffs), "log": list(r.log),
    }
    if r.objective is not None and p.greedy is not None and p.greedy.objective:
        out["saving_vs_greedy"] = 1.0 - r.objective / p.greedy.objective
    if r.objective is not None and p.baseline is not None and p.baseline.objective:
        out["saving_vs_baseline"] = 1.0 - r.objective / p.baseline.objective
    return out


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f} %"


def _row(res: dict) -> str:
    if "error" in res:
        return f"{res['case']:>5} {res['workers']:>2} {res['seed']:>4}  failed: {res['error']}"
    obj = "n/a" if res.get("objective") is None else f"£{res['objective']:,.0f}"
    return (f"{res['case']:>5} {res['workers']:>2} {res['seed']:>4}  {res['status']:<9}"
            f"{obj:>16} {_pct(res.get('gap')):>9} {res['solve_seconds']:>7.1f}/"
            f"{res['time_limit']:<5g} {res['peak_rss_mb']:>8.0f} "
            f"{'yes' if res['watchdog_fired'] else 'no':>8} "
            f"{_pct(res.get('saving_vs_greedy')):>10} {res['evaluator_differences']:>6}")


HEADER = (f"{'case':>5} {'w':>2} {'seed':>4}  {'status':<9}{'objective':>16} {'gap':>9} "
          f"{'seconds':>13} {'peak MB':>8} {'watchdog':>8} {'vs greedy':>10} {'diffs':>6}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="demo,1000,3000", help="comma-separated: demo,1000,3000")
    ap.add_argument("--workers", default="2", help="comma-separated worker counts, e.g. 1,2")
    ap.add_argument("--seeds", default="0,1,2", help="solver seeds for the demo")
    ap.add_argument("--seed", type=int, default=0, help="solver seed for the synthetic estates")
    ap.add_argument("--synth-seeds", default=str(SYNTH_SEED),
                    help="comma-separated estate seeds of the synthetic cases")
    ap.add_argument("--out", default="",
                    help="write this run's entries, stamped, to results/OUT only "
                         "(results/solver.json is then left alone)")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="multiply every case's time limit (quick checks)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:  # child process: one run, JSON on stdout
        case, seconds, workers, seed, synth = args.one.split(":")
        print(json.dumps(run_case(case, float(seconds), int(workers), int(seed), int(synth))))
        return 0
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f} ({os.cpu_count()} CPUs)")
    print(HEADER, flush=True)
    runs = []
    for case in args.cases.split(","):
        seeds = [int(s) for s in args.seeds.split(",")] if case == "demo" else [args.seed]
        synths = [SYNTH_SEED] if case == "demo" else [int(s) for s in
                                                      args.synth_seeds.split(",")]
        for synth in synths:
            for workers in (int(w) for w in args.workers.split(",")):
                for seed in seeds:
                    runs.append(_one(case, CASES[case] * args.time_scale, workers, seed,
                                     synth))
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    from stamp import stamp, write_result

    mark = stamp()
    mine = {}
    for res in runs:
        res["load_before"], res["load_after"] = load_before, load_after
        res["stamp"] = mark
        synth = res.get("synth_seed")
        case = res["case"] if synth in (None, SYNTH_SEED) else f"{res['case']}@s{synth}"
        mine[f"{case}/{res['workers']}w/seed{res['seed']}"] = res
    if args.out:
        write_result(args.out, {k: {n: v for n, v in r.items() if n != "stamp"}
                                for k, r in mine.items()},
                     sys.argv if argv is None else [__file__, *argv])
        return 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    old.update(mine)
    RESULTS.write_text(json.dumps(old, indent=2) + "\n")
    print(f"results in {RESULTS}")
    return 0


def _one(case: str, seconds: float, workers: int, seed: int, synth: int = SYNTH_SEED) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--one",
                           f"{case}:{seconds}:{workers}:{seed}:{synth}"],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        res = {"case": case, "workers": workers, "seed": seed,
               "synth_seed": None if case == "demo" else synth,
               "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    else:
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    print(_row(res), flush=True)
    return res


if __name__ == "__main__":
    sys.exit(main())
