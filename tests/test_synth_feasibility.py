"""Generated estates must be plannable: necessary feasibility conditions, and a
greedy plan when the greedy planner is available."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from estate.model import Dependency, Estate, Option, Team
from estate.months import month_index
from inventory.demo import demo_estate
from inventory.synth import GEN_DAYS_PER_SERVER, GEN_SERVERS_PER_MONTH, synth_estate

CASES = [("demo", 0), (4, 0), (4, 3), (25, 3), (120, 1), (600, 2), (300, 11)]


def _estate(case: str | int, seed: int) -> Estate:
    return demo_estate() if case == "demo" else synth_estate(int(case), seed)


def _move_options(e: Estate, app_id: str) -> list[tuple[int, dict[str, float]]]:
    """(duration, effort) of each way the application can move (generated ones too)."""
    opts = e.options_by_app[app_id]
    if not opts:  # the resolver generates a rehost from its servers
        n = sum(1 / len(s.app_ids) for s in e.servers_by_app[app_id])
        if n == 0:
            return []
        d = min(6, max(1, math.ceil(n / GEN_SERVERS_PER_MONTH - 1e-9)))
        return [(d, {"migration": GEN_DAYS_PER_SERVER * n})]
    exiting = {s.site_id for s in e.sites if s.exit_by}
    return [(o.duration_months, o.effort) for o in opts
            if o.moves and o.target_site not in exiting]


def _dc1_apps(e: Estate) -> list[str]:
    dc1 = {s.server_id for s in e.servers if s.site_id == "DC1"}
    return [a for a, srv in e.servers_by_app.items() if any(s.server_id in dc1 for s in srv)]


def problems(e: Estate) -> list[str]:
    """Necessary conditions for a plan to exist, broken ones in words."""
    out: list[str] = []
    hs = e.settings.horizon_start
    exit_by = e.site_by_id["DC1"].exit_by
    if exit_by is None:
        return ["DC1 has no exit_by"]
    window = month_index(hs, exit_by)
    dc1 = _dc1_apps(e)
    must_move = set(dc1) | {a for a, opts in e.options_by_app.items()
                            if opts and not any(o.strategy == "retain" for o in opts)}
    # every DC1 application can move, in time, to a site that is not being exited
    for a in dc1:
        moves = _move_options(e, a)
        if not moves:
            out.append(f"{a} runs on DC1 but cannot move")
        elif min(d for d, _ in moves) > window // 2:
            out.append(f"{a} moves too slowly")
    # teams: the cheapest way (in effort) of each must-move application fits easily
    need = dict.fromkeys(e.team_by_id, 0.0)
    crit_months = 0
    for a in sorted(must_move):
        moves = _move_options(e, a)
        if not moves:
            continue
        d, effort = min(moves, key=lambda m: m[0] * sum(m[1].values()))
        for t, days in effort.items():
            need[t] += d * days
            if days > e.team_by_id[t].days_per_month:
                out.append(f"{a} needs more than team {t} has")
        if e.app_by_id[a].criticality == "critical":
            crit_months += min(m[0] for m in moves)
    for t, days in need.items():
        if days > 0.5 * e.team_by_id[t].days_per_month * window:
            out.append(f"team {t}: {days} days needed before DC1's exit")
    if crit_months > 0.5 * e.settings.max_critical_in_flight * window:
        out.append(f"{crit_months} critical months")
    # dependencies: no before cycle, short chains, small consistent together groups
    before = [(d.from_id, d.to_id) for d in e.dependencies if d.kind == "before"]
    succ: dict[str, list[str]] = {}
    for x, y in before:
        succ.setdefault(x, []).append(y)

    def depth(a: str, seen: tuple[str, ...] = ()) -> int:
        if a in seen:
            out.append(f"before cycle through {a}")
            return 0
        return 1 + max((depth(b, seen + (a,)) for b in succ.get(a, ())), default=0)

    if any(depth(a) > 3 for a in list(succ)):
        out.append("before chain longer than 3")
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    for dep in e.dependencies:
        if dep.kind == "together":
            parent.setdefault(dep.from_id, dep.from_id)
            parent.setdefault(dep.to_id, dep.to_id)
            parent[find(dep.from_id)] = find(dep.to_id)
    groups: dict[str, list[str]] = {}
    for a in parent:
        groups.setdefault(find(a), []).append(a)
    for members in groups.values():
        if not 2 <= len(members) <= 4:
            out.append(f"group size {len(members)}")
        if not all(_move_options(e, a) for a in members):
            out.append(f"group {members} has a member that can only stay")
        if sum(e.app_by_id[a].criticality == "critical" for a in members) > 1:
            out.append(f"group {members} has two critical members")
        if any(x in members and y in members for x, y in before):
            out.append(f"group {members} has a before inside")
    # earliest starts and deadlines leave room
    for app in e.applications:
        if app.earliest_start and month_index(hs, app.earliest_start) > window - 12:
            out.append(f"{app.app_id} starts late")
        if app.must_finish_by and month_index(hs, app.must_finish_by) < 12:
            out.append(f"{app.app_id} finishes early")
    # budget: every year can pay for half the programme's cheapest one-off spend
    total = sum(min((o.one_off_cost for o in e.options_by_app[a] if o.moves), default=0.0)
                for a in must_move)
    if any(b.one_off_limit < 0.5 * total for b in e.budget):
        out.append("budget too small")
    return out


@pytest.mark.parametrize(("case", "seed"), CASES)
def test_necessary_conditions(case: str | int, seed: int) -> None:
    assert problems(_estate(case, seed)) == []


def test_conditions_can_fail() -> None:
    """The checks bite: retain-only DC1 app, a before cycle, a starved team."""
    e = synth_estate(120, 1)
    a = _dc1_apps(e)[0]
    opts = tuple(o for o in e.options if o.app_id != a) + (Option(a, "retain"),)
    assert any("cannot move" in p for p in problems(replace(e, options=opts)))
    x, y = e.applications[0].app_id, e.applications[1].app_id
    cyc = e.dependencies + (Dependency(x, y, "before"), Dependency(y, x, "before"))
    assert any("cycle" in p for p in problems(replace(e, dependencies=cyc)))
    starved = tuple(Team(t.team_id, 1.0) for t in e.teams)
    assert any(p.startswith("team migration") for p in problems(replace(e, teams=starved)))


@pytest.mark.parametrize(("case", "seed", "months"),
                         [("demo", 0, 48), (4, 1, 48), (25, 3, 48), (200, 5, 48),
                          (60, 2, 12), (60, 2, 24), (1000, 0, 48)])
def test_greedy_plan_exists(case: str | int, seed: int, months: int) -> None:
    from estate.resolve import resolve
    from solver.greedy import greedy_decisions

    e = demo_estate() if case == "demo" else synth_estate(int(case), seed,
                                                          horizon_months=months)
    assert greedy_decisions(resolve(e)) is not None
