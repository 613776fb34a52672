"""Every example in the docstrings of ``geo`` runs and gives what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import geo

MODULES = sorted(m.name for m in pkgutil.iter_modules(geo.__path__) if m.name != "__main__")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"geo.{name}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures = []
    for test in finder.find(module):
        result = runner.run(test, out=failures.append)
        assert result.failed == 0, "".join(failures)
