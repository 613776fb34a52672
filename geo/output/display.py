"""Tables as readers see them: labelled columns, numbers written the Vietnamese or English way.

Screen tables (:func:`commune_table`, :func:`district_table`, :func:`profile_figures`,
:func:`lagging_table`) hold formatted text (``4.648``; ``42,9 %``), already in the order to
show. Files to send (:func:`lagging_table` with ``for_file=True``) keep numbers as numbers,
under the same labels, so a spreadsheet can sum and sort them.

Examples
--------
>>> format_value("land_pct_of_plan", 42.857, "vi"), format_value("models_total", 4648, "en")
('42,9 %', '4,648')
>>> slug("Huyện Lạc Sơn")
'huyen-lac-son'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence

import pandas as pd

from geo.analysis.commune_profile import CommuneProfile
from geo.analysis.compare import ntm_not_comparable
from geo.analysis.lagging import Rule
from geo.collation import sort_key
from geo.figures.criteria import criteria_set_for, criteria_text
from geo.figures.indicators import FIELD_COLUMNS, FIELDS
from geo.geography.geographies import Geography, GroupLevel, boundary_kind_text
from geo.i18n import Lang, format_number, format_percent, has_key, t
from geo.web.layers import LAYERS

__all__ = [
    "ESTIMATE_MARK",
    "WORD_JOINER",
    "column_label",
    "commune_table",
    "decimals_of",
    "district_table",
    "format_value",
    "group_header",
    "history_frame",
    "history_note",
    "lagging_table",
    "legend_notes",
    "markdown_text",
    "named_model_lines",
    "ntm_change_note",
    "ntm_status_line",
    "periods_text",
    "profile_caption",
    "profile_figures",
    "slug",
]

#: Decimals by column; columns not listed are whole numbers.
_DECIMALS = {
    "models_per_km2": 2,
    "models_per_1000": 2,
    "area_km2": 1,
    "land_done_ha": 1,
    "land_planned_ha": 1,
    "land_done_ha_previous": 1,
    "gap": 2,
}
_PERCENT = {"land_pct_of_plan", "land_pct_points"}
_LABEL_KEYS = {"commune_name": "field.commune", "district_name": "field.district"}


def slug(text: str) -> str:
    """ASCII lower-case words joined by ``-`` (for file names): no accents, no spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def column_label(column: str, lang: Lang) -> str:
    """The header of a column: ``field.<column>`` in :mod:`geo.i18n`, else the column name."""
    if column.endswith("_previous"):
        return t("lag.col.previous", lang, column=column_label(column[: -len("_previous")], lang))
    key = _LABEL_KEYS.get(column, f"field.{column}")
    return t(key, lang) if has_key(key) else column


def decimals_of(column: str) -> int | None:
    """Decimals a measure is written with (percentages 1), ``None`` for a column not listed.

    Examples
    --------
    >>> decimals_of("land_done_ha"), decimals_of("land_pct_of_plan"), decimals_of("x")
    (1, 1, None)
    """
    return 1 if column in _PERCENT else _DECIMALS.get(column)


def format_value(column: str, value: object, lang: Lang) -> str:
    """One cell as text: NTM levels by name, percentages with ``%``, numbers localised."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if column.startswith("ntm_level"):
        return t(f"ntm.{value}", lang)
    if column in _PERCENT:
        return format_percent(float(value), lang)
    return format_number(float(value), lang, decimals=_DECIMALS.get(column, 0))


def _formatted(frame: pd.DataFrame, columns: Sequence[str], lang: Lang) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        if column in ("commune_code", "commune_name", "district_name"):
            out[column_label(column, lang)] = frame[column].astype(str)
        else:
            out[column_label(column, lang)] = [format_value(column, v, lang) for v in frame[column]]
    return out.reset_index(drop=True)


#: Columns of the commune table, in order.
COMMUNE_COLUMNS: tuple[str, ...] = (
    "commune_code",
    "commune_name",
    "district_name",
    "models_total",
    "models_per_km2",
    "models_per_1000",
    "models_replicated",
    "ntm_level",
    "criteria_met",
    "land_done_ha",
    "land_planned_ha",
    "land_pct_of_plan",
)


def commune_table(metrics: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The figures of every commune, one row each, labelled and formatted, by district and
    commune name in Vietnamese order (:func:`geo.collation.vietnamese_key`)."""
    rows = metrics.sort_values(["district_name", "commune_name"], key=sort_key)
    table = _formatted(rows, COMMUNE_COLUMNS, lang)
    # Wards and towns are not rated: "not applicable" rather than a dash.
    urban = (rows["commune_type"] != "Xã").to_numpy() & rows["ntm_level"].isna().to_numpy()
    table.loc[urban, column_label("ntm_level", lang)] = t("legend.not_applicable_short", lang)
    return table


