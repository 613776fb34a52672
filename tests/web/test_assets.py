"""geo.web.assets: maps reference only the vendored Leaflet/d3, and the vendor folder is intact."""

from __future__ import annotations

import subprocess
import sys
import warnings

import branca.colormap
import folium
import pandas as pd
import pytest
from repo_paths import REPO_ROOT

from geo.web.assets import (
    DEFAULT_BASE_URL,
    LocalColormapLegend,
    OfflineAssetError,
    RemoteTilesWarning,
    asset_urls,
    component_asset_urls,
    is_remote_url,
    missing_vendored_files,
    remote_asset_urls,
    streamlit_static_base_url,
    use_local_assets,
    vendored_path,
)

GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": f"Xã {code}", "value": value},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[105 + i, 20], [106 + i, 20], [106 + i, 21], [105 + i, 20]]],
            },
        }
        for i, (code, value) in enumerate([("a", 1.0), ("b", 2.0), ("c", 3.0)])
    ],
}


def atlas_like_map() -> folium.Map:
    """A map with what the atlas draws: choropleth, colormap, tooltip, layer control."""
    m = folium.Map(location=[20.5, 106.5], zoom_start=7, tiles=None)
    cmap = branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=3, caption="v")
    folium.GeoJson(
        GEOJSON,
        name="xã",
        style_function=lambda f: {"fillColor": cmap(f["properties"]["value"])},
        tooltip=folium.GeoJsonTooltip(["name", "value"]),
        popup=folium.GeoJsonPopup(["name"]),
    ).add_to(m)
    cmap.add_to(m)
    table = pd.DataFrame({"code": ["a", "b", "c"], "value": [1.0, 2.0, 3.0]})
    folium.Choropleth(
        GEOJSON, data=table, columns=["code", "value"], key_on="feature.id", legend_name="c"
    ).add_to(m)
    folium.LayerControl().add_to(m)
    m.fit_bounds([[20, 105], [21, 108]])
    return m


def test_default_folium_map_is_online():
    m = atlas_like_map()
    assert len(remote_asset_urls(m.get_root().render())) >= 10
    assert all(is_remote_url(u) for u in component_asset_urls(m))


def test_use_local_assets_leaves_nothing_remote():
    m = use_local_assets(atlas_like_map())
    html = m.get_root().render()
    assert remote_asset_urls(html) == []
    local = {
        f"{DEFAULT_BASE_URL}/leaflet-1.9.3/dist/leaflet.js",
        f"{DEFAULT_BASE_URL}/leaflet-1.9.3/dist/leaflet.css",
        f"{DEFAULT_BASE_URL}/d3-3.5.5/d3.min.js",
    }
    assert set(asset_urls(html)) == local
    # What streamlit-folium sends to its iframe: no CDN d3 for the colormaps any more.
    assert set(component_asset_urls(m)) == local
    assert html.count("d3.scale.threshold()") == 2  # both legends are drawn


def test_component_links_are_loaded_in_order():
    urls = component_asset_urls(use_local_assets(atlas_like_map()))
    assert urls.index(f"{DEFAULT_BASE_URL}/leaflet-1.9.3/dist/leaflet.js") < urls.index(
        f"{DEFAULT_BASE_URL}/d3-3.5.5/d3.min.js"
    )


def test_legend_script_is_branca_s_own():
    def render(local: bool) -> str:
        m = folium.Map(tiles=None)
        branca.colormap.StepColormap(
            ["white", "red", "blue"], index=[0, 1, 2, 3], vmin=0, vmax=3, caption="v"
        ).add_to(m)
        if local:
            use_local_assets(m)
        html = m.get_root().render()
        start = html.index("d3.scale.threshold()")
        return html[start : html.index("</script>", start)].split("_")[0]

    assert render(local=True) == render(local=False)


def test_colormaps_are_replaced_everywhere():
    m = use_local_assets(atlas_like_map())
    choropleth = next(c for c in m._children.values() if isinstance(c, folium.Choropleth))
    assert isinstance(choropleth.color_scale, LocalColormapLegend)
    legends = [c for c in m._children.values() if isinstance(c, LocalColormapLegend)]
    assert len(legends) == 1
    assert legends[0](3.0) == legends[0].colormap(3.0)


