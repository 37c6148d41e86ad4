"""The domain never imports Flask (DESIGN.md): checked on the source, not by convention."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = [ROOT / "app" / "payments", ROOT / "app" / "gateways", ROOT / "bridge" / "mapping"]
FORBIDDEN = ("flask", "werkzeug", "flask_limiter")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


DOMAIN_FILES = sorted(p for d in DOMAIN if d.exists() for p in d.rglob("*.py"))


def test_domain_files_exist():
    assert any("payments" in str(p) for p in DOMAIN_FILES)


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_does_not_import_flask(path: Path):
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path} imports {bad}"
