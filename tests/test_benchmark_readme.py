"""benchmarks/README.md: every figure names a stamped results file and its commit.

Each table row ends with ``results/FILE, commit `abc1234` (…)`` (or ``—`` for
a benchmark awaiting re-measurement, which then quotes no figure): the file
must exist, carry a :func:`benchmarks.stamp.stamp` and name that clean commit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
CITE = re.compile(r"`results/([\w.-]+\.json)`, (?:last measured at )?commit `([0-9a-f]{7,40})`")


def script_of(cell: str) -> str:
    """The script a row's first cell names (its first backticked word)."""
    m = re.match(r"`([^`]+)`", cell)
    assert m, cell
    return m.group(1).split()[0]


def rows() -> list[list[str]]:
    text = (BENCH / "README.md").read_text(encoding="utf-8")
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| `")]


def test_every_row_cites_a_stamped_results_file_or_quotes_nothing() -> None:
    assert len(rows()) >= 10
    for cells in rows():
        assert len(cells) == 5, cells[0]
        last = cells[-1]
        if last.startswith("—"):
            continue
        cited = CITE.findall(last)
        assert cited, f"{cells[0]}: no results file with its commit in {last!r}"
        for name, commit in cited:
            path = BENCH / "results" / name
            assert path.is_file(), f"{cells[0]}: {name} is not in benchmarks/results"
            stamp = json.loads(path.read_text(encoding="utf-8")).get("stamp")
            assert stamp, f"{name} carries no stamp"
            assert stamp["commit"].startswith(commit), (name, stamp["commit"], commit)
            assert not stamp["commit"].endswith("+dirty"), name
            assert script_of(cells[0]) in stamp["command"], (name, stamp["command"])


def test_every_script_has_a_row() -> None:
    named = {script_of(cells[0]) for cells in rows()}
    scripts = {p.name for p in BENCH.glob("bench_*.py")}
    assert scripts <= named, scripts - named
