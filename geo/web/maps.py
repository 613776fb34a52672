"""Folium choropleths of the three layers, with classification, legend and tooltips.

Amounts (models per km², % of the consolidation plan) are classified with mapclassify
(Fisher–Jenks natural breaks by default: deterministic, unlike the sampled ``NaturalBreaks``);
the NTM level is drawn as ordered categories. "No data" is its own grey class, never black.

Every text that comes from data is HTML-escaped before it reaches the page: folium's tooltips
insert values with ``innerHTML``, so a name like ``<script>`` must arrive as ``&lt;script&gt;``.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template

from geo.analysis.metrics import NTM_LEVELS
from geo.figures.criteria import criteria_set_for, set_label
from geo.figures.indicators import NTM_MODERN
from geo.geography.geographies import district_labels
from geo.geography.units_2025 import FORMER_DISTRICT_NAME
from geo.i18n import DEFAULT_LANG, Lang, format_number, t
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME
from geo.view import MapView
from geo.web.compact import CompactGeoJson, CompactLabels, CompactOutline
from geo.web.geometry import web_feature_collection
from geo.web.layers import CHANGE_DECREASE_COLOR, CHANGE_NONE_COLOR, LAYERS, LayerSpec, layer_values
from geo.web.natural_breaks import fisher_jenks_bins
from geo.web.overlays import MetricScale

__all__ = [
    "CONTEXT_OPACITY",
    "DENSE_FROM",
    "JENKS_SAMPLE",
    "LAYER_KEYS",
    "LINES",
    "LINES_DENSE",
    "NOT_APPLICABLE_COLOR",
    "NOT_COMPARABLE_COLOR",
    "NO_DATA_COLOR",
    "NTM_COLORS",
    "SCHEMES",
    "ZERO_COLOR",
    "Classification",
    "HtmlLegend",
    "LegendClass",
    "LineWidths",
    "build_map",
    "classify_layer",
    "legend_html",
    "tooltip_group",
]

if TYPE_CHECKING:
    from pyproj import CRS

LayerKey = Literal["models_density", "ntm", "land"]
LAYER_KEYS: tuple[LayerKey, ...] = ("models_density", "ntm", "land")

#: ColorBrewer sequential palettes (colour-blind safe), light to dark, by number of classes.
_SEQUENTIAL = {
    "models_density": ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    "land": ["#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"],
}
#: Ordered NTM levels: not yet → model (ColorBrewer YlGn, 4 classes).
NTM_COLORS = {
    "not_yet": "#ffffcc",
    "ntm": "#c2e699",
    "advanced": "#78c679",
    "model": "#238443",
    "modern": "#005a32",  # the pilot level of the 2026–2030 set
}
NO_DATA_COLOR = "#bdbdbd"
#: Fill opacity of communes outside the district in view (drill-down); in view: 0.85.
CONTEXT_OPACITY = 0.18
NOT_APPLICABLE_COLOR = "#ffffff"
#: NTM levels of two periods measured against different criteria sets (a light purple: neither
#: a gain nor a loss, nor "no data").
NOT_COMPARABLE_COLOR = "#cab2d6"
ZERO_COLOR = "#fde0ef"  # "no model at all" stands apart from the sequential ramp

SCHEMES = {
    "fisher_jenks": mapclassify.FisherJenks,
    "quantiles": mapclassify.Quantiles,
    "equal_interval": mapclassify.EqualInterval,
}
#: Above this many values, natural breaks are fitted on as many evenly spaced order statistics
#: (Fisher–Jenks is O(k·n²): milliseconds for 300 values, seconds for 11,000).
JENKS_SAMPLE = 300


def _classifier(scheme: str, values: np.ndarray, k: int) -> mapclassify.classifiers.MapClassifier:
    """Classify ``values`` with ``scheme``; natural breaks by :mod:`geo.web.natural_breaks` (the
    breaks of ``mapclassify.FisherJenks``, vectorised), on a deterministic sample when large."""
    if scheme != "fisher_jenks":
        return SCHEMES[scheme](values, k=k)
    sample = values
    if len(values) > JENKS_SAMPLE:
        # Order statistics, not a random draw (mapclassify's FisherJenksSampled): same map
        # each time.
        sample = np.quantile(values, np.linspace(0, 1, JENKS_SAMPLE), method="inverted_cdf")
    bins = fisher_jenks_bins(sample, k=max(1, min(k, len(np.unique(sample)))))
    return mapclassify.UserDefined(values, bins=[float(b) for b in bins])


@dataclass(frozen=True)
class LineWidths:
    """Widths (px) and colour of the commune borders and district outlines."""

    border: float
    border_color: str
    outline: float


#: A province (about 150 communes) and a map of thousands (several provinces, the country),
#: where the province's lines would ink the whole map.
LINES = LineWidths(border=0.6, border_color="#555555", outline=2.2)
LINES_DENSE = LineWidths(border=0.2, border_color="#777777", outline=0.7)
DENSE_FROM = 2000


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


@dataclass(frozen=True)
class _Classes:
    """How a layer's amounts are classified (see :func:`classify_layer`)."""

    scheme: str
    k: int
    breaks: Sequence[float] | None
    lang: Lang
    reference: pd.DataFrame | None = None  # metrics of every period, for shared classes

    def reference_values(self, column: str | LayerSpec) -> pd.Series | None:
        """The reference's values of a metrics column or a layer, if there is a reference."""
        if self.reference is None:
            return None
        if isinstance(column, LayerSpec):
            return layer_values(self.reference, column)
        return self.reference[column].astype(float)


