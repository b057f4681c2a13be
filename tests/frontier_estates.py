"""Raw estates (as a workbook would load) for the front and scenario tests.

:func:`tradeoff_estate` is worked by hand (horizon 12 months from 2025-04, no
discounting, carbon price 0, UK grid 0.2 kg/kWh, cloud PUE 1). Each
application costs £1,000 a month as it is (no servers, no carbon) and must
move (no retain option), one month in flight, so it starts in month 0 and is
live for the 11 months after:

* A rehost: £100 a month, 100 kWh -> £1,000 + 11·£100 = £2,100; 11·20 = 220 kg
* A replatform: £600 once, £50 a month -> £1,000 + £600 + £550 = £2,150; 0 kg
* B rehost: £100 a month, 50 kWh -> £2,100; 11·10 = 110 kg
* B replatform: £650 once, £50 a month -> £1,000 + £650 + £550 = £2,200; 0 kg

Moving a month later costs £900 more and saves at most 20 kg: never worth it.
The plans (A, B): (rehost, rehost) £4,200 330 kg; (replatform, rehost)
£4,250 110 kg; (rehost, replatform) £4,300 220 kg (dominated by the one
before); (replatform, replatform) £4,350 0 kg.

The 3-point front: least cost £4,200 / 0.330 t; at ε = (0.330 + 0)/2 =
0.165 t the least cost is (replatform, rehost) £4,250 / 0.110 t; least carbon
£4,350 / 0 t. Marginal abatement: £50 / 0.22 t = £227.27 per t, then
£100 / 0.11 t = £909.09 per t.
"""

from __future__ import annotations

from estate.model import Application, Estate, Option, Settings, Site, Team


def tradeoff_estate() -> Estate:
    """The two-application estate of the module docstring (raw, as loaded)."""
    def opt(app: str, strategy: str, one_off: float, monthly: float, kwh: float) -> Option:
        return Option(app_id=app, strategy=strategy, target_site="CLOUD", duration_months=1,
                      one_off_cost=one_off, monthly_cost=monthly, monthly_kwh=kwh,
                      effort={"migration": 1.0})

    return Estate(
        settings=Settings(horizon_start="2025-04", horizon_months=12, discount_rate=0.0,
                          carbon_price=0.0, grid_kg_per_kwh=0.2),
        sites=(Site("DC", "on_prem", pue=1.0, power_price_per_kwh=0.0,
                    monthly_fixed_cost=0.0),
               Site("CLOUD", "cloud", pue=1.0, power_price_per_kwh=0.0,
                    monthly_fixed_cost=0.0)),
        applications=(Application("A", "A", current_monthly_cost=1000.0),
                      Application("B", "B", current_monthly_cost=1000.0)),
        options=(opt("A", "rehost", 0.0, 100.0, 100.0), opt("A", "replatform", 600.0, 50.0, 0.0),
                 opt("B", "rehost", 0.0, 100.0, 50.0), opt("B", "replatform", 650.0, 50.0, 0.0)),
        teams=(Team("migration", 100.0),),
        source="tradeoff")
