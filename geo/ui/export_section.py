"""Print and download: the map as PDF or PNG, the layer's data files, the brief, the districts.

Files are built only when their button is clicked (callables with ``on_click="ignore"``).
Each output function is called in one place, with the view unpacked into its keywords.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo.geography.geographies import Geography
from geo.i18n import t
from geo.output import brief, export, printing
from geo.view import MapView

__all__ = ["export_section"]


def export_section(view: MapView, geography: Geography, metrics: pd.DataFrame) -> None:
    """The print settings and download buttons of the current view (maps: one period only)."""
    lang = view.lang
    if not view.is_change:
        left, middle, right = st.columns(3)
        paper = left.radio(
            t("export.paper", lang),
            ("a4", "a3"),
            format_func=str.upper,
            horizontal=True,
            key="export_paper",
        )
        orientation = middle.radio(
            t("export.orientation", lang),
            ("portrait", "landscape"),
            format_func=lambda o: t(f"export.{o}", lang),
            horizontal=True,
            key="export_orientation",
        )
        labels = right.checkbox(t("export.labels", lang), key="export_labels")
        for fmt in ("pdf", "png"):
            st.download_button(
                t(f"export.button_map_{fmt}", lang),
                _map_file(view, geography, metrics, fmt, paper, orientation, labels),
                file_name=_file_name("map", view, fmt),
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                key=f"export_map_{fmt}",
            )
        for fmt in export.DATA_FORMATS:
            st.download_button(
                t(f"export.button_{fmt}", lang),
                _layer_file(view, geography, metrics, fmt),
                file_name=_file_name("layer", view, fmt),
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                key=f"export_layer_{fmt}",
            )
    else:
        st.caption(t("export.compare_unavailable", lang))
    # Files of the whole area in the period: the province brief and the district workbook.
    for kind, build, fmt in (
        ("brief", brief.brief_pdf, "pdf"),
        ("districts", export.districts_xlsx, "xlsx"),
    ):
        st.download_button(
            t(f"export.button_{kind}", lang),
            functools.partial(
                build, geography, metrics, period=view.period, lang=lang, demo=view.demo
            ),
            file_name=_file_name(kind, view, fmt, whole=True),
            mime=export.MIME_TYPES[fmt],
            on_click="ignore",
            key=f"export_{kind}",
        )


def _view_keywords(view: MapView) -> dict[str, object]:
    """The view as the keywords of :func:`printing.render_map` and :func:`export.export_layer`."""
    return {
        "layer": view.layer,
        "period": view.period,
        "district_code": view.district_code,
        "lang": view.lang,
        "scheme": view.scheme,
        "k": view.k,
        "breaks": view.breaks,
        "demo": view.demo,
    }


def _map_file(
    view: MapView,
    geography: Geography,
    metrics: pd.DataFrame,
    fmt: str,
    paper: str,
    orientation: str,
    labels: bool,
) -> Callable[[], bytes]:
    """The printed map, built when its button is clicked."""
    sheet = {"paper": paper, "orientation": orientation, "labels": labels}
    return functools.partial(
        printing.render_map, geography, metrics, fmt=fmt, **sheet, **_view_keywords(view)
    )


def _layer_file(
    view: MapView, geography: Geography, metrics: pd.DataFrame, fmt: str
) -> Callable[[], bytes]:
    """The layer's data file, built when its button is clicked."""
    return functools.partial(
        export.export_layer, geography, metrics, fmt=fmt, **_view_keywords(view)
    )


def _file_name(kind: str, view: MapView, fmt: str, *, whole: bool = False) -> str:
    """The download's file name; ``whole``: a file of the whole area, named by period only."""
    if whole:
        return export.file_name(kind, period=view.period, fmt=fmt)
    return export.file_name(
        kind, period=view.period, fmt=fmt, layer=view.layer, district_code=view.district_code
    )
