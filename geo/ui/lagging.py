"""The lagging communes: the planner's rules, the communes found, their files, a map outline."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from geo.analysis.lagging import (
    PROGRESS_INDICATORS,
    ConsolidationBelow,
    CriteriaBelow,
    CriterionNotMet,
    NoModelInField,
    NoProgress,
    Rule,
    criteria_choice,
    describe_rules,
    find_lagging,
)
from geo.figures.criteria import set_label
from geo.figures.demo import DEMO_LABEL
from geo.figures.indicators import FIELDS
from geo.geography.geographies import Geography, geography_area_label, group_level
from geo.i18n import Lang, t
from geo.output.display import lagging_table, markdown_text, slug
from geo.output.export import criteria_set_text
from geo.output.table_export import csv_bytes, xlsx_bytes
from geo.ui.districts import district_box, group_label
from geo.ui.resources import district_names
from geo.ui.widgets import choice_box, choice_radio
from geo.view import MapView

__all__ = [
    "MARK_KEY",
    "SHOWN_ROWS",
    "found_table",
    "lagging_rules",
    "lagging_section",
    "lagging_title",
    "outlines_requested",
]

#: Session key of the switch that outlines the lagging communes on the map.
MARK_KEY = "lag_mark"
#: Rows of the lagging communes shown as a plain table (the most lagging first).
SHOWN_ROWS = 25


def outlines_requested() -> bool:
    """The reader asked to outline the lagging communes on the map (known before they are
    found: a widget's new value is in the session state when the run starts)."""
    return bool(st.session_state.get(MARK_KEY))


def lagging_rules(
    lang: Lang, *, has_previous: bool, period: int, metrics: pd.DataFrame
) -> list[Rule]:
    """The planner's conditions: each one a checkbox with its setting beside it.

    The criteria rules are those of ``period``'s NTM criteria set (:func:`criteria_choice`):
    the threshold goes up to the set's count, and a single criterion can be asked for where
    ``metrics`` has per-criterion columns.
    """
    rules: list[Rule] = []
    choice = criteria_choice(metrics, period)
    left, right = st.columns(2)
    with left:
        if st.checkbox(t("lag.use_criteria", lang), value=True, key="lag_use_criteria"):
            label = t("lag.criteria_n", lang)
            if choice.criteria_set is not None:
                set_name = set_label(choice.criteria_set, lang)
                label = t("lag.criteria_n_set", lang, count=choice.most, set=set_name)
            n = st.number_input(
                label,
                min_value=1,
                max_value=choice.most,
                value=choice.default,
                # One setting per count: 15 of 19 kept for 2024 is no value for 2026's 10.
                key=f"lag_n_{choice.most}",
            )
            rules.append(CriteriaBelow(int(n), period=period))
        if choice.criteria and st.checkbox(
            t("lag.use_criterion", lang), value=False, key="lag_use_criterion"
        ):
            number = choice_box(
                st,
                t("lag.criterion", lang),
                choice.criteria,
                key=f"lag_criterion_{choice.most}",
                lang=lang,
                format_func=lambda n: CriterionNotMet(n, period=period).describe(lang),
            )
            rules.append(CriterionNotMet(number, period=period))
        if st.checkbox(t("lag.use_no_model", lang), value=False, key="lag_use_field"):
            field = choice_box(
                st,
                t("app.field", lang),
                FIELDS,
                key="lag_field",
                lang=lang,
                format_func=lambda f: t(f"lag.field.{f}", lang),
            )
            rules.append(NoModelInField(field))
    with right:
        if st.checkbox(t("lag.use_land", lang), value=False, key="lag_use_land"):
            pct = st.number_input(
                t("lag.land_pct", lang), min_value=1, max_value=100, value=50, key="lag_pct"
            )
            rules.append(ConsolidationBelow(float(pct)))
        if st.checkbox(t("lag.use_progress", lang), value=False, key="lag_use_progress"):
            indicator = choice_box(
                st,
                t("lag.progress_on", lang),
                PROGRESS_INDICATORS,
                key="lag_progress",
                lang=lang,
                format_func=lambda i: t(f"lag.progress.{i}", lang),
            )
            if has_previous:
                rules.append(NoProgress(indicator))
            else:
                st.caption(t("lag.no_previous", lang))
    return rules


def lagging_section(
    view: MapView, metrics: pd.DataFrame, previous: pd.DataFrame | None, geography: Geography
) -> list[str]:
    """Rules, result table, downloads; returns the codes to outline on the map.

    Parameters
    ----------
    view : MapView
        The reader's view (period, language, demo figures).
    metrics : pandas.DataFrame
        Metrics of the view's period.
    previous : pandas.DataFrame or None
        The base period's metrics (the period before, or the earlier period compared):
        "no progress" is counted since it.
    geography : Geography
        The communes and districts shown.

    Returns
    -------
    list of str
        Codes of the lagging communes to outline, empty unless the reader asked for it.
    """
    lang, period = view.lang, view.period
    names = district_names(geography)
    st.caption(t("lag.intro", lang, period=period))
    rules = lagging_rules(lang, has_previous=previous is not None, period=period, metrics=metrics)
    left, right = st.columns(2)
    combine = choice_radio(
        left,
        t("lag.combine", lang),
        ("and", "or"),
        format_func=lambda c: t(f"lag.combine.{c}", lang),
        horizontal=True,
        key="lag_combine",
        lang=lang,
    )
    district = district_box(
        right,
        t("lag.district", lang) if geography.has_districts else group_label(geography, lang),
        geography,
        key="lag_district",
        lang=lang,
    )
    if not rules:
        st.info(t("lag.no_rule", lang))
        return []
    found = find_lagging(metrics, rules, combine=combine, previous=previous, district_code=district)
    where = markdown_text(names[district] if district else geography_area_label(geography, lang))
    described = describe_rules(rules, combine, lang)
    if found.empty:
        st.info(t("lag.none", lang, period=period, where=where, rules=described))
        return []
    st.markdown(t("lag.found", lang, n=len(found), where=where, rules=described))
    found_table(lagging_table(found, rules, lang, group=group_level(geography)), lang)
    st.caption(t("lag.gap_help", lang))
    return lagging_downloads(view, found, rules, where=where, described=described)


def found_table(table: pd.DataFrame, lang: Lang) -> None:
    """The lagging communes, the most lagging first, as a plain table of at most
    :data:`SHOWN_ROWS` rows; the whole list in a scrolling grid when the reader asks for it.

    A plain table costs a new reader's browser little; the grid's scripts (~1 MB) made the
    first map appear about 0.3 s later (bench/load.py), and the files hold every row anyway.
    """
    if len(table) <= SHOWN_ROWS:
        st.table(_as_text(table))
        return
    if st.checkbox(t("lag.show_all", lang, n=len(table)), value=False, key="lag_show_all"):
        st.dataframe(table, hide_index=True, width="stretch")
        return
    st.table(_as_text(table.head(SHOWN_ROWS)))
    st.caption(t("lag.shown_top", lang, shown=SHOWN_ROWS, n=len(table)))


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` for ``st.table``, which reads Markdown in cells and headers: names from files
    show as written, never as links or images."""
    shown = table.map(lambda value: markdown_text(value) if isinstance(value, str) else value)
    shown.columns = [markdown_text(column) for column in table.columns]
    return shown


def lagging_title(view: MapView, rules: list[Rule], *, where: str, described: str) -> list[str]:
    """The title lines of the lagging communes' Excel file: what, where, when, the rules, the
    NTM criteria set when a rule is about NTM (19 criteria until 2025, 10 from 2026: "15" means
    different things), and the demo label.

    Examples
    --------
    >>> from geo.analysis.lagging import CriteriaBelow, NoModelInField
    >>> view = MapView(layer="ntm", period=2026, lang="en")
    >>> lines = lagging_title(view, [CriteriaBelow(8, period=2026)], where="A", described="x")
    >>> lines[2]
    'NTM criteria set: 2026–2030 criteria set (51/2025/QĐ-TTg, 10 criteria)'
    >>> len(lagging_title(view, [NoModelInField("economy")], where="A", described="x"))
    2
    """
    lang = view.lang
    lines = [
        t("lag.export_title", lang, where=where, period=view.period),
        t("lag.export_rules", lang, rules=described),
    ]
    if any(_about_ntm(rule) for rule in rules):
        # A "no progress" on NTM compares two periods, maybe of two sets: both are named.
        progress = any(isinstance(rule, NoProgress) for rule in rules) and view.is_change
        criteria = criteria_set_text(view.periods if progress else [view.period], lang)
        if criteria:
            lines.append(t("lag.export_criteria_set", lang, set=criteria))
    if view.demo:
        lines.append(DEMO_LABEL)
    return lines


def _about_ntm(rule: Rule) -> bool:
    """The rule judges NTM criteria (counts, one criterion, progress on NTM)."""
    if isinstance(rule, NoProgress):
        return rule.indicator == "ntm"
    return isinstance(rule, CriteriaBelow | CriterionNotMet)


def lagging_downloads(
    view: MapView, found: pd.DataFrame, rules: list[Rule], *, where: str, described: str
) -> list[str]:
    """The found communes as Excel and CSV, and the switch that outlines them on the map."""
    lang, period, demo = view.lang, view.period, view.demo
    title = lagging_title(view, rules, where=where, described=described)
    table = lagging_table(found, rules, lang, for_file=True)
    # Demo figures say so in the file name too (a CSV has no room for a note).
    name = f"xa-cham-tien-do-{slug(where)}-{period}" + ("-du-lieu-minh-hoa" if demo else "")
    one, two, three = st.columns([1, 1, 2])
    one.download_button(
        t("lag.download_xlsx", lang),
        # Built when its button is clicked, not on every run of every reader.
        functools.partial(xlsx_bytes, table, sheet_name=t("lag.sheet", lang), title_lines=title),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="lag_xlsx",
    )
    two.download_button(
        t("lag.download_csv", lang),
        # Readers of English get "," between cells and "." before decimals, as their Excel
        # reads them; the help says which convention the file follows.
        functools.partial(csv_bytes, table, convention=lang),
        file_name=f"{name}.csv",
        mime="text/csv",
        help=t("lag.download_csv_help", lang),
        on_click="ignore",
        key="lag_csv",
    )
    # Off by default: the map is the leaders' first view; a planner switches it on.
    if three.checkbox(t("lag.mark_on_map", lang), value=False, key=MARK_KEY):
        return found["commune_code"].tolist()
    return []
