"""The template tab: an Excel workbook to fill in, for one family, period and vintage."""

from __future__ import annotations

import streamlit as st

from geo.errors import AtlasError
from geo.i18n import Lang, t
from geo.ui.import_page.common import family_and_period, vintage_box

__all__ = ["template_tab"]


def template_tab(lang: Lang) -> None:
    """Family, period and vintage boxes and the template's download button."""
    from geo.figures.importing.vintage import period_vintage

    st.caption(t("import.template_help", lang))
    family, period = family_and_period(lang, key="template")
    vintage = vintage_box(lang, key=f"template_vintage_{period}", default=period_vintage(period))
    try:
        from geo.figures.templates import (  # the importer's
            template_communes,
            template_file_name,
            template_workbook,
        )

        communes = template_communes(vintage)
        data = template_workbook(family, communes=communes, period=period, lang=lang)
    except (ImportError, AtlasError, ValueError) as error:
        st.info(t("import.template_unavailable", lang, message=str(error)))
        return
    st.download_button(
        t("import.template_button", lang),
        data,
        file_name=template_file_name(family, period, vintage),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="template_download",
    )
