import re

import pytest

from geo.i18n import _TEXT, LANGUAGES, all_keys, format_number, format_percent, t


def test_every_key_has_both_languages_and_same_placeholders():
    for key in all_keys():
        placeholders = {lang: set(re.findall(r"{(\w+)}", _TEXT[key][lang])) for lang in LANGUAGES}
        assert _TEXT[key]["vi"].strip() and _TEXT[key]["en"].strip(), key
        assert placeholders["vi"] == placeholders["en"], key


def test_vietnamese_is_default():
    assert t("layer.ntm") == "Nông thôn mới"


def test_unknown_key_is_an_error():
    with pytest.raises(KeyError):
        t("no.such.key")


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (4648, "vi", 0, "4.648"),
        (4648, "en", 0, "4,648"),
        (4657.5, "vi", 1, "4.657,5"),
        (1234567.891, "en", 2, "1,234,567.89"),
        (0, "vi", 0, "0"),
        (None, "vi", 0, "–"),
        (float("nan"), "en", 2, "–"),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert format_number(value, lang, decimals=decimals) == expected


def test_format_percent():
    assert format_percent(42.857, "vi") == "42,9 %"
    assert format_percent(28.8, "en") == "28.8%"
