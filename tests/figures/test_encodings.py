"""Legacy Vietnamese encodings (geo.text_encodings, re-exported by geo.figures.encodings): code
points, round trips, detection, bytes."""

from __future__ import annotations

import unicodedata

import pytest

import geo.figures.encodings
import geo.text_encodings
from geo.geography.admin_units import communes
from geo.text_encodings import (
    TCVN3_TO_UNICODE,
    VNI_TO_UNICODE,
    decode_bytes,
    decode_texts,
    encode_cp1258,
    font_hint,
    implausibility,
    repair_text,
    repair_texts,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

# Every Vietnamese letter outside ASCII, lower then upper case.
LOWER_WORDS = "àảãáạ ăằẳẵắặ âầẩẫấậ đ èẻẽéẹ êềểễếệ ìỉĩíị òỏõóọ ôồổỗốộ ơờởỡớợ ùủũúụ ưừửữứự ỳỷỹýỵ"
LOWER = LOWER_WORDS.replace(" ", "")
UPPER = LOWER.upper()


# Code points checked against two independent public tables (X11 TCVNtoUCS2 for TCVN 5712,
# and the TCVN3/VNI-Windows tables of a Vietnamese keyboard driver).
@pytest.mark.parametrize(
    ("letter", "code"),
    [
        ("à", 0xB5),
        ("á", 0xB8),
        ("ả", 0xB6),
        ("ã", 0xB7),
        ("ạ", 0xB9),
        ("ă", 0xA8),
        ("â", 0xA9),
        ("đ", 0xAE),
        ("ê", 0xAA),
        ("ô", 0xAB),
        ("ơ", 0xAC),
        ("ư", 0xAD),
        ("Ă", 0xA1),
        ("Â", 0xA2),
        ("Ê", 0xA3),
        ("Ô", 0xA4),
        ("Ơ", 0xA5),
        ("Ư", 0xA6),
        ("Đ", 0xA7),
        ("ậ", 0xCB),
        ("ế", 0xD5),
        ("ì", 0xD7),
        ("ò", 0xDF),
        ("ờ", 0xEA),
        ("ự", 0xF9),
        ("ỵ", 0xFE),
    ],
)
def test_tcvn3_code_points(letter, code):
    assert unicode_to_tcvn3(letter) == chr(code)
    assert TCVN3_TO_UNICODE[chr(code)] == letter


@pytest.mark.parametrize(
    ("letter", "spelling"),
    [
        ("á", "a\xf9"),
        ("à", "a\xf8"),
        ("ả", "a\xfb"),
        ("ã", "a\xf5"),
        ("ạ", "a\xef"),
        ("â", "a\xe2"),
        ("ấ", "a\xe1"),
        ("ầ", "a\xe0"),
        ("ẩ", "a\xe5"),
        ("ẫ", "a\xe3"),
        ("ậ", "a\xe4"),
        ("ă", "a\xea"),
        ("ắ", "a\xe9"),
        ("ằ", "a\xe8"),
        ("ẳ", "a\xfa"),
        ("ẵ", "a\xfc"),
        ("ặ", "a\xeb"),
        ("đ", "\xf1"),
        ("Đ", "\xd1"),
        ("ơ", "\xf4"),
        ("ư", "\xf6"),
        ("ờ", "\xf4\xf8"),
        ("ỉ", "\xe6"),
        ("ĩ", "\xf3"),
        ("ị", "\xf2"),
        ("ỵ", "\xee"),
        ("Ỵ", "\xce"),
        ("Ậ", "A\xc4"),
    ],
)
def test_vni_spellings(letter, spelling):
    assert unicode_to_vni(letter) == spelling
    assert VNI_TO_UNICODE[spelling] == letter


def test_every_letter_round_trips():
    for letter in LOWER + UPPER:
        assert vni_to_unicode(unicode_to_vni(letter)) == letter
        # TCVN3 has no toned capitals: they come back in lower case.
        assert tcvn3_to_unicode(unicode_to_tcvn3(letter)).lower() == letter.lower()
    for capital in "ĂÂĐÊÔƠƯ":
        assert tcvn3_to_unicode(unicode_to_tcvn3(capital)) == capital


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Hoµ B×nh", "Hoà Bình"),
        ("x· Tßng §Ëu", "xã Tòng Đậu"),
        ("huyÖn L¹c S¬n", "huyện Lạc Sơn"),
        ("Tªn x·", "Tên xã"),
        ("Sè m« h×nh", "Số mô hình"),
        ("UBND TØNH HOµ B×NH", "UBND TỈNH HOÀ BÌNH"),
        ("§µ B¾c", "Đà Bắc"),
        ("¢n NghÜa", "Ân Nghĩa"),
    ],
)
def test_tcvn3_known_words(legacy, expected):
    assert tcvn3_to_unicode(legacy) == expected
    assert repair_text(legacy) == (expected, "tcvn3")


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Hoøa Bình", "Hòa Bình"),
        ("Xaõ", "Xã"),
        ("Xaõ Ñoàng Taâm", "Xã Đồng Tâm"),
        ("HUYEÄN LAÏC SÔN", "HUYỆN LẠC SƠN"),
        ("Möôøng Chieàng", "Mường Chiềng"),
        ("Quaän 1", "Quận 1"),
    ],
)
def test_vni_known_words(legacy, expected):
    assert vni_to_unicode(legacy) == expected
    assert repair_text(legacy) == (expected, "vni")


