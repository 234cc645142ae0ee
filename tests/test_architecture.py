"""The package's shape, as a specification: who may import whom.

- the contracts in ``pyproject.toml`` (``[tool.importlinter]``) hold: the web
  map, the print image and the file outputs (``geo.outputs.web``, ``.print``,
  ``.files``) never import each other; reports, geocoding, reference data,
  tracks and analysis import neither the presentation layer nor an output;
  presentation imports no output; only ``geo.geocoding`` imports geopy or an
  HTTP client;
- no module of ``geo`` is part of an import cycle (function-level imports
  count: a cycle hidden in a function is still a cycle);
- no module imports another module's private (``_``) names: what is shared
  is public, and lives where both can see it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "geo"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_import_contracts_hold():
    # In a process of its own: import-linter configures logging (disabling the loggers that exist),
    # which would silence the warnings later tests look for.
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True, no_logo=True))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_no_module_is_part_of_an_import_cycle():
    graph = grimp.build_graph("geo")
    cycles = sorted({tuple(sorted((a, b))) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
                     if graph.chain_exists(importer=b, imported=a)})
    assert cycles == []


def _private_imports(path: Path) -> list[str]:
    """``from <another geo module> import _name`` in one file, as 'module: from X import _name (line)'."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        target = node.module or ""
        if node.level:
            base = package.split(".")[:len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([target] if target else []))
        if target.split(".")[0] != "geo" or target == name:
            continue
        found += [f"{name}: from {target} import {a.name} (line {node.lineno})" for a in node.names
                  if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_another_modules_private_names():
    assert [line for path in sorted(PACKAGE.rglob("*.py")) for line in _private_imports(path)] == []


@pytest.mark.parametrize("source, expected", [
    ("from ..web.render import _clock\n",
     ["geo.outputs.print.image: from geo.outputs.web.render import _clock (line 1)"]),
    ("from geo.outputs.web.render import describe\nfrom . import _x\n",
     ["geo.outputs.print.image: from geo.outputs.print import _x (line 2)"]),
    ("from .image import _own\n", []),  # its own name: not another module's
])
def test_the_private_import_finder_finds_them(monkeypatch, source, expected):
    fake = PACKAGE / "outputs" / "print" / "image.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source if self == fake else "")
    assert _private_imports(fake) == expected
