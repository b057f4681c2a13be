"""The board paper's plain words: signed figures say "saving" or "extra", cells
are highlighted only where the figures as shown differ, rule texts lose the
workbook's names, and one convention for go-live months."""

from __future__ import annotations

from estate.scenario import Scenario, ScenarioOutcome
from estate.summary import PlanSummary
from reports.facts import plain_words
from reports.roadmap import environment
from reports.scenarios import comparison_rows


def test_signed_figures_say_saving_or_extra() -> None:
    f = environment().filters
    assert f["money_change"](1358653.2) == "£1,358,653 extra"
    assert f["money_change"](-1144342.4) == "£1,144,342 saving"
    assert f["money_change"](-0.4) == "£0"  # shows as zero: neither
    assert f["tonnes_change"](-301.94) == "301.9 t saving"
    assert f["tonnes_change"](0.04) == "0.0 t"
    assert f["money_change"](None) == "–"


def _outcome(name: str, **kw: object) -> ScenarioOutcome:
    base = dict(status="optimal", tonnes=10.0, cost=1000.0, cost_discounted=900.0,
                carbon_price=280.0, moved=3, contracts_ended=1,
                first_golive="2026-05", last_golive="2027-01")
    base.update(kw)
    return ScenarioOutcome(Scenario(name), name, PlanSummary(**base))  # type: ignore[arg-type]


def test_highlighted_only_where_shown_figures_differ() -> None:
    rows = comparison_rows([
        _outcome("base"),
        # 40p and 0.04 t apart: shown as £1,000 / £900 / 10.0 t, the same as the base
        _outcome("same as shown", cost=1000.4, cost_discounted=899.6, tonnes=10.04),
        # 60p and 0.06 t apart: shown as £1,001 / 10.1 t
        _outcome("differs", cost=1000.6, tonnes=10.06, last_golive="2027-02"),
    ])
    assert rows[0]["differ"] == set()
    assert rows[1]["differ"] == set()
    assert rows[2]["differ"] == {"cost", "tonnes", "last_golive"}


def test_rule_texts_in_plain_words() -> None:
    text = ("A1 is live from 2026-05, after its must_finish_by 2026-03; "
            "less than 8 weeks (resident_notice_weeks) after the plan starts; "
            "some_other_name")
    out = plain_words(text)
    assert "_" not in out
    assert "must-finish date (applications sheet) 2026-03" in out
    assert "residents' notice (settings sheet)" in out and "some other name" in out


def test_exception_reasons_name_cost_or_the_own_rule() -> None:
    from estate.plan import Alternative, Totals
    from reports import board

    dear = Alternative("A1", "rehost", "AZ", "2026-06", Totals(3000.0, 2700.4, -1.5, 2300.0),
                       breaks=("team apps: 26 days in flight in 2026-06 exceed its 25 "
                               "(A1, A2 and 8 more)",), months_tried=6)
    reason, kind = board._costed(dear)
    assert kind == board.COSTS_MORE and reason.startswith("cost: the cheapest move")
    assert "£2,700 extra (discounted)" in reason and "1.50 t CO2e saving" in reason
    assert "the cheapest of 6 start months tried" in reason
    assert "team apps: 26 days in flight in 2026-06 exceed its 25)" in reason  # no id list
    stuck = Alternative("A1", "rehost", "AZ", "2026-06", Totals(0.0, -5.0, 0.0, -5.0),
                        breaks=("A1 is live from 2026-08, after its must_finish_by 2026-07",),
                        own_breaks=("A1 is live from 2026-08, after its must_finish_by "
                                    "2026-07",), months_tried=3)
    reason, kind = board._costed(stuck)
    assert kind == board.OWN_RULE and "every month tried (3)" in reason
    assert "must-finish date (applications sheet) 2026-07" in reason
    summary = board.exception_summary([
        {"app_id": "A1", "kind": board.COSTS_MORE, "extra": 10.0},
        {"app_id": "A2", "kind": board.COSTS_MORE, "extra": 30.0},
        {"app_id": "A3", "kind": "no cloud option", "extra": None}], n=1)
    assert summary["kinds"] == [(board.COSTS_MORE, 2), ("no cloud option", 1)]
    assert [r["app_id"] for r in summary["largest"]] == ["A2"]
    assert summary["extra_total"] == 40.0
