"""The budget of the neighbourhood search (:mod:`solver.model.lns`):
deterministic seconds, a wall-clock deadline, and a stop another thread may
pull."""

from __future__ import annotations

import threading
import time

from ortools.sat.python import cp_model


class Budget:
    """Deterministic seconds the search may spend, a wall-clock deadline
    (``time.monotonic()``), and a stop another thread may pull."""

    def __init__(self, dtime: float, deadline: float) -> None:
        self.dtime, self.deadline = dtime, deadline
        self.used = 0.0
        self.wall_stopped = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._current: cp_model.CpSolver | None = None

    def left(self) -> float:
        """Deterministic seconds left (0 once stopped or past the deadline)."""
        if self._stop.is_set():
            return 0.0
        if time.monotonic() >= self.deadline:
            self.wall_stopped = self.used < self.dtime
            return 0.0
        return max(self.dtime - self.used, 0.0)

    def halt(self) -> None:
        """Stop the search (and the sub-problem being solved) from another thread."""
        with self._lock:
            self._stop.set()
            if self._current is not None:
                self._current.stop_search()

    def run(self, s: cp_model.CpSolver, m: cp_model.CpModel) -> cp_model.CpSolverStatus | None:
        """``s.solve(m)``, stoppable by :meth:`halt` (None: halted before it began)."""
        with self._lock:
            if self._stop.is_set():
                return None
            self._current = s
        try:
            return s.solve(m)
        finally:
            with self._lock:
                self._current = None
