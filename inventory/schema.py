"""The estate workbook's sheets and columns: the one definition everything uses.

The loader (:mod:`inventory.load`) takes its required sheets and columns and
its list of known names from here (anything else is a near-miss error or is
ignored and reported); the writer (:mod:`inventory.writer`) its column order;
``estate template`` its headers, header comments and drop-down lists; and
``docs/workbook.md`` is generated from it (``python3 -m inventory.schema >
docs/workbook.md``; a test fails when the committed file is stale).

Adding a column is one line: a :class:`Column` in its sheet's tuple below.

Names are matched after :func:`normalise_name` (lower case; spaces and
hyphens become ``_``). An unknown name within a small edit distance of a known
one is a near miss (:func:`near_miss`): the loader reports it as an error
naming the intended name.
"""

from __future__ import annotations

from estate.actuals import ACTUAL_KINDS, ACTUAL_STATUSES, CONTRACT_ACTIONS
from estate.model import (
    CONTRACT_UNITS,
    CRITICALITIES,
    DEPENDENCY_KINDS,
    ENDS_WITH,
    RESIDENCIES,
    SERVER_KINDS,
    SITE_KINDS,
    SQL_EDITIONS,
    STRATEGIES,
)
from estate.settings import OS_POLICIES
from inventory.schema_types import (  # noqa: F401  (re-exported: the schema's one namespace)
    CHOICE,
    DATE,
    EFFORT,
    FINANCIAL_YEAR,
    FRACTION,
    GRID,
    ID,
    ID_LIST,
    MONTH,
    MONTH_NAMES,
    NUMBER,
    TEXT,
    TYPES,
    WHOLE,
    YES_NO,
    Column,
    Setting,
    Sheet,
)

_MONEY_NOTE = "an explicit 0 means none"

SETTINGS: tuple[Setting, ...] = (
    Setting("horizon_start", MONTH, "the first month after today",
            "first month planned (month index 0); a month before the current one is a "
            "warning (the plan would schedule work in the past)", "2027-01"),
    Setting("horizon_months", WHOLE, "48", "months planned (month index 0 … H-1)", "48"),
    Setting("discount_rate", FRACTION, "0.035",
            "annual real discount rate (HM Treasury Green Book); month t is discounted by "
            "(1+r)^(-t/12)", "0.035"),
    Setting("carbon_price", NUMBER,
            "the UK appraisal central carbon value for the start year",
            "£ per tonne CO2e added to the objective for every tonne; 0 plans on cost alone",
            "280"),
    Setting("team_days_per_month", NUMBER, "60",
            "capacity of team `migration` when there is no `teams` sheet (ignored when "
            "there is one)", "60"),
    Setting("max_critical_in_flight", WHOLE, "1",
            "critical applications in flight in one month, at most", "1"),
    Setting("max_golives_per_month", WHOLE, "none (no limit)",
            "applications going live in one month, at most; `none` for no limit", "6"),
    Setting("freeze_months", MONTH_NAMES, "none",
            "months in which nothing may go live", "Dec; Mar"),
    Setting("grid_kg_per_kwh", GRID, "the UK grid factor of each year (reference data)",
            "override of the UK grid carbon factor", "2026=0.12; 2027=0.10"),
    Setting("resident_notice_weeks", WHOLE, "8",
            "weeks between telling residents and a resident-facing change going live", "8"),
    Setting("organisation", TEXT, "blank", "the organisation's name, used in report titles",
            "Borough of Wessexford Council"),
    Setting("strategy", TEXT, "blank",
            "the strategy the plan serves, shown as the reports' subtitle",
            "Digital, Data and Technology Strategy 2024-28"),
    Setting("unsupported_os_policy", CHOICE, "flag",
            "what a server kept past its operating system's end of support means: `flag` "
            "lists it in the outputs (the roadmap's risk section); `esu` makes it pay "
            "extended security updates (reference prices) in each month it stays; `forbid` "
            "makes it leave (its applications move or retire) by its end of support plus "
            "`unsupported_os_grace_months`", "forbid", choices=OS_POLICIES),
    Setting("unsupported_os_grace_months", WHOLE, "0",
            "months a server may stay past its end of support under `forbid`", "6"),
    Setting("ha_spare_hosts", WHOLE, "1",
            "hosts a cluster keeps beyond what its VMs need (N+1)", "1"),
    Setting("vcpus_per_core", NUMBER, "the reference value (hardware.vcpus_per_core)",
            "vCPUs one physical core carries in a cluster's capacity", "4"),
)

