"""The template tab: an Excel workbook to fill in, for one family and period."""

from __future__ import annotations

import streamlit as st

from geo.errors import AtlasError
from geo.geography.admin_units import communes
from geo.i18n import Lang, t
from geo.ui.import_page.common import family_and_period

__all__ = ["template_tab"]


def template_tab(lang: Lang) -> None:
    """Family and period boxes and the template's download button."""
    st.caption(t("import.template_help", lang))
    family, period = family_and_period(lang, key="template")
    try:
        from geo.figures.templates import template_workbook  # the importer's

        data = template_workbook(family, communes=communes(), period=period, lang=lang)
    except (ImportError, AtlasError, ValueError) as error:
        st.info(t("import.template_unavailable", lang, message=str(error)))
        return
    st.download_button(
        t("import.template_button", lang),
        data,
        file_name=f"mau_{family}_{period}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="template_download",
    )
