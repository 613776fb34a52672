"""Checking the values of matched rows: the family's parsers and rules, and the file's own sums.

Cells are read with :func:`geo.figures.indicators.parse_cells` and the rows read without a
problem are checked with :func:`geo.figures.indicators.check_rules`; their problems become
rejection reasons in both languages. An import adds its own rules: a models file's total column
must be the sum of its four fields, and a ward or town has no NTM level. Subtotal and total rows
are compared with the sum of their communes (a mismatch is a warning, not a rejection).

Examples
--------
>>> from geo.errors import Problem
>>> reason = rule_reason(Problem("f", "row 3, column ntm_year", "value required"), "ntm", "")
>>> reason.row, reason.column, reason.key
(3, 'ntm_year', 'importer.rule.required')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

import pandas as pd

from geo.errors import Problem
from geo.figures import indicators as ind
from geo.figures.criteria import criteria_set_for, criterion_number
from geo.figures.importing.criteria_columns import criteria_sum_problem, criterion_texts
from geo.figures.importing.findings import Findings, Reason
from geo.figures.importing.grid import cell_name
from geo.figures.importing.header import TOTAL_COLUMN, column_label
from geo.figures.importing.matching import Place
from geo.figures.importing.rows import Layout, Row, Sheet
from geo.figures.importing.values import number_convention, number_text, to_float, value_text
from geo.i18n import LANGUAGES
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, VINTAGE

#: ``provenance`` of ``named_models`` rows imported without one.
IMPORT_PROVENANCE = "imported"
#: How far an area may exceed the commune's measured area (boundaries drawn from maps differ
#: from the official areas by a few per cent).
AREA_TOLERANCE: Final = 1.05

_RULE_KEYS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^value required$", "importer.rule.required"),
        (r"^expected a year between (?P<low>\d+) and (?P<high>\d+)", "importer.rule.year"),
        (r"^expected a whole number ≥ 0", "importer.rule.count"),
        (r"^expected a whole number from 0 to (?P<high>\d+)", "importer.rule.count_max"),
        (r"^expected a number ≥ 0", "importer.rule.number"),
        (r"^expected a number from 0 to (?P<high>\d+)", "importer.rule.number_max"),
        (r"^area consolidated is more than (?P<ratio>\d+) times", "importer.rule.plan_ratio"),
        (r"^expected one of ", "importer.rule.category"),
        (r"^expected true or false", "importer.rule.bool"),
        (r"^expected a boundary vintage", "importer.rule.vintage"),
        (r"^expected a GSO commune code", "importer.rule.code"),
        (r"^more models replicated than", "importer.rule.replicated"),
        (r"^year recognised is after the period", "importer.rule.after_period"),
        (r"^an NTM commune meets all (?P<n>\d+) criteria", "importer.rule.ntm_criteria"),
        (
            r"^criteria met is above the (?P<n>\d+) criteria of the (?P<first>\d+)-(?P<last>\d+)",
            "importer.rule.criteria_above_set",
        ),
        (r"^level not in the (?P<first>\d+)-(?P<last>\d+) set", "importer.rule.level_not_in_set"),
        (
            r"^criterion (?P<number>\d+) is not in the (?P<first>\d+)-(?P<last>\d+) set, "
            r"which has (?P<n>\d+)",
            "importer.rule.criterion_not_in_set",
        ),
        (r"^expected met or not met", "importer.rule.met"),
        (r"^year reached is given but the level is not_yet", "importer.rule.ntm_year_not_yet"),
        (r"^year reached is after the period", "importer.rule.after_period"),
        (r"^status done but the area consolidated is below", "importer.rule.land_done_below"),
        (r"^status in_progress needs", "importer.rule.land_in_progress"),
        (r"^status not_started but", "importer.rule.land_not_started"),
        (r"^area consolidated above the area planned", "importer.rule.land_done_above"),
        (r"^year completed is given but", "importer.rule.land_year_not_done"),
        (r"^year completed is after the period", "importer.rule.after_period"),
        (r"^duplicate of row (?P<row>\d+)", "importer.reject.duplicate"),
    )
)
_CATEGORY_LABELS: Mapping[str, Mapping[str, ind.Label]] = {
    ind.FIELD: ind.FIELD_LABELS,
    ind.NTM_LEVEL: ind.NTM_LEVEL_LABELS,
    ind.LAND_STATUS: ind.LAND_STATUS_LABELS,
}
_WHERE = re.compile(r"^row (?P<row>\d+), column (?P<column>\w+)$")


def rule_reason(problem: Problem, family: str, value: str) -> Reason:
    """The rejection reason of a parser or rule ``problem`` of ``family`` (cell text ``value``)."""
    found = _WHERE.match(problem.where)
    if not found:
        raise AssertionError(f"unexpected problem location {problem.where!r}")
    row, column = int(found["row"]), found["column"]
    for pattern, key in _RULE_KEYS:
        hit = pattern.match(problem.message)
        if hit:
            values: dict[str, object] = {k: int(v) for k, v in hit.groupdict().items()}
            # Years stay text: "2026", never a number with a thousands separator.
            values |= {k: str(values[k]) for k in ("first", "last") if k in values}
            if key == "importer.rule.category":
                spec = ind.FAMILIES[family].column(column)
                labels = _CATEGORY_LABELS.get(column, {})
                values["allowed"] = {
                    lang: ", ".join(labels[c](lang) if c in labels else c for c in spec.categories)
                    for lang in LANGUAGES
                }
            if key == "importer.rule.level_not_in_set":
                known = _set_levels(int(hit["first"]))
                values["allowed"] = {
                    lang: ", ".join(ind.NTM_LEVEL_LABELS[c](lang) for c in known)
                    for lang in LANGUAGES
                }
            return Reason(row, column, value, key, values)
    return Reason(row, column, value, "importer.rule.other", {"message": problem.message})


def _set_levels(first_year: int) -> tuple[str, ...]:
    """The levels of the criteria set that starts in ``first_year``."""
    criteria_set = criteria_set_for(first_year)
    return criteria_set.levels if criteria_set is not None else ind.NTM_LEVELS


def _where(problem: Problem) -> tuple[int, str]:
    """The spreadsheet row and column a parser or rule problem is about."""
    found = _WHERE.match(problem.where)
    assert found is not None, problem.where
    return int(found["row"]), found["column"]


class Checker:
    """Parses and checks the values of the matched rows of one file; records what is wrong.

    After :meth:`check`, :attr:`numbers` holds every row's figures (None when unreadable) for
    :meth:`check_subtotals`.
    """

    def __init__(
        self,
        sheet: Sheet,
        layout: Layout,
        findings: Findings,
        *,
        period: int,
        vintage: str,
        place: Place,
        commune_areas_ha: Mapping[str, float] | None = None,
    ) -> None:
        self.sheet = sheet
        self.commune_areas_ha = commune_areas_ha or {}
        self.spec = sheet.spec
        self.family = sheet.family
        self.layout = layout
        self.findings = findings
        self.period = period
        self.vintage = vintage
        self.place = place
        self.by_number = {row.index + 1: row for row in layout.rows}
        #: The file's per-criterion columns (NTM), in criterion order.
        self.criterion_columns = sorted(
            (c for c in sheet.by_column if criterion_number(c) is not None),
            key=lambda c: criterion_number(c) or 0,
        )
        self.convention = "vi"
        self.numbers: dict[int, dict[str, float | None]] = {}

    def numeric_columns(self) -> list[str]:
        """The figure columns of the file that hold numbers."""
        return [
            c
            for c in self.sheet.values
            if c == TOTAL_COLUMN or self.spec.column(c).kind in ("count", "number", "year")
        ]

    def check(self) -> pd.DataFrame:
        """The rows' values as the family types them (index: spreadsheet row); rejects the bad."""
        numeric = self.numeric_columns()
        self.convention = number_convention(
            [row.cells.get(c, "") for row in self.layout.rows for c in numeric]
            + [cells.get(c, "") for cells in self.layout.figures.values() for c in numeric]
        )
        records = self.records()
        table = self.parse(records)
        self.apply_rules(table)
        self.numbers = {
            number: {c: to_float(record.get(c, "")) for c in numeric}
            for number, record in records.items()
        }
        if TOTAL_COLUMN in self.sheet.by_column:
            for number, row in self.by_number.items():
                text = number_text(row.cells.get(TOTAL_COLUMN, ""), self.convention)
                self.numbers[number][TOTAL_COLUMN] = to_float(text)
        return table

    def records(self) -> dict[int, dict[str, str]]:
        """Spreadsheet row → the texts the family's parser reads; rejects a wrong period/vintage."""
        spec = self.spec
        records: dict[int, dict[str, str]] = {}
        for row in self.layout.rows:
            record = {COMMUNE_CODE: row.code or "00000", VINTAGE: self.vintage}
            record[ind.PERIOD] = str(self.period)
            for column in spec.column_names:
                if column in (COMMUNE_CODE, ind.PERIOD, VINTAGE):
                    continue
                text = row.cells.get(column, "")
                if self.reject_formula(row, column):
                    text = ""  # the reason is the formula, not an unreadable number
                record[column] = value_text(spec, column, text, self.convention)
            if spec.name == ind.NAMED_MODELS:
                if not record[ind.PROVENANCE]:
                    record[ind.PROVENANCE] = IMPORT_PROVENANCE
                if not record[ind.REPLICATED]:
                    record[ind.REPLICATED] = "false"
            records[row.index + 1] = record
            for column, expected in ((ind.PERIOD, str(self.period)), (VINTAGE, self.vintage)):
                text = row.cells.get(column, "")
                if text and number_text(text, self.convention) != expected and text != expected:
                    self.findings.reject(
                        row, column, f"importer.reject.{column}", value=text, expected=expected
                    )
        return records

    def reject_formula(self, row: Row, column: str) -> bool:
        """Reject ``row`` when its cell in ``column`` is a formula without a computed value."""
        c = self.sheet.by_column.get(column)
        formula = self.sheet.grid.formulas.get((row.index, c)) if c is not None else None
        if formula is None:
            return False
        self.findings.reasons.append(
            Reason(
                row.index + 1,
                column,
                formula,
                "importer.reject.formula",
                {"cell": cell_name(row.index, c), "formula": formula},  # type: ignore[arg-type]
            )
        )
        return True

    def parse(self, records: Mapping[int, Mapping[str, str]]) -> pd.DataFrame:
        """The records typed by the family's parser; a cell it cannot read rejects its row."""
        columns = list(self.spec.column_names)
        raw = pd.DataFrame.from_dict(records, orient="index", columns=columns, dtype=object)
        raw = raw.fillna("").astype(object)
        if raw.empty:
            raw = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        table, problems = ind.parse_cells(raw, self.family, source=self.findings.file_name)
        if self.criterion_columns:
            texts = {
                number: criterion_texts(self.by_number[number].cells, self.criterion_columns)
                for number in records
            }
            cells = pd.DataFrame.from_dict(texts, orient="index", dtype=object)
            cells = cells.reindex(index=raw.index, columns=self.criterion_columns).fillna("")
            met, more = ind.parse_criterion_columns(cells, source=self.findings.file_name)
            table = pd.concat([table, met], axis=1)
            problems = [*problems, *more]
        for problem in problems:
            number, column = _where(problem)
            if column == COMMUNE_CODE:
                continue  # unmatched rows are already explained
            value = self.by_number[number].cells.get(column, "")
            self.findings.reasons.append(rule_reason(problem, self.family, value))
        return table

    def apply_rules(self, table: pd.DataFrame) -> None:
        """Rules across columns, on the rows matched and read without problems."""
        rows = self.layout.rows
        bad_rows = self.findings.rejected_rows()
        good = [row.index + 1 for row in rows if row.code and row.index + 1 not in bad_rows]
        for row in rows:
            if row.code is None and row.index + 1 not in bad_rows:
                raise AssertionError(f"row {row.index + 1} neither matched nor rejected")
        self.extra_rules(table.loc[good])
        bad_rows = self.findings.rejected_rows()
        checked = table.loc[[n for n in good if n not in bad_rows]]
        # Which of two rows of one commune is right cannot be known: reject both.
        name_column = COMMUNE_NAME if COMMUNE_NAME in self.sheet.by_column else COMMUNE_CODE
        first_of: dict[int, int] = {}
        for problem in ind.check_rules(checked, self.family, source=self.findings.file_name):
            number, column = _where(problem)
            value = self.by_number[number].cells.get(column, "")
            reason = rule_reason(problem, self.family, value)
            if reason.key == "importer.reject.duplicate":
                first = int(reason.values["row"])  # type: ignore[call-overload]
                first_of.setdefault(first, number)
                reason.column = name_column
                reason.value = self.by_number[number].cells.get(reason.column, "")
            self.findings.reasons.append(reason)
        for first, later in first_of.items():
            value = self.by_number[first].cells.get(name_column, "")
            self.findings.reasons.append(
                Reason(first, name_column, value, "importer.reject.duplicate_later", {"row": later})
            )
        if self.family == ind.LAND:
            self.warn_above_plan(checked)

    def warn_above_plan(self, table: pd.DataFrame) -> None:
        """Warn about accepted rows whose area consolidated is above the area planned."""
        bad_rows = self.findings.rejected_rows()
        for number in table.index:
            done, planned = table.loc[number, [ind.LAND_DONE_HA, ind.LAND_PLANNED_HA]]
            if number in bad_rows or pd.isna(done) or pd.isna(planned) or planned <= 0:
                continue
            if done > planned:
                code = self.by_number[number].code
                self.findings.warn(
                    f"row {number}, column {ind.LAND_DONE_HA}",
                    "importer.warn.above_plan",
                    row=int(number),
                    commune=self.place.describe(code) if code else "",
                    percent=round(float(done) / float(planned) * 100),
                )

    def reject_above_area(self, table: pd.DataFrame) -> None:
        """Reject land areas above the commune's own area (when the caller gave the areas)."""
        for number in table.index:
            row = self.by_number[number]
            area = self.commune_areas_ha.get(row.code or "")
            if area is None or not area > 0:
                continue
            for column in (ind.LAND_DONE_HA, ind.LAND_PLANNED_HA):
                value = table.loc[number, column]
                if pd.notna(value) and value > area * AREA_TOLERANCE:
                    self.findings.reject(
                        row,
                        column,
                        "importer.reject.above_area",
                        area=round(float(area)),
                        commune=self.place.describe(row.code or ""),
                    )

    def extra_rules(self, table: pd.DataFrame) -> None:
        """Rules an import adds to the family's: the file's own total, NTM of urban units."""
        by_number = self.by_number
        if self.family == ind.MODELS and TOTAL_COLUMN in self.sheet.by_column:
            computed = ind.models_total(table)
            for number in table.index:
                row = by_number[number]
                stated = to_float(number_text(row.cells.get(TOTAL_COLUMN, ""), self.convention))
                value = computed.get(number)
                fields = table.loc[number, list(ind.FIELD_COLUMNS.values())]
                if stated is not None and fields.isna().all():
                    # Only the total is given: the four fields are what is stored.
                    self.findings.reject(
                        row, TOTAL_COLUMN, "importer.reject.total_only", stated=stated
                    )
                elif stated is not None and value is not pd.NA and stated != float(value):
                    self.findings.reject(
                        row,
                        TOTAL_COLUMN,
                        "importer.reject.total",
                        stated=stated,
                        computed=int(value),
                    )
        if self.family == ind.LAND:
            self.reject_above_area(table)
        if self.family == ind.NTM:
            for number in table.index:
                row = by_number[number]
                unit = self.place.units[row.code]  # type: ignore[index]
                given = table.loc[number, [ind.NTM_LEVEL, ind.NTM_YEAR, ind.CRITERIA_MET]]
                if unit.kind != "Xã" and given.notna().any():
                    column = next(c for c in given.index if pd.notna(given[c]))
                    self.findings.reject(
                        row, column, "importer.reject.ntm_not_rural", official=unit.name
                    )
            self.reject_criteria_sum(table)

    def reject_criteria_sum(self, table: pd.DataFrame) -> None:
        """Reject NTM rows whose per-criterion columns disagree with their "criteria met"."""
        criteria_set = criteria_set_for(self.period)
        if not self.criterion_columns or criteria_set is None:
            return
        for number in table.index:
            found = criteria_sum_problem(
                table.loc[number, self.criterion_columns].astype("boolean"),
                table.loc[number, ind.CRITERIA_MET],
                criteria_set.count,
            )
            if found is not None:
                counted, known = found
                self.findings.reject(
                    self.by_number[number],
                    ind.CRITERIA_MET,
                    "importer.reject.criteria_sum",
                    counted=counted,
                    known=known,
                    count=criteria_set.count,
                )

    def summed_columns(self) -> list[str]:
        """The figure columns whose subtotals and totals are sums of their communes."""
        if self.family not in (ind.MODELS, ind.LAND):
            return []
        return [
            c
            for c in self.sheet.values
            if c == TOTAL_COLUMN
            or (self.spec.column(c).kind in ("count", "number") and c != ind.CRITERIA_MET)
        ]

    def check_subtotals(self) -> None:
        """Warn where a subtotal or total row disagrees with the sum of its communes."""
        sums = self.summed_columns()
        if not sums:
            return
        layout = self.layout
        for group in layout.groups:
            for index in (group.header_row, group.footer_row):
                if index is not None:
                    self.compare(index, group.label, group.rows, sums)
        everything = list(range(len(layout.rows)))
        for index in layout.totals:
            label = self.sheet.label(index, layout.figures[index])
            self.compare(index, label, everything, sums)

    def compare(
        self, index: int, label: str, positions: Sequence[int], columns: Sequence[str]
    ) -> None:
        """Compare the figures of grid row ``index`` with the sum of the rows at ``positions``."""
        stated_cells = self.layout.figures.get(index, {})
        rows = self.layout.rows
        for column in columns:
            stated = to_float(number_text(stated_cells.get(column, ""), self.convention))
            if stated is None:
                continue
            parts = [self.numbers[rows[p].index + 1].get(column) for p in positions]
            if any(p is None for p in parts) and any(rows[p].cells.get(column) for p in positions):
                continue  # a commune cell is unreadable: the sum would mislead
            computed = float(sum(p for p in parts if p is not None))
            if abs(computed - stated) > 0.05:
                self.findings.warn(
                    f"row {index + 1}, column {column}",
                    "importer.warn.subtotal",
                    label=label,
                    column={lang: column_label(column, self.family, lang) for lang in LANGUAGES},
                    stated=stated,
                    computed=computed,
                )
