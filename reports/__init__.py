"""Reports drawn from an estate and a plan: workbooks and the board roadmap.

:func:`write_reports` writes, next to ``plan.json``:

- ``contracts.xlsx``: procurement (renewals, notice calendar);
- ``migration-plan.xlsx``: architects (applications, months, servers, sites);
- ``roadmap.html``: the board, self-contained and offline;
- ``roadmap.pdf``: the same page printed by headless Chromium, when installed.

:func:`write_outputs` writes ``plan.json`` and the reports as one set. Every
file is first written to a temporary name and all are moved into place at the
end (:class:`estate.files.FileSet`): when one cannot be written, the temporary
files are removed and nothing is written — the error says so and which file
failed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from estate.files import FileSet
from estate.frontier import Frontier
from estate.model import Estate
from estate.sensitivity import Sensitivity
from solver.result import Result

__all__ = ["OUTPUT_FILES", "REPORT_FILES", "write_outputs", "write_reports"]

REPORT_FILES = ("contracts.xlsx", "migration-plan.xlsx", "roadmap.html", "roadmap.pdf")
#: Every file a plan writes into its folder.
OUTPUT_FILES = ("plan.json", *REPORT_FILES)


def _stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _drop_stale_pdf(out: Path, written: list[Path], warn: Callable[[str], None]) -> None:
    """Remove a ``roadmap.pdf`` left by an earlier plan when none was printed now:
    it would show another plan than the files beside it."""
    old = out / "roadmap.pdf"
    if old not in written and old.is_file() and not old.is_symlink():
        old.unlink()
        warn(f"removed {old}, printed for an earlier plan (it would not match this one)")


def write_reports(estate: Estate, result: Result, out_dir: str | Path, *,
                  pdf: bool = True,
                  warn: Callable[[str], None] | None = None,
                  files: FileSet | None = None,
                  frontier: Frontier | None = None,
                  sensitivity: Sensitivity | None = None) -> list[Path]:
    """Write every report of ``result`` into ``out_dir``, all or nothing.

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
    files
        A set to stage the reports into (the caller commits it); by default
        they are written as a set of their own.
    frontier
        A cost–carbon front (``estate frontier``) to add to the roadmap.
    sensitivity
        What the answer hangs on (``estate sensitivity``), to add to the roadmap.

    Returns
    -------
    list of Path
        The files written (or staged), in the order of :data:`REPORT_FILES`.

    Raises
    ------
    estate.errors.WriteError
        When a report cannot be written: nothing is written then, and the
        message names the file that failed and those not written.
    """
    from reports.contracts import write_contracts
    from reports.migration import write_migration
    from reports.roadmap import print_pdf, write_roadmap

    out = Path(out_dir)
    plan = result.plan
    fs = files if files is not None else FileSet()
    names = list(REPORT_FILES if pdf else REPORT_FILES[:3])
    try:
        fs.stage(out / "contracts.xlsx", lambda p: write_contracts(estate, plan, p),
                 planned=names[1:])
        fs.stage(out / "migration-plan.xlsx", lambda p: write_migration(estate, plan, p),
                 planned=names[2:])
        html = fs.stage(out / "roadmap.html",
                        lambda p: write_roadmap(estate, plan, p, frontier, sensitivity),
                        planned=names[3:])
        written = [out / n for n in REPORT_FILES[:3]]
        if pdf and html is not None:
            printed = fs.stage(out / "roadmap.pdf",
                               lambda p: print_pdf(html, p, warn=warn or _stderr),
                               optional=True)
            if printed is not None:
                written.append(out / "roadmap.pdf")
        if files is None:
            fs.commit()
            _drop_stale_pdf(out, written, warn or _stderr)
    finally:
        if files is None:
            fs.discard()
    return written


def write_outputs(estate: Estate, result: Result, out_dir: str | Path, *,
                  reports: bool = True, pdf: bool = True,
                  warn: Callable[[str], None] | None = None) -> list[Path]:
    """Write ``plan.json`` and (with ``reports``) every report, as one set.

    Returns
    -------
    list of Path
        ``plan.json`` first, then the reports written.

    Raises
    ------
    estate.errors.WriteError
        When any file cannot be written: nothing is written then.
    """
    out = Path(out_dir)
    with FileSet() as fs:
        fs.stage(out / "plan.json", result.plan.write,
                 planned=REPORT_FILES if reports else ())
        if reports:
            write_reports(estate, result, out, pdf=pdf, warn=warn, files=fs)
        written = fs.commit()
    if reports:
        _drop_stale_pdf(out, written, warn or _stderr)
    return written
