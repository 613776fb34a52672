"""The province brief: two A4 pages for a meeting, and the communes that lag behind.

Page 1 shows the three maps (models density, NTM, land consolidation) with the legends of the
interactive map, and the province KPIs beside the published figures (value, published,
difference, source). Page 2 lists the communes that lag behind (:func:`lagging_communes`) and
carries the notes (demo data, boundary kind and vintage, attribution, date).

Examples
--------
>>> from geo.geography.geographies import default_geography
>>> from geo.figures.indicators import load_demo
>>> from geo.analysis.metrics import commune_metrics
>>> geography = default_geography()
>>> metrics = commune_metrics(geography.communes, load_demo(), period=2019)
>>> brief_pdf(geography, metrics, MapView(layer="ntm", period=2019, demo=True))[:5]
b'%PDF-'
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.patches import Rectangle

from geo.analysis.lagging import ConsolidationBelow, CriteriaBelow, find_lagging
from geo.analysis.metrics import province_kpis
from geo.analysis.vintages import VintageTables
from geo.collation import sort_key
from geo.figures.criteria import criteria_set_for
from geo.figures.indicators import NTM_CRITERIA_COUNT
from geo.figures.published import FIGURES, SOURCE, PublishedFigure, Source
from geo.geography.geographies import Geography, geography_area_label
from geo.i18n import Lang, format_number, format_percent, t
from geo.output.export import estimated_view, note_lines
from geo.output.printing import (
    _GREY,
    _INK,
    MapSheet,
    _draw_map,
    _finish,
    _fit,
    _legend,
    _line_mm,
    _map_data,
    _nfc,
    _pdf_metadata,
    _print_settings,
    _title_block,
    _wrap,
    paper_size_mm,
)
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_NAME
from geo.view import MapView
from geo.web.maps import LAYER_KEYS

__all__ = ["TIE_BREAKERS", "brief_pdf", "lagging_communes"]

#: Margin of both pages (mm).
_BRIEF_MARGIN = 12.0


#: The second measure that orders communes at the same level in each list (larger first):
#: the population for NTM (more residents concerned), the plan for land consolidation (more
#: hectares still to consolidate). Then district and commune name, in Vietnamese order.
TIE_BREAKERS: dict[str, str] = {"ntm": "population", "land": "land_planned_ha"}


def _ordered(frame: pd.DataFrame, first: str, *, ascending: bool, tie: str) -> pd.DataFrame:
    """``frame`` by ``first``, then ``tie`` (larger first, unknown last), then names."""
    tie_values = pd.to_numeric(frame[tie], errors="coerce") if tie in frame else None
    keyed = frame.assign(_tie=tie_values)
    keyed = keyed.sort_values(
        [first, "_tie", DISTRICT_NAME, COMMUNE_NAME],
        ascending=[ascending, False, True, True],
        na_position="last",
        kind="stable",
        key=sort_key,
    )
    return keyed.drop(columns="_tie")


def lagging_communes(metrics: pd.DataFrame, *, n: int = 10) -> dict[str, pd.DataFrame]:
    """Communes that lag behind, by a deliberately simple rule.

    ``"ntm"``: xã (not phường or thị trấn) whose NTM level is "not yet", fewest criteria met
    first. ``"land"``: communes with a land consolidation plan, lowest % of plan first.
    Communes at the same level go by :data:`TIE_BREAKERS` (the larger population, the larger
    plan first), then by district and commune name in Vietnamese order; at most ``n`` each.
    (The brief itself uses the rules of :mod:`geo.analysis.lagging`, ordered the same way.)

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"commune_name": ["A", "B", "C"], "district_name": "D",
    ...     "commune_type": ["Xã", "Xã", "Phường"], "ntm_level": ["not_yet", "ntm", None],
    ...     "criteria_met": [12, 19, None], "land_done_ha": [1.0, 5.0, None],
    ...     "land_planned_ha": [10.0, 5.0, None], "land_pct_of_plan": [10.0, 100.0, None]})
    >>> lag = lagging_communes(m, n=5)
    >>> lag["ntm"]["commune_name"].tolist(), lag["land"]["commune_name"].tolist()
    (['A'], ['A', 'B'])
    """
    level = metrics["ntm_level"].astype("object")
    rural = metrics["commune_type"].eq("Xã")
    criteria = pd.to_numeric(metrics["criteria_met"], errors="coerce")
    ntm = metrics[rural & level.eq("not_yet") & criteria.notna()]
    ntm = _ordered(ntm.assign(_criteria=criteria), "_criteria", ascending=True, tie="population")
    planned = pd.to_numeric(metrics["land_planned_ha"], errors="coerce")
    land = metrics[(planned > 0) & metrics["land_pct_of_plan"].notna()]
    land = _ordered(land, "land_pct_of_plan", ascending=True, tie="land_planned_ha")
    return {
        "ntm": ntm.drop(columns="_criteria").head(n).reset_index(drop=True),
        "land": land.head(n).reset_index(drop=True),
    }


@dataclass(frozen=True)
class _LaggingList:
    """One list of page 2: the rows shown, and how many communes share the last row's level."""

    rows: pd.DataFrame
    shared: int  # communes found at the level of the last row shown
    shown_shared: int  # of them, how many are shown
    out_of: int  # criteria of the period's set (the NTM list counts criteria met out of these)


