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

Where asked (``modes``), a sweep that improved nothing hands over to the next
*mode* instead, in turn, and the sweeps sleep only once every mode has swept
the plan in a row without a better plan (:data:`MODES`):

* ``phase`` — the same windows, each starting one month later (other batches
  together in one window);
* ``options`` — the window's applications free to take any of their options
  (``retain`` included) in the window's months: a cluster's members choosing
  between move and retain together with their timing;
* ``wide`` — windows two months wider, their applications allowed one more
  month before them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solver.model.build import Choice
from solver.model.prep import Prep
from solver.model.variables import allowed_pairs

if TYPE_CHECKING:
    from solver.model.lns import Domains  # the one home of the neighbourhoods' type
MODES = ("phase", "options", "wide")


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
    modes
        The modes (of :data:`MODES`) that take over in turn after a sweep
        that improved nothing; empty: the sweeps then sleep.
    """

    def __init__(self, prep: Prep, unit: dict[str, list[str]], months: int = 4,
                 back: int = 2, ahead: int = 1, modes: tuple[str, ...] = ()) -> None:
        if months < 1 or back < 0 or ahead < 0 or back >= months:
            raise ValueError("a shift window needs months >= 1 and 0 <= back < months, "
                             "ahead >= 0")
        if set(modes) - set(MODES):
            raise ValueError(f"shift modes must be some of {MODES} (got {modes})")
        self.prep, self.unit = prep, unit
        self.months, self.back, self.ahead = months, back, ahead
        self.modes = ("plain", *modes)
        self.mode = 0  # the index in ``modes`` of the sweep under way
        self.barren = 0  # sweeps in a row that improved nothing
        self.cursor: int | None = None  # the next window's first month
        self.gained = False  # whether the sweep under way improved the plan
        self.asleep = False
        self.passes = 0  # sweeps completed (past the plan's last go-live)

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
            self.passes += 1
            if self.gained:
                self.barren = 0
            else:
                self.barren += 1
                if self.barren >= len(self.modes):
                    self.asleep = True
                    return False
                self.mode = (self.mode + 1) % len(self.modes)
            self.cursor, self.gained = None, False
        return True

    @property
    def mode_name(self) -> str:
        """The mode of the sweep under way (``plain`` unless ``modes``)."""
        return self.modes[self.mode]

    def record(self, kind: str, improved: bool) -> None:
        """A step of ``kind`` ended (``improved``: with a better plan): a
        better plan from a ``shift`` step counts for the sweep, one from
        another kind wakes the sweeps (from the first month)."""
        if kind == "shift":
            self.gained |= improved
        elif improved and self.asleep:
            self.asleep, self.cursor, self.gained = False, None, False
            self.mode = self.barren = 0

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
        if self.cursor is None or self.cursor > last:
            t = first + (1 if self.mode_name == "phase" else 0)
        else:
            t = max(self.cursor, first)
        months, back = self._shape()
        self.cursor = t + months - back
        return t, self.domains(plan, t, moving)

    def _shape(self) -> tuple[int, int]:
        """The window's width and ``back`` in the mode under way."""
        wide = 2 if self.mode_name == "wide" else 0
        return self.months + wide, self.back + wide // 2

    def domains(self, plan: Choice, t: int, moving: dict[str, int] | None = None
                ) -> Domains:
        """The neighbourhood of window ``[t, t + months)`` of ``plan``: each
        moving application going live in it (with its ``together``
        partners), restricted to its option and months ``[t - back,
        t + months + ahead)`` and its own month (mode ``wide``: the window
        two months wider, ``back`` one; ``options``: any option in those
        months, ``retain`` too)."""
        if moving is None:
            moving = self._moving(plan)
        months, back = self._shape()
        lo, hi = t - back, t + months + self.ahead
        seeds = [a for a, L in moving.items() if t <= L < t + months]
        free_option = self.mode_name == "options"
        out: Domains = {}
        for a in seeds:
            for b in self.unit.get(a, [a]):
                if b in out or b not in moving:
                    continue
                key, L = plan[b]
                ap = self.prep.app_by_id[b]
                pairs = {(o.key, m) for o, m in allowed_pairs(self.prep, ap)
                         if (o.key == key and lo <= m < hi)
                         or (free_option and (lo <= m < hi or not o.moves))}
                pairs.add((key, L))
                out[b] = frozenset(pairs)
        return out
