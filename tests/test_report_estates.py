"""Every sentence of the reports for estates unlike the demo: imports only, no
contracts, no cloud, all retained, infeasible. Each is written as a workbook
and planned with ``estate plan`` as a user would; the audit
(:mod:`report_audit`) reads back what the reports say. The demo itself is
audited in ``test_demo_outputs.py``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from report_audit import audit, counts, page_text

from estate.cli import main
from estate.model import (
    Application,
    Contract,
    Estate,
    Option,
    Server,
    Settings,
    Site,
)
from inventory.load import load_estate
from inventory.writer import write_estate

START = "2026-04"
VINFO = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB",
         "Datacenter", "Cluster", "Host", "OS according to the configuration file",
         "OS according to the VMware Tools", "App"]


def _rvtools(path: Path) -> Path:
    """A small RVTools export: three VMs on two hosts."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vInfo"
    ws.append(VINFO)
    for vm in (["web01", "poweredOn", "False", 2, 8192, 102400, 51200, "DC", "C1", "esx1",
                "Microsoft Windows Server 2012 (64-bit)", "", ""],
               ["db01", "poweredOn", "False", 4, 16384, 204800, 204800, "DC", "C1", "esx2",
                "Red Hat Enterprise Linux 8 (64-bit)", "", ""],
               ["arc01", "poweredOn", "False", 1, 2048, 10240, 1024, "DC", "C1", "esx1", "",
                "", ""]):
        ws.append(vm)
    wh = wb.create_sheet("vHost")
    for h in (["Host", "# Cores", "# Memory"], ["esx1", 16, 262144], ["esx2", 16, 131072]):
        wh.append(h)
    wb.save(path)
    return path


def _apps() -> tuple[Application, ...]:
    return (Application("A1", "Council Tax portal", "Council Tax", "high", True, 900.0),
            Application("A2", "Benefits", "Revenues & Benefits", "medium", False, 700.0),
            Application("A3", "Library catalogue", "Libraries", "low", True, 300.0),
            Application("A4", "Old HR", "HR", "low", False, 200.0))


def _servers() -> tuple[Server, ...]:
    return tuple(Server(f"S{i}", "DC1", "physical", watts=300.0, end_of_life="2027-06",
                        app_ids=(f"A{i}",)) for i in range(1, 5))


def _settings(**kw: object) -> Settings:
    return Settings(horizon_start=START, horizon_months=24, **kw)  # type: ignore[arg-type]


def no_contracts() -> Estate:
    """Cloud moves, a SaaS replacement without a target site, a retirement."""
    opts = (Option("A1", "rehost", "CLOUD", 2, 5000.0, 600.0, 40.0),
            Option("A1", "retain", "DC1"),
            Option("A2", "repurchase", None, 3, 8000.0, 500.0),
            Option("A2", "retain", "DC1"),
            Option("A3", "retire", None, 1, 500.0), Option("A3", "retain", "DC1"),
            Option("A4", "retire", None, 1, 100.0))
    apps = _apps()
    apps = (apps[0], replace(apps[1], resident_facing=True), *apps[2:])
    return Estate(settings=_settings(organisation="Testshire County Council",
                                     strategy="Cloud Strategy 2026"),
                  sites=(Site("DC1", "on_prem", name="Town Hall"),
                         Site("CLOUD", "cloud", name="UK South"),
                         Site("SPARE", "colo", name="Spare colo")),
                  applications=apps, servers=_servers(), options=opts)


def no_cloud() -> Estate:
    """No cloud site: moves to an empty colo, a contract covering the data centre."""
    opts = tuple(o for i in range(1, 5) for o in (
        Option(f"A{i}", "relocate", "COLO", 2, 2000.0, 100.0, 30.0),
        Option(f"A{i}", "retain", "DC1")))
    return Estate(settings=_settings(),
                  sites=(Site("DC1", "on_prem", exit_by="2027-12"),
                         Site("COLO", "colo", name="Partner colo")),
                  applications=_apps(), servers=_servers(), options=opts,
                  contracts=(Contract("C1", 24000.0, "2026-09-30", supplier="Facilities Ltd",
                                      title="Town hall DC", covers=("DC1",)),))


def all_retained() -> Estate:
    """Every application may only stay; a contract covering nothing."""
    return Estate(settings=_settings(), sites=(Site("DC1", "on_prem"),
                                               Site("CLOUD", "cloud")),
                  applications=_apps(), servers=_servers(),
                  options=tuple(Option(f"A{i}", "retain", "DC1") for i in range(1, 5)),
                  contracts=(Contract("C1", 1200.0, "2026-12-31", supplier="Misc"),))


