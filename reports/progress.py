"""The progress report for scrutiny: ``progress.xlsx``, ``progress.html``
(and ``progress.pdf`` printed by headless Chromium like the roadmap).

Reads a :class:`estate.progress.Progress` (plain objects, computed by
:func:`estate.progress.progress`): the strategy's KPIs, each quarter and
financial year planned against actual, and every application's move.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from estate.files import write_text
from estate.progress import Period, Progress
from reports.xlsx import (
    ATTENTION_FILL,
    BAD_FILL,
    MONEY,
    NUMBER,
    NUMBER_1,
    Column,
    month_date,
    new_workbook,
    save,
    write_table,
)

__all__ = ["PROGRESS_FILES", "render_progress", "write_progress"]

PROGRESS_FILES = ("progress.xlsx", "progress.html", "progress.pdf")

#: Period columns: (attribute, header, number format).
PERIOD_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("moves_planned", "Moves planned", NUMBER), ("moves_done", "Moves made", NUMBER),
    ("on_time", "On time", NUMBER), ("early", "Early", NUMBER), ("late", "Late", NUMBER),
    ("servers_planned", "Servers off planned", NUMBER),
    ("servers_done", "Servers off", NUMBER),
    ("kw_planned", "kW off planned", NUMBER_1), ("kw_done", "kW off", NUMBER_1),
    ("contracts_planned", "Contracts ending planned", NUMBER),
    ("contract_value_planned", "Their value planned (£/yr)", MONEY),
    ("contracts_done", "Contracts ended or cut", NUMBER),
    ("contract_value_done", "Saved (£/yr)", MONEY),
    ("one_off_planned", "One-off planned (£)", MONEY),
    ("one_off_done", "One-off spent (£)", MONEY), ("budget", "One-off budget (£)", MONEY),
    ("cost_planned", "Cash cost planned (£)", MONEY),
    ("cost_done", "Cash cost as happened (£)", MONEY),
    ("cost_staying", "Cash cost staying (£)", MONEY),
    ("tonnes_planned", "t CO2e planned", NUMBER_1),
    ("tonnes_done", "t CO2e as happened", NUMBER_1),
    ("tonnes_staying", "t CO2e staying", NUMBER_1),
)


def kpi_rows(p: Progress) -> list[tuple[str, Any, Any, str]]:
    """The strategy's KPIs: (what, planned by today, actual, note)."""
    k = p.kpis
    return [
        ("Savings from contract reduction (£ a year)", k["contract_savings_planned"],
         k["contract_savings_done"], "contracts ended, and cuts in renegotiated values"),
        ("Carbon to date (t CO2e)", k["tonnes_planned"], k["tonnes_done"],
         f"staying as we were: {k['tonnes_staying']:,.1f} t"),
        ("Cash cost to date (£)", k["cost_planned"], k["cost_done"],
         f"staying as we were: £{k['cost_staying']:,.0f}"),
        ("Cloud hosting share (applications in service)", k["cloud_share_planned"],
         k["cloud_share_done"], "share hosted at a cloud site at the start of this month"),
        ("Service continuity (critical moves without freeze or blackout breach)",
         k["critical_moved"], k["critical_without_breach"],
         "planned column: critical applications moved"),
        ("Residents told on time (resident-facing moves)", k["residents_moves"],
         k["residents_told_on_time"], "planned column: resident-facing moves made"),
    ]


def _period_row(x: Period) -> list[Any]:
    return [x.label, month_date(x.first), month_date(x.last),
            *(getattr(x, a) for a, _, _ in PERIOD_COLUMNS),
            ", ".join(x.exits_planned), ", ".join(x.exits_done)]


def write_progress_xlsx(p: Progress, path: str | Path) -> Path:
    """``progress.xlsx``: KPIs, Quarters, Years, Applications (and Contracts:
    notices due before today and contract actuals; History: rules of the
    whole estate the actuals broke before today)."""
    wb = new_workbook()
    ws = wb.create_sheet("KPIs")
    write_table(ws, [Column("KPI", width=60), Column("Planned by today", NUMBER_1),
                     Column("Actual", NUMBER_1), Column("Note", width=60)],
                [list(r) for r in kpi_rows(p)])
    head = [Column("Period"), Column("From", "mmm yyyy"), Column("To", "mmm yyyy"),
            *(Column(h, f) for _, h, f in PERIOD_COLUMNS),
            Column("Exits planned"), Column("Exits made")]
    for name, periods in (("Quarters", p.quarters), ("Years", p.years)):
        write_table(wb.create_sheet(name), head, [_period_row(x) for x in periods])
    fills = [BAD_FILL if a.timing == "overdue" else ATTENTION_FILL if a.timing == "late"
             else None for a in p.applications]
    write_table(wb.create_sheet("Applications"), [
        Column("Application"), Column("Name"), Column("Criticality"),
        Column("Resident-facing"), Column("Planned"), Column("Planned live", "mmm yyyy"),
        Column("Done"), Column("Live", "mmm yyyy"), Column("Timing"),
        Column("One-off planned (£)", MONEY), Column("One-off actual (£)", MONEY),
        Column("Residents"), Column("Service continuity"), Column("Note")],
        [[a.app_id, a.name, a.criticality, "yes" if a.resident_facing else "no", a.planned,
          month_date(a.planned_live), a.actual, month_date(a.actual_live), a.timing,
          a.planned_one_off, a.actual_one_off, a.residents, a.continuity, a.note]
         for a in p.applications], fills)
    if p.contracts:
        write_table(wb.create_sheet("Contracts"), [
            Column("Contract"), Column("Title", width=50), Column("Annual value (£)", MONEY),
            Column("Planned end", "mmm yyyy"), Column("Notice by", "mmm yyyy"),
            Column("What happened"), Column("When", "mmm yyyy"), Column("New value (£)", MONEY),
            Column("Note", width=70)],
            [[c.contract_id, c.title, c.annual_value, month_date(c.planned_end),
              month_date(c.notice_by), c.status, month_date(c.month), c.new_value, c.note]
             for c in p.contracts],
            [ATTENTION_FILL if c.status == "notice passed" else None for c in p.contracts])
    if p.history:
        write_table(wb.create_sheet("History"), [
            Column("Rule"), Column("Month"), Column("What happened", width=90),
            Column("Note", width=30)],
            [[v.rule, v.month or "", v.text, "recorded, not re-decided"] for v in p.history])
    return save(wb, path)


def render_progress(p: Progress, title: str, plan_name: str) -> str:
    """``progress.html`` as one string (no script, nothing fetched)."""
    from reports.roadmap import environment

    breach = [a.app_id for a in p.applications
              if a.continuity and not a.continuity.startswith("no ")]
    shown = [a for a in p.applications
             if a.timing in ("late", "early", "overdue", "unplanned") or a.app_id in breach]
    return environment().get_template("progress.html.j2").render(
        p=p, title=title, plan_name=plan_name, kpis=kpi_rows(p), counts=p.counts(),
        columns=PERIOD_COLUMNS, exceptions=shown)


def write_progress(p: Progress, out_dir: str | Path, *, title: str, plan_name: str,
                   pdf: bool = True, warn: Callable[[str], None] | None = None) -> list[Path]:
    """Write ``progress.xlsx``, ``progress.html`` and (with Chromium) ``progress.pdf``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_progress_xlsx(p, out / "progress.xlsx"),
               write_text(out / "progress.html", render_progress(p, title, plan_name))]
    if pdf:
        from reports.roadmap import print_pdf

        printed = print_pdf(out / "progress.html", out / "progress.pdf", warn=warn)
        if printed is not None:
            written.append(printed)
    return written
