"""The main page's sidebar: language, geography, view mode and periods, layer, classes, district.

:func:`sidebar` draws the widgets and returns one :class:`~geo.view.MapView` of the choices.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from geo.analysis.vintages import VintageTables
from geo.errors import AtlasError
from geo.figures.indicators import FIELD_LABELS, FIELDS
from geo.geography.geographies import Geography
from geo.i18n import Lang, t
from geo.output.display import markdown_text, ntm_change_note, periods_text
from geo.ui.districts import district_box, group_label, several_provinces
from geo.ui.progress import loaded_geography
from geo.ui.resources import (
    ENV_BOUNDARIES,
    ENV_KEY,
    demo_periods,
    estimated_periods,
    geography_choices,
    geography_for,
    geography_labels,
    get_store,
    load_tables,
    metrics_for,
    periods_of,
    vintage_tables_for,
)
from geo.ui.state import set_district, sync_lag_district
from geo.ui.widgets import choice_box, choice_radio, language_radio
from geo.view import DEFAULT_K, DEFAULT_LAYER, DEFAULT_SCHEME, FALLBACK_LAYER, MapView
from geo.web.layers import (
    LAYERS,
    MAX_CLASSES,
    SCHEME_KEYS,
    field_layer_key,
    layers_for,
    parse_breaks,
)

__all__ = ["FIELD_LAYER", "Choices", "class_widgets", "estimate_widget", "layer_widgets", "sidebar"]

#: Pseudo-layer of the layer menu: one model field, as a count or per km².
FIELD_LAYER = "models_field"


@dataclass(frozen=True)
class Choices:
    """What the sidebar chose: the view, the basemap switch and the store revision read."""

    view: MapView
    tiles: bool
    revision: int


def sidebar() -> Choices:
    """Draw the sidebar's widgets (inside ``st.sidebar``) and return the reader's choices.

    Returns
    -------
    Choices
        The one :class:`~geo.view.MapView` made from the widgets, the basemap switch and the
        store revision the view was read at.
    """
    lang = language_radio(key="main_page_lang")
    geography_key, geography = geography_widgets(lang)
    revision = get_store().revision()
    # The periods with figures on the chosen units: 2025 figures are not offered on 2020–2025,
    # unless the reader asks for them as an estimate.
    figures = vintage_tables_for(geography_key, revision)
    estimate = estimate_widget(figures, lang)
    if estimate:
        figures = vintage_tables_for(geography_key, revision, estimate=True)
    periods = figures.periods or periods_of(load_tables(revision))
    compare_from, period = period_widgets(periods, lang)
    metrics = metrics_for(geography_key, period, revision, estimate=estimate)
    layer = layer_widgets("period" if compare_from is None else "compare", metrics, lang)
    if compare_from is not None and (
        note := ntm_change_note((compare_from, period), lang, layer=layer)
    ):
        st.caption(note)  # NTM levels of two criteria sets: why the map does not compare them
    classes = class_widgets(layer, lang, several_periods=compare_from is None and len(periods) > 1)
    district_code = district_widgets(geography, lang)
    tiles = st.checkbox(t("app.tiles", lang), value=False, key="tiles")
    view = MapView(
        layer=layer,
        period=period,
        compare_from=compare_from,
        geography_key=geography_key,
        vintage=geography.vintage,
        district_code=district_code,
        lang=lang,
        **classes,
    )
    # Demo figures in any period shown: the map, files and indicators say so; estimated
    # figures likewise (only a period shown that has them makes the view an estimate).
    view = view.replace(
        demo=bool(set(view.periods) & demo_periods(revision)),
        estimate=bool(estimated_periods(figures, view)),
    )
    return Choices(view=view, tiles=tiles, revision=revision)


def geography_widgets(lang: Lang) -> tuple[str, Geography]:
    """The boundary choice and its geography; a broken file falls back to the default."""
    geography_key = geography_select(lang)
    try:
        return geography_key, loaded_geography(geography_key, lang)
    except AtlasError as error:
        # A broken file must not take the atlas down: say what is wrong, show the default.
        st.error(t("error.boundaries", lang, file=geography_key, message=markdown_text(error)))
        geography_key = geography_choices()[0].key
        return geography_key, geography_for(geography_key)


def geography_select(lang: Lang) -> str:
    """The boundary layer to draw (no box when there is only one)."""
    choices = geography_labels(lang)
    if ENV_BOUNDARIES:
        choices = {ENV_KEY: os.path.basename(ENV_BOUNDARIES), **choices}
    if len(choices) == 1:
        return next(iter(choices))
    return choice_box(
        st,
        t("geography.choice", lang),
        list(choices),
        key="geography",
        lang=lang,
        format_func=choices.get,
    )


def estimate_widget(figures: VintageTables, lang: Lang) -> bool:
    """Whether to estimate newer figures on this older map by area share (off by default).

    Offered only on a map some figures are too new for (:attr:`VintageTables.refused_periods`:
    2025–2026 on the 2020–2025 units); elsewhere there is nothing to estimate.
    """
    if not figures.refused_periods:
        return False
    periods = periods_text(figures.refused_periods)
    estimate = st.checkbox(
        t("app.estimate", lang),
        value=False,
        help=t("app.estimate_help", lang, periods=periods),
        key="estimate",
    )
    if not estimate:
        # A period only the estimate offered is no longer on the slider: back to the latest.
        _forget_periods(set(figures.refused_periods))
    return estimate


def _forget_periods(gone: set[int]) -> None:
    """Drop the slider positions that name a period no longer offered (the slider would
    otherwise keep a value outside its options)."""
    if st.session_state.get("period") in gone:
        del st.session_state["period"]
    if gone & set(st.session_state.get("periods", ())):
        del st.session_state["periods"]


def period_widgets(periods: list[int], lang: Lang) -> tuple[int | None, int]:
    """View mode and period(s): ``(None, period)``, or ``(earlier, later)`` to compare.

    The map opens on the latest period: what a leader asks about first.
    """
    mode = choice_radio(
        st,
        t("app.mode", lang),
        ("period", "compare") if len(periods) > 1 else ("period",),
        format_func=lambda m: t(f"app.mode.{m}", lang),
        key="mode",
        lang=lang,
    )
    if mode != "compare":
        period = st.select_slider(
            t("app.period", lang), options=periods, value=periods[-1], key="period"
        )
        return None, period
    p0, p1 = st.select_slider(
        t("app.periods", lang),
        options=periods,
        value=(periods[0], periods[-1]),
        key="periods",
    )
    if p0 == p1:
        st.warning(t("app.same_periods", lang))
        index = max(1, periods.index(p1))
        p0, p1 = periods[index - 1], periods[index]
    return p0, p1


def layer_widgets(mode: str, metrics: pd.DataFrame, lang: Lang) -> str:
    """The layer menu; a model field is one entry with its field and measure below it.

    The first entry, where the map opens, is :data:`geo.view.DEFAULT_LAYER` (models per 1,000
    residents), or :data:`geo.view.FALLBACK_LAYER` when the figures have no population.
    """
    if mode == "compare":
        options = [spec.key for spec in layers_for("compare")]
    else:
        available = {spec.key for spec in layers_for("period", metrics)}
        rate = [DEFAULT_LAYER] if DEFAULT_LAYER in available else []  # needs population
        options = [*rate, FALLBACK_LAYER, FIELD_LAYER, "ntm", "land"]
    choice = choice_radio(
        st,
        t("app.layer", lang),
        options,
        format_func=lambda k: t(f"layer.{k}", lang),
        key="clayer" if mode == "compare" else "layer",
        lang=lang,
    )
    if choice != FIELD_LAYER:
        return choice
    field = choice_box(
        st,
        t("app.field", lang),
        FIELDS,
        key="field",
        lang=lang,
        format_func=lambda f: FIELD_LABELS[f](lang),
    )
    measure = choice_radio(
        st,
        t("app.measure", lang),
        ("count", "per_km2"),
        format_func=lambda m: t(f"app.measure.{m}", lang),
        horizontal=True,
        key="measure",
        lang=lang,
    )
    return field_layer_key(field, per_km2=measure == "per_km2")


def class_widgets(layer: str, lang: Lang, *, several_periods: bool) -> dict[str, Any]:
    """Classification: scheme and number of classes or manual breaks (amounts only), and
    whether the classes are the same for every period (on by default, with several periods).

    Returns
    -------
    dict
        ``scheme``, ``k``, ``breaks`` and ``same_classes``, keywords of
        :class:`~geo.view.MapView`.
    """
    with st.expander(t("app.classes", lang)):
        if not LAYERS[layer].classified:
            st.caption(t("app.classes_na", lang))
            return _classes(DEFAULT_SCHEME, DEFAULT_K)
        scheme = choice_box(
            st,
            t("app.scheme", lang),
            SCHEME_KEYS,
            key="scheme",
            lang=lang,
            format_func=lambda s: t(f"scheme.{s}", lang),
        )
        if scheme != "manual":
            k = st.slider(t("app.k", lang), 3, MAX_CLASSES, DEFAULT_K, key="k")
            same = several_periods and st.checkbox(
                t("app.same_classes", lang),
                value=True,
                help=t("app.same_classes_help", lang),
                key="same_classes",
            )
            return _classes(scheme, k, same_classes=same)
        text = st.text_input(
            t("app.breaks", lang), value="1; 2; 5", help=t("app.breaks_help", lang), key="breaks"
        )
        try:
            return _classes(DEFAULT_SCHEME, DEFAULT_K, breaks=tuple(parse_breaks(text, lang=lang)))
        except ValueError:
            st.warning(t("app.breaks_error", lang, text=text))
            return _classes(DEFAULT_SCHEME, DEFAULT_K)


def _classes(
    scheme: str, k: int, *, breaks: tuple[float, ...] | None = None, same_classes: bool = False
) -> dict[str, Any]:
    return {"scheme": scheme, "k": k, "breaks": breaks, "same_classes": same_classes}


def district_widgets(geography: Geography, lang: Lang) -> str | None:
    """The district box and the way back to the whole province; ``None`` for the whole."""
    district_code = district_box(
        st,
        group_label(geography, lang),
        geography,
        key="district",
        lang=lang,
        on_change=sync_lag_district,
    )
    st.button(
        t("app.back_to_all" if several_provinces(geography) else "app.back_to_province", lang),
        on_click=set_district,
        args=(None,),
        disabled=district_code is None,
        key="back_to_province",
    )
    return district_code
