"""The council's policies as rules: data residency and unsupported operating systems.

This is the one home of both rules; the planner (:mod:`solver.model.rules`),
the greedy plan, ``estate check`` (:mod:`solver.rules`), the evaluator,
``estate validate`` and the reports all call these functions.

*Residency*: an application's ``data_residency`` (``uk``, ``eu``, ``any``)
allows the sites whose country (:func:`site_country`) is in
:func:`allowed_countries`; an option to any other site is refused. A site of
unknown country is outside for ``uk`` and ``eu``.

*Unsupported operating systems* (setting ``unsupported_os_policy``): a server
past its ``os_end_of_support`` is listed (``flag``), pays extended security
updates in each month it is still in service (``esu``,
:func:`esu_payments`), or must be decommissioned by its end of support plus
``unsupported_os_grace_months`` (``forbid``, :func:`os_deadlines`).

This module uses the standard library and :mod:`estate` only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from estate.clusters import clustered_hosts
from estate.model import Estate, Server, Site
from estate.months import month_index

#: EU member states and the other EEA members (Iceland, Liechtenstein, Norway).
EU_EEA = frozenset((
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "IS", "LI", "NO",
))

#: Cloud region names (lower case, without spaces, hyphens or underscores) -> country.
#: Azure, AWS and Google Cloud regions in Europe and the largest elsewhere.
REGION_COUNTRIES: tuple[tuple[str, str], ...] = (
    ("uksouth", "GB"), ("ukwest", "GB"), ("euwest2", "GB"), ("europewest2", "GB"),
    ("northeurope", "IE"), ("euwest1", "IE"), ("westeurope", "NL"), ("europewest4", "NL"),
    ("euwest3", "FR"), ("francecentral", "FR"), ("francesouth", "FR"), ("europewest9", "FR"),
    ("eucentral1", "DE"), ("germanywestcentral", "DE"), ("germanynorth", "DE"),
    ("europewest3", "DE"), ("europewest1", "BE"), ("eunorth1", "SE"),
    ("swedencentral", "SE"), ("norwayeast", "NO"), ("norwaywest", "NO"),
    ("eusouth1", "IT"), ("italynorth", "IT"), ("europewest8", "IT"), ("eusouth2", "ES"),
    ("spaincentral", "ES"), ("europesouthwest1", "ES"), ("polandcentral", "PL"),
    ("europecentral2", "PL"), ("europenorth1", "FI"), ("eucentral2", "CH"),
    ("switzerlandnorth", "CH"), ("europewest6", "CH"),
    ("eastus", "US"), ("westus", "US"), ("centralus", "US"), ("useast", "US"),
    ("uswest", "US"), ("uscentral", "US"),
)

_NORMALISE = re.compile(r"[\s_\-]+")


def site_country(site: Site) -> str | None:
    """Where the site keeps data: its ``country``; blank: ``GB`` at an ``on_prem``
    or ``colo`` site, at a ``cloud`` site the country of a known region name in
    its id or name (:data:`REGION_COUNTRIES`), else ``None`` (unknown)."""
    if site.country is not None:
        return site.country
    if site.kind != "cloud":
        return "GB"
    text = _NORMALISE.sub("", f"{site.site_id} {site.name}".lower())
    for region, country in sorted(REGION_COUNTRIES, key=lambda rc: -len(rc[0])):
        if region in text:
            return country
    return None


def allowed_countries(residency: str) -> frozenset[str] | None:
    """Countries a ``data_residency`` allows (``None``: any)."""
    if residency == "uk":
        return frozenset(("GB",))
    if residency == "eu":
        return EU_EEA | {"GB"}
    return None


def residency_allows(estate: Estate, app_id: str, site_id: str | None) -> bool:
    """Whether ``app_id`` may run at ``site_id`` afterwards (``None``, no target: yes)."""
    if site_id is None:
        return True
    allowed = allowed_countries(estate.app_by_id[app_id].data_residency)
    site = estate.site_by_id.get(site_id)
    if allowed is None or site is None:
        return True
    return site_country(site) in allowed


def residency_words(estate: Estate, app_id: str, site_id: str) -> str:
    """Why ``app_id`` may not go to ``site_id``, in words (rule ``residency``)."""
    res = estate.app_by_id[app_id].data_residency
    site = estate.site_by_id[site_id]
    country = site_country(site)
    where = f"in {country}" if country else "of unknown country (set its country)"
    area = "the UK (GB)" if res == "uk" else "the EU/EEA or the UK"
    return (f"{app_id} has data_residency {res}: its data must stay in {area}, and site "
            f"{site_id} is {where}")


# -- unsupported operating systems ------------------------------------------------
@dataclass(frozen=True)
class Unsupported:
    """A server whose operating system's end of support is known.

    ``eos`` is the month index of ``os_end_of_support`` (it may be negative).
    """

    server_id: str
    os: str
    eos_month: str
    eos: int


def unsupported(estate: Estate) -> list[Unsupported]:
    """Every server with a known ``os_end_of_support`` before the horizon ends
    (a resolved estate has estimated it from ``os`` where the reference knows it)."""
    hs, H = estate.settings.horizon_start, estate.settings.horizon_months
    out = []
    for s in estate.servers:
        if s.os_end_of_support is None:
            continue
        eos = month_index(hs, s.os_end_of_support)
        if eos < H:
            out.append(Unsupported(s.server_id, s.os, s.os_end_of_support, eos))
    return out


def server_apps(estate: Estate, server: Server) -> frozenset[str]:
    """Applications whose live-from months decide the server's ``D``: its own, and
    for a host those of its guests too."""
    apps = {a for a in server.app_ids if a in estate.app_by_id}
    if server.kind == "host":
        for g in estate.guests_by_host.get(server.server_id, ()):
            apps.update(a for a in g.app_ids if a in estate.app_by_id)
    return frozenset(apps)


def os_deadlines(estate: Estate) -> dict[str, int]:
    """Under ``forbid``: server id -> the latest allowed ``D`` (end of support +
    ``unsupported_os_grace_months``) of every server that serves an application;
    empty under any other policy."""
    st = estate.settings
    if st.unsupported_os_policy != "forbid":
        return {}
    pooled = clustered_hosts(estate)
    out = {}
    for u in unsupported(estate):
        pool = pooled.get(u.server_id)
        if server_apps(estate, estate.server_by_id[u.server_id]) or (
                pool is not None and pool.apps):
            out[u.server_id] = u.eos + st.unsupported_os_grace_months
    return out


def app_os_deadlines(estate: Estate) -> dict[str, list[tuple[int, str]]]:
    """Under ``forbid``: application id -> ``(latest L, server id)`` of every
    server whose deadline the application's ``L`` bounds (``D = max L``). A
    host of a cluster is not among them: its D follows the pool's load
    (:mod:`estate.clusters`), so its deadline bounds the hosts the cluster may
    keep, not any one application."""
    pooled = clustered_hosts(estate)
    out: dict[str, list[tuple[int, str]]] = {}
    for sid, limit in os_deadlines(estate).items():
        if sid in pooled:
            continue
        for a in server_apps(estate, estate.server_by_id[sid]):
            out.setdefault(a, []).append((limit, sid))
    return out


def os_words(estate: Estate, server_id: str) -> str:
    """The ``forbid`` rule of one server in words (rule ``unsupported_os``)."""
    s = estate.server_by_id[server_id]
    grace = estate.settings.unsupported_os_grace_months
    plus = f" + {grace} month{'s' * (grace != 1)} grace" if grace else ""
    return (f"server {server_id} ({s.os or 'its OS'}) must be gone by its end of support "
            f"{s.os_end_of_support}{plus} (unsupported_os_policy forbid)")


def esu_spans(estate: Estate, server_id: str) -> list[tuple[int, int, float]]:
    """Under ``esu``: the server's extended security updates as ``(first, end,
    £ a month)`` spans of month indices ``first … end-1``, paid in each month it
    is still in service (``t < D``). The resolver prices them from the reference
    data (:func:`estate.staying.esu_table`) into ``assumptions["esu"]``; empty
    under any other policy."""
    if estate.settings.unsupported_os_policy != "esu":
        return []
    table = estate.assumptions.get("esu") or {}
    return [(int(a), int(b), float(x)) for a, b, x in table.get(server_id, ())]


def esu_due(spans: list[tuple[int, int, float]], D: int, H: int) -> list[float]:
    """£ of ``spans`` (:func:`esu_payments`) in each month 0 … H-1 of a server
    decommissioned at ``D``."""
    out = [0.0] * H
    for a, b, amount in spans:
        for t in range(max(a, 0), min(b, D, H)):
            out[t] += amount
    return out


def kept_past_support(estate: Estate, server_d: Mapping[str, int]
                      ) -> list[tuple[Unsupported, int]]:
    """Servers still in service after their end of support (``D > eos``), with
    their ``D``, latest first (the ``flag`` list; every policy reports it)."""
    out = [(u, server_d.get(u.server_id, 0)) for u in unsupported(estate)]
    kept = [(u, d) for u, d in out if d > max(u.eos, 0)]
    return sorted(kept, key=lambda x: (-x[1], x[0].server_id))
