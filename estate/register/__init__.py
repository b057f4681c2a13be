"""The plan register: every plan made, kept in a database (SQLite beside the
workbook by default, or a shared PostgreSQL), with what it was made from.

See ``docs/register.md``. This package uses SQLAlchemy and Alembic; the
solver and the reports never import it (they get plain objects).
"""

from estate.register.register import (
    DEFAULT_NAME,
    PlanEntry,
    Register,
    check_name,
    default_location,
    open_register,
)

__all__ = ["DEFAULT_NAME", "PlanEntry", "Register", "check_name", "default_location",
           "open_register"]
