"""Two writers of one target: imports into one CSV folder (or workbook) and
plans into one folder take turns (a lock per target), and one process's
clean-up never removes another's temporary files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hostile_files import rvtools_csv

from estate import files, locks
from estate.errors import EstateError
from inventory.importers import run_import
from inventory.tables import read_tables


def _servers(target: Path) -> set[str]:
    return {r.cells["server_id"] for r in read_tables(target).sheets["servers"].rows}


def _child(target: Path, source: Path, slow_at: str | None) -> int:
    """Fork a child that imports ``source`` into ``target`` (pausing 1.5 s at the
    checkpoint ``slow_at``, in the middle of its write); return its pid."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if slow_at is not None:
                files.CHECKPOINT = lambda step: time.sleep(1.5) if step == slow_at else None
            run_import("rvtools", source, target)
            code = 0
        except BaseException as exc:  # say why in the parent's output
            os.write(2, f"child {os.getpid()}: {type(exc).__name__}: {exc}\n".encode())
        finally:
            os._exit(code)
    return pid


@pytest.mark.parametrize("target_name", ["book", "book.xlsx"])
def test_concurrent_imports_take_turns(tmp_path: Path, target_name: str) -> None:
    first = rvtools_csv(tmp_path / "rv1", [f"vm{i:04d}" for i in range(300)])
    second = rvtools_csv(tmp_path / "rv2", [f"new{i:04d}" for i in range(300)])
    # what the two imports give one after the other, in either order
    one_two, two_one = tmp_path / f"a-{target_name}", tmp_path / f"b-{target_name}"
    run_import("rvtools", first, one_two)
    run_import("rvtools", second, one_two)
    run_import("rvtools", second, two_one)
    run_import("rvtools", first, two_one)
    expected = [_servers(one_two), _servers(two_one)]
    target = tmp_path / target_name
    slow = "staged servers.csv" if target_name == "book" else None
    a = _child(target, first, slow)
    time.sleep(0.5)  # the second starts while the first is writing
    b = _child(target, second, None)
    for pid in (a, b):
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    assert _servers(target) in expected
    assert not [p.name for p in target.parent.glob(files.TEMP_PREFIX + "*")]


def test_a_second_writer_is_refused_after_waiting(tmp_path: Path) -> None:
    target = tmp_path / "book"
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            with locks.target_lock(target):
                os.write(w, b"x")
                time.sleep(3)
        finally:
            os._exit(0)
    os.read(r, 1)
    t = time.perf_counter()
    with pytest.raises(EstateError, match=f"another estate run \\(process {pid}\\)"), \
            locks.target_lock(target, wait=0.5):
        pass
    assert 0.4 < time.perf_counter() - t < 2.5
    os.waitpid(pid, 0)
    with locks.target_lock(target, wait=0.5):  # free again once its holder has gone
        with locks.target_lock(target, wait=0.5):  # re-entrant in one process
            pass


def test_clean_up_spares_a_live_process_temporary_files(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    mine = folder / f"{files.temp_prefix()}x-servers.csv"
    theirs = folder / f"{files.TEMP_PREFIX}1-y-servers.csv"  # pid 1 is always alive
    gone = folder / f"{files.TEMP_PREFIX}999999999-z-servers.csv"
    for p in (mine, theirs, gone):
        p.write_text("x")
    files.recover_folder(folder)
    assert sorted(p.name for p in folder.iterdir()) == [theirs.name]
