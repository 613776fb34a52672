"""Vintages and levels; 2025 layers (no districts): shipped, loaded from a file, schematic."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS
from repo_paths import SHARED_DATA

from geo.geography.admin_units import communes
from geo.geography.boundaries import load_boundaries
from geo.geography.geographies import (
    DEFAULT_2025_KEY,
    FORMER_HOA_BINH_2025_KEY,
    PHU_THO_2025_KEY,
    VINTAGES,
    Geography,
    area_label,
    available_geographies,
    default_geography,
    district_labels,
    file_geography,
    geography_label,
    level_label,
    load_geography,
    provinces_label,
    schematic_geography_2025,
    shipped_choices,
    shipped_geography,
    vintage_of,
)
from geo.geography.schematic import NO_PREDECESSOR_CELL, districts_from_communes
from geo.geography.units_2025 import (
    communes_2025,
    convert_codes_2025,
    former_districts_2025,
    successor_codes_2025,
)
from geo.geography.validation import ValidationOptions, check_coverage

ATTRIBUTION = (
    "Ranh giới xã 2025: thanglequoc/vietnamese-provinces-database (MIT), từ Bản đồ tham chiếu "
    "đơn vị hành chính (sapnhap.bando.com.vn)"
)
REAL_2025 = SHARED_DATA / "boundaries" / "phutho_communes_2025_vnpdb.geojson"


# --- vintages and levels ------------------------------------------------------------------------


def test_levels_and_dates_of_each_vintage():
    assert VINTAGES["2019"].levels == ("province", "district", "commune")
    assert VINTAGES["2020-2025"].levels == ("province", "district", "commune")
    assert VINTAGES["2025"].levels == ("province", "commune")
    assert [v.has_districts for v in VINTAGES.values()] == [True, True, False]
    assert VINTAGES["2019"].valid_to == date(2019, 12, 31)
    assert (VINTAGES["2020-2025"].valid_from, VINTAGES["2020-2025"].valid_to) == (
        date(2020, 1, 1),
        date(2025, 6, 30),
    )
    assert VINTAGES["2025"].valid_from == date(2025, 7, 1) and VINTAGES["2025"].valid_to is None
    assert vintage_of("2008-2019") is None and vintage_of("unknown") is None


def test_vintage_and_level_labels_in_both_languages():
    assert "không còn cấp huyện" in VINTAGES["2025"].label("vi")
    assert "no district level" in VINTAGES["2025"].label("en")
    assert VINTAGES["2019"].label("vi").startswith("Đơn vị hành chính đến 31/12/2019")
    assert [level_label(x, "vi") for x in ("province", "district", "commune")] == [
        "Tỉnh",
        "Huyện",
        "Xã",
    ]


def test_today_default_is_unchanged_and_has_districts():
    geography = default_geography()
    assert geography.vintage_info is VINTAGES["2020-2025"]
    assert geography.has_districts and len(geography.communes) == 151
    assert geography.area_levels == ("province", "district", "commune")


# --- a 2025 layer without districts -------------------------------------------------------------


def _grid_2025(make_commune_grid, *, keep_district_columns: bool) -> gpd.GeoDataFrame:
    grid = make_commune_grid(nx=3, ny=2)
    grid["commune_code"] = ["04792", "04795", "04828", "04831", "05266", "05287"]
    grid["province_code"], grid["province_name"] = "25", "Tỉnh Phú Thọ"
    if keep_district_columns:  # present but empty, as in the fetched 2025 layers
        grid["district_code"], grid["district_name"] = "", None
    else:
        grid = grid.drop(columns=["district_code", "district_name"])
    return grid


@pytest.mark.parametrize("keep_district_columns", [False, True])
def test_a_2025_file_without_districts_loads_validates_and_is_named(
    make_commune_grid, tmp_path, monkeypatch, keep_district_columns
):
    import geo.geography.boundaries

    monkeypatch.setattr(geo.geography.boundaries, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    path = tmp_path / "xa_2025.geojson"
    _grid_2025(make_commune_grid, keep_district_columns=keep_district_columns).to_file(path)
    layer = load_boundaries(path, vintage="2025")
    assert layer.summary()["districts"] == 0
    assert [p for p in layer.problems if p.severity == "error"] == []
    geography = file_geography(path, vintage="2025")
    assert len(geography.communes) == 6 and len(geography.districts) == 0
    assert not geography.has_districts
    assert geography.area_levels == ("province", "commune")
    assert geography.vintage_info is VINTAGES["2025"]
    assert district_labels(geography.communes) == [""] * 6
    assert area_label(geography.communes, "en") == "Tỉnh Phú Thọ"
    # The grouping by former district: registry codes get it.
    assert geography.communes.set_index("commune_code").loc["05266", "former_district_name"] == (
        "Huyện Lạc Sơn"
    )


def test_district_labels_of_several_provinces_without_districts():
    frame = gpd.GeoDataFrame(
        {
            "district_name": [None, float("nan"), "Huyện Lạc Sơn"],
            "province_name": ["Tỉnh Phú Thọ", "Tỉnh Lào Cai", "Tỉnh Hòa Bình"],
        }
    )
    assert district_labels(frame) == ["", "", "Huyện Lạc Sơn, Tỉnh Hòa Bình"]


def test_districts_from_communes_skips_communes_without_a_district(make_commune_grid):
    grid = make_commune_grid(nx=2, ny=2).assign(vintage="2025")
    grid.loc[[0, 1], "district_code"] = [None, ""]
    districts = districts_from_communes(grid)
    assert districts["district_code"].tolist() == ["149"]
    empty = districts_from_communes(grid.drop(columns=["district_code", "district_name"]))
    assert len(empty) == 0 and list(empty.columns)[:2] == ["district_code", "district_name"]
    with pytest.raises(ValueError, match="province_code"):
        districts_from_communes(grid.drop(columns=["province_code"]))


def test_provinces_are_named_by_the_list_of_their_vintage():
    assert provinces_label("15") == "Tỉnh Yên Bái"
    assert provinces_label("15", vintage="2025") == "Tỉnh Lào Cai"
    assert provinces_label("17", vintage="2025") == "Tỉnh Phú Thọ"
    assert provinces_label("all", "vi", vintage="2025") == "Toàn quốc (34 tỉnh, thành phố)"


# --- the former districts ("khu vực huyện cũ") --------------------------------------------------


def test_former_district_of_a_commune_drawn_from_two_districts():
    table = former_districts_2025("25").set_index("commune_code")
    assert len(table) == 148
    # Phường Thống Nhất: 4 communes of TP Hòa Bình and half of the split Vầy Nưa (Đà Bắc).
    row = table.loc["04828"]
    assert row["former_district_code"] == "148"
    assert row["former_district_name"] == "Thành phố Hòa Bình"
    assert row["former_districts"] == "Thành phố Hòa Bình; Huyện Đà Bắc"


# --- the shipped 2025 layers --------------------------------------------------------------------


def test_former_hoa_binh_is_the_46_communes_of_the_converter():
    from_converter = {
        code
        for codes in convert_codes_2025(communes("17")["commune_code"])["new_codes"]
        for code in codes
    }
    assert len(from_converter) == 46
    assert set(successor_codes_2025("17")) == from_converter
    geography = shipped_geography(former_province_codes=("17",))
    assert set(geography.communes["commune_code"]) == from_converter
    assert len(geography.communes) == 46
    assert geography.kind == "shipped" and geography.vintage == "2025"
    assert geography.attribution == ATTRIBUTION
    assert not geography.has_districts and geography.area_levels == ("province", "commune")
    assert geography.communes["former_district_name"].notna().all()
    assert district_labels(geography.communes) == [""] * 46


def test_the_geographies_offer_the_2025_layers_with_attribution(tmp_path):
    choices = {c.key: c for c in available_geographies(tmp_path)}
    assert next(iter(choices)) == "schematic:17"  # the app's default stays first
    former, whole = choices[FORMER_HOA_BINH_2025_KEY], choices[PHU_THO_2025_KEY]
    assert DEFAULT_2025_KEY == FORMER_HOA_BINH_2025_KEY
    for choice in (former, whole):
        assert choice.kind == "shipped" and choice.vintage == "2025"
        assert choice.attribution == ATTRIBUTION and choice.licence == "MIT"
        assert choice.province_codes == ("25",)
    assert former.former_province_codes == ("17",) and whole.former_province_codes == ()
    assert geography_label(former, "vi").startswith(
        "Tỉnh Hòa Bình cũ (nay thuộc Tỉnh Phú Thọ) – ranh giới thật 2025"
    )
    assert geography_label(whole, "en").startswith("Tỉnh Phú Thọ – real boundaries of 2025")
    assert len(load_geography(whole).communes) == 148
    schematic = choices["schematic2025:25"]
    assert schematic.kind == "schematic" and "vietnamadminunits" in schematic.attribution
    assert geography_label(schematic, "vi") == "Tỉnh Phú Thọ – sơ đồ, đơn vị hành chính 2025"


def test_a_province_outside_phu_tho_gets_no_shipped_layer(tmp_path):
    keys = [c.key for c in available_geographies(tmp_path, province_codes="10")]
    assert keys == ["schematic:10", "schematic2025:15"]  # Lào Cai joined the Lào Cai of code 15


def test_a_damaged_shipped_layer_says_to_rebuild_it(tmp_path):
    from geo.errors import BoundaryError

    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not a parquet file")
    with pytest.raises(BoundaryError, match=r"build_boundaries\.py"):
        shipped_choices(broken)


# --- the 2025 schematic -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def phu_tho_2025(cache_dir) -> Geography:
    return schematic_geography_2025("25", cache_dir=cache_dir)


def test_schematic_2025_of_phu_tho_is_a_gapless_coverage(phu_tho_2025):
    cells = phu_tho_2025.communes
    assert len(cells) == 148
    assert cells["commune_code"].tolist() == communes_2025("25")["commune_code"].tolist()
    assert (cells["vintage"] == "2025").all() and cells["district_code"].isna().all()
    assert (cells["location_note"] == "").all()
    geoms = cells.geometry.values
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert bool(shapely.coverage_is_valid(geoms))
    outline = shapely.union_all(geoms)
    assert outline.geom_type == "Polygon" and len(outline.interiors) == 0
    metric = cells.to_crs(32648).geometry.values
    labels = cells["commune_code"].tolist()
    options = ValidationOptions(overlap_min_km2=0.0001, gap_min_km2=0.0001, max_listed=None)
    assert check_coverage(metric, labels, "x", crs=CRS.from_epsg(32648), options=options) == []
    assert phu_tho_2025.kind == "schematic" and not phu_tho_2025.has_districts


def test_schematic_2025_keeps_the_area_of_its_predecessors(phu_tho_2025, cache_dir):
    from geo.geography.schematic import schematic_communes

    old = schematic_communes(("17", "25", "26"), cache_dir=cache_dir)  # built for phu_tho_2025
    old_area = old.to_crs(32648).area.sum()
    new_area = phu_tho_2025.communes.to_crs(32648).area.sum()
    assert np.isclose(new_area, old_area, rtol=1e-6)
    # The split Vầy Nưa gave parts to both receivers: neither is its whole old cell.
    assert NO_PREDECESSOR_CELL not in set(phu_tho_2025.communes["location_note"])


@pytest.mark.shared
@pytest.mark.skipif(not REAL_2025.is_file(), reason=f"{REAL_2025} not found")
def test_the_real_2025_layer_of_phu_tho_loads_without_districts(tmp_path, monkeypatch):
    import geo.geography.boundaries

    monkeypatch.setattr(geo.geography.boundaries, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    geography = file_geography(REAL_2025)
    assert len(geography.communes) == 148 and geography.vintage == "2025"
    assert len(geography.districts) == 0 and not geography.has_districts
    assert district_labels(geography.communes) == [""] * 148
    assert area_label(geography.communes, "vi") == "Tỉnh Phú Thọ"
    assert geography.communes["former_district_code"].notna().all()