_SITE = Sheet("sites", True, "Data centres, colocation suites and cloud regions: where "
              "servers run today and where applications may move.", (
    Column("site_id", ID, "unique across sites, applications and servers", required=True,
           example="DC1"),
    Column("name", TEXT, "a display name", example="Civic Centre data centre"),
    Column("kind", CHOICE, "what the site is", required=True, choices=SITE_KINDS,
           example="on_prem"),
    Column("pue", NUMBER, "power usage effectiveness (at least 1.0)",
           default="by kind, from the reference data", estimated=True, example="1.8"),
    Column("power_price_per_kwh", NUMBER, "£ per kWh paid for on-premises energy",
           default="from the reference data at `on_prem` and `colo` sites; 0 at `cloud` "
                   "sites", estimated=True, example="0.27"),
    Column("monthly_fixed_cost", NUMBER,
           "£ a month the site costs until its exit (lease, cooling, facilities staff)",
           default="at an `on_prem` or `colo` site, estimated from its IT load (kW) with the "
                   f"reference facilities cost; 0 at a `cloud` site; {_MONEY_NOTE}",
           estimated=True, example="45000"),
    Column("exit_by", MONTH, "nothing the site has today runs in this month or later, and "
           "no option may target it", default="no exit date", example="2028-03"),
    Column("grid_kg_per_kwh", NUMBER, "carbon factor of the electricity there (a cloud "
           "region's)", default="the UK grid factor of each year", example="0.05"),
    Column("country", TEXT, "two-letter ISO code of the country where it keeps data "
           "(`GB`, `IE`, …), for applications' `data_residency`",
           default="`GB` at `on_prem` and `colo` sites; at a `cloud` site from a known "
                   "region name in its id or name (`uksouth`, `eu-west-2`, …), else unknown",
           example="GB"),
    Column("source", TEXT, "which import wrote the row (imports use it to tidy the rows they "
           "made), kept", used=False),
))

_APPLICATIONS = Sheet("applications", True, "The applications (business systems) the plan "
                      "decides about.", (
    Column("app_id", ID, "unique across applications, servers and sites", required=True,
           example="APP001"),
    Column("name", TEXT, "the application's name", required=True, example="Council Tax"),
    Column("service", TEXT, "council service area", example="Revenues & Benefits"),
    Column("criticality", CHOICE, "how critical it is (limits how many critical "
           "applications move at once)", choices=CRITICALITIES, default="medium",
           example="high"),
    Column("resident_facing", YES_NO, "residents use it directly (they are told before it "
           "changes)", default="no", example="yes"),
    Column("current_monthly_cost", NUMBER,
           "£ a month to run it as it is today, outside contracts, server energy and site "
           "costs", default="estimated from its servers with the reference data (operations "
           "labour, operating-system licences and extended support, storage, backup, "
           f"network); {_MONEY_NOTE}", estimated=True, example="2500"),
    Column("blackout_months", MONTH_NAMES, "months in which it may not be in flight "
           "(annual billing)", default="none", example="Feb; Mar"),
    Column("earliest_start", MONTH, "its move may not start before this month",
           default="the horizon start", example="2027-01"),
    Column("must_finish_by", MONTH, "live in its new state from this month at the latest "
           "(it must move)", default="no deadline", example="2028-03"),
    Column("non_digital_route", TEXT, "how residents reach this service without going "
           "online (telephone, face to face, paper): the roadmap shows it beside every "
           "change residents will see", default="not recorded (the roadmap says so)",
           example="phone 0300 123 4567; Civic Centre counter"),
    Column("data_residency", CHOICE, "where its data may be kept: `uk` (sites in GB), `eu` "
           "(EU/EEA members and GB) or `any`; an option to a site outside is refused (a site "
           "of unknown country is outside for `uk` and `eu`)", choices=RESIDENCIES,
           default="any", example="uk"),
    Column("notes", TEXT, "free text, kept", used=False),
    Column("wave", TEXT, "a migration wave from an import, kept", used=False),
    Column("strategy_hint", TEXT, "a strategy suggested by an import, kept", used=False),
    Column("source", TEXT, "which import wrote the row (imports use it to tidy the rows they "
           "made), kept", used=False),
))

