"""Reading an ``.xlsx`` workbook as a stream: its sheets as grids, within the import's limits.

openpyxl builds every cell a sheet claims: a title merged over ``H1:XFD1048576`` or one cell at
``XFD1048576`` makes it fill billions of cells, and a million-row sheet takes gigabytes. Here the
parts of the workbook are parsed with expat's ``iterparse`` once a scan of their bytes has found
no DTD or entity declaration (spreadsheets never write one; without one XXE and "billion
laughs" cannot work), and every element is dropped once read, so memory holds only the cells
that have a value (:class:`~geo.figures.importing.grid.GridBuilder` refuses them beyond the
limits). Merged ranges
are clipped to the cells that hold data before they are filled in.

What the rest of the import needs is kept: cached values of formulas (a formula *without* one is
recorded in :attr:`Grid.formulas`, never read as an empty cell), dates, the fonts that hint at a
legacy encoding (``.VnTime`` …), hidden sheets and the template's metadata sheet.

Examples
--------
>>> from geo.figures.importing.limits import ReadLimits
>>> from geo.figures.templates import template_workbook
>>> from geo.geography.admin_units import communes
>>> data = template_workbook("ntm", communes=communes("17"), period=2024, lang="vi")
>>> grids = read_workbook(data, "mau.xlsx", None, ReadLimits())
>>> grids[0].meta["family"], len(grids[0].rows) > 151
('ntm', True)
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse

from geo.figures.encodings import Legacy, font_hint
from geo.figures.importing.findings import unreadable
from geo.figures.importing.grid import CellBudget, Grid, GridBuilder, cell_name
from geo.figures.importing.limits import ReadLimits, megabytes

#: Hidden sheet of a template (:mod:`geo.figures.templates`) with its family, period and vintage.
META_SHEET = "_atlas"

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,9})$")
_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"


@dataclass
class _Styles:
    """What a cell's style index says: the legacy encoding its font hints at, a date format."""

    hints: dict[int, Legacy] = field(default_factory=dict)
    dates: set[int] = field(default_factory=set)


@dataclass
class _TooLong:
    """A shared string longer than the cell limit (refused when a cell uses it)."""

    chars: int


class _NoDoctype:
    """A part's bytes, read through: a DTD or entity declaration anywhere stops the reading.

    Spreadsheets never write one, and only a DTD makes XXE and "billion laughs" possible; the
    check runs in C on each chunk, so expat's fast parser can read the rest.
    """

    _MARKS = tuple(
        mark.encode(encoding)
        for mark in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    )
    _KEEP = max(len(mark) for mark in _MARKS) - 1

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        """The next ``size`` bytes; raises :class:`_DoctypeFoundError` on a declaration."""
        chunk = self.stream.read(size)
        seen = self.tail + chunk
        if any(mark in seen for mark in self._MARKS):
            raise _DoctypeFoundError
        self.tail = seen[-self._KEEP :]
        return chunk


class _DoctypeFoundError(Exception):
    """A part holds a DTD or an entity declaration."""


def _elements(
    book: zipfile.ZipFile, part: str, file_name: str
) -> Iterator[tuple[str, str, Element, list[str]]]:
    """``(event, local tag, element, open tags)`` of a part; read elements are dropped.

    ``open tags`` are the local names of the elements around the current one (at an ``end``
    event the current one is no longer among them).
    """
    elements: list[Element] = []
    names: list[str] = []
    local_names: dict[str, str] = {}
    try:
        with book.open(part) as stream:
            for event, element in iterparse(_NoDoctype(stream), events=("start", "end")):
                tag = element.tag
                local = local_names.get(tag)
                if local is None:
                    local = local_names[tag] = tag[tag.rfind("}") + 1 :]
                if event == "start":
                    elements.append(element)
                    names.append(local)
                    yield event, local, element, names
                    continue
                elements.pop()
                names.pop()
                yield event, local, element, names
                # Drop what was read, so a million rows never stay in memory.
                if elements:
                    parent = elements[-1]
                    if len(parent) and parent[-1] is element:
                        del parent[-1]
    except _DoctypeFoundError as exc:
        raise unreadable(file_name, "importer.error.xml_entities", part=part) from exc
    except ParseError as exc:
        raise unreadable(file_name, "importer.error.xml", part=part, reason=str(exc)) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise unreadable(file_name, "importer.error.xml", part=part, reason=str(exc)) from exc


