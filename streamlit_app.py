"""Commune Atlas: the main page. Layout and widgets only; the work happens in ``geo``."""

from __future__ import annotations

import os

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.assets import use_local_assets
from geo.demo import DEMO_LABEL
from geo.errors import AtlasError
from geo.geography import (
    Geography,
    GeographyChoice,
    available_geographies,
    file_geography,
    geography_label,
    load_geography,
)
from geo.i18n import LANGUAGES, Lang, format_number, t
from geo.maps import LAYER_KEYS, build_map
from geo.metrics import commune_metrics, district_summary, province_kpis
from geo.published import FIGURES, SOURCE
from geo.store import Store, open_store
from geo.vintages import vintage_note

st.set_page_config(page_title="Commune Atlas – Bản đồ xã", layout="wide")

#: Families drawn on the map (named models are listed, not mapped).
MAP_FAMILIES = ("models", "ntm", "land")
#: A boundary file given at start-up (``ATLAS_BOUNDARIES=FILE make run``).
ENV_BOUNDARIES = os.environ.get("ATLAS_BOUNDARIES") or None
ENV_KEY = "env-file"


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
    return available_geographies()


@st.cache_resource(show_spinner=False)
def geography_for(key: str) -> Geography:
    if key == ENV_KEY:
        return file_geography(ENV_BOUNDARIES)
    choice = next(c for c in geography_choices() if c.key == key)
    return load_geography(choice)


@st.cache_data(show_spinner=False)
def metrics_for(geography_key: str, period: int, revision: int) -> pd.DataFrame:
    geography = geography_for(geography_key)
    return commune_metrics(geography.communes, load_tables(revision), period=period)


@st.cache_resource(show_spinner=False, max_entries=48)
def map_for(
    geography_key: str,
    layer: str,
    period: int,
    district_code: str | None,
    lang: Lang,
    tiles: bool,
    revision: int,
) -> folium.Map:
    geography = geography_for(geography_key)
    kind = t(f"boundary.{'schematic' if geography.kind == 'schematic' else 'official'}", lang)
    data_label = t("demo.label", lang) if period in demo_periods(revision) else ""
    notes = [
        f"{t('app.period', lang)}: {period}" + (f" · {data_label}" if data_label else ""),
        t(
            "app.vintage_note",
            lang,
            kind=kind,
            vintage=geography.vintage,
            count=len(geography.communes),
        ),
    ]
    if geography.kind == "schematic":
        notes.append(t("boundary.schematic_legend", lang))
    if geography.attribution:
        notes.append(t("boundary.attribution", lang, attribution=geography.attribution))
    fmap = build_map(
        geography.communes,
        metrics_for(geography_key, period, revision),
        layer=layer,
        districts=geography.districts,
        district_code=district_code,
        lang=lang,
        notes=notes,
        tiles=tiles,
    )
    return use_local_assets(fmap)


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


def geography_select(lang: Lang) -> str:
    choices = {c.key: geography_label(c, lang) for c in geography_choices()}
    if ENV_BOUNDARIES:
        choices = {ENV_KEY: os.path.basename(ENV_BOUNDARIES), **choices}
    if len(choices) == 1:
        return next(iter(choices))
    return st.selectbox(
        t("geography.choice", lang), list(choices), format_func=choices.get, key="geography"
    )


def kpi_cards(metrics: pd.DataFrame, lang: Lang) -> None:
    published = {key: figure.value for key, figure in FIGURES.items()}
    shown = ["models_total", "models_replicated", "ntm_communes", "land_communes", "land_done_ha"]
    kpis = {kpi.key: kpi for kpi in province_kpis(metrics, published=published)}
    for column, key in zip(st.columns(len(shown)), shown, strict=True):
        kpi = kpis[key]
        decimals = 1 if kpi.value % 1 else 0
        with column:
            st.metric(t(f"kpi.{key}", lang), format_number(kpi.value, lang, decimals=decimals))
            if kpi.published is not None:
                diff = kpi.difference or 0.0
                verdict = (
                    t("kpi.matches", lang)
                    if abs(diff) < 0.05
                    else t("kpi.difference", lang, diff=format_number(diff, lang, decimals=1))
                )
                st.caption(
                    f"{t('app.published', lang)} ({SOURCE.as_of}): "
                    f"**{format_number(kpi.published, lang)}** · {verdict}"
                )
    st.caption(f"{t('app.source', lang)}: {SOURCE.citation}. {t('app.kpi_denominator_note', lang)}")


