"""Import a planner's spreadsheet of figures by commune: read, recognise, match, validate.

Planners keep their figures in spreadsheets made for printing, not for machines:
title rows ("UBND TỈNH HÒA BÌNH", "BIỂU TỔNG HỢP …"), two-row headers with merged cells
("Số mô hình" over "Kinh tế | Văn hóa - xã hội | …"), an "STT" column, a row of column numbers,
district sections and subtotals ("Huyện Lạc Sơn", "Cộng"), a grand total ("Tổng cộng",
"Toàn tỉnh"), notes and signatures, numbers written "1.234", "1,5" or "12 ha", names with or
without "Xã", in NFD, with Hoà/Hòa or Ð/Đ, sometimes in the legacy TCVN3 or VNI encodings.
:func:`import_file` reads such a file (``.xlsx`` or ``.csv``) *without storing anything* and
returns an :class:`ImportReport`:

- every data row is either **accepted** (typed exactly as :mod:`geo.figures.indicators` defines the
  family) or **rejected** with its spreadsheet row, column, value and reason in Vietnamese and
  English; nothing is guessed: an unknown or ambiguous name is rejected with the closest
  communes;
- every other row is **skipped** with its reason (title, header, blank, subtotal, total, note,
  no figures); subtotal and total rows are never counted as communes but are checked against
  the sum of their communes (a mismatch is a warning);
- **warnings** say what was done that a planner should know (legacy text converted, names
  matched only without diacritics, subtotals that disagree, columns ignored).

Rows are matched to communes by GSO code when the file has one (``4789`` is ``04789``), else
by name within the district (the district column, or the last "Huyện …" section row) using
:func:`geo.geography.matching.match_names`. Cell values go through the family's own parsers and
rules
(:func:`geo.figures.indicators.parse_cells`, :func:`geo.figures.indicators.check_rules`).

Examples
--------
>>> text = ("BIỂU TỔNG HỢP KẾT QUẢ DỒN ĐIỀN, ĐỔI THỬA\\n"
...         "STT,Tên xã,Huyện,Đã DĐĐT (ha),Kế hoạch (ha),Tình trạng\\n"
...         "1,Xã Tòng Đậu,Mai Châu,\\"12,5 ha\\",40,Đang thực hiện\\n"
...         ",Cộng,,\\"12,5\\",40,\\n")
>>> report = import_file(text.encode(), family="land", period=2024, file_name="dddt.csv")
>>> report.accepted[["commune_code", "land_done_ha", "land_status"]].values.tolist()
[['05233', 12.5, 'in_progress']]
>>> report.skipped["reason_en"].tolist()
['Title row above the table', 'Column header row', 'Subtotal row (not a commune)']
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from geo.errors import DataError, Problem
from geo.figures import indicators as ind
from geo.figures.encodings import Legacy, decode_bytes, font_hint, repair_texts
from geo.geography.matching import (
    ascii_key,
    clean,
    closest_candidates,
    match_names,
    name_key,
    unit_type,
)
from geo.geography.units_2025 import VINTAGE_2025, communes_2025, convert_codes_2025
from geo.i18n import LANGUAGES, Lang, format_number, t
from geo.schema import (
    COMMUNE_CODE,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    PROVINCE_NAME,
    VINTAGE,
    VINTAGE_2020_2025,
)

__all__ = [
    "HEADER_ALIASES",
    "IMPORT_PROVENANCE",
    "META_SHEET",
    "Finding",
    "ImportReport",
    "UnreadableFileError",
    "convert_codes_2025",
    "import_file",
    "recognise_header",
    "rejected_workbook",
]

#: Vintages :func:`import_file` can match codes and names against.
VINTAGES: tuple[str, ...] = (VINTAGE_2020_2025, VINTAGE_2025)
#: ``provenance`` of ``named_models`` rows imported without one.
IMPORT_PROVENANCE = "imported"
#: Hidden sheet of a template (:mod:`geo.figures.templates`) with its family, period and vintage.
META_SHEET = "_atlas"

REJECTED_COLUMNS: tuple[str, ...] = ("source_row", "column", "value", "reason_vi", "reason_en")
SKIPPED_COLUMNS: tuple[str, ...] = ("source_row", "text", "reason_vi", "reason_en")
SOURCE_ROW = "source_row"

# Pseudo-columns recognised in headers besides the family's own columns.
_STT = "_stt"
_DISTRICT = "_district"
_DISTRICT_CODE = "_district_code"
_TOTAL = "_total"  # models: the total of the four fields, a cross-check only
_IGNORE = "_ignore"  # "Đơn vị tính", "Ghi chú": known, not used

# --- header vocabulary --------------------------------------------------------------------------

_IDENTITY_ALIASES: Mapping[str, tuple[str, ...]] = {
    _STT: ("STT", "TT", "Số TT", "Số thứ tự", "No", "No."),
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
    _DISTRICT: (
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
    _DISTRICT_CODE: ("Mã huyện", DISTRICT_CODE),
    ind.PERIOD: ("Năm", "Kỳ", "Kỳ số liệu", "Kỳ báo cáo", "Năm báo cáo", "Period", "Year"),
    VINTAGE: ("Bộ địa giới", "Địa giới", "Vintage"),
    _IGNORE: ("Đơn vị tính", "ĐVT", "Ghi chú", "Note", "Notes", "Remarks"),
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
        _TOTAL: (
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


def _hkey(text: str) -> str:
    """Header key: lower case, no diacritics, no bracketed units, words only.

    >>> _hkey("Diện tích đã DĐĐT (ha)"), _hkey("QP-AN"), _hkey("Văn hoá – xã hội")
    ('dien tich da dddt', 'qp an', 'van hoa xa hoi')
    """
    text = clean(text).lower().replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@cache
def _alias_table(family: str) -> dict[str, str]:
    """Header key → column for ``family``: our names, schema labels, spreadsheet aliases."""
    spec = ind.FAMILIES[family]
    table: dict[str, str] = {}

    def add(alias: str, column: str) -> None:
        table.setdefault(_hkey(alias), column)

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

    A header matches an alias exactly (after :func:`_hkey`: case, diacritics, punctuation and
    bracketed units ignored) or contains one of two words or more (the longest wins), as
    combined two-row headers do ("Số mô hình Kinh tế").

    Examples
    --------
    >>> recognise_header("Văn hoá - xã hội", "models"), recognise_header("Mã ĐVHC", "ntm")
    ('models_culture_society', 'commune_code')
    >>> recognise_header("Số mô hình Kinh tế", "models"), recognise_header("Ghi chú", "land")
    ('models_economy', '_ignore')
    """
    return _recognise(text, family)[0]


@cache
def _containable_aliases(family: str) -> tuple[tuple[str, str], ...]:
    return tuple((a, c) for a, c in _alias_table(family).items() if _containable(a))


@lru_cache(maxsize=4096)
def _recognise(text: str, family: str) -> tuple[str | None, bool]:
    key = _hkey(text)
    if not key:
        return None, False
    table = _alias_table(family)
    if key in table:
        return table[key], True
    padded = f" {key} "
    best: tuple[int, str] | None = None
    for alias, column in _containable_aliases(family):
        fits = f" {alias} " in padded
        if fits and (best is None or len(alias) > best[0]):
            best = (len(alias), column)
    return (best[1], False) if best else (None, False)


# --- public types -------------------------------------------------------------------------------


def _render(key: str, lang: Lang, values: Mapping[str, object]) -> str:
    """Message ``key`` in ``lang``; numbers formatted the way of the language."""
    shown: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            shown[name] = value
        elif isinstance(value, int | np.integer):
            shown[name] = format_number(int(value), lang)
        elif isinstance(value, float | np.floating):
            decimals = 0 if float(value).is_integer() else 2
            text = format_number(float(value), lang, decimals=decimals)
            if decimals:
                text = text.rstrip("0").rstrip(",.")
            shown[name] = text
        elif isinstance(value, dict):
            shown[name] = value.get(lang, "")
        else:
            shown[name] = value
    return t(key, lang, **shown)


@dataclass
class Finding(Problem):
    """A :class:`~geo.errors.Problem` that can also say itself in Vietnamese.

    ``message`` is the English text; :meth:`text` gives either language. ``key`` and
    ``values`` are the :mod:`geo.i18n` message and its placeholders (values given as
    ``{"vi": …, "en": …}`` are per language).
    """

    key: str = ""
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: Lang = "vi") -> str:
        """The message in ``lang``."""
        return _render(self.key, lang, self.values) if self.key else self.message


