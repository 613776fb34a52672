"""The main page's title, subtitle and notices (demo figures, schematic boundaries, vintages)."""

from __future__ import annotations

import streamlit as st

from geo.analysis.vintages import VintageTables
from geo.geography.geographies import Geography, area_label
from geo.i18n import t
from geo.output.display import markdown_text
from geo.view import MapView

__all__ = ["page_header"]


def page_header(view: MapView, geography: Geography, figures: VintageTables) -> None:
    """Title and subtitle, then a notice for each thing the reader must know about the map:
    demo figures, schematic boundaries, the vintage shown and how the figures reached it."""
    lang = view.lang
    st.title(t("app.title", lang))
    area = markdown_text(area_label(geography.communes, lang))  # names from the boundary file
    st.markdown(t("app.subtitle", lang, province=area))
    if view.demo:
        st.warning(t("demo.banner", lang))
    if geography.kind == "schematic":
        st.info(t("boundary.schematic_banner", lang))
    if geography.vintage_info is not None:
        st.caption(t("app.map_vintage", lang, vintage=geography.vintage_info.label(lang)))
    if figures.note:
        st.info(figures.note)
