"""The indicator schema: families, fields, categories, units, and reading one family CSV.

An indicator table holds one *family* of figures, one row per commune and period, in tidy
columns (no merged headers, no subtotals, no labels in the data). Every table carries
``commune_code`` (GSO, 5 characters with leading zeros), ``period`` (the year the figures
refer to, as of its end or as stated by the source) and ``vintage`` (the boundary set the
codes belong to, e.g. ``"2020-2025"``).

Families
--------
``models`` — "Dân vận khéo" models (mô hình "Dân vận khéo"), counts per field:
    ``commune_code, period, vintage, models_economy, models_culture_society,
    models_defence_security, models_political_system, models_replicated, population``.
    The total is the sum of the four field columns; it is derived (:func:`models_total`),
    never stored. ``models_replicated`` counts models replicated (nhân rộng) and cannot exceed
    the total. ``population`` (residents) may be empty.
``named_models`` — individual named models:
    ``commune_code, period, vintage, model_name, field, year_recognised, replicated,
    provenance``; ``field`` is one of :data:`FIELDS`, ``provenance`` says where the row comes
    from (``"published"``: named in a published source, ``"demo"``: generated).
``ntm`` — new-rural standard (nông thôn mới):
    ``commune_code, period, vintage, ntm_level, ntm_year, criteria_met``; ``ntm_level`` is
    ordered ``not_yet < ntm < advanced < model`` and empty where it does not apply (phường and
    thị trấn are not rated); ``ntm_year`` is the year the commune first reached the standard;
    ``criteria_met`` is 0–19 and 19 from ``ntm`` on.
``land`` — land consolidation (dồn điền, đổi thửa):
    ``commune_code, period, vintage, land_done_ha, land_planned_ha, land_status, land_year``;
    ``land_status`` is ``not_started | in_progress | done``; ``land_year`` is the year the
    commune completed it (empty unless ``done``).

Empty cells mean "not known" or "not applicable"; zero means zero.

Examples
--------
>>> import io
>>> text = ("commune_code,period,vintage,ntm_level,ntm_year,criteria_met\\n"
...         "4792,2019,2020-2025,ntm,2018,19\\n")
>>> table = read_family(io.StringIO(text), NTM)
>>> table.loc[0, "commune_code"], str(table.loc[0, "ntm_level"])
('04792', 'ntm')
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import IO

import numpy as np
import pandas as pd

from geo.errors import DataError, Problem
from geo.figures.criteria import criteria_sets, criterion_number
from geo.schema import COMMUNE_CODE, VINTAGE

__all__ = [
    "CRITERIA_MET",
    "DEMO_DIR",
    "FAMILIES",
    "FAMILY_NAMES",
    "FIELDS",
    "FIELD_COLUMNS",
    "FIELD_LABELS",
    "LAND",
    "LAND_STATUSES",
    "LAND_STATUS_LABELS",
    "MAX_COUNT",
    "MAX_LAND_HA",
    "MAX_PLAN_RATIO",
    "MODELS",
    "NAMED_MODELS",
    "NTM",
    "NTM_CRITERIA_COUNT",
    "NTM_LEVELS",
    "NTM_LEVEL_LABELS",
    "PERIOD",
    "Column",
    "Family",
    "Label",
    "check_rules",
    "load_demo",
    "models_total",
    "parse_cells",
    "parse_criterion_columns",
    "read_family",
    "write_family",
]

# --- column names -------------------------------------------------------------------------------

PERIOD = "period"

MODELS_ECONOMY = "models_economy"
MODELS_CULTURE_SOCIETY = "models_culture_society"
MODELS_DEFENCE_SECURITY = "models_defence_security"
MODELS_POLITICAL_SYSTEM = "models_political_system"
MODELS_REPLICATED = "models_replicated"
#: Derived column name (sum of the four fields); never stored in a file.
MODELS_TOTAL = "models_total"
POPULATION = "population"

MODEL_NAME = "model_name"
FIELD = "field"
YEAR_RECOGNISED = "year_recognised"
REPLICATED = "replicated"
PROVENANCE = "provenance"

NTM_LEVEL = "ntm_level"
NTM_YEAR = "ntm_year"
CRITERIA_MET = "criteria_met"

LAND_DONE_HA = "land_done_ha"
LAND_PLANNED_HA = "land_planned_ha"
LAND_STATUS = "land_status"
LAND_YEAR = "land_year"

# --- families, categories, labels -------------------------------------------------------------

MODELS = "models"
NAMED_MODELS = "named_models"
NTM = "ntm"
LAND = "land"
#: The indicator families, in display order.
FAMILY_NAMES: tuple[str, ...] = (MODELS, NAMED_MODELS, NTM, LAND)

FIELD_ECONOMY = "economy"
FIELD_CULTURE_SOCIETY = "culture_society"
FIELD_DEFENCE_SECURITY = "defence_security"
FIELD_POLITICAL_SYSTEM = "political_system"
#: The four fields (lĩnh vực) of "Dân vận khéo" models.
FIELDS: tuple[str, ...] = (
    FIELD_ECONOMY,
    FIELD_CULTURE_SOCIETY,
    FIELD_DEFENCE_SECURITY,
    FIELD_POLITICAL_SYSTEM,
)
#: Column of the ``models`` family that counts each field.
FIELD_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        FIELD_ECONOMY: MODELS_ECONOMY,
        FIELD_CULTURE_SOCIETY: MODELS_CULTURE_SOCIETY,
        FIELD_DEFENCE_SECURITY: MODELS_DEFENCE_SECURITY,
        FIELD_POLITICAL_SYSTEM: MODELS_POLITICAL_SYSTEM,
    }
)

NTM_NOT_YET = "not_yet"
NTM_STANDARD = "ntm"
NTM_ADVANCED = "advanced"
NTM_MODEL = "model"
#: The pilot "modern NTM commune" (xã nông thôn mới hiện đại) of the 2026–2030 set.
NTM_MODERN = "modern"
#: NTM levels, lowest first (an ordered category). Each criteria set knows some of them
#: (:mod:`geo.figures.criteria`): 2016–2025 up to ``model``, 2026–2030 ``not_yet``, ``ntm`` and
#: the pilot ``modern``; levels of different sets are not compared.
NTM_LEVELS: tuple[str, ...] = (NTM_NOT_YET, NTM_STANDARD, NTM_ADVANCED, NTM_MODEL, NTM_MODERN)
#: Largest number of criteria of any national NTM commune set (19 until 2025; 10 from 2026).
#: A row is checked against the set of its period (:func:`geo.figures.criteria.criteria_set_for`).
NTM_CRITERIA_COUNT = 19
#: Largest count a cell may hold (models, people): above any commune's, and far below what a
#: 64-bit integer holds, so "1e308" in a count is a rejected cell, never a crash.
MAX_COUNT = 10_000_000
#: Largest area of land consolidation (ha) in one commune: a ceiling above the area of any
#: commune of Vietnam, so "1e308" or a figure typed in m² is rejected. An import that knows
#: the commune's own area also rejects an area above it.
MAX_LAND_HA = 200_000
#: Largest area consolidated as a multiple of the area planned (5: 500 %). Above the plan is
#: allowed (a planner's import warns); five times the plan is a unit or decimal-mark slip.
MAX_PLAN_RATIO = 5

LAND_NOT_STARTED = "not_started"
LAND_IN_PROGRESS = "in_progress"
LAND_DONE = "done"
#: Land-consolidation statuses, in order of progress.
LAND_STATUSES: tuple[str, ...] = (LAND_NOT_STARTED, LAND_IN_PROGRESS, LAND_DONE)

PROVENANCE_PUBLISHED = "published"
PROVENANCE_DEMO = "demo"
#: Known provenance values of ``named_models`` (other non-empty values are accepted).
PROVENANCES: tuple[str, ...] = (PROVENANCE_PUBLISHED, PROVENANCE_DEMO)


@dataclass(frozen=True)
class Label:
    """A user-facing text in Vietnamese and English."""

    vi: str
    en: str

    def __call__(self, lang: str = "vi") -> str:
        """Return the text in ``lang`` (``"vi"`` or ``"en"``)."""
        return self.en if lang == "en" else self.vi


FAMILY_LABELS: Mapping[str, Label] = MappingProxyType(
    {
        MODELS: Label('Mô hình "Dân vận khéo"', '"Dân vận khéo" models'),
        NAMED_MODELS: Label('Mô hình "Dân vận khéo" tiêu biểu', 'Named "Dân vận khéo" models'),
        NTM: Label("Nông thôn mới", "New rural standard (NTM)"),
        LAND: Label("Dồn điền, đổi thửa", "Land consolidation"),
    }
)
FIELD_LABELS: Mapping[str, Label] = MappingProxyType(
    {
        FIELD_ECONOMY: Label("Kinh tế", "Economy"),
        FIELD_CULTURE_SOCIETY: Label("Văn hóa – xã hội", "Culture – society"),
        FIELD_DEFENCE_SECURITY: Label("Quốc phòng – an ninh", "Defence – security"),
        FIELD_POLITICAL_SYSTEM: Label(
            "Xây dựng hệ thống chính trị", "Building the political system"
        ),
    }
)
NTM_LEVEL_LABELS: Mapping[str, Label] = MappingProxyType(
    {
        NTM_NOT_YET: Label("Chưa đạt", "Not yet"),
        NTM_STANDARD: Label("Đạt chuẩn NTM", "NTM standard"),
        NTM_ADVANCED: Label("NTM nâng cao", "Advanced NTM"),
        NTM_MODEL: Label("NTM kiểu mẫu", "Model NTM"),
        NTM_MODERN: Label("NTM hiện đại (thí điểm)", "Modern NTM (pilot)"),
    }
)
LAND_STATUS_LABELS: Mapping[str, Label] = MappingProxyType(
    {
        LAND_NOT_STARTED: Label("Chưa thực hiện", "Not started"),
        LAND_IN_PROGRESS: Label("Đang thực hiện", "In progress"),
        LAND_DONE: Label("Hoàn thành", "Done"),
    }
)
PROVENANCE_LABELS: Mapping[str, Label] = MappingProxyType(
    {
        PROVENANCE_PUBLISHED: Label("Đã công bố", "Published"),
        PROVENANCE_DEMO: Label("Minh họa", "Demo"),
    }
)
#: Label shown where a category does not apply (e.g. NTM level of a phường).
NOT_APPLICABLE = Label("Không áp dụng", "Not applicable")

UNIT_MODELS = Label("mô hình", "models")
UNIT_PERSONS = Label("người", "persons")
UNIT_HA = Label("ha", "ha")
UNIT_CRITERIA = Label("tiêu chí", "criteria")
UNIT_YEAR = Label("năm", "year")


# --- schema objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an indicator family.

    Parameters
    ----------
    name : str
        Column name in files and frames.
    kind : str
        ``"code"`` (GSO commune code), ``"vintage"``, ``"year"``, ``"count"`` (integer ≥ 0),
        ``"number"`` (real ≥ 0), ``"category"``, ``"bool"`` or ``"text"``.
    label : Label
        Header to show.
    description : str
        What the column holds (English, for docs).
    unit : Label or None
        Unit of a numeric column.
    required : bool
        Whether every row must have a value.
    categories : tuple of str
        Allowed values of a category column, in order.
    ordered : bool
        Whether the categories are ordered (``ntm_level``, ``land_status``).
    maximum : float or None
        Largest allowed value of a numeric column.
    """

    name: str
    kind: str
    label: Label
    description: str
    unit: Label | None = None
    required: bool = False
    categories: tuple[str, ...] = ()
    ordered: bool = False
    maximum: float | None = None

    @property
    def dtype(self) -> object:
        """The pandas dtype of the column in a frame returned by :func:`read_family`."""
        if self.kind in ("code", "vintage", "text"):
            return "str"
        if self.kind == "year" and self.required:
            return "int64"
        if self.kind in ("year", "count"):
            return "Int64"
        if self.kind == "number":
            return "float64"
        if self.kind == "bool":
            return "bool"
        return pd.CategoricalDtype(list(self.categories), ordered=self.ordered)


