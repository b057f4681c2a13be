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

from estate.contracts import renewal_month
from estate.plan import Ledger
from reports.facts import Facts, move_words
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
STRATEGY_NAMES = {"rehost": "rehost", "replatform": "replatform", "refactor": "refactor",
                  "repurchase": "repurchase (SaaS)", "relocate": "relocate", "retire": "retire",
                  "retain": "retain"}
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


# -- paging -----------------------------------------------------------------

#: Pixel height of one row of a Gantt or contract timeline.
ROW_PX = 16
#: Moving applications up to which the Gantt gives each its own named row.
MAX_NAMED_ROWS = 400
#: Left margin of paged charts: room for the row labels, the same on every page
#: so that the time axes line up (a longer label widens it).
LABEL_PX = 280
#: Rows on one printed A4-landscape page (the rest of the page: legend and
#: axes), and on the first page of a section (which also holds its heading).
PAGE_ROWS = 33
FIRST_PAGE_ROWS = 28


def paginate(blocks: list[tuple[str, list[Any]]], page_rows: int = PAGE_ROWS,
             first_rows: int = FIRST_PAGE_ROWS) -> list[list[tuple[str, list[Any], bool]]]:
    """Split titled blocks of rows into pages of at most ``page_rows`` rows
    (``first_rows`` on the first page), breaking between blocks where possible
    (a block's title takes a row).

    Returns pages of ``(title, rows, continued)``; a block longer than a page
    is split, its later parts marked ``continued``.
    """
    pages: list[list[tuple[str, list[Any], bool]]] = [[]]
    used = 0

    def budget() -> int:
        return first_rows if len(pages) == 1 else page_rows

    for title, rows in blocks:
        if used and used + 1 + len(rows) > budget():
            pages.append([])
            used = 0
        rest, continued = list(rows), False
        while rest:
            room = budget() - used - 1
            if room <= 0:
                pages.append([])
                used, room = 0, budget() - 1
            part, rest = rest[:room], rest[room:]
            pages[-1].append((title, part, continued))
            used += 1 + len(part)
            continued = True
    return [p for p in pages if p]


def _time_axis(fig: go.Figure, facts: Facts) -> None:
    """Months of the plan on the x axis, labelled below and above the bars."""
    fig.update_xaxes(type="date", range=[_iso(facts, 0), _iso(facts, facts.H)],
                     showgrid=True, dtick="M3", tickformat="%b<br>%Y", ticks="outside",
                     tickangle=0, showline=True)
    fig.update_layout(xaxis2={"overlaying": "x", "side": "top", "matches": "x",
                              "type": "date", "dtick": "M3", "tickformat": "%b<br>%Y",
                              "ticks": "outside", "showgrid": False, "tickangle": 0},
                      legend={"orientation": "h", "yref": "container", "y": 1.0,
                              "yanchor": "top", "x": 0.0, "xanchor": "left"})
    fig.add_trace(go.Scatter(x=[_iso(facts, 0), _iso(facts, facts.H)], y=[None, None],
                             xaxis="x2", mode="markers", showlegend=False, hoverinfo="skip"))


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


# -- Gantt -------------------------------------------------------------------

def gantt_blocks(facts: Facts) -> list[tuple[str, list[list[str]]]]:
    """Rows of moving applications by service area (areas by name; within an
    area by start, live-from month and id): ``(service, [[app_id, …], …])``.

    Up to :data:`MAX_NAMED_ROWS` moving applications, each has its own row (and
    its name on the axis); beyond, the applications of a service area are
    packed into as few rows as hold them without overlap (ids on the bars,
    names in the hover text and in migration-plan.xlsx).
    """
    by_service: dict[str, list[tuple[int, int, str]]] = {}
    for app in facts.estate.applications:
        s = facts.start_idx.get(app.app_id)
        if s is not None:
            by_service.setdefault(app.service or "Unassigned", []).append(
                (s, facts.live[app.app_id], app.app_id))
    packed = not named_rows(facts)
    out = []
    for svc, bars in sorted(by_service.items()):
        if not packed:
            out.append((svc, [[a] for _, _, a in sorted(bars)]))
            continue
        rows: list[list[str]] = []
        ends: list[int] = []
        for s, live, a in sorted(bars):
            i = next((k for k, e in enumerate(ends) if e <= s), None)
            if i is None:
                rows.append([])
                ends.append(0)
                i = len(rows) - 1
            rows[i].append(a)
            ends[i] = live
        out.append((svc, rows))
    return out


