"""Progress of the long preparations (a boundary file read, a layer made ready for the web map).

The work happens deep inside cached functions (:func:`geo.geography.boundaries.load_boundaries`,
:func:`geo.web.geometry.web_geometry`) that know nothing of the page; the page wants to say
what is being done while it waits. A caller sets a callback for the duration of a block with
:func:`reporting_progress`; the preparations call :func:`report_progress` with a stage and the
share of the work done. Nothing is reported when the result comes from a cache, so a callback
that is never called means no preparation happened. Without a callback a report costs one
context-variable look-up.

A :class:`contextvars.ContextVar` rather than a parameter: the callback passes through the
cached functions of the app (whose arguments are their cache keys) and through the builders
between them without every signature naming it, and it stays with the thread (or task) that
set it.

Examples
--------
>>> seen = []
>>> with reporting_progress(lambda stage, fraction: seen.append((stage, fraction))):
...     report_progress("cleaning", 0.25)
>>> report_progress("cleaning", 0.5)  # no callback: nothing happens
>>> seen
[('cleaning', 0.25)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["ProgressCallback", "report_progress", "reporting_progress"]

#: ``callback(stage, fraction)``: ``stage`` a stable name (e.g. ``"web.clean"``; the page
#: translates it), ``fraction`` the share of the work done before the stage, in [0, 1].
ProgressCallback = Callable[[str, float], None]

_CALLBACK: ContextVar[ProgressCallback | None] = ContextVar("geo_progress", default=None)


@contextmanager
def reporting_progress(callback: ProgressCallback | None) -> Iterator[None]:
    """Send the reports of the preparations run inside the block to ``callback``.

    Parameters
    ----------
    callback : callable or None
        Called as ``callback(stage, fraction)``; ``None`` silences the reports in the block.
    """
    token = _CALLBACK.set(callback)
    try:
        yield
    finally:
        _CALLBACK.reset(token)


def report_progress(stage: str, fraction: float) -> None:
    """Tell the callback of :func:`reporting_progress`, if any, that ``stage`` starts with
    ``fraction`` of the work done (clipped to [0, 1])."""
    callback = _CALLBACK.get()
    if callback is not None:
        callback(stage, min(max(float(fraction), 0.0), 1.0))
