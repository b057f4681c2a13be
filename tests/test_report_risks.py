"""The roadmap's risk section, read back from the rendered page."""

from __future__ import annotations

import re
from dataclasses import replace

from test_policies import _os_estate
from test_solver_factory import run

from reports.facts import Facts
from reports.risks import estimated_share, unsupported_kept
from reports.roadmap import render


def _table(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    return [re.sub(r"<[^>]+>", "|", r).strip("|").split("||") for r in rows]


def test_unsupported_kept_are_listed_with_dates() -> None:
    # flag: A is retained, so S1 (end of support 2025-07 = month 3) stays to the
    # end of the 12-month plan: 9 months unsupported.
    e = _os_estate("flag")
    r = run(e)
    rows = unsupported_kept(Facts(e, r.plan))
    assert [(x["server_id"], x["eos"], x["until"], x["months"]) for x in rows] == [
        ("S1", "2025-07", "beyond the plan", 9)]
    html = render(e, r.plan)
    assert _table(html, "unsupported-kept")[0][:5] == [
        "S1", "Windows Server 2012", "Jul 2025", "beyond the plan", "9"]
    # forbid: it is gone from month 1, nothing is listed
    e = _os_estate("forbid")
    r = run(e)
    assert unsupported_kept(Facts(e, r.plan)) == []
    assert "No server stays in service past" in render(e, r.plan)


def test_estimated_share_counts_estimated_running_costs() -> None:
    # A's £100 a month, retained for 12 months, is marked estimated: all £1,200
    e = _os_estate("flag")
    e = replace(e, estimated=("applications.A.current_monthly_cost",))
    r = run(e)
    share = estimated_share(Facts(e, r.plan))
    assert share["estimated"] == 1200.0 and share["total"] == 1200.0
    assert share["share"] == 100.0
