"""The live progress line shows the bound the final plan reports (issue 23):
every bound the search proves is passed to ``progress`` as it is proven, not
only with the next better plan, so the last line a user sees carries the
final bound (or one at least as strong)."""

from __future__ import annotations

from estate.resolve import resolve
from inventory.synth import synth_estate
from solver.solve import solve


def _seen(n_apps: int, seed: int, workers: int) -> tuple[list[tuple[float, float, float, float]],
                                                           object]:
    seen: list[tuple[float, float, float, float]] = []
    r = solve(resolve(synth_estate(n_apps, seed)), time_limit=20.0, workers=workers,
              progress=lambda *a: seen.append(a))
    return seen, r


def test_progress_carries_the_final_bound_one_worker() -> None:
    seen, r = _seen(40, 3, 1)
    assert seen and r.bound is not None  # type: ignore[attr-defined]
    bound = r.bound  # type: ignore[attr-defined]
    # Every line is a valid pair: its bound never above its plan.
    assert all(b <= best + 1e-6 for _, best, b, _ in seen)
    # The strongest bound shown while the search ran is the final one (the
    # final report adds nothing the line did not show).
    assert max(b for _, _, b, _ in seen) >= bound - 1e-6
    # And it was shown before the plan was put together.
    assert seen[-1][0] <= r.plan.solve_seconds + 1e-6  # type: ignore[attr-defined]


def test_progress_carries_the_final_bound_two_workers() -> None:
    seen, r = _seen(40, 4, 2)
    bound = r.bound  # type: ignore[attr-defined]
    assert all(b <= best + 1e-6 for _, best, b, _ in seen)
    assert max(b for _, _, b, _ in seen) >= bound - 1e-6
