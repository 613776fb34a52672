"""Reading the values of cells: numbers as planners write them, categories and yes/no.

Numbers come as "1.234" (Vietnamese thousands), "1,5" (Vietnamese decimal), "1,234.5" (English),
"12 ha" or "25 người"; :func:`number_convention` decides from the whole file whether "1.234"
means a thousand or one. Categories and booleans have spellings beyond the family's own
("Đạt chuẩn", "x", "Không áp dụng"). Each text becomes what the family's parsers read
(:func:`geo.figures.indicators.parse_cells`); text that cannot be read is passed on as is, so
the parser rejects it with the cell as written.

Examples
--------
>>> from geo.figures import indicators as ind
>>> spec = ind.FAMILIES["ntm"]
>>> [value_text(spec, c, s, "vi") for c, s in [("criteria_met", "19 TC"), ("ntm_level", "Đạt")]]
['19', 'ntm']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from geo.figures import indicators as ind
from geo.figures.importing.reading import word_key

_UNIT_SUFFIX = re.compile(
    r"\s*(?:ha|héc\s*ta|hecta|người|nguoi|mô\s*hình|mh|tiêu\s*chí|tc|hộ|xã)\.?\s*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*")
DASHES = frozenset({"-", "–", "—", "--", "…", "...", "_"})


def number_convention(texts: Sequence[str]) -> str:
    """``"en"`` when the file writes 1,234.5 (comma thousands), else ``"vi"`` (1.234,5)."""
    en = vi = 0
    for text in texts:
        s = text.replace(" ", "")
        if re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}", s):
            en += 1
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,}|\d+,\d{1,2}", s):
            vi += 1
    return "en" if en > vi else "vi"


def number_text(text: str, convention: str) -> str:
    """``"1.234,5"`` → ``"1234.5"``, ``"12 ha"`` → ``"12"``; unreadable text is returned as is.

    >>> [number_text(s, "vi") for s in ("1.234", "1,5", "12 ha", "1.234,5", "0.5", "x")]
    ['1234', '1.5', '12', '1234.5', '0.5', 'x']
    """
    s = _UNIT_SUFFIX.sub("", text).replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.fullmatch(s):
        return text
    sign = "-" if s.startswith("-") else ""
    s = s.lstrip("+-")
    decimal = thousands = ""
    if "." in s and "," in s:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
    elif "," in s or "." in s:
        mark = "," if "," in s else "."
        head, _, tail = s.partition(mark)
        grouped = len(tail) == 3 and head != "0" and len(head) <= 3
        # One separator before three digits: thousands in the file's convention ("1.234" vi).
        if s.count(mark) > 1 or (grouped and (mark == ".") == (convention == "vi")):
            thousands = mark
        else:
            decimal = mark
    whole, _, fraction = s.partition(decimal) if decimal else (s, "", "")
    if thousands:
        groups = whole.split(thousands)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return text
        whole = "".join(groups)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        return text
    return sign + whole + (f".{fraction}" if fraction else "")


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (either convention, units allowed)."""
    return bool(re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", number_text(text, "vi")))


_CATEGORY_EXTRA: Mapping[str, Mapping[str, str]] = {
    ind.NTM_LEVEL: {
        "chua dat": ind.NTM_NOT_YET,
        "chua dat chuan": ind.NTM_NOT_YET,
        "chua dat chuan ntm": ind.NTM_NOT_YET,
        "chua": ind.NTM_NOT_YET,
        "khong dat": ind.NTM_NOT_YET,
        "dat": ind.NTM_STANDARD,
        "da dat": ind.NTM_STANDARD,
        "dat chuan": ind.NTM_STANDARD,
        "da dat chuan": ind.NTM_STANDARD,
        "dat chuan ntm": ind.NTM_STANDARD,
        "dat ntm": ind.NTM_STANDARD,
        "ntm": ind.NTM_STANDARD,
        "xa ntm": ind.NTM_STANDARD,
        "nang cao": ind.NTM_ADVANCED,
        "ntm nang cao": ind.NTM_ADVANCED,
        "dat chuan nang cao": ind.NTM_ADVANCED,
        "dat chuan ntm nang cao": ind.NTM_ADVANCED,
        "xa ntm nang cao": ind.NTM_ADVANCED,
        "kieu mau": ind.NTM_MODEL,
        "ntm kieu mau": ind.NTM_MODEL,
        "dat chuan kieu mau": ind.NTM_MODEL,
        "dat chuan ntm kieu mau": ind.NTM_MODEL,
        "xa ntm kieu mau": ind.NTM_MODEL,
    },
    ind.LAND_STATUS: {
        "chua thuc hien": ind.LAND_NOT_STARTED,
        "chua trien khai": ind.LAND_NOT_STARTED,
        "chua bat dau": ind.LAND_NOT_STARTED,
        "chua lam": ind.LAND_NOT_STARTED,
        "chua": ind.LAND_NOT_STARTED,
        "dang thuc hien": ind.LAND_IN_PROGRESS,
        "dang trien khai": ind.LAND_IN_PROGRESS,
        "dang lam": ind.LAND_IN_PROGRESS,
        "dang": ind.LAND_IN_PROGRESS,
        "hoan thanh": ind.LAND_DONE,
        "da hoan thanh": ind.LAND_DONE,
        "xong": ind.LAND_DONE,
        "da xong": ind.LAND_DONE,
    },
    ind.FIELD: {
        "kinh te": ind.FIELD_ECONOMY,
        "kt": ind.FIELD_ECONOMY,
        "van hoa xa hoi": ind.FIELD_CULTURE_SOCIETY,
        "vh xh": ind.FIELD_CULTURE_SOCIETY,
        "vhxh": ind.FIELD_CULTURE_SOCIETY,
        "quoc phong an ninh": ind.FIELD_DEFENCE_SECURITY,
        "qp an": ind.FIELD_DEFENCE_SECURITY,
        "qpan": ind.FIELD_DEFENCE_SECURITY,
        "xay dung he thong chinh tri": ind.FIELD_POLITICAL_SYSTEM,
        "he thong chinh tri": ind.FIELD_POLITICAL_SYSTEM,
        "xd htct": ind.FIELD_POLITICAL_SYSTEM,
        "htct": ind.FIELD_POLITICAL_SYSTEM,
    },
}
# Written where a category does not apply (a phường has no NTM level): empty.
_NOT_APPLICABLE = frozenset({"khong ap dung", "kad", "n a", "na", "not applicable", "k ad"})
_TRUE = frozenset({"x", "co", "yes", "y", "true", "1", "da nhan rong", "roi", "v"})
_FALSE = frozenset({"khong", "chua", "no", "n", "false", "0", "chua nhan rong"})


def category_text(text: str, column: str) -> str:
    """A category as the family writes it ("Đạt chuẩn" → "ntm"); "" where it does not apply."""
    key = word_key(text.replace("✓", "x").replace("✔", "x"))
    if key in _NOT_APPLICABLE:
        return ""
    return _CATEGORY_EXTRA.get(column, {}).get(key, text)


def bool_text(text: str) -> str:
    """``"true"`` or ``"false"`` for a yes/no cell (empty is no); other text as is."""
    if not text.strip():
        return "false"  # planners tick "x" for yes and leave the cell empty for no
    key = word_key(text.replace("✓", "x").replace("✔", "x"))
    if key in _TRUE:
        return "true"
    if key in _FALSE:
        return "false"
    return text


# --- row kinds -----------------------------------------------------------------------------------


def to_float(text: str) -> float | None:
    """``text`` as a finite float, or None (empty, unreadable, infinite)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def _kind(spec: ind.Family, column: str) -> str:
    """The kind of ``column``; pseudo-columns (the file's own total) count."""
    return spec.column(column).kind if column in spec.column_names else "count"


def value_text(spec: ind.Family, column: str, text: str, convention: str) -> str:
    """A cell's text as the family's parser reads it (``convention``: ``"vi"`` or ``"en"``)."""
    kind = _kind(spec, column)
    if kind in ("count", "number", "year"):
        if text in DASHES:
            return ""
        return number_text(text, convention)
    if kind == "category":
        return category_text(text, column)
    if kind == "bool":
        return bool_text(text)
    return text


def has_value(spec: ind.Family, column: str, text: str) -> bool:
    """Whether a cell holds a figure ("-", "Không áp dụng" and the like do not)."""
    if not text or text in DASHES:
        return False
    return _kind(spec, column) != "category" or category_text(text, column) != ""
