import re
import shutil
import subprocess
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from geo.i18n import _TEXT, LANGUAGES, all_keys, format_number, format_percent, has_key, t

PLACEHOLDER = re.compile(r"{(\w+)}")


def read_catalogue(lang):
    """The PO file of ``lang`` as Babel reads it, failing on any syntax error."""
    with (resources.files("geo.i18n") / "locales" / f"{lang}.po").open("rb") as po_file:
        return read_po(po_file, abort_invalid=True)


def catalogue_texts(lang):
    return {message.id: message.string for message in read_catalogue(lang) if message.id}


def test_every_key_has_both_languages_and_same_placeholders():
    for key in all_keys():
        placeholders = {lang: set(re.findall(r"{(\w+)}", _TEXT[key][lang])) for lang in LANGUAGES}
        assert _TEXT[key]["vi"].strip() and _TEXT[key]["en"].strip(), key
        assert placeholders["vi"] == placeholders["en"], key


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_parses_as_po_in_its_language(lang):
    catalogue = read_catalogue(lang)
    assert str(catalogue.locale) == lang
    assert catalogue.charset.lower() == "utf-8"
    assert not catalogue.obsolete
    texts = catalogue_texts(lang)
    assert all(isinstance(key, str) and isinstance(text, str) for key, text in texts.items())
    assert texts == {key: _TEXT[key][lang] for key in all_keys()}


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_passes_gettext_msgfmt_check(lang, tmp_path):
    """GNU msgfmt is stricter than Babel (an unclosed quote is an error, not an empty text)."""
    with resources.as_file(resources.files("geo.i18n") / "locales" / f"{lang}.po") as po_path:
        result = subprocess.run(
            ["msgfmt", "--check", "--output-file", str(tmp_path / f"{lang}.mo"), str(po_path)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 0 and not result.stderr, result.stderr


def test_catalogues_have_the_same_keys_in_the_same_order():
    vietnamese, english = (list(catalogue_texts(lang)) for lang in ("vi", "en"))
    assert vietnamese == english
    assert len(set(vietnamese)) == len(vietnamese)
    assert all_keys() == vietnamese


def test_placeholders_of_each_text_appear_in_the_other_language():
    vietnamese, english = (catalogue_texts(lang) for lang in ("vi", "en"))
    for key, text in vietnamese.items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), key
    assert any(PLACEHOLDER.search(text) for text in vietnamese.values())


def test_section_comments_reach_the_translator():
    app_title = read_catalogue("en").get("app.title")
    assert app_title.auto_comments == ["app frame"]


def test_vietnamese_is_default():
    assert t("layer.ntm") == "Nông thôn mới"


def test_placeholders_are_filled_in():
    assert t("legend.communes", "vi", n=3) == "3 xã"
    assert t("export.more_than", "en", value="4,648") == "more than 4,648"


def test_unknown_key_is_an_error():
    with pytest.raises(KeyError):
        t("no.such.key")
    assert not has_key("no.such.key")
    assert has_key("layer.ntm")


def test_unknown_language_is_an_error():
    with pytest.raises(KeyError):
        t("layer.ntm", "fr")


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
