"""The commune panel beside the map: one commune's status, figures, named models and history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from geo.analysis.commune_profile import CommuneProfile, commune_profile
from geo.analysis.vintages import provenance_of
from geo.geography.geographies import GroupLevel, group_level
from geo.i18n import Lang, t
from geo.output.display import (
    history_frame,
    history_note,
    markdown_text,
    named_model_lines,
    ntm_status_line,
    profile_caption,
    profile_figures,
)
from geo.ui.errors import reporting_fragment
from geo.ui.resources import geography_for, over_periods_for, vintage_tables_for
from geo.ui.state import MAP_HEIGHT, close_panel, set_district
from geo.view import MapView

__all__ = ["HISTORY_TAB_KEY", "commune_panel", "history_tabs", "panel_column"]

#: Session key of the history tabs' state (the label of the open tab).
HISTORY_TAB_KEY = "panel_history_tab"


def panel_column(view: MapView, selected: str | None, *, revision: int) -> None:
    """The panel of the selected commune, or a hint to click one."""
    # The figures of the map's vintage: a 2025 commune's are its predecessors', converted.
    tables = vintage_tables_for(
        view.geography_key, revision, view.lang, estimate=view.estimate
    ).tables
    # As high as the map and scrolling inside: the page below stays where it is.
    with st.container(height=MAP_HEIGHT, border=False, key="commune_panel"):
        if selected is None:
            st.info(t("panel.hint", view.lang))
            return
        profile = commune_profile(
            over_periods_for(view.geography_key, revision, estimate=view.estimate),
            selected,
            period=view.period,
            named=tables.get("named_models"),
            tables=tables,  # the history then marks the periods converted from the former units
        )
        group = group_level(geography_for(view.geography_key))
        # Where the history's starred periods come from (the latest of them: the same former
        # communes every period).
        converted = profile.history.loc[profile.history["converted"], "period"]
        history_from = (
            provenance_of(tables, selected, int(converted.max())) if len(converted) else []
        )
        provenance = provenance_of(tables, selected, view.period)
        commune_panel(
            profile,
            view.lang,
            district_in_view=view.district_code,
            group=group,
            history_from=history_from,
            estimate=any(row["estimate"] for row in provenance),
        )
        provenance_section(provenance, view.lang)


def provenance_section(rows: list[dict[str, object]], lang: Lang) -> None:
    """Where a converted commune's figures come from: former communes, rule, composition; or,
    for an area-apportioned estimate, the new commune it was estimated from."""
    if not rows:
        return
    # An estimate comes from the new commune (2025 units), not from former ones.
    estimate = "_estimate" if rows[0].get("estimate") else ""
    with st.expander(t(f"panel.provenance{estimate}", lang), expanded=True):
        names = markdown_text(str(rows[0]["from_names"]))  # names of the registry: text only
        st.caption(t(f"panel.provenance{estimate}_from", lang, names=names))
        for row in rows:
            family = t(
                f"layer.{row['family']}" if row["family"] != "models" else "panel.history_models",
                lang,
            )
            text = f"**{family}**: {markdown_text(str(row['conversion_note']))}"
            if row["composition"]:
                text += f" · {markdown_text(str(row['composition']))}"
            if row["derived"]:
                text += f" · _{t('panel.derived', lang)}_"
            st.markdown(text)


def commune_panel(
    profile: CommuneProfile,
    lang: Lang,
    *,
    district_in_view: str | None,
    group: GroupLevel = "district",
    history_from: Sequence[Mapping[str, object]] = (),
    estimate: bool = False,
) -> None:
    """Name, NTM status, figures with ranks, named models and history of one commune.

    ``group`` is what the commune's district holds (:func:`group_level`): on a 2025 map its
    former district, and the caption, the zoom button and the ranks say so.
    ``history_from``: :func:`provenance_of` a converted period of the history, for the
    footnote of its starred periods. ``estimate``: the period's figures are an
    area-apportioned estimate: the value column and a line under the table say so.
    """
    zoom = "panel.zoom_district" + ("" if group == "district" else f".{group}")
    st.subheader(markdown_text(profile.name))  # a name from a file is text, not markup
    st.caption(profile_caption(profile, lang, group=group))
    left, right = st.columns(2)
    if district_in_view != profile.district_code:
        left.button(
            t(zoom, lang),
            on_click=set_district,
            args=(profile.district_code,),
            key="panel_zoom",
        )
    right.button(t("panel.close", lang), on_click=close_panel, key="panel_close")
    # Criteria counted out of the set of the panel's period: "đạt 8/10 tiêu chí (bộ … 2026–2030)".
    st.markdown(ntm_status_line(profile, lang))
    # A static table: it wraps long labels in the narrow panel instead of cutting them.
    figures = profile_figures(profile, lang, group=group, estimate=estimate)
    st.table(figures.set_index(t("panel.indicator", lang)))
    if estimate:
        st.caption(t("panel.estimate_note", lang, period=profile.period))
    st.caption(t("panel.ranks_help", lang))
    st.markdown(f"**{t('panel.named_models', lang, n=len(profile.named_models))}**")
    if profile.named_models.empty:
        st.caption(t("panel.no_named_models", lang))
    else:
        st.markdown("\n".join(named_model_lines(profile.named_models, lang)))
    history_tabs(profile, lang, list(history_from))


@reporting_fragment
def history_tabs(
    profile: CommuneProfile, lang: Lang, history_from: Sequence[Mapping[str, object]] = ()
) -> None:
    """The commune's history: models, NTM criteria and land consolidation over the periods.

    Only the open tab's chart is drawn; switching tabs re-runs this part alone (a fragment,
    with the pages' error message, :func:`geo.ui.errors.reporting_fragment`), not the map.
    Periods converted from the former communes read ``2019*``, with a footnote under the
    chart naming them and the rule (:func:`history_note`, from ``history_from``).
    """
    st.markdown(f"**{t('panel.history', lang)}**")
    tabs = st.tabs(
        [t("panel.history_models", lang), t("layer.ntm", lang), t("layer.land", lang)],
        on_change="rerun",
        key=HISTORY_TAB_KEY,
    )
    history = profile.history
    if tabs[0].open:
        with tabs[0]:
            st.bar_chart(
                history_frame(history, ["models_total", "models_replicated"], lang),
                height=180,
                stack=False,
            )
            _footnote(history_note(history, history_from, "models", lang))
    if tabs[1].open:
        with tabs[1]:
            if profile.ntm_applies and history["criteria_met"].notna().any():
                st.line_chart(history_frame(history, ["criteria_met"], lang), height=180)
                _footnote(history_note(history, history_from, "ntm", lang))
            else:
                st.caption(t("panel.ntm_na", lang))
    if tabs[2].open:
        with tabs[2]:
            if history["land_pct_of_plan"].notna().any():
                st.line_chart(history_frame(history, ["land_pct_of_plan"], lang), height=180)
                _footnote(history_note(history, history_from, "land", lang))
            else:
                st.caption(t("panel.no_land", lang))


def _footnote(text: str) -> None:
    if text:
        st.caption(text)
