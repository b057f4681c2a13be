"""Inputs that are not what they claim: devices, FIFOs, links to them, files that
never end, JSON and TOML nested or repeated without bound. Every read goes
through :mod:`estate.reading`: refused with one clear message, never read until
memory runs out, never a hang and never a ``RecursionError``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_files import deep_json, deep_toml, many_objects_json, rvtools_csv

from estate import reading
from estate.cli import main
from estate.errors import EstateError
from inventory.tables import read_tables
from inventory.writer import write_estate
from tests.estates import sample_estate


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_estate(sample_estate(), tmp_path / "estate.xlsx")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "plan.fifo"
    os.mkfifo(path)
    return path


def run(*args: object):
    t = time.perf_counter()
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert time.perf_counter() - t < 20
    assert "Traceback" not in r.output and not isinstance(r.exception, RecursionError | MemoryError)
    return r


def test_open_regular_refuses_devices_fifos_folders(tmp_path: Path, fifo: Path) -> None:
    for path, kind in (("/dev/zero", "a device"), (fifo, r"a pipe \(FIFO\)"),
                       (tmp_path, "a folder")):
        with pytest.raises(EstateError, match=kind):
            reading.read_bounded(path, 1 << 20)
    link = tmp_path / "link.json"
    os.symlink("/dev/zero", link)
    with pytest.raises(EstateError, match="a device"):
        reading.load_json(link)


def test_bytes_actually_read_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2_000_001)
    with pytest.raises(EstateError, match="at most 2,000,000 bytes"):
        reading.read_bounded(path, 2_000_000)
    assert len(reading.read_bounded(path, 2_000_001)) == 2_000_001


def test_check_refuses_dev_zero_and_a_fifo(book: Path, fifo: Path) -> None:
    r = run("check", book, "/dev/zero")
    assert r.exit_code == 1 and "/dev/zero" in r.output and "a device" in r.output
    r = run("check", book, fifo)
    assert r.exit_code == 1 and "FIFO" in r.output
    r = run("check", "/dev/zero", book)
    assert r.exit_code != 0


def test_pins_and_scenarios_refuse_dev_zero(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run("plan", book, "--pins", "/dev/zero", "--out", out, "--time-limit", "5")
    assert r.exit_code == 1 and "a device" in r.output, r.output
    assert not out.exists() or not any(out.iterdir())
    toml = tmp_path / "scenarios.toml"
    os.symlink("/dev/zero", toml)
    r = run("scenarios", book, toml, "--out", out)
    assert r.exit_code == 1 and "a device" in r.output, r.output
    ref = tmp_path / "ref.toml"
    os.symlink("/dev/zero", ref)
    r = run("plan", book, "--reference", ref, "--out", out, "--time-limit", "5")
    assert r.exit_code == 1 and "a device" in r.output, r.output


def test_deep_json_and_toml_are_refused_clearly(book: Path, tmp_path: Path) -> None:
    deep = deep_json(tmp_path / "deep.json")
    r = run("check", book, deep)
    assert r.exit_code == 1 and "more than 32 deep" in r.output, r.output
    shallow_but_too_deep = tmp_path / "d40.json"
    shallow_but_too_deep.write_text('{"status": ' + "[" * 40 + "]" * 40 + "}")
    r = run("check", book, shallow_but_too_deep)
    assert r.exit_code == 1 and "more than 32 deep" in r.output, r.output
    toml = deep_toml(tmp_path / "deep.toml")
    r = run("scenarios", book, toml, "--out", tmp_path / "out")
    assert r.exit_code == 1 and "more than 32 deep" in r.output, r.output


def test_millions_of_empty_objects_are_refused_before_parsing(book: Path,
                                                             tmp_path: Path) -> None:
    many = many_objects_json(tmp_path / "many.json")  # 6 MB: 2.1 million objects
    t = time.perf_counter()
    r = run("check", book, many)
    assert r.exit_code == 1 and "lists and objects" in r.output, r.output
    assert time.perf_counter() - t < 5


def test_csv_sheet_that_is_a_fifo_or_device(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_estate(sample_estate(), folder)
    (folder / "contracts.csv").unlink(missing_ok=True)
    os.mkfifo(folder / "contracts.csv")
    with pytest.raises(EstateError, match="FIFO"):
        read_tables(folder)
    (folder / "contracts.csv").unlink()
    os.symlink("/dev/zero", folder / "contracts.csv")
    with pytest.raises(EstateError, match="a device"):
        read_tables(folder)


@pytest.mark.parametrize("where", ["early", "late"])
def test_a_nul_in_an_rvtools_csv_is_refused_wherever_it_is(tmp_path: Path, where: str) -> None:
    folder = rvtools_csv(tmp_path / "rv", [f"vm{i:05d}" for i in range(3000)])
    csv = next(folder.glob("*.csv"))
    data = csv.read_bytes()
    assert len(data) > 70_000  # past the first 64 KiB
    at = 40 if where == "early" else len(data) - 20
    csv.write_bytes(data[:at] + b"\x00" + data[at:])
    target = tmp_path / "estate.xlsx"
    r = run("import", "rvtools", folder, "--into", target)
    assert r.exit_code == 1 and "a NUL byte on line" in r.output, r.output
    assert not target.exists()
