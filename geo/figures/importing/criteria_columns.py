"""Optional per-criterion columns of an NTM file: which criteria a commune meets, one by one.

Planners head them "Tiêu chí 1", "TC1", "TC 1", "Tiêu chí số 1", "criterion 1" or by the
criterion's name in the period's set ("Giao thông");
:func:`geo.figures.importing.header.criterion_header` reads the numbered forms,
:func:`settle_criterion_columns` the names, and refuses a number the set does not have (a 2026
file with a column "Tiêu chí 11": the 2026–2030 set has 10).

A cell is met (``1``, ``x``, ``đạt``, ``có``, ``yes`` …) or not met (``0``, ``không đạt``,
``chưa đạt``, ``không``, ``no`` …); :func:`criterion_texts` gives the texts the family's parser
(:func:`geo.figures.indicators.parse_criterion_columns`) reads. A blank cell is *not known*,
except in a row ticked with ``x``: there a blank is *not met* (the tick-box habit), so
"x, blank, x" is met, not met, met.

The sum of the criteria met must agree with "Số tiêu chí đạt" (:func:`criteria_sum_problem`): a
row that counts more criteria met than it states, or whose every criterion is given and sums to
another number, is **rejected** (which of the two is right cannot be known).

Examples
--------
>>> criterion_texts({"criterion_1": "x", "criterion_2": "", "criterion_3": ""}, ["criterion_1"])
{'criterion_1': 'x', 'criterion_2': '0', 'criterion_3': '0'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from geo.figures.criteria import CriteriaSet, criteria_sets, criterion_column, criterion_number
from geo.figures.importing.findings import unreadable
from geo.figures.importing.grid import cell_name
from geo.figures.importing.header import Header
from geo.figures.importing.reading import Grid, cell_text, word_key
from geo.i18n import LANGUAGES, t

__all__ = [
    "TICKS",
    "criteria_sum_problem",
    "criterion_texts",
    "settle_criterion_columns",
]

#: Tick marks: a row that has one reads its blank criterion cells as not met.
TICKS = frozenset({"x", "✓", "✔", "v"})


def _name_keys(criteria_set: CriteriaSet | None) -> dict[str, str]:
    """Word key of each criterion's name in the set → its column."""
    if criteria_set is None:
        return {}
    return {word_key(c.name_vi): criterion_column(c.number) for c in criteria_set.criteria}


def settle_criterion_columns(
    grid: Grid, header: Header, criteria_set: CriteriaSet | None, file_name: str
) -> None:
    """Recognise columns headed by a criterion's name; refuse a number beyond the set.

    ``header`` gains the columns named after a criterion of ``criteria_set`` (they were
    unrecognised). Without a set (a period before 2010) any number up to the largest set's
    count is accepted.

    Raises
    ------
    UnreadableFileError
        For a per-criterion column whose number the set does not have, naming the column as
        headed, its cell and the set.
    """
    names = _name_keys(criteria_set)
    for c, texts in _unrecognised(grid, header).items() if names else ():
        combined = " ".join(texts)
        column = names.get(word_key(texts[-1])) or names.get(word_key(combined))
        if column is not None and column not in header.columns.values():
            header.columns[c] = column
            header.labels[c] = combined
            if combined in header.ignored:  # no longer "a column not used"
                header.ignored.remove(combined)
    largest = max(s.count for s in criteria_sets())
    count = criteria_set.count if criteria_set is not None else largest
    for c, column in sorted(header.columns.items()):
        number = criterion_number(column)
        if number is not None and not 1 <= number <= count:
            where = {lang: t("importer.criteria_largest", lang) for lang in LANGUAGES}
            if criteria_set is not None:
                years = f"{criteria_set.first_year}–{criteria_set.last_year}"
                where = {lang: t("criteria.set", lang, years=years) for lang in LANGUAGES}
            raise unreadable(
                file_name,
                "importer.error.criterion_column",
                header=header.labels.get(c, column),
                cell=cell_name(header.first, c),
                number=number,
                count=count,
                set=where,
            )


def _unrecognised(grid: Grid, header: Header) -> dict[int, list[str]]:
    """Grid column → header texts (top to bottom) of the columns the header did not name."""
    width = max(len(grid.rows[r]) for r in range(header.first, header.last + 1))
    out: dict[int, str] = {}
    for c in range(width):
        if c in header.columns:
            continue
        texts: list[str] = []
        for r in range(header.first, header.last + 1):
            row = grid.rows[r]
            text = cell_text(row[c]) if c < len(row) else ""
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        if texts:
            out[c] = texts
    return out


def criterion_texts(cells: Mapping[str, str], columns: Sequence[str]) -> dict[str, str]:
    """One row's per-criterion cells as the parser reads them: blanks of a ticked row not met.

    ``columns`` are the per-criterion columns of ``cells`` (all of them are given back).
    """
    texts = {column: cells.get(column, "").strip() for column in columns}
    for column in cells:
        if criterion_number(column) is not None:
            texts.setdefault(column, cells[column].strip())
    if any(text.casefold() in TICKS for text in texts.values()):
        return {column: text or "0" for column, text in texts.items()}
    return texts


def criteria_sum_problem(met: pd.Series, stated: object, count: int) -> tuple[int, int] | None:
    """``(counted, known)`` when a row's criteria met disagree with its stated number, else None.

    ``met`` is the row's per-criterion values (True, False or missing); ``stated`` its
    "criteria met". More met than stated always disagrees; a different sum disagrees only when
    every criterion of the set (``count``) is given.

    Examples
    --------
    >>> row = pd.Series([True, True, False], dtype="boolean")
    >>> criteria_sum_problem(row, 3, 3), criteria_sum_problem(row, 1, 10)
    ((2, 3), (2, 3))
    >>> print(criteria_sum_problem(row, 5, 10))  # 5 stated, 2 of the 3 known met: may be so
    None
    """
    if stated is None or stated is pd.NA or pd.isna(stated):  # type: ignore[arg-type]
        return None
    known = int(met.notna().sum())
    counted = int(met.fillna(False).astype(bool).sum())
    if counted > int(stated) or (known >= count and counted != int(stated)):  # type: ignore[call-overload]
        return counted, known
    return None