@dataclass(frozen=True)
class Family:
    """One indicator family: a tidy table with a key and typed columns.

    Parameters
    ----------
    name : str
        Family name (also the CSV stem: ``models.csv``).
    label : Label
        Title to show.
    description : str
        What a row says (English, for docs).
    key : tuple of str
        Columns that identify a row.
    columns : tuple of Column
        All columns, in file order.
    """

    name: str
    label: Label
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in file order."""
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        """Return the column called ``name`` (``KeyError`` if there is none)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"family {self.name!r} has no column {name!r}")


_CODE = Column(
    COMMUNE_CODE,
    "code",
    Label("Mã xã", "Commune code"),
    "GSO commune code, 5 characters with leading zeros",
    required=True,
)
_PERIOD = Column(
    PERIOD,
    "year",
    Label("Kỳ số liệu", "Period"),
    "Year the figures refer to",
    unit=UNIT_YEAR,
    required=True,
)
_VINTAGE = Column(
    VINTAGE,
    "vintage",
    Label("Bộ địa giới", "Boundary vintage"),
    "Boundary set the codes belong to, e.g. 2020-2025",
    required=True,
)


def _field_count(field: str, column_name: str) -> Column:
    label = FIELD_LABELS[field]
    return Column(
        column_name,
        "count",
        Label(f"Mô hình: {label.vi}", f"Models: {label.en}"),
        f"Number of models in the {label.en.lower()} field",
        unit=UNIT_MODELS,
    )


