"""Estimators pinned to hand-computed values (reference data 2026.2)."""

from __future__ import annotations

import pytest

from estate.estimate import (
    cloud_vm_monthly_cost,
    embodied_kg,
    generated_options,
    os_end_of_support,
    replacement_cost,
    right_size,
    server_watts,
    site_pue,
    vm_kwh_per_month,
)
from estate.model import Application, Dependency, Estate, Option, Server, Settings, Site, Team


def test_vm_kwh_per_month() -> None:
    # 4 vCPU x 2.12 W (0.74 + 0.5 x (3.5 - 0.74)) x 730 h / 1000 = 6.1904 kWh
    # 16 GB x 0.000392 kWh/GB-h x 730 h                          = 4.57856 kWh
    # total 10.76896 kWh a month, before PUE
    assert vm_kwh_per_month(4, 16, 0) == pytest.approx(10.76896)
    # 2 vCPU: 3.0952; 8 GB: 2.28928; 100 GB SSD = 0.1 TB x 1.2 Wh x 730 / 1000 = 0.0876
    assert vm_kwh_per_month(2, 8, 100) == pytest.approx(5.47208)
    # same on HDD: 0.1 TB x 0.65 Wh x 730 / 1000 = 0.04745
    assert vm_kwh_per_month(2, 8, 100, ssd=False) == pytest.approx(5.43193)


def test_server_watts() -> None:
    # virtual: 4 x 2.12 + 16 x 0.392 = 8.48 + 6.272 = 14.752 W
    assert server_watts(Server("V", "S", "virtual", vcpus=4, ram_gb=16, storage_gb=0)) == \
        pytest.approx(14.752)
    # virtual, size blank: 2 vCPU, 8 GB, 100 GB SSD: 4.24 + 3.136 + 0.12 = 7.496 W
    assert server_watts(Server("V", "S", "virtual")) == pytest.approx(7.496)
    # physical 16 cores, 64 GB: 100 + 6 x 16 + 0.375 x 64 = 100 + 96 + 24 = 220 W
    assert server_watts(Server("P", "S", "physical", vcpus=16, ram_gb=64)) == pytest.approx(220)
    # host, size blank (32 cores, 384 GB): 100 + 192 + 144 = 436 W
    assert server_watts(Server("H", "S", "host")) == pytest.approx(436)
    # host with cores known, RAM blank: 100 + 6 x 24 + 144 = 388 W
    assert server_watts(Server("H", "S", "host", vcpus=24)) == pytest.approx(388)


def test_embodied_and_replacement() -> None:
    # 16 cores -> 1 CPU; 1000 + 533 x 64/384 + 100 x 1 + 100 x 2 SSD = 1388.8333 kg
    p = Server("P", "S", "physical", vcpus=16, ram_gb=64)
    assert embodied_kg(p) == pytest.approx(1000 + 533 * 64 / 384 + 100 + 200)
    # host blank: 32 cores -> 2 CPUs, 384 GB: 1000 + 533 + 200 + 200 = 1933 kg
    assert embodied_kg(Server("H", "S", "host")) == pytest.approx(1933)
    assert embodied_kg(Server("V", "S", "virtual", vcpus=4)) == 0.0
    # per core and GB (Azure Migrate regression): 16 x 179.32 + 64 x 12.78 = 3687.04
    assert replacement_cost(p) == pytest.approx(16 * 179.32 + 64 * 12.78)
    # host blank (32 cores, 384 GB): 5738.24 + 4907.52 = 10645.76
    assert replacement_cost(Server("H", "S", "host")) == pytest.approx(10645.76)
    assert replacement_cost(Server("V", "S", "virtual")) == 0.0


def test_cloud_vm_monthly_cost_right_sizes() -> None:
    # prices are stored in USD a month and converted at 1.27 USD/GBP
    assert right_size(4, 16) == ("d4s_v5", 1)
    assert cloud_vm_monthly_cost(4, 16) == pytest.approx(174.29 / 1.27)  # D4s v5 PAYG
    assert cloud_vm_monthly_cost(4, 20) == pytest.approx(348.59 / 1.27)  # RAM -> D8s v5
    assert cloud_vm_monthly_cost(1, 2) == pytest.approx(87.15 / 1.27)  # smallest: D2s v5
    assert cloud_vm_monthly_cost(2, 8, pricing="reserved_1y") == pytest.approx(54.03 / 1.27)
    # 8 vCPU at 20 % observed: 8 x 0.2 / 0.7 = 2.29 vCPU needed -> D4s v5
    assert cloud_vm_monthly_cost(8, 8, utilisation=0.2) == pytest.approx(174.29 / 1.27)
    # 40 vCPU, 64 GB: 3 x D16s v5 = 3 x USD 697.18
    assert cloud_vm_monthly_cost(40, 64) == pytest.approx(3 * 697.18 / 1.27)
    with pytest.raises(ValueError):
        cloud_vm_monthly_cost(2, 8, pricing="spot")