_SERVERS = Sheet("servers", True, "Physical servers, hypervisor hosts and virtual "
                 "machines, and the applications each serves.", (
    Column("server_id", ID, "unique across servers, applications and sites", required=True,
           example="SRV0001"),
    Column("hostname", TEXT, "the machine's name", example="wx-app01"),
    Column("site_id", ID, "the site where it runs today", required=True, example="DC1"),
    Column("kind", CHOICE, "`physical`, `host` (a hypervisor) or `virtual`", required=True,
           choices=SERVER_KINDS, example="virtual"),
    Column("host_id", ID, "for a `virtual` server: the host it runs on (at the same site)",
           default="none", example="HOST01"),
    Column("vcpus", NUMBER, "vCPUs (cores for a physical server or host)",
           default="reference default by kind (for estimates only)", example="4"),
    Column("ram_gb", NUMBER, "memory, GB", default="reference default by kind", example="16"),
    Column("storage_gb", NUMBER, "disk, GB", default="reference default", example="200"),
    Column("os", TEXT, "operating system", example="Windows Server 2016"),
    Column("os_end_of_support", MONTH, "end of support of its operating system",
           default="looked up from `os` in the reference data", estimated=True,
           example="2027-01"),
    Column("end_of_life", MONTH, "hardware end of life (physical servers and hosts); "
           "replaced then if still needed",
           default="estimated from `purchase_date`, else from the model or CPU generation, "
                   "plus the reference server life", estimated=True, example="2027-06"),
    Column("watts", NUMBER, "average electrical draw, W",
           default="estimated from its size (a host's from its cores and memory)",
           estimated=True, example="350"),
    Column("replacement_cost", NUMBER, "£ to replace it at end of life",
           default="estimated from its size", estimated=True, example="12000"),
    Column("embodied_kgco2e", NUMBER, "embodied carbon of its replacement, kgCO2e",
           default="reference default by size", estimated=True, example="1400"),
    Column("app_ids", ID_LIST, "the applications it serves", default="none (it serves "
           "nothing: a zombie server)", example="APP001; APP002"),
    Column("purchase_date", DATE, "when the hardware was bought (for the end-of-life "
           "estimate)", example="2019-06-30"),
    Column("model", TEXT, "hardware model (for the end-of-life estimate)",
           example="PowerEdge R740"),
    Column("cpu_model", TEXT, "CPU model (for the end-of-life estimate)",
           example="Intel Xeon Gold 6248"),
    Column("ip", TEXT, "an address from an import, kept", used=False),
    Column("powerstate", TEXT, "`on` or `off` (discovery words such as RVTools "
           "`poweredOff` are understood): a powered-off server carries storage and backup "
           "only in the cost of staying, and an application whose servers are all powered "
           "off gets a generated `retire` option", default="on", example="poweredOn"),
    Column("datacenter", TEXT, "vCenter datacenter from an import, kept", used=False),
    Column("cluster", TEXT, "for a `host`: the cluster it belongs to (hosts of one cluster "
           "form a pool)", default="none", example="CL-PROD"),
    Column("sockets", WHOLE, "for a `physical` server or `host`: CPU sockets (a per-core "
           "contract counts at least 16 cores per socket)",
           default="unknown (cores rounded up to a multiple of 16)", example="2"),
    Column("cores", WHOLE, "for a `physical` server or `host`: physical cores (a cluster's "
           "capacity; a per-core contract counts max(cores, 16 × sockets))",
           default="`vcpus`", example="32"),
    Column("in_use_gb", NUMBER, "storage actually used, GB (the cost of staying prices "
           "it when given, else `storage_gb`)", default="`storage_gb`", example="120"),
    Column("sql_edition", CHOICE, "SQL Server on it: `standard` or `enterprise`",
           choices=SQL_EDITIONS, default="none", example="standard"),
    Column("sql_cores", NUMBER, "cores licensed for SQL Server",
           default="its vCPUs, at least 4", example="4"),
    Column("tier", TEXT, "tier from an import, kept", used=False),
    Column("environment", TEXT, "environment from an import, kept", used=False),
    Column("source", TEXT, "which import wrote the row (imports use it to tidy the rows they "
           "made), kept", used=False),
))

