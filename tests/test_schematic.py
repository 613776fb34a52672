"""Tests of geo.schematic: the offline schematic coverage built from vietnamadminunits.

No file from ../shared is needed; the fit to the real polygons is measured by
``bench/score_schematic.py`` instead.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pytest
import shapely

import geo.schematic as schematic
from geo.admin_units import communes
from geo.schema import COMMUNE_COLUMNS, METRIC_CRS
from geo.schematic import (
    BOUNDARY_KIND,
    DISTRICT_COLUMNS,
    build_schematic,
    cache_path,
    districts_from_communes,
    schematic_communes,
)

#: Two Mai Châu communes that the registry places on one and the same centre.
SHARED_CENTRE = ("04882", "05206")


@pytest.fixture(scope="module")
def table():
    return communes("17").sort_values("commune_code").reset_index(drop=True)


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    return schematic_communes("17", cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def metric(cells):
    return cells.to_crs(METRIC_CRS)


def test_one_cell_per_commune_in_schema_columns(cells, table):
    assert len(cells) == 151
    assert list(cells.columns) == [*COMMUNE_COLUMNS, "geometry"]
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


def test_each_cell_holds_its_official_centre(cells, table):
    centres = shapely.points(table["lon"], table["lat"])
    geoms = cells.geometry.values
    assert shapely.covers(geoms, centres).all()
    # Units with a centre of their own hold it inside; two sharing one meet on it.
    shared = table["commune_code"].isin(SHARED_CENTRE).to_numpy()
    assert shapely.contains(geoms[~shared], centres[~shared]).all()
    assert shared.sum() == 2
    assert shapely.touches(geoms[shared][0], geoms[shared][1])


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


def test_unreadable_cache_is_rebuilt(tmp_path):
    path = cache_path("26", cache_dir=tmp_path)
    path.write_bytes(b"not parquet")
    with pytest.warns(UserWarning, match="unreadable cache"):
        cells = schematic_communes("26", cache_dir=tmp_path)
    assert len(cells) == len(communes("26"))
    assert isinstance(gpd.read_parquet(path), gpd.GeoDataFrame)


def test_build_is_quick_and_deterministic(cells, table):
    start = time.perf_counter()
    again = build_schematic(table)
    assert time.perf_counter() - start < 10  # a few seconds on a laptop
    assert shapely.equals_exact(again.geometry.values, cells.geometry.values, tolerance=0).all()


def test_another_province_vinh_phuc():
    table = communes("26")
    cells = build_schematic(table)
    geoms = cells.geometry.values
    assert len(cells) == len(table) == 121
    assert cells["district_code"].nunique() == 9
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    assert shapely.covers(
        geoms, shapely.points(cells.merge(table)[["lon", "lat"]].to_numpy())
    ).all()
    assert len(districts_from_communes(cells)) == 9


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
