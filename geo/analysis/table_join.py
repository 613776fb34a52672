"""Do the figures and the map speak of the same communes? The join of tables to a geography.

Indicator tables say which boundary vintage their codes belong to (column ``vintage``). A map of
another vintage still joins on ``commune_code``, but communes merged or renamed in between find
no figures, and codes of the tables find no polygon. :func:`join_report` counts both, table by
table; :func:`vintage_note` says it in one sentence, or nothing when all is in order.

Examples
--------
>>> import pandas as pd
>>> communes = pd.DataFrame({"commune_code": ["04789", "vietnam63:3050105"], "vintage": "2019"})
>>> ntm = pd.DataFrame({"commune_code": ["04789", "04810"], "period": [2019, 2019],
...                     "vintage": ["2020-2025", "2020-2025"]})
>>> report = join_report(communes, {"ntm": ntm}, layer_vintage="2019")
>>> report.vintage_mismatch, report.codes_not_in_layer, report.communes_without_figures
(True, ('04810',), ('vietnam63:3050105',))
>>> print(vintage_note(communes, {"ntm": ntm}, "en", layer_vintage="2019"))
... # doctest: +NORMALIZE_WHITESPACE
Figures (New rural standard (NTM)) are keyed to the units of 2020-2025; the map shows
boundaries of 2019. 1 commune codes of the tables are not on the map. 1 communes on the map
have no figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from geo.figures.indicators import FAMILY_LABELS
from geo.i18n import Lang, t
from geo.schema import COMMUNE_CODE, VINTAGE

__all__ = ["JoinReport", "TableJoin", "join_report", "vintage_note"]


class _HasCommunes(Protocol):
    communes: pd.DataFrame
    vintage: str


@dataclass(frozen=True)
class TableJoin:
    """How one indicator table joins to the map's communes.

    Attributes
    ----------
    family : str
        Table name (``models``, ``ntm``, ``land`` …).
    vintages : tuple of str
        Vintages the table states (its ``vintage`` column); empty when it has none.
    codes : int
        Distinct commune codes in the table (of the period, when one was given).
    codes_not_in_layer : tuple of str
        Codes of the table with no commune on the map.
    communes_without_figures : tuple of str
        Codes of the map's communes with no row in the table.
    """

    family: str
    vintages: tuple[str, ...]
    codes: int
    codes_not_in_layer: tuple[str, ...]
    communes_without_figures: tuple[str, ...]


@dataclass(frozen=True)
class JoinReport:
    """The join of every table to a geography."""

    layer_vintage: str
    tables: tuple[TableJoin, ...]

    @property
    def table_vintages(self) -> tuple[str, ...]:
        """Every vintage the tables state, sorted."""
        return tuple(sorted({v for table in self.tables for v in table.vintages}))

    @property
    def vintage_mismatch(self) -> bool:
        """Some table states a vintage other than the map's."""
        return any(v != self.layer_vintage for v in self.table_vintages)

    @property
    def codes_not_in_layer(self) -> tuple[str, ...]:
        """Codes of any table with no commune on the map, sorted."""
        return tuple(sorted({c for table in self.tables for c in table.codes_not_in_layer}))

    @property
    def communes_without_figures(self) -> tuple[str, ...]:
        """Codes of the map's communes with no row in at least one table, sorted."""
        return tuple(sorted({c for table in self.tables for c in table.communes_without_figures}))

    @property
    def ok(self) -> bool:
        """Same vintage and every code joins both ways."""
        return not (
            self.vintage_mismatch or self.codes_not_in_layer or self.communes_without_figures
        )


def _communes_of(geography: _HasCommunes | pd.DataFrame) -> pd.DataFrame:
    return geography if isinstance(geography, pd.DataFrame) else geography.communes


def _layer_vintage(geography: _HasCommunes | pd.DataFrame, given: str | None) -> str:
    if given is not None:
        return given
    if not isinstance(geography, pd.DataFrame):
        return str(geography.vintage)
    values = sorted(str(v) for v in geography.get(VINTAGE, pd.Series(dtype=str)).dropna().unique())
    return ";".join(values) or "unknown"


def join_report(
    geography: _HasCommunes | pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    *,
    period: int | None = None,
    layer_vintage: str | None = None,
) -> JoinReport:
    """Join every table to the map's communes on ``commune_code``; say what does not join.

    Parameters
    ----------
    geography : Geography or pandas.DataFrame
        A :class:`geo.geography.geographies.Geography` (its ``communes`` and ``vintage``) or a
        commune
        table with ``commune_code`` (and ``vintage``).
    tables : mapping of str to pandas.DataFrame
        Indicator tables by family, each with ``commune_code`` (and ``vintage``, ``period``).
    period : int, optional
        Only the rows of this period (tables with a ``period`` column).
    layer_vintage : str, optional
        The map's vintage; default: the geography's.

    Returns
    -------
    JoinReport
    """
    communes = _communes_of(geography)
    layer_codes = {str(c) for c in communes[COMMUNE_CODE].dropna()}
    joins = []
    for family, table in tables.items():
        if table is None or COMMUNE_CODE not in table:
            continue
        rows = table
        if period is not None and "period" in rows:
            rows = rows[rows["period"] == period]
        codes = {str(c) for c in rows[COMMUNE_CODE].dropna()}
        vintages = (
            tuple(sorted({str(v) for v in rows[VINTAGE].dropna()})) if VINTAGE in rows else ()
        )
        joins.append(
            TableJoin(
                family=family,
                vintages=vintages,
                codes=len(codes),
                codes_not_in_layer=tuple(sorted(codes - layer_codes)),
                communes_without_figures=tuple(sorted(layer_codes - codes)),
            )
        )
    return JoinReport(_layer_vintage(geography, layer_vintage), tuple(joins))


def vintage_note(
    geography: _HasCommunes | pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    lang: Lang = "vi",
    *,
    period: int | None = None,
    layer_vintage: str | None = None,
) -> str | None:
    """One sentence on the join of the tables to the map, or None when all is in order.

    Says when the tables' codes belong to another vintage than the map's, how many codes of
    the tables have no polygon, and how many communes of the map have no figures.

    Examples
    --------
    >>> import pandas as pd
    >>> same = pd.DataFrame({"commune_code": ["04789"], "vintage": ["2020-2025"]})
    >>> vintage_note(same, {"models": same}) is None
    True
    """
    report = join_report(geography, tables, period=period, layer_vintage=layer_vintage)
    if report.ok:
        return None
    parts = []
    if report.vintage_mismatch:
        families = ", ".join(
            FAMILY_LABELS[table.family](lang) if table.family in FAMILY_LABELS else table.family
            for table in report.tables
            if any(v != report.layer_vintage for v in table.vintages)
        )
        parts.append(
            t(
                "join.vintage_mismatch",
                lang,
                families=families,
                table_vintage=", ".join(
                    v for v in report.table_vintages if v != report.layer_vintage
                ),
                layer_vintage=report.layer_vintage,
            )
        )
    if report.codes_not_in_layer:
        parts.append(t("join.codes_not_in_layer", lang, n=len(report.codes_not_in_layer)))
    if report.communes_without_figures:
        parts.append(
            t("join.communes_without_figures", lang, n=len(report.communes_without_figures))
        )
    return " ".join(parts)
