"""A PostgreSQL server for the register tests.

``.ci/run`` starts one and exports ``ESTATE_TEST_PG_URL``; without it, the
:func:`pg_admin_url` session fixture starts a throwaway cluster itself when
PostgreSQL's binaries are installed (as the ``postgres`` user when run as
root), and the tests skip, saying so, only when there are none.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ENV = "ESTATE_TEST_PG_URL"


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(os.path.realpath(which)).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A URL of a PostgreSQL database the tests may create databases from."""
    if os.environ.get(ENV):
        yield os.environ[ENV]
        return
    bindir = _bindir()
    if bindir is None:
        pytest.skip(f"no PostgreSQL: {ENV} is not set and no initdb is installed "
                    "(apt-get install postgresql, or run .ci/run)")
    folder = Path(tempfile.mkdtemp(prefix="estate-pg-test-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "estate",
                        "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                        str(folder / "server.log"), "-o",
                        f"-h 127.0.0.1 -p {port} -k {folder}", "start"], check=True,
                       capture_output=True)
    except subprocess.CalledProcessError as e:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {e.stderr.decode()[-500:]}")
    try:
        yield f"postgresql://estate@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(admin_url: str) -> str:
    """A fresh, empty database on the server of ``admin_url``; its URL."""
    import sqlalchemy as sa

    name = "estate_t_" + uuid.uuid4().hex[:12]
    url = sa.engine.make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name
