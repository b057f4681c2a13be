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
gain in pounds. With ``--hull``: whether the LP's pool profiles
``any[C,t]`` (every pool, one capacity) are dominated by a mix of closing
schedules the capacity allows (:func:`hull_deficit`: column generation,
priced by a dynamic programme over the sets of pools closed, each at the
earliest month its order allows), against the same test month by month:
the least total shortfall of closed fractions (0: no cut of either kind on
the pools' ends exists). Scratch figures; nothing is written.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _min_shortfall(columns: list[list[float]], need: list[float]
                   ) -> tuple[float, list[float], float]:
    """``min Σ e : Σ_s λ_s·col_s + e >= need, Σ λ = 1, λ, e >= 0`` (GLOP):
    the value, the rows' duals and the convexity row's dual."""
    from ortools.linear_solver import pywraplp

    lp = pywraplp.Solver.CreateSolver("GLOP")
    lam = [lp.NumVar(0, 1, "") for _ in columns]
    rows = []
    for i, want in enumerate(need):
        e = lp.NumVar(0, lp.infinity(), "")
        rows.append(lp.Add(sum(col[i] * v for col, v in zip(columns, lam, strict=True)
                               if col[i]) + e >= want))
    one = lp.Add(sum(lam) == 1)
    lp.Minimize(sum(v for v in lp.variables()[len(lam):]))
    lp.Solve()
    return lp.Objective().Value(), [r.dual_value() for r in rows], one.dual_value()


def hull_deficit(p: list[float], cap: float, H: int, closed: list[list[float]]
                 ) -> tuple[float, float]:
    """The least total shortfall of the pools' closed fractions ``closed[C][t]
    = 1 - any[C,t]`` below a mix of feasible closing schedules (a pool closed
    at ``T`` used ``p_C`` in months ``< T``: ``Σ_{T_C <= t} p_C <= c·t``), and
    the same month by month (a mix of closed sets per month, ``2^n`` of
    them)."""
    n = len(p)

    def column(T: list[int]) -> list[float]:
        return [1.0 if T[i] <= t else 0.0 for i in range(n) for t in range(H)]

    need = [closed[i][t] for i in range(n) for t in range(H)]
    cols = [column([H] * n)]
    for _ in range(500):
        got, mu, pi = _min_shortfall(cols, need)
        # the best schedule at the duals: pools closed in some order, each at
        # the earliest month the capacity allows; M[i][T] = Σ_{t >= T} mu
        M = [[sum(mu[i * H + t] for t in range(T, H)) for T in range(H + 1)] for i in range(n)]
        best: dict[int, tuple[float, list[int]]] = {0: (0.0, [H] * n)}
        for S in range(1 << n):
            if S not in best:
                continue
            val, T = best[S]
            P = sum(p[i] for i in range(n) if S >> i & 1)
            for i in range(n):
                Ti = max(1, math.ceil((P + p[i]) / cap - 1e-9))
                if S >> i & 1 or Ti >= H:
                    continue
                T2 = [*T[:i], Ti, *T[i + 1:]]
                if best.get(S | 1 << i, (-1.0, T))[0] < val + M[i][Ti]:
                    best[S | 1 << i] = (val + M[i][Ti], T2)
        val, T = max(best.values(), key=lambda x: x[0])
        if val + pi <= 1e-7:
            break
        cols.append(column(T))
    month = 0.0
    for t in range(H):
        sets = [S for S in range(1 << n)
                if sum(p[i] for i in range(n) if S >> i & 1) <= cap * t + 1e-9]
        month += _min_shortfall([[float(S >> i & 1) for i in range(n)] for S in sets],
                                [closed[i][t] for i in range(n)])[0]
    return got, month


def pool_profiles(b: Any, x: Any) -> tuple[list[str], list[float], list[list[float]]]:
    """Every pool's name, ``p`` (the team's only capacity) and closed
    fractions ``1 - any[C,t]`` at the LP's values ``x``."""
    from solver.model.closure_cuts import capacities, member_weights
    from solver.model.pool_cuts import index_value

    (dim, _), = capacities(b)
    H = b.prep.H
    names, ps, closed = [], [], []
    for c in b.prep.clusters:
        anys = b.cluster_any.get(c.name) or []
        apps = sorted({a for member, _, _ in c.members for a in member})
        names.append(c.name)
        ps.append(sum(member_weights(b, a, dim)[H] for a in apps))
        closed.append([0.0 if t >= len(anys) or anys[t] is None
                       else 1.0 - index_value(x, anys[t].index)
                       for t in range(H)])
    return names, ps, closed


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
    ap.add_argument("--hull", action="store_true")
    ap.add_argument("--param", nargs="*", action="extend", default=[], metavar="NAME=VALUE")
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
        if args.hull and len(dims) == 1 and b.prep.clusters:
            names, ps, closed = pool_profiles(b, x)
            whole, month = hull_deficit(ps, dims[0][1], b.prep.H, closed)
            print(f"   pools {', '.join(names)}: shortfall below the schedules' hull "
                  f"{whole:.4f}, below each month's {month:.4f}")
        if not separate_parallel(b, x, found=(dims, fams)):
            print("   no parallel inequality violated: nothing to gain")
            continue
        bounds = lp_with_parallel(b, obj, 3600.0, args.parallel, log=log)
        print("   with every member link: " + ", ".join(f"£{v:,.0f}" for v in bounds)
              + f" (gain £{bounds[-1] - bounds[0]:,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
