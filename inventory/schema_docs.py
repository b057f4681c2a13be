"""``docs/workbook.md``, generated from :mod:`inventory.schema`.

``python3 -m inventory.schema > docs/workbook.md`` writes it;
``tests/test_schema_docs.py`` fails when the committed file differs from
:func:`render_markdown`.
"""

from __future__ import annotations

from estate.resolve import EXTRA_SETTINGS
from inventory.schema import CHOICE, SETTINGS, SHEETS, TYPES, Column, Sheet

GENERATED = ("<!-- Generated from inventory/schema.py by `python3 -m inventory.schema > "
             "docs/workbook.md`. Do not edit by hand: a test fails when it is stale. -->")

#: Worked examples: (title, explanation, sheet, rows as {column: value}).
DEPENDENCY_EXAMPLES: tuple[tuple[str, str, list[dict[str, str]]], ...] = (
    ("together", "The revenues system and its document store share a database: they move "
     "in the same months, to targets the plan chooses for each (a *move group*). Every "
     "application linked by `together` links, directly or through others, is one group.",
     [{"from_id": "APP001", "to_id": "APP002", "kind": "together"}]),
    ("before", "The new identity service must be live before the intranet may start "
     "moving: `APP010` is live in its new state before `APP011`'s move begins. A chain of "
     "`before` links may not loop back on itself.",
     [{"from_id": "APP010", "to_id": "APP011", "kind": "before"}]),
    ("loose", "The housing system calls the GIS service: either may move first, but while "
     "exactly one of them has moved the hybrid link costs £300 a month.",
     [{"from_id": "APP020", "to_id": "APP021", "kind": "loose",
       "split_cost_per_month": "300"}]),
)

STRATEGY_EXAMPLES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("rehost", "Lift and shift to a cloud region: three months in flight, £40,000 spread "
     "over them, then £1,800 a month.",
     {"app_id": "APP001", "strategy": "rehost", "target_site": "AZURE-UKS",
      "duration_months": "3", "one_off_cost": "40000", "monthly_cost": "1800",
      "effort": "migration=10"}),
    ("replatform", "Move onto managed cloud services (a managed database, app service).",
     {"app_id": "APP001", "strategy": "replatform", "target_site": "AZURE-UKS",
      "duration_months": "6", "one_off_cost": "90000", "monthly_cost": "1200",
      "effort": "migration=12; dba=4"}),
    ("refactor", "Rebuild it for the cloud: the longest and dearest move, the cheapest to "
     "run.",
     {"app_id": "APP001", "strategy": "refactor", "target_site": "AZURE-UKS",
      "duration_months": "12", "one_off_cost": "250000", "monthly_cost": "600",
      "effort": "migration=15"}),
    ("repurchase", "Replace it with a SaaS product: the subscription is its monthly cost; "
     "the target is the supplier's cloud site.",
     {"app_id": "APP003", "strategy": "repurchase", "target_site": "SAAS",
      "duration_months": "9", "one_off_cost": "60000", "monthly_cost": "3000",
      "effort": "migration=8"}),
    ("relocate", "Move it as it is to another data centre or colocation suite.",
     {"app_id": "APP004", "strategy": "relocate", "target_site": "COLO1",
      "duration_months": "2", "one_off_cost": "15000", "monthly_kwh": "400",
      "effort": "migration=5"}),
    ("retire", "Switch it off (no target): its costs stop once it has gone.",
     {"app_id": "APP005", "strategy": "retire", "duration_months": "2",
      "one_off_cost": "5000", "effort": "migration=3"}),
    ("retain", "Keep it as it is; list it so that the plan may also choose this. No "
     "duration and no costs: it keeps its `current_monthly_cost`.",
     {"app_id": "APP001", "strategy": "retain"}),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return out


def _required(c: Column) -> str:
    if c.required:
        return "yes"
    return f"when {c.required_when}" if c.required_when else "no"


