"""PSPLIB j30 through the estate workbook and the planner.

Each PSPLIB job becomes an application that must move (one ``rehost`` option
to a cloud site, its duration, its resource use as effort per team); the
resources become teams; precedences become ``before`` dependencies. One
on-prem site costs £1,000 a month until it is empty (every application has a
server there), and everything else is free with no discounting and no carbon
price, so the optimal objective is £1,000 × the optimal makespan.

Usage::

    python benchmarks/psplib.py [--set j30] [--limit N] [--time-limit 10] [--workers 2]

Writes ``benchmarks/results/psplib_<set>.csv`` (instance, optimum, found, status,
seconds) and prints how many instances reached the known optimum. Data:
``../shared/benchmarks/psplib`` (Kolisch & Sprecher 1996); not shipped.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an install

from estate.checks import MAX_HORIZON_MONTHS  # noqa: E402
from estate.model import (  # noqa: E402
    Application,
    Dependency,
    Estate,
    Option,
    Server,
    Settings,
    Site,
    Team,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks" / "psplib"


def parse_sm(path: Path) -> tuple[dict[int, int], dict[int, list[int]],
                                  dict[int, list[int]], list[int]]:
    """Parse a PSPLIB ``.sm`` file: durations, successors, requests, capacities."""
    lines = path.read_text().splitlines()
    succ: dict[int, list[int]] = {}
    dur: dict[int, int] = {}
    req: dict[int, list[int]] = {}
    caps: list[int] = []
    section = ""
    for line in lines:
        if line.startswith("PRECEDENCE RELATIONS"):
            section = "prec"
            continue
        if line.startswith("REQUESTS/DURATIONS"):
            section = "req"
            continue
        if line.startswith("RESOURCEAVAILABILITIES"):
            section = "cap"
            continue
        if line.startswith("*"):
            section = "" if section != "cap" else section
            continue
        nums = [int(x) for x in re.findall(r"-?\d+", line)]
        if section == "prec" and nums:
            succ[nums[0]] = nums[3:3 + nums[2]]
        elif section == "req" and nums and not line.strip().startswith("-"):
            dur[nums[0]] = nums[2]
            req[nums[0]] = nums[3:]
        elif section == "cap" and nums:
            caps = nums
    return dur, succ, req, caps


def psplib_estate(path: Path) -> Estate:
    """The estate of one PSPLIB instance (see the module docstring)."""
    dur, succ, req, caps = parse_sm(path)
    jobs = [j for j in sorted(dur) if dur[j] > 0]
    real = set(jobs)

    # successors through zero-duration jobs (supersource/sink) are contracted
    def real_succ(j: int, seen: set[int]) -> set[int]:
        out: set[int] = set()
        for k in succ.get(j, []):
            if k in seen:
                continue
            seen.add(k)
            out |= {k} if k in real else real_succ(k, seen)
        return out

    teams = tuple(Team(f"R{i + 1}", float(c)) for i, c in enumerate(caps))
    # every job in a row, capped at the longest horizon an estate may have
    # (estate.model.MAX_HORIZON_MONTHS, 600): far above every best-known
    # makespan of j30-j120 (at most 288), so no schedule is cut off; some j120
    # instances' durations add up to more (up to 668)
    horizon = min(sum(dur[j] for j in jobs) + 1, MAX_HORIZON_MONTHS)
    apps, servers, options, deps = [], [], [], []
    for j in jobs:
        aid = f"J{j:02d}"
        apps.append(Application(aid, f"Job {j}", current_monthly_cost=0.0))
        servers.append(Server(f"S{j:02d}", "ONPREM", "physical", watts=0.0,
                              replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(aid,)))
        effort = {f"R{i + 1}": float(r) for i, r in enumerate(req[j]) if r}
        options.append(Option(aid, "rehost", "CLOUD", dur[j], effort=effort))
        for k in sorted(real_succ(j, set())):
            deps.append(Dependency(aid, f"J{k:02d}", "before"))
    settings = Settings(horizon_start="2026-04", horizon_months=horizon, discount_rate=0.0,
                        carbon_price=0.0, max_critical_in_flight=len(jobs),
                        grid_kg_per_kwh=0.0)
    sites = (
        Site("ONPREM", "on_prem", "Data centre", pue=1.0, power_price_per_kwh=0.0,
             monthly_fixed_cost=1000.0, grid_kg_per_kwh=0.0),
        Site("CLOUD", "cloud", "Cloud region", pue=1.0, power_price_per_kwh=0.0,
             grid_kg_per_kwh=0.0),
    )
    return Estate(settings=settings, sites=sites, applications=tuple(apps),
                  servers=tuple(servers), options=tuple(options),
                  dependencies=tuple(deps), teams=teams, source=str(path))


def read_optima(name: str) -> dict[str, tuple[int, int, bool]]:
    """``instance -> (lb, ub, proven_optimal)`` from the derived bounds table."""
    out = {}
    with (SHARED / "derived" / f"{name}_bounds.csv").open() as fh:
        for row in csv.DictReader(fh):
            out[row["instance"]] = (int(row["lb"]), int(row["ub"]),
                                    row["proven_optimal"] == "1")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="j30")
    ap.add_argument("--limit", type=int, default=0, help="first N instances only (0 = all)")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)

    from estate.resolve import resolve
    from inventory.load import load_estate
    from inventory.writer import write_estate
    from solver.solve import solve

    if not SHARED.exists():
        print(f"PSPLIB data not found at {SHARED}", file=sys.stderr)
        return 1
    optima = read_optima(args.set)
    files = sorted((SHARED / args.set / "instances").glob("*.sm"),
                   key=lambda p: [int(x) for x in re.findall(r"\d+", p.stem)])
    if args.limit:
        files = files[: args.limit]
    out = Path(args.out or ROOT / "benchmarks" / "results" / f"psplib_{args.set}.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    hits = 0
    t_all = time.perf_counter()
    fh = out.open("w", newline="")
    w = csv.writer(fh)
    w.writerow(["instance", "optimum", "found_makespan", "status", "seconds", "hit"])
    with tempfile.TemporaryDirectory() as tmp, fh:
        for n, f in enumerate(files, 1):
            wb = Path(tmp) / f"{f.stem}.xlsx"
            write_estate(psplib_estate(f), wb)  # through the workbook, as a user would
            estate = resolve(load_estate(wb))
            res = solve(estate, time_limit=args.time_limit, workers=args.workers, seed=0)
            lb, ub, proven = optima[f.name]
            found = None if res.objective is None else round(res.objective / 1000.0, 3)
            hit = found is not None and abs(found - ub) < 1e-6 and proven
            hits += hit
            w.writerow([f.name, ub, found, res.status, round(res.seconds, 2), int(hit)])
            fh.flush()
            print(f"[{n}/{len(files)}] {f.name}: optimum {ub}, found {found} "
                  f"({res.status}, {res.seconds:.1f}s) hits so far {hits}", flush=True)
    print(f"{hits} of {len(files)} {args.set} instances reached the known optimum within "
          f"{args.time_limit:g} s each ({time.perf_counter() - t_all:.0f} s in all); "
          f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
