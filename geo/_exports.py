"""Lazy re-exports for the rooms' ``__init__``: each name is imported on first use.

A room's ``__init__`` names its modules; what it exports is each module's ``__all__``, read from
the source (no import) the first time a name is asked for (PEP 562). So ``import
geo.geography.crs`` does not pull in the fetch machinery, and a public name is declared once,
in its module.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["lazy_exports", "module_exports"]


def module_exports(path: Path) -> tuple[str, ...]:
    """The names in the ``__all__`` of the module at ``path``, read without importing it.

    Examples
    --------
    >>> import geo.view
    >>> module_exports(Path(geo.view.__file__))[:2]
    ('DEFAULT_GEOGRAPHY', 'DEFAULT_K')
    """
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return tuple(ast.literal_eval(node.value))
    return ()


def lazy_exports(
    package: str, modules: Sequence[str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for ``package`` exporting its ``modules``' names.

    A name declared by two modules, or equal to a module's own name (the submodule attribute
    would shadow it), is not exported at the room level: import it from its module.

    Examples
    --------
    >>> getattr_, dir_ = lazy_exports("geo", ["view"])
    >>> getattr_("DEFAULT_SCHEME")
    'fisher_jenks'
    >>> "MapView" in getattr_("__all__")
    True
    """

    @functools.cache
    def exports() -> dict[str, str]:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations is not None
        folder = Path(next(iter(spec.submodule_search_locations)))
        found: dict[str, str] = {}
        repeated: set[str] = set()
        for module in modules:
            path = folder / f"{module}.py"
            for name in module_exports(path if path.is_file() else folder / module / "__init__.py"):
                if name in found:
                    repeated.add(name)
                found.setdefault(name, module)
        return {k: v for k, v in found.items() if k not in repeated and k not in modules}

    def getattr_(name: str) -> object:
        if name == "__all__":
            return sorted(exports())
        module = exports().get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def dir_() -> list[str]:
        return sorted(exports())

    return getattr_, dir_
