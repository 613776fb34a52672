import unicodedata

import pytest

from geo.geography.matching import (
    ascii_key,
    clean,
    closest_candidates,
    match_names,
    name_key,
    split_unit_type,
    unit_type,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Xã Hòa Bình", "Xã Hoà Bình"),  # old vs new tone-mark placement
        ("Xã Thủy Xuân", "Xã Thuỷ Xuân"),
        ("Xã Quý Hòa", "Xã Qúy Hòa"),
        ("Xã Lạc Sỹ", "Xã Lạc Sĩ"),  # i/y after a consonant
        ("Xã Kỳ Sơn", "Xã Kì Sơn"),
        ("Xã Quý Hòa", "Xã Quí Hòa"),
        ("Xã Tòng Đậu", nfd("Xã Tòng Đậu")),  # NFC vs NFD
        ("Xã Đồng Tâm", "Xã \u00d0ồng Tâm"),  # Đ (U+0110) vs Ð (U+00D0)
        ("Xã Tòng Đậu", "  XÃ   TÒNG  ĐẬU "),  # case and spaces
        ("Phường 1", "Phường 01"),  # numbered wards
        ("Phường 1", "P.01"),
        ("Phường 1", "P. 1"),
        ("Thị trấn Bo", "TT. Bo"),
        ("Thị trấn Bo", "TT Bo"),
        ("Thành phố Hòa Bình", "TP Hòa Bình"),
        ("Thành phố Hòa Bình", "TP. Hòa Bình"),
        ("Thị xã Sơn Tây", "TX. Sơn Tây"),
        ("Quận 1", "Q.1"),
        ("Huyện Kỳ Sơn", "H. Kỳ Sơn"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu"),  # punctuation, no prefix
        ("Huyện Ea H'Leo", "Huyện Ea H’Leo"),  # apostrophes
    ],
)
def test_spelling_variants_have_the_same_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Xã Hòa Sơn", "Xã Hóa Sơn"),  # another tone is another name
        ("Xã Tân An", "Xã Tấn An"),
        ("Xã Thủy Lợi", "Xã Thủi Lợi"),  # "uy" is not the i/y variant
        ("Phường 1", "Phường 10"),
        ("Xã Mi Hòa", "Xã Mỵ Hòa"),
    ],
)
def test_different_names_have_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_ascii_key_is_the_last_resort():
    assert ascii_key("Xã Hòa Sơn") == ascii_key("Xã Hóa Sơn") == "hoa son"
    assert ascii_key("Xã Đồng Tâm") == "dong tam"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Thị trấn Mãn Đức", ("Thị trấn", "Mãn Đức")),
        ("TT.Mãn Đức", ("Thị trấn", "Mãn Đức")),
        ("Phuong 01", ("Phường", "01")),
        ("Xa Tong Dau", ("Xã", "Tong Dau")),
        ("Quan 3", ("Quận", "3")),
        ("Quan Sơn", (None, "Quan Sơn")),  # a name, not "Quận"
        ("Xa Phien", (None, "Xa Phien")),  # ASCII "Xà Phiên", not "Xã Phiên"
        ("Xã", (None, "Xã")),  # a prefix alone is a name
        ("Tp Hòa Bình", ("Thành phố", "Hòa Bình")),
    ],
)
def test_split_unit_type(name, expected):
    assert split_unit_type(name) == expected


def test_unit_type_and_type_aware_key():
    assert unit_type("Xã Bo") == "Xã" and unit_type("Bo") is None
    assert name_key("Thị trấn Bo", keep_type=True) != name_key("Xã Bo", keep_type=True)
    assert clean("  Xã \u00d0ồng   Tâm ") == "Xã Đồng Tâm"


CANDIDATES = {
    "04978": "Thị trấn Bo",
    "04987": "Xã Hùng Sơn",
    "05017": "Xã Xuân Thủy",
    "05038": "Xã Hợp Tiến",
    "05083": "Xã Mỵ Hòa",
    "04999": "Xã Tú Sơn",
}


def test_match_levels():
    result = match_names(["Thị trấn Bo", "Xã Xuân Thuỷ", "hùng sơn", "Xa Hop Tien"], CANDIDATES)
    found = {m.name: (m.candidate_id, m.method) for m in result.matched}
    assert found == {
        "Thị trấn Bo": ("04978", "exact"),
        "Xã Xuân Thuỷ": ("05017", "normalised"),
        "hùng sơn": ("04987", "name"),
        "Xa Hop Tien": ("05038", "ascii"),
    }
    assert not result.ambiguous and not result.unmatched


def test_type_change_is_matched_but_flagged():
    result = match_names(["Xã Bo"], CANDIDATES)
    assert result.matched[0].candidate_id == "04978"
    assert result.matched[0].method == "name" and result.matched[0].type_differs


def test_unmatched_lists_the_closest_candidates():
    result = match_names(["Xã Mi Hòa", "Xã Nowhere Else"], CANDIDATES, cutoff=0.0)
    assert not result.matched
    mi_hoa = result.unmatched[0]
    assert mi_hoa.closest[0].id == "05083" and mi_hoa.closest[0].score > 0.8
    assert len(result.unmatched[1].closest) == 3


def test_two_names_for_one_candidate_are_both_ambiguous():
    result = match_names(["Xã Tú Sơn", "Xã Tu Sơn"], {"04999": "Xã Tú Sơn", "1": "Xã Khác"})
    # the exact one wins; the other may not take the same unit: reported, not guessed
    assert [m.name for m in result.matched] == ["Xã Tú Sơn"]
    assert result.unmatched[0].name == "Xã Tu Sơn"
    assert result.unmatched[0].closest[0].id == "04999"
    result = match_names(["Xã Tu Son", "Xa Tu Son"], {"04999": "Xã Tú Sơn"})
    assert not result.matched and len(result.ambiguous) == 2
    assert "claim the same candidate" in result.ambiguous[0].reason


def test_candidates_with_the_same_key_are_ambiguous():
    result = match_names(["Hợp Tiến"], {"05038": "Xã Hợp Tiến", "05039": "Xã Hợp Tiến"})
    assert not result.matched
    assert {c.id for c in result.ambiguous[0].candidates} == {"05038", "05039"}


def test_ascii_level_can_be_left_out():
    result = match_names(["Xa Hop Tien"], CANDIDATES, methods=("exact", "normalised", "name"))
    assert not result.matched and result.unmatched[0].closest[0].id == "05038"


def test_missing_names_are_unmatched_and_order_is_kept():
    result = match_names([None, "", "Xã Tú Sơn"], CANDIDATES)
    assert [u.index for u in result.unmatched] == [0, 1]
    assert result.by_index()[2].candidate_id == "04999"
    assert "04978" in result.unclaimed(CANDIDATES)


def test_closest_candidates_are_ranked():
    ranked = closest_candidates("Xã Hùng Tiến", CANDIDATES, n=2, cutoff=0.0)
    assert [c.id for c in ranked] == ["04987", "05038"]
    assert ranked[0].score >= ranked[1].score
