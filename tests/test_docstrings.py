"""Every example in the docstrings of ``geo`` runs and gives what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import geo

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(geo.__path__, prefix="geo.")
    if not m.name.endswith("__main__") and not m.name.startswith("geo.ui")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures = []
    for test in finder.find(module):
        result = runner.run(test, out=failures.append)
        assert result.failed == 0, "".join(failures)
