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


def _fallback_sheets(n: int) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """n applications, ~2.3 servers each (hosts + guests + physical), options, deps."""
    sites = [["DC1", "on_prem", 1.8, 0.3, 20000, None], ["DC2", "on_prem", 1.6, 0.3, 8000, None],
             ["AZ", "cloud", 1.1, None, None, None]]
    apps, servers, options, deps, contracts = [], [], [], [], []
    hosts = max(1, n // 20)
    for h in range(hosts):
        servers.append([f"H{h}", f"DC{h % 2 + 1}", "host", None, 64, 768, "2027-03", None])
    for i in range(n):
        a = f"APP{i:05d}"
        apps.append([a, f"Application {i}", ["critical", "high", "medium", "low"][i % 4],
                     "yes" if i % 7 == 0 else "no", 100 + i % 900, "Feb; Mar" if i % 11 == 0
                     else None])
        h = i % hosts
        servers.append([f"V{i}", f"DC{h % 2 + 1}", "virtual", f"H{h}", 4, 16, None, a])
        servers.append([f"W{i}", f"DC{h % 2 + 1}", "virtual", f"H{h}", 2, 8, None, a])
        if i % 3 == 0:
            servers.append([f"P{i}", "DC1", "physical", None, 8, 64, "2026-06", a])
            options.append([a, "retain", None, None, None, None, None])
            options.append([a, "rehost", "AZ", 2 + i % 4, 5000 + i, 300, 40, "migration=3"])
            options.append([a, "refactor", "AZ", 6, 30000, 150, 20, 5])
        if i % 10 == 1:
            deps.append([a, f"APP{i - 1:05d}", "together"])
        if i % 10 == 5:
            deps.append([f"APP{i - 3:05d}", a, "before"])
        if i % 25 == 0:
            contracts.append([f"C{i}", 12000 + i, "2024-04-01", "2026-03-31",
                              f"{a}; V{i}"])
    return {
        "settings": (["key", "value"], [["horizon_start", "2025-04"]]),
        "sites": (["site_id", "kind", "pue", "power_price_per_kwh", "monthly_fixed_cost",
                   "exit_by"], sites),
        "applications": (["app_id", "name", "criticality", "resident_facing",
                          "current_monthly_cost", "blackout_months"], apps),
        "servers": (["server_id", "site_id", "kind", "host_id", "vcpus", "ram_gb",
                     "end_of_life", "app_ids"], servers),
        "options": (["app_id", "strategy", "target_site", "duration_months", "one_off_cost",
                     "monthly_cost", "monthly_kwh", "effort"], options),
        "dependencies": (["from_id", "to_id", "kind"], deps),
        "contracts": (["contract_id", "annual_value", "start_date", "end_date", "covers"],
                      contracts),
    }


def _write(kind: str, n: int, seed: int, folder: Path) -> tuple[str, list[Path]]:
    xlsx, csv_dir = folder / f"{kind}.xlsx", folder / f"{kind}_csv"
    try:
        from inventory.writer import write_estate
        if kind == "demo":
            from inventory.demo import demo_estate
            est = demo_estate()
        else:
            from inventory.synth import synth_estate
            est = synth_estate(n, seed=seed)
        write_estate(est, xlsx)
        write_estate(est, csv_dir)
        return f"{kind} ({len(est.applications)} applications)", [xlsx, csv_dir]
    except ImportError as exc:
        if kind == "demo":
            raise SystemExit(f"demo estate not available ({exc})") from None
        from inventory.tables import write_csv_folder, write_xlsx
        sheets = _fallback_sheets(n)
        write_xlsx(sheets, xlsx)
        write_csv_folder(sheets, csv_dir)
        return (f"generated ({n} applications; inventory.synth not available: {exc})",
                [xlsx, csv_dir])


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
                if kind == "synth":
                    worst = max(worst, secs)
    ok = worst < 10.0
    print(f"target: {args.apps} applications in < 10 s: {'met' if ok else 'MISSED'} "
          f"(worst {worst:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
