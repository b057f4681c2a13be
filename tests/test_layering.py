"""Imports flow one way: estate <- inventory <- ... ; solver uses only estate + ortools."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"estate", "inventory", "solver", "reports"}

# package -> (our packages it may import, third-party modules it must not import)
RULES = {
    "estate": (set(), {"pandas", "openpyxl", "ortools", "networkx", "click", "plotly"}),
    "inventory": ({"estate"}, {"ortools", "click"}),
    "solver": ({"estate"}, {"pandas", "openpyxl", "click", "networkx", "plotly", "jinja2"}),
    "reports": ({"estate", "solver.result"}, {"ortools", "click"}),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_imports_flow_one_way() -> None:
    bad = []
    for pkg, (allowed, banned) in RULES.items():
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if pkg == "estate" and ("commands" in rel.parts or rel.name == "cli.py"):
                continue  # the CLI ties everything together
            for name in _imports(path):
                top = name.split(".")[0]
                if top in OURS and top != pkg:
                    if not any(name == a or name.startswith(a + ".") or top == a
                               for a in allowed):
                        bad.append(f"{rel} imports {name}")
                if top in banned:
                    bad.append(f"{rel} imports {name}")
    assert not bad, "\n".join(bad)


def test_rule_catches_a_violation(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text("import pandas\nfrom inventory.tables import read_tables\n")
    assert _imports(f) == {"pandas", "inventory.tables"}
