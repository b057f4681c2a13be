"""Cloud-first exceptions on a real RVTools export, tried as a new user would:
import, plan, read the board paper and migration-plan.xlsx back. Skips when
the shared samples are not beside the project."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from report_audit import board_words, visible_text

from estate.cli import main

SAMPLE = (Path(__file__).resolve().parents[2] / "shared" / "samples" / "rvtools"
          / "mjvincent_SizingWorkshop-RVTools.xlsx")


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLE.exists(), reason="real RVTools sample not found beside the project")
def test_exception_reasons_name_cost_on_a_real_export(tmp_path: Path) -> None:
    wb, out = tmp_path / "estate.xlsx", tmp_path / "plan"
    run = CliRunner().invoke
    res = run(main, ["import", "rvtools", str(SAMPLE), "--into", str(wb)])
    assert res.exit_code == 0, res.output
    # at the default 3-year reservations every VM of this export moves (nothing is
    # kept, so there is no exception to explain); at 1-year reservations most stay,
    # as a council that will not commit for three years would find
    book = openpyxl.load_workbook(wb)
    book["settings"].append(["cloud_pricing", "reserved_1y"])
    book.save(wb)
    res = run(main, ["plan", str(wb), "--out", str(out), "--time-limit", "20", "--workers",
                     "1", "--no-pdf", "--quiet"])
    assert res.exit_code == 0, res.output
    rows = list(openpyxl.load_workbook(out / "migration-plan.xlsx")["Exceptions"]
                .iter_rows(min_row=2, values_only=True))
    kinds = Counter(r[4] for r in rows)
    costed = [r for r in rows if r[9] is not None]
    assert costed, kinds
    # every costed retained VM is kept because moving it costs more, not because of
    # the plan's own team load in its first month (what the board used to say)
    # (a 20 s search is not proven optimal: a move it did not reach in time that
    # is no dearer says so, with no extra cost; such rows must stay rare)
    dearer = [r for r in costed if r[4] == "moving it costs more"]
    unreached = [r for r in costed if r[4] == "moving it is no dearer: not reached in time"]
    assert len(dearer) + len(unreached) == len(costed), kinds
    assert all(r[5].startswith("cost: ") and r[9] > 0 for r in dearer), kinds
    assert all(r[9] <= 0 for r in unreached), unreached
    assert len(unreached) <= max(2, len(costed) // 50), kinds
    assert not any(re.match(r"(cloud .*)?breaks a rule: team", r[5]) for r in rows)
    # the board sees the counts and ten rows, not the whole list, in its own words
    page = visible_text(out / "roadmap.html")
    assert "For " in page and "The 10 largest" in page
    table = (out / "roadmap.html").read_text(encoding="utf-8").split('id="exception-list"')[1]
    assert table.split("</table>")[0].count("<tr>") == 11  # header + ten
    ours = [p for p in board_words("roadmap.html", page)
            if not re.search(r"APP-|[A-Za-z0-9]_[A-Za-z0-9]+ ·", p)]
    assert not [p for p in ours if "a setting name" in p or "command-line" in p], ours
