"""Views call services and selectors, never the other way round: the layers below the views
(access rules, services, selectors, rules, models, packets, letters, tasks) import nothing
from requests_app.views, so a service runs the same from a view, a task or the shell."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import requests_app

APP_DIR = Path(requests_app.__file__).parent
BELOW_VIEWS = ("access", "letters", "models", "packets", "rules", "selectors", "services", "tasks")


def _module_name(path: Path) -> list[str]:
    parts = ["requests_app", *path.relative_to(APP_DIR).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved to their absolute names."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_it_resolves_relative_imports() -> None:
    path = APP_DIR / "services" / "bulk.py"
    assert "requests_app.access.staff" in imported_modules(path)
    assert "requests_app.services.transitions" in imported_modules(path)


@pytest.mark.parametrize("layer", BELOW_VIEWS)
def test_it_imports_nothing_from_the_views(layer: str) -> None:
    offenders = {
        str(path.relative_to(APP_DIR)): sorted(views)
        for path in sorted((APP_DIR / layer).rglob("*.py"))
        if (views := {m for m in imported_modules(path) if m.startswith("requests_app.views")})
    }
    assert not offenders
