"""Tests of geo.geography.schematic: the offline schematic coverage built from vietnamadminunits.

No file from ../shared is needed; the fit to the real polygons is measured by
``bench/score_schematic.py`` instead.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geo.geography.schematic as schematic
from geo.geography.admin_units import all_province_codes, communes, location_evidence
from geo.geography.schematic import (
    BOUNDARY_KIND,
    DISTRICT_COLUMNS,
    EVIDENCE_COLUMNS,
    LOCATION_NOTE,
    build_schematic,
    cache_path,
    districts_from_communes,
    location_notes,
    name_key,
    schematic_communes,
    schematic_report,
)
from geo.schema import COMMUNE_COLUMNS, METRIC_CRS

#: Two Mai Châu communes that the registry places on one and the same centre: the centre and
#: extent of their district (the geocoder found only "Mai Châu District").
SHARED_CENTRE = ("04882", "05206")
#: Every Hòa Bình unit whose registry location is unreliable, with the rule that catches it.
UNRELIABLE_17 = {
    "04882": "district_fallback",  # Tân Thành (Mai Châu): the district's centre and extent
    "05047": "district_fallback",  # Thanh Cao (Lương Sơn): idem
    "05206": "district_fallback",  # Sơn Thủy (Mai Châu): idem
    "05254": "geocoded_elsewhere",  # Thành Sơn (Mai Châu): "Thành Sơn, Quan Hóa, Thanh Hóa"
    "05395": "outside_district",  # Phú Nghĩa (Lạc Thủy): 46 km off, in TP Hòa Bình
}


@pytest.fixture(scope="module")
def table():
    return communes("17").sort_values("commune_code").reset_index(drop=True)


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    return schematic_communes("17", cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def metric(cells):
    return cells.to_crs(METRIC_CRS)


@pytest.fixture(scope="module")
def report():
    return schematic_report("17")


@pytest.fixture(scope="module")
def reliable(cells):
    return (cells[LOCATION_NOTE] == "").to_numpy()


def test_one_cell_per_commune_in_schema_columns(cells, table):
    assert len(cells) == 151
    assert list(cells.columns) == [*COMMUNE_COLUMNS, LOCATION_NOTE, "geometry"]
    assert cells.crs.to_epsg() == 4326
    assert cells["commune_code"].is_monotonic_increasing
    assert list(cells["commune_code"]) == list(table["commune_code"])
    assert cells.attrs["boundary_kind"] == BOUNDARY_KIND == "schematic"
    assert "vietnamadminunits" in cells.attrs["boundary_source"]
    assert set(cells["vintage"]) == {"2020-2025"}


def test_cells_are_valid_polygons(cells):
    geoms = cells.geometry.values
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert set(cells.geom_type) == {"Polygon"}


def test_cells_form_a_coverage_without_gaps_or_overlaps(cells, metric):
    assert shapely.coverage_is_valid(cells.geometry.values)
    assert shapely.coverage_is_valid(metric.geometry.values)
    union = shapely.union_all(metric.geometry.values)
    # No overlaps: the parts add up to the whole; no gaps: the whole has no holes.
    assert metric.area.sum() == pytest.approx(union.area, rel=1e-9)
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0


def test_each_reliable_cell_holds_its_official_centre(cells, table, reliable):
    centres = shapely.points(table["lon"], table["lat"])
    geoms = cells.geometry.values
    assert reliable.sum() == 151 - len(UNRELIABLE_17)
    # No two reliable Hòa Bình units share a centre: each holds its own inside.
    assert shapely.contains(geoms[reliable], centres[reliable]).all()
    # The moved units are nowhere near their registry centre.
    assert not shapely.covers(geoms[~reliable], centres[~reliable]).any()


def test_each_relocated_cell_holds_its_substitute_site(cells, report, reliable):
    assert (report["commune_code"].to_numpy() == cells["commune_code"].to_numpy()).all()
    assert (report[LOCATION_NOTE].to_numpy() == cells[LOCATION_NOTE].to_numpy()).all()
    sites = shapely.points(report["site_lon"], report["site_lat"])
    assert shapely.contains(cells.geometry.values, sites).all()
    # Reliable units keep their registry centre as site, to the bit.
    same = report[["site_lon", "site_lat"]].to_numpy() == report[["lon", "lat"]].to_numpy()
    assert same.all(axis=1)[reliable].all()
    assert not same.any(axis=1)[~reliable].any()


def test_relocated_sites_are_distinct_and_in_their_district(report, table):
    moved = report[report[LOCATION_NOTE] != ""]
    # Three units of Mai Châu, two of them on the same registry centre, get three sites.
    assert not moved.duplicated(["site_lon", "site_lat"]).any()
    assert (moved["district_name"] == "Huyện Mai Châu").sum() == 3
    evidence = location_evidence("17").set_index("commune_code").loc[moved["commune_code"]]
    inside = (
        (moved["site_lon"].to_numpy() >= evidence["district_minx"].to_numpy())
        & (moved["site_lon"].to_numpy() <= evidence["district_maxx"].to_numpy())
        & (moved["site_lat"].to_numpy() >= evidence["district_miny"].to_numpy())
        & (moved["site_lat"].to_numpy() <= evidence["district_maxy"].to_numpy())
    )
    assert inside.all()


def test_units_sharing_a_centre_meet_on_it(table):
    # Without the registry evidence every location is taken as reliable; the two Mai Châu
    # units on one centre then share a raster site and are split on that centre.
    blind = table.assign(**{c: np.nan for c in EVIDENCE_COLUMNS}).assign(geo_address="")
    cells = build_schematic(blind)
    assert (cells[LOCATION_NOTE] == "").all()
    centres = shapely.points(table["lon"], table["lat"])
    geoms = cells.geometry.values
    assert shapely.covers(geoms, centres).all()
    shared = table["commune_code"].isin(SHARED_CENTRE).to_numpy()
    assert shapely.contains(geoms[~shared], centres[~shared]).all()
    assert shared.sum() == 2
    assert shapely.touches(geoms[shared][0], geoms[shared][1])
    assert shapely.coverage_is_valid(geoms)


def test_cells_are_shaped_by_their_extents(cells, table):
    boxes = shapely.box(table["minx"], table["miny"], table["maxx"], table["maxy"])
    geoms = cells.geometry.values
    inside = shapely.area(shapely.intersection(geoms, boxes)) / shapely.area(geoms)
    # Trusted extents (most of them) hold most of their cell; point-like ones cannot.
    assert (inside >= 0.5).mean() >= 0.75
    assert np.median(inside) >= 0.9


def test_outline_is_organic_not_a_rectangle(metric):
    union = shapely.union_all(metric.geometry.values)
    assert union.area / union.envelope.area < 0.7
    # Hòa Bình is about 4,600 km²; the schematic outline stays in that range.
    assert 4000 < union.area / 1e6 < 5500
    # Smoothed edges: many vertices, few right angles of pixel staircases.
    coords = shapely.get_coordinates(metric.geometry.values[0].exterior)
    turns = np.diff(np.arctan2(*np.diff(coords, axis=0).T[::-1]))
    right = np.isclose(np.abs(np.mod(turns + np.pi, 2 * np.pi) - np.pi), np.pi / 2, atol=0.02)
    assert right.mean() < 0.1


def test_location_notes_of_hoa_binh(cells, table):
    notes = location_notes(table.merge(location_evidence("17")))
    flagged = dict(zip(table["commune_code"][notes != ""], notes[notes != ""], strict=True))
    assert flagged == UNRELIABLE_17
    by_code = cells.set_index("commune_code")[LOCATION_NOTE]
    assert by_code[by_code != ""].to_dict() == UNRELIABLE_17
    # Not flagged: an address in a plus code or naming a neighbouring district, a centre a
    # little outside a district extent that predates a merger, a registry centre equal to the
    # district's with an extent of its own, an address in another province naming its district.
    for code in ("05104", "05125", "05425", "04999", "04897", "05041", "05209"):
        assert by_code[code] == "", code


def _synthetic(overrides=None):
    """Five units of one district 20 km square, each with a 4 km box, plus the evidence;
    ``overrides`` maps ``(row, column)`` to a value."""
    rows = []
    for k, (lon, lat) in enumerate(
        [(105.05, 20.05), (105.15, 20.05), (105.05, 20.15), (105.15, 20.15), (105.10, 20.10)]
    ):
        rows.append(
            {
                "commune_code": f"{90001 + k:05d}",
                "commune_name": f"Xã Số {k}",
                "commune_type": "Xã",
                "district_code": "901",
                "district_name": "Huyện Thử Nghiệm",
                "province_code": "17",
                "province_name": "Tỉnh Hòa Bình",
                "vintage": "2020-2025",
                "lon": lon,
                "lat": lat,
                "minx": lon - 0.02,
                "miny": lat - 0.02,
                "maxx": lon + 0.02,
                "maxy": lat + 0.02,
                "geo_address": f"Số {k}, Thử Nghiệm District, Hoa Binh, Vietnam",
                "district_lon": 105.10,
                "district_lat": 20.10,
                "district_minx": 105.0,
                "district_miny": 20.0,
                "district_maxx": 105.2,
                "district_maxy": 20.2,
                "province_keys": "tinhhoabinh|hoabinh",
                "district_keys": "huyenthunghiem|thunghiem",
            }
        )
    table = pd.DataFrame(rows)
    for (row, column), value in (overrides or {}).items():
        table.loc[row, column] = value
    return table


def test_location_rules_on_a_synthetic_district():
    keys = {"hoabinh": "17", "tinhhoabinh": "17", "thanhhoa": "38", "sonla": "14"}
    assert (location_notes(_synthetic(), province_keys=keys) == "").all()
    district = {"lon": 105.10, "lat": 20.10, "minx": 105.0, "miny": 20.0, "maxx": 105.2}
    fallback = _synthetic({(1, c): v for c, v in {**district, "maxy": 20.2}.items()})
    assert location_notes(fallback, province_keys=keys).tolist()[1] == "district_fallback"
    # The district's centre with an extent of its own is no fallback.
    centre_only = _synthetic({(1, "lon"): 105.10, (1, "lat"): 20.10})
    assert location_notes(centre_only, province_keys=keys).tolist()[1] == ""
    # 46 km away (half the district's size is 10 km): outside; 5 km: a stale extent, kept.
    far = _synthetic({(2, "lon"): 105.55, (2, "lat"): 20.25})
    assert location_notes(far, province_keys=keys).tolist()[2] == "outside_district"
    near = _synthetic({(2, "lon"): 105.10, (2, "lat"): 20.245})
    assert location_notes(near, province_keys=keys).tolist()[2] == ""
    # A district extent holding too few of its centres is no evidence (here: a point).
    point = {"district_minx": 105.299, "district_maxx": 105.301}
    point |= {"district_miny": 20.099, "district_maxy": 20.101}
    stale = _synthetic({(r, c): v for r in range(5) for c, v in point.items()})
    assert (location_notes(stale, province_keys=keys) == "").all()
    # Geocoded in another province, named in English or Vietnamese, with or without a type.
    for address in (
        "Thành Sơn, Quan Hóa, Thanh Hóa, Vietnam",
        "Thanh Son, Quan Hoa District, Thanh Hoa Province, Việt Nam",
        "Tỉnh Thanh Hóa",
    ):
        moved = _synthetic({(3, "geo_address"): address})
        assert location_notes(moved, province_keys=keys).tolist()[3] == "geocoded_elsewhere"
    for address in (
        "Số 3, Thử Nghiệm, Sơn La, Vietnam",  # another province, but its own district named
        "R8HQ+2J4, Tân Thịnh, Hoa Binh, Vietnam",  # a plus code in its own province
        "Số 3, Tp. Hòa Bình, Hòa Bình, Vietnam",  # a neighbouring district
        "Số 3, Nowhere, Atlantis, Vietnam",  # not a province of Vietnam
        "Vietnam",
        "",
    ):
        kept = _synthetic({(3, "geo_address"): address})
        assert location_notes(kept, province_keys=keys).tolist()[3] == "", address
    # Without evidence columns no rule fires.
    bare = _synthetic().drop(columns=list(EVIDENCE_COLUMNS))
    assert (location_notes(bare, province_keys=keys) == "").all()


def test_synthetic_units_get_distinct_sites_in_their_district():
    # Two units on the district's centre and extent: both are moved, apart, into the district.
    district = {"lon": 105.10, "lat": 20.10, "minx": 105.0, "miny": 20.0}
    district |= {"maxx": 105.2, "maxy": 20.2}
    table = _synthetic({(r, c): v for r in (0, 3) for c, v in district.items()})
    cells = build_schematic(table)
    assert cells[LOCATION_NOTE].tolist() == ["district_fallback", "", "", "district_fallback", ""]
    geoms = cells.geometry.values
    assert shapely.coverage_is_valid(geoms)
    assert set(cells.geom_type) == {"Polygon"}
    centres = shapely.points(table["lon"], table["lat"])
    assert shapely.contains(geoms[[1, 2, 4]], centres[[1, 2, 4]]).all()
    assert shapely.area(geoms[[0, 3]]).min() > 0.1 * shapely.area(geoms).mean()
    assert shapely.box(105.0, 20.0, 105.2, 20.2).buffer(0.02).contains(geoms[[0, 3]]).all()


def test_code_anchors_of_the_relocated_hoa_binh_units(table):
    plan = schematic._plan(table, schematic.DEFAULT_PARAMS)
    codes = table["commune_code"].to_numpy()
    names = table.set_index("commune_code")["commune_name"]

    def anchor(code):
        rank, points = schematic._code_anchor(plan, int(np.flatnonzero(codes == code)[0]))
        return rank, len(points)

    # Phú Nghĩa 05395 sits between Chi Nê 05392 and Phú Thành 05398 of its district.
    assert anchor("05395") == (2, 1)
    # Thanh Cao 05047 comes right after Thanh Sơn 05041, the last of Lương Sơn's run.
    assert anchor("05047") == (1, 1)
    # Thành Sơn 05254 lies between Mai Hạ and Mai Hịch; unreliable Sơn Thủy between the town
    # and Pà Cò.
    assert anchor("05254") == (2, 1) and anchor("05206") == (2, 1)
    # Tân Thành 04882 kept a code of Đà Bắc's run (between Toàn Sơn and Hiền Lương): it was
    # moved from Đà Bắc, so it is drawn toward all (reliable) Đà Bắc centres.
    assert names["04879"] == "Xã Toàn Sơn" and names["04885"] == "Xã Hiền Lương"
    assert anchor("04882") == (0, (table["district_name"] == "Huyện Đà Bắc").sum())


def test_name_keys_fold_diacritics_and_spelling():
    assert name_key("Hòa Bình") == name_key("Hoa Binh") == "hoabinh"
    assert name_key("Yên Thuỷ") == name_key("Yên Thủy") == "yenthuy"
    assert name_key("Đà Bắc District") == "dabacdistrict"
    assert name_key("Bà Rịa–Vũng Tàu") == name_key("Ba Ria - Vung Tau")


def test_ten_districts_are_unions_of_their_communes(cells, metric):
    districts = districts_from_communes(cells)
    assert len(districts) == 10
    assert list(districts.columns) == [*DISTRICT_COLUMNS, "geometry"]
    assert districts["district_code"].is_unique
    assert districts.attrs["boundary_kind"] == "schematic"
    assert shapely.is_valid(districts.geometry.values).all()
    assert shapely.coverage_is_valid(districts.geometry.values)
    district_m = districts_from_communes(metric)
    assert district_m.area.sum() == pytest.approx(metric.area.sum(), rel=1e-9)
    lost = shapely.symmetric_difference(
        shapely.union_all(district_m.geometry.values), shapely.union_all(metric.geometry.values)
    )
    assert lost.area < 1e-6 * metric.area.sum()
    for row in district_m.itertuples():
        own = metric[metric["district_code"] == row.district_code]
        assert row.geometry.area == pytest.approx(own.area.sum(), rel=1e-9)
    # Each district is one piece: no Lạc Thủy cell inside TP Hòa Bình, no Mai Châu islands.
    assert set(district_m.geom_type) == {"Polygon"}


def test_districts_from_any_commune_layer(commune_grid):
    layer = commune_grid.assign(vintage="2020-2025")
    districts = districts_from_communes(layer)
    assert list(districts["district_code"]) == ["148", "149", "150"]
    # Each row of three 0.02° squares dissolves into one 0.06° × 0.02° rectangle.
    first = districts.geometry.iloc[0]
    assert first.equals(shapely.box(105.30, 20.80, 105.36, 20.82))
    assert first.area == pytest.approx(0.06 * 0.02)
    assert districts.crs == layer.crs


def test_districts_need_district_columns(commune_grid):
    with pytest.raises(ValueError, match="vintage"):
        districts_from_communes(commune_grid)


def test_cache_round_trip(tmp_path, monkeypatch):
    path = cache_path("17", cache_dir=tmp_path)
    assert path.parent == tmp_path
    assert schematic.METHOD_VERSION in path.name and "vau" in path.name
    assert not path.exists()
    built = schematic_communes("17", cache_dir=tmp_path)
    assert path.exists()

    def no_build(*args, **kwargs):
        raise AssertionError("the cache should have been read")

    monkeypatch.setattr(schematic, "build_schematic", no_build)
    read = schematic_communes("17", cache_dir=tmp_path)
    assert read.attrs == built.attrs
    assert list(read.columns) == list(built.columns)
    assert read.crs == built.crs
    assert (read["commune_code"].to_numpy() == built["commune_code"].to_numpy()).all()
    assert shapely.equals_exact(read.geometry.values, built.geometry.values, tolerance=0).all()


def test_cache_key_changes_with_codes_and_method(tmp_path, monkeypatch):
    one = cache_path("17", cache_dir=tmp_path)
    assert cache_path(("17",), cache_dir=tmp_path) == one
    assert cache_path(("26", "17"), cache_dir=tmp_path) == cache_path(
        ("17", "26"), cache_dir=tmp_path
    )
    assert cache_path("26", cache_dir=tmp_path) != one
    monkeypatch.setattr(schematic, "METHOD_VERSION", "test")
    assert cache_path("17", cache_dir=tmp_path) != one


def test_cache_of_the_whole_country_is_named_by_its_codes(tmp_path):
    path = cache_path("all", cache_dir=tmp_path)
    assert path == cache_path(all_province_codes(), cache_dir=tmp_path)
    assert path.name.startswith("schematic_63p-")


@pytest.mark.parametrize("code", ["31", "77"])
def test_provinces_with_island_districts_without_communes(code, tmp_path):
    """Hải Phòng (Bạch Long Vĩ) and Bà Rịa - Vũng Tàu (Côn Đảo): the registry's rows of these
    districts have no commune; they are left out, the rest builds as usual."""
    cells = schematic_communes(code, cache_dir=tmp_path)
    assert cells["commune_code"].tolist() == communes(code)["commune_code"].tolist()
    assert set(cells["province_code"]) == {code}
    assert cells["province_name"].iloc[0].startswith(("Tỉnh ", "Thành phố "))
    assert cells["province_name"].iloc[0].count(" ") >= 2  # never "Tỉnh Thành phố …"
    geoms = cells.geometry.values
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert bool(shapely.coverage_is_valid(geoms))


def test_two_provinces_build_as_one_coverage(tmp_path):
    cells = schematic_communes(("77", "31"), cache_dir=tmp_path)
    assert len(cells) == len(communes("31")) + len(communes("77"))
    assert cells["commune_code"].is_monotonic_increasing
    assert bool(shapely.coverage_is_valid(cells.geometry.values))


def test_unreadable_cache_is_rebuilt(tmp_path):
    path = cache_path("26", cache_dir=tmp_path)
    path.write_bytes(b"not parquet")
    with pytest.warns(UserWarning, match="unreadable cache"):
        cells = schematic_communes("26", cache_dir=tmp_path)
    assert len(cells) == len(communes("26"))
    assert isinstance(gpd.read_parquet(path), gpd.GeoDataFrame)


def test_build_is_deterministic(cells, table):
    again = build_schematic(table)  # its speed is measured by bench/score_schematic.py
    assert shapely.equals_exact(again.geometry.values, cells.geometry.values, tolerance=0).all()


def test_another_province_vinh_phuc():
    table = communes("26")
    cells = build_schematic(table)
    geoms = cells.geometry.values
    assert len(cells) == len(table) == 121
    assert cells["district_code"].nunique() == 9
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    report = schematic_report("26")
    assert (report[LOCATION_NOTE].to_numpy() == cells[LOCATION_NOTE].to_numpy()).all()
    reliable = (cells[LOCATION_NOTE] == "").to_numpy()
    assert 0 < (~reliable).sum() <= 10
    official = shapely.points(report[["lon", "lat"]].to_numpy())
    sites = shapely.points(report[["site_lon", "site_lat"]].to_numpy())
    assert shapely.covers(geoms[reliable], official[reliable]).all()
    assert shapely.covers(geoms, sites).all()
    districts = districts_from_communes(cells)
    assert len(districts) == 9
    assert set(districts.geom_type) == {"Polygon"}


def test_units_without_centre_are_left_out_with_a_warning(table):
    subset = table.head(12).copy()
    subset.loc[3, ["lon", "lat"]] = np.nan
    with pytest.warns(UserWarning, match=subset.loc[3, "commune_code"]):
        cells = build_schematic(subset)
    assert len(cells) == 11
    assert shapely.coverage_is_valid(cells.geometry.values)


def test_a_single_unit_gets_one_cell(table):
    cells = build_schematic(table.head(1))
    assert len(cells) == 1
    assert cells.geometry.iloc[0].contains(shapely.Point(table.loc[0, "lon"], table.loc[0, "lat"]))
