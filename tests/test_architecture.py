"""The house in rooms: imports point one way, and only ``geo.ui`` imports Streamlit.

The rooms, from the bottom up (a module may import its own room and any room below it)::

    ui  →  cli  →  output  →  web  →  analysis  →  figures  →  geography  →  base
                                                          (schema, errors, i18n, view)

Read as "may import": ``geo.output`` may use ``geo.web`` but never ``geo.cli`` or ``geo.ui``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from repo_paths import REPO_ROOT

GEO = REPO_ROOT / "geo"

#: Each room's height; the modules at the top level of ``geo`` are the base.
ROOMS: dict[str, int] = {
    "geography": 1,
    "figures": 2,
    "analysis": 3,
    "web": 4,
    "output": 5,
    "cli": 6,
    "ui": 7,
}
BASE = 0
#: Entry points that sit above every room.
TOP = {"geo.__main__": 8}


def room_of(module: str) -> str:
    """``geo.web.maps`` → ``web``; ``geo.schema`` → ``base``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ROOMS else "base"


def height(module: str) -> int:
    if module in TOP:
        return TOP[module]
    room = room_of(module)
    if room == "base" and module.split(".")[1:2] and module.split(".")[1] in ROOMS:
        return ROOMS[module.split(".")[1]]  # a room's own __init__
    return ROOMS.get(room, BASE)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every ``geo…`` module the file imports, anywhere in it, with the line number."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "geo"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "geo":
                found += [(node.lineno, f"geo.{a.name}") for a in node.names]
            elif node.module.startswith("geo."):
                found.append((node.lineno, node.module))
    return found


def imports_streamlit(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        if any(n.split(".")[0] in {"streamlit", "streamlit_folium"} for n in names):
            return True
    return False


GEO_FILES = sorted(GEO.rglob("*.py"))


def test_rooms_exist_with_a_two_line_purpose():
    for room in ROOMS:
        init = GEO / room / "__init__.py"
        assert init.is_file(), f"{room} has no __init__"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.strip().splitlines()) >= 2, f"geo/{room}/__init__ says no purpose"


@pytest.mark.parametrize("path", GEO_FILES, ids=lambda p: str(p.relative_to(GEO)))
def test_imports_point_down(path):
    me = module_name(path)
    wrong = [
        f"line {line}: {me} ({room_of(me)}) imports {target} ({room_of(target)})"
        for line, target in imported_modules(path)
        if height(target) > height(me)
    ]
    assert not wrong, "imports pointing up:\n" + "\n".join(wrong)


def test_an_upward_import_is_caught(tmp_path):
    """The check itself can fail: a web module importing the UI is reported."""
    fake = GEO / "web" / "_probe.py"
    source = "from geo.ui import sidebar\n"
    assert imported_modules(_write(tmp_path / "_probe.py", source)) == [(1, "geo.ui")]
    assert height("geo.ui") > height(module_name(fake))


@pytest.mark.parametrize("path", GEO_FILES, ids=lambda p: str(p.relative_to(GEO)))
def test_only_ui_imports_streamlit(path):
    if room_of(module_name(path)) == "ui":
        return
    assert not imports_streamlit(path), f"{path.relative_to(REPO_ROOT)} imports streamlit"


@pytest.mark.parametrize(
    "path",
    [REPO_ROOT / "streamlit_app.py", *sorted((REPO_ROOT / "pages").glob("*.py"))],
    ids=lambda p: p.name,
)
def test_app_and_pages_compose_only_the_ui(path):
    outside = [
        f"line {line}: {target}"
        for line, target in imported_modules(path)
        if room_of(target) != "ui" and target not in {"geo.ui"}
    ]
    assert not outside, f"{path.name} reaches past geo.ui:\n" + "\n".join(outside)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


#: The longest a function in ``geo`` may be, docstring included: past it, it does several things.
MAX_FUNCTION_LINES = 120
#: ``streamlit_app.py`` only composes the UI pieces.
MAX_APP_LINES = 150


@pytest.mark.parametrize("path", GEO_FILES, ids=lambda p: str(p.relative_to(GEO)))
def test_functions_stay_short(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: " + "; ".join(long)


def test_the_app_only_composes():
    lines = (REPO_ROOT / "streamlit_app.py").read_text(encoding="utf-8").count("\n")
    assert lines < MAX_APP_LINES


def test_test_files_have_unique_names():
    """Test folders have no ``__init__``: two test files of one name would shadow each other."""
    names = [p.name for p in (REPO_ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
