"""Web geometry: coverage simplification, quantisation, cache, compact encoding, escaping."""

import json
import math
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.web import geometry as webgeom
from geo.web.compact import CANVAS_FROM, CompactGeoJson
from geo.web.geometry import (
    coverage_gaps,
    decode_compact,
    grid_for,
    script_json,
    tolerance_m,
    web_feature_collection,
    web_geometry,
)
from geo.web.text import unpack_text
from geo.web.topology import ALPHABET


def _coverage(n=5, *, seed=1, step=0.004, wiggle=0.0001, shared=True):
    """An n×n coverage of wiggly cells near Hòa Bình (0.1° apart, a vertex every ``step``°
    moved by about ``wiggle``°): shared edges identical vertex for vertex.

    With ``shared=False`` every cell is then moved by its own micrometres, so neighbours'
    vertices differ slightly, as in layers thinned polygon by polygon.
    """
    rng = np.random.default_rng(seed)
    xs = 105.0 + np.arange(n + 1) * 0.1
    ys = 20.5 + np.arange(n + 1) * 0.1

    # Wiggly edges between grid nodes, drawn once and shared by both neighbours.
    def edge(a, b):
        t = np.linspace(0, 1, round(np.hypot(*(np.subtract(b, a))) / step) + 1)[1:-1]
        pts = np.outer(1 - t, a) + np.outer(t, b)
        normal = np.array([a[1] - b[1], b[0] - a[0]]) / np.hypot(b[0] - a[0], b[1] - a[1])
        key = hash((round(a[0], 6), round(a[1], 6), round(b[0], 6), round(b[1], 6))) % 2**32
        offs = np.random.default_rng(key).normal(0, wiggle, len(t))
        return [tuple(p) for p in pts + np.outer(offs, normal)]

    def side(a, b):
        if (a[0], a[1]) <= (b[0], b[1]):
            return edge(a, b)
        return edge(b, a)[::-1]

    cells, codes = [], []
    for i in range(n):
        for j in range(n):
            corners = [
                (xs[j], ys[i]),
                (xs[j + 1], ys[i]),
                (xs[j + 1], ys[i + 1]),
                (xs[j], ys[i + 1]),
            ]
            ring = []
            for k in range(4):
                a, b = corners[k], corners[(k + 1) % 4]
                ring += [a, *side(a, b)]
            if not shared:
                ring = [tuple(p) for p in np.asarray(ring) + rng.normal(0, 3e-6, 2)]
            cells.append(shapely.Polygon(ring))
            codes.append(f"{i * n + j + 1:05d}")
    return gpd.GeoDataFrame(
        {
            "commune_code": codes,
            "commune_name": [f"Xã {c}" for c in codes],
            "district_code": ["001" if int(c) <= n * n // 2 else "002" for c in codes],
            "district_name": ["Huyện Một" if int(c) <= n * n // 2 else "Huyện Hai" for c in codes],
            "population": 1000,
        },
        geometry=cells,
        crs="EPSG:4326",
    )


@pytest.fixture
def cells():
    frame = _coverage()
    assert shapely.coverage_is_valid(frame.geometry.values)
    return frame


@pytest.fixture(autouse=True)
def _fresh_memory():
    webgeom.clear_memory()
    yield
    webgeom.clear_memory()


def _no_gaps_no_overlaps(before, after):
    gaps = coverage_gaps(after)
    assert gaps["valid"], "not a valid coverage (overlap or unmatched shared edge)"
    # Union area equals the sum of the areas: no overlap ...
    assert abs(gaps["overlap"]) < 1e-9
    # ... and no sliver between neighbours: the union has no hole the input did not have.
    assert gaps["holes"] <= coverage_gaps(before)["holes"] + 1e-9
    # The outline stays where it was (within the tolerance).
    assert shapely.union_all(after).symmetric_difference(shapely.union_all(before)).area < (
        0.01 * shapely.union_all(before).area
    )


def test_simplification_keeps_a_valid_coverage_and_drops_vertices(cells, tmp_path):
    web = web_geometry(cells, view=100.0, cache_dir=tmp_path)
    info = web.attrs["web_geometry"]
    assert len(web) == len(cells) and list(web.index) == list(cells.index)
    assert list(web["commune_code"]) == list(cells["commune_code"])
    assert info["vertices_out"] < 0.6 * info["vertices_in"]
    assert info["coverage_valid"] and info["cleaned"] == 0
    _no_gaps_no_overlaps(cells.geometry.values, web.geometry.values)
    # Every commune is still there, as a polygon.
    assert not shapely.is_empty(web.geometry.values).any()
    assert shapely.is_valid(web.geometry.values).all()


def test_layer_whose_neighbours_do_not_share_vertices_is_cleaned_first(tmp_path):
    loose = _coverage(shared=False, seed=2)
    assert not shapely.coverage_is_valid(loose.geometry.values)
    web = web_geometry(loose, view=100.0, cache_dir=tmp_path)
    assert web.attrs["web_geometry"]["cleaned"] > 0
    assert web.attrs["web_geometry"]["coverage_valid"]
    assert shapely.coverage_is_valid(web.geometry.values)
    assert abs(coverage_gaps(web.geometry.values)["overlap"]) < 1e-9


def test_quantisation_precision_is_tied_to_the_tolerance(cells, tmp_path):
    web = web_geometry(cells, cache_dir=tmp_path)
    info = web.attrs["web_geometry"]
    grid = info["grid"]
    assert grid == grid_for(info["tolerance_deg"])
    assert grid <= info["tolerance_deg"] / 4
    coords = shapely.get_coordinates(web.geometry.values)
    assert np.allclose(coords / grid, np.round(coords / grid), atol=1e-6)
    # A country-wide view gets a coarser tolerance, hence a coarser grid.
    country = web_geometry(cells, view="country", cache_dir=tmp_path).attrs["web_geometry"]
    assert country["tolerance_m"] > info["tolerance_m"] and country["grid"] > grid
    assert country["vertices_out"] <= info["vertices_out"]


def test_tolerance_follows_the_extent():
    province = (104.8, 20.3, 105.9, 21.2)
    country = (102.1, 8.5, 109.5, 23.4)
    assert 20 <= tolerance_m(province) <= 40
    assert 350 <= tolerance_m(country) <= 450
    assert tolerance_m(province, view=100.0) == 100.0
    assert tolerance_m(province, view="country") == tolerance_m((0, 0, 0, 0), view="country")
    with pytest.raises(ValueError):
        tolerance_m(province, view="street")


def test_cache_round_trip(cells, tmp_path):
    first = web_geometry(cells, cache_dir=tmp_path)
    files = list(tmp_path.glob("web_*.parquet"))
    assert len(files) == 1
    assert first.attrs["web_geometry"]["from_cache"] is False
    webgeom.clear_memory()
    again = web_geometry(cells, cache_dir=tmp_path)
    assert again.attrs["web_geometry"]["from_cache"] is True
    assert again.attrs["web_geometry"]["key"] == first.attrs["web_geometry"]["key"]
    assert shapely.equals_exact(again.geometry.values, first.geometry.values, tolerance=0).all()
    assert list(again.columns) == [
        "commune_code",
        "commune_name",
        "district_code",
        "district_name",
        "geometry",
    ]  # only what the map needs
    # Another tolerance or other geometry is another entry.
    web_geometry(cells, view=500.0, cache_dir=tmp_path)
    moved = cells.copy()
    moved.geometry = moved.geometry.translate(0.001, 0)
    web_geometry(moved, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("web_*.parquet"))) == 3
    # A damaged entry is rebuilt, not fatal.
    webgeom.clear_memory()
    files[0].write_bytes(b"not parquet")
    rebuilt = web_geometry(cells, cache_dir=tmp_path)
    assert rebuilt.attrs["web_geometry"]["from_cache"] is False


def test_compact_encoding_round_trip(cells, tmp_path):
    web = web_geometry(cells, cache_dir=tmp_path)
    grid = web.attrs["web_geometry"]["grid"]
    text = webgeom.compact_geometry_json(web, text={"code": web["commune_code"]})
    data = json.loads(text)
    # Geometry travels as varint text: only the 64 characters of the alphabet.
    assert set(data["arcs"] + data["rings"]) <= set(ALPHABET)
    features = decode_compact(data)
    assert [f["properties"]["code"] for f in features] == list(cells["commune_code"])
    decoded = shapely.from_geojson(json.dumps({"type": "FeatureCollection", "features": features}))
    back = shapely.get_parts(decoded)
    assert len(back) == len(web)
    for a, b in zip(back, web.geometry.values, strict=True):
        assert a.symmetric_difference(b).area < grid * grid
        assert a.equals(b)  # same vertices: the topology only regroups them
    # Every inner border is sent once: fewer points than the rings have.
    info = web.attrs["web_geometry"]
    assert info["arc_vertices"] < 0.65 * info["vertices_out"]
    # Repeated values are sent once, with one index character per feature.
    dense = webgeom.compact_geometry(web, text={"district": web["district_name"]})
    assert [unpack_text(v, dense["text"]) for v in dense["props"]["district"]["values"]] == [
        "Huyện Một",
        "Huyện Hai",
    ]
    # Vietnamese letters travel as two ASCII bytes, not as six-byte JSON escapes.
    assert dense["props"]["district"]["values"][0] == "Huy~An M~Bt"
    assert len(dense["props"]["district"]["index"]) == len(web)


def test_district_outlines_follow_commune_borders(cells, tmp_path):
    web = web_geometry(cells, cache_dir=tmp_path)
    data = webgeom.compact_geometry(web, text={"district": web["district_name"]})
    outlines = {f["properties"]["district"]: f for f in webgeom.decode_outlines(data, "district")}
    assert sorted(outlines) == ["Huyện Hai", "Huyện Một"]
    for name, feature in outlines.items():
        members = shapely.union_all(web.geometry[web["district_name"] == name].values)
        lines = shapely.from_geojson(json.dumps(feature["geometry"]))
        # The outline is the district's boundary, and nothing else.
        assert lines.length == pytest.approx(members.boundary.length, rel=1e-9)
        assert lines.buffer(1e-9).covers(members.boundary)


def test_script_json_is_safe_in_html_and_jinja():
    text = script_json({"name": "</script><script>alert('x')</script> {{ 1 }} {% x %} & \u2028"})
    assert "<" not in text and ">" not in text and "'" not in text and "&" not in text
    assert "{{" not in text and "{%" not in text and "\u2028" not in text
    assert json.loads(text)["name"].startswith("</script>")


def test_compact_layer_escapes_names_and_draws_one_feature_per_commune(cells):
    cells.loc[0, "commune_name"] = "<script>alert('x')</script>"
    props = pd.DataFrame(
        {
            "code": cells["commune_code"],
            "name": cells["commune_name"].map(lambda s: __import__("html").escape(s)),
        }
    )
    fmap = folium.Map(location=[20.7, 105.2], tiles=None)
    layer = CompactGeoJson(
        web_feature_collection(cells, props),
        style_function=lambda f: {
            "fillColor": "#fff" if f["properties"]["code"] < "00010" else "#000"
        },
        highlight_function=lambda _f: {"weight": 3},
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(fmap)
    page = fmap.get_root().render()
    assert "<script>alert" not in page
    features = layer.features()
    assert len(features) == len(cells)
    assert [f["properties"]["code"] for f in features] == list(cells["commune_code"])
    assert features[0]["properties"]["name"] == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    # One style table of two entries and a digit per feature, not a style per feature.
    assert json.loads(layer.style_table) == [{"fillColor": "#fff"}, {"fillColor": "#000"}]
    assert json.loads(layer.style_index) == "0" * 9 + "1" * (len(cells) - 9)
    assert page.count("fillColor") == 2  # once per distinct style, not once per commune
    assert re.search(r"\.bindTooltip\(", page)
    assert layer.canvas is False and len(cells) < CANVAS_FROM


def test_compact_layer_is_much_smaller_than_folium(tmp_path):
    big = _coverage(n=12)
    props = pd.DataFrame({"code": big["commune_code"], "name": big["commune_name"]})
    style = {"fillColor": "#abcdef", "weight": 0.6}

    def page(layer_type, data):
        fmap = folium.Map(location=[20.7, 105.2], tiles=None)
        layer_type(data, style_function=lambda _f: style).add_to(fmap)
        return fmap.get_root().render()

    naive = page(folium.GeoJson, json.loads(big.assign(**props).to_json()))
    compact = page(CompactGeoJson, web_feature_collection(big, props))
    assert len(compact) * 3 < len(naive)


def test_copies_share_the_encoded_data(cells):
    import copy

    props = pd.DataFrame({"code": cells["commune_code"]})
    fmap = folium.Map(location=[20.7, 105.2], tiles=None)
    layer = CompactGeoJson(web_feature_collection(cells, props)).add_to(fmap)
    twin = copy.deepcopy(fmap)
    copied = next(c for c in twin._children.values() if isinstance(c, CompactGeoJson))
    assert copied is not layer and copied.compact_json is layer.compact_json
    assert copied._parent is twin
    assert "atlasFeatures" in twin.get_root().render()


def test_with_coordinates_gives_plain_geojson(cells):
    collection = web_feature_collection(cells, pd.DataFrame({"code": cells["commune_code"]}))
    assert all(f["geometry"] is None for f in collection["features"])
    plain = collection.with_coordinates()
    geoms = shapely.from_geojson(json.dumps(plain))
    assert len(shapely.get_parts(geoms)) == len(cells)
    assert math.isclose(
        shapely.area(geoms), float(shapely.area(cells.geometry.values).sum()), rel_tol=0.01
    )


def test_rows_are_cut_from_the_whole_layer(cells, tmp_path, monkeypatch):
    """A drill-down draws the rest of the layer faded: cut from the whole layer's web geometry,
    not simplified again (for the country, that would be seconds per district)."""
    monkeypatch.setattr(webgeom, "WEB_CACHE_DIR", tmp_path)
    webgeom.clear_memory()
    props = pd.DataFrame({"code": cells["commune_code"]})
    whole = web_feature_collection(cells, props)
    rows = cells["district_name"].eq("Huyện Hai").to_numpy()
    part = web_feature_collection(cells, props[rows], rows=rows)
    assert len(list(tmp_path.glob("web_*.parquet"))) == 1  # one simplification, shared
    assert shapely.equals(part.frame.geometry.values, whole.frame.geometry.values[rows]).all()
    assert part.frame.attrs["web_geometry"]["key"] != whole.frame.attrs["web_geometry"]["key"]
    layer = CompactGeoJson(part)
    assert [f["properties"]["code"] for f in layer.features()] == list(cells["commune_code"][rows])


def test_quantise_drops_rings_that_collapse_never_the_commune():
    """A hole or islet smaller than the grid used to raise GEOS's 'LinearRing found 2' error."""
    outer = shapely.box(0, 0, 10, 10)
    hole = shapely.Polygon([(2, 2), (2.3, 2), (2.3, 2.1), (2, 2.1)])
    with_hole = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    with_islet = shapely.MultiPolygon([outer, shapely.box(20, 20, 20.2, 20.2)])
    too_small = shapely.box(0, 0, 0.2, 0.2)
    out = webgeom.quantise(np.array([with_hole, with_islet, too_small], dtype=object), 1.0)
    assert out[0].equals(outer) and len(out[0].interiors) == 0  # the hole collapsed
    assert out[1].equals(outer)  # the islet collapsed, the commune is kept
    assert out[2].equals(too_small)  # all of it would collapse: kept unrounded
    assert all(shapely.is_valid(out))


def test_detailed_layer_not_a_coverage_is_thinned_cleaned_and_kept_whole(tmp_path):
    """Survey detail (a vertex every ~40 m) whose neighbours do not share vertices: thinned
    polygon by polygon before cleaning, still one commune per row and a gap-free coverage."""
    dense = _coverage(n=6, step=0.0004, wiggle=0.00005, shared=False, seed=3)
    assert not shapely.coverage_is_valid(dense.geometry.values)
    web = web_geometry(dense, view=200.0, cache_dir=tmp_path)
    info = web.attrs["web_geometry"]
    assert info["vertices_in"] > 35_000 and info["vertices_out"] < 0.2 * info["vertices_in"]
    assert info["coverage_valid"] and info["empty"] == 0 and info["cleaned"] == len(dense)
    assert list(web["commune_code"]) == list(dense["commune_code"])
    assert shapely.is_valid(web.geometry.values).all()
    _no_gaps_no_overlaps(dense.geometry.values, web.geometry.values)
    # Each commune stays where it was: within a few tolerances (200 m) of its source.
    moved = shapely.area(shapely.symmetric_difference(web.geometry.values, dense.geometry.values))
    assert (moved / shapely.area(dense.geometry.values) < 0.05).all()


def test_presimplify_thins_each_polygon_and_never_loses_one():
    wiggly = shapely.Polygon([(0, 0), (1, 0.001), (2, 0), (2, 2), (0, 2)])
    folded = shapely.Polygon([(0, 0), (4, 0), (4, 1), (2, 1.0005), (2.0002, 0.0004), (0, 1)])
    islet = shapely.box(5, 5, 5.001, 5.001)  # smaller than the tolerance
    out = webgeom.presimplify(np.array([wiggly, folded, islet], dtype=object), 0.01)
    assert shapely.get_num_coordinates(out[0]) == 5
    assert shapely.is_valid(out).all() and not shapely.is_empty(out).any()
    assert out[2].intersects(islet)


def test_a_commune_the_cleaning_dropped_is_carved_back_from_its_neighbours():
    left, middle, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(2, 0, 3, 1)
    source = np.array([left, middle, right], dtype=object)
    # What coverage_clean at a coarse snapping distance did to Xã Nam La: gave it away whole.
    dropped = np.array([shapely.box(0, 0, 2, 1), shapely.Polygon(), right], dtype=object)
    out = webgeom._restore_lost(dropped, source, snap=0.01)
    assert out[1].equals(middle) and out[0].equals(left) and out[2].equals(right)
    assert shapely.coverage_is_valid(out)
    # A polygon wholly under its neighbours in the source has nothing of its own: stays empty.
    covered = np.array([shapely.box(0, 0, 2, 1), shapely.box(0.5, 0, 1.5, 1)], dtype=object)
    out = webgeom._restore_lost(
        np.array([covered[0], shapely.Polygon()], dtype=object), covered, snap=0.01
    )
    assert shapely.is_empty(out[1]) and out[0].equals(covered[0])
