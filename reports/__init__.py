"""Reports drawn from an estate and a plan: workbooks and the board roadmap.

:func:`write_reports` writes, next to ``plan.json``:

- ``contracts.xlsx``: procurement (renewals, notice calendar);
- ``migration-plan.xlsx``: architects (applications, months, servers, sites);
- ``roadmap.html``: the board, self-contained and offline;
- ``roadmap.pdf``: the same page printed by headless Chromium, when installed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from estate.model import Estate
from solver.result import Result

__all__ = ["REPORT_FILES", "write_reports"]

REPORT_FILES = ("contracts.xlsx", "migration-plan.xlsx", "roadmap.html", "roadmap.pdf")


def _stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def write_reports(estate: Estate, result: Result, out_dir: str | Path, *,
                  pdf: bool = True,
                  warn: Callable[[str], None] | None = None) -> list[Path]:
    """Write every report of ``result`` into ``out_dir``.

    Parameters
    ----------
    estate
        The resolved estate that was planned.
    result
        The planning result; its ``plan`` is what the reports show.
    out_dir
        Folder to write into (created when missing), usually beside plan.json.
    pdf
        Print ``roadmap.pdf`` with headless Chromium (skipped with a warning
        when Chromium is missing or fails).
    warn
        Called with each warning line; default prints ``warning: …`` to stderr.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`REPORT_FILES`.
    """
    from reports.contracts import write_contracts
    from reports.migration import write_migration
    from reports.roadmap import print_pdf, write_roadmap

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = result.plan
    written = [
        write_contracts(estate, plan, out / "contracts.xlsx"),
        write_migration(estate, plan, out / "migration-plan.xlsx"),
        write_roadmap(estate, plan, out / "roadmap.html"),
    ]
    if pdf:
        printed = print_pdf(out / "roadmap.html", out / "roadmap.pdf", warn=warn or _stderr)
        if printed is not None:
            written.append(printed)
    return written
