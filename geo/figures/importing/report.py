"""The report of an import: every row accepted, rejected with its reasons, or skipped.

:class:`ImportReport` is what :func:`~geo.figures.importing.import_file` returns (nothing is
stored); :func:`build_report` makes it from what the steps found, and :func:`rejected_workbook`
gives the rejected rows back as a workbook a planner can correct and import again.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import Problem
from geo.figures import indicators as ind
from geo.figures.importing.findings import Finding, Findings, Reason, render
from geo.figures.importing.header import DISTRICT_COLUMN, column_label
from geo.figures.importing.reading import cell_text
from geo.figures.importing.rows import Layout, Sheet
from geo.figures.safe_cells import write_row
from geo.i18n import Lang, t
from geo.schema import DISTRICT_NAME

REJECTED_COLUMNS: tuple[str, ...] = ("source_row", "column", "value", "reason_vi", "reason_en")
SKIPPED_COLUMNS: tuple[str, ...] = ("source_row", "text", "reason_vi", "reason_en")
SOURCE_ROW = "source_row"


@dataclass(frozen=True)
class ImportReport:
    """What :func:`~geo.figures.importing.import_file` found in one file (nothing is stored).

    Attributes
    ----------
    family, period, vintage : str, int, str
        What the file was read as.
    file_name : str
        The file's name (as uploaded).
    sha256 : str
        SHA-256 of the file's bytes (hex).
    accepted : pandas.DataFrame
        The family's columns exactly as :mod:`geo.figures.indicators` types them, plus
        ``source_row``
        (1-based spreadsheet row), in file order.
    rejected : pandas.DataFrame
        One row per problem: ``source_row, column, value, reason_vi, reason_en``; ``column``
        is the family column (or ``commune_code``/``commune_name``/``district_name`` for
        matching problems), ``value`` the cell as written.
    skipped : pandas.DataFrame
        Rows that are not communes: ``source_row, text, reason_vi, reason_en``.
    warnings : list of Finding
        Problems worth a look that did not reject a row.
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1258"``, ``"cp1252"`` (CSV) or
        ``"xlsx"``, with ``"+tcvn3"`` / ``"+vni"`` when legacy text was converted.
    rejected_rows : pandas.DataFrame
        The rejected rows as they are in the file (``source_row`` and the file's headers), for
        :func:`rejected_workbook`.
    sheet : str
        The sheet read (``""`` for CSV).
    vintage_source : str
        Where ``vintage`` came from: ``"template"``, ``"column"``, ``"codes"``, ``"choice"`` or
        ``"period"`` (:mod:`geo.figures.importing.vintage`).
    criteria_set : str
        The NTM criteria set the period is measured against (``"2026-2030"``), ``""`` for other
        families or periods before the first set.
    """

    family: str
    period: int
    vintage: str
    file_name: str
    sha256: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame
    skipped: pd.DataFrame
    warnings: list[Problem]
    encoding: str
    rejected_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    sheet: str = ""
    vintage_source: str = ""
    criteria_set: str = ""

    def stored_as(self, lang: Lang = "vi") -> str:
        """What the rows are stored under, in words: the vintage, whence, and the criteria set.

        Examples
        --------
        >>> from geo.figures.importing import import_file
        >>> csv_bytes = "Mã xã,Mức đạt NTM\\n5233,Chưa đạt\\n".encode()
        >>> report = import_file(csv_bytes, family="ntm", period=2024)
        >>> print(report.stored_as("en").replace("; ", ";\\n"))
        Stored under the 2020–2025 units (with districts), recognised from the file's commune codes;
        2021–2025 criteria set
        """
        from geo.figures.importing.vintage import vintage_label

        text = t(
            "importer.stored_as",
            lang,
            vintage=vintage_label(self.vintage, lang),
            source=t(f"importer.vintage_source.{self.vintage_source or 'choice'}", lang),
        )
        if self.criteria_set:
            years = self.criteria_set.replace("-", "–")
            text += "; " + t("criteria.set", lang, years=years)
        return text

    @property
    def rejected_row_count(self) -> int:
        """Number of rows rejected (a row can have several problems)."""
        return int(self.rejected["source_row"].nunique()) if len(self.rejected) else 0

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable summary: counts, every rejected row with its reasons, warnings.

        Examples
        --------
        >>> from geo.figures.importing import import_file
        >>> report = import_file(b"Ma xa,Kinh te\\n4789,3\\n9,x\\n", family="models", period=2024)
        >>> s = report.summary()
        >>> s["counts"], s["rejected"][0]["source_row"]
        ({'accepted': 1, 'rejected': 1, 'rejected_problems': 2, 'skipped': 1}, 3)
        """

        def rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
            out = []
            for record in frame.loc[:, list(columns)].itertuples(index=False, name=None):
                out.append({c: _json_scalar(v) for c, v in zip(columns, record, strict=True)})
            return out

        rejected_by_row: dict[int, dict[str, Any]] = {}
        for item in rows(self.rejected, REJECTED_COLUMNS):
            entry = rejected_by_row.setdefault(
                item["source_row"], {"source_row": item["source_row"], "problems": []}
            )
            entry["problems"].append({k: v for k, v in item.items() if k != "source_row"})
        return {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "family": self.family,
            "period": int(self.period),
            "vintage": self.vintage,
            "vintage_source": self.vintage_source,
            "criteria_set": self.criteria_set,
            "encoding": self.encoding,
            "sheet": self.sheet,
            "counts": {
                "accepted": len(self.accepted),
                "rejected": self.rejected_row_count,
                "rejected_problems": len(self.rejected),
                "skipped": len(self.skipped),
            },
            "rejected": list(rejected_by_row.values()),
            "skipped": rows(self.skipped, SKIPPED_COLUMNS),
            "warnings": [
                {
                    "where": w.where,
                    "severity": w.severity,
                    "message_en": w.text("en") if isinstance(w, Finding) else w.message,
                    "message_vi": w.text("vi") if isinstance(w, Finding) else w.message,
                }
                for w in self.warnings
            ],
        }


def _json_scalar(value: object) -> object:
    """``value`` as JSON can hold it (None for missing, Python numbers for NumPy's)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def build_report(
    sheet: Sheet,
    layout: Layout,
    findings: Findings,
    table: pd.DataFrame,
    *,
    period: int,
    vintage: str,
    sha256: str,
    encoding: str,
) -> ImportReport:
    """The report of one import: ``table`` (typed values by spreadsheet row) and the findings."""
    spec = sheet.spec
    order = {name: i for i, name in enumerate(spec.column_names)}
    reasons = sorted(findings.reasons, key=lambda r: (r.row, order.get(r.column, -1)))
    bad = {r.row for r in reasons}
    good = [row.index + 1 for row in layout.rows if row.index + 1 not in bad]
    accepted = table.loc[good].copy()
    accepted.insert(len(accepted.columns), SOURCE_ROW, pd.array(good, dtype="int64"))
    accepted = accepted.reset_index(drop=True)
    for column in spec.columns:
        accepted[column.name] = accepted[column.name].astype(column.dtype)
    return ImportReport(
        family=sheet.family,
        period=period,
        vintage=vintage,
        file_name=findings.file_name,
        sha256=sha256,
        accepted=accepted,
        rejected=_rejected(reasons, sheet.family),
        skipped=_skipped(findings.skipped),
        warnings=list(findings.warnings),
        encoding=encoding,
        rejected_rows=_rejected_rows(sheet, sorted(bad)),
        sheet=sheet.grid.name,
    )


def _rejected(reasons: Sequence[Reason], family: str) -> pd.DataFrame:
    """The ``rejected`` table of a report: one row per reason, in both languages."""
    return pd.DataFrame(
        {
            "source_row": pd.array([r.row for r in reasons], dtype="int64"),
            "column": pd.array(
                [DISTRICT_NAME if r.column == DISTRICT_COLUMN else r.column for r in reasons],
                dtype=object,
            ),
            "value": pd.array([r.value for r in reasons], dtype=object),
            "reason_vi": pd.array([_reason_text(r, family, "vi") for r in reasons], dtype=object),
            "reason_en": pd.array([_reason_text(r, family, "en") for r in reasons], dtype=object),
        }
    )


def _reason_text(reason: Reason, family: str, lang: Lang) -> str:
    """``Column “…”: …``: a rejection reason in ``lang``."""
    text = render(reason.key, lang, reason.values)
    return t("importer.reason", lang, column=column_label(reason.column, family, lang), reason=text)


def _skipped(skipped: Sequence[tuple[int, str, str]]) -> pd.DataFrame:
    """The ``skipped`` table of a report, in spreadsheet order."""
    skipped_rows = sorted(skipped)
    return pd.DataFrame(
        {
            "source_row": pd.array([s[0] for s in skipped_rows], dtype="int64"),
            "text": pd.array([s[1] for s in skipped_rows], dtype=object),
            "reason_vi": pd.array([t(s[2], "vi") for s in skipped_rows], dtype=object),
            "reason_en": pd.array([t(s[2], "en") for s in skipped_rows], dtype=object),
        }
    )


def _rejected_rows(sheet: Sheet, numbers: Sequence[int]) -> pd.DataFrame:
    """Spreadsheet rows ``numbers`` as they are in the file, under the file's headers."""
    grid = sheet.grid
    width = max((len(grid.rows[n - 1]) for n in numbers), default=0)
    headers: list[str] = []
    for c in range(width):
        label = sheet.header.labels.get(c) or f"#{c + 1}"
        while label in headers:
            label += " "
        headers.append(label)
    data = {
        header: [
            cell_text(grid.rows[n - 1][c]) if c < len(grid.rows[n - 1]) else "" for n in numbers
        ]
        for c, header in enumerate(headers)
    }
    return pd.DataFrame({SOURCE_ROW: pd.array(list(numbers), dtype="int64"), **data})


# --- the rejected rows as a workbook -------------------------------------------------------------


def rejected_workbook(report: ImportReport, *, lang: Lang = "vi") -> bytes:
    """An ``.xlsx`` of the rejected rows as they were in the file, each with its reasons.

    Sheet 1 has the rows (spreadsheet row number, the file's cells, a reason column) so a
    planner can correct them and import them again; sheet 2 lists every problem. The file's
    text is written as text, never as a formula (:mod:`geo.figures.safe_cells`): a cell
    ``=HYPERLINK(…)`` comes back as that text, marked so that Excel keeps it text.

    Examples
    --------
    >>> from geo.figures.importing import import_file
    >>> report = import_file(b"Ma xa,Kinh te\\n4789,-3\\n", family="models", period=2024)
    >>> data = rejected_workbook(report, lang="en")
    >>> data[:2]
    b'PK'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    ws = book.active
    ws.title = t("importer.wb.rejected_sheet", lang)[:31]
    # The file's own text comes back here: written as text, never as a formula.
    write_row(ws, 1, [t("importer.wb.title", lang, file=report.file_name)])
    ws["A1"].font = Font(bold=True)
    rows = report.rejected_rows
    cells = [c for c in rows.columns if c != SOURCE_ROW]
    header = [
        t("importer.wb.row", lang),
        *[c.strip() for c in cells],
        t("importer.wb.reason", lang),
    ]
    write_row(ws, 2, header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9D9")
    reasons: dict[int, list[str]] = {}
    for number, reason in zip(
        report.rejected["source_row"], report.rejected[f"reason_{lang}"], strict=True
    ):
        reasons.setdefault(int(number), []).append(str(reason))
    for row, record in enumerate(rows.itertuples(index=False, name=None), start=3):
        number = int(record[0])
        write_row(ws, row, [number, *record[1:], "; ".join(reasons.get(number, []))])
        ws.cell(row, len(header)).alignment = Alignment(wrap_text=True)
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions[ws.cell(2, len(header)).column_letter].width = 70
    ws.freeze_panes = "B3"

    details = book.create_sheet(t("importer.wb.details_sheet", lang)[:31])
    write_row(
        details,
        1,
        [
            t("importer.wb.row", lang),
            t("importer.wb.column", lang),
            t("importer.wb.value", lang),
            t("importer.wb.reason", lang),
        ],
    )
    for cell in details[1]:
        cell.font = Font(bold=True)
    problems = report.rejected[["source_row", "column", "value", f"reason_{lang}"]]
    for row, (number, column, value, reason) in enumerate(
        problems.itertuples(index=False, name=None), start=2
    ):
        label = column
        if column in ind.FAMILIES[report.family].column_names:
            label = f"{ind.FAMILIES[report.family].column(column).label(lang)} ({column})"
        write_row(details, row, [int(number), label, value, reason])
    details.column_dimensions["B"].width = 30
    details.column_dimensions["D"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
