"""Reference data 2026.2 on a two-application estate worked by hand: the
loaded salary (NI and LGPS on-costs), cloud labour for a rehost, the rehost
one-off by VM size and by who moves it, cloud backup by size and cloud
monitoring, through ``resolve`` (cost of staying, generated options) to a plan.
Planner, greedy and ``estate check`` agree to the penny.

The estate: 12 months from 2025-04, no discounting, carbon price 0, power
free (so energy costs nothing), no site costs. Two VMs at DC1 with no
operating system (no licence):

* V1 (A1): 2 vCPU, 8 GB, 40 GB — small;
* V2 (A2): 8 vCPU, 32 GB, 600 GB — medium.

Cost of staying a month (blank ``current_monthly_cost``): labour = loaded
salary £53,170 (40,000 + 15 % × 35,000 + 19.8 % × 40,000) / 100 VMs / 12 =
44.308333; storage GB × 0.05; backup 220 / 12 = 18.333333; tools (196.85 +
338.58 + 338.58) / 12 = 72.834167; network 11.5 % of (host share over 5
years + storage), host share = (vCPUs / 4 × 179.32 + GB × 12.78) / 60:

* V1: 44.308333 + 2 + 18.333333 + 72.834167 + 0.115 × (3.198333 + 2)
  = 138.073641;
* V2: 44.308333 + 30 + 18.333333 + 72.834167 + 0.115 × (12.793333 + 30)
  = 170.397066.

Generated rehost to AZ a month (1-year reserved, set in the settings sheet:
the default is 3-year), VM in USD at 1.27 USD/GBP: VM + disk GB × 0.06 +
backup (3.94 up to 50 GB, else 7.87 a 500 GB, + GB × 0.0378) + monitoring
3.46 + admin 70 % × 44.308333 = 31.015833 + network 11.5 % of (VM + disk):

* V1: 54.03 / 1.27 (42.543307) + 2.4 + (3.94 + 1.512) + 3.46 + 31.015833
  + 5.168480 = 90.039620,
  one-off in house 157.48 (small);
* V2: 216.13 / 1.27 (170.181102) + 36 + (15.74 + 22.68) + 3.46 + 31.015833
  + 23.710827 = 302.787762, one-off 1.5 × 157.48 = 236.22 (medium).

Optimum: A1 moves at once (one month in flight, paying its cost of staying
meanwhile): 138.073641 + 11 × 90.039620 + 157.48 = 1,285.989461; A2 stays:
12 × 170.397066 = 2,044.764792. Total 3,330.754253 (3,330.754257 with the
VM prices unrounded).
"""

from __future__ import annotations

from typing import Any

import pytest
from test_policies import agree
from test_solver_factory import run

from estate.model import Application, Estate, Server, Settings, Site
from estate.resolve import resolve

V1_STAY, V2_STAY = 138.073641, 170.397066
V1_CLOUD, V2_CLOUD = 90.039620, 302.787762


def approx(x: float) -> Any:
    return pytest.approx(x, abs=1e-5)


def _estate(**extra: str) -> Estate:
    sites = (Site("DC1", "on_prem", pue=1.0, power_price_per_kwh=0.0, monthly_fixed_cost=0.0),
             Site("AZ", "cloud", name="Azure UK South", monthly_fixed_cost=0.0))
    servers = (Server("V1", "DC1", "virtual", vcpus=2, ram_gb=8, storage_gb=40, app_ids=("A1",)),
               Server("V2", "DC1", "virtual", vcpus=8, ram_gb=32, storage_gb=600,
                      app_ids=("A2",)))
    raw = Estate(Settings("2025-04", horizon_months=12, discount_rate=0.0, carbon_price=0.0,
                          extra={"cloud_pricing": "reserved_1y", **extra}),
                 sites=sites, applications=(Application("A1", "A1"), Application("A2", "A2")),
                 servers=servers)
    return resolve(raw)


def test_cost_of_staying_and_generated_rehost_by_hand() -> None:
    e = _estate()
    cost = {a.app_id: a.current_monthly_cost for a in e.applications}
    assert cost == {"A1": approx(V1_STAY), "A2": approx(V2_STAY)}
    rehost = {o.app_id: o for o in e.options if o.strategy == "rehost"}
    assert rehost["A1"].monthly_cost == approx(V1_CLOUD)
    assert rehost["A2"].monthly_cost == approx(V2_CLOUD)
    assert rehost["A1"].one_off_cost == approx(157.48)
    assert rehost["A2"].one_off_cost == approx(236.22)


def test_plan_moves_the_small_vm_and_keeps_the_large_one() -> None:
    e = _estate()
    r = run(e)
    moved = {a.app_id: a.strategy for a in r.plan.applications}
    assert moved == {"A1": "rehost", "A2": "retain"}
    assert r.objective == pytest.approx(V1_STAY + 11 * V1_CLOUD + 157.48 + 12 * V2_STAY,
                                        abs=1e-4)
    assert r.objective == pytest.approx(3330.7543, abs=1e-4)
    agree(e, r)


def test_a_partner_moves_the_vms_for_usd_50_each() -> None:
    # partner_share 100 %: A1's one-off is 39.37 (USD 50), 118.11 less than in house;
    # A2's is 1.5 x 39.37 = 59.055, still not worth moving (it costs more in the cloud)
    e = _estate(**{"migration.partner_share": "100%"})
    rehost = {o.app_id: o for o in e.options if o.strategy == "rehost"}
    assert rehost["A1"].one_off_cost == approx(39.37)
    assert rehost["A2"].one_off_cost == approx(59.055)
    r = run(e)
    assert r.objective == pytest.approx(3330.7543 - 118.11, abs=1e-4)
    agree(e, r)
    # half and half: the mean of the two
    e = _estate(**{"migration.partner_share": "50%"})
    rehost = {o.app_id: o for o in e.options if o.strategy == "rehost"}
    assert rehost["A1"].one_off_cost == approx((157.48 + 39.37) / 2)


def test_partner_share_above_one_is_refused() -> None:
    from estate.errors import EstateError

    with pytest.raises(EstateError) as exc:
        _estate(**{"migration.partner_share": "2"})
    assert "between 0 and 1" in str(exc.value)


def test_cheaper_cloud_labour_flips_the_large_vm() -> None:
    # At 0 % cloud labour V2's cloud month is 302.787762 - 31.015833 = 271.7719, still
    # above staying (170.397066): no flip. The rule is the one home: the rehost month
    # falls by exactly the labour share.
    e = _estate(**{"labour.cloud_fraction_rehost": "0"})
    rehost = {o.app_id: o for o in e.options if o.strategy == "rehost"}
    assert rehost["A2"].monthly_cost == approx(V2_CLOUD - 31.015833)
    r = run(e)
    assert {a.app_id: a.strategy for a in r.plan.applications}["A2"] == "retain"
    agree(e, r)


def test_a_retired_key_names_what_replaces_it() -> None:
    from estate.errors import EstateError

    with pytest.raises(EstateError) as exc:
        _estate(**{"labour.cloud_fraction": "0.8"})
    text = str(exc.value)
    assert "replaced in reference data 2026.2 by labour.cloud_fraction_rehost" in text
    assert "settings" in text