@pytest.mark.parametrize(("text", "month"), [
    ("Microsoft Windows Server 2012 R2 (64-bit)", "2023-10"),
    ("Microsoft Windows Server 2016 or later (64-bit)", "2027-01"),
    ("Windows Server 2008R2 Standard", "2020-01"),
    ("Microsoft Windows Server 2022 Datacenter", "2031-10"),
    ("Red Hat Enterprise Linux 7 (64-bit)", "2024-06"),
    ("Red Hat Enterprise Linux Server release 8.6 (Ootpa)", "2029-05"),
    ("RHEL9", "2032-05"),
    ("VMware ESXi 6.7.0 build-17167734", "2022-10"),
    ("VMware ESXi 7.0 U3", "2025-10"),
    ("CentOS 7 (64-bit)", "2024-06"),
    ("Ubuntu 20.04.6 LTS", "2025-05"),
    ("Microsoft SQL Server 2014", "2024-07"),
    ("SQL Server 2016 on Windows Server 2019", "2026-07"),  # earliest of the two
])
def test_os_end_of_support(text: str, month: str) -> None:
    assert os_end_of_support(text) == month


@pytest.mark.parametrize("text", ["", None, "Ubuntu Linux (64-bit)",
                                  "Red Hat Enterprise Linux (64-bit)", "Other Linux", "AIX 7.2"])
def test_os_end_of_support_unknown(text: str | None) -> None:
    assert os_end_of_support(text) is None


def _estate(n_servers: int = 0) -> Estate:
    sites = (Site("DC1", "on_prem"), Site("AZ", "cloud", name="Azure UK South"),
             Site("AWS1", "cloud"), Site("OLD", "cloud", name="aws eu-west-2", exit_by="2026-01"))
    servers = [Server("V1", "DC1", "virtual", vcpus=4, ram_gb=16, storage_gb=100,
                      app_ids=("A1",)),
               Server("V2", "DC1", "virtual", vcpus=2, ram_gb=8, storage_gb=50,
                      app_ids=("A1", "A2"))]
    servers += [Server(f"X{i}", "DC1", "virtual", app_ids=("A3",)) for i in range(n_servers)]
    apps = (Application("A1", "A1"), Application("A2", "A2"), Application("A3", "A3"),
            Application("Z1", "Z1"), Application("Z2", "Z2"),
            Application("Z3", "Z3", current_monthly_cost=50))
    return Estate(Settings("2025-04"), sites=sites, applications=apps, servers=tuple(servers),
                  dependencies=(Dependency("Z2", "A1", "loose"),))


def test_site_pue_by_provider() -> None:
    est = _estate()
    pues = {s.site_id: site_pue(s) for s in est.sites}
    assert pues == {"DC1": 1.8, "AZ": 1.18, "AWS1": 1.15, "OLD": 1.15}
    assert site_pue(Site("X", "cloud")) == 1.18
    assert site_pue(Site("X", "colo")) == 1.4
    assert site_pue(Site("X", "colo", pue=1.2)) == 1.2


