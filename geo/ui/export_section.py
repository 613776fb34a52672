"""Print and download: the map as PDF or PNG, the layer's data files, the brief, the districts.

Files are built only when their button is clicked (callables with ``on_click="ignore"``).
Every file is made from the one view the reader looks at.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from geo.geography.geographies import Geography
from geo.i18n import t
from geo.output import brief, export, printing
from geo.ui.resources import over_periods_for, vintage_tables_for
from geo.ui.widgets import choice_radio
from geo.view import DEFAULT_K, DEFAULT_SCHEME, MapView
from geo.web.maps import classify_layer

__all__ = ["export_section"]


def export_section(
    view: MapView, geography: Geography, metrics: pd.DataFrame, *, revision: int
) -> None:
    """The print settings and download buttons of the current view (maps: one period only).

    Every file gets the figures keyed to the map's vintage: converted figures keep their
    provenance in the data files, and the notes say how they were converted.
    """
    lang = view.lang
    keyed = vintage_tables_for(view.geography_key, revision, lang, estimate=view.estimate)
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
        sheet = {"paper": paper, "orientation": orientation, "labels": labels}
        for fmt in ("pdf", "png"):
            st.download_button(
                t(f"export.button_map_{fmt}", lang),
                # Built when its button is clicked.
                functools.partial(
                    printing.render_map,
                    geography,
                    metrics,
                    view,
                    fmt=fmt,
                    vintage_tables=keyed,
                    **sheet,
                ),
                file_name=export.file_name("map", view, fmt=fmt),
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                key=f"export_map_{fmt}",
            )
        for fmt in export.DATA_FORMATS:
            st.download_button(
                t(f"export.button_{fmt}", lang),
                functools.partial(
                    export.export_layer, geography, metrics, view, fmt=fmt, vintage_tables=keyed
                ),
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
    files = (
        ("brief", brief.brief_pdf, brief_view, "pdf"),
        ("districts", export.districts_xlsx, view, "xlsx"),
    )
    for kind, make, file_view, fmt in files:
        build = functools.partial(make, geography, metrics, file_view, vintage_tables=keyed)
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
    over = over_periods_for(view.geography_key, revision, estimate=view.estimate)
    bins = classify_layer(metrics, view.layer, reference=over, **view.classification).bins
    return view.replace(breaks=tuple(bins) or None, same_classes=False)
