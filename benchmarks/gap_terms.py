"""Where the gap lives: the full model's objective split by cost family, at
the LP optimum and at the best plan of a one-worker run.

Run: ``python3 benchmarks/gap_terms.py [--sizes 300 637 1000] [--workbook FILE]
[--dtime 24] [--cache DIR] [--param NAME=VALUE ...]`` (``--param
unary_hosts=false`` gives the model as it was before the unary host counts
became the default with one worker; the sub-pool chords are never in it:
they are added by the search, after the model is captured).

For each estate (``estate synth --shape export`` of that many VMs, 637 with 3
datacentres, or an estate workbook):

1. the planner runs with one worker and a fixed deterministic budget
   (``SolveParams(dtime_limit=…)``, a long wall-clock limit so a busy machine
   does not cut it): its best plan (deterministic; cached as JSON under
   ``--cache`` so that a second look costs nothing);
2. the full model the search gets is captured (as
   ``benchmarks/lp_relaxation.py`` does, one worker), relaxed
   (:func:`solver.model.lp_bound.relax`) and solved by GLOP, keeping the
   column values (the LP optimum's primal);
3. the same model with every ``x`` fixed to the plan's pairs is solved by
   CP-SAT (one worker): the plan's values of every variable (the derived
   ones — group literals, host counts, units over the minimum — at the least
   the rules allow, so the objective is the plan's own);
4. every objective term is put in its family by the label
   :func:`solver.model.costs.build_objective` records for it (``app``,
   ``group``, ``pool``, ``units``, ``split``); a group's term is shared out
   between the servers, sites and contracts with that application set by
   their tables' steps at that month (the tables of
   :class:`solver.model.prep.Prep`, the one home of the costs).

Printed, in pounds: each family's LP value, plan value and difference
(plan − LP), then the same by cluster and by site, and how fractional the
LP's host counts, ``any``/``full`` and group literals are. The constant
(the same in both) is one row. Nothing is written outside ``--cache``:
scratch figures.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def best_plan(e: Any, dtime: float, seed: int, overrides: dict[str, Any],
              cache: Path | None) -> dict[str, Any]:
    """The best plan of a one-worker run at ``dtime`` deterministic seconds:
    ``{"choice": {app: [option, L]}, "objective": £, "bound": £}``."""
    if cache is not None and cache.exists():
        return dict(json.loads(cache.read_text()))
    from solver.model.extract import choice_from_decisions
    from solver.model.params import SolveParams
    from solver.model.prep import Prep
    from solver.solve import search

    t = time.monotonic()
    got = search(e, time_limit=4000, workers=1, seed=seed,
                 params=SolveParams(**{"dtime_limit": dtime, **overrides}))
    choice = choice_from_decisions(Prep(got.estate), list(got.decisions))
    out = {"choice": {a: list(p) for a, p in choice.items()}, "objective": got.objective,
           "bound": got.bound, "seconds": round(time.monotonic() - t, 1)}
    if cache is not None:
        cache.write_text(json.dumps(out))
    return out


def _value(vals: np.ndarray, var: Any) -> float:
    """A variable's (or negated literal's) value in a column vector."""
    i = var.index
    return float(1.0 - vals[-i - 1]) if i < 0 else float(vals[i])


def plan_values(b: Any, choice: dict[str, tuple[str, int]], n: int, seconds: float
                ) -> np.ndarray:
    """Every variable's value in the plan: the model with each ``x`` fixed to
    the plan's pairs, solved by CP-SAT (the least derived values the rules
    allow)."""
    from ortools.sat.python import cp_model

    from solver.model.variables import xs_of

    for a in b.x:
        want = tuple(choice[a])
        xs = xs_of(b, a)
        if want not in xs:
            raise SystemExit(f"{a}: the plan's pair {want} is not in the model's domain")
        for pair, v in xs.items():
            if not isinstance(v, int):
                b.m.add(v == int(pair == want))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = seconds
    st = s.solve(b.m)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SystemExit(f"the plan's values: CP-SAT says {s.status_name(st)}")
    got = np.array(list(s.response_proto.solution), dtype=float)
    assert len(got) == n, (len(got), n)
    return got


def _group_parts(prep: Any, w: Any) -> dict[int, list[tuple[str, str, list[float]]]]:
    """Per group: (family, entity, table under ``w``) of each server, site and
    contract with that application set (their sum is the group's table)."""
    from solver.model.costs import dot

    index = {(g.apps, g.kept): gi for gi, g in enumerate(prep.groups)}
    out: dict[int, list[tuple[str, str, list[float]]]] = defaultdict(list)

    def put(apps: Any, kept: Any, family: str, name: str, table: Any) -> None:
        if apps is None:
            return
        key = (tuple(sorted(set(apps) | set(kept))), tuple(sorted(kept)))
        gi = index.get(key)
        if gi is not None:
            out[gi].append((family, name, [dot(w, v) for v in table]))

    e = prep.estate
    for s in e.servers:
        if s.server_id not in prep.pooled:
            put(prep.server_set[s.server_id], (), "servers (energy, replacement)",
                s.server_id, prep.server_table(s.server_id))
    for site in e.sites:
        put(prep.site_set[site.site_id], (), "sites (fixed cost)", site.site_id,
            prep.site_table(site.site_id))
    for c in e.contracts:
        put(prep.contract_set[c.contract_id], prep.contract_kept[c.contract_id],
            "contracts (terms, renewals)", c.contract_id, prep.contract_table(c.contract_id))
    return out


def split_terms(b: Any, obj: Any, w: Any) -> list[list[tuple[str, str, float]]]:
    """Per objective term: its (family, entity, share) parts (shares sum to 1)."""
    parts = _group_parts(b.prep, w)
    out: list[list[tuple[str, str, float]]] = []
    for label in obj.labels:
        kind, _, rest = label.partition("=")
        if kind == "group":
            gi_s, _, k_s = rest.partition(",k=")
            gi, k = int(gi_s), int(k_s)
            steps = [(f, name, tbl[k] - tbl[k - 1]) for f, name, tbl in parts.get(gi, [])]
            total = sum(s for _, _, s in steps)
            if total <= 0:
                out.append([("groups (unattributed)", b.prep.groups[gi].name, 1.0)])
            else:
                out.append([(f, name, s / total) for f, name, s in steps if s])
        elif kind == "app":
            out.append([("applications (run, move, own servers and contracts)", rest, 1.0)])
        elif kind == "pool":
            out.append([("pools (hosts: energy, refresh)", rest.partition(",t=")[0], 1.0)])
        elif kind == "units":
            out.append([("per-unit renewals above the minimum",
                         rest.partition(",j=")[0], 1.0)])
        else:
            out.append([("splits (loose pairs)", rest, 1.0)])
    return out


def table(obj: Any, parts: list[list[tuple[str, str, float]]], lp: np.ndarray,
          plan: np.ndarray) -> tuple[dict[str, list[float]], dict[tuple[str, str], list[float]]]:
    """£ by family and by (family, entity): [LP, plan]."""
    fam: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    ent: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for var, coeff, ps in zip(obj.variables, obj.coeffs, parts, strict=True):
        a = coeff * _value(lp, var) / obj.scale
        p = coeff * _value(plan, var) / obj.scale
        for f, name, share in ps:
            fam[f][0] += share * a
            fam[f][1] += share * p
            ent[(f, name)][0] += share * a
            ent[(f, name)][1] += share * p
    return dict(fam), dict(ent)


def structure(b: Any, lp: np.ndarray, plan: np.ndarray) -> list[str]:
    """How fractional the LP's pools and group literals are."""
    lines = []
    for c in b.prep.clusters:
        ns = [v for v in b.cluster_n.get(c.name, []) if not isinstance(v, int)]
        if not ns:
            continue
        lpn = [_value(lp, v) for v in ns]
        pn = [_value(plan, v) for v in ns]
        frac = sum(1 for x in lpn if abs(x - round(x)) > 1e-6)
        anys = [v for v in b.cluster_any.get(c.name, []) if v is not None]
        fulls = [v for v in b.cluster_full.get(c.name, []) if v is not None]
        fa = sum(1 for v in anys if 1e-6 < _value(lp, v) < 1 - 1e-6)
        ff = sum(1 for v in fulls if 1e-6 < _value(lp, v) < 1 - 1e-6)
        lines.append(
            f"  cluster {c.name}: {len(c.hosts)} hosts, {len(c.apps)} members; "
            f"host-months LP {sum(lpn):.1f} plan {sum(pn):.0f}; n fractional in "
            f"{frac}/{len(ns)} months, any {fa}/{len(anys)}, full {ff}/{len(fulls)}")
        on: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (cname, _r, t), lit in b.host_on_cache.items():
            if cname == c.name and not isinstance(lit, int):
                on[t][0] += _value(lp, lit)
                on[t][1] += _value(plan, lit)
        if on:
            lines.append("    rank literals [n >= r] (t: LP Σ_r / LP n / plan Σ_r): " + ", ".join(
                f"{t}: {a:.2f}/{_value(lp, b.cluster_n[c.name][t]):.2f}/{p:.0f}"
                for t, (a, p) in sorted(on.items())[:8]))
        show = [t for t in range(len(ns)) if abs(lpn[t] - pn[t]) > 0.05][:12]
        if show:
            lines.append("    months where LP and plan differ (t: LP n / plan n): " + ", ".join(
                f"{t}: {lpn[t]:.2f}/{pn[t]:.0f}" for t in show))
    return lines


def group_structure(b: Any, lp: np.ndarray, plan: np.ndarray) -> list[str]:
    """Per group with a term: the LP's and the plan's months in service
    (Σ_k g[G,k]) and how many of its literals are fractional."""
    rows: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for (gi, _k), lit in b.group_cache.items():
        if isinstance(lit, int):
            continue
        r = rows[gi]
        x = _value(lp, lit)
        r[0] += x
        r[1] += _value(plan, lit)
        r[2] += 1e-6 < x < 1 - 1e-6
        r[3] += 1
    out = []
    for gi, (a, p, f, n) in sorted(rows.items(), key=lambda kv: kv[1][1] - kv[1][0],
                                   reverse=True)[:10]:
        out.append(f"  {b.prep.groups[gi].name} ({len(b.prep.groups[gi].apps)} apps): "
                   f"months in service LP {a:.1f}, plan {p:.0f}; fractional {f:.0f}/{n:.0f}")
    return out


def moves(b: Any, lp: np.ndarray, plan: np.ndarray) -> list[str]:
    """How much of each application the LP retains, and its go-lives by month."""
    ret_lp = ret_plan = 0.0
    by_month_lp: dict[int, float] = defaultdict(float)
    by_month_plan: dict[int, float] = defaultdict(float)
    frac = 0
    for a, xs in b.x.items():
        ap = b.prep.app_by_id[a]
        some = False
        for (key, L), v in xs.items():
            if isinstance(v, int):
                continue
            x, p = _value(lp, v), _value(plan, v)
            some |= 1e-6 < x < 1 - 1e-6
            if ap.opt(key).moves:
                by_month_lp[L] += x
                by_month_plan[L] += p
            else:
                ret_lp += x
                ret_plan += p
        frac += some
    months = sorted(set(by_month_lp) | set(by_month_plan))
    return [f"  applications with a fractional x: {frac} of {len(b.x)}; retained LP "
            f"{ret_lp:.1f}, plan {ret_plan:.0f}",
            "  go-lives by month (LP/plan): " + ", ".join(
                f"{L}: {by_month_lp[L]:.1f}/{by_month_plan[L]:.0f}" for L in months
                if by_month_lp[L] > 0.05 or by_month_plan[L] > 0)]


def rounded(b: Any, lp: np.ndarray, choice: dict[str, tuple[str, int]]
            ) -> tuple[dict[str, tuple[str, int]], int]:
    """The plan with every application the LP retains (its retain ``x`` at
    least one half) retained instead, and how many changed."""
    new = dict(choice)
    changed = 0
    for a, xs in b.x.items():
        for (key, L), v in xs.items():
            if (not isinstance(v, int) and not b.prep.app_by_id[a].opt(key).moves
                    and _value(lp, v) >= 0.5 and choice[a] != (key, L)):
                new[a] = (key, L)
                changed += 1
    return new, changed


def lp_retained(b: Any, lp: np.ndarray, choice: dict[str, tuple[str, int]], w: Any
                ) -> str:
    """The plan with every application the LP retains (its retain ``x`` at
    least one half) retained instead: its exact objective and whether the
    evaluator finds it keeps every rule (a hint for the plan side)."""
    from solver.evaluate import evaluate
    from solver.model.costs import dot
    from solver.model.extract import decisions, derive

    prep = b.prep
    new, changed = rounded(b, lp, choice)
    if not changed:
        return "  the LP retains no application the plan moves"
    value = dot(w, derive(prep, new).vec)
    bad = evaluate(prep.estate, decisions(prep, new)).violations
    return (f"  the plan with the {changed} applications the LP retains retained: "
            f"£{value:,.0f} against £{dot(w, derive(prep, choice).vec):,.0f} "
            f"({len(bad)} rule violations)")


def main(argv: list[str] | None = None) -> int:
    """Split each estate's objective by family at the LP optimum and the plan."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_export import _params
    from benchmarks.lp_relaxation import capture, estates
    from solver.model import glop, lp_bound
    from solver.model.params import SolveParams
    from solver.model.pool_cuts import lp_with_pool_cuts

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[300, 637, 1000])
    ap.add_argument("--workbook")
    ap.add_argument("--dtime", type=float, default=24.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", default=None, help="directory for the plans (JSON)")
    ap.add_argument("--param", nargs="*", action="extend", default=[], metavar="NAME=VALUE")
    ap.add_argument("--detail", type=int, default=8, help="entities shown per family")
    ap.add_argument("--versus-rounded", action="store_true",
                    help="compare the LP with the plan that retains what the LP retains "
                         "(the rest as the best plan) instead of the best plan")
    ap.add_argument("--rounds", type=int, default=0,
                    help="rounds of sub-pool chords on the LP side (as the planner runs "
                         "them; 0: the plain LP)")
    args = ap.parse_args(argv)
    overrides = _params(args.param)
    params = SolveParams(**overrides)
    cache = Path(args.cache) if args.cache else None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    for name, e in estates(args.workbook, args.sizes, "gap-terms-"):
        tag = name.replace(" ", "-")
        plan = best_plan(e, args.dtime, args.seed, overrides,
                         None if cache is None else cache / f"plan-{tag}-dt{args.dtime:g}.json")
        choice = {a: (k, int(L)) for a, (k, L) in plan["choice"].items()}
        b, obj, first = capture(e, params, workers=1)
        w = (0.0, 1.0, 0.0, (b.prep.estate.settings.carbon_price or 0.0) / 1000.0)
        if args.rounds > 0:
            got: list[np.ndarray] = []
            log: list[str] = []
            lp_val = lp_with_pool_cuts(b, obj, 1800.0, args.rounds, lambda _v: None, log,
                                       lazy_links=params.lazy_links,
                                       share=params.pool_cut_share, on_primal=got.append)
            print("\n".join("   " + line for line in log))
            res = glop.LpResult(math.nan, math.nan, f"{args.rounds} chord rounds", 0.0, got[-1])
            n = len(got[-1])
        else:
            r = lp_bound.relax(lp_bound.proto_of(b.m))
            res = glop.solve_glop(r, 600.0, primal=True)
            assert res.primal is not None
            lp_val = glop.pounds(r, res.bound, obj)
            n = len(r.c)
        if args.versus_rounded:
            choice, changed = rounded(b, res.primal, choice)
            print(f"   versus the plan with the {changed} applications the LP retains retained")
        pv = plan_values(b, choice, n, 300.0)
        parts = split_terms(b, obj, w)
        fam, ent = table(obj, parts, res.primal, pv)
        lp_sum = obj.constant + sum(v[0] for v in fam.values())
        plan_sum = obj.constant + sum(v[1] for v in fam.values())
        print(f"\n== {name}: first plan £{first:,.0f}; plan (1 worker, {args.dtime:g} det. s) "
              f"£{plan['objective']:,.0f}, its bound £{plan['bound']:,.0f}; LP bound "
              f"£{lp_val:,.0f} ({res.status}, {res.seconds:.1f} s)")
        print(f"   sum of terms: LP £{lp_sum:,.0f}, plan £{plan_sum:,.0f} "
              f"(constant £{obj.constant:,.0f})")
        print(f"   {'family':<55} {'LP £':>13} {'plan £':>13} {'plan − LP':>11}")
        for f, (a, p) in sorted(fam.items(), key=lambda kv: kv[1][1] - kv[1][0],
                                reverse=True):
            print(f"   {f:<55} {a:>13,.0f} {p:>13,.0f} {p - a:>11,.0f}")
        print(f"   {'total (with the constant)':<55} {lp_sum:>13,.0f} {plan_sum:>13,.0f} "
              f"{plan_sum - lp_sum:>11,.0f}")
        print("   largest differences by entity:")
        for f in fam:
            rows = sorted(((k[1], v) for k, v in ent.items() if k[0] == f),
                          key=lambda kv: abs(kv[1][1] - kv[1][0]), reverse=True)
            for e_name, (a, p) in rows[:args.detail]:
                if abs(p - a) >= 1:
                    print(f"     {f[:20]:<20} {e_name[:40]:<40} {a:>12,.0f} {p:>12,.0f} "
                          f"{p - a:>10,.0f}")
        print("   structure:")
        for line in structure(b, res.primal, pv) + group_structure(b, res.primal, pv) + \
                moves(b, res.primal, pv) + [lp_retained(b, res.primal, choice, w)]:
            print(line)
        if not math.isfinite(lp_val):
            print("   (no LP bound)")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
