"""The import page's sign-in box (sidebar): who is signed in, or the sign-in form(s)."""

from __future__ import annotations

import streamlit as st

from geo.figures.auth import THROTTLED, Planner, SignInError, oidc_configured, planner_from_oidc
from geo.i18n import Lang, t
from geo.output.display import markdown_text
from geo.ui.import_page.common import PLANNER
from geo.ui.resources import authenticator

__all__ = ["sign_in_box"]


def sign_in_box(lang: Lang) -> Planner | None:
    """Sidebar: who is signed in, or the sign-in form(s); returns the signed-in planner."""
    st.subheader(t("auth.title", lang))
    planner: Planner | None = st.session_state.get(PLANNER)
    oidc = oidc_configured(st.secrets)
    if planner is None and oidc and st.user.is_logged_in:
        planner = planner_from_oidc(st.user.to_dict(), authenticator().accounts)
        if planner is None:
            st.warning(t("auth.not_planner", lang, name=markdown_text(st.user.get("email", "?"))))
        else:
            st.session_state[PLANNER] = planner
    if planner is not None:
        st.markdown(t("auth.signed_in_as", lang, name=markdown_text(planner.name)))
        if st.button(t("auth.sign_out", lang), key="sign_out"):
            st.session_state.pop(PLANNER, None)
            if planner.method == "oidc":
                st.logout()
            st.rerun()
        return planner

    st.caption(t("auth.viewer_note", lang))
    if oidc:
        st.button(t("auth.oidc_sign_in", lang), on_click=st.login, key="oidc_sign_in")
    checker = authenticator()
    if not checker.accounts.users and not oidc:
        st.info(t("auth.no_accounts", lang))
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input(t("auth.username", lang), key="sign_in_name")
        password = st.text_input(t("auth.password", lang), type="password", key="sign_in_pw")
        submitted = st.form_submit_button(t("auth.sign_in", lang))
    if submitted:
        try:
            st.session_state[PLANNER] = checker.sign_in(name, password)
        except SignInError as error:
            if error.reason == THROTTLED:
                st.error(t("auth.throttled", lang, seconds=f"{error.retry_after:.0f}"))
            else:
                st.error(t("auth.bad_credentials", lang))
            return None
        st.rerun()
    return None