def infeasible() -> Estate:
    """A resident-facing application that must be live before residents can be told."""
    apps = (Application("A1", "Council Tax portal", "Council Tax", "high", True, 900.0,
                        must_finish_by="2026-05"),) + _apps()[1:]
    opts = tuple(o for i in range(1, 5) for o in (
        Option(f"A{i}", "rehost", "CLOUD", 1, 1000.0, 100.0), Option(f"A{i}", "retain", "DC1")))
    return Estate(settings=_settings(), sites=(Site("DC1", "on_prem"), Site("CLOUD", "cloud")),
                  applications=apps, servers=_servers(), options=opts)


BUILT = {"no contracts": no_contracts, "no cloud": no_cloud, "all retained": all_retained,
         "infeasible": infeasible}


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Estate, int]]:
    """Each estate as a workbook, planned by ``estate plan`` (no PDF): name ->
    (output folder, estate as loaded, exit code)."""
    root = tmp_path_factory.mktemp("estates")
    runner = CliRunner()
    books: dict[str, Path] = {}
    for name, build in BUILT.items():
        books[name] = write_estate(build(), root / f"{name.replace(' ', '-')}.xlsx")
    imports = root / "imports.xlsx"
    res = runner.invoke(main, ["import", "rvtools", str(_rvtools(root / "rv.xlsx")),
                               "--into", str(imports)])
    assert res.exit_code == 0, res.output
    books["imports only"] = imports
    out: dict[str, tuple[Path, Estate, int]] = {}
    for name, book in books.items():
        folder = root / name.replace(" ", "-")
        res = runner.invoke(main, ["plan", str(book), "--out", str(folder), "--no-pdf",
                                   "--time-limit", "5", "--workers", "1", "--quiet"])
        assert res.exit_code in (0, 4), res.output
        out[name] = (folder, load_estate(book), res.exit_code)
    return out


@pytest.mark.parametrize("name", ["imports only", "no contracts", "no cloud", "all retained",
                                  "infeasible"])
def test_no_wrong_or_misleading_words(planned: dict[str, tuple[Path, Estate, int]],
                                      name: str) -> None:
    folder, estate, _ = planned[name]
    assert audit(folder, estate) == []


def test_each_estate_says_what_it_is(planned: dict[str, tuple[Path, Estate, int]]) -> None:
    text = {name: page_text(folder / "roadmap.html") for name, (folder, _, _) in planned.items()}
    # titles come from the workbook, never from the demo council
    assert "Testshire County Council" in text["no contracts"]
    assert "Cloud Strategy 2026" in text["no contracts"]
    assert all("Wessexford" not in t and "2024–28" not in t for t in text.values())
    # a SaaS replacement with no target site is not a cloud-first exception
    assert "replaced by SaaS" in text["no contracts"]
    nc = counts(planned["no contracts"][0] / "roadmap.html")
    assert (nc["cloud"], nc["retired"]) == (2, 2)
    assert "the workbook lists no contracts" in text["no contracts"]
    assert "the estate has no cloud site to move to" in text["no cloud"] \
        or counts(planned["no cloud"][0] / "roadmap.html")["stay"] == 0
    ar = counts(planned["all retained"][0] / "roadmap.html")
    assert ar["stay"] == ar["total"] == 4
    assert "No application moves in this plan." in text["all retained"]
    assert "the same as doing nothing" in text["all retained"]


def test_infeasible_names_the_residents_rule(
        planned: dict[str, tuple[Path, Estate, int]]) -> None:
    folder, _, code = planned["infeasible"]
    assert code == 4
    text = page_text(folder / "roadmap.html")
    assert "no plan: infeasible" in text
    assert "A1 is resident-facing" in text
    assert "must-finish date (applications sheet) 2026-05" in text
    assert counts(folder / "roadmap.html")["stay"] == 4  # the figures show doing nothing


def test_residents_table_dates(planned: dict[str, tuple[Path, Estate, int]]) -> None:
    # A1 (resident-facing) moves: 8 weeks after 1 Apr 2026 is 27 May, so it goes
    # live in Jun 2026 at the earliest and residents are told by 6 Apr 2026.
    folder, _, _ = planned["no contracts"]
    page = (folder / "roadmap.html").read_text(encoding="utf-8")
    row = page[page.index('<th scope="row">A1 Council Tax portal</th>'):]
    row = row[:row.index("</tr>")]
    assert "rehost to CLOUD" in row and "Jun 2026" in row and "6 Apr 2026" in row
    saas = page[page.index('<th scope="row">A2 Benefits</th>'):]
    assert "replaced by SaaS" in saas[:saas.index("</tr>")]
    retired = page[page.index('<th scope="row">A3 Library catalogue</th>'):]
    assert "retired (the workbook names no replacement)" in retired[:retired.index("</tr>")]