def _blank(c: Column) -> str:
    text = c.default or ("—" if c.required else "blank")
    return ("**estimated**: " + text) if c.estimated else text


def _type(c: Column) -> str:
    if c.type == CHOICE:
        return "one of " + ", ".join(f"`{x}`" for x in c.choices)
    return c.type


def _sheet(s: Sheet) -> list[str]:
    need = "required" if s.required else "optional"
    out = [f"## {s.name} ({need})", "", s.meaning, ""]
    if s.name == "settings":
        out += _settings()
        return out
    used = [c for c in s.columns if c.used]
    out += _table(["column", "type", "required", "blank means", "meaning"],
                  [[f"`{c.name}`", _type(c), _required(c), _blank(c), c.meaning]
                   for c in used])
    kept = [c for c in s.columns if not c.used]
    if kept:
        out += ["", "Also kept as they are (imports write them; the planner does not read "
                "them, and they are not reported as ignored): "
                + ", ".join(f"`{c.name}`" for c in kept) + "."]
    out.append("")
    return out


def _settings() -> list[str]:
    out = _table(["key", "type", "default", "meaning"],
                 [[f"`{s.key}`", s.type, s.default, s.meaning] for s in SETTINGS])
    out += ["", "Further keys understood when planning:", ""]
    out += _table(["key", "meaning"], [[f"`{k}`", v] for k, v in EXTRA_SETTINGS.items()])
    out += ["", "Any key of the reference data overrides that value for this workbook, "
            "e.g. a row `pue.on_prem` | `1.6`; `estate reference` lists the keys and "
            "[reference-data.md](reference-data.md) explains them. Any other key is an "
            "error that suggests the closest known key.", ""]
    example = [["horizon_start", "2026-04"], ["horizon_months", "48"],
               ["organisation", "Borough of Wessexford Council"], ["freeze_months", "Dec"]]
    out += ["For example:", ""] + _table(["key", "value"], example) + [""]
    return out


def _examples() -> list[str]:
    out = ["## Worked examples", "", "### Dependencies", ""]
    cols = ["from_id", "to_id", "kind", "split_cost_per_month"]
    for kind, text, rows in DEPENDENCY_EXAMPLES:
        out += [f"**{kind}** — {text}", ""]
        out += _table(cols, [[r.get(c, "") for c in cols] for r in rows]) + [""]
    out += ["### Strategies (options rows)", ""]
    cols = [c.name for c in SHEETS["options"].columns]
    for strategy, text, row in STRATEGY_EXAMPLES:
        out += [f"**{strategy}** — {text}", ""]
        out += _table(cols, [[row.get(c, "") for c in cols]]) + [""]
    return out


def _estimated() -> list[str]:
    cols = [f"`{s.name}.{c.name}`" for s in SHEETS.values() for c in s.columns if c.estimated]
    return ["## Estimated when blank", "",
            "These columns may be left blank: the planner fills them from versioned "
            "reference data ([reference-data.md](reference-data.md)) and every plan lists "
            "what it estimated (`assumptions.estimated` in `plan.json`): "
            + ", ".join(cols) + ". So are the options of an application that has no "
            "options rows. An explicit value, 0 included, is used as given.", ""]


