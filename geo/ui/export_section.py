"""Print and download: the map as PDF or PNG, the layer's data files, the brief, the districts.

Files are built only when their button is clicked (callables with ``on_click="ignore"``).
Every file is made from the one view the reader looks at.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo.geography.geographies import Geography
from geo.i18n import t
from geo.output import brief, export, printing
from geo.ui.resources import over_periods_for
from geo.ui.widgets import choice_radio
from geo.view import DEFAULT_K, DEFAULT_SCHEME, MapView
from geo.web.maps import classify_layer

__all__ = ["export_section"]


def export_section(
    view: MapView, geography: Geography, metrics: pd.DataFrame, *, revision: int
) -> None:
    """The print settings and download buttons of the current view (maps: one period only)."""
    lang = view.lang
    if not view.is_change:
        view = _file_view(view, metrics, revision)
        left, middle, right = st.columns(3)
        paper = left.radio(
            t("export.paper", lang),
            ("a4", "a3"),
            format_func=str.upper,
            horizontal=True,
            key="export_paper",
        )
        orientation = choice_radio(
            middle,
            t("export.orientation", lang),
            ("portrait", "landscape"),
            format_func=lambda o: t(f"export.{o}", lang),
            horizontal=True,
            key="export_orientation",
            lang=lang,
        )
        labels = right.checkbox(t("export.labels", lang), key="export_labels")
        for fmt in ("pdf", "png"):
            st.download_button(
                t(f"export.button_map_{fmt}", lang),
                _map_file(view, geography, metrics, fmt, paper, orientation, labels),
                file_name=export.file_name("map", view, fmt=fmt),
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                key=f"export_map_{fmt}",
            )
        for fmt in export.DATA_FORMATS:
            st.download_button(
                t(f"export.button_{fmt}", lang),
                _layer_file(view, geography, metrics, fmt),
                file_name=export.file_name("layer", view, fmt=fmt),
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                key=f"export_layer_{fmt}",
            )
    else:
        st.caption(t("export.compare_unavailable", lang))
    # Files of the whole area in the period: the province brief (always in the default classes,
    # so briefs of different meetings compare) and the district workbook.
    brief_view = view.replace(scheme=DEFAULT_SCHEME, k=DEFAULT_K, breaks=None)
    for kind, build, fmt in (
        ("brief", functools.partial(brief.brief_pdf, geography, metrics, brief_view), "pdf"),
        ("districts", functools.partial(export.districts_xlsx, geography, metrics, view), "xlsx"),
    ):
        st.download_button(
            t(f"export.button_{kind}", lang),
            build,
            file_name=export.file_name(kind, view, fmt=fmt),
            mime=export.MIME_TYPES[fmt],
            on_click="ignore",
            key=f"export_{kind}",
        )


def _file_view(view: MapView, metrics: pd.DataFrame, revision: int) -> MapView:
    """The view for files: classes shared by every period (:attr:`MapView.fixed_classes`)
    become their breaks, so a printed map or a data file has the classes of the screen."""
    if not view.fixed_classes:
        return view
    over = over_periods_for(view.geography_key, revision)
    bins = classify_layer(metrics, view.layer, reference=over, **view.classification).bins
    return view.replace(breaks=tuple(bins) or None, same_classes=False)


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
    return functools.partial(printing.render_map, geography, metrics, view, fmt=fmt, **sheet)


def _layer_file(
    view: MapView, geography: Geography, metrics: pd.DataFrame, fmt: str
) -> Callable[[], bytes]:
    """The layer's data file, built when its button is clicked."""
    return functools.partial(export.export_layer, geography, metrics, view, fmt=fmt)
