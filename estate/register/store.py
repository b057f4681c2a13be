"""Opening a plan register: SQLite file or PostgreSQL URL, checks, migrations.

A register is a database holding every plan made (see
:mod:`estate.register.register`). This module turns what the user typed
(``--db``) into a SQLAlchemy engine, refuses a file or database that is not a
register (a corrupt file, another program's database, a newer register) with
a clear message *before* writing anything to it, and brings a register made by
an earlier version of ``estate`` up to date (Alembic migrations shipped in
``estate/register/migrations``) under the database's write lock, so that two
processes opening a new register at once create it once.

SQLite registers run in WAL mode with a busy timeout, every transaction
``BEGIN IMMEDIATE`` (writers queue instead of failing half-way).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url

from estate.errors import EstateError, Issue

#: Alembic's version table; named for us, so a shared PostgreSQL database can
#: hold other programs' tables (and their ``alembic_version``) beside ours.
VERSION_TABLE = "estate_register_version"
#: The newest schema revision this version of estate knows, and every one.
HEAD = "0002"
REVISIONS = ("0001", "0002")
#: Tables of a register (a database holding them without our version table
#: belongs to something else).
TABLES = ("inputs", "plans", "plan_applications", "plan_contracts", "plan_sites")
#: Seconds a SQLite writer waits for another's lock before retrying.
BUSY_SECONDS = 30
#: Key of the PostgreSQL advisory lock taken while migrating.
PG_LOCK = 22_0_2026
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"

T = TypeVar("T")


def engine_url(location: str | Path) -> tuple[sa.URL, Path | None]:
    """The SQLAlchemy URL of ``location`` and, for SQLite, the file's path.

    ``postgresql://`` (and ``postgres://``) URLs use the psycopg 3 driver;
    anything else without ``://`` is the path of a SQLite file.

    Raises
    ------
    EstateError
        For another kind of URL.
    """
    text = str(location)
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        return sa.URL.create("sqlite", database=str(path)), path
    scheme, rest = text.split("://", 1)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return make_url("postgresql+psycopg://" + rest), None
    if scheme == "sqlite" and rest.startswith("/"):
        path = Path(rest[1:]).expanduser().resolve()
        return sa.URL.create("sqlite", database=str(path)), path
    raise EstateError(Issue(shown(text), "is not a register location: give a file path "
                            "(an SQLite file such as estate.db) or a postgresql:// URL"))


def shown(location: str | Path) -> str:
    """``location`` for messages, without any password."""
    text = str(location)
    if "://" in text and "@" in text:
        try:
            return make_url(text).render_as_string(hide_password=True)
        except exc.ArgumentError:
            return text.split("://", 1)[0] + "://…"
    return text


def _sqlite_tables(path: Path) -> tuple[set[str], str | None]:
    """Tables and our schema revision of an existing SQLite file, read-only."""
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = None
        if VERSION_TABLE in tables:
            row = con.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
            version = row[0] if row else None
        return tables, version
    finally:
        con.close()


def check_sqlite_file(path: Path) -> None:
    """Refuse, without touching it, a file that is not a register of ours.

    A missing or empty file is fine (a new register is made). The folder must
    exist.

    Raises
    ------
    EstateError
        Naming the file and what it is.
    """
    where = str(path)
    fix = "it was left as it is; give another file with --db"
    if path.is_dir():
        raise EstateError(Issue(where, f"is a folder, not a register file; {fix}"))
    if not path.parent.is_dir():
        raise EstateError(Issue(where, f"its folder {path.parent} does not exist"))
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise EstateError(Issue(where, f"cannot be read ({e.strerror}); {fix}")) from e
    if head != SQLITE_HEADER:
        raise EstateError(Issue(where, f"is not an estate register (not an SQLite "
                                       f"database); {fix}"))
    try:
        tables, version = _sqlite_tables(path)
    except sqlite3.DatabaseError as e:
        raise EstateError(Issue(where, f"is a damaged SQLite database ({e}); {fix}, or "
                                       "restore it from a backup")) from e
    if tables and VERSION_TABLE not in tables:
        some = ", ".join(sorted(tables)[:5])
        raise EstateError(Issue(where, f"is another program's SQLite database (tables "
                                       f"{some}), not an estate register; {fix}"))
    _check_revision(where, version)


def _check_revision(where: str, version: str | None) -> None:
    if version is not None and version not in REVISIONS:
        raise EstateError(Issue(where, f"is a register of a newer estate (schema "
                                       f"{version}; this estate knows up to {HEAD}); "
                                       "upgrade estate to use it; it was left as it is"))


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def database_error(where: str, e: Exception) -> EstateError:
    """A register's database error as a user error (nothing was changed)."""
    detail = str(getattr(e, "orig", None) or e).strip().splitlines()[0][:300]
    return EstateError(Issue(where, f"the register could not be used: {detail}; nothing "
                                    "was changed in it"))


def retry(fn: Callable[[], T], where: str, attempts: int = 8) -> T:
    """``fn()``, again after a short wait while another writer holds the
    database (SQLite ``database is locked``, PostgreSQL serialization or
    deadlock); an integrity error is raised as it is; other database errors
    become :class:`EstateError`."""
    for k in range(attempts):
        try:
            return fn()
        except exc.OperationalError as e:
            text = str(e.orig).lower()
            transient = ("locked" in text or "busy" in text or "deadlock" in text
                         or "serializ" in text)
            if not transient or k == attempts - 1:
                raise database_error(where, e) from e
            time.sleep(min(2.0, 0.05 * 2 ** k))
        except exc.IntegrityError:
            raise  # the caller says which rule the row broke
        except exc.DBAPIError as e:
            raise database_error(where, e) from e
    raise AssertionError("unreachable")


def alembic_config(connection: sa.Connection) -> Any:
    """An Alembic configuration running the shipped migrations on ``connection``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, where: str, revision: str = "head") -> None:
    """Bring the register to ``revision`` (default the newest), under the
    database's write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL an advisory
    lock): of two processes opening a new register at once, one creates it and
    the other finds it made."""

    def run() -> None:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK})
            names = set(sa.inspect(conn).get_table_names())
            current = None
            if VERSION_TABLE in names:
                current = conn.execute(
                    sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            elif names & set(TABLES):
                raise EstateError(Issue(where, "holds tables named like a register's ("
                                        + ", ".join(sorted(names & set(TABLES)))
                                        + ") but is not one; give another --db"))
            _check_revision(where, current)
            target = HEAD if revision == "head" else revision
            if current == target:
                return
            from alembic import command

            command.upgrade(alembic_config(conn), revision)

    retry(run, where)


def open_engine(location: str | Path, *, revision: str = "head") -> tuple[Engine, str]:
    """An engine on a checked, up-to-date register, and its name for messages.

    Raises
    ------
    EstateError
        When ``location`` is not a register (or cannot be reached); nothing
        is written to it then.
    """
    url, path = engine_url(location)
    where = shown(location)
    if path is not None:
        check_sqlite_file(path)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        _sqlite_events(engine)
    else:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool,
                                  connect_args={"connect_timeout": 10})
    try:
        migrate(engine, where, revision)
    except BaseException:
        engine.dispose()
        raise
    return engine, where
