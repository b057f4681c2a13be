"""The CP-SAT planning model, split by concern.

* :mod:`~solver.model.prep` — exact float tables of every cost and carbon term;
* :mod:`~solver.model.domains` — per-application restrictions and rule names;
* :mod:`~solver.model.variables` — ``x``, ``choose``, ``live``, intervals;
* :mod:`~solver.model.constraints` — one function per constraint family;
* :mod:`~solver.model.costs` — the scaled objective;
* :mod:`~solver.model.build` — assembles a model;
* :mod:`~solver.model.extract` — plan rows and exact totals of a solution;
* :mod:`~solver.model.explain` — conflicts of an infeasible estate.
"""