FAMILIES: Mapping[str, Family] = MappingProxyType(
    {
        MODELS: Family(
            MODELS,
            FAMILY_LABELS[MODELS],
            "Number of 'Dân vận khéo' models per field in a commune and period",
            (COMMUNE_CODE, PERIOD),
            (
                _CODE,
                _PERIOD,
                _VINTAGE,
                *(_field_count(field, FIELD_COLUMNS[field]) for field in FIELDS),
                Column(
                    MODELS_REPLICATED,
                    "count",
                    Label("Mô hình đã nhân rộng", "Models replicated"),
                    "Models replicated (nhân rộng); at most the total",
                    unit=UNIT_MODELS,
                ),
                Column(
                    POPULATION,
                    "count",
                    Label("Dân số", "Population"),
                    "Residents, for rates per 1,000 people; may be empty",
                    unit=UNIT_PERSONS,
                ),
            ),
        ),
        NAMED_MODELS: Family(
            NAMED_MODELS,
            FAMILY_LABELS[NAMED_MODELS],
            "One named model listed for a commune in a period",
            (COMMUNE_CODE, PERIOD, MODEL_NAME),
            (
                _CODE,
                _PERIOD,
                _VINTAGE,
                Column(
                    MODEL_NAME,
                    "text",
                    Label("Tên mô hình", "Model"),
                    "Name of the model",
                    required=True,
                ),
                Column(
                    FIELD,
                    "category",
                    Label("Lĩnh vực", "Field"),
                    "Field of the model",
                    required=True,
                    categories=FIELDS,
                ),
                Column(
                    YEAR_RECOGNISED,
                    "year",
                    Label("Năm công nhận", "Year recognised"),
                    "Year the model was recognised (or started, where only that is known)",
                    unit=UNIT_YEAR,
                ),
                Column(
                    REPLICATED,
                    "bool",
                    Label("Đã nhân rộng", "Replicated"),
                    "Whether the model has been replicated",
                    required=True,
                ),
                Column(
                    PROVENANCE,
                    "text",
                    Label("Nguồn", "Provenance"),
                    "published (named in a published source) or demo (generated)",
                    required=True,
                ),
            ),
        ),
        NTM: Family(
            NTM,
            FAMILY_LABELS[NTM],
            "New-rural (NTM) level of a xã in a period; empty level: not applicable",
            (COMMUNE_CODE, PERIOD),
            (
                _CODE,
                _PERIOD,
                _VINTAGE,
                Column(
                    NTM_LEVEL,
                    "category",
                    Label("Mức NTM", "NTM level"),
                    "not_yet < ntm < advanced < model; empty for phường / thị trấn",
                    categories=NTM_LEVELS,
                    ordered=True,
                ),
                Column(
                    NTM_YEAR,
                    "year",
                    Label("Năm đạt chuẩn", "Year reached"),
                    "Year the commune first reached the NTM standard",
                    unit=UNIT_YEAR,
                ),
                Column(
                    CRITERIA_MET,
                    "count",
                    Label("Số tiêu chí đạt", "Criteria met"),
                    f"Criteria met, 0–{NTM_CRITERIA_COUNT}",
                    unit=UNIT_CRITERIA,
                    maximum=NTM_CRITERIA_COUNT,
                ),
            ),
        ),
        LAND: Family(
            LAND,
            FAMILY_LABELS[LAND],
            "Land consolidation (dồn điền, đổi thửa) in a xã, cumulative to the period",
            (COMMUNE_CODE, PERIOD),
            (
                _CODE,
                _PERIOD,
                _VINTAGE,
                Column(
                    LAND_DONE_HA,
                    "number",
                    Label("Diện tích đã DĐĐT", "Area consolidated"),
                    "Area consolidated so far",
                    unit=UNIT_HA,
                    maximum=MAX_LAND_HA,
                ),
                Column(
                    LAND_PLANNED_HA,
                    "number",
                    Label("Diện tích kế hoạch", "Area planned"),
                    "Area the commune plans to consolidate",
                    unit=UNIT_HA,
                    maximum=MAX_LAND_HA,
                ),
                Column(
                    LAND_STATUS,
                    "category",
                    Label("Tình trạng", "Status"),
                    "not_started | in_progress | done",
                    categories=LAND_STATUSES,
                    ordered=True,
                ),
                Column(
                    LAND_YEAR,
                    "year",
                    Label("Năm hoàn thành", "Year completed"),
                    "Year consolidation was completed; empty unless done",
                    unit=UNIT_YEAR,
                ),
            ),
        ),
    }
)

