"""Time ``estate import rvtools`` on a generated 10,000-VM RVTools 4.x export.

Run: ``python benchmarks/bench_import.py [--vms 10000] [--hosts 250] [--keep DIR]``.
The export (vInfo with the full 4.x header set's key columns, plus vHost) is
written with openpyxl's write-only mode; the import reads it, builds the rows
and merges them into a new estate workbook, then merges again (idempotent
re-import). Target: under 30 s for 10,000 VMs. Writes
``benchmarks/results/import-<VMS>.json`` (stamped).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VINFO = ["VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name",
         "Connection state", "Guest state", "Heartbeat", "CPUs", "Memory", "NICs", "Disks",
         "Total disk capacity MiB", "Primary IP Address", "Network #1", "Resource pool",
         "Folder", "Provisioned MiB", "In Use MiB", "Unshared MiB", "Firmware", "HW version",
         "Annotation", "Application", "Datacenter", "Cluster", "Host",
         "OS according to the configuration file", "OS according to the VMware Tools",
         "VM ID", "VM UUID", "VI SDK Server"]
VHOST = ["Host", "Datacenter", "Cluster", "CPU Model", "Speed", "# CPU", "Cores per CPU",
         "# Cores", "# Memory", "# VMs", "ESX Version", "Vendor", "Model"]
OSES = ["Microsoft Windows Server 2012 R2 (64-bit)", "Microsoft Windows Server 2016 (64-bit)",
        "Microsoft Windows Server 2019 (64-bit)", "Red Hat Enterprise Linux 7 (64-bit)",
        "Ubuntu Linux (64-bit)"]


def generate(path: Path, vms: int, hosts: int, seed: int = 1) -> None:
    """Write a synthetic RVTools export with ``vms`` VMs on ``hosts`` hosts."""
    import openpyxl

    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("vInfo")
    ws.append(VINFO)
    for i in range(vms):
        host = f"esx{i % hosts:04d}.council.local"
        cpus = rng.choice([1, 2, 2, 4, 4, 8, 16])
        mem = cpus * rng.choice([2048, 4096, 8192])
        prov = rng.randint(40, 2000) * 1024
        template = "True" if i % 500 == 0 else "False"
        power = "poweredOff" if i % 17 == 0 else "poweredOn"
        ws.append([f"vm{i:05d}", power, template, "False", "green", f"vm{i:05d}.council.local",
                   "connected", "running", "green", cpus, mem, 1, 2, prov,
                   f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}", "VM Network",
                   "/DC/Cluster/Resources", "Servers", prov, prov // 2, prov // 2, "efi", 19,
                   "", f"App {i // 7}", "DC", f"Cluster{i % hosts // 16}", host,
                   rng.choice(OSES), "", f"vm-{i}", f"uuid-{i}", "vcenter.council.local"])
    wh = wb.create_sheet("vHost")
    wh.append(VHOST)
    for h in range(hosts):
        wh.append([f"esx{h:04d}.council.local", "DC", f"Cluster{h // 16}",
                   "Intel(R) Xeon(R) Gold 6248", 2500, 2, 20, 40, 786432, vms // hosts,
                   "VMware ESXi 7.0.3 build-21930508", "Dell Inc.", "PowerEdge R740"])
    wb.save(path)


def main(argv: list[str] | None = None) -> int:
    """Generate the export, time two imports and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vms", type=int, default=10_000)
    ap.add_argument("--hosts", type=int, default=250)
    ap.add_argument("--keep", type=Path, help="folder to keep the files in")
    args = ap.parse_args(argv)
    from inventory.importers import run_import

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    src, out = folder / "rvtools-10k.xlsx", folder / "estate.xlsx"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    generate(src, args.vms, args.hosts)
    t1 = time.perf_counter()
    result, report = run_import("rvtools", src, out, app_column="Application")
    t2 = time.perf_counter()
    _, again = run_import("rvtools", src, out, app_column="Application")
    t3 = time.perf_counter()
    print(f"generated {args.vms} VMs / {args.hosts} hosts in {t1 - t0:.1f} s "
          f"({src.stat().st_size / 2**20:.1f} MiB)")
    print(f"first import  (new workbook): {t2 - t1:.1f} s  counts={result.counts} "
          f"problems={len(result.issues)}")
    print(f"second import (re-merge):     {t3 - t2:.1f} s  "
          f"servers unchanged={again.changes['servers'].unchanged}")
    ok = (t2 - t1) < 30
    print("target < 30 s:", "met" if ok else "MISSED")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from stamp import write_result

    write_result(f"import-{args.vms}.json", {
        "vms": args.vms, "hosts": args.hosts, "generate_seconds": round(t1 - t0, 2),
        "export_mib": round(src.stat().st_size / 2**20, 1),
        "first_import_seconds": round(t2 - t1, 2), "reimport_seconds": round(t3 - t2, 2),
        "counts": dict(result.counts), "problems": len(result.issues),
        "servers_unchanged_on_reimport": again.changes["servers"].unchanged,
        "target_met": ok})
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
