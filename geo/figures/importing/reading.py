"""Reading a planner's file: bytes → grids of cells (``.xlsx`` sheets or one ``.csv``), repaired.

Workbooks keep their merged cells (a merged value is copied into every cell it covers, and we
remember which copies are spread across or down) and the fonts that hint at a legacy encoding;
CSV files are decoded (UTF-8, UTF-16, Windows-1258 …) and split on the delimiter that fits.
:func:`repair_grid` then turns every text into NFC Unicode, converting TCVN3/VNI text.

Examples
--------
>>> grid = read_grids("Mã xã;Kinh tế\\n4789;3\\n".encode(), "a.csv", None)[0]
>>> grid.rows, grid.encoding
([['Mã xã', 'Kinh tế'], ['4789', '3']], 'utf-8')
>>> cell_text(12.0), cell_text("  Xã   Tòng Đậu "), word_key("Diện tích đã DĐĐT (ha)")
('12', 'Xã Tòng Đậu', 'dien tich da dddt')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from geo.figures.encodings import Legacy, decode_bytes, font_hint, repair_texts
from geo.figures.importing.findings import unreadable
from geo.geography.matching import clean

#: Hidden sheet of a template (:mod:`geo.figures.templates`) with its family, period and vintage.
META_SHEET = "_atlas"


@dataclass
class Grid:
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


def read_source(source: object, file_name: str | None) -> tuple[bytes, str]:
    """The bytes of ``source`` (bytes, a path or a file-like) and the file name to report."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), file_name or "upload"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), file_name or path.name
        except OSError as exc:
            raise unreadable(file_name or path.name, "importer.error.not_found") from exc
    getvalue = getattr(source, "getvalue", None)  # BytesIO, Streamlit's UploadedFile
    data = getvalue() if callable(getvalue) else source.read()  # type: ignore[attr-defined]
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = file_name or Path(str(getattr(source, "name", "") or "upload")).name
    return bytes(data), name


def _read_xlsx(data: bytes, file_name: str, sheet: str | int | None) -> list[Grid]:
    """The workbook's sheets (``sheet`` only, else the visible ones) with its template metadata."""
    import openpyxl  # heavy; only for workbooks

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise unreadable(file_name, "importer.error.unreadable") from exc
    meta: dict[str, str] = {}
    if META_SHEET in book.sheetnames:
        for key, value, *_ in book[META_SHEET].iter_rows(values_only=True, max_col=2):
            if key is not None:
                meta[str(key)] = "" if value is None else str(value)
    names = [n for n in book.sheetnames if n != META_SHEET]
    if sheet is not None:
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise unreadable(file_name, "importer.error.sheet", sheet=str(sheet))
            names = [names[sheet]]
        elif sheet in names:
            names = [sheet]
        elif sheet.isdigit() and int(sheet) < len(names):  # "1" from a command line
            names = [names[int(sheet)]]
        else:
            raise unreadable(file_name, "importer.error.sheet", sheet=sheet)
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
        grids.append(Grid(name, rows, spread, hints, meta, "xlsx", below))
    return grids


def _read_csv(data: bytes, file_name: str) -> Grid:
    """The CSV file as one grid, decoded and split on the delimiter that fits it."""
    text, encoding = decode_bytes(data)
    if "\x00" in text:
        raise unreadable(file_name, "importer.error.unreadable")
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise unreadable(file_name, "importer.error.empty")

    def width(delimiter: str) -> tuple[int, int]:
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        common = Counter(counts).most_common(1)[0]
        return common[0], common[1]

    # The delimiter that gives the most columns on most lines (Vietnamese Excel saves ";").
    delimiter = max((",", ";", "\t"), key=lambda d: (min(width(d)[0], 100), width(d)[1]))
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise unreadable(file_name, "importer.error.unreadable") from exc
    return Grid("", rows, encoding=encoding)


def read_grids(data: bytes, file_name: str, sheet: str | int | None) -> list[Grid]:
    """The grids of a file's bytes: a workbook's sheets or a CSV's one grid.

    Raises :class:`~geo.figures.importing.findings.UnreadableFileError` for an empty file, an
    old ``.xls`` or something that is no spreadsheet.
    """
    if not data.strip():
        raise unreadable(file_name, "importer.error.empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, file_name, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise unreadable(file_name, "importer.error.xls")
    if data[:5] in (b"%PDF-",) or data[:4] in (b"\x89PNG", b"GIF8") or data[:2] == b"\xff\xd8":
        raise unreadable(file_name, "importer.error.unreadable")
    return [_read_csv(data, file_name)]


def repair_grid(grid: Grid) -> str:
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


def cell_text(value: object) -> str:
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


def word_key(text: str) -> str:
    """Key of a header or category text: lower case, no diacritics, no bracketed units, words.

    >>> word_key("Diện tích đã DĐĐT (ha)"), word_key("QP-AN"), word_key("Văn hoá – xã hội")
    ('dien tich da dddt', 'qp an', 'van hoa xa hoi')
    """
    text = clean(text).lower().replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())