def _lagging(
    metrics: pd.DataFrame, *, n: int, lang: Lang, period: int
) -> tuple[dict[str, _LaggingList], str]:
    """The two lists of page 2 and the sentence that says how they were drawn up.

    The rules planners use on screen (:mod:`geo.analysis.lagging`): xã that do not meet every
    NTM criterion of ``period``'s set (19 until 2025, 10 from 2026; 19, the parser's bound,
    for a period no set holds), communes below 100 % of their consolidation plan, furthest
    behind first; at the same gap by :data:`TIE_BREAKERS`, then by name.
    """
    details = metrics[[COMMUNE_CODE, "criteria_met", "land_done_ha", "land_planned_ha"]]
    details = details.assign(population=metrics.get("population"))
    lists = {}
    criteria = (
        CriteriaBelow.all_of(period)
        if criteria_set_for(period) is not None
        else CriteriaBelow(NTM_CRITERIA_COUNT)
    )
    rules = {"ntm": criteria, "land": ConsolidationBelow(100.0)}
    for key, rule in rules.items():
        found = find_lagging(metrics, [rule])
        extra = details.drop(columns=[c for c in details.columns[1:] if c in found])
        found = found.merge(extra, on=COMMUNE_CODE, how="left", validate="one_to_one")
        found = _ordered(found, "gap", ascending=False, tie=TIE_BREAKERS[key])
        rows = found.head(n).reset_index(drop=True)
        last = rows["gap"].iloc[-1] if len(rows) else None
        lists[key] = _LaggingList(
            rows,
            shared=int((found["gap"] == last).sum()),
            shown_shared=int((rows["gap"] == last).sum()),
            out_of=criteria.threshold,
        )
    described = "; ".join(rule.describe(lang) for rule in rules.values())
    return lists, t("export.lagging_rules", lang, rules=described)


def _ties_text(key: str, listed: _LaggingList, lang: Lang) -> str:
    """How communes at the same level are ordered, and, when the list cuts through them, how
    many share the last row's level ("74 xã cùng mức 0 %; bảng nêu 10 xã trong số đó.")."""
    measure = t(f"export.tie.{TIE_BREAKERS[key]}", lang)
    text = t("export.lagging_order", lang, measure=measure)
    if listed.shared <= listed.shown_shared:
        return text
    last = listed.rows.iloc[-1]
    if key == "ntm":
        count = listed.out_of
        value = t("export.lagging_value.criteria", lang, n=int(last["criteria_met"]), count=count)
    else:
        value = format_percent(float(last["land_pct_of_plan"]), lang, decimals=0)
    shared, shown = listed.shared, listed.shown_shared
    return f"{t('export.lagging_ties', lang, shared=shared, value=value, shown=shown)} {text}"