def _limits() -> list[str]:
    """The size limits of a workbook (``inventory/limits.py``)."""
    from estate import checks as model
    from inventory import limits as lim

    mib = 1 << 20
    return ["## Size limits", "",
            "A workbook is read only within these bounds (a file over one is refused with a "
            "message naming the file, sheet and row, before it can take much time or "
            "memory):", "",
            *_table(["what", "at most"], [
                ["a file (`.xlsx`, `.csv`, `plan.json`, a scenarios TOML)",
                 f"{lim.MAX_FILE_BYTES // mib} MiB"],
                ["rows a sheet", f"{lim.MAX_ROWS:,}"],
                ["columns read a sheet (its header)", f"{lim.MAX_COLUMNS:,}"],
                ["cells in one row, and the column of any cell",
                 f"{lim.MAX_ROW_CELLS:,} (column XFD, as in Excel)"],
                ["cells in all the sheets (a row counts up to its last cell)",
                 f"{lim.MAX_CELLS:,}"],
                ["characters in a cell", f"{lim.MAX_CELL_CHARS:,} (as in Excel)"],
                ["an `.xlsx` part unpacked (shared strings)",
                 f"{lim.MAX_MEMBER_BYTES // mib} MiB ({lim.MAX_SHARED_STRINGS_BYTES // mib} "
                 "MiB)"],
                ["an `.xlsx` unpacked in all", f"{lim.MAX_ARCHIVE_BYTES // mib} MiB"],
                ["compression of an `.xlsx` part above 1 MiB", f"{lim.MAX_RATIO} times "
                 "(real workbooks: about 10)"],
                ["any number (£, kWh, kg, days)", f"{model.MAX_NUMBER:,.0f} (money is summed "
                 "exactly, in pence, over the horizon)"],
                ["`horizon_months`, `duration_months`", f"{model.MAX_HORIZON_MONTHS} (50 "
                 "years)"],
                ["`resident_notice_weeks`", f"{model.MAX_NOTICE_WEEKS}"],
                ["`discount_rate`, in the workbook or a scenario", "1 (a fraction)"],
            ]), "",
            "A number may group thousands with commas and use a decimal point "
            "(`1,234.5`); in a `.csv` sheet separated by `;` (Excel's CSV where the "
            "decimal mark is a comma) it is the other way round (`1.234,5`). A number "
            "mixing the marks otherwise (`1.234,5` in a comma-separated file, `1,5`) is "
            "an error, never read as another number.", "",
            "Cells are counted as the sheet streams past, before a row is built, so a "
            "workbook of a few MB that unpacks to millions of empty cells is refused in "
            "about a second.", ""]


def render_markdown() -> str:
    """The whole of ``docs/workbook.md``."""
    out = [GENERATED, "", "# The estate workbook", "",
           "One `.xlsx` workbook, or one folder of `.csv` files named after the sheets "
           "(`applications.csv`, …). `estate template --out my-estate.xlsx` writes an empty "
           "workbook with every sheet, its headers (each with a comment saying what goes "
           "there) and drop-down lists; `estate validate my-estate.xlsx` checks one and "
           "lists every mistake at once — file, sheet, Excel row (the header is row 1) and "
           "column.", "",
           "## Names", "",
           "Sheet and column names are matched after lower-casing and turning spaces and "
           "hyphens into underscores: `Must finish by` is `must_finish_by`. A name that is "
           "not below but is a near miss of one that is (one or two letters off: "
           "`dependancies`, `criticallity`) is an error that names the intended one. Any "
           "other sheet or column is kept, ignored, and listed by `estate validate` and "
           "`estate plan` as ignored, so a column you typed never silently does nothing. "
           "A missing optional sheet or column takes its default. Lists inside a cell are "
           "separated by `;`. Money is pounds (GBP), energy kWh, carbon kgCO2e unless the "
           "column says otherwise.", "",
           "## Values", ""]
    out += _table(["type", "written as"], [[t, d] for t, d in TYPES.items()]) + [""]
    out += _limits()
    out += ["## Sheets", ""]
    out += _table(["sheet", "required", "what it holds"],
                  [[f"[`{s.name}`](#{s.name}-{'required' if s.required else 'optional'})",
                    "yes" if s.required else "no", s.meaning.split(". ")[0].rstrip(".")]
                   for s in SHEETS.values()]) + [""]
    for s in SHEETS.values():
        if s.read:
            out += _sheet(s)
    out += ["## readme (optional)", "", SHEETS["readme"].meaning, ""]
    out += _estimated() + _examples()
    return "\n".join(out).rstrip("\n") + "\n"
