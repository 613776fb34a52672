"""Nhập dữ liệu — planners load their own figures. Page config only; the page is
:func:`geo.ui.import_page.import_page` (sign in, import, batch history, templates).
"""

from __future__ import annotations

import streamlit as st

from geo.ui.import_page import import_page

st.set_page_config(page_title="Nhập dữ liệu – Commune Atlas", layout="wide")

import_page()
