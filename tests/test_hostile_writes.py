"""Writes that respect the file that is there: modes, read-only files, symbolic links,
planted links in an output folder, all-or-nothing report sets, and CSV-folder
imports killed at every step (simulated with ``os._exit`` in a forked child, so
no clean-up code runs, as with ``kill -9``)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_files import rvtools_csv
from load_books import base_sheets, write_book

from estate import files
from estate.cli import main
from estate.errors import EstateError, WriteError
from inventory.importers import run_import
from inventory.tables import read_tables


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


@pytest.fixture()
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture()
def estate_xlsx(tmp_path: Path) -> Path:
    """A workbook made by an import (so re-imports merge into it)."""
    target = tmp_path / "estate.xlsx"
    run_import("rvtools", rvtools_csv(tmp_path / "rv1", ["web01", "db01"]), target)
    return target


# -- modes, read-only, links: the estate workbook -------------------------------

def test_import_keeps_the_workbook_mode(tmp_path: Path, estate_xlsx: Path) -> None:
    estate_xlsx.chmod(0o664)
    r = invoke("import", "rvtools", str(rvtools_csv(tmp_path / "rv2", ["app01"])),
               "--into", str(estate_xlsx))
    assert r.exit_code == 0, r.output
    assert mode(estate_xlsx) == 0o664
    assert "APP01" in {row.cells["server_id"]
                       for row in read_tables(estate_xlsx).sheets["servers"].rows}


def test_import_refuses_a_read_only_workbook(tmp_path: Path, estate_xlsx: Path) -> None:
    before = estate_xlsx.read_bytes()
    estate_xlsx.chmod(0o444)
    r = invoke("import", "rvtools", str(rvtools_csv(tmp_path / "rv2", ["app01"])),
               "--into", str(estate_xlsx))
    assert r.exit_code == 1 and "read-only" in r.output and "Traceback" not in r.output
    assert estate_xlsx.read_bytes() == before and mode(estate_xlsx) == 0o444
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_import_refuses_a_link_unless_asked(tmp_path: Path, estate_xlsx: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(estate_xlsx)
    before = estate_xlsx.read_bytes()
    source = str(rvtools_csv(tmp_path / "rv2", ["app01"]))
    r = invoke("import", "rvtools", source, "--into", str(link))
    assert r.exit_code == 1 and "symbolic link" in r.output
    assert link.is_symlink() and estate_xlsx.read_bytes() == before
    r = invoke("import", "rvtools", source, "--into", str(link), "--follow-symlinks")
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and estate_xlsx.read_bytes() != before  # written through


def test_new_files_honour_the_umask(tmp_path: Path, umask_027: None) -> None:
    made = {
        "demo": (tmp_path / "demo.xlsx", ["demo", "--out", str(tmp_path / "demo.xlsx")]),
        "synth": (tmp_path / "s.xlsx", ["synth", "--apps", "5", "--out",
                                        str(tmp_path / "s.xlsx")]),
        "import": (tmp_path / "i.xlsx", ["import", "rvtools",
                                         str(rvtools_csv(tmp_path / "rv", ["a1"])),
                                         "--into", str(tmp_path / "i.xlsx")]),
        "template": (tmp_path / "t.xlsx", ["template", "--out", str(tmp_path / "t.xlsx")]),
        "graph": (tmp_path / "g.graphml", ["graph", str(tmp_path / "s.xlsx"), "--out",
                                           str(tmp_path / "g.graphml")]),
    }
    for name, (path, args) in made.items():
        r = invoke(*args)
        assert r.exit_code == 0, (name, r.output)
        assert mode(path) == 0o640, name


def test_csv_folder_sheets_keep_their_modes(tmp_path: Path) -> None:
    folder = tmp_path / "est"
    run_import("rvtools", rvtools_csv(tmp_path / "rv1", ["web01"]), folder)
    (folder / "servers.csv").chmod(0o664)
    (folder / "notes.txt").write_text("mine")
    run_import("rvtools", rvtools_csv(tmp_path / "rv2", ["db01"]), folder)
    assert mode(folder / "servers.csv") == 0o664
    assert (folder / "notes.txt").read_text() == "mine"


def test_demo_into_a_folder_removes_a_stale_pins_sheet(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "pins.csv").write_text("app_id,strategy\nA1,retire\n")
    assert invoke("demo", "--out", str(folder)).exit_code == 0
    assert not (folder / "pins.csv").exists() and (folder / "applications.csv").exists()


# -- plan.json and the reports ----------------------------------------------------

@pytest.fixture()
def no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    from estate.cli import pipeline

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("the output folder must be checked before solving")

    monkeypatch.setattr(pipeline, "plan_estate", boom)


def test_plan_refuses_a_planted_link_before_solving(tmp_path: Path, no_solve: None) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").symlink_to(victim)
    r = invoke("plan", str(write_book(base_sheets(), tmp_path / "e.xlsx")), "--out", str(out),
               "--quiet")
    assert r.exit_code == 1 and "symbolic link" in r.output, r.output
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("make", ["file", "read-only"])
def test_plan_checks_the_output_folder_before_solving(tmp_path: Path, no_solve: None,
                                                      make: str) -> None:
    out = tmp_path / "out"
    code = 1
    if make == "file":
        out.write_text("not a folder")
        fragment, code = "is a file", 2  # click's own check of --out (a usage error)
    else:
        out.mkdir()
        (out / "roadmap.html").write_text("old")
        (out / "roadmap.html").chmod(0o444)
        fragment = "read-only"
    r = invoke("plan", str(write_book(base_sheets(), tmp_path / "e.xlsx")), "--out", str(out),
               "--quiet")
    assert r.exit_code == code and fragment in r.output and "Traceback" not in r.output, r.output


def test_a_failing_report_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_report_helpers import small_estate, small_result

    import reports.roadmap
    from reports import write_outputs

    def full_disk(*_a: object, **_k: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reports.roadmap, "render", full_disk)
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("old plan")
    with pytest.raises(WriteError) as exc:
        write_outputs(small_estate(), small_result(), out, pdf=False)
    message = str(exc.value)
    assert "roadmap.html" in message and "No space left on device" in message
    assert "nothing was written" in message and "plan.json" in message
    assert sorted(p.name for p in out.iterdir()) == ["plan.json"]  # no temporary left
    assert (out / "plan.json").read_text() == "old plan"


def test_plan_json_keeps_its_mode_and_refuses_links(tmp_path: Path) -> None:
    from test_report_helpers import small_plan

    path = tmp_path / "plan.json"
    path.write_text("{}")
    path.chmod(0o664)
    small_plan().write(path)
    assert mode(path) == 0o664 and '"status"' in path.read_text()
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with pytest.raises(EstateError, match="symbolic link"):
        small_plan().write(link)


# -- a CSV-folder import killed at every step ----------------------------------------

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def _killed_at(label: str, folder: Path, source: Path) -> None:
    """Run the import in a forked child that dies (no clean-up) at ``label``."""
    pid = os.fork()
    if pid == 0:  # the child
        def die(step: str) -> None:
            if step == label:
                os._exit(137)
        try:
            files.CHECKPOINT = die
            run_import("rvtools", source, folder)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 137, f"the child did not reach {label!r}"


def test_csv_folder_import_killed_at_every_sheet_boundary(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    first = rvtools_csv(tmp_path / "rv1", [f"vm{i:03d}" for i in range(30)])
    second = rvtools_csv(tmp_path / "rv2", [f"new{i:03d}" for i in range(40)])
    original = tmp_path / "original"
    run_import("rvtools", first, original)
    before = _snapshot(original)
    steps: list[str] = []
    done = tmp_path / "done"
    run_import("rvtools", first, done)
    monkeypatch.setattr(files, "CHECKPOINT", steps.append)
    run_import("rvtools", second, done)
    after = _snapshot(done)
    monkeypatch.setattr(files, "CHECKPOINT", None)
    staged = [s for s in steps if s.startswith("staged")]
    assert len(staged) == 4 and "committed" in steps  # settings, sites, applications, servers
    for label in steps:
        folder = tmp_path / f"run-{label.replace(' ', '-')}"
        run_import("rvtools", first, folder)
        _killed_at(label, folder, second)
        if label.startswith("staged"):
            # killed while writing the new sheets: the old workbook is intact
            assert _snapshot(folder) == before, label
            assert read_tables(folder).sheets["servers"].rows[0].cells["server_id"] == "VM000"
        else:
            # killed after the commit point: the next reader completes the change
            read_tables(folder)
            assert _snapshot(folder) == after, label
            assert not files.interrupted(folder)
        run_import("rvtools", second, folder)  # the rerun finishes the job and tidies up
        assert _snapshot(folder) == after, label
        assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], label


def test_frontier_on_a_full_disk_says_what_it_wrote(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills after the first plan: the message lists exactly the files
    that exist (kept for --resume), never "nothing was written"."""
    import errno

    from frontier_estates import tradeoff_estate

    from inventory.writer import write_estate

    workbook = write_estate(tradeoff_estate(), tmp_path / "tradeoff.xlsx")
    real = files._stage
    calls = {"n": 0}

    def full(target: Path, mode: int, write):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 2:  # the first plan.json and job.json fit; then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(target, mode, write)

    monkeypatch.setattr(files, "_stage", full)
    out = tmp_path / "front"
    r = invoke("frontier", str(workbook), "--points", "3", "--time-limit", "5", "--workers",
               "1", "--processes", "1", "--quiet", "--out", str(out))
    assert r.exit_code == 1, r.output
    assert "nothing was written" not in r.output
    assert "No space left on device" in r.output and "2 files had been written" in r.output
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert len(on_disk) == 2 and all(name in r.output for name in on_disk), (on_disk, r.output)
