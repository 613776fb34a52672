"""Compact text for the browser: packed letters and the shortest form of each column."""

import json

import pytest

from geo.web.text import decode_columns, encode_columns, pack_texts, unpack_text


def test_packed_letters_are_short_ascii():
    names = ["Phường Nguyễn Trung Trực", "Xã Tân Mỹ", "a ~ b", "plain"]
    (packed,), table = pack_texts([names])
    assert packed[3] == "plain" and all(s.isascii() for s in packed)
    assert [unpack_text(s, table) for s in packed] == names
    # What Streamlit sends (json.dumps, ASCII-escaped) is shorter; the table goes once a layer.
    assert len(json.dumps(packed)) < 0.75 * len(json.dumps(names))
    # The most frequent letters come first (one digit after the marker).
    assert table[0] in ("ư", "ờ", "ễ", "ự", "â", "ỹ", "~") and len(table) == len(set(table))


def test_column_forms():
    n = 12
    codes = [f"{17000 + 3 * i:05d}" for i in range(n - 1)] + ["no-code:1"]
    names = [("Xã " if i % 3 else "Phường ") + f"Số {i}" for i in range(n)]
    fills = ["#fff", "#000"] * (n // 2)
    values = [f"{i},5" for i in range(n)]
    props, table = encode_columns({"code": codes, "name": names, "fill": fills, "value": values})
    assert set(props["code"]) == {"digits", "ints", "other"}
    assert props["code"]["digits"] == 5 and props["code"]["other"] == [[n - 1, "no-code:1"]]
    assert len(props["code"]["ints"]) <= 4 + n  # 17000 once, then a step of 3: one digit each
    assert set(props["name"]) == {"heads", "head", "tails"}
    assert set(props["fill"]) == {"values", "index"} and props["fill"]["index"] == "ABABABABABAB"
    assert props["value"] == values
    assert decode_columns(props, table) == {
        "code": codes,
        "name": names,
        "fill": fills,
        "value": values,
    }


@pytest.mark.parametrize(
    "column",
    [
        [],
        ["1", "2"],  # too short to factor: two distinct values in two rows
        ["0001", "0002", "x", "y", "z"],  # codes but not half the column
        ["x y", "x z", "w", "v u"],  # heads that do not pay
        [None, 2.5, "a"],
    ],
)
def test_round_trip_of_any_column(column):
    props, table = encode_columns({"c": column})
    assert decode_columns(props, table) == {"c": column}
