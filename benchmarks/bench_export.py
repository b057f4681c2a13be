"""The planner on export-shaped estates: gap, time and memory.

Run: ``python3 benchmarks/bench_export.py [--sizes 300 637 1000] [--time-limit 60]
[--workers 2] [--seed 1] [--param NAME=VALUE ...] [--out NAME.json]``.

``--workbook FILE`` plans an estate workbook instead (e.g. one ``estate import
rvtools`` made from the shared SizingWorkshop sample): the same figures, its
row named by the file.

``--param`` sets a :class:`solver.model.params.SolveParams` field (``true`` /
``false`` / a number / comma-separated names), e.g. ``--param member_links=false
tight_pools=false`` to measure the model without the pool cuts of issue 23;
``cp_sat=name:value,name:value`` passes CP-SAT parameters
(``--param cp_sat=optimize_with_lb_tree_search:true``).

Each size is an estate of ``estate synth --shape export`` (one application per
VM, datacentres with facilities costs, clusters with refresh dates, estimated
per-core subscriptions; :mod:`inventory.synth_export`); 637 VMs has 3
datacentres, like the 637-VM export of issue 23, the others as drawn. Each is
written to a workbook, loaded back and planned in a fresh process (so the peak
memory is its own), and the plan is checked by the evaluator
(:func:`solver.check.compare_plan`, what ``estate check`` runs). For each it
records the status, objective, bound and gap, the solve time, the process's
peak memory, the time of the last better plan, the time the live progress line
first showed the final bound, the first bound the line showed, and how many
evaluator differences there were (0 expected). The figures, stamped with the
commit, the command, the date and the load average (:mod:`benchmarks.stamp`),
go to ``benchmarks/results/export-<time limit>s-w<workers>.json`` (or
``--out``). The load average matters: on a busy machine the same time limit
buys less search.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Datacentres of the sizes the issue names (None: drawn by size).
DATACENTRES = {637: 3}


def _params(pairs: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs as SolveParams overrides."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        if name.strip() == "cp_sat":  # CP-SAT parameters: cp_sat=name:value,name:value
            out["cp_sat"] = tuple((k.strip(), _value(v)) for k, _, v in
                                  (x.partition(":") for x in text.split(",") if x.strip()))
            continue
        if "," in text:  # a tuple of names, e.g. lns_kinds=window,group,pool
            out[name.strip()] = tuple(x.strip() for x in text.split(",") if x.strip())
            continue
        out[name.strip()] = _value(text)
    return out


def _value(text: str) -> object:
    """A parameter's value: true/false, a whole number, a number or a word."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(low)
    except ValueError:
        pass
    try:
        return float(low)
    except ValueError:
        return text.strip()


def measure(n_vms: int, seed: int, time_limit: float, workers: int,
            params: list[str] | None = None, workbook: str | None = None
            ) -> dict[str, object]:
    """Write, load, resolve, plan and check one export-shaped estate (or the
    estate of ``workbook``) in this process."""
    sys.path.insert(0, str(ROOT))
    from estate.resolve import resolve
    from inventory.load import load_estate
    from inventory.synth_export import export_estate
    from inventory.writer import write_estate
    from solver.check import compare_plan
    from solver.model.params import SolveParams
    from solver.solve import solve

    if workbook is not None:
        e = resolve(load_estate(Path(workbook)))
    else:
        raw = export_estate(n_vms, seed, datacentres=DATACENTRES.get(n_vms))
        with tempfile.TemporaryDirectory(prefix="bench-export-") as d:
            book = write_estate(raw, Path(d) / "export.xlsx")
            e = resolve(load_estate(book))
    seen: list[tuple[float, float, float, float]] = []
    t0 = time.perf_counter()
    overrides = _params(params or [])
    r = solve(e, time_limit=time_limit, workers=workers, seed=seed,
              progress=lambda *a: seen.append(a), params=SolveParams(**overrides))
    solve_s = time.perf_counter() - t0
    plan = r.plan
    diffs = compare_plan(e, plan)
    best_at = next((t for t, v, _, _ in seen if plan.objective is not None
                    and v <= plan.objective * (1 + 1e-9) + 0.01), None)
    bound_at = next((t for t, _, b, _ in seen if plan.bound is not None
                     and b >= plan.bound - 0.01), None)
    hosts = [s for s in e.servers if s.kind == "host"]
    return {
        "vms": sum(1 for s in e.servers if s.kind == "virtual") if workbook else n_vms,
        "workbook": Path(workbook).name if workbook else None,
        "seed": seed, "applications": len(e.applications),
        "datacentres": sum(1 for s in e.sites if s.kind == "on_prem"),
        "clusters": len({h.cluster for h in hosts}), "hosts": len(hosts),
        "contracts": len(e.contracts), "dependencies": len(e.dependencies),
        "time_limit": time_limit, "workers": workers, "params": overrides,
        "status": r.status,
        "objective": plan.objective, "bound": plan.bound, "gap": plan.gap,
        "solve_s": round(solve_s, 1),
        "lp_log": [line for line in r.log if "LP bound" in line or "light model's LP" in line],
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "best_plan_at_s": None if best_at is None else round(best_at, 1),
        "final_bound_on_line_at_s": None if bound_at is None else round(bound_at, 1),
        "first_bound_on_line": seen[0][2] if seen else None,
        "greedy": None if plan.greedy is None else plan.greedy.objective,
        "baseline": None if plan.baseline is None else plan.baseline.objective,
        "moved": sum(1 for a in plan.applications if a.strategy != "retain"),
        "evaluator_differences": len(diffs),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure every size in a fresh process and write the stamped results."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 637, 1000])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--param", nargs="*", action="extend", default=[], metavar="NAME=VALUE",
                    help="SolveParams overrides, e.g. member_links=false")
    ap.add_argument("--out", help="results file name under benchmarks/results/")
    ap.add_argument("--workbook", help="plan this estate workbook instead of --sizes")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.one, args.seed, args.time_limit, args.workers,
                                 args.param, args.workbook)))
        return 0
    rows = []
    book = [] if args.workbook is None else ["--workbook", str(Path(args.workbook).resolve())]
    for n in [0] if args.workbook else args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--seed",
                              str(args.seed), "--time-limit", str(args.time_limit),
                              "--workers", str(args.workers), *book, "--param", *args.param],
                             cwd=ROOT, check=True,
                             capture_output=True, text=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        gap = row["gap"]
        print(f"{row['vms']:>5} VMs, {row['datacentres']} DCs, {row['hosts']} hosts: "
              f"{row['status']}, "
              f"gap {100 * gap:.2f} % in {row['solve_s']} s, {row['max_rss_mib']} MiB, "
              f"best plan at {row['best_plan_at_s']} s, final bound on the line at "
              f"{row['final_bound_on_line_at_s']} s, evaluator differences "
              f"{row['evaluator_differences']}" if gap is not None else f"{n}: {row['status']}")
    sys.path.insert(0, str(ROOT))
    from benchmarks.stamp import write_result

    name = args.out or f"export-{args.time_limit:g}s-w{args.workers}.json"
    write_result(name, {"rows": rows}, sys.argv if argv is None else [__file__, *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
