"""Time ``reports.write_reports`` for a 3,000-application plan.

Plans a synthetic estate (``inventory.synth.synth_estate`` +
``estate.resolve.resolve`` + ``solver.solve``) and prints seconds per report
file.

Usage: ``python benchmarks/bench_reports.py [N_APPS] [--no-pdf]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from estate.model import (
    Estate,
)
from solver.result import Result

SERVICES = ("Adult Social Care", "Children's Services", "Revenues & Benefits", "Housing",
            "Planning", "Highways", "Waste", "Libraries", "Leisure", "Finance", "HR",
            "Legal", "Customer Services", "Public Health")


def build(n: int, time_limit: float = 60.0) -> tuple[Estate, Result, str]:
    """The benchmark inputs from the project pipeline: a synthetic estate of
    ``n`` applications, resolved and planned by ``solver.solve``."""
    from estate.resolve import resolve
    from inventory.synth import synth_estate
    from solver.solve import solve

    estate = resolve(synth_estate(n, 1))
    result = solve(estate, time_limit=time_limit, seed=0)
    return estate, result, f"synth + resolve + solve ({result.status}, {time_limit:g} s)"


def main() -> None:
    """Run the benchmark and print the timings."""
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "3000"))
    pdf = "--no-pdf" not in sys.argv
    t0 = time.perf_counter()
    estate, result, how = build(n)
    print(f"built {len(estate.applications)} apps, {len(estate.servers)} servers, "
          f"{len(estate.contracts)} contracts ({how}) in {time.perf_counter() - t0:.1f} s")
    from reports import write_reports
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        written = write_reports(estate, result, out, pdf=pdf)
        total = time.perf_counter() - t0
        for p in written:
            print(f"  {p.name:22s} {Path(p).stat().st_size / 1e6:7.2f} MB")
    print(f"write_reports: {total:.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
