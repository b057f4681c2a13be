"""Break-even by bisection (:class:`estate.sensitivity.BreakEvenSearch`) in one
batch, on a 2-application estate whose flip is worked out by hand, and
re-checked with one more plan on each side."""

from __future__ import annotations

from pathlib import Path

from test_solver_factory import app, make_estate, opt, server

from estate.cli.scenario_batch import run_scenarios
from estate.cli.studies import BatchOptions
from estate.model import Estate
from estate.scenario import Override, Scenario
from estate.sensitivity import Assumption, BreakEvenSearch
from solver.check import check_plan

OPTIONS = BatchOptions(time_limit=5, workers=1, processes=1)


def two_apps() -> Estate:
    """A1 and A2 each on their own 1 kW server at DC (PUE 1.0, free power,
    grid 0.2 kg/kWh, no other cost), 12 months from 2025-04, no discounting.

    Staying: 1000 W × 730 h = 730 kWh = 0.146 t a month each. A rehost to the
    cloud (no energy, no monthly cost) takes one month: started in the first
    month it is live for the last 11, saving 11 × 0.146 = 1.606 t. A1's
    one-off is £1,200, A2's £2,400, so with carbon priced at £c a tonne A1
    moves when 1.606 c > 1,200, i.e. c > £747.20 (A2 above £1,494.40).
    Between £0 (nothing moves) and £2,000 (both move), a bisection of four
    plans halves [0, 2000] to [1000], [500], [750], [625]: the bracket
    £625-£750 holding £747.20, with 1 application moved at £750.
    """
    return make_estate(
        [app("A1"), app("A2")],
        [opt("A1", "retain"), opt("A1", one_off=1200.0),
         opt("A2", "retain"), opt("A2", one_off=2400.0)],
        servers=[server("S1", ("A1",), watts=1000.0), server("S2", ("A2",), watts=1000.0)],
        H=12, start="2025-04")


CARBON = Assumption("carbon", "carbon price", "carbon_price", 0.0, 2000.0, "£0", "£2,000",
                    "test", at="£{v:,.2f} a tonne")


def _moved(run: object, name: str) -> int:
    plan = run.plans[name]  # type: ignore[attr-defined]
    return sum(1 for a in plan.applications if a.strategy != "retain")


def test_break_even_found_by_bisection_and_rechecked(tmp_path: Path) -> None:
    e = two_apps()
    search = BreakEvenSearch((CARBON,), steps=4)
    cases = [Scenario(f"carbon-{c}", (Override("carbon_price", v),))
             for c, v in (("low", 0.0), ("high", 2000.0))]
    run = run_scenarios(e, cases, tmp_path / "sens", options=OPTIONS, more=search.seen)
    assert {"carbon-be1", "carbon-be2", "carbon-be3", "carbon-be4"} <= set(run.plans)
    for plan in run.plans.values():  # every plan solved passes the evaluator
        assert check_plan(e, plan, scenario_ok=True, verify=False).ok
    (found,) = search.results()
    assert (found.value, found.other, found.moved, found.moved_other) == (750.0, 625.0, 1, 0)
    assert found.other < 1200 / 1.606 < found.value
    assert found.words() == ("At £750.00 a tonne or higher, the plan moves 1 more application "
                             "(1 against 0 at £625.00 a tonne).")
    # one more plan on each side of the hand-worked break-even £747.20
    recheck = run_scenarios(e, [Scenario("below", (Override("carbon_price", 746.0),)),
                                Scenario("above", (Override("carbon_price", 749.0),))],
                            tmp_path / "recheck", options=OPTIONS)
    assert _moved(recheck, "below") == 0 and _moved(recheck, "above") == 1


def test_no_search_when_the_cases_agree_or_the_assumption_is_not_a_number() -> None:
    search = BreakEvenSearch((CARBON,), steps=3)
    # a case with no plan (None) stops the search: nothing more is planned
    assert search.seen("carbon-low", None) == [] and search.seen("carbon-high", None) == []
    assert search.results() == []
    words = Assumption("pricing", "cloud pricing basis", "cloud_pricing", "reserved_1y", "payg",
                       "1-year", "payg", "test")
    assert not words.numeric and BreakEvenSearch((words,)).seen("pricing-low", None) == []


def test_read_sensitivity_names_the_file_when_it_is_bad(tmp_path: Path) -> None:
    import pytest

    from estate.errors import EstateError
    from estate.sensitivity import read_sensitivity

    with pytest.raises(EstateError, match="sensitivity.json: cannot read it"):
        read_sensitivity(tmp_path)
    (tmp_path / "sensitivity.json").write_text('{"assumptions": [{"name": "nope"}]}')
    with pytest.raises(EstateError, match="not a sensitivity.json of this version"):
        read_sensitivity(tmp_path)
