"""Links inside an output folder: a folder link (``OUT/point-1``, ``OUT/base``)
must not redirect a batch's writes elsewhere; refused before anything is solved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate import links
from estate.cli import batch, main


@pytest.fixture()
def no_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a: object, **k: object) -> None:
        raise AssertionError("a batch was started although the output folder is bad")

    monkeypatch.setattr(batch, "cluster", refuse)


def _victim(tmp_path: Path) -> tuple[Path, bytes]:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "plan.json").write_text("precious\n")
    return elsewhere, b"precious\n"


def test_links_below_sees_folder_and_file_links(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    elsewhere, _ = _victim(tmp_path)
    os.symlink(elsewhere, out / "b")
    os.symlink(elsewhere / "plan.json", out / "a" / "plan.json")
    assert links.links_below(out, out / "a" / "job.json") == []
    assert [i.file for i in links.links_below(out, out / "b" / "plan.json")] == [str(out / "b")]
    assert [i.file for i in links.links_below(out, out / "a" / "plan.json")] == [
        str(out / "a" / "plan.json")]
    assert links.links_below(out, out / ".." / "x")  # leaving the folder is refused
    # the folder the user named may itself be a link
    os.symlink(out, tmp_path / "named")
    assert links.links_below(tmp_path / "named", tmp_path / "named" / "a" / "job.json") == []


def test_frontier_refuses_a_folder_link_before_solving(tmp_path: Path, no_cluster: None) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere, before = _victim(tmp_path)
    os.symlink(elsewhere, out / "point-1")
    r = CliRunner().invoke(main, ["frontier", "--demo", "--points", "3", "--out", str(out),
                                  "--quiet"])
    assert r.exit_code == 1, r.output
    assert "point-1" in r.output and "symbolic link" in r.output
    assert "Traceback" not in r.output
    assert (elsewhere / "plan.json").read_bytes() == before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["plan.json"]
    assert sorted(p.name for p in out.iterdir()) == ["point-1"]


def test_scenarios_refuse_a_folder_link_before_solving(tmp_path: Path,
                                                       no_cluster: None) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere, before = _victim(tmp_path)
    os.symlink(elsewhere, out / "base")
    toml = tmp_path / "s.toml"
    toml.write_text('[cheap]\ncarbon_price = 10\n')
    r = CliRunner().invoke(main, ["scenarios", "--demo", str(toml), "--out", str(out),
                                  "--quiet"])
    assert r.exit_code == 1, r.output
    assert "base" in r.output and "symbolic link" in r.output
    assert (elsewhere / "plan.json").read_bytes() == before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["plan.json"]


def test_a_link_planted_during_a_batch_is_refused_at_the_write(tmp_path: Path) -> None:
    from estate.cli.studies import Writer
    from estate.errors import EstateError

    out = tmp_path / "out"
    out.mkdir()
    elsewhere, before = _victim(tmp_path)
    w = Writer(out, False, None)
    w.check(["point-1"])
    os.symlink(elsewhere, out / "point-1")  # planted after the check

    class Job:
        name = "point-1"

    class Plan:
        def write(self, path: Path) -> None:
            raise AssertionError("written through a link")

    with pytest.raises(EstateError, match="symbolic link"):
        w.write(Job(), Plan())  # type: ignore[arg-type]
    assert (elsewhere / "plan.json").read_bytes() == before