#: Columns of the district summary, in order.
DISTRICT_COLUMNS: tuple[str, ...] = (
    "district_name",
    "communes",
    "area_km2",
    "population",
    "models_total",
    "models_per_km2",
    "models_per_1000",
    "models_replicated",
    "ntm_reached",
    "land_communes",
    "land_done_ha",
    "land_pct_of_plan",
)


def district_table(
    summary: pd.DataFrame, province: pd.Series, lang: Lang, *, group: GroupLevel = "district"
) -> pd.DataFrame:
    """:func:`geo.analysis.metrics.district_summary` plus a province row, labelled and formatted.

    ``ntm_reached`` reads "reached / rated" (xã rated for NTM), e.g. ``12/18``. ``group``: what
    the rows are (:func:`geo.geography.geographies.group_level`); on a 2025 map the former
    districts ("Khu vực huyện cũ") and the whole area last.
    """
    whole = t("app.all_districts" if group == "district" else "app.whole_area", lang)
    total = province.to_frame().T.assign(district_name=whole)
    rows = pd.concat([summary, total], ignore_index=True)
    table = _formatted(rows, DISTRICT_COLUMNS, lang)
    table[column_label("ntm_reached", lang)] = [
        f"{format_number(r, lang)}/{format_number(a, lang)}"
        for r, a in zip(rows["ntm_reached"], rows["ntm_applicable"], strict=True)
    ]
    return table.rename(columns={column_label("district_name", lang): group_header(group, lang)})


def group_header(group: GroupLevel, lang: Lang) -> str:
    """The header of the column that groups communes: "Huyện" on a layer with districts, the
    former district or the province on a 2025 layer (never "Huyện" there).

    Examples
    --------
    >>> group_header("district", "vi"), group_header("former_district", "vi")
    ('Huyện', 'Khu vực huyện cũ (trước 1/7/2025)')
    """
    return t("field.district" if group == "district" else f"app.area_group.{group}", lang)


def _rank_text(rank: object, count: object) -> str:
    if rank is None or pd.isna(rank):
        return ""
    return f"{int(rank)}/{int(count)}"


#: Indicators of the panel's table (area and population go in its caption).
PANEL_INDICATORS: tuple[str, ...] = (
    "models_total",
    "models_economy",
    "models_culture_society",
    "models_defence_security",
    "models_political_system",
    "models_replicated",
    "models_per_km2",
    "models_per_1000",
    "ntm_level",
    "criteria_met",
    "land_done_ha",
    "land_planned_ha",
    "land_pct_of_plan",
)


