"""Alembic environment of the plan register: run on the connection that
:mod:`estate.register.store` opens (``config.attributes["connection"]``), in
its transaction (which holds the database's write lock)."""

from __future__ import annotations

from alembic import context

from estate.register.store import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
