"""Folium choropleths of the three layers, with classification, legend and tooltips.

Amounts (models per km², % of the consolidation plan) are classified with mapclassify
(Fisher–Jenks natural breaks by default: deterministic, unlike the sampled ``NaturalBreaks``);
the NTM level is drawn as ordered categories. "No data" is its own grey class, never black.

Every text that comes from data is HTML-escaped before it reaches the page: folium's tooltips
insert values with ``innerHTML``, so a name like ``<script>`` must arrive as ``&lt;script&gt;``.
"""

from __future__ import annotations

import html
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from geo.i18n import DEFAULT_LANG, Lang, format_number, t
from geo.metrics import NTM_LEVELS
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME

LayerKey = Literal["models_density", "ntm", "land"]
LAYER_KEYS: tuple[LayerKey, ...] = ("models_density", "ntm", "land")

#: ColorBrewer sequential palettes (colour-blind safe), light to dark, by number of classes.
_SEQUENTIAL = {
    "models_density": ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    "land": ["#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"],
}
#: Ordered NTM levels: not yet → model (ColorBrewer YlGn, 4 classes).
NTM_COLORS = {"not_yet": "#ffffcc", "ntm": "#c2e699", "advanced": "#78c679", "model": "#238443"}
NO_DATA_COLOR = "#bdbdbd"
NOT_APPLICABLE_COLOR = "#ffffff"
ZERO_COLOR = "#fde0ef"  # "no model at all" stands apart from the sequential ramp

SCHEMES = {
    "fisher_jenks": mapclassify.FisherJenks,
    "quantiles": mapclassify.Quantiles,
    "equal_interval": mapclassify.EqualInterval,
}


@dataclass(frozen=True)
class LegendClass:
    """One legend entry: label, fill colour and how many communes fall in it."""

    label: str
    color: str
    count: int


@dataclass(frozen=True)
class Classification:
    """The colour of every commune and the legend that explains them."""

    colors: pd.Series  # fill colour per row of the metrics table
    labels: pd.Series  # display value per row (already formatted, not yet escaped)
    legend: list[LegendClass]
    title: str
    unit: str
    bins: list[float] = field(default_factory=list)


def _format_range(low: float, high: float, lang: Lang, decimals: int) -> str:
    low_text = format_number(low, lang, decimals=decimals)
    return f"{low_text} – {format_number(high, lang, decimals=decimals)}"


def _classify_amounts(
    values: pd.Series,
    *,
    palette_key: str,
    scheme: str,
    k: int,
    lang: Lang,
    decimals: int,
    zero_label: str | None,
    missing: pd.Series,
    missing_label: str,
    missing_color: str,
) -> tuple[pd.Series, list[LegendClass], list[float]]:
    """Colour amounts in ``k`` classes; NA, zero (with ``zero_label``) and ``missing`` apart."""
    colors = pd.Series(NO_DATA_COLOR, index=values.index, dtype="object")
    legend: list[LegendClass] = []
    known = values[values.notna()].astype(float)
    zero = known[known == 0] if zero_label else known.iloc[0:0]
    positive = known.drop(zero.index)
    bins: list[float] = []
    if len(positive):
        k_eff = max(1, min(k, positive.nunique()))
        with warnings.catch_warnings():
            # mapclassify suggests numba for speed; the pure-Python path is fine at this size.
            warnings.filterwarnings("ignore", message="Numba not installed")
            classifier = SCHEMES[scheme](positive.to_numpy(), k=k_eff)
        bins = [float(b) for b in classifier.bins]
        palette = _SEQUENTIAL[palette_key]
        # Spread the palette over the classes so 3 classes still run light → dark.
        steps = np.linspace(0, len(palette) - 1, num=len(bins)).round().astype(int)
        lower = float(positive.min())
        for class_index, upper in enumerate(bins):
            members = positive.index[classifier.yb == class_index]
            color = palette[steps[class_index]]
            colors.loc[members] = color
            legend.append(
                LegendClass(_format_range(lower, upper, lang, decimals), color, len(members))
            )
            lower = upper
    if len(zero):
        colors.loc[zero.index] = ZERO_COLOR
        legend.insert(0, LegendClass(zero_label or "0", ZERO_COLOR, len(zero)))
    colors.loc[missing[missing].index] = missing_color
    no_data = values.isna() & ~missing
    if missing.any():
        legend.append(LegendClass(missing_label, missing_color, int(missing.sum())))
    # "No data" is always listed, even at zero, so readers know how it would look.
    legend.append(LegendClass(t("legend.no_data", lang), NO_DATA_COLOR, int(no_data.sum())))
    return colors, legend, bins


