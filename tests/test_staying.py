"""The cost of staying, category by category, on a 3-server estate worked by hand.

Reference data 2026.2. The estate (horizon 2026-04, 48 months):

* site DC1 (on_prem, PUE 1.5, £0.30/kWh), site AZ (cloud);
* H1: host, 16 cores in 2 sockets, 256 GB, HPE ProLiant DL380 Gen10 (launch 2017);
* V1: VM on H1, 4 vCPU, 16 GB, 200 GB, Windows Server 2016 (end of support 2027-01),
  serves A1;
* P1: physical, 16 cores, 64 GB, 500 GB, RHEL 8, bought 2022-06-15, serves A1 and A2
  (so counts 1/2 to each);
* Z1: a physical server serving nothing (a zombie: off from month 0 in every plan).
"""

from __future__ import annotations

import pytest

from estate import hardware, staying
from estate.model import Application, Contract, Estate, Server, Settings, Site
from estate.reference import packaged_reference
from estate.resolve import resolve

# labour.admin_salary + employer NI 15 % above 5,000 + LGPS employer 19.8 %
LOADED = 40_000 + 0.15 * 35_000 + 0.198 * 40_000  # 53,170
WIN_LICENCE = 4 * 105.22  # 4 vCPU < 8-core minimum -> 4 two-core packs
START, H = "2026-04", 48


def estate(**app_kw: object) -> Estate:
    sites = (Site("DC1", "on_prem", pue=1.5, power_price_per_kwh=0.30), Site("AZ", "cloud"))
    servers = (
        Server("H1", "DC1", "host", vcpus=16, ram_gb=256, model="HPE ProLiant DL380 Gen10"),
        Server("V1", "DC1", "virtual", host_id="H1", vcpus=4, ram_gb=16, storage_gb=200,
               os="Microsoft Windows Server 2016 Standard (64-bit)", app_ids=("A1",)),
        Server("P1", "DC1", "physical", vcpus=16, ram_gb=64, storage_gb=500,
               os="Red Hat Enterprise Linux 8 (64-bit)", purchase_date="2022-06-15",
               app_ids=("A1", "A2")),
        Server("Z1", "DC1", "physical", vcpus=8, ram_gb=32),
    )
    apps = (Application("A1", "Revenues", **app_kw), Application("A2", "Planning"))  # type: ignore[arg-type]
    contracts = (Contract("EST-VSPHERE-DC1", 3401.6, "2027-03-31", covers=("H1",),
                          estimated=True),)
    return Estate(Settings(START, horizon_months=H), sites=sites, applications=apps,
                  servers=servers, contracts=contracts)


def srv(sid: str) -> Server:
    return estate().server_by_id[sid]


def test_labour_per_vm_and_per_physical_server() -> None:
    # 53,170 a year / 100 VMs per admin / 12 = 44.31; / 50 physical servers = 88.62
    assert staying.loaded_salary() == pytest.approx(53_170)
    assert staying.labour_monthly(srv("V1")) == pytest.approx(44.308333)
    assert staying.labour_monthly(srv("V1")) == pytest.approx(LOADED / 100 / 12)
    assert staying.labour_monthly(srv("P1")) == pytest.approx(LOADED / 50 / 12)
    assert staying.labour_monthly(srv("H1")) == 0.0  # platform: hypervisor licences


def test_loaded_salary_below_the_ni_threshold_pays_no_ni() -> None:
    ref = packaged_reference().with_overrides({"labour.admin_salary": 4000}, "test")
    assert staying.loaded_salary(ref) == pytest.approx(4000 * 1.198)  # pension only


def test_cloud_labour_by_strategy() -> None:
    """A VM administered at 44.308333 a month on premises costs 70 % of that
    rehosted (31.015833), 50 % replatformed (22.154167) and 10 % as SaaS
    (4.430833); a physical server moves as a VM (44.308333, not 88.62)."""
    assert staying.cloud_labour_monthly(srv("V1"), "rehost") == pytest.approx(31.015833)
    assert staying.cloud_labour_monthly(srv("V1"), "replatform") == pytest.approx(22.154167)
    assert staying.cloud_labour_monthly(srv("V1"), "repurchase") == pytest.approx(4.430833)
    assert staying.cloud_labour_monthly(srv("P1"), "rehost") == pytest.approx(31.015833)
    with pytest.raises(ValueError):
        staying.cloud_labour_monthly(srv("V1"), "retain")