_OPTIONS = Sheet("options", False, "One row per strategy allowed for an application. An "
                 "application with no rows gets two generated options: `retain`, and "
                 "`rehost` to the cheapest cloud site, estimated from its servers. An "
                 "application whose rows list no `retain` must move. A `retain` row's "
                 "costs are ignored: a retained application keeps its "
                 "`current_monthly_cost`.", (
    Column("app_id", ID, "the application", required=True, example="APP001"),
    Column("strategy", CHOICE, "what happens to the application", required=True,
           choices=STRATEGIES, example="rehost"),
    Column("target_site", ID, "site it runs at afterwards", default="none for `retire`; "
           "its current site for `retain`", example="AZURE-UKS"),
    Column("duration_months", WHOLE, "months in flight, at least 1", required=False,
           required_when="every strategy but `retain`", example="3"),
    Column("one_off_cost", NUMBER, "£ of the migration, spread evenly over the months in "
           "flight", default="0", example="40000"),
    Column("monthly_cost", NUMBER, "£ a month to run it after going live (cloud, SaaS "
           "subscription)", default="0", example="1800"),
    Column("monthly_kwh", NUMBER, "energy a month after going live, before the target "
           "site's PUE", default="0", example="150"),
    Column("effort", EFFORT, "team days a month while in flight; an unknown team is an "
           "error", default="0", example="migration=10; dba=2"),
))

_DEPENDENCIES = Sheet("dependencies", False, "Links between applications.", (
    Column("from_id", ID, "an application", required=True, example="APP001"),
    Column("to_id", ID, "another application", required=True, example="APP002"),
    Column("kind", CHOICE, "`together`: both move in the same months (a move group); "
           "`before`: `to_id` may start only once `from_id` is live; `loose`: either order, "
           "at a cost while they are apart", required=True, choices=DEPENDENCY_KINDS,
           example="before"),
    Column("split_cost_per_month", NUMBER, "for `loose`: £ a month while exactly one of the "
           "two has moved (hybrid links, egress)", default="0", example="300"),
    Column("notes", TEXT, "free text (an import writes the evidence), kept", used=False),
    Column("source", TEXT, "which import wrote the row (imports use it to tidy the rows they "
           "made), kept", used=False),
))

