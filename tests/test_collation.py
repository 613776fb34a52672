import unicodedata

import pandas as pd
import pytest

from geo.collation import sort_key, vietnamese_key

#: The districts of Hòa Bình (2020–2025) in the order of a Vietnamese reader.
HOA_BINH_DISTRICTS = [
    "Huyện Cao Phong",
    "Huyện Đà Bắc",
    "Huyện Kim Bôi",
    "Huyện Lạc Sơn",
    "Huyện Lạc Thủy",
    "Huyện Lương Sơn",
    "Huyện Mai Châu",
    "Huyện Tân Lạc",
    "Huyện Yên Thủy",
    "Thành phố Hòa Bình",
]


def vietnamese_sorted(names):
    return sorted(names, key=vietnamese_key)


def test_hoa_binh_districts_in_vietnamese_order():
    shuffled = HOA_BINH_DISTRICTS[::-1][3:] + HOA_BINH_DISTRICTS[::-1][:3]
    assert vietnamese_sorted(shuffled) == HOA_BINH_DISTRICTS
    # what Python's code-point order gets wrong: Đ (U+0110) after Y
    assert sorted(shuffled).index("Huyện Đà Bắc") > sorted(shuffled).index("Huyện Yên Thủy")


def test_alphabet_letters_follow_their_base_letter():
    letters = [*"yxvutsrqponmlkihgedcba", "ă", "â", "đ", "ê", "ô", "ơ", "ư"]
    expected = [*"aăâbcdđeêghiklmnoôơpqrstuưvxy"]
    assert vietnamese_sorted(letters) == expected


def test_tones_in_order_ngang_huyen_hoi_nga_sac_nang_after_the_letters():
    assert vietnamese_sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]
    # letters decide first: "mác" follows every tone of "ma"
    assert vietnamese_sorted(["mác", "mạ", "ma"]) == ["ma", "mạ", "mác"]
    # a letter with a tone is still its letter: "ặ" is ă, after every a and before â
    assert vietnamese_sorted(["âb", "ặb", "ab", "áb"]) == ["ab", "áb", "ặb", "âb"]


def test_case_insensitive_then_lower_first_and_any_normal_form():
    assert vietnamese_sorted(["Bình", "an", "Ân", "ăn", "An"]) == ["an", "An", "ăn", "Ân", "Bình"]
    decomposed = unicodedata.normalize("NFD", "Đà Bắc")
    assert vietnamese_key(decomposed) == vietnamese_key("Đà Bắc")
    assert vietnamese_key("ĐÀ BẮC")[:2] == vietnamese_key("đà bắc")[:2]


def test_numbers_compare_as_numbers_and_before_letters():
    names = ["Phường Tân Hòa", "Phường 10", "Phường 2", "Phường 1", "Xã 3A"]
    assert vietnamese_sorted(names) == [
        "Phường 1",
        "Phường 2",
        "Phường 10",
        "Phường Tân Hòa",
        "Xã 3A",
    ]


def test_a_shorter_name_comes_first_and_spaces_before_letters():
    assert vietnamese_sorted(["Xã Tân Lạc", "Xã Tân", "Xã Tânh"]) == [
        "Xã Tân",
        "Xã Tân Lạc",
        "Xã Tânh",
    ]


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_missing_names_sort_first(missing):
    assert vietnamese_sorted(["Xã A", missing])[0] is missing


def test_sort_key_sorts_text_columns_and_leaves_numbers_and_ordered_categories():
    frame = pd.DataFrame(
        {
            "district": pd.Series(["Huyện Yên Thủy", "Huyện Đà Bắc", "Huyện Đà Bắc"], dtype="str"),
            "level": pd.Categorical(["b", "a", "b"], categories=["b", "a"], ordered=True),
            "n": [1, 3, 2],
        }
    )
    assert frame.sort_values(["district", "n"], key=sort_key)["n"].tolist() == [2, 3, 1]
    assert frame.sort_values(["level", "n"], key=sort_key)["n"].tolist() == [1, 2, 3]
    assert frame.sort_values("n", key=sort_key, ascending=False)["n"].tolist() == [3, 2, 1]