def _open(data: bytes, file_name: str, limits: ReadLimits) -> zipfile.ZipFile:
    """The workbook's zip, once its parts are counted and their unpacked size is checked."""
    # Count the parts from the end record before zipfile reads a directory of millions.
    end = data.rfind(_END_OF_CENTRAL_DIRECTORY, max(0, len(data) - 65_557))
    if end >= 0 and end + 12 <= len(data):
        parts = int.from_bytes(data[end + 10 : end + 12], "little")
        if parts > limits.parts:
            raise unreadable(file_name, "importer.error.parts", parts=parts, limit=limits.parts)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError) as exc:
        raise unreadable(file_name, "importer.error.unreadable") from exc
    infos = book.infolist()
    if len(infos) > limits.parts:
        raise unreadable(file_name, "importer.error.parts", parts=len(infos), limit=limits.parts)
    if any(info.flag_bits & 0x1 for info in infos):
        raise unreadable(file_name, "importer.error.encrypted")
    # zipfile never unpacks more than a part's declared size, so the declared sizes bound it.
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.unpacked_bytes:
        raise unreadable(
            file_name,
            "importer.error.unpacked",
            size=megabytes(unpacked),
            limit=megabytes(limits.unpacked_bytes),
        )
    return book


def _relationships(book: zipfile.ZipFile, part: str, file_name: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part it points to) of ``part`` (``""``: the package's)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in book.NameToInfo:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for event, local, element, _ in _elements(book, rels, file_name):
        if event == "end" and local == "Relationship" and element.get("TargetMode") != "External":
            target = element.get("Target", "")
            if target.startswith("/"):
                path = target[1:]
            else:
                path = posixpath.normpath(posixpath.join(folder, target))
            found[element.get("Id", "")] = (element.get("Type", ""), path)
    return found


def _attribute(element: Element, local: str) -> str:
    """The attribute ``local`` of ``element`` in any namespace (``r:id``)."""
    for key, value in element.attrib.items():
        if key == local or key.endswith("}" + local):
            return value
    return ""


def _styles(book: zipfile.ZipFile, part: str | None, file_name: str) -> _Styles:
    """Legacy-font hints and date formats by cell style index."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    styles = _Styles()
    if part is None or part not in book.NameToInfo:
        return styles
    formats: dict[int, str] = {}
    fonts: list[str] = []
    font_name = ""
    xf = 0
    for event, local, element, names in _elements(book, part, file_name):
        parent = names[-1] if names else ""
        if event == "start":
            if local == "font" and parent == "fonts":
                font_name = ""
            continue
        if local == "numFmt" and element.get("numFmtId", "").isdigit():
            formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        elif local == "name" and parent == "font" and "fonts" in names:
            font_name = element.get("val", "")
        elif local == "font" and parent == "fonts":
            fonts.append(font_name)
        elif local == "xf" and parent == "cellXfs":
            font_id = element.get("fontId", "0")
            if font_id.isdigit() and int(font_id) < len(fonts):
                hint = font_hint(fonts[int(font_id)])
                if hint:
                    styles.hints[xf] = hint
            number_format = element.get("numFmtId", "0")
            if number_format.isdigit():
                code = formats.get(int(number_format)) or BUILTIN_FORMATS.get(int(number_format))
                if code and is_date_format(code):
                    styles.dates.add(xf)
            xf += 1
    return styles


def _shared_strings(
    book: zipfile.ZipFile, part: str | None, file_name: str, limits: ReadLimits
) -> list[str | _TooLong]:
    """The workbook's shared strings (a text longer than the cell limit as :class:`_TooLong`)."""
    strings: list[str | _TooLong] = []
    if part is None or part not in book.NameToInfo:
        return strings
    pieces: list[str] = []
    chars = 0
    for event, local, element, names in _elements(book, part, file_name):
        if event == "start":
            if local == "si":
                pieces, chars = [], 0
            continue
        if local == "t" and "rPh" not in names:  # rPh: phonetic guide, not the text
            text = element.text or ""
            chars += len(text)
            if chars <= limits.cell_chars:
                pieces.append(text)
        elif local == "si":
            strings.append("".join(pieces) if chars <= limits.cell_chars else _TooLong(chars))
            if len(strings) > limits.cells:
                raise unreadable(file_name, "importer.error.shared_strings", limit=limits.cells)
    return strings


def _number(text: str) -> object:
    """A ``<v>`` of a number cell: int, float, or the text when it is neither."""
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text


class _SheetReader:
    """One worksheet part, streamed into a :class:`GridBuilder`."""

    def __init__(
        self,
        builder: GridBuilder,
        styles: _Styles,
        strings: list[str | _TooLong],
    ) -> None:
        self.builder = builder
        self.styles = styles
        self.strings = strings
        self.hints: dict[tuple[int, int], Legacy] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.merges: list[str] = []

    def read(self, book: zipfile.ZipFile, part: str, file_name: str) -> None:
        """Read the cells and merged ranges of ``part``."""
        row = column = -1
        kind = style = ""
        value: str | None = None
        formula: str | None = None
        inline: list[str] = []
        limits = self.builder.limits
        for event, local, element, names in _elements(book, part, file_name):
            if event == "start":
                if local == "row":
                    number = element.get("r", "")
                    row = int(number) - 1 if number.isdigit() else row + 1
                    column = -1
                elif local == "c":
                    found = _REF.match(element.get("r", ""))
                    if found:
                        row, column = int(found[2]) - 1, _column_index(found[1])
                    else:
                        column += 1
                    kind, style = element.get("t", "n"), element.get("s", "")
                    value, formula, inline = None, None, []
                elif local == "dimension":
                    found = _REF.match(element.get("ref", "").split(":")[-1])
                    self.builder.claimed_rows = int(found[2]) if found else 0
                continue
            if local == "v":
                value = element.text or ""
            elif local == "f":
                formula = element.text or ""
            elif local == "t" and "is" in names and "rPh" not in names:
                inline.append(element.text or "")
            elif local == "c":
                self.cell(row, column, kind, style, value, formula, inline)
            elif local == "mergeCell":
                self.merges.append(element.get("ref", ""))
                if len(self.merges) > limits.merged_ranges:
                    raise self.builder.refuse(
                        "importer.error.merged_ranges",
                        ranges=len(self.merges),
                        limit=limits.merged_ranges,
                    )

    def cell(
        self,
        row: int,
        column: int,
        kind: str,
        style: str,
        value: str | None,
        formula: str | None,
        inline: list[str],
    ) -> None:
        """Store one ``<c>`` element's value (nothing for an empty cell)."""
        if row < 0 or column < 0:
            return
        if formula is not None and not value and kind != "inlineStr":
            # Saved by a program that does not compute formulas: no value to read.
            self.builder.add(row, column, None)
            self.formulas[(row, column)] = "=" + formula if formula else "="
            return
        cell: object = None
        if kind == "s":
            index = int(value) if value and value.isdigit() else -1
            cell = self.strings[index] if 0 <= index < len(self.strings) else None
            if isinstance(cell, _TooLong):
                raise self.builder.refuse(
                    "importer.error.cell_too_long",
                    cell=cell_name(row, column),
                    chars=cell.chars,
                    limit=self.builder.limits.cell_chars,
                )
        elif kind == "inlineStr":
            cell = "".join(inline)
        elif kind == "b":
            cell = value == "1" if value else None
        elif kind in ("str", "e"):
            cell = value
        elif kind == "d" and value:
            try:
                cell = dt.datetime.fromisoformat(value)
            except ValueError:
                cell = value
        elif value:
            cell = _number(value)
            is_date = style.isdigit() and int(style) in self.styles.dates
            if is_date and isinstance(cell, int | float):
                cell = _date(cell)
        if cell is None or cell == "":
            return
        if isinstance(cell, str) and style.isdigit() and int(style) in self.styles.hints:
            self.hints[(row, column)] = self.styles.hints[int(style)]
        self.builder.add(row, column, cell)


def _column_index(letters: str) -> int:
    """0-based index of column ``letters`` (``"A"`` → 0, ``"XFD"`` → 16383)."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _date(serial: float) -> object:
    """An Excel date serial as a datetime (the number itself when it is no date)."""
    from openpyxl.utils.datetime import from_excel

    try:
        return from_excel(serial)
    except (ValueError, OverflowError, TypeError):
        return serial


def _fill_merges(reader: _SheetReader, grid: Grid) -> None:
    """Copy each merged value into the cells it covers, clipped to the cells with data."""
    from openpyxl.utils.cell import range_boundaries

    rows = grid.rows
    width = max((len(r) for r in rows), default=0)
    limit = reader.builder.limits.merged_cells
    covered = 0
    for ref in reader.merges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue  # not a range: nothing to fill
        top, left = min_row - 1, min_col - 1
        if top >= len(rows) or left >= width:
            continue  # a merge beyond the data holds nothing
        bottom, right = min(max_row, len(rows)), min(max_col, width)
        covered += (bottom - top) * (right - left)
        if covered > limit:
            raise reader.builder.refuse(
                "importer.error.merged_cells", range=ref, cells=covered, limit=limit
            )
        value = rows[top][left] if left < len(rows[top]) else None
        hint = reader.hints.get((top, left))
        for r in range(top, bottom):
            cells = rows[r]
            if len(cells) < right:
                cells.extend([None] * (right - len(cells)))
            for c in range(left, right):
                if (r, c) == (top, left):
                    continue
                cells[c] = value
                if c != left:
                    grid.spread.add((r, c))
                if r != top:
                    grid.below.add((r, c))
                if hint is not None:
                    grid.hints[(r, c)] = hint


@dataclass
class _Workbook:
    """The parts of a workbook: its sheets (name, state, part), styles and shared strings."""

    sheets: list[tuple[str, str, str]]
    styles: str | None
    strings: str | None


def _workbook(book: zipfile.ZipFile, file_name: str) -> _Workbook:
    """Find the workbook part and what it points to."""
    main = "xl/workbook.xml"
    for kind, path in _relationships(book, "", file_name).values():
        if kind.endswith("/officeDocument"):
            main = path
    if main not in book.NameToInfo:
        raise unreadable(file_name, "importer.error.unreadable")
    links = _relationships(book, main, file_name)
    sheets = []
    for event, local, element, _ in _elements(book, main, file_name):
        if event == "end" and local == "sheet":
            target = links.get(_attribute(element, "id"), ("", ""))[1]
            sheets.append((element.get("name", ""), element.get("state", "visible"), target))
    styles = next((p for k, p in links.values() if k.endswith("/styles")), None)
    strings = next((p for k, p in links.values() if k.endswith("/sharedStrings")), None)
    return _Workbook(sheets, styles, strings)


def _chosen(sheets: list[tuple[str, str, str]], sheet: str | int | None, file_name: str) -> list:
    """The sheets to read: ``sheet`` only, else the visible ones."""
    names = [s[0] for s in sheets]
    if sheet is None:
        return [s for s in sheets if s[1] == "visible"]
    if isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise unreadable(file_name, "importer.error.sheet", sheet=str(sheet))
        return [sheets[sheet]]
    if sheet in names:
        return [sheets[names.index(sheet)]]
    if sheet.isdigit() and int(sheet) < len(sheets):  # "1" from a command line
        return [sheets[int(sheet)]]
    raise unreadable(file_name, "importer.error.sheet", sheet=sheet)


def read_workbook(
    data: bytes, file_name: str, sheet: str | int | None, limits: ReadLimits
) -> list[Grid]:
    """The workbook's sheets (``sheet`` only, else the visible ones) with its template metadata.

    Raises :class:`~geo.figures.importing.findings.UnreadableFileError` for a damaged or
    encrypted workbook, hostile XML, or a workbook beyond ``limits``.
    """
    book = _open(data, file_name, limits)
    parts = _workbook(book, file_name)
    styles = _styles(book, parts.styles, file_name)
    strings = _shared_strings(book, parts.strings, file_name, limits)
    budget = CellBudget(limits)
    meta: dict[str, str] = {}
    for name, _, part in parts.sheets:
        if name == META_SHEET and part in book.NameToInfo:
            builder = GridBuilder(file_name, name, limits, budget)
            _SheetReader(builder, styles, strings).read(book, part, file_name)
            for cells in builder.rows:
                if cells and cells[0] is not None:
                    value = cells[1] if len(cells) > 1 else None
                    meta[str(cells[0])] = "" if value is None else str(value)
    grids = []
    for name, _, part in _chosen([s for s in parts.sheets if s[0] != META_SHEET], sheet, file_name):
        if part not in book.NameToInfo:
            raise unreadable(file_name, "importer.error.xml", part=part or name, reason="missing")
        builder = GridBuilder(file_name, name, limits, budget)
        reader = _SheetReader(builder, styles, strings)
        reader.read(book, part, file_name)
        grid = Grid(name, builder.rows, hints=reader.hints, meta=meta, formulas=reader.formulas)
        _fill_merges(reader, grid)
        grids.append(grid)
    return grids
