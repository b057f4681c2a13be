"""What the answer hangs on: ``sensitivity.xlsx`` and the tornado chart.

Functions of the effects (:class:`estate.sensitivity.Effect`) -> file; tests
read the files back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from estate.files import write_text
from estate.sensitivity import Effect, Sensitivity
from reports.xlsx import MONEY, NUMBER, Column, new_workbook, save, write_table

__all__ = ["sensitivity_context", "tornado_figure", "write_sensitivity_xlsx",
           "write_tornado_html"]

COLUMNS = [Column("Assumption"), Column("Low case"), Column("High case"),
           Column("NPV against staying, low (£)", MONEY),
           Column("NPV against staying, high (£)", MONEY),
           Column("Change from the base, low (£)", MONEY),
           Column("Change from the base, high (£)", MONEY),
           Column("Applications moved, low", NUMBER), Column("Applications moved, high", NUMBER),
           Column("Changes decisions"), Column("Range from")]


def _change(v: float | None, base: float) -> float | None:
    return None if v is None else v - base


def _rows(effects: list[Effect]) -> list[list[Any]]:
    rows = []
    for e in sorted(effects, key=lambda e: -e.swing):
        a = e.assumption
        rows.append([a.words, a.low_words, a.high_words, e.npv[0], e.npv[1],
                     _change(e.npv[0], e.base_npv), _change(e.npv[1], e.base_npv),
                     e.moved[0], e.moved[1], "yes" if e.flips else "no", a.source])
    return rows


def write_sensitivity_xlsx(effects: list[Effect], path: str | Path) -> Path:
    """``sensitivity.xlsx``: sheet ``sensitivity``, the assumption that moves the
    NPV against staying most first; a first row gives the base."""
    wb = new_workbook()
    ws = wb.create_sheet("sensitivity")
    base = effects[0] if effects else None
    rows = _rows(effects)
    if base is not None:
        rows.insert(0, ["base (the workbook as it is)", "", "", base.base_npv, base.base_npv,
                        0.0, 0.0, base.base_moved, base.base_moved, "", ""])
    write_table(ws, COLUMNS, rows)
    return save(wb, path)


def tornado_figure(effects: list[Effect]) -> go.Figure:
    """Horizontal bars: each assumption's change of NPV against staying from the
    base, low case and high case, the largest swing on top."""
    ranked = sorted(effects, key=lambda e: e.swing)
    names = [e.assumption.words for e in ranked]
    fig = go.Figure()
    for i, (case, colour) in enumerate((("low", "#0072B2"), ("high", "#E69F00"))):
        fig.add_trace(go.Bar(
            y=names, orientation="h", name=f"{case} case", marker_color=colour,
            x=[_change(e.npv[i], e.base_npv) for e in ranked],
            hovertext=[f"{e.assumption.low_words if i == 0 else e.assumption.high_words}: "
                       f"{'' if e.moved[i] is None else e.moved[i]} applications moved"
                       for e in ranked], hoverinfo="text+x"))
    base = ranked[0].base_npv if ranked else 0.0
    fig.update_layout(
        barmode="overlay", height=120 + 40 * len(ranked), width=1000,
        title=f"What the answer hangs on: change of the plan's NPV against staying "
              f"(base £{base:,.0f}, discounted)",
        xaxis_title="£ change from the base (right: the plan saves more against staying; "
                    "left: less)",
        margin={"l": 320, "r": 20, "t": 60, "b": 50}, template="plotly_white")
    return fig


def write_tornado_html(effects: list[Effect], path: str | Path) -> Path:
    """``tornado.html``: the chart, self-contained (plotly.js inline)."""
    return write_text(path, tornado_figure(effects).to_html(include_plotlyjs=True,
                                                            full_html=True))


def sensitivity_context(s: Sensitivity) -> dict[str, Any]:
    """The roadmap's section "What the answer hangs on": the tornado chart (a
    ``<div>``; the page embeds plotly.js once), a row an assumption (largest
    swing first) and each break-even in plain words."""
    from markupsafe import Markup

    from reports.figures import to_div

    effects = sorted(s.effects, key=lambda e: -e.swing)
    rows = [{"assumption": e.assumption.words, "low": e.assumption.low_words,
             "high": e.assumption.high_words,
             "change_low": _change(e.npv[0], e.base_npv),
             "change_high": _change(e.npv[1], e.base_npv),
             "moved_low": e.moved[0], "moved_high": e.moved[1], "flips": e.flips}
            for e in effects]
    return {"rows": rows,
            "base_npv": effects[0].base_npv if effects else None,
            "base_moved": effects[0].base_moved if effects else None,
            "figure": Markup(to_div(tornado_figure(list(effects)), "tornado-plot"))
            if effects else None,
            # the largest change of decisions first
            "break_evens": [b.words() for b in sorted(s.break_evens, key=lambda b: -b.more)]}
