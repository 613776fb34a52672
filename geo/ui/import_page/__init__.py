"""The import page: planners load their own figures; viewers see the page but cannot import.

Sign in (sidebar) → upload, family, period → preview (the importer's report: nothing stored
yet) → confirm → a new batch; batch history with rollback and delete; templates. Language
follows the main page (``st.session_state["lang"]``).
"""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from geo.ui.import_page.common import FLASH
from geo.ui.import_page.history_tab import history_tab
from geo.ui.import_page.import_tab import import_tab
from geo.ui.import_page.sign_in import sign_in_box
from geo.ui.import_page.template_tab import template_tab
from geo.ui.resources import get_store
from geo.ui.widgets import language_radio

__all__ = ["import_page"]


def import_page() -> None:
    """Sidebar (language, sign-in), title, a flash message, then the three tabs."""
    with st.sidebar:
        lang = language_radio(key="import_page_lang")
        planner = sign_in_box(lang)
    st.title(t("import.title", lang))
    st.markdown(t("import.intro", lang))
    # Always the same element here, so the tabs below keep their place (and their selection).
    flash = st.empty()
    if FLASH in st.session_state:
        flash.success(st.session_state.pop(FLASH))
    store = get_store()
    tabs = st.tabs(
        [
            t("import.tab_import", lang),
            t("import.tab_history", lang),
            t("import.tab_template", lang),
        ]
    )
    with tabs[0]:
        import_tab(store, planner, lang)
    with tabs[1]:
        history_tab(store, planner, lang)
    with tabs[2]:
        template_tab(lang)
