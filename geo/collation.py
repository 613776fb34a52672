"""Vietnamese alphabetical order, for every list, table and export that sorts names.

Python sorts by code point, so "Huyện Đà Bắc" (``Đ`` is U+0110) comes after "Huyện Yên Thủy".
:func:`vietnamese_key` sorts the way a Vietnamese reader expects, following the Vietnamese
collation of the Unicode CLDR (what ICU, LibreOffice and PostgreSQL's ICU ``vi`` collation
use):

1. *Letters first*, in the Vietnamese alphabet ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s
   t u ư v x y`` (``f j w z``, in foreign names, where the Latin alphabet has them). Runs of
   digits compare as numbers (``Phường 2`` before ``Phường 10``); spaces and punctuation come
   before digits, digits before letters.
2. *Then tones*, only between names spelled with the same letters, in the order ngang (no
   mark), huyền, hỏi, ngã, sắc, nặng: ``ca < cà < cả < cã < cá < cạ``. As in CLDR the tones
   are compared over the whole name after its letters (``Hòa Bình`` before ``Hoa Lư``:
   *hoa binh* < *hoa lu*); printed dictionaries compare syllable by syllable instead, which
   differs only between names whose first syllables differ by their tone alone.
3. *Then case* (lower before upper), then the text itself, so the order is total.

Examples
--------
>>> sorted(["Huyện Yên Thủy", "Huyện Đà Bắc", "Huyện Cao Phong", "Huyện Dương Xá"],
...        key=vietnamese_key)
['Huyện Cao Phong', 'Huyện Dương Xá', 'Huyện Đà Bắc', 'Huyện Yên Thủy']
>>> sorted(["cạ", "cá", "ca", "cã", "cả", "cà"], key=vietnamese_key)
['ca', 'cà', 'cả', 'cã', 'cá', 'cạ']
>>> sorted(["Phường 10", "Phường 2", "Phường Ba"], key=vietnamese_key)
['Phường 2', 'Phường 10', 'Phường Ba']
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["ALPHABET", "TONES", "sort_key", "vietnamese_key"]

#: The alphabet in Vietnamese order (foreign ``f j w z`` where the Latin alphabet has them).
ALPHABET: tuple[str, ...] = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
#: Tone marks (combining characters) in Vietnamese order, after ngang (no mark):
#: huyền (grave), hỏi (hook above), ngã (tilde), sắc (acute), nặng (dot below).
TONES: tuple[str, ...] = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
#: Marks that make another letter of the alphabet (ă â ê ô ơ ư), as NFD spells them.
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_MARKED = {
    ("a", "breve"): "ă",
    ("a", "circumflex"): "â",
    ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô",
    ("o", "horn"): "ơ",
    ("u", "horn"): "ư",
}
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONES, start=1)}
_TOKENS = re.compile(r"\d+|\D", re.UNICODE)

# Classes of primary weights: separators < numbers < letters < other symbols.
_SEPARATOR, _NUMBER, _LETTER, _OTHER = range(4)

Weight = tuple[int, int]
Key = tuple[tuple[Weight, ...], tuple[int, ...], tuple[int, ...], str]


def _letters(text: str) -> list[tuple[str, str, int]]:
    """The text as (base character, its NFD marks, original case 0/1) triples."""
    units: list[tuple[str, str, int]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and units:
            base, marks, case = units[-1]
            units[-1] = (base, marks + char, case)
        else:
            units.append((char.lower(), "", int(char != char.lower())))
    return units


@functools.lru_cache(maxsize=65536)
def vietnamese_key(text: object) -> Key:
    """A sort key that orders Vietnamese names alphabetically (see the module notes).

    Parameters
    ----------
    text : object
        The name; anything else is sorted by its ``str``. Missing values (``None``, NaN)
        sort as the empty text, first.

    Returns
    -------
    tuple
        Letters (with numbers as numbers), tones, case, then the NFC text itself; compare keys
        with ``<`` or pass the function as ``key=`` to :func:`sorted`.

    Examples
    --------
    >>> vietnamese_key("Đà Bắc") > vietnamese_key("Dương") > vietnamese_key("Cao")
    True
    >>> sorted(["Ơ", "O", "Ô", "Ư", "U"], key=vietnamese_key)
    ['O', 'Ô', 'Ơ', 'U', 'Ư']
    """
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        text = ""
    text = unicodedata.normalize("NFC", str(text))
    primary: list[Weight] = []
    tones: list[int] = []
    cases: list[int] = []
    for token in _TOKENS.findall(text):
        if token.isdigit() and token.isascii():
            primary.append((_NUMBER, int(token)))
            continue
        for base, marks, case in _letters(token):
            kinds = {_LETTER_MARKS[m] for m in marks if m in _LETTER_MARKS}
            letter = next((_MARKED[(base, k)] for k in kinds if (base, k) in _MARKED), base)
            if letter in _RANK:
                primary.append((_LETTER, _RANK[letter]))
                tones.append(max((_TONE_RANK.get(m, 0) for m in marks), default=0))
                cases.append(case)
            elif base.isspace() or unicodedata.category(base)[0] in "PZ":
                primary.append((_SEPARATOR, ord(base)))
            else:
                primary.append((_OTHER, ord(base)))
    return tuple(primary), tuple(tones), tuple(cases), text


def sort_key(values: pd.Series) -> pd.Series:
    """:func:`vietnamese_key` for a pandas ``sort_values(key=...)``: text columns by
    Vietnamese order, other columns (numbers, ordered categories) unchanged, so the same key
    serves several ``by`` columns.

    Examples
    --------
    >>> frame = pd.DataFrame({"district": ["Huyện Yên Thủy", "Huyện Đà Bắc", "Huyện Đà Bắc"],
    ...                       "n": [1, 3, 2]})
    >>> frame.sort_values(["district", "n"], key=sort_key)["n"].tolist()
    [2, 3, 1]
    """
    dtype = values.dtype
    ordered = isinstance(dtype, pd.CategoricalDtype) and dtype.ordered  # keeps its own order
    textual = dtype is np.dtype(object) or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)
    if ordered or not textual:
        return values
    keys = [vietnamese_key(v) for v in values.astype("object")]
    order = {key: rank for rank, key in enumerate(sorted(set(keys)))}
    return pd.Series([order[key] for key in keys], index=values.index)
