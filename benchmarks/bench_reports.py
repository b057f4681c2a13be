"""Time ``reports.write_reports`` for a 3,000-application plan.

Plans a synthetic estate (``inventory.synth.synth_estate`` +
``estate.resolve.resolve`` + ``solver.solve``) and prints seconds per report
file. The solve is only there to give the reports a plan of that size: a
short ``--time-limit`` (default 60 s) gives a valid but less optimised plan,
with the same number of rows as a 300 s one, which is what the report
timing depends on.

Usage: ``python benchmarks/bench_reports.py [N_APPS] [--time-limit 60]
[--workers 2] [--no-pdf]``. Writes ``benchmarks/results/reports-<N_APPS>.json``
(stamped).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages

if TYPE_CHECKING:
    from estate.model import Estate
    from solver.result import Result

SERVICES = ("Adult Social Care", "Children's Services", "Revenues & Benefits", "Housing",
            "Planning", "Highways", "Waste", "Libraries", "Leisure", "Finance", "HR",
            "Legal", "Customer Services", "Public Health")


def build(n: int, time_limit: float = 60.0, workers: int | None = None
          ) -> tuple[Estate, Result, str]:
    """The benchmark inputs from the project pipeline: a synthetic estate of
    ``n`` applications, resolved and planned by ``solver.solve``."""
    from estate.resolve import resolve
    from inventory.synth import synth_estate
    from solver.solve import solve

    estate = resolve(synth_estate(n, 1))
    result = solve(estate, time_limit=time_limit, workers=workers, seed=0)
    return estate, result, f"synth + resolve + solve ({result.status}, {time_limit:g} s)"


def main() -> None:
    """Run the benchmark, print the timings and write the results file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("apps", nargs="?", type=int, default=3000)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--no-pdf", action="store_true")
    args = ap.parse_args()
    pdf = not args.no_pdf
    t0 = time.perf_counter()
    estate, result, how = build(args.apps, args.time_limit, args.workers)
    built = time.perf_counter() - t0
    print(f"built {len(estate.applications)} apps, {len(estate.servers)} servers, "
          f"{len(estate.contracts)} contracts ({how}) in {built:.1f} s")
    from reports import write_reports
    files = {}
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        written = write_reports(estate, result, out, pdf=pdf)
        total = time.perf_counter() - t0
        for p in written:
            files[Path(p).name] = round(Path(p).stat().st_size / 1e6, 2)
            print(f"  {Path(p).name:22s} {files[Path(p).name]:7.2f} MB")
    print(f"write_reports: {total:.1f} s (target < 30 s)")
    from stamp import write_result

    plan = result.plan
    write_result(f"reports-{args.apps}.json", {
        "applications": len(estate.applications), "servers": len(estate.servers),
        "contracts": len(estate.contracts), "plan": how, "plan_status": plan.status,
        "plan_gap": plan.gap, "build_seconds": round(built, 1), "pdf": pdf,
        "write_reports_seconds": round(total, 2), "files_mb": files,
        "target_met": total < 30})


if __name__ == "__main__":
    main()
