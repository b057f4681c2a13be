"""Properties of the evaluator over random decisions (hypothesis, derandomized)."""

from __future__ import annotations

import math
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from estate.plan import Decision
from solver.evaluate import baseline, evaluate, retain_all
from tests.estates import contract, make_estate, sample_estate

EST = sample_estate()
CHOICES = {a.app_id: [o for o in EST.options_by_app[a.app_id]] for a in EST.applications}


@st.composite
def decisions(draw):
    out = []
    for aid, opts in CHOICES.items():
        o = draw(st.sampled_from(opts))
        start = None
        if o.moves:
            start = f"{2025 + (s := draw(st.integers(0, 47)) + 3) // 12}-{s % 12 + 1:02d}"
        out.append(Decision(aid, o.strategy, target_site=o.target_site, start=start))
    return out


@settings(max_examples=60, derandomize=True, deadline=None)
@given(decisions())
def test_ledger_and_totals_are_consistent(ds) -> None:
    ev = evaluate(EST, ds)
    H = EST.settings.horizon_months
    assert all(len(v) == H for v in ev.ledger.cost.values())
    assert all(x >= 0 for v in ev.ledger.cost.values() for x in v)
    assert all(x >= 0 for v in ev.ledger.carbon.values() for x in v)
    assert math.isclose(ev.totals.cost, sum(ev.ledger.cost_at(t) for t in range(H)))
    assert math.isclose(ev.totals.co2e_tonnes * 1000,
                        sum(ev.ledger.carbon_at(t) for t in range(H)))
    assert ev.totals.cost_discounted <= ev.totals.cost + 1e-9
    assert evaluate(EST, ds, check=False).totals == ev.totals
    # no discounting, no carbon price: the objective is the cash cost
    flat = replace(EST, settings=replace(EST.settings, discount_rate=0.0, carbon_price=0.0))
    t = evaluate(flat, ds).totals
    assert math.isclose(t.objective, t.cost) and math.isclose(t.cost_discounted, t.cost)
    # in a feasible plan every server is decommissioned by the horizon end
    if ev.feasible:
        assert all(s.decommissioned <= "2029-04" for s in ev.servers)


def test_baseline_is_everything_retained_unchecked() -> None:
    assert baseline(EST) == evaluate(EST, retain_all(EST), check=False)
    assert baseline(EST) == evaluate(EST, [], check=False)
    assert not evaluate(EST, []).feasible  # A4 must finish by 2028-01


@settings(max_examples=200, derandomize=True, deadline=None)
@given(m=st.integers(-40, 60), T=st.integers(1, 36), n=st.integers(0, 12),
       L=st.integers(1, 24))
def test_renewals_are_the_smallest_j_of_the_spec(m: int, T: int, n: int, L: int) -> None:
    # a literal reading: k = smallest j >= 0 with m+jT+1 >= N and m+jT+1-n >= 0
    H = 24
    end = f"{2025 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}-28"
    est = make_estate(horizon_months=H,
                      contracts=[contract("C", 1200, end, notice_months=n,
                                          renewal_term_months=T, covers=["A1"])])
    s = L - 2
    ds = [] if s < 0 else [Decision("A1", "rehost", target_site="CLOUD", start=
                                    f"{2025 + (s + 3) // 12}-{(s + 3) % 12 + 1:02d}")]
    N = H if s < 0 else L
    k = 0
    while not (m + k * T + 1 >= N and m + k * T + 1 - n >= 0):
        k += 1
    c = evaluate(est, ds).contracts[0]
    assert c.renewals == k
    paid = sum(evaluate(est, ds).ledger.cost["contracts"])
    months = len([t for t in range(H) if t <= m + k * T])
    assert math.isclose(paid, 100 * months)
