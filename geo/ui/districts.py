"""The district summary table (a row drills down to its district) and the commune table."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from geo.analysis.metrics import district_summary, province_summary
from geo.geography.geographies import Geography, area_label, group_level
from geo.i18n import Lang, t
from geo.output.display import commune_table, district_table
from geo.ui.resources import district_names, geography_for
from geo.ui.state import WHOLE_PROVINCE, pick_district_row
from geo.ui.widgets import choice_box
from geo.view import MapView

__all__ = [
    "commune_section",
    "district_box",
    "district_section",
    "group_label",
    "several_provinces",
    "whole_label",
]


def several_provinces(geography: Geography) -> bool:
    """The geography spans more than one province."""
    provinces = geography.communes.get("province_code")
    return provinces is not None and provinces.nunique() > 1


def whole_label(geography: Geography, lang: Lang) -> str:
    """The label of "no district chosen": all districts, the area of several provinces, or
    the whole area of a 2025 layer (which may be part of a province, e.g. the former Hòa Bình)."""
    if several_provinces(geography):
        return area_label(geography.communes, lang)
    if group_level(geography) == "district":
        return t("app.all_districts", lang)
    return t("app.whole_area", lang)


def group_label(geography: Geography, lang: Lang) -> str:
    """What the area box groups by: "Huyện", "Khu vực huyện cũ" or "Tỉnh"."""
    return t(f"app.area_group.{group_level(geography)}", lang)


def district_box(
    container: Any,
    label: str,
    geography: Geography,
    *,
    key: str,
    lang: Lang,
    on_change: Callable[[], None] | None = None,
) -> str | None:
    """A box of the geography's districts, first the whole; ``None`` when the whole is chosen."""
    names = district_names(geography)
    whole = whole_label(geography, lang)
    code = choice_box(
        container,
        label,
        [WHOLE_PROVINCE, *names],
        key=key,
        lang=lang,
        format_func=lambda c: names.get(c) or whole,
        on_change=on_change,
    )
    return code or None


def district_section(view: MapView, metrics: pd.DataFrame, names: dict[str, str]) -> None:
    """The district summary; picking a row shows that district (the last row, the province)."""
    lang = view.lang
    # The rows in the order of the area box (Vietnamese order), so that a picked row is the
    # district of the same place in ``codes``.
    summary = district_summary(metrics).set_index("district_code", drop=False)
    order = [code for code in names if code in summary.index]
    summary = summary.loc[order].reset_index(drop=True)
    codes = [*order, None]
    table_key = f"district_table_{view.district_code}"  # a new table (no selection) per view
    level = group_level(geography_for(view.geography_key))
    st.caption(t("app.districts_hint" + ("" if level == "district" else f".{level}"), lang))
    st.dataframe(
        district_table(summary, province_summary(metrics), lang, group=level),
        hide_index=True,
        width="stretch",
        on_select=functools.partial(pick_district_row, table_key, codes),
        selection_mode="single-row",
        key=table_key,
    )


def commune_section(view: MapView, metrics: pd.DataFrame) -> None:
    """Every commune of the view's area with its figures."""
    code = view.district_code
    shown = metrics if code is None else metrics[metrics["district_code"] == code]
    st.dataframe(commune_table(shown, view.lang), hide_index=True, width="stretch")
