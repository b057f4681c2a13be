"""Random scenario files and random plan.json mutations, fed to ``scenarios``,
``check`` and ``report``: never a traceback, and no change to any figure of a
plan ever passes ``check`` (hypothesis; about 30-60 s in all)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate.cli import batch, main, pipeline
from estate.cli.pipeline import plan_estate
from estate.errors import EstateError
from estate.scenario import KEYS
from inventory.load import load_estate
from inventory.writer import write_estate
from tests.estates import sample_estate

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[list]]:
    """A workbook, its plan.json (as parsed) and the path of every number in it."""
    folder = tmp_path_factory.mktemp("fuzz")
    book = write_estate(sample_estate(), folder / "estate.xlsx")
    plan = plan_estate(load_estate(book), time_limit=10, workers=1).result.plan
    data = json.loads(plan.to_json())
    paths: list[list] = []

    def walk(d: Any, p: list) -> None:
        if isinstance(d, dict):
            for k, v in d.items():
                walk(v, [*p, k])
        elif isinstance(d, list):
            for i, v in enumerate(d):
                walk(v, [*p, i])
        elif isinstance(d, int | float) and not isinstance(d, bool):
            paths.append(p)

    walk(data, [])
    return book, data, [p for p in paths if p != ["solve_seconds"]]


def _set(data: Any, path: list, value: Any) -> Any:
    out = copy.deepcopy(data)
    d = out
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value
    return out


def _run(*args: object):  # type: ignore[no-untyped-def]
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), (
        f"{type(r.exception).__name__}: {r.exception}\n{r.output}")
    assert "Traceback" not in r.output
    return r


# -- figures -------------------------------------------------------------------------
@FUZZ
@given(index=st.integers(min_value=0), change=st.sampled_from(
    ["+penny", "-penny", "+1", "-1", "x1.5", "neg", "huge", "tiny", "int+1"]))
def test_no_change_to_a_figure_passes_check(made, tmp_path_factory, index: int,
                                            change: str) -> None:
    book, data, paths = made
    path = paths[index % len(paths)]
    d = data
    for k in path:
        d = d[k]
    old = float(d)
    new: float = {"+penny": old + 0.02, "-penny": old - 0.02, "+1": old + 1.0,
                  "-1": old - 1.0, "x1.5": old * 1.5 + 0.02, "neg": -old - 0.02,
                  "huge": 1e15, "tiny": 1e-9 if old else 0.5, "int+1": int(old) + 1}[change]
    if math.isclose(new, old, abs_tol=0.011):
        return
    file = tmp_path_factory.mktemp("m") / "plan.json"
    file.write_text(json.dumps(_set(data, path, new)))
    try:
        _, report, _ = pipeline.check(book, file, time_limit=5, workers=1)
    except EstateError:
        return  # refused as a plan.json: it does not pass either
    assert not report.ok, (path, old, new)


# -- structure: check and report never trace back ---------------------------------------
_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                     | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_plan_mutations_give_messages(made, tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    book, plan, paths = made
    keys = sorted(plan)
    how = data.draw(st.sampled_from(["drop", "replace", "number-to-text", "top"]))
    if how == "drop":
        mutated = copy.deepcopy(plan)
        mutated.pop(data.draw(st.sampled_from(keys)))
    elif how == "replace":
        mutated = _set(plan, [data.draw(st.sampled_from(keys))], data.draw(_json))
    elif how == "number-to-text":
        path = paths[data.draw(st.integers(min_value=0)) % len(paths)]
        mutated = _set(plan, path, data.draw(st.text(max_size=5) | st.none()))
    else:
        mutated = data.draw(_json)
    folder = tmp_path_factory.mktemp("p")
    file = folder / "plan.json"
    file.write_text(json.dumps(mutated))
    r = _run("check", book, file, "--time-limit", "5", "--workers", "1")
    assert r.exit_code in (0, 1)
    if r.exit_code == 0:  # only a harmless change can pass (e.g. a dropped note)
        assert how in ("drop", "replace")
    r = _run("report", book, file, "--out", folder / "out", "--no-pdf")
    assert r.exit_code in (0, 1)


# -- scenario files ------------------------------------------------------------------------
_KEY = st.sampled_from([k.rstrip(".") + (".migration" if k.endswith(".") else "")
                        for k in KEYS]) | st.text(min_size=1, max_size=12)
_VALUE = (st.integers(min_value=-10**20, max_value=10**20) | st.floats()
          | st.text(max_size=20) | st.booleans()
          | st.lists(st.text(max_size=6) | st.integers(), max_size=3))


def _toml_key(k: str) -> str:
    return json.dumps(k)  # a basic string: JSON's escapes are TOML's


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(v)


_SCENARIOS = st.dictionaries(st.text(min_size=1, max_size=10),
                             st.dictionaries(_KEY, _VALUE, max_size=4), max_size=4)


@FUZZ
@given(scenarios=_SCENARIOS, raw_text=st.none() | st.text(max_size=60))
def test_random_scenario_files_give_messages(made, tmp_path_factory, scenarios,
                                             raw_text) -> None:  # type: ignore[no-untyped-def]
    book, _, _ = made
    if raw_text is not None:
        text = raw_text
    else:
        text = "".join(f"[{_toml_key(name)}]\n" + "".join(
            f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in body.items())
            for name, body in scenarios.items())
    folder = tmp_path_factory.mktemp("s")
    file = folder / "s.toml"
    file.write_text(text, encoding="utf-8", errors="surrogatepass")

    class Stop(EstateError):
        pass

    def no_cluster(*a: object, **k: object) -> Any:
        raise Stop([])  # every scenario checked: the batch would start here

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "cluster", no_cluster)
        r = _run("scenarios", book, file, "--out", folder / "out", "--quiet")
    assert r.exit_code == 1
    assert "\x1b" not in r.output and "\x00" not in r.output