def test_os_licences() -> None:
    # Windows VM: 4 packs x 105.22 = 420.88; a year: / 5 (amortised) + 25 % SA = 189.396
    assert staying.windows_licence(srv("V1")) == pytest.approx(WIN_LICENCE)
    assert staying.os_licence_monthly(srv("V1")) == pytest.approx(WIN_LICENCE * 0.45 / 12)
    # a physical Windows server needs at least 16 cores: 8 packs
    p = Server("W", "DC1", "physical", vcpus=12, os="Windows Server 2019 Datacenter")
    assert staying.windows_licence(p) == pytest.approx(8 * 105.22)
    # RHEL: 315 a server-year
    assert staying.os_licence_monthly(srv("P1")) == pytest.approx(315 / 12)
    for free in ("CentOS 7 (64-bit)", "Ubuntu Linux (64-bit)", "Microsoft Windows 7 (64-bit)",
                 "Other 3.x or later Linux (64-bit)", ""):
        v = Server("X", "DC1", "virtual", os=free)
        assert staying.os_licence_monthly(v) == 0.0, free
    assert staying.os_family("Microsoft Windows Server 2003 Standard (32-bit)") == \
        "windows_server"
    assert staying.os_family("SUSE Linux Enterprise 11 (64-bit)") == "sles"


def test_extended_security_updates_spread_over_the_plan() -> None:
    # Windows 2016 ends 2027-01 = month 9 of the plan. ESU year 1 (75 %) in months 9-20,
    # year 2 (100 %) in 21-32, year 3 (125 %) in 33-44, none after: 12 x 3 = 36 licence-
    # twelfths over 48 months
    v1 = resolve(estate()).server_by_id["V1"]
    assert v1.os_end_of_support == "2027-01"
    expect = WIN_LICENCE * (12 * 0.75 + 12 * 1.0 + 12 * 1.25) / 12 / 48
    assert staying.extended_support_monthly(v1, START, H) == pytest.approx(expect)
    # long past its three ESU years: nothing more is sold
    old = Server("O", "DC1", "virtual", os="Windows Server 2008 R2",
                 os_end_of_support="2020-01")
    assert staying.extended_support_monthly(old, START, H) == 0.0
    # not Windows: no ESU here
    rhel = Server("R", "DC1", "virtual", os="Red Hat Enterprise Linux 7",
                  os_end_of_support="2024-06")
    assert staying.extended_support_monthly(rhel, START, H) == 0.0


def test_storage_backup_and_network() -> None:
    v1, p1 = srv("V1"), srv("P1")
    assert staying.storage_monthly(v1) == pytest.approx(200 * 0.05)
    assert staying.backup_monthly(p1) == pytest.approx(220 / 12)
    # V1's share of host hardware: 4 vCPU / 4 per core = 1 core, 16 GB, over 60 months
    compute = (1 * 179.32 + 16 * 12.78) / 60
    network = 0.10 * 1.15 * (compute + WIN_LICENCE * 0.45 / 12 + 10)
    assert staying.server_costs(v1, START, H)["network"] == pytest.approx(network)
    # P1: its replacement cost (16 x 179.32 + 64 x 12.78 = 3687.04) over 60 months
    network = 0.115 * (3687.04 / 60 + 315 / 12 + 25)
    assert staying.server_costs(p1, START, H)["network"] == pytest.approx(network)


def test_shared_server_counts_half_to_each_application() -> None:
    est = estate()
    a2 = staying.application_costs(est.servers_by_app["A2"], START, H)
    p1 = staying.server_costs(srv("P1"), START, H)
    assert a2 == pytest.approx({k: v / 2 for k, v in p1.items()})


def test_hardware_end_of_life_and_replacement() -> None:
    # P1: purchase date + 5 years; H1: Gen10 launched 2017 + 1 year's lag + 5 years
    assert hardware.end_of_life(srv("P1")) == "2027-06"
    assert hardware.end_of_life(srv("H1")) == "2023-01"
    assert hardware.end_of_life(Server("C", "DC1", "host",
                                       cpu_model="Intel(R) Xeon(R) Gold 6330 CPU")) == "2027-01"
    assert hardware.end_of_life(Server("U", "DC1", "host")) is None  # nothing known
    assert hardware.end_of_life(srv("V1")) is None
    # H1: 16 x 179.32 + 256 x 12.78 = 2869.12 + 3271.68
    assert hardware.replacement_cost(srv("H1")) == pytest.approx(6140.80)


def test_hypervisor_licences_per_core_with_minimums() -> None:
    assert hardware.licensed_cores(16, 2) == 32  # 2 CPUs x 16-core minimum
    assert hardware.licensed_cores(40, 2) == 40
    assert hardware.licensed_cores(20, None) == 32  # sockets unknown: multiples of 16
    assert hardware.licensed_cores(8, None) == 16
    assert hardware.hypervisor_annual(16, 2) == pytest.approx(32 * 106.3)


