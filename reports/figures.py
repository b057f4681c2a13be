"""Plotly figures of the board roadmap (Okabe–Ito colours, fixed A4-landscape width).

Text from the inventory is HTML-escaped before it reaches plotly, which reads
a subset of HTML in labels.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from estate.plan import Ledger
from reports.facts import Facts
from reports.xlsx import month_date

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
STRATEGY_COLOURS = {
    "rehost": OKABE_ITO["blue"], "replatform": OKABE_ITO["sky"],
    "refactor": OKABE_ITO["green"], "repurchase": OKABE_ITO["orange"],
    "relocate": OKABE_ITO["purple"], "retire": OKABE_ITO["vermillion"],
    "retain": "#7F7F7F",
}
CARBON_COLOURS = {"onprem_energy": OKABE_ITO["vermillion"],
                  "target_energy": OKABE_ITO["blue"], "embodied": OKABE_ITO["purple"]}
CARBON_NAMES = {"onprem_energy": "On-prem energy", "target_energy": "Target energy",
                "embodied": "Embodied (replacements)"}
WIDTH = 1000
MS_PER_DAY = 86_400_000
MAX_CONTRACT_ROWS = 120


def esc(text: str) -> str:
    """Escape inventory text for a plotly label."""
    return html.escape(text, quote=True)


def _iso(facts: Facts, t: int) -> str:
    d = month_date(facts.label(t))
    assert d is not None
    return d.isoformat()


def _layout(fig: go.Figure, title: str | None, height: int) -> None:
    if title:
        fig.update_layout(title={"text": title, "x": 0.0, "xanchor": "left",
                                 "font": {"size": 15}})
    fig.update_layout(
        width=WIDTH, height=height, template="simple_white",
        margin={"l": 170, "r": 30, "t": 70 if title else 40, "b": 50},
        font={"family": "Arial, Helvetica, sans-serif", "size": 12},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0.0,
                "traceorder": "normal"},
    )


def to_div(fig: go.Figure, div_id: str) -> str:
    """The figure as an HTML ``<div>`` (plotly.js is embedded once by the page)."""
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "displayModeBar": False,
                               "responsive": False})


# -- Gantt -------------------------------------------------------------------

def gantt_lanes(facts: Facts) -> tuple[list[dict[str, Any]], list[tuple[str, int, int]]]:
    """Pack moving applications into lanes per service area.

    Returns
    -------
    bars
        One dict per moving application: app, lane, start, live (indices).
    groups
        (service, first lane, last lane) of each service area, in order.
    """
    by_service: dict[str, list[tuple[int, int, str]]] = {}
    for app in facts.estate.applications:
        s = facts.start_idx.get(app.app_id)
        if s is None:
            continue
        by_service.setdefault(app.service or "Unassigned", []).append(
            (s, facts.live[app.app_id], app.app_id))
    bars: list[dict[str, Any]] = []
    groups = []
    lane0 = 0
    for service in sorted(by_service):
        ends: list[int] = []
        for s, live, app_id in sorted(by_service[service]):
            lane = next((i for i, e in enumerate(ends) if e <= s), None)
            if lane is None:
                lane = len(ends)
                ends.append(live)
            ends[lane] = live
            bars.append({"app": app_id, "lane": lane0 + lane, "start": s, "live": live})
        groups.append((service, lane0, lane0 + len(ends) - 1))
        lane0 += len(ends)
    return bars, groups


def _runs(months: Iterable[int]) -> list[tuple[int, int]]:
    """Merge sorted month indices into (first, last) runs."""
    out: list[tuple[int, int]] = []
    for t in sorted(months):
        if out and out[-1][1] == t - 1:
            out[-1] = (out[-1][0], t)
        else:
            out.append((t, t))
    return out


def gantt_height(lanes: int) -> int:
    """Pixel height of a Gantt of ``lanes`` lanes."""
    return max(260, 110 + 22 * lanes)


def gantt(facts: Facts) -> tuple[go.Figure, int]:
    """The roadmap Gantt and its number of bars (= moving applications)."""
    est = facts.estate
    bars, groups = gantt_lanes(facts)
    lanes = max((b["lane"] for b in bars), default=-1) + 1
    fig = go.Figure()
    shapes: list[dict[str, Any]] = []
    cal = [int(facts.label(t)[5:7]) for t in range(facts.H + 1)]
    freeze = [t for t in range(facts.H) if cal[t] in est.settings.freeze_months]
    for a, b in _runs(freeze):
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": _iso(facts, a),
                       "x1": _iso(facts, b + 1), "y0": 0, "y1": 1, "layer": "below",
                       "fillcolor": "#BBBBBB", "opacity": 0.35, "line": {"width": 0}})
    for service, lo, hi in groups:
        months: set[int] = set()
        for app in est.applications:
            if (app.service or "Unassigned") == service and facts.moves(app.app_id):
                months.update(app.blackout_months)
        black = [t for t in range(facts.H) if cal[t] in months]
        for a, b in _runs(black):
            shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": _iso(facts, a),
                           "x1": _iso(facts, b + 1), "y0": lo - 0.5, "y1": hi + 0.5,
                           "layer": "below", "fillcolor": OKABE_ITO["yellow"],
                           "opacity": 0.45, "line": {"width": 0}})
        if lo > 0:
            shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                           "y0": lo - 0.5, "y1": lo - 0.5,
                           "line": {"color": "#888888", "width": 0.6}})
    annotations = []
    for site in est.sites:
        ex = facts.site_exit.get(site.site_id)
        if site.kind == "cloud" or ex is None or not 0 < ex < facts.H:
            continue
        x = _iso(facts, ex)
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x,
                       "y0": 0, "y1": 1, "line": {"color": OKABE_ITO["black"], "width": 2,
                                                  "dash": "dash"}})
        annotations.append({"x": x, "y": 0, "xref": "x", "yref": "paper", "yanchor": "bottom",
                            "xanchor": "left", "text": f" {esc(site.site_id)} exit",
                            "showarrow": False, "bgcolor": "rgba(255,255,255,0.8)",
                            "font": {"size": 11}})
    by_strategy: dict[str, list[dict[str, Any]]] = {}
    for bar in bars:
        by_strategy.setdefault(facts.app_plan[bar["app"]].strategy, []).append(bar)
    for strategy in sorted(by_strategy, key=lambda s: list(STRATEGY_COLOURS).index(s)
                           if s in STRATEGY_COLOURS else 99):
        rows = by_strategy[strategy]
        hover = []
        for bar in rows:
            app = est.app_by_id[bar["app"]]
            ap = facts.app_plan[bar["app"]]
            hover.append(f"{esc(app.app_id)} {esc(app.name)}<br>{esc(app.service)}<br>"
                         f"{esc(strategy)} → {esc(ap.target_site or 'gone')}<br>"
                         f"{ap.start} → live {ap.live_from}")
        fig.add_trace(go.Bar(
            y=[b["lane"] for b in rows], base=[_iso(facts, b["start"]) for b in rows],
            x=[(month_date(facts.label(b["live"])) - month_date(facts.label(b["start"])))
               .days * MS_PER_DAY for b in rows],
            orientation="h", name=strategy, marker_color=STRATEGY_COLOURS.get(strategy),
            text=[esc(b["app"]) for b in rows], textposition="inside",
            insidetextanchor="start", textfont={"size": 9}, hovertext=hover,
            hoverinfo="text", width=0.8))
    fig.add_trace(go.Scatter(
        x=[_iso(facts, b["live"]) for b in bars], y=[b["lane"] for b in bars],
        mode="markers", name="live from", hoverinfo="skip",
        marker={"symbol": "diamond", "size": 7, "color": OKABE_ITO["black"]}))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="freeze month",
                             marker={"symbol": "square", "size": 12, "color": "#BBBBBB"}))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="blackout (service)",
                             marker={"symbol": "square", "size": 12,
                                     "color": OKABE_ITO["yellow"]}))
    _layout(fig, None, gantt_height(lanes))
    fig.update_layout(barmode="overlay", shapes=shapes, annotations=annotations,
                      uniformtext={"minsize": 8, "mode": "hide"})
    fig.update_xaxes(type="date", range=[_iso(facts, 0), _iso(facts, facts.H)],
                     showgrid=True, dtick="M3", tickformat="%b %Y", ticks="outside")
    fig.update_yaxes(
        tickvals=[(lo + hi) / 2 for _, lo, hi in groups],
        ticktext=[esc(s) for s, _, _ in groups], autorange=False,
        range=[lanes - 0.5, -0.5], showgrid=False, ticks="")
    return fig, len(bars)


# -- cumulative curves -------------------------------------------------------

def _cumulative(facts: Facts, ledger: Ledger, carbon: bool) -> list[float]:
    total, out = 0.0, []
    for t in range(facts.H):
        total += ledger.carbon_at(t) / 1000 if carbon else ledger.cost_at(t) / 1e6
        out.append(total)
    return out


def cumulative(facts: Facts) -> go.Figure:
    """Cumulative cash cost (£m) and tonnes CO2e: plan, baseline and greedy."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Cumulative cost (£ million)",
                                        "Cumulative carbon (t CO2e)"))
    x = [_iso(facts, t) for t in range(facts.H)]
    series = (("Plan", facts.plan.ledger, OKABE_ITO["blue"], "solid"),
              ("Do nothing (baseline)", facts.plan.baseline_ledger, OKABE_ITO["black"], "dash"),
              ("Greedy", facts.plan.greedy_ledger, OKABE_ITO["orange"], "dot"))
    for name, ledger, colour, dash in series:
        if ledger is None or not ledger.cost:
            continue
        for col, carbon in ((1, False), (2, True)):
            fig.add_trace(go.Scatter(
                x=x, y=_cumulative(facts, ledger, carbon), name=name, mode="lines",
                line={"color": colour, "dash": dash, "width": 2.5}, legendgroup=name,
                showlegend=col == 1), row=1, col=col)
    _layout(fig, None, 420)
    fig.update_layout(margin={"l": 60, "r": 30, "t": 40, "b": 90},
                      legend={"yanchor": "top", "y": -0.12})
    fig.update_xaxes(type="date", tickformat="%b %Y")
    return fig


