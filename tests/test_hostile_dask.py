"""``--scheduler`` that is not a Dask scheduler: a bad address is a usage error;
a loopback port that accepts and says nothing, or sends garbage, is refused with
a clear message within the connect timeout (no hang, no traceback)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.cli import batch, main
from estate.errors import EstateError


def _server(mode: str) -> Iterator[str]:
    """A loopback socket that accepts connections and then says nothing (``silent``)
    or sends garbage (``garbage``); yields its address."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                c, _ = sock.accept()
            except OSError:
                continue
            conns.append(c)
            if mode == "garbage":
                try:
                    c.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + bytes(range(256)) * 64)
                except OSError:
                    pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        t.join(2)
        for c in conns:
            c.close()
        sock.close()


@pytest.fixture(params=["silent", "garbage"])
def fake_scheduler(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _server(request.param)


@pytest.mark.parametrize("address", ["foo://bar", "tcp://host", "tcp://h:99999", "bar",
                                     "tcp://h:1/x"])
def test_a_bad_address_is_a_usage_error(address: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["frontier", "--demo", "--out", str(tmp_path / "o"),
                                  "--scheduler", address])
    assert r.exit_code == 2, r.output
    assert "not a Dask scheduler address" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o").exists()


def test_a_scheduler_that_never_answers_is_refused_in_time(
        fake_scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT", 3.0)
    t = time.perf_counter()
    with pytest.raises(EstateError) as exc, batch.cluster(fake_scheduler):
        raise AssertionError("connected to a fake scheduler")
    assert time.perf_counter() - t < 15
    message = str(exc.value.issues[0])
    assert fake_scheduler in message
    assert "did not answer within 3 s" in message or "cannot reach" in message


def test_the_command_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT", 2.0)
    for address in _server("silent"):
        toml = tmp_path / "s.toml"
        toml.write_text("[cheap]\ncarbon_price = 10\n")
        t = time.perf_counter()
        r = CliRunner().invoke(main, ["scenarios", "--demo", str(toml), "--out",
                                      str(tmp_path / "o"), "--scheduler", address, "--quiet"])
        assert time.perf_counter() - t < 60
        assert r.exit_code == 1, r.output
        # (after another test abandoned a connection, Dask may fail sooner, with a
        # KeyError of its own: still this clear message, still no traceback)
        assert "did not answer within 2 s" in r.output or "cannot reach" in r.output
        assert address in r.output and "Traceback" not in r.output


def test_a_batch_whose_scheduler_stops_answering_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """No task finishing within the stall bound ends the batch with a message."""
    monkeypatch.setattr(batch, "STALL_SLACK", 0.5)

    class Never:
        key = "k"

        def release(self) -> None:  # pragma: no cover - never finishes
            pass

    class Client:
        def submit(self, *a: object, **k: object) -> Never:
            return Never()

    def wait(futures, timeout, return_when):  # type: ignore[no-untyped-def]
        time.sleep(min(timeout, 0.1))
        raise TimeoutError

    import dask.distributed

    monkeypatch.setattr(dask.distributed, "wait", wait)
    from estate.cli.batch import SolveJob
    from tests.estates import sample_estate

    job = SolveJob("a", sample_estate(), {}, time_limit=0.1)
    with pytest.raises(EstateError, match="no solve of the batch finished"):
        batch.run_batch(Client(), [job], lambda j, o: None)
