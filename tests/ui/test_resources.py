"""The pages' cached resources (geo.ui.resources): the area box's lists."""

from __future__ import annotations

from geo.geography.geographies import default_geography, default_geography_2025
from geo.ui.resources import district_names


def test_district_names_are_in_vietnamese_order():
    names = list(district_names(default_geography()).values())
    # Code-point order would put "Huyện Đà Bắc" after "Huyện Yên Thủy".
    assert names[:3] == ["Huyện Cao Phong", "Huyện Đà Bắc", "Huyện Kim Bôi"]
    assert names[-1] == "Thành phố Hòa Bình" and len(names) == 10


def test_2025_area_box_lists_the_former_districts_by_name():
    names = district_names(default_geography_2025())
    assert names["150"] == "Huyện Đà Bắc" and list(names).index("150") == 1
    assert "" not in names and len(names) == 10


def test_district_names_are_kept_per_geography_object_and_handed_out_as_copies():
    schematic, real_2025 = default_geography(), default_geography_2025()
    first = district_names(schematic)
    first.clear()  # a caller's change does not reach the next caller
    assert len(district_names(schematic)) == 10
    assert district_names(real_2025)["150"] == "Huyện Đà Bắc"
    assert district_names(default_geography()) == district_names(schematic)  # a new object
