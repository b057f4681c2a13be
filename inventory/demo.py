"""The bundled demo estate: the fictional Borough of Wessexford Council.

A unitary council of about 190,000 residents whose IT is run by the Wessex
Shared Services Partnership: about 300 applications, 700-odd servers in the
Civic Centre data centre (``DC1``, to be exited 36 months into the plan) and
the depot DR server room (``DC2``), two cloud regions and a partner colo, 120
ICT contracts, three teams and a one-off budget for each financial year of a
48-month horizon from the next April (the first month of the next financial
year, so the demo never plans months that have passed). It is a fixed call of
:func:`inventory.synth.synth_estate`: the same estate every time, moved to
that April.
"""

from __future__ import annotations

from dataclasses import replace

from estate.model import Estate
from estate.months import next_april
from inventory.synth import synth_estate

COUNCIL = "Borough of Wessexford Council"
STRATEGY = ("Digital, Data and Technology Strategy 2024–28: cloud first where feasible and "
            "economic, exit the on-premises data centre, cut CO2, keep services running")
DEMO_APPS = 300
DEMO_SEED = 2026
DEMO_MONTHS = 48


def demo_start() -> str:
    """The demo's ``horizon_start``: the first April after today
    (:func:`estate.months.next_april`; ``ESTATE_TODAY`` fixes today)."""
    return next_april()


def demo_estate() -> Estate:
    """The demo estate (always the same).

    Returns
    -------
    Estate
        A raw estate of :data:`DEMO_APPS` applications over 48 months from
        :func:`demo_start`; ``source`` and the ``organisation`` setting name
        the council, ``strategy`` its digital strategy.
    """
    e = synth_estate(DEMO_APPS, DEMO_SEED, horizon_start=demo_start(),
                     horizon_months=DEMO_MONTHS)
    settings = replace(e.settings, organisation=COUNCIL, strategy=STRATEGY)
    return replace(e, settings=settings, source=f"{COUNCIL} (demo estate)")
