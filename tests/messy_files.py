"""Planners' spreadsheets as they really look, written by the tests in every format.

A table is a list of rows (cells: str, int, float or None) plus merged ranges (xlsx only).
:func:`write` renders it as an ``.xlsx`` or a ``.csv`` in one of the encodings found in
government files, so one test can run over all of them (like pyogrio's tests over drivers).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from geo.figures.encodings import encode_cp1258, unicode_to_tcvn3, unicode_to_vni

Cell = str | int | float | None


@dataclass
class Table:
    rows: list[list[Cell]]
    merges: Sequence[str] = ()
    sheet: str = "Biểu 01"
    extra_sheets: dict[str, list[list[Cell]]] = field(default_factory=dict)


#: Format name → encoding label the importer should report.
FORMATS: dict[str, str] = {
    "xlsx": "xlsx",
    "xlsx-tcvn3": "xlsx+tcvn3",
    "xlsx-vni": "xlsx+vni",
    "csv-utf-8": "utf-8",
    "csv-utf-8-sig": "utf-8-sig",
    "csv-semicolon": "utf-8-sig",
    "csv-cp1258": "cp1258",
    "csv-tcvn3": "cp1252+tcvn3",
    "csv-vni": "cp1252+vni",
}


def _legacy(text: str, kind: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("Ð", "Đ")
    return unicode_to_tcvn3(text) if kind == "tcvn3" else unicode_to_vni(text)


def to_xlsx(table: Table, *, legacy: str | None = None) -> bytes:
    """The table as a workbook; ``legacy`` spells text in TCVN3/VNI with the matching font."""
    book = Workbook()
    ws = book.active
    ws.title = table.sheet
    font = {"tcvn3": Font(name=".VnTime"), "vni": Font(name="VNI-Times")}.get(legacy or "")
    for r, row in enumerate(table.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, str) and legacy:
                value = _legacy(value, legacy)
            cell = ws.cell(r, c, value)
            if font is not None and isinstance(value, str):
                cell.font = font
    for merged in table.merges:
        ws.merge_cells(merged)
    for name, rows in table.extra_sheets.items():
        extra = book.create_sheet(name)
        for row in rows:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(table: Table, *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """The table as CSV bytes: ``utf-8``, ``utf-8-sig``, ``cp1258``, ``tcvn3`` or ``vni``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    text = buffer.getvalue()
    if encoding in ("tcvn3", "vni"):
        return _legacy(text, encoding).encode("cp1252")
    if encoding == "cp1258":
        return encode_cp1258(text.replace("Ð", "Đ"))  # Windows-1258 has no Icelandic eth
    return text.encode(encoding)


def write(table: Table, fmt: str) -> bytes:
    """Render ``table`` in one of :data:`FORMATS`."""
    if fmt == "xlsx":
        return to_xlsx(table)
    if fmt.startswith("xlsx-"):
        return to_xlsx(table, legacy=fmt.removeprefix("xlsx-"))
    if fmt == "csv-semicolon":
        return to_csv(table, encoding="utf-8-sig", delimiter=";")
    return to_csv(table, encoding=fmt.removeprefix("csv-"))


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- the "Dân vận khéo" report of a province office -------------------------------------------

#: Spreadsheet rows (1-based) of :data:`MODELS_MESSY` and what the importer should make of them.
MODELS_ACCEPTED = {  # row → (code, economy, culture, defence, political, replicated, population)
    9: ("05269", 3, 3, 2, 2, 1, 4521),
    10: ("05272", 2, 2, 2, 2, 0, 3210),
    11: ("05284", 1, 2, 2, 1, 2, 1234),
    14: ("05233", 2, 1, 1, 1, 1, 2500),
    15: ("05212", 1, 1, 1, 1, 0, 1800),
    21: ("04792", 1, 1, 1, 0, 0, 9000),
}
MODELS_REJECTED = {  # row → column
    16: "models_defence_security",
    19: "models_replicated",
    20: "commune_name",
}
MODELS_SKIPPED = {
    1: "Title row above the table",
    2: "Title row above the table",
    3: "Blank row",
    4: "Column header row",
    5: "Column header row",
    6: "Column numbering row",
    7: "Total row (not a commune)",
    8: "District or section row (not a commune)",
    12: "Blank row",
    13: "District or section row (not a commune)",
    17: "Subtotal row (not a commune)",
    18: "District or section row (not a commune)",
    22: "Note, date or signature",
    23: "Note, date or signature",
    24: "Note, date or signature",
}

MODELS_MESSY = Table(
    rows=[
        ["UBND TỈNH HÒA BÌNH", None, None, None, None, None, None, None, None],
        ["BIỂU TỔNG HỢP MÔ HÌNH “DÂN VẬN KHÉO” NĂM 2024", *[None] * 8],
        [None] * 9,
        ["STT", "Tên xã", "Số mô hình", None, None, None, None, "Nhân rộng", "Dân số (người)"],
        [
            None,
            None,
            "Tổng số",
            "Kinh tế",
            "Văn hóa - xã hội",
            "QP-AN",
            "Xây dựng hệ thống chính trị",
            None,
            None,
        ],
        ["A", "B", "1", "2", "3", "4", "5", "6", "7"],
        [None, "Tổng cộng", 42, 13, 12, 9, 8, 9, "30.265"],
        ["I", "Huyện Lạc Sơn", 24, 6, 7, 6, 5, 3, "8.965"],
        [1, "Xã Quý Hoà", 10, 3, 3, 2, 2, 1, "4.521"],
        [2, "Miền Ðồi", 8, 2, 2, 2, 2, 0, "3.210"],
        [3, nfd("Xã Văn Sơn"), 6, 1, 2, 2, 1, 2, "1.234"],
        [None] * 9,
        ["II", "Huyện Mai Châu", None, None, None, None, None, None, None],
        [1, "Xã Tòng Đậu", 5, 2, 1, 1, 1, 1, 2500],
        [2, "Hang Kia", 4, 1, 1, 1, 1, 0, "1.800"],
        [3, "Xã Pà Cò", 3, 1, 1, "x", 1, 0, 900],
        [None, "Cộng", 12, 4, 3, 2, 3, 1, "5.300"],
        ["III", "Thành phố Hòa Bình", None, None, None, None, None, None, None],
        [1, "Phường Thái Bình", 2, 1, 1, 0, 0, 5, 7000],
        [2, "Xã Không Có", 1, 1, 0, 0, 0, 0, 100],
        [3, "Phường Tân Hòa", 3, 1, 1, 1, 0, 0, 9000],
        [None, "Ghi chú: số liệu đến 31/12/2024", None, None, None, None, None, None, None],
        [None, "Hòa Bình, ngày 15 tháng 1 năm 2025", None, None, None, None, None, None, None],
        [None, None, None, None, None, None, "NGƯỜI LẬP BIỂU", None, None],
    ],
    merges=("A1:I1", "A2:I2", "A4:A5", "B4:B5", "C4:G4", "H4:H5", "I4:I5"),
)
