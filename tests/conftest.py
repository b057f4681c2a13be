"""Test-wide setup: a fixed "today" so that defaults that depend on the date
(a blank ``horizon_start`` is the first month after today; notices before today
are overdue) do not change from one day to the next.

1 January 2025 lies before every fixture's horizon, so no fixture is flagged
for starting in the past; tests of that behaviour set ``ESTATE_TODAY``
themselves (``monkeypatch.setenv``). Subprocesses inherit the variable.
"""

from __future__ import annotations

import os

from estate.months import TODAY_ENV

os.environ.setdefault(TODAY_ENV, "2025-01-01")
