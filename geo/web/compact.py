"""A compact drop-in for ``folium.GeoJson``: small page, fast build, same behaviour.

folium's ``GeoJson`` embeds every coordinate as a decimal, every property of every feature,
and its ``style_function`` becomes a JavaScript ``switch`` with one ``case`` per feature; for
11,000 communes that is a page of tens of megabytes built in tens of seconds.
:class:`CompactGeoJson` takes the same arguments (``style_function``, ``highlight_function``,
``GeoJsonTooltip`` / ``Tooltip`` children, ``name``, ``zoom_on_click``, Leaflet options such as
``interactive`` or ``className``) and draws the same layer, but sends:

* the geometry of a :class:`geo.web.geometry.WebFeatureCollection` as a shared-edge topology
  (:mod:`geo.web.topology`: each border once, varint text of grid steps;
  :func:`geo.web.geometry.compact_geometry_json`), decoded in the browser by a few small functions;
* each property column in its shortest form (:func:`geo.web.text.encode_columns`: repeated
  values once, codes as number steps, Vietnamese letters as two ASCII bytes);
* the styles as a table of distinct style objects and one digit per feature, read by one
  JavaScript style function (the same for the highlight).

In the browser the layer is an ordinary ``L.geoJson`` whose features carry the properties as
given (plus ``_row``, the feature's row), so tooltips and tests see what folium would give
them. :class:`CompactOutline` draws the outlines of groups of its features (districts) from the
same decoded borders: no geometry of their own. Properties are embedded as JSON that is safe
inside ``<script>`` (:func:`geo.web.geometry.script_json`); like folium's, they must already be
HTML-escaped when they are shown as HTML (the atlas escapes names in
:func:`geo.web.maps.build_map`).

Why not keep the geometry in the browser and only restyle? streamlit-folium 0.27 can do that:
its iframe stays while the map script is unchanged, and ``feature_group_to_add`` scripts are
evaluated in it. But Streamlit still re-sends all component arguments (the map script with its
geometry included) whenever one changes, the feature group is added to the map object passed in
(a map cached for every session), and the legend is a control, not a layer of the group. The
atlas therefore minimises what a map weighs instead; see ``bench/national.py``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.elements import ElementAddToElement
from folium.template import Template

from geo.schema import WGS84
from geo.web.geometry import (
    DECODE_JS,
    WebFeatureCollection,
    compact_geometry_json,
    decode_compact,
    decode_outlines,
    script_json,
    web_geometry,
)

__all__ = [
    "CANVAS_FROM",
    "CompactGeoJson",
    "CompactOutline",
]

#: Above this many features a layer draws on a canvas instead of one SVG path per feature:
#: Leaflet's SVG renderer takes seconds to lay out ~10,000 paths; a canvas draws them at once.
CANVAS_FROM = 3000
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Attributes of a CompactGeoJson that copies share (read-only once built).
_SHARED = frozenset(
    {"data", "frame", "compact_json", "style_table", "style_index"}
    | {"highlight_table", "highlight_index", "style_function", "highlight_function"}
)

_TEMPLATE = (
    """
{% macro script(this, kwargs) %}
"""
    + DECODE_JS
    + """
