"""requests_app/rules/ holds the legal rules as pure functions: no ORM, no settings, no I/O,
so that they can be tested on plain values and trusted to do nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import requests_app.rules

RULES_DIR = Path(requests_app.rules.__file__).parent
ALLOWED_DJANGO = {"django.utils.translation"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.py")), ids=lambda p: p.name)
def test_it_imports_nothing_but_plain_python_and_translation(path: Path) -> None:
    for module in imported_modules(path):
        if module.startswith("django"):
            assert module in ALLOWED_DJANGO, f"{path.name} imports {module}"
        assert not module.startswith(("requests_app.models", "requests_app.services")), module
