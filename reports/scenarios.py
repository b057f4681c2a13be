"""What-if scenarios side by side: ``scenarios.xlsx`` and ``scenarios.html``.

One row a scenario (the base first): its overrides, status, tonnes, cash
and discounted cost, the change against the base, each data centre's exit,
contracts ended, applications moved, first and last go-live, the gap. Every
figure that differs from the base's as shown (rounded as printed) is
highlighted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from estate.files import write_text
from estate.scenario import ScenarioOutcome
from estate.summary import PlanSummary
from reports.xlsx import (
    ATTENTION_FILL,
    MONEY,
    NUMBER,
    NUMBER_1,
    Column,
    month_date,
    new_workbook,
    save,
    write_table,
)

__all__ = ["comparison_rows", "render_scenarios", "write_scenarios_html",
           "write_scenarios_xlsx"]

#: Compared fields: (key, header, number format or None, decimals shown or None).
#: A cell is highlighted only when the figure as shown (rounded to those
#: decimals) differs from the base's.
FIELDS: tuple[tuple[str, str, str | None, int | None], ...] = (
    ("status", "Status", None, None),
    ("tonnes", "t CO2e", NUMBER_1, 1),
    ("cost_discounted", "Discounted cost (£)", MONEY, 0),
    ("cost", "Cash cost (£)", MONEY, 0),
    ("carbon_price", "Carbon price (£/t)", MONEY, 0),
    ("contracts_ended", "Contracts ended", NUMBER, None),
    ("moved", "Applications moved", NUMBER, None),
    ("first_golive", "First go-live", None, None),
    ("last_golive", "Last go-live", None, None),
)


def _overrides_text(o: ScenarioOutcome) -> str:
    ovs = [f"{v.key} = {v.value}" for v in o.scenario.overrides if v.key != "description"]
    return "; ".join(ovs) or "none (the workbook as it is)"


def _differs(a: Any, b: Any, digits: int | None) -> bool:
    """Whether ``a`` and ``b`` differ as shown (numbers rounded to ``digits``)."""
    if digits is not None and isinstance(a, int | float) and isinstance(b, int | float):
        return round(a, digits) != round(b, digits)
    return bool(a != b)


def comparison_rows(outcomes: list[ScenarioOutcome]) -> list[dict[str, Any]]:
    """One row a scenario: values, changes against the first (the base) and
    the set of fields that differ from it."""
    base = outcomes[0].summary if outcomes else PlanSummary(status="")
    centres = list(dict.fromkeys(c for o in outcomes for c in o.summary.exits))
    rows = []
    for i, o in enumerate(outcomes):
        s = o.summary
        values: dict[str, Any] = {k: getattr(s, k) for k, *_ in FIELDS}
        values["gap"] = s.gap
        differ = {k for k, _, _, digits in FIELDS
                  if i > 0 and _differs(values[k], getattr(base, k), digits)}
        exits = {c: s.exits.get(c) if s.has_plan else None for c in centres}
        differ |= {f"exit:{c}" for c in centres
                   if i > 0 and s.has_plan and exits[c] != base.exits.get(c)}
        delta = {k: (getattr(s, k) - getattr(base, k)
                     if getattr(s, k) is not None and getattr(base, k) is not None else None)
                 for k in ("tonnes", "cost_discounted", "cost")}
        rows.append({"name": o.scenario.name, "folder": o.folder,
                     "description": o.scenario.description, "overrides": _overrides_text(o),
                     "values": values, "exits": exits, "centres": centres, "delta": delta,
                     "differ": differ, "is_base": i == 0, "has_plan": s.has_plan})
    return rows


def write_scenarios_xlsx(outcomes: list[ScenarioOutcome], path: str | Path) -> Path:
    """``scenarios.xlsx``: sheet ``scenarios``, one row a scenario; cells that
    differ from the base (first row) are filled orange."""
    rows = comparison_rows(outcomes)
    centres = rows[0]["centres"] if rows else []
    cols = [Column("Scenario"), Column("Overrides"), Column("Description")]
    cols += [Column(h, fmt) for _, h, fmt, _ in FIELDS]
    cols += [Column("Δ t CO2e vs base", NUMBER_1), Column("Δ discounted £ vs base", MONEY),
             Column("Gap (%)", "0.00")]
    cols += [Column(f"{c} exit", "mmm yyyy") for c in centres]
    keys = [None, None, None, *[k for k, *_ in FIELDS], None, None, None,
            *[f"exit:{c}" for c in centres]]
    data = []
    for r in rows:
        v = r["values"]
        line: list[Any] = [r["name"], r["overrides"], r["description"]]
        line += [month_date(v[k]) if k in ("first_golive", "last_golive") else v[k]
                 for k, *_ in FIELDS]
        line += [r["delta"]["tonnes"], r["delta"]["cost_discounted"],
                 None if v["gap"] is None else 100 * v["gap"]]
        line += [month_date(r["exits"][c]) if r["exits"][c] else
                 ("stays open" if r["has_plan"] else None) for c in centres]
        data.append(line)
    wb = new_workbook()
    ws = wb.create_sheet("scenarios")
    write_table(ws, cols, data)
    for i, r in enumerate(rows, start=2):
        for j, key in enumerate(keys, start=1):
            if key is not None and key in r["differ"]:
                ws.cell(row=i, column=j).fill = ATTENTION_FILL
    return save(wb, path)


def render_scenarios(outcomes: list[ScenarioOutcome]) -> str:
    """``scenarios.html`` as one string (no script, nothing fetched)."""
    from reports.roadmap import environment

    rows = comparison_rows(outcomes)
    return environment().get_template("scenarios.html.j2").render(
        rows=rows, fields=FIELDS, centres=rows[0]["centres"] if rows else [])


def write_scenarios_html(outcomes: list[ScenarioOutcome], path: str | Path) -> Path:
    """Write ``scenarios.html`` atomically."""
    return write_text(path, render_scenarios(outcomes))
