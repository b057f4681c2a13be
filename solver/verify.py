"""What a plan claims about itself, verified (``estate check``).

:func:`verify_status` checks the claimed ``status`` beyond its arithmetic
(:mod:`solver.check` checks objective, bound and gap against the totals):

- ``optimal`` is proved again: the same problem (the objective, carbon price,
  carbon cap and tie-break the plan records) is solved within the time limit;
  the claim holds only when the solver proves an optimum no cheaper than the
  plan (within :data:`ROUNDING` of the model's rounding). A cheaper plan found
  disproves it; no proof in time is "not verified in N s", never "OK".
- ``unknown`` (no plan within the time limit) has nothing to check: a failure,
  whatever its lists hold.

``infeasible`` is verified by :func:`solver.check.check_plan` (a plan is
looked for). Every finding is a :class:`~solver.check.Difference` of kind
``status``.
"""

from __future__ import annotations

import time

from estate.model import Estate
from estate.plan import Plan
from solver.check import PENNY, Difference
from solver.epsilon import Epsilon
from solver.solve import solve

#: Relative allowance for the solver's model rounding (its costs are rounded to
#: whole units of a scale): two optima of the rounded model may differ by this.
ROUNDING = 1e-6
#: How a Difference of a claim that could not be proved in time begins.
NOT_VERIFIED = "not verified"


def _epsilon(plan: Plan) -> tuple[str, float | None, Epsilon]:
    """The objective name, carbon price and ε terms the plan records."""
    rec = plan.assumptions.get("objective") or {}
    name = rec.get("name") if rec.get("name") in ("balanced", "cost", "carbon") else "balanced"
    price = rec.get("carbon_price")
    price = float(price) if isinstance(price, int | float) and not isinstance(price, bool) \
        else None
    cap = rec.get("co2e_cap_tonnes")
    cap = float(cap) if isinstance(cap, int | float) and not isinstance(cap, bool) else None
    eps = Epsilon(cap_tonnes=cap, fewest_tonnes=rec.get("then") == "fewest_tonnes")
    return str(name), price, eps


def verify_status(estate: Estate, plan: Plan, seconds: float,
                  workers: int | None = None) -> tuple[list[Difference], list[str]]:
    """Verify a plan's ``optimal`` or ``unknown`` claim.

    Parameters
    ----------
    estate
        The resolved estate the plan is checked against
        (:func:`solver.check.prepare`).
    plan
        The plan.
    seconds
        Time allowed to prove an ``optimal`` claim again.
    workers
        CP-SAT workers for that.

    Returns
    -------
    (list of Difference, list of str)
        The claim's failures (``status``), and notes for the reader.
    """
    if plan.status == "unknown":
        return [Difference("status", "status", "the plan claims 'unknown' (no plan found "
                           "in its time limit): there is no plan to check; plan again with "
                           "a longer --time-limit")], []
    if plan.status != "optimal" or plan.objective is None or plan.totals is None:
        return [], []
    name, price, eps = _epsilon(plan)
    t0 = time.monotonic()
    r = solve(estate, time_limit=seconds, workers=workers, objective=name,
              carbon_price=price, epsilon=eps)
    took = time.monotonic() - t0
    claimed = plan.objective
    tol = max(PENNY, ROUNDING * abs(claimed))
    if r.plan.totals is not None and r.objective is not None:
        mine = r.plan.totals
        if name == "carbon" and mine.co2e_tonnes < plan.totals.co2e_tonnes - max(
                1e-6, ROUNDING * plan.totals.co2e_tonnes):
            return [Difference("status", "status", f"the plan claims to be optimal (least "
                               f"carbon), but the solver finds a plan emitting "
                               f"{plan.totals.co2e_tonnes - mine.co2e_tonnes:,.3f} t less "
                               f"({mine.co2e_tonnes:,.3f} t)")], []
        if name != "carbon" and r.objective < claimed - tol:
            proved = ", proved optimal" if r.status == "optimal" else ""
            return [Difference("status", "status", f"the plan claims to be optimal, but the "
                               f"solver finds a plan £{claimed - r.objective:,.2f} cheaper "
                               f"(objective £{r.objective:,.2f}{proved})")], []
    if r.status == "optimal":
        return [], [f"optimal: confirmed (the solver proves the optimum again, objective "
                    f"£{r.objective:,.2f}, in {took:.1f} s)"]
    return [Difference("status", "status", f"{NOT_VERIFIED} in {seconds:g} s: the solver "
                       "could not prove the 'optimal' claim again in the time limit "
                       f"(it ended {r.status}); rerun with a longer --time-limit")], []