def profile_figures(
    profile: CommuneProfile, lang: Lang, *, group: GroupLevel = "district", estimate: bool = False
) -> pd.DataFrame:
    """The panel's table: indicator, value, rank in the district · rank in the province.

    Ranks read ``4/11 · 45/151`` (ties share the better rank). Indicators without a value are
    left out, except the NTM rows of a xã (shown "–"); a ward's NTM rows read "not
    applicable". ``group`` is what the first rank is within
    (:func:`geo.geography.geographies.group_level`): on a 2025 map the former district
    ("Hạng: khu vực huyện cũ · toàn khu vực"), never a district of today. ``estimate``: the
    values are an area-apportioned estimate, and their column says so ("Giá trị (ước tính)").
    """
    value_label = t("panel.value_estimate" if estimate else "panel.value", lang)
    ranks_label = t("panel.ranks" if group == "district" else f"panel.ranks.{group}", lang)
    rows = []
    records = profile.indicators.set_index("indicator")
    for column in PANEL_INDICATORS:
        if column not in records.index:
            continue
        record = records.loc[column]
        value = record["value"]
        ntm_row = column in ("ntm_level", "criteria_met")
        if ntm_row and not profile.ntm_applies:
            text = t("legend.not_applicable_short", lang)
        elif (value is None or pd.isna(value)) and not ntm_row:
            continue
        else:
            text = format_value(column, value, lang)
        ranks = [
            _rank_text(record["district_rank"], record["district_count"]),
            _rank_text(record["province_rank"], record["province_count"]),
        ]
        rows.append(
            {
                t("panel.indicator", lang): column_label(column, lang),
                value_label: text,
                ranks_label: " · ".join(ranks) if all(ranks) else "",
            }
        )
    return pd.DataFrame(rows)


def profile_caption(profile: CommuneProfile, lang: Lang, *, group: GroupLevel = "district") -> str:
    """``Huyện Lạc Sơn · kỳ 2019 · 27,7 km² · 6.430 dân`` (area and population when known).

    ``group``: what the profile's district is (:func:`geo.geography.geographies.group_level`);
    on a 2025 map the former district says so ("Khu vực huyện cũ: Huyện Đà Bắc · kỳ 2026"),
    never reads as a district of today.
    """
    values = profile.indicators.set_index("indicator")["value"]
    district = markdown_text(profile.district_name)  # from the boundary file: text, not markup
    where = "panel.where" if group != "former_district" else "panel.where.former_district"
    parts = [t(where, lang, district=district, period=profile.period)]
    area, population = values.get("area_km2"), values.get("population")
    if area is not None and pd.notna(area):
        parts.append(f"{format_number(float(area), lang, decimals=1)} km²")
    if population is not None and pd.notna(population):
        parts.append(t("panel.population", lang, n=format_number(float(population), lang)))
    return " · ".join(parts)


def ntm_status_line(profile: CommuneProfile, lang: Lang) -> str:
    """The panel's NTM line (markdown), criteria counted out of the set of the profile's period.

    "Nông thôn mới: **Đạt chuẩn NTM**, đạt 8/10 tiêu chí (bộ tiêu chí 2026–2030) · đạt chuẩn
    năm 2026"; a ward's line says the programme does not rate it, a xã without figures says so.
    """
    if not profile.ntm_applies:
        return t("panel.ntm_na", lang)
    if profile.ntm_level is None:
        return t("panel.ntm_unknown", lang)
    criteria = criteria_text(profile.criteria_met, profile.period, lang)
    line = t(
        "panel.ntm_line",
        lang,
        level=t(f"ntm.{profile.ntm_level}", lang),
        criteria=criteria or t("panel.ntm_no_criteria", lang),
    )
    if profile.ntm_year is not None:
        line += " · " + t("panel.ntm_year", lang, year=profile.ntm_year)
    return line


def ntm_change_note(periods: Sequence[int], lang: Lang, *, layer: str) -> str:
    """Why the NTM levels of a change map are not compared; ``""`` when they are, on a map of
    one period, or on a layer that is not about NTM (models and hectares compare).

    Examples
    --------
    >>> note = ntm_change_note((2024, 2026), "en", layer="change_ntm")
    >>> note.startswith("NTM levels not comparable: 2024"), "have 19 and 10 criteria" in note
    (True, True)
    >>> ntm_change_note((2021, 2025), "vi", layer="change_ntm")
    ''
    >>> ntm_change_note((2024, 2026), "vi", layer="change_models")
    ''
    """
    spec = LAYERS.get(layer)
    if len(periods) != 2 or spec is None or spec.family != "ntm":
        return ""
    reason = ntm_not_comparable(periods[0], periods[-1], lang)
    if not reason:
        return ""
    first, last = criteria_set_for(periods[0]), criteria_set_for(periods[-1])
    if first is None or last is None:  # a period before the first set: the reason says it all
        return reason
    why = t("criteria.not_comparable_why", lang, count0=first.count, count1=last.count)
    return f"{reason}. {why}"


