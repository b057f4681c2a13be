"""The ``together`` chain bug (issue 21) and the verification every plan gets
before it is written.

The chain estate: ``A``–``B`` and ``B``–``C`` are ``together``, ``C`` has no
retain option, moving costs more than staying. So all three move in the same
months, as late as possible. 6-month horizon, each app £100 a month today;
a move takes 2 months, costs £1,000 one-off and £300 a month once live::

    all three live at month 6 (the horizon's end): 3 × (6 × 100 + 1,000) = £4,800

Retaining ``A`` and ``B`` while ``C`` moves would cost 2 × 600 + 1,600 =
£2,800 but breaks ``together`` (A–B–C is one group): the old post-search
clean-up saw only direct partners and returned it, "optimal" below its own
bound.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from estates import app, dep, make_estate, option, retain
from tiny_estates import brute_force

from estate.cli import main
from estate.model import Estate
from solver.check import compare_plan
from solver.solve import solve


def _estate(n: int, links: list[tuple[int, int, str]], no_retain: set[int],
            H: int = 6) -> Estate:
    ids = [chr(ord("A") + i) for i in range(n)]
    opts = []
    for i, a in enumerate(ids):
        if i not in no_retain:
            opts.append(retain(a))
        opts.append(option(a, one_off_cost=1000.0, monthly_cost=300.0))
    return make_estate(apps=[app(a, current_monthly_cost=100.0) for a in ids], options=opts,
                       dependencies=[dep(ids[i], ids[j], k) for i, j, k in links],
                       horizon_months=H)


CASES = {
    # the issue's estate: A–B, B–C together, C has no retain
    "chain3": (3, [(0, 1, "together"), (1, 2, "together")], {2}),
    # the end without retain in the middle of the chain, links written backwards
    "chain3-middle": (3, [(1, 0, "together"), (2, 1, "together")], {1}),
    # a longer chain: A–B–C–D, only D must move
    "chain4": (4, [(0, 1, "together"), (1, 2, "together"), (2, 3, "together")], {3}),
    # mixed: A–B together, B before C, C–D together, D must move
    "mixed4": (4, [(0, 1, "together"), (1, 2, "before"), (2, 3, "together")], {3}),
    # a star: B at the centre, A, C, D around it, A must move
    "star4": (4, [(1, 0, "together"), (1, 2, "together"), (1, 3, "together")], {0}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_chain_estates_plan_to_the_brute_force_optimum(name: str) -> None:
    n, links, no_retain = CASES[name]
    e = _estate(n, links, no_retain, H=5 if n == 4 else 6)
    best = brute_force(e)
    r = solve(e, time_limit=10, workers=1)
    assert best is not None and r.status == "optimal"
    assert r.objective == pytest.approx(best, abs=1e-6)
    assert r.bound is not None and r.bound <= r.objective + 0.01
    assert not compare_plan(e, r.plan)


def test_the_issues_chain_estate_moves_all_three_at_the_end() -> None:
    # worked out in the module docstring: £4,800, all three live at month 6
    e = _estate(*CASES["chain3"])
    r = solve(e, time_limit=10, workers=1)
    assert r.objective == pytest.approx(4800.0)
    assert {a.app_id: (a.strategy, a.live_from) for a in r.plan.applications} == {
        a: ("rehost", "2025-10") for a in "ABC"}


# -- a plan that disagrees with the evaluator is never written ------------------------
SHEETS = {
    "settings.csv": "key,value\nhorizon_start,2025-04\nhorizon_months,6\n"
                    "discount_rate,0\ncarbon_price,0\n",
    "sites.csv": "site_id,name,kind,pue,power_price_per_kwh,monthly_fixed_cost\n"
                 "DC1,Main,on_prem,1,0,0\nAZ,Azure,cloud,1,,\n",
    "applications.csv": "app_id,name,current_monthly_cost\nA,A,100\nB,B,100\nC,C,100\n",
    "servers.csv": "server_id,site_id,kind,watts,replacement_cost,embodied_kgco2e,app_ids\n"
                   "S1,DC1,physical,0,0,0,A\n",
    "options.csv": "app_id,strategy,target_site,duration_months,one_off_cost,monthly_cost,"
                   "monthly_kwh,effort\nA,retain,DC1,,,,,\nA,rehost,AZ,2,1000,300,0,0\n"
                   "B,retain,DC1,,,,,\nB,rehost,AZ,2,1000,300,0,0\n"
                   "C,rehost,AZ,2,1000,300,0,0\n",
    "dependencies.csv": "from_id,to_id,kind\nA,B,together\nB,C,together\n",
}


def _book(tmp: Path) -> Path:
    book = tmp / "book"
    book.mkdir()
    for name, text in SHEETS.items():
        (book / name).write_text(text, encoding="utf-8")
    return book


def _direct_partners_only(prep, w, choice):  # type: ignore[no-untyped-def]
    """The clean-up as it was before the fix: direct ``together`` partners only."""
    from solver.model.heuristic import _may_retain

    out = dict(choice)
    for a, (_key, L) in choice.items():
        partners = {a} | {d.to_id if d.from_id == a else d.from_id
                          for d in prep.estate.dependencies
                          if d.kind == "together" and a in (d.from_id, d.to_id)}
        if L == prep.H and all(_may_retain(prep, u) for u in partners):
            for u in partners:
                out[u] = ("retain", prep.H)
    return out


def test_plan_of_the_chain_workbook_is_verified(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["plan", str(_book(tmp_path)), "--out", str(out),
                                  "--time-limit", "10", "--workers", "1", "--quiet",
                                  "--no-pdf"])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "plan.json").read_text())
    assert {a["strategy"] for a in data["applications"]} == {"rehost"}


def test_a_plan_breaking_a_rule_is_an_internal_error(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from solver.model import search

    monkeypatch.setattr(search, "retain_idle_moves", _direct_partners_only)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["plan", str(_book(tmp_path)), "--out", str(out),
                                  "--time-limit", "10", "--workers", "1", "--quiet",
                                  "--no-pdf"])
    assert r.exit_code == 5, r.output
    assert not out.exists() or not any(out.iterdir())
    assert "rules.together" in r.output and "bound:" in r.output
    saved = list(tmp_path.glob("estate-disagreement-*.json"))
    assert len(saved) == 1
    # the saved plan reproduces the disagreement with `estate check`
    c = CliRunner().invoke(main, ["check", str(tmp_path / "book"), str(saved[0])])
    assert c.exit_code != 0
    assert "rules.together" in c.output


def test_a_batch_stops_at_a_plan_that_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    # frontier and scenarios: the job hands the disagreement back (no retry) and
    # the batch raises it, so the command exits 5 like `estate plan`
    from dask.distributed import Client

    from estate.cli import batch, pipeline
    from estate.errors import PlanDisagrees

    def broken(*args: object, **kw: object) -> None:
        raise PlanDisagrees("plan 'x'", ("rules.together: A and B must move together",), "{}")

    monkeypatch.setattr(pipeline, "solve_resolved", broken)
    job = batch.SolveJob("x", _estate(*CASES["chain3"]), inputs={})
    assert isinstance(batch.run_job(job), PlanDisagrees)
    seen: list[object] = []
    with Client(processes=False, n_workers=1, threads_per_worker=1,
                dashboard_address=None) as client, pytest.raises(PlanDisagrees) as err:
        batch.run_batch(client, [job], lambda j, outcome: seen.append(outcome))
    assert err.value.differences == ("rules.together: A and B must move together",)
    assert seen == []
