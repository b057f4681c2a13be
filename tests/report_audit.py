"""Read every sentence and figure the reports wrote, for the report audits.

:func:`audit` collects what a reader sees -- the roadmap page's text and its
charts' labels and hover texts (the inline plotly.js bundle left out), every
cell of both workbooks, and the PDF's text when there is one -- and lists
what a councillor or procurement officer would call wrong: ``None``,
``nan``, a negative zero pound figure, placeholder text, a site that holds
nothing today shown as exiting, application counts that do not add up, and
in the board paper (HTML and PDF) the tool's own words: command-line flags,
identifiers and setting names (:func:`board_words`).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl

from estate.model import Estate

FORBIDDEN = (
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\bnan\b", re.IGNORECASE), "nan"),
    (re.compile(r"\bundefined\b"), "undefined"),
    (re.compile(r"[-−]\s?£0(?![\d,.])|£\s?[-−]0(?![\d,.])"), "a negative zero pound figure"),
    (re.compile(r"[-−]0\.0 (t|%)"), "a negative zero figure"),
    (re.compile(r"say what|TODO|TBC|lorem|placeholder", re.IGNORECASE), "placeholder text"),
)


def page_text(path: Path) -> str:
    """The roadmap page without the plotly.js bundle, tags removed and
    entities decoded (the charts' JSON, labels and hover texts stay in)."""
    from plotly.offline import get_plotlyjs

    page = path.read_text(encoding="utf-8")
    page = page.replace(get_plotlyjs().replace("</script", "<\\/script"), "")
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def setting_names() -> list[str]:
    """Setting keys of the workbook schema that no board reader would use as a
    word (those with an underscore; ``organisation`` and ``strategy`` are
    plain English)."""
    from inventory.schema import SETTINGS

    return sorted(s.key for s in SETTINGS if "_" in s.key)


def board_words(name: str, text: str) -> list[str]:
    """Words of the tool, not of a board paper, in ``text``: command-line flags
    (``--x``), identifiers (an ``_`` inside a word) and setting names."""
    pats = ((re.compile(r"--\w"), "a command-line flag"),
            (re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]"), "an identifier (_ inside a word)"),
            (re.compile(r"\b(" + "|".join(setting_names()) + r")\b"), "a setting name"))
    out = []
    for pattern, what in pats:
        for m in pattern.finditer(text):
            around = text[max(0, m.start() - 60):m.end() + 60].replace("\n", " ")
            out.append(f"{name}: {what}: …{around}…")
    return out


def visible_text(path: Path) -> str:
    """The roadmap page as read: tags, scripts (chart data) and styles removed."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def workbook_text(path: Path) -> tuple[str, list[str]]:
    """All text cells of a workbook, and the money cells that show as £-0."""
    words, bad = [], []
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    words.append(c.value)
                elif isinstance(c.value, float) and "£" in (c.number_format or "") \
                        and c.value < 0 and round(c.value) == 0:
                    bad.append(f"{path.name} {ws.title}!{c.coordinate} = {c.value}")
    return "\n".join(words), bad


def pdf_text(path: Path) -> str | None:
    """The PDF's text (``pdftotext -layout``), or ``None`` without the PDF or poppler."""
    if not path.exists() or shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def counts(path: Path) -> dict[str, int]:
    """The headline's application counts (``data-`` attributes of the card)."""
    m = re.search(r'id="app-counts"([^>]*)>', path.read_text(encoding="utf-8"))
    return {} if m is None else {k: int(v) for k, v in
                                 re.findall(r'data-(\w+)="(\d+)"', m.group(1))}


def empty_sites(estate: Estate) -> list[str]:
    """Sites that hold nothing today (a target only: nothing to exit)."""
    used = {s.site_id for s in estate.servers}
    return [s.site_id for s in estate.sites if s.site_id not in used]


def audit(out: Path, estate: Estate) -> list[str]:
    """Everything wrong a reader would find in the reports in ``out``."""
    problems: list[str] = []
    texts = {"roadmap.html": page_text(out / "roadmap.html")}
    for name in ("contracts.xlsx", "migration-plan.xlsx"):
        texts[name], bad = workbook_text(out / name)
        problems += bad
    pdf = pdf_text(out / "roadmap.pdf")
    if pdf is not None:
        texts["roadmap.pdf"] = pdf
    for name, text in texts.items():
        for pattern, what in FORBIDDEN:
            for m in pattern.finditer(text):
                around = text[max(0, m.start() - 60):m.end() + 60].replace("\n", " ")
                problems.append(f"{name}: {what}: …{around}…")
        for site in empty_sites(estate):
            if re.search(rf"\b{re.escape(site)}\b[^\n.;]{{0,40}}\bexit", text):
                problems.append(f"{name}: {site} holds nothing today but is shown exiting")
    problems += board_words("roadmap.html", visible_text(out / "roadmap.html"))
    if pdf is not None:
        problems += board_words("roadmap.pdf", pdf)
    sites = openpyxl.load_workbook(out / "migration-plan.xlsx")["Sites"]
    header = [c.value for c in sites[1]]
    for row in sites.iter_rows(min_row=2, values_only=True):
        r = dict(zip(header, row, strict=True))
        if r["Site"] in empty_sites(estate) and r["Exit"] is not None:
            problems.append(f"migration-plan.xlsx Sites: {r['Site']} holds nothing but exits")
    n = counts(out / "roadmap.html")
    parts = sum(n.get(k, 0) for k in ("cloud", "elsewhere", "retired", "stay"))
    if not parts == n.get("total") == len(estate.applications):
        problems.append(f"headline counts {n} do not add up to {len(estate.applications)}")
    return problems
