"""Batches on a real Dask cluster (a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1, started by the test): the front through
``--scheduler`` equals the local one, and a worker killed mid-batch does not
lose the batch."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from dask_processes import dask_processes
from frontier_estates import tradeoff_estate

from estate.cli import main
from estate.cli.batch import JobFailed, SolveJob, run_batch
from estate.cli.pipeline import plan_inputs, resolve_estate
from estate.frontier import read_frontier
from estate.plan import Plan
from inventory.synth import synth_estate
from inventory.writer import write_estate


def _figures(folder: Path) -> list[tuple[str, str, float, float]]:
    front = read_frontier(folder)
    out = []
    for p in front.points:
        assert p.summary.tonnes is not None and p.summary.cost_discounted is not None
        out.append((p.spec.name, p.summary.status, round(p.summary.tonnes, 6),
                    round(p.summary.cost_discounted, 2)))
    return out


def test_a_front_through_the_scheduler_equals_the_local_one(tmp_path: Path) -> None:
    workbook = write_estate(tradeoff_estate(), tmp_path / "tradeoff.xlsx")
    args = ["frontier", str(workbook), "--points", "3", "--time-limit", "5", "--workers", "1",
            "--quiet"]
    runner = CliRunner()
    local = runner.invoke(main, [*args, "--processes", "1", "--out", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    with dask_processes(tmp_path) as cluster:
        remote = runner.invoke(main, [*args, "--scheduler", cluster.address,
                                      "--out", str(tmp_path / "remote")])
        assert remote.exit_code == 0, remote.output
    assert _figures(tmp_path / "remote") == _figures(tmp_path / "local")
    assert _figures(tmp_path / "local") == [("point-1", "optimal", 0.33, 4200.0),
                                            ("point-2", "optimal", 0.11, 4250.0),
                                            ("point-3", "optimal", 0.0, 4350.0)]
    assert read_frontier(tmp_path / "remote").settings["scheduler"] == cluster.address


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    import dask
    from dask_processes import free_port

    workbook = write_estate(tradeoff_estate(), tmp_path / "tradeoff.xlsx")
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        res = CliRunner().invoke(main, ["frontier", str(workbook), "--points", "2", "--quiet",
                                        "--scheduler", f"tcp://127.0.0.1:{free_port()}",
                                        "--out", str(tmp_path / "x")], catch_exceptions=False)
    assert res.exit_code == 1
    assert "cannot reach the Dask scheduler" in res.output


@pytest.mark.slow
def test_a_worker_killed_mid_batch_does_not_lose_the_batch(tmp_path: Path) -> None:
    # 60 synthetic applications: a 4 s solve does not prove optimality, so each
    # task runs for its whole time limit and the kill lands while one runs.
    raw = synth_estate(60, 7, horizon_start="2026-04", horizon_months=36)
    estate = resolve_estate(raw)
    jobs = [SolveJob(f"job-{i}", estate, plan_inputs(raw, None), objective="cost",
                     time_limit=4.0, workers=1, seed=i) for i in range(4)]
    from dask.distributed import Client

    with dask_processes(tmp_path) as cluster, Client(cluster.address) as client:
        killed: list[str] = []

        def kill_one_busy_worker() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not killed:
                busy = [addr for addr, keys in client.processing().items() if keys]
                names = client.scheduler_info()["workers"]
                if busy:
                    name = names[busy[0]]["name"]
                    time.sleep(1.0)  # well into the solve
                    cluster.kill_worker(name)
                    killed.append(name)
                time.sleep(0.05)

        killer = threading.Thread(target=kill_one_busy_worker)
        killer.start()
        results: dict[str, Plan | JobFailed] = {}
        run_batch(client, jobs, lambda j, o: results.__setitem__(j.name, o))
        killer.join()
        survivors = [w["name"] for w in client.scheduler_info()["workers"].values()]
    assert len(killed) == 1 and killed[0] not in survivors and len(survivors) == 1
    assert sorted(results) == [j.name for j in jobs]
    for name, outcome in results.items():
        assert isinstance(outcome, Plan), (name, outcome)
        assert outcome.status in ("optimal", "feasible") and outcome.totals is not None