_CONTRACTS = Sheet("contracts", False, "ICT contracts: what the council pays, until when, "
                   "and what each covers. Rows are only ever added by an import or by you; "
                   "the planner never adds contracts of its own.", (
    Column("contract_id", ID, "unique among contracts", required=True, example="C-0042"),
    Column("supplier", TEXT, "the supplier", example="Northgate"),
    Column("title", TEXT, "what the contract is for", example="Revenues system support"),
    Column("category", TEXT, "`licence`, `support`, `maintenance`, `hosting`, "
           "`datacentre`, `connectivity`, `saas`, …", example="support"),
    Column("annual_value", NUMBER, "£ a year", required=True, example="85000"),
    Column("start_date", DATE, "start of the current term (costs start then when it lies "
           "in the horizon)", default="before the horizon", example="2024-04-01"),
    Column("end_date", DATE, "end of the current term", required=True, example="2027-03-31"),
    Column("notice_months", WHOLE, "months of notice before an end date", default="3",
           example="6"),
    Column("renewal_term_months", WHOLE, "length of each renewal", default="12",
           example="12"),
    Column("renewal_uplift", FRACTION, "fraction added at each renewal", default="0",
           example="0.03"),
    Column("covers", ID_LIST, "the application, server and site ids the contract serves "
           "(it can end once they are gone)", default="nothing", example="APP001; DC1"),
    Column("estimated", YES_NO, "the row was estimated by an import (e.g. hypervisor "
           "subscriptions), not read from a register; reports mark it", default="no",
           example="no"),
    Column("department", TEXT, "the department that owns it (shown in the procurement "
           "workbook; the planner does not use it)", example="Resources"),
    Column("cpv_code", TEXT, "procurement (CPV) code (shown in the procurement workbook)",
           example="72261000-2"),
    Column("total_value", NUMBER, "£ over the whole contract, from a register (shown in the "
           "procurement workbook)", example="425000"),
    Column("ends_with", CHOICE, "what ends it: `retire` (needed until everything it covers "
           "is gone for good: applications retired or replaced by `repurchase`, servers "
           "switched off, sites exited; a rehosted application's licence runs on), `move` "
           "(needed until everything it covers has left where it runs today), `never` "
           "(runs to the end of the plan: enterprise agreements, the WAN)",
           default="`retire` for categories `licence`, `support`, `saas`; `move` otherwise",
           choices=ENDS_WITH, example="retire"),
    Column("unit", CHOICE, "a per-unit contract: what it counts (`core`: max(cores, 16 × "
           "sockets) of the physical servers and hosts it covers; `host`; `server`; `vm`). "
           "Each renewal is priced by what is still in service at its first month",
           default="none (a fixed annual_value)", choices=CONTRACT_UNITS, example="core"),
    Column("unit_price", NUMBER, "for a per-unit contract: £ a year per unit (the current "
           "term keeps annual_value)", default="none", example="106.30"),
    Column("min_units", NUMBER, "for a per-unit contract: the least number of units a "
           "renewal is priced at (a minimum order)", default="0", example="72"),
    Column("review_date", DATE, "review date from a register, kept", used=False),
    Column("description", TEXT, "description from a register, kept", used=False),
    Column("source", TEXT, "which import wrote the row (imports use it to tidy the rows they "
           "made), kept", used=False),
))

_TEAMS = Sheet("teams", False, "Teams whose days the moves use. Without this sheet there is "
               "one team, `migration`, with `team_days_per_month` days.", (
    Column("team_id", ID, "unique among teams", required=True, example="migration"),
    Column("days_per_month", NUMBER, "capacity each month", required=True, example="60"),
))

_BUDGET = Sheet("budget", False, "Limits on one-off spend by financial year. Years not "
                "listed are unlimited.", (
    Column("financial_year", FINANCIAL_YEAR, "April to March", required=True,
           example="2026/27"),
    Column("one_off_limit", NUMBER, "£ of option one-off spend in flight in that year "
           "(hardware replacements do not count)", required=True,
           default="blank: that year is unlimited", example="500000"),
))

