"""Commune Atlas: the main page. Layout and widgets only; the work happens in ``geo``.

Page order: sidebar (language, boundaries, view, layer, period(s), classes, district, basemap);
title and notices; the map with the commune panel beside it (a leader's first glance); the
province indicators; tabs with the lagging communes, the district summary and the commune table.

The map is re-created only when what it draws changes (layer, period, classes, district,
language). A click on a commune re-runs the page and comes back as the clicked feature
(``last_active_drawing``, which carries the ``code`` property); pan and zoom do not re-run.
The selected commune and the lagging communes are outlined through ``feature_group_to_add``,
which streamlit-folium swaps in the live map, so the reader's zoom and centre stay.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.analysis.commune_profile import CommuneProfile, commune_profile, metrics_over_periods
from geo.analysis.compare import compare_periods
from geo.analysis.lagging import (
    PROGRESS_INDICATORS,
    ConsolidationBelow,
    CriteriaBelow,
    NoModelInField,
    NoProgress,
    Rule,
    describe_rules,
    find_lagging,
)
from geo.analysis.metrics import district_summary, province_kpis, province_summary
from geo.analysis.table_join import vintage_note
from geo.errors import AtlasError
from geo.figures.demo import DEMO_LABEL
from geo.figures.indicators import FIELD_LABELS, FIELDS
from geo.figures.published import FIGURES, SOURCE
from geo.figures.store import Store, open_store
from geo.geography.admin_units import ALL_PROVINCES
from geo.geography.geographies import (
    Geography,
    GeographyChoice,
    area_label,
    available_geographies,
    district_labels,
    file_geography,
    geography_label,
    load_geography,
)
from geo.i18n import LANGUAGES, Lang, format_number, t
from geo.output import brief, export, printing
from geo.output.display import (
    commune_table,
    district_table,
    history_frame,
    lagging_table,
    legend_notes,
    named_model_lines,
    profile_caption,
    profile_figures,
    slug,
)
from geo.output.table_export import csv_bytes, xlsx_bytes
from geo.web.assets import use_local_assets
from geo.web.layers import (
    LAYERS,
    MAX_CLASSES,
    SCHEME_KEYS,
    field_layer_key,
    layers_for,
    parse_breaks,
)
from geo.web.maps import build_map
from geo.web.overlays import FocusWithoutScroll, MapAttribution, ViewMemory, highlight_group

st.set_page_config(page_title="Commune Atlas – Bản đồ xã", layout="wide")

T = TypeVar("T")

#: Families drawn on the map (named models are listed, not mapped).
MAP_FAMILIES = ("models", "ntm", "land")
#: A boundary file given at start-up (``ATLAS_BOUNDARIES=FILE make run``).
ENV_BOUNDARIES = os.environ.get("ATLAS_BOUNDARIES") or None
ENV_KEY = "env-file"
#: Provinces of the schematic default (``ATLAS_PROVINCES=17,25``, or ``ATLAS_PROVINCES=all`` for
#: the whole country; default: Hòa Bình).
_ENV_PROVINCES_TEXT = os.environ.get("ATLAS_PROVINCES", "").strip()
ENV_PROVINCES: str | tuple[str, ...] = (
    ALL_PROVINCES
    if _ENV_PROVINCES_TEXT.lower() == ALL_PROVINCES
    else tuple(code.strip() for code in _ENV_PROVINCES_TEXT.split(",") if code.strip())
)
#: Session key of the map component (its last click) and of the selected commune.
MAP_KEY = "atlas_map"
SELECTED = "selected_commune"
MAP_HEIGHT = 640
#: The "whole province" choice of the district boxes (``None`` would show as "no choice").
WHOLE_PROVINCE = ""
#: Pseudo-layer of the layer menu: one model field, as a count or per km².
FIELD_LAYER = "models_field"
#: The period the published figures refer to (the article gives figures to 4/2019).
PUBLISHED_PERIOD = 2019


# --- cached data (keys are plain values: the store revision, the geography key) --------------


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    return open_store()


@st.cache_data(show_spinner=False)
def load_tables(revision: int) -> dict[str, pd.DataFrame]:
    return get_store().current_tables()


@st.cache_data(show_spinner=False)
def demo_periods(revision: int) -> set[int]:
    """Periods whose mapped figures still come (at least partly) from the demo batches."""
    sources = get_store().current_sources()
    demo = sources[sources["origin"].eq("demo") & sources["family"].isin(MAP_FAMILIES)]
    return {int(p) for p in demo["period"].unique()}


@st.cache_data(show_spinner=False, ttl=60)
def geography_choices() -> list[GeographyChoice]:
    return available_geographies(**({"province_codes": ENV_PROVINCES} if ENV_PROVINCES else {}))


@st.cache_resource(show_spinner=False)
def geography_for(key: str) -> Geography:
    if key == ENV_KEY:
        return file_geography(ENV_BOUNDARIES)
    choice = next(c for c in geography_choices() if c.key == key)
    return load_geography(choice)


@st.cache_data(show_spinner=False)
def over_periods_for(geography_key: str, revision: int) -> pd.DataFrame:
    """Metrics of every period, stacked (the commune panel's history and ranks)."""
    tables = load_tables(revision)
    periods = tables["models"]["period"].unique()
    return metrics_over_periods(geography_for(geography_key).communes, tables, periods)


@st.cache_data(show_spinner=False)
def metrics_for(geography_key: str, period: int, revision: int) -> pd.DataFrame:
    over = over_periods_for(geography_key, revision)
    return over[over["period"] == period].drop(columns="period").reset_index(drop=True)


@st.cache_data(show_spinner=False)
def change_for(geography_key: str, p0: int, p1: int, revision: int) -> pd.DataFrame:
    return compare_periods(
        metrics_for(geography_key, p0, revision), metrics_for(geography_key, p1, revision)
    )


@st.cache_resource(show_spinner=False, max_entries=48)
def map_for(
    geography_key: str,
    layer: str,
    periods: tuple[int, ...],
    district_code: str | None,
    lang: Lang,
    tiles: bool,
    revision: int,
    scheme: str,
    k: int,
    breaks: tuple[float, ...] | None,
) -> folium.Map:
    """The map of one view, built once; every run draws a copy (see :func:`draw_map`)."""
    geography = geography_for(geography_key)
    if len(periods) == 1:
        table = metrics_for(geography_key, periods[0], revision)
    else:
        table = change_for(geography_key, periods[0], periods[1], revision)
    districts = district_names(geography)
    demo = bool(set(periods) & demo_periods(revision))
    fmap = build_map(
        geography.communes,
        table,
        layer=layer,
        districts=geography.districts,
        district_code=district_code,
        lang=lang,
        scheme=scheme,
        k=k,
        breaks=breaks,
        notes=legend_notes(
            geography,
            periods=periods,
            demo=demo,
            district_name=districts.get(district_code) if district_code else None,
            lang=lang,
        ),
        tiles=tiles,
        height=MAP_HEIGHT,
    )
    if geography.attribution:
        MapAttribution(t("boundary.attribution", lang, attribution=geography.attribution)).add_to(
            fmap
        )
    FocusWithoutScroll().add_to(fmap)
    # After fit_bounds: the reader's last view of the same area wins over the fitted one.
    ViewMemory(f"{geography_key}|{district_code or 'province'}").add_to(fmap)
    return use_local_assets(fmap)


def district_names(geography: Geography) -> dict[str, str]:
    communes = geography.communes
    districts = pd.DataFrame(
        {"code": communes["district_code"], "label": district_labels(communes)}
    ).drop_duplicates("code")
    districts = districts.sort_values("label")
    return dict(zip(districts["code"], districts["label"], strict=True))


# --- callbacks (they run before the page, so they may set widget values) ---------------------


def set_district(code: str | None) -> None:
    st.session_state["district"] = code or WHOLE_PROVINCE
    st.session_state["lag_district"] = code or WHOLE_PROVINCE


def sync_lag_district() -> None:
    st.session_state["lag_district"] = st.session_state.get("district")


def close_panel() -> None:
    st.session_state[SELECTED] = None


def pick_district_row(table_key: str, codes: list[str | None]) -> None:
    rows = st.session_state[table_key].selection.rows
    if rows:
        set_district(codes[rows[0]])


def take_click() -> None:
    """Turn a new click on the map (kept by ``st_folium`` under :data:`MAP_KEY`) into a choice.

    The component keeps returning its last click on every run; a click is new when the clicked
    feature or the clicked point changed (a second click on the same commune after closing its
    panel lands elsewhere in it).
    """
    value = st.session_state.get(MAP_KEY) or {}
    feature = value.get("last_active_drawing") or {}
    code = (feature.get("properties") or {}).get("code")
    token = json.dumps([code, value.get("last_object_clicked")], sort_keys=True, default=str)
    if code and token != st.session_state.get("map_click_seen"):
        st.session_state["map_click_seen"] = token
        st.session_state[SELECTED] = html.unescape(str(code))


# --- widgets ----------------------------------------------------------------------------------


def language_radio() -> Lang:
    # The import page keeps "lang" as plain session state; a widget key would be dropped when
    # the user switches pages, so the radio has its own key and copies its value over.
    current: Lang = st.session_state.get("lang", "vi")
    lang: Lang = st.radio(
        "Ngôn ngữ / Language",
        LANGUAGES,
        index=LANGUAGES.index(current),
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
        horizontal=True,
        key="main_page_lang",
    )
    st.session_state["lang"] = lang
    return lang


def choice_box(
    container: Any,
    label: str,
    options: Sequence[T],
    *,
    key: str,
    lang: Lang,
    format_func: Callable[[T], str],
    on_change: Callable[[], None] | None = None,
) -> T:
    """A selectbox whose choice survives a switch of language.

    Streamlit keeps a selectbox's choice as the text it shows; after a language switch that
    text matches no option any more (and comes back as the choice itself). So the choice is
    kept under ``key`` in the session, the widget has one key per language, and it is set from
    ``key`` before it is drawn. Callbacks may set ``st.session_state[key]`` to change it.
    """
    options = list(options)
    value = st.session_state.get(key, options[0])
    if value not in options:
        value = options[0]
    st.session_state[key] = value
    widget = f"{key}__{lang}"
    if st.session_state.get(widget) != value:
        st.session_state[widget] = value

    def changed() -> None:
        st.session_state[key] = st.session_state[widget]
        if on_change is not None:
            on_change()

    return container.selectbox(
        label, options, format_func=format_func, key=widget, on_change=changed
    )


def geography_select(lang: Lang) -> str:
    choices = {c.key: geography_label(c, lang) for c in geography_choices()}
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


def layer_widgets(mode: str, metrics: pd.DataFrame, lang: Lang) -> str:
    """The layer menu; a model field is one entry with its field and measure below it."""
    if mode == "compare":
        options = [spec.key for spec in layers_for("compare")]
        return st.radio(
            t("app.layer", lang), options, format_func=lambda k: t(f"layer.{k}", lang), key="clayer"
        )
    available = {spec.key for spec in layers_for("period", metrics)}
    rate = ["models_per_1000"] if "models_per_1000" in available else []  # needs population
    options = ["models_density", *rate, FIELD_LAYER, "ntm", "land"]
    choice = st.radio(
        t("app.layer", lang), options, format_func=lambda k: t(f"layer.{k}", lang), key="layer"
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
    measure = st.radio(
        t("app.measure", lang),
        ("count", "per_km2"),
        format_func=lambda m: t(f"app.measure.{m}", lang),
        horizontal=True,
        key="measure",
    )
    return field_layer_key(field, per_km2=measure == "per_km2")


def class_widgets(layer: str, lang: Lang) -> tuple[str, int, tuple[float, ...] | None]:
    """Classification scheme, number of classes or manual breaks (amounts only)."""
    with st.expander(t("app.classes", lang)):
        if not LAYERS[layer].classified:
            st.caption(t("app.classes_na", lang))
            return "fisher_jenks", 5, None
        scheme = choice_box(
            st,
            t("app.scheme", lang),
            SCHEME_KEYS,
            key="scheme",
            lang=lang,
            format_func=lambda s: t(f"scheme.{s}", lang),
        )
        if scheme != "manual":
            k = st.slider(t("app.k", lang), 3, MAX_CLASSES, 5, key="k")
            return scheme, k, None
        text = st.text_input(
            t("app.breaks", lang), value="1; 2; 5", help=t("app.breaks_help", lang), key="breaks"
        )
        try:
            return "fisher_jenks", 5, tuple(parse_breaks(text, lang=lang))
        except ValueError:
            st.warning(t("app.breaks_error", lang, text=text))
            return "fisher_jenks", 5, None


def kpi_cards(
    metrics: pd.DataFrame, before: pd.DataFrame | None, period: int, base: int | None, lang: Lang
) -> None:
    """Province indicators computed from the data; the published figure and source beside."""
    published = {key: figure.value for key, figure in FIGURES.items()}
    shown = ["models_total", "models_replicated", "ntm_communes", "land_communes", "land_done_ha"]
    kpis = {kpi.key: kpi for kpi in province_kpis(metrics, published=published)}
    earlier = {kpi.key: kpi for kpi in province_kpis(before)} if before is not None else {}
    for column, key in zip(st.columns(len(shown)), shown, strict=True):
        kpi = kpis[key]
        decimals = 1 if kpi.value % 1 else 0
        delta = None
        if key in earlier:
            change = kpi.value - earlier[key].value
            sign = "+" if change > 0 else ""
            delta = t(
                "kpi.delta",
                lang,
                diff=sign + format_number(change, lang, decimals=decimals),
                period=base,
            )
        with column:
            st.metric(
                t(f"kpi.{key}", lang),
                format_number(kpi.value, lang, decimals=decimals),
                delta=delta,
                delta_color="normal" if delta else "off",
            )
            if kpi.published is None:
                continue
            value = format_number(kpi.published, lang)
            if period != PUBLISHED_PERIOD:
                st.caption(
                    t(
                        "kpi.published_other",
                        lang,
                        as_of=SOURCE.as_of,
                        value=value,
                        period=PUBLISHED_PERIOD,
                    )
                )
                continue
            diff = kpi.difference or 0.0
            verdict = (
                t("kpi.matches", lang)
                if abs(diff) < 0.05
                else t("kpi.difference", lang, diff=format_number(diff, lang, decimals=1))
            )
            st.caption(f"{t('app.published', lang)} ({SOURCE.as_of}): **{value}** · {verdict}")
    st.caption(f"{t('app.source', lang)}: {SOURCE.citation}. {t('app.kpi_denominator_note', lang)}")


def commune_panel(profile: CommuneProfile, lang: Lang, *, district_in_view: str | None) -> None:
    st.subheader(profile.name)
    st.caption(profile_caption(profile, lang))
    left, right = st.columns(2)
    if district_in_view != profile.district_code:
        left.button(
            t("panel.zoom_district", lang),
            on_click=set_district,
            args=(profile.district_code,),
            key="panel_zoom",
        )
    right.button(t("panel.close", lang), on_click=close_panel, key="panel_close")
    if not profile.ntm_applies:
        st.markdown(t("panel.ntm_na", lang))
    elif profile.ntm_level is None:
        st.markdown(t("panel.ntm_unknown", lang))
    else:
        line = t(
            "panel.ntm_line",
            lang,
            level=t(f"ntm.{profile.ntm_level}", lang),
            criteria="–" if profile.criteria_met is None else profile.criteria_met,
        )
        if profile.ntm_year is not None:
            line += " · " + t("panel.ntm_year", lang, year=profile.ntm_year)
        st.markdown(line)
    # A static table: it wraps long labels in the narrow panel instead of cutting them.
    st.table(profile_figures(profile, lang).set_index(t("panel.indicator", lang)))
    st.caption(t("panel.ranks_help", lang))
    st.markdown(f"**{t('panel.named_models', lang, n=len(profile.named_models))}**")
    if profile.named_models.empty:
        st.caption(t("panel.no_named_models", lang))
    else:
        st.markdown("\n".join(named_model_lines(profile.named_models, lang)))
    st.markdown(f"**{t('panel.history', lang)}**")
    tabs = st.tabs([t("panel.history_models", lang), t("layer.ntm", lang), t("layer.land", lang)])
    history = profile.history
    with tabs[0]:
        st.bar_chart(
            history_frame(history, ["models_total", "models_replicated"], lang),
            height=180,
            stack=False,
        )
    with tabs[1]:
        if profile.ntm_applies and history["criteria_met"].notna().any():
            st.line_chart(history_frame(history, ["criteria_met"], lang), height=180)
        else:
            st.caption(t("panel.ntm_na", lang))
    with tabs[2]:
        if history["land_pct_of_plan"].notna().any():
            st.line_chart(history_frame(history, ["land_pct_of_plan"], lang), height=180)
        else:
            st.caption(t("panel.no_land", lang))


def lagging_rules(lang: Lang, *, has_previous: bool) -> list[Rule]:
    """The planner's conditions: each one a checkbox with its setting beside it."""
    rules: list[Rule] = []
    left, right = st.columns(2)
    with left:
        if st.checkbox(t("lag.use_criteria", lang), value=True, key="lag_use_criteria"):
            n = st.number_input(
                t("lag.criteria_n", lang), min_value=1, max_value=19, value=15, key="lag_n"
            )
            rules.append(CriteriaBelow(int(n)))
        if st.checkbox(t("lag.use_no_model", lang), value=False, key="lag_use_field"):
            field = choice_box(
                st,
                t("app.field", lang),
                FIELDS,
                key="lag_field",
                lang=lang,
                format_func=lambda f: t(f"lag.field.{f}", lang),
            )
            rules.append(NoModelInField(field))
    with right:
        if st.checkbox(t("lag.use_land", lang), value=False, key="lag_use_land"):
            pct = st.number_input(
                t("lag.land_pct", lang), min_value=1, max_value=100, value=50, key="lag_pct"
            )
            rules.append(ConsolidationBelow(float(pct)))
        if st.checkbox(t("lag.use_progress", lang), value=False, key="lag_use_progress"):
            indicator = choice_box(
                st,
                t("lag.progress_on", lang),
                PROGRESS_INDICATORS,
                key="lag_progress",
                lang=lang,
                format_func=lambda i: t(f"lag.progress.{i}", lang),
            )
            if has_previous:
                rules.append(NoProgress(indicator))
            else:
                st.caption(t("lag.no_previous", lang))
    return rules


def lagging_section(
    metrics: pd.DataFrame,
    previous: pd.DataFrame | None,
    *,
    period: int,
    names: dict[str, str],
    province: str,
    whole: str,
    demo: bool,
    lang: Lang,
) -> list[str]:
    """Rules, result table, downloads; returns the codes to outline on the map."""
    st.caption(t("lag.intro", lang, period=period))
    rules = lagging_rules(lang, has_previous=previous is not None)
    left, right = st.columns(2)
    combine = left.radio(
        t("lag.combine", lang),
        ("and", "or"),
        format_func=lambda c: t(f"lag.combine.{c}", lang),
        horizontal=True,
        key="lag_combine",
    )
    district = (
        choice_box(
            right,
            t("lag.district", lang),
            [WHOLE_PROVINCE, *names],
            key="lag_district",
            lang=lang,
            format_func=lambda c: names.get(c) or whole,
        )
        or None
    )
    if not rules:
        st.info(t("lag.no_rule", lang))
        return []
    found = find_lagging(metrics, rules, combine=combine, previous=previous, district_code=district)
    where = names[district] if district else province
    described = describe_rules(rules, combine, lang)
    if found.empty:
        st.info(t("lag.none", lang, period=period, where=where, rules=described))
        return []
    st.markdown(t("lag.found", lang, n=len(found), where=where, rules=described))
    st.dataframe(lagging_table(found, rules, lang), hide_index=True, width="stretch")
    st.caption(t("lag.gap_help", lang))
    title = [
        t("lag.export_title", lang, where=where, period=period),
        t("lag.export_rules", lang, rules=described),
        *([f"{DEMO_LABEL}"] if demo else []),
    ]
    table = lagging_table(found, rules, lang, for_file=True)
    # Demo figures say so in the file name too (a CSV has no room for a note).
    name = f"xa-cham-tien-do-{slug(where)}-{period}" + ("-du-lieu-minh-hoa" if demo else "")
    one, two, three = st.columns([1, 1, 2])
    one.download_button(
        t("lag.download_xlsx", lang),
        xlsx_bytes(table, sheet_name=t("lag.sheet", lang), title_lines=title),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="lag_xlsx",
    )
    two.download_button(
        t("lag.download_csv", lang),
        csv_bytes(table),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        key="lag_csv",
    )
    # Off by default: the map is the leaders' first view; a planner switches it on.
    if three.checkbox(t("lag.mark_on_map", lang), value=False, key="lag_mark"):
        return found["commune_code"].tolist()
    return []


def export_section(
    geography: Geography,
    metrics: pd.DataFrame,
    *,
    mode: str,
    layer: str,
    period: int,
    district_code: str | None,
    lang: Lang,
    scheme: str,
    k: int,
    breaks: tuple[float, ...] | None,
    demo: bool,
) -> None:
    """Print and download: maps, brief and data files (geo.output.printing, geo.output.brief,
    geo.output.export).

    Files are built only when their button is clicked (callables with ``on_click="ignore"``).
    """
    view = {
        "layer": layer,
        "period": period,
        "district_code": district_code,
        "lang": lang,
        "scheme": scheme,
        "k": k,
        "breaks": breaks,
        "demo": demo,
    }
    names = {"period": period, "layer": layer, "district_code": district_code}
    if mode == "period":
        left, middle, right = st.columns(3)
        paper = left.radio(
            t("export.paper", lang),
            ("a4", "a3"),
            format_func=str.upper,
            horizontal=True,
            key="export_paper",
        )
        orientation = middle.radio(
            t("export.orientation", lang),
            ("portrait", "landscape"),
            format_func=lambda o: t(f"export.{o}", lang),
            horizontal=True,
            key="export_orientation",
        )
        labels = right.checkbox(t("export.labels", lang), key="export_labels")
        sheet = {"paper": paper, "orientation": orientation, "labels": labels}
        for fmt in ("pdf", "png"):
            st.download_button(
                t(f"export.button_map_{fmt}", lang),
                functools.partial(
                    printing.render_map, geography, metrics, fmt=fmt, **sheet, **view
                ),
                file_name=export.file_name("map", fmt=fmt, **names),
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                key=f"export_map_{fmt}",
            )
        for fmt in export.DATA_FORMATS:
            st.download_button(
                t(f"export.button_{fmt}", lang),
                functools.partial(export.export_layer, geography, metrics, fmt=fmt, **view),
                file_name=export.file_name("layer", fmt=fmt, **names),
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                key=f"export_layer_{fmt}",
            )
    else:
        st.caption(t("export.compare_unavailable", lang))
    st.download_button(
        t("export.button_brief", lang),
        functools.partial(brief.brief_pdf, geography, metrics, period=period, lang=lang, demo=demo),
        file_name=export.file_name("brief", period=period, fmt="pdf"),
        mime="application/pdf",
        on_click="ignore",
        key="export_brief",
    )
    st.download_button(
        t("export.button_districts", lang),
        functools.partial(
            export.districts_xlsx, geography, metrics, period=period, lang=lang, demo=demo
        ),
        file_name=export.file_name("districts", period=period, fmt="xlsx"),
        mime=export.MIME_TYPES["xlsx"],
        on_click="ignore",
        key="export_districts",
    )


def main() -> None:
    with st.sidebar:
        lang = language_radio()
        geography_key = geography_select(lang)
        try:
            geography = geography_for(geography_key)
        except AtlasError as error:
            # A broken file must not take the atlas down: say what is wrong, show the default.
            st.error(t("error.boundaries", lang, file=geography_key, message=str(error)))
            geography_key = geography_choices()[0].key
            geography = geography_for(geography_key)
        revision = get_store().revision()
        tables = load_tables(revision)
        periods = sorted(int(p) for p in tables["models"]["period"].unique())
        mode = st.radio(
            t("app.mode", lang),
            ("period", "compare") if len(periods) > 1 else ("period",),
            format_func=lambda m: t(f"app.mode.{m}", lang),
            key="mode",
        )
        if mode == "compare":
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
            period = p1
        else:
            period = st.select_slider(
                t("app.period", lang), options=periods, value=periods[0], key="period"
            )
            p0 = p1 = period
        metrics = metrics_for(geography_key, period, revision)
        layer = layer_widgets(mode, metrics, lang)
        scheme, k, breaks = class_widgets(layer, lang)
        names = district_names(geography)
        provinces = geography.communes.get("province_code")
        several = provinces is not None and provinces.nunique() > 1
        whole = area_label(geography.communes, lang) if several else t("app.all_districts", lang)
        district_code = (
            choice_box(
                st,
                t("app.district", lang),
                [WHOLE_PROVINCE, *names],
                key="district",
                lang=lang,
                format_func=lambda code: names.get(code) or whole,
                on_change=sync_lag_district,
            )
            or None
        )
        st.button(
            t("app.back_to_all" if several else "app.back_to_province", lang),
            on_click=set_district,
            args=(None,),
            disabled=district_code is None,
            key="back_to_province",
        )
        tiles = st.checkbox(t("app.tiles", lang), value=False, key="tiles")

    map_periods = (period,) if mode == "period" else (p0, p1)
    is_demo = bool(set(map_periods) & demo_periods(revision))
    province = area_label(geography.communes, lang)
    st.title(t("app.title", lang))
    st.markdown(t("app.subtitle", lang, province=province))
    if is_demo:
        st.warning(t("demo.banner", lang))
    if geography.kind == "schematic":
        st.info(t("boundary.schematic_banner", lang))
    note = vintage_note(geography, {f: tables[f] for f in MAP_FAMILIES}, lang, period=period)
    if note:
        st.info(note)

    take_click()
    if st.session_state.get(SELECTED) not in set(geography.communes["commune_code"]):
        st.session_state[SELECTED] = None
    selected = st.session_state[SELECTED]
    # The map and its panel come first (a leader's glance); they are filled last, once the
    # lagging communes to outline are known.
    map_column, panel_column = st.columns([2, 1], gap="medium")

    label = f" · {DEMO_LABEL}" if is_demo else ""
    before, base = None, None
    if mode == "compare":
        before, base = metrics_for(geography_key, p0, revision), p0
        st.subheader(f"{t('app.kpis', lang)} · {p0} → {p1}{label}")
    else:
        earlier = [p for p in periods if p < period]
        if earlier:
            before, base = metrics_for(geography_key, earlier[-1], revision), earlier[-1]
        st.subheader(f"{t('app.kpis', lang)} · {period}{label}")
    kpi_cards(metrics, before, period, base, lang)

    lag_tab, district_tab, commune_tab, export_tab = st.tabs(
        [
            t("tab.lagging", lang),
            t("app.districts_table", lang),
            t("app.table", lang),
            t("export.download", lang),
        ]
    )
    with lag_tab, st.container(key="lagging"):
        marked = lagging_section(
            metrics,
            before,  # the previous period, or P0 when comparing: "no progress since" it
            period=period,
            names=names,
            province=province,
            whole=whole,
            demo=is_demo,
            lang=lang,
        )
    with district_tab, st.container(key="district_summary"):
        codes = [*names, None]
        table_key = f"district_table_{district_code}"  # a new table (no selection) per view
        st.caption(t("app.districts_hint", lang))
        st.dataframe(
            district_table(district_summary(metrics), province_summary(metrics), lang),
            hide_index=True,
            width="stretch",
            on_select=functools.partial(pick_district_row, table_key, codes),
            selection_mode="single-row",
            key=table_key,
        )
    with commune_tab:
        shown = (
            metrics if district_code is None else metrics[metrics["district_code"] == district_code]
        )
        st.dataframe(commune_table(shown, lang), hide_index=True, width="stretch")

    with export_tab, st.container(key="exports"):
        export_section(
            geography,
            metrics,
            mode=mode,
            layer=layer,
            period=period,
            district_code=district_code,
            lang=lang,
            scheme=scheme,
            k=k,
            breaks=breaks,
            demo=is_demo,
        )

    with map_column:
        fmap = map_for(
            geography_key,
            layer,
            map_periods,
            district_code,
            lang,
            tiles,
            revision,
            scheme,
            k,
            breaks,
        )
        st_folium(
            # A copy: st_folium changes the map it renders, and a map rendered twice breaks.
            copy.deepcopy(fmap),
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=["last_active_drawing", "last_object_clicked"],  # clicks only
            feature_group_to_add=highlight_group(
                geography.communes, selected=selected, marked=marked
            ),
            key=MAP_KEY,
        )
    # As high as the map and scrolling inside: the page below stays where it is.
    with panel_column, st.container(height=MAP_HEIGHT, border=False, key="commune_panel"):
        if selected is None:
            st.info(t("panel.hint", lang))
        else:
            profile = commune_profile(
                over_periods_for(geography_key, revision),
                selected,
                period=period,
                named=tables.get("named_models"),
            )
            commune_panel(profile, lang, district_in_view=district_code)


def navigation() -> None:
    # Explicit pages give the menu Vietnamese titles (file names cannot carry the accents).
    lang: Lang = st.session_state.get("lang", "vi")
    pages = [
        st.Page(main, title=t("nav.map", lang), default=True),
        st.Page("pages/1_Nhap_du_lieu.py", title=t("nav.import", lang), url_path="Nhap_du_lieu"),
    ]
    st.navigation(pages).run()


navigation()
