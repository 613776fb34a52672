"""Excel templates planners fill in, one per indicator family, that import exactly.

A template lists the communes of the chosen geography (code, name, district) with one empty
column per figure of the family. The header is in Vietnamese (or English) for people; a hidden
row under it holds our column names, so :func:`geo.figures.importing.import_file` maps every column
without guessing. Category columns get drop-down lists, numeric columns Excel validation, and a
notes sheet explains each column. A hidden sheet (:data:`geo.figures.importing.META_SHEET`) records
the
family, period and vintage: importing a template under another family is refused, under
another period warned about.

An untouched template imports as 0 accepted rows and no problems (rows without figures are
skipped); a filled template imports exactly the figures typed in.

Examples
--------
>>> from geo.geography.admin_units import communes
>>> from geo.figures.importing import import_file
>>> data = template_workbook("ntm", communes=communes("17"), period=2024)
>>> report = import_file(data, family="ntm", period=2024)
>>> len(report.accepted), len(report.rejected), len(report.warnings)
(0, 0, 0)
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pandas as pd

from geo.figures import indicators as ind
from geo.figures.criteria import criteria_set_for, criterion_column, criterion_number, set_label
from geo.figures.importing import META_SHEET
from geo.figures.importing.vintage import period_vintage, vintage_label
from geo.geography.units_2025 import VINTAGE_2025
from geo.i18n import Lang, t
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_NAME, VINTAGE, VINTAGE_2020_2025

__all__ = [
    "TEMPLATE_VERSION",
    "criterion_columns",
    "template_columns",
    "template_communes",
    "template_file_name",
    "template_workbook",
]

#: Bumped when the layout changes (recorded in the hidden sheet).
TEMPLATE_VERSION = "1"

# Row numbers of the data sheet (1-based, as in Excel).
_TITLE_ROW, _SUBTITLE_ROW, _HEADER_ROW, _KEY_ROW, _FIRST_DATA_ROW = 1, 2, 3, 4, 5

_CATEGORY_LABELS = {
    ind.FIELD: ind.FIELD_LABELS,
    ind.NTM_LEVEL: ind.NTM_LEVEL_LABELS,
    ind.LAND_STATUS: ind.LAND_STATUS_LABELS,
}


def template_columns(family: str) -> tuple[str, ...]:
    """The family's columns a planner fills in (not code, period, vintage or provenance).

    Examples
    --------
    >>> template_columns("land")
    ('land_done_ha', 'land_planned_ha', 'land_status', 'land_year')
    """
    skip = {COMMUNE_CODE, ind.PERIOD, VINTAGE, ind.PROVENANCE}
    return tuple(c for c in ind.FAMILIES[family].column_names if c not in skip)


def template_communes(vintage: str, province_codes: str | tuple[str, ...] = "17") -> pd.DataFrame:
    """The communes a template of ``vintage`` lists: with districts before 1 July 2025, not after.

    Examples
    --------
    >>> len(template_communes("2020-2025")), len(template_communes("2025"))
    (151, 148)
    >>> "district_name" in template_communes("2025").columns
    False
    """
    if vintage == VINTAGE_2025:
        from geo.geography.units_2025 import communes_2025

        return communes_2025(province_codes)
    if vintage == VINTAGE_2020_2025:
        from geo.geography.admin_units import communes

        return communes(province_codes)
    raise ValueError(f"vintage must be {VINTAGE_2020_2025} or {VINTAGE_2025}, got {vintage!r}")


def template_file_name(family: str, period: int | None, vintage: str) -> str:
    """The name a template is saved under: family, period and vintage, in plain letters.

    Examples
    --------
    >>> template_file_name("ntm", 2026, "2025"), template_file_name("land", None, "2020-2025")
    ('mau_ntm_2026_dia_gioi_2025.xlsx', 'mau_land_ky_mo_dia_gioi_2020-2025.xlsx')
    """
    return f"mau_{family}_{period if period is not None else 'ky_mo'}_dia_gioi_{vintage}.xlsx"


def criterion_columns(period: int | None) -> tuple[ind.Column, ...]:
    """The optional per-criterion columns of an NTM template of ``period`` (met / not met).

    One per criterion of the period's set, headed by its number and name; none for an open
    period or one no set holds.

    Examples
    --------
    >>> columns = criterion_columns(2026)
    >>> len(columns), columns[0].name, columns[6].label("vi")
    (10, 'criterion_1', 'Tiêu chí 7: Khoa học công nghệ và chuyển đổi số')
    >>> criterion_columns(None)
    ()
    """
    criteria_set = criteria_set_for(period) if period is not None else None
    if criteria_set is None:
        return ()
    columns = []
    for number in range(1, criteria_set.count + 1):
        criterion = criteria_set.criterion(number)
        name = criterion.name_vi if criterion is not None else ""
        label = {
            lang: t("templates.criterion_header", lang, number=number, name=name).rstrip(": ")
            for lang in ("vi", "en")
        }
        columns.append(
            ind.Column(
                name=criterion_column(number),
                kind="bool",
                label=ind.Label(vi=label["vi"], en=label["en"]),
                description=f"Criterion {number} met ({criteria_set.id} set, "
                f"{criteria_set.document.number}); optional",
            )
        )
    return tuple(columns)


def _for_set(column: ind.Column, period: int | None) -> ind.Column:
    """An NTM column narrowed to the criteria set of ``period``: its levels, its count.

    A 2026 template offers Chưa đạt / Đạt chuẩn NTM / NTM hiện đại and 0–10 criteria; an open
    period keeps every level and 0–19.
    """
    criteria_set = criteria_set_for(period) if period is not None else None
    if criteria_set is None:
        return column
    if column.name == ind.NTM_LEVEL:
        return replace(column, categories=criteria_set.levels)
    if column.name == ind.CRITERIA_MET:
        return replace(
            column,
            maximum=criteria_set.count,
            description=f"Criteria met, 0–{criteria_set.count} ({criteria_set.id} set, "
            f"{criteria_set.document.number})",
        )
    return column


def _choices(column: ind.Column, lang: Lang) -> list[str]:
    """The values a category or yes/no column offers, as shown in ``lang``."""
    if criterion_number(column.name) is not None:
        return [t("templates.met", lang), t("templates.not_met", lang)]
    if column.kind == "bool":
        return [t("templates.yes", lang), t("templates.no", lang)]
    labels = _CATEGORY_LABELS.get(column.name, {})
    return [labels[c](lang) if c in labels else c for c in column.categories]


def _header(column: ind.Column, lang: Lang) -> str:
    """A column's header: its label, with the unit of a number column."""
    unit = f" ({column.unit(lang)})" if column.unit is not None and column.kind == "number" else ""
    return column.label(lang) + unit