def named_rows(facts: Facts) -> bool:
    """Whether the Gantt gives each moving application its own named row."""
    return len(facts.start_idx) <= MAX_NAMED_ROWS


def gantt_pages(facts: Facts) -> list[tuple[go.Figure, int]]:
    """The roadmap Gantt, one figure per printed page, each with its own time
    axis; pages break between service areas. One row per moving application,
    labelled with its name and id (packed rows for very large plans, see
    :func:`gantt_blocks`). Returns ``(figure, bars)`` per page."""
    named = named_rows(facts)
    return [(_gantt_page(facts, page, named),
             sum(len(row) for _, rows, _ in page for row in rows))
            for page in paginate(gantt_blocks(facts))]


def _gantt_rows(facts: Facts, page: list[tuple[str, list[list[str]], bool]], named: bool
                ) -> tuple[list[tuple[int, str]], list[tuple[str, int, int]], dict[str, int]]:
    """Row positions of one page: (row, label) ticks, (service, first, last)
    application rows per block, and the row of each application."""
    est = facts.estate
    ticks: list[tuple[int, str]] = []
    blocks: list[tuple[str, int, int]] = []
    row_of: dict[str, int] = {}
    row = 0
    for service, rows, continued in page:
        title = esc(service) + (" (continued)" if continued else "")
        ticks.append((row, f"<b>{title}</b>"))
        row += 1
        blocks.append((service, row, row + len(rows) - 1))
        for ids in rows:
            if named:
                name = est.app_by_id[ids[0]].name
                ticks.append((row, f"{esc(_short(name, 40))} · {esc(ids[0])}"))
            row_of.update(dict.fromkeys(ids, row))
            row += 1
    return ticks, blocks, row_of


