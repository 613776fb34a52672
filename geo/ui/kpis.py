"""The province indicators: KPI cards, the change since a base period, the published figure."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis.metrics import Kpi
from geo.figures.demo import DEMO_LABEL
from geo.figures.published import FIGURES, SOURCE
from geo.geography.geographies import geography_area_label
from geo.i18n import Lang, format_number, t
from geo.output.display import markdown_text
from geo.ui.resources import geography_for, kpis_for, metrics_for, published_applies
from geo.view import MapView

__all__ = ["PUBLISHED_PERIOD", "base_period", "kpi_cards", "kpi_section"]

#: The period the published figures refer to (the article gives figures to 4/2019).
PUBLISHED_PERIOD = 2019
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
    before = None if base is None else metrics_for(view.geography_key, base, revision)
    label = f" · {DEMO_LABEL}" if view.demo else ""
    shown = f"{view.compare_from} → {view.period}" if view.is_change else f"{view.period}"
    # The cards are the area's: "Chỉ số toàn khu vực · Tỉnh Hòa Bình cũ", not "the province".
    area = markdown_text(kpi_area(view.geography_key, lang))  # names from the boundary file
    st.subheader(f"{t('app.kpis_of', lang, area=area)} · {shown}{label}")
    published = published_applies(view.geography_key)
    kpi_cards(
        kpis_for(view.geography_key, view.period, revision, published),
        None if base is None else kpis_for(view.geography_key, base, revision),
        view.period,
        base,
        lang,
        published=published,
    )
    return before


def kpi_area(geography_key: str, lang: Lang) -> str:
    """The area the cards sum over: the former Hòa Bình, a province, several, the country."""
    return geography_area_label(geography_for(geography_key), lang)


def kpi_cards(
    current: list[Kpi],
    before: list[Kpi] | None,
    period: int,
    base: int | None,
    lang: Lang,
    *,
    published: frozenset[str] = frozenset(FIGURES),
) -> None:
    """Indicators of the area computed from the data (``current``, with the published figures
    of ``published``; ``before``: those of the base period), the published figure and source
    beside those that speak of the same area (``published``, see
    :func:`geo.ui.resources.published_applies`)."""
    kpis = {kpi.key: kpi for kpi in current}
    earlier = {kpi.key: kpi for kpi in before} if before is not None else {}
    for column, key in zip(st.columns(len(SHOWN)), SHOWN, strict=True):
        kpi = kpis[key]
        decimals = 1 if kpi.value % 1 else 0
        delta = None
        if key in earlier:
            change = kpi.value - earlier[key].value
            sign = "+" if change > 0 else ""
            delta = t(
                "kpi.delta",
                lang,
                diff=sign + format_number(change, lang, decimals=decimals),
                period=base,
            )
        with column:
            st.metric(
                t(f"kpi.{key}", lang),
                format_number(kpi.value, lang, decimals=decimals),
                delta=delta,
                delta_color="normal" if delta else "off",
            )
            if kpi.published is None:
                continue
            value = format_number(kpi.published, lang)
            if period != PUBLISHED_PERIOD:
                st.caption(
                    t(
                        "kpi.published_other",
                        lang,
                        as_of=SOURCE.as_of,
                        value=value,
                        period=PUBLISHED_PERIOD,
                    )
                )
                continue
            diff = kpi.difference or 0.0
            verdict = (
                t("kpi.matches", lang)
                if abs(diff) < 0.05
                else t("kpi.difference", lang, diff=format_number(diff, lang, decimals=1))
            )
            st.caption(f"{t('app.published', lang)} ({SOURCE.as_of}): **{value}** · {verdict}")
    if published:
        source = f"{t('app.source', lang)}: {SOURCE.citation}. "
        counts = "" if published >= set(FIGURES) else " " + t("kpi.counts_not_compared", lang)
        st.caption(source + t("app.kpi_denominator_note", lang) + counts)
    else:
        st.caption(t("kpi.published_not_applicable", lang))
