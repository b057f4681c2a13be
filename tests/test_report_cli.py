"""``estate report WORKBOOK PLAN_JSON --out DIR`` regenerates the reports."""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_report_helpers import small_estate, small_plan

from estate.cli import main


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Stand-ins for inventory.load / estate.resolve returning the small estate."""
    seen: list[object] = []
    load = types.ModuleType("inventory.load")
    load.load_estate = lambda path: seen.append(path) or replace(  # type: ignore[attr-defined]
        small_estate(), resolved=False)
    res = types.ModuleType("estate.resolve")
    res.resolve = lambda est: replace(est, resolved=True)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "inventory.load", load)
    monkeypatch.setitem(sys.modules, "estate.resolve", res)
    return seen


def fingerprinted_plan():  # type: ignore[no-untyped-def]
    """The small plan with the small estate's fingerprint, as `estate plan` writes it."""
    from estate.fingerprint import fingerprint

    return replace(small_plan(), inputs={"fingerprint": fingerprint(
        replace(small_estate(), resolved=False))})


def test_report_command_writes_the_reports(tmp_path: Path, fake_pipeline: list[object]) -> None:
    plan_json = tmp_path / "plan.json"
    fingerprinted_plan().write(plan_json)
    book = tmp_path / "estate.xlsx"
    book.write_bytes(b"placeholder")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["report", str(book), str(plan_json), "--out", str(out),
                                  "--no-pdf"])
    assert r.exit_code == 0, r.output
    assert fake_pipeline == [book]
    names = [Path(line.split()[-1]).name for line in r.output.splitlines()
             if line.startswith("wrote ")]
    assert names == ["contracts.xlsx", "migration-plan.xlsx", "roadmap.html"]
    assert "note:" not in r.output
    ws = openpyxl.load_workbook(out / "contracts.xlsx")["Renewals"]
    assert ws["A2"].value == "C5"  # plan.json round trip kept the decisions


def test_report_command_rejects_a_bad_plan(tmp_path: Path, fake_pipeline: list[object]) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("[1, 2]")
    book = tmp_path / "estate.xlsx"
    book.write_bytes(b"x")
    r = CliRunner().invoke(main, ["report", str(book), str(bad), "--no-pdf"])
    assert r.exit_code == 1 and "not a plan.json" in r.output



def test_report_refuses_a_plan_without_fingerprint_or_applications(
        tmp_path: Path, fake_pipeline: list[object]) -> None:
    """A plan whose fingerprint was deleted, or that lists only some of the
    workbook's applications, is not rendered as if it were this workbook's."""
    book = tmp_path / "estate.xlsx"
    book.write_bytes(b"placeholder")
    plan_json = tmp_path / "plan.json"
    small_plan().write(plan_json)  # no inputs.fingerprint
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["report", str(book), str(plan_json), "--out", str(out),
                                  "--no-pdf"])
    assert r.exit_code == 1 and "no input fingerprint" in r.output, r.output
    assert not out.exists()
    plan = fingerprinted_plan()
    replace(plan, applications=plan.applications[1:]).write(plan_json)
    r = CliRunner().invoke(main, ["report", str(book), str(plan_json), "--out", str(out),
                                  "--no-pdf"])
    assert r.exit_code == 1 and "leaves out 1 of the workbook's" in r.output, r.output
    assert not out.exists()


def test_report_command_accepts_the_old_order(tmp_path: Path,
                                              fake_pipeline: list[object]) -> None:
    plan_json = tmp_path / "plan.json"
    fingerprinted_plan().write(plan_json)
    book = tmp_path / "estate.xlsx"
    book.write_bytes(b"placeholder")
    r = CliRunner().invoke(main, ["report", str(plan_json), str(book), "--out",
                                  str(tmp_path / "out"), "--no-pdf"])
    assert r.exit_code == 0, r.output
    assert fake_pipeline == [book]
    assert "note: the arguments are WORKBOOK PLAN_JSON" in r.output