#: Where the shipped demo tables live (``data/demo`` at the repository root).
DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"

_CATEGORY_LABELS: Mapping[str, Mapping[str, Label]] = MappingProxyType(
    {FIELD: FIELD_LABELS, NTM_LEVEL: NTM_LEVEL_LABELS, LAND_STATUS: LAND_STATUS_LABELS}
)
_TRUE = frozenset({"true", "1", "yes", "có", "x"})
_FALSE = frozenset({"false", "0", "no", "không"})
# Per-criterion cells as planners type them.
_MET = frozenset({"đạt", "met"})
_NOT_MET = frozenset({"chưa đạt", "không đạt", "not met"})
# [0-9], not \d: \d also matches non-ASCII digits.
_VINTAGE_RE = re.compile(r"^[0-9]{4}(-[0-9]{4})?$")
_CODE_RE = re.compile(r"^[0-9]{1,5}$")
_YEAR_RANGE = (1900, 2100)
#: Stop listing problems after this many (the message says how many there are).
_MAX_PROBLEMS = 200


# --- derived values -----------------------------------------------------------------------------


def models_total(frame: pd.DataFrame) -> pd.Series:
    """Total number of models: the sum of the four field columns.

    Empty when any field is empty (a partial sum would read as a low total).

    Parameters
    ----------
    frame : pandas.DataFrame
        A ``models`` table.

    Returns
    -------
    pandas.Series
        ``Int64`` series named ``models_total``.

    Examples
    --------
    >>> columns = FIELD_COLUMNS.values()
    >>> frame = pd.DataFrame({c: pd.array([1, None], dtype="Int64") for c in columns})
    >>> models_total(frame).tolist()
    [4, <NA>]
    """
    parts = frame[list(FIELD_COLUMNS.values())].astype("Int64")
    return parts.sum(axis=1, skipna=False).astype("Int64").rename(MODELS_TOTAL)


# --- reading ------------------------------------------------------------------------------------


def _family(family: str) -> Family:
    try:
        return FAMILIES[family]
    except KeyError:
        raise ValueError(
            f"unknown indicator family {family!r}; expected one of {', '.join(FAMILY_NAMES)}"
        ) from None


def _source_label(path_or_buffer: str | os.PathLike[str] | IO[str] | IO[bytes]) -> str:
    if isinstance(path_or_buffer, str | os.PathLike):
        return Path(path_or_buffer).name
    name = getattr(path_or_buffer, "name", None)
    return Path(name).name if isinstance(name, str) else "<buffer>"


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _category_aliases(column: Column) -> dict[str, str]:
    """Codes plus their Vietnamese and English labels, for lenient reading."""
    aliases = {_norm(code): code for code in column.categories}
    for code, label in _CATEGORY_LABELS.get(column.name, {}).items():
        aliases[_norm(label.vi)] = code
        aliases[_norm(label.en)] = code
        # "Văn hóa – xã hội" is often typed with a plain hyphen.
        aliases[_norm(label.vi.replace("–", "-"))] = code
    return aliases


