"""What-if scenarios: named sets of overrides applied to an estate.

A :class:`Scenario` is a name and a list of ``key = value`` overrides (from a
``scenarios`` sheet or a TOML file, :mod:`inventory.scenarios`).
:func:`apply_scenario` applies them to the raw estate before it is resolved;
:func:`restrict_options` removes the excluded options after (so generated
options are excluded too). Every bad override -- an unknown key, site, team
or strategy, a value of the wrong kind -- is an :class:`~estate.errors.Issue`
naming the file, the scenario, the row and the key, all reported at once
before anything is solved (:func:`check_scenarios`).

Keys (see ``docs/scenarios.md``):

* settings: ``carbon_price``, ``carbon_price_series`` (low, central, high:
  replaces the workbook's carbon price by that series' value),
  ``discount_rate``, ``horizon_months``, ``freeze_months``,
  ``resident_notice_weeks``, ``team_days_per_month``,
  ``max_critical_in_flight``, ``max_golives_per_month``;
* ``exit_by.<SITE>``: a month ``YYYY-MM``, a signed number of months moving
  the workbook's date (``-12`` = a year earlier) or ``none``;
* ``budget.<FY>`` (``budget.2027/28``): that year's one-off limit, or
  ``none``; ``budget_factor``: every year's limit times this;
* ``team.<TEAM>``: the team's days a month;
* ``exclude_target_sites``: sites (or ``*`` patterns) no option may move to;
* ``exclude_strategies``: strategies no option may use;
* ``pins``: a ``plan.json`` whose decisions are kept (read by the command);
* ``description``: free text.

This module uses the standard library only.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.model import STRATEGIES, BudgetYear, Estate, Team
from estate.months import add_months, is_month, parse_month_names
from estate.numbers import locale_number
from estate.resolve import resolve, yes_no
from estate.summary import PlanSummary

__all__ = ["KEYS", "Override", "Scenario", "ScenarioOutcome", "apply_scenario", "check_scenarios",
           "restrict_options", "scenario_estate", "scenario_from_json"]

CARBON_SERIES = ("low", "central", "high")
NONE_WORDS = ("", "none", "no", "-")

#: Every key (a trailing ``.`` takes an id) and what it sets.
KEYS: dict[str, str] = {
    "carbon_price": "£ per tCO2e in the objective",
    "carbon_price_series": "low, central or high: the appraisal series for the carbon price",
    "discount_rate": "annual discount rate (0.035 = 3.5 %)",
    "horizon_months": "months planned",
    "freeze_months": "months with no go-live (Dec; Jan)",
    "resident_notice_weeks": "weeks' notice to residents before a go-live",
    "team_days_per_month": "days a month of the default team",
    "max_critical_in_flight": "critical applications in flight at once",
    "max_golives_per_month": "go-lives a month (none = no limit)",
    "exit_by.": "a site's exit month: YYYY-MM, ±months from the workbook's, or none",
    "budget.": "a financial year's one-off limit in £ (budget.2027/28), or none",
    "budget_factor": "every financial year's one-off limit times this",
    "team.": "a team's days a month (team.migration)",
    "exclude_target_sites": "sites (or patterns such as AWS*) no application may move to",
    "exclude_strategies": "strategies no application may use (e.g. refactor)",
    "cloud_pricing": "payg, reserved_1y, reserved_3y, savings_plan_1y or savings_plan_3y: "
                     "the pricing basis of generated cloud options at every cloud site",
    "cloud_pricing.": "one cloud site's pricing basis (cloud_pricing.AZ-UKS = payg)",
    "software_assurance": "yes or no: Software Assurance held (Azure Hybrid Benefit)",
    "reference.": "a reference-data value by its key (reference.labour.vms_per_admin = 60)",
    "pins": "a plan.json whose decisions are kept",
    "description": "free text shown beside the scenario",
}


@dataclass(frozen=True)
class Override:
    """One ``key = value`` of a scenario; ``row`` is its Excel row (sheet input)."""

    key: str
    value: Any
    row: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A named what-if: overrides of the workbook.

    ``source`` names the file; ``sheet`` is ``scenarios`` for a workbook sheet
    (``""`` for TOML); ``row`` the scenario's first row.
    """

    name: str
    overrides: tuple[Override, ...] = ()
    source: str = ""
    sheet: str = ""
    row: int | None = None

    def value(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` (the last one given), or ``default``."""
        found = [o.value for o in self.overrides if o.key == key]
        return found[-1] if found else default

    @property
    def description(self) -> str:
        """The ``description`` override, or ``""``."""
        return str(self.value("description", "") or "")

    @property
    def pins_path(self) -> str | None:
        """The ``pins`` override (a path as written), or ``None``."""
        v = self.value("pins")
        return None if v in (None, "") else str(v)

    def to_json(self) -> dict[str, Any]:
        """What a plan records (``assumptions.scenario``): name and overrides
        (pins are recorded as the plan's ``assumptions.pins``)."""
        return {"name": self.name,
                "overrides": {o.key: o.value for o in self.overrides if o.key != "pins"}}


@dataclass(frozen=True)
class ScenarioOutcome:
    """A scenario planned: its plan's summary and the folder holding ``plan.json``."""

    scenario: Scenario
    folder: str
    summary: PlanSummary


def scenario_from_json(data: Any, source: str = "plan.json") -> Scenario | None:
    """The scenario a plan records (``None`` for none)."""
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("overrides", {}), dict):
        raise EstateError(Issue(source, "assumptions.scenario must be an object with name "
                                "and overrides"))
    overrides = tuple(Override(str(k), v) for k, v in data.get("overrides", {}).items())
    return Scenario(str(data.get("name", "")), overrides, source=source)


class _Issues:
    """Collects located issues of one scenario."""

    def __init__(self, sc: Scenario) -> None:
        self.sc, self.issues = sc, []  # type: ignore[var-annotated]

    def add(self, o: Override | None, message: str, column: str = "value") -> None:
        sc = self.sc
        key = f", key {o.key!r}" if o is not None else ""
        value = "" if o is None or column != "value" else str(o.value)
        self.issues.append(Issue(sc.source or "scenarios", f"scenario {sc.name!r}{key}: "
                                 f"{message}", sheet=sc.sheet,
                                 row=o.row if o is not None and o.row else sc.row,
                                 column=column if sc.sheet else "", value=value))


#: Most scenarios in one batch (each is a full solve).
MAX_SCENARIOS = 200
#: Most overrides in one scenario.
MAX_OVERRIDES = 200
#: Longest scenario name or key.
MAX_NAME_CHARS = 100
#: Longest text value of an override (a description, a list of sites).
MAX_TEXT_CHARS = 4000


def _text(v: Any) -> str:
    return str(v).strip() if v is not None else ""


def _number(v: Any, *, low: float | None = None, whole: bool = False) -> float:
    if isinstance(v, bool):
        raise ValueError("must be a number")
    try:
        x = float(v) if isinstance(v, int | float) else float(
            locale_number(_text(v).replace(" ", "").replace("\u00a0", "")))
    except ValueError as exc:
        said = str(exc)
        raise ValueError(said if "decimal" in said else "must be a number") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("must be a finite number")
    if whole and x != int(x):
        raise ValueError("must be a whole number")
    if low is not None and x < low:
        raise ValueError(f"must be {low:g} or more")
    return x


def _words(v: Any) -> list[str]:
    """A list from a TOML list or ``;``/``,``-separated text."""
    if isinstance(v, list | tuple):
        items = [_text(x) for x in v]
    else:
        items = _text(v).replace(";", ",").split(",")
    return [x for x in (i.strip() for i in items) if x]


def _months(v: Any) -> tuple[int, ...]:
    if isinstance(v, list | tuple):
        v = "; ".join(_text(x) for x in v)
    elif isinstance(v, int | float) and not isinstance(v, bool):
        v = str(int(v))
    return parse_month_names(_text(v).replace(",", ";"))


_SETTINGS: dict[str, Callable[[Any], Any]] = {
    "carbon_price": lambda v: _number(v, low=0.0),
    "discount_rate": lambda v: _number(v, low=-0.99),
    "horizon_months": lambda v: int(_number(v, low=1, whole=True)),
    "freeze_months": _months,
    "resident_notice_weeks": lambda v: int(_number(v, low=0, whole=True)),
    "team_days_per_month": lambda v: _number(v, low=0.0),
    "max_critical_in_flight": lambda v: int(_number(v, low=0, whole=True)),
    "max_golives_per_month": lambda v: (None if _text(v).lower() in NONE_WORDS
                                        else int(_number(v, low=0, whole=True))),
}


def _exit_by(current: str | None, v: Any) -> str | None:
    text = _text(v)
    if text.lower() in NONE_WORDS:
        return None
    if is_month(text):
        return text
    try:
        shift = _number(v, whole=True)
    except ValueError:
        raise ValueError("must be a month YYYY-MM, a number of months (-12 = a year "
                         "earlier) or none") from None
    if current is None:
        raise ValueError("the site has no exit_by in the workbook to move; give a month "
                         "YYYY-MM")
    return add_months(current, int(shift))


def _unknown(o: Override, known: Iterable[str], what: str) -> str:
    name = o.key.split(".", 1)[1]
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {name!r}{hint}"


def _apply_one(est: Estate, o: Override, issues: _Issues) -> Estate:
    """``est`` with one override applied (or unchanged, with an issue)."""
    key = o.key
    st = est.settings
    try:
        if key in _SETTINGS:
            return replace(est, settings=replace(st, **{key: _SETTINGS[key](o.value)}))
        if key == "carbon_price_series":
            series = _text(o.value).lower()
            if series not in CARBON_SERIES:
                raise ValueError("must be low, central or high")
            extra = {**st.extra, "carbon_price_series": series}
            return replace(est, settings=replace(st, carbon_price=None, extra=extra))
        if key in ("cloud_pricing", "software_assurance") or key.startswith(
                ("reference.", "cloud_pricing.")):
            return _extra(est, o, issues)
        if key.startswith("exit_by."):
            site = est.site_by_id.get(key.split(".", 1)[1])
            if site is None:
                issues.add(o, _unknown(o, est.site_by_id, "site"), "key")
                return est
            new = replace(site, exit_by=_exit_by(site.exit_by, o.value))
            return replace(est, sites=tuple(new if s is site else s for s in est.sites))
        if key.startswith("budget."):
            return _budget_year(est, o)
        if key == "budget_factor":
            f = _number(o.value, low=0.0)
            return replace(est, budget=tuple(replace(b, one_off_limit=b.one_off_limit * f)
                                             for b in est.budget))
        if key.startswith("team."):
            return _team(est, o, issues)
    except ValueError as exc:
        issues.add(o, str(exc))
    return est


def _extra(est: Estate, o: Override, issues: _Issues) -> Estate:
    """``cloud_pricing[.SITE]``, ``software_assurance`` or ``reference.KEY``: set as
    the settings sheet would
    (``settings.extra``), checked with the reference data's own rules
    (:func:`estate.reference.check_override`) so resolving cannot fail later."""
    from estate.estimate import PRICINGS
    from estate.reference import check_override, is_known_key, packaged_reference

    st = est.settings
    if o.key == "software_assurance":
        held = yes_no(o.value)
        if held is None:
            raise ValueError("must be yes or no")
        extra = {**st.extra, o.key: "yes" if held else "no"}
        return replace(est, settings=replace(st, extra=extra))
    if o.key.startswith("cloud_pricing."):
        site_id = o.key.split(".", 1)[1]
        site = next((s for s in est.sites if s.site_id.lower() == site_id.lower()), None)
        if site is None or site.kind != "cloud":
            issues.add(o, _unknown(o, [s.site_id for s in est.sites if s.kind == "cloud"],
                                   "cloud site"), "key")
            return est
        text = _text(o.value).lower()
        if text not in PRICINGS:
            raise ValueError(f"must be one of {', '.join(PRICINGS)}")
        extra = {k: v for k, v in st.extra.items() if k.lower() != o.key.lower()}
        extra[f"cloud_pricing.{site.site_id}"] = text
        return replace(est, settings=replace(st, extra=extra))
    if o.key == "cloud_pricing":
        text = _text(o.value).lower()
        if text not in PRICINGS:
            raise ValueError(f"must be one of {', '.join(PRICINGS)}")
        # every cloud site: the workbook's per-site bases (cloud_pricing.SITE) give way
        extra = {k: v for k, v in st.extra.items() if not k.startswith("cloud_pricing.")}
        return replace(est, settings=replace(st, extra={**extra, "cloud_pricing": text}))
    ref_key = o.key.split(".", 1)[1]
    ref = packaged_reference()
    if not is_known_key(ref, ref_key):
        close = difflib.get_close_matches(ref_key, ref.keys(), n=1)
        hint = f" (did you mean reference.{close[0]}?)" if close else ""
        issues.add(o, f"no reference value {ref_key!r}{hint}: see `estate reference`", "key")
        return est
    value = check_override(ref, ref_key, o.value)
    return replace(est, settings=replace(st, extra={**st.extra, ref_key: str(value)}))


def _budget_year(est: Estate, o: Override) -> Estate:
    fy = o.key.split(".", 1)[1]
    kept = tuple(b for b in est.budget if b.financial_year != fy)
    if _text(o.value).lower() in NONE_WORDS:
        BudgetYear(fy, 0.0)  # checks the year's form
        return replace(est, budget=kept)
    year = BudgetYear(fy, _number(o.value, low=0.0))
    return replace(est, budget=tuple(sorted(kept + (year,), key=lambda b: b.financial_year)))


def _team(est: Estate, o: Override, issues: _Issues) -> Estate:
    team_id = o.key.split(".", 1)[1]
    days = _number(o.value, low=0.0)
    if not est.teams and team_id == "migration":
        return replace(est, settings=replace(est.settings, team_days_per_month=days))
    if team_id not in est.team_by_id:
        issues.add(o, _unknown(o, est.team_by_id, "team"), "key")
        return est
    return replace(est, teams=tuple(Team(t.team_id, days) if t.team_id == team_id else t
                                    for t in est.teams))


def _check_lists(est: Estate, o: Override, issues: _Issues) -> None:
    items = _words(o.value)
    if not items:
        issues.add(o, "list no site or strategy (separate them with commas)")
    if o.key == "exclude_target_sites":
        for pattern in items:
            if not fnmatch.filter(list(est.site_by_id), pattern):
                close = difflib.get_close_matches(pattern, list(est.site_by_id), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                issues.add(o, f"no site matches {pattern!r}{hint}")
    else:
        for name in items:
            if name.lower() not in STRATEGIES:
                issues.add(o, f"unknown strategy {name!r}: one of {', '.join(STRATEGIES)}")


def _known_key(key: str) -> bool:
    if key in KEYS:
        return not key.endswith(".")
    head, dot, rest = key.partition(".")
    return bool(dot and rest and f"{head}." in KEYS)


def _limits(sc: Scenario, issues: _Issues) -> bool:
    """Whether ``sc`` keeps the size limits (each breach is an issue)."""
    ok = True
    if len(sc.name) > MAX_NAME_CHARS:
        issues.add(None, f"the name has {len(sc.name):,} characters; at most "
                   f"{MAX_NAME_CHARS} (it names a folder and a row of every report)", "scenario")
        ok = False
    if len(sc.overrides) > MAX_OVERRIDES:
        issues.add(None, f"{len(sc.overrides):,} overrides; at most {MAX_OVERRIDES}", "key")
        return False
    for o in sc.overrides:
        if len(o.key) > MAX_NAME_CHARS:
            issues.add(o, f"the key has {len(o.key):,} characters; at most {MAX_NAME_CHARS}",
                       "key")
            ok = False
        size = len(o.value) if isinstance(o.value, str) else len(str(o.value)) \
            if isinstance(o.value, list | tuple | dict) else 0
        if size > MAX_TEXT_CHARS:
            issues.add(o, f"the value has {size:,} characters; at most {MAX_TEXT_CHARS:,} "
                       "(it is copied into every plan.json of the scenario)")
            ok = False
    return ok


def _apply(raw: Estate, sc: Scenario) -> tuple[Estate, list[Issue]]:
    issues = _Issues(sc)
    if not _limits(sc, issues):
        return raw, issues.issues
    if not sc.name.strip():
        issues.add(None, "a scenario needs a name", "scenario")
    seen: set[str] = set()
    est = raw
    for o in sorted(sc.overrides, key=lambda o: o.key != "carbon_price_series"):
        if not _known_key(o.key):
            close = difflib.get_close_matches(o.key, [k.rstrip(".") for k in KEYS], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            issues.add(o, f"unknown key.{hint} Keys: {', '.join(KEYS)}", "key")
            continue
        if o.key in seen:
            issues.add(o, "given twice in the scenario", "key")
        seen.add(o.key)
        if o.key in ("exclude_target_sites", "exclude_strategies"):
            _check_lists(est, o, issues)
        elif o.key not in ("pins", "description"):
            est = _apply_one(est, o, issues)
    return est, issues.issues


def check_scenarios(raw: Estate, scenarios: Iterable[Scenario]) -> None:
    """Apply every scenario to ``raw`` without solving, to find every bad override.

    Raises
    ------
    EstateError
        With every issue of every scenario (names given twice included).
    """
    issues: list[Issue] = []
    names: dict[str, Scenario] = {}
    scenarios = list(scenarios)
    if len(scenarios) > MAX_SCENARIOS:
        first = scenarios[0]
        raise EstateError(Issue(first.source or "scenarios", f"{len(scenarios):,} scenarios; "
                                f"at most {MAX_SCENARIOS} are planned in one batch (each is "
                                "a full solve) — split them into several files",
                                sheet=first.sheet))
    for sc in scenarios:
        key = sc.name.strip().lower()
        if key in names:
            issues.append(Issue(sc.source or "scenarios", f"scenario {sc.name!r} is given "
                                "twice; give each scenario a different name",
                                sheet=sc.sheet, row=sc.row,
                                column="scenario" if sc.sheet else ""))
        names[key] = sc
        issues += _apply(raw, sc)[1]
    if issues:
        raise EstateError(issues)


def apply_scenario(raw: Estate, sc: Scenario) -> Estate:
    """``raw`` (a raw estate, as loaded) with the scenario's overrides applied;
    ``exclude_*`` are applied after resolving, by :func:`restrict_options`.

    Raises
    ------
    EstateError
        With every bad override, located.
    """
    est, issues = _apply(raw, sc)
    if issues:
        raise EstateError(issues)
    return est


def restrict_options(estate: Estate, sc: Scenario) -> Estate:
    """A resolved estate without the options the scenario excludes (moving
    options to ``exclude_target_sites``, any option of ``exclude_strategies``).
    An application left with no option at all stays as it is (as one with no
    option row would)."""
    sites = _words(sc.value("exclude_target_sites", []))
    strategies = {s.lower() for s in _words(sc.value("exclude_strategies", []))}
    if not sites and not strategies:
        return estate

    def kept(o: Any) -> bool:
        if o.strategy in strategies:
            return False
        blocked = o.target_site is not None and any(fnmatch.fnmatchcase(o.target_site, p)
                                                     for p in sites)
        return not (o.moves and blocked)

    return replace(estate, options=tuple(o for o in estate.options if kept(o)))


def scenario_estate(raw: Estate, sc: Scenario | None,
                    reference_file: str | Path | None = None) -> Estate:
    """The resolved estate of a scenario: overrides applied to ``raw``, resolved,
    excluded options removed (``sc`` ``None``: ``raw`` resolved)."""
    if sc is None:
        return resolve(raw, reference_file)
    return restrict_options(resolve(apply_scenario(raw, sc), reference_file), sc)
