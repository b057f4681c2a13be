"""The Lagrangian bound by blocks priced by the LP's duals
(:mod:`solver.model.lagrange`) against the LP bound it starts from.

Run: ``python3 benchmarks/lagrange_blocks.py [--sizes 1000] [--workbook FILE]
[--rounds 2] [--block-seconds 60] [--by cluster|datacentre|one]
[--param NAME=VALUE ...]``.

For each estate (``estate synth --shape export`` of that many VMs, 637 with 3
datacentres, or an estate workbook): the full model the two-worker search
gets is captured (as ``benchmarks/lp_relaxation.py`` does), its LP is solved
by GLOP with ``--rounds`` rounds of sub-pool chords (as the planner runs
them, the chords into the model), and the best round's dual values price the
rows that couple the blocks (``--by``: a block per cluster, the rest by
site; per datacentre; or one block); each block is then solved by CP-SAT
(one worker, ``--block-seconds`` of wall time each, the smallest first).
Printed: the LP's value, each block's bound against its LP floor (its share
of the LP's Lagrangian bound, what it counts unless CP-SAT proves more), and
the Lagrangian bound L(y*) in pounds. Nothing is written: scratch figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def blocks_of(b: Any, by: str) -> dict[str, str]:
    """Application -> block name: its cluster (``cluster``; the rest by the
    site of its first server), its site (``datacentre``) or ``all``."""
    site_of = {s.server_id: s.site_id for s in b.prep.estate.servers}
    home: dict[str, str] = {}
    for sid, apps in sorted(b.prep.server_set.items()):
        for a in apps:
            home.setdefault(a, site_of[sid])
    out = {a: home.get(a, "(no site)") for a in b.prep.app_ids}
    if by == "cluster":
        for c in b.prep.clusters:
            for a in c.apps:
                out[a] = c.name
    elif by == "one":
        out = {a: "all" for a in out}
    return out


def main(argv: list[str] | None = None) -> int:
    """The LP, then the Lagrangian bound by blocks from its duals."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_export import _params
    from benchmarks.lp_relaxation import capture, estates
    from solver.model import pool_cuts
    from solver.model.glop import pounds
    from solver.model.lagrange import block_lagrangian
    from solver.model.lp_bound import proto_of
    from solver.model.params import SolveParams

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000])
    ap.add_argument("--workbook")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--block-seconds", type=float, default=60.0)
    ap.add_argument("--by", choices=["cluster", "datacentre", "one"], default="cluster")
    ap.add_argument("--param", nargs="*", action="extend", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    params = SolveParams(**_params(args.param))
    kept: dict[str, Any] = {}

    def dual(r: Any, y: Any, starts: list[int], first_added: int) -> None:
        kept.update(r=r, y=y, starts=starts, first_added=first_added)

    for name, e in estates(args.workbook, args.sizes, "lagrange-blocks-"):
        b, obj, first = capture(e, params)
        log: list[str] = []
        t = time.monotonic()
        lp = pool_cuts.lp_with_pool_cuts(b, obj, 3600.0, args.rounds, lambda _: None, log,
                                         lazy_links=params.lazy_links,
                                         share=params.pool_cut_share, on_dual=dual)
        print(f"{name}: first plan £{first:,.0f}; LP with {args.rounds} chord rounds "
              f"£{lp:,.0f} in {time.monotonic() - t:.1f}s", flush=True)
        r = kept["r"]
        proto = proto_of(b.m)
        blocks = blocks_of(b, args.by)
        label = {v.index: blocks[a] for a, xs in b.x.items() for v in xs.values()
                 if not isinstance(v, int)}
        t = time.monotonic()
        got = block_lagrangian(proto, r, kept["y"], kept["starts"], kept["first_added"],
                               label, range(*b.coupling_cts), seconds=args.block_seconds,
                               log=lambda s: print(s, flush=True))
        gain = sum(max(p.bound - p.lp_part, 0.0) for p in got.parts)
        bound = pounds(r, got.bound, obj)
        print(f"  {got.relaxed} constraints relaxed ({got.rows} rows); blocks' bounds "
              f"above their LP floors: {r.scaling * gain / obj.scale:+,.0f} £", flush=True)
        print(f"  L(y*) £{bound:,.0f} against the LP's £{lp:,.0f} ({bound - lp:+,.0f}) in "
              f"{time.monotonic() - t:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
