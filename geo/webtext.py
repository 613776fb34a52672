"""Short ASCII for Vietnamese text in what Streamlit sends to the browser.

Streamlit sends a component's arguments as ``json.dumps`` output, which escapes every
non-ASCII character as ``\\uXXXX``: six bytes for each "ư", "ờ" or "ễ". Commune names are
mostly such letters ("Phường Nguyễn Trung Trực" has four), so 11,000 names cost about twice
their length. :func:`pack_texts` writes each non-ASCII character (and the marker ``~``
itself) as ``~`` plus its index in a table of the characters used, as a varint
(:mod:`geo.topology`): two bytes for the 32 most frequent, three for the rest. The table is
sent once; :data:`TEXT_JS` restores the text in the browser.

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

from geo.topology import decode_varints, encode_varints

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
