"""The cost–carbon front as a workbook and a page: ``frontier.xlsx`` and
``frontier.html`` (self-contained: plotly.js inline, nothing fetched).

The chart puts undiscounted tonnes CO2e across and discounted cost up. Each
point of the front carries a bar down to its proven bound (the least any plan
within that point's carbon could cost); dominated points are drawn hollow,
not hidden; do nothing, the greedy plan and this plan are marked. Clicking a
point shows its summary. A second chart sets the marginal abatement cost of
each step along the front against the appraisal carbon values.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from estate.files import write_text
from estate.frontier import Frontier, FrontierPoint, Marker, verdict
from reports.figures import OKABE_ITO, to_div
from reports.xlsx import (
    MONEY,
    NUMBER,
    NUMBER_1,
    Column,
    new_workbook,
    put,
    save,
    write_table,
)

__all__ = ["abatement_figure", "frontier_figure", "frontier_rows", "render_frontier",
           "write_frontier_html", "write_frontier_xlsx"]

WIDTH = 1000
MARKER_STYLE = {"baseline": ("square", OKABE_ITO["vermillion"]),
                "greedy": ("diamond", OKABE_ITO["orange"]),
                "plan": ("star", OKABE_ITO["green"])}
SERIES_COLOURS = {"low": OKABE_ITO["green"], "central": OKABE_ITO["blue"],
                  "high": OKABE_ITO["vermillion"]}


def _exits(p: FrontierPoint) -> str:
    return "; ".join(f"{sid} {m or 'stays'}" for sid, m in p.summary.exits.items())


def frontier_rows(front: Frontier) -> list[dict[str, Any]]:
    """One row a point, by index: the figures of the table and the workbook."""
    rows = []
    for p in front.points:
        s = p.summary
        note = ("dominated by " + p.dominated_by if p.dominated_by
                else "same plan as " + p.same_as if p.same_as
                else "" if s.has_plan else s.status)
        rows.append({
            "name": p.spec.name, "kind": p.spec.label, "cap": p.spec.cap_tonnes,
            "status": s.status, "tonnes": s.tonnes, "cost": s.cost,
            "cost_discounted": s.cost_discounted, "bound": s.bound, "gap": s.gap,
            "exits": _exits(p), "exit_map": dict(s.exits), "moved": s.moved,
            "applications": s.applications, "contracts_ended": s.contracts_ended,
            "contracts": s.contracts, "mac": p.mac, "mac_from": p.mac_from,
            "verdict": verdict(p.mac, front.carbon_values), "note": note,
            "on_front": p.on_front, "seconds": s.seconds,
        })
    return rows


def _summary_text(r: dict[str, Any]) -> str:
    """The click-to-see summary of a point (HTML-escaped, plotly subset)."""
    if r["tonnes"] is None:
        return html.escape(f"{r['name']}: {r['status']}")
    lines = [f"<b>{html.escape(r['name'])}</b> ({html.escape(r['kind'])}), {r['status']}",
             f"{r['tonnes']:,.1f} t CO2e; discounted £{r['cost_discounted']:,.0f}; "
             f"cash £{r['cost']:,.0f}",
             f"bound £{r['bound']:,.0f} (gap {100 * (r['gap'] or 0):.2f} %)",
             f"{r['moved']} of {r['applications']} applications change; "
             f"{r['contracts_ended']} of {r['contracts']} contracts end",
             "exits: " + html.escape(r["exits"] or "none")]
    if r["mac"] is not None:
        lines.append(f"£{r['mac']:,.0f} per tonne avoided from {html.escape(r['mac_from'])} "
                     f"({html.escape(r['verdict'])})")
    if r["note"]:
        lines.append(html.escape(r["note"]))
    return "<br>".join(lines)


def frontier_figure(front: Frontier, plan: Marker | None = None) -> go.Figure:
    """The front: tonnes across, discounted £ up; bound bars; markers.

    ``plan`` replaces the front's own "this plan" marker (the roadmap marks
    the plan it reports).
    """
    rows = frontier_rows(front)
    fig = go.Figure()
    on = sorted((r for r in rows if r["on_front"]), key=lambda r: r["tonnes"])
    off = [r for r in rows if r["tonnes"] is not None and not r["on_front"]]
    for group, name, symbol in ((on, "front (ε-constraint)", "circle"),
                                (off, "dominated or repeated point", "circle-open")):
        if not group:
            continue
        fig.add_trace(go.Scatter(
            x=[r["tonnes"] for r in group], y=[r["cost_discounted"] for r in group],
            mode="lines+markers+text" if group is on else "markers", name=name,
            text=[r["name"].replace("point-", "") for r in group], textposition="top right",
            line={"color": OKABE_ITO["blue"], "width": 2},
            marker={"symbol": symbol, "size": 11, "color": OKABE_ITO["blue"]
                    if group is on else "#7F7F7F"},
            error_y={"type": "data", "symmetric": False, "array": [0.0] * len(group),
                     "arrayminus": [max(r["cost_discounted"] - (r["bound"] or 0.0), 0.0)
                                    for r in group], "color": "#7F7F7F", "thickness": 1.5,
                     "width": 6},
            customdata=[[r["name"], _summary_text(r)] for r in group],
            hovertemplate="%{customdata[1]}<extra></extra>"))
    markers = [("baseline", front.baseline), ("greedy", front.greedy),
               ("plan", plan if plan is not None else front.plan)]
    for key, m in markers:
        if m is None:
            continue
        symbol, colour = MARKER_STYLE[key]
        text = (f"<b>{html.escape(m.name)}</b><br>{m.tonnes:,.1f} t CO2e; discounted "
                f"£{m.cost_discounted:,.0f}; cash £{m.cost:,.0f}")
        fig.add_trace(go.Scatter(
            x=[m.tonnes], y=[m.cost_discounted], mode="markers", name=html.escape(m.name),
            marker={"symbol": symbol, "size": 14, "color": colour,
                    "line": {"color": "#000", "width": 1}},
            customdata=[[m.name, text]], hovertemplate="%{customdata[1]}<extra></extra>"))
    fig.update_layout(
        width=WIDTH, height=560, template="simple_white",
        title={"text": "Cost against carbon: the least discounted cost for each carbon cap",
               "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        xaxis={"title": "t CO2e over the plan (undiscounted)"},
        yaxis={"title": "Discounted cost over the plan (£)", "tickformat": ",.3s",
               "tickprefix": "£"},
        margin={"l": 110, "r": 30, "t": 70, "b": 60},
        font={"family": "Arial, Helvetica, sans-serif", "size": 12},
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0.0})
    return fig


def abatement_figure(front: Frontier) -> go.Figure | None:
    """Marginal abatement cost of each step along the front against the
    appraisal carbon values (``None`` with fewer than two points on the front)."""
    steps = [p for p in front.front if p.mac is not None]
    if not steps:
        return None
    fig = go.Figure(go.Bar(
        x=[f"{p.mac_from} → {p.spec.name}" for p in steps], y=[p.mac for p in steps],
        marker_color="#A9BCCD", name="£ per tonne avoided",
        hovertemplate="%{x}: £%{y:,.0f} per tonne<extra></extra>"))
    macs = [p.mac for p in steps if p.mac is not None]
    values = list(front.carbon_values.values())
    # costs far above the carbon values: a log axis keeps both readable
    log = bool(values) and min(macs) > 0 and max(macs) > 10 * max(values)
    for i, (series, value) in enumerate(front.carbon_values.items()):
        colour = SERIES_COLOURS.get(series, "#000")
        y = math.log10(value) if log else value  # annotations take log10 on a log axis
        fig.add_shape(type="line", xref="paper", x0=0.0, x1=1.0, yref="y", y0=value, y1=value,
                      line={"color": colour, "dash": "dash", "width": 2}, layer="above",
                      opacity=1.0)
        fig.add_annotation(xref="paper", x=(0.02, 0.5, 0.98)[i % 3],
                           xanchor=("left", "center", "right")[i % 3], yref="y", y=y,
                           yanchor="bottom", showarrow=False, font={"color": colour},
                           bgcolor="rgba(255,255,255,0.85)",
                           text=f"{series} carbon value £{value:,.0f}/t ({front.carbon_year})")
    fig.update_layout(
        width=WIDTH, height=380, template="simple_white",
        title={"text": "What each step along the front costs per tonne avoided",
               "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        yaxis={"title": "£ (discounted) per t CO2e avoided" + (" (log scale)" if log else ""),
               "tickformat": ",.0f", "tickprefix": "£", "type": "log" if log else "linear"},
        margin={"l": 110, "r": 30, "t": 70, "b": 60},
        font={"family": "Arial, Helvetica, sans-serif", "size": 12}, showlegend=False)
    return fig


# -- workbook -----------------------------------------------------------------------
COLUMNS = (
    Column("Point"), Column("What"), Column("Carbon cap (t)", NUMBER_1), Column("Status"),
    Column("t CO2e", NUMBER_1), Column("Discounted cost (£)", MONEY),
    Column("Cash cost (£)", MONEY), Column("Bound (£)", MONEY), Column("Gap (%)", "0.00"),
    Column("Data centre exits"), Column("Applications moved", NUMBER),
    Column("Contracts ended", NUMBER), Column("£ per t avoided (from previous)", MONEY),
    Column("Against the carbon values"), Column("Note"), Column("Solve (s)", NUMBER_1),
)


def write_frontier_xlsx(front: Frontier, path: str | Path) -> Path:
    """``frontier.xlsx``: a row per point (sheet ``frontier``), the markers and
    the carbon values (sheet ``reference``)."""
    wb = new_workbook()
    ws = wb.create_sheet("frontier")
    rows = frontier_rows(front)
    write_table(ws, COLUMNS, [
        [r["name"], r["kind"], r["cap"], r["status"], r["tonnes"], r["cost_discounted"],
         r["cost"], r["bound"], None if r["gap"] is None else 100 * r["gap"], r["exits"],
         r["moved"] if r["tonnes"] is not None else None,
         r["contracts_ended"] if r["tonnes"] is not None else None, r["mac"], r["verdict"],
         r["note"], r["seconds"]] for r in rows])
    ref = wb.create_sheet("reference")
    marks = [m for m in (front.baseline, front.greedy, front.plan) if m is not None]
    write_table(ref, (Column("Compared with"), Column("t CO2e", NUMBER_1),
                      Column("Discounted cost (£)", MONEY), Column("Cash cost (£)", MONEY)),
                [[m.name, m.tonnes, m.cost_discounted, m.cost] for m in marks])
    at = len(marks) + 3
    put(ref, at, 1, f"Appraisal carbon values, {front.carbon_year} (£ per t CO2e)")
    for i, (series, value) in enumerate(front.carbon_values.items(), start=1):
        put(ref, at + i, 1, series)
        put(ref, at + i, 2, value, MONEY)
    return save(wb, path)


# -- page --------------------------------------------------------------------------
def frontier_context(front: Frontier, plan: Marker | None = None) -> dict[str, Any]:
    """What a page shows of the front: rows, figure divs, carbon values."""
    mac = abatement_figure(front)
    return {
        "front": front, "rows": frontier_rows(front),
        "figure": Markup(to_div(frontier_figure(front, plan), "frontier-plot")),
        "abatement": Markup(to_div(mac, "abatement-plot")) if mac is not None else None,
        "values": front.carbon_values, "year": front.carbon_year,
        "dominated": sum(1 for p in front.points if p.dominated_by),
        "on_front": len(front.front),
    }


def render_frontier(front: Frontier) -> str:
    """``frontier.html`` as one self-contained string."""
    from reports.roadmap import environment

    ctx = frontier_context(front)
    ctx["plotly_js"] = Markup(get_plotlyjs().replace("</script", "<\\/script"))
    return environment().get_template("frontier.html.j2").render(**ctx)


def write_frontier_html(front: Frontier, path: str | Path) -> Path:
    """Write ``frontier.html`` atomically."""
    return write_text(path, render_frontier(front))
