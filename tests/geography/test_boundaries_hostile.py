"""Hostile boundary files: one bad feature is one named problem, legacy shapefile encodings are
detected, an unknown CRS is refused by name, and limits refuse oversized work with the numbers.

Every file is written here, GeoJSON as text so that it can hold what no library would write.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import BoundaryError
from geo.geography.boundaries import BoundaryLayer, BoundaryLimits, load_boundaries
from geo.geography.validation import FeatureRepairs, finite_coordinates, repair_rings
from geo.text_encodings import unicode_to_tcvn3, unicode_to_vni

pytestmark = pytest.mark.filterwarnings(
    "ignore:'crs' was not provided:UserWarning",
    "ignore:Column names longer than 10:UserWarning",
)
NAMES = ["Phường Thái Bình", "Xã Tòng Đậu", "Thị trấn Mai Châu", "Xã Lạc Sơn", "Xã Hang Kia"]


def no_cache(path: Path, **options) -> BoundaryLayer:
    return load_boundaries(path, use_cache=False, **options)


def square(x: float, y: float = 20.8, size: float = 0.01) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def write_geojson(path: Path, rings: list[list], *, crs: str | None = None) -> Path:
    """One Polygon feature per entry of ``rings`` (a list of rings), codes 04701, 04702 …

    Coordinates may be the strings "NaN" and "Infinity": they are written as bare JSON tokens,
    which GDAL reads as numbers.
    """
    features = []
    for i, polygon in enumerate(rings):
        geometry = json.dumps({"type": "Polygon", "coordinates": polygon})
        geometry = geometry.replace('"NaN"', "NaN").replace('"Infinity"', "Infinity")
        properties = json.dumps({"ma_xa": f"{4701 + i:05d}", "ten_xa": f"Xã {i + 1}"})
        features.append(f'{{"type":"Feature","properties":{properties},"geometry":{geometry}}}')
    member = f',"crs":{{"type":"name","properties":{{"name":"{crs}"}}}}' if crs else ""
    path.write_text(
        f'{{"type":"FeatureCollection"{member},"features":[{",".join(features)}]}}',
        encoding="utf-8",
    )
    return path


def spike(x: float, value: object) -> list[list[object]]:
    """A square ring with one extra vertex ``(value, y)`` in the middle of its east side."""
    ring: list[list[object]] = square(x)
    return [*ring[:2], [value, 20.805], *ring[2:]]


# --- one bad feature among good ones ---------------------------------------------------------


def test_each_bad_feature_is_repaired_or_dropped_and_named(tmp_path):
    path = write_geojson(
        tmp_path / "xa.geojson",
        [
            [square(105.30)],  # 1: good
            [square(105.32)[:-1]],  # 2: unclosed ring → closed
            [[[105.34, 20.8], [105.35, 20.8]]],  # 3: a 2-point ring → nothing left, dropped
            [square(105.36), [[105.361, 20.801], [105.362, 20.801]]],  # 4: 2-point hole dropped
            [spike(105.38, "NaN")],  # 5: NaN vertex removed
            [spike(105.40, 1e308)],  # 6: 1e308 vertex removed
            [spike(105.42, "Infinity")],  # 7: infinite vertex removed
            [spike(105.44, 500.0)],  # 8: longitude 500 in a lon/lat layer removed
            [square(105.46)],  # 9: good
        ],
    )
    layer = no_cache(path)
    codes = layer.communes["commune_code"].tolist()
    assert codes == ["04701", "04702", "04704", "04705", "04706", "04707", "04708", "04709"]
    # Every survivor is its 0.01° square again (the spikes were single vertices).
    areas = shapely.area(layer.communes.geometry.values.to_numpy())
    assert areas == pytest.approx([1e-4] * 8)
    by_where = {p.where: p for p in layer.problems if "feature #" in p.where}
    assert by_where["04702 Xã 2 (feature #2)"].message == "unclosed ring closed"
    assert by_where["04702 Xã 2 (feature #2)"].severity == "warning"
    dropped = by_where["04703 Xã 3 (feature #3)"]
    assert dropped.severity == "error"
    assert "feature dropped" in dropped.message and "fewer than 4 points" in dropped.message
    assert "rings of fewer than 4 points dropped: 1" in by_where["04704 Xã 4 (feature #4)"].message
    for number, shown in [(5, "nan"), (6, "1e+308"), (7, "inf"), (8, "500")]:
        problem = by_where[f"{4700 + number:05d} Xã {number} (feature #{number})"]
        assert problem.severity == "warning"
        assert problem.message.startswith("vertices with invalid coordinates")
        assert problem.message.endswith("removed: 1")
        assert f"first: {shown}, 20.805" in problem.message
    # Dropped once, reported once (not again as "empty or missing geometry").
    assert sum("feature #3)" in p.where for p in layer.problems) == 1


def test_all_features_bad_is_an_error_listing_them(tmp_path):
    path = write_geojson(tmp_path / "xa.geojson", [[[[105.3, 20.8], [105.31, 20.8]]]] * 2)
    with pytest.raises(BoundaryError, match=r"xa.geojson.*no polygon feature left") as caught:
        no_cache(path)
    assert [p.where for p in caught.value.problems] == [
        "04701 Xã 1 (feature #1)",
        "04702 Xã 2 (feature #2)",
    ]


def test_vertices_projected_outside_the_earth_are_removed(tmp_path):
    # VN-2000 metres with one vertex 1e7 m east: PROJ places it nowhere sensible on Earth ...
    metres = gpd.GeoSeries([shapely.box(105.3, 20.8, 105.31, 20.81)], crs=4326).to_crs(9211)
    ring = shapely.get_coordinates(metres.iloc[0].exterior).tolist()
    ring.insert(2, [ring[1][0] + 9e7, ring[1][1]])
    path = write_geojson(tmp_path / "m.geojson", [[ring]])
    layer = no_cache(path, crs="EPSG:9211")
    # ... and is removed before the CRS is judged (9e7 m is not a coordinate on Earth).
    assert len(layer.communes) == 1
    assert "invalid coordinates (not a number" in layer.problems[0].message


def test_repair_rings_works_in_batches(monkeypatch):
    import geo.geography.validation as validation

    monkeypatch.setattr(validation, "_VERTEX_BATCH", 7)  # 5-point squares: one per batch
    geoms = np.array([shapely.box(i, 0, i + 1, 1) for i in range(5)], dtype=object)
    geoms[3] = shapely.Polygon([(3, 0), (4, 0), (np.inf, 0.5), (4, 1), (3, 1)])
    repairs = FeatureRepairs()
    repaired = repair_rings(geoms, repairs, valid=finite_coordinates)
    assert list(repairs.notes) == [3] and not repairs.dropped
    assert repaired[3].area == pytest.approx(1.0)


# --- encodings -------------------------------------------------------------------------------


def write_legacy_shapefile(folder: Path, encode=None) -> Path:
    """A shapefile of :data:`NAMES` without .cpg and without LDID.

    Written by pyogrio in Windows-1258 (its .cpg then removed), or, for the font encodings
    pyogrio cannot write, with ASCII stand-ins whose bytes are then replaced by ``encode(name)``.
    """
    width = 40
    stand_ins = [f"NAME{i}".ljust(width, "_") for i in range(len(NAMES))]
    frame = gpd.GeoDataFrame(
        {
            "ma_xa": [f"{4701 + i:05d}" for i in range(len(NAMES))],
            "ten_xa": NAMES if encode is None else stand_ins,
        },
        geometry=[shapely.box(105.3 + i / 100, 20.8, 105.31 + i / 100, 20.81) for i in range(5)],
        crs=4326,
    )
    path = folder / "xa.shp"
    frame.to_file(path, encoding="cp1258" if encode is None else None)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf").read_bytes()
    assert dbf[29] == 0  # no language driver: the file declares no encoding
    if encode is not None:
        for stand_in, name in zip(stand_ins, NAMES, strict=True):
            dbf = dbf.replace(stand_in.encode(), encode(name).ljust(width))
        path.with_suffix(".dbf").write_bytes(dbf)
    return path


def test_cp1258_shapefile_without_cpg_is_detected_and_reported(tmp_path):
    path = write_legacy_shapefile(tmp_path)
    layer = no_cache(path)
    assert layer.communes["commune_name"].tolist() == NAMES
    warning = next(p for p in layer.problems if "encoding" in p.message)
    assert warning.severity == "warning"
    assert "Windows-1258 (cp1258)" in warning.message and "--encoding" in warning.message


def test_tcvn3_shapefile_is_detected(tmp_path):
    def tcvn3(name: str) -> bytes:
        return unicode_to_tcvn3(name).encode("cp1252")

    path = write_legacy_shapefile(tmp_path, tcvn3)
    layer = no_cache(path)
    # TCVN3 has no toned capitals and these names have none: read back exactly.
    assert layer.communes["commune_name"].tolist() == NAMES
    assert any("TCVN3" in p.message for p in layer.problems)
    given = no_cache(path, encoding="TCVN3")
    assert given.communes["commune_name"].tolist() == NAMES
    assert not any("encoding" in p.message for p in given.problems)


def test_vni_shapefile_is_detected(tmp_path):
    path = write_legacy_shapefile(tmp_path, lambda name: unicode_to_vni(name).encode("cp1252"))
    layer = no_cache(path)
    assert layer.communes["commune_name"].tolist() == NAMES
    assert any("VNI" in p.message for p in layer.problems)


def test_given_encoding_is_used_without_a_warning(tmp_path):
    path = write_legacy_shapefile(tmp_path)
    layer = no_cache(path, encoding="windows-1258")
    assert layer.communes["commune_name"].tolist() == NAMES
    assert not any("encoding" in p.message for p in layer.problems)


def test_unknown_encoding_is_an_error(tmp_path):
    path = write_legacy_shapefile(tmp_path)
    with pytest.raises(BoundaryError, match="unknown text encoding 'klingon'"):
        no_cache(path, encoding="klingon")


# --- CRS -------------------------------------------------------------------------------------


@pytest.mark.parametrize("crs", ["urn:ogc:def:crs:EPSG::99999", "EPSG:99999", "bogus"])
def test_unknown_crs_member_is_refused_by_name(tmp_path, crs):
    path = write_geojson(tmp_path / "xa.geojson", [[square(105.3)]], crs=crs)
    with pytest.raises(BoundaryError) as caught:
        no_cache(path)
    message = str(caught.value)
    assert message.startswith("xa.geojson: the file names the CRS")
    assert f"'{crs}'" in message and "--crs" in message


def test_unknown_crs_member_yields_to_the_given_crs(tmp_path):
    path = write_geojson(tmp_path / "xa.geojson", [[square(105.3)]], crs="EPSG:99999")
    assert len(no_cache(path, crs="EPSG:4326").communes) == 1


def test_known_crs_member_still_loads(tmp_path):
    path = write_geojson(
        tmp_path / "xa.geojson", [[square(105.3)]], crs="urn:ogc:def:crs:OGC:1.3:CRS84"
    )
    assert no_cache(path).source_crs == "EPSG:4326"


# --- limits ----------------------------------------------------------------------------------


def test_limits_refuse_with_the_numbers(tmp_path):
    path = write_geojson(tmp_path / "xa.geojson", [[square(105.3 + i / 50)] for i in range(4)])
    with pytest.raises(BoundaryError, match=r"more than 3 features; the limit is 3"):
        no_cache(path, limits=BoundaryLimits(max_features=3))
    # 4 squares of 5 vertices, estimated from the WKB (headers count as about 1 vertex each).
    with pytest.raises(BoundaryError, match=r"about 2\d vertices; the limit is 10"):
        no_cache(path, limits=BoundaryLimits(max_vertices=10))
    size = path.stat().st_size
    with pytest.raises(BoundaryError, match=rf"{size / 1e6:.1f} MB on disk; the limit is 0 MB"):
        no_cache(path, limits=BoundaryLimits(max_file_mb=0.0001))
    within = BoundaryLimits(max_features=4, max_vertices=30)
    assert len(no_cache(path, limits=within).communes) == 4


def test_zip_limit_counts_the_unpacked_size(tmp_path):
    path = write_geojson(tmp_path / "xa.geojson", [[square(105.3)]] * 50)
    archive = tmp_path / "xa.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(path, "xa.geojson")
    limit = (archive.stat().st_size + path.stat().st_size) / 2e6  # between packed and unpacked
    with pytest.raises(BoundaryError, match="once unpacked"):
        no_cache(archive, limits=BoundaryLimits(max_file_mb=limit))


def test_coverage_check_is_skipped_above_its_vertex_limit(tmp_path):
    path = write_geojson(tmp_path / "xa.geojson", [[square(105.3)], [square(105.305)]])
    problems = no_cache(path, limits=BoundaryLimits(coverage_vertices=9)).problems
    assert any("check skipped: the layer has 10 vertices" in p.message for p in problems)
    assert not any("overlaps" in p.message for p in problems)
    assert any("overlaps" in p.message for p in no_cache(path).problems)