def test_generated_rehost_hand_computed() -> None:
    est = _estate()
    opts = generated_options(est, est.app_by_id["A1"])
    assert [o.strategy for o in opts] == ["retain", "rehost", "rehost"]
    retain, rehost, second = opts
    assert retain == Option("A1", "retain", "DC1", generated=True)
    assert all(isinstance(o, Option) and o.generated for o in opts)
    # one rehost per cloud site, cheapest first: AWS1 ("AWS1" names AWS) is priced with
    # AWS m6i rows, AZ with Azure Dsv5 rows; OLD has exit_by: never a target
    assert (rehost.target_site, second.target_site) == ("AWS1", "AZ")
    # per server: VM (USD / 1.27) + cloud disk (GB x 0.06) + OS licence (none: no OS) +
    # VM admin at 70 % of on premises (loaded salary 40,000 + 15 % x 35,000 + 19.8 % x
    # 40,000 = 53,170; / 100 VMs / 12 = 44.308333; x 0.7 = 31.015833) + backup (a
    # protected instance: 3.94 up to 50 GB, else 7.87 a 500 GB; + GB x 0.0378) +
    # monitoring 3.46 + network 11.5 % of (VM + disk). AWS1 at payg:
    # V1 whole (m6i.xlarge USD 162.06 = 127.606299): 127.606299 + 6 + 31.015833
    #   + (7.87 + 3.78) + 3.46 + 0.115 x 133.606299 (15.364724)        = 195.096856
    # V2 half (m6i.large USD 81.03 = 63.803150): (63.803150 + 3 + 31.015833
    #   + (3.94 + 1.89) + 3.46 + 0.115 x 66.803150 (7.682362)) / 2      =  57.395673
    assert rehost.monthly_cost == pytest.approx(252.492529, abs=1e-4)
    # AZ: V1 D4s v5 USD 174.29 = 137.236220 -> 205.834218; V2 D2s v5 USD 87.15 =
    # 68.622047 -> 120.164415 / 2 = 60.082208; 265.916426
    assert second.monthly_cost == pytest.approx(265.916426, abs=1e-4)
    # kWh at AWS1 (CCF AWS pair, 2.12 W a vCPU): V1 10.76896 + 0.0876 = 10.85656;
    # V2 (3.0952 + 2.28928 + 0.0438) / 2 = 2.71414
    assert rehost.monthly_kwh == pytest.approx(13.5707)
    # at AZ (Azure pair 0.78 / 3.76: 2.27 W): V1 4 x 2.27 x 0.73 + 4.57856 + 0.0876
    # = 11.29456; V2 (3.3142 + 2.28928 + 0.0438) / 2 = 2.82364
    assert second.monthly_kwh == pytest.approx(14.1182)
    # one-off in house, both VMs small (at most 4 vCPUs): 157.48 + 157.48 / 2 = 236.22;
    # 1.5 x 1 day spread over ceil(1.5 / 10) = 1 month
    assert rehost.one_off_cost == pytest.approx(236.22)
    assert rehost.effort == {"migration": pytest.approx(1.5)}
    assert rehost.duration_months == 1


def test_generated_rehost_carries_licences_but_not_extended_support() -> None:
    est = _estate()
    w = Server("W", "DC1", "virtual", vcpus=2, ram_gb=8, storage_gb=0, app_ids=("A1",),
               os="Microsoft Windows Server 2012 R2 (64-bit)", os_end_of_support="2023-10")
    from dataclasses import replace

    est = replace(est, servers=(w,))
    rehost = generated_options(est, est.app_by_id["A1"])[1]
    # Windows: 8-core minimum = 4 packs x 105.22 = 420.88; / 5 years + 25 % SA = 189.396 a
    # year = 15.783 a month, in the cloud too (Azure Hybrid Benefit); ESU: none (free there)
    vm = 87.15 / 1.27  # D2s v5 USD 87.15 a month at 1.27 USD/GBP
    rehost = next(o for o in generated_options(est, est.app_by_id["A1"])
                  if o.target_site == "AZ")
    licence = 420.88 * (1 / 5 + 0.25) / 12
    # admin 70 % x 53,170 / 100 / 12; backup of 0 GB: the small instance fee 3.94;
    # monitoring 3.46
    expect = vm + licence + 0.7 * 53_170 / 1200 + 3.94 + 3.46 + 0.115 * (vm + licence)
    assert rehost.monthly_cost == pytest.approx(expect)


def test_generated_duration_from_server_count() -> None:
    est = _estate(29)
    rehost = generated_options(est, est.app_by_id["A3"])[1]
    assert rehost.duration_months == 3  # ceil(29 / 10)
    assert rehost.effort == {"migration": pytest.approx(29 / 3)}  # 29 days over 3 months
    est = _estate(70)
    assert generated_options(est, est.app_by_id["A3"])[1].duration_months == 6  # capped


def test_generated_retire_only_for_zombie_applications() -> None:
    est = _estate()
    # Z1: no servers, no cost, no dependency -> retain + retire
    z1 = generated_options(est, est.app_by_id["Z1"])
    assert [o.strategy for o in z1] == ["retain", "retire"]
    assert z1[1].one_off_cost == 2000 and z1[1].duration_months == 1
    assert z1[0].target_site is None
    # Z2 has a dependency, Z3 a running cost: retain only (nothing to rehost)
    assert [o.strategy for o in generated_options(est, est.app_by_id["Z2"])] == ["retain"]
    assert [o.strategy for o in generated_options(est, est.app_by_id["Z3"])] == ["retain"]


