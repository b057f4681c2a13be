"""The live progress line shows the bound the final plan reports (issue 23):
every bound the search proves is passed to ``progress`` as it is proven, not
only with the next better plan, so the line carries the final bound (or one
at least as strong) before the search ends."""

from __future__ import annotations

from typing import Any

import pytest

import solver.model.search as search_mod
from estate.resolve import resolve
from inventory.synth import synth_estate
from solver.solve import solve


def _during_search(monkeypatch: pytest.MonkeyPatch, n_apps: int, seed: int, workers: int
                   ) -> tuple[list[tuple[float, float, float, float]], Any]:
    """The progress calls made before the search ended (before its outcome is
    put together), and the result."""
    seen: list[tuple[float, float, float, float]] = []
    ended: list[bool] = []
    outcome = search_mod._outcome

    def marked(*args: Any) -> Any:
        ended.append(True)
        return outcome(*args)

    monkeypatch.setattr(search_mod, "_outcome", marked)

    def progress(*a: float) -> None:
        if not ended:
            seen.append(a)  # type: ignore[arg-type]

    r = solve(resolve(synth_estate(n_apps, seed)), time_limit=20.0, workers=workers,
              progress=progress)
    assert ended
    return seen, r


@pytest.mark.parametrize(("seed", "workers"), [(3, 1), (4, 2)])
def test_progress_carries_the_final_bound_before_the_search_ends(
        monkeypatch: pytest.MonkeyPatch, seed: int, workers: int) -> None:
    seen, r = _during_search(monkeypatch, 40, seed, workers)
    assert seen and r.bound is not None
    # Every line is a valid pair: its bound never above its plan.
    assert all(b <= best + 1e-6 for _, best, b, _ in seen)
    # The strongest bound shown while the search ran is the final one: the
    # final report adds nothing the line did not show.
    assert max(b for _, _, b, _ in seen) >= r.bound - 1e-6
    # The bound did rise during the search (the line is not only the first plan's).
    assert max(b for _, _, b, _ in seen) > seen[0][2]
