"""The main page's tabs (geo.ui.layout): only the open tab is drawn, its settings are kept."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.i18n import t


def _tabs_page() -> None:
    import streamlit as st

    from geo.ui.layout import keep_closed_tab_widgets, main_tabs

    tabs = main_tabs("vi")
    keep_closed_tab_widgets(tabs[3])
    for index, tab in enumerate(tabs):
        if tab.open:
            with tab:
                st.write(f"tab {index} drawn")
                if index == 3:
                    st.checkbox("labels", key="export_labels")


def _drawn(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown]


def test_only_the_open_tab_is_drawn_and_a_closed_tab_keeps_its_settings():
    app = AppTest.from_function(_tabs_page).run()
    assert _drawn(app) == ["tab 0 drawn"] and not app.checkbox  # a new visit: the first tab
    app.session_state["main_tab"] = t("export.download", "vi")
    app.run()
    assert _drawn(app) == ["tab 3 drawn"]
    app.checkbox(key="export_labels").check().run()
    app.session_state["main_tab"] = t("tab.lagging", "vi")
    app.run()
    assert _drawn(app) == ["tab 0 drawn"] and not app.checkbox
    app.run()  # a second run without the checkbox: Streamlit would have forgotten it by now
    app.session_state["main_tab"] = t("export.download", "vi")
    app.run()
    assert app.checkbox(key="export_labels").value is True
    assert not app.exception and not app.warning
