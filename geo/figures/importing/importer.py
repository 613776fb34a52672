"""Import a planner's spreadsheet of figures by commune: read, recognise, match, validate.

Planners keep their figures in spreadsheets made for printing, not for machines:
title rows ("UBND TỈNH HÒA BÌNH", "BIỂU TỔNG HỢP …"), two-row headers with merged cells
("Số mô hình" over "Kinh tế | Văn hóa - xã hội | …"), an "STT" column, a row of column numbers,
district sections and subtotals ("Huyện Lạc Sơn", "Cộng"), a grand total ("Tổng cộng",
"Toàn tỉnh"), notes and signatures, numbers written "1.234", "1,5" or "12 ha", names with or
without "Xã", in NFD, with Hoà/Hòa or Ð/Đ, sometimes in the legacy TCVN3 or VNI encodings.
:func:`import_file` reads such a file (``.xlsx`` or ``.csv``) *without storing anything* and
returns an :class:`ImportReport`:

- every data row is either **accepted** (typed exactly as :mod:`geo.figures.indicators` defines the
  family) or **rejected** with its spreadsheet row, column, value and reason in Vietnamese and
  English; nothing is guessed: an unknown or ambiguous name is rejected with the closest
  communes;
- every other row is **skipped** with its reason (title, header, blank, subtotal, total, note,
  no figures); subtotal and total rows are never counted as communes but are checked against
  the sum of their communes (a mismatch is a warning);
- **warnings** say what was done that a planner should know (legacy text converted, names
  matched only without diacritics, subtotals that disagree, columns ignored).

Rows are matched to communes by GSO code when the file has one (``4789`` is ``04789``), else
by name within the district (the district column, or the last "Huyện …" section row) using
:func:`geo.geography.matching.match_names`. Cell values go through the family's own parsers and
rules
(:func:`geo.figures.indicators.parse_cells`, :func:`geo.figures.indicators.check_rules`).

Examples
--------
>>> text = ("BIỂU TỔNG HỢP KẾT QUẢ DỒN ĐIỀN, ĐỔI THỬA\\n"
...         "STT,Tên xã,Huyện,Đã DĐĐT (ha),Kế hoạch (ha),Tình trạng\\n"
...         "1,Xã Tòng Đậu,Mai Châu,\\"12,5 ha\\",40,Đang thực hiện\\n"
...         ",Cộng,,\\"12,5\\",40,\\n")
>>> report = import_file(text.encode(), family="land", period=2024, file_name="dddt.csv")
>>> report.accepted[["commune_code", "land_done_ha", "land_status"]].values.tolist()
[['05233', 12.5, 'in_progress']]
>>> report.skipped["reason_en"].tolist()
['Title row above the table', 'Column header row', 'Subtotal row (not a commune)']
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import IO

from geo.figures import indicators as ind
from geo.figures.criteria import criteria_set_for
from geo.figures.importing.checking import Checker
from geo.figures.importing.criteria_columns import settle_criterion_columns
from geo.figures.importing.findings import Findings, unreadable
from geo.figures.importing.header import (
    DISTRICT_COLUMN,
    TOTAL_COLUMN,
    Header,
    column_label,
    find_header,
    sheet_has_values_only,
    value_columns,
)
from geo.figures.importing.limits import DEFAULT_LIMITS, ReadLimits
from geo.figures.importing.matching import VINTAGES, CommuneMatcher, Place, load_place
from geo.figures.importing.reading import Grid, cell_text, read_grids, read_source, repair_grid
from geo.figures.importing.report import ImportReport, build_report
from geo.figures.importing.rows import RowClassifier, Sheet
from geo.figures.importing.vintage import evidence_of, resolve_vintage
from geo.geography.units_2025 import VINTAGE_2025
from geo.i18n import LANGUAGES
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, VINTAGE


def import_file(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    family: str,
    period: int,
    file_name: str | None = None,
    province_codes: str | tuple[str, ...] = "17",
    vintage: str | None = None,
    sheet: str | int | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    commune_areas_ha: Mapping[str, float] | None = None,
) -> ImportReport:
    """Read a planner's spreadsheet and say, row by row, what can be imported (dry run).

    Parameters
    ----------
    source : path, bytes or binary file-like
        An ``.xlsx`` workbook or a ``.csv`` file (UTF-8 with or without BOM, UTF-16,
        Windows-1258, or Windows-1252 bytes of TCVN3/VNI text; comma, semicolon or tab).
    family : str
        One of :data:`geo.figures.indicators.FAMILY_NAMES`.
    period : int
        The year the figures are for; rows whose own year column says otherwise are rejected.
    file_name : str, optional
        Name to report (defaults to the path's or buffer's name).
    province_codes : str or tuple of str
        Province(s) whose communes rows are matched against (GSO codes, default Hòa Bình).
    vintage : {"2020-2025", "2025"}, optional
        The planner's choice of the boundary set of the file's codes and names: ``"2020-2025"``
        or ``"2025"`` (the communes after 1 July 2025, no districts). None (default): what the
        file says (a template), else what its codes show, else the period's
        (:mod:`geo.figures.importing.vintage`). A choice the file or its codes contradict is
        an error naming the codes; so is a period on the other vintage's units.
    sheet : str or int, optional
        Sheet name or 0-based index; default: the first visible sheet with a header.
    limits : ReadLimits
        Size limits of the file (:mod:`geo.figures.importing.limits`), checked while reading:
        a file beyond one is refused with the number and the limit.
    commune_areas_ha : mapping of str to float, optional
        Area of each commune (code → ha), when the caller has the boundaries: an area of land
        consolidation above its commune's area is rejected. Without it, only the ceiling
        :data:`geo.figures.indicators.MAX_LAND_HA` applies.

    Returns
    -------
    ImportReport

    Raises
    ------
    UnreadableFileError
        (a :class:`~geo.errors.DataError`) when the file cannot be used at all: not a
        spreadsheet, an old ``.xls``, password-protected, empty, damaged or hostile XML, beyond
        the ``limits``, no header with a commune column and a figure column, a template of
        another family, a vintage its codes or the period contradict, a per-criterion column
        beyond the period's criteria set.
    ValueError
        For an unknown family or vintage, or a period outside 1900–2100.

    Examples
    --------
    >>> csv_text = "Mã xã;Mức đạt NTM;Số tiêu chí đạt\\n5233;Đạt chuẩn;19\\n4789;Nâng cao;19\\n"
    >>> report = import_file(csv_text.encode("utf-8-sig"), family="ntm", period=2024)
    >>> report.accepted["ntm_level"].tolist()
    ['ntm']
    >>> print(report.rejected.loc[0, "reason_en"])
    Column “NTM level”: Phường Thái Bình is a ward or town: the NTM standard does not apply
    """
    if family not in ind.FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {ind.FAMILY_NAMES}")
    if not 1900 <= int(period) <= 2100:
        raise ValueError(f"period must be a year between 1900 and 2100, got {period!r}")
    if vintage is not None and vintage not in VINTAGES:
        raise ValueError(f"vintage must be one of {', '.join(VINTAGES)}, got {vintage!r}")
    data, name = read_source(source, file_name, limit=limits.file_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    grids = read_grids(data, name, sheet, limits)
    if not grids:
        raise unreadable(name, "importer.error.empty")
    _check_template_family(grids[0], family, name)
    grid, header, encoding = _table(grids, family, name)
    criteria_set = criteria_set_for(int(period)) if family == ind.NTM else None
    settle_criterion_columns(grid, header, criteria_set, name)
    table = Sheet(grid, header, family)
    evidence = evidence_of(_identity_cells(table), grids[0].meta, province_codes)
    used, vintage_source = resolve_vintage(
        evidence, chosen=vintage, period=int(period), file_name=name
    )
    place = load_place(province_codes, used)
    run = _Import(table, int(period), used, name, place)
    report = run.run(sha256=sha256, encoding=encoding, commune_areas_ha=commune_areas_ha or {})
    return replace(
        report,
        vintage_source=vintage_source,
        criteria_set=criteria_set.id if criteria_set is not None else "",
    )


def _identity_cells(sheet: Sheet) -> list[dict[str, str]]:
    """Code, name and vintage cells of the rows under the header (to tell the vintage)."""
    wanted = {
        c: column
        for column, c in sheet.by_column.items()
        if column in (COMMUNE_CODE, COMMUNE_NAME, VINTAGE)
    }
    return [
        {column: cell_text(row[c]) if c < len(row) else "" for c, column in wanted.items()}
        for row in sheet.grid.rows[sheet.header.last + 1 :]
    ]


def _family_label(family: str) -> dict[str, str]:
    """The name of ``family`` in every language."""
    return {lang: ind.FAMILY_LABELS[family](lang) for lang in LANGUAGES}


def _check_template_family(grid: Grid, family: str, file_name: str) -> None:
    """Refuse a template (:mod:`geo.figures.templates`) made for another family."""
    template = grid.meta.get("family")
    if template and template != family:
        raise unreadable(
            file_name,
            "importer.error.template_family",
            template=_family_label(template) if template in ind.FAMILY_LABELS else template,
            family=_family_label(family),
        )


def _table(grids: list[Grid], family: str, file_name: str) -> tuple[Grid, Header, str]:
    """The first grid with a header, repaired, with its header and encoding label."""
    for grid in grids:
        encoding = repair_grid(grid)
        header = find_header(grid, family)
        if header is not None:
            return grid, header, encoding
    if any(sheet_has_values_only(g, family) for g in grids):
        raise unreadable(file_name, "importer.error.no_commune_column")
    examples = ", ".join(
        f"“{ind.FAMILIES[family].column(c).label('vi')}”"
        for c in value_columns(family)[:3]
        if c != TOTAL_COLUMN
    )
    raise unreadable(
        file_name,
        "importer.error.no_header",
        family=_family_label(family),
        examples=examples,
    )


class _Import:
    """One import: classify rows, match communes, parse and check values, build the report."""

    def __init__(
        self, sheet: Sheet, period: int, vintage: str, file_name: str, place: Place
    ) -> None:
        self.sheet = sheet
        self.family = sheet.family
        self.period = period
        self.vintage = vintage
        self.place = place
        self.findings = Findings(file_name)
        self.matcher = CommuneMatcher(place, vintage, self.findings)

    def run(
        self, *, sha256: str, encoding: str, commune_areas_ha: Mapping[str, float]
    ) -> ImportReport:
        """Every step in turn; the report of the file."""
        self.note_header(encoding)
        layout = RowClassifier(
            self.sheet,
            self.findings,
            is_commune_name=self.place.is_commune_name,
            district_of=self.matcher.district_of,
        ).classify()
        self.matcher.match(layout.rows, layout.groups)
        checker = Checker(
            self.sheet,
            layout,
            self.findings,
            period=self.period,
            vintage=self.vintage,
            place=self.place,
            commune_areas_ha=commune_areas_ha,
        )
        table = checker.check()
        checker.check_subtotals()
        return build_report(
            self.sheet,
            layout,
            self.findings,
            table,
            period=self.period,
            vintage=self.vintage,
            sha256=sha256,
            encoding=encoding,
        )

    def note_header(self, encoding: str) -> None:
        """Skip the rows down to the header's; warn about the encoding, columns and template."""
        sheet, findings = self.sheet, self.findings
        header = sheet.header
        for r in range(header.first):
            if sheet.is_blank(r):
                findings.skip(r, "", "importer.skip.blank")
            else:
                findings.skip(r, sheet.row_text(r), "importer.skip.title")
        for r in range(header.first, header.last + 1):
            findings.skip(r, sheet.row_text(r), "importer.skip.header")
        if "+" in encoding:
            legacy = encoding.split("+")[1]
            findings.warn(
                "",
                "importer.warn.legacy",
                count=int(sheet.grid.meta.get("_converted", "0")),
                encoding={"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}[legacy],
            )
        for text in header.ignored:
            findings.warn("", "importer.warn.unused_column", header=text, family=self.family)
        for text, column in header.duplicates:
            findings.warn("", "importer.warn.duplicate_column", header=text, column=column)
        self.note_missing_columns()
        if self.vintage == VINTAGE_2025 and DISTRICT_COLUMN in sheet.by_column:
            findings.warn("", "importer.warn.district_ignored")
        template_period = sheet.grid.meta.get("period", "")
        if template_period.isdigit() and int(template_period) != self.period:
            findings.warn(
                "",
                "importer.warn.template_period",
                template=template_period,
                period=str(self.period),
            )

    def note_missing_columns(self) -> None:
        """Warn about the family's figure columns the file does not have."""
        optional = (TOTAL_COLUMN, ind.PROVENANCE)  # derived / filled in by the import
        absent = [c for c in value_columns(self.family) if c not in self.sheet.by_column]
        absent = [c for c in absent if c not in optional]
        if absent:
            labels = {
                lang: ", ".join(column_label(c, self.family, lang) for c in absent)
                for lang in LANGUAGES
            }
            self.findings.warn("", "importer.warn.missing_columns", columns=labels)