#: Every character with a meaning in Streamlit's markdown: CommonMark and GFM syntax, HTML,
#: entities (``&amp;``), math (``$``), emoji short codes and colour directives (``:red[…]``).
#: All are ASCII punctuation, which CommonMark lets a backslash escape without a trace.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^\"])")
#: GFM links bare addresses ("http://…", "www.…", "a@b.vn") after parsing, so escapes do not stop
#: it: an invisible word joiner (U+2060) before the scheme's colon, after "www" and before "@"
#: breaks the pattern and leaves the text as the reader sees it.
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto|xmpp)(?=:)|www(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
#: The mark of an estimated period in a commune's history (``2026†``), beside the star of a
#: converted one.
ESTIMATE_MARK = "†"


def markdown_text(text: object) -> str:
    """Text from data, made safe to put in Streamlit markdown: it shows as it is, never as markup.

    Whitespace runs (newlines too) become one space, so a name stays on its line and cannot
    start a heading, a list or a code block; markdown characters are escaped (shown without
    the backslash); bare web and mail addresses are kept from becoming links.

    Examples
    --------
    >>> markdown_text("Mô hình *số 1* [x]")
    'Mô hình \\\\*số 1\\\\* \\\\[x\\\\]'
    >>> markdown_text("![t](http://evil.example/t.png)").replace(WORD_JOINER, "^")
    '\\\\!\\\\[t\\\\]\\\\(http^\\\\://evil\\\\.example/t\\\\.png\\\\)'
    >>> markdown_text("Xã  A\\n\\n# B")
    'Xã A \\\\# B'
    """
    one_line = " ".join(str(text).split())
    unlinked = _AUTOLINK.sub(lambda match: match.group(0) + WORD_JOINER, one_line)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)


def named_model_lines(named: pd.DataFrame, lang: Lang) -> list[str]:
    """One markdown bullet per named model: name, then field, year, replicated, source."""
    lines = []
    for row in named.itertuples(index=False):
        field = row.field
        details = [t(f"lag.field.{field}", lang) if field in FIELDS else markdown_text(field)]
        if pd.notna(row.year_recognised):
            details.append(t("panel.model_since", lang, year=int(row.year_recognised)))
        if bool(row.replicated):
            details.append(t("panel.model_replicated_yes", lang))
        key = f"provenance.{row.provenance}"
        details.append(t(key, lang) if has_key(key) else markdown_text(row.provenance))
        lines.append(f"- {markdown_text(str(row.model_name))} — *{', '.join(details)}*")
    return lines


def history_frame(history: pd.DataFrame, columns: Sequence[str], lang: Lang) -> pd.DataFrame:
    """Series for a chart: one labelled column per indicator, indexed by period (as text).

    The period is text so charts show ``2019``, not ``2,019``; a period whose figures were
    converted from the former communes (``converted``, :func:`commune_history`) reads
    ``2019*``, one estimated from the new commune by area share (``estimated``) ``2026†``
    (:func:`history_note` says what the marks mean).

    Examples
    --------
    >>> history = pd.DataFrame({"period": [2024, 2026], "converted": [False, False],
    ...                         "estimated": [False, True], "models_total": [3, 4]})
    >>> list(history_frame(history, ["models_total"], "en").index)
    ['2024', '2026†']
    """
    periods = history["period"].astype(str)
    if "converted" in history:
        periods = periods.where(~history["converted"].astype(bool), periods + "*")
    if "estimated" in history:
        periods = periods.where(~history["estimated"].astype(bool), periods + ESTIMATE_MARK)
    out = pd.DataFrame(index=periods)
    out.index.name = t("app.period", lang)
    for column in columns:
        values = pd.to_numeric(history[column]).astype("Float64").astype(float)
        out[column_label(column, lang)] = values.to_numpy()
    return out