@dataclass
class UnreadableFileError(DataError):
    """A file :func:`import_file` cannot use at all (not a spreadsheet, no header …).

    ``message`` is English; :meth:`text` gives the Vietnamese (or English) text with what to do.
    """

    key: str = ""
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: Lang = "vi") -> str:
        """The message in ``lang``, naming the file."""
        return _render(self.key, lang, {"file": self.source, **self.values})


def _unreadable(file_name: str, key: str, **values: object) -> UnreadableFileError:
    message = _render(key, "en", {"file": file_name, **values})
    return UnreadableFileError(file_name, message, key=key, values=values)


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_file` found in one file (nothing is stored).

    Attributes
    ----------
    family, period, vintage : str, int, str
        What the file was read as.
    file_name : str
        The file's name (as uploaded).
    sha256 : str
        SHA-256 of the file's bytes (hex).
    accepted : pandas.DataFrame
        The family's columns exactly as :mod:`geo.figures.indicators` types them, plus
        ``source_row``
        (1-based spreadsheet row), in file order.
    rejected : pandas.DataFrame
        One row per problem: ``source_row, column, value, reason_vi, reason_en``; ``column``
        is the family column (or ``commune_code``/``commune_name``/``district_name`` for
        matching problems), ``value`` the cell as written.
    skipped : pandas.DataFrame
        Rows that are not communes: ``source_row, text, reason_vi, reason_en``.
    warnings : list of Finding
        Problems worth a look that did not reject a row.
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1258"``, ``"cp1252"`` (CSV) or
        ``"xlsx"``, with ``"+tcvn3"`` / ``"+vni"`` when legacy text was converted.
    rejected_rows : pandas.DataFrame
        The rejected rows as they are in the file (``source_row`` and the file's headers), for
        :func:`rejected_workbook`.
    sheet : str
        The sheet read (``""`` for CSV).
    """

    family: str
    period: int
    vintage: str
    file_name: str
    sha256: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame
    skipped: pd.DataFrame
    warnings: list[Problem]
    encoding: str
    rejected_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    sheet: str = ""

    @property
    def rejected_row_count(self) -> int:
        """Number of rows rejected (a row can have several problems)."""
        return int(self.rejected["source_row"].nunique()) if len(self.rejected) else 0

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable summary: counts, every rejected row with its reasons, warnings.

        Examples
        --------
        >>> report = import_file(b"Ma xa,Kinh te\\n4789,3\\n9,x\\n", family="models", period=2024)
        >>> s = report.summary()
        >>> s["counts"], s["rejected"][0]["source_row"]
        ({'accepted': 1, 'rejected': 1, 'rejected_problems': 2, 'skipped': 1}, 3)
        """

        def rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
            out = []
            for record in frame.loc[:, list(columns)].itertuples(index=False, name=None):
                out.append({c: _json_scalar(v) for c, v in zip(columns, record, strict=True)})
            return out

        rejected_by_row: dict[int, dict[str, Any]] = {}
        for item in rows(self.rejected, REJECTED_COLUMNS):
            entry = rejected_by_row.setdefault(
                item["source_row"], {"source_row": item["source_row"], "problems": []}
            )
            entry["problems"].append({k: v for k, v in item.items() if k != "source_row"})
        return {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "family": self.family,
            "period": int(self.period),
            "vintage": self.vintage,
            "encoding": self.encoding,
            "sheet": self.sheet,
            "counts": {
                "accepted": len(self.accepted),
                "rejected": self.rejected_row_count,
                "rejected_problems": len(self.rejected),
                "skipped": len(self.skipped),
            },
            "rejected": list(rejected_by_row.values()),
            "skipped": rows(self.skipped, SKIPPED_COLUMNS),
            "warnings": [
                {
                    "where": w.where,
                    "severity": w.severity,
                    "message_en": w.text("en") if isinstance(w, Finding) else w.message,
                    "message_vi": w.text("vi") if isinstance(w, Finding) else w.message,
                }
                for w in self.warnings
            ],
        }


def _json_scalar(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- reading the file into a grid --------------------------------------------------------------


@dataclass
class _Grid:
    """One sheet as rows of raw cell values; ``rows[i]`` is spreadsheet row ``i + 1``."""

    name: str
    rows: list[list[object]]
    # Cells filled from a merge whose top-left cell is in another column: header text only.
    spread: set[tuple[int, int]] = field(default_factory=set)
    hints: dict[tuple[int, int], Legacy] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    encoding: str = "xlsx"
    # Cells filled from a merge whose top-left cell is in a row above.
    below: set[tuple[int, int]] = field(default_factory=set)


def _read_source(source: object, file_name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), file_name or "upload"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), file_name or path.name
        except OSError as exc:
            raise _unreadable(file_name or path.name, "importer.error.not_found") from exc
    getvalue = getattr(source, "getvalue", None)  # BytesIO, Streamlit's UploadedFile
    data = getvalue() if callable(getvalue) else source.read()  # type: ignore[attr-defined]
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = file_name or Path(str(getattr(source, "name", "") or "upload")).name
    return bytes(data), name


def _read_xlsx(data: bytes, file_name: str, sheet: str | int | None) -> list[_Grid]:
    import openpyxl  # heavy; only for workbooks

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _unreadable(file_name, "importer.error.unreadable") from exc
    meta: dict[str, str] = {}
    if META_SHEET in book.sheetnames:
        for key, value, *_ in book[META_SHEET].iter_rows(values_only=True, max_col=2):
            if key is not None:
                meta[str(key)] = "" if value is None else str(value)
    names = [n for n in book.sheetnames if n != META_SHEET]
    if sheet is not None:
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise _unreadable(file_name, "importer.error.sheet", sheet=str(sheet))
            names = [names[sheet]]
        elif sheet in names:
            names = [sheet]
        elif sheet.isdigit() and int(sheet) < len(names):  # "1" from a command line
            names = [names[int(sheet)]]
        else:
            raise _unreadable(file_name, "importer.error.sheet", sheet=sheet)
    grids = []
    for name in names:
        ws = book[name]
        if sheet is None and ws.sheet_state != "visible":
            continue
        rows: list[list[object]] = []
        hints: dict[tuple[int, int], Legacy] = {}
        for r, row in enumerate(ws.iter_rows(min_row=1, min_col=1), start=0):
            values = []
            for c, cell in enumerate(row):
                value = cell.value
                values.append(value)
                if isinstance(value, str) and cell.font is not None:
                    hint = font_hint(cell.font.name)
                    if hint:
                        hints[(r, c)] = hint
            rows.append(values)
        spread: set[tuple[int, int]] = set()
        below: set[tuple[int, int]] = set()
        for merged in ws.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            if top >= len(rows):
                continue
            value = rows[top][left] if left < len(rows[top]) else None
            for r in range(top, min(merged.max_row, len(rows))):
                for c in range(left, merged.max_col):
                    while len(rows[r]) <= c:
                        rows[r].append(None)
                    if (r, c) != (top, left):
                        rows[r][c] = value
                        if c != left:
                            spread.add((r, c))
                        if r != top:
                            below.add((r, c))
                        if (top, left) in hints:
                            hints[(r, c)] = hints[(top, left)]
        grids.append(_Grid(name, rows, spread, hints, meta, "xlsx", below))
    return grids


def _read_csv(data: bytes, file_name: str) -> _Grid:
    text, encoding = decode_bytes(data)
    if "\x00" in text:
        raise _unreadable(file_name, "importer.error.unreadable")
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise _unreadable(file_name, "importer.error.empty")

    def width(delimiter: str) -> tuple[int, int]:
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        common = Counter(counts).most_common(1)[0]
        return common[0], common[1]

    # The delimiter that gives the most columns on most lines (Vietnamese Excel saves ";").
    delimiter = max((",", ";", "\t"), key=lambda d: (min(width(d)[0], 100), width(d)[1]))
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise _unreadable(file_name, "importer.error.unreadable") from exc
    return _Grid("", rows, encoding=encoding)


def _read_grids(data: bytes, file_name: str, sheet: str | int | None) -> list[_Grid]:
    if not data.strip():
        raise _unreadable(file_name, "importer.error.empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, file_name, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unreadable(file_name, "importer.error.xls")
    if data[:5] in (b"%PDF-",) or data[:4] in (b"\x89PNG", b"GIF8") or data[:2] == b"\xff\xd8":
        raise _unreadable(file_name, "importer.error.unreadable")
    return [_read_csv(data, file_name)]


def _repair_grid(grid: _Grid) -> str:
    """NFC and legacy-encoding repair of every text cell; returns the encoding label."""
    where: list[tuple[int, int]] = []
    texts: list[str] = []
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                where.append((r, c))
                texts.append(value)
    repaired, legacy = repair_texts(texts, hints=[grid.hints.get(p) for p in where])
    changed = 0
    for (r, c), before, after in zip(where, texts, repaired, strict=True):
        merged_copy = (r, c) in grid.spread or (r, c) in grid.below
        if legacy != "unicode" and after != unicodedata.normalize("NFC", before):
            changed += not merged_copy
        grid.rows[r][c] = after
    # ".VnTimeH"-style fonts draw lowercase codes as capitals: nothing to do for matching.
    grid.meta.setdefault("_converted", str(changed))
    return grid.encoding + (f"+{legacy}" if legacy != "unicode" and changed else "")


def _cell_text(value: object) -> str:
    """A cell as stripped text (numbers without a trailing ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(round(float(value), 9))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


# --- the header ----------------------------------------------------------------------------------


@dataclass
class _Header:
    first: int  # index of the first header row
    last: int  # index of the last header row
    columns: dict[int, str]  # grid column → family column or pseudo-column
    labels: dict[int, str]  # grid column → header text as written
    exact: set[int]
    ignored: list[str]  # header texts not recognised
    duplicates: list[tuple[str, str]]  # (header text, column) dropped as duplicates


def _value_columns(family: str) -> tuple[str, ...]:
    """Columns that carry figures (not identity, period or vintage)."""
    names = ind.FAMILIES[family].column_names
    extra = (_TOTAL,) if family == ind.MODELS else ()
    return tuple(n for n in names if n not in (COMMUNE_CODE, ind.PERIOD, VINTAGE)) + extra


def _block_header(grid: _Grid, first: int, last: int, family: str) -> _Header:
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
            text = _cell_text(row[c]) if c < len(row) else ""
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        if not texts:
            continue
        combined = " ".join(texts)
        found: tuple[str | None, bool] = (None, False)
        for candidate in (texts[-1], combined, *reversed(texts)):
            column, is_exact = _recognise(candidate, family)
            if column and is_exact:
                found = (column, True)
                break
        if found[0] is None:
            for candidate in (combined, texts[-1]):
                found = _recognise(candidate, family)
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
    return _Header(first, last, columns, labels, exact, ignored, duplicates)


def _header_score(header: _Header, family: str) -> tuple[int, int, int] | None:
    found = set(header.columns.values())
    values = found & set(_value_columns(family))
    if not values or not found & {COMMUNE_CODE, COMMUNE_NAME}:
        return None
    useful = found - {_IGNORE, _STT}
    # On a tie the shallower block wins: a title row is not part of the header.
    return len(useful), len(header.exact), header.first - header.last


def _find_header(grid: _Grid, family: str) -> _Header | None:
    best: tuple[tuple[int, int, int], _Header] | None = None
    limit = min(len(grid.rows), 40)
    for first in range(limit):
        if not any(_cell_text(v) for v in grid.rows[first]):
            continue
        for depth in (1, 2, 3):
            last = first + depth - 1
            if last >= len(grid.rows) or not any(_cell_text(v) for v in grid.rows[last]):
                break
            header = _block_header(grid, first, last, family)
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
        header = _block_header(grid, first, header.last, family)
    return header


# --- numbers and categories ----------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(
    r"\s*(?:ha|héc\s*ta|hecta|người|nguoi|mô\s*hình|mh|tiêu\s*chí|tc|hộ|xã)\.?\s*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*")
_DASHES = frozenset({"-", "–", "—", "--", "…", "...", "_"})


def _number_convention(texts: Sequence[str]) -> str:
    """``"en"`` when the file writes 1,234.5 (comma thousands), else ``"vi"`` (1.234,5)."""
    en = vi = 0
    for text in texts:
        s = text.replace(" ", "")
        if re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}", s):
            en += 1
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,}|\d+,\d{1,2}", s):
            vi += 1
    return "en" if en > vi else "vi"


def _number_text(text: str, convention: str) -> str:
    """``"1.234,5"`` → ``"1234.5"``, ``"12 ha"`` → ``"12"``; unreadable text is returned as is.

    >>> [_number_text(s, "vi") for s in ("1.234", "1,5", "12 ha", "1.234,5", "0.5", "x")]
    ['1234', '1.5', '12', '1234.5', '0.5', 'x']
    """
    s = _UNIT_SUFFIX.sub("", text).replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.fullmatch(s):
        return text
    sign = "-" if s.startswith("-") else ""
    s = s.lstrip("+-")
    decimal = thousands = ""
    if "." in s and "," in s:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
    elif "," in s or "." in s:
        mark = "," if "," in s else "."
        head, _, tail = s.partition(mark)
        grouped = len(tail) == 3 and head != "0" and len(head) <= 3
        # One separator before three digits: thousands in the file's convention ("1.234" vi).
        if s.count(mark) > 1 or (grouped and (mark == ".") == (convention == "vi")):
            thousands = mark
        else:
            decimal = mark
    whole, _, fraction = s.partition(decimal) if decimal else (s, "", "")
    if thousands:
        groups = whole.split(thousands)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return text
        whole = "".join(groups)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        return text
    return sign + whole + (f".{fraction}" if fraction else "")


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", _number_text(text, "vi")))


_CATEGORY_EXTRA: Mapping[str, Mapping[str, str]] = {
    ind.NTM_LEVEL: {
        "chua dat": ind.NTM_NOT_YET,
        "chua dat chuan": ind.NTM_NOT_YET,
        "chua dat chuan ntm": ind.NTM_NOT_YET,
        "chua": ind.NTM_NOT_YET,
        "khong dat": ind.NTM_NOT_YET,
        "dat": ind.NTM_STANDARD,
        "da dat": ind.NTM_STANDARD,
        "dat chuan": ind.NTM_STANDARD,
        "da dat chuan": ind.NTM_STANDARD,
        "dat chuan ntm": ind.NTM_STANDARD,
        "dat ntm": ind.NTM_STANDARD,
        "ntm": ind.NTM_STANDARD,
        "xa ntm": ind.NTM_STANDARD,
        "nang cao": ind.NTM_ADVANCED,
        "ntm nang cao": ind.NTM_ADVANCED,
        "dat chuan nang cao": ind.NTM_ADVANCED,
        "dat chuan ntm nang cao": ind.NTM_ADVANCED,
        "xa ntm nang cao": ind.NTM_ADVANCED,
        "kieu mau": ind.NTM_MODEL,
        "ntm kieu mau": ind.NTM_MODEL,
        "dat chuan kieu mau": ind.NTM_MODEL,
        "dat chuan ntm kieu mau": ind.NTM_MODEL,
        "xa ntm kieu mau": ind.NTM_MODEL,
    },
    ind.LAND_STATUS: {
        "chua thuc hien": ind.LAND_NOT_STARTED,
        "chua trien khai": ind.LAND_NOT_STARTED,
        "chua bat dau": ind.LAND_NOT_STARTED,
        "chua lam": ind.LAND_NOT_STARTED,
        "chua": ind.LAND_NOT_STARTED,
        "dang thuc hien": ind.LAND_IN_PROGRESS,
        "dang trien khai": ind.LAND_IN_PROGRESS,
        "dang lam": ind.LAND_IN_PROGRESS,
        "dang": ind.LAND_IN_PROGRESS,
        "hoan thanh": ind.LAND_DONE,
        "da hoan thanh": ind.LAND_DONE,
        "xong": ind.LAND_DONE,
        "da xong": ind.LAND_DONE,
    },
    ind.FIELD: {
        "kinh te": ind.FIELD_ECONOMY,
        "kt": ind.FIELD_ECONOMY,
        "van hoa xa hoi": ind.FIELD_CULTURE_SOCIETY,
        "vh xh": ind.FIELD_CULTURE_SOCIETY,
        "vhxh": ind.FIELD_CULTURE_SOCIETY,
        "quoc phong an ninh": ind.FIELD_DEFENCE_SECURITY,
        "qp an": ind.FIELD_DEFENCE_SECURITY,
        "qpan": ind.FIELD_DEFENCE_SECURITY,
        "xay dung he thong chinh tri": ind.FIELD_POLITICAL_SYSTEM,
        "he thong chinh tri": ind.FIELD_POLITICAL_SYSTEM,
        "xd htct": ind.FIELD_POLITICAL_SYSTEM,
        "htct": ind.FIELD_POLITICAL_SYSTEM,
    },
}
# Written where a category does not apply (a phường has no NTM level): empty.
_NOT_APPLICABLE = frozenset({"khong ap dung", "kad", "n a", "na", "not applicable", "k ad"})
_TRUE = frozenset({"x", "co", "yes", "y", "true", "1", "da nhan rong", "roi", "v"})
_FALSE = frozenset({"khong", "chua", "no", "n", "false", "0", "chua nhan rong"})


def _category_text(text: str, column: str) -> str:
    key = _hkey(text.replace("✓", "x").replace("✔", "x"))
    if key in _NOT_APPLICABLE:
        return ""
    return _CATEGORY_EXTRA.get(column, {}).get(key, text)


def _bool_text(text: str) -> str:
    if not text.strip():
        return "false"  # planners tick "x" for yes and leave the cell empty for no
    key = _hkey(text.replace("✓", "x").replace("✔", "x"))
    if key in _TRUE:
        return "true"
    if key in _FALSE:
        return "false"
    return text


# --- row kinds -----------------------------------------------------------------------------------

_ROMAN = re.compile(r"^(?:[IVX]{1,6}|[A-H])\.?$")
# Rows under the table: notes, sources, dates, signatures (lower case, as typed).
_NOTE_START = (
    "ghi chú",
    "ghi chu",
    "người lập",
    "nguoi lap",
    "nguồn:",
    "nguon:",
    "nguồn số liệu",
    "nguon so lieu",
    "tm.",
    "kt.",
    "thủ trưởng",
    "thu truong",
    "chủ tịch",
    "chu tich",
    "giám đốc",
    "giam doc",
    "xác nhận",
    "xac nhan",
    "nơi nhận",
    "noi nhan",
    "lưu:",
    "lưu vt",
    "note",
    "source",
    "prepared by",
)
_DATE_LINE = re.compile(r"\bngay \d+ thang \d+ nam \d+")
# Total rows (row keys: diacritics kept unless the label was typed without any).
_TOTAL_KEYS = frozenset(
    {
        "tổng cộng",
        "tổng số",
        "tổng",
        "toàn tỉnh",
        "cả tỉnh",
        "tổng cộng toàn tỉnh",
        "cộng toàn tỉnh",
        "tong cong",
        "tong so",
        "tong",
        "toan tinh",
        "ca tinh",
        "total",
        "grand total",
    }
)
_FOOTER = re.compile(r"^(?:cộng|tổng|cong|tong|subtotal)\b")


def _row_key(label: str) -> str:
    """Lower-case words of a row label; diacritics kept unless the label was typed without.

    (Without diacritics "Tổng" and "Tòng" are the same word.)

    >>> _row_key("Cộng: huyện Lạc Sơn"), _row_key("TONG CONG")
    ('cộng huyện lạc sơn', 'tong cong')
    """
    text = clean(label).lower()
    if text.isascii():
        return _hkey(text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_DISTRICT_TYPES = frozenset({"Huyện", "Thành phố", "Thị xã", "Quận"})


def _is_numbering(cells: Sequence[str]) -> bool:
    """A row of column numbers under the header: "(1) (2) (3)", "A B 1 2 3", "4=1+2+3"."""
    filled = [c for c in cells if c]
    pattern = r"\(?(?:[0-9]{1,2}|[A-Za-z]|[0-9]{1,2}\s*=\s*[0-9+\-*/x() ]+)\)?"
    if len(filled) < 2 or not all(re.fullmatch(pattern, c) for c in filled):
        return False
    # "(1) (2)", "4=1+2+3", or at least three tokens in a row ("A B 1 2 3").
    return len(filled) >= 3 or any(c.startswith("(") or "=" in c for c in filled)


@dataclass
class _Group:
    """Commune rows between two section / subtotal rows, for the subtotal cross-check."""

    rows: list[int] = field(default_factory=list)
    district: str | None = None
    header_row: int | None = None  # a "Huyện …" row with figures above the group
    footer_row: int | None = None  # a "Cộng" row below the group
    label: str = ""


# --- matching ------------------------------------------------------------------------------------


@dataclass
class _Unit:
    code: str
    name: str
    kind: str
    district_code: str
    district_name: str


@dataclass
class _Place:
    """The communes a file's rows can be matched to."""

    province: str
    units: dict[str, _Unit]
    districts: dict[str, str]  # district code → name
    has_districts: bool
    keys: tuple[set[str], set[str], set[str]] | tuple[()] = ()

    def in_district(self, district: str | None) -> dict[str, str]:
        return {
            code: unit.name
            for code, unit in self.units.items()
            if district is None or unit.district_code == district
        }

    def is_commune_name(self, label: str) -> bool:
        """Whether ``label`` names a commune here ("Tong Dau" does; "Huyện Mai Châu" not)."""
        if not self.keys:
            units = self.units.values()
            self.keys = (
                {name_key(u.name, keep_type=True) for u in units},
                {name_key(u.name) for u in units},
                {ascii_key(u.name) for u in units},
            )
        typed, plain, bare = self.keys
        if unit_type(label) is not None:
            return name_key(label, keep_type=True) in typed
        return name_key(label) in plain or (label.isascii() and ascii_key(label) in bare)

    def describe(self, code: str) -> str:
        unit = self.units[code]
        return (
            f"{unit.name} ({unit.district_name}, {code})"
            if unit.district_name
            else (f"{unit.name} ({code})")
        )


def _place(province_codes: str | tuple[str, ...], vintage: str) -> _Place:
    from geo.geography.admin_units import communes

    if vintage == VINTAGE_2020_2025:
        table = communes(province_codes)
        has_districts = True
    elif vintage == VINTAGE_2025:
        table = communes_2025(province_codes)
        table[DISTRICT_CODE] = ""
        table[DISTRICT_NAME] = ""
        has_districts = False
    else:
        raise ValueError(f"vintage must be one of {', '.join(VINTAGES)}, got {vintage!r}")
    units = {
        code: _Unit(code, name, kind, dcode, dname)
        for code, name, kind, dcode, dname in table[
            [COMMUNE_CODE, COMMUNE_NAME, COMMUNE_TYPE, DISTRICT_CODE, DISTRICT_NAME]
        ].itertuples(index=False)
    }
    districts = dict(zip(table[DISTRICT_CODE], table[DISTRICT_NAME], strict=True))
    districts.pop("", None)
    province = ", ".join(dict.fromkeys(table[PROVINCE_NAME]))
    return _Place(province, units, districts, has_districts)


def _closest_text(closest: Sequence[Any], place: _Place, lang: Lang) -> str:
    if not closest:
        return t("importer.none", lang)
    return "; ".join(place.describe(c.id) for c in closest)


# --- the import ---------------------------------------------------------------------------------


@dataclass
class _Reason:
    row: int
    column: str
    value: str
    key: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class _Row:
    """A data row on its way through the import."""

    index: int  # grid index; spreadsheet row = index + 1
    cells: dict[str, str]  # family / pseudo column → text
    district: str | None = None  # district code context
    code: str | None = None  # matched commune code


def _column_label(column: str, family: str, lang: Lang) -> str:
    spec = ind.FAMILIES[family]
    if column in spec.column_names:
        return spec.column(column).label(lang)
    return {
        COMMUNE_NAME: t("field.commune", lang),
        _DISTRICT: t("field.district", lang),
        DISTRICT_NAME: t("field.district", lang),
        _TOTAL: t("field.models_total", lang),
    }.get(column, column)


_RULE_KEYS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^value required$", "importer.rule.required"),
        (r"^expected a year between (?P<low>\d+) and (?P<high>\d+)", "importer.rule.year"),
        (r"^expected a whole number ≥ 0", "importer.rule.count"),
        (r"^expected a whole number from 0 to (?P<high>\d+)", "importer.rule.count_max"),
        (r"^expected a number ≥ 0", "importer.rule.number"),
        (r"^expected one of ", "importer.rule.category"),
        (r"^expected true or false", "importer.rule.bool"),
        (r"^expected a boundary vintage", "importer.rule.vintage"),
        (r"^expected a GSO commune code", "importer.rule.code"),
        (r"^more models replicated than", "importer.rule.replicated"),
        (r"^year recognised is after the period", "importer.rule.after_period"),
        (r"^an NTM commune meets all", "importer.rule.ntm_criteria"),
        (r"^year reached is given but the level is not_yet", "importer.rule.ntm_year_not_yet"),
        (r"^year reached is after the period", "importer.rule.after_period"),
        (r"^status done but the area consolidated is below", "importer.rule.land_done_below"),
        (r"^status in_progress needs", "importer.rule.land_in_progress"),
        (r"^status not_started but", "importer.rule.land_not_started"),
        (r"^area consolidated above the area planned", "importer.rule.land_done_above"),
        (r"^year completed is given but", "importer.rule.land_year_not_done"),
        (r"^year completed is after the period", "importer.rule.after_period"),
        (r"^duplicate of row (?P<row>\d+)", "importer.reject.duplicate"),
    )
)
_CATEGORY_LABELS: Mapping[str, Mapping[str, ind.Label]] = {
    ind.FIELD: ind.FIELD_LABELS,
    ind.NTM_LEVEL: ind.NTM_LEVEL_LABELS,
    ind.LAND_STATUS: ind.LAND_STATUS_LABELS,
}
_WHERE = re.compile(r"^row (?P<row>\d+), column (?P<column>\w+)$")


def _rule_reason(problem: Problem, family: str, value: str) -> _Reason:
    found = _WHERE.match(problem.where)
    if not found:
        raise AssertionError(f"unexpected problem location {problem.where!r}")
    row, column = int(found["row"]), found["column"]
    for pattern, key in _RULE_KEYS:
        hit = pattern.match(problem.message)
        if hit:
            values: dict[str, object] = {k: int(v) for k, v in hit.groupdict().items()}
            if key == "importer.rule.category":
                spec = ind.FAMILIES[family].column(column)
                labels = _CATEGORY_LABELS.get(column, {})
                values["allowed"] = {
                    lang: ", ".join(labels[c](lang) if c in labels else c for c in spec.categories)
                    for lang in LANGUAGES
                }
            if key == "importer.rule.ntm_criteria":
                values["n"] = ind.NTM_CRITERIA_COUNT
            return _Reason(row, column, value, key, values)
    return _Reason(row, column, value, "importer.rule.other", {"message": problem.message})


def import_file(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    family: str,
    period: int,
    file_name: str | None = None,
    province_codes: str | tuple[str, ...] = "17",
    vintage: str = VINTAGE_2020_2025,
    sheet: str | int | None = None,
) -> ImportReport:
    """Read a planner's spreadsheet and say, row by row, what can be imported (dry run).

    Parameters
    ----------
    source : path, bytes or binary file-like
        An ``.xlsx`` workbook or a ``.csv`` file (UTF-8 with or without BOM, UTF-16,
        Windows-1258, or Windows-1252 bytes of TCVN3/VNI text; comma, semicolon or tab).
    family : str
        One of :data:`geo.figures.indicators.FAMILY_NAMES`.
    period : int
        The year the figures are for; rows whose own year column says otherwise are rejected.
    file_name : str, optional
        Name to report (defaults to the path's or buffer's name).
    province_codes : str or tuple of str
        Province(s) whose communes rows are matched against (GSO codes, default Hòa Bình).
    vintage : {"2020-2025", "2025"}
        Boundary set of the file's codes and names: ``"2020-2025"`` (default) or ``"2025"``
        for files keyed to the communes after 1 July 2025 (no districts).
    sheet : str or int, optional
        Sheet name or 0-based index; default: the first visible sheet with a header.

    Returns
    -------
    ImportReport

    Raises
    ------
    UnreadableFileError
        (a :class:`~geo.errors.DataError`) when the file cannot be used at all: not a
        spreadsheet, an old ``.xls``, empty, no header with a commune column and a figure
        column, a template of another family.
    ValueError
        For an unknown family or vintage, or a period outside 1900–2100.

    Examples
    --------
    >>> csv_text = "Mã xã;Mức đạt NTM;Số tiêu chí đạt\\n5233;Đạt chuẩn;19\\n4789;Nâng cao;19\\n"
    >>> report = import_file(csv_text.encode("utf-8-sig"), family="ntm", period=2024)
    >>> report.accepted["ntm_level"].tolist()
    ['ntm']
    >>> print(report.rejected.loc[0, "reason_en"])
    Column “NTM level”: Phường Thái Bình is a ward or town: the NTM standard does not apply
    """
    if family not in ind.FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {ind.FAMILY_NAMES}")
    if not 1900 <= int(period) <= 2100:
        raise ValueError(f"period must be a year between 1900 and 2100, got {period!r}")
    place = _place(province_codes, vintage)
    data, name = _read_source(source, file_name)
    sha256 = hashlib.sha256(data).hexdigest()
    grids = _read_grids(data, name, sheet)
    if not grids:
        raise _unreadable(name, "importer.error.empty")
    meta = grids[0].meta
    if meta.get("family") and meta["family"] != family:
        raise _unreadable(
            name,
            "importer.error.template_family",
            template={lang: ind.FAMILY_LABELS[meta["family"]](lang) for lang in LANGUAGES}
            if meta["family"] in ind.FAMILY_LABELS
            else meta["family"],
            family={lang: ind.FAMILY_LABELS[family](lang) for lang in LANGUAGES},
        )
    chosen: tuple[_Grid, _Header, str] | None = None
    for grid in grids:
        encoding = _repair_grid(grid)
        header = _find_header(grid, family)
        if header is not None:
            chosen = (grid, header, encoding)
            break
    if chosen is None:
        if any(_sheet_has_values_only(g, family) for g in grids):
            raise _unreadable(name, "importer.error.no_commune_column")
        examples = ", ".join(
            f"“{ind.FAMILIES[family].column(c).label('vi')}”"
            for c in _value_columns(family)[:3]
            if c != _TOTAL
        )
        raise _unreadable(
            name,
            "importer.error.no_header",
            family={lang: ind.FAMILY_LABELS[family](lang) for lang in LANGUAGES},
            examples=examples,
        )
    grid, header, encoding = chosen
    return _Import(grid, header, family, int(period), vintage, name, place).run(
        sha256=sha256, encoding=encoding
    )


def _sheet_has_values_only(grid: _Grid, family: str) -> bool:
    for r in range(min(len(grid.rows), 40)):
        header = _block_header(grid, r, r, family)
        found = set(header.columns.values())
        if found & set(_value_columns(family)) and not found & {COMMUNE_CODE, COMMUNE_NAME}:
            return True
    return False


class _Import:
    """One import: classify rows, match communes, parse and check values, build the report."""

    def __init__(
        self,
        grid: _Grid,
        header: _Header,
        family: str,
        period: int,
        vintage: str,
        file_name: str,
        place: _Place,
    ) -> None:
        self.grid = grid
        self.header = header
        self.family = family
        self.spec = ind.FAMILIES[family]
        self.period = period
        self.vintage = vintage
        self.file_name = file_name
        self.place = place
        self.by_column = {column: c for c, column in header.columns.items()}
        self.values = [c for c in _value_columns(family) if c in self.by_column]
        self.reasons: list[_Reason] = []
        self.skipped: list[tuple[int, str, str]] = []  # (row, text, key)
        self.warnings: list[Finding] = []
        self.rows: list[_Row] = []
        self.groups: list[_Group] = [_Group()]
        self.totals: list[int] = []
        self.figures: dict[int, dict[str, str]] = {}  # subtotal / total rows → cells
        self.district_cache: dict[str, str | None] = {}
        self.convention = "vi"
        self.numbers: dict[int, dict[str, float | None]] = {}

    # -- helpers --

    def warn(self, where: str, key: str, **values: object) -> None:
        message = _render(key, "en", values)
        self.warnings.append(Finding(self.file_name, where, message, "warning", key, values))

    def reject(self, row: _Row, column: str, key: str, **values: object) -> None:
        value = row.cells.get(column, "")
        self.reasons.append(_Reason(row.index + 1, column, value, key, values))

    def skip(self, index: int, text: str, key: str) -> None:
        self.skipped.append((index + 1, text, key))

    def cells(self, index: int) -> dict[str, str]:
        row = self.grid.rows[index]
        out: dict[str, str] = {}
        for c, column in self.header.columns.items():
            value = row[c] if c < len(row) else None
            if (index, c) in self.grid.spread:
                value = None  # a merged title across the row, not a value of this column
            out[column] = _cell_text(value)
        return out

    def row_text(self, index: int) -> str:
        texts = [_cell_text(v) for v in self.grid.rows[index]]
        seen: list[str] = []
        for text in texts:
            if text and text not in seen:
                seen.append(text)
        return " | ".join(seen)[:120]

    def label(self, index: int, cells: Mapping[str, str]) -> str:
        """The row's name: the commune-name cell, else the first text left of the figures."""
        if cells.get(COMMUNE_NAME):
            return cells[COMMUNE_NAME]
        first_value = min(
            (c for c, col in self.header.columns.items() if col in self.values), default=0
        )
        for value in self.grid.rows[index][:first_value]:
            text = _cell_text(value)
            if text and not re.fullmatch(r"[0-9.,]+", text) and not _ROMAN.match(text):
                return text
        return ""

    # -- steps --

    def run(self, *, sha256: str, encoding: str) -> ImportReport:
        self.note_header(encoding)
        self.classify()
        self.match()
        table = self.validate()
        self.check_subtotals()
        return self.report(table, sha256=sha256, encoding=encoding)

    def note_header(self, encoding: str) -> None:
        header = self.header
        for r in range(header.first):
            if any(_cell_text(v) for v in self.grid.rows[r]):
                self.skip(r, self.row_text(r), "importer.skip.title")
            else:
                self.skip(r, "", "importer.skip.blank")
        for r in range(header.first, header.last + 1):
            self.skip(r, self.row_text(r), "importer.skip.header")
        if "+" in encoding:
            legacy = encoding.split("+")[1]
            self.warn(
                "",
                "importer.warn.legacy",
                count=int(self.grid.meta.get("_converted", "0")),
                encoding={"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}[legacy],
            )
        for text in header.ignored:
            self.warn("", "importer.warn.unused_column", header=text, family=self.spec.name)
        for text, column in header.duplicates:
            self.warn("", "importer.warn.duplicate_column", header=text, column=column)
        optional = (_TOTAL, ind.PROVENANCE)  # derived / filled in by the import
        absent = [c for c in _value_columns(self.family) if c not in self.by_column]
        absent = [c for c in absent if c not in optional]
        if absent:
            labels = {
                lang: ", ".join(_column_label(c, self.family, lang) for c in absent)
                for lang in LANGUAGES
            }
            self.warn("", "importer.warn.missing_columns", columns=labels)
        if self.vintage == VINTAGE_2025 and _DISTRICT in self.by_column:
            self.warn("", "importer.warn.district_ignored")
        template_period = self.grid.meta.get("period", "")
        if template_period.isdigit() and int(template_period) != self.period:
            self.warn(
                "",
                "importer.warn.template_period",
                template=template_period,
                period=str(self.period),
            )

    def classify(self) -> None:
        rows = self.grid.rows
        last = len(rows) - 1
        while last > self.header.last and not any(_cell_text(v) for v in rows[last]):
            last -= 1  # blank rows at the end of the sheet are no rows at all
        for index in range(self.header.last + 1, last + 1):
            cells = self.cells(index)
            texts = [_cell_text(v) for v in rows[index]]
            if not any(texts):
                self.skip(index, "", "importer.skip.blank")
                continue
            first_filled = all(
                not any(_cell_text(v) for v in rows[r]) for r in range(self.header.last + 1, index)
            )
            if first_filled and _is_numbering([cells[col] for col in cells]):
                self.skip(index, self.row_text(index), "importer.skip.numbering")
                continue
            if self.is_repeated_header(cells):
                self.skip(index, self.row_text(index), "importer.skip.header")
                continue
            label = self.label(index, cells)
            kind = self.row_kind(label, cells)
            has_figures = any(self.has_value(c, cells.get(c, "")) for c in self.values)
            if kind == "note":
                self.skip(index, self.row_text(index), "importer.skip.note")
            elif kind == "total":
                self.skip(index, label, "importer.skip.total")
                self.totals.append(index)
                self.figures[index] = cells
            elif kind == "footer":
                group = self.groups[-1]
                group.footer_row = index if has_figures else None
                group.label = label
                rest = re.sub(r"^(?:cộng|tổng|cong|tong|subtotal)\s*", "", _row_key(label))
                if rest and group.district is None:
                    group.district = self.resolve_district(rest)
                self.figures[index] = cells
                self.skip(index, label, "importer.skip.subtotal")
                self.groups.append(_Group())
            elif kind == "section":
                district = self.resolve_district(label) if label else None
                self.groups.append(
                    _Group(
                        district=district,
                        header_row=index if has_figures else None,
                        label=label,
                    )
                )
                self.figures[index] = cells
                self.skip(index, label or self.row_text(index), "importer.skip.section")
            elif not cells.get(COMMUNE_NAME) and not cells.get(COMMUNE_CODE):
                if any(_is_number(cells.get(c, "")) for c in self.values):
                    row = _Row(index, cells)
                    self.reject(row, COMMUNE_NAME, "importer.reject.no_commune")
                elif has_figures:  # text only, off the name column: a signature, a note
                    self.skip(index, self.row_text(index), "importer.skip.note")
                else:
                    self.skip(index, self.row_text(index), "importer.skip.no_commune")
            elif not has_figures:
                self.skip(index, label or cells.get(COMMUNE_CODE, ""), "importer.skip.no_figures")
            else:
                self.rows.append(_Row(index, cells))
                self.groups[-1].rows.append(len(self.rows) - 1)

    def has_value(self, column: str, text: str) -> bool:
        """Whether a cell holds a figure ("-", "Không áp dụng" and the like do not)."""
        if not text or text in _DASHES:
            return False
        kind = self.spec.column(column).kind if column in self.spec.column_names else "count"
        return kind != "category" or _category_text(text, column) != ""

    def is_repeated_header(self, cells: Mapping[str, str]) -> bool:
        hits = 0
        for column, text in cells.items():
            found, exact = _recognise(text, self.family) if text else (None, False)
            hits += bool(exact and found == column)
        return hits >= 2

    def row_kind(self, label: str, cells: Mapping[str, str]) -> str:
        stt = cells.get(_STT, "")
        commune_like = bool(label) and self.place.is_commune_name(label)
        lower = clean(label).lower()
        if not commune_like and (lower.startswith(_NOTE_START) or _DATE_LINE.search(_hkey(label))):
            return "note"
        if cells.get(COMMUNE_CODE) or commune_like:
            return "commune"
        kind = unit_type(label) if label else None
        words = _row_key(label)
        if words in _TOTAL_KEYS or words.startswith(("toàn tỉnh", "toan tinh")) or kind == "Tỉnh":
            return "total"
        if _FOOTER.match(words):
            return "footer"
        if kind in _DISTRICT_TYPES:
            return "section"
        if _ROMAN.match(stt) and kind not in ("Xã", "Phường", "Thị trấn"):
            return "section"
        return "commune"

    def resolve_district(self, text: str) -> str | None:
        if not self.place.has_districts or not text:
            return None
        if text not in self.district_cache:
            result = match_names([text], self.place.districts)
            self.district_cache[text] = result.matched[0].candidate_id if result.matched else None
        return self.district_cache[text]

    def match(self) -> None:
        place = self.place
        by_district: dict[str | None, list[int]] = {}
        district_of_group = {
            position: group.district for group in self.groups for position in group.rows
        }
        for position, row in enumerate(self.rows):
            district = district_of_group.get(position)
            text = row.cells.get(_DISTRICT, "")
            if text and place.has_districts:
                found = self.resolve_district(text)
                if found is None:
                    closest = closest_candidates(text, place.districts, n=3)
                    self.reject(
                        row,
                        _DISTRICT,
                        "importer.reject.unknown_district",
                        name=text,
                        closest=", ".join(c.name for c in closest) or "–",
                    )
                    continue
                district = found
            row.district = district
            if row.cells.get(COMMUNE_CODE):
                self.match_code(row)
            else:
                by_district.setdefault(district, []).append(position)
        for district, positions in by_district.items():
            self.match_names(district, positions)

    def match_code(self, row: _Row) -> None:
        text = row.cells[COMMUNE_CODE].lstrip("'").replace(" ", "")
        if not re.fullmatch(r"[0-9]{1,5}", text):
            self.reject(row, COMMUNE_CODE, "importer.reject.bad_code", value=text)
            return
        code = text.zfill(5)
        unit = self.place.units.get(code)
        if unit is None:
            self.reject(
                row,
                COMMUNE_CODE,
                "importer.reject.unknown_code",
                code=code,
                province=self.place.province,
                vintage=self.vintage,
            )
            return
        name = row.cells.get(COMMUNE_NAME, "")
        if name and name_key(name) != name_key(unit.name):
            if ascii_key(name) == ascii_key(unit.name):
                self.warn(
                    f"row {row.index + 1}",
                    "importer.warn.ascii_match",
                    name=name,
                    official=unit.name,
                )
            else:
                self.reject(
                    row,
                    COMMUNE_NAME,
                    "importer.reject.code_name_mismatch",
                    code=code,
                    official=unit.name,
                    name=name,
                )
                return
        if row.district and unit.district_code and row.district != unit.district_code:
            self.reject(
                row,
                _DISTRICT if row.cells.get(_DISTRICT) else COMMUNE_CODE,
                "importer.reject.code_district_mismatch",
                code=code,
                official=place_name(unit),
                district=self.place.districts.get(row.district, ""),
            )
            return
        row.code = code

    def match_names(self, district: str | None, positions: list[int]) -> None:
        place = self.place
        candidates = place.in_district(district)
        names = [self.rows[p].cells[COMMUNE_NAME] for p in positions]
        result = match_names(names, candidates)
        area = place.districts.get(district, "") if district else place.province
        for match in result.matched:
            self.accept_match(self.rows[positions[match.index]], match)
        for item in result.ambiguous:
            row = self.rows[positions[item.index]]
            if len(item.candidates) == 1:
                # Two rows claim the same commune: a duplicate, rejected as such later.
                row.code = item.candidates[0].id
                continue
            self.reject(
                row,
                COMMUNE_NAME,
                "importer.reject.ambiguous_name",
                name=item.name,
                candidates="; ".join(place.describe(c.id) for c in item.candidates),
            )
        for item in result.unmatched:
            row = self.rows[positions[item.index]]
            alone = match_names([item.name], candidates)
            if alone.matched:  # its commune was taken by another row: a duplicate
                self.accept_match(row, alone.matched[0])
                continue
            if district is not None:
                anywhere = match_names([item.name], place.in_district(None))
                if anywhere.matched:
                    found = anywhere.matched[0].candidate_id
                    self.reject(
                        row,
                        COMMUNE_NAME,
                        "importer.reject.other_district",
                        name=item.name,
                        district=area,
                        official=place.describe(found),
                    )
                    continue
            self.reject(
                row,
                COMMUNE_NAME,
                "importer.reject.unknown_name",
                name=item.name,
                area=area,
                closest={lang: _closest_text(item.closest, place, lang) for lang in LANGUAGES},
            )

    def accept_match(self, row: _Row, match: Any) -> None:
        row.code = match.candidate_id
        official = self.place.units[row.code].name
        if match.method == "ascii":
            self.warn(
                f"row {row.index + 1}",
                "importer.warn.ascii_match",
                name=match.name,
                official=official,
            )
        elif match.type_differs:
            self.warn(
                f"row {row.index + 1}",
                "importer.warn.type_differs",
                name=match.name,
                official=official,
            )

    def value_text(self, column: str, text: str, convention: str) -> str:
        spec_column = self.spec.column(column) if column in self.spec.column_names else None
        kind = spec_column.kind if spec_column else "count"
        if kind in ("count", "number", "year"):
            if text in _DASHES:
                return ""
            return _number_text(text, convention)
        if kind == "category":
            return _category_text(text, column)
        if kind == "bool":
            return _bool_text(text)
        return text

    def validate(self) -> pd.DataFrame:
        spec = self.spec
        numeric = [
            c
            for c in self.values
            if c == _TOTAL or self.spec.column(c).kind in ("count", "number", "year")
        ]
        convention = _number_convention(
            [row.cells.get(c, "") for row in self.rows for c in numeric]
            + [cells.get(c, "") for cells in self.figures.values() for c in numeric]
        )
        self.convention = convention
        records: dict[int, dict[str, str]] = {}
        for row in self.rows:
            number = row.index + 1
            record = {COMMUNE_CODE: row.code or "00000", VINTAGE: self.vintage}
            record[ind.PERIOD] = str(self.period)
            for column in spec.column_names:
                if column in (COMMUNE_CODE, ind.PERIOD, VINTAGE):
                    continue
                text = row.cells.get(column, "")
                record[column] = self.value_text(column, text, convention)
            if spec.name == ind.NAMED_MODELS:
                if not record[ind.PROVENANCE]:
                    record[ind.PROVENANCE] = IMPORT_PROVENANCE
                if not record[ind.REPLICATED]:
                    record[ind.REPLICATED] = "false"
            records[number] = record
            for column, expected in ((ind.PERIOD, str(self.period)), (VINTAGE, self.vintage)):
                text = row.cells.get(column, "")
                if text and _number_text(text, convention) != expected and text != expected:
                    self.reject(
                        row,
                        column,
                        f"importer.reject.{column}",
                        value=text,
                        expected=expected,
                    )
        columns = list(spec.column_names)
        raw = pd.DataFrame.from_dict(records, orient="index", columns=columns, dtype=object)
        raw = raw.fillna("").astype(object)
        if raw.empty:
            raw = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        table, problems = ind.parse_cells(raw, self.family, source=self.file_name)
        by_number = {row.index + 1: row for row in self.rows}
        for problem in problems:
            found = _WHERE.match(problem.where)
            assert found is not None
            number, column = int(found["row"]), found["column"]
            if column == COMMUNE_CODE:
                continue  # unmatched rows are already explained
            value = by_number[number].cells.get(column, "")
            self.reasons.append(_rule_reason(problem, self.family, value))
        # Rules across columns: only rows matched and read without problems.
        bad_rows = {reason.row for reason in self.reasons}
        good = [row.index + 1 for row in self.rows if row.code and row.index + 1 not in bad_rows]
        for row in self.rows:
            if row.code is None and row.index + 1 not in bad_rows:
                raise AssertionError(f"row {row.index + 1} neither matched nor rejected")
        checked = table.loc[good]
        self.extra_rules(checked, by_number)
        bad_rows = {reason.row for reason in self.reasons}
        checked = table.loc[[n for n in good if n not in bad_rows]]
        first_of: dict[int, int] = {}
        for problem in ind.check_rules(checked, self.family, source=self.file_name):
            number = int(_WHERE.match(problem.where)["row"])  # type: ignore[index]
            column = _WHERE.match(problem.where)["column"]  # type: ignore[index]
            reason = _rule_reason(problem, self.family, by_number[number].cells.get(column, ""))
            if reason.key == "importer.reject.duplicate":
                # Which of the two rows is right cannot be known: reject both.
                first = int(reason.values["row"])  # type: ignore[call-overload]
                first_of.setdefault(first, number)
                reason.column = COMMUNE_NAME if COMMUNE_NAME in self.by_column else COMMUNE_CODE
                reason.value = by_number[number].cells.get(reason.column, "")
            self.reasons.append(reason)
        for first, later in first_of.items():
            column = COMMUNE_NAME if COMMUNE_NAME in self.by_column else COMMUNE_CODE
            self.reasons.append(
                _Reason(
                    first,
                    column,
                    by_number[first].cells.get(column, ""),
                    "importer.reject.duplicate_later",
                    {"row": later},
                )
            )
        self.numbers = {
            row.index + 1: {c: _float(records[row.index + 1].get(c, "")) for c in numeric}
            for row in self.rows
        }
        for row in self.rows:
            if _TOTAL in self.by_column:
                self.numbers[row.index + 1][_TOTAL] = _float(
                    _number_text(row.cells.get(_TOTAL, ""), convention)
                )
        return table

    def extra_rules(self, table: pd.DataFrame, by_number: Mapping[int, _Row]) -> None:
        """Rules an import adds to the family's: the file's own total, NTM of urban units."""
        if self.family == ind.MODELS and _TOTAL in self.by_column:
            computed = ind.models_total(table)
            for number in table.index:
                row = by_number[number]
                stated = _float(_number_text(row.cells.get(_TOTAL, ""), self.convention))
                value = computed.get(number)
                fields = table.loc[number, list(ind.FIELD_COLUMNS.values())]
                if stated is not None and fields.isna().all():
                    # Only the total is given: the four fields are what is stored.
                    self.reject(row, _TOTAL, "importer.reject.total_only", stated=stated)
                elif stated is not None and value is not pd.NA and stated != float(value):
                    self.reject(
                        row, _TOTAL, "importer.reject.total", stated=stated, computed=int(value)
                    )
        if self.family == ind.NTM:
            for number in table.index:
                row = by_number[number]
                unit = self.place.units[row.code]  # type: ignore[index]
                given = table.loc[number, [ind.NTM_LEVEL, ind.NTM_YEAR, ind.CRITERIA_MET]]
                if unit.kind != "Xã" and given.notna().any():
                    column = next(c for c in given.index if pd.notna(given[c]))
                    self.reject(row, column, "importer.reject.ntm_not_rural", official=unit.name)

    def check_subtotals(self) -> None:
        sums = [
            c
            for c in self.values
            if c == _TOTAL
            or (self.spec.column(c).kind in ("count", "number") and c != ind.CRITERIA_MET)
        ]
        if self.family not in (ind.MODELS, ind.LAND) or not sums:
            return

        def compare(index: int, label: str, positions: Sequence[int]) -> None:
            stated_cells = self.figures.get(index, {})
            for column in sums:
                stated = _float(_number_text(stated_cells.get(column, ""), self.convention))
                if stated is None:
                    continue
                parts = [self.numbers[self.rows[p].index + 1].get(column) for p in positions]
                if any(p is None for p in parts) and any(
                    self.rows[p].cells.get(column) for p in positions
                ):
                    continue  # a commune cell is unreadable: the sum would mislead
                computed = float(sum(p for p in parts if p is not None))
                if abs(computed - stated) > 0.05:
                    self.warn(
                        f"row {index + 1}, column {column}",
                        "importer.warn.subtotal",
                        label=label,
                        column={
                            lang: _column_label(column, self.family, lang) for lang in LANGUAGES
                        },
                        stated=stated,
                        computed=computed,
                    )

        for group in self.groups:
            for index in (group.header_row, group.footer_row):
                if index is not None:
                    compare(index, group.label, group.rows)
        everything = list(range(len(self.rows)))
        for index in self.totals:
            compare(index, self.label(index, self.figures[index]), everything)

    def report(self, table: pd.DataFrame, *, sha256: str, encoding: str) -> ImportReport:
        order = {name: i for i, name in enumerate(self.spec.column_names)}
        reasons = sorted(self.reasons, key=lambda r: (r.row, order.get(r.column, -1)))
        rejected = pd.DataFrame(
            {
                "source_row": pd.array([r.row for r in reasons], dtype="int64"),
                "column": pd.array(
                    [DISTRICT_NAME if r.column == _DISTRICT else r.column for r in reasons],
                    dtype=object,
                ),
                "value": pd.array([r.value for r in reasons], dtype=object),
                "reason_vi": pd.array([self.reason_text(r, "vi") for r in reasons], dtype=object),
                "reason_en": pd.array([self.reason_text(r, "en") for r in reasons], dtype=object),
            }
        )
        bad = {r.row for r in reasons}
        good = [row.index + 1 for row in self.rows if row.index + 1 not in bad]
        accepted = table.loc[good].copy()
        accepted.insert(len(accepted.columns), SOURCE_ROW, pd.array(good, dtype="int64"))
        accepted = accepted.reset_index(drop=True)
        for column in self.spec.columns:
            accepted[column.name] = accepted[column.name].astype(column.dtype)
        skipped_rows = sorted(self.skipped)
        skipped = pd.DataFrame(
            {
                "source_row": pd.array([s[0] for s in skipped_rows], dtype="int64"),
                "text": pd.array([s[1] for s in skipped_rows], dtype=object),
                "reason_vi": pd.array([t(s[2], "vi") for s in skipped_rows], dtype=object),
                "reason_en": pd.array([t(s[2], "en") for s in skipped_rows], dtype=object),
            }
        )
        return ImportReport(
            family=self.family,
            period=self.period,
            vintage=self.vintage,
            file_name=self.file_name,
            sha256=sha256,
            accepted=accepted,
            rejected=rejected,
            skipped=skipped,
            warnings=list(self.warnings),
            encoding=encoding,
            rejected_rows=self.rejected_rows(sorted(bad)),
            sheet=self.grid.name,
        )

    def reason_text(self, reason: _Reason, lang: Lang) -> str:
        text = _render(reason.key, lang, reason.values)
        return t(
            "importer.reason",
            lang,
            column=_column_label(reason.column, self.family, lang),
            reason=text,
        )

    def rejected_rows(self, numbers: Sequence[int]) -> pd.DataFrame:
        width = max((len(self.grid.rows[n - 1]) for n in numbers), default=0)
        headers: list[str] = []
        for c in range(width):
            label = self.header.labels.get(c) or f"#{c + 1}"
            while label in headers:
                label += " "
            headers.append(label)
        data = {
            header: [
                _cell_text(self.grid.rows[n - 1][c]) if c < len(self.grid.rows[n - 1]) else ""
                for n in numbers
            ]
            for c, header in enumerate(headers)
        }
        return pd.DataFrame({SOURCE_ROW: pd.array(list(numbers), dtype="int64"), **data})


def place_name(unit: _Unit) -> str:
    """``"Xã Tòng Đậu (Huyện Mai Châu)"``."""
    return f"{unit.name} ({unit.district_name})" if unit.district_name else unit.name


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


# --- the rejected rows as a workbook -------------------------------------------------------------


def rejected_workbook(report: ImportReport, *, lang: Lang = "vi") -> bytes:
    """An ``.xlsx`` of the rejected rows as they were in the file, each with its reasons.

    Sheet 1 has the rows (spreadsheet row number, the file's cells, a reason column) so a
    planner can correct them and import them again; sheet 2 lists every problem.

    Examples
    --------
    >>> report = import_file(b"Ma xa,Kinh te\\n4789,-3\\n", family="models", period=2024)
    >>> data = rejected_workbook(report, lang="en")
    >>> data[:2]
    b'PK'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    ws = book.active
    ws.title = t("importer.wb.rejected_sheet", lang)[:31]
    ws.append([t("importer.wb.title", lang, file=report.file_name)])
    ws["A1"].font = Font(bold=True)
    rows = report.rejected_rows
    cells = [c for c in rows.columns if c != SOURCE_ROW]
    header = [
        t("importer.wb.row", lang),
        *[c.strip() for c in cells],
        t("importer.wb.reason", lang),
    ]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9D9")
    reasons: dict[int, list[str]] = {}
    for number, reason in zip(
        report.rejected["source_row"], report.rejected[f"reason_{lang}"], strict=True
    ):
        reasons.setdefault(int(number), []).append(str(reason))
    for record in rows.itertuples(index=False, name=None):
        number = int(record[0])
        ws.append([number, *record[1:], "; ".join(reasons.get(number, []))])
        ws.cell(ws.max_row, len(header)).alignment = Alignment(wrap_text=True)
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions[ws.cell(2, len(header)).column_letter].width = 70
    ws.freeze_panes = "B3"

    details = book.create_sheet(t("importer.wb.details_sheet", lang)[:31])
    details.append(
        [
            t("importer.wb.row", lang),
            t("importer.wb.column", lang),
            t("importer.wb.value", lang),
            t("importer.wb.reason", lang),
        ]
    )
    for cell in details[1]:
        cell.font = Font(bold=True)
    for number, column, value, reason in report.rejected[
        ["source_row", "column", "value", f"reason_{lang}"]
    ].itertuples(index=False, name=None):
        label = column
        if column in ind.FAMILIES[report.family].column_names:
            label = f"{ind.FAMILIES[report.family].column(column).label(lang)} ({column})"
        details.append([int(number), label, value, reason])
    details.column_dimensions["B"].width = 30
    details.column_dimensions["D"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
