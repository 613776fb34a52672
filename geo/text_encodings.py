"""Vietnamese text in legacy encodings: detect it and turn it into Unicode.

Government spreadsheets still carry text typed with the pre-Unicode font encodings:

``TCVN3`` (also "ABC", fonts ``.VnTime``, ``.VnArial``; ``.VnTimeH`` for capitals)
    One byte per letter. Read as Windows-1252 or Latin-1 it shows as "Hoµ B×nh",
    "x· Tßng §Ëu". Toned capitals do not exist: a capital "À" is the lowercase code drawn by
    an ``…H`` font, so after conversion such letters come out lowercase (see
    :func:`tcvn3_to_unicode`).
``VNI`` (fonts ``VNI-Times``, ``VNI-Helve``)
    A base letter followed by a mark byte: "Hoøa Bình" is "Hòa Bình", "Xaõ" is "Xã".

Both were drawn by fonts over the Windows-1252 code page, so in an ``.xlsx`` the cells hold
the Windows-1252 characters; in a CSV the bytes are those code points. The tables here were
checked against two independent public descriptions (the X11 ``TCVNtoUCS2`` table of
TCVN 5712 and the ``TCVN3_TABLE``/``VNI_WINDOWS_TABLE`` of a Vietnamese keyboard driver);
``tests/figures/test_encodings.py`` round-trips every Vietnamese letter.

Deciding whether a cell is legacy text is a judgement: "Hòa Bình" in Unicode uses only
Latin-1 letters too. :func:`repair_text` converts a cell only when the conversion reads as
*more* plausible Vietnamese (letters outside the Vietnamese alphabet such as "µ", "×", "ø",
or a tone mark where Vietnamese spelling never puts one, as in "Xaõ"); otherwise it keeps it.

Examples
--------
>>> tcvn3_to_unicode("x· Tßng §Ëu, huyÖn Mai Ch©u")
'xã Tòng Đậu, huyện Mai Châu'
>>> vni_to_unicode("Hoøa Bình")
'Hòa Bình'
>>> repair_text("Hoµ B×nh"), repair_text("Hòa Bình")
(('Hoà Bình', 'tcvn3'), ('Hòa Bình', 'unicode'))
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Literal

__all__ = [
    "LEGACY_ENCODINGS",
    "TCVN3_TO_UNICODE",
    "VNI_TO_UNICODE",
    "Legacy",
    "decode_bytes",
    "decode_texts",
    "encode_cp1258",
    "font_hint",
    "implausibility",
    "repair_text",
    "repair_texts",
    "tcvn3_to_unicode",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "vni_to_unicode",
]

Legacy = Literal["unicode", "tcvn3", "vni"]
#: Legacy font encodings this module converts.
LEGACY_ENCODINGS: tuple[Legacy, ...] = ("tcvn3", "vni")

# The 67 lowercase Vietnamese letters outside ASCII, each followed by its capital, in the
# order a, ă, â, đ, e, ê, i, o, ô, ơ, u, ư, y with tones: none/level, grave, hook, tilde,
# acute, dot below.
_LETTERS = (
    "àÀảẢãÃáÁạẠ"
    "ăĂằẰẳẲẵẴắẮặẶ"
    "âÂầẦẩẨẫẪấẤậẬ"
    "đĐ"
    "èÈẻẺẽẼéÉẹẸ"
    "êÊềỀểỂễỄếẾệỆ"
    "ìÌỉỈĩĨíÍịỊ"
    "òÒỏỎõÕóÓọỌ"
    "ôÔồỒổỔỗỖốỐộỘ"
    "ơƠờỜởỞỡỠớỚợỢ"
    "ùÙủỦũŨúÚụỤ"
    "ưƯừỪửỬữỮứỨựỰ"
    "ỳỲỷỶỹỸýÝỵỴ"
)

# TCVN3 (TCVN 5712:1993, the VN3 subset used by the ABC fonts): byte of each lowercase letter
# in _LETTERS order; capitals exist only for ă â đ ê ô ơ ư (the others reuse the lowercase
# byte, drawn as a capital by the ".…H" fonts).
_TCVN3_LOWER = (
    "\xb5\xb6\xb7\xb8\xb9"  # à ả ã á ạ
    "\xa8\xbb\xbc\xbd\xbe\xc6"  # ă ằ ẳ ẵ ắ ặ
    "\xa9\xc7\xc8\xc9\xca\xcb"  # â ầ ẩ ẫ ấ ậ
    "\xae"  # đ
    "\xcc\xce\xcf\xd0\xd1"  # è ẻ ẽ é ẹ
    "\xaa\xd2\xd3\xd4\xd5\xd6"  # ê ề ể ễ ế ệ
    "\xd7\xd8\xdc\xdd\xde"  # ì ỉ ĩ í ị
    "\xdf\xe1\xe2\xe3\xe4"  # ò ỏ õ ó ọ
    "\xab\xe5\xe6\xe7\xe8\xe9"  # ô ồ ổ ỗ ố ộ
    "\xac\xea\xeb\xec\xed\xee"  # ơ ờ ở ỡ ớ ợ
    "\xef\xf1\xf2\xf3\xf4"  # ù ủ ũ ú ụ
    "\xad\xf5\xf6\xf7\xf8\xf9"  # ư ừ ử ữ ứ ự
    "\xfa\xfb\xfc\xfd\xfe"  # ỳ ỷ ỹ ý ỵ
)
_TCVN3_CAPITALS = {"Ă": "\xa1", "Â": "\xa2", "Đ": "\xa7", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5"}
_TCVN3_CAPITALS["Ư"] = "\xa6"

#: TCVN3 character (as read through Windows-1252 / Latin-1) → Unicode letter.
TCVN3_TO_UNICODE: Mapping[str, str] = MappingProxyType(
    {code: letter for code, letter in zip(_TCVN3_LOWER, _LETTERS[::2], strict=True)}
    | {code: letter for letter, code in _TCVN3_CAPITALS.items()}
)

# VNI: mark characters that follow a base vowel, by tone (grave, hook, tilde, acute, dot);
# lowercase marks after lowercase vowels, capital marks after capitals.
_VNI_TONE = ("ø", "û", "õ", "ù", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "å", "ã", "á", "ä")  # level, grave, hook, tilde, acute, dot
_VNI_BREVE = ("ê", "è", "ú", "ü", "é", "ë")
# Letters VNI writes with one character of their own.
_VNI_SINGLE = {
    "đ": "ñ",
    "ơ": "ô",
    "ư": "ö",
    "ì": "ì",
    "ỉ": "æ",
    "ĩ": "ó",
    "í": "í",
    "ị": "ò",
    "ỵ": "î",
}


def _vni_table() -> dict[str, str]:
    """Unicode letter → VNI spelling, lowercase and capital."""
    table: dict[str, str] = {}
    lower = _LETTERS[::2]
    # Each vowel row of _LETTERS: (first index in `lower`, base spelled in VNI, its marks);
    # rows of ơ and ư start with the bare letter (spelled by _VNI_SINGLE).
    rows = (
        (0, "a", _VNI_TONE),
        (5, "a", _VNI_BREVE),
        (11, "a", _VNI_CIRCUMFLEX),
        (18, "e", _VNI_TONE),
        (23, "e", _VNI_CIRCUMFLEX),
        (34, "o", _VNI_TONE),
        (39, "o", _VNI_CIRCUMFLEX),
        (45, "ô", ("", *_VNI_TONE)),
        (51, "u", _VNI_TONE),
        (56, "ö", ("", *_VNI_TONE)),
        (62, "y", _VNI_TONE),
    )
    for start, base, marks in rows:
        for offset, mark in enumerate(marks):
            letter = lower[start + offset]
            if letter not in _VNI_SINGLE:
                table[letter] = base + mark
    table.update(_VNI_SINGLE)
    upper = {}
    for letter, spelling in table.items():
        upper[letter.upper()] = spelling.upper()
    table.update(upper)
    return table


_UNICODE_TO_VNI: Mapping[str, str] = MappingProxyType(_vni_table())
#: VNI spelling (one or two characters as read through Windows-1252) → Unicode letter.
VNI_TO_UNICODE: Mapping[str, str] = MappingProxyType(
    {spelling: letter for letter, spelling in _UNICODE_TO_VNI.items()}
    # Some files mix a capital base with a lowercase mark (and the reverse).
    | {
        spelling[0] + spelling[1].swapcase(): letter
        for letter, spelling in _UNICODE_TO_VNI.items()
        if len(spelling) == 2
    }
)
_UNICODE_TO_TCVN3: Mapping[str, str] = MappingProxyType(
    {letter: code for code, letter in TCVN3_TO_UNICODE.items()}
    | {
        letter.upper(): code
        for code, letter in zip(_TCVN3_LOWER, _LETTERS[::2], strict=True)
        if letter.upper() not in _TCVN3_CAPITALS
    }
)
# Codes of toned letters: their capital cannot be written in TCVN3 (see module docstring).
_TCVN3_CASELESS = frozenset(_TCVN3_LOWER) - {_UNICODE_TO_TCVN3[c] for c in "ăâđêôơư"}


# --- conversion ----------------------------------------------------------------------------------


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 (ABC, ``.VnTime``) text read as Windows-1252 into Unicode (NFC).

    Toned capitals do not exist in TCVN3; a toned letter comes out as a capital only where the
    word around it is in capitals ("HOµ" → "HOÀ") or where it opens a word in a cell whose
    other words all start with a capital ("¢n NghÜa" is fine; "Êm Th­îng" → "Ấm Thượng").

    Examples
    --------
    >>> tcvn3_to_unicode("Hoµ B×nh"), tcvn3_to_unicode("UBND TØNH HOµ B×NH")
    ('Hoà Bình', 'UBND TỈNH HOÀ BÌNH')
    """
    words = re.split(r"(\s+)", text)
    capitalised = [w for w in words if w.strip() and w[0].isalpha() and w[0] not in _TCVN3_CASELESS]
    title_case = bool(capitalised) and all(w[0].isupper() for w in capitalised)
    out: list[str] = []
    for word in words:
        converted = "".join(TCVN3_TO_UNICODE.get(char, char) for char in word)
        ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
        if len(ascii_letters) > 1 and all(c.isupper() for c in ascii_letters):
            converted = converted.upper()
        elif word and word[0] in _TCVN3_CASELESS and title_case:
            converted = converted[0].upper() + converted[1:]
        out.append(converted)
    return unicodedata.normalize("NFC", "".join(out))


