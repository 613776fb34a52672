"""Finding the header of a planner's table: which row(s) name which column.

Headers are recognised by their words (:func:`recognise_header`): our column names, the schema's
labels in both languages and the aliases planners write (:data:`HEADER_ALIASES`), case,
diacritics, punctuation and bracketed units ignored. :func:`find_header` tries every block of
one to three rows near the top of a sheet and keeps the one that names a commune column and the
most figure columns; a merged cell above the block ("Số mô hình" over "Kinh tế | …") joins it.

Examples
--------
>>> from geo.figures.importing.reading import Grid
>>> grid = Grid("", [["BIỂU TỔNG HỢP"], ["STT", "Tên xã", "Kinh tế (mô hình)", "Ghi chú"]])
>>> header = find_header(grid, "models")
>>> header.first, header.columns
(1, {0: '_stt', 1: 'commune_name', 2: 'models_economy', 3: '_ignore'})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from geo.figures import indicators as ind
from geo.figures.criteria import criterion_column, criterion_number
from geo.figures.importing.reading import Grid, cell_text, word_key
from geo.i18n import Lang, t
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME, VINTAGE

# Pseudo-columns recognised in headers besides the family's own columns.
STT_COLUMN = "_stt"
DISTRICT_COLUMN = "_district"
DISTRICT_CODE_COLUMN = "_district_code"
TOTAL_COLUMN = "_total"  # models: the total of the four fields, a cross-check only
IGNORE_COLUMN = "_ignore"  # "Đơn vị tính", "Ghi chú": known, not used
# Per-criterion headers of an NTM table (word keys): "tieu chi 1", "tc1", "tc 1", "tieu chi so
# 1", "criterion 1", "criterion_1", and the same followed by the criterion's name.
_NUMBERED_CRITERION = re.compile(
    r"^(?:tieu chi|tc|criterion|criteria|crit) ?(?:so )?([0-9]{1,2})(?: .*)?$"
)

# --- header vocabulary --------------------------------------------------------------------------

_IDENTITY_ALIASES: Mapping[str, tuple[str, ...]] = {
    STT_COLUMN: ("STT", "TT", "Số TT", "Số thứ tự", "No", "No."),
    COMMUNE_CODE: (
        "Mã xã",
        "Mã ĐVHC",
        "Mã đơn vị hành chính",
        "Mã ĐVHC cấp xã",
        "Mã số xã",
        "Mã đơn vị",
        "Mã",
        "Commune code",
        "Code",
        "GSO code",
    ),
    COMMUNE_NAME: (
        "Tên xã",
        "Xã",
        "Xã, phường, thị trấn",
        "Tên xã, phường, thị trấn",
        "Xã/phường/thị trấn",
        "Đơn vị",
        "Tên đơn vị",
        "Đơn vị hành chính",
        "Tên đơn vị hành chính",
        "Đơn vị hành chính cấp xã",
        "Địa phương",
        "Commune",
        "Commune name",
        "Ward",
    ),
    DISTRICT_COLUMN: (
        "Huyện",
        "Tên huyện",
        "Huyện, thành phố",
        "Huyện/thành phố",
        "Huyện, TP",
        "Huyện/TP",
        "Đơn vị hành chính cấp huyện",
        "Đơn vị cấp huyện",
        "District",
        DISTRICT_NAME,
    ),
    DISTRICT_CODE_COLUMN: ("Mã huyện", DISTRICT_CODE),
    ind.PERIOD: ("Năm", "Kỳ", "Kỳ số liệu", "Kỳ báo cáo", "Năm báo cáo", "Period", "Year"),
    VINTAGE: ("Bộ địa giới", "Địa giới", "Vintage"),
    IGNORE_COLUMN: ("Đơn vị tính", "ĐVT", "Ghi chú", "Note", "Notes", "Remarks"),
}

_FAMILY_ALIASES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    ind.MODELS: {
        ind.MODELS_ECONOMY: (
            "Kinh tế",
            "Lĩnh vực kinh tế",
            "Mô hình kinh tế",
            "KT",
            "Economy",
        ),
        ind.MODELS_CULTURE_SOCIETY: (
            "Văn hóa - xã hội",
            "Văn hoá - xã hội",
            "Văn hóa, xã hội",
            "Văn hóa xã hội",
            "Lĩnh vực văn hóa - xã hội",
            "VH-XH",
            "VHXH",
            "Culture - society",
            "Culture and society",
        ),
        ind.MODELS_DEFENCE_SECURITY: (
            "Quốc phòng - an ninh",
            "Quốc phòng, an ninh",
            "Lĩnh vực quốc phòng - an ninh",
            "QP-AN",
            "QPAN",
            "QP, AN",
            "Defence - security",
            "Defense and security",
        ),
        ind.MODELS_POLITICAL_SYSTEM: (
            "Xây dựng hệ thống chính trị",
            "Hệ thống chính trị",
            "Lĩnh vực xây dựng hệ thống chính trị",
            "HTCT",
            "XD HTCT",
            "XDHTCT",
            "Political system",
        ),
        ind.MODELS_REPLICATED: (
            "Nhân rộng",
            "Mô hình nhân rộng",
            "Đã nhân rộng",
            "Được nhân rộng",
            "Số mô hình nhân rộng",
            "Số mô hình được nhân rộng",
            "Replicated",
        ),
        ind.POPULATION: (
            "Dân số",
            "Số dân",
            "Tổng dân số",
            "Tổng số dân",
            "Số nhân khẩu",
            "Population",
            "Residents",
        ),
        TOTAL_COLUMN: (
            "Tổng",
            "Tổng số",
            "Tổng cộng",
            "Cộng",
            "Tổng số mô hình",
            "Total",
            ind.MODELS_TOTAL,
        ),
    },
    ind.NAMED_MODELS: {
        ind.MODEL_NAME: (
            "Tên mô hình",
            "Mô hình",
            "Tên mô hình Dân vận khéo",
            "Model",
            "Model name",
        ),
        ind.FIELD: ("Lĩnh vực", "Field"),
        ind.YEAR_RECOGNISED: (
            "Năm công nhận",
            "Năm xây dựng",
            "Năm bắt đầu",
            "Năm thực hiện",
            "Year recognised",
        ),
        ind.REPLICATED: ("Nhân rộng", "Đã nhân rộng", "Được nhân rộng", "Replicated"),
        ind.PROVENANCE: ("Nguồn", "Nguồn số liệu", "Provenance", "Source"),
    },
    ind.NTM: {
        ind.NTM_LEVEL: (
            "Mức đạt NTM",
            "Mức NTM",
            "Mức đạt chuẩn",
            "Mức đạt",
            "Đạt chuẩn NTM",
            "Kết quả",
            "Kết quả đạt chuẩn",
            "Mức độ đạt chuẩn",
            "Xếp loại",
            "Nông thôn mới",
            "NTM level",
            "Level",
        ),
        ind.NTM_YEAR: (
            "Năm đạt chuẩn",
            "Năm đạt chuẩn NTM",
            "Năm công nhận",
            "Năm công nhận đạt chuẩn",
            "Year reached",
        ),
        ind.CRITERIA_MET: (
            "Số tiêu chí đạt",
            "Số tiêu chí",
            "Tiêu chí đạt",
            "Số TC đạt",
            "Criteria met",
            "Criteria",
        ),
    },
    ind.LAND: {
        ind.LAND_DONE_HA: (
            "Diện tích đã DĐĐT",
            "Diện tích đã dồn điền đổi thửa",
            "Diện tích đã dồn điền",
            "Diện tích đã thực hiện",
            "Đã DĐĐT",
            "Đã dồn điền",
            "Đã dồn điền, đổi thửa",
            "Đã thực hiện",
            "Kết quả thực hiện",
            "Thực hiện",
            "Area consolidated",
            "Done",
        ),
        ind.LAND_PLANNED_HA: (
            "Kế hoạch",
            "Diện tích kế hoạch",
            "Diện tích theo kế hoạch",
            "Kế hoạch DĐĐT",
            "Diện tích kế hoạch DĐĐT",
            "Diện tích đăng ký",
            "Area planned",
            "Planned",
            "Plan",
        ),
        ind.LAND_STATUS: (
            "Trạng thái",
            "Tình trạng",
            "Tiến độ",
            "Tình hình thực hiện",
            "Status",
        ),
        ind.LAND_YEAR: ("Năm hoàn thành", "Year completed"),
    },
}


@cache
def _alias_table(family: str) -> dict[str, str]:
    """Header key → column for ``family``: our names, schema labels, spreadsheet aliases."""
    spec = ind.FAMILIES[family]
    table: dict[str, str] = {}

    def add(alias: str, column: str) -> None:
        table.setdefault(word_key(alias), column)

    # Family aliases first: "Năm công nhận" is a family column, "Năm" alone the period.
    for column, aliases in _FAMILY_ALIASES[family].items():
        for alias in (column, *aliases):
            add(alias, column)
    for column in spec.columns:
        add(column.name, column.name)
        add(column.label.vi, column.name)
        add(column.label.en, column.name)
    for column, aliases in _IDENTITY_ALIASES.items():
        for alias in (column, *aliases):
            add(alias, column)
    return table


#: Spreadsheet headers recognised per family (beyond canonical names and schema labels).
HEADER_ALIASES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    family: {**_IDENTITY_ALIASES, **_FAMILY_ALIASES[family]} for family in ind.FAMILY_NAMES
}


def _containable(key: str) -> bool:
    """Whether an alias may be found inside a longer header (short ones only match whole)."""
    return " " in key or len(key) >= 6


def recognise_header(text: str, family: str) -> str | None:
    """The column a header cell names, for ``family``; None when it names none.

    A header matches an alias exactly (after :func:`word_key`: case, diacritics, punctuation and
    bracketed units ignored) or contains one of two words or more (the longest wins), as
    combined two-row headers do ("Số mô hình Kinh tế").

    Examples
    --------
    >>> recognise_header("Văn hoá - xã hội", "models"), recognise_header("Mã ĐVHC", "ntm")
    ('models_culture_society', 'commune_code')
    >>> recognise_header("Số mô hình Kinh tế", "models"), recognise_header("Ghi chú", "land")
    ('models_economy', '_ignore')
    """
    return recognise(text, family)[0]


@cache
def _containable_aliases(family: str) -> tuple[tuple[str, str], ...]:
    return tuple((a, c) for a, c in _alias_table(family).items() if _containable(a))


def criterion_header(text: str) -> str | None:
    """The per-criterion column a numbered header names (``"TC 3"`` → ``criterion_3``).

    Examples
    --------
    >>> criterion_header("TC 3"), criterion_header("Tiêu chí số 12"), criterion_header("TC đạt")
    ('criterion_3', 'criterion_12', None)
    """
    found = _NUMBERED_CRITERION.match(word_key(text))
    return criterion_column(int(found[1])) if found else None


@lru_cache(maxsize=4096)
def recognise(text: str, family: str) -> tuple[str | None, bool]:
    """The column a header text names (or None) and whether it names it exactly."""
    key = word_key(text)
    if not key:
        return None, False
    table = _alias_table(family)
    if key in table:
        return table[key], True
    if family == ind.NTM and (criterion := criterion_header(key)) is not None:
        return criterion, True
    padded = f" {key} "
    best: tuple[int, str] | None = None
    for alias, column in _containable_aliases(family):
        fits = f" {alias} " in padded
        if fits and (best is None or len(alias) > best[0]):
            best = (len(alias), column)
    return (best[1], False) if best else (None, False)


# --- the header block ---------------------------------------------------------------------------


@dataclass
class Header:
    """A table's header: its rows and which grid column holds which column."""

    first: int  # index of the first header row
    last: int  # index of the last header row
    columns: dict[int, str]  # grid column → family column or pseudo-column
    labels: dict[int, str]  # grid column → header text as written
    exact: set[int]
    ignored: list[str]  # header texts not recognised
    duplicates: list[tuple[str, str]]  # (header text, column) dropped as duplicates


