"""A table as a file to send: CSV that spreadsheets open safely, and Excel (.xlsx).

Text cells are kept text: in CSV a text that a spreadsheet would run as a formula gets a leading
apostrophe, in Excel files it is stored as text, never as a formula
(:mod:`geo.figures.safe_cells`, shared with the importer's rejected rows).

CSV comes in two conventions (:data:`CSV_CONVENTIONS`). ``"vi"``, the default, is what Excel
set to Vietnamese (and most of continental Europe) reads: ``;`` between cells, ``,`` before
decimals (``42,9``). ``"en"`` is the English one: ``,`` and ``.``. Both are UTF-8 with a
byte-order mark, CRLF line ends, numbers without thousands separators, and every text cell in
double quotes, so that codes such as ``"05212"`` are text to any reader that honours quotes
(Python's ``csv``, pandas with ``dtype=str``, LibreOffice's "quoted field as text", Excel's
*Data → From Text/CSV* with the column set to Text). Excel opening a CSV by double-click
turns every all-digit cell into a number (``5212``) whatever the quotes; the only ways round
it are a formula (``="05212"``) or an invisible character in the cell, and this module writes
neither: for Excel, send the ``.xlsx`` (:func:`xlsx_bytes`), where codes are text cells.

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("Xã A"), neutralise(-3)
('\\'=HYPERLINK("http://x")', 'Xã A', -3)
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from geo.figures.safe_cells import FORMULA_STARTS, neutralise, write_cell

__all__ = [
    "CSV_CONVENTIONS",
    "FORMULA_STARTS",
    "CsvConvention",
    "csv_bytes",
    "neutralise",
    "xlsx_bytes",
]

CsvConvention = Literal["vi", "en"]
#: Cell separator and decimal mark of each CSV convention.
CSV_CONVENTIONS: dict[str, tuple[str, str]] = {"vi": (";", ","), "en": (",", ".")}


def _csv_cell(value: object, decimal: str) -> str:
    """One CSV cell: numbers bare (``decimal`` before the decimals), text quoted and
    neutralised, missing values empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        # every digit Python keeps, no exponent, no thousands separator
        return np.format_float_positional(float(value), trim="-").replace(".", decimal)
    text = str(neutralise(str(value)))
    return '"' + text.replace('"', '""') + '"'


def csv_bytes(frame: pd.DataFrame, *, convention: CsvConvention = "vi") -> bytes:
    """The table as CSV for a spreadsheet: UTF-8 with a byte-order mark, CRLF line ends.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (column names become the header).
    convention : {"vi", "en"}
        ``"vi"``: ``;`` between cells and ``,`` before decimals, as Excel set to Vietnamese
        reads them; ``"en"``: ``,`` and ``.`` (see :data:`CSV_CONVENTIONS`).

    Returns
    -------
    bytes
        Text cells (and headers) in double quotes and neutralised (:func:`neutralise`), so
        codes keep their leading zeros for readers that honour quotes; numbers bare; missing
        values empty.

    Examples
    --------
    >>> frame = pd.DataFrame({"Mã": ["05212"], "Xã": ["@A"], "%": [42.5]})
    >>> csv_bytes(frame).decode("utf-8-sig")
    '"Mã";"Xã";"%"\\r\\n"05212";"\\'@A";42,5\\r\\n'
    >>> csv_bytes(frame, convention="en").decode("utf-8-sig")
    '"Mã","Xã","%"\\r\\n"05212","\\'@A",42.5\\r\\n'
    """
    if convention not in CSV_CONVENTIONS:
        raise ValueError(f"unknown CSV convention {convention!r}; expected 'vi' or 'en'")
    separator, decimal = CSV_CONVENTIONS[convention]
    lines = [separator.join(_csv_cell(str(name), decimal) for name in frame.columns)]
    for values in frame.astype("object").itertuples(index=False):
        lines.append(separator.join(_csv_cell(value, decimal) for value in values))
    # CRLF line ends: what Excel writes and reads most reliably.
    return "".join(line + "\r\n" for line in lines).encode("utf-8-sig")


def xlsx_bytes(
    frame: pd.DataFrame,
    *,
    sheet_name: str = "Sheet1",
    title_lines: Sequence[str] = (),
) -> bytes:
    """The table as an Excel workbook: optional title lines, a bold header row, the rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (column names become the header).
    sheet_name : str
        Sheet name (cut to Excel's 31 characters; ``[]:*?/\\`` replaced).
    title_lines : sequence of str
        Lines above the table (title, conditions, data label), one per row, bold first.

    Returns
    -------
    bytes
        The ``.xlsx`` file. Text cells are stored as text (never formulas); numbers stay
        numbers; missing values are empty cells.
    """
    book = Workbook()
    sheet = book.active
    safe = "".join("_" if ch in "[]:*?/\\" else ch for ch in sheet_name)[:31] or "Sheet1"
    sheet.title = safe
    row = 1
    for index, line in enumerate(title_lines):
        cell = write_cell(sheet, row, 1, str(line))
        if index == 0:
            cell.font = Font(bold=True, size=12)
        row += 1
    if title_lines:
        row += 1  # a blank row between the title and the table
    header_row = row
    for column, name in enumerate(frame.columns, start=1):
        cell = write_cell(sheet, row, column, str(name))
        cell.font = Font(bold=True)
    for values in frame.itertuples(index=False):
        row += 1
        for column, value in enumerate(values, start=1):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if hasattr(value, "item"):
                value = value.item()  # numpy scalar → Python number
            write_cell(sheet, row, column, value)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for column, name in enumerate(frame.columns, start=1):
        cells = [str(name), *(str(v) for v in frame.iloc[:, column - 1].tolist())]
        width = min(60, max(8, *(len(c) for c in cells)) + 2)
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
