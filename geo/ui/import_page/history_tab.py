"""The batch history tab: every batch, rollback of an active one, deletion of a rolled-back one."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo.errors import AtlasError
from geo.figures.auth import Planner
from geo.figures.store import STATUS_ACTIVE, STATUS_ROLLED_BACK, Batch, Store
from geo.i18n import Lang, t
from geo.output.display import markdown_text
from geo.output.import_report import batches_frame
from geo.ui.import_page.common import FLASH, batch_label
from geo.ui.resources import data_changed

__all__ = ["confirmed_batch_action", "history_tab"]


def history_tab(store: Store, planner: Planner | None, lang: Lang) -> None:
    """The batches table, then rollback and (in an expander) delete."""
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
            st.error(t("batches.failed", lang, message=markdown_text(error)))
        else:
            data_changed()
            st.session_state[FLASH] = t(done_key, lang, id=chosen.id)
            st.rerun()
