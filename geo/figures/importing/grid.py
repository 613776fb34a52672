"""A sheet as rows of cells, built cell by cell within the :class:`ReadLimits` of an import.

Both readers (``.xlsx`` and ``.csv``) put the cells that hold something into a
:class:`GridBuilder`, which refuses a cell beyond the limits at once, with the number and the
limit. Empty cells are never stored: rows are filled up to their last value only, and rows after
the last value do not exist, so empty styled cells, trailing empty rows and a stray far-away
format cost nothing.

Examples
--------
>>> builder = GridBuilder("a.csv", "", ReadLimits(rows=3), CellBudget(ReadLimits()))
>>> builder.add(1, 2, "x")
>>> builder.rows
[[], [None, None, 'x']]
>>> try:
...     builder.add(3, 0, "y")
... except UnreadableFileError as error:
...     print(error.key, error.values["rows"], error.values["limit"])
importer.error.too_many_rows 4 3
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.figures.encodings import Legacy
from geo.figures.importing.findings import UnreadableFileError, unreadable
from geo.figures.importing.limits import ReadLimits


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
    # Cells holding a formula without a computed value (the program that saved the file did not
    # compute it): (row, column) → the formula, "=…". The cell itself is empty.
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def cell_name(row: int, column: int) -> str:
    """Spreadsheet name of the 0-based cell (``row``, ``column``).

    >>> cell_name(0, 0), cell_name(1_048_575, 16_383)
    ('A1', 'XFD1048576')
    """
    letters = ""
    number = column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def sheet_label(sheet: str) -> dict[str, str]:
    """`` (sheet “…”)`` in each language, for messages; empty for a CSV (no sheet)."""
    if not sheet:
        return {"vi": "", "en": ""}
    return {"vi": f" (trang tính “{sheet}”)", "en": f" (sheet “{sheet}”)"}


class CellBudget:
    """The cells left for all the tables of one file (:attr:`ReadLimits.cells`)."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limit = limits.cells
        self.used = 0

    def spend(self, cells: int, *, file_name: str, sheet: str, row: int) -> None:
        """Count ``cells`` more, or refuse the file naming grid row ``row``."""
        self.used += cells
        if self.used > self.limit:
            raise unreadable(
                file_name,
                "importer.error.too_many_cells",
                sheet=sheet_label(sheet),
                limit=self.limit,
                row=row + 1,
            )


class GridBuilder:
    """The rows of one sheet, cell by cell, refusing what is beyond the limits."""

    def __init__(self, file_name: str, sheet: str, limits: ReadLimits, budget: CellBudget) -> None:
        self.file_name = file_name
        self.sheet = sheet
        self.limits = limits
        self.budget = budget
        self.rows: list[list[object]] = []
        #: Rows the file says it has (an ``.xlsx`` dimension), to name in a refusal.
        self.claimed_rows = 0

    def refuse(self, key: str, **values: object) -> UnreadableFileError:
        """The refusal ``key`` about this sheet."""
        return unreadable(self.file_name, key, sheet=sheet_label(self.sheet), **values)

    def check(self, row: int, column: int, value: object) -> None:
        """Refuse cell (``row``, ``column``) holding ``value`` when it is beyond a limit."""
        limits = self.limits
        if row >= limits.rows:
            rows = max(row + 1, self.claimed_rows)
            raise self.refuse("importer.error.too_many_rows", rows=rows, limit=limits.rows)
        if column >= limits.columns:
            raise self.refuse(
                "importer.error.too_many_columns",
                cell=cell_name(row, column),
                columns=column + 1,
                limit=limits.columns,
            )
        if isinstance(value, str) and len(value) > limits.cell_chars:
            raise self.refuse(
                "importer.error.cell_too_long",
                cell=cell_name(row, column),
                chars=len(value),
                limit=limits.cell_chars,
            )

    def add(self, row: int, column: int, value: object) -> None:
        """Put ``value`` in the 0-based cell (``row``, ``column``)."""
        self.check(row, column, value)
        rows = self.rows
        while len(rows) <= row:
            rows.append([])
        cells = rows[row]
        grow = column + 1 - len(cells)
        if grow > 0:
            self.budget.spend(grow, file_name=self.file_name, sheet=self.sheet, row=row)
            cells.extend([None] * grow)
        cells[column] = value

    def add_row(self, row: int, values: list[str]) -> None:
        """Put the texts ``values`` (a CSV record) in row ``row``; a record of blanks adds none."""
        last = len(values)
        while last and not values[last - 1].strip():
            last -= 1
        if not last:
            return
        for column in range(last):
            self.check(row, column, values[column])
        while len(self.rows) < row:
            self.rows.append([])
        self.budget.spend(last, file_name=self.file_name, sheet=self.sheet, row=row)
        self.rows.append(values[:last])