def test_generated_retire_for_applications_whose_servers_are_all_powered_off() -> None:
    from dataclasses import replace

    est = _estate()
    off = tuple(replace(s, powerstate="poweredOff") if s.server_id == "V1" else s
                for s in est.servers)
    est = replace(est, servers=off)
    # A2 runs on V2 only (powered on): no retire; A1 runs on V1 (off) and V2 (on): no retire
    assert "retire" not in [o.strategy for o in generated_options(est, est.app_by_id["A1"])]
    both = tuple(replace(s, powerstate="poweredOff") for s in est.servers)
    est = replace(est, servers=both)
    opts = generated_options(est, est.app_by_id["A1"])
    assert [o.strategy for o in opts] == ["retain", "rehost", "rehost", "retire"]
    assert opts[-1].one_off_cost == 2000  # a candidate the planner may choose, or not


def test_generated_effort_goes_to_an_existing_team() -> None:
    from dataclasses import replace

    est = replace(_estate(), teams=(Team("infra", 20), Team("apps", 10)))
    rehost = generated_options(est, est.app_by_id["A1"])[1]
    assert set(rehost.effort) == {"infra"}


def test_no_rehost_to_the_site_it_is_already_on() -> None:
    est = Estate(Settings("2025-04"), sites=(Site("AZ", "cloud"),),
                 applications=(Application("A", "A"),),
                 servers=(Server("V", "AZ", "virtual", app_ids=("A",)),))
    assert [o.strategy for o in generated_options(est, est.applications[0])] == ["retain"]


def test_site_provider_and_its_watts_per_vcpu() -> None:
    from estate.estimate import site_provider, vcpu_watts

    est = _estate()
    assert {s.site_id: site_provider(s) for s in est.sites} == {
        "DC1": None, "AZ": "azure", "AWS1": "aws", "OLD": "aws"}
    assert site_provider(Site("G", "cloud", name="GCP europe-west2")) == "google"
    assert site_provider(Site("X", "cloud")) is None
    assert site_provider(Site("azure-colo", "colo")) is None  # only cloud sites
    # min + 50 % x (max - min): default/AWS 0.74 / 3.5 -> 2.12; Azure 0.78 / 3.76 -> 2.27;
    # Google 0.68 / 4.11 -> 2.395
    assert vcpu_watts() == pytest.approx(2.12)
    assert vcpu_watts(provider="aws") == pytest.approx(2.12)
    assert vcpu_watts(provider="azure") == pytest.approx(2.27)
    assert vcpu_watts(provider="google") == pytest.approx(2.395)


def test_cloud_backup_by_size() -> None:
    from estate.estimate import cloud_backup_monthly

    def vm(gb: float, in_use: float | None = None) -> Server:
        return Server("V", "S", "virtual", storage_gb=gb, in_use_gb=in_use)

    # up to 50 GB: the small instance fee 3.94 + GB x 0.0378
    assert cloud_backup_monthly(vm(50)) == pytest.approx(3.94 + 1.89)
    # above: 7.87 for each 500 GB or part
    assert cloud_backup_monthly(vm(51)) == pytest.approx(7.87 + 51 * 0.0378)
    assert cloud_backup_monthly(vm(500)) == pytest.approx(7.87 + 18.9)
    assert cloud_backup_monthly(vm(1200)) == pytest.approx(3 * 7.87 + 45.36)
    # the data in use is what is protected
    assert cloud_backup_monthly(vm(1200, in_use=40)) == pytest.approx(3.94 + 1.512)
    # blank size: the default VM's 100 GB
    assert cloud_backup_monthly(Server("V", "S", "virtual")) == pytest.approx(7.87 + 3.78)


def test_rehost_one_off_by_size_and_by_who() -> None:
    from estate.estimate import rehost_one_off
    from estate.reference import load_reference

    def vm(vcpus: float) -> Server:
        return Server("V", "S", "virtual", vcpus=vcpus)

    # in house (default): USD 200 = 157.48; x 1.5 above 4 vCPUs, x 2.5 above 8
    assert [rehost_one_off(vm(c)) for c in (1, 4, 5, 8, 9, 16)] == pytest.approx(
        [157.48, 157.48, 236.22, 236.22, 393.70, 393.70])
    partner = load_reference().with_overrides({"migration.partner_share": 1.0}, "test")
    assert rehost_one_off(vm(2), partner) == pytest.approx(39.37)
    assert rehost_one_off(vm(16), partner) == pytest.approx(2.5 * 39.37)
    # a physical server: its cores (default 16) read as vCPUs
    assert rehost_one_off(Server("P", "S", "physical")) == pytest.approx(393.70)