def _table(
    sheet: MapSheet,
    x: float,
    top: float,
    *,
    columns: Sequence[tuple[str, float, str]],
    rows: Sequence[Sequence[str]],
    size: float = 7.5,
) -> float:
    """A ruled table: ``columns`` are (header, width mm, "l"|"c"|"r"); returns the bottom (mm)."""
    s = sheet.scale
    step = _line_mm(size * s) + 1.6 * s
    width = sum(column[1] for column in columns)
    axes = sheet.axes(x, top, width, step * (len(rows) + 1))
    axes.set_axis_off()
    axes.set_xlim(0, width)
    axes.set_ylim(step * (len(rows) + 1), 0)
    axes.add_patch(Rectangle((0, 0), width, step, facecolor="#eeeeee", edgecolor="none"))
    for index, row in enumerate([[c[0] for c in columns], *rows]):
        y = index * step + step / 2
        left = 0.0
        for (_header, column_width, align), cell in zip(columns, row, strict=True):
            text = _fit(str(cell), column_width - 2 * s, size * s, bold=index == 0)
            x = {"r": column_width - 1 * s, "c": column_width / 2}.get(align, 1 * s)
            axes.text(
                left + x,
                y,
                text,
                ha={"r": "right", "c": "center"}.get(align, "left"),
                va="center_baseline",  # rows line up whatever accents they carry
                fontsize=size * s,
                fontweight="bold" if index == 0 else "normal",
                color=_INK,
            )
            left += column_width
        axes.plot([0, width], [(index + 1) * step] * 2, color="#999999", linewidth=0.4 * s)
    axes.plot([0, width], [0, 0], color=_INK, linewidth=0.8 * s)
    return top + step * (len(rows) + 1)


def _signed(value: float, lang: Lang, decimals: int) -> str:
    text = format_number(abs(value), lang, decimals=decimals)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


def _kpi_rows(
    metrics: pd.DataFrame, *, lang: Lang, figures: Mapping[str, PublishedFigure]
) -> list[list[str]]:
    kpis = province_kpis(metrics, published={key: f.value for key, f in figures.items()})
    rows = []
    for kpi in kpis:
        decimals = 1 if kpi.value % 1 else 0
        value = format_number(kpi.value, lang, decimals=decimals)
        figure = figures.get(kpi.key)
        if kpi.published is None or figure is None:
            rows.append([t(f"kpi.{kpi.key}", lang), value, "–", "–", "–"])
            continue
        published = format_number(kpi.published, lang)
        if figure.qualifier == "more_than":
            published = t("export.more_than", lang, value=published)
        diff = kpi.difference or 0.0
        matches = abs(diff) < 0.05
        difference = t("export.matches", lang) if matches else _signed(diff, lang, decimals)
        rows.append([t(f"kpi.{kpi.key}", lang), value, published, difference, "[1]"])
    return rows


def _brief_page(view: MapView, *, province: str) -> tuple[MapSheet, float]:
    """An A4 portrait page of the brief with its header; and the top of its body (mm)."""
    sheet = MapSheet(*paper_size_mm("a4", "portrait"))
    title = t("export.brief_title", view.lang, province=province)
    subtitle = t("export.brief_subtitle", view.lang, period=view.period)
    top = _title_block(sheet, view, title, subtitle, margin=_BRIEF_MARGIN, badge_size=8)
    return sheet, top + 3 * sheet.scale


def _brief_notes(sheet: MapSheet, notes: Sequence[str], *, margin: float) -> None:
    """The notes at the foot of a page."""
    inner = sheet.width - 2 * margin
    foot = sheet.paragraph_height(notes, width=inner, size=6.5)
    sheet.paragraph(margin, sheet.height - margin - foot, notes, width=inner, size=6.5)


