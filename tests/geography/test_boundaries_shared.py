"""Integration tests of geo.geography.boundaries on the real layers in ../shared/data/boundaries.

The files are read where they are (never copied into the repository); the module is skipped
when the folder is absent, e.g. in a plain checkout.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from repo_paths import SHARED_DATA

from geo.geography.boundaries import ValidationOptions, is_provisional_code, load_boundaries
from geo.schema import AREA_KM2

SHARED = SHARED_DATA / "boundaries"
COMMUNES_2019 = SHARED / "hoabinh_communes_2019_vietnam63.geojson"
COMMUNES_2020 = SHARED / "hoabinh_communes_2020-2025_derived_vietnam63.geojson"
NATIONAL = SHARED / "vietnam_communes_2008-2019_vietnam63.geojson"
#: Hòa Bình, generously: 104.8–105.9°E, 20.3–21.2°N.
HOA_BINH_BOX = (104.8, 20.3, 105.9, 21.2)

if not SHARED.is_dir():
    pytest.skip(f"shared boundary layers not found at {SHARED}", allow_module_level=True)

pytestmark = [
    pytest.mark.shared,
    pytest.mark.filterwarnings(
        "ignore:Column names longer than 10:UserWarning",
        "ignore:Normalized/laundered field name:RuntimeWarning",
    ),
]


def inside_hoa_binh(bounds: list[float] | np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return (
        HOA_BINH_BOX[0] <= minx
        and maxx <= HOA_BINH_BOX[2]
        and HOA_BINH_BOX[1] <= miny
        and maxy <= HOA_BINH_BOX[3]
    )


@pytest.mark.parametrize(
    ("path", "vintage", "communes", "districts"),
    [(COMMUNES_2019, "2019", 210, 11), (COMMUNES_2020, "2020-2025", 151, 10)],
    ids=["2019", "2020-2025"],
)
def test_hoa_binh_layers(path, vintage, communes, districts):
    layer = load_boundaries(path, vintage=vintage, use_cache=False)
    summary = layer.summary()
    assert summary["feature_count"] == communes
    assert summary["districts"] == districts
    assert summary["provinces"] == 1
    assert summary["vintage"] == vintage
    assert summary["source_crs"] == "EPSG:4326"
    assert inside_hoa_binh(summary["bounds_wgs84"])
    frame = layer.communes
    assert frame["commune_code"].str.fullmatch(r"\d{5}").all()
    assert frame["commune_code"].is_unique
    assert set(frame["commune_type"]) == {"Xã", "Phường", "Thị trấn"}
    assert frame[AREA_KM2].sum() == pytest.approx(4590, rel=0.01)  # Hòa Bình: ~4,590 km²
    # Thinned source polygons overlap and leave slivers: reported, nothing dropped.
    assert summary["errors"] == 0
    messages = [p["message"] for p in summary["problems"]]
    assert any(m.startswith("overlaps") for m in messages)
    assert any(m.startswith("gap of") for m in messages)


def test_national_layer():
    # How long this takes is measured by bench/, not asserted here.
    layer = load_boundaries(NATIONAL, use_cache=False)
    summary = layer.summary()
    assert summary["feature_count"] == 11_163  # features without a code are kept
    assert summary["provinces"] == 63
    assert summary["errors"] == 0
    listed = [p for p in layer.problems if p.message.startswith("no commune code")]
    assert len(listed) == 20
    assert any(p.message.startswith("475 more features without a code") for p in layer.problems)
    # Two features carry the text "nan" as a name: they are named by their position.
    assert layer.communes["commune_name"].isna().sum() == 2

    quick = load_boundaries(
        NATIONAL,
        use_cache=False,
        validation=ValidationOptions(check_coverage=False, max_listed=None),
    )
    missing = [p for p in quick.problems if p.message.startswith("no commune code")]
    assert len(missing) == 495
    assert any(p.where.startswith("feature #") for p in missing)
    # They are kept, drawn as "no data", under provisional codes: the code stays a unique key.
    codes = quick.communes["commune_code"]
    assert codes.notna().all() and codes.is_unique
    provisional = codes[codes.map(is_provisional_code)]
    assert len(provisional) == 495
    numbers = {p.where.rsplit("#", 1)[1].rstrip(")") for p in missing}
    assert {code.removeprefix("no-code:") for code in provisional} == numbers
    assert codes[~codes.map(is_provisional_code)].str.fullmatch(r"\d{5}").all()


def test_vn2000_zipped_shapefile_round_trip(tmp_path):
    original = load_boundaries(COMMUNES_2020, use_cache=False).communes
    metres = original.drop(columns=[AREA_KM2]).to_crs("EPSG:9211")  # VN-2000 / TM-3 106-00
    parts = tmp_path / "shp"
    parts.mkdir()
    metres.to_file(parts / "xa_hoa_binh_vn2000.shp", engine="pyogrio")
    path = tmp_path / "xa_hoa_binh_vn2000.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in sorted(parts.iterdir()):
            archive.write(part, f"HoaBinh/{part.name}")
    layer = load_boundaries(path, cache_dir=tmp_path / "cache")
    assert layer.source_crs == "EPSG:9211"
    assert len(layer.communes) == 151
    bounds = layer.communes.total_bounds
    assert inside_hoa_binh(bounds)
    assert np.allclose(bounds, original.total_bounds, atol=1e-4)
    assert layer.communes["commune_code"].tolist() == original["commune_code"].tolist()
    assert np.allclose(layer.communes[AREA_KM2], original[AREA_KM2], rtol=1e-4)
    assert load_boundaries(path, cache_dir=tmp_path / "cache").from_cache


def test_real_province_layer_becomes_a_gapless_web_coverage(tmp_path):
    """The 2020–2025 layer was thinned polygon by polygon (overlaps, slivers up to a few
    hundred metres): the web pipeline makes it one coverage, slivers closed, and sends each
    inner border once."""
    import shapely

    from geo.web.geometry import coverage_gaps, web_geometry
    from geo.web.topology import decode_topology

    communes = load_boundaries(COMMUNES_2020, cache_dir=tmp_path).communes
    source = coverage_gaps(communes.geometry.values)
    assert source["holes"] > 0 and not source["valid"]
    web = web_geometry(communes, cache_dir=tmp_path)
    info = web.attrs["web_geometry"]
    gaps = coverage_gaps(web.geometry.values)
    assert gaps["valid"] and gaps["holes"] == 0 and abs(gaps["overlap"]) < 1e-9
    assert not shapely.is_empty(web.geometry.values).any()
    # Each commune keeps its place: the web polygon holds the source polygon's inner point.
    inside = shapely.point_on_surface(communes.geometry.values)
    assert shapely.contains(web.geometry.values, inside).mean() > 0.97
    # Inner borders are shared: about 3 arcs a commune, far fewer points than the rings.
    assert info["arcs"] < 4 * len(web)
    assert info["arc_vertices"] < 0.75 * info["vertices_out"]
    # What the browser gets back is the web layer, vertex for vertex.
    back = decode_topology(web.attrs["web_topology"]).geometries(info["grid"])
    assert shapely.equals(back, web.geometry.values).all()
