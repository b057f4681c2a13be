"""Hunt planner bugs on thousands of tiny random estates (issue 21).

Usage::

    python3 benchmarks/bench_property.py [--examples 3000] [--seed 0]

Each example is a tiny estate of ``tests/tiny_estates.py`` (2–4 applications,
random webs of together/before/loose links, …). The planner (``solver.solve``,
10 s, 1 worker) must reach the brute-force optimum over every combination of
decisions, report ``infeasible`` exactly when no combination keeps every rule,
never claim ``optimal`` below its bound, and agree with ``estate check``'s
comparison to the penny. Hypothesis runs with a fixed seed; a failure is shrunk
and printed with its estate, to be recorded as a fixed regression test.
Writes ``benchmarks/results/property.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from hypothesis import HealthCheck, given, seed, settings
    from stamp import write_result
    from test_solver_vs_evaluator import planner_matches_brute_force
    from tiny_estates import combinations, tiny_estates

    counts = {"optimal": 0, "infeasible": 0}
    biggest = 0

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(tiny_estates())
    def run(e):  # type: ignore[no-untyped-def]
        nonlocal biggest
        counts[planner_matches_brute_force(e)] += 1
        biggest = max(biggest, combinations(e))
        done = sum(counts.values())
        if done % 100 == 0:
            print(f"{done} estates, {time.monotonic() - t0:.0f} s: {counts}", flush=True)

    t0 = time.monotonic()
    failure = None
    try:
        run()
    except AssertionError as exc:  # hypothesis has shrunk and printed the estate
        failure = str(exc)[:2000]
    seconds = time.monotonic() - t0
    print(f"{sum(counts.values())} estates in {seconds:.0f} s: {counts}; "
          f"largest brute force {biggest} plans; {'FAILED' if failure else 'no failure'}")
    write_result("property.json", {"examples": args.examples, "hypothesis_seed": args.seed,
                                   "seconds": round(seconds, 1), "statuses": counts,
                                   "largest_brute_force": biggest, "failure": failure})
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
