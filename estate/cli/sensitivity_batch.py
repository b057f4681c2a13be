"""The batch behind ``estate sensitivity``: the base and every assumption's low
and high case (:mod:`estate.sensitivity`) planned in one Dask batch, each plan
checked by the evaluator as it arrives, then the effects, the break-evens and
their files.

The cases are what-if scenarios (:mod:`estate.cli.scenario_batch`), planned
once the base is, each starting from the base's decisions (a case differs
from the base only where the solver finds its own prices make another plan
cheaper, not because one short search went further than another), and
without the cloud alternatives (the comparison uses each plan's totals and
decisions only; the board's exceptions come from the plan of ``estate plan``).
Each plan is checked by :func:`solver.check.check_plan` under its case's
overrides (what ``estate check --scenario-ok`` runs) in this process while
the workers solve the next cases, so the checking overlaps the solving.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from estate.cli.scenario_batch import ScenariosRun, run_scenarios
from estate.cli.studies import DEFAULT_OPTIONS, BatchOptions, Done
from estate.errors import EstateError, Issue
from estate.files import write_text
from estate.model import Estate
from estate.plan import Plan
from estate.scenario import Scenario
from estate.sensitivity import (
    ASSUMPTIONS,
    Assumption,
    BreakEven,
    BreakEvenSearch,
    Effect,
    effect_of,
    sensitivity_scenarios,
)

__all__ = ["SensitivityRun", "choose_assumptions", "run_sensitivity"]


@dataclass(frozen=True)
class SensitivityRun:
    """What :func:`run_sensitivity` did.

    ``checked`` maps each plan (by folder) to whether the evaluator agrees with
    it, ``disagreements`` the first difference of each one it does not;
    ``missing`` names the cases with no plan.
    """

    effects: list[Effect]
    break_evens: list[BreakEven]
    checked: dict[str, bool]
    disagreements: dict[str, str]
    missing: list[str]
    written: list[Path]
    batch: ScenariosRun
    data: dict[str, Any] = field(default_factory=dict)


def choose_assumptions(names: str | None,
                       known: Sequence[Assumption] = ASSUMPTIONS) -> tuple[Assumption, ...]:
    """The assumptions named in ``names`` (comma-separated, in the order of
    ``known``); all of ``known`` when ``names`` is empty.

    Raises
    ------
    EstateError
        Naming each unknown name and listing the known ones.
    """
    if not names or not names.strip():
        return tuple(known)
    want = [n.strip().lower() for n in names.split(",") if n.strip()]
    by = {a.name: a for a in known}
    bad = [n for n in want if n not in by]
    if bad:
        raise EstateError([Issue("--assumptions", f"no assumption {n!r}; give some of "
                                 f"{', '.join(by)}") for n in bad])
    return tuple(a for a in known if a.name in want)


def run_sensitivity(raw: Estate, out_dir: Path, *,
                    assumptions: tuple[Assumption, ...] = ASSUMPTIONS,
                    break_even: int = 4, reference: Path | None = None,
                    options: BatchOptions = DEFAULT_OPTIONS,
                    started: Callable[[int], None] | None = None,
                    done: Done | None = None) -> SensitivityRun:
    """Plan the base and each assumption's two cases (and the break-even
    probes, up to ``break_even`` plans an assumption) in one batch; check every
    plan; write ``sensitivity.json``, ``sensitivity.xlsx`` and ``tornado.html``.

    Each plan is checked under its case's overrides with the evaluator of
    ``estate check`` (re-deriving every figure and rule, and re-proving an
    ``optimal`` claim for up to ``min(time limit, 10 s)``) as soon as it is
    done, while the workers solve the others.

    Raises
    ------
    EstateError
        Bad input (located) before anything is solved; an output folder that
        cannot be written.
    """
    from estate.summary import summarise
    from reports.sensitivity import write_sensitivity_xlsx, write_tornado_html
    from solver.check import check_plan

    scenarios = sensitivity_scenarios(assumptions)
    search = BreakEvenSearch(assumptions, steps=break_even)
    checked: dict[str, bool] = {}
    disagreements: dict[str, str] = {}

    def seen(name: str, plan: Plan | None) -> list[Scenario]:
        if plan is not None:  # under the case's own overrides, as `estate check --scenario-ok`
            report = check_plan(raw, plan,
                                reference_file=str(reference) if reference else None,
                                verify_seconds=min(options.time_limit, 10.0),
                                workers=options.workers, scenario_ok=True)
            checked[name] = report.ok
            if not report.ok:
                d = report.differences[0]
                disagreements[name] = f"{d.where}: {d.message}"
        return search.seen(name, plan) if break_even else []

    run = run_scenarios(raw, scenarios[1:], out_dir, reference=reference,
                        objective="balanced", options=options, started=started, done=done,
                        more=seen, alternatives=False, hint_from_base=True)
    effects = [e for a in assumptions if (e := effect_of(a, run.plans)) is not None]
    found = search.results()
    data = {"base": None if "base" not in run.plans else
            {"summary": asdict(summarise(raw, run.plans["base"]))},
            "assumptions": [e.as_dict() for e in effects],
            "break_even": [b.as_dict() for b in found],
            "checked": checked}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_text(out_dir / "sensitivity.json",
                          json.dumps(data, indent=2, default=str) + "\n")]
    if effects:
        written += [write_sensitivity_xlsx(effects, out_dir / "sensitivity.xlsx"),
                    write_tornado_html(effects, out_dir / "tornado.html")]
    missing = [s.name for s in scenarios if s.name not in run.plans]
    return SensitivityRun(effects, found, checked, disagreements, missing, written, run, data)