def value_columns(family: str) -> tuple[str, ...]:
    """Columns that carry figures (not identity, period or vintage)."""
    names = ind.FAMILIES[family].column_names
    extra = (TOTAL_COLUMN,) if family == ind.MODELS else ()
    return tuple(n for n in names if n not in (COMMUNE_CODE, ind.PERIOD, VINTAGE)) + extra


def block_header(grid: Grid, first: int, last: int, family: str) -> Header:
    """The header that grid rows ``first`` to ``last`` would be (texts of a column joined)."""
    width = max(len(grid.rows[r]) for r in range(first, last + 1))
    columns: dict[int, str] = {}
    labels: dict[int, str] = {}
    exact: set[int] = set()
    ignored: list[str] = []
    owner: dict[str, int] = {}
    duplicates: list[tuple[str, str]] = []
    for c in range(width):
        texts: list[str] = []
        for r in range(first, last + 1):
            row = grid.rows[r]
            text = cell_text(row[c]) if c < len(row) else ""
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        if not texts:
            continue
        combined = " ".join(texts)
        found: tuple[str | None, bool] = (None, False)
        for candidate in (texts[-1], combined, *reversed(texts)):
            column, is_exact = recognise(candidate, family)
            if column and is_exact:
                found = (column, True)
                break
        if found[0] is None:
            for candidate in (combined, texts[-1]):
                found = recognise(candidate, family)
                if found[0]:
                    break
        column, is_exact = found
        if column is None:
            ignored.append(combined)
            continue
        if column in owner:
            earlier = owner[column]
            if is_exact and earlier not in exact:
                duplicates.append((labels[earlier], column))
                del columns[earlier]
            else:
                duplicates.append((combined, column))
                continue
        owner[column] = c
        columns[c] = column
        labels[c] = combined
        if is_exact:
            exact.add(c)
    return Header(first, last, columns, labels, exact, ignored, duplicates)


