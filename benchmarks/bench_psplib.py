"""PSPLIB: the planner (through the workbook) against a plain interval RCPSP model.

On the same instances, in the same run, one after the other with the same time
limit and workers:

* ``planner`` — the instance becomes an estate (``psplib.psplib_estate``: jobs are
  applications that must move, resources are teams, precedences are ``before``
  dependencies, one on-prem site costs £1,000 a month until empty), is written
  to a workbook, loaded, resolved and planned by ``solver.solve.solve``; its
  makespan is the objective / £1,000.
* ``interval`` — a plain CP-SAT RCPSP model written here (not in the product):
  a start variable per job, fixed-size intervals, one ``AddCumulative`` per
  resource, ``start[j] + d[j] <= start[k]`` per precedence and a makespan
  objective (the shape PyJobShop uses).

Reports, per set, the mean ratio of each model's makespan to the best-known
upper bound, how many reach it, how many are proven optimal, and the mean
lower bound ratio. Writes ``benchmarks/results/psplib_compare_<set>.csv``,
appends a summary to ``benchmarks/results/psplib_compare.json`` and writes the
summaries and every instance's row, stamped (:mod:`benchmarks.stamp`), to
``benchmarks/results/psplib-<set>-<sample>-<t>s-w<workers>[-part<K>of<N>].json``
(or ``--result``).

Usage::

    python benchmarks/bench_psplib.py --set j60 --sample 20 --time-limit 30 --workers 2
    python benchmarks/bench_psplib.py --set j30 --time-limit 10 --models planner

``--sample N`` takes N instances spread evenly over the set (every k-th file in
PSPLIB order, so every parameter class is represented); ``--sample 0`` takes all.
``--part K/N`` runs only the K-th of N consecutive slices of that list (so a
long sample can be measured in several shorter runs and the parts' rows
pooled).
Data: ``../shared/benchmarks/psplib`` (Kolisch & Sprecher 1996); not shipped.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from psplib import ROOT, SHARED, parse_sm, psplib_estate, read_optima  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def interval_model(path: Path, seconds: float, workers: int, seed: int = 0
                   ) -> tuple[int | None, int, bool, float]:
    """Plain interval RCPSP model: (makespan, lower bound, proven optimal, seconds)."""
    from ortools.sat.python import cp_model

    dur, succ, req, caps = parse_sm(path)
    jobs = sorted(dur)
    horizon = sum(dur.values())
    m = cp_model.CpModel()
    start = {j: m.new_int_var(0, horizon, f"start[{j}]") for j in jobs}
    iv = {j: m.new_fixed_size_interval_var(start[j], dur[j], f"job[{j}]") for j in jobs}
    for r, cap in enumerate(caps):
        use = [(iv[j], req[j][r]) for j in jobs if dur[j] > 0 and req[j][r] > 0]
        if use:
            m.add_cumulative([u[0] for u in use], [u[1] for u in use], cap)
    for j in jobs:
        for k in succ.get(j, []):
            m.add(start[j] + dur[j] <= start[k])
    makespan = m.new_int_var(0, horizon, "makespan")
    for j in jobs:
        m.add(makespan >= start[j] + dur[j])
    m.minimize(makespan)
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = seconds
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    t0 = time.monotonic()
    status = s.solve(m)
    took = time.monotonic() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, int(s.best_objective_bound), False, took
    return (int(round(s.objective_value)), int(round(s.best_objective_bound)),
            status == cp_model.OPTIMAL, took)


def planner_model(path: Path, seconds: float, workers: int, tmp: Path, seed: int = 0,
                  params: dict | None = None) -> tuple[int | None, int, bool, float]:
    """The planner through the workbook: (makespan, lower bound, proven optimal, seconds)."""
    import math

    from estate.resolve import resolve
    from inventory.load import load_estate
    from inventory.writer import write_estate
    from solver.solve import SolveParams, solve

    wb = tmp / f"{path.stem}.xlsx"
    write_estate(psplib_estate(path), wb)  # through the workbook, as a user would
    estate = resolve(load_estate(wb))
    res = solve(estate, time_limit=seconds, workers=workers, seed=seed,
                params=SolveParams(**(params or {})))
    found = None if res.objective is None else int(round(res.objective / 1000.0))
    lb = 0 if res.bound is None else math.ceil(res.bound / 1000.0 - 1e-6)
    return found, lb, res.status == "optimal", res.seconds


def part_of(files: list[Path], part: str) -> list[Path]:
    """The K-th of N consecutive slices of ``files`` (``part`` is ``"K/N"``; ``""``: all)."""
    if not part:
        return files
    k, _, n = part.partition("/")
    ki, ni = int(k), int(n)
    if not 1 <= ki <= ni:
        raise SystemExit(f"--part {part!r}: K must be between 1 and N")
    return files[(ki - 1) * len(files) // ni: ki * len(files) // ni]


def instances(name: str, sample: int, first: int = 0) -> list[Path]:
    """The instance files of a set in PSPLIB order, ``sample`` spread evenly (0 = all)."""
    files = sorted((SHARED / name / "instances").glob("*.sm"),
                   key=lambda p: [int(x) for x in re.findall(r"\d+", p.stem)])
    if first:
        return files[:first]
    if sample and sample < len(files):
        step = len(files) / sample
        files = [files[int(i * step)] for i in range(sample)]
    return files


def summary(rows: list[dict], model: str) -> dict:
    """Mean ratio to the best known, hits, proven optima for one model's rows."""
    mine = [r for r in rows if r["model"] == model]
    found = [r for r in mine if r["makespan"] is not None]
    return {
        "model": model, "instances": len(mine), "with_plan": len(found),
        "mean_ratio_to_best_known": (mean(r["makespan"] / r["best_known"] for r in found)
                                     if found else None),
        "reach_best_known": sum(1 for r in found if r["makespan"] <= r["best_known"]),
        "at_proven_optimum": sum(1 for r in found if r["makespan"] == r["best_known"]
                                 and r["best_known_proven"]),
        "proven_optimal_by_model": sum(1 for r in mine if r["proven"]),
        "mean_lb_ratio": mean(r["lower_bound"] / r["best_known"] for r in mine) if mine else None,
        "mean_seconds": mean(r["seconds"] for r in mine) if mine else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="j60", help="j30, j60 or j120")
    ap.add_argument("--sample", type=int, default=20,
                    help="instances spread evenly over the set (0 = all)")
    ap.add_argument("--first", type=int, default=0, help="the first N instances instead")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per model and instance")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", default="planner,interval",
                    help="comma-separated: planner, interval")
    ap.add_argument("--part", default="", metavar="K/N",
                    help="only the K-th of N consecutive slices of the sample")
    ap.add_argument("--out", default="", help="CSV path (default results/psplib_compare_SET.csv)")
    ap.add_argument("--result", default="",
                    help="stamped results file name under results/ (default psplib-SET-...json)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a SolveParams field for the planner, e.g. lns=False (repeatable)")
    args = ap.parse_args(argv)
    if not SHARED.exists():
        print(f"PSPLIB data not found at {SHARED}", file=sys.stderr)
        return 1
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    params = {}
    for item in args.param:
        name, _, value = item.partition("=")
        params[name] = ast.literal_eval(value)
    optima = read_optima(args.set)
    files = part_of(instances(args.set, args.sample, args.first), args.part)
    out = Path(args.out or RESULTS / f"psplib_compare_{args.set}.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    t_all = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["instance", "model", "best_known", "best_known_proven", "makespan",
                    "ratio", "lower_bound", "proven", "seconds"])
        for n, f in enumerate(files, 1):
            lb_known, ub, proven_known = optima[f.name]
            line = []
            for model in models:
                if model == "planner":
                    got = planner_model(f, args.time_limit, args.workers, Path(tmp), args.seed,
                                        params)
                elif model == "interval":
                    got = interval_model(f, args.time_limit, args.workers, args.seed)
                else:
                    raise SystemExit(f"unknown model {model!r}")
                mk, lb, proven, secs = got
                row = {"instance": f.name, "model": model, "best_known": ub,
                       "best_known_proven": proven_known, "makespan": mk, "lower_bound": lb,
                       "proven": proven, "seconds": round(secs, 2)}
                rows.append(row)
                ratio = None if mk is None else mk / ub
                w.writerow([f.name, model, ub, int(proven_known), mk,
                            None if ratio is None else round(ratio, 4), lb, int(proven),
                            round(secs, 2)])
                fh.flush()
                line.append(f"{model} {mk} (lb {lb}{', optimal' if proven else ''}, "
                            f"{secs:.1f}s)")
            print(f"[{n}/{len(files)}] {f.name} best known {ub}: " + "; ".join(line),
                  flush=True)
    sums = [summary(rows, m) for m in models]
    print(f"\n{args.set}: {len(files)} instances, {args.time_limit:g} s each, "
          f"{args.workers} workers ({time.monotonic() - t_all:.0f} s in all)")
    print(f"{'model':<10}{'mean ratio':>12}{'reach best':>12}{'at proven opt':>15}"
          f"{'proven':>8}{'mean lb ratio':>15}")
    for s in sums:
        r = s["mean_ratio_to_best_known"]
        print(f"{s['model']:<10}{'n/a' if r is None else f'{r:.4f}':>12}"
              f"{s['reach_best_known']:>12}{s['at_proven_optimum']:>15}"
              f"{s['proven_optimal_by_model']:>8}{s['mean_lb_ratio']:>15.4f}")
    from stamp import stamp, write_result

    part = "-part{}of{}".format(*args.part.split("/")) if args.part else ""
    chosen = f"first{args.first}" if args.first else f"sample{args.sample}"
    write_result(args.result or f"psplib-{args.set}-{chosen}-{args.time_limit:g}s-"
                 f"w{args.workers}{part}.json",
                 {"set": args.set, "sample": args.sample, "first": args.first,
                  "part": args.part, "instances": [f.name for f in files],
                  "time_limit": args.time_limit, "workers": args.workers, "seed": args.seed,
                  "params": params, "seconds_in_all": round(time.monotonic() - t_all, 1),
                  "summaries": sums, "rows": rows},
                 sys.argv if argv is None else [__file__, *argv])
    log = RESULTS / "psplib_compare.json"
    old = json.loads(log.read_text()) if log.exists() else {}
    old[f"{args.set}/{len(files)}/{args.time_limit:g}s/{args.workers}w"] = {
        "set": args.set, "instances": len(files), "time_limit": args.time_limit,
        "workers": args.workers, "summaries": sums, "csv": out.name, "stamp": stamp()}
    log.write_text(json.dumps(old, indent=2) + "\n")
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