def _format_range(low: float, high: float, lang: Lang, decimals: int) -> str:
    low_text = format_number(low, lang, decimals=decimals)
    return f"{low_text} – {format_number(high, lang, decimals=decimals)}"


def _classify_amounts(
    values: pd.Series,
    *,
    palette_key: str,
    classes: _Classes,
    decimals: int,
    zero_label: str | None,
    missing: pd.Series,
    missing_label: str,
    missing_color: str,
    palette: Sequence[str] | None = None,
    zero_color: str = ZERO_COLOR,
    reference: pd.Series | None = None,
) -> tuple[pd.Series, list[LegendClass], list[float]]:
    """Colour amounts in ``k`` classes; NA, zero (with ``zero_label``) and ``missing`` apart.

    ``palette`` replaces the palette of ``palette_key``; ``classes.breaks`` (manual upper
    bounds) replace the scheme: values above the last break form one more class. ``reference``
    (values of the same layer in every period) sets the classes instead of ``values``, which
    are then sorted into them: classes that hold no commune this period are listed with 0.
    """
    scheme, k, breaks, lang = classes.scheme, classes.k, classes.breaks, classes.lang
    colors = pd.Series(NO_DATA_COLOR, index=values.index, dtype="object")
    legend: list[LegendClass] = []
    known = values[values.notna()].astype(float)
    zero = known[known == 0] if zero_label else known.iloc[0:0]
    positive = known.drop(zero.index)
    bins: list[float] = []
    if len(positive):
        palette = list(palette or _SEQUENTIAL[palette_key])
        fit = positive if reference is None else _fit_values(reference, positive, bool(zero_label))
        # Never more classes than distinct values or than the palette has colours.
        k_eff = max(1, min(k, fit.nunique(), len(palette)))
        with warnings.catch_warnings():
            # mapclassify suggests numba for speed; the pure-Python path is fine at this size.
            warnings.filterwarnings("ignore", message="Numba not installed")
            if breaks:
                upper = sorted(breaks)[: len(palette)]
            elif fit.nunique() == 1:
                # One value, one class (mapclassify's equal intervals cannot split nothing).
                upper = [float(fit.iloc[0])]
            else:
                upper = list(_classifier(scheme, fit.to_numpy(), k_eff).bins)
            classifier = mapclassify.UserDefined(positive.to_numpy(), bins=upper)
        bins = [float(b) for b in classifier.bins]
        # Spread the palette over the classes so 3 classes still run light → dark.
        steps = np.linspace(0, len(palette) - 1, num=len(bins)).round().astype(int)
        lower = float(fit.min())
        for class_index, upper in enumerate(bins):
            members = positive.index[classifier.yb == class_index]
            color = palette[steps[class_index]]
            colors.loc[members] = color
            label = _format_range(lower, upper, lang, decimals)
            if breaks and class_index == 0:
                # A manual first class may hold no value: "≤ b" reads right even then.
                label = f"≤ {format_number(upper, lang, decimals=decimals)}"
            legend.append(LegendClass(label, color, len(members)))
            lower = upper
    if len(zero):
        colors.loc[zero.index] = zero_color
        legend.insert(0, LegendClass(zero_label or "0", zero_color, len(zero)))
    colors.loc[missing[missing].index] = missing_color
    no_data = values.isna() & ~missing
    if missing.any():
        legend.append(LegendClass(missing_label, missing_color, int(missing.sum())))
    # "No data" is always listed, even at zero, so readers know how it would look.
    legend.append(LegendClass(t("legend.no_data", lang), NO_DATA_COLOR, int(no_data.sum())))
    return colors, legend, bins


def _fit_values(reference: pd.Series, positive: pd.Series, zero_apart: bool) -> pd.Series:
    """The values that set shared classes: ``reference``'s, without the zeros kept apart.

    The period drawn is part of the reference; should it not be, its values join it, so that
    every value falls in a class.
    """
    fit = reference[reference.notna()].astype(float)
    if zero_apart:
        fit = fit[fit != 0]
    if not len(fit) or positive.max() > fit.max() or positive.min() < fit.min():
        fit = pd.concat([fit, positive], ignore_index=True)
    return fit.reset_index(drop=True)


