"""Widgets of both pages: the language radio, a selectbox and a radio that survive a language
switch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from geo.i18n import LANGUAGES, Lang

__all__ = ["choice_box", "choice_radio", "current_language", "language_radio"]

T = TypeVar("T")


def current_language() -> Lang:
    """The language chosen on any page (plain session state, ``"vi"`` until one is chosen)."""
    current: Lang = st.session_state.get("lang", "vi")
    return current if current in LANGUAGES else "vi"


def language_radio(*, key: str) -> Lang:
    """The language radio; its choice is shared by the pages through ``st.session_state["lang"]``.

    Streamlit drops a widget's state on a page that does not draw it, so ``lang`` is plain
    session state: each page draws a radio of its own (its own ``key``), starts it from ``lang``
    and copies its value back. The copy is made in the radio's callback, which runs before the
    page: the page menu (drawn before the radio) is then in the new language at once.
    """
    current = current_language()

    def switched() -> None:
        st.session_state["lang"] = st.session_state[key]

    lang: Lang = st.radio(
        "Ngôn ngữ / Language",
        LANGUAGES,
        index=LANGUAGES.index(current),
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
        horizontal=True,
        key=key,
        on_change=switched,
    )
    st.session_state["lang"] = lang
    return lang


def choice_box(container: Any, label: str, options: Sequence[T], **keywords: Any) -> T:
    """A selectbox whose choice survives a switch of language.

    Keywords: ``key``, ``lang``, ``format_func`` and optionally ``on_change``, as for
    :func:`_kept_choice`.
    """
    return _kept_choice(container.selectbox, label, options, **keywords)


def choice_radio(
    container: Any, label: str, options: Sequence[T], *, horizontal: bool = False, **keywords: Any
) -> T:
    """A radio whose choice survives a switch of language (a plain radio shows no choice at
    all after the switch, until the next click).

    Keywords: ``key``, ``lang``, ``format_func`` and optionally ``on_change``, as for
    :func:`_kept_choice`.
    """
    return _kept_choice(container.radio, label, options, horizontal=horizontal, **keywords)


def _kept_choice(
    widget_function: Callable[..., T],
    label: str,
    options: Sequence[T],
    *,
    key: str,
    lang: Lang,
    format_func: Callable[[T], str],
    on_change: Callable[[], None] | None = None,
    **widget_options: Any,
) -> T:
    """Draw a selectbox or radio (``widget_function``) whose choice survives a language switch.

    Streamlit keeps a selectbox's or a radio's choice as the text it shows; after a language
    switch that text matches no option any more (a radio then shows no choice at all). So the
    choice is kept under ``key`` in the session, the widget has one key per language
    (``<key>__<lang>``), and it is set from ``key`` before it is drawn. Callbacks may set
    ``st.session_state[key]`` to change it.
    """
    options = list(options)
    value = st.session_state.get(key, options[0])
    if value not in options:
        value = options[0]
    st.session_state[key] = value
    widget = f"{key}__{lang}"
    if st.session_state.get(widget) != value:
        st.session_state[widget] = value

    def changed() -> None:
        st.session_state[key] = st.session_state[widget]
        if on_change is not None:
            on_change()

    return widget_function(
        label, options, format_func=format_func, key=widget, on_change=changed, **widget_options
    )
