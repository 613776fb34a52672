"""Reading numbers the way planners write them: "1.234", "1,5", "12 ha", "1,234.5"."""

from __future__ import annotations

import pytest

from geo.figures.importing.values import number_text


@pytest.mark.parametrize(
    ("text", "convention", "number"),
    [
        ("1.234", "vi", "1234"),
        ("1.234.567", "vi", "1234567"),
        ("1,5", "vi", "1.5"),
        ("1.234,5", "vi", "1234.5"),
        ("12 ha", "vi", "12"),
        ("12,5 ha", "vi", "12.5"),
        ("0.5", "vi", "0.5"),
        ("0.500", "vi", "0.500"),
        ("12.75", "vi", "12.75"),
        ("1 234", "vi", "1234"),
        ("25 người", "vi", "25"),
        ("-3", "vi", "-3"),
        ("1,234.5", "en", "1234.5"),
        ("1,234", "en", "1234"),
        ("1.234", "en", "1.234"),
        ("1.23.4", "vi", "1.23.4"),
        ("x", "vi", "x"),
    ],
)
def test_number_text(text, convention, number):
    assert number_text(text, convention) == number
