"""The rules of the house that import-linter cannot check: app.py is a module, not a package.

(The contracts for the qa package are in pyproject.toml and run by `make test` as `lint-imports`.)
"""
from __future__ import annotations

import ast

from qa.settings import ROOT

FRONT_DOOR = {"qa.api", "qa.present", "qa.errors", "qa.types", "qa.settings"}


def _imports(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_app_comes_in_through_the_front_door_only():
    used = {m for m in _imports(ROOT / "app.py") if m == "qa" or m.startswith("qa.")}
    assert used and used <= FRONT_DOOR, used - FRONT_DOOR
    assert not {"sqlite3", "faiss"} & _imports(ROOT / "app.py")


def test_the_check_itself_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from qa.storage.store import Store\nimport qa.api\n", encoding="utf-8")
    assert _imports(bad) == {"qa.storage.store", "qa.api"}
