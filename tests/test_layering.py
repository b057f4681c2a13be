"""Imports flow one way, layer by layer, with no exemption:

``estate`` (domain) <- ``inventory`` <- ... ; ``solver`` uses only ``estate``
and ortools; ``reports`` reads ``estate`` objects and ``solver.result``; the
CLI (``estate.cli``) is the top layer: it may import every package, and no
other module may import it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("estate", "inventory", "solver", "reports")
TOP = "estate.cli"
ENTRY = "estate.__main__"  # ``python -m estate``: part of the top layer

# layer (module prefix) -> (modules of ours it may import, third-party modules it must not)
# The most specific prefix decides a module's layer.
LAYERS: dict[str, tuple[set[str], set[str]]] = {
    "estate": (set(), {"pandas", "openpyxl", "ortools", "networkx", "click", "plotly",
                       "jinja2", "rich", "dask", "distributed", "sqlalchemy", "alembic",
                       "psycopg"}),
    # the plan register: the domain layer's only database code
    "estate.register": ({"estate"}, {"pandas", "openpyxl", "ortools", "networkx", "click",
                                "plotly", "jinja2", "rich", "dask", "distributed"}),
    "inventory": ({"estate"}, {"ortools", "click", "plotly", "jinja2", "dask"}),
    "solver": ({"estate"}, {"pandas", "openpyxl", "click", "networkx", "plotly", "jinja2",
                            "rich", "sqlalchemy", "alembic", "psycopg"}),
    "reports": ({"estate", "solver.result"}, {"ortools", "click", "dask", "sqlalchemy",
                                              "alembic", "psycopg"}),
    TOP: (set(PACKAGES), set()),
    ENTRY: (set(PACKAGES), set()),
}


def module_name(path: Path, root: Path = ROOT) -> str:
    """Dotted module name of a source file under ``root``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """The layer a module belongs to (the longest matching prefix)."""
    best = None
    for prefix in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best):
                best = prefix
    return best


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path = ROOT) -> list[str]:
    """Every import that breaks the layering, as ``file imports name``."""
    bad = []
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            mod = module_name(path, root)
            layer = layer_of(mod)
            assert layer is not None, mod
            allowed, banned = LAYERS[layer]
            for name in sorted(_imports(path)):
                top = name.split(".")[0]
                if _within(name, TOP) and layer not in (TOP, ENTRY):
                    bad.append(f"{mod} imports {name} (the CLI is the top layer)")
                elif top in PACKAGES and not _within(name, layer):
                    if not any(_within(name, a) for a in allowed):
                        bad.append(f"{mod} imports {name}")
                if top in banned:
                    bad.append(f"{mod} imports {name}")
    return bad


def test_imports_flow_one_way() -> None:
    bad = violations()
    assert not bad, "\n".join(bad)


def test_every_module_has_a_layer() -> None:
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            assert layer_of(module_name(path)) is not None


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for pkg in PACKAGES:
        (tmp_path / pkg).mkdir(parents=True, exist_ok=True)
        (tmp_path / pkg / "__init__.py").write_text("")
    for rel, text in files.items():
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    return tmp_path


def test_a_wrong_import_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "solver/x.py": "import pandas\nfrom inventory.tables import read_tables\n",
        "estate/model2.py": "from solver.result import Result\n",
        "reports/y.py": "from estate.cli.common import user_errors\n",
        "inventory/z.py": "from estate.model import Estate\n",  # allowed
        "estate/cli/w.py": "from solver.solve import solve\nimport click\n",  # allowed: top
    })
    bad = violations(root)
    assert sorted(bad) == [
        "estate.model2 imports solver.result",
        "reports.y imports estate.cli.common (the CLI is the top layer)",
        "solver.x imports inventory.tables",
        "solver.x imports pandas",
    ]


# -- one rule, one home ----------------------------------------------------------
# Each planning rule is derived in exactly one module (its home); everything else
# calls it. A detector recognises code that derives the rule again; a module it
# flags must be the home or named below with the reason it is not a derivation.
def _mentions_together_and_groups(tree: ast.Module, text: str) -> bool:
    """Unions ``together`` links into groups: a union-find, connected
    components or a partner map, in a module that reads ``together`` links."""
    if '"together"' not in text:
        return False
    union_find = "parent[" in text and "find(" in text
    return union_find or bool(re.search(r"connected_components|partners\.setdefault", text))


def _defines_tolerance(tree: ast.Module, text: str) -> bool:
    """Defines a load tolerance (``EPS = …``, or ``load > limit + 1e-6 * max(1.0, …)``)."""
    return bool(re.search(r"^\s*_?EPS\s*=|>\s*[\w.]+\s*\+\s*(EPS|1e-6)\s*\*\s*max\(1\.0",
                          text, re.M))