def test_unicode_names_are_never_converted_and_legacy_names_come_back():
    table = communes("17")
    names = [*table["commune_name"], *table["district_name"].unique(), "Tỉnh Hòa Bình"]
    for name in names:
        assert repair_text(name) == (name, "unicode")
        assert repair_text(unicodedata.normalize("NFD", name)) == (name, "unicode")
        assert repair_text(unicode_to_vni(name))[0] == name
        assert repair_text(unicode_to_tcvn3(name))[0].lower() == name.lower()


def test_plausibility():
    assert implausibility("Hòa Bình") == 0
    assert implausibility("Hoà Bình") == 0  # new-style tone placement is fine
    assert implausibility("Hoµ B×nh") > 0
    assert implausibility("Xaõ") > 0  # a tilde on the o of "ao": never Vietnamese
    assert implausibility("Kỳ 2024 · 151 xã") == 0  # a middle dot between words is a separator
    assert implausibility("UBND tỉnh") == 0


def test_mixed_file_keeps_unicode_cells():
    # A Unicode template (it has letters Windows-1252 lacks: "ệ") with TCVN3 text pasted in:
    # "Xã Hang Kia" reads well both ways ("Xó Hang Kia" in TCVN3) and stays as it is.
    cells = ["Huyện", "Xã Hang Kia", "Mã xã", "x· Tßng §Ëu", "Tªn x·"]
    repaired, legacy = repair_texts(cells)
    assert legacy == "tcvn3"
    assert repaired == ["Huyện", "Xã Hang Kia", "Mã xã", "xã Tòng Đậu", "Tên xã"]


def test_pure_legacy_file_converts_close_calls():
    # "Kinh tÕ" reads as "Kinh tõ" too; in a file typed entirely in TCVN3 it is "Kinh tế".
    repaired, legacy = repair_texts(["Tªn x·", "Kinh tÕ"])
    assert (repaired, legacy) == (["Tên xã", "Kinh tế"], "tcvn3")
    # A font hint decides it in a workbook.
    assert repair_texts(["Kinh tÕ"], hints=["tcvn3"]) == (["Kinh tế"], "tcvn3")


@pytest.mark.parametrize(
    ("font", "hint"),
    [
        (".VnTime", "tcvn3"),
        (".VnTimeH", "tcvn3"),
        ("VNI-Times", "vni"),
        ("Arial", None),
        (None, None),
    ],
)
def test_font_hint(font, hint):
    assert font_hint(font) == hint


TEXT = "STT,Tên xã,Huyện\n1,Xã Tòng Đậu,Huyện Mai Châu\n2,Phường Thái Bình,Thành phố Hòa Bình\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (encode_cp1258(TEXT), "cp1258"),
        (unicodedata.normalize("NFD", TEXT).encode("utf-8"), "utf-8"),
    ],
)
def test_decode_bytes(data, encoding):
    assert decode_bytes(data) == (TEXT, encoding)


@pytest.mark.parametrize("convert", [unicode_to_tcvn3, unicode_to_vni])
def test_decode_legacy_bytes(convert):
    text, encoding = decode_bytes(convert(TEXT).encode("cp1252"))
    assert encoding == "cp1252"
    cells = [cell for line in text.splitlines() for cell in line.split(",")]
    repaired, _ = repair_texts(cells)
    assert repaired == [cell for line in TEXT.splitlines() for cell in line.split(",")]


def test_encode_cp1258_uses_combining_tones():
    data = encode_cp1258("Lạc Sơn")
    assert data == b"La\xf2c S\xf5n"  # a + combining dot below; ơ is one byte
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == "Lạc Sơn"


def test_docstring_examples():
    import doctest

    assert doctest.testmod(geo.text_encodings).failed == 0


def test_figures_reexports_the_base_module():
    for name in geo.figures.encodings.__all__:
        assert getattr(geo.figures.encodings, name) is getattr(geo.text_encodings, name)


NAMES = ["Phường Thái Bình", "Xã Tòng Đậu", "Thị trấn Mai Châu", "Xã Lạc Sơn", "Hang Kia"]


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (str.encode, "utf-8"),
        (encode_cp1258, "cp1258"),
        (lambda text: unicode_to_tcvn3(text).encode("cp1252"), "tcvn3"),
        (lambda text: unicode_to_vni(text).encode("cp1252"), "vni"),
    ],
)
def test_decode_texts_finds_the_encoding_of_a_file(encode, expected):
    texts, encoding = decode_texts([encode(name) for name in NAMES])
    assert encoding == expected
    # TCVN3 has no toned capitals: "Xã" survives, a toned capital would come out lowercase.
    assert texts == NAMES


def test_decode_texts_ascii_only():
    assert decode_texts([b"Ha Noi", b""]) == (["Ha Noi", ""], "ascii")