# Each parser takes the stripped text cells (empty = missing) and returns the parsed values
# and a mask of cells it could not read (missing cells are never bad here).
_Parsed = tuple[pd.Series, pd.Series, str]


def _parse_code(cells: pd.Series, column: Column) -> _Parsed:
    bad = (cells != "") & ~cells.str.match(_CODE_RE)
    values = cells.where(~bad & (cells != ""), None).str.zfill(5)
    return values.astype("str"), bad, "expected a GSO commune code of up to 5 digits"


def _parse_vintage(cells: pd.Series, column: Column) -> _Parsed:
    bad = (cells != "") & ~cells.str.match(_VINTAGE_RE)
    values = cells.where(~bad & (cells != ""), None)
    return values.astype("str"), bad, 'expected a boundary vintage such as "2020-2025"'


def _parse_integer(cells: pd.Series, column: Column) -> _Parsed:
    numbers = pd.to_numeric(cells.where(cells != "", None), errors="coerce").astype("float64")
    low, high = _YEAR_RANGE if column.kind == "year" else (0, column.maximum or MAX_COUNT)
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
    bad = (cells != "") & (numbers.isna() | ~whole | (numbers < low) | (numbers > high))
    if column.kind == "year":
        message = f"expected a year between {low} and {high}"
    else:
        message = f"expected a whole number from 0 to {int(high)}"
    values = numbers.where(~bad).round().astype("Int64")
    return values, bad, message


def _parse_number(cells: pd.Series, column: Column) -> _Parsed:
    numbers = pd.to_numeric(cells.where(cells != "", None), errors="coerce").astype("float64")
    bad = (cells != "") & (numbers.isna() | ~np.isfinite(numbers) | (numbers < 0))
    if column.maximum is not None:
        bad |= numbers > column.maximum
        return numbers.where(~bad), bad, f"expected a number from 0 to {int(column.maximum)}"
    return numbers.where(~bad), bad, "expected a number ≥ 0 (decimal point, no thousands separator)"


def _parse_category(cells: pd.Series, column: Column) -> _Parsed:
    aliases = _category_aliases(column)
    codes = cells.map(lambda cell: aliases.get(_norm(cell)) if cell else None)
    bad = (cells != "") & codes.isna()
    values = pd.Categorical(
        codes.where(~bad), categories=column.dtype.categories, ordered=column.ordered
    )
    message = f"expected one of {', '.join(column.categories)}"
    return pd.Series(values, index=cells.index), bad, message


def _parse_bool(cells: pd.Series, column: Column) -> _Parsed:
    lowered = cells.map(_norm)
    bad = (cells != "") & ~lowered.isin(_TRUE | _FALSE)
    return lowered.isin(_TRUE), bad, "expected true or false"


def _parse_text(cells: pd.Series, column: Column) -> _Parsed:
    values = cells.map(lambda cell: unicodedata.normalize("NFC", cell) if cell else None)
    return values.astype("str"), pd.Series(False, index=cells.index), ""


_PARSERS: Mapping[str, Callable[[pd.Series, Column], _Parsed]] = MappingProxyType(
    {
        "code": _parse_code,
        "vintage": _parse_vintage,
        "year": _parse_integer,
        "count": _parse_integer,
        "number": _parse_number,
        "category": _parse_category,
        "bool": _parse_bool,
        "text": _parse_text,
    }
)


def _where(row: int, column: str) -> str:
    return f"row {row}, column {column}"


def _row_number(index: int) -> int:
    """Spreadsheet row of a data row (the raw table is indexed by it; row 1 is the header)."""
    return int(index)


def _read_text(path_or_buffer: str | os.PathLike[str] | IO[str] | IO[bytes], source: str) -> str:
    try:
        if isinstance(path_or_buffer, str | os.PathLike):
            data: str | bytes = Path(path_or_buffer).read_bytes()
        else:
            data = path_or_buffer.read()
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
        return data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except FileNotFoundError:
        raise DataError(source, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            source, f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        ) from None


def _read_raw(
    path_or_buffer: str | os.PathLike[str] | IO[str] | IO[bytes], source: str
) -> pd.DataFrame:
    """All cells as stripped NFC text, indexed by spreadsheet row number.

    The csv module rather than pandas: pandas silently turns extra cells into an index or drops
    them, and renumbers rows around blank lines; here every row keeps its spreadsheet number.
    """
    text = _read_text(path_or_buffer, source)
    records: list[list[str]] = []
    numbers: list[int] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), 1):
            if any(cell.strip() for cell in record):
                records.append([unicodedata.normalize("NFC", cell).strip() for cell in record])
                numbers.append(number)
    except csv.Error as exc:
        raise DataError(source, f"not a valid CSV table: {exc}", f"row {number + 1}") from None
    if not records:
        raise DataError(source, "the file is empty")
    header, body = records[0], records[1:]
    if len(header) == 1 and ";" in header[0]:
        # Spreadsheets in a Vietnamese locale often save CSV with semicolons.
        raise DataError(
            source, "cells are separated by ';'; save the table as CSV UTF-8 with commas", "row 1"
        )
    for number, record in zip(numbers[1:], body, strict=True):
        if len(record) != len(header):
            raise DataError(
                source,
                f"row has {len(record)} cell(s) but the header has {len(header)} "
                "(a stray comma, or a cell with a comma that is not quoted?)",
                f"row {number}",
            )
    return pd.DataFrame(body, columns=header, index=numbers[1:], dtype=object)


