"""A stamp for every benchmark result: the commit, the command and the date.

Each script that writes under ``benchmarks/results/`` records :func:`stamp` with
its figures, so every figure of ``benchmarks/README.md`` can be traced to the
code and command that produced it. :func:`write_result` is the one way the
scripts that only printed before write a results file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def stamp(argv: list[str] | None = None) -> dict[str, Any]:
    """The commit (``+dirty`` with uncommitted changes to tracked files other
    than ``benchmarks/results/``), the command line, the UTC date and the
    machine's load average and cores."""
    commit = _git("rev-parse", "HEAD")
    # results files are what the scripts write, not code: a run after another
    # (which rewrote a committed results file) still names a clean commit
    if commit != "unknown" and _git("status", "--porcelain", "--untracked-files=no", "--",
                                    ".", ":(exclude)benchmarks/results"):
        commit += "+dirty"
    args = sys.argv if argv is None else argv
    script = Path(args[0]).resolve()
    try:
        shown = str(script.relative_to(ROOT))
    except ValueError:
        shown = args[0]
    return {"commit": commit, "command": " ".join(["python3", shown, *args[1:]]),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count()}


def write_result(name: str, data: dict[str, Any], argv: list[str] | None = None) -> Path:
    """Write ``data`` with its :func:`stamp` to ``benchmarks/results/NAME``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps({"stamp": stamp(argv), **data}, indent=2) + "\n",
                    encoding="utf-8")
    print(f"results in {path}")
    return path