def _three_maps(
    sheet: MapSheet, geography: Geography, metrics: pd.DataFrame, view: MapView, *, top: float
) -> float:
    """The three main layers side by side, each with its legend; returns the bottom (mm)."""
    margin, gap = _BRIEF_MARGIN, 4.0
    column = (sheet.width - 2 * margin - 2 * gap) / 3
    # The whole province, in the view's classes: the brief has no district and no manual breaks.
    whole = view.replace(district_code=None, breaks=None)
    layers = [_map_data(geography, metrics, whole.replace(layer=layer)) for layer in LAYER_KEYS]
    minx, miny, maxx, maxy = layers[0].communes.total_bounds
    # As tall as the province needs at the column's width, within reason.
    map_height = min(80.0, column * max(maxy - miny, 1.0) / max(maxx - minx, 1.0) * 1.08)
    legend_height = 36.0
    for index, data in enumerate(layers):
        x = margin + index * (column + gap)
        lines = _wrap(data.classification.title, column, 8.5, bold=True)
        for line_index, line in enumerate(lines[:2]):
            sheet.text(x, top + line_index * _line_mm(8.5), line, size=8.5, bold=True)
        map_top = top + 2 * _line_mm(8.5) + 1
        ax = sheet.axes(x, map_top, column, map_height)
        _draw_map(
            ax,
            data,
            box_mm=(column, map_height),
            s=0.62,
            lang=view.lang,
            district_labels=True,
            label_size=6.0,
        )
        legend_ax = sheet.axes(x, map_top + map_height + 2, column, legend_height)
        legend = _legend(legend_ax, data.classification, size=5.8, lang=view.lang, title=False)
        legend.set_title(_nfc(f"({data.classification.unit})"), prop={"size": 6})
    return top + 2 * _line_mm(8.5) + 1 + map_height + 2 + legend_height


def _first_page(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    province: str,
    notes: Sequence[str],
    figures: Mapping[str, PublishedFigure],
    source: Source,
) -> MapSheet:
    """Page 1: three maps, then the KPI table beside the published figures."""
    lang, margin = view.lang, _BRIEF_MARGIN
    sheet, top = _brief_page(view, province=province)
    inner = sheet.width - 2 * margin
    top = _three_maps(sheet, geography, metrics, view, top=top) + 3
    sheet.text(margin, top, t("export.kpi_heading", lang), size=10.5, bold=True)
    top += _line_mm(10.5) + 1.5
    columns = [
        (t("export.col_indicator", lang), 66.0, "l"),
        (t("export.col_value", lang), 28.0, "r"),
        (t("app.published", lang), 30.0, "r"),
        (t("export.col_difference", lang), 42.0, "r"),
        (t("export.col_source", lang), inner - 166.0, "c"),
    ]
    top = _table(
        sheet, margin, top, columns=columns, rows=_kpi_rows(metrics, lang=lang, figures=figures)
    )
    footnotes = [
        f"[1] {source.citation}.",
        t("app.kpi_denominator_note", lang),
    ]
    sheet.paragraph(margin, top + 2, footnotes, width=inner, size=6.8, color=_GREY)
    _brief_notes(sheet, notes, margin=margin)
    return sheet


def _lagging_sections(
    lag: Mapping[str, pd.DataFrame], *, lang: Lang, inner: float, out_of: int
) -> list[tuple[str, list[tuple[str, float, str]], list[list[str]]]]:
    """Heading, columns and rows of the two lagging tables of page 2 (``lag``: the rows of
    each list, by key; ``out_of``: the criteria of the period's set, "8/10")."""
    rank = t("export.col_rank", lang)
    commune = t("field.commune", lang)
    district = t("field.district", lang)
    ntm_rows = [
        [str(i + 1), row[COMMUNE_NAME], row[DISTRICT_NAME], f"{int(row['criteria_met'])}/{out_of}"]
        for i, row in lag["ntm"].iterrows()
    ]
    land_rows = [
        [
            str(i + 1),
            row[COMMUNE_NAME],
            row[DISTRICT_NAME],
            format_number(row["land_done_ha"], lang, decimals=1),
            format_number(row["land_planned_ha"], lang, decimals=1),
            format_number(row["land_pct_of_plan"], lang, decimals=0),
        ]
        for i, row in lag["land"].iterrows()
    ]
    return [
        (
            t("export.lagging_ntm", lang, n=len(ntm_rows)),
            [
                (rank, 12.0, "r"),
                (commune, 62.0, "l"),
                (district, 62.0, "l"),
                (t("field.criteria_met", lang), inner - 136.0, "r"),
            ],
            ntm_rows,
        ),
        (
            t("export.lagging_land", lang, n=len(land_rows)),
            [
                (rank, 12.0, "r"),
                (commune, 42.0, "l"),
                (district, 38.0, "l"),
                (t("field.land_done_ha", lang), 36.0, "r"),
                (t("field.land_planned_ha", lang), 28.0, "r"),
                (t("field.land_pct_of_plan", lang), inner - 156.0, "r"),
            ],
            land_rows,
        ),
    ]


