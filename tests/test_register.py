"""The plan register: record, list, find and read plans on SQLite and
PostgreSQL; concurrent writers; migration from the first schema; a corrupt,
foreign or newer database is refused and left as it was."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from estate.errors import EstateError
from estate.plan import AppPlan, ContractPlan, Plan, SitePlan, Totals
from estate.register import Register, open_register
from estate.register.store import HEAD, VERSION_TABLE
from tests.pg_server import new_database, pg_admin_url  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


def small_plan(cost: float = 1000.0, start: str = "2025-05", fp: str = "sha256:aa") -> Plan:
    """Two applications, one contract, one site."""
    t = Totals(cost, cost * 0.9, 1.5, cost * 0.9)
    return Plan("optimal", t.objective, t.objective, 0.0, 0.2, "2025-04", 12,
                applications=(AppPlan("A1", "rehost", "AZ", start, "2025-07"),
                              AppPlan("A2", "retain", "DC1", None, None)),
                contracts=(ContractPlan("C1", "end", 0, "2025-12", "2025-09"),),
                sites=(SitePlan("DC1", "2026-04"),), totals=t,
                assumptions={"objective": {"name": "balanced", "carbon_price": 0.0},
                             "reference_version": "2026.1"},
                inputs={"fingerprint": fp, "workbook": "book.xlsx", "reference": None})


INPUTS = json.dumps({"settings": {"horizon_start": "2025-04"}, "applications": [
    {"app_id": "A1", "current_monthly_cost": 500}, {"app_id": "A2"}]})


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new register location on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "estate.db")
    return new_database(request.getfixturevalue("pg_admin_url"))


def test_record_list_find_and_read_back(where: str) -> None:
    with open_register(where) as reg:
        first = reg.record(small_plan(), INPUTS, name="Cabinet March 2027",
                           settings={"time_limit": 5})
        second = reg.record(small_plan(2000.0, "2025-06"), INPUTS)
        assert second == first + 1
        entries = reg.plans()
        assert [e.plan_id for e in entries] == [first, second]
        assert entries[0].name == "Cabinet March 2027" and entries[0].settings == {"time_limit": 5}
        assert (entries[1].cost, entries[1].status, entries[1].kind) == (2000.0, "optimal", "plan")
        assert reg.find("Cabinet March 2027") == entries[0]
        assert reg.find(f"#{second}") == entries[1] and reg.find("nope") is None
        assert reg.plan(first) == small_plan()
        assert reg.inputs("sha256:aa") == json.loads(INPUTS)
        assert [e.plan_id for e in reg.plans(limit=1)] == [second]
        assert reg.latest() == entries[1]
        with pytest.raises(EstateError, match="already called"):
            reg.name_free("Cabinet March 2027")
        with pytest.raises(EstateError, match="already called"):
            reg.record(small_plan(), INPUTS, name="Cabinet March 2027")
        assert reg.count() == 2  # the refused record left nothing behind


@pytest.mark.parametrize("bad", ["", "12", "#3", "plan.json", "x" * 201, "a\x1bb"])
def test_names_that_cannot_name_a_plan(tmp_path: Path, bad: str) -> None:
    with open_register(tmp_path / "e.db") as reg, pytest.raises(EstateError, match="--name"):
        reg.record(small_plan(), INPUTS, name=bad)


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from tests.test_register import small_plan, INPUTS
    from estate.register import open_register
    reg = open_register(sys.argv[1])
    for i in range({n}):
        reg.record(small_plan(1000.0 + i), INPUTS, name=f"{{sys.argv[2]}} {{i}}")
    reg.close()
""")


