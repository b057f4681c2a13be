"""Whole capabilities as a user runs them, from workbook to checked plan."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from click.testing import CliRunner

from estate.cli import main
from estate.resolve import resolve
from inventory.demo import demo_estate
from inventory.load import load_estate
from inventory.writer import write_estate
from solver.check import compare_plan
from solver.solve import solve
from tests.test_import_pipeline import build as build_imported


def test_estate_built_only_from_imports_validates_and_plans(tmp_path: Path) -> None:
    # rvtools (2 VMs on 1 host) + dependency export + contract register, nothing typed by hand
    wb = build_imported(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["validate", str(wb)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    res = runner.invoke(main, ["plan", str(wb), "--out", str(out), "--time-limit", "10",
                               "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    plan = json.loads((out / "plan.json").read_text())
    assert plan["status"] in ("optimal", "feasible")
    # the imported applications have generated options (retain + rehost to the cloud site)
    assert any(".rehost@" in p for p in plan["assumptions"]["estimated"])
    res = runner.invoke(main, ["check", str(wb), str(out / "plan.json")])
    assert res.exit_code == 0, res.output


def test_demo_without_options_sheet_plans_with_generated_figures_marked(tmp_path: Path) -> None:
    # Without option rows, an application with no servers has nothing to estimate
    # from and is an input error (issue 2's rule), so the demo's already-SaaS
    # applications (no servers) go too; everything else keeps no options at all.
    demo = demo_estate()
    served = {a for s in demo.servers for a in s.app_ids}
    raw = dataclasses.replace(
        demo,
        options=(),
        applications=tuple(a for a in demo.applications if a.app_id in served),
        dependencies=tuple(d for d in demo.dependencies
                           if d.from_id in served and d.to_id in served),
        contracts=tuple(dataclasses.replace(c, covers=tuple(
            x for x in c.covers if x in served or x not in demo.app_by_id))
            for c in demo.contracts),
    )
    wb = tmp_path / "demo-no-options.xlsx"
    write_estate(raw, wb)
    estate = resolve(load_estate(wb))
    assert all(o.generated for o in estate.options)
    result = solve(estate, time_limit=20, workers=2, seed=0)
    assert result.status in ("optimal", "feasible"), result.plan.conflicts
    estimated = result.plan.assumptions["estimated"]
    generated = {p.split(".")[1] for p in estimated if p.startswith("options.")}
    assert generated == {a.app_id for a in estate.applications}
    moved = [a for a in result.plan.applications if a.strategy != "retain"]
    assert moved, "the generated rehost options are used"
    assert compare_plan(estate, result.plan) == []


def test_settings_override_changes_the_plans_figures() -> None:
    # The demo leaves some on-prem PUEs blank; a settings override of the
    # reference PUE raises server energy, so the do-nothing plan costs more
    # and emits more, by the evaluator the planner reports with.
    from solver.evaluate import baseline

    demo = demo_estate()
    assert any(s.kind == "on_prem" and s.pue is None for s in demo.sites)
    plain = baseline(resolve(demo)).totals
    settings = dataclasses.replace(demo.settings,
                                   extra={**demo.settings.extra, "pue.on_prem": "2.5"})
    higher = baseline(resolve(dataclasses.replace(demo, settings=settings))).totals
    assert higher.co2e_tonnes > plain.co2e_tonnes * 1.05
    assert higher.cost > plain.cost
