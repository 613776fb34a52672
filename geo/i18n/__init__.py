"""Every user-facing string, in Vietnamese (default) and English.

The texts live in gettext message catalogues, one per language, that a translator edits in a PO
editor (Poedit, Weblate…) or any text editor: ``geo/i18n/locales/vi.po`` and
``geo/i18n/locales/en.po``. Each ``msgid`` is a stable key (``app.title``), its ``msgstr`` the
text, with ``{placeholders}`` that :func:`t` fills in; the ``#.`` comments name the part of the
app a group of keys belongs to. Both files are read once per process, when this module is first
imported, with Babel.

Numbers are formatted the Vietnamese way in Vietnamese (``4.648``; ``42,9 %``) and the English
way in English (``4,648``; ``42.9%``).

Examples
--------
>>> t("layer.models_density", "en")
'Dân vận khéo models per km²'
>>> format_number(4648, "vi"), format_number(42.857, "vi", decimals=1)
('4.648', '42,9')
"""

from __future__ import annotations

import math
from importlib import resources
from typing import Literal

from babel.messages.pofile import read_po

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"


def _read_catalogue(lang: Lang, /) -> dict[str, str]:
    """Read the message catalogue ``locales/<lang>.po`` of this package.

    Parameters
    ----------
    lang : {"vi", "en"}
        Language of the catalogue.

    Returns
    -------
    dict of str to str
        Key → text, in the order of the file. A ``fuzzy`` mark is ignored: the text is used as
        written, since falling back to the key would show users ``app.title``.

    Raises
    ------
    babel.messages.pofile.PoFileError
        A line Babel cannot read as PO, such as an unknown keyword or a ``msgid`` without
        ``msgstr`` (better at start-up than a half-read catalogue). Babel is lenient otherwise:
        an unclosed quote reads as an empty text, which tests/test_i18n.py rejects.

    Examples
    --------
    >>> _read_catalogue("en")["app.title"]
    'Commune Atlas'
    """
    with (resources.files(__name__) / "locales" / f"{lang}.po").open("rb") as po_file:
        catalogue = read_po(po_file, abort_invalid=True)
    # the header entry has the empty msgid; plural entries (tuple ids) are not used by the app
    return {
        message.id: message.string
        for message in catalogue
        if isinstance(message.id, str) and message.id and isinstance(message.string, str)
    }


def _read_all_catalogues() -> dict[str, dict[Lang, str]]:
    """Key → {language → text}; a key missing from one catalogue lacks that language."""
    catalogues = {lang: _read_catalogue(lang) for lang in LANGUAGES}
    keys = dict.fromkeys(key for texts in catalogues.values() for key in texts)
    return {
        key: {lang: texts[key] for lang, texts in catalogues.items() if key in texts}
        for key in keys
    }


#: Every message: key → {language → text}, read once when the module is first imported.
_TEXT: dict[str, dict[Lang, str]] = _read_all_catalogues()


def t(key: str, lang: Lang = DEFAULT_LANG, /, **values: object) -> str:
    """Return the text for ``key`` in ``lang``, with ``{placeholders}`` filled in.

    Parameters
    ----------
    key : str
        Message key, e.g. ``"layer.ntm"``.
    lang : {"vi", "en"}
        Language; Vietnamese by default.
    **values
        Values for the placeholders in the message.

    Returns
    -------
    str
        The message. An unknown key raises ``KeyError``: a missing translation is a bug.

    Examples
    --------
    >>> t("legend.communes", "vi", n=3)
    '3 xã'
    """
    text = _TEXT[key][lang]
    return text.format(**values) if values else text


def has_key(key: str) -> bool:
    """Tell whether ``key`` has a message."""
    return key in _TEXT


def all_keys() -> list[str]:
    """All message keys (for tests that check every key has both languages)."""
    return list(_TEXT)


def format_number(
    value: float | int | None, lang: Lang = DEFAULT_LANG, /, *, decimals: int = 0
) -> str:
    """Format a number with the thousands and decimal separators of ``lang``.

    Parameters
    ----------
    value : float, int or None
        The number; ``None`` or NaN gives ``"–"``.
    lang : {"vi", "en"}
        ``"vi"`` uses ``.`` for thousands and ``,`` for decimals; ``"en"`` the reverse.
    decimals : int
        Digits after the decimal separator.

    Examples
    --------
    >>> format_number(4657.0, "vi"), format_number(4657.25, "en", decimals=1)
    ('4.657', '4,657.2')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(value: float | None, lang: Lang = DEFAULT_LANG, /, *, decimals: int = 1) -> str:
    """Format a percentage: ``42,9 %`` in Vietnamese, ``42.9%`` in English.

    Examples
    --------
    >>> format_percent(42.857, "vi"), format_percent(42.857, "en")
    ('42,9 %', '42.9%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = format_number(value, lang, decimals=decimals)
    return f"{number} %" if lang == "vi" else f"{number}%"
