"""The synthetic estate generator and the demo estate: determinism, size, realism."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter

import pytest

from estate.model import Estate
from estate.months import add_months, month_index
from inventory.demo import demo_estate
from inventory.synth import synth_estate


@pytest.fixture(scope="module")
def demo() -> Estate:
    return demo_estate()


def _ids_ok(e: Estate) -> list[str]:
    """Every id the estate references exists (independent of the validator)."""
    bad: list[str] = []
    apps, sites, servers = set(e.app_by_id), set(e.site_by_id), e.server_by_id
    ids = [a.app_id for a in e.applications] + [s.site_id for s in e.sites] + list(servers)
    if len(ids) != len(set(ids)):
        bad.append("ids not unique across applications, servers and sites")
    if len(servers) != len(e.servers):
        bad.append("server ids not unique")
    teams = set(e.team_by_id)
    for s in e.servers:
        if s.site_id not in sites:
            bad.append(f"{s.server_id}: site {s.site_id}")
        if s.host_id is not None:
            host = servers.get(s.host_id)
            if host is None or host.kind != "host" or host.site_id != s.site_id:
                bad.append(f"{s.server_id}: host {s.host_id}")
        bad += [f"{s.server_id}: app {a}" for a in s.app_ids if a not in apps]
    for o in e.options:
        if o.app_id not in apps or (o.target_site is not None and o.target_site not in sites):
            bad.append(f"option {o.key}")
        bad += [f"option {o.key}: team {t}" for t in o.effort if t not in teams]
    for d in e.dependencies:
        if d.from_id not in apps or d.to_id not in apps:
            bad.append(f"dependency {d}")
    everything = apps | sites | set(servers)
    for c in e.contracts:
        bad += [f"{c.contract_id}: covers {x}" for x in c.covers if x not in everything]
    for a in e.applications:
        if not e.options_by_app[a.app_id] and not e.servers_by_app[a.app_id]:
            bad.append(f"{a.app_id}: no servers and no options")
    return bad


def test_same_seed_same_estate_other_seed_other_estate() -> None:
    a, b = synth_estate(60, 7), synth_estate(60, 7)
    assert a == b
    assert a != synth_estate(60, 8)
    assert synth_estate(60, 7, horizon_start="2027-04") != a


def test_independent_of_hash_seed() -> None:
    code = ("import hashlib; from inventory.synth import synth_estate; "
            "print(hashlib.sha256(repr(synth_estate(80, 3)).encode()).hexdigest())")
    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    assert digests == {hashlib.sha256(repr(synth_estate(80, 3)).encode()).hexdigest()}


@pytest.mark.parametrize("n", [1, 4, 25, 137, 300])
def test_sizes_and_references(n: int) -> None:
    e = synth_estate(n, seed=n)
    assert len(e.applications) == n
    assert _ids_ok(e) == []
    if n >= 100:
        assert 2.3 <= len(e.servers) / n <= 3.1
        assert 0.35 <= len(e.contracts) / n <= 0.45


def test_validator_accepts_synth_estates() -> None:
    from inventory.validate import validate_estate

    for n, seed in ((4, 0), (40, 1), (300, 2)):
        assert validate_estate(synth_estate(n, seed)) == []


def test_large_estate_scales() -> None:
    e = synth_estate(3000, 1)
    assert len(e.applications) == 3000
    assert 7_000 <= len(e.servers) <= 9_000
    assert _ids_ok(e) == []
    hosts = [s for s in e.servers if s.kind == "host"]
    guests = Counter(s.host_id for s in e.servers if s.host_id)
    assert max(guests.values()) <= 60 and len(guests) == len(hosts)


@pytest.mark.parametrize("months", [3, 6, 12, 24, 60])
def test_other_horizons(months: int) -> None:
    e = synth_estate(30, 5, horizon_start="2025-01", horizon_months=months)
    assert e.settings.horizon_months == months and e.settings.horizon_start == "2025-01"
    assert _ids_ok(e) == []
    dc1 = e.site_by_id["DC1"]
    if dc1.exit_by is not None:
        assert 0 < month_index("2025-01", dc1.exit_by) < months


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        synth_estate(0)
    with pytest.raises(ValueError):
        synth_estate(10, horizon_start="2026-13")


def test_demo_is_a_realistic_council(demo: Estate) -> None:
    e = demo
    assert demo_estate() == e
    assert len(e.applications) == 300
    assert 600 <= len(e.servers) <= 850
    assert 80 <= len(e.contracts) <= 150
    kinds = Counter(s.kind for s in e.servers)
    assert 20 <= kinds["host"] <= 60 and kinds["physical"] > 0
    crit = Counter(a.criticality for a in e.applications)
    assert 0.05 <= crit["critical"] / 300 <= 0.12
    assert 0.15 <= crit["high"] / 300 <= 0.30
    assert 0.35 <= crit["medium"] / 300 <= 0.60
    assert 0.18 <= sum(a.resident_facing for a in e.applications) / 300 <= 0.35
    services = {a.service for a in e.applications}
    for svc in ("Revenues & Benefits", "Council Tax", "Adult Social Care",
                "Children's Social Care", "ICT Infrastructure", "Waste & Recycling"):
        assert svc in services
    billing = [a for a in e.applications if a.service in ("Revenues & Benefits", "Council Tax")]
    assert billing and all(a.blackout_months == (2, 3) for a in billing)
    assert e.settings.freeze_months == (12,)
    assert e.settings.max_critical_in_flight >= 2
    s = e.site_by_id
    hs = e.settings.horizon_start  # the next April (the demo moves with today)
    y = int(hs[:4])
    assert hs.endswith("-04") and s["DC1"].exit_by == add_months(hs, 36)
    assert 35_000 <= s["DC1"].monthly_fixed_cost <= 60_000
    assert s["DC2"].exit_by is None and s["AZ-UKS"].kind == s["AWS-LON"].kind == "cloud"
    assert any(x.pue is None for x in e.sites)
    assert any(x.power_price_per_kwh is None for x in e.sites if x.kind == "on_prem")
    kit = [x for x in e.servers if x.kind in ("host", "physical")]
    assert any(x.watts is None for x in kit) and any(x.replacement_cost is None for x in kit)
    eol = [month_index(hs, x.end_of_life) for x in kit if x.end_of_life]
    assert min(eol) < 0 < max(eol) and max(eol) < 60
    vms = [x for x in e.servers if x.kind == "virtual" and x.host_id]
    zombies = [x for x in vms if not x.app_ids]
    assert 0.025 <= len(zombies) / len(vms) <= 0.06
    multi_site = [a for a, srv in e.servers_by_app.items() if len({x.site_id for x in srv}) > 1]
    assert multi_site
    no_rows = [a for a, o in e.options_by_app.items() if not o]
    assert 0.01 <= len(no_rows) / 300 <= 0.08
    assert {"migration", "apps"} <= set(e.team_by_id)
    assert 60 <= e.team_by_id["migration"].days_per_month <= 80
    assert [b.financial_year for b in e.budget] == [f"{y + i}/{(y + i + 1) % 100:02d}"
                                                    for i in range(4)]
    strategies = Counter(o.strategy for o in e.options)
    assert set(strategies) == {"retain", "rehost", "replatform", "refactor", "repurchase",
                               "relocate", "retire"}
    deps = Counter(d.kind for d in e.dependencies)
    assert deps["together"] and deps["before"] and deps["loose"]
    categories = {c.category for c in e.contracts}
    assert {"licence", "support", "maintenance", "datacentre", "connectivity", "saas"} <= categories
    for c in e.contracts:
        assert 2_000 <= c.annual_value <= 600_000
        assert 3 <= c.notice_months <= 6 and c.renewal_term_months in (12, 24, 36)
        # from 6 months before the start to 4 years and a month after it
        assert add_months(hs, -6) + "-01" <= c.end_date <= add_months(hs, 48) + "-30"
    assert any(c.renewal_uplift > 0 for c in e.contracts)
    dc = [c for c in e.contracts if c.category == "datacentre" and "DC1" in c.covers]
    assert dc


def test_names_unique_and_plausible(demo: Estate) -> None:
    names = [a.name for a in synth_estate(1000, 4).applications]
    assert len(set(names)) == len(names)
    assert any(a.name == "Revenues & Benefits core system" for a in demo.applications)
    assert all(x.os for x in demo.servers)
    assert any("ESXi" in x.os for x in demo.servers if x.kind == "host")
