"""A table as a file to send: CSV that spreadsheets open safely, and Excel (.xlsx).

Text cells are kept text: in CSV a text that a spreadsheet would run as a formula gets a leading
apostrophe, in Excel files it is stored as text, never as a formula
(:mod:`geo.figures.safe_cells`, shared with the importer's rejected rows).

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("Xã A"), neutralise(-3)
('\\'=HYPERLINK("http://x")', 'Xã A', -3)
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from geo.figures.safe_cells import FORMULA_STARTS, neutralise, write_cell

__all__ = ["FORMULA_STARTS", "csv_bytes", "neutralise", "xlsx_bytes"]


def _text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(
            out[column]
        ):
            out[column] = out[column].astype("object").map(neutralise)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark (Excel then reads Vietnamese right).

    Text cells are neutralised (:func:`neutralise`); empty cells stay empty.

    Examples
    --------
    >>> csv_bytes(pd.DataFrame({"Xã": ["@A", "B"], "n": [-1, 2]})).decode("utf-8-sig")
    "Xã,n\\r\\n'@A,-1\\r\\nB,2\\r\\n"
    """
    # CRLF line ends: what Excel writes and reads most reliably.
    text = _text_cells(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


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