def _signed(value: float, lang: Lang, decimals: int) -> str:
    text = format_number(value, lang, decimals=decimals)
    return f"+{text}" if value > 0 else text


def _classify_ordered_change(metrics: pd.DataFrame, spec: LayerSpec, lang: Lang) -> Classification:
    """Levels gained between two periods: lost, same, +1, +2 …; wards "not applicable".

    Where the change table says the two periods are measured against different NTM criteria
    sets (``ntm_comparable`` False, :func:`geo.analysis.compare.compare_periods` with
    ``periods``), the communes rated in both are one class of their own, "not comparable",
    and the classes of levels gained are left out: a level under another set is not progress.
    """
    index = metrics.index
    title, unit = t(spec.title_key, lang), t(spec.unit_key, lang)
    # Wards and towns are outside the NTM programme.
    rural = metrics.get("commune_type", pd.Series("Xã", index=index)).eq("Xã")
    gained = pd.to_numeric(metrics[spec.column]).astype("Float64")
    before = metrics.get("ntm_level_p0", pd.Series(pd.NA, index=index)).astype("object")
    after = metrics.get("ntm_level_p1", pd.Series(pd.NA, index=index)).astype("object")
    comparable = metrics.get("ntm_comparable", pd.Series(True, index=index)).astype("boolean")
    apart = (~comparable).fillna(False).astype(bool)
    rated = before.map(lambda v: isinstance(v, str)) & after.map(lambda v: isinstance(v, str))
    colors = pd.Series(NO_DATA_COLOR, index=index, dtype="object")
    legend = []
    if apart.any():
        members = apart & rated
        colors[members] = NOT_COMPARABLE_COLOR
        legend.append(
            LegendClass(t("legend.not_comparable", lang), NOT_COMPARABLE_COLOR, int(members.sum()))
        )
        missing = ~members
    else:
        steps = [
            (gained < 0, t("legend.level_lost", lang), CHANGE_DECREASE_COLOR),
            (gained == 0, t("legend.level_same", lang), CHANGE_NONE_COLOR),
            *(
                (gained == n, t("legend.levels_gained", lang, n=n), spec.palette[n - 1])
                for n in range(1, len(spec.palette) + 1)
            ),
        ]
        for mask, label, color in steps:
            members = mask.fillna(False).astype(bool)
            if label == t("legend.level_lost", lang) and not members.any():
                continue  # levels are rarely lost: list the class only when it occurs
            colors[members] = color
            legend.append(LegendClass(label, color, int(members.sum())))
        missing = gained.isna()
    not_applicable = _add_missing_classes(missing, rural, colors, legend, lang)
    key = "legend.not_comparable_value"
    labels = pd.Series(
        [
            (
                t(key, lang, before=t(f"ntm.{b}", lang), after=t(f"ntm.{a}", lang))
                if other
                else f"{t(f'ntm.{b}', lang)} → {t(f'ntm.{a}', lang)}"
            )
            if isinstance(b, str) and isinstance(a, str)
            else t("legend.not_applicable" if na else "legend.no_data", lang)
            for b, a, na, other in zip(before, after, not_applicable, apart, strict=True)
        ],
        index=index,
    )
    return Classification(colors, labels, legend, title, unit)


def _classify_spec(metrics: pd.DataFrame, spec: LayerSpec, classes: _Classes) -> Classification:
    """Classify a registry layer (:mod:`geo.web.layers`): field counts, rates, changes."""
    index, lang = metrics.index, classes.lang
    title, unit = t(spec.title_key, lang), t(spec.unit_key, lang)
    if spec.kind == "ordered_change":
        return _classify_ordered_change(metrics, spec, lang)

    values = layer_values(metrics, spec)
    if spec.kind == "change":
        # Diverging: decreases in one class of their own, "no change", then increases.
        decrease = values.lt(0).fillna(False)
        colors, legend, bins = _classify_amounts(
            values.where(~decrease),
            palette_key=spec.key,
            palette=spec.palette,
            classes=classes,
            decimals=spec.decimals,
            zero_label=t(spec.zero_key or "legend.no_change", lang),
            zero_color=CHANGE_NONE_COLOR,
            missing=decrease,
            missing_label=t("legend.decrease", lang),
            missing_color=CHANGE_DECREASE_COLOR,
        )
        legend.sort(key=lambda entry: entry.color != CHANGE_DECREASE_COLOR)  # stable: first
        labels = values.map(
            lambda v: t("legend.no_data", lang) if pd.isna(v) else _signed(v, lang, spec.decimals)
        )
        return Classification(colors, labels, legend, title, unit, bins)

    colors, legend, bins = _classify_amounts(
        values,
        palette_key=spec.key,
        palette=spec.palette,
        classes=classes,
        decimals=spec.decimals,
        zero_label=t(spec.zero_key, lang) if spec.zero_key else None,
        missing=pd.Series(False, index=index),
        missing_label="",
        missing_color=NO_DATA_COLOR,
        reference=classes.reference_values(spec),
    )
    labels = values.map(
        lambda v: (
            t("legend.no_data", lang)
            if pd.isna(v)
            else format_number(v, lang, decimals=spec.decimals)
        )
    )
    return Classification(colors, labels, legend, title, unit, bins)


