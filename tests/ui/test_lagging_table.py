"""The lagging communes on screen (geo.ui.lagging.found_table): a plain table of the most
lagging, the whole list in a grid only when asked."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import pandas as pd
    import streamlit as st

    from geo.ui.lagging import found_table

    rows = int(st.session_state.get("rows", 3))
    found_table(pd.DataFrame({"Xã": [f"Xã {i}" for i in range(rows)]}), "vi")


def test_a_short_list_is_one_plain_table():
    app = AppTest.from_function(_page, default_timeout=60).run()  # cold imports
    assert len(app.table) == 1 and not app.dataframe and not app.checkbox
    assert len(app.table[0].value) == 3


def test_a_long_list_shows_the_most_lagging_and_the_rest_on_request():
    from geo.ui.lagging import SHOWN_ROWS

    app = AppTest.from_function(_page, default_timeout=60)
    app.session_state["rows"] = SHOWN_ROWS + 5
    app.run()
    assert len(app.table) == 1 and len(app.table[0].value) == SHOWN_ROWS
    assert app.table[0].value.iloc[0, 0] == "Xã 0"  # the list comes sorted, most lagging first
    assert f"{SHOWN_ROWS} xã chậm nhất trong {SHOWN_ROWS + 5} xã" in app.caption[0].value
    app.checkbox(key="lag_show_all").check().run()
    assert not app.table and len(app.dataframe) == 1
    assert len(app.dataframe[0].value) == SHOWN_ROWS + 5
