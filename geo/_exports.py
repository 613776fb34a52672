"""Lazy re-exports for the rooms' ``__init__``: each name is imported on first use.

A room's ``__init__`` names its public objects and the module each lives in; a name is imported
on first use (PEP 562), so ``import geo.geography.crs`` does not pull in the fetch machinery.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for ``package`` that import ``exports`` on demand.

    ``exports`` maps a public name to the module (relative to ``package``) that defines it.

    Examples
    --------
    >>> getattr_, dir_ = lazy_exports("geo", {"COMMUNE_CODE": "schema"})
    >>> getattr_("COMMUNE_CODE")
    'commune_code'
    >>> "COMMUNE_CODE" in dir_()
    True
    """

    def getattr_(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def dir_() -> list[str]:
        return sorted(exports)

    return getattr_, dir_
