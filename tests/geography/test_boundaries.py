"""Tests of geo.geography.boundaries (with geo.geography.crs and geo.geography.validation) on small
synthetic layers."""

from __future__ import annotations

import json
import shutil
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Geod, Transformer

import geo.geography.boundaries as boundaries
from geo.errors import BoundaryError
from geo.geography.boundaries import BoundaryLayer, ValidationOptions, area_km2, load_boundaries
from geo.geography.crs import classify_coordinates, parse_crs, repair_vn2000, vn2000_tm3
from geo.schema import AREA_KM2, COMMUNE_COLUMNS, WGS84

TOWGS84 = (
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,"
    "-0.00928836,0.01975479,-0.00427372,0.252906278"
)
#: A "proper" VN-2000 TM-3 106°00' definition as an OGC WKT1 .prj with TOWGS84.
WKT1_VN2000_106 = (
    'PROJCS["VN-2000 / TM-3 Hoa Binh",GEOGCS["VN-2000",DATUM["Vietnam_2000",'
    'SPHEROID["WGS 84",6378137,298.257223563],TOWGS84[-191.90441429,-39.30318279,'
    '-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",106],'
    'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],'
    'PARAMETER["false_northing",0],UNIT["metre",1]]'
)
# Writing shapefiles truncates the schema's long column names: that is what is being tested.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Column names longer than 10:UserWarning",
    "ignore:Normalized/laundered field name:RuntimeWarning",
    "ignore:'crs' was not provided:UserWarning",  # files without .prj, on purpose
)
FORMATS = ["geojson", "gpkg", "shp", "zip", "zip-subfolder", "parquet"]


def no_cache(path: Path, **options) -> BoundaryLayer:
    return load_boundaries(path, use_cache=False, **options)


