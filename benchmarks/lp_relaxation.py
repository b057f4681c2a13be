"""The LP relaxation of the planner's full model, solved by OR-Tools' own LP
solvers: its optimum and how fast each gets there.

Run: ``python3 benchmarks/lp_relaxation.py [--sizes 637 1000] [--workbook FILE]
[--methods glop-dual glop-primal] [--seconds 240] [--param NAME=VALUE ...]``.

Each estate (``estate synth --shape export`` of that many VMs, 637 with 3
datacentres, or an estate workbook) is planned by :func:`solver.solve.solve`
up to the point where the search starts (so the full model is exactly the
one the search gets: the same pruning, member links, pools and objective);
the model is then relaxed (:func:`solver.model.lp_bound.relax`) and solved
by each method on one thread within ``--seconds``. Printed: the rows and
columns, the time to relax, and for each method its status, time, the bound
(the Lagrangian of its dual, in pounds, as the planner would report it) and
the first plan's value. Nothing is written: these are scratch figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class _Stop(Exception):
    """Raised by the captured search once the model is taken."""


def capture(e: Any, params: Any, workers: int = 2) -> tuple[Any, Any, float]:
    """The full model (with its objective set), the objective and the first
    plan's value of a solve of ``e`` with ``params`` and ``workers``."""
    import solver.solve as S
    from solver.model.costs import dot
    from solver.model.extract import derive

    got: list[tuple[Any, Any, float]] = []

    def grab(b: Any, obj: Any, w: Any, start: Any, **_: Any) -> Any:
        b.m.minimize(obj.expr)
        got.append((b, obj, dot(w, derive(b.prep, start).vec) if start else float("nan")))
        raise _Stop

    keep = S.run_search
    S.run_search = grab
    try:
        S.solve(e, time_limit=60, workers=workers, seed=1, params=params)
    except _Stop:
        pass
    finally:
        S.run_search = keep
    return got[0]


def estates(workbook: str | None, sizes: list[int], prefix: str) -> list[tuple[str, Any]]:
    """The estates to look at, named: the workbook (if given) and an
    export-shaped estate of each size (637 with 3 datacentres), each written
    to a workbook and loaded as a user's would be."""
    from benchmarks.bench_export import DATACENTRES
    from estate.resolve import resolve
    from inventory.load import load_estate
    from inventory.synth_export import export_estate
    from inventory.writer import write_estate

    out: list[tuple[str, Any]] = []
    if workbook:
        out.append((Path(workbook).name, resolve(load_estate(Path(workbook)))))
    for n in sizes:
        raw = export_estate(n, 1, datacentres=DATACENTRES.get(n))
        with tempfile.TemporaryDirectory(prefix=prefix) as d:
            book = write_estate(raw, Path(d) / "x.xlsx")
            out.append((f"{n} VMs", resolve(load_estate(book))))
    return out


def main(argv: list[str] | None = None) -> int:
    """Relax and solve each estate's full model; print the figures."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_export import _params
    from solver.model import glop, lp_bound
    from solver.model.params import SolveParams

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[637, 1000])
    ap.add_argument("--workbook")
    ap.add_argument("--methods", nargs="+", default=["glop-dual", "glop-primal"])
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--param", nargs="*", action="extend", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    params = SolveParams(**_params(args.param))
    for name, e in estates(args.workbook, args.sizes, "lp-relaxation-"):
        b, obj, first = capture(e, params)
        t = time.monotonic()
        r = lp_bound.relax(lp_bound.proto_of(b.m))
        print(f"{name}: {r.a.shape[0]:,} rows, {r.a.shape[1]:,} columns, {r.a.nnz:,} "
              f"non-zeros, relaxed in {time.monotonic() - t:.1f}s (left out: {r.dropped}); "
              f"first plan £{first:,.0f}", flush=True)
        for method in args.methods:
            res = glop.solve_glop(r, args.seconds, dual=method == "glop-dual")
            bound = glop.pounds(r, res.bound, obj)
            print(f"  {method}: {res.status} in {res.seconds:.1f}s, bound £{bound:,.0f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
