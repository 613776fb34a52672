"""The progress of a new boundary layer's preparation, shown while the reader waits.

The first map of a new layer waits for the file to be read and checked
(:func:`geo.geography.boundaries.load_boundaries`) and for its web geometry
(:func:`geo.web.geometry.web_geometry`): seconds on a national or a detailed layer, once per
layer, after which both come from the disk cache. Those functions report their stages through
:mod:`geo.progress`; :class:`ProgressPanel` shows them as a status box with a bar, only when a
stage is reported (a layer from a cache shows nothing), and removes it when the work is done.

The work runs inside the app's cached functions (:func:`geo.ui.resources.geography_for`,
:func:`~geo.ui.resources.map_for`), whose Streamlit calls are recorded and replayed on every
later hit of the cache. The panel is made outside them, and its updates run in the context it
was made in (:meth:`contextvars.Context.run`), where no cached function is running: they are
not recorded, and a later run that takes the map from the cache shows no stale status box.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.geography.boundaries import BOUNDARY_STAGES
from geo.geography.geographies import Geography
from geo.i18n import Lang, t
from geo.progress import reporting_progress
from geo.ui.resources import ENV_BOUNDARIES, ENV_KEY, geography_for, geography_labels
from geo.web.geometry import WEB_STAGES

__all__ = ["KNOWN_STAGES", "ProgressPanel", "loaded_geography", "preparing"]

#: Stages the panel names (each has a ``progress.<stage>`` text); others keep the last text.
KNOWN_STAGES = frozenset(BOUNDARY_STAGES) | frozenset(WEB_STAGES)


class ProgressPanel:
    """A status box with a bar in ``slot``, made on the first stage reported.

    Parameters
    ----------
    title : str
        The box's label: what is prepared, in the reader's language.
    lang : {"vi", "en"}
        Language of the stages' texts.
    slot : DeltaGenerator, optional
        Where the box goes (an ``st.empty()`` made before the work, so the page keeps its
        layout run after run); default a placeholder made where the page is when the first
        stage is reported.

    Notes
    -----
    Called as ``panel(stage, fraction)``, a :data:`geo.progress.ProgressCallback`. Make it
    outside any cached function (its context is captured when it is made).
    """

    def __init__(self, title: str, *, lang: Lang, slot: DeltaGenerator | None = None) -> None:
        self.title = title
        self.lang = lang
        self.stages: list[str] = []
        self._slot = slot
        self._bar: DeltaGenerator | None = None
        self._text = ""
        # The context outside the cached functions: Streamlit records no call made in it.
        self._context = contextvars.copy_context()

    @property
    def shown(self) -> bool:
        """Whether a stage was reported (and the box drawn)."""
        return bool(self.stages)

    def __call__(self, stage: str, fraction: float) -> None:
        self.stages.append(stage)
        self._context.run(self._draw, stage, fraction)

    def _draw(self, stage: str, fraction: float) -> None:
        if stage in KNOWN_STAGES:
            self._text = t(f"progress.{stage}", self.lang)
        if self._bar is None:
            if self._slot is None:
                self._slot = st.empty()
            box = self._slot.status(self.title, state="running", expanded=True)
            self._bar = box.progress(fraction, text=self._text)
        else:
            self._bar.progress(fraction, text=self._text)

    def close(self) -> None:
        """Remove the box (the work is done, or failed and says so elsewhere)."""
        if self._bar is not None and self._slot is not None:
            self._context.run(self._slot.empty)
        self._bar = None


@contextmanager
def preparing(
    title: str, *, lang: Lang, slot: DeltaGenerator | None = None
) -> Iterator[ProgressPanel]:
    """Show the stages the preparations inside the block report, in a :class:`ProgressPanel`
    removed at the end of the block.

    Examples
    --------
    >>> from geo.progress import report_progress
    >>> with preparing("Preparing", lang="en") as panel:
    ...     pass  # a cached layer: nothing reported, nothing drawn
    >>> panel.shown
    False
    """
    panel = ProgressPanel(title, lang=lang, slot=slot)
    try:
        with reporting_progress(panel):
            yield panel
    finally:
        panel.close()


def loaded_geography(geography_key: str, lang: Lang) -> Geography:
    """:func:`~geo.ui.resources.geography_for`, with the stages of a first read of the layer
    shown where the page is (the sidebar)."""
    if geography_key == ENV_KEY and ENV_BOUNDARIES:
        name = os.path.basename(ENV_BOUNDARIES)
    else:
        name = geography_labels(lang).get(geography_key, geography_key)
    with preparing(t("progress.boundaries.title", lang, name=name), lang=lang):
        return geography_for(geography_key)
