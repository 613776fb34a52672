"""Text from data stays text in the spreadsheets the atlas writes (CSV and ``.xlsx``).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and some
treat a leading tab or carriage return the same way ("CSV injection": ``=HYPERLINK(…)``,
``=IMPORTXML(…)``, the DDE ``=cmd|' /C calc'!A0``). A planner's file can bring such text into
the atlas, and the atlas gives it back: in exports, in the rejected rows of an import.

- In CSV every *text* cell that starts so gets a leading apostrophe (:func:`neutralise`), which
  spreadsheets read as "this is text"; numbers stay numbers (``-3`` is a number).
- In ``.xlsx`` text is stored as a text cell, never a formula (openpyxl would store ``"=…"`` as
  a formula), and formula-like text is marked *quote prefix*, Excel's own "this is text" flag,
  so that editing the cell does not turn it into a formula either (:func:`write_cell`).

Here in ``geo.figures`` so that the importer (rejected rows) and ``geo.output`` (exports) share
one rule.

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("Xã A"), neutralise(-3)
('\\'=HYPERLINK("http://x")', 'Xã A', -3)
>>> from openpyxl import Workbook
>>> sheet = Workbook().active
>>> cell = write_cell(sheet, 1, 1, "=cmd|' /C calc'!A0")
>>> cell.data_type, cell.quotePrefix, cell.value
('s', True, "=cmd|' /C calc'!A0")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_STARTS", "is_formula_like", "neutralise", "write_cell", "write_row"]

#: First characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is a text a spreadsheet would run as a formula.

    >>> is_formula_like("@SUM(A1)"), is_formula_like("Xã A"), is_formula_like(-3)
    (True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: object) -> object:
    """Prefix a text that a spreadsheet would run as a formula with ``'``; leave others."""
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def write_cell(sheet: Any, row: int, column: int, value: object) -> Any:
    """Put ``value`` in cell (``row``, ``column``) of an openpyxl sheet; text stays text.

    Returns the cell (to style it).
    """
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def write_row(sheet: Any, row: int, values: Iterable[object]) -> None:
    """Put ``values`` in row ``row`` of an openpyxl sheet, from column 1; text stays text.

    ``sheet.append`` would store a text that starts with ``=`` as a formula.
    """
    for column, value in enumerate(values, start=1):
        write_cell(sheet, row, column, value)
