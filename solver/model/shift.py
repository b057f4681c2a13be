"""The neighbourhood search's ``shift`` step (issue 23): the go-live months of
every moving application in a window of months, each with its option fixed.

On the pooled export-shaped estates and the SizingWorkshop sample the plans
of a minute differ from the cheaper ones found later mainly in *timing*: each
month's batch of go-lives could go live a month sooner, one batch after
another, and the applications waiting for a contract's end could go together
at its end (``docs/solver.md``, *The sample's plan in a minute*). A drawn
neighbourhood of 40 applications moves one such batch a step; a ``shift``
step frees every moving application whose go-live month ``L`` lies in a
window ``[t, t + months)``, each restricted to its own option and to months
``[t - back, t + months + ahead)`` (within the pairs no rule forbids), every
other application held. The sub-model is the model itself (team days,
go-live limit, ``before`` / ``together``, freezes, notice: every rule stays
in its one home), only small: one option per application and a few months.

The windows sweep the plan's go-live months from the first, each starting
``months - back`` after the previous one (so a batch pushed to the start of
a window is in the next one too), and start again at the first once past
the last (:class:`Sweep`). A sweep that improved nothing sends the sweeps to
sleep until another kind of step improves the plan (:meth:`Sweep.due`,
:meth:`Sweep.record`).
"""

from __future__ import annotations

from solver.model.build import Choice
from solver.model.prep import Prep
from solver.model.variables import allowed_pairs

Domains = dict[str, frozenset[tuple[str, int]] | None]


class Sweep:
    """Windows of go-live months over a plan, earliest first, in turn.

    Parameters
    ----------
    prep
        The estate.
    unit
        Each application's ``together`` group (itself included), as
        :class:`solver.model.lns.Neighbourhoods` keeps it.
    months
        The window's width in months.
    back, ahead
        How many months before and after the window its applications may
        take.
    """

    def __init__(self, prep: Prep, unit: dict[str, list[str]], months: int = 4,
                 back: int = 2, ahead: int = 1) -> None:
        if months < 1 or back < 0 or ahead < 0 or back >= months:
            raise ValueError("a shift window needs months >= 1 and 0 <= back < months, "
                             "ahead >= 0")
        self.prep, self.unit = prep, unit
        self.months, self.back, self.ahead = months, back, ahead
        self.cursor: int | None = None  # the next window's first month
        self.gained = False  # whether the sweep under way improved the plan
        self.asleep = False

    def due(self, plan: Choice) -> bool:
        """Whether a ``shift`` step is due: not while asleep; a sweep past
        the plan's last go-live falls asleep if it improved nothing, else
        starts again at the first."""
        if self.asleep:
            return False
        moving = self._moving(plan)
        if not moving:
            return False
        if self.cursor is not None and self.cursor > max(moving.values()):
            if not self.gained:
                self.asleep = True
                return False
            self.cursor, self.gained = None, False
        return True

    def record(self, kind: str, improved: bool) -> None:
        """A step of ``kind`` ended (``improved``: with a better plan): a
        better plan from a ``shift`` step counts for the sweep, one from
        another kind wakes the sweeps (from the first month)."""
        if kind == "shift":
            self.gained |= improved
        elif improved and self.asleep:
            self.asleep, self.cursor, self.gained = False, None, False

    def _moving(self, plan: Choice) -> dict[str, int]:
        """The go-live month of each application ``plan`` moves."""
        out = {}
        for a, (key, L) in plan.items():
            if self.prep.app_by_id[a].opt(key).moves:
                out[a] = L
        return out

    def next(self, plan: Choice) -> tuple[int, Domains]:
        """The next window's first month and neighbourhood (empty where
        ``plan`` moves nothing)."""
        moving = self._moving(plan)
        if not moving:
            return 0, {}
        first, last = min(moving.values()), max(moving.values())
        t = first if self.cursor is None or self.cursor > last else max(self.cursor, first)
        self.cursor = t + self.months - self.back
        return t, self.domains(plan, t, moving)

    def domains(self, plan: Choice, t: int, moving: dict[str, int] | None = None
                ) -> Domains:
        """The neighbourhood of window ``[t, t + months)`` of ``plan``: each
        moving application going live in it (with its ``together``
        partners), restricted to its option and months ``[t - back,
        t + months + ahead)`` and its own month."""
        if moving is None:
            moving = self._moving(plan)
        lo, hi = t - self.back, t + self.months + self.ahead
        seeds = [a for a, L in moving.items() if t <= L < t + self.months]
        out: Domains = {}
        for a in seeds:
            for b in self.unit.get(a, [a]):
                if b in out or b not in moving:
                    continue
                key, L = plan[b]
                ap = self.prep.app_by_id[b]
                pairs = {(o.key, m) for o, m in allowed_pairs(self.prep, ap)
                         if o.key == key and lo <= m < hi}
                pairs.add((key, L))
                out[b] = frozenset(pairs)
        return out
