"""estate: plan an organisation's IT estate with OR-Tools CP-SAT.

The ``estate`` package holds the domain model (standard library only) and the
command-line interface, which is the one place that ties ``inventory``,
``solver`` and ``reports`` together.
"""

__version__ = "0.1.0"
