"""benchmarks/bench_psplib.py and psplib.py: samples split into parts, long
instances within the longest horizon an estate may have."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

from bench_psplib import instances, part_of  # noqa: E402
from psplib import SHARED, parse_sm, psplib_estate  # noqa: E402

from estate.checks import MAX_HORIZON_MONTHS  # noqa: E402


def test_parts_are_consecutive_slices_that_cover_the_list_once() -> None:
    files = [Path(f"i{k}.sm") for k in range(7)]
    parts = [part_of(files, f"{k}/3") for k in (1, 2, 3)]
    assert [len(p) for p in parts] == [2, 2, 3]
    assert [f for p in parts for f in p] == files
    assert part_of(files, "") == files
    with pytest.raises(SystemExit):
        part_of(files, "4/3")


@pytest.mark.skipif(not (SHARED / "j120").exists(), reason="PSPLIB data not present")
def test_an_instance_longer_than_the_horizon_limit_still_makes_an_estate() -> None:
    f = SHARED / "j120" / "instances" / "j12010_1.sm"
    dur, _, _, _ = parse_sm(f)
    assert sum(dur.values()) + 1 > MAX_HORIZON_MONTHS  # the case the cap is for
    e = psplib_estate(f)
    assert e.settings.horizon_months == MAX_HORIZON_MONTHS
    assert len(e.applications) == sum(1 for d in dur.values() if d > 0)


@pytest.mark.skipif(not (SHARED / "j120").exists(), reason="PSPLIB data not present")
def test_a_sample_in_two_parts_is_the_sample() -> None:
    files = instances("j120", 20)
    assert part_of(files, "1/2") + part_of(files, "2/2") == files
    assert len(files) == 20
