"""``estate template``: an empty workbook with comments and drop-downs, read back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from estate.cli import main
from inventory import schema
from inventory.load import inspect_workbook


def _template(tmp_path: Path) -> Path:
    out = tmp_path / "my-estate.xlsx"
    r = CliRunner().invoke(main, ["template", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_every_sheet_with_commented_headers(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_template(tmp_path))
    assert wb.sheetnames == ["README"] + list(schema.READ_SHEETS)
    assert "docs/workbook.md" in " ".join(str(c.value) for row in wb["README"].iter_rows()
                                          for c in row if c.value)
    for name in schema.READ_SHEETS:
        ws = wb[name]
        used = [c for c in schema.SHEETS[name].columns if c.used]
        assert [c.value for c in ws[1]] == [c.name for c in used]
        for cell, col in zip(ws[1], used, strict=True):
            assert cell.comment is not None, (name, col.name)
            assert col.meaning[:20].replace("`", "").lower() in cell.comment.text.lower()
            if col.required:
                assert "Required." in cell.comment.text


def test_choice_columns_have_drop_downs(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_template(tmp_path))
    for name in schema.READ_SHEETS:
        ws = wb[name]
        lists = {str(dv.sqref).split(":")[0][:-1]: dv.formula1
                 for dv in ws.data_validations.dataValidation}
        for j, col in enumerate((c for c in schema.SHEETS[name].columns if c.used), start=1):
            letter = openpyxl.utils.get_column_letter(j)
            if col.type == schema.CHOICE:
                assert lists[letter] == '"' + ",".join(col.choices) + '"', (name, col.name)
            elif col.type == schema.YES_NO:
                assert lists[letter] == '"yes,no"'
    assert '"on_prem,colo,cloud"' in [dv.formula1 for dv in
                                      wb["sites"].data_validations.dataValidation]


def test_settings_lists_every_key_with_its_default(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_template(tmp_path))["settings"]
    keys = [ws.cell(row=i, column=1).value for i in range(2, len(schema.SETTINGS) + 2)]
    assert keys == [s.key for s in schema.SETTINGS]
    assert "Default: 48" in ws["A3"].comment.text


def test_filled_template_validates_and_refuses_overwrite(tmp_path: Path) -> None:
    path = _template(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["settings"]["B2"] = "2026-04"
    wb["sites"].append(["DC1", "Civic Centre", "on_prem"])
    wb["sites"].append(["CLOUD", "UK South", "cloud"])
    wb["applications"].append(["A1", "Council Tax"])
    wb["servers"].append(["S1", "tax01", "DC1", "physical", None, 8, 64, 500, "Windows Server "
                          "2016", None, None, None, None, None, "A1"])
    wb.save(path)
    loaded = inspect_workbook(path)
    assert loaded.estate is not None, loaded.issues
    assert not loaded.notices_of("ignored") and not loaded.notices_of("assumed")
    r = CliRunner().invoke(main, ["template", "--out", str(path)])
    assert r.exit_code == 1 and "already exists" in r.output
    assert openpyxl.load_workbook(path)["applications"]["A2"].value == "A1"
