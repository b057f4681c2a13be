"""Hostile inputs: time and peak memory of refusing them, and real ``kill -9`` of imports.

Usage::

    python benchmarks/bench_hostile.py [--kills 20]

1. Builds each zip bomb of ``tests/hostile_files.py`` (1 GiB inflated, about
   1 MB on disk) and runs ``estate validate`` and ``estate import rvtools`` on
   it in a fresh process, printing wall time (process start included) and peak
   resident memory (``/usr/bin/time``-style, from ``getrusage``).
2. Imports a 3,000-VM RVTools CSV export into a CSV-folder workbook holding
   another 3,000 VMs, ``kill -9``-ing the import at ``--kills`` random moments;
   after each kill the folder must read back as the old workbook or (after the
   commit point) the new one, never a mix.

Writes ``benchmarks/results/hostile.json`` (stamped).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

PROBE = """
import json, sys, time
from estate.cli import main
t = time.perf_counter()
try:
    main(sys.argv[1:], prog_name="estate")
    code = 0
except SystemExit as exc:
    code = exc.code
seconds = time.perf_counter() - t
# VmHWM: this process image's peak resident memory (ru_maxrss would include the
# parent's, kept across fork and exec)
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(json.dumps({"code": code, "seconds": seconds, "peak_mb": int(hwm.split()[1]) / 1024}),
      file=sys.stderr)
"""


def probe(*args: str) -> dict:
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                       cwd=ROOT, timeout=600)
    out = json.loads(p.stderr.strip().splitlines()[-1])
    out["wall"] = time.perf_counter() - start
    return out


def bombs(tmp: Path) -> list[dict]:
    from hostile_files import bomb_xlsx

    rows = []
    print("| file | on disk | command | exit | in-process s | wall s | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for kind, gib in (("cell", 1), ("whitespace", 1), ("rows", 1), ("strings", 1),
                      ("whitespace", 0.2)):
        path = bomb_xlsx(tmp / f"{kind}-{gib}.xlsx", kind, gib)
        for cmd in (["validate", str(path)],
                    ["import", "rvtools", str(path), "--into", str(tmp / "into.xlsx")]):
            r = probe(*cmd)
            rows.append({"bomb": kind, "inflated_gib": gib,
                         "on_disk_mb": round(path.stat().st_size / 1e6, 2),
                         "command": cmd[0], "exit": r["code"],
                         "in_process_seconds": round(r["seconds"], 3),
                         "wall_seconds": round(r["wall"], 2),
                         "peak_mb": round(r["peak_mb"], 1)})
            print(f"| {kind} {gib} GiB | {path.stat().st_size / 1e6:.1f} MB | {cmd[0]} | "
                  f"{r['code']} | {r['seconds']:.2f} | {r['wall']:.2f} | {r['peak_mb']:.0f} |")
    return rows


def _servers(folder: Path) -> set[str]:
    from inventory.tables import read_tables

    return {r.cells["server_id"] for r in read_tables(folder).sheets["servers"].rows}


def kills(tmp: Path, n: int) -> dict:
    from hostile_files import rvtools_csv

    from inventory.importers import run_import

    old_src = rvtools_csv(tmp / "old", [f"old{i:05d}" for i in range(3000)])
    new_src = rvtools_csv(tmp / "new", [f"new{i:05d}" for i in range(3000)])
    base = tmp / "base"
    run_import("rvtools", old_src, base)
    old = _servers(base)
    full = tmp / "full"
    shutil.copytree(base, full)
    run_import("rvtools", new_src, full)
    new = _servers(full)
    t = time.perf_counter()
    probe("import", "rvtools", str(new_src), "--into", str(tmp / "timing"))
    span = time.perf_counter() - t
    rng = random.Random(1)
    outcomes = {"old": 0, "new": 0}
    for k in range(n):
        folder = tmp / f"k{k}"
        shutil.copytree(base, folder)
        p = subprocess.Popen([sys.executable, "-m", "estate", "import", "rvtools",
                              str(new_src), "--into", str(folder)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, span))
        p.send_signal(signal.SIGKILL)
        p.wait()
        got = _servers(folder)  # completes a committed change
        assert got in (old, new), f"kill {k}: the folder mixes old and new"
        outcomes["old" if got == old else "new"] += 1
    print(f"kill -9 of a CSV-folder import at {n} random moments over {span:.1f} s: "
          f"{outcomes['old']} left the old workbook, {outcomes['new']} the new one, "
          "none a mix")
    return {"kills": n, "span_seconds": round(span, 2), **outcomes, "mixed": 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        rows = bombs(Path(d))
        killed = kills(Path(d), args.kills)
    from stamp import write_result

    write_result("hostile.json", {"bombs": rows, "kill_9": killed})


if __name__ == "__main__":
    main()
