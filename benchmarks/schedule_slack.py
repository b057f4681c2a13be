"""How far the LP's group and pool ends are from the parallel inequalities
(:mod:`solver.model.schedule_cuts`), after the planner's chord rounds.

Run: ``python3 benchmarks/schedule_slack.py [--sizes 1000] [--workbook FILE]
[--rounds 4] [--parallel 3] [--param NAME=VALUE ...]``.

For each estate (``estate synth --shape export`` of that many VMs, 637 with
3 datacentres, or an estate workbook): the full model a two-worker solve
gets, its LP with ``--rounds`` rounds of sub-pool chords
(:func:`solver.model.pool_cuts.lp_with_pool_cuts`, as the planner runs them,
with no time limit), then at the last round's point, per family of disjoint
groups (sites, servers, contracts, pools) and capacity: each job's ``p`` and
LP end ``E`` and the least ``lhs / rhs`` over the separated prefixes (below
1: a violated row). When some row is violated, the LP of the model with its
chords (every member link in) is re-solved with up to ``--parallel``
rounds of them (:func:`solver.model.schedule_cuts.lp_with_parallel`): the
gain in pounds. Scratch figures; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Print the slack of the parallel inequalities per estate."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_export import _params
    from benchmarks.lp_relaxation import capture, estates
    from solver.model.params import SolveParams
    from solver.model.pool_cuts import lp_with_pool_cuts
    from solver.model.schedule_cuts import jobs, lp_with_parallel, separate_parallel, slack

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000])
    ap.add_argument("--workbook")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--parallel", type=int, default=3)
    ap.add_argument("--param", nargs="*", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    params = SolveParams(**_params(args.param))
    for name, e in estates(args.workbook, args.sizes, "schedule-slack-"):
        b, obj, _ = capture(e, params, workers=2)
        got: list = []
        log: list[str] = []
        chords = lp_with_pool_cuts(b, obj, 3600.0, args.rounds, lambda _v: None, log,
                                   lazy_links=params.lazy_links, share=params.pool_cut_share,
                                   on_primal=got.append)
        print(f"== {name}: LP with {args.rounds} chord rounds £{chords:,.0f}")
        if not got:
            continue
        x = got[-1]
        dims, fams = jobs(b)
        for fi, fam in enumerate(fams):
            print(f"   family {fi}: (p, E) = "
                  + ", ".join(f"({'/'.join(f'{p:g}' for p in job.p)}, {job.value(x):.2f})"
                              for job in fam))
        for fi, dim, ratio in slack(b, x):
            print(f"   family {fi}, {dim}: least lhs/rhs {ratio:.2f}")
        if not separate_parallel(b, x, found=(dims, fams)):
            print("   no parallel inequality violated: nothing to gain")
            continue
        bounds = lp_with_parallel(b, obj, 3600.0, args.parallel, log=log)
        print("   with every member link: " + ", ".join(f"£{v:,.0f}" for v in bounds)
              + f" (gain £{bounds[-1] - bounds[0]:,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
