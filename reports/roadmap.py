"""The board roadmap: a self-contained ``roadmap.html`` and its ``roadmap.pdf``.

The page embeds one copy of plotly.js inline (no CDN, nothing fetched at view
time) and is rendered with jinja2 autoescaping, so inventory text never turns
into markup. The PDF is printed by headless Chromium when it is installed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from estate.contracts import rule_words
from estate.files import write_text
from estate.frontier import Frontier, Marker
from estate.model import Estate
from estate.months import overdue
from estate.plan import Plan
from estate.sensitivity import Sensitivity
from reports import board, figures
from reports.cloud_terms import cloud_pricing_words
from reports.contracts import SOON_MONTHS, decision_text
from reports.facts import Facts, plain_words, status_words
from reports.risks import risks

TEMPLATES = Path(__file__).parent / "templates"
PDF_TIMEOUT_SECONDS = 120
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec")


def _money(v: float | None) -> str:
    if v is None:
        return "–"
    return f"−£{-v:,.0f}" if round(v) < 0 else f"£{abs(round(v)):,.0f}"


def _tonnes(v: float | None) -> str:
    if v is None:
        return "–"
    return f"−{-v:,.1f} t" if round(v, 1) < 0 else f"{abs(round(v, 1)):,.1f} t"


def _change(v: float | None, digits: int, fmt: str) -> str:
    """A plan-minus-baseline figure in words: ``£X extra``, ``£X saving``, or the
    figure alone when it shows as zero (never a bare minus sign)."""
    if v is None:
        return "–"
    r = round(v, digits)
    shown = fmt.format(abs(r))
    return shown if r == 0 else f"{shown} {'extra' if r > 0 else 'saving'}"


def _money_change(v: float | None) -> str:
    """Plan minus baseline in £, with "extra" or "saving"."""
    return _change(v, 0, "£{:,.0f}")


def _tonnes_change(v: float | None) -> str:
    """Plan minus baseline in tonnes CO2e, with "extra" or "saving"."""
    return _change(v, 1, "{:,.1f} t")


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{abs(round(v, 1)):.1f} %"


def _month(label: str | None) -> str:
    if not label:
        return "–"
    return f"{MONTH_NAMES[int(label[5:7]) - 1]} {label[:4]}"


def _date(d: dt.date | None) -> str:
    return "–" if d is None else f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def environment() -> jinja2.Environment:
    """The jinja2 environment of the report templates (autoescaping on)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=_money, tonnes=_tonnes, money_change=_money_change,
                       tonnes_change=_tonnes_change, pct=_pct, month=_month, date=_date,
                       plain=plain_words)
    return env


def _contract_rows(facts: Facts, ending: bool = True) -> list[dict[str, Any]]:
    """Contracts the plan lets end (with their notice), or those that run on
    (``ending`` false), each with its rule (``ends_with``) in words."""
    rows = []
    for c in facts.estate.contracts:
        cp = facts.contract_plan.get(c.contract_id)
        if cp is None or (cp.notice_by is None) == ending:
            continue
        rows.append({"contract_id": c.contract_id, "supplier": c.supplier, "title": c.title,
                     "estimated": c.estimated, "rule": rule_words(c),
                     "annual": c.annual_value, "decision": decision_text(facts, c),
                     "notice_by": cp.notice_by or "", "end": cp.end,
                     "soon": cp.notice_by is not None and facts.idx(cp.notice_by) < SOON_MONTHS,
                     "overdue": cp.notice_by is not None and overdue(cp.notice_by)})
    rows.sort(key=lambda r: (r["notice_by"], r["contract_id"]))
    return rows


def staying_table(estate: Estate) -> dict[str, Any] | None:
    """What staying costs a year, by category, as the resolver estimated it
    (``assumptions.cost_of_staying``); ``None`` when the estate has none."""
    b = estate.assumptions.get("cost_of_staying")
    if not b:
        return None
    labels = b.get("labels", {})
    rows = [{"key": k, "label": labels.get(k, k), "value": v}
            for k, v in b["per_year"].items() if v]
    apart = b.get("apart") or {"contracts": 0.0, "ids": []}
    return {"rows": rows, "total": b["total_per_year"], "servers": b["servers"],
            "per_server": b["per_server_year"], "apart": apart}


def _figures(facts: Facts, ctx: dict[str, Any]) -> None:
    """Pre-rendered figure divs: Gantt and contract pages, cumulative curves, carbon."""
    plan = facts.plan
    ctx["gantt_pages"], ctx["contract_pages"] = [], []
    ctx["figures"] = dict.fromkeys(("cumulative", "carbon"))
    if ctx["has_plan"]:
        for i, (fig, n) in enumerate(figures.gantt_pages(facts)):
            ctx["gantt_pages"].append((Markup(figures.to_div(fig, f"gantt-plot-{i + 1}")), n))
        for i, (fig, n) in enumerate(figures.contract_pages(facts)):
            ctx["contract_pages"].append(
                (Markup(figures.to_div(fig, f"contracts-plot-{i + 1}")), n))
    ctx["gantt_bars"] = sum(n for _, n in ctx["gantt_pages"])
    ctx["contract_rows"] = sum(n for _, n in ctx["contract_pages"])
    if plan.ledger is not None or plan.baseline_ledger is not None:
        ctx["figures"]["cumulative"] = Markup(figures.to_div(figures.cumulative(facts),
                                                             "cumulative-plot"))
        ctx["figures"]["carbon"] = Markup(figures.to_div(figures.carbon_bars(ctx["carbon"]),
                                                         "carbon-plot"))