_PINS = Sheet("pins", False, "Decisions fixed by hand (`estate plan --pins old/plan.json` "
              "fills these from an earlier plan). Each pin fixes any of strategy, start and "
              "target; the rest is optimised.", (
    Column("app_id", ID, "the application", required=True, example="APP001"),
    Column("strategy", CHOICE, "the strategy it must take (one of its options)",
           choices=STRATEGIES, default="free", example="rehost"),
    Column("start", MONTH, "the month its move starts (not for `retain`)", default="free",
           example="2027-04"),
    Column("target_site", ID, "the site it must move to", default="free",
           example="AZURE-UKS"),
))

_ACTUALS = Sheet("actuals", False, "What really happened, as the programme goes on: one row "
                 "per application that went live, contract renewed, ended or renegotiated, "
                 "site exited and server switched off. `estate progress` compares it with a "
                 "plan; `estate plan --from-actuals` keeps it and re-plans the rest. Rows "
                 "marked `proposed` (written by `estate import rvtools --propose-actuals`) "
                 "count only once changed to `confirmed`.", (
    Column("kind", CHOICE, "what the row is about", required=True, choices=ACTUAL_KINDS,
           example="application"),
    Column("id", ID, "the application, contract, site or server (its id on its own sheet)",
           required=True, example="APP001"),
    Column("month", MONTH, "when: the application went live, the contract's action took "
           "effect, the site was empty, the server was switched off", required=True,
           example="2027-05"),
    Column("strategy", CHOICE, "application: the strategy it went live under (one of its "
           "options; not `retain`)", required_when="kind is application",
           choices=STRATEGIES, example="rehost"),
    Column("target_site", ID, "application: the site it went live at", default="its "
           "option's site", example="AZURE-UKS"),
    Column("one_off_cost", NUMBER, "application: the one-off cost actually spent on the move",
           default="blank: not known (progress counts the planned one-off)",
           example="42000"),
    Column("action", CHOICE, "contract: what was done", required_when="kind is contract",
           choices=CONTRACT_ACTIONS, example="renegotiated"),
    Column("annual_value", NUMBER, "contract: the new annual value (renewed or "
           "renegotiated)", required_when="action is renegotiated", example="85000"),
    Column("status", CHOICE, "`proposed` rows are suggestions waiting for a person",
           choices=ACTUAL_STATUSES, default="confirmed", example="confirmed"),
    Column("note", TEXT, "anything worth keeping (shown in the progress report)",
           example="cut over a month late: supplier delay"),
))

_SETTINGS_SHEET = Sheet("settings", False, "Planning settings, one per row: a `key` column "
                        "and a `value` column (see the keys below). A missing key takes its "
                        "default; a blank value too.", (
    Column("key", TEXT, "a setting's name", required=True, example="horizon_start"),
    Column("value", TEXT, "its value", required=True, example="2026-04"),
))

_README = Sheet("readme", False, "Notes for people (written by `estate template`); never "
                "read by the planner.", (), read=False)

#: Every sheet, in workbook order.
SHEETS: dict[str, Sheet] = {s.name: s for s in (
    _SETTINGS_SHEET, _SITE, _APPLICATIONS, _SERVERS, _OPTIONS, _DEPENDENCIES, _CONTRACTS,
    _TEAMS, _BUDGET, _PINS, _ACTUALS, _README)}

#: Sheets a workbook must have.
REQUIRED_SHEETS: tuple[str, ...] = tuple(s.name for s in SHEETS.values() if s.required)
#: Sheets the planner reads, in workbook order.
READ_SHEETS: tuple[str, ...] = tuple(s.name for s in SHEETS.values() if s.read)


def columns(sheet: str, *, used_only: bool = False) -> list[str]:
    """Column names of ``sheet`` in order (only those the planner reads with ``used_only``)."""
    return [c.name for c in SHEETS[sheet].columns if c.used or not used_only]


if __name__ == "__main__":  # python3 -m inventory.schema > docs/workbook.md
    from inventory.schema_docs import render_markdown

    print(render_markdown(), end="")