def write_layer(frame: gpd.GeoDataFrame, folder: Path, fmt: str, stem: str = "communes") -> Path:
    """Write ``frame`` in one of :data:`FORMATS`; return the path to load."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "geojson":
        path = folder / f"{stem}.geojson"
        frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    elif fmt == "gpkg":
        path = folder / f"{stem}.gpkg"
        frame.to_file(path, driver="GPKG", layer=stem, engine="pyogrio")
    elif fmt == "shp":
        path = folder / f"{stem}.shp"
        frame.to_file(path, engine="pyogrio")
    elif fmt in {"zip", "zip-subfolder"}:
        parts = folder / "parts"
        parts.mkdir()
        frame.to_file(parts / f"{stem}.shp", engine="pyogrio")
        prefix = "Ranh giới/xã/" if fmt == "zip-subfolder" else ""
        path = folder / f"{stem}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for part in sorted(parts.iterdir()):
                archive.write(part, prefix + part.name)
        shutil.rmtree(parts)
    elif fmt == "parquet":
        path = folder / f"{stem}.parquet"
        frame.to_parquet(path)
    else:
        raise ValueError(fmt)
    return path


@pytest.fixture(params=FORMATS)
def layer_file(request, commune_grid, tmp_path) -> Path:
    return write_layer(commune_grid, tmp_path, request.param)


def max_offset_m(got: gpd.GeoSeries, truth: gpd.GeoSeries) -> float:
    """Largest Hausdorff distance in metres between matching geometries (both EPSG:4326)."""
    metric = "EPSG:32648"
    a = got.to_crs(metric).values
    b = truth.to_crs(metric).values
    return float(np.max(shapely.hausdorff_distance(a, b)))


# --- formats ---------------------------------------------------------------------------------


def test_round_trip_every_format(layer_file, commune_grid):
    layer = no_cache(layer_file, vintage="2019")
    communes = layer.communes
    assert list(communes.columns) == [*COMMUNE_COLUMNS, AREA_KM2, "geometry"]
    assert communes.crs.equals(CRS.from_user_input(WGS84))
    assert communes["commune_code"].tolist() == commune_grid["commune_code"].tolist()
    assert communes["commune_name"].tolist() == commune_grid["commune_name"].tolist()
    assert communes["district_code"].tolist() == commune_grid["district_code"].tolist()
    assert communes["commune_type"].tolist()[:4] == ["Phường", "Phường", "Thị trấn", "Xã"]
    assert set(communes["vintage"]) == {"2019"}
    assert (communes.geom_type == "MultiPolygon").all()
    assert max_offset_m(communes.geometry, commune_grid.geometry) < 1e-3
    assert layer.problems == []
    assert layer.source_crs in {"EPSG:4326", "OGC:CRS84"}
    summary = layer.summary()
    json.dumps(summary)
    assert summary["feature_count"] == 9
    assert summary["districts"] == 3
    assert summary["file"] == layer_file.name
    assert summary["bounds_wgs84"] == pytest.approx([105.30, 20.80, 105.36, 20.86])


def test_area_is_geodesic_area(commune_grid):
    geod = Geod(ellps="WGS84")
    truth = [abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for g in commune_grid.geometry]
    assert area_km2(commune_grid).to_numpy() == pytest.approx(truth, rel=1e-6)
    # and the same from a projected frame
    assert area_km2(commune_grid.to_crs(9211)).to_numpy() == pytest.approx(truth, rel=1e-6)


def test_gpkg_takes_first_polygon_layer_or_the_named_one(commune_grid, tmp_path):
    path = tmp_path / "several.gpkg"
    points = gpd.GeoDataFrame({"ma": ["1"]}, geometry=[shapely.Point(105.3, 20.8)], crs=4326)
    points.to_file(path, layer="uy_ban", engine="pyogrio")
    commune_grid.to_file(path, layer="xa", engine="pyogrio")
    commune_grid.iloc[:4].to_file(path, layer="xa_cu", engine="pyogrio")
    assert len(no_cache(path).communes) == 9
    assert len(no_cache(path, layer="xa_cu").communes) == 4
    with pytest.raises(BoundaryError, match=r"no layer 'huyen'.*xa_cu"):
        no_cache(path, layer="huyen")


def test_zip_with_several_shapefiles_uses_layer_option(commune_grid, tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    commune_grid.to_file(parts / "xa.shp", engine="pyogrio")
    commune_grid.iloc[:2].to_file(parts / "xa_cu.shp", engine="pyogrio")
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in sorted(parts.iterdir()):
            archive.write(part, f"data/{part.name}")
    assert len(no_cache(path, layer="xa_cu").communes) == 2
    assert len(no_cache(path).communes) == 9  # the first polygon layer in the zip: xa.shp


# --- CRS and VN-2000 -------------------------------------------------------------------------


def test_vn2000_tm3_prefers_epsg_codes():
    assert vn2000_tm3(106).to_string() == "EPSG:9211"
    assert vn2000_tm3(105.75).to_string() == "EPSG:9210"
    assert vn2000_tm3(105, zone_width=6).to_string() == "EPSG:3405"
    custom = vn2000_tm3(104.25)
    assert custom.to_epsg() is None
    assert custom.name == "VN-2000 / TM-3 104-15"
    with pytest.raises(ValueError):
        vn2000_tm3(120)
    with pytest.raises(ValueError):
        vn2000_tm3(106, zone_width=4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vn2000:106", "EPSG:9211"),
        ("VN2000:105-45", "EPSG:9210"),
        ("vn2000:105.75", "EPSG:9210"),
        ("vn2000:105°45'", "EPSG:9210"),
        ("9211", "EPSG:9211"),
        ("EPSG:32648", "EPSG:32648"),
    ],
)
def test_parse_crs(text, expected):
    assert parse_crs(text).to_string() == expected


def test_custom_zone_uses_the_official_datum_shift():
    """A zone without EPSG code transforms like the +towgs84 definition (sub-metre)."""
    by_towgs84 = CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0=104.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 {TOWGS84}"
    )
    lon, lat = 104.3, 21.4
    x, y = Transformer.from_crs(WGS84, vn2000_tm3(104.25), always_xy=True).transform(lon, lat)
    x2, y2 = Transformer.from_crs(WGS84, by_towgs84, always_xy=True).transform(lon, lat)
    assert abs(x - x2) < 1 and abs(y - y2) < 1


def to_vn2000(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The truth in VN-2000 / TM-3 106-00 via the EPSG (official) transformation, no CRS set."""
    forward = Transformer.from_crs(WGS84, "EPSG:9211", always_xy=True)
    moved = shapely.transform(
        frame.geometry.values, lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1]))
    )
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(moved), crs=None)