def classify_layer(
    metrics: pd.DataFrame,
    layer: LayerKey,
    *,
    scheme: str = "fisher_jenks",
    k: int = 5,
    lang: Lang = DEFAULT_LANG,
) -> Classification:
    """Colour each commune for ``layer`` and build the matching legend.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Output of :func:`geo.metrics.commune_metrics`.
    layer : {"models_density", "ntm", "land"}
        Which indicator to draw.
    scheme : {"fisher_jenks", "quantiles", "equal_interval"}
        mapclassify scheme for amounts (the NTM layer is categorical).
    k : int
        Number of classes for amounts.
    lang : {"vi", "en"}
        Language of labels.

    Returns
    -------
    Classification
        Colours and display values per row, and legend entries with counts.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"models_per_km2": [0.0, 1.0, 2.0, 8.0, 9.0, None],
    ...                   "models_total": [0, 1, 2, 8, 9, None]})
    >>> c = classify_layer(m, "models_density", k=2, lang="en")
    >>> [(e.label, e.count) for e in c.legend]
    [('No models', 1), ('1.00 – 2.00', 2), ('2.00 – 9.00', 2), ('No data', 1)]
    """
    index = metrics.index
    if layer == "models_density":
        values = metrics["models_per_km2"].astype(float)
        colors, legend, bins = _classify_amounts(
            values,
            palette_key="models_density",
            scheme=scheme,
            k=k,
            lang=lang,
            decimals=2,
            zero_label="Chưa có mô hình" if lang == "vi" else "No models",
            missing=pd.Series(False, index=index),
            missing_label="",
            missing_color=NO_DATA_COLOR,
        )
        labels = values.map(lambda v: format_number(v, lang, decimals=2))
        return Classification(
            colors,
            labels,
            legend,
            t("layer.models_density", lang),
            t("unit.models_density", lang),
            bins,
        )
    if layer == "land":
        values = metrics["land_pct_of_plan"].astype(float)
        has_row = metrics["land_planned_ha"].notna() | metrics["land_done_ha"].notna()
        no_plan = has_row & values.isna()
        colors, legend, bins = _classify_amounts(
            values,
            palette_key="land",
            scheme=scheme,
            k=k,
            lang=lang,
            decimals=0,
            zero_label="0 %" if lang == "vi" else "0%",
            missing=no_plan,
            missing_label=t("legend.no_plan", lang),
            missing_color=NOT_APPLICABLE_COLOR,
        )
        labels = pd.Series(
            [
                f"{format_number(v, lang, decimals=0)} % ({format_number(d, lang, decimals=1)} ha)"
                if pd.notna(v)
                else (t("legend.no_plan", lang) if plan else t("legend.no_data", lang))
                for v, d, plan in zip(values, metrics["land_done_ha"], no_plan, strict=True)
            ],
            index=index,
        )
        return Classification(
            colors, labels, legend, t("layer.land", lang), t("unit.land", lang), bins
        )
    if layer == "ntm":
        levels = metrics["ntm_level"].astype("object")
        criteria = metrics.get("criteria_met", pd.Series(pd.NA, index=index))
        # Wards and towns are not rural communes: the NTM programme does not apply to them.
        rural = metrics.get("commune_type", pd.Series("Xã", index=index)).eq("Xã")
        colors = pd.Series(NO_DATA_COLOR, index=index, dtype="object")
        legend = []
        for level in NTM_LEVELS:
            members = levels == level
            colors[members] = NTM_COLORS[level]
            legend.append(
                LegendClass(t(f"ntm.{level}", lang), NTM_COLORS[level], int(members.sum()))
            )
        not_applicable = levels.isna() & ~rural
        colors[not_applicable] = NOT_APPLICABLE_COLOR
        legend.append(
            LegendClass(
                t("legend.not_applicable", lang), NOT_APPLICABLE_COLOR, int(not_applicable.sum())
            )
        )
        no_data = levels.isna() & rural
        legend.append(LegendClass(t("legend.no_data", lang), NO_DATA_COLOR, int(no_data.sum())))
        labels = pd.Series(
            [
                f"{t(f'ntm.{lv}', lang)} ({c}/19)"
                if isinstance(lv, str) and pd.notna(c)
                else (
                    t(f"ntm.{lv}", lang)
                    if isinstance(lv, str)
                    else t("legend.not_applicable" if na else "legend.no_data", lang)
                )
                for lv, c, na in zip(levels, criteria, not_applicable, strict=True)
            ],
            index=index,
        )
        return Classification(colors, labels, legend, t("layer.ntm", lang), t("unit.ntm", lang))
    raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYER_KEYS)}")


