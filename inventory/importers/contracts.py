"""A council contract register (Local Government Transparency Code) -> contracts.

Column names vary by council, so each field is found by common spellings
(case, spaces and punctuation ignored) and ``--map "column=field"`` fixes the
rest. Money like ``£1,200,000.00`` and dates like ``31/03/2026``,
``2026-03-31`` or ``31-Mar-2026`` are read. ``annual_value`` is the annual
column when there is one, else the life value divided by the term in years.
Only ICT contracts are kept: a CPV code starting 48, 72, 30, 32 or 50.3, or an
ICT word in the title, description or category; the rest are counted as
``non_ict`` (``--all`` keeps every contract). A contract that ended before the
plan starts is listed and skipped (``--keep-expired`` keeps it). ``covers`` is
proposed from the workbook (:mod:`inventory.importers.covers`) and every
contract still covering nothing is reported. Department, CPV code and total
value are kept for procurement. The import adds no sites.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from estate.errors import EstateError, Issue
from estate.model import CONTRACT_UNITS, ENDS_WITH
from estate.months import default_horizon_start, is_month
from inventory.importers.common import (
    ImportContext,
    ImportResult,
    Sheet,
    make_id,
    read_single,
)
from inventory.importers.covers import HYPERVISOR, CoverIndex, read_covers_map
from inventory.importers.register import (
    category_of,
    date_style,
    ends_with_of,
    money_style,
    notice_months,
    parse_money,
    parse_register_date,
    term_years,
)
from inventory.importers.rows import Fields, unique_id, workbook_setting
from inventory.tables import Row

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
    "notice": ("Notice Period", "Notice (months)", "Notice Period (months)", "Notice months",
               "Notice Period Months", "Notice", "Notice period (days)", "Notice (days)",
               "Notice Period Days", "Notice Days", "Notice Period (weeks)"),
    "renewal_term": ("Renewal Term", "Renewal Term (months)", "Renewal Period",
                     "Extension Period", "Extension Period (months)"),
    "ends_with": ("Ends With", "What Ends It"),
    "unit": ("Unit", "Licence Unit", "Licence Metric", "Licensing Metric", "Charging Unit"),
    "unit_price": ("Unit Price", "Price per Unit", "Price per Core", "Unit Cost"),
    "min_units": ("Minimum Units", "Min Units", "Minimum Order", "Minimum Quantity"),
}
#: ``--map`` also takes the workbook's own column names for a field.
FIELD_ALIASES = {"contract_id": "reference", "start_date": "start", "end_date": "end",
                 "review_date": "review", "cpv_code": "cpv", "total_value": "life_value",
                 "notice_months": "notice", "renewal_term_months": "renewal_term"}
ICT_CPV = ("48", "72", "30", "32", "503")
_ICT_WORDS = re.compile(
    r"\b(software|licen[cs]e[sd]?|licensing|ict|it support|it services?|it equipment|"
    r"hosting|hosted|network(s|ing)?|telephony|telephone system|data cent(re|er)|saas|"
    r"cloud|servers?|broadband|wan|lan|firewalls?|cyber|service desk|helpdesk|"
    r"computers?|laptops?|desktops?|microsoft|oracle|database|backup|disaster recovery|"
    r"email|web ?site|digital|infrastructure as a service|platform as a service|"
    r"connectivity|psn|mobile phones?|multi-functional devices?|printers?|vmware|vsphere|"
    r"broadcom|red ?hat|rhel|linux|colocation|veeam|enterprise agreement|"
    r"wide area network)\b", re.I)
_IT_UPPER = re.compile(r"\b(IT|ICT)\b")
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
        column, sep, fld = pair.rpartition("=")
        fld = fld.strip().lower()
        fld = FIELD_ALIASES.get(fld, fld)
        if not sep or fld not in FIELDS or not column.strip():
            bad.append(Issue("--map", f"{pair!r} should be COLUMN=FIELD (COLUMN any column "
                             f"of the file) with FIELD one of {', '.join(FIELDS)}"))
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


OWNED = ("supplier", "title", "annual_value", "start_date", "end_date", "review_date",
         "total_value", "department", "cpv_code", "description", "covers", "notice_months",
         "renewal_term_months", "unit", "unit_price", "min_units")


def _columns(sheet: Sheet, mapping: dict[str, str], issues: list[Issue]) -> Fields:
    """Find each field's column (``--map`` first); an error names what is missing."""
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
    return Fields(sheet, cols, issues)


