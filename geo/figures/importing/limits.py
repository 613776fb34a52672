"""How big a planner's file may be: the limits checked *before* the work, in one place.

A spreadsheet can claim far more than it holds: a 2 KB workbook can merge a title over
``H1:XFD1048576`` (17 billion cells), a 44 MB one can hold a million rows, a 28 MB CSV can end
with four million empty rows. The reader (:mod:`geo.figures.importing.reading`) streams every
file and stops as soon as one of these limits is passed, with a message that names the number
and the limit ("the table has at least 1,048,576 rows; the limit is 100,000"). Within them an
import stays under 1 GB of memory and 60 s (``bench/hostile_files.py`` measures it).

Trailing empty rows, empty styled cells and merged cells outside the data do not count: only
cells that hold something make a table large.

Examples
--------
>>> DEFAULT_LIMITS.rows, DEFAULT_LIMITS.cell_chars
(100000, 32767)
>>> ReadLimits(rows=100).rows, ReadLimits(rows=100).columns
(100, 1000)
"""

from __future__ import annotations

from dataclasses import dataclass

#: Largest file accepted, in bytes (the import page's upload limit is the same 50 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Rows of a table (counted to the last row that holds a value): every commune of Vietnam
#: (about 10,000) ten times over.
MAX_ROWS = 100_000
#: Columns of a table (to the last column that holds a value).
MAX_COLUMNS = 1_000
#: Cells of the tables of a workbook or CSV (each row counted to its last value).
MAX_CELLS = 1_000_000
#: Characters in one cell: Excel's own limit.
MAX_CELL_CHARS = 32_767
#: Cells covered by merged ranges, after clipping them to the cells that hold data.
MAX_MERGED_CELLS = 200_000
#: Merged ranges of one sheet.
MAX_MERGED_RANGES = 20_000
#: Uncompressed size of all the parts (zip entries) of an ``.xlsx``, in bytes.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Parts (zip entries) of an ``.xlsx``.
MAX_PARTS = 2_000


@dataclass(frozen=True)
class ReadLimits:
    """The limits of one import; the defaults are the module's constants.

    Parameters
    ----------
    file_bytes : int
        Largest file, in bytes.
    rows, columns : int
        Largest table: last row and last column that hold a value.
    cells : int
        Cells of all the tables read (each row counted to its last value).
    cell_chars : int
        Characters in one cell.
    merged_cells, merged_ranges : int
        Cells covered by merged ranges (clipped to the data) and number of ranges, per sheet.
    unpacked_bytes, parts : int
        Uncompressed size and number of the parts of an ``.xlsx``.
    """

    file_bytes: int = MAX_FILE_BYTES
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS
    cell_chars: int = MAX_CELL_CHARS
    merged_cells: int = MAX_MERGED_CELLS
    merged_ranges: int = MAX_MERGED_RANGES
    unpacked_bytes: int = MAX_UNPACKED_BYTES
    parts: int = MAX_PARTS


#: The limits an import uses unless told otherwise.
DEFAULT_LIMITS = ReadLimits()


def megabytes(size: int) -> float:
    """``size`` bytes in MB (1024²), one decimal, for messages.

    >>> megabytes(52_428_800), megabytes(1_500_000)
    (50.0, 1.4)
    """
    return round(size / 1024 / 1024, 1)
