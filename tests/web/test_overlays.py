import folium
import geopandas as gpd
from shapely.geometry import box

from geo.web.overlays import (
    MARKED_COLOR,
    FocusWithoutScroll,
    MapAttribution,
    ViewMemory,
    highlight_group,
)


def _communes():
    return gpd.GeoDataFrame(
        {"commune_code": ["00001", "00002", "00003"]},
        geometry=[
            box(105, 20, 105.1, 20.1),
            box(105.1, 20, 105.2, 20.1),
            box(105, 20.1, 105.1, 20.2),
        ],
        crs="EPSG:4326",
    )


def test_highlight_group_outlines_the_selected_and_marked_communes():
    group = highlight_group(_communes(), selected="00002", marked=["00001", "00003", "99999"])
    layers = list(group._children.values())
    assert [layer.options["className"] for layer in layers] == [
        "atlas-marked",
        "atlas-selected-halo",
        "atlas-selected",
    ]
    assert all(layer.options["interactive"] is False for layer in layers)
    assert [f["properties"]["code"] for f in layers[0].data["features"]] == ["00001", "00003"]
    assert [f["properties"]["code"] for f in layers[2].data["features"]] == ["00002"]
    assert MARKED_COLOR in folium.Map().add_child(group).get_root().render()


def test_nothing_to_highlight():
    assert highlight_group(_communes(), selected=None) is None
    assert highlight_group(_communes(), selected="99999", marked=[]) is None


def test_map_helpers_render_safely():
    fmap = folium.Map()
    ViewMemory('schematic:17|</script>"').add_to(fmap)
    MapAttribution("<b>Ranh giới</b> & co").add_to(fmap)
    FocusWithoutScroll().add_to(fmap)
    html = fmap.get_root().render()
    assert '</script>"' not in html.split("atlas-map-view")[1][:400]
    assert "&lt;b&gt;Ranh gi" in html or "\\u0026lt;b\\u0026gt;" in html
    assert "preventScroll: true" in html