# -- contracts ---------------------------------------------------------------

def contract_timeline(facts: Facts) -> tuple[go.Figure, int]:
    """Contract terms within the horizon with notice dates, renewals and ends."""
    chosen = []
    for c in facts.estate.contracts:
        cp = facts.contract_plan.get(c.contract_id)
        if cp is not None:
            key = (cp.decision != "end", cp.notice_by or "9999-12", c.contract_id)
            chosen.append((key, c, cp))
    chosen.sort(key=lambda r: r[0])
    shown = chosen[:MAX_CONTRACT_ROWS]
    fig = go.Figure()
    labels = [esc(f"{c.contract_id} {c.supplier}"[:34]) for _, c, _ in shown]
    for decision, colour in (("end", OKABE_ITO["orange"]), ("keep", OKABE_ITO["sky"])):
        rows = [(lab, c, cp) for lab, (_, c, cp) in zip(labels, shown, strict=True)
                if cp.decision == decision]
        if not rows:
            continue
        base, width = [], []
        for _, c, _cp in rows:
            b = facts.idx(c.start_date[:7]) if c.start_date else 0
            lo, hi = max(b, 0), min(facts.paid_through(c) + 1, facts.H)
            hi = max(hi, lo)
            base.append(_iso(facts, lo))
            width.append((month_date(facts.label(hi)) - month_date(facts.label(lo)))
                         .days * MS_PER_DAY)
        fig.add_trace(go.Bar(y=[r[0] for r in rows], base=base, x=width, orientation="h",
                             name=f"paid ({decision})", marker_color=colour,
                             hoverinfo="y+name", width=0.6))
    notice = [(lab, cp.notice_by) for lab, (_, _, cp) in zip(labels, shown, strict=True)
              if cp.notice_by is not None]
    fig.add_trace(go.Scatter(
        x=[_iso(facts, facts.idx(n)) for _, n in notice], y=[lab for lab, _ in notice],
        mode="markers", name="notice by", marker={"symbol": "triangle-down", "size": 10,
                                                  "color": OKABE_ITO["vermillion"]}))
    ren_x, ren_y = [], []
    for lab, (_, c, cp) in zip(labels, shown, strict=True):
        for j in range(1, cp.renewals + 1):
            t = facts.end_index(c) + 1 + (j - 1) * c.renewal_term_months
            if 0 <= t < facts.H:
                ren_x.append(_iso(facts, t))
                ren_y.append(lab)
    fig.add_trace(go.Scatter(x=ren_x, y=ren_y, mode="markers", name="renewal starts",
                             marker={"symbol": "line-ns-open", "size": 12,
                                     "color": OKABE_ITO["black"], "line": {"width": 2}}))
    _layout(fig, None, max(260, 110 + 18 * len(shown)))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(type="date", range=[_iso(facts, 0), _iso(facts, facts.H)],
                     showgrid=True, dtick="M3", tickformat="%b %Y")
    fig.update_yaxes(autorange="reversed", type="category")
    return fig, len(shown)


# -- carbon by financial year -------------------------------------------------

def carbon_bars(rows: list[dict[str, Any]]) -> go.Figure:
    """Stacked tonnes CO2e by category per financial year, baseline as markers."""
    fig = go.Figure()
    fys = [r["fy"] for r in rows]
    for cat in CARBON_COLOURS:
        fig.add_trace(go.Bar(x=fys, y=[r["categories"].get(cat, 0.0) for r in rows],
                             name=CARBON_NAMES[cat], marker_color=CARBON_COLOURS[cat]))
    fig.add_trace(go.Scatter(x=fys, y=[r["baseline_t"] for r in rows], mode="markers+lines",
                             name="Do nothing (total)", line={"color": "#000000",
                                                              "dash": "dash"},
                             marker={"symbol": "x", "size": 10}))
    _layout(fig, None, 360)
    fig.update_layout(barmode="stack", margin={"l": 60, "r": 30, "t": 40, "b": 50},
                      yaxis_title="t CO2e")
    fig.update_xaxes(type="category")
    return fig