def test_concurrent_writers_lose_nothing(where: str) -> None:
    """Two processes open the same *new* register at once (both migrate it) and
    record 15 plans each; all 30 are there, each once, numbered apart."""
    n = 15
    script = WRITER.format(root=str(ROOT), n=n)
    procs = [subprocess.Popen([sys.executable, "-c", script, where, who],
                              stderr=subprocess.PIPE, text=True) for who in ("alice", "bob")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with open_register(where) as reg:
        entries = reg.plans()
    assert len(entries) == 2 * n
    assert len({e.plan_id for e in entries}) == 2 * n
    assert sorted(e.name or "" for e in entries) == sorted(
        f"{who} {i}" for who in ("alice", "bob") for i in range(n))


def test_migration_from_the_first_version(where: str) -> None:
    """A register made by the first schema (0001), holding a plan, is brought
    to the newest on open; the plan reads back with the new columns' defaults."""
    old = Register(where, revision="0001")
    v1 = {"created_at": "2026-01-01T00:00:00+00:00", "workbook": "book.xlsx",
          "fingerprint": "sha256:aa", "status": "optimal", "solve_seconds": 1.0,
          "horizon_start": "2025-04", "horizon_months": 12, "cost": 1000.0,
          "name": "old plan"}
    with old.engine.begin() as conn:
        cols = {c["name"] for c in sa.inspect(conn).get_columns("plans")}
        assert "kind" not in cols  # the first schema
        conn.execute(sa.text("INSERT INTO inputs (fingerprint, data) VALUES ('sha256:aa', :d)"),
                     {"d": b"x"})
        conn.execute(sa.text(
            "INSERT INTO plans (" + ", ".join(v1) + ", plan_json) VALUES ("
            + ", ".join(":" + k for k in v1) + ", :pj)"), {**v1, "pj": b"x"})
        conn.execute(sa.text("INSERT INTO plan_applications (plan_id, app_id, strategy) "
                             "VALUES (1, 'A1', 'retire')"))
    old.close()
    with open_register(where) as reg:
        with reg.engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")
                                ).scalar() == HEAD
        [entry] = reg.plans()
        assert (entry.name, entry.kind, entry.settings, entry.cost) == (
            "old plan", "plan", {}, 1000.0)
        assert reg.record(small_plan(), INPUTS) == 2


def _unchanged(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-journal").exists()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "estate.db"
    path.write_bytes(b"PK\x03\x04 a spreadsheet, saved over the register" * 50)
    before = path.read_bytes()
    with pytest.raises(EstateError, match="not an estate register.*left as it is"):
        open_register(path)
    _unchanged(path, before)


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "estate.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER, amount REAL)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(EstateError, match="another program's SQLite database.*invoices"):
        open_register(path)
    _unchanged(path, before)


def test_a_damaged_register_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "estate.db"
    with open_register(path) as reg:
        for i in range(20):
            reg.record(small_plan(1000.0 + i), INPUTS)
    import sqlite3

    con = sqlite3.connect(path)  # everything into the one file
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    assert not Path(f"{path}-wal").exists()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(EstateError, match="damaged|could not be used"):
        open_register(path)
    _unchanged(path, bytes(data))


def test_a_newer_register_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "estate.db"
    open_register(path).close()
    import sqlite3

    con = sqlite3.connect(path)
    con.execute(f"UPDATE {VERSION_TABLE} SET version_num = '0999'")
    con.commit()
    con.close()
    with pytest.raises(EstateError, match="newer estate"):
        open_register(path)


def test_unknown_url_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(EstateError, match="not a register location"):
        open_register("mysql://x@y/z")
    with pytest.raises(EstateError, match="does not exist"):
        open_register(tmp_path / "no" / "estate.db")
    assert not (tmp_path / "no").exists()


def test_unreachable_postgresql_is_a_clear_error() -> None:
    with pytest.raises(EstateError, match="could not be used"):
        open_register("postgresql://nobody:secret@127.0.0.1:1/none")


def test_diff_says_what_moved_and_why() -> None:
    from dataclasses import replace

    from estate.register.diff import diff_plans

    a = small_plan()
    b = replace(small_plan(1500.0, "2025-06"),
                contracts=(ContractPlan("C1", "keep", 1, "2026-12", None),),
                sites=(SitePlan("DC1", "2026-05"),))
    ia = json.loads(INPUTS)
    ib = json.loads(INPUTS)
    ib["applications"][0]["current_monthly_cost"] = 650
    d = diff_plans(a, b, ia, ib)
    assert [c.text for c in d.applications] == [
        "A1: live 2025-07 -> 2025-07 (start 2025-05 -> 2025-06)"]
    assert d.explanations["A1"] == ["applications A1: current_monthly_cost 500 -> 650"]
    assert d.contracts[0].text.startswith("C1: end (last paid 2025-12, 0 renewals) -> keep")
    assert [c.text for c in d.sites] == ["DC1: exit 2026-04 -> 2026-05"]
    assert "cash cost £1,000 -> £1,500 (+£500)" in d.totals
    # the same inputs: the solver's latitude; unknown inputs: said so
    same = diff_plans(a, b, ia, ia)
    assert same.explanations["A1"][0].startswith("no input touching it changed")
    unknown = diff_plans(a, b, None, ia)
    assert not unknown.inputs_known
    assert unknown.explanations["A1"] == ["inputs unknown (not in the register)"]
    assert diff_plans(a, a, ia, ia).same
