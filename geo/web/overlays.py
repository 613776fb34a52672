"""What the app draws over a finished map: the selected commune, marked communes, the view.

streamlit-folium re-creates the whole map whenever its script changes, which resets the view.
So the choropleth stays the same from one Streamlit run to the next, and what changes with a
click goes into a *feature group* (:func:`highlight_group`), which ``st_folium`` swaps in the
live map (``feature_group_to_add``) without touching the rest. When the map must be re-created
(another layer or period), :class:`ViewMemory` puts back the zoom and centre the reader left,
as long as the map shows the same area (province or district).

Examples
--------
>>> from shapely.geometry import box
>>> import geopandas as gpd
>>> communes = gpd.GeoDataFrame({"commune_code": ["00001", "00002"]},
...     geometry=[box(105, 20, 105.1, 20.1), box(105.1, 20, 105.2, 20.1)], crs="EPSG:4326")
>>> group = highlight_group(communes, selected="00002", marked=["00001"])
>>> [child.options.get("className") for child in group._children.values()]
['atlas-marked', 'atlas-selected-halo', 'atlas-selected']
>>> group = highlight_group(communes, selected=None, marked=["00001"], marked_label="Marked")
>>> [type(child).__name__ for child in group._children.values()]
['GeoJson', 'MarkedLegendEntry']
>>> highlight_group(communes, selected=None) is None
True
"""

from __future__ import annotations

import html
import json
from collections.abc import Collection

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement, Template

from geo.schema import COMMUNE_CODE

__all__ = [
    "MARKED_COLOR",
    "SELECTED_COLOR",
    "FillFrame",
    "FocusWithoutScroll",
    "MapAttribution",
    "MarkedLegendEntry",
    "MetricScale",
    "ViewMemory",
    "highlight_group",
]

#: Outline of the commune whose panel is open (black on a white halo: visible on any fill).
SELECTED_COLOR = "#000000"
#: Dashed outline of communes a planner marked (lagging ones): ColorBrewer PiYG magenta,
#: apart from every fill palette of the atlas.
MARKED_COLOR = "#c51b7d"


def _outline(
    communes: gpd.GeoDataFrame, codes: Collection[str], *, style: dict, class_name: str
) -> folium.GeoJson:
    rows = communes[communes[COMMUNE_CODE].isin(list(codes))]
    geometry = shapely.set_precision(rows.geometry.to_numpy(), 1e-5)
    frame = gpd.GeoDataFrame({"code": rows[COMMUNE_CODE].to_numpy()}, geometry=geometry)
    data = json.loads(frame.set_crs(communes.crs, allow_override=True).to_json(drop_id=True))
    return folium.GeoJson(
        data,
        style_function=lambda _feature: {"fill": False, **style},
        interactive=False,  # the polygons below keep their tooltip and click
        className=class_name,
    )


def highlight_group(
    communes: gpd.GeoDataFrame,
    *,
    selected: str | None,
    marked: Collection[str] = (),
    marked_label: str | None = None,
) -> folium.FeatureGroup | None:
    """Outlines of the selected commune and of marked communes, or ``None`` when there are none.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The map's communes (EPSG:4326) with ``commune_code``.
    selected : str or None
        Code of the commune whose panel is open: thick black outline on a white halo.
    marked : collection of str
        Codes to mark (e.g. lagging communes): dashed magenta outline.
    marked_label : str, optional
        What the marks are, e.g. "Lagging communes (3)": with it, the map's legend gets an
        entry for the marks while they are shown (:class:`MarkedLegendEntry`).

    Returns
    -------
    folium.FeatureGroup or None
        A group for ``st_folium(feature_group_to_add=...)``.
    """
    known = set(communes[COMMUNE_CODE])
    marked = [code for code in marked if code in known]
    selected = selected if selected in known else None
    if not marked and selected is None:
        return None
    group = folium.FeatureGroup(name="atlas-highlight", control=False)
    if marked:
        _outline(
            communes,
            marked,
            style={"color": MARKED_COLOR, "weight": 2.5, "dashArray": "5 3", "opacity": 1},
            class_name="atlas-marked",
        ).add_to(group)
        if marked_label:
            MarkedLegendEntry(marked_label).add_to(group)
    if selected is not None:
        _outline(
            communes,
            [selected],
            style={"color": "#ffffff", "weight": 7, "opacity": 0.9},
            class_name="atlas-selected-halo",
        ).add_to(group)
        _outline(
            communes,
            [selected],
            style={"color": SELECTED_COLOR, "weight": 3.5, "opacity": 1},
            class_name="atlas-selected",
        ).add_to(group)
    return group


