import folium
import geopandas as gpd
from shapely.geometry import box

from geo.web.overlays import (
    MARKED_COLOR,
    FillFrame,
    FocusWithoutScroll,
    MapAttribution,
    MarkedLegendEntry,
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


def test_marks_have_a_legend_entry_only_when_labelled():
    group = highlight_group(_communes(), selected=None, marked=["00001"], marked_label="<b>2</b>")
    (entry,) = [c for c in group._children.values() if isinstance(c, MarkedLegendEntry)]
    html = folium.Map().add_child(group).get_root().render()
    assert "atlas-legend-mark" in html and 'group.on("remove"' in html
    assert "<b>2</b>" not in html  # set as text, and escaped in the script
    assert entry.color == MARKED_COLOR
    # No marks, no entry (a selected commune alone is not "marked").
    alone = highlight_group(_communes(), selected="00001", marked=[], marked_label="x")
    assert not [c for c in alone._children.values() if isinstance(c, MarkedLegendEntry)]
    unlabelled = highlight_group(_communes(), selected=None, marked=["00001"])
    assert not [c for c in unlabelled._children.values() if isinstance(c, MarkedLegendEntry)]


def test_view_kept_per_area_map_fills_its_frame_and_no_focus_box():
    fmap = folium.Map()
    FillFrame().add_to(fmap)
    FocusWithoutScroll().add_to(fmap)
    ViewMemory("schematic:17|province").add_to(fmap)
    html = fmap.get_root().render()
    # One saved view per area: back on the province, its own view, not the district's.
    assert '"atlas-map-view|" + scope' in html
    assert '"height", "100vh", "important"' in html
    assert "path.leaflet-interactive:focus{outline:none}" in html
