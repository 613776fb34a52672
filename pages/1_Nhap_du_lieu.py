"""Nhập dữ liệu — planners load their own figures. Widgets only; the work happens in ``geo``.

Sign in (sidebar) → upload, family, period → preview (the importer's report: nothing stored
yet) → confirm → a new batch; batch history with rollback and delete; templates. Viewers see
the page but cannot import. Language follows the main page (``st.session_state["lang"]``).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import streamlit as st

from geo.errors import AtlasError
from geo.figures.auth import (
    THROTTLED,
    Accounts,
    Authenticator,
    Planner,
    SignInError,
    Throttle,
    accounts_path,
    oidc_configured,
    planner_from_oidc,
)
from geo.figures.indicators import FAMILIES, FAMILY_NAMES
from geo.figures.store import (
    STATUS_ACTIVE,
    STATUS_ROLLED_BACK,
    Batch,
    Store,
    open_store,
    rejected_row_count,
)
from geo.geography.admin_units import communes
from geo.i18n import LANGUAGES, Lang, t
from geo.output.import_report import (
    batches_frame,
    error_text,
    rejected_frame,
    skipped_frame,
    warnings_frame,
)

st.set_page_config(page_title="Nhập dữ liệu – Commune Atlas", layout="wide")

PLANNER = "planner"  # session key of the signed-in Planner
FLASH = "import_flash"  # a success message to show after st.rerun()
UPLOAD_ROUND = "import_upload_round"  # bumped to empty the uploader after an import
REPORT = "import_report"  # (file key, report) of the last check


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One store (connection pool) per server process."""
    return open_store()


@st.cache_resource(show_spinner=False)
def get_throttle() -> Throttle:
    """Failed sign-ins are counted for the whole server process, across sessions."""
    return Throttle()


@st.cache_resource(show_spinner=False)
def get_authenticator(path: str, modified: float) -> Authenticator:
    """Re-read when the accounts file changes (``modified`` is part of the cache key)."""
    return Authenticator(Accounts.load(path), throttle=get_throttle())


def authenticator() -> Authenticator:
    path = accounts_path()
    return get_authenticator(str(path), path.stat().st_mtime if path.exists() else 0.0)


def data_changed() -> None:
    """Figures changed: drop cached tables and metrics so the map shows the new ones."""
    st.cache_data.clear()


def language() -> Lang:
    """The language radio, shared with the main page through ``st.session_state["lang"]``.

    The main page's radio owns the key ``lang``; Streamlit drops a widget's state on a page that
    does not draw it. So this page keeps ``lang`` as plain session state (which the main
    page's radio then starts from) and draws a radio of its own.
    """
    current: Lang = st.session_state.get("lang", "vi")
    if current not in LANGUAGES:
        current = "vi"
    chosen: Lang = st.radio(
        "Ngôn ngữ / Language",
        LANGUAGES,
        index=LANGUAGES.index(current),
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
        horizontal=True,
        key="import_page_lang",
    )
    st.session_state["lang"] = chosen
    return chosen


def sign_in_box(lang: Lang) -> Planner | None:
    """Sidebar: who is signed in, or the sign-in form(s)."""
    st.subheader(t("auth.title", lang))
    planner: Planner | None = st.session_state.get(PLANNER)
    oidc = oidc_configured(st.secrets)
    if planner is None and oidc and st.user.is_logged_in:
        planner = planner_from_oidc(st.user.to_dict(), authenticator().accounts)
        if planner is None:
            st.warning(t("auth.not_planner", lang, name=st.user.get("email", "?")))
        else:
            st.session_state[PLANNER] = planner
    if planner is not None:
        st.markdown(t("auth.signed_in_as", lang, name=planner.name))
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


def batch_label(batch: Batch, lang: Lang) -> str:
    when = f"{batch.created_at:%Y-%m-%d %H:%M}"
    return (
        f"{t('batches.id', lang)} {batch.id} · {FAMILIES[batch.family].label(lang)} · "
        f"{batch.period} · {batch.file_name} · {batch.user} · {when}"
    )


