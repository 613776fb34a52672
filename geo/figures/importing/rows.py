"""Telling the rows under a header apart: communes, subtotals, totals, sections, notes.

Printed tables hold more than communes: a row of column numbers under the header ("(1) (2)
(3)"), the header repeated on a new page, district sections ("Huyện Lạc Sơn", "I.") and their
subtotals ("Cộng"), a grand total ("Tổng cộng", "Toàn tỉnh"), notes, dates and signatures.
:class:`RowClassifier` keeps the commune rows (:class:`Row`), skips every other row with its
reason, and keeps the subtotal and total rows' figures for the cross-check of their sums.

Examples
--------
>>> row_key("Cộng: huyện Lạc Sơn"), is_numbering(["(1)", "(2)", "(3)"]), is_numbering(["1", "x"])
('cộng huyện lạc sơn', True, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from geo.figures import indicators as ind
from geo.figures.criteria import criterion_number
from geo.figures.importing.findings import Findings
from geo.figures.importing.header import STT_COLUMN, Header, recognise, value_columns
from geo.figures.importing.reading import Grid, cell_text, word_key
from geo.figures.importing.values import DASHES, has_value, is_number
from geo.geography.matching import clean, unit_type
from geo.schema import COMMUNE_CODE, COMMUNE_NAME

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


def row_key(label: str) -> str:
    """Lower-case words of a row label; diacritics kept unless the label was typed without.

    (Without diacritics "Tổng" and "Tòng" are the same word.)

    >>> row_key("Cộng: huyện Lạc Sơn"), row_key("TONG CONG")
    ('cộng huyện lạc sơn', 'tong cong')
    """
    text = clean(label).lower()
    if text.isascii():
        return word_key(text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_DISTRICT_TYPES = frozenset({"Huyện", "Thành phố", "Thị xã", "Quận"})


def is_numbering(cells: Sequence[str]) -> bool:
    """A row of column numbers under the header: "(1) (2) (3)", "A B 1 2 3", "4=1+2+3"."""
    filled = [c for c in cells if c]
    pattern = r"\(?(?:[0-9]{1,2}|[A-Za-z]|[0-9]{1,2}\s*=\s*[0-9+\-*/x() ]+)\)?"
    if len(filled) < 2 or not all(re.fullmatch(pattern, c) for c in filled):
        return False
    # "(1) (2)", "4=1+2+3", or at least three tokens in a row ("A B 1 2 3").
    return len(filled) >= 3 or any(c.startswith("(") or "=" in c for c in filled)


@dataclass
class Group:
    """Commune rows between two section / subtotal rows, for the subtotal cross-check."""

    rows: list[int] = field(default_factory=list)
    district: str | None = None
    header_row: int | None = None  # a "Huyện …" row with figures above the group
    footer_row: int | None = None  # a "Cộng" row below the group
    label: str = ""


@dataclass
class Row:
    """A data row on its way through the import."""

    index: int  # grid index; spreadsheet row = index + 1
    cells: dict[str, str]  # family / pseudo column → text
    district: str | None = None  # district code context
    code: str | None = None  # matched commune code


@dataclass
class Layout:
    """The rows under a header: communes, their groups, and the total rows with their cells."""

    rows: list[Row] = field(default_factory=list)
    groups: list[Group] = field(default_factory=lambda: [Group()])
    totals: list[int] = field(default_factory=list)  # grid indices of grand-total rows
    figures: dict[int, dict[str, str]] = field(default_factory=dict)  # subtotal / total cells


class Sheet:
    """A grid under its header: a row's cells by column, its text and its name."""

    def __init__(self, grid: Grid, header: Header, family: str) -> None:
        self.grid = grid
        self.header = header
        self.family = family
        self.spec = ind.FAMILIES[family]
        self.by_column = {column: c for c, column in header.columns.items()}
        #: The figure columns the file has.
        self.values = [c for c in value_columns(family) if c in self.by_column]
        #: The file's optional per-criterion columns (NTM): figures too.
        self.criteria = [c for c in self.by_column if criterion_number(c) is not None]

    def cells(self, index: int) -> dict[str, str]:
        """Grid row ``index`` as column → text, for the columns the header names."""
        row = self.grid.rows[index]
        out: dict[str, str] = {}
        for c, column in self.header.columns.items():
            formula = self.grid.formulas.get((index, c))
            if formula is not None:  # no value to read: the formula, so the row is not blank
                out[column] = formula
                continue
            value = row[c] if c < len(row) else None
            if (index, c) in self.grid.spread:
                value = None  # a merged title across the row, not a value of this column
            out[column] = cell_text(value)
        return out

    def row_text(self, index: int) -> str:
        """The distinct texts of grid row ``index``, to show for a skipped row."""
        texts = [cell_text(v) for v in self.grid.rows[index]]
        seen: list[str] = []
        for text in texts:
            if text and text not in seen:
                seen.append(text)
        return " | ".join(seen)[:120]

    def is_blank(self, index: int) -> bool:
        """Whether grid row ``index`` has no text at all."""
        return not any(cell_text(v) for v in self.grid.rows[index])

    def label(self, index: int, cells: Mapping[str, str]) -> str:
        """The row's name: the commune-name cell, else the first text left of the figures."""
        if cells.get(COMMUNE_NAME):
            return cells[COMMUNE_NAME]
        first_value = min(
            (c for c, col in self.header.columns.items() if col in self.values), default=0
        )
        for value in self.grid.rows[index][:first_value]:
            text = cell_text(value)
            if text and not re.fullmatch(r"[0-9.,]+", text) and not _ROMAN.match(text):
                return text
        return ""


