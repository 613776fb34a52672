"""The import tab: upload, family, period → preview (the importer's report) → confirm."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from geo.errors import AtlasError
from geo.figures.auth import Planner
from geo.figures.indicators import FAMILIES
from geo.figures.store import STATUS_ACTIVE, Store, rejected_row_count
from geo.i18n import Lang, t
from geo.output.display import markdown_text
from geo.output.import_report import error_text, rejected_frame, skipped_frame, warnings_frame
from geo.ui.import_page.common import (
    FLASH,
    REPORT,
    UPLOAD_ROUND,
    batch_label,
    family_and_period,
    vintage_box,
)
from geo.ui.resources import data_changed

if TYPE_CHECKING:  # the importer itself is loaded only when a planner uploads a file
    from streamlit.runtime.uploaded_file_manager import UploadedFile

    from geo.figures.importing import ImportReport

__all__ = ["import_tab"]


def import_tab(store: Store, planner: Planner | None, lang: Lang) -> None:
    """Check an uploaded file, show what would be stored, store it when confirmed."""
    if planner is None:
        st.info(t("import.sign_in_first", lang))
        return
    family, period = family_and_period(lang, key="import")
    upload = st.file_uploader(
        t("import.upload", lang),
        type=["csv", "xlsx", "xls"],
        key=f"import_upload_{st.session_state.get(UPLOAD_ROUND, 0)}",
    )
    if upload is None:
        return
    # First as the file says (template, codes, period); then as the planner chooses.
    report = checked_report(upload, family=family, period=period, vintage=None, lang=lang)
    if report is None:
        return
    vintage = vintage_box(
        lang, key=f"import_vintage_{report.sha256[:16]}_{period}", default=report.vintage
    )
    if vintage != report.vintage:
        report = checked_report(upload, family=family, period=period, vintage=vintage, lang=lang)
        if report is None:
            return
    preview(report, file_name=upload.name, lang=lang)
    if not len(report.accepted):
        st.error(t("import.nothing", lang))
        return
    confirm(store, report, planner, family=family, period=period, lang=lang)


def checked_report(
    upload: UploadedFile, *, family: str, period: int, vintage: str | None, lang: Lang
) -> ImportReport | None:
    """The importer's report on the upload, or ``None`` (and an error) if it cannot be read.

    ``vintage`` None: the file's own (:mod:`geo.figures.importing.vintage`).
    """
    from geo.figures.importing import import_file  # the importer

    data = upload.getvalue()
    # The check runs once per file, family, period and vintage, not on every widget change.
    key = (hashlib.sha256(data).hexdigest(), upload.name, family, period, vintage)
    cached = st.session_state.get(REPORT, {})
    if key in cached:
        return cached[key]
    try:
        report = import_file(
            io.BytesIO(data),
            family=family,
            period=period,
            file_name=upload.name,
            vintage=vintage,
        )
    except (AtlasError, ValueError) as error:
        message = markdown_text(error_text(error, lang))  # quotes the file: text, not markup
        st.error(t("import.read_failed", lang, message=message))
        return None
    # The file's own reading and the planner's choice, of this file only.
    st.session_state[REPORT] = {k: v for k, v in cached.items() if k[:4] == key[:4]} | {key: report}
    return report


def preview(report: ImportReport, *, file_name: str, lang: Lang) -> None:
    """Counts, then the accepted, rejected and skipped rows and the warnings."""
    from geo.figures.importing import rejected_workbook  # the importer

    st.subheader(t("import.preview_title", lang))
    st.info(report.stored_as(lang))
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
                file_name=f"{Path(file_name).stem}_bi_loai.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
    if len(report.skipped):
        with st.expander(t("import.skipped_rows", lang, n=len(report.skipped))):
            st.dataframe(skipped_frame(report, lang), hide_index=True, width="stretch")
    if report.warnings:
        with st.expander(t("import.warnings", lang, n=len(report.warnings))):
            st.dataframe(warnings_frame(report, lang), hide_index=True, width="stretch")


def confirm(
    store: Store, report: ImportReport, planner: Planner, *, family: str, period: int, lang: Lang
) -> None:
    """The confirm button (a file already stored needs a tick first); stores a new batch."""
    duplicates = [
        b for b in store.batches(family, period, status=STATUS_ACTIVE) if b.sha256 == report.sha256
    ]
    force = False
    if duplicates:
        st.warning(markdown_text(batch_label(duplicates[0], lang)))
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
            st.error(t("import.failed", lang, message=markdown_text(error)))
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
