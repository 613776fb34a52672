"""Commune Atlas: the main page. Page config and layout only; the pieces are in ``geo.ui``.

Page order: sidebar (language, boundaries, view, layer, period(s), classes, district, basemap);
title and notices; the map with the commune panel beside it (a leader's first glance); the
province indicators; tabs with the lagging communes, the district summary and the commune table
(only the open tab is drawn).

The sidebar returns one :class:`~geo.view.MapView`; every piece below takes it. The map is
re-created only when the view changes; a click on a commune re-runs the page and opens its
panel (:mod:`geo.ui.map_section`).
"""

from __future__ import annotations

import functools

import streamlit as st

from geo.ui.commune_panel import panel_column
from geo.ui.districts import commune_section, district_section
from geo.ui.export_section import export_section
from geo.ui.header import page_header
from geo.ui.kpis import kpi_section
from geo.ui.lagging import lagging_section, outlines_requested
from geo.ui.layout import keep_closed_tab_widgets, main_tabs, navigation
from geo.ui.map_section import map_section
from geo.ui.resources import (
    district_names,
    geography_for,
    load_tables,
    metrics_for,
    periods_of,
    vintage_tables_for,
)
from geo.ui.sidebar import sidebar
from geo.ui.state import selected_commune

st.set_page_config(page_title="Commune Atlas – Bản đồ xã", layout="wide")


def main() -> None:
    with st.sidebar:
        choices = sidebar()
    view, revision = choices.view, choices.revision
    geography = geography_for(view.geography_key)
    tables = load_tables(revision)
    # Estimated figures (newer figures on an older map, asked for) are cached apart.
    metrics = metrics_for(view.geography_key, view.period, revision, estimate=view.estimate)
    figures = vintage_tables_for(view.geography_key, revision, view.lang, estimate=view.estimate)
    page_header(view, geography, figures)

    selected = selected_commune(geography)
    # The map and its panel come first (a leader's glance). The map is sent first too, what a
    # new reader waits for; only when the lagging communes are outlined on it (a planner's
    # choice) is it filled last, once they are known.
    map_column, panel = st.columns([2, 1], gap="medium")
    outlined = outlines_requested()
    draw_map = functools.partial(
        map_section, view, geography, tiles=choices.tiles, revision=revision, selected=selected
    )
    if not outlined:
        with map_column:
            draw_map(marked=())

    previous = kpi_section(view, metrics, periods=periods_of(tables), revision=revision)
    lag_tab, district_tab, commune_tab, export_tab = main_tabs(view.lang, geography)
    # The lagging communes are always found (they may be outlined on the map); the other tabs
    # are drawn only when open: a new visit does not build their tables and files.
    with lag_tab, st.container(key="lagging"):
        marked = lagging_section(view, metrics, previous, geography)
    if district_tab.open:
        with district_tab, st.container(key="district_summary"):
            district_section(view, metrics, district_names(geography))
    if commune_tab.open:
        with commune_tab:
            commune_section(view, metrics)
    keep_closed_tab_widgets(export_tab)
    if export_tab.open:
        with export_tab, st.container(key="exports"):
            export_section(view, geography, metrics, revision=revision)

    if outlined:
        with map_column:
            draw_map(marked=marked)
    with panel:
        panel_column(view, selected, revision=revision)


navigation(main)