def display_table(metrics: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    columns = {
        "commune_code": "GSO",
        "commune_name": t("field.commune", lang),
        "district_name": t("field.district", lang),
        "models_total": t("field.models_total", lang),
        "models_per_km2": t("field.models_per_km2", lang),
        "models_per_1000": t("field.models_per_1000", lang),
        "ntm_level": t("field.ntm_level", lang),
        "criteria_met": t("field.criteria_met", lang),
        "land_done_ha": t("field.land_done_ha", lang),
        "land_planned_ha": t("field.land_planned_ha", lang),
        "land_pct_of_plan": t("field.land_pct_of_plan", lang),
    }
    table = metrics[list(columns)].copy()
    table["ntm_level"] = [
        t(f"ntm.{level}", lang) if isinstance(level, str) else None
        for level in table["ntm_level"].astype("object")
    ]
    return table.rename(columns=columns)


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
        layer = st.radio(
            t("app.layer", lang),
            LAYER_KEYS,
            format_func=lambda k: t(f"layer.{k}", lang),
            key="layer",
        )
        periods = sorted(int(p) for p in tables["models"]["period"].unique())
        period = st.select_slider(
            t("app.period", lang), options=periods, value=periods[0], key="period"
        )
        districts = (
            geography.communes[["district_code", "district_name"]]
            .drop_duplicates()
            .sort_values("district_name")
        )
        names = dict(zip(districts["district_code"], districts["district_name"], strict=True))
        district_code = st.selectbox(
            t("app.district", lang),
            [None, *names],
            format_func=lambda code: t("app.all_districts", lang) if code is None else names[code],
            key="district",
        )
        tiles = st.checkbox(t("app.tiles", lang), value=False, key="tiles")

    is_demo = period in demo_periods(revision)
    province = geography.communes["province_name"].iloc[0]
    st.title(t("app.title", lang))
    st.markdown(t("app.subtitle", lang, province=province))
    if is_demo:
        st.warning(t("demo.banner", lang))
    if geography.kind == "schematic":
        st.info(t("boundary.schematic_banner", lang))
    note = vintage_note(geography, {f: tables[f] for f in MAP_FAMILIES}, lang, period=period)
    if note:
        st.info(note)

    metrics = metrics_for(geography_key, period, revision)
    label = f" · {DEMO_LABEL}" if is_demo else ""
    st.subheader(f"{t('app.kpis', lang)} · {period}{label}")
    kpi_cards(metrics, lang)

    fmap = map_for(geography_key, layer, period, district_code, lang, tiles, revision)
    st_folium(
        fmap,
        height=640,
        use_container_width=True,
        returned_objects=[],  # no re-run on pan or zoom
        key=f"map-{geography_key}-{layer}-{period}-{district_code}-{lang}-{tiles}-{revision}",
    )

    shown = metrics if district_code is None else metrics[metrics["district_code"] == district_code]
    with st.expander(f"{t('app.table', lang)}{label}"):
        st.dataframe(display_table(shown, lang), hide_index=True, width="stretch")
    with st.expander(f"{t('app.districts_table', lang)}{label}"):
        st.dataframe(district_summary(metrics), hide_index=True, width="stretch")


def navigation() -> None:
    # Explicit pages give the menu Vietnamese titles (file names cannot carry the accents).
    lang: Lang = st.session_state.get("lang", "vi")
    pages = [
        st.Page(main, title=t("nav.map", lang), default=True),
        st.Page("pages/1_Nhap_du_lieu.py", title=t("nav.import", lang), url_path="Nhap_du_lieu"),
    ]
    st.navigation(pages).run()


navigation()
