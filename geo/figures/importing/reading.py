"""Reading a planner's file: bytes → grids of cells (``.xlsx`` sheets or one ``.csv``), repaired.

Workbooks keep their merged cells (a merged value is copied into every cell it covers, and we
remember which copies are spread across or down) and the fonts that hint at a legacy encoding;
CSV files are decoded (UTF-8, UTF-16, Windows-1258 …) and split on the delimiter that fits.
:func:`repair_grid` then turns every text into NFC Unicode, converting TCVN3/VNI text.

Both are read as streams within the limits of :mod:`geo.figures.importing.limits` (workbooks by
:mod:`geo.figures.importing.xlsx`): a file beyond one is refused with the number and the limit,
and so is a CSV with a NUL byte, a quote never closed or an undecodable text, each with its own
reason.

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
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from geo.figures.encodings import decode_bytes, repair_texts
from geo.figures.importing.findings import unreadable
from geo.figures.importing.grid import CellBudget, Grid, GridBuilder
from geo.figures.importing.limits import DEFAULT_LIMITS, ReadLimits, megabytes
from geo.figures.importing.xlsx import META_SHEET, read_workbook
from geo.geography.matching import clean

__all__ = ["META_SHEET", "Grid", "cell_text", "read_grids", "read_source", "repair_grid"]

#: Lines of a CSV that decide its delimiter.
_SNIFF_LINES = 50
#: Bytes of a CSV that decide its legacy encoding (the whole file is then decoded with it).
_DECODE_SAMPLE = 1_000_000
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
#: Empty rows (blanks and delimiters only) at the end of a CSV.
_TRAILING_EMPTY_ROWS = re.compile(r"[\r\n][\s,;]*\Z")
#: Name of an OLE stream that only an encrypted (password-protected) Office file has.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def read_source(
    source: object, file_name: str | None, *, limit: int = DEFAULT_LIMITS.file_bytes
) -> tuple[bytes, str]:
    """The bytes of ``source`` (bytes, a path or a file-like) and the file name to report.

    A file of more than ``limit`` bytes is refused before it is read.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data, name = bytes(source), file_name or "upload"
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        name = file_name or path.name
        try:
            size = path.stat().st_size
            if size > limit:
                raise _too_big(name, size, limit)
            data = path.read_bytes()
        except OSError as exc:
            raise unreadable(name, "importer.error.not_found") from exc
    else:
        getvalue = getattr(source, "getvalue", None)  # BytesIO, Streamlit's UploadedFile
        read = source.read  # type: ignore[attr-defined]
        raw = getvalue() if callable(getvalue) else read(limit + 1)
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        name = file_name or Path(str(getattr(source, "name", "") or "upload")).name
    if len(data) > limit:
        raise _too_big(name, len(data), limit)
    return data, name


def _too_big(name: str, size: int, limit: int) -> Exception:
    """The refusal of a file of ``size`` bytes."""
    return unreadable(
        name, "importer.error.file_size", size=megabytes(size), limit=megabytes(limit)
    )


def _decode(data: bytes, file_name: str) -> tuple[str, str]:
    """The text of a CSV and its encoding; a legacy encoding is judged on a sample."""
    try:
        if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            return decode_bytes(data)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            # Judging the legacy encoding reads every cell: a sample is enough, and bounded.
            sample = data[:_DECODE_SAMPLE]
            cut = sample.rfind(b"\n")
            _, encoding = decode_bytes(sample[:cut] if cut > 0 else sample)
            text = unicodedata.normalize("NFC", data.decode(encoding, errors="replace"))
            return text, encoding
        return decode_bytes(data)
    except (UnicodeDecodeError, LookupError) as exc:
        raise unreadable(file_name, "importer.error.encoding", reason=str(exc)) from exc


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (any of \\r\\n, \\n, \\r)."""
    for found in _LINE.finditer(text):
        line = found.group()
        if line:
            yield line


def _delimiter(text: str) -> str:
    """The delimiter that gives the most columns on most of the first lines."""
    lines: list[str] = []
    for line in _lines(text):
        if line.strip():
            lines.append(line)
            if len(lines) == _SNIFF_LINES:
                break

    def width(delimiter: str) -> tuple[int, int]:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:  # the reading itself says what is wrong
            return 0, 0
        common = Counter(counts).most_common(1)[0] if counts else (0, 0)
        return common[0], common[1]

    # Vietnamese Excel saves ";".
    return max((",", ";", "\t"), key=lambda d: (min(width(d)[0], 100), width(d)[1]))


def _read_csv(data: bytes, file_name: str, limits: ReadLimits) -> Grid:
    """The CSV file as one grid, decoded and split on the delimiter that fits it.

    Rows are streamed: blank rows after the table cost nothing, and a row beyond the limits
    stops the reading.
    """
    text, encoding = _decode(data, file_name)
    nul = text.find("\x00")
    if nul >= 0:
        raise unreadable(file_name, "importer.error.nul", line=text.count("\n", 0, nul) + 1)
    if not text.strip():
        raise unreadable(file_name, "importer.error.empty")
    # Millions of empty rows after the table are cut at once, not read one by one.
    trailing = _TRAILING_EMPTY_ROWS.search(text)
    if trailing:
        text = text[: trailing.start() + 1]
    builder = GridBuilder(file_name, "", limits, CellBudget(limits))
    reader = csv.reader(_lines(text), delimiter=_delimiter(text), strict=True)
    line = 0  # last line read
    try:
        for row, record in enumerate(reader):
            builder.add_row(row, record)
            line = reader.line_num
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            raise unreadable(
                file_name, "importer.error.csv_field", line=line + 1, limit=csv.field_size_limit()
            ) from exc
        if "unexpected end of data" in reason:
            raise unreadable(file_name, "importer.error.csv_quote", line=line + 1) from exc
        raise unreadable(file_name, "importer.error.csv", line=line + 1, reason=reason) from exc
    return Grid("", builder.rows, encoding=encoding)


def read_grids(
    data: bytes, file_name: str, sheet: str | int | None, limits: ReadLimits = DEFAULT_LIMITS
) -> list[Grid]:
    """The grids of a file's bytes: a workbook's sheets or a CSV's one grid.

    Raises :class:`~geo.figures.importing.findings.UnreadableFileError` for an empty file, an
    old ``.xls``, a password-protected workbook, something that is no spreadsheet, or a file
    beyond ``limits`` (:mod:`geo.figures.importing.limits`).
    """
    if len(data) > limits.file_bytes:
        raise _too_big(file_name, len(data), limits.file_bytes)
    if not data.strip():
        raise unreadable(file_name, "importer.error.empty")
    if data.startswith(b"PK\x03\x04"):
        return read_workbook(data, file_name, sheet, limits)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # An encrypted .xlsx is an OLE container too, with an "EncryptedPackage" stream.
        if _ENCRYPTED_PACKAGE in data:
            raise unreadable(file_name, "importer.error.encrypted")
        raise unreadable(file_name, "importer.error.xls")
    if data[:5] in (b"%PDF-",) or data[:4] in (b"\x89PNG", b"GIF8") or data[:2] == b"\xff\xd8":
        raise unreadable(file_name, "importer.error.unreadable")
    return [_read_csv(data, file_name, limits)]


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
            return str(float(value))  # "inf", "nan": read as no number, so the row is rejected
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
