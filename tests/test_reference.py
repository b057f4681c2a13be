"""Reference data: packaged TOML, overrides by file, the CLI table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.errors import EstateError
from estate.reference import check_override, load_reference


def test_every_entry_has_unit_year_and_source() -> None:
    ref = load_reference()
    assert ref.version == "2026.2"
    assert len(ref.rows()) > 100
    for key, value, unit, year, source in ref.rows():
        assert unit and source, key
        assert year is not None and 2000 <= year <= 2040, key
        assert isinstance(value, int | float | str), key


def test_published_figures() -> None:
    ref = load_reference()
    assert ref.get("grid.2022") == 0.19338
    assert ref.get("grid.2023") == 0.20707
    assert ref.get("grid.2024") == 0.20705
    assert ref.get("grid.2025") == 0.177
    assert ref.get("pue.on_prem") == 1.8
    assert ref.get("pue.aws") == 1.15
    assert ref.get("power_price_per_kwh") == 0.26
    assert ref.get("carbon_price.central.2024") == 269
    assert ref.get("carbon_price.central.2030") == 294.5
    assert ref.get("os.windows_server.2012_r2") == "2023-10"
    assert ref.get("os.rhel.7") == "2024-06"


def test_grid_projection_is_monotone_straight_and_labelled() -> None:
    ref = load_reference()
    grid = ref.series("grid")
    years = [y for y in grid if y >= 2025]
    assert years == list(range(2025, 2036))
    assert all(grid[a] > grid[b] for a, b in zip(years, years[1:], strict=False))
    assert grid[2030] == pytest.approx(0.050) and grid[2035] == pytest.approx(0.020)
    # straight lines 2025 -> 2030 -> 2035
    assert grid[2027] == pytest.approx(0.177 + (0.050 - 0.177) * 2 / 5)
    assert grid[2032] == pytest.approx(0.050 + (0.020 - 0.050) * 2 / 5)
    for y in range(2026, 2036):
        assert ref.entry(f"grid.{y}").projection, y
    for y in range(2019, 2026):
        assert not ref.entry(f"grid.{y}").projection, y


def test_carbon_series_interpolated_and_low_high() -> None:
    ref = load_reference()
    central = ref.series("carbon_price.central")
    assert central[2027] == pytest.approx(269 + 25.5 * 3 / 6)
    assert ref.series("carbon_price.low")[2027] == pytest.approx(central[2027] / 2)
    assert ref.series("carbon_price.high")[2027] == pytest.approx(central[2027] * 1.5)
    assert ref.entry("carbon_price.central.2035").projection


def test_override_file(tmp_path: Path) -> None:
    f = tmp_path / "ours.toml"
    f.write_text('[pue]\non_prem = 1.7\n[grid]\n"2040" = 0.01\n'
                 '[os.rhel]\n"7" = { value = "2028-06", source = "ELS" }\n')
    ref = load_reference(f)
    assert ref.get("pue.on_prem") == 1.7
    assert ref.entry("pue.on_prem").source == "override: ours.toml"
    assert ref.get("grid.2040") == 0.01
    assert ref.get("os.rhel.7") == "2028-06"
    assert ref.version == "2026.2+ours.toml"
    assert load_reference().get("pue.on_prem") == 1.8  # packaged data untouched


def test_override_file_errors(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('[pue]\non_prim = 1.7\ncolo = 0.5\n')
    with pytest.raises(EstateError) as exc:
        load_reference(f)
    text = str(exc.value)
    assert "pue.on_prim" in text and "not a reference value" in text
    assert "at least 1.0" in text
    with pytest.raises(EstateError, match="not found"):
        load_reference(tmp_path / "missing.toml")


def test_check_override_parses_text() -> None:
    ref = load_reference()
    assert check_override(ref, "power_price_per_kwh", "£0.28") == pytest.approx(0.28)
    assert check_override(ref, "ccf.utilisation", "40%") == pytest.approx(0.4)
    assert check_override(ref, "os.esxi.7_0", "2026-04") == "2026-04"
    with pytest.raises(ValueError):
        check_override(ref, "os.esxi.7_0", "soon")
    with pytest.raises(ValueError):
        check_override(ref, "pue.colo", "abc")


def test_cli_table_and_json(tmp_path: Path) -> None:
    from estate.cli import main

    runner = CliRunner()
    out = runner.invoke(main, ["reference", "pue"])
    assert out.exit_code == 0, out.output
    assert "pue.on_prem\t1.8\tratio\t2024\tAzure Migrate business case" in out.output
    out = runner.invoke(main, ["reference", "--json"])
    data = json.loads(out.output)
    assert data["version"] == "2026.2"
    assert {"key", "value", "unit", "year", "source"} <= set(data["values"][0])
    f = tmp_path / "bad.toml"
    f.write_text("[pue]\nnope = 2\n")
    out = runner.invoke(main, ["reference", "--reference", str(f)])
    assert out.exit_code == 1
    assert "pue.nope" in out.output


def test_docs_list_every_value() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "reference-data.md").read_text()
    missing = [k for k in load_reference().keys() if f"`{k}`" not in doc]
    assert not missing, f"docs/reference-data.md lacks {missing}"


def test_every_price_has_a_date() -> None:
    ref = load_reference()
    prices = [v for v in ref.values.values() if v.is_price]
    assert len(prices) > 40  # the money figures: electricity, cloud, hardware, carbon values…
    undated = [v.key for v in prices
               if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", v.price_date)]
    assert not undated, f"prices without a price_date (YYYY-MM or YYYY): {undated}"
    assert ref.entry("cloud.usd_per_gbp").price_date == "2024-06"  # the exchange rate's date


def test_changes_from_the_previous_version() -> None:
    from estate.cli import main

    ref = load_reference()
    changed = {v.key: v for v in ref.changes()}
    assert (changed["pue.on_prem"].was, changed["pue.on_prem"].value) == (1.58, 1.8)
    assert changed["facilities.per_kw_month"].value == pytest.approx(340 / 1.27, abs=0.01)
    assert all(v.why for v in changed.values())
    out = CliRunner().invoke(main, ["reference", "--changes"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0] == "# changes in estate reference data 2026.2"
    assert len(lines) == 2 + len(changed)
    assert any(ln.startswith("pue.on_prem\t1.58\t1.8\tratio\t") for ln in lines)