@pytest.mark.parametrize(
    "prj",
    ["epsg", "wkt1-towgs84", "esri-without-datum-shift", "proj-towgs84-via-gdal"],
)
def test_vn2000_shapefile_lands_within_5_m(commune_grid, tmp_path, prj):
    metres = to_vn2000(commune_grid)
    path = tmp_path / "vn2000.shp"
    if prj == "proj-towgs84-via-gdal":
        # GDAL turns the definition into an ESRI .prj (datum name only, TOWGS84 lost).
        metres.set_crs(
            f"+proj=tmerc +lon_0=106 +k=0.9999 +x_0=500000 +ellps=WGS84 {TOWGS84}"
        ).to_file(path, engine="pyogrio")
    else:
        metres.to_file(path, engine="pyogrio")
        text = {
            "epsg": CRS.from_epsg(9211).to_wkt("WKT1_ESRI"),
            "wkt1-towgs84": WKT1_VN2000_106,
            "esri-without-datum-shift": CRS.from_proj4(
                "+proj=tmerc +lon_0=106 +k=0.9999 +x_0=500000 +ellps=WGS84 +units=m"
            ).to_wkt("WKT1_ESRI"),
        }[prj]
        path.with_suffix(".prj").write_text(text)
    layer = no_cache(path)
    assert max_offset_m(layer.communes.geometry, commune_grid.geometry) < 5.0
    assert np.allclose(layer.communes[AREA_KM2], area_km2(commune_grid), rtol=1e-4)
    notes = [p.message for p in layer.problems]
    if prj in {"esri-without-datum-shift", "proj-towgs84-via-gdal"}:
        assert layer.source_crs == "EPSG:9211"
        assert any("no datum shift" in n and "EPSG:9211" in n for n in notes)
    else:
        assert notes == []


def test_vn2000_without_prj_asks_for_the_crs(commune_grid, tmp_path):
    path = tmp_path / "khong_prj.shp"
    to_vn2000(commune_grid).to_file(path, engine="pyogrio")
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(BoundaryError) as caught:
        no_cache(path)
    text = str(caught.value)
    assert "khong_prj.shp" in text and "VN-2000" in text and "EPSG:9211" in text
    assert "--crs" in text
    layer = no_cache(path, crs="vn2000:106")
    assert layer.source_crs == "EPSG:9211"
    assert max_offset_m(layer.communes.geometry, commune_grid.geometry) < 5.0


def test_geojson_in_metres_asks_for_the_crs(commune_grid, tmp_path):
    path = tmp_path / "metres.geojson"
    to_vn2000(commune_grid).to_file(path, engine="pyogrio")  # GDAL reads it back as EPSG:4326
    with pytest.raises(BoundaryError, match=r"metres.geojson.*VN-2000"):
        no_cache(path)
    layer = no_cache(path, crs="EPSG:9211")
    assert max_offset_m(layer.communes.geometry, commune_grid.geometry) < 5.0
    assert layer.problems == []  # the GeoJSON's EPSG:4326 was only GDAL's default


def test_given_crs_overrides_a_contradicting_file_crs(commune_grid, tmp_path):
    path = tmp_path / "wrong_prj.gpkg"
    to_vn2000(commune_grid).set_crs("EPSG:9210").to_file(path, engine="pyogrio")
    layer = no_cache(path, crs="EPSG:9211")
    assert layer.source_crs == "EPSG:9211"
    assert max_offset_m(layer.communes.geometry, commune_grid.geometry) < 5.0
    [problem] = layer.problems
    assert "overrides the file's CRS EPSG:9210" in problem.message