def family_and_period(lang: Lang, *, key: str) -> tuple[str, int]:
    """Two boxes side by side: which indicator family, which period (default last year)."""
    left, right = st.columns(2)
    family = left.selectbox(
        t("import.family", lang),
        FAMILY_NAMES,
        format_func=lambda name: FAMILIES[name].label(lang),
        key=f"{key}_family",
    )
    period = int(
        right.number_input(
            t("import.period", lang),
            min_value=1990,
            max_value=2100,
            value=date.today().year - 1,
            step=1,
            key=f"{key}_period",
        )
    )
    return family, period


def import_tab(store: Store, planner: Planner | None, lang: Lang) -> None:
    if planner is None:
        st.info(t("import.sign_in_first", lang))
        return
    from geo.figures.importing import import_file, rejected_workbook  # the importer

    family, period = family_and_period(lang, key="import")
    upload = st.file_uploader(
        t("import.upload", lang),
        type=["csv", "xlsx", "xls"],
        key=f"import_upload_{st.session_state.get(UPLOAD_ROUND, 0)}",
    )
    if upload is None:
        return
    data = upload.getvalue()
    # The check runs once per file, family and period, not on every widget change.
    key = (hashlib.sha256(data).hexdigest(), upload.name, family, period)
    cached = st.session_state.get(REPORT)
    if cached is not None and cached[0] == key:
        report = cached[1]
    else:
        try:
            report = import_file(
                io.BytesIO(data), family=family, period=period, file_name=upload.name
            )
        except (AtlasError, ValueError) as error:
            st.error(t("import.read_failed", lang, message=error_text(error, lang)))
            return
        st.session_state[REPORT] = (key, report)

    st.subheader(t("import.preview_title", lang))
    counts = st.columns(4)
    counts[0].metric(t("report.accepted", lang), len(report.accepted))
    counts[1].metric(t("report.rejected", lang), rejected_row_count(report))
    counts[2].metric(t("report.skipped", lang), len(report.skipped))
    counts[3].metric(t("report.warnings", lang), len(report.warnings))
    with st.expander(t("import.accepted_rows", lang, n=len(report.accepted)), expanded=True):
        st.dataframe(report.accepted, hide_index=True, width="stretch")
    if len(report.rejected):
        rejected = t("import.rejected_rows", lang, n=rejected_row_count(report))
        with st.expander(rejected, expanded=True):
            st.dataframe(rejected_frame(report, lang), hide_index=True, width="stretch")
            st.download_button(
                t("import.download_rejected", lang),
                rejected_workbook(report, lang=lang),
                file_name=f"{Path(upload.name).stem}_bi_loai.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
    if len(report.skipped):
        with st.expander(t("import.skipped_rows", lang, n=len(report.skipped))):
            st.dataframe(skipped_frame(report, lang), hide_index=True, width="stretch")
    if report.warnings:
        with st.expander(t("import.warnings", lang, n=len(report.warnings))):
            st.dataframe(warnings_frame(report, lang), hide_index=True, width="stretch")

    if not len(report.accepted):
        st.error(t("import.nothing", lang))
        return
    duplicates = [
        b for b in store.batches(family, period, status=STATUS_ACTIVE) if b.sha256 == report.sha256
    ]
    force = False
    if duplicates:
        st.warning(batch_label(duplicates[0], lang))
        force = st.checkbox(t("import.force", lang), key="import_force")
    if st.button(
        t("import.confirm", lang, n=len(report.accepted)),
        type="primary",
        disabled=bool(duplicates) and not force,
        key="import_confirm",
    ):
        try:
            batch = store.import_report(report, user=planner, force=force)
        except AtlasError as error:
            st.error(t("import.failed", lang, message=str(error)))
            return
        data_changed()
        st.session_state[FLASH] = t(
            "import.done",
            lang,
            id=batch.id,
            n=batch.accepted,
            family=FAMILIES[batch.family].label(lang),
            period=batch.period,
        )
        st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
        st.session_state.pop(REPORT, None)
        st.rerun()


def history_tab(store: Store, planner: Planner | None, lang: Lang) -> None:
    if planner is None:
        st.info(t("import.sign_in_first", lang))
        return
    batches = store.batches()
    st.dataframe(batches_frame(batches, lang), hide_index=True, width="stretch")
    # Widget keys carry the store revision: after any change the choices start afresh
    # (newest batch selected, confirmations unticked).
    revision = store.revision()

    st.subheader(t("batches.rollback_title", lang))
    st.caption(t("batches.rollback_help", lang))
    active = [b for b in batches if b.status == STATUS_ACTIVE]
    if not active:
        st.info(t("batches.none_active", lang))
    else:
        confirmed_batch_action(
            active,
            name="rollback",
            done_key="batches.rolled_back_done",
            run=lambda batch_id: store.rollback(batch_id, user=planner),
            revision=revision,
            lang=lang,
        )

    rolled_back = [b for b in batches if b.status == STATUS_ROLLED_BACK]
    if rolled_back:
        with st.expander(t("batches.delete_title", lang)):
            confirmed_batch_action(
                rolled_back,
                name="delete",
                done_key="batches.deleted_done",
                run=lambda batch_id: store.delete_batch(batch_id, user=planner),
                revision=revision,
                lang=lang,
            )


def confirmed_batch_action(
    batches: list[Batch],
    *,
    name: str,
    done_key: str,
    run: Callable[[int], object],
    revision: int,
    lang: Lang,
) -> None:
    """Choose a batch, tick the confirmation, press the button: rollback or delete.

    Widget keys carry the store revision, so after any change the choice starts afresh.
    """
    chosen = st.selectbox(
        t("batches.choose", lang),
        batches,
        format_func=lambda b: batch_label(b, lang),
        key=f"{name}_batch_{revision}",
    )
    sure = st.checkbox(
        t(f"batches.{name}_confirm", lang, id=chosen.id), key=f"{name}_ok_{revision}"
    )
    if st.button(t(f"batches.{name}_button", lang), disabled=not sure, key=f"{name}_go_{revision}"):
        try:
            run(chosen.id)
        except AtlasError as error:
            st.error(t("batches.failed", lang, message=str(error)))
        else:
            data_changed()
            st.session_state[FLASH] = t(done_key, lang, id=chosen.id)
            st.rerun()


def template_tab(lang: Lang) -> None:
    st.caption(t("import.template_help", lang))
    family, period = family_and_period(lang, key="template")
    try:
        from geo.figures.templates import template_workbook  # the importer's

        data = template_workbook(family, communes=communes(), period=period, lang=lang)
    except (ImportError, AtlasError, ValueError) as error:
        st.info(t("import.template_unavailable", lang, message=str(error)))
        return
    st.download_button(
        t("import.template_button", lang),
        data,
        file_name=f"mau_{family}_{period}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="template_download",
    )


def main() -> None:
    with st.sidebar:
        lang = language()
        planner = sign_in_box(lang)
    st.title(t("import.title", lang))
    st.markdown(t("import.intro", lang))
    # Always the same element here, so the tabs below keep their place (and their selection).
    flash = st.empty()
    if FLASH in st.session_state:
        flash.success(st.session_state.pop(FLASH))
    store = get_store()
    tabs = st.tabs(
        [
            t("import.tab_import", lang),
            t("import.tab_history", lang),
            t("import.tab_template", lang),
        ]
    )
    with tabs[0]:
        import_tab(store, planner, lang)
    with tabs[1]:
        history_tab(store, planner, lang)
    with tabs[2]:
        template_tab(lang)


main()
