"""Warnings about a valid estate: what would make a plan of it meaningless,
ids that look alike, contract rules defaulted, data-residency doubts (split
from :mod:`inventory.validate`, which checks errors)."""

from __future__ import annotations

from collections.abc import Callable

from estate.contracts import counted_servers, ends_with, rule_defaulted
from estate.errors import Notice, printable
from estate.model import Estate
from estate.policy import residency_allows, site_country
from inventory.validate import ID_ATTR, default_locate, listed


def _staying_costs_nothing(estate: Estate) -> bool:
    """Whether nothing in the estate costs anything to keep as it is, and nothing
    is there to estimate such a cost from (servers are: their energy, hardware
    and running costs are estimated)."""
    return (not estate.servers
            and not any(a.current_monthly_cost for a in estate.applications)
            and not any(s.kind != "cloud" and s.monthly_fixed_cost for s in estate.sites)
            and not any(c.annual_value > 0 for c in estate.contracts))


#: Letters of other scripts that look like Latin ones (Cyrillic, Greek).
_LOOKALIKE = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеһіјоорсхуѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικνρτυχ",
    "ABESIJKMHOPCTXYaehijoopcxysdqwABEZHIKMNOPTYXoikvptux")


def skeleton(text: str) -> str:
    """How an id looks: NFKC-normalised (full-width ``ＡＰＰ`` is ``APP``), look-alike
    Cyrillic and Greek letters read as the Latin ones, case ignored."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).translate(_LOOKALIKE).casefold()


def lookalike_ids(estate: Estate) -> list[tuple[str, str]]:
    """Pairs of different ids (of any sheet) that look the same (:func:`skeleton`):
    Latin ``APP0001`` beside Cyrillic ``АPP0001``."""
    seen: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for sheet, attr in ID_ATTR.items():
        for obj in getattr(estate, sheet, ()):
            oid = getattr(obj, attr)
            if oid.isascii():
                key = oid.casefold()
            else:
                key = skeleton(oid)
            was = seen.setdefault(key, oid)
            if was != oid and was.casefold() != oid.casefold():
                pairs.append((was, oid))
    return pairs


def plan_warnings(estate: Estate, file_of: Callable[[str], str] | None = None) -> list[Notice]:
    """What would make a plan of this (valid) estate meaningless: warnings, not errors.

    No cloud site (applications without options rows can only be retained);
    nothing that costs anything to keep as it is; no site with ``exit_by``;
    contracts that cover nothing; host names repeated (ignoring case).

    Parameters
    ----------
    estate
        A raw estate that passed :func:`validate_estate`.
    file_of
        The file to name for a sheet (default: ``estate.source``).
    """
    where = file_of or (lambda _sheet: estate.source)
    out: list[Notice] = []
    if not any(s.kind == "cloud" for s in estate.sites):
        out.append(Notice("warning", "no site has kind cloud, so the generated rehost options "
                          "have nowhere to go: applications without options rows can only be "
                          "retained. Add a cloud site (e.g. CLOUD-UK, kind cloud)",
                          file=where("sites"), sheet="sites"))
    if _staying_costs_nothing(estate):
        out.append(Notice("warning", "nothing costs anything to keep as it is (no servers, "
                          "no current_monthly_cost, no site costs, no contracts) and there is "
                          "nothing to estimate costs from, so no move can save money; fill "
                          "current_monthly_cost or list the servers",
                          file=where("applications"), sheet="applications"))
    if not any(s.exit_by for s in estate.sites):
        deadline = any(a.must_finish_by for a in estate.applications)
        out.append(Notice("warning", "no site has exit_by, so no data centre has to be "
                          "left" + ("" if deadline else " and, with no must_finish_by either, "
                                    "nothing has to move: the plan may well be to do nothing")
                          + "; set exit_by on the sites being left", file=where("sites"),
                          sheet="sites"))
    empty = [c.contract_id for c in estate.contracts if not c.covers]
    if empty:
        one = len(empty) == 1
        out.append(Notice("warning", f"{len(empty)} contract{'' if one else 's'} "
                          f"cover{'s' if one else ''} nothing ({listed(empty)}): "
                          f"{'it is' if one else 'they are'} paid whatever the plan does and "
                          f"no move can end {'it' if one else 'them'}; fill covers with the "
                          "application, server or site ids "
                          f"{'it serves' if one else 'they serve'}",
                          file=where("contracts"), sheet="contracts", column="covers"))
    out += contract_rule_notices(estate, where("contracts"))
    out += residency_warnings(estate, where)
    names: dict[str, list[str]] = {}
    for s in estate.servers:
        if s.hostname:
            names.setdefault(s.hostname.casefold(), []).append(s.server_id)
    repeated = [f"{k} ({', '.join(v[:3])})" for k, v in names.items() if len(v) > 1]
    if repeated:
        many = len(repeated) != 1
        out.append(Notice("warning", f"{len(repeated)} hostname{'s are' if many else ' is'} "
                          f"used by more than one server (ignoring case): {listed(repeated)}; "
                          "imports match servers by hostname, so check these are different "
                          "machines", file=where("servers"), sheet="servers",
                          column="hostname"))
    alike = lookalike_ids(estate)
    if alike:
        shown = [f"{printable(ascii(a))} and {printable(ascii(b))}" for a, b in alike[:5]]
        out.append(Notice("warning", f"{len(alike)} pair{'s' if len(alike) != 1 else ''} of "
                          f"ids look the same but are different text (letters of another "
                          f"script, such as Cyrillic А for Latin A): {'; '.join(shown)}"
                          f"{' …' if len(alike) > 5 else ''}; retype them in one script"))
    return out


def contract_rule_notices(estate: Estate, file: str) -> list[Notice]:
    """``assumed``: contracts whose ``ends_with`` is blank, with the rule their
    category gives them (:func:`estate.contracts.ends_with`); ``warning``:
    per-unit contracts that count nothing (every renewal at ``min_units``)."""
    out: list[Notice] = []
    by_rule: dict[str, list[str]] = {}
    for c in estate.contracts:
        if rule_defaulted(c) and c.covers:
            by_rule.setdefault(ends_with(c), []).append(c.contract_id)
    if by_rule:
        parts = [f"{rule} for {len(ids)} ({listed(ids)})" for rule, ids in sorted(
            by_rule.items())]
        out.append(Notice("assumed", "contracts without ends_with take it from their "
                          "category (retire for licence, support and saas: a rehost does not "
                          "end them; move otherwise): " + "; ".join(parts)
                          + ". Set ends_with (retire, move or never) where that is wrong",
                          file=file, sheet="contracts", column="ends_with"))
    empty = [c.contract_id for c in estate.contracts
             if c.unit is not None and not counted_servers(estate, c)]
    if empty:
        out.append(Notice("warning", f"per-unit contracts that cover no server counting as a "
                          f"unit ({listed(empty)}) are priced at min_units at every renewal; "
                          "list the hosts or servers they license in covers",
                          file=file, sheet="contracts", column="covers"))
    return out


def residency_warnings(estate: Estate, where: Callable[[str], str]) -> list[Notice]:
    """One warning naming every options row whose target site lies outside its
    application's ``data_residency`` (the planner refuses those options) and the
    cloud sites whose country is unknown (outside for ``uk`` and ``eu``)."""
    locate = default_locate(estate)
    refused = []
    for i, o in enumerate(estate.options):
        if (o.to_target and o.app_id in estate.app_by_id and o.target_site in estate.site_by_id
                and not residency_allows(estate, o.app_id, o.target_site)):
            row = locate("options", i)[1]
            refused.append(f"row {row}: {o.app_id} {o.strategy} to {o.target_site}"
                           if row else f"{o.app_id} {o.strategy} to {o.target_site}")
    out = []
    if refused:
        out.append(Notice("warning", f"{len(refused)} option{'s' * (len(refused) != 1)} "
                          "target a site outside the application's data_residency and will "
                          f"not be used (residency): {listed(refused)}; set the site's "
                          "country, change data_residency or delete the row",
                          file=where("options"), sheet="options", column="target_site"))
    strict = any(a.data_residency != "any" for a in estate.applications)
    unknown = [s.site_id for s in estate.sites if site_country(s) is None]
    if strict and unknown:
        out.append(Notice("warning", f"the country of cloud site{'s' * (len(unknown) != 1)} "
                          f"{listed(unknown)} is not known, so applications with "
                          "data_residency uk or eu may not go there; fill the sites sheet's "
                          "country column (GB, IE, …)", file=where("sites"), sheet="sites",
                          column="country"))
    return out