def _second_page(
    metrics: pd.DataFrame,
    view: MapView,
    *,
    province: str,
    notes: Sequence[str],
    lagging: int,
) -> MapSheet:
    """Page 2: the communes that lag behind, and how they were found."""
    lang, margin = view.lang, _BRIEF_MARGIN
    sheet, top = _brief_page(view, province=province)
    inner = sheet.width - 2 * margin
    sheet.text(margin, top, t("export.lagging_heading", lang), size=10.5, bold=True)
    top += _line_mm(10.5) + 1
    lag, rule_text = _lagging(metrics, n=lagging, lang=lang, period=view.period)
    top = sheet.paragraph(margin, top, [rule_text], width=inner, size=7.2, color=_GREY)
    rows_of = {key: listed.rows for key, listed in lag.items()}
    sections = _lagging_sections(rows_of, lang=lang, inner=inner, out_of=lag["ntm"].out_of)
    for key, (heading, table_columns, rows) in zip(lag, sections, strict=True):
        top += 4
        sheet.text(margin, top, heading, size=9, bold=True)
        top += _line_mm(9) + 1
        ties = _ties_text(key, lag[key], lang)
        top = sheet.paragraph(margin, top, [ties], width=inner, size=7.2, color=_GREY) + 0.5
        if rows:
            top = _table(sheet, margin, top, columns=table_columns, rows=rows)
        else:
            top = sheet.paragraph(
                margin, top, [t("export.lagging_none", lang)], width=inner, size=7.5
            )
    _brief_notes(sheet, notes, margin=margin)
    return sheet


def brief_pdf(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    lagging: int = 10,
    figures: Mapping[str, PublishedFigure] = FIGURES,
    source: Source = SOURCE,
    vintage_tables: VintageTables | None = None,
    created: dt.date | None = None,
    out: str | os.PathLike[str] | None = None,
) -> bytes:
    """The province brief: two A4 pages for a meeting.

    Page 1: the three maps (models density, NTM, land consolidation) with their legends, and
    the province KPIs beside the published figures (value, published, difference, source).
    Page 2: the communes that lag behind (:func:`lagging_communes`), and the notes.

    Parameters
    ----------
    geography, metrics
        As for :func:`render_map` (the whole province is shown).
    view : MapView
        Of the view, the brief uses ``period`` (of the figures), ``lang``, ``demo`` (the figures
        are demo data: badge and notes say so), and ``scheme`` and ``k`` (classification of
        amounts, as on the interactive map). Its layer, district and manual breaks are not used:
        the brief shows the three main layers over the whole province.
    lagging : int
        How many communes each lagging list shows.
    figures, source
        Published figures and their source (:mod:`geo.figures.published`).
    vintage_tables : VintageTables, optional
        The figures keyed to the geography's vintage (the notes say how converted figures
        were converted).
    created : datetime.date, optional
        Date printed (today by default).
    out : path, optional
        Also write the file here.

    Returns
    -------
    bytes
        The PDF (2 pages, A4 portrait, fonts embedded).
    """
    created = created or dt.date.today()
    view = estimated_view(view, vintage_tables)  # estimated figures: the subtitles say so
    # The former Hòa Bình on the 2025 units is named so, not after all of Phú Thọ.
    province = _nfc(geography_area_label(geography, view.lang))
    notes = note_lines(geography, view, vintage_tables=vintage_tables, created=created)
    buffer = io.BytesIO()
    with _print_settings():
        first = _first_page(
            geography,
            metrics,
            view,
            province=province,
            notes=notes,
            figures=figures,
            source=source,
        )
        second = _second_page(metrics, view, province=province, notes=notes, lagging=lagging)
        title = t("export.brief_title", view.lang, province=province)
        metadata = _pdf_metadata(f"{title} – {view.period}", created)
        with PdfPages(buffer, metadata=metadata) as pdf:
            pdf.savefig(first.figure)
            pdf.savefig(second.figure)
    return _finish(buffer.getvalue(), out)