def test_idempotent_and_class_defaults_untouched():
    class_js = list(folium.Map.default_js)
    m = use_local_assets(use_local_assets(atlas_like_map()))
    assert remote_asset_urls(m.get_root().render()) == []
    assert folium.Map.default_js == class_js
    assert remote_asset_urls(atlas_like_map().get_root().render())


def test_base_url_and_baseurlpath():
    assert streamlit_static_base_url("") == "/app/static/vendor"
    assert streamlit_static_base_url("/atlas/") == "/atlas/app/static/vendor"
    m = use_local_assets(atlas_like_map(), base_url="/atlas/app/static/vendor/")
    assert "/atlas/app/static/vendor/leaflet-1.9.3/dist/leaflet.js" in component_asset_urls(m)


@pytest.mark.parametrize(
    "add",
    [
        lambda m: folium.Marker([20, 105], popup="hi").add_to(m),
        lambda m: folium.Marker([20, 105], icon=folium.Icon(color="red")).add_to(m),
        lambda m: setattr(folium.GeoJson(GEOJSON).add_to(m), "embed", False),
        lambda m: folium.plugins.Fullscreen().add_to(m),
    ],
    ids=["popup", "icon", "geojson-url", "plugin"],
)
def test_strict_refuses_what_needs_the_internet(add):
    import folium.plugins  # noqa: F401

    m = atlas_like_map()
    add(m)
    before = component_asset_urls(m)
    with pytest.raises(OfflineAssetError) as err:
        use_local_assets(m)
    assert err.value.problems
    assert component_asset_urls(m) == before  # left untouched


def test_non_strict_keeps_what_is_needed_and_warns():
    m = atlas_like_map()
    folium.Marker([20, 105], popup="hi").add_to(m)
    with pytest.warns(UserWarning, match="jquery"):
        use_local_assets(m, strict=False)
    urls = component_asset_urls(m)
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in urls
    assert f"{DEFAULT_BASE_URL}/leaflet-1.9.3/dist/leaflet.js" in urls


def test_remote_tiles_warn_and_are_listed():
    m = folium.Map(tiles="OpenStreetMap")
    with pytest.warns(RemoteTilesWarning):
        use_local_assets(m)
    remote = remote_asset_urls(m.get_root().render())
    assert len(remote) == 1
    assert "tile.openstreetmap.org" in remote[0]


def test_no_warning_without_tiles():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        use_local_assets(atlas_like_map())


def test_vendored_path():
    assert vendored_path("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js") == (
        "leaflet-1.9.3/dist/leaflet.js"
    )
    assert vendored_path("https://unpkg.com/leaflet@1.9.3/dist/leaflet.css") == (
        "leaflet-1.9.3/dist/leaflet.css"
    )
    assert vendored_path("https://cdnjs.cloudflare.com/ajax/libs/leaflet/1.9.3/leaflet.js") == (
        "leaflet-1.9.3/dist/leaflet.js"
    )
    assert vendored_path("https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js") == (
        "d3-3.5.5/d3.min.js"
    )
    assert vendored_path("https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js") is None
    assert vendored_path("https://code.jquery.com/jquery-3.7.1.min.js") is None


def test_asset_urls_parser():
    html = """<html><head>
    <link rel="stylesheet" href="https://x.org/a.css"/>
    <script src="/local.js"></script>
    <style>.a{background:url('//y.org/i.png')} @import "https://z.org/b.css";</style>
    </head><body style="background-image: url(data:image/png;base64,AAAA)">
    <img src="img.png" srcset="https://w.org/1.png 1x, /2.png 2x">
    <a href="https://not-fetched.org">attribution</a>
    <script>var t = L.tileLayer("https://{s}.tile.example/{z}/{x}/{y}.png", {});</script>
    </body></html>"""
    assert remote_asset_urls(html) == [
        "https://x.org/a.css",
        "//y.org/i.png",
        "https://z.org/b.css",
        "https://w.org/1.png",
        "https://{s}.tile.example/{z}/{x}/{y}.png",
    ]
    assert "/local.js" in asset_urls(html)


def test_vendor_folder_is_complete_and_matches_readme():
    assert missing_vendored_files() == []
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "vendor_assets.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_streamlit_config_serves_static():
    import tomllib

    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert config["browser"]["gatherUsageStats"] is False