def test_facilities_from_it_load() -> None:
    est = resolve(estate())
    # in service: H1 (hosts V1 which serves A1) 100 + 6 x 16 + 0.375 x 256 = 292 W and
    # P1 100 + 96 + 24 = 220 W; V1 draws on H1; Z1 serves nothing (off from month 0)
    assert staying.in_service(est) == {"H1", "V1", "P1"}
    assert staying.it_load_kw(est, "DC1") == pytest.approx(0.512)
    # capacity 0.512 / (1 - 0.4) kW x 267.72 a kW-month (USD 340 at 1.27) = 228.45
    assert est.site_by_id["DC1"].monthly_fixed_cost == pytest.approx(0.512 / 0.6 * 267.72)
    assert est.site_by_id["AZ"].monthly_fixed_cost == 0.0
    assert "sites.DC1.monthly_fixed_cost" in est.estimated
    assert "sites.AZ.monthly_fixed_cost" not in est.estimated


def test_resolver_fills_current_cost_from_the_categories() -> None:
    est = resolve(estate())
    a1 = est.app_by_id["A1"]
    v1 = est.server_by_id["V1"]
    p1 = est.server_by_id["P1"]
    parts = staying.server_costs(v1, START, H)
    for k, v in staying.server_costs(p1, START, H).items():
        parts[k] += v / 2
    assert a1.current_monthly_cost == pytest.approx(sum(parts.values()))
    yearly = {k: 12 * v for k, v in parts.items()}
    yearly["total"] = sum(yearly.values())
    assert est.assumptions["cost_of_staying"]["applications"]["A1"] == pytest.approx(
        yearly, abs=0.01)
    assert "applications.A1.current_monthly_cost" in est.estimated
    assert est.server_by_id["H1"].end_of_life == "2023-01"
    assert "servers.H1.end_of_life" in est.estimated
    # an explicit 0 means none: kept, not estimated
    est0 = resolve(estate(current_monthly_cost=0.0))
    assert est0.app_by_id["A1"].current_monthly_cost == 0.0
    assert "applications.A1.current_monthly_cost" not in est0.estimated


def test_breakdown_by_category_a_year() -> None:
    est = resolve(estate())
    b = est.assumptions["cost_of_staying"]
    per = b["per_year"]
    apps = b["applications"]
    assert per["labour"] == pytest.approx(12 * (LOADED / 100 / 12 + LOADED / 50 / 12), abs=0.01)
    assert per["labour"] == pytest.approx(apps["A1"]["labour"] + apps["A2"]["labour"],
                                          abs=0.02)
    assert per["facilities"] == pytest.approx(12 * 0.512 / 0.6 * 267.72, abs=0.01)
    # energy: 0.512 kW x 730 h x PUE 1.5 x £0.30 x 12
    assert per["energy"] == pytest.approx(0.512 * 730 * 1.5 * 0.30 * 12, abs=0.01)
    # hardware refresh, annualised: (6140.80 + 3687.04) / 5 years (Z1 is a zombie)
    assert per["hardware_refresh"] == pytest.approx((6140.80 + 3687.04) / 5, abs=0.01)
    assert per["hypervisor_licences"] == pytest.approx(3401.6)
    site = b["sites"]["DC1"]
    assert site["energy"] == pytest.approx(per["energy"], abs=0.01)
    assert site["hypervisor_licences"] == pytest.approx(3401.6)
    assert site["it_load_kw"] == pytest.approx(0.512) and site["facilities_estimated"]
    assert b["servers"] == 2  # V1 and P1 in service
    assert b["total_per_year"] == pytest.approx(sum(per.values()), abs=0.05)
    assert b["per_server_year"] == pytest.approx(b["total_per_year"] / 2, abs=0.05)


def test_energy_of_staying_follows_an_override_of_hours_per_month() -> None:
    # 0.512 kW x 700 h (overridden) x PUE 1.5 x £0.30 x 12
    from estate.reference import packaged_reference

    ref = packaged_reference().with_overrides({"ccf.hours_per_month": 700}, "test")
    est = resolve(estate(), reference=ref)
    per = est.assumptions["cost_of_staying"]["per_year"]
    assert est.settings.hours_per_month == 700
    assert per["energy"] == pytest.approx(0.512 * 700 * 1.5 * 0.30 * 12, abs=0.01)


def test_plan_lists_the_reference_entries_the_estimates_rest_on() -> None:
    ref = resolve(estate()).assumptions["reference"]
    for key in ("labour.vms_per_admin", "facilities.per_kw_month", "hardware.cost_per_core",
                "hardware.launch.hpe_gen10", "os_licence.esu_year_3", "storage.per_gb_month"):
        assert ref[key]["source"] and ref[key]["unit"] and ref[key]["year"], key
    assert ref["hardware.server_life_years"]["value"] == 5
    assert "hardware.launch.dell_14g" not in ref  # not used by this estate
