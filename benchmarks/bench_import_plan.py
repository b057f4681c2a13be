"""Import + plan a real RVTools export as a new user would; time and memory per step.

Run: ``python benchmarks/bench_import_plan.py [--export FILE] [--time-limit 60]
[--keep DIR]``. The default export is the shared SizingWorkshop sample
(``../shared/samples/rvtools/mjvincent_SizingWorkshop-RVTools.xlsx``, 805 VMs,
34 hosts); the script skips when it is absent.

Each step is the CLI a user runs, in its own process (wall time and the
process's peak resident memory): ``estate import rvtools`` into a new
workbook, ``estate plan``, ``estate check``, then a re-import grouping the VMs
by cluster (``--apps-from column:Cluster``), ``estate validate`` and a second
plan. It prints the baseline cost of staying by category and per server a
year, and the plan's headline, and writes
``benchmarks/results/import-plan-<EXPORT STEM>.json`` (stamped); without the
export it prints that it skipped and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "samples" / "rvtools" / "mjvincent_SizingWorkshop-RVTools.xlsx"
# Runs the CLI and reports the process's peak RSS (ru_maxrss is KiB on Linux).
WRAPPER = ("import atexit, resource, sys\n"
           "atexit.register(lambda: print(f'@@maxrss {resource.getrusage("
           "resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr))\n"
           "from estate.cli import main\n"
           "sys.argv = ['estate'] + sys.argv[1:]\n"
           "main()\n")


def step(name: str, *args: str) -> dict[str, object]:
    """Run ``estate ARGS`` in a fresh process; return time, memory and output."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    rss = next((int(line.split()[1]) for line in proc.stderr.splitlines()
                if line.startswith("@@maxrss")), 0)
    print(f"{name:<28} {seconds:7.1f} s  {rss / 1024:7.0f} MiB  exit {proc.returncode}")
    return {"name": name, "seconds": round(seconds, 2), "max_rss_mib": round(rss / 1024),
            "exit": proc.returncode, "stdout": proc.stdout}


def staying(plan_json: Path) -> None:
    """Print the baseline cost of staying by category from plan.json."""
    plan = json.loads(plan_json.read_text())
    b = plan["assumptions"]["cost_of_staying"]
    print(f"cost of staying: £{b['total_per_year']:,.0f} a year, £{b['per_server_year']:,.0f} "
          f"a server a year ({b['servers']} servers in service)")
    for key, value in b["per_year"].items():
        if value:
            print(f"  {b['labels'].get(key, key):<52} £{value:>12,.0f}")
    print(f"estimated figures listed: {len(plan['assumptions']['estimated'])}")
    print(f"baseline (48 months): £{plan['baseline']['cost']:,.0f} cash; plan: "
          f"£{plan['totals']['cost']:,.0f}; greedy: "
          + (f"£{plan['greedy']['cost']:,.0f}" if plan.get("greedy") else "n/a"))


def main(argv: list[str] | None = None) -> int:
    """Run every step and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--export", type=Path, default=SAMPLE)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--keep", type=Path, help="folder to keep the workbook and plans in")
    args = ap.parse_args(argv)
    if not args.export.exists():
        print(f"skipped: {args.export} not found")
        return 0
    d = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-plan-"))
    d.mkdir(parents=True, exist_ok=True)
    wb = d / "estate.xlsx"
    wb.unlink(missing_ok=True)
    limit = f"{args.time_limit:g}"
    steps = [
        step("import rvtools (new)", "import", "rvtools", str(args.export), "--into", str(wb),
             "--show", "0"),
        step("plan", "plan", str(wb), "--out", str(d / "out"), "--time-limit", limit,
             "--quiet"),
        step("check", "check", str(wb), str(d / "out" / "plan.json")),
        step("re-import by cluster", "import", "rvtools", str(args.export), "--into",
             str(wb), "--apps-from", "column:Cluster", "--show", "0"),
        step("validate", "validate", str(wb)),
        step("plan (regrouped)", "plan", str(wb), "--out", str(d / "out2"), "--time-limit",
             limit, "--quiet"),
    ]
    print()
    print(steps[1]["stdout"].splitlines()[0] if steps[1]["stdout"] else "plan: no output")
    if (d / "out" / "plan.json").exists():
        staying(d / "out" / "plan.json")
    rows = [{k: v for k, v in s.items() if k != "stdout"} for s in steps]
    (d / "bench.json").write_text(json.dumps(rows, indent=2))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from stamp import write_result

    write_result(f"import-plan-{args.export.stem}.json", {
        "export": args.export.name, "time_limit": args.time_limit, "steps": rows,
        "plan_headline": (steps[1]["stdout"].splitlines() or [""])[0]})
    return 0 if all(s["exit"] == 0 for s in steps) else 1


if __name__ == "__main__":
    raise SystemExit(main())
