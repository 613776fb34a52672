"""The frame of the pages: the main page's tabs and the navigation between the pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from geo.geography.geographies import Geography, group_level
from geo.i18n import Lang, t
from geo.ui.errors import run_reporting_errors
from geo.ui.widgets import current_language

__all__ = [
    "IMPORT_PAGE",
    "LAZY_TAB_WIDGETS",
    "MAIN_TAB_KEY",
    "keep_closed_tab_widgets",
    "main_tabs",
    "navigation",
]

#: The import page's script, relative to the app's folder.
IMPORT_PAGE = "pages/1_Nhap_du_lieu.py"


#: Session key of the main tabs' state (the label of the open tab).
MAIN_TAB_KEY = "main_tab"
#: Widgets of the tabs drawn only when open (the downloads' settings): their values are kept
#: while the tab is closed (Streamlit forgets the value of a widget a run does not draw).
LAZY_TAB_WIDGETS = ("export_paper", "export_labels")


def main_tabs(lang: Lang, geography: Geography | None = None) -> Sequence[Any]:
    """The tabs below the indicators: lagging communes, districts (or the groups of a 2025
    layer: former districts, provinces), communes, downloads.

    Each tab knows whether it is open (``tab.open``): a page draws a tab's tables and files
    only when a reader opens it, and a new visit (the first tab open) is not slowed by the
    others. Switching tabs re-runs the page.
    """
    group = "district" if geography is None else group_level(geography)
    summary = "app.districts_table" if group == "district" else f"app.districts_table.{group}"
    return st.tabs(
        [
            t("tab.lagging", lang),
            t(summary, lang),
            t("app.table", lang),
            t("export.download", lang),
        ],
        on_change="rerun",
        key=MAIN_TAB_KEY,
    )


def keep_closed_tab_widgets(tab: Any, keys: Sequence[str] = LAZY_TAB_WIDGETS) -> None:
    """Keep the values of the widgets ``keys`` of ``tab`` while it is closed (not drawn).

    They are set again through the session state while their widgets are not drawn, and only
    then: set in a run that draws them, Streamlit would warn about their default value.
    """
    if tab.open:
        return
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def navigation(main: Callable[[], None]) -> None:
    """Run the page the reader asked for: the map (``main``) or the import page.

    An unexpected error shows a short message with an error id, never a traceback
    (:mod:`geo.ui.errors`).
    """
    # Explicit pages give the menu Vietnamese titles (file names cannot carry the accents).
    lang = current_language()
    pages = [
        st.Page(main, title=t("nav.map", lang), default=True),
        st.Page(IMPORT_PAGE, title=t("nav.import", lang), url_path="Nhap_du_lieu"),
    ]
    # Any page's unexpected error: a message with an id for the reader, the traceback in the log.
    run_reporting_errors(st.navigation(pages).run)