def context(estate: Estate, plan: Plan, frontier: Frontier | None = None,
            sensitivity: Sensitivity | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain data and pre-rendered figure divs
    (``fr``: the cost–carbon front's section, when a front is given; ``sens``:
    what the answer hangs on, when a sensitivity analysis is given)."""
    facts = Facts(estate, plan)
    has_plan = bool(plan.applications)
    st = estate.settings
    ctx: dict[str, Any] = {
        "title": "IT estate roadmap", "organisation": st.organisation, "subtitle": st.strategy,
        "plan": plan, "status": status_words(plan),
        "horizon": (plan.horizon_start, facts.label(facts.H - 1)), "H": facts.H,
        "source": estate.source, "has_plan": has_plan,
        "weeks": st.resident_notice_weeks,
        "headline": board.headline(facts), "fy": board.by_financial_year(facts),
        "sites": board.site_exits(facts), "contracts": board.contract_summary(facts),
        "servers": board.server_summary(facts), "counts": board.app_counts(facts),
        "n_apps": len(estate.applications), "n_contracts": len(estate.contracts),
    }
    ctx["exceptions"] = board.exceptions(facts) if has_plan else []
    ctx["exception_summary"] = board.exception_summary(ctx["exceptions"])
    ctx["exception_kinds"] = ctx["exception_summary"]["kinds"]
    ctx["residents"] = board.resident_changes(facts) if has_plan else []
    ctx["resident_services"] = board.resident_services(ctx["residents"])
    ctx["carbon"] = board.carbon_by_fy(facts)
    ctx["estimates"] = board.estimate_counts(facts)
    ctx["cloud_pricing"] = cloud_pricing_words(facts)
    ctx["staying"] = staying_table(estate)
    ctx["notices"] = _contract_rows(facts)
    ctx["running_on"] = _contract_rows(facts, ending=False)
    ctx["risks"] = risks(facts)
    ctx["fr"] = _frontier_section(plan, frontier)
    ctx["sens"] = None
    if sensitivity is not None:
        from reports.sensitivity import sensitivity_context

        ctx["sens"] = sensitivity_context(sensitivity)
    _figures(facts, ctx)
    return ctx


def _frontier_section(plan: Plan, frontier: Frontier | None) -> dict[str, Any] | None:
    """The front's section, this plan marked on it (``None`` without a front)."""
    if frontier is None:
        return None
    from reports.frontier import frontier_context

    t = plan.totals
    mark = None if t is None else Marker("this plan", t.co2e_tonnes, t.cost, t.cost_discounted)
    return frontier_context(frontier, mark)


def render(estate: Estate, plan: Plan, frontier: Frontier | None = None,
           sensitivity: Sensitivity | None = None) -> str:
    """The roadmap page as one self-contained HTML string."""
    ctx = context(estate, plan, frontier, sensitivity)
    ctx["plotly_js"] = Markup(get_plotlyjs().replace("</script", "<\\/script"))
    return environment().get_template("roadmap.html.j2").render(**ctx)


def write_roadmap(estate: Estate, plan: Plan, path: str | Path,
                  frontier: Frontier | None = None,
                  sensitivity: Sensitivity | None = None) -> Path:
    """Write ``roadmap.html`` atomically (:func:`estate.files.write_text`).

    Parameters
    ----------
    estate
        The resolved estate.
    plan
        The plan.
    path
        Target file.
    frontier
        A cost–carbon front to add as a section (chart and table).
    sensitivity
        What ``estate sensitivity`` found, to add as a section (tornado chart,
        break-evens, table).

    Returns
    -------
    Path
        The file written.
    """
    return write_text(path, render(estate, plan, frontier, sensitivity))


def chromium() -> str | None:
    """Path of a Chromium/Chrome binary (``ESTATE_CHROMIUM`` overrides), or ``None``."""
    env = os.environ.get("ESTATE_CHROMIUM")
    if env:
        return env if shutil.which(env) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_args(binary: str, profile: str) -> list[str]:
    """Headless, offline, sandbox-free Chromium command line."""
    return [binary, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-extensions",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}"]


def print_pdf(html_path: str | Path, pdf_path: str | Path,
              warn: Callable[[str], None] | None = None,
              timeout: float = PDF_TIMEOUT_SECONDS) -> Path | None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium.

    Returns
    -------
    Path or None
        The PDF, or ``None`` (after calling ``warn``) when Chromium is missing,
        fails or runs past ``timeout`` seconds.
    """
    warn = warn or (lambda m: None)
    binary = chromium()
    if binary is None:
        warn("chromium not found: roadmap.pdf not written (open roadmap.html and print it)")
        return None
    src, out = Path(html_path).resolve(), Path(pdf_path).resolve()
    tmp_pdf = out.with_name(f".tmp-{out.name}")
    with tempfile.TemporaryDirectory(prefix="estate-chromium-") as profile:
        cmd = chromium_args(binary, profile) + [
            "--no-pdf-header-footer", "--virtual-time-budget=15000",
            "--run-all-compositor-stages-before-draw", f"--print-to-pdf={tmp_pdf}",
            src.as_uri()]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (subprocess.TimeoutExpired, OSError) as exc:
            tmp_pdf.unlink(missing_ok=True)
            warn(f"chromium could not print roadmap.pdf ({type(exc).__name__})")
            return None
    if not tmp_pdf.exists() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        warn("chromium did not write roadmap.pdf")
        return None
    os.replace(tmp_pdf, out)
    return out