def _allowed(column: ind.Column, lang: Lang) -> str:
    """What a column accepts, in words (for the notes sheet and the validation message)."""
    if column.kind in ("category", "bool"):
        return ", ".join(_choices(column, lang))
    if column.kind == "count":
        high = f"{column.maximum:g}" if column.maximum is not None else "…"
        return f"0 – {high}"
    if column.kind == "year":
        return "1900 – 2100"
    if column.kind == "number":
        return "≥ 0"
    return ""


def template_workbook(
    family: str,
    *,
    communes: pd.DataFrame,
    period: int | None = None,
    lang: Lang = "vi",
) -> bytes:
    """An Excel template for one indicator family, pre-filled with ``communes``.

    Parameters
    ----------
    family : str
        One of :data:`geo.figures.indicators.FAMILY_NAMES`.
    communes : pandas.DataFrame
        The communes to list, in order: ``commune_code`` and ``commune_name``, and
        ``district_name`` when there are districts (e.g.
        :func:`geo.geography.admin_units.communes`).
        Its ``vintage`` column, if any, is recorded (default: the period's,
        :func:`geo.figures.importing.vintage.period_vintage`, else ``"2020-2025"``) and said
        in the subtitle and the notes; :func:`template_communes` gives the communes of a
        vintage (a 2025 template has no district column).
    period : int, optional
        The period the figures are for (shown, and checked on import); None leaves it open.
        An NTM template of a period with a criteria set has the set's optional per-criterion
        columns (:func:`criterion_columns`).
    lang : {"vi", "en"}
        Language of the header, lists and notes.

    Returns
    -------
    bytes
        The ``.xlsx`` file.

    Examples
    --------
    >>> import pandas as pd
    >>> small = pd.DataFrame({"commune_code": ["05233"], "commune_name": ["Xã Tòng Đậu"],
    ...                       "district_name": ["Huyện Mai Châu"]})
    >>> template_workbook("land", communes=small, period=2024, lang="en")[:2]
    b'PK'
    """
    from openpyxl import Workbook

    spec = ind.FAMILIES[family]
    for needed in (COMMUNE_CODE, COMMUNE_NAME):
        if needed not in communes.columns:
            raise ValueError(f"communes lacks column {needed!r}")
    if VINTAGE in communes.columns and len(communes):
        vintage = str(communes[VINTAGE].iloc[0])
    else:
        vintage = period_vintage(period) if period is not None else VINTAGE_2020_2025
    with_district = (
        DISTRICT_NAME in communes.columns and communes[DISTRICT_NAME].fillna("").ne("").any()
    )
    identity: list[tuple[str, str]] = [
        (COMMUNE_CODE, spec.column(COMMUNE_CODE).label(lang)),
        (COMMUNE_NAME, t("field.commune", lang)),
    ]
    if with_district:
        identity.append((DISTRICT_NAME, t("field.district", lang)))
    figures = [_for_set(spec.column(name), period) for name in template_columns(family)]
    if family == ind.NTM:
        figures += criterion_columns(period)
    keys = [key for key, _ in identity] + [c.name for c in figures]
    headers = [label for _, label in identity] + [_header(c, lang) for c in figures]

    book = Workbook()
    ws = book.active
    ws.title = t("templates.sheet_data", lang)
    subtitle = t(
        "templates.subtitle",
        lang,
        period=str(period) if period is not None else t("templates.period_open", lang),
        vintage=vintage,
        count=len(communes),
    )
    title = t("templates.title", lang, family=ind.FAMILY_LABELS[family](lang).upper())
    _write_titles(ws, title, subtitle, width=len(keys))
    _write_header(ws, headers, keys)
    _write_communes(ws, communes, with_district=with_district)
    ws.freeze_panes = ws.cell(_FIRST_DATA_ROW, len(identity) + 1)
    last_row = _FIRST_DATA_ROW + len(communes) - 1
    _add_validations(ws, figures, first_column=len(identity) + 1, last_row=last_row, lang=lang)

    _notes_sheet(book, family, figures, lang, period, vintage)
    _meta_sheet(
        book,
        {
            "family": family,
            "period": "" if period is None else str(period),
            "vintage": vintage,
            "lang": lang,
            "template_version": TEMPLATE_VERSION,
            "columns": ",".join(keys),
        },
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_titles(ws: Any, title: str, subtitle: str, *, width: int) -> None:
    """The title and subtitle rows of the data sheet, each merged across the table."""
    from openpyxl.styles import Font

    ws.cell(_TITLE_ROW, 1, title)
    ws.cell(_TITLE_ROW, 1).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=_TITLE_ROW, start_column=1, end_row=_TITLE_ROW, end_column=width)
    ws.cell(_SUBTITLE_ROW, 1, subtitle)
    ws.cell(_SUBTITLE_ROW, 1).font = Font(italic=True)
    ws.merge_cells(start_row=_SUBTITLE_ROW, start_column=1, end_row=_SUBTITLE_ROW, end_column=width)


