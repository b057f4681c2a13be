"""Contract terms of the CP-SAT model that are not a function of one ``max L``.

Two families, both priced from the tables of :mod:`solver.model.prep`, which
take every rule from :mod:`estate.contracts`:

* ``retire`` contracts (``contracts.ends_with``): an application ``a`` they
  cover releases them at ``r_a = L_a`` when its option is ``retire`` or
  ``repurchase``, else at ``H``. A group literal ``g[G,k] = [max r >= k]``
  is bounded below by ``ge[a,k]`` *and* by ``kept[a] = Σ_{o keeps software}
  choose[a,o]`` (``r_a = H >= k``); :func:`kept_literal`.
* per-unit renewals beyond ``min_units`` (:class:`solver.model.prep.UnitTerm`):
  ``over[c,j] >= Σ_s units_s · [D_s > t0] - min_units``, ``over >= 0``,
  objective ``w·vec · over``; the minimum sets ``over = max(0, U(t0) -
  min_units)``. ``[D_s > t0]`` is the server's group literal at ``t0+1``
  (``ge`` of its only application; 0 for a server serving none); for a host
  of a cluster it is ``[n[C,t0] >= rank]`` of the cluster model
  (:func:`solver.model.clusters.host_on`); :func:`add_unit_terms`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.model.clusters import host_on
from solver.model.prep import keeps_software
from solver.model.variables import ge, present, span

if TYPE_CHECKING:
    from solver.model.build import Builder
    from solver.model.costs import Weights, _Terms


def kept_literal(b: Builder, a: str) -> int | cp_model.IntVar:
    """``[a takes an option that keeps its software]`` (``retain``, ``rehost``,
    ``replatform``, ``refactor``, ``relocate``), or the constant 0 / 1."""
    cache = b.kept_cache
    if a in cache:
        return cache[a]
    ap = b.prep.app_by_id[a]
    held = b.timing_only.get(a)
    out: int | cp_model.IntVar
    if a in b.held:
        out = int(keeps_software(ap.opt(b.held[a][0]).strategy))
    elif held is not None:
        out = int(keeps_software(ap.opt(held[0]).strategy))
    else:
        keys = {k for k, _ in b.x.get(a, {})}
        lits = [b.choose[a][k] for k in sorted(keys)
                if keeps_software(ap.opt(k).strategy) and k in b.choose.get(a, {})]
        if not lits:
            out = 0
        elif len(lits) == len(keys):
            out = 1
        elif len(lits) == 1:
            out = lits[0]
        else:
            out = b.m.new_bool_var(f"keeps_software[app={a}]")
            b.m.add(out == sum(lits))
    cache[a] = out
    return out


def release_span(b: Builder, a: str, kept: bool) -> tuple[int, int]:
    """Least and greatest release month of ``a`` in the model (``H`` at the top
    when a ``retire`` contract covers it and it may keep its software)."""
    lo, hi = span(b, a)
    if kept:
        lit = kept_literal(b, a)
        if isinstance(lit, int):
            return (b.prep.H, b.prep.H) if lit else (lo, hi)
        return lo, b.prep.H
    return lo, hi


def server_in_service(b: Builder, server_id: str, k: int) -> int | cp_model.IntVar:
    """``[D_s >= k]`` of a server (lower-bounded like a group literal); for a
    host of a cluster ``[n[C,k-1] >= rank]`` (:func:`solver.model.clusters.host_on`),
    the cluster rule's D, not its guests'."""
    from solver.model.costs import group_literal

    if server_id in b.prep.pooled:
        return host_on(b, server_id, k - 1)

    apps = frozenset(a for a in b.prep.server_set.get(server_id, ()) if present(b, a))
    if not apps:
        return 0
    if len(apps) == 1:
        (a,) = apps
        return ge(b, a, k)
    gi = b.prep.group_index.get(frozenset(b.prep.server_set[server_id]))
    if gi is None:  # pragma: no cover - every server's set is a group
        raise AssertionError(f"server {server_id}: no group")
    return group_literal(b, gi, k)


def add_unit_terms(b: Builder, w: Weights, scale: float, t: _Terms) -> None:
    """``Σ_{c,j} round(scale · w·vec) · over[c,j]`` (see the module docstring).
    Units are counted in hundredths when any is fractional. Rounding error:
    half a scaled unit per unit of ``over`` at its largest."""
    from solver.model.costs import dot

    for ut in b.prep.unit_terms:
        units = [u for _, u in ut.counted] + [ut.min_units]
        f = 1 if all(float(u).is_integer() for u in units) else 100
        per = dot(w, ut.vec) / f
        c = int(round(scale * per))
        terms: list[tuple[int, int | cp_model.IntVar]] = []
        for sid, u in ut.counted:
            terms.append((int(round(u * f)), server_in_service(b, sid, ut.t0 + 1)))
        fixed = sum(n for n, lit in terms if isinstance(lit, int) and lit == 1)
        free = [(n, lit) for n, lit in terms if not isinstance(lit, int)]
        least = int(round(ut.min_units * f))
        top = fixed + sum(n for n, _ in free) - least
        if top <= 0:
            continue
        if c == 0:
            t.active += abs(scale * per) * top
            continue
        if not free:  # decided: the same rounded term as an ``over`` held at its value
            t.constant += c * (fixed - least) / scale
            t.active += abs(c - scale * per) * top
            continue
        over = b.m.new_int_var(0, top, f"units_over_min[contract={ut.contract_id},j={ut.j}]")
        b.m.add(over >= fixed - least + sum(n * lit for n, lit in free))
        t.add(over, c, abs(c - scale * per) * top, f"units={ut.contract_id},j={ut.j}")
