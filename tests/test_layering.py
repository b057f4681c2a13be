"""Imports flow one way, layer by layer, with no exemption:

``estate`` (domain) <- ``inventory`` <- ... ; ``solver`` uses only ``estate``
and ortools; ``reports`` reads ``estate`` objects and ``solver.result``; the
CLI (``estate.cli``) is the top layer: it may import every package, and no
other module may import it.
"""

from __future__ import annotations

import ast
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