def unicode_to_tcvn3(text: str) -> str:
    """Spell Unicode text in TCVN3 (the inverse of :func:`tcvn3_to_unicode`; toned capitals
    take the lowercase code, as the ABC fonts do).

    Examples
    --------
    >>> unicode_to_tcvn3("Tòng Đậu")
    'Tßng §Ëu'
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(_UNICODE_TO_TCVN3.get(char, char) for char in text)


def vni_to_unicode(text: str) -> str:
    """Convert VNI (``VNI-Times``) text read as Windows-1252 into Unicode (NFC).

    Examples
    --------
    >>> vni_to_unicode("Xaõ Ñoàng Taâm"), vni_to_unicode("HUYEÄN LAÏC SÔN")
    ('Xã Đồng Tâm', 'HUYỆN LẠC SƠN')
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in VNI_TO_UNICODE:
            out.append(VNI_TO_UNICODE[pair])
            i += 2
            continue
        out.append(VNI_TO_UNICODE.get(text[i], text[i]))
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def unicode_to_vni(text: str) -> str:
    """Spell Unicode text in VNI (the inverse of :func:`vni_to_unicode`).

    Examples
    --------
    >>> unicode_to_vni("Hòa Bình")
    'Hoøa Bình'
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(_UNICODE_TO_VNI.get(char, char) for char in text)


_CONVERTERS = MappingProxyType({"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode})


# --- plausibility ------------------------------------------------------------------------------

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot below
_SHAPES = {"\u0306": "ă", "\u0302": "^", "\u031b": "+"}  # breve, circumflex, horn
_VOWELS = frozenset("aăâeêioôơuưy")
_SHAPED = frozenset("ăâêôơư")
_ONSETS = (
    "ngh",
    "ng",
    "gh",
    "gi",
    "kh",
    "nh",
    "ph",
    "th",
    "tr",
    "ch",
    "qu",
    *"bcdđghklmnpqrstvx",
)
_CODAS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
# Vowel clusters of Vietnamese syllables (with "oo" of loanwords and Thái/Mường names).
_NUCLEI_TEXT = (
    "a ă â e ê i o ô ơ u ư y "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "iêu oai oay oeo uây uôi uya uyê uyu ươi ươu yêu"
)
_NUCLEI = frozenset(_NUCLEI_TEXT.split())
# Clusters that end in a glide take no final consonant; some vowels need one.
_OPEN_ONLY_TEXT = (
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu "
    "iêu oai oay oeo uây uôi uya uyu ươi ươu yêu"
)
_OPEN_ONLY = frozenset(_OPEN_ONLY_TEXT.split())
_CLOSED_ONLY = frozenset(("ă", "â", "iê", "yê", "oă", "uâ", "uô", "ươ", "uyê"))
# Latin-1 letters that belong to Vietnamese (Ð/ð stand in for Đ/đ in many files).
_VIET_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝÐð")
# Latin-1 signs ordinary Unicode Vietnamese text does use.
_HARMLESS = frozenset("\xa0°²³±½¼¾")


def _letters(word: str) -> list[tuple[str, int]] | None:
    """``(letter without tone, tone mark or 0)`` per letter; None if not Vietnamese letters."""
    out: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in _TONES:
            if not out or out[-1][1]:
                return None  # a second tone on one letter
            out[-1] = (out[-1][0], ord(char))
        elif char in _SHAPES:
            if not out:
                return None
            base = out[-1][0]
            shaped = {
                ("a", "ă"): "ă",
                ("a", "^"): "â",
                ("e", "^"): "ê",
                ("o", "^"): "ô",
                ("o", "+"): "ơ",
                ("u", "+"): "ư",
            }.get((base, _SHAPES[char]))
            if shaped is None:
                return None
            out[-1] = (shaped, out[-1][1])
        elif "a" <= char <= "z" or char == "đ":
            out.append((char, 0))
        else:
            return None
    return out


def _syllable_ok(word: str) -> bool:
    """Whether ``word`` spells one Vietnamese syllable with its tone where spelling puts it.

    Both placements of the tone are fine in "oa", "oe", "uy" (hòa / hoà).
    """
    letters = _letters(word)
    if letters is None:
        return False
    toned = [i for i, (_, tone) in enumerate(letters) if tone]
    if len(toned) > 1:
        return False
    spelled = "".join(letter for letter, _ in letters)
    onset = next((o for o in _ONSETS if spelled.startswith(o)), "")
    # "gi" and "qu" are onsets only before another vowel ("gìn" is g + in).
    if onset in ("gi", "qu") and (len(spelled) == 2 or spelled[2] not in _VOWELS):
        onset = onset[0]
    start = len(onset)
    end = start
    while end < len(spelled) and spelled[end] in _VOWELS:
        end += 1
    nucleus, coda = spelled[start:end], spelled[end:]
    if nucleus not in _NUCLEI or coda not in _CODAS:
        return False
    if (coda and nucleus in _OPEN_ONLY) or (not coda and nucleus in _CLOSED_ONLY):
        return False
    if not toned:
        return True
    tone_at = toned[0] - start
    if tone_at < 0:
        return False
    shaped = [i for i, letter in enumerate(nucleus) if letter in _SHAPED]
    if shaped:
        allowed = {shaped[-1]}
    elif coda or len(nucleus) == 1:
        allowed = {len(nucleus) - 1}
    elif len(nucleus) == 3:
        allowed = {1}
    elif nucleus in ("oa", "oe", "uy"):
        allowed = {0, 1}
    else:
        allowed = {0}
    return tone_at in allowed


def implausibility(text: str) -> int:
    """How little ``text`` reads like Vietnamese (0: no objection; higher: worse).

    Three points per Latin-1 character that is neither a Vietnamese letter nor a common sign
    (``µ``, ``×``, ``ø``, ``§`` …), two per non-ASCII word that is not a Vietnamese syllable.
    Pure ASCII words are not judged (codes, English, names without diacritics).

    Examples
    --------
    >>> implausibility("Hòa Bình"), implausibility("Hoµ B×nh"), implausibility("Xaõ")
    (0, 8, 2)
    """
    score = 0
    for i, char in enumerate(text):
        if "\x80" <= char <= "\xff" and char not in _VIET_LATIN1 and char not in _HARMLESS:
            # "·" and "×" also separate and multiply ("2024 · 151", "2×3"); TCVN3 letters
            # they stand for ("x·" = xã, "B×nh" = Bình) follow a letter.
            if char in "·×" and not (i and text[i - 1].isalpha()):
                continue
            score += 3
    for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text)):
        if not word.isascii() and not _syllable_ok(word.replace("Ð", "Đ").replace("ð", "đ")):
            score += 2
    return score


def _legacy_candidate(text: str) -> bool:
    """Whether ``text`` could be legacy font text: Windows-1252 characters, some non-ASCII."""
    if text.isascii():
        return False
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        # Characters outside Windows-1252 (ạ, ơ, ư, đ …): real Unicode, or Latin-1 controls.
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            return False
    return True


def repair_text(text: str, *, prefer: Legacy | None = None) -> tuple[str, Legacy]:
    """Return ``text`` converted from TCVN3 or VNI when that reads better, and what was done.

    Parameters
    ----------
    text : str
        One cell.
    prefer : {"tcvn3", "vni"}, optional
        Encoding to try first (e.g. from the cell's font, see :func:`font_hint`); a conversion
        is still applied only when it makes the text more plausible.

    Returns
    -------
    tuple of (str, str)
        The text (NFC) and ``"unicode"`` (kept), ``"tcvn3"`` or ``"vni"`` (converted).

    Examples
    --------
    >>> repair_text("Xaõ Tu Lyù")
    ('Xã Tu Lý', 'vni')
    """
    text = unicodedata.normalize("NFC", text)
    if not _legacy_candidate(text):
        return text, "unicode"
    best: tuple[str, Legacy] = (text, "unicode")
    best_score = implausibility(text)
    if best_score == 0:
        return best
    order: list[Legacy] = ["tcvn3", "vni"]
    if prefer == "vni":
        order.reverse()
    for legacy in order:
        converted = _CONVERTERS[legacy](text)
        score = implausibility(converted)
        if score < best_score:
            best, best_score = (converted, legacy), score
    return best


def repair_texts(
    texts: Iterable[str], *, hints: Iterable[Legacy | None] | None = None
) -> tuple[list[str], Legacy]:
    """Repair many cells of one file; the file's legacy encoding decides close calls.

    Each cell is judged on its own first (files mix a Unicode template with pasted legacy
    text). Then the encoding most cells were converted from (or their fonts name) is the
    file's; a cell that reads equally well both ways ("Kinh tÕ" is "Kinh tõ" or TCVN3
    "Kinh tế") is converted when its font says so, or when the file holds no Unicode-only
    character at all (a file saved entirely from legacy fonts).

    Parameters
    ----------
    texts : iterable of str
        The cells.
    hints : iterable of str or None, optional
        A per-cell hint (see :func:`font_hint`), same length as ``texts``.

    Returns
    -------
    tuple of (list of str, str)
        The repaired cells (NFC) and the file's legacy encoding: ``"unicode"`` if nothing was
        converted, else ``"tcvn3"`` or ``"vni"``.

    Examples
    --------
    >>> repair_texts(["Tªn x·", "Kinh tÕ", "Mai Ch©u"])
    (['Tên xã', 'Kinh tế', 'Mai Châu'], 'tcvn3')
    >>> repair_texts(["Xã Hang Kia", "Xã Tòng Đậu"])
    (['Xã Hang Kia', 'Xã Tòng Đậu'], 'unicode')
    """
    cells = [unicodedata.normalize("NFC", cell) for cell in texts]
    cell_hints = list(hints) if hints is not None else [None] * len(cells)
    first = [repair_text(cell, prefer=hint) for cell, hint in zip(cells, cell_hints, strict=True)]
    votes = Counter(legacy for _, legacy in first if legacy != "unicode")
    votes.update(hint for hint in cell_hints if hint)
    if not votes:
        return [text for text, _ in first], "unicode"
    legacy: Legacy = votes.most_common(1)[0][0]
    pure = all(cell.isascii() or _legacy_candidate(cell) for cell in cells)
    repaired: list[str] = []
    for cell, hint, (text, done) in zip(cells, cell_hints, first, strict=True):
        if (
            done == "unicode"
            and _legacy_candidate(cell)
            and (hint == legacy or (pure and not hint))
        ):
            converted = _CONVERTERS[legacy](cell)
            if implausibility(converted) <= implausibility(cell):
                text = converted
        elif done != "unicode" and done != legacy:
            # Close calls between the two legacy encodings go to the file's.
            converted = _CONVERTERS[legacy](cell)
            if implausibility(converted) <= implausibility(text):
                text = converted
        repaired.append(text)
    return repaired, legacy


def font_hint(font_name: str | None) -> Legacy | None:
    """The legacy encoding a font name implies: ``.VnTime`` → TCVN3, ``VNI-Times`` → VNI.

    Examples
    --------
    >>> font_hint(".VnTimeH"), font_hint("VNI-Helve"), font_hint("Times New Roman")
    ('tcvn3', 'vni', None)
    """
    if not font_name:
        return None
    name = font_name.strip().lower()
    if name.startswith(".vn") or (name.startswith("vn") and not name.startswith("vni")):
        return "tcvn3"
    if name.startswith("vni"):
        return "vni"
    return None


# --- bytes -------------------------------------------------------------------------------------


def encode_cp1258(text: str) -> bytes:
    """Encode text in Windows-1258: letters it lacks become letter + combining tone mark.

    (Python's ``cp1258`` codec maps characters one by one and refuses "ạ", "ố" ….)

    Examples
    --------
    >>> encode_cp1258("Hoà Bình")  # ì is i + combining grave (0xCC)
    b'Ho\\xe0 Bi\\xccnh'
    >>> len(encode_cp1258("Lạc Sơn"))
    8
    """
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += (base + tones).encode("cp1258")
    return bytes(out)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text table: UTF-8 (with or without BOM), UTF-16, Windows-1258.

    Text that is not UTF-8 is either Windows-1258 (Vietnamese code page, tones as combining
    marks) or Windows-1252 bytes of a legacy font (TCVN3/VNI): both readings are tried and
    the more plausible one wins. Legacy cells are *not* converted here (see
    :func:`repair_texts`); the text comes back NFC.

    Returns
    -------
    tuple of (str, str)
        The text and the encoding used: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``,
        ``"cp1258"`` or ``"cp1252"``.

    Examples
    --------
    >>> decode_bytes(encode_cp1258("Hòa Bình"))
    ('Hòa Bình', 'cp1258')
    >>> decode_bytes("\\ufeffXã".encode("utf-8"))
    ('Xã', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return unicodedata.normalize("NFC", data[3:].decode("utf-8", errors="replace")), (
            "utf-8-sig"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return unicodedata.normalize("NFC", data.decode("utf-16")), "utf-16"
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    as_1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    as_1252 = data.decode("cp1252", errors="replace")
    # Judge each reading by its best repair, cell by cell (split on separators and lines).
    cells = [cell for cell in re.split(r"[,;\t\r\n\"]+", as_1252) if cell.strip()]
    repaired, _ = repair_texts(cells)
    score_1252 = sum(implausibility(cell) for cell in repaired)
    score_1258 = sum(
        implausibility(cell) for cell in re.split(r"[,;\t\r\n\"]+", as_1258) if cell.strip()
    )
    if score_1252 < score_1258:
        return unicodedata.normalize("NFC", as_1252), "cp1252"
    return as_1258, "cp1258"


def decode_texts(values: Sequence[bytes]) -> tuple[list[str], str]:
    """Decode the text values of one file, whose encoding is not declared, all the same way.

    Tried in order: UTF-8, then Windows-1258 or the legacy font encodings TCVN3 and VNI (bytes
    of Windows-1252), whichever reads as more plausible Vietnamese (:func:`decode_bytes`,
    :func:`repair_texts`). A shapefile without ``.cpg`` and without a code page in its ``.dbf``
    is such a file.

    Parameters
    ----------
    values : sequence of bytes
        The raw values (e.g. every text attribute of a layer).

    Returns
    -------
    tuple of (list of str, str)
        The texts (NFC) and the encoding used: ``"ascii"``, ``"utf-8"``, ``"cp1258"``,
        ``"tcvn3"``, ``"vni"`` or ``"cp1252"`` (Western text, nothing converted).

    Examples
    --------
    >>> decode_texts([encode_cp1258("Phường Thái Bình"), b"Ha Noi"])
    (['Phường Thái Bình', 'Ha Noi'], 'cp1258')
    >>> decode_texts([unicode_to_tcvn3("Xã Tòng Đậu").encode("cp1252")])
    (['Xã Tòng Đậu'], 'tcvn3')
    >>> decode_texts(["Xã Hang Kia".encode()])
    (['Xã Hang Kia'], 'utf-8')
    """
    if all(value.isascii() for value in values):
        return [value.decode("ascii") for value in values], "ascii"
    try:
        return [unicodedata.normalize("NFC", value.decode("utf-8")) for value in values], "utf-8"
    except UnicodeDecodeError:
        pass
    # One line per value, so decode_bytes judges them cell by cell.
    _, codec = decode_bytes(b"\n".join(values))
    if codec != "cp1252":  # a value that happens to start with a BOM is still not UTF-16
        texts = [value.decode("cp1258", errors="replace") for value in values]
        return [unicodedata.normalize("NFC", text) for text in texts], "cp1258"
    texts = [value.decode("cp1252", errors="replace") for value in values]
    repaired, legacy = repair_texts(texts)
    return repaired, (legacy if legacy != "unicode" else "cp1252")