def test_no_crs_lonlat_in_vietnam_is_assumed_wgs84(commune_grid, tmp_path):
    path = tmp_path / "no_prj.shp"
    commune_grid.set_crs(None, allow_override=True).to_file(path, engine="pyogrio")
    layer = no_cache(path)
    assert layer.source_crs == "EPSG:4326"
    assert [p.severity for p in layer.problems] == ["warning"]
    assert "assumed" in layer.problems[0].message


def test_no_crs_elsewhere_is_an_error(commune_grid, tmp_path):
    path = tmp_path / "paris.shp"
    moved = commune_grid.set_crs(None, allow_override=True).translate(-103, 28)
    gpd.GeoDataFrame(commune_grid.drop(columns="geometry"), geometry=moved).to_file(
        path, engine="pyogrio"
    )
    with pytest.raises(BoundaryError, match=r"paris.shp.*crs="):
        no_cache(path)


def test_classify_and_repair_helpers():
    assert classify_coordinates((20.8, 105.3, 20.9, 105.4)) == "latlon_vietnam"
    assert classify_coordinates((2.3, 48.8, 2.4, 48.9)) == "lonlat"
    assert classify_coordinates((1e6, 1e6, 2e6, 2e6)) == "other"
    assert repair_vn2000(CRS.from_epsg(32648)).note == ""  # plain WGS 84 / UTM is left alone


# --- columns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        {
            "commune_code": "MA_XA",
            "commune_name": "TEN_XA",
            "district_code": "MA_HUYEN",
            "district_name": "TEN_HUYEN",
            "province_code": "MA_TINH",
            "province_name": "TEN_TINH",
        },
        {"commune_code": "maxa", "commune_name": "tenxa", "district_name": "district_vn"},
        {"commune_code": "Mã xã", "commune_name": "Tên xã", "district_name": "Tên huyện"},
        {"commune_code": "wardCode", "commune_name": "ward", "province_name": "province"},
        {"commune_code": "code", "commune_name": "commune_vn", "district_code": "ma_huyen"},
        {"commune_code": "ADM3_PCODE", "commune_name": "ADM3_VI"},
    ],
    ids=["upper", "compact", "diacritics", "ward", "mixed", "ocha"],
)
def test_column_aliases(commune_grid, tmp_path, names):
    raw = commune_grid[[*names, "geometry"]].rename(columns=names)
    raw["object_id"] = range(len(raw))  # unrelated columns are not taken
    layer = no_cache(write_layer(raw, tmp_path, "gpkg"))
    communes = layer.communes
    for target, source in names.items():
        assert layer.columns[target] == source
        assert communes[target].tolist() == commune_grid[target].tolist()
    assert "object_id" not in communes.columns


def test_explicit_mapping(commune_grid, tmp_path):
    raw = commune_grid[["commune_code", "commune_name", "geometry"]].rename(
        columns={"commune_code": "MAXA_2019", "commune_name": "DVHC"}
    )
    raw["ma"] = "99999"  # an alias that would otherwise be taken for the code
    path = write_layer(raw, tmp_path, "geojson")
    layer = no_cache(path, mapping={"commune_code": "MAXA_2019", "commune_name": "dvhc"})
    assert layer.communes["commune_code"].tolist() == commune_grid["commune_code"].tolist()
    assert layer.communes["commune_name"].tolist() == commune_grid["commune_name"].tolist()
    with pytest.raises(BoundaryError, match="no column 'MAXA'"):
        no_cache(path, mapping={"commune_code": "MAXA"})
    with pytest.raises(BoundaryError, match="mapping keys"):
        no_cache(path, mapping={"ma_xa": "MAXA_2019"})


