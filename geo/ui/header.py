"""The main page's title, subtitle and notices (demo figures, schematic boundaries, vintages)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis.table_join import vintage_note
from geo.geography.geographies import Geography, area_label
from geo.i18n import t
from geo.output.display import markdown_text
from geo.ui.resources import MAP_FAMILIES
from geo.view import MapView

__all__ = ["page_header"]


def page_header(view: MapView, geography: Geography, tables: dict[str, pd.DataFrame]) -> None:
    """Title and subtitle, then a notice for each thing the reader must know about the map."""
    lang = view.lang
    st.title(t("app.title", lang))
    area = markdown_text(area_label(geography.communes, lang))  # names from the boundary file
    st.markdown(t("app.subtitle", lang, province=area))
    if view.demo:
        st.warning(t("demo.banner", lang))
    if geography.kind == "schematic":
        st.info(t("boundary.schematic_banner", lang))
    note = vintage_note(geography, {f: tables[f] for f in MAP_FAMILIES}, lang, period=view.period)
    if note:
        st.info(note)