def _write_header(ws: Any, headers: list[str], keys: list[str]) -> None:
    """The header row people read and, hidden under it, the row of our column names."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, (header, key) in enumerate(zip(headers, keys, strict=True), start=1):
        cell = ws.cell(_HEADER_ROW, c, header)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.cell(_KEY_ROW, c, key)
        ws.column_dimensions[get_column_letter(c)].width = max(12, min(34, len(header) + 4))
    # The key row makes the import exact; planners do not need to see it.
    ws.row_dimensions[_KEY_ROW].hidden = True
    ws.row_dimensions[_HEADER_ROW].height = 36


def _write_communes(ws: Any, communes: pd.DataFrame, *, with_district: bool) -> None:
    """One row per commune: code (as text), name and, with districts, the district."""
    records = communes.reset_index(drop=True)
    for offset, record in records.iterrows():
        r = _FIRST_DATA_ROW + int(offset)
        code_cell = ws.cell(r, 1, str(record[COMMUNE_CODE]).zfill(5))
        code_cell.number_format = "@"  # text: keeps the leading zero
        ws.cell(r, 2, str(record[COMMUNE_NAME]))
        if with_district:
            ws.cell(r, 3, "" if pd.isna(record[DISTRICT_NAME]) else str(record[DISTRICT_NAME]))


def _add_validations(
    ws: Any, figures: list[ind.Column], *, first_column: int, last_row: int, lang: Lang
) -> None:
    """Excel validation (lists, ranges) and number formats on the figure columns' cells."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if last_row < _FIRST_DATA_ROW:
        return  # no communes: no cells to validate
    for c, column in enumerate(figures, start=first_column):
        letter = get_column_letter(c)
        area = f"{letter}{_FIRST_DATA_ROW}:{letter}{last_row}"
        validation = _validation(column, lang, DataValidation)
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(area)
        if column.kind == "number":
            for row in ws.iter_rows(
                min_row=_FIRST_DATA_ROW, max_row=last_row, min_col=c, max_col=c
            ):
                row[0].number_format = "#,##0.0#"