def _plan_start(ctx: ImportContext) -> str:
    """First day of the plan (``YYYY-MM-DD``): the workbook's ``horizon_start``,
    else the first month after today."""
    start = workbook_setting(ctx, "horizon_start")
    if not is_month(start):
        today = ctx.options.get("today")
        start = default_horizon_start(today if isinstance(today, dt.date) else None)
    return f"{start}-01"


@dataclass
class _Register:
    """The register being read and what has been decided so far."""

    f: Fields
    ctx: ImportContext
    index: CoverIndex
    plan_start: str
    money: str = "dot"
    dates: str = "dmy"
    covers_map: dict[str, list[str]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    replaced: set[str] = field(default_factory=set)

    def date(self, row: Row, key: str) -> tuple[str, bool]:
        """``(YYYY-MM-DD or "", ok)`` in the file's date format."""
        try:
            d = parse_register_date(self.f.text(row, key), self.dates)
        except ValueError:
            return "", False
        return (d.isoformat() if d else ""), True

    def amount(self, row: Row, key: str) -> tuple[float | None, bool]:
        """``(£ or None, ok)`` in the file's money style (ok false: not ≥ 0)."""
        try:
            value = parse_money(self.f.text(row, key), self.money)
        except ValueError:
            return None, False
        return (None, False) if value is not None and value < 0 else (value, True)


def _styles(reg: _Register, sheet: Sheet, result: ImportResult) -> None:
    """Decide the file's money style and date format from every cell (an
    error naming the column and a cell when they cannot be told apart)."""
    f = reg.f
    money = [(f.text(r, k), f"row {r.number}, column {f.col(k)!r}") for r in sheet.rows
             for k in ("annual_value", "life_value", "unit_price") if f.text(r, k)]
    dates = [(f.text(r, k), f.col(k), f"row {r.number}") for r in sheet.rows
             for k in ("start", "end", "review") if f.text(r, k)]
    problems = []
    try:
        reg.money, example = money_style(money)
        if reg.money == "comma":
            result.notes.append(f"amounts are written with decimal commas (e.g. {example}): "
                                "read as such, so £152000,00 is £152,000.00")
    except ValueError as exc:
        problems.append(sheet.issue(None, str(exc)))
    given = reg.ctx.options.get("date_format")
    try:
        reg.dates = date_style(dates, given)
        if given:
            result.notes.append(f"dates read as {given} (--date-format)")
    except ValueError as exc:
        problems.append(sheet.issue(None, str(exc)))
    if problems:
        raise EstateError(problems)


def _dates(reg: _Register, row: Row, result: ImportResult) -> dict[str, str] | None:
    """Start, end and review dates (``None``: no end date, row skipped)."""
    f = reg.f
    dates: dict[str, str] = {}
    for fld in ("start", "end", "review"):
        dates[fld], ok = reg.date(row, fld)
        if not ok and fld != "end":
            result.issues.append(f.issue(row, f"{fld} date {f.text(row, fld)!r} is not a "
                                         "date; imported with it blank", fld))
    if not dates["end"]:
        result.issues.append(f.issue(row, "no end date (required); row skipped", "end",
                                     f.text(row, "end")))
        return None
    if dates["start"] and dates["start"] > dates["end"]:
        result.issues.append(f.issue(row, "start date is after the end date; imported with "
                                     "start_date blank", "start", f.text(row, "start")))
        dates["start"] = ""
    return dates


def _annual_value(reg: _Register, row: Row, dates: dict[str, str],
                  result: ImportResult) -> tuple[float | None, float | None]:
    """(£ a year, £ over the contract): the annual column, else the total value
    over the term (whole-year terms exactly: :func:`term_years`); ``(None, …)``
    when neither reads as money (row skipped)."""
    f = reg.f
    annual, _ = reg.amount(row, "annual_value")
    total, _ = reg.amount(row, "life_value")
    if annual is None and total is not None:
        if dates["start"]:
            annual = total / term_years(dates["start"], dates["end"])
        else:
            annual = total
            result.issues.append(f.issue(row, "no start date to spread the total value over; "
                                         "annual_value = the whole value (check it)",
                                         "life_value"))
    if annual is None:
        result.issues.append(f.issue(
            row, "no annual or total value (required) that reads as money; row skipped",
            "annual_value" if f.has("annual_value") else "life_value",
            f.text(row, "annual_value") or f.text(row, "life_value")))
    return annual, total


def _terms(reg: _Register, row: Row, result: ImportResult) -> dict[str, object]:
    """Notice, renewal term, rule and per-unit columns the register carries
    (a cell that does not read is reported and left blank)."""
    f = reg.f
    out: dict[str, object] = {}
    if f.text(row, "notice"):
        try:
            out["notice_months"] = notice_months(f.text(row, "notice"), f.col("notice"))
        except ValueError as exc:
            result.issues.append(f.issue(row, f"{exc}; imported with notice_months blank "
                                         "(3 months)", "notice", f.text(row, "notice")))
    if f.text(row, "renewal_term"):
        try:
            out["renewal_term_months"] = notice_months(f.text(row, "renewal_term"),
                                                       f.col("renewal_term"))
        except ValueError as exc:
            result.issues.append(f.issue(row, f"{exc}; renewal term left blank (12 months)",
                                         "renewal_term", f.text(row, "renewal_term")))
    for key, known in (("ends_with", ENDS_WITH), ("unit", CONTRACT_UNITS)):
        if f.text(row, key):
            word = _unit_word(f.text(row, key))
            if word in known:
                out[key] = word
            else:
                result.issues.append(f.issue(row, f"{key} {f.text(row, key)!r} is not one of "
                                             f"{', '.join(known)}; left blank", key,
                                             f.text(row, key)))
    for key in ("unit_price", "min_units"):
        value, ok = reg.amount(row, key)
        if not ok:
            result.issues.append(f.issue(row, f"{key} is not a number; left blank", key,
                                         f.text(row, key)))
        elif value is not None:
            out[key] = value
    return out


def _unit_word(text: str) -> str:
    """``Per Core`` -> ``core``, ``VMs`` -> ``vm``, ``Retire`` -> ``retire``."""
    t = re.sub(r"^(per|by)\s+", "", text.strip().lower())
    t = {"virtual machine": "vm", "virtual machines": "vm", "cpu core": "core"}.get(t, t)
    return t[:-1] if t.endswith("s") and t[:-1] in CONTRACT_UNITS else t


def _contract_id(reg: _Register, row: Row, result: ImportResult) -> str:
    f = reg.f
    ref = f.text(row, "reference")
    cid = make_id(ref)
    if not cid:
        cid = make_id(f"{f.text(row, 'supplier')} {f.text(row, 'title')}", "CON-", 48)
        result.issues.append(f.issue(row, f"no contract reference; imported as {cid}",
                                     "reference"))
    if cid in reg.ids:
        new = unique_id(cid, reg.ids)
        result.issues.append(f.issue(row, f"reference {cid} is used again (row "
                                     f"{reg.ids[cid]}); imported as {new}", "reference", ref))
        cid = new
    reg.ids[cid] = row.number
    return cid


def _covers(reg: _Register, cid: str, row: Row) -> list[str]:
    """What the contract covers: the map, else the workbook's own covers, else
    a hypervisor's hosts, else name matches."""
    f = reg.f
    named = reg.covers_map.get(cid) or reg.index.existing.get(cid)
    if named:
        if any(HYPERVISOR.search(t) for t in (f.text(row, "supplier"), f.text(row, "title"),
                                              f.text(row, "description"))):
            # a register hypervisor subscription covering the hosts of an estimated row
            reg.replaced |= {e for e, hosts in reg.index.estimated.items()
                             if hosts and set(hosts) <= set(named)}
        return named
    hosts, replaced = reg.index.hypervisor(f.text(row, "supplier"), f.text(row, "title"),
                                           f.text(row, "description"))
    if hosts:
        reg.replaced |= replaced
        return hosts
    return reg.index.match(f.text(row, "supplier"), f.text(row, "title"))


def _contract(reg: _Register, row: Row, result: ImportResult) -> None:
    """Import one ICT row of the register (or count why it is skipped)."""
    f = reg.f
    dates = _dates(reg, row, result)
    annual, total = (None, None) if dates is None else _annual_value(reg, row, dates, result)
    if dates is None or annual is None:
        result.count("skipped")
        result.lists.setdefault("skipped", []).append(f"row {row.number}")
        return
    cid = _contract_id(reg, row, result)
    if dates["end"] < reg.plan_start and not reg.ctx.options.get("keep_expired"):
        result.lists.setdefault("expired", []).append(f"{cid} (ended {dates['end']})")
        result.count("expired")
        return
    covers = _covers(reg, cid, row)
    if not covers:
        result.lists.setdefault("uncovered", []).append(cid)
    title, desc = f.text(row, "title"), f.text(row, "description")
    supplier = f.text(row, "supplier")
    category, candidates = category_of((title, supplier, desc, f.text(row, "category")),
                                       f.text(row, "cpv"))
    if not category:
        result.lists.setdefault("uncategorised", []).append(
            cid + (f" ({' or '.join(candidates)}?)" if candidates else ""))
    terms = _terms(reg, row, result)
    if "ends_with" not in terms:
        rule = ends_with_of(category, title, supplier, desc)
        if rule:
            terms["ends_with"] = rule
            result.lists.setdefault(f"ends_with_{rule}", []).append(cid)
    result.add("contracts", {
        "contract_id": cid, "supplier": supplier, "title": title,
        "category": category, **terms,
        "annual_value": round(annual, 2), "start_date": dates["start"],
        "end_date": dates["end"], "review_date": dates["review"], "total_value": total,
        "department": f.text(row, "department"), "cpv_code": f.text(row, "cpv"),
        "description": desc[:300], "covers": "; ".join(covers),
        "source": f"contract register row {row.number}"})
    result.count("imported")


def import_contracts(path: Path, ctx: ImportContext) -> ImportResult:
    """Import a contract register CSV (or .xlsx).

    Parameters
    ----------
    path : Path
        The register.
    ctx : ImportContext
        The target workbook (what ``covers`` may name; its ``horizon_start``);
        options ``map`` (list of ``column=field``), ``all`` (keep non-ICT),
        ``keep_expired`` and ``covers_map`` (CSV of contract,covers).

    Returns
    -------
    ImportResult
        ``contracts`` rows; non-ICT rows counted as ``non_ict``, expired ones
        listed; estimated hypervisor rows a register contract replaces in
        ``remove``.
    """
    sheet = read_single(path)
    result = ImportResult("contracts", str(path))
    f = _columns(sheet, parse_map(ctx.options.get("map")), result.issues)
    reg = _Register(f, ctx, CoverIndex.of(ctx), _plan_start(ctx))
    _styles(reg, sheet, result)
    if ctx.options.get("covers_map"):
        reg.covers_map, problems = read_covers_map(Path(ctx.options["covers_map"]), reg.index)
        result.issues.extend(problems)
    used = {k: c for k, c in f.cols.items() if c}
    result.notes.append("columns used: " + ", ".join(f"{k}={c!r}" for k, c in used.items()))
    ignored = [c for c in sheet.table.columns if c not in used.values()]
    if ignored:
        result.notes.append("columns not read: " + ", ".join(repr(c) for c in ignored)
                            + " (--map 'COLUMN=FIELD' reads one)")
    keep_all = bool(ctx.options.get("all"))
    for row in sheet.rows:
        result.count("rows")
        if not keep_all and not is_ict(f.text(row, "cpv"), f.text(row, "title"),
                                       f.text(row, "description"), f.text(row, "category"),
                                       f.text(row, "supplier")):
            result.count("non_ict")
            continue
        _contract(reg, row, result)
    _finish(reg, result)
    skipped = result.counts.get("skipped", 0)
    if skipped and not ctx.options.get("skip_bad_rows"):
        why = [i for i in result.issues if "row skipped" in i.message]
        raise EstateError(why + [Issue(str(path), f"{skipped} row(s) of the register could "
                                       "not be imported (above); nothing was written. Fix "
                                       "them, or re-run with --skip-bad-rows to import the "
                                       "rest")])
    return result


def _finish(reg: _Register, result: ImportResult) -> None:
    for cid in result.lists.get("uncovered", []):
        result.issues.append(Issue(result.source, f"contract {cid} covers nothing in the "
                                   "workbook: the plan keeps it to the end; fill its covers "
                                   "(application, server or site ids) or use --covers-map",
                                   sheet="contracts", value=cid))
    for cid in result.lists.get("uncategorised", []):
        result.issues.append(Issue(result.source, f"contract {cid}: no clear category from its "
                                   "title, supplier or CPV code; imported with category blank "
                                   "(its rule is then move); fill category or ends_with",
                                   sheet="contracts", value=cid))
    rules = {r: result.lists.get(f"ends_with_{r}", []) for r in ("retire", "move", "never")}
    if any(rules.values()):
        result.notes.append(
            "ends_with set from the category (retire for licence, support and saas: a rehost "
            "does not end them; move otherwise; never for an enterprise agreement or the WAN): "
            + ", ".join(f"{r} {len(ids)}" for r, ids in rules.items() if ids)
            + "; edit contracts.ends_with where that is wrong")
    if result.lists.get("expired"):
        result.notes.append(f"{len(result.lists['expired'])} contract(s) ended before the plan "
                            f"starts ({reg.plan_start[:7]}) and were skipped; --keep-expired "
                            "keeps them")
    if reg.replaced:
        result.remove = {"contracts": set(reg.replaced)}
        result.notes.append("the register's hypervisor contract replaces the estimated rows "
                            + ", ".join(sorted(reg.replaced)))
    result.owned = {"contracts": OWNED}


__all__ = ["FIELDS", "category_of", "import_contracts", "is_ict", "parse_map"]
