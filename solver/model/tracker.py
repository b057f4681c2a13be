"""The best plan and bound of every search of one objective
(:class:`Tracker`), and the CP-SAT callback that feeds it
(:class:`SolutionCallback`); :mod:`solver.model.search` runs the searches."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from solver.model.build import Builder, Choice
from solver.model.costs import Objective, Weights, dot
from solver.model.extract import derive

Progress = Callable[[float, float, float, float], None]


class Tracker:
    """The best plan and bound of every search of one objective (thread-safe);
    calls ``progress(elapsed, best £, bound £, gap)`` on each better plan and on
    each stronger bound (once a plan is known), so the live line always shows
    the bound the final plan will report."""

    def __init__(self, b: Builder, obj: Objective, w: Weights, t0: float,
                 progress: Progress | None) -> None:
        self.b, self.obj, self.w, self.t0, self.progress = b, obj, w, t0, progress
        self.lock = threading.Lock()
        self.plan: Choice | None = None
        self.value = math.inf  # exact float objective of ``plan``
        self.shown = math.inf  # best value reported (full-model values are scaled)
        self.bound = obj.trivial_bound()
        self.lp: dict[str, float] | None = None  # the LP's retained share by application

    def offer_lp(self, primal: np.ndarray, of: Builder | None = None,
                 again: bool = False) -> None:
        """The column values of the full model's LP relaxation (indexed by the
        CP-SAT variables' indices of ``of``, the model the LP relaxes: the
        tracker's own by default, or the time-indexed model built for the
        light full model's LP bound, :func:`solver.model.bound_first._lp_light`),
        kept as the share of each application the LP retains (the sum of its
        ``retain`` pairs), by application id: what the neighbourhood
        search's LP-guided kind reads (:meth:`lp_retained`). Only the first
        LP solution is kept (the chords' later rounds depend on the wall
        clock; the first plan of one worker stays deterministic), unless
        ``again``: then each replaces the last (the light model's chord
        rounds, ``SolveParams.lp_light_reoffer``)."""
        if self.lp is not None and not again:  # only the first is kept
            return
        b = self.b if of is None else of
        got = {a: float(key == "retain") for a, (key, _) in b.held.items()}
        for a, xs in b.x.items():
            got[a] = sum(float(v) if isinstance(v, int) else float(primal[v.index])
                         for (key, _), v in xs.items() if key == "retain")
        for a, (key, _) in b.timing_only.items():
            got.setdefault(a, float(key == "retain"))
        with self.lock:
            if self.lp is None or again:
                self.lp = got

    def lp_retained(self) -> dict[str, float] | None:
        """The LP's retained share of each application (None until an LP
        solution was offered, :meth:`offer_lp`)."""
        with self.lock:
            return self.lp

    def exact(self, choice: Choice) -> float:
        """Exact float objective of a complete plan."""
        return dot(self.w, derive(self.b.prep, choice).vec)

    def offer_plan(self, choice: Choice, value: float, ties: bool = False) -> None:
        """A complete plan and its exact objective (``ties``: it also replaces an
        equally good plan)."""
        with self.lock:
            if value < self.value or (ties and value <= self.value + 1e-9 * abs(self.value)):
                self.plan, self.value = dict(choice), value
            self._report(value)

    def best(self) -> tuple[Choice | None, float]:
        """The best plan so far and its exact objective."""
        with self.lock:
            return self.plan, self.value

    def offer_value(self, value: float) -> None:
        """The objective (£) of a full-model solution (read at the end)."""
        with self.lock:
            self._report(value)

    def offer_bound(self, bound: float) -> None:
        """A proven lower bound (£)."""
        with self.lock:
            if bound <= self.bound:
                return
            self.bound = bound
            if math.isfinite(self.shown):
                self._show(self.shown)

    def _report(self, value: float) -> None:
        if value >= self.shown:
            return
        self.shown = value
        self._show(value)

    def _show(self, value: float) -> None:
        if self.progress is not None:
            gap = max(value - self.bound, 0.0) / max(abs(value), 1.0)
            self.progress(time.monotonic() - self.t0, value, self.bound, gap)


class SolutionCallback(cp_model.CpSolverSolutionCallback):
    """Passes each improving full-model solution's objective to the tracker
    (``plans``: the plan too, so a search beside it can continue from it)."""

    def __init__(self, tracker: Tracker, plans: bool = False) -> None:
        super().__init__()
        self.tracker = tracker
        self.plans = plans

    def on_solution_callback(self) -> None:
        if self.plans:
            mine = self.tracker.b.choice_of(self)  # type: ignore[arg-type]
            self.tracker.offer_plan(mine, self.tracker.exact(mine))
        else:
            self.tracker.offer_value(self.tracker.obj.to_units(self.objective_value))