_LEGEND_TEMPLATE = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function (map) {
    var div = L.DomUtil.create("div", "atlas-legend");
    div.style.cssText = {{ this.style | tojson }};
    div.innerHTML = {{ this.body | tojson }};
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""

_LEGEND_STYLE = (
    "background:rgba(255,255,255,0.94);padding:8px 10px;border:1px solid #888;"
    "border-radius:4px;font:12px/1.35 Arial,'DejaVu Sans',sans-serif;max-width:270px;"
)


class HtmlLegend(MacroElement):
    """A legend box as a Leaflet control, so it sits inside the map (and in its prints).

    The body is HTML built and escaped in Python; ``tojson`` makes it a safe JS string.
    """

    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "HtmlLegend"
        self.body = body
        self.style = _LEGEND_STYLE


def legend_html(
    classification: Classification,
    *,
    notes: Sequence[str] = (),
    lang: Lang = DEFAULT_LANG,
) -> str:
    """The legend as HTML: title, unit, one row per class with its count, then notes.

    Every piece of text is escaped, so data can never inject markup.
    """
    esc = html.escape
    rows = "".join(
        '<div class="atlas-legend-row" style="display:flex;align-items:center;gap:6px;">'
        f'<span class="atlas-legend-swatch" data-color="{esc(entry.color)}" '
        f'style="display:inline-block;width:16px;height:12px;background:{esc(entry.color)};'
        'border:1px solid #777;"></span>'
        f"<span>{esc(entry.label)}</span>"
        '<span style="color:#666;margin-left:auto;">'
        f"{esc(t('legend.communes', lang, n=entry.count))}</span>"
        "</div>"
        for entry in classification.legend
    )
    note_html = "".join(
        f'<div class="atlas-legend-note" style="margin-top:4px;color:#333;font-style:italic;">'
        f"{esc(note)}</div>"
        for note in notes
    )
    return (
        '<div class="atlas-legend-title" style="font-weight:bold;">'
        f"{esc(classification.title)}</div>"
        f'<div style="color:#555;margin-bottom:4px;">({esc(classification.unit)})</div>'
        f"{rows}{note_html}"
    )


def _feature_collection(gdf: gpd.GeoDataFrame, properties: pd.DataFrame) -> dict:
    """GeoJSON of ``gdf`` with only the given (already escaped) properties, 1 m precision."""
    geometry = shapely.set_precision(gdf.geometry.to_numpy(), 1e-5)
    frame = gpd.GeoDataFrame(properties.reset_index(drop=True), geometry=geometry, crs=gdf.crs)
    return json.loads(frame.to_json(drop_id=True))


def build_map(
    communes: gpd.GeoDataFrame,
    metrics: pd.DataFrame,
    *,
    layer: LayerKey,
    districts: gpd.GeoDataFrame | None = None,
    district_code: str | None = None,
    lang: Lang = DEFAULT_LANG,
    scheme: str = "fisher_jenks",
    k: int = 5,
    notes: Sequence[str] = (),
    tiles: bool = False,
    height: int = 620,
) -> folium.Map:
    """Draw one layer as a folium map: communes coloured by class, district outlines on top.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Commune polygons in EPSG:4326 with ``commune_code``.
    metrics : pandas.DataFrame
        :func:`geo.metrics.commune_metrics` for the same communes (joined on the code).
    layer : {"models_density", "ntm", "land"}
        Indicator to draw.
    districts : geopandas.GeoDataFrame, optional
        District outlines drawn on top.
    district_code : str, optional
        Show only this district (classes stay those of the whole province, so colours compare).
    lang : {"vi", "en"}
        Language of legend and tooltips.
    scheme, k
        Classification of amounts (see :func:`classify_layer`).
    notes : sequence of str
        Lines under the legend (boundary kind, period, demo label…).
    tiles : bool
        Add an online OpenStreetMap basemap (off by default: the map must work offline).
    height : int
        Map height in pixels.

    Returns
    -------
    folium.Map
        The map; its assets still point to folium's CDNs until :mod:`geo.assets` rewrites them.
    """
    table = communes[[COMMUNE_CODE, "geometry"]].merge(
        metrics, on=COMMUNE_CODE, how="left", validate="one_to_one"
    )
    classification = classify_layer(table, layer, scheme=scheme, k=k, lang=lang)
    esc = html.escape
    properties = pd.DataFrame(
        {
            "code": table[COMMUNE_CODE],
            "name": table[COMMUNE_NAME].map(lambda s: esc(str(s))),
            "district": table[DISTRICT_NAME].map(lambda s: esc(str(s))),
            "value": classification.labels.map(lambda s: esc(str(s))),
            "fill": classification.colors,
        }
    )
    shown = (
        table[DISTRICT_CODE].eq(district_code).to_numpy()
        if district_code
        else np.ones(len(table), dtype=bool)
    )
    frame = gpd.GeoDataFrame(table[["geometry"]], geometry="geometry", crs=communes.crs)[shown]
    minx, miny, maxx, maxy = frame.total_bounds

    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        height=height,
        zoom_snap=0.25,
    )
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)
    folium.GeoJson(
        _feature_collection(frame, properties[shown]),
        name=classification.title,
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": 0.85,
            "color": "#555555",
            "weight": 0.6,
        },
        highlight_function=lambda _feature: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "district", "value"],
            aliases=[
                esc(t("field.commune", lang)),
                esc(t("field.district", lang)),
                esc(classification.title),
            ],
            sticky=True,
        ),
        zoom_on_click=False,
    ).add_to(fmap)
    if districts is not None and len(districts):
        outline = (
            districts if not district_code else districts[districts[DISTRICT_CODE] == district_code]
        )
        folium.GeoJson(
            _feature_collection(
                outline,
                pd.DataFrame({"district": outline[DISTRICT_NAME].map(lambda s: esc(str(s)))}),
            ),
            name=t("field.district", lang),
            style_function=lambda _feature: {"fill": False, "color": "#222222", "weight": 2.2},
            interactive=False,
        ).add_to(fmap)
    HtmlLegend(legend_html(classification, notes=notes, lang=lang)).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap
