"""The map: the cached map of the view, drawn with the selected and marked communes outlined.

The map is re-created only when the view changes (see :func:`geo.ui.resources.map_for`). A
click on a commune re-runs the page and comes back as the clicked feature
(``last_active_drawing``, which carries the ``code`` property); pan and zoom do not re-run.
The outlines go through ``feature_group_to_add``, which streamlit-folium swaps in the live map,
so the reader's zoom and centre stay.
"""

from __future__ import annotations

import copy
from collections.abc import Collection

import streamlit as st
from streamlit_folium import st_folium

from geo.geography.geographies import Geography
from geo.i18n import t
from geo.ui.progress import preparing
from geo.ui.resources import map_for
from geo.ui.state import MAP_HEIGHT, MAP_KEY
from geo.view import MapView
from geo.web.overlays import highlight_group

__all__ = ["map_section"]


def map_section(
    view: MapView,
    geography: Geography,
    *,
    tiles: bool,
    revision: int,
    selected: str | None,
    marked: Collection[str],
) -> None:
    """Draw the map of ``view``; clicks land in ``st.session_state[MAP_KEY]``.

    The first map of a new boundary layer waits for its web geometry: the stages are shown
    above the map meanwhile (:mod:`geo.ui.progress`).
    """
    # Made in every run, empty but while a layer is prepared: the map keeps its place.
    slot = st.empty()
    with preparing(t("progress.web.title", view.lang), lang=view.lang, slot=slot):
        fmap = map_for(view, tiles, revision)
    st_folium(
        # A copy: st_folium changes the map it renders, and a map rendered twice breaks.
        copy.deepcopy(fmap),
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing", "last_object_clicked"],  # clicks only
        feature_group_to_add=highlight_group(
            geography.communes,
            selected=selected,
            marked=marked,
            marked_label=t("legend.marked", view.lang, n=len(marked)),
        ),
        key=MAP_KEY,
    )
