"""Short ASCII for Vietnamese text in what Streamlit sends to the browser.

Streamlit sends a component's arguments as ``json.dumps`` output, which escapes every
non-ASCII character as ``\\uXXXX``: six bytes for each "ư", "ờ" or "ễ". Commune names are
mostly such letters ("Phường Nguyễn Trung Trực" has four), so 11,000 names cost about twice
their length. :func:`pack_texts` writes each non-ASCII character (and the marker ``~``
itself) as ``~`` plus its index in a table of the characters used, as a varint
(:mod:`geo.web.topology`): two bytes for the 32 most frequent, three for the rest. The table is
sent once; :data:`TEXT_JS` restores the text in the browser. :func:`encode_columns` also
sends each property column in its shortest form (repeated values once, codes as numbers,
repeated first words once), :data:`COLUMNS_JS` restores them.

Examples
--------
>>> packed, table = pack_texts([["Xã Tân Mỹ", "Phường 1"], ["a~b"]])
>>> packed, table
([['X~C T~Bn M~F', 'Ph~D~Eng 1'], ['a~Ab']], ['~', 'â', 'ã', 'ư', 'ờ', 'ỹ'])
>>> [unpack_text(s, table) for s in packed[0]]
['Xã Tân Mỹ', 'Phường 1']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from geo.web.topology import decode_varints, encode_varints, unzigzag, zigzag

__all__ = [
    "COLUMNS_JS",
    "MARKER",
    "MAX_DIGITS",
    "MAX_HEADS",
    "TEXT_JS",
    "decode_columns",
    "encode_columns",
    "pack_texts",
    "unpack_text",
]

#: The character that starts a packed character (itself packed when it occurs in text).
MARKER = "~"
# A marker, then one varint: digits 32-63 ("g"…"_") say "more follows", 0-31 end it.
_PACKED = re.compile(r"~([g-z0-9_\-]*[A-Za-f])")


def pack_texts(columns: Sequence[Sequence[object]]) -> tuple[list[list[object]], list[str]]:
    """Pack the strings of several columns with one shared table; other values pass as they are.

    Parameters
    ----------
    columns : sequence of sequences
        Values; ``str`` ones are packed.

    Returns
    -------
    tuple of (list of lists, list of str)
        The columns with packed strings, and the table: its ``i``-th character is written
        ``~`` + ``encode_varints([i])``. Characters are numbered by frequency, so the most
        frequent take one digit.
    """
    strings = [v for column in columns for v in column if isinstance(v, str)]
    # Count every character in C, then keep the special ones (str.translate is C too).
    counts = Counter("".join(strings))
    special = {char: n for char, n in counts.items() if ord(char) > 0x7F or char == MARKER}
    table = [char for char, _ in sorted(special.items(), key=lambda kv: (-kv[1], kv[0]))]
    codes = {ord(char): MARKER + encode_varints([i]) for i, char in enumerate(table)}

    def pack(value: object) -> object:
        return value.translate(codes) if isinstance(value, str) else value

    return [[pack(v) for v in column] for column in columns], table


def unpack_text(text: str, table: Sequence[str]) -> str:
    """The inverse of :func:`pack_texts` for one string (what :data:`TEXT_JS` does)."""
    return _PACKED.sub(lambda m: table[int(decode_varints(m.group(1))[0])], text)


#: JavaScript ``atlasText(text, table)``: the inverse of :func:`pack_texts` for one string.
TEXT_JS = """
function atlasText(text, table) {
  if (typeof text !== "string" || text.indexOf("~") < 0) return text;
  var out = "", i = 0;
  while (i < text.length) {
    var c = text.charAt(i++);
    if (c !== "~") { out += c; continue; }
    var v = 0, m = 1, d;
    do { d = ATLAS_B64[text.charCodeAt(i++)]; v += (d & 31) * m; m *= 32; } while (d & 32);
    out += table[v];
  }
  return out;
}
"""


# --------------------------------------------------------------------------------------------
# Property columns


#: At most this many distinct first words make a column "heads and tails" (one index digit).
MAX_HEADS = 32
#: Codes longer than this are not sent as numbers (JavaScript numbers are exact to 2^53).
MAX_DIGITS = 15


def encode_columns(columns: dict[str, list[object]]) -> tuple[dict[str, Any], list[str]]:
    """Property columns in the shortest of four forms, and the table of their packed text.

    * repeated values (at most half as many distinct as rows): ``{"values", "index"}``, the
      distinct values and a varint index per row;
    * codes (mostly strings of the same number of digits, e.g. GSO codes): ``{"digits",
      "ints", "other"}``, zigzag varint steps between successive codes, and ``[row, value]``
      for the rows that are not such a code;
    * names whose first word repeats ("Xã", "Phường", "Thị trấn"…): ``{"heads", "head",
      "tails"}``, the first words (with their space), a varint index per row and the rests;
    * anything else: the list.

    Strings are packed (:func:`pack_texts`) with one table for all columns.

    Examples
    --------
    >>> props, table = encode_columns({"code": ["00001", "00004", "x"],
    ...                                "name": ["Xã A", "Xã B", "Phường C"]})
    >>> props["code"], props["name"]["heads"]
    ({'digits': 5, 'ints': 'CG', 'other': [[2, 'x']]}, ['X~A ', 'Ph~B~Cng '])
    >>> decode_columns(props, table) == {"code": ["00001", "00004", "x"],
    ...                                  "name": ["Xã A", "Xã B", "Phường C"]}
    True
    """
    shaped: dict[str, Any] = {name: _shape(values) for name, values in columns.items()}
    lists = [part for shape in shaped.values() for part in _string_lists(shape)]
    packed, table = pack_texts(lists)
    replacements = iter(packed)
    props = {name: _with_lists(shape, replacements) for name, shape in shaped.items()}
    return props, table


def _shape(values: list[object]) -> Any:
    n = len(values)
    codes, uniques = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=False)
    if len(uniques) * 2 <= n:
        return {"values": list(uniques), "index": encode_varints(codes)}
    digits = _digit_width(values)
    if digits:
        rows = [i for i, v in enumerate(values) if _is_code(v, digits)]
        numbers = np.array([int(values[i]) for i in rows], dtype=np.int64)  # type: ignore[call-overload]
        steps = np.diff(numbers, prepend=0)
        chosen = set(rows)
        other = [[i, v] for i, v in enumerate(values) if i not in chosen]
        return {"digits": digits, "ints": encode_varints(zigzag(steps)), "other": other}
    if all(isinstance(v, str) for v in values):
        heads = [v[: v.find(" ") + 1] for v in values]  # "" when there is no space
        head_codes, distinct = pd.factorize(pd.Series(heads, dtype="object"))
        if len(distinct) <= MAX_HEADS and sum(map(len, heads)) >= 2 * n:
            return {
                "heads": list(distinct),
                "head": encode_varints(head_codes),
                "tails": [v[len(h) :] for v, h in zip(values, heads, strict=True)],  # type: ignore[index]
            }
    return list(values)


def _digit_width(values: list[object]) -> int:
    """The width of the digit codes that make at least half the column, else 0."""
    widths = Counter(len(v) for v in values if isinstance(v, str) and v.isascii() and v.isdigit())
    if not widths:
        return 0
    width, count = widths.most_common(1)[0]
    return width if count * 2 >= len(values) and width <= MAX_DIGITS else 0


def _is_code(value: object, digits: int) -> bool:
    return isinstance(value, str) and len(value) == digits and value.isascii() and value.isdigit()


def _string_lists(shape: Any) -> list[list[object]]:
    """The lists of ``shape`` whose strings are packed, in a fixed order."""
    if isinstance(shape, list):
        return [shape]
    if "values" in shape:
        return [shape["values"]]
    if "digits" in shape:
        return [[value for _, value in shape["other"]]]
    return [shape["heads"], shape["tails"]]


def _with_lists(shape: Any, packed: Any) -> Any:
    """``shape`` with its string lists replaced by the next packed ones."""
    if isinstance(shape, list):
        return next(packed)
    if "values" in shape:
        return {**shape, "values": next(packed)}
    if "digits" in shape:
        values = next(packed)
        return {
            **shape,
            "other": [[row, v] for (row, _), v in zip(shape["other"], values, strict=True)],
        }
    return {**shape, "heads": next(packed), "tails": next(packed)}


def decode_columns(props: dict[str, Any], table: Sequence[str]) -> dict[str, list[Any]]:
    """The columns of :func:`encode_columns` output, one value per row (what :data:`TEXT_JS`'s
    ``atlasColumns`` gives the browser)."""

    def text(value: Any) -> Any:
        return unpack_text(value, table) if isinstance(value, str) else value

    out: dict[str, list[Any]] = {}
    for name, shape in props.items():
        if isinstance(shape, list):
            out[name] = [text(v) for v in shape]
        elif "values" in shape:
            distinct = [text(v) for v in shape["values"]]
            out[name] = [distinct[i] for i in decode_varints(shape["index"]).tolist()]
        elif "digits" in shape:
            numbers = iter(np.cumsum(unzigzag(decode_varints(shape["ints"]))).tolist())
            other = {row: text(v) for row, v in shape["other"]}
            n = len(other) + len(decode_varints(shape["ints"]))
            out[name] = [
                other[i] if i in other else str(next(numbers)).zfill(shape["digits"])
                for i in range(n)
            ]
        else:
            heads = [text(v) for v in shape["heads"]]
            out[name] = [
                heads[h] + text(tail)
                for h, tail in zip(
                    decode_varints(shape["head"]).tolist(), shape["tails"], strict=True
                )
            ]
    return out


#: JavaScript ``atlasColumns(props, table)``: the inverse of :func:`encode_columns`, an
#: object of one array per property (needs ``atlasVarints``, ``atlasZig``, ``atlasText``).
COLUMNS_JS = """
function atlasColumns(props, table) {
  function text(v) { return atlasText(v, table); }
  var out = {};
  Object.keys(props).forEach(function (name) {
    var s = props[name], column;
    if (Array.isArray(s)) {
      column = s.map(text);
    } else if ("values" in s) {
      var values = s.values.map(text);
      column = atlasVarints(s.index).map(function (i) { return values[i]; });
    } else if ("digits" in s) {
      var steps = atlasVarints(s.ints), n = steps.length + s.other.length, v = 0, k = 0, o = 0;
      column = new Array(n);
      for (var i = 0; i < n; i++) {
        if (o < s.other.length && s.other[o][0] === i) {
          column[i] = text(s.other[o++][1]);
          continue;
        }
        v += atlasZig(steps[k++]);
        column[i] = String(v).padStart(s.digits, "0");
      }
    } else {
      var heads = s.heads.map(text);
      column = atlasVarints(s.head).map(function (h, i) { return heads[h] + text(s.tails[i]); });
    }
    out[name] = column;
  });
  return out;
}
"""