def test_codes_are_padded_and_names_normalised(commune_grid, tmp_path):
    raw = commune_grid[["geometry"]].copy()
    raw["ma_xa"] = [4789, 4792.0, "4795.0", " 4798 ", "04801", None, 4807, 4810, "123456"]
    raw["ma_huyen"] = [148.0, 1, "148", 148, 148, 148, 148, 148, 148]
    raw["ma_tinh"] = [17, 1, 17, 17, 17, 17, 17, 17, 17]
    raw["ten_xa"] = [
        unicodedata.normalize("NFD", "  Xã   Tòng Đậu "),
        "Phuong Tan Hoa",
        "THỊ TRẤN Lương Sơn",
        "Vạn Mai",
        "nan",
        "Xã A",
        "Xã B",
        "Xã C",
        "Xã D",
    ]
    layer = no_cache(write_layer(raw, tmp_path, "gpkg"))
    communes = layer.communes
    assert communes["commune_code"].tolist()[:5] == ["04789", "04792", "04795", "04798", "04801"]
    assert communes["commune_code"].iloc[5] == "no-code:6"  # provisional: feature #6
    assert communes["commune_code"].iloc[8] == "123456"
    assert communes["district_code"].tolist()[:3] == ["148", "001", "148"]
    assert communes["province_code"].tolist()[:2] == ["17", "01"]
    assert communes["commune_name"].iloc[0] == unicodedata.normalize("NFC", "Xã Tòng Đậu")
    assert pd.isna(communes["commune_name"].iloc[4])  # the string "nan" is a missing value
    assert communes["commune_type"].tolist()[:4] == ["Xã", "Phường", "Thị trấn", None] or (
        communes["commune_type"].tolist()[:3] == ["Xã", "Phường", "Thị trấn"]
        and pd.isna(communes["commune_type"].iloc[3])
    )
    wheres = {p.where: p.message for p in layer.problems}
    assert "no commune code" in wheres["Xã A (feature #6)"]
    assert "not a 5-digit GSO code" in wheres["123456 Xã D (feature #9)"]


def test_features_without_a_code_get_provisional_codes(make_commune_grid, tmp_path):
    grid = make_commune_grid(nx=3, ny=2)
    grid.loc[[1, 4], "commune_code"] = None
    grid.loc[2, "geometry"] = None  # dropped: numbering still follows the file
    grid.loc[5, "commune_code"] = ""
    layer = no_cache(write_layer(grid, tmp_path, "gpkg"))
    codes = layer.communes["commune_code"].tolist()
    assert codes == ["04789", "no-code:2", "04798", "no-code:5", "no-code:6"]
    assert layer.communes["commune_code"].is_unique
    assert [boundaries.is_provisional_code(c) for c in codes] == [False, True, False, True, True]
    missing = [p for p in layer.problems if p.message.startswith("no commune code")]
    assert [p.where.split("(")[-1] for p in missing] == [
        "feature #2)",
        "feature #5)",
        "feature #6)",
    ]
    assert all("no-code:<feature number>" in p.message for p in missing)
    assert layer.summary()["districts"] == 2


def test_features_without_a_code_are_drawn_as_no_data(make_commune_grid, tmp_path):
    from geo.analysis.metrics import commune_metrics
    from geo.geography.schematic import districts_from_communes
    from geo.view import MapView
    from geo.web.maps import build_map

    grid = make_commune_grid(nx=3, ny=2)
    grid.loc[[1, 4], "commune_code"] = None
    communes = no_cache(write_layer(grid, tmp_path, "geojson"), vintage="2019").communes
    models = pd.DataFrame(
        {
            "commune_code": ["04789", "04798"],
            "period": 2019,
            "models_economy": [3, 4],
            "models_culture_society": [1, 2],
            "models_defence_security": [0, 1],
            "models_political_system": [1, 1],
        }
    )
    metrics = commune_metrics(communes, {"models": models}, period=2019)
    assert metrics["commune_code"].tolist() == communes["commune_code"].tolist()
    assert metrics.set_index("commune_code")["models_total"].isna().to_dict() == {
        "04789": False,
        "no-code:2": True,
        "04795": True,
        "04798": False,
        "no-code:5": True,
        "04804": True,
    }
    districts = districts_from_communes(communes)
    fmap = build_map(
        communes, metrics, MapView(layer="models_density", period=2019), districts=districts
    )
    assert "no-code:5" in fmap.get_root().render()


