"""Tests of geo.geography.geographies: which geographies are offered and how they are named."""

from __future__ import annotations

import pytest

from geo.geography.admin_units import ALL_PROVINCES, all_province_codes
from geo.geography.geographies import (
    available_geographies,
    file_geography,
    geography_label,
    provinces_label,
)


def test_one_province_is_named():
    assert provinces_label("17") == "Tỉnh Hòa Bình"
    assert provinces_label(("31",), "en") == "Thành phố Hải Phòng"


def test_a_few_provinces_are_listed_more_are_counted():
    assert provinces_label(("25", "17")) == "Tỉnh Hòa Bình, Tỉnh Phú Thọ"
    four = ("01", "17", "25", "26")
    assert provinces_label(four, "vi") == "4 tỉnh, thành phố (Thành phố Hà Nội…)"
    assert provinces_label(four, "en") == "4 provinces (Thành phố Hà Nội…)"


@pytest.mark.parametrize("given", [ALL_PROVINCES, all_province_codes()])
def test_the_whole_country(given, tmp_path):
    assert provinces_label(given, "vi") == "Toàn quốc (63 tỉnh, thành phố)"
    assert provinces_label(given, "en") == "Whole country (63 provinces)"
    choice, *rest = available_geographies(tmp_path, province_codes=given)
    assert [c.key for c in rest] == [
        "shipped:phutho-2025:former-17",
        "shipped:phutho-2025",
        "schematic2025:all",
    ]
    assert choice.key == "schematic:all"
    assert choice.province_codes == all_province_codes()
    assert choice.label.startswith("Whole country (63 provinces): schematic")
    assert geography_label(choice, "en") == (
        "Whole country (63 provinces) – schematic, units of 2020-2025"
    )


def test_several_provinces_choice(tmp_path):
    choice, *rest = available_geographies(tmp_path, province_codes=("25", "17"))
    assert rest[-1].key == "schematic2025:25"  # both joined the Phú Thọ of 2025
    assert choice.key == "schematic:17+25"
    assert choice.province_codes == ("17", "25")
    assert geography_label(choice, "vi") == (
        "Tỉnh Hòa Bình, Tỉnh Phú Thọ – sơ đồ, đơn vị hành chính 2020-2025"
    )


def test_unknown_province_is_refused(tmp_path):
    with pytest.raises(ValueError, match="99"):
        available_geographies(tmp_path, province_codes=("17", "99"))


def test_file_geography_keeps_features_without_a_code(make_commune_grid, tmp_path, monkeypatch):
    import geo.geography.boundaries

    monkeypatch.setattr(geo.geography.boundaries, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    grid = make_commune_grid(nx=3, ny=3)
    grid.loc[[0, 7], "commune_code"] = None
    path = tmp_path / "xa.geojson"
    grid.to_file(path, engine="pyogrio")
    geography = file_geography(path, vintage="2019")
    codes = geography.communes["commune_code"]
    assert codes.tolist()[0] == "no-code:1" and codes.tolist()[7] == "no-code:8"
    assert codes.is_unique
    assert geography.kind == "file"
    assert len(geography.districts) == 3