def _add_missing_classes(
    missing: pd.Series, rural: pd.Series, colors: pd.Series, legend: list[LegendClass], lang: Lang
) -> pd.Series:
    """Colour and count communes without a value: wards and towns as "not applicable" (the
    NTM programme is for rural communes), rural communes as "no data". Returns the former.
    """
    not_applicable = missing & ~rural
    colors[not_applicable] = NOT_APPLICABLE_COLOR
    legend.append(
        LegendClass(
            t("legend.not_applicable", lang), NOT_APPLICABLE_COLOR, int(not_applicable.sum())
        )
    )
    no_data = missing & rural
    legend.append(LegendClass(t("legend.no_data", lang), NO_DATA_COLOR, int(no_data.sum())))
    return not_applicable


#: Land-layer label of a commune without a percentage, by (not applicable, no plan).
_LAND_NA_KEYS = {
    (True, True): "legend.not_applicable",
    (False, True): "legend.no_plan",
    (False, False): "legend.no_data",
}


def _classify_models_density(metrics: pd.DataFrame, classes: _Classes) -> Classification:
    """Models per km² in classes, communes without a model apart."""
    index, lang = metrics.index, classes.lang
    values = metrics["models_per_km2"].astype(float)
    colors, legend, bins = _classify_amounts(
        values,
        palette_key="models_density",
        classes=classes,
        decimals=2,
        zero_label="Chưa có mô hình" if lang == "vi" else "No models",
        missing=pd.Series(False, index=index),
        missing_label="",
        missing_color=NO_DATA_COLOR,
        reference=classes.reference_values("models_per_km2"),
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


def _classify_land(metrics: pd.DataFrame, classes: _Classes) -> Classification:
    """% of the consolidation plan done in classes; no plan and not applicable apart."""
    index, lang = metrics.index, classes.lang
    values = metrics["land_pct_of_plan"].astype(float)
    has_row = metrics["land_planned_ha"].notna() | metrics["land_done_ha"].notna()
    # Consolidation of farmland concerns rural communes: wards and towns without figures
    # are "not applicable", like on the NTM layer, not "no data".
    rural = metrics.get("commune_type", pd.Series("Xã", index=index)).eq("Xã")
    not_applicable = values.isna() & ~has_row & ~rural
    no_plan = (has_row & values.isna()) | not_applicable
    if not_applicable.any() and (no_plan & ~not_applicable).any():
        no_plan_label = t("legend.no_plan_or_not_applicable", lang)
    elif not_applicable.any():
        no_plan_label = t("legend.not_applicable", lang)
    else:
        no_plan_label = t("legend.no_plan", lang)
    colors, legend, bins = _classify_amounts(
        values,
        palette_key="land",
        classes=classes,
        decimals=0,
        zero_label="0 %" if lang == "vi" else "0%",
        missing=no_plan,
        missing_label=no_plan_label,
        missing_color=NOT_APPLICABLE_COLOR,
        reference=classes.reference_values("land_pct_of_plan"),
    )
    labels = pd.Series(
        [
            f"{format_number(v, lang, decimals=0)} % ({format_number(d, lang, decimals=1)} ha)"
            if pd.notna(v)
            else t(
                "legend.not_applicable" if na else "legend.no_plan" if plan else "legend.no_data",
                lang,
            )
            for v, d, plan, na in zip(
                values, metrics["land_done_ha"], no_plan, not_applicable, strict=True
            )
        ],
        index=index,
    )
    return Classification(colors, labels, legend, t("layer.land", lang), t("unit.land", lang), bins)


def _classify_ntm(metrics: pd.DataFrame, *, lang: Lang, period: int | None) -> Classification:
    """The NTM level as ordered categories; wards and towns "not applicable".

    With ``period``, the criteria met are counted out of that period's criteria set
    (:func:`geo.figures.criteria.criteria_set_for`: 19 until 2025, 10 from 2026) and the
    legend's unit names the set and its count.
    """
    index = metrics.index
    criteria_set = criteria_set_for(period) if period is not None else None
    out_of = f"/{criteria_set.count}" if criteria_set is not None else ""
    levels = metrics["ntm_level"].astype("object")
    criteria = metrics.get("criteria_met", pd.Series(pd.NA, index=index))
    # Wards and towns are not rural communes: the NTM programme does not apply to them.
    rural = metrics.get("commune_type", pd.Series("Xã", index=index)).eq("Xã")
    colors = pd.Series(NO_DATA_COLOR, index=index, dtype="object")
    legend = []
    for level in NTM_LEVELS:
        members = levels == level
        outside = criteria_set is not None and level not in criteria_set.levels
        if (level == NTM_MODERN or outside) and not members.any():
            # The pilot tier of the 2026-2030 set, and levels the period's set does not know
            # ("advanced", "model" from 2026): in the legend only where a commune has them.
            continue
        colors[members] = NTM_COLORS[level]
        legend.append(LegendClass(t(f"ntm.{level}", lang), NTM_COLORS[level], int(members.sum())))
    not_applicable = _add_missing_classes(levels.isna(), rural, colors, legend, lang)
    labels = pd.Series(
        [
            f"{t(f'ntm.{lv}', lang)} ({c}{out_of})"
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
    unit = t("unit.ntm", lang)
    if criteria_set is not None:
        label = set_label(criteria_set, lang)
        unit = t("unit.ntm_set", lang, unit=unit, set=label, count=criteria_set.count)
    return Classification(colors, labels, legend, t("layer.ntm", lang), unit)


def classify_layer(
    metrics: pd.DataFrame,
    layer: LayerKey | str,
    *,
    scheme: str = "fisher_jenks",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    lang: Lang = DEFAULT_LANG,
    reference: pd.DataFrame | None = None,
    period: int | None = None,
) -> Classification:
    """Colour each commune for ``layer`` and build the matching legend.

    A view (:class:`geo.view.MapView`) passes its classes as ``**view.classification``.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Output of :func:`geo.analysis.metrics.commune_metrics` (for change layers:
        :func:`geo.analysis.compare.compare_periods`).
    layer : str
        Which indicator to draw: ``"models_density"``, ``"ntm"``, ``"land"`` or any other key
        of :data:`geo.web.layers.LAYERS` (field counts and densities, models per 1,000 residents,
        change layers).
    scheme : {"fisher_jenks", "quantiles", "equal_interval"}
        mapclassify scheme for amounts (the NTM layers are categorical).
    k : int
        Number of classes for amounts (at most the palette's 6 colours).
    breaks : sequence of float, optional
        Manual class breaks (upper bounds); they replace ``scheme`` and ``k``.
    lang : {"vi", "en"}
        Language of labels.
    reference : pandas.DataFrame, optional
        Metrics whose values set the classes of an amount layer, e.g. every period of the
        layer stacked (:func:`geo.analysis.commune_profile.metrics_over_periods`): the classes
        are then computed once, by ``scheme`` over all those values (zeros and no data apart,
        as always), and are the same for every period, so two periods compare by eye. The
        values of ``metrics`` are sorted into them; a class no commune reaches this period is
        listed with 0. Ignored with manual ``breaks``, on categories and on change layers.
    period : int, optional
        The period of ``metrics``: the NTM layer counts criteria out of its criteria set
        ("Đạt chuẩn NTM (8/10)") and its legend names the set. Without it, no count is said.

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

    Classes of every period (here two): the earlier period fills only the lower class.

    >>> early = pd.DataFrame({"models_per_km2": [1.0, 1.5, 2.0]})
    >>> late = pd.DataFrame({"models_per_km2": [2.0, 8.0, 9.0]})
    >>> both = pd.concat([early, late])
    >>> c = classify_layer(early, "models_density", k=2, lang="en", reference=both)
    >>> [(e.label, e.count) for e in c.legend]
    [('1.00 – 2.00', 3), ('2.00 – 9.00', 0), ('No data', 0)]

    The NTM layer of a period of the 2026–2030 set counts out of its 10 criteria.

    >>> ntm = pd.DataFrame({"ntm_level": ["not_yet", "ntm"], "criteria_met": [8, 10]})
    >>> c = classify_layer(ntm, "ntm", lang="en", period=2026)
    >>> c.labels.tolist(), c.unit
    (['Not yet (8/10)', 'NTM standard (10/10)'], 'level; 2026–2030 criteria set, 10 criteria')
    """
    if breaks or (layer in LAYERS and LAYERS[layer].kind != "amount"):
        reference = None  # manual breaks, categories and changes: nothing to share
    classes = _Classes(scheme=scheme, k=k, breaks=breaks, lang=lang, reference=reference)
    if layer not in LAYER_KEYS and layer in LAYERS:
        return _classify_spec(metrics, LAYERS[layer], classes)
    if layer == "models_density":
        return _classify_models_density(metrics, classes)
    if layer == "land":
        return _classify_land(metrics, classes)
    if layer == "ntm":
        return _classify_ntm(metrics, lang=lang, period=period)
    raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")


_LEGEND_TEMPLATE = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function (map) {
    var div = L.DomUtil.create("div", "atlas-legend");
    div.style.cssText = {{ this.style | tojson }};
    div.innerHTML = {{ this.body | tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
(function (control, map) {
    var corners = ["bottomright", "topright", "bottomleft", "topleft"];
    function targets() {
        // The communes one can point at (faded context and outlines do not count).
        var out = [];
        map.eachLayer(function (layer) {
            var pointable = layer.feature && layer._path && layer.options.interactive !== false;
            if (pointable) out.push(layer);
        });
        return out;
    }
    function hidden(box, layers) {
        // Share of each commune's box under the legend, summed.
        var total = 0;
        layers.forEach(function (layer) {
            var r = layer._path.getBoundingClientRect();
            var area = r.width * r.height;
            if (!area) return;
            var w = Math.max(0, Math.min(r.right, box.right) - Math.max(r.left, box.left));
            var h = Math.max(0, Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top));
            total += (w * h) / area;
        });
        return total;
    }
    function place() {
        // After a zoom or resize: the corner where the legend hides the least.
        var layers = targets(), best = null;
        corners.forEach(function (corner) {
            control.setPosition(corner);
            var score = hidden(control.getContainer().getBoundingClientRect(), layers);
            if (best === null || score < best.score - 1e-6) best = {corner: corner, score: score};
        });
        control.setPosition(best.corner);
    }
    function fit() {
        // First view: fit the communes beside the legend, not under it. For each corner, try
        // keeping the legend's width free on its side or its height free above/below it, and
        // take the largest zoom (the first corner wins ties: bottom right, as usual).
        var layers = targets(), size = map.getSize();
        // A map not laid out yet (hidden, being sized) has no room to compute: fit it once it
        // has (on "resize").
        auto = true;
        if (!layers.length || size.x < 50 || size.y < 50) return place();
        var bounds = L.latLngBounds([]);
        layers.forEach(function (layer) { bounds.extend(layer.getBounds()); });
        var frame = map.getContainer().getBoundingClientRect(), margin = 6, best = null;
        var legend = control.getContainer().getBoundingClientRect();
        var outside = legend.top < frame.top - 1 || legend.bottom > frame.bottom + 1
            || legend.left < frame.left - 1 || legend.right > frame.right + 1;
        if (outside && waits < 60) {
            // Leaflet's style sheet is not in effect yet (streamlit-folium may load it again
            // while the map is drawn): the legend is not in its corner, so the room it takes
            // cannot be measured. Try again shortly, unless the reader has moved the map.
            waits += 1;
            return setTimeout(function () { if (auto) fit(); }, 50);
        }
        var edge = L.point(margin, margin);
        corners.forEach(function (corner) {
            control.setPosition(corner);
            var box = control.getContainer().getBoundingClientRect();
            var right = corner.indexOf("right") > 0, top = corner.indexOf("top") === 0;
            var w = (right ? frame.right - box.left : box.right - frame.left) + margin;
            var h = (top ? box.bottom - frame.top : frame.bottom - box.top) + margin;
            [[w, 0], [0, h]].forEach(function (pad) {
                var room = L.point(pad[0] + 2 * margin, pad[1] + 2 * margin);
                var zoom = map.getBoundsZoom(bounds, false, room);
                if (!Number.isFinite(zoom) || room.x >= size.x || room.y >= size.y) return;
                if (best === null || zoom > best.zoom + 1e-9) {
                    best = {
                        corner: corner,
                        zoom: zoom,
                        topLeft: L.point(right ? 0 : pad[0], top ? pad[1] : 0).add(edge),
                        bottomRight: L.point(right ? pad[0] : 0, top ? 0 : pad[1]).add(edge),
                    };
                }
            });
        });
        if (best === null) return place();
        control.setPosition(best.corner);
        fitting = true;
        map.fitBounds(bounds, {
            paddingTopLeft: best.topLeft, paddingBottomRight: best.bottomRight, animate: false,
        });
        fitting = false;
    }
    // "auto": the view is still the one fitted here (the reader has not moved the map), so a
    // new size (the frame being laid out) fits it again rather than only moving the legend.
    var auto = false, fitting = false, waits = 0;
    function start() {
        // Leaflet ignores a new view while it animates the first one: wait for the end.
        if (map._animatingZoom) return map.once("zoomend", function () { setTimeout(start, 0); });
        // A view the reader left (geo.web.overlays.ViewMemory) is kept as it is.
        if (map._atlasViewRestored) place(); else fit();
        map.on("dragstart", function () { auto = false; });
        map.on("zoomstart", function () { if (!fitting) auto = false; });
        map.on("zoomend", function () { if (!fitting) place(); });
        map.on("resize", function () { if (auto) fit(); else place(); });
    }
    map.whenReady(function () { setTimeout(start, 0); });
})({{ this.get_name() }}, {{ this._parent.get_name() }});
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


def _district_points(
    districts: gpd.GeoDataFrame, codes: np.ndarray
) -> list[tuple[float, float, int]]:
    """Where each district's name stands (a point inside it), and the row of one of its
    communes in the layer (``codes``: the layer's district codes, in order), which names it."""
    first_row = pd.Series(np.arange(len(codes)), index=codes).groupby(level=0).first()
    rows = districts[districts[DISTRICT_CODE].isin(first_row.index)]
    points = rows.geometry.representative_point()
    return [
        (float(point.y), float(point.x), int(first_row[code]))
        for point, code in zip(points, rows[DISTRICT_CODE], strict=True)
    ]


def _feature_collection(
    gdf: gpd.GeoDataFrame, properties: pd.DataFrame, *, rows: np.ndarray | None = None
) -> dict:
    """Features of ``gdf`` with only the given (already escaped) properties, for the web.

    Simplified as a coverage at a tolerance tied to the extent, quantised and cached
    (:func:`geo.web.geometry.web_geometry`); draw it with :class:`geo.web.compact.CompactGeoJson`
    (a plain ``folium.GeoJson`` needs ``.with_coordinates()``).
    """
    return web_feature_collection(gdf, properties, rows=rows)


def _tooltip_properties(
    table: pd.DataFrame, communes: gpd.GeoDataFrame, classification: Classification
) -> pd.DataFrame:
    """What each commune's feature carries to the page: code, escaped names and value, fill;
    ``district`` only when the layer has a group to name (:func:`tooltip_group`)."""
    esc = html.escape
    properties = pd.DataFrame(
        {
            "code": table[COMMUNE_CODE],
            "name": table[COMMUNE_NAME].map(lambda s: esc(str(s))),
            "value": classification.labels.map(lambda s: esc(str(s))),
            "fill": classification.colors,
        }
    )
    group = tooltip_group(communes)
    if group is not None:
        properties.insert(2, "district", [esc(s) for s in group[1]])
    return properties


def tooltip_group(communes: gpd.GeoDataFrame) -> tuple[str, list[str]] | None:
    """The group a commune's tooltip names, as (label key, names): its district; on a layer of
    1 July 2025 (no districts) its former district, labelled so ("Khu vực huyện cũ"), never
    "Huyện"; ``None`` when the layer has neither (the row is left out, not shown empty).

    Examples
    --------
    >>> frame = gpd.GeoDataFrame(
    ...     {"district_name": [None], "former_district_name": ["Huyện Mai Châu"]}
    ... )
    >>> tooltip_group(frame)
    ('level.former_district', ['Huyện Mai Châu'])
    >>> tooltip_group(gpd.GeoDataFrame({"commune_name": ["Xã A"]})) is None
    True
    """
    names = district_labels(communes)
    if any(names):
        return "field.district", names
    if FORMER_DISTRICT_NAME in communes:
        former = communes.drop(columns=DISTRICT_NAME, errors="ignore").rename(
            columns={FORMER_DISTRICT_NAME: DISTRICT_NAME}
        )
        names = district_labels(former)
        if any(names):
            return "level.former_district", names
    return None


def _context_layer(
    table: pd.DataFrame,
    properties: pd.DataFrame,
    shown: np.ndarray,
    *,
    crs: CRS | None,
    lang: Lang,
) -> CompactGeoJson:
    """Drill-down: the rest of the province as faded context, deaf to the pointer."""
    context = gpd.GeoDataFrame(table[["geometry"]], geometry="geometry", crs=crs)
    return CompactGeoJson(
        # Cut from the whole layer's web geometry: no new simplification of the rest.
        _feature_collection(context, properties.loc[~shown, ["code", "fill"]], rows=~shown),
        name=t("legend.other_districts", lang),
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": CONTEXT_OPACITY,
            "color": "#9e9e9e",
            "weight": 0.4,
        },
        interactive=False,
        className="atlas-context",
    )


def _communes_layer(
    frame: gpd.GeoDataFrame,
    properties: pd.DataFrame,
    classification: Classification,
    *,
    lines: LineWidths,
    lang: Lang,
    group_key: str | None = "field.district",
) -> CompactGeoJson:
    """The communes in view, filled by class, with their tooltip (its group row labelled by
    ``group_key``, :func:`tooltip_group`; none when ``None``)."""
    esc = html.escape
    return CompactGeoJson(
        _feature_collection(frame, properties),
        name=classification.title,
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": 0.85,
            "color": lines.border_color,
            "weight": lines.border,
        },
        highlight_function=lambda _feature: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", *(["district"] if group_key else []), "value"],
            aliases=[
                esc(t("field.commune", lang)),
                *([esc(t(group_key, lang))] if group_key else []),
                esc(classification.title),
            ],
            sticky=True,
            # Small print, as the legend: a big box hides the neighbours one is reading.
            style="font: 12px/1.35 Arial, 'DejaVu Sans', sans-serif;",
        ),
        zoom_on_click=False,
    )


def build_map(
    communes: gpd.GeoDataFrame,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    districts: gpd.GeoDataFrame | None = None,
    notes: Sequence[str] = (),
    tiles: bool = False,
    height: int = 620,
    reference: pd.DataFrame | None = None,
) -> folium.Map:
    """Draw one layer as a folium map: communes coloured by class, district outlines on top.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Commune polygons in EPSG:4326 with ``commune_code``.
    metrics : pandas.DataFrame
        :func:`geo.analysis.metrics.commune_metrics` for the same communes (joined on the code).
    view : MapView
        What is drawn. ``layer``: the indicator (see :func:`classify_layer`). ``district_code``:
        zoom to this district; its communes are drawn as usual, the other districts faded and
        deaf to the pointer (context, not hidden), and classes stay those of the whole
        province, so colours compare. ``lang``: language of legend and tooltips. ``scheme``,
        ``k``, ``breaks``: classification of amounts (see :func:`classify_layer`).
    districts : geopandas.GeoDataFrame, optional
        When given, district outlines are drawn on top (from the communes' shared borders
        and their ``district_code``, so they follow the commune borders exactly), with the
        districts' names; commune names appear once the reader zooms in
        (:class:`geo.web.compact.CompactLabels`).
    notes : sequence of str
        Lines under the legend (boundary kind, period, demo label…).
    tiles : bool
        Add an online OpenStreetMap basemap (off by default: the map must work offline).
    height : int
        Map height in pixels.
    reference : pandas.DataFrame, optional
        Metrics of every period (stacked, with a ``period`` column): when the view asks for
        the same classes in every period (:attr:`geo.view.MapView.fixed_classes`), they are
        computed over these (see :func:`classify_layer`), and the legend says so.

    Returns
    -------
    folium.Map
        The map; its assets still point to folium's CDNs until :mod:`geo.web.assets` rewrites them.
    """
    lang = view.lang
    table = communes[[COMMUNE_CODE, "geometry"]].merge(
        metrics, on=COMMUNE_CODE, how="left", validate="one_to_one"
    )
    shared = reference if view.fixed_classes else None
    classification = classify_layer(
        table, view.layer, lang=lang, reference=shared, period=view.period, **view.classification
    )
    if shared is not None and classification.bins and "period" in shared:
        first, last = int(shared["period"].min()), int(shared["period"].max())
        notes = [*notes, t("legend.same_classes", lang, first=first, last=last)]
    properties = _tooltip_properties(table, communes, classification)
    shown = (
        table[DISTRICT_CODE].eq(view.district_code).to_numpy()
        if view.district_code
        else np.ones(len(table), dtype=bool)
    )
    frame = gpd.GeoDataFrame(table[["geometry"]], geometry="geometry", crs=communes.crs)[shown]
    minx, miny, maxx, maxy = frame.total_bounds

    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        control_scale=False,  # MetricScale below: Leaflet's default scale also shows miles
        prefer_canvas=False,
        height=height,
        zoom_snap=0.25,
    )
    fit = folium.map.FitBounds([[miny, minx], [maxy, maxx]])
    # The first view at once, not animated: Leaflet would start the animation on the next
    # frame and override any view set meanwhile (the legend's fit, geo.web.overlays.ViewMemory).
    fit.options["animate"] = False
    # Before any layer: Leaflet projects every vertex of a layer when it is added and again
    # when the view changes; fitted first, a national layer is projected once (about 0.3 s
    # less in the browser).
    fmap.add_child(fit)
    MetricScale().add_to(fmap)
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)
    if not shown.all():
        _context_layer(table, properties, shown, crs=communes.crs, lang=lang).add_to(fmap)
    lines = LINES_DENSE if int(shown.sum()) >= DENSE_FROM else LINES
    group = tooltip_group(communes)
    communes_layer = _communes_layer(
        frame,
        properties[shown],
        classification,
        lines=lines,
        lang=lang,
        group_key=None if group is None else group[0],
    ).add_to(fmap)
    if districts is not None and len(districts):
        # Drawn from the communes' borders: each district's edge, none of its own geometry.
        CompactOutline(
            communes_layer,
            group="district",
            style={"color": "#222222", "weight": lines.outline},
            class_name="atlas-district",
        ).add_to(fmap)
        codes = table[DISTRICT_CODE].to_numpy()[shown]
        CompactLabels(
            communes_layer, points=_district_points(districts, codes), group="district"
        ).add_to(fmap)
    HtmlLegend(legend_html(classification, notes=notes, lang=lang)).add_to(fmap)
    return fmap