def test_no_code_column_is_an_error(commune_grid, tmp_path):
    raw = commune_grid[["commune_name", "geometry"]]
    with pytest.raises(BoundaryError, match=r"communes.geojson.*no commune code column.*mapping"):
        no_cache(write_layer(raw, tmp_path, "geojson"))


def test_vintage_from_file_argument_or_unknown(commune_grid, tmp_path):
    path = write_layer(commune_grid.assign(vintage="2019"), tmp_path, "geojson")
    assert no_cache(path).vintage == "2019"
    overridden = no_cache(path, vintage="2020-2025")
    assert overridden.vintage == "2020-2025"
    assert set(overridden.communes["vintage"]) == {"2020-2025"}
    assert any("vintage" in p.message for p in overridden.problems)
    plain = write_layer(commune_grid, tmp_path / "plain", "geojson")
    assert no_cache(plain).vintage == "unknown"
    assert set(no_cache(plain).communes["vintage"]) == {"unknown"}


# --- validation ------------------------------------------------------------------------------


def test_bow_tie_is_repaired_and_reported(commune_grid, tmp_path):
    x0, y0, x1, y1 = commune_grid.geometry.iloc[4].bounds
    bow_tie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    assert not bow_tie.is_valid
    broken = commune_grid.copy()
    broken.loc[4, "geometry"] = bow_tie
    layer = no_cache(write_layer(broken, tmp_path, "geojson"))
    repaired = layer.communes.geometry.iloc[4]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    [problem] = [p for p in layer.problems if "invalid" in p.message]
    assert problem.where == "04801 Xã Hang Kia (feature #5)"
    assert "Self-intersection" in problem.message
    assert problem.source == "communes.geojson"
    assert str(problem).startswith("communes.geojson [04801 Xã Hang Kia (feature #5)]: ")


def test_duplicates_overlap_and_gap_are_reported(commune_grid, tmp_path):
    edited = commune_grid.copy()
    edited.loc[1, "commune_code"] = edited.loc[0, "commune_code"]
    x0, y0, x1, y1 = edited.geometry.iloc[6].bounds
    edited.loc[6, "geometry"] = shapely.box(x0, y0, x1 + 0.002, y1)  # into its east neighbour
    x0, y0, x1, y1 = edited.geometry.iloc[4].bounds
    edited.loc[4, "geometry"] = shapely.box(x0 + 5e-4, y0 + 5e-4, x1 - 5e-4, y1 - 5e-4)
    layer = no_cache(write_layer(edited, tmp_path, "gpkg"))
    messages = [(p.where, p.message) for p in layer.problems]
    assert len(layer.communes) == 9  # all kept
    duplicate = [m for w, m in messages if w == "04789"]
    assert duplicate and "used by 2 features" in duplicate[0]
    assert "Phường Tân Hòa (feature #2)" in duplicate[0]
    [overlap] = [(w, m) for w, m in messages if "overlaps" in m]
    assert overlap[0] == "04807 Xã Mai Hịch (feature #7)"
    assert "04810 Xã Vạn Mai (feature #8)" in overlap[1]
    assert float(overlap[1].split(" by ")[1].split()[0]) == pytest.approx(0.46, abs=0.02)
    [gap] = [(w, m) for w, m in messages if m.startswith("gap of")]
    assert "04801 Xã Hang Kia (feature #5)" in gap[0]
    assert float(gap[1].split()[2]) == pytest.approx(0.45, abs=0.02)
    assert "105.3" in gap[1] and "20.8" in gap[1]
    quiet = no_cache(
        write_layer(edited, tmp_path / "q", "gpkg"),
        validation=ValidationOptions(overlap_min_km2=1.0, gap_min_km2=1.0),
    )
    assert not [p for p in quiet.problems if "overlaps" in p.message or "gap" in p.message]


