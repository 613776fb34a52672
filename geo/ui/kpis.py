"""The province indicators: KPI cards, the change since a base period, the published figure."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis.compare import ntm_not_comparable
from geo.analysis.kpi_cards import (
    PUBLISHED_PERIOD,
    REFERENCE_PREVIOUS,
    REFERENCE_PUBLISHED,
    KpiCard,
)
from geo.figures.demo import DEMO_LABEL
from geo.figures.published import FIGURES, SOURCE
from geo.geography.geographies import geography_area_label
from geo.i18n import Lang, format_number, t
from geo.output.display import markdown_text
from geo.ui.resources import geography_for, kpis_for, metrics_for, published_applies
from geo.view import MapView

__all__ = ["PUBLISHED_PERIOD", "base_period", "kpi_cards", "kpi_section"]

#: The indicators shown, left to right.
SHOWN = ("models_total", "models_replicated", "ntm_communes", "land_communes", "land_done_ha")


def base_period(view: MapView, periods: list[int]) -> int | None:
    """The period changes are counted from: the earlier one compared, or the one before."""
    if view.is_change:
        return view.compare_from
    earlier = [p for p in periods if p < view.period]
    return earlier[-1] if earlier else None


def kpi_section(
    view: MapView, metrics: pd.DataFrame, *, periods: list[int], revision: int
) -> pd.DataFrame | None:
    """Heading and cards of the province indicators.

    Parameters
    ----------
    view : MapView
        The reader's view (its period, or the two periods compared).
    metrics : pandas.DataFrame
        Metrics of the view's period.
    periods : list of int
        Every period with figures, oldest first.
    revision : int
        Store revision (the cache key of the base period's metrics).

    Returns
    -------
    pandas.DataFrame or None
        The base period's metrics, ``None`` when there is no earlier period.
    """
    lang = view.lang
    base = base_period(view, periods)
    estimate = view.estimate
    before = (
        None if base is None else metrics_for(view.geography_key, base, revision, estimate=estimate)
    )
    label = f" · {DEMO_LABEL}" if view.demo else ""
    if estimate:
        # Sums of area-apportioned shares: the heading says they are estimates.
        label += f" · {t('summary.estimate_label', lang)}"
    shown = f"{view.compare_from} → {view.period}" if view.is_change else f"{view.period}"
    # The cards are the area's: "Chỉ số toàn khu vực · Tỉnh Hòa Bình cũ", not "the province".
    area = markdown_text(kpi_area(view.geography_key, lang))  # names from the boundary file
    st.subheader(f"{t('app.kpis_of', lang, area=area)} · {shown}{label}")
    published = published_applies(view.geography_key)
    cards = kpis_for(view.geography_key, view.period, base, revision, published, estimate=estimate)
    kpi_cards(cards, view.period, base, lang, published=published)
    return before


def kpi_area(geography_key: str, lang: Lang) -> str:
    """The area the cards sum over: the former Hòa Bình, a province, several, the country."""
    return geography_area_label(geography_for(geography_key), lang)


def kpi_cards(
    cards: list[KpiCard],
    period: int,
    base: int | None,
    lang: Lang,
    *,
    published: frozenset[str] = frozenset(FIGURES),
) -> None:
    """Lay out the area's indicator cards (:func:`geo.ui.resources.kpis_for`): in 2019 the
    published figure and source beside those that speak of the same area (``published``, see
    :func:`geo.ui.resources.published_applies`), in later periods the previous period."""
    shown = {card.key: card for card in cards}
    cards = [shown[key] for key in SHOWN]
    for column, card in zip(st.columns(len(SHOWN)), cards, strict=True):
        delta = None
        if card.change is not None:
            sign = "+" if card.change > 0 else ""
            diff = sign + format_number(card.change, lang, decimals=card.decimals)
            delta = t("kpi.delta", lang, diff=diff, period=base)
        with column:
            st.metric(
                t(f"kpi.{card.key}", lang),
                format_number(card.value, lang, decimals=card.decimals),
                delta=delta,
                delta_color="normal" if delta else "off",
            )
            caption = _card_caption(card, period, lang, published=card.key in published)
            if caption:
                st.caption(caption)
    if period != PUBLISHED_PERIOD and base is not None:
        return  # set against the previous period: no published figure shown, no source needed
    if published:
        source = f"{t('app.source', lang)}: {SOURCE.citation}. "
        counts = "" if published >= set(FIGURES) else " " + t("kpi.counts_not_compared", lang)
        st.caption(source + t("app.kpi_denominator_note", lang) + counts)
    else:
        st.caption(t("kpi.published_not_applicable", lang))


def _card_caption(card: KpiCard, period: int, lang: Lang, *, published: bool) -> str:
    """The line under a card: the published figure (2019), the previous period, or why the
    previous period is not compared."""
    if card.reference == REFERENCE_PUBLISHED:
        value = format_number(card.reference_value or 0.0, lang)
        verdict = (
            t("kpi.matches", lang)
            if card.matches
            else t(
                "kpi.difference", lang, diff=format_number(card.difference or 0.0, lang, decimals=1)
            )
        )
        return f"{t('app.published', lang)} ({SOURCE.as_of}): **{value}** · {verdict}"
    if card.reference == REFERENCE_PREVIOUS:
        value = format_number(card.reference_value or 0.0, lang, decimals=card.decimals)
        return t("kpi.previous", lang, period=card.reference_period, value=value)
    if not card.comparable:
        return ntm_not_comparable(card.base, period, lang) if card.base is not None else ""
    if published and period != PUBLISHED_PERIOD:
        # No earlier period to set it against: the published figure, with its period.
        value = format_number(FIGURES[card.key].value, lang)
        return t(
            "kpi.published_other", lang, as_of=SOURCE.as_of, value=value, period=PUBLISHED_PERIOD
        )
    return ""