_VIEW_TEMPLATE = """
{% macro script(this, kwargs) %}
(function (map, scope) {
    // One view per area: back on the province, the reader finds the province as they left it.
    var key = "atlas-map-view|" + scope, saved = null;
    try {
        saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
    } catch (e) { /* no storage (private mode): start from the fitted view */ }
    var size = map.getSize();
    var usable = saved && [saved.lat, saved.lng, saved.zoom].every(Number.isFinite);
    // Only a view of the same area in a map of the same size: anything else is fitted anew.
    if (usable && saved.scope === scope && saved.width === size.x && saved.height === size.y) {
        map._atlasViewRestored = true;  // the legend then keeps this view (geo.web.maps)
        (function restore() {
            // Leaflet ignores a new view while it animates the first one: wait for the end.
            if (map._animatingZoom) {
                return map.once("zoomend", function () { setTimeout(restore, 0); });
            }
            map.setView([saved.lat, saved.lng], saved.zoom, {animate: false});
        })();
    }
    map.on("moveend", function () {
        try {
            var c = map.getCenter(), zoom = map.getZoom(), now = map.getSize();
            // A map being hidden or replaced has no view worth keeping.
            if (![c.lat, c.lng, zoom].every(Number.isFinite) || now.x < 50 || now.y < 50) return;
            window.sessionStorage.setItem(key, JSON.stringify({
                scope: scope, lat: c.lat, lng: c.lng, zoom: zoom, width: now.x, height: now.y,
            }));
        } catch (e) {}
    });
})({{ this._parent.get_name() }}, {{ this.scope | tojson }});
{% endmacro %}
"""


class ViewMemory(MacroElement):
    """Keep the reader's zoom and centre when the map is re-created for the same area.

    The view is kept in the browser tab's ``sessionStorage``, one per *scope* (e.g. the
    geography and the district in view), with the map's size: another layer or period keeps
    the view, and coming back to an area (the province after a district) restores the view
    the reader last left there. An area never seen, or a map of another size, starts from its
    own fitted view. Add it after ``fit_bounds`` so it has the last word.

    Parameters
    ----------
    scope : str
        What the map shows, e.g. ``"schematic:17|province"`` or ``"schematic:17|district:04"``.
    """

    _template = Template(_VIEW_TEMPLATE)

    def __init__(self, scope: str) -> None:
        super().__init__()
        self._name = "ViewMemory"
        self.scope = scope