def test_large_hole_is_reported_as_uncovered_area(make_commune_grid, tmp_path):
    grid = make_commune_grid(nx=3, ny=3)
    holed = grid.drop(index=4)  # the centre commune is missing: 4.6 km² hole
    layer = no_cache(write_layer(holed, tmp_path, "geojson"))
    [problem] = [p for p in layer.problems if "uncovered area" in p.message]
    assert "missing commune" in problem.message


def test_problem_lists_are_capped(make_commune_grid, tmp_path):
    grid = make_commune_grid(nx=6, ny=5)
    grid["commune_code"] = None
    grid.loc[0, "commune_code"] = "04789"
    layer = no_cache(
        write_layer(grid, tmp_path, "gpkg"), validation=ValidationOptions(max_listed=5)
    )
    missing = [p for p in layer.problems if "no commune code" in p.message]
    assert len(missing) == 5
    assert any("24 more features without a code" in p.message for p in layer.problems)


def test_empty_and_non_polygon_geometries_are_dropped(commune_grid, tmp_path):
    edited = commune_grid.copy()
    edited.loc[2, "geometry"] = None
    edited.loc[3, "geometry"] = shapely.Polygon()
    edited.loc[5, "geometry"] = shapely.Point(105.35, 20.83)
    layer = no_cache(write_layer(edited, tmp_path, "gpkg"))
    assert len(layer.communes) == 6
    errors = {p.where: p.message for p in layer.problems if p.severity == "error"}
    assert set(errors) == {
        "04795 Thị trấn Lương Sơn (feature #3)",
        "04798 Xã Tòng Đậu (feature #4)",
        "04804 Xã Pà Cò (feature #6)",
    }
    assert "Point" in errors["04804 Xã Pà Cò (feature #6)"]
    assert layer.summary()["errors"] == 3


def test_all_empty_is_an_error(commune_grid, tmp_path):
    edited = commune_grid.copy()
    edited["geometry"] = None
    with pytest.raises(BoundaryError, match=r"communes.gpkg"):
        no_cache(write_layer(edited, tmp_path, "gpkg"))


def test_utf8_shapefile_without_cpg(commune_grid, tmp_path):
    path = write_layer(commune_grid, tmp_path, "shp")
    path.with_suffix(".cpg").unlink()
    layer = no_cache(path)
    assert layer.communes["commune_name"].tolist() == commune_grid["commune_name"].tolist()
    assert any(".cpg" in p.message for p in layer.problems)


# --- bad input -------------------------------------------------------------------------------


def test_garbage_file_is_a_boundary_error(tmp_path):
    path = tmp_path / "rac.geojson"
    path.write_text("this is not { geojson at all", encoding="utf-8")
    with pytest.raises(BoundaryError) as caught:
        no_cache(path)
    assert "rac.geojson" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bang.xlsx", b"PK", "unknown boundary format"),
        ("hong.zip", b"not a zip", "not a readable zip"),
        ("hong.parquet", b"PAR1garbage", "GeoParquet"),
    ],
)
def test_bad_inputs(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BoundaryError, match=match) as caught:
        no_cache(path)
    assert name in str(caught.value)


def test_missing_file_and_zip_without_shapefile(tmp_path):
    with pytest.raises(BoundaryError, match="file not found"):
        no_cache(tmp_path / "khong_co.geojson")
    path = tmp_path / "docs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "no shapefile here")
    with pytest.raises(BoundaryError, match=r"docs.zip.*no shapefile"):
        no_cache(path)