def periods_text(periods: Iterable[int]) -> str:
    """Years as a reader writes them: ``2019–2024`` for a run, else with commas.

    Examples
    --------
    >>> periods_text([2024, 2019, 2020, 2021, 2022, 2023]), periods_text([2019, 2024])
    ('2019–2024', '2019, 2024')
    """
    years = sorted({int(period) for period in periods})
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def history_note(
    history: pd.DataFrame, provenance: Sequence[Mapping[str, object]], family: str, lang: Lang
) -> str:
    """The footnote of a history chart's marked periods: which were converted, from which
    former communes, by which rule (the ``conversion_note`` of ``family``'s row in
    :func:`geo.analysis.vintages.provenance_of`); which are area-apportioned estimates
    (``estimated``, marked ``†``); ``""`` when none was either.

    Examples
    --------
    >>> history = pd.DataFrame({"period": [2024, 2026], "converted": [True, False]})
    >>> rows = [{"family": "models", "conversion_note": "Sum of 2 former units: A, B"}]
    >>> note = history_note(history, rows, "models", "en")
    >>> note.startswith("\\\\* 2024 (before"), "Sum of 2 former units" in note
    (True, True)
    >>> history = history.assign(converted=False, estimated=[False, True])
    >>> history_note(history, [], "models", "en")
    '† 2026: area-apportioned ESTIMATE from the new commune (2025 units)'
    """
    lines = []
    if "converted" in history and history["converted"].astype(bool).any():
        periods = periods_text(history.loc[history["converted"].astype(bool), "period"])
        note = next((row["conversion_note"] for row in provenance if row["family"] == family), "")
        text = t("panel.history_converted", lang, periods=periods)
        lines.append(f"\\* {text}" + (f": {markdown_text(note)}" if note else ""))
    if "estimated" in history and history["estimated"].astype(bool).any():
        periods = periods_text(history.loc[history["estimated"].astype(bool), "period"])
        lines.append(f"{ESTIMATE_MARK} {t('panel.history_estimated', lang, periods=periods)}")
    return "  \n".join(lines)  # a markdown line break between the two footnotes


def _lagging_label(column: str, lang: Lang, group: GroupLevel) -> str:
    # A model field alone in a table reads "Models: economy", not "– economy".
    if column in FIELD_COLUMNS.values():
        return t(f"layer.{column}", lang)
    if column == "district_name":
        return group_header(group, lang)
    return column_label(column, lang)


def lagging_table(
    found: pd.DataFrame,
    rules: Sequence[Rule],
    lang: Lang,
    *,
    for_file: bool = False,
    group: GroupLevel = "district",
) -> pd.DataFrame:
    """:func:`geo.analysis.lagging.find_lagging` as a table to read (``for_file=False``) or to send.

    Columns: code (files only), commune, district, gap, rules failed when several rules, then
    the figures each rule looked at and, for graded rules, the shortfall ("Còn thiếu: …").
    In a file numbers stay numbers; on screen they are formatted. ``group``: what the district
    column holds (:func:`geo.geography.geographies.group_level`); on a 2025 map it is headed
    "Khu vực huyện cũ", never "Huyện".
    """
    rule_keys = {rule.key for rule in rules}
    fixed = (
        "commune_code",
        "commune_name",
        "district_code",
        "district_name",
        "gap",
        "rules_failed",
    )
    figures = [c for c in found.columns if c not in fixed and c not in rule_keys]
    columns = ["commune_code", "commune_name", "district_name", "gap"]
    if len(rules) > 1:
        columns.append("rules_failed")
    columns += figures
    shortfalls = {rule.key: rule.shortfall_label(lang) for rule in rules if rule.graded}
    if for_file:
        out = pd.DataFrame({_lagging_label(c, lang, group): found[c] for c in columns})
        for key, label in shortfalls.items():
            out[label] = found[key]
        for column in out.columns:
            values = out[column]
            whole = pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all()
            if whole and column != column_label("gap", lang):
                out[column] = values.astype("Int64")  # counts read 4, not 4.0
        return out.reset_index(drop=True)
    out = _formatted(found, [c for c in columns if c != "commune_code"], lang)
    out.columns = [_lagging_label(c, lang, group) for c in columns if c != "commune_code"]
    for key, label in shortfalls.items():
        decimals = 1 if key.startswith("land_below_") else 0
        out[label] = [
            "" if pd.isna(v) else format_number(float(v), lang, decimals=decimals)
            for v in found[key]
        ]
    return out