class MarkedLegendEntry(MacroElement):
    """The legend's entry for the marked communes, while they are shown.

    The legend belongs to the cached map; the marks come and go with their feature group
    (:func:`highlight_group`). So the entry is added to the legend by the group's script and
    removed with the group: a dashed magenta swatch and ``text``, after the classes.

    Parameters
    ----------
    text : str
        Plain text; it is set as text, never as HTML.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (group, text, color) {
    var legend = document.querySelector(".atlas-legend");
    if (!legend) return;
    legend.querySelectorAll(".atlas-legend-mark").forEach(function (old) { old.remove(); });
    var entry = document.createElement("div");
    entry.className = "atlas-legend-mark";
    entry.style.cssText = "display:flex;align-items:center;gap:6px;margin-top:2px;";
    var swatch = document.createElement("span");
    swatch.className = "atlas-legend-swatch";
    swatch.dataset.color = color;
    swatch.style.cssText = "display:inline-block;width:12px;height:8px;border:2px dashed " + color;
    var label = document.createElement("span");
    label.textContent = text;
    entry.appendChild(swatch);
    entry.appendChild(label);
    var rows = legend.querySelectorAll(".atlas-legend-row");
    var after = rows.length ? rows[rows.length - 1] : legend.lastChild;
    after.parentNode.insertBefore(entry, after.nextSibling);
    group.on("remove", function () { entry.remove(); });
})({{ this._parent.get_name() }}, {{ this.text|tojson }}, {{ this.color|tojson }});
{% endmacro %}
"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "MarkedLegendEntry"
        self.text = text
        self.color = MARKED_COLOR


class FillFrame(MacroElement):
    """Make the map as high as its frame, whose height the page sets (e.g. with CSS).

    streamlit-folium gives the map a fixed height in pixels; the atlas sizes the map's frame to
    the reader's window instead (:mod:`geo.ui.header`), so the whole province and its legend
    fit above the fold on a small screen. Add it before :class:`ViewMemory`, which compares
    the map's size.
    """

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>#{{ this._parent.get_name() }} { height: 100vh !important; }</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function (map) {
    // The style above sizes the map before it is drawn; should the page's style come late,
    // the map is sized again here and on every change of the frame's size (Leaflet's own).
    map.getContainer().style.setProperty("height", "100vh", "important");
    map.invalidateSize({animate: false});
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FillFrame"


_ATTRIBUTION_TEMPLATE = """
{% macro script(this, kwargs) %}
if ({{ this._parent.get_name() }}.attributionControl) {
    var {{ this.get_name() }} = {{ this._parent.get_name() }}.attributionControl;
    {{ this.get_name() }}.addAttribution({{ this.text | tojson }});
    // Small print, as credits are: the line must not cover the map or the scale.
    {{ this.get_name() }}.getContainer().style.fontSize = "10px";
}
{% endmacro %}
"""


class MapAttribution(MacroElement):
    """Credit the boundaries in the map's attribution line (bottom right, as for tiles).

    Parameters
    ----------
    text : str
        Plain text; it is HTML-escaped here (Leaflet inserts attributions as HTML).
    """

    _template = Template(_ATTRIBUTION_TEMPLATE)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "MapAttribution"
        self.text = html.escape(text)


_FOCUS_TEMPLATE = """
{% macro script(this, kwargs) %}
(function (map) {
    // A clicked commune takes the focus, and Chromium draws the focus ring of an SVG path as
    // its bounding rectangle, over the neighbours: the commune's own outline is the feedback.
    if (!document.getElementById("atlas-focus-style")) {
        var style = document.createElement("style");
        style.id = "atlas-focus-style";
        style.textContent = "path.leaflet-interactive:focus{outline:none}"
            + "path.leaflet-interactive:focus-visible{stroke:#000;stroke-width:3px}";
        document.head.appendChild(style);
    }
    var keyboard = map.keyboard;
    if (!keyboard || !keyboard.enabled()) return;
    keyboard.disable();
    keyboard._onMouseDown = function () {
        if (this._focused) return;
        this._map._container.focus({preventScroll: true});
    };
    keyboard.enable();
})({{ this._parent.get_name() }});
{% endmacro %}
"""


class FocusWithoutScroll(MacroElement):
    """Let a click on the map focus it (for the keyboard) without scrolling the page, and
    without a focus rectangle around the clicked commune.

    Leaflet focuses the map on mouse-down. In an iframe (streamlit-folium), the browser then
    scrolls the page to show the whole iframe, between mouse-down and mouse-up: the click lands
    somewhere else and no commune is picked. Focusing with ``preventScroll`` keeps the page
    still; arrow keys and +/- still move and zoom the map once it has the focus. A focused
    commune gets no outline rectangle (the browser's focus ring of an SVG path is its bounding
    box, spread over the neighbours); a commune reached with the keyboard is outlined in black.
    """

    _template = Template(_FOCUS_TEMPLATE)

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusWithoutScroll"


_SCALE_TEMPLATE = """
{% macro script(this, kwargs) %}
L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""


class MetricScale(MacroElement):
    """The map's scale bar in metres and kilometres only.

    folium's ``control_scale=True`` adds Leaflet's default scale, which shows miles and feet
    too: not a unit anyone reads in Vietnam.

    Examples
    --------
    >>> fmap = folium.Map(tiles=None)
    >>> _ = MetricScale().add_to(fmap)
    >>> "imperial: false" in fmap.get_root().render()
    True
    """

    _template = Template(_SCALE_TEMPLATE)

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"