def _meta_sheet(book: Any, meta: dict[str, str]) -> None:
    """The hidden sheet the import reads: family, period, vintage, language, version, columns."""
    sheet = book.create_sheet(META_SHEET)
    for key, value in meta.items():
        sheet.append([key, value])
    sheet.sheet_state = "hidden"


def _validation(column: ind.Column, lang: Lang, factory: Any) -> Any:
    """The Excel validation of a column's cells (``factory``: openpyxl's), or None."""
    error = t("templates.invalid", lang, allowed=_allowed(column, lang))
    options: dict[str, Any] = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorTitle": t("templates.invalid_title", lang),
        "error": error,
    }
    if column.kind in ("category", "bool"):
        choices = ",".join(_choices(column, lang))
        return factory(type="list", formula1=f'"{choices}"', **options)
    if column.kind == "count":
        high = int(column.maximum) if column.maximum is not None else 10**9
        return factory(
            type="whole", operator="between", formula1="0", formula2=str(high), **options
        )
    if column.kind == "year":
        return factory(
            type="whole", operator="between", formula1="1900", formula2="2100", **options
        )
    if column.kind == "number":
        return factory(type="decimal", operator="greaterThanOrEqual", formula1="0", **options)
    return None


def _notes_sheet(
    book: Any,
    family: str,
    figures: list[ind.Column],
    lang: Lang,
    period: int | None,
    vintage: str,
) -> None:
    """The notes sheet: how to fill the template, and each figure column explained."""
    from openpyxl.styles import Alignment, Font

    ws = book.create_sheet(t("templates.sheet_notes", lang))
    ws.append([t("templates.notes_title", lang, family=ind.FAMILY_LABELS[family](lang))])
    ws["A1"].font = Font(bold=True, size=13)
    notes = [
        "templates.note_rows",
        "templates.note_empty",
        "templates.note_numbers",
        "templates.note_totals",
    ]
    if family == ind.NTM:
        notes.append("templates.note_ntm")
    criteria_set = criteria_set_for(period) if period is not None else None
    if family == ind.NTM and criteria_set is not None:
        notes.append("templates.note_criteria")
    if family == ind.NAMED_MODELS:
        notes.append("templates.note_named")
    notes.append("templates.note_import")
    notes.append("templates.note_vintage")
    values = {
        "family": family,
        "period": period if period is not None else "…",
        "vintage": vintage_label(vintage, lang),
        "count": criteria_set.count if criteria_set is not None else "",
        "set": set_label(criteria_set, lang) if criteria_set is not None else "",
    }
    for key in notes:
        ws.append(["• " + t(key, lang, **values)])
    ws.append([])
    headers = [
        "templates.col_column",
        "templates.col_key",
        "templates.col_kind",
        "templates.col_unit",
        "templates.col_allowed",
        "templates.col_description",
    ]
    ws.append([t(h, lang) for h in headers])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for column in figures:
        ws.append(
            [
                _header(column, lang),
                column.name,
                t(f"templates.kind_{column.kind}", lang),
                column.unit(lang) if column.unit is not None else "",
                _allowed(column, lang),
                column.description,
            ]
        )
    ws.append([])
    ws.append([t("templates.vintage_note", lang, vintage=vintage)])
    for letter, size in zip("ABCDEF", (34, 24, 18, 10, 44, 60), strict=True):
        ws.column_dimensions[letter].width = size
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column > 1, vertical="top")