def legend_notes(
    geography: Geography,
    *,
    periods: Sequence[int],
    demo: bool,
    district_name: str | None = None,
    lang: Lang,
    layer: str | None = None,
    converted: bool | Collection[int] = False,
    estimated: Collection[int] = (),
) -> list[str]:
    """The lines under the map legend: period(s) and demo label, boundaries, drill-down.

    Parameters
    ----------
    geography : Geography
        What the map shows (schematic or not, vintage, number of communes).
    periods : sequence of int
        One period, or ``(P0, P1)`` for a change map.
    demo : bool
        Whether the figures are (partly) demo data.
    district_name : str, optional
        The district in view (drill-down).
    lang : {"vi", "en"}
        Language.
    layer : str, optional
        The layer drawn; with ``converted``, a level layer (NTM, land) says how a merged
        commune is coloured.
    converted : bool or collection of int
        The figures were converted from another vintage (:mod:`geo.analysis.vintages`):
        ``True`` for all those shown, or the periods whose figures were (say 2024 of a change
        map 2024 → 2026, whose 2026 are the map's own); the note then names them unless they
        are all the periods shown. ``False`` or empty: nothing said.
    estimated : collection of int
        The periods shown whose figures are an area-apportioned estimate (newer units' figures
        on this older map, :func:`geo.analysis.vintages.tables_for` with ``estimate=True``):
        a line names them and says they are estimates.

    Examples
    --------
    >>> from geo.geography.geographies import default_geography_2025
    >>> geography = default_geography_2025()
    >>> notes = legend_notes(geography, periods=(2024, 2026), demo=False, lang="en",
    ...                      layer="change_models", converted=[2024])
    >>> notes[-1]
    '2024 figures converted from the former communes (2020–2025 units)'
    >>> len(legend_notes(geography, periods=(2026,), demo=False, lang="en", converted=[]))
    2
    >>> from geo.geography.geographies import default_geography
    >>> legend_notes(default_geography(), periods=(2026,), demo=False, lang="en",
    ...              estimated=[2026])[-1]
    '2026 figures: ESTIMATED by area share from the new communes (2025 units)'
    """
    if len(periods) == 1:
        first = f"{t('app.period', lang)}: {periods[0]}"
    else:
        first = t("legend.compare_note", lang, p0=periods[0], p1=periods[-1])
    if demo:
        first += f" · {t('demo.label', lang)}"
    count = len(geography.communes)
    if geography.kind == "schematic":
        boundary = t("legend.schematic_units", lang, vintage=geography.vintage, count=count)
    else:
        # Real boundaries say where they come from: shipped, downloaded, or a user's file.
        kind = boundary_kind_text(geography, lang)
        boundary = t("app.vintage_note", lang, kind=kind, vintage=geography.vintage, count=count)
    notes = [first, boundary]
    if district_name:
        notes.append(t("legend.district_note", lang, district=district_name))
    # A change of NTM level across criteria sets is marked "not comparable": say why.
    if layer is not None and (note := ntm_change_note(periods, lang, layer=layer)):
        notes.append(note)
    # Said only of figures that were converted: never of a period the map's units have figures
    # of their own (2026 on the 2025 units).
    shown = {int(period) for period in periods}
    named = shown if converted is True else shown & {int(p) for p in converted or ()}
    if named:
        key = "legend.derived_note" if layer in _LEVEL_LAYERS else "legend.converted_note"
        if named == shown:
            notes.append(t(key, lang))
        else:
            notes.append(t(f"{key}_periods", lang, periods=", ".join(map(str, sorted(named)))))
    if estimates := shown & {int(p) for p in estimated}:
        notes.append(t("legend.estimated_note", lang, periods=periods_text(estimates)))
    return notes


#: Layers of ordered levels: a merged commune's colour is derived (the lowest level).
_LEVEL_LAYERS = frozenset({"ntm", "land"})