def _gantt_shapes(facts: Facts, blocks: list[tuple[str, int, int]]
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Freeze bands, blackout bands per service block and site-exit lines."""
    est = facts.estate
    shapes: list[dict[str, Any]] = []
    cal = [int(facts.label(t)[5:7]) for t in range(facts.H + 1)]
    freeze = [t for t in range(facts.H) if cal[t] in est.settings.freeze_months]
    for a, b in _runs(freeze):
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": _iso(facts, a),
                       "x1": _iso(facts, b + 1), "y0": 0, "y1": 1, "layer": "below",
                       "fillcolor": "#BBBBBB", "opacity": 0.35, "line": {"width": 0}})
    for service, lo, hi in blocks:
        months: set[int] = set()
        for app in est.applications:
            if (app.service or "Unassigned") == service and facts.moves(app.app_id):
                months.update(app.blackout_months)
        for a, b in _runs([t for t in range(facts.H) if cal[t] in months]):
            shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": _iso(facts, a),
                           "x1": _iso(facts, b + 1), "y0": lo - 0.5, "y1": hi + 0.5,
                           "layer": "below", "fillcolor": OKABE_ITO["yellow"],
                           "opacity": 0.45, "line": {"width": 0}})
        shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                       "y0": lo - 1.5, "y1": lo - 1.5,
                       "line": {"color": "#888888", "width": 0.6}})
    exits: dict[int, list[str]] = {}
    for site in est.sites:
        ex = facts.exit_of(site.site_id)
        if site.kind != "cloud" and ex is not None and 0 < ex < facts.H:
            exits.setdefault(ex, []).append(site.site_id)
    annotations = []
    for k, (ex, ids) in enumerate(sorted(exits.items())):
        x = _iso(facts, ex)
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x,
                       "y0": 0, "y1": 1, "line": {"color": OKABE_ITO["black"], "width": 2,
                                                  "dash": "dash"}})
        annotations.append({"x": x, "y": 0 if k % 2 == 0 else 1, "xref": "x", "yref": "paper",
                            "yanchor": "bottom" if k % 2 == 0 else "top",
                            "xanchor": "left", "text": f" {esc(', '.join(ids))} exit",
                            "showarrow": False, "bgcolor": "rgba(255,255,255,0.8)",
                            "font": {"size": 11}})
    return shapes, annotations


def _bar_hover(facts: Facts, app_id: str) -> str:
    app, ap = facts.estate.app_by_id[app_id], facts.app_plan[app_id]
    return (f"{esc(app.app_id)} {esc(app.name)}<br>{esc(app.service or 'Unassigned')}<br>"
            f"{esc(move_words(ap.strategy, ap.target_site))}<br>"
            f"starts {_month_words(ap.start)}, goes live in "
            f"{_month_words(facts.golive(app_id))}")


def _gantt_page(facts: Facts, page: list[tuple[str, list[list[str]], bool]],
                named: bool) -> go.Figure:
    ticks, blocks, row_of = _gantt_rows(facts, page, named)
    ids = list(row_of)
    fig = go.Figure()
    by_strategy: dict[str, list[str]] = {}
    for a in ids:
        by_strategy.setdefault(facts.app_plan[a].strategy, []).append(a)
    for strategy in STRATEGY_COLOURS:
        rows = by_strategy.get(strategy, [])
        if not rows:
            continue
        fig.add_trace(go.Bar(
            y=[row_of[a] for a in rows], base=[_iso(facts, facts.start_idx[a]) for a in rows],
            x=[(month_date(facts.label(facts.live[a]))
                - month_date(facts.label(facts.start_idx[a]))).days * MS_PER_DAY
               for a in rows],
            orientation="h", name=STRATEGY_NAMES[strategy],
            marker_color=STRATEGY_COLOURS[strategy], hovertext=[_bar_hover(facts, a)
                                                               for a in rows],
            hoverinfo="text", width=0.7, text=None if named else [esc(a) for a in rows],
            textposition="inside", insidetextanchor="start", textfont={"size": 9}))
    fig.add_trace(go.Scatter(
        x=[_iso(facts, facts.live[a]) for a in ids], y=[row_of[a] for a in ids],
        mode="markers", name="goes live (end of month)", hoverinfo="skip",
        marker={"symbol": "diamond", "size": 6, "color": OKABE_ITO["black"]}))
    for name, colour in (("freeze month", "#BBBBBB"), ("blackout (service)",
                                                        OKABE_ITO["yellow"])):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name,
                                 marker={"symbol": "square", "size": 12, "color": colour}))
    shapes, annotations = _gantt_shapes(facts, blocks)
    n_rows = max([r for r, _ in ticks] + list(row_of.values())) + 1
    _layout(fig, None, page_height(n_rows))
    fig.update_layout(barmode="overlay", shapes=shapes, annotations=annotations,
                      margin={"l": LABEL_PX, "r": 20, "t": 105, "b": 55},
                      uniformtext={"minsize": 8, "mode": "hide"})
    _time_axis(fig, facts)
    fig.update_yaxes(tickvals=[r for r, _ in ticks], ticktext=[t for _, t in ticks],
                     autorange=False, range=[n_rows - 0.5, -0.5], showgrid=False, ticks="",
                     automargin=True, tickfont={"size": 10})
    return fig


def page_height(rows: int) -> int:
    """Pixel height of a paged chart of ``rows`` rows (legend and both axes included)."""
    return 160 + ROW_PX * max(rows, 4)


def _runs(months: Iterable[int]) -> list[tuple[int, int]]:
    """Merge sorted month indices into (first, last) runs."""
    out: list[tuple[int, int]] = []
    for t in sorted(months):
        if out and out[-1][1] == t - 1:
            out[-1] = (out[-1][0], t)
        else:
            out.append((t, t))
    return out


def _month_words(label: str | None) -> str:
    d = month_date(label)
    return "–" if d is None else d.strftime("%b %Y")


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

def contract_rows(facts: Facts) -> list[tuple[Any, Any]]:
    """(contract, plan row) of the contracts drawn: those ending first (by
    notice date), then those kept; at most :data:`MAX_CONTRACT_ROWS`."""
    chosen = []
    for c in facts.estate.contracts:
        cp = facts.contract_plan.get(c.contract_id)
        if cp is not None:
            chosen.append(((cp.decision != "end", cp.notice_by or "9999-12", c.contract_id),
                           c, cp))
    chosen.sort(key=lambda r: r[0])
    return [(c, cp) for _, c, cp in chosen[:MAX_CONTRACT_ROWS]]


def contract_pages(facts: Facts) -> list[tuple[go.Figure, int]]:
    """Contract terms within the horizon with notice dates, renewals and ends:
    one figure per printed page, each with its own time axis, contracts
    labelled with id and supplier in full. Returns ``(figure, rows)`` per page."""
    rows = contract_rows(facts)
    blocks = [("Contracts the plan lets end", [r for r in rows if r[1].decision == "end"]),
              ("Contracts kept to the end of the plan",
               [r for r in rows if r[1].decision != "end"])]
    pages = paginate([b for b in blocks if b[1]], PAGE_ROWS)
    return [(_contract_page(facts, page), sum(len(r) for _, r, _ in page)) for page in pages]


def _contract_page(facts: Facts, page: list[tuple[str, list[Any], bool]]) -> go.Figure:
    ticks: list[tuple[int, str]] = []
    placed: list[tuple[int, Any, Any]] = []
    row = 0
    for title, items, continued in page:
        ticks.append((row, f"<b>{esc(title)}{' (continued)' if continued else ''}</b>"))
        row += 1
        for c, cp in items:
            ticks.append((row, esc(f"{c.contract_id} {c.supplier}".strip())))
            placed.append((row, c, cp))
            row += 1
    fig = go.Figure()
    for decision, colour in (("end", OKABE_ITO["orange"]), ("keep", OKABE_ITO["sky"])):
        mine = [(r, c) for r, c, cp in placed if cp.decision == decision]
        if not mine:
            continue
        base, width = [], []
        for _, c in mine:
            b = facts.idx(c.start_date[:7]) if c.start_date else 0
            lo, hi = max(b, 0), min(facts.paid_through(c) + 1, facts.H)
            hi = max(hi, lo)
            base.append(_iso(facts, lo))
            width.append((month_date(facts.label(hi)) - month_date(facts.label(lo)))
                         .days * MS_PER_DAY)
        fig.add_trace(go.Bar(
            y=[r for r, _ in mine], base=base, x=width, orientation="h",
            name=f"paid ({decision})", marker_color=colour, width=0.6, hoverinfo="text",
            hovertext=[esc(f"{c.contract_id} {c.supplier}: {c.title}") for _, c in mine]))
    notice = [(r, cp.notice_by) for r, _, cp in placed if cp.notice_by is not None]
    fig.add_trace(go.Scatter(
        x=[_iso(facts, facts.idx(n)) for _, n in notice], y=[r for r, _ in notice],
        mode="markers", name="notice by", marker={"symbol": "triangle-down", "size": 10,
                                                  "color": OKABE_ITO["vermillion"]}))
    ren_x, ren_y = [], []
    for r, c, _cp in placed:
        ct = facts.terms(c)
        for j in range(1, ct.k + 1):
            t = renewal_month(ct.m, ct.T, j)
            if 0 <= t < facts.H:
                ren_x.append(_iso(facts, t))
                ren_y.append(r)
    fig.add_trace(go.Scatter(x=ren_x, y=ren_y, mode="markers", name="renewal starts",
                             marker={"symbol": "line-ns-open", "size": 12,
                                     "color": OKABE_ITO["black"], "line": {"width": 2}}))
    _layout(fig, None, page_height(row))
    fig.update_layout(barmode="overlay", margin={"l": LABEL_PX, "r": 20, "t": 105, "b": 55})
    _time_axis(fig, facts)
    fig.update_yaxes(tickvals=[r for r, _ in ticks], ticktext=[t for _, t in ticks],
                     autorange=False, range=[row - 0.5, -0.5], showgrid=False, ticks="",
                     automargin=True, tickfont={"size": 10})
    return fig


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

