"""inventory.schema: one definition of the workbook, its generated docs and its names."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from load_books import base_sheets, write_book, write_folder

from estate.cli import main
from inventory import schema
from inventory.load import REQUIRED_COLUMNS, REQUIRED_SHEETS, inspect_workbook
from inventory.names import near_miss, normalise_name
from inventory.schema_docs import render_markdown
from inventory.writer import COLUMNS

ROOT = Path(__file__).resolve().parent.parent


def test_docs_workbook_md_is_generated_from_the_schema() -> None:
    committed = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert committed == render_markdown(), (
        "docs/workbook.md is stale: run `python3 -m inventory.schema > docs/workbook.md`")


def test_docs_describe_every_sheet_column_and_setting() -> None:
    text = render_markdown()
    for sheet in schema.SHEETS.values():
        assert f"## {sheet.name} (" in text
        for c in sheet.columns:
            assert f"`{c.name}`" in text, (sheet.name, c.name)
    for s in schema.SETTINGS:
        assert f"| `{s.key}` |" in text
    for kind in ("together", "before", "loose"):
        assert f"**{kind}** —" in text
    for strategy in ("rehost", "replatform", "refactor", "repurchase", "relocate", "retire",
                     "retain"):
        assert f"**{strategy}** —" in text
    assert "`pue.on_prem`" in text and "`cloud_pricing`" in text


def test_project_docs_point_at_no_file_outside_the_repository() -> None:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"spec/\w+\.md|shared/spec|\.\./shared", text), path.name
    assert "docs/workbook.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_loader_and_writer_take_their_names_from_the_schema() -> None:
    assert REQUIRED_SHEETS == ("sites", "applications", "servers")
    assert REQUIRED_COLUMNS["applications"] == ("app_id", "name")
    assert REQUIRED_COLUMNS["contracts"] == ("contract_id", "annual_value", "end_date")
    assert set(COLUMNS) == set(schema.READ_SHEETS)
    for name, cols in COLUMNS.items():
        assert cols == schema.columns(name, used_only=True)


#: The workbook contract's required sheets and the required columns of the
#: sheets a plan cannot do without (docs/workbook.md, as of 2026-12-05).
REQUIRED = {"sites": ("site_id", "kind"), "applications": ("app_id", "name"),
            "servers": ("server_id", "site_id", "kind"), "options": ("app_id", "strategy"),
            "dependencies": ("from_id", "to_id", "kind")}


def test_required_sheets_and_columns_follow_the_contract() -> None:
    assert {s for s, sh in schema.SHEETS.items() if sh.required} == {
        "sites", "applications", "servers"}
    for sheet, cols in REQUIRED.items():
        assert schema.SHEETS[sheet].required_columns == cols, sheet
    doc = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    for sheet in ("sites", "applications", "servers"):
        assert f"## {sheet} (required)" in doc


@pytest.mark.parametrize("typed,known,intended", [
    ("dependancies", schema.SHEETS, "dependencies"),
    ("Aplications", schema.SHEETS, "applications"),
    ("team", schema.SHEETS, "teams"),
    ("notes", schema.SHEETS, None),        # not 'sites'
    ("criticallity", schema.columns("applications"), "criticality"),
    ("critcality", schema.columns("applications"), "criticality"),
    ("must finish by", schema.columns("applications"), None),  # an exact match, not a miss
    ("ip", schema.columns("servers"), None),
    ("id", schema.columns("servers"), None),  # not 'os'
    ("vcpu", schema.columns("servers"), "vcpus"),
    ("owner", schema.columns("applications"), None),
])
def test_near_misses(typed: str, known: object, intended: str | None) -> None:
    assert near_miss(typed, known) == intended  # type: ignore[arg-type]


def test_names_are_normalised() -> None:
    assert normalise_name("  Must finish-by ") == "must_finish_by"
    assert normalise_name("App ID") == "app_id"


def test_column_names_never_near_miss_each_other() -> None:
    for sheet in schema.SHEETS.values():
        for c in sheet.columns:
            others = [n for n in sheet.names if n != c.name]
            assert near_miss(c.name, others) is None, (sheet.name, c.name)


def _misspelt(tmp_path: Path, fmt: str) -> Path:
    sheets = base_sheets()
    sheets["dependancies"] = sheets.pop("dependencies")
    cols, rows = sheets["applications"]
    cols[cols.index("criticality")] = "Criticallity"
    cols[cols.index("must_finish_by")] = "Must finish by"  # matched after normalising
    return (write_book(sheets, tmp_path / "e.xlsx") if fmt == "xlsx"
            else write_folder(sheets, tmp_path / "e"))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_misspelt_names_fail_validate_naming_the_intended_ones(tmp_path: Path,
                                                                fmt: str) -> None:
    r = CliRunner().invoke(main, ["validate", str(_misspelt(tmp_path, fmt))])
    assert r.exit_code == 1, r.output
    problems = [line for line in r.output.splitlines() if line.startswith("  - ")]
    assert len(problems) == 2, r.output
    assert any("did you mean 'dependencies'" in p for p in problems)
    assert any("did you mean 'criticality'" in p for p in problems)
    ignored = r.output.split("ignored (")[1]
    assert "column 'owner'" in ignored and "kept but ignored" in ignored


def test_unknown_names_are_notices_and_plan_lists_them(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = base_sheets()
    sheets["Notes"] = (["anything"], [["x"]])
    loaded = inspect_workbook(write_book(sheets, tmp_path / "e.xlsx"))
    assert loaded.estate is not None, loaded.issues
    ignored = {(n.sheet, n.column) for n in loaded.notices_of("ignored")}
    assert ignored == {("notes", ""), ("applications", "owner"), ("settings", "note")}
    assert loaded.estate.app_by_id["A3"].must_finish_by == "2027-03"
    from estate.cli import pipeline

    monkeypatch.setattr(pipeline, "plan_estate", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("stop after loading")))
    r = CliRunner().invoke(main, ["plan", str(tmp_path / "e.xlsx"), "--out",
                                  str(tmp_path / "out"), "--quiet"])
    assert "note: " in r.output and "sheet 'Notes'" in r.output and "'owner'" in r.output


def test_settings_assumed_when_missing_or_empty(tmp_path: Path) -> None:
    sheets = base_sheets()
    del sheets["settings"]
    loaded = inspect_workbook(write_book(sheets, tmp_path / "a.xlsx"))
    def settings_notices(loaded):  # type: ignore[no-untyped-def]
        # (the contracts' defaulted ends_with rules are assumed notices of their own)
        return [n for n in loaded.notices_of("assumed") if n.sheet != "contracts"]

    (assumed,) = settings_notices(loaded)
    assert "there is no settings sheet" in assumed.message and "48 months" in assumed.message
    sheets["settings"] = (["key", "value"], [])
    loaded = inspect_workbook(write_book(sheets, tmp_path / "b.xlsx"))
    assert "the settings sheet is empty" in settings_notices(loaded)[0].message
    assert not settings_notices(inspect_workbook(write_book(base_sheets(),
                                                            tmp_path / "c.xlsx")))


def test_meaningless_plan_warnings(tmp_path: Path) -> None:
    sheets = {
        "sites": (["site_id", "kind"], [["DC1", "on_prem"]]),
        "applications": (["app_id", "name"], [["A1", "App"]]),
        "servers": (["server_id", "site_id", "kind"], []),
        "options": (["app_id", "strategy"], [["A1", "retain"]]),
        "contracts": (["contract_id", "annual_value", "end_date"], [["C1", 0, "2027-03-31"]]),
    }
    loaded = inspect_workbook(write_book(sheets, tmp_path / "e.xlsx"))
    assert loaded.estate is not None, loaded.issues
    warnings = " | ".join(n.message for n in loaded.notices_of("warning"))
    assert "no site has kind cloud" in warnings
    assert "nothing costs anything to keep" in warnings
    assert "no site has exit_by" in warnings
    assert "1 contract covers nothing (C1)" in warnings
    assert not inspect_workbook(write_book(base_sheets(), tmp_path / "b.xlsx")).notices_of(
        "warning")


def test_repeated_known_column_is_an_error(tmp_path: Path) -> None:
    sheets = base_sheets()
    cols, rows = sheets["teams"]
    cols.append("Days per month")
    for r in rows:
        r.append(1)
    loaded = inspect_workbook(write_book(sheets, tmp_path / "e.xlsx"))
    assert [i.message for i in loaded.issues if i.sheet == "teams"] == [
        "the column 'days_per_month' appears twice in the header (columns B and C); only "
        "the first is read — delete or rename the other"]


def test_readme_sheet_is_known(tmp_path: Path) -> None:
    path = write_book(base_sheets(), tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("README", 0)["A1"] = "notes for people"
    wb.save(path)
    loaded = inspect_workbook(path)
    assert loaded.estate is not None
    assert {n.sheet for n in loaded.notices_of("ignored")} == {"applications", "settings"}


def test_validate_finds_what_planning_would(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["settings"][1].append(["horizon_strat", "2026-04", ""])
    r = CliRunner().invoke(main, ["validate", str(write_book(sheets, tmp_path / "e.xlsx"))])
    assert r.exit_code == 1 and "did you mean 'horizon_start'" in r.output, r.output
    sheets["settings"][1][-1] = ["pue.on_prm", "1.5", ""]  # only resolving finds this one
    r = CliRunner().invoke(main, ["validate", str(write_book(sheets, tmp_path / "f.xlsx"))])
    assert r.exit_code == 1 and "unknown setting 'pue.on_prm'" in r.output, r.output