def _check_header(raw: pd.DataFrame, spec: Family, source: str) -> list[Problem]:
    problems = [
        Problem(source, _where(1, name), f"missing column {name!r} (family {spec.name})", "error")
        for name in spec.column_names
        if name not in raw.columns
    ]
    problems += [
        Problem(
            source,
            _where(1, name),
            f"unknown column {name!r}; family {spec.name} has {', '.join(spec.column_names)}",
            "error",
        )
        for name in raw.columns
        if name not in spec.column_names and not _optional_column(spec, name)
    ]
    problems += [
        Problem(source, _where(1, name), f"column {name!r} appears more than once", "error")
        for name in sorted(set(raw.columns[raw.columns.duplicated()]))
    ]
    return problems


def _optional_column(spec: Family, name: str) -> bool:
    """Per-criterion columns (``criterion_1`` …, met / not met) an NTM table may add."""
    return spec.name == NTM and criterion_number(name) is not None


def parse_criterion_columns(
    raw: pd.DataFrame, *, source: str = "<table>"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read the optional per-criterion columns of an NTM table (shared with the importer).

    A cell is met (``true``, ``x``, ``có``, ``đạt`` …), not met (``false``, ``không``,
    ``chưa đạt`` …) or empty (not known).

    Returns
    -------
    tuple of (pandas.DataFrame, list of Problem)
        One nullable boolean column per ``criterion_N`` column of ``raw`` (same index), and one
        error per unreadable cell.

    Examples
    --------
    >>> raw = pd.DataFrame({"criterion_1": ["x", "", "chưa đạt"]}, index=[2, 3, 4])
    >>> parse_criterion_columns(raw)[0]["criterion_1"].tolist()
    [True, <NA>, False]
    """
    columns = [name for name in raw.columns if criterion_number(name) is not None]
    parsed: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for name in columns:
        cells = raw[name].astype(object).map(_norm)
        met, not_met = cells.isin(_TRUE | _MET), cells.isin(_FALSE | _NOT_MET)
        bad = (cells != "") & ~met & ~not_met
        problems += [
            Problem(
                source,
                _where(_row_number(i), name),
                f"expected met or not met (true or false), got {raw.at[i, name]!r}",
                "error",
            )
            for i in cells.index[bad]
        ]
        parsed[name] = (
            pd.Series(pd.NA, index=raw.index, dtype="boolean").mask(met, True).mask(not_met, False)
        )
    return pd.DataFrame(parsed, index=raw.index), problems


def _check_rules(table: pd.DataFrame, spec: Family, source: str) -> list[Problem]:
    """Consistency between columns of one row, and unique keys."""
    rules: list[tuple[pd.Series, str, str]] = []
    if spec.name == MODELS:
        rules.append(
            (
                table[MODELS_REPLICATED].gt(models_total(table)).fillna(False),
                MODELS_REPLICATED,
                "more models replicated than models in all four fields",
            )
        )
    elif spec.name == NAMED_MODELS:
        rules.append(
            (
                table[YEAR_RECOGNISED].gt(table[PERIOD]).fillna(False),
                YEAR_RECOGNISED,
                "year recognised is after the period",
            )
        )
    elif spec.name == NTM:
        level = table[NTM_LEVEL]
        rules += _set_rules(table)
        rules += [
            (
                (level == NTM_NOT_YET) & table[NTM_YEAR].notna(),
                NTM_YEAR,
                "year reached is given but the level is not_yet",
            ),
            (
                table[NTM_YEAR].gt(table[PERIOD]).fillna(False),
                NTM_YEAR,
                "year reached is after the period",
            ),
        ]
    elif spec.name == LAND:
        done, planned, status = table[LAND_DONE_HA], table[LAND_PLANNED_HA], table[LAND_STATUS]
        rules += [
            (
                (status == LAND_DONE) & (done < planned),
                LAND_DONE_HA,
                "status done but the area consolidated is below the area planned",
            ),
            (
                (status == LAND_IN_PROGRESS) & ((done <= 0) | (done >= planned)),
                LAND_DONE_HA,
                "status in_progress needs an area consolidated above 0 and below the area planned",
            ),
            (
                (status == LAND_NOT_STARTED) & (done > 0),
                LAND_DONE_HA,
                "status not_started but some area is consolidated",
            ),
            (
                status.isna() & (done > planned),
                LAND_DONE_HA,
                "area consolidated above the area planned but the status is not done",
            ),
            (
                (planned > 0) & (done > planned * MAX_PLAN_RATIO),
                LAND_DONE_HA,
                f"area consolidated is more than {MAX_PLAN_RATIO} times the area planned",
            ),
            (
                table[LAND_YEAR].notna() & (status != LAND_DONE),
                LAND_YEAR,
                "year completed is given but the status is not done",
            ),
            (
                table[LAND_YEAR].gt(table[PERIOD]).fillna(False),
                LAND_YEAR,
                "year completed is after the period",
            ),
        ]
    found = [
        (_row_number(index), column, message)
        for mask, column, message in rules
        for index in mask.index[mask.astype(bool)]
    ]
    key = list(spec.key)
    duplicated = table.duplicated(key, keep="first")
    # itertuples, not iterrows: a file can have 100,000 rows.
    first_rows = {
        tuple(row): _row_number(index)
        for index, *row in table.loc[~duplicated, key].itertuples(name=None)
    }
    found += [
        (
            _row_number(index),
            spec.key[-1],
            f"duplicate of row {first_rows[tuple(row)]} (same {' + '.join(spec.key)})",
        )
        for index, *row in table.loc[duplicated, key].itertuples(name=None)
    ]
    order = {name: index for index, name in enumerate(table.columns)}
    found.sort(key=lambda item: (item[0], order.get(item[1], len(order))))
    return [Problem(source, _where(row, column), text, "error") for row, column, text in found]


def _set_rules(table: pd.DataFrame) -> list[tuple[pd.Series, str, str]]:
    """Rules of each row's criteria set: its count, its levels, its per-criterion columns.

    Rows of a period no set holds are only checked by the parser (0–19).
    """
    rules: list[tuple[pd.Series, str, str]] = []
    level = table[NTM_LEVEL].astype("object")
    met = table[CRITERIA_MET]
    reached = level.notna() & (level != NTM_NOT_YET)
    periods = table[PERIOD].astype("Int64")
    for criteria_set in criteria_sets():
        rows = periods.between(criteria_set.first_year, criteria_set.last_year).fillna(False)
        if not rows.any():
            continue
        count, years = criteria_set.count, f"{criteria_set.first_year}-{criteria_set.last_year}"
        rules += [
            (
                rows & met.gt(count).fillna(False),
                CRITERIA_MET,
                f"criteria met is above the {count} criteria of the {years} set "
                f"({criteria_set.document.number})",
            ),
            (
                rows & level.notna() & ~level.isin(criteria_set.levels),
                NTM_LEVEL,
                f"level not in the {years} set, which knows {', '.join(criteria_set.levels)}",
            ),
            (
                rows
                & reached
                & level.isin(criteria_set.levels)
                & met.le(count).fillna(False)
                & met.ne(count).fillna(False),
                CRITERIA_MET,
                f"an NTM commune meets all {count} criteria of the {years} set",
            ),
        ]
        for column in table.columns:
            number = criterion_number(column)
            if number is not None and number > count:
                rules.append(
                    (
                        rows & table[column].notna(),
                        column,
                        f"criterion {number} is not in the {years} set, which has {count}",
                    )
                )
    return rules


def _raise(source: str, problems: list[Problem]) -> None:
    first = problems[0]
    more = len(problems) - 1
    message = first.message + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")
    raise DataError(source, message, first.where, problems[:_MAX_PROBLEMS])


def read_family(
    path_or_buffer: str | os.PathLike[str] | IO[str] | IO[bytes],
    family: str,
    *,
    source: str | None = None,
) -> pd.DataFrame:
    """Read and check one indicator family CSV.

    Parameters
    ----------
    path_or_buffer : str, path or file-like
        UTF-8 CSV (a byte-order mark is fine) with exactly the family's columns, any order.
    family : str
        One of :data:`FAMILY_NAMES`.
    source : str, optional
        Name to use in errors; defaults to the file name.

    Returns
    -------
    pandas.DataFrame
        The family's columns in schema order with schema dtypes: codes as 5-character strings
        (``"4789"`` becomes ``"04789"``), counts and years ``Int64``, areas ``float64``,
        categories as (ordered) ``Categorical``, ``replicated`` as ``bool``.

    Raises
    ------
    DataError
        When the file cannot be read or a cell is wrong. ``where`` names the first bad cell as
        ``"row R, column C"`` (row 1 is the header, as in a spreadsheet); ``problems`` lists
        every bad cell found.
    ValueError
        When ``family`` is not a known family.

    Examples
    --------
    >>> import io
    >>> bad = io.StringIO("commune_code,period,vintage,ntm_level,ntm_year,criteria_met\\n"
    ...                   "04792,2019,2020-2025,ntm,2018,25\\n")
    >>> try:
    ...     read_family(bad, NTM, source="ntm.csv")
    ... except DataError as error:
    ...     print(error)
    ntm.csv [row 2, column criteria_met]: expected a whole number from 0 to 19, got '25'
    """
    spec = _family(family)
    source = source or _source_label(path_or_buffer)
    raw = _read_raw(path_or_buffer, source)
    problems = _check_header(raw, spec, source)
    if problems:
        _raise(source, problems)
    table, problems = parse_cells(raw, family, source=source)
    if spec.name == NTM:
        criteria, more = parse_criterion_columns(raw, source=source)
        table = pd.concat([table, criteria], axis=1)
        problems += more
    if problems:
        _raise(source, problems)
    problems = check_rules(table, family, source=source)
    if problems:
        _raise(source, problems)
    return table.reset_index(drop=True)


def parse_cells(
    raw: pd.DataFrame, family: str, *, source: str = "<table>"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse the text cells of one family table without raising (shared with the importer).

    Parameters
    ----------
    raw : pandas.DataFrame
        Stripped text cells (``""`` for empty) with the family's columns, indexed by spreadsheet
        row number.
    family : str
        One of :data:`FAMILY_NAMES`.
    source : str
        Name to use in problems.

    Returns
    -------
    tuple of (pandas.DataFrame, list of Problem)
        The typed table (bad cells empty), same index; one error per bad or missing cell, in
        reading order, ``where`` = ``"row R, column C"``.
    """
    spec = _family(family)
    parsed: dict[str, pd.Series] = {}
    found: list[tuple[int, int, Problem]] = []
    for order, column in enumerate(spec.columns):
        cells = raw[column.name].astype(object)
        values, bad, message = _PARSERS[column.kind](cells, column)
        missing = (cells == "") & column.required
        for index in cells.index[bad | missing]:
            text = f"{message}, got {cells[index]!r}" if bad[index] else "value required"
            row = _row_number(index)
            found.append((row, order, Problem(source, _where(row, column.name), text, "error")))
        parsed[column.name] = values
    table = pd.DataFrame(parsed, index=raw.index)
    for column in spec.columns:
        dtype = column.dtype
        if dtype == "int64" and table[column.name].isna().any():
            dtype = "Int64"  # a bad required year is empty here; read_family raises anyway
        table[column.name] = table[column.name].astype(dtype)
    # Report cells in reading order: row by row, then column by column.
    return table, [problem for *_, problem in sorted(found, key=lambda item: item[:2])]


def check_rules(table: pd.DataFrame, family: str, *, source: str = "<table>") -> list[Problem]:
    """Rules between the columns of a row, and unique keys (shared with the importer).

    ``table`` is typed as :func:`parse_cells` returns it, indexed by spreadsheet row number.
    """
    return _check_rules(table, _family(family), source)


# --- writing ------------------------------------------------------------------------------------


def write_family(
    frame: pd.DataFrame,
    path_or_buffer: str | os.PathLike[str] | IO[str],
    family: str,
) -> None:
    """Write one family table as canonical CSV (what :func:`read_family` reads back).

    UTF-8 without byte-order mark, ``\\n`` line ends, columns in schema order, empty cells for
    missing values, ``true``/``false`` for booleans; rows in the frame's order.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table with (at least) the family's columns.
    path_or_buffer : str, path or text file-like
        Destination.
    family : str
        One of :data:`FAMILY_NAMES`.

    Examples
    --------
    >>> import io
    >>> frame = pd.DataFrame({"commune_code": ["04792"], "period": [2019],
    ...     "vintage": ["2020-2025"], "ntm_level": ["ntm"], "ntm_year": [2018],
    ...     "criteria_met": [19]})
    >>> buffer = io.StringIO()
    >>> write_family(frame, buffer, NTM)
    >>> print(buffer.getvalue(), end="")
    commune_code,period,vintage,ntm_level,ntm_year,criteria_met
    04792,2019,2020-2025,ntm,2018,19
    """
    spec = _family(family)
    missing = [name for name in spec.column_names if name not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks column(s) of family {family!r}: {', '.join(missing)}")
    out = frame.loc[:, list(spec.column_names)].copy()
    for column in spec.columns:
        if column.kind == "bool":
            out[column.name] = out[column.name].map({True: "true", False: "false"})
        elif column.kind in ("year", "count"):
            out[column.name] = out[column.name].astype("Int64")
    if isinstance(path_or_buffer, str | os.PathLike):
        with open(path_or_buffer, "w", encoding="utf-8", newline="") as handle:
            out.to_csv(handle, index=False, lineterminator="\n")
    else:
        out.to_csv(path_or_buffer, index=False, lineterminator="\n")


def family_csv_text(frame: pd.DataFrame, family: str) -> str:
    """The canonical CSV text of a family table (see :func:`write_family`).

    Examples
    --------
    >>> frame = pd.DataFrame({"commune_code": ["04792"], "period": [2019],
    ...     "vintage": ["2020-2025"], "ntm_level": [None], "ntm_year": [None],
    ...     "criteria_met": [None]})
    >>> family_csv_text(frame, NTM).splitlines()[1]
    '04792,2019,2020-2025,,,'
    """
    buffer = io.StringIO()
    write_family(frame, buffer, family)
    return buffer.getvalue()


def load_demo(directory: str | os.PathLike[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read the shipped demo tables (``models.csv`` … ``land.csv``).

    These are generated by :mod:`geo.figures.demo` and are demo data ("dữ liệu minh họa"), except
    the
    2019 totals, which equal the province's published figures.

    Parameters
    ----------
    directory : str or path, optional
        Folder with one ``<family>.csv`` per family; defaults to :data:`DEMO_DIR`.

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per family, keyed by family name, as :func:`read_family` returns them.

    Examples
    --------
    >>> tables = load_demo()
    >>> sorted(tables)
    ['land', 'models', 'named_models', 'ntm']
    >>> int(tables["models"].query("period == 2019")["models_economy"].sum())
    1392
    """
    folder = Path(directory) if directory is not None else DEMO_DIR
    return {family: read_family(folder / f"{family}.csv", family) for family in FAMILY_NAMES}
