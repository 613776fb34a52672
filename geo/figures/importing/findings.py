"""What an import says about a file: messages in both languages, warnings, rejections, skips.

The bottom of :mod:`geo.figures.importing`: every step records what it found in one
:class:`Findings`; :mod:`geo.figures.importing.report` turns them into the report.

Examples
--------
>>> findings = Findings("bieu.csv")
>>> findings.skip(0, "BIỂU TỔNG HỢP", "importer.skip.title")
>>> findings.warn("", "importer.warn.district_ignored")
>>> findings.skipped, findings.warnings[0].where
([(1, 'BIỂU TỔNG HỢP', 'importer.skip.title')], '')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from geo.errors import DataError, Problem
from geo.i18n import Lang, format_number, t


def render(key: str, lang: Lang, values: Mapping[str, object]) -> str:
    """Message ``key`` in ``lang``; numbers formatted the way of the language."""
    shown: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            shown[name] = value
        elif isinstance(value, int | np.integer):
            shown[name] = format_number(int(value), lang)
        elif isinstance(value, float | np.floating):
            decimals = 0 if float(value).is_integer() else 2
            text = format_number(float(value), lang, decimals=decimals)
            if decimals:
                text = text.rstrip("0").rstrip(",.")
            shown[name] = text
        elif isinstance(value, dict):
            shown[name] = value.get(lang, "")
        else:
            shown[name] = value
    return t(key, lang, **shown)


@dataclass
class Finding(Problem):
    """A :class:`~geo.errors.Problem` that can also say itself in Vietnamese.

    ``message`` is the English text; :meth:`text` gives either language. ``key`` and
    ``values`` are the :mod:`geo.i18n` message and its placeholders (values given as
    ``{"vi": …, "en": …}`` are per language).
    """

    key: str = ""
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: Lang = "vi") -> str:
        """The message in ``lang``."""
        return render(self.key, lang, self.values) if self.key else self.message


@dataclass
class UnreadableFileError(DataError):
    """A file :func:`~geo.figures.importing.import_file` cannot use at all (not a spreadsheet,
    no header …).

    ``message`` is English; :meth:`text` gives the Vietnamese (or English) text with what to do.
    """

    key: str = ""
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: Lang = "vi") -> str:
        """The message in ``lang``, naming the file."""
        return render(self.key, lang, {"file": self.source, **self.values})


def unreadable(file_name: str, key: str, **values: object) -> UnreadableFileError:
    """The :class:`UnreadableFileError` of message ``key`` about ``file_name``."""
    message = render(key, "en", {"file": file_name, **values})
    return UnreadableFileError(file_name, message, key=key, values=values)


@dataclass
class Reason:
    """Why a row is rejected: its spreadsheet row, column, value as written and message."""

    row: int
    column: str
    value: str
    key: str
    values: dict[str, object] = field(default_factory=dict)


class RowCells(Protocol):
    """A data row as far as a rejection needs it (:class:`geo.figures.importing.rows.Row`)."""

    index: int  # grid index; spreadsheet row = index + 1
    cells: dict[str, str]  # family / pseudo column → text


class Findings:
    """What one import found so far: rejection reasons, skipped rows and warnings."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.reasons: list[Reason] = []
        self.skipped: list[tuple[int, str, str]] = []  # (spreadsheet row, text, key)
        self.warnings: list[Finding] = []

    def warn(self, where: str, key: str, **values: object) -> None:
        """Record warning ``key`` at ``where`` (``""`` for the whole file)."""
        message = render(key, "en", values)
        self.warnings.append(Finding(self.file_name, where, message, "warning", key, values))

    def reject(self, row: RowCells, column: str, key: str, **values: object) -> None:
        """Reject ``row`` because of its cell in ``column``."""
        value = row.cells.get(column, "")
        self.reasons.append(Reason(row.index + 1, column, value, key, values))

    def skip(self, index: int, text: str, key: str) -> None:
        """Skip grid row ``index`` (not a commune), showing ``text``."""
        self.skipped.append((index + 1, text, key))

    def rejected_rows(self) -> set[int]:
        """Spreadsheet rows rejected so far."""
        return {reason.row for reason in self.reasons}
