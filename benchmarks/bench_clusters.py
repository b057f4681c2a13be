"""Clusters as pools on a real RVTools export: the plan before and after.

Run: ``python benchmarks/bench_clusters.py [--export FILE] [--time-limit 60]
[--workers 1]``. The default export is the shared SizingWorkshop sample
(``../shared/samples/rvtools/mjvincent_SizingWorkshop-RVTools.xlsx``); the
script skips when it is absent.

The export is imported into a new workbook (``estate import rvtools``), then
planned twice, each in its own process: *before* with every host's
``cluster`` cleared (each host follows its own VMs, as before clusters) and
*after* as imported (hosts pooled per cluster). For each it prints the
time-indexed model's size as the planner builds it before pruning (variables,
constraints; the member links only below ``member_links_max_apps``
applications), the solve time, the
process's peak memory, status, objective, bound and gap, and how many hosts
are replaced and how many extended; then the size ratio after / before.
Both rows and the ratios are written, stamped (:mod:`benchmarks.stamp`), to
``benchmarks/results/clusters-<export>-<time limit>s-w<workers>.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "samples" / "rvtools" / "mjvincent_SizingWorkshop-RVTools.xlsx"


def measure(workbook: str, pooled: bool, time_limit: float, workers: int) -> dict[str, object]:
    """Plan one variant in this process and return its figures."""
    sys.path.insert(0, str(ROOT))
    from estate.clusters import clustered_hosts, refresh
    from estate.months import month_index
    from estate.resolve import resolve
    from inventory.load import load_estate
    from solver.model.build import Builder
    from solver.model.params import SolveParams
    from solver.model.prep import Prep
    from solver.solve import solve

    raw = load_estate(workbook)
    if not pooled:
        raw = replace(raw, servers=tuple(replace(s, cluster="") for s in raw.servers))
    e = resolve(raw)
    t0 = time.perf_counter()
    prep = Prep(e)
    # the full model as the planner builds it (before pruning by the first plan):
    # the member links only below ``member_links_max_apps`` applications
    links = SolveParams().links_for(len(prep.apps))
    proto = Builder(prep, member_links=links).m.Proto()
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = solve(e, time_limit=time_limit, workers=workers, seed=0)
    solve_s = time.perf_counter() - t0
    pool = clustered_hosts(e)
    D = {s.server_id: s for s in r.plan.servers}
    replaced = sum(1 for s in r.plan.servers if s.replaced)
    extended = 0
    for h in pool:
        d = month_index(e.settings.horizon_start, D[h].decommissioned)
        if refresh(e, e.server_by_id[h], d).kind == "extend":
            extended += 1
    hosts = [s for s in e.servers if s.kind == "host"]
    host_months = sum(min(month_index(e.settings.horizon_start, D[h.server_id].decommissioned),
                          e.settings.horizon_months) for h in hosts)
    return {"variant": "after (clusters)" if pooled else "before (hosts)",
            "clusters": len({c.name for c in pool.values()}), "hosts": len(hosts),
            "member_links": links,
            "variables": len(proto.variables), "constraints": len(proto.constraints),
            "build_s": round(build_s, 2), "solve_s": round(solve_s, 2),
            "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "status": r.status, "objective": r.objective, "bound": r.plan.bound,
            "gap": r.plan.gap, "replaced": replaced, "extended": extended,
            "host_months": host_months,
            "moved": sum(1 for a in r.plan.applications if a.strategy != "retain")}


def main(argv: list[str] | None = None) -> int:
    """Import, then measure both variants in fresh processes."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--export", type=Path, default=SAMPLE)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--variant", choices=("before", "after"), help=argparse.SUPPRESS)
    ap.add_argument("--workbook", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.variant:
        print(json.dumps(measure(args.workbook, args.variant == "after", args.time_limit,
                                 args.workers)))
        return 0
    if not args.export.exists():
        print(f"skipped: {args.export} not found")
        return 0
    d = Path(tempfile.mkdtemp(prefix="bench-clusters-"))
    wb = d / "estate.xlsx"
    subprocess.run([sys.executable, "-m", "estate", "import", "rvtools", str(args.export),
                    "--into", str(wb), "--show", "0"], cwd=ROOT, check=True,
                   capture_output=True)
    rows = []
    for variant in ("before", "after"):
        out = subprocess.run([sys.executable, __file__, "--variant", variant, "--workbook",
                              str(wb), "--time-limit", str(args.time_limit), "--workers",
                              str(args.workers)], cwd=ROOT, check=True, capture_output=True,
                             text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    for r in rows:
        print(json.dumps(r))
    b, a = rows
    print(f"model size after / before: variables {a['variables'] / b['variables']:.3f}, "
          f"constraints {a['constraints'] / b['constraints']:.3f}")
    (d / "bench.json").write_text(json.dumps(rows, indent=2))
    sys.path.insert(0, str(ROOT))
    from benchmarks.stamp import write_result

    write_result(f"clusters-{args.export.stem}-{args.time_limit:g}s-w{args.workers}.json",
                 {"export": args.export.name, "time_limit": args.time_limit,
                  "workers": args.workers, "rows": rows,
                  "ratio_after_before": {
                      "variables": round(a["variables"] / b["variables"], 4),
                      "constraints": round(a["constraints"] / b["constraints"], 4)}},
                 sys.argv if argv is None else [__file__, *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