def _header_score(header: Header, family: str) -> tuple[int, int, int] | None:
    """How good ``header`` is (higher is better); None when it lacks a commune or a figure."""
    found = set(header.columns.values())
    values = found & set(value_columns(family))
    if not values or not found & {COMMUNE_CODE, COMMUNE_NAME}:
        return None
    useful = found - {IGNORE_COLUMN, STT_COLUMN}
    # On a tie the shallower block wins: a title row is not part of the header.
    return len(useful), len(header.exact), header.first - header.last


def find_header(grid: Grid, family: str) -> Header | None:
    """The best header block in the first 40 rows of ``grid``, or None when there is none."""
    best: tuple[tuple[int, int, int], Header] | None = None
    limit = min(len(grid.rows), 40)
    for first in range(limit):
        if not any(cell_text(v) for v in grid.rows[first]):
            continue
        for depth in (1, 2, 3):
            last = first + depth - 1
            if last >= len(grid.rows) or not any(cell_text(v) for v in grid.rows[last]):
                break
            header = block_header(grid, first, last, family)
            score = _header_score(header, family)
            if score is not None and (best is None or score > best[0]):
                best = (score, header)
    if best is None:
        return None
    header = best[1]
    # Rows above whose merged cells reach down into the header belong to it ("Số mô hình"
    # over "Kinh tế | Văn hóa - xã hội", "STT" over two rows).
    first = header.first
    while first > 0 and any((first, c) in grid.below for c in range(len(grid.rows[first]))):
        first -= 1
    if first != header.first:
        header = block_header(grid, first, header.last, family)
    return header


def sheet_has_values_only(grid: Grid, family: str) -> bool:
    """Whether a row near the top names figure columns but no commune column."""
    for r in range(min(len(grid.rows), 40)):
        header = block_header(grid, r, r, family)
        found = set(header.columns.values())
        if found & set(value_columns(family)) and not found & {COMMUNE_CODE, COMMUNE_NAME}:
            return True
    return False


def column_label(column: str, family: str, lang: Lang) -> str:
    """The name of ``column`` (family column or pseudo-column) to show in ``lang``."""
    spec = ind.FAMILIES[family]
    if column in spec.column_names:
        return spec.column(column).label(lang)
    if (number := criterion_number(column)) is not None:
        return t("importer.criterion", lang, number=number)
    return {
        COMMUNE_NAME: t("field.commune", lang),
        DISTRICT_COLUMN: t("field.district", lang),
        DISTRICT_NAME: t("field.district", lang),
        TOTAL_COLUMN: t("field.models_total", lang),
    }.get(column, column)
