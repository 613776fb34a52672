"""Commune Atlas: the Streamlit app. Layout and widgets only; the work happens in ``geo``."""

from __future__ import annotations

import os

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.assets import use_local_assets
from geo.demo import DEMO_LABEL
from geo.errors import AtlasError
from geo.geography import Geography, default_geography, file_geography
from geo.i18n import LANGUAGES, Lang, format_number, t
from geo.indicators import load_demo
from geo.maps import LAYER_KEYS, build_map
from geo.metrics import commune_metrics, district_summary, province_kpis
from geo.published import FIGURES, SOURCE

st.set_page_config(page_title="Commune Atlas", layout="wide")


@st.cache_resource(show_spinner=False)
def load_geography(path: str | None) -> Geography:
    """The file named by ``ATLAS_BOUNDARIES`` if any, else the embedded schematic default."""
    return file_geography(path) if path else default_geography()


@st.cache_data(show_spinner=False)
def load_tables() -> dict[str, pd.DataFrame]:
    return load_demo()


@st.cache_data(show_spinner=False)
def metrics_for(boundaries_path: str | None, period: int) -> pd.DataFrame:
    geography = load_geography(boundaries_path)
    return commune_metrics(geography.communes, load_tables(), period=period)


@st.cache_resource(show_spinner=False, max_entries=32)
def map_for(
    boundaries_path: str | None,
    layer: str,
    period: int,
    district_code: str | None,
    lang: Lang,
    tiles: bool,
) -> folium.Map:
    geography = load_geography(boundaries_path)
    kind = t(f"boundary.{'schematic' if geography.kind == 'schematic' else 'official'}", lang)
    notes = [
        f"{t('app.period', lang)}: {period} · {t('demo.label', lang)}",
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
    fmap = build_map(
        geography.communes,
        metrics_for(boundaries_path, period),
        layer=layer,
        districts=geography.districts,
        district_code=district_code,
        lang=lang,
        notes=notes,
        tiles=tiles,
    )
    return use_local_assets(fmap)


def kpi_cards(metrics: pd.DataFrame, lang: Lang) -> None:
    published = {key: figure.value for key, figure in FIGURES.items()}
    shown = ["models_total", "models_replicated", "ntm_communes", "land_communes", "land_done_ha"]
    kpis = {kpi.key: kpi for kpi in province_kpis(metrics, published=published)}
    columns = st.columns(len(shown))
    for column, key in zip(columns, shown, strict=True):
        kpi = kpis[key]
        decimals = 1 if kpi.unit == "ha" and kpi.value % 1 else 0
        with column:
            st.metric(t(f"kpi.{key}", lang), format_number(kpi.value, lang, decimals=decimals))
            if kpi.published is not None:
                diff = kpi.difference or 0
                verdict = (
                    t("kpi.matches", lang)
                    if abs(diff) < 0.05
                    else t("kpi.difference", lang, diff=format_number(diff, lang, decimals=1))
                )
                st.caption(
                    f"{t('app.published', lang)}: **{format_number(kpi.published, lang)}**"
                    f" ({verdict})"
                )
    st.caption(f"{t('app.source', lang)}: {SOURCE.citation}. {t('app.kpi_denominator_note', lang)}")


def main() -> None:
    boundaries_path = os.environ.get("ATLAS_BOUNDARIES") or None
    with st.sidebar:
        lang: Lang = st.radio(
            "Ngôn ngữ / Language",
            LANGUAGES,
            format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
            horizontal=True,
            key="lang",
        )
        try:
            geography = load_geography(boundaries_path)
        except AtlasError as error:
            # A broken file must not take the atlas down: say what is wrong, show the default.
            st.error(t("error.boundaries", lang, file=boundaries_path, message=str(error)))
            boundaries_path = None
            geography = load_geography(None)
        tables = load_tables()
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

    province = geography.communes["province_name"].iloc[0]
    st.title(t("app.title", lang))
    st.markdown(t("app.subtitle", lang, province=province))
    st.warning(t("demo.banner", lang))
    if geography.kind == "schematic":
        st.info(t("boundary.schematic_banner", lang))

    metrics = metrics_for(boundaries_path, period)
    st.subheader(f"{t('app.kpis', lang)} · {period} · {DEMO_LABEL}")
    kpi_cards(metrics, lang)

    fmap = map_for(boundaries_path, layer, period, district_code, lang, tiles)
    st_folium(
        fmap,
        height=640,
        use_container_width=True,
        returned_objects=[],  # no re-run on pan or zoom
        key=f"map-{layer}-{period}-{district_code}-{lang}-{tiles}",
    )

    shown = metrics if district_code is None else metrics[metrics["district_code"] == district_code]
    with st.expander(f"{t('app.table', lang)} ({DEMO_LABEL})"):
        st.dataframe(_display_table(shown, lang), hide_index=True, width="stretch")
    with st.expander(f"{t('app.districts_table', lang)} ({DEMO_LABEL})"):
        st.dataframe(district_summary(metrics), hide_index=True, width="stretch")


def _display_table(metrics: pd.DataFrame, lang: Lang) -> pd.DataFrame:
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


main()