var {{ this.get_name() }}_styles = {{ this.style_table }};
var {{ this.get_name() }}_styleOf = {{ this.style_index }};
{%- if this.highlight %}
var {{ this.get_name() }}_highlights = {{ this.highlight_table }};
var {{ this.get_name() }}_highlightOf = {{ this.highlight_index }};
{%- endif %}
function {{ this.get_name() }}_pick(table, index, feature) {
    var i = feature.properties._row;
    return table[typeof index === "string" ? parseInt(index.charAt(i), 36) : index[i]];
}
function {{ this.get_name() }}_styler(feature) {
    return {{ this.get_name() }}_pick(
        {{ this.get_name() }}_styles, {{ this.get_name() }}_styleOf, feature);
}
function {{ this.get_name() }}_onEachFeature(feature, layer) {
    layer.on({
        {%- if this.highlight %}
        mouseout: function (e) {
            if (typeof e.target.setStyle === "function") {
                {{ this.get_name() }}.resetStyle(e.target);
            }
        },
        mouseover: function (e) {
            if (typeof e.target.setStyle === "function") {
                e.target.setStyle({{ this.get_name() }}_pick(
                    {{ this.get_name() }}_highlights, {{ this.get_name() }}_highlightOf,
                    e.target.feature));
            }
        },
        {%- endif %}
        {%- if this.zoom_on_click %}
        click: function (e) {
            if (typeof e.target.getBounds === "function") {
                {{ this.parent_map.get_name() }}.fitBounds(e.target.getBounds());
            }
        },
        {%- endif %}
    });
}
var {{ this.get_name() }} = L.geoJson(null, {
    {%- if this.smooth_factor is not none %}
    smoothFactor: {{ this.smooth_factor|tojson }},
    {%- endif %}
    {%- if this.canvas %}
    renderer: L.canvas({padding: 0.5, tolerance: 2}),
    {%- endif %}
    onEachFeature: {{ this.get_name() }}_onEachFeature,
    style: {{ this.get_name() }}_styler,
    ...{{ this.options | tojavascript }}
});
var {{ this.get_name() }}_decoded = atlasFeatures({{ this.compact_json }});
var {{ this.get_name() }}_topology = {{ this.get_name() }}_decoded.topology;
var {{ this.get_name() }}_features = {{ this.get_name() }}_decoded.collection.features;
{{ this.get_name() }}.addData({{ this.get_name() }}_decoded.collection);
{% endmacro %}
"""
)


class CompactGeoJson(folium.GeoJson):
    """``folium.GeoJson`` with compact geometry, properties and styles (see module doc).

    Parameters
    ----------
    data : dict
        A GeoJSON FeatureCollection of polygons; a :class:`geo.web.geometry.WebFeatureCollection`
        (from :func:`geo.web.geometry.web_feature_collection`) is encoded from its layer directly,
        any other collection goes through :func:`geo.web.geometry.web_geometry` first.
    style_function, highlight_function : callable, optional
        Feature → style dict, as for folium (evaluated here, once per feature).
    canvas : bool, optional
        Draw on a canvas; default: when the layer has at least :data:`CANVAS_FROM` features.
    **kwargs
        Passed to ``folium.GeoJson`` (``name``, ``tooltip``, ``zoom_on_click``,
        ``smooth_factor``, Leaflet options such as ``interactive`` or ``className``).
        ``popup``, ``marker``, ``on_each_feature`` and ``embed=False`` are not supported.
    """

    _template = Template(_TEMPLATE)

    def __init__(
        self,
        data: dict[str, Any],
        style_function: Callable[[dict], dict] | None = None,
        highlight_function: Callable[[dict], dict] | None = None,
        *,
        canvas: bool | None = None,
        **kwargs: Any,
    ) -> None:
        unsupported = sorted(
            k for k in ("popup", "marker", "on_each_feature") if kwargs.get(k) is not None
        )
        if unsupported or kwargs.get("embed") is False:
            raise ValueError(f"CompactGeoJson does not support {unsupported or ['embed=False']}")
        super().__init__(
            data, style_function=style_function, highlight_function=highlight_function, **kwargs
        )
        self._name = "CompactGeoJson"
        self.frame = _web_frame(self.data)
        self.canvas = len(self.frame) >= CANVAS_FROM if canvas is None else canvas
        # Everything the page needs is encoded once, here: the app renders a fresh copy of a
        # cached map on every run, and copies share these strings (see __deepcopy__).
        features = self.data["features"]
        self.style_table, self.style_index = _style_table(style_function, features)
        self.highlight_table, self.highlight_index = _style_table(highlight_function, features)
        self.compact_json = compact_geometry_json(
            self.frame, text=_properties(self.data, features), escape=False
        )

    def render(self, **kwargs: Any) -> None:
        """Render as folium's ``Layer`` does, without ``GeoJson``'s per-feature style map.

        The script goes to the page as it is: ``MacroElement.render`` would wrap it in a
        ``branca.Element``, which compiles its text as a Jinja template (a second of lexing for
        megabytes of coordinates, and a risk if data held ``{{``).
        """
        self.parent_map = folium.utilities.get_obj_in_upper_tree(self, folium.Map)
        if self.show:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("CompactGeoJson must be in a map inside a Figure to be rendered")
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_RawScript(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)

    def __deepcopy__(self, memo: dict[int, Any]) -> CompactGeoJson:
        """A copy sharing the data, layer and encoded text, which are never changed.

        A national layer holds tens of megabytes of coordinate lists; copying them for every
        run of the app would cost seconds.
        """
        twin = copy.copy(self)
        memo[id(self)] = twin
        for name, value in vars(self).items():
            if name not in _SHARED:
                setattr(twin, name, copy.deepcopy(value, memo))
        return twin

    def _get_self_bounds(self) -> list[list[float | None]]:
        """Bounds from the layer (folium's walks every coordinate in Python)."""
        if not len(self.frame):
            return [[None, None], [None, None]]
        minx, miny, maxx, maxy = (float(v) for v in self.frame.total_bounds)
        return [[miny, minx], [maxy, maxx]]

    def features(self) -> list[dict[str, Any]]:
        """The features as the browser decodes them (for tests and tools)."""
        return decode_compact(json.loads(self.compact_json))


class CompactOutline(MacroElement):
    """Outlines of groups of a :class:`CompactGeoJson`'s features, e.g. its districts.

    Drawn in the browser from the layer's decoded shared edges (:mod:`geo.web.topology`): an edge
    whose two sides are in different groups, or on the layer's edge, outlines its groups. The
    page carries no geometry for it, and the outlines follow the commune borders exactly.

    Parameters
    ----------
    layer : CompactGeoJson
        The layer whose features are grouped; it must be added to the map first.
    group : str
        The layer's property that names the group (e.g. ``"district"``); each outline feature
        has it as its only property.
    style : dict
        Leaflet path options of every outline, e.g. ``{"color": "#222", "weight": 2}``
        (``fill`` is off: lines have none).
    interactive : bool
        Whether the outlines catch the pointer (off: the communes under them do).
    class_name : str, optional
        CSS class of the outline paths.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson(
    {type: "FeatureCollection", features: atlasOutlines(
        {{ this.layer.get_name() }}_topology,
        function (f) {
            return {{ this.layer.get_name() }}_features[f].properties[{{ this.group|tojson }}];
        },
        {{ this.group|tojson }})},
    {
        {%- if this.canvas %}
        renderer: L.canvas({padding: 0.5}),
        {%- endif %}
        style: function () { return {{ this.style|tojson }}; },
        ...{{ this.options|tojavascript }}
    }
).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        layer: CompactGeoJson,
        *,
        group: str,
        style: dict[str, Any],
        interactive: bool = False,
        class_name: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "CompactOutline"
        if group not in json.loads(layer.compact_json)["props"]:
            raise ValueError(f"the layer has no property {group!r} to group by")
        # The layer itself, not its name: streamlit-folium renames elements as it renders.
        self.layer = layer
        self.compact_json = layer.compact_json  # shared with the layer, for features()
        self.canvas = layer.canvas
        self.group = group
        self.style = dict(style)
        self.options = {"interactive": interactive}
        if class_name:
            self.options["className"] = class_name

    def features(self) -> list[dict[str, Any]]:
        """The outline features as the browser draws them (for tests and tools)."""
        return decode_outlines(json.loads(self.compact_json), self.group)


#: Page style of the labels: small print on a white halo, above the fills, deaf to the pointer.
_LABEL_CSS = (
    ".atlas-label{background:none;border:none}"
    ".atlas-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
    "font:11px/1.1 Arial,'DejaVu Sans',sans-serif;color:#333;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}"
    ".atlas-label-district span{font-weight:bold;font-size:12px;color:#111;"
    "text-transform:uppercase;letter-spacing:.03em}"
)
#: Short forms of unit types on map labels, as on the print maps ("Thành phố" → "TP.").
_LABEL_PREFIXES = (
    ("Huyện ", ""),
    ("Thành phố ", "TP. "),
    ("Thị xã ", "TX. "),
    ("Quận ", "Q. "),
    ("Xã ", ""),
    ("Phường ", "P. "),
    ("Thị trấn ", "TT. "),
)


class CompactLabels(MacroElement):
    """Names on an interactive map: the districts, and the communes once they are big enough.

    District names stand at points given here (a few bytes each); commune names come from the
    layer's own ``name`` property, at each polygon's centre, computed in the browser: the page
    carries no more than the district points. After every move or zoom the labels are redrawn
    for what is in view: commune names (instead of district names) when the median commune in
    view is at least ``commune_px`` pixels across and at most ``most`` communes are in view,
    else the district names in view (when at most ``most``); a label that would overlap one
    already placed is left out. Names are shortened as on the print maps ("Huyện Lạc Sơn" →
    "LẠC SƠN", "Phường Đồng Tiến" → "P. Đồng Tiến"); with several provinces the province after
    a district's name is left out.

    Parameters
    ----------
    layer : CompactGeoJson
        The communes; added to the map first. Its features need ``name`` and ``group``.
    points : sequence of (float, float, int)
        One label per district: latitude, longitude and the row of one of its communes in
        ``layer`` (whose ``group`` property names the district).
    group : str
        The layer's property naming a commune's district.
    commune_px : int
        Median width in pixels of the communes in view from which their names are shown.
    most : int
        Most labels drawn at once (a country-wide view shows none until zoomed in).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map, layer, features, points, options) {
    if (!document.getElementById("atlas-label-style")) {
        var style = document.createElement("style");
        style.id = "atlas-label-style";
        style.textContent = options.css;
        document.head.appendChild(style);
    }
    if (!map.getPane("atlasLabels")) {
        var pane = map.createPane("atlasLabels");
        pane.style.zIndex = 450;
        pane.style.pointerEvents = "none";
    }
    var shown = L.layerGroup().addTo(map);
    function shorten(text) {
        text = String(text).split(", ")[0];
        for (var i = 0; i < options.prefixes.length; i++) {
            var p = options.prefixes[i];
            if (text.indexOf(p[0]) === 0) return p[1] + text.slice(p[0].length);
        }
        return text;
    }
    function label(latlng, text, kind) {
        // Names are HTML-escaped on the server (geo.web.maps): safe as HTML here.
        var icon = L.divIcon({
            className: "atlas-label atlas-label-" + kind,
            html: "<span>" + shorten(text) + "</span>",
            iconSize: null,
        });
        return L.marker(latlng, {icon: icon, interactive: false, keyboard: false,
                                 pane: "atlasLabels"}).addTo(shown);
    }
    function centre(polygon) {
        try { return polygon.getCenter(); } catch (e) { return polygon.getBounds().getCenter(); }
    }
    function update() {
        shown.clearLayers();
        var view = map.getBounds(), inView = [], widths = [];
        layer.eachLayer(function (polygon) {
            var b = polygon.getBounds();
            // A commune too small for the view's grid has no ring left: nothing to label.
            if (!b.isValid() || !view.intersects(b)) return;
            inView.push(polygon);
            var a = map.latLngToContainerPoint(b.getNorthWest());
            var z = map.latLngToContainerPoint(b.getSouthEast());
            widths.push(Math.min(z.x - a.x, z.y - a.y));
        });
        widths.sort(function (a, b) { return a - b; });
        var median = widths.length ? widths[widths.length >> 1] : 0;
        if (median >= options.communePx && inView.length <= options.most) {
            inView.forEach(function (polygon) {
                label(centre(polygon), polygon.feature.properties.name, "commune");
            });
        } else {
            var here = points.filter(function (p) { return view.contains([p[0], p[1]]); });
            if (here.length > options.most) return;
            here.forEach(function (p) {
                label([p[0], p[1]], features[p[2]].properties[options.group], "district");
            });
        }
        // Leave out a label that would overlap one already placed.
        var placed = [], clashing = [];
        shown.eachLayer(function (marker) {
            var r = marker.getElement().firstChild.getBoundingClientRect();
            var clash = placed.some(function (q) {
                return r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom;
            });
            if (clash) clashing.push(marker); else placed.push(r);
        });
        clashing.forEach(function (marker) { shown.removeLayer(marker); });
    }
    map.on("moveend", update);
    map.whenReady(function () { setTimeout(update, 0); });
})({{ this._parent.get_name() }}, {{ this.layer.get_name() }},
   {{ this.layer.get_name() }}_features, {{ this.points|tojson }}, {{ this.settings|tojson }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        layer: CompactGeoJson,
        *,
        points: list[tuple[float, float, int]],
        group: str,
        commune_px: int = 56,
        most: int = 400,
    ) -> None:
        super().__init__()
        self._name = "CompactLabels"
        props = json.loads(layer.compact_json)["props"]
        missing = sorted({"name", group} - set(props))
        if missing:
            raise ValueError(f"the layer has no property {missing} to label with")
        self.layer = layer  # the layer itself: streamlit-folium renames elements as it renders
        self.points = [[round(lat, 4), round(lng, 4), int(row)] for lat, lng, row in points]
        self.settings = {
            "css": _LABEL_CSS,
            "prefixes": _LABEL_PREFIXES,
            "group": group,
            "communePx": commune_px,
            "most": most,
        }


class _RawScript(Element):
    """Text put in the page as it is (no template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text."""
        return self.text


def _web_frame(data: dict[str, Any]) -> gpd.GeoDataFrame:
    """The simplified layer behind ``data`` (made from the coordinates when not attached)."""
    if isinstance(data, WebFeatureCollection):
        return data.frame
    raw = gpd.GeoDataFrame.from_features(data["features"], crs=WGS84)
    return web_geometry(raw, columns=())


def _properties(data: dict[str, Any], features: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Property columns of the features (``style``/``highlight`` dicts left out, as folium)."""
    if isinstance(data, WebFeatureCollection):  # the columns are at hand
        frame = data.frame
        return {
            str(c): frame[c].tolist()
            for c in frame.columns
            if c != frame.geometry.name and c not in ("style", "highlight")
        }
    names: dict[str, None] = {}
    for feature in features:
        names.update(dict.fromkeys(feature.get("properties") or {}))
    names.pop("style", None)
    names.pop("highlight", None)
    return {name: [(f.get("properties") or {}).get(name) for f in features] for name in names}


def _style_table(
    function: Callable[[dict], dict] | None, features: list[dict[str, Any]]
) -> tuple[str, str]:
    """Distinct styles as a JSON list, and per feature its index (digits, or a JSON list)."""
    if function is None:
        return "[{}]", json.dumps("0" * len(features))
    styles = [function(f) for f in features]
    try:  # style values are strings and numbers: a sorted tuple is an exact, fast key
        keys: list[Any] = [tuple(sorted(style.items())) for style in styles]
        set(keys)
    except TypeError:
        keys = [json.dumps(style, sort_keys=True) for style in styles]
    index, _ = pd.factorize(pd.Series(keys, dtype="object"))
    _, first = np.unique(index, return_index=True)
    table = script_json([styles[i] for i in first])
    if len(first) <= len(_DIGITS):
        return table, json.dumps("".join(np.array(list(_DIGITS))[index].tolist()))
    return table, json.dumps(index.tolist())
