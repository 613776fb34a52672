"""No traceback reaches a reader: an unexpected error becomes a short message with an error id.

:func:`run_reporting_errors` runs a page. When the page raises, the reader sees one sentence in
their language with a short random id ("… give the administrator the error id **3f9a1c07**"),
and the server log gets the traceback under the same id (Python logging, logger
``geo.ui.errors``), so an administrator can find what happened from what the reader reports.

A fragment (``st.fragment``) reruns alone when one of its widgets changes: the page's net is not
on the stack then, so :func:`reporting_fragment` makes a fragment with the same net of its own.

Streamlit's own control flow passes through untouched: ``st.rerun()``, ``st.stop()`` and
``st.switch_page()`` raise exceptions that Streamlit must receive. Errors the pages expect (a
broken boundary file, a refused import) are still shown where they happen, with their reason;
this is the net under everything else. The shipped ``.streamlit/config.toml`` also sets
``client.showErrorDetails = "none"``, so whatever escapes this net (an error in Streamlit
itself) shows no traceback either.
"""

from __future__ import annotations

import functools
import logging
import secrets
import sys
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from geo.i18n import t
from geo.ui.widgets import current_language

__all__ = [
    "LOGGER_NAME",
    "new_error_id",
    "report_error",
    "reporting_fragment",
    "run_reporting_errors",
]

#: The logger of unexpected page errors (its records carry ``error_id``).
LOGGER_NAME = "geo.ui.errors"
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
P = ParamSpec("P")


def _server_log() -> logging.Logger:
    """The logger of page errors, writing to the server's stderr unless logging is set up."""
    logger = logging.getLogger(LOGGER_NAME)
    # Streamlit configures only its own loggers; without a handler Python would print the bare
    # message. An operator's own logging configuration (a root handler) is left to decide.
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def new_error_id() -> str:
    """Eight random hexadecimal digits: short to read out, unlikely to repeat in a log.

    Examples
    --------
    >>> error_id = new_error_id()
    >>> len(error_id), int(error_id, 16) >= 0
    (8, True)
    """
    return secrets.token_hex(4)


def report_error(error: BaseException) -> str:
    """Log ``error`` with its traceback under a new id, show the reader the message; the id.

    Parameters
    ----------
    error : BaseException
        The exception being handled (its traceback goes to the log, never to the page).

    Returns
    -------
    str
        The error id shown to the reader and written in the log.
    """
    error_id = new_error_id()
    _server_log().error(
        "error %s: %s while drawing a page",
        error_id,
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__),
        extra={"error_id": error_id},
    )
    try:
        lang = current_language()
    except Exception:  # no session state (the error may come from there): Vietnamese
        lang = "vi"
    st.error(t("error.unexpected", lang, error_id=error_id), icon="⚠️")
    return error_id


def run_reporting_errors(page: Callable[[], object]) -> None:
    """Run ``page``; an unexpected exception becomes :func:`report_error`'s message.

    Parameters
    ----------
    page : callable
        Draws a page (the page's ``main``, or ``st.navigation(...).run``).
    """
    try:
        page()
    except ScriptControlException:
        # st.rerun / st.stop / st.switch_page: Streamlit's control flow, not an error.
        raise
    except Exception as error:
        report_error(error)


def reporting_fragment(draw: Callable[P, object]) -> Callable[P, None]:
    """``st.fragment(draw)`` whose errors become :func:`report_error`'s message.

    A fragment's own reruns run ``draw`` alone, outside the page and so outside
    :func:`run_reporting_errors`: without this, an error there would reach Streamlit's handler
    (no traceback with ``showErrorDetails = "none"``, but no error id either, and nothing in
    the log under an id). The message is drawn where the fragment draws.

    Parameters
    ----------
    draw : callable
        Draws the fragment's part of the page.

    Returns
    -------
    callable
        The fragment: call it where the part belongs, as ``st.fragment``'s result.
    """

    @functools.wraps(draw)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            draw(*args, **kwargs)
        except ScriptControlException:
            raise  # st.rerun(scope="fragment") and st.stop are Streamlit's, not errors
        except Exception as error:
            report_error(error)

    return st.fragment(guarded)
