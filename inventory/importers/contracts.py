"""A council contract register (Local Government Transparency Code) -> contracts.

Column names vary by council, so each field is found by common spellings
(case, spaces and punctuation ignored) and ``--map "column=field"`` fixes the
rest. Money like ``£1,200,000.00`` and dates like ``31/03/2026``,
``2026-03-31`` or ``31-Mar-2026`` are read. ``annual_value`` is the annual
column when there is one, else the life value divided by the term in years.
Only ICT contracts are kept: a CPV code starting 48, 72, 30, 32 or 50.3, or an
ICT word in the title, description or category; the rest are counted as
``non_ict`` (``--all`` keeps every contract).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from inventory.importers.common import (
    ImportContext,
    ImportResult,
    make_id,
    parse_date_text,
    parse_number,
    read_single,
)

FIELDS: dict[str, tuple[str, ...]] = {
    "reference": ("Contract Reference", "Reference Number", "Reference", "Contract Ref",
                  "Contract Reference Number", "Contract ID", "Contract Number", "Ref",
                  "Unique Reference", "Contract Code", "ID"),
    "title": ("Title", "Contract Title", "Contract Name", "Title of Agreement", "Subject",
              "Name"),
    "department": ("Department", "Service Area", "Directorate", "Responsible Department",
                   "Department Responsible", "Service"),
    "description": ("Description", "Contract Description", "Description of Goods and Services",
                    "Description of Goods or Services", "Details"),
    "supplier": ("Supplier Name", "Supplier", "Contractor", "Contractor Name", "Vendor",
                 "Provider", "Supplier Names"),
    "life_value": ("Total Value", "Total Contract Value", "Contract Value", "Value",
                   "Value of Contract", "Estimated Value", "Value over life", "Lifetime Value",
                   "Whole Life Value", "Estimated Total Value", "Total Estimated Value"),
    "annual_value": ("Annual Value", "Estimated Annual Value", "Value per Annum",
                     "Annual Contract Value", "Yearly Value", "Annual Spend", "Value pa"),
    "start": ("Start Date", "Contract Start Date", "Start", "Commencement Date",
              "Effective Date", "Date Awarded"),
    "end": ("End Date", "Contract End Date", "End", "Expiry Date", "Contract Expiry Date",
            "Expiry", "Contract End"),
    "review": ("Review Date", "Contract Review Date", "Date of Review"),
    "cpv": ("CPV Code", "CPV", "CPV Codes", "Main CPV Code", "CPV Code(s)"),
    "category": ("Category", "Procurement Category", "Contract Category", "Service Category",
                 "Category Description", "Type"),
}
ICT_CPV = ("48", "72", "30", "32", "503")
_ICT_WORDS = re.compile(
    r"\b(software|licen[cs]e[sd]?|licensing|ict|it support|it services?|it equipment|"
    r"hosting|hosted|network(s|ing)?|telephony|telephone system|data cent(re|er)|saas|"
    r"cloud|servers?|broadband|wan|lan|firewalls?|cyber|service desk|helpdesk|"
    r"computers?|laptops?|desktops?|microsoft|oracle|database|backup|disaster recovery|"
    r"email|web ?site|digital|infrastructure as a service|platform as a service|"
    r"connectivity|psn|mobile phones?|multi-functional devices?|printers?)\b", re.I)
_IT_UPPER = re.compile(r"\b(IT|ICT)\b")
CATEGORY_RULES = (
    ("saas", r"\b(saas|software as a service|subscription|cloud)\b"),
    ("datacentre", r"\b(data cent(re|er)|colocation|colo)\b"),
    ("hosting", r"\b(hosting|hosted|iaas|paas)\b"),
    ("connectivity", r"\b(network|wan|lan|broadband|telephony|connectivity|psn|"
                     r"mobile|sip|circuits?)\b"),
    ("licence", r"\b(licen[cs]e[sd]?|licensing)\b"),
    ("maintenance", r"\bmaintenance\b"),
    ("support", r"\b(support|service desk|helpdesk|managed service)\b"),
)


def parse_map(pairs: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """``["Their Column=field", …]`` -> ``{normalised column: field}``.

    Raises
    ------
    EstateError
        When a pair has no ``=`` or names an unknown field.
    """
    out: dict[str, str] = {}
    bad = []
    for pair in pairs or ():
        column, sep, fld = pair.partition("=")
        fld = fld.strip().lower()
        if not sep or fld not in FIELDS:
            bad.append(Issue("--map", f"{pair!r} should be COLUMN=FIELD with FIELD one of "
                             f"{', '.join(FIELDS)}"))
            continue
        out[fld] = column.strip()
    if bad:
        raise EstateError(bad)
    return out


def is_ict(cpv: str, *texts: str) -> bool:
    """Whether a contract is ICT by CPV code or by the words describing it."""
    for code in re.split(r"[;,/\s]+", cpv):
        digits = re.sub(r"\D", "", code.split("-")[0])
        if len(digits) >= 2 and digits.startswith(ICT_CPV):
            return True
    text = " ".join(texts)
    return bool(_ICT_WORDS.search(text) or _IT_UPPER.search(text))


def category_of(*texts: str) -> str:
    """The estate contract category suggested by the words, ``""`` when none."""
    text = " ".join(texts).lower()
    for cat, pattern in CATEGORY_RULES:
        if re.search(pattern, text):
            return cat
    return ""


def import_contracts(path: Path, ctx: ImportContext) -> ImportResult:
    """Import a contract register CSV (or .xlsx).

    Parameters
    ----------
    path : Path
        The register.
    ctx : ImportContext
        Options ``map`` (list of ``column=field``) and ``all`` (keep non-ICT).

    Returns
    -------
    ImportResult
        ``contracts`` rows; non-ICT rows counted as ``non_ict``.
    """
    sheet = read_single(path)
    mapping = parse_map(ctx.options.get("map"))
    cols: dict[str, str | None] = {}
    for fld, aliases in FIELDS.items():
        if fld in mapping:
            col = sheet.column(mapping[fld])
            if col is None:
                raise EstateError(sheet.issue(None, f"--map names column {mapping[fld]!r} "
                                              f"for {fld}; the columns are: "
                                              f"{', '.join(sheet.table.columns)}"))
            cols[fld] = col
        else:
            cols[fld] = sheet.column(*aliases)
    missing = [f for f in ("end",) if cols[f] is None]
    if cols["life_value"] is None and cols["annual_value"] is None:
        missing.append("life_value or annual_value")
    if cols["reference"] is None and cols["title"] is None:
        missing.append("reference or title")
    if missing:
        raise EstateError([sheet.issue(None, f"no column for {m}; use --map 'Their column="
                                       f"{m.split()[0]}' (columns are: "
                                       f"{', '.join(sheet.table.columns)})") for m in missing])
    result = ImportResult("contracts", str(path))
    keep_all = bool(ctx.options.get("all"))
    ids: dict[str, int] = {}
    used = {f: c for f, c in cols.items() if c}
    result.notes.append("columns used: " + ", ".join(f"{f}={c!r}" for f, c in used.items()))

    def get(row: Any, fld: str) -> str:
        c = cols.get(fld)
        return row.get(c) if c else ""

    for row in sheet.rows:
        result.count("rows")
        title, desc, cat_text = get(row, "title"), get(row, "description"), get(row, "category")
        if not keep_all and not is_ict(get(row, "cpv"), title, desc, cat_text):
            result.count("non_ict")
            continue
        problems: list[tuple[str, str]] = []
        dates: dict[str, str] = {}
        for fld in ("start", "end", "review"):
            try:
                d = parse_date_text(get(row, fld))
                dates[fld] = d.isoformat() if d else ""
            except ValueError:
                dates[fld] = ""
                problems.append((fld, f"{fld} date {get(row, fld)!r} is not a date"))
        money: dict[str, float | None] = {}
        for fld in ("life_value", "annual_value"):
            try:
                money[fld] = parse_number(get(row, fld))
                if money[fld] is not None and money[fld] < 0:  # type: ignore[operator]
                    raise ValueError
            except ValueError:
                money[fld] = None
                problems.append((fld, f"{fld} {get(row, fld)!r} is not an amount of money"))
        for fld, msg in problems:
            if fld not in ("end", "life_value", "annual_value"):
                result.issues.append(sheet.issue(row, msg + "; imported with it blank",
                                                 column=cols[fld] or ""))
        if not dates["end"]:
            result.issues.append(sheet.issue(row, "no end date (required); row skipped",
                                             column=cols["end"] or "", value=get(row, "end")))
            result.count("skipped")
            continue
        if dates["start"] and dates["start"] > dates["end"]:
            result.issues.append(sheet.issue(row, "start date is after the end date; imported "
                                             "with start_date blank",
                                             column=cols["start"] or "",
                                             value=get(row, "start")))
            dates["start"] = ""
        annual = money["annual_value"]
        if annual is None and money["life_value"] is not None:
            annual = _annualise(money["life_value"], dates["start"], dates["end"])
            if annual is None:
                annual = money["life_value"]
                result.issues.append(sheet.issue(
                    row, "no start date to spread the total value over; annual_value = the "
                    "whole value (check it)", column=cols["life_value"] or ""))
        if annual is None:
            bad = get(row, "annual_value") or get(row, "life_value")
            result.issues.append(sheet.issue(
                row, "no annual or total value (required) that reads as money; row skipped",
                column=cols["annual_value"] or cols["life_value"] or "", value=bad))
            result.count("skipped")
            continue
        ref = get(row, "reference")
        cid = make_id(ref)
        if not cid:
            cid = make_id(f"{get(row, 'supplier')} {title}", "CON-", 48)
            result.issues.append(sheet.issue(row, f"no contract reference; imported as {cid}",
                                             column=cols["reference"] or ""))
        if cid in ids:
            n = 2
            while f"{cid}-{n}" in ids:
                n += 1
            result.issues.append(sheet.issue(row, f"reference {cid} is used again (row "
                                             f"{ids[cid]}); imported as {cid}-{n}",
                                             column=cols["reference"] or "", value=ref))
            cid = f"{cid}-{n}"
        ids[cid] = row.number
        result.add("contracts", {
            "contract_id": cid, "supplier": get(row, "supplier"), "title": title,
            "category": category_of(title, desc, cat_text),
            "annual_value": round(annual, 2), "start_date": dates["start"],
            "end_date": dates["end"], "review_date": dates["review"],
            "total_value": money["life_value"], "department": get(row, "department"),
            "cpv_code": get(row, "cpv"), "description": desc[:300],
            "source": f"contract register row {row.number}",
        })
        result.count("imported")
    result.owned = {"contracts": ("supplier", "title", "annual_value", "start_date",
                                  "end_date", "review_date", "total_value", "department",
                                  "cpv_code", "description")}
    return result


def _annualise(value: float, start: str, end: str) -> float | None:
    """Life value over the term ``start``-``end`` (at least one month) per year."""
    if not start:
        return None
    from datetime import date

    days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
    years = max(days / 365.25, 1 / 12)
    return value / years


__all__ = ["FIELDS", "category_of", "import_contracts", "is_ict", "parse_map"]