class RowClassifier:
    """Sorts the rows under the header into communes and rows skipped with their reason.

    ``is_commune_name`` says whether a label names a commune of the place; ``district_of``
    gives the district code a section or subtotal label names (None when it names none).
    """

    def __init__(
        self,
        sheet: Sheet,
        findings: Findings,
        *,
        is_commune_name: Callable[[str], bool],
        district_of: Callable[[str], str | None],
    ) -> None:
        self.sheet = sheet
        self.findings = findings
        self.is_commune_name = is_commune_name
        self.district_of = district_of

    def classify(self) -> Layout:
        """Every row under the header: kept as a commune row, or skipped with its reason."""
        sheet, layout = self.sheet, Layout()
        last = len(sheet.grid.rows) - 1
        while last > sheet.header.last and sheet.is_blank(last):
            last -= 1  # blank rows at the end of the sheet are no rows at all
        first_filled = True  # no row with text yet between the header and this row
        for index in range(sheet.header.last + 1, last + 1):
            if sheet.is_blank(index):
                self.findings.skip(index, "", "importer.skip.blank")
                continue
            cells = sheet.cells(index)
            if first_filled and is_numbering([cells[col] for col in cells]):
                self.findings.skip(index, sheet.row_text(index), "importer.skip.numbering")
            elif self.is_repeated_header(cells):
                self.findings.skip(index, sheet.row_text(index), "importer.skip.header")
            else:
                self.place_row(layout, index, cells)
            first_filled = False
        return layout

    def place_row(self, layout: Layout, index: int, cells: dict[str, str]) -> None:
        """Keep, skip or reject grid row ``index`` (text, neither numbering nor a header)."""
        sheet, findings = self.sheet, self.findings
        label = sheet.label(index, cells)
        kind = self.row_kind(label, cells)
        has_figures = any(has_value(sheet.spec, c, cells.get(c, "")) for c in sheet.values) or any(
            cells.get(c, "") not in ("", *DASHES) for c in sheet.criteria
        )
        if kind == "note":
            findings.skip(index, sheet.row_text(index), "importer.skip.note")
        elif kind == "total":
            findings.skip(index, label, "importer.skip.total")
            layout.totals.append(index)
            layout.figures[index] = cells
        elif kind == "footer":
            group = layout.groups[-1]
            group.footer_row = index if has_figures else None
            group.label = label
            rest = re.sub(r"^(?:cộng|tổng|cong|tong|subtotal)\s*", "", row_key(label))
            if rest and group.district is None:
                group.district = self.district_of(rest)
            layout.figures[index] = cells
            findings.skip(index, label, "importer.skip.subtotal")
            layout.groups.append(Group())
        elif kind == "section":
            district = self.district_of(label) if label else None
            header_row = index if has_figures else None
            layout.groups.append(Group(district=district, header_row=header_row, label=label))
            layout.figures[index] = cells
            findings.skip(index, label or sheet.row_text(index), "importer.skip.section")
        elif not cells.get(COMMUNE_NAME) and not cells.get(COMMUNE_CODE):
            if any(is_number(cells.get(c, "")) for c in sheet.values):
                findings.reject(Row(index, cells), COMMUNE_NAME, "importer.reject.no_commune")
            elif has_figures:  # text only, off the name column: a signature, a note
                findings.skip(index, sheet.row_text(index), "importer.skip.note")
            else:
                findings.skip(index, sheet.row_text(index), "importer.skip.no_commune")
        elif not has_figures:
            findings.skip(index, label or cells.get(COMMUNE_CODE, ""), "importer.skip.no_figures")
        else:
            layout.rows.append(Row(index, cells))
            layout.groups[-1].rows.append(len(layout.rows) - 1)

    def is_repeated_header(self, cells: Mapping[str, str]) -> bool:
        """Whether the row repeats the header (a table printed over several pages)."""
        hits = 0
        for column, text in cells.items():
            if not text or text.replace(".", "").replace(",", "").isdigit():
                continue  # a figure or a code never repeats a header (and this runs per row)
            found, exact = recognise(text, self.sheet.family)
            hits += bool(exact and found == column)
        return hits >= 2

    def row_kind(self, label: str, cells: Mapping[str, str]) -> str:
        """``"note"``, ``"commune"``, ``"total"``, ``"footer"`` (subtotal) or ``"section"``."""
        stt = cells.get(STT_COLUMN, "")
        commune_like = bool(label) and self.is_commune_name(label)
        lower = clean(label).lower()
        if not commune_like and (
            lower.startswith(_NOTE_START) or _DATE_LINE.search(word_key(label))
        ):
            return "note"
        if cells.get(COMMUNE_CODE) or commune_like:
            return "commune"
        kind = unit_type(label) if label else None
        words = row_key(label)
        if words in _TOTAL_KEYS or words.startswith(("toàn tỉnh", "toan tinh")) or kind == "Tỉnh":
            return "total"
        if _FOOTER.match(words):
            return "footer"
        if kind in _DISTRICT_TYPES:
            return "section"
        if _ROMAN.match(stt) and kind not in ("Xã", "Phường", "Thị trấn"):
            return "section"
        return "commune"
