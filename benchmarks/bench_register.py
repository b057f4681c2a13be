"""Record and list 1,000 plans of the demo in the plan register, on SQLite and
PostgreSQL: time per record, time to list them all (``estate history``), time
to read one back, database size.

Usage::

    python benchmarks/bench_register.py [--plans 1000] [--plan plan.json]
        [--pg postgresql://…] [--out register.json]

Writes ``benchmarks/results/register.json`` (``--out``: another name under
``benchmarks/results/``), stamped.

The demo is solved once (15 s, 1 worker) unless ``--plan`` gives a plan.json
of it; that one plan is then recorded ``--plans`` times (each record is a
whole plan: 300 applications, 120 contracts, 5 sites, the compressed
plan.json; the inputs are stored once, being the same workbook). PostgreSQL
comes from ``--pg`` or ``$ESTATE_TEST_PG_URL``; without either it is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _demo_plan(plan_json: str | None) -> tuple[Any, str]:
    from estate.fingerprint import input_text
    from estate.plan import read_plan
    from inventory.demo import demo_estate

    raw = demo_estate()
    if plan_json:
        return read_plan(plan_json), input_text(raw)
    from estate.cli.pipeline import plan_estate

    run = plan_estate(raw, time_limit=15, workers=1)
    return run.result.plan, input_text(raw)


def _bench(location: str, plan: Any, inputs: str, n: int) -> dict[str, Any]:
    from estate.register import open_register

    t0 = time.perf_counter()
    reg = open_register(location)
    opened = time.perf_counter() - t0
    times = []
    for i in range(n):
        t = time.perf_counter()
        reg.record(plan, inputs, name=f"plan {i}" if i % 10 == 0 else None,
                   settings={"i": i})
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    listed = reg.plans()
    list_s = time.perf_counter() - t
    t = time.perf_counter()
    back = reg.plan(listed[n // 2].plan_id)
    read_s = time.perf_counter() - t
    assert back.applications == plan.applications and len(listed) == n
    size = reg.size_bytes()
    reg.close()
    times.sort()
    return {"open_s": round(opened, 3), "record_total_s": round(sum(times), 2),
            "record_median_ms": round(1000 * times[len(times) // 2], 1),
            "record_p95_ms": round(1000 * times[int(len(times) * 0.95)], 1),
            "list_all_s": round(list_s, 3), "read_one_s": round(read_s, 3),
            "size_mb": round((size or 0) / 2**20, 1),
            "kb_per_plan": round((size or 0) / 1024 / n, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--plan", default=None, help="a plan.json of the demo")
    ap.add_argument("--pg", default=os.environ.get("ESTATE_TEST_PG_URL"))
    ap.add_argument("--out", default="register.json")
    a = ap.parse_args()
    plan, inputs = _demo_plan(a.plan)
    results: dict[str, Any] = {"plans": a.plans, "applications": len(plan.applications),
                               "plan_json_kb": round(len(json.dumps(plan.to_dict())) / 1024)}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = _bench(str(Path(tmp) / "estate.db"), plan, inputs, a.plans)
        print("sqlite", results["sqlite"], flush=True)
    if a.pg:
        results["postgresql"] = _bench(a.pg, plan, inputs, a.plans)
        print("postgresql", results["postgresql"], flush=True)
    else:
        print("postgresql: skipped (no --pg and no $ESTATE_TEST_PG_URL)")
    from stamp import write_result

    write_result(Path(a.out).name, {"plan_given": a.plan, **results})


if __name__ == "__main__":
    main()