def _accumulates_team_days(tree: ast.Module, text: str) -> bool:
    """Adds effort up month by month (``… += days`` over ``effort.items()``)."""
    return bool(re.search(r"for \w+, \w+ in [\w.]*effort\.items\(\):\s*\n"
                          r"(\s*if [^\n]*\n)?\s*[^\n=]+\+=", text))


def _hours_a_month(tree: ast.Module, text: str) -> bool:
    """The number 730 (hours a month) in code, not in text."""
    return any(isinstance(n, ast.Constant) and not isinstance(n.value, bool)
               and isinstance(n.value, int | float) and n.value == 730
               for n in ast.walk(tree))


def _carbon_price_from_series(tree: ast.Module, text: str) -> bool:
    """Reads a year's carbon value out of a ``carbon_price.<series>`` series."""
    return bool(re.search(r"series\(f?[\"']carbon_price", text))


def _contract_terms(tree: ast.Module, text: str) -> bool:
    """Works out a contract's renewal months or notice month itself
    (``m + j * T``, ``end + 1 - n``) instead of calling :mod:`estate.contracts`."""
    return bool(re.search(r"\bm \+ (1 \+ )?\(?[jk]( - 1\))? \* T\b|\+ 1 - n\b", text))


RULE_HOMES: dict[str, tuple[object, set[str], dict[str, str]]] = {
    # rule: (detector, homes, other modules the detector flags -> why they may)
    "together groups": (_mentions_together_and_groups, {"estate.derive"}, {}),
    "load tolerance": (_defines_tolerance, {"estate.limits"}, {}),
    "team loads": (_accumulates_team_days, {"estate.limits"}, {
        "inventory.synth": "sizes teams for synthetic estates before any plan exists",
    }),
    "hours a month": (_hours_a_month, {"estate.settings"}, {}),
    "carbon price from a series": (_carbon_price_from_series, {"estate.resolve"}, {}),
    "contract renewals and notice": (_contract_terms, {"estate.contracts"}, {}),
}


def rule_copies(root: Path = ROOT) -> list[str]:
    """Every module that derives a rule of :data:`RULE_HOMES` outside its home."""
    bad = []
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
            mod = module_name(path, root)
            for rule, (detect, homes, excused) in RULE_HOMES.items():
                if mod not in homes and mod not in excused and detect(tree, text):  # type: ignore[operator]
                    bad.append(f"{mod} derives {rule} (its home: {', '.join(sorted(homes))})")
    return bad


def test_every_rule_has_one_home() -> None:
    bad = rule_copies()
    assert not bad, "\n".join(bad)


def test_every_home_holds_its_rule() -> None:
    # the detectors still recognise the real derivation in its home
    for rule, (detect, homes, excused) in RULE_HOMES.items():
        for mod in homes | set(excused):
            path = ROOT / (mod.replace(".", "/") + ".py")
            text = path.read_text(encoding="utf-8")
            assert detect(ast.parse(text), text), (rule, mod)  # type: ignore[operator]


def test_a_rule_derived_twice_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "solver/lns2.py": (
            "def units(deps, apps):\n"
            "    parent = {a: a for a in apps}\n"
            "    def find(a):\n"
            "        return a if parent[a] == a else find(parent[a])\n"
            "    for d in deps:\n"
            "        if d.kind == \"together\":\n"
            "            parent[find(d.from_id)] = find(d.to_id)\n"),
        "solver/rules2.py": "EPS = 1e-6\n",
        "reports/loads.py": ("def f(opt, load, t):\n"
                             "    for team, days in opt.effort.items():\n"
                             "        load[team][t] += days\n"),
        "estate/staying2.py": "HOURS = 730.0\nTEXT = 'about 730 hours'\n",
        "estate/frontier2.py": "def v(ref, n):\n    return ref.series(f\"carbon_price.{n}\")\n",
        "reports/renewals2.py": "def notice(end, n):\n    return end + 1 - n\n",
    })
    assert sorted(rule_copies(root)) == [
        "estate.frontier2 derives carbon price from a series (its home: estate.resolve)",
        "estate.staying2 derives hours a month (its home: estate.settings)",
        "reports.loads derives team loads (its home: estate.limits)",
        "reports.renewals2 derives contract renewals and notice (its home: estate.contracts)",
        "solver.lns2 derives together groups (its home: estate.derive)",
        "solver.rules2 derives load tolerance (its home: estate.limits)",
    ]
