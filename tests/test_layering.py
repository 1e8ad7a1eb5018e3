"""The house's floors: storage/ imports nothing above it, PySide6 lives only in ui/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at module level?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((a.name, node.lineno, id(node) in top_level) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno, id(node) in top_level))
    return found


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_storage_imports_nothing_of_app_or_ui() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _files("storage")
        for module, line, _ in _imports(path)
        if module.split(".")[0] in ("app", "ui", "PySide6")
    ]
    assert bad == []


def test_qt_only_in_ui() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for package in ("app", "storage", "resources")
        for path in _files(package)
        for module, line, _ in _imports(path)
        if module.split(".")[0] in ("PySide6", "shiboken6")
    ]
    assert bad == []


def test_app_reaches_ui_only_lazily_from_the_launcher() -> None:
    bad = []
    for path in _files("app"):
        for module, line, top in _imports(path):
            if module.split(".")[0] != "ui":
                continue
            if top or path.name != "cli.py":
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert bad == []


def test_every_module_opens_with_a_docstring() -> None:
    missing = []
    for package in ("app", "storage", "ui", "resources"):
        for path in _files(package):
            if path.parent.name == "versions":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if ast.get_docstring(tree) is None:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_the_layering_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import PySide6.QtCore\n\ndef f():\n    import ui.app\n")
    modules = {m for m, _, _ in _imports(bad)}
    assert modules == {"PySide6.QtCore", "ui.app"}
