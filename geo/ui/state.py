"""Session-state keys of the main page and the callbacks that change them.

Callbacks run before the page is drawn, so they may set the values of widgets drawn later.
"""

from __future__ import annotations

import html
import json

import streamlit as st

from geo.geography.geographies import Geography

__all__ = [
    "MAP_HEIGHT",
    "MAP_KEY",
    "MAP_MIN_HEIGHT",
    "MAP_TOP",
    "SELECTED",
    "WHOLE_PROVINCE",
    "close_panel",
    "pick_district_row",
    "selected_commune",
    "set_district",
    "sync_lag_district",
    "take_click",
]

#: Session key of the map component (its last click) and of the selected commune.
MAP_KEY = "atlas_map"
SELECTED = "selected_commune"
#: Height of the map, and of the commune panel that scrolls beside it: at most ``MAP_HEIGHT``,
#: else the window's height below the header (``MAP_TOP`` pixels from the window's top, and a
#: margin), at least ``MAP_MIN_HEIGHT`` (see :mod:`geo.ui.header`).
MAP_HEIGHT = 640
MAP_MIN_HEIGHT = 420
MAP_TOP = 180
#: The "whole province" choice of the district boxes (``None`` would show as "no choice").
WHOLE_PROVINCE = ""


def set_district(code: str | None) -> None:
    """Show one district (or the whole province) on the map and in the lagging section."""
    st.session_state["district"] = code or WHOLE_PROVINCE
    st.session_state["lag_district"] = code or WHOLE_PROVINCE


def sync_lag_district() -> None:
    """The lagging section follows the district chosen in the sidebar."""
    st.session_state["lag_district"] = st.session_state.get("district")


def close_panel() -> None:
    """Close the commune panel."""
    st.session_state[SELECTED] = None


def pick_district_row(table_key: str, codes: list[str | None]) -> None:
    """A row picked in the district summary drills down to that district."""
    rows = st.session_state[table_key].selection.rows
    if rows:
        set_district(codes[rows[0]])


def take_click() -> None:
    """Turn a new click on the map (kept by ``st_folium`` under :data:`MAP_KEY`) into a choice.

    The component keeps returning its last click on every run; a click is new when the clicked
    feature or the clicked point changed (a second click on the same commune after closing its
    panel lands elsewhere in it).
    """
    value = st.session_state.get(MAP_KEY) or {}
    feature = value.get("last_active_drawing") or {}
    code = (feature.get("properties") or {}).get("code")
    token = json.dumps([code, value.get("last_object_clicked")], sort_keys=True, default=str)
    if code and token != st.session_state.get("map_click_seen"):
        st.session_state["map_click_seen"] = token
        st.session_state[SELECTED] = html.unescape(str(code))


def selected_commune(geography: Geography) -> str | None:
    """The commune whose panel is open: a new click first, and only a commune of ``geography``."""
    take_click()
    if st.session_state.get(SELECTED) not in set(geography.communes["commune_code"]):
        st.session_state[SELECTED] = None
    return st.session_state[SELECTED]
