"""Session keys and small widgets shared by the import page's tabs."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.figures.indicators import FAMILIES, FAMILY_NAMES
from geo.figures.store import Batch
from geo.geography.units_2025 import VINTAGE_2025
from geo.i18n import Lang, t
from geo.schema import VINTAGE_2020_2025

__all__ = [
    "FLASH",
    "PLANNER",
    "REPORT",
    "UPLOAD_ROUND",
    "batch_label",
    "family_and_period",
    "vintage_box",
]

PLANNER = "planner"  # session key of the signed-in Planner
FLASH = "import_flash"  # a success message to show after st.rerun()
UPLOAD_ROUND = "import_upload_round"  # bumped to empty the uploader after an import
REPORT = "import_report"  # {check key: report} of the last file (as read, as chosen)


def batch_label(batch: Batch, lang: Lang) -> str:
    """One line naming a batch: id, family, period, file, who and when."""
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


def vintage_box(lang: Lang, *, key: str, default: str) -> str:
    """Which boundary vintage: the 2025 communes first, ``default`` chosen until changed.

    ``key`` should change with what the default comes from (the file, the period), so a new
    file opens on its own vintage.
    """
    from geo.figures.importing.vintage import vintage_label

    options = (VINTAGE_2025, VINTAGE_2020_2025)
    return str(
        st.selectbox(
            t("import.vintage", lang),
            options,
            index=options.index(default),
            format_func=lambda vintage: vintage_label(vintage, lang),
            help=t("import.vintage_help", lang),
            key=key,
        )
    )
