"""Values beyond what the planner can hold, numbers in another locale, scenario
files without bounds, look-alike ids: each an input error (or warning) with a
clear message, never a traceback, never a silently rescaled figure."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.cli import main
from estate.errors import EstateError
from estate.numbers import locale_number
from estate.scenario import MAX_SCENARIOS, Override, Scenario, check_scenarios
from inventory.cells import parse_number
from inventory.load import load_estate
from inventory.writer import write_estate
from tests.estates import sample_estate


def _edit(folder: Path, sheet: str, key: str, column: str, value: str,
          delimiter: str = ",") -> None:
    """Set ``column`` of the row whose first cell is ``key`` in ``sheet.csv``
    (rewriting the file with ``delimiter``)."""
    path = folder / f"{sheet}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(column)
    for r in rows[1:]:
        if r[0] == key:
            r[col] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_estate(sample_estate(), tmp_path / "book")


def validate(path: Path):  # type: ignore[no-untyped-def]
    r = CliRunner().invoke(main, ["validate", str(path)])
    assert "Traceback" not in r.output and r.exception is None or isinstance(
        r.exception, SystemExit), r.output
    return r


# -- locale numbers --------------------------------------------------------------------
def test_locale_number_is_one_reading_of_points_and_commas() -> None:
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("1.234,5", decimal=",") == 1234.5
    assert parse_number("3,5%", percent=True, decimal=",") == pytest.approx(0.035)
    for text, decimal in (("1.234,5", "."), ("1,5", "."), ("12,00", "."), ("1.5", ",")):
        with pytest.raises(ValueError):
            locale_number(text, decimal)


def test_a_decimal_comma_in_a_comma_file_is_refused_not_rescaled(folder: Path) -> None:
    _edit(folder, "applications", "A1", "current_monthly_cost", "1.234,5")
    r = validate(folder)
    assert r.exit_code == 1
    line = next(x for x in r.output.splitlines() if "1.234,5" in x)
    assert "applications" in line and "current_monthly_cost" in line and "row 2" in line


def test_a_semicolon_file_reads_decimal_commas(folder: Path) -> None:
    for sheet in ("applications",):
        _edit(folder, sheet, "A1", "current_monthly_cost", "1.234,5", delimiter=";")
    est = load_estate(folder)
    assert est.app_by_id["A1"].current_monthly_cost == 1234.5


# -- numbers beyond the model ------------------------------------------------------------
@pytest.mark.parametrize("sheet,key,column,value,fragment", [
    ("applications", "A1", "current_monthly_cost", "1e16", "at most 100,000,000,000"),
    ("applications", "A1", "current_monthly_cost", "1e308", "at most 100,000,000,000"),
    ("settings", "horizon_months", "value", "95686", "horizon_months must be 1 to 600"),
    ("settings", "horizon_months", "value", "20000", "horizon_months must be 1 to 600"),
])
def test_numbers_beyond_the_model_are_input_errors(folder: Path, sheet: str, key: str,
                                                   column: str, value: str,
                                                   fragment: str) -> None:
    _edit(folder, sheet, key, column, value)
    r = validate(folder)
    assert r.exit_code == 1 and fragment in r.output, r.output


# -- scenarios: one validation with the workbook; bounded ------------------------------
def test_scenario_settings_are_checked_as_the_workbook_checks_them(tmp_path: Path) -> None:
    raw = load_estate(write_estate(sample_estate(), tmp_path / "b.xlsx"))
    bad = [Scenario("team", (Override("team.migration", 1e308),)),
           Scenario("rate", (Override("discount_rate", 1e308),)),
           Scenario("long", (Override("horizon_months", 20000),)),
           Scenario("cost", (Override("carbon_price", 1e308),))]
    with pytest.raises(EstateError) as exc:
        check_scenarios(raw, bad)
    text = "\n".join(map(str, exc.value.issues))
    assert "scenario 'team'" in text and "at most 100,000,000,000" in text
    assert "discount_rate must be above -1 and at most 1" in text
    assert "horizon_months must be 1 to 600" in text
    assert len(exc.value.issues) == 4


def test_scenario_files_are_bounded(tmp_path: Path) -> None:
    raw = load_estate(write_estate(sample_estate(), tmp_path / "b.xlsx"))
    many = [Scenario(f"s{i}", (Override("carbon_price", i),)) for i in range(MAX_SCENARIOS + 1)]
    with pytest.raises(EstateError, match="at most 200 are planned"):
        check_scenarios(raw, many)
    with pytest.raises(EstateError, match="at most 4,000"):
        check_scenarios(raw, [Scenario("d", (Override("description", "x" * 5000),))])
    with pytest.raises(EstateError, match="the name has 101 characters"):
        check_scenarios(raw, [Scenario("n" * 101, ())])


def test_20000_scenarios_in_a_toml_are_refused_before_solving(tmp_path: Path) -> None:
    toml = tmp_path / "many.toml"
    toml.write_text("".join(f"[s{i}]\ncarbon_price = {i}\n" for i in range(20_000)))
    r = CliRunner().invoke(main, ["scenarios", "--demo", str(toml), "--out",
                                  str(tmp_path / "out"), "--quiet"])
    assert r.exit_code == 1 and "20,001 scenarios" in r.output, r.output
    assert not (tmp_path / "out").exists()


# -- look-alike ids ------------------------------------------------------------------------
def test_mixed_script_lookalike_ids_are_warned_about(folder: Path) -> None:
    path = folder / "sites.csv"
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[1]  # DC1: a second site DС1 with a Cyrillic С
    assert first.startswith("DC1,")
    path.write_text(text + "D\u0421" + first[2:] + "\n", encoding="utf-8")
    r = validate(folder)
    assert r.exit_code == 0, r.output
    assert "look the same but are different text" in r.output, r.output
    assert "'DC1' and 'D\\u04211'" in r.output  # the Cyrillic letter is shown escaped


def test_scenario_numbers_use_the_same_reading(tmp_path: Path) -> None:
    raw = load_estate(write_estate(sample_estate(), tmp_path / "b.xlsx"))
    check_scenarios(raw, [Scenario("ok", (Override("carbon_price", "1,250.5"),))])
    with pytest.raises(EstateError, match="decimal comma"):
        check_scenarios(raw, [Scenario("eu", (Override("carbon_price", "1.250,5"),))])
    with pytest.raises(EstateError, match="not a thousands separator"):
        check_scenarios(raw, [Scenario("eu", (Override("carbon_price", "12,5"),))])