def test_gpkg_without_polygon_layer(tmp_path):
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"ma_xa": ["04789"]}, geometry=[shapely.Point(105.3, 20.8)], crs=4326).to_file(
        path, engine="pyogrio"
    )
    with pytest.raises(BoundaryError, match=r"points.gpkg.*no polygon"):
        no_cache(path)


# --- cache -----------------------------------------------------------------------------------


@pytest.fixture
def read_counter(monkeypatch) -> list[str]:
    calls: list[str] = []
    original = boundaries._read_source

    def counting(path, **kwargs):
        calls.append(Path(path).name)
        return original(path, **kwargs)

    monkeypatch.setattr(boundaries, "_read_source", counting)
    return calls


def test_second_load_reads_the_cache(commune_grid, tmp_path, read_counter):
    edited = commune_grid.copy()
    edited.loc[1, "commune_code"] = edited.loc[0, "commune_code"]  # one problem to cache
    path = write_layer(edited, tmp_path / "src", "shp")
    cache = tmp_path / "cache"
    first = load_boundaries(path, cache_dir=cache, vintage="2019")
    second = load_boundaries(path, cache_dir=cache, vintage="2019")
    assert read_counter == ["communes.shp"]
    assert not first.from_cache and second.from_cache
    pd.testing.assert_frame_equal(
        first.communes.drop(columns="geometry"), second.communes.drop(columns="geometry")
    )
    assert first.communes.geom_equals(second.communes).all()
    assert second.problems == first.problems and len(second.problems) == 1
    assert second.summary() == first.summary()
    assert sorted(p.suffix for p in cache.iterdir()) == [".json", ".parquet"]

    load_boundaries(path, cache_dir=cache, vintage="2020-2025")  # other options: miss
    assert len(read_counter) == 2
    copy = tmp_path / "copy"
    copy.mkdir()
    for part in path.parent.iterdir():
        shutil.copy(part, copy / part.name.replace("communes", "ban_sao"))
    renamed = load_boundaries(copy / "ban_sao.shp", cache_dir=cache, vintage="2019")
    assert len(read_counter) == 2 and renamed.from_cache  # same bytes, other name: hit
    assert renamed.problems[0].source == "ban_sao.shp"
    dbf = copy / "ban_sao.dbf"  # a changed sidecar is a changed source
    dbf.write_bytes(dbf.read_bytes().replace("Tân Hòa".encode(), "Tân Hoà".encode()))
    load_boundaries(copy / "ban_sao.shp", cache_dir=cache, vintage="2019")
    assert len(read_counter) == 3


def test_use_cache_false_and_damaged_cache(commune_grid, tmp_path, read_counter):
    path = write_layer(commune_grid, tmp_path / "src", "geojson")
    cache = tmp_path / "cache"
    load_boundaries(path, cache_dir=cache, use_cache=False)
    assert not cache.exists()
    load_boundaries(path, cache_dir=cache)
    for part in cache.glob("*.parquet"):
        part.write_bytes(b"damaged")
    again = load_boundaries(path, cache_dir=cache)
    assert not again.from_cache and len(read_counter) == 3
    assert load_boundaries(path, cache_dir=cache).from_cache


def test_vintage_from_the_file_name_when_the_file_has_none(commune_grid, tmp_path):
    frame = commune_grid.drop(columns=["vintage"], errors="ignore")
    layer = no_cache(write_layer(frame, tmp_path / "a", "geojson", stem="xa_hoa_binh_2008-2019"))
    assert layer.vintage == "2008-2019"
    assert set(layer.communes["vintage"]) == {"2008-2019"}
    assert any("taken from the file name" in p.message for p in layer.problems)
    # VN-2000 is a coordinate system, not a year; a vintage given wins over the name.
    plain = no_cache(write_layer(frame, tmp_path / "b", "geojson", stem="xa_vn2000"))
    assert plain.vintage == "unknown"
    given = no_cache(write_layer(frame, tmp_path / "c", "geojson", stem="xa_2019"), vintage="2020")
    assert given.vintage == "2020"
