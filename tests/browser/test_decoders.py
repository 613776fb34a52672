"""The browser's decoders give what the Python ones give, for every form of the compact data.

The app only exercises the forms its Hòa Bình data takes; here each form runs in Chromium:
topology with holes, islands and multipolygons, outlines, packed text, repeated values, codes
with exceptions, names with repeated first words.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from geo.web.geometry import (
    DECODE_JS,
    compact_geometry,
    decode_compact,
    decode_outlines,
    web_geometry,
)
from geo.web.text import COLUMNS_JS, TEXT_JS, decode_columns, encode_columns


@pytest.fixture
def page(offline_page):
    offline_page.page.set_content(f"<script>{DECODE_JS}</script>")
    return offline_page.page


def _layer():
    outer = shapely.Polygon(
        [(105.0, 20.0), (105.4, 20.0), (105.4, 20.4), (105.0, 20.4)],
        holes=[[(105.1, 20.1), (105.1, 20.3), (105.3, 20.3), (105.3, 20.1)]],
    )
    island = shapely.box(105.1, 20.1, 105.3, 20.3)
    parts = shapely.MultiPolygon(
        [shapely.box(105.4, 20.0, 105.6, 20.2), shapely.box(105.7, 20.0, 105.8, 20.1)]
    )
    top = shapely.box(105.4, 20.2, 105.6, 20.4)
    return gpd.GeoDataFrame(
        {
            "code": ["00101", "00104", "no-code:7", "00110"],
            "name": ["Xã Tân Mỹ", "Phường Hữu Nghị", "Xã ~Lạ~ <b>", "Thị trấn Mường Khến"],
            "district": ["Huyện Lạc Sơn", "Huyện Lạc Sơn", "Thành phố Hòa Bình", "Huyện Tân Lạc"],
        },
        geometry=[outer, island, parts, top],
        crs=4326,
    )


def test_features_and_outlines_match_python(page):
    layer = _layer()
    web = web_geometry(layer, use_cache=False)
    data = compact_geometry(web, text={c: layer[c] for c in ("code", "name", "district")})
    decoded = page.evaluate(
        """(data) => {
          const out = atlasFeatures(data);
          const features = out.collection.features;
          const outlines = atlasOutlines(
            out.topology, (f) => features[f].properties.district, "district");
          return {features: features, outlines: outlines};
        }""",
        data,
    )
    expected = decode_compact(json.loads(json.dumps(data)))
    assert [f["properties"] for f in decoded["features"]] == [f["properties"] for f in expected]
    assert decoded["features"][2]["properties"]["name"] == "Xã ~Lạ~ &lt;b&gt;"
    for got, want in zip(decoded["features"], expected, strict=True):
        a = shapely.geometry.shape(got["geometry"])
        b = shapely.geometry.shape(want["geometry"])
        assert a.equals(b) and a.area > 0
    lines = {
        o["properties"]["district"]: shapely.geometry.shape(o["geometry"])
        for o in decoded["outlines"]
    }
    want = {
        o["properties"]["district"]: shapely.geometry.shape(o["geometry"])
        for o in decode_outlines(data, "district")
    }
    assert sorted(lines) == sorted(want)
    for name, geometry in lines.items():
        assert geometry.length == pytest.approx(want[name].length)


@pytest.mark.parametrize(
    "columns",
    [
        {"code": ["00001", "00003", "?x", "00002", None, "10000"]},  # codes with exceptions
        {"name": ["Xã A", "Xã Ẵ", "Phường B", "Thị trấn C", "Xã D", "Phường Đ"]},  # heads
        {"fill": ["#fff", "#000", "#fff", "#fff", "#000", "#fff"]},  # repeated values
        {"value": [1.5, None, "a~b", 3, "Ư", True]},  # a plain list
    ],
)
def test_columns_match_python(page, columns):
    props, table = encode_columns(columns)
    got = page.evaluate("([props, table]) => atlasColumns(props, table)", [props, table])
    assert got == decode_columns(props, table) == columns


def test_text_decoder_is_in_the_page_script():
    assert TEXT_JS in DECODE_JS and COLUMNS_JS in DECODE_JS
