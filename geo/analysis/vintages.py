"""Figures reach a map only through its vintage: :func:`tables_for`.

Indicator tables say which boundary vintage their codes belong to (column ``vintage``). A map
of the 2025 units must never join 2020–2025 figures on ``commune_code``: 46 of the 2025 codes
reuse a predecessor's code, whose figures would then show as the successor's. So the tables a
map gets are keyed to *its* vintage:

* rows of the map's vintage pass unchanged;
* rows of 2020–2025 on a 2025 map go through the crosswalk
  (:func:`geo.geography.crosswalk.crosswalk`) and :func:`geo.analysis.conversion.convert_tables`:
  the 2025 communes the crosswalk reaches get converted figures with their provenance, the
  others none;
* any other combination (newer figures on an older map, a vintage with no conversion table)
  gives no figures for those rows, never a join on coincident codes; the reader is told why
  and which periods (``refused_periods``). Newer figures on an older map can be asked for as
  an area-apportioned estimate (``estimate=True``, 2025 → 2020–2025 only): every such row
  then says ``estimate`` and the note says it is one;
* a map of a vintage the atlas does not know (a user's file without one) joins as before, on
  the codes, and :func:`geo.analysis.table_join.vintage_note` says what does not join;
* NTM rows of units the programme does not rate (a phường of the map, even one formed partly
  from a rated xã, whose level the conversion would derive) are left out: the panel, the
  exports and the counts then all say "not applicable".

Examples
--------
>>> from geo.figures.indicators import load_demo
>>> from geo.geography.geographies import default_geography_2025
>>> view = tables_for(default_geography_2025(), load_demo(), lang="en")
>>> models = view.tables["models"].query("period == 2019")
>>> len(models), int(models["models_replicated"].sum())
(46, 646)
>>> view.converted_from
('2020-2025',)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import pandas as pd

from geo.analysis.conversion import RULE_UNCHANGED, convert_tables, unchanged_rows
from geo.analysis.metrics import NTM_RATED_TYPE
from geo.analysis.table_join import vintage_note
from geo.figures.indicators import FAMILIES, NTM
from geo.geography.crosswalk import CrosswalkError, crosswalk
from geo.geography.geographies import VINTAGES
from geo.geography.units_2025 import VINTAGE_2025, successors_2025
from geo.i18n import Lang, t
from geo.schema import COMMUNE_CODE, COMMUNE_TYPE, VINTAGE, VINTAGE_2019, VINTAGE_2020_2025

__all__ = ["VintageTables", "provenance_of", "tables_for"]


class _Geography(Protocol):
    communes: pd.DataFrame
    vintage: str


@dataclass(frozen=True)
class VintageTables:
    """Indicator tables keyed to one map's vintage, and what the reader must know about them.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        Per family, only rows of the map's vintage (converted ones carry
        :data:`geo.analysis.conversion.PROVENANCE_COLUMNS`).
    vintage : str
        The map's vintage.
    converted_from : tuple of str
        Vintages whose rows were converted through a crosswalk.
    refused : tuple of str
        Vintages whose rows were left out (no conversion to the map's vintage).
    refused_periods : tuple of int
        The periods of those rows, oldest first (2025 and 2026 on a 2020–2025 map).
    estimated : tuple of str
        Vintages whose rows were estimated on the map's older units (``estimate=True``).
    note : str or None
        One paragraph for the reader: what was converted, what was left out and why, how many
        communes of the map have no figures; ``None`` when figures and map simply agree.
    """

    tables: dict[str, pd.DataFrame]
    vintage: str
    converted_from: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    note: str | None = None
    refused_periods: tuple[int, ...] = ()
    estimated: tuple[str, ...] = ()

    def converted_in(self, periods: Iterable[int]) -> bool:
        """Whether any figure of ``periods`` was converted from another vintage (2024 on a
        2025 map: yes; the map's own 2026: no).

        Examples
        --------
        >>> from geo.figures.indicators import load_demo
        >>> from geo.geography.geographies import default_geography_2025
        >>> keyed = tables_for(default_geography_2025(), load_demo())
        >>> keyed.converted_in([2024]), keyed.converted_in([2026])
        (True, False)
        """
        wanted = {int(period) for period in periods}
        for family in ("models", "ntm", "land"):
            table = self.tables.get(family)
            if table is None or "conversion_rule" not in table:
                continue
            rows = table[table["period"].isin(wanted)]
            rule = rows["conversion_rule"]
            if (rule.notna() & (rule != RULE_UNCHANGED)).any():
                return True
        return False

    def estimated_in(self, periods: Iterable[int]) -> bool:
        """Whether any figure of ``periods`` is an area-apportioned estimate (newer figures on
        older units, ``tables_for(..., estimate=True)``).

        Examples
        --------
        >>> from geo.figures.indicators import load_demo
        >>> from geo.geography.geographies import default_geography
        >>> keyed = tables_for(default_geography(), load_demo(), estimate=True)
        >>> keyed.estimated_in([2026]), keyed.estimated_in([2024]), keyed.refused
        (True, False, ())
        """
        wanted = {int(period) for period in periods}
        for family in ("models", "ntm", "land"):
            table = self.tables.get(family)
            if table is None or "estimate" not in table:
                continue
            if table.loc[table["period"].isin(wanted), "estimate"].fillna(False).astype(bool).any():
                return True
        return False

    @property
    def periods(self) -> list[int]:
        """The periods with figures on the map's units, oldest first: the period list of the
        map (2025 figures on a 2020–2025 map are refused, so 2025 is not offered there).

        Examples
        --------
        >>> from geo.figures.indicators import load_demo
        >>> from geo.geography.geographies import default_geography_2025
        >>> tables_for(default_geography_2025(), load_demo()).periods[-3:]
        [2024, 2025, 2026]
        """
        found: set[int] = set()
        for family in ("models", "ntm", "land"):
            table = self.tables.get(family)
            if table is not None and "period" in table:
                found |= {int(period) for period in table["period"].unique()}
        return sorted(found)


def tables_for(
    geography: _Geography,
    tables: Mapping[str, pd.DataFrame],
    *,
    period: int | None = None,
    lang: Lang = "vi",
    estimate: bool = False,
) -> VintageTables:
    """The indicator tables keyed to the geography's vintage (see the module docstring).

    Parameters
    ----------
    geography : Geography
        The map: its ``communes`` (``commune_code``) and ``vintage``.
    tables : mapping of str to pandas.DataFrame
        Indicator tables by family, each with ``commune_code``, ``period`` and ``vintage``;
        other keys pass unchanged.
    period : int, optional
        The period the note counts communes without figures in (default: the latest).
    lang : {"vi", "en"}
        Language of the note and of the conversion notes.
    estimate : bool
        Figures of newer units on an older map (2025 → 2020–2025) as an area-apportioned
        estimate, labelled so (:func:`geo.geography.crosswalk.crosswalk`), instead of left out.

    Returns
    -------
    VintageTables

    Examples
    --------
    >>> from geo.figures.indicators import load_demo
    >>> from geo.geography.geographies import default_geography
    >>> older = tables_for(default_geography(), load_demo(), lang="en")
    >>> older.refused, older.refused_periods, older.periods[-1]
    (('2025',), (2025, 2026), 2024)
    """
    vintage = str(geography.vintage)
    if vintage not in VINTAGES:
        # A layer of unknown vintage (a user's file): the codes are all there is to join on.
        note = vintage_note(geography, _mapped(tables), lang, period=period)
        return VintageTables(dict(tables), vintage, note=note)
    out: dict[str, pd.DataFrame] = {}
    converted: set[str] = set()
    estimated: set[str] = set()
    # Vintage → (the reason, the periods of its rows), of every family.
    refused: dict[str, tuple[str, set[int]]] = {}
    for family, table in tables.items():
        if family not in FAMILIES or table is None or VINTAGE not in table:
            out[family] = table
            continue
        vintages = table[VINTAGE].astype(str)
        own = table[vintages == vintage]
        parts = []
        for other in sorted(set(vintages) - {vintage}):
            rows = table[vintages == other]
            try:
                parts.append(_converted(family, rows, other, vintage, lang))
                converted.add(other)
            except CrosswalkError as error:
                if estimate and (other, vintage) == (VINTAGE_2025, VINTAGE_2020_2025):
                    parts.append(_estimated(family, rows, geography.communes, lang))
                    estimated.add(other)
                    continue
                periods = refused.setdefault(other, (error.message, set()))[1]
                periods |= {int(p) for p in rows["period"].unique()}
        if len(own):
            # Beside converted rows (the predecessors' history), the map's own rows say so.
            own = unchanged_rows(own, family, vintage=vintage, lang=lang) if parts else own
            parts.append(own)
        out[family] = _stacked(parts, table)
    if out.get(NTM) is not None:
        out[NTM] = _rated_only(out[NTM], geography.communes)
    result = VintageTables(
        out,
        vintage,
        tuple(sorted(converted)),
        tuple(sorted(refused)),
        refused_periods=tuple(sorted(set().union(*(found for _, found in refused.values())))),
        estimated=tuple(sorted(estimated)),
    )
    note = _note(geography, result, refused, period, lang)
    return dataclasses.replace(result, note=note)


def _stacked(parts: list[pd.DataFrame], table: pd.DataFrame) -> pd.DataFrame:
    """Converted and own rows in one table, by period and code (history reads in order)."""
    if not parts:
        return table.iloc[:0].copy()
    if len(parts) == 1:
        return parts[0]
    stacked = pd.concat(parts, ignore_index=True)
    return stacked.sort_values(["period", COMMUNE_CODE], kind="stable").reset_index(drop=True)


def _rated_only(table: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """The NTM rows of the units the programme rates (:data:`NTM_RATED_TYPE`) or of codes the
    map does not type."""
    if COMMUNE_TYPE not in communes:
        return table
    types = communes[COMMUNE_TYPE].astype("object")
    unrated = set(communes.loc[types != NTM_RATED_TYPE, COMMUNE_CODE].astype(str))
    return table[~table[COMMUNE_CODE].astype(str).isin(unrated)].reset_index(drop=True)


def _mapped(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {f: tables[f] for f in ("models", "ntm", "land") if tables.get(f) is not None}


def _converted(
    family: str, rows: pd.DataFrame, from_vintage: str, to_vintage: str, lang: Lang
) -> pd.DataFrame:
    """One family's rows of another vintage, converted; rows the crosswalk cannot place are left
    out (they belong to no unit of the map's vintage)."""
    if from_vintage == VINTAGE_2019:
        # Hòa Bình's table (Resolution 830/NQ-UBTVQH14); raises the reason for anything else.
        walk = crosswalk(from_vintage, to_vintage, province_codes="17", lang=lang)
    else:
        if from_vintage != VINTAGE_2020_2025 or to_vintage != VINTAGE_2025:
            # Raises the reason: back in time, unknown vintage.
            crosswalk(from_vintage, to_vintage, lang=lang)
        codes = tuple(sorted(set(rows[COMMUNE_CODE].astype(str))))
        provinces = _provinces_of(codes)
        if not provinces:
            return rows.iloc[:0].copy()
        walk = crosswalk(from_vintage, to_vintage, province_codes=provinces, lang=lang)
    known = rows[rows[COMMUNE_CODE].astype(str).isin(set(walk.table["from_code"]))]
    return convert_tables({family: known}, walk, lang=lang)[family]


def _estimated(family: str, rows: pd.DataFrame, communes: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """One family's rows of the 2025 units as an area-apportioned estimate on the 2020–2025
    units of the map (its provinces): every row says ``estimate``."""
    provinces = _provinces_of(tuple(sorted(set(communes[COMMUNE_CODE].astype(str)))))
    if not provinces:
        return rows.iloc[:0].copy()
    walk = crosswalk(
        VINTAGE_2025, VINTAGE_2020_2025, province_codes=provinces, estimate=True, lang=lang
    )
    known = rows[rows[COMMUNE_CODE].astype(str).isin(set(walk.table["from_code"]))]
    return convert_tables({family: known}, walk, lang=lang)[family]


@lru_cache(maxsize=64)
def _provinces_of(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The 2020–2025 provinces of these 2020–2025 commune codes (a crosswalk of the whole
    country is slow to build; the tables of one province need only that one)."""
    pairs = successors_2025("all")
    found = pairs.loc[pairs["old_code"].isin(codes), "old_province_code"]
    return tuple(sorted(set(found.astype(str))))


def _note(
    geography: _Geography,
    result: VintageTables,
    refused: Mapping[str, tuple[str, set[int]]],
    period: int | None,
    lang: Lang,
) -> str | None:
    parts = []
    if result.converted_from:
        parts.append(
            t(
                "vintage.converted",
                lang,
                from_vintage=", ".join(result.converted_from),
                to_vintage=result.vintage,
            )
        )
    if result.estimated:
        periods = ", ".join(map(str, _estimated_periods(result)))
        names = {"from_vintage": ", ".join(result.estimated), "to_vintage": result.vintage}
        parts.append(t("vintage.estimated", lang, periods=periods, **names))
    for other, (reason, periods) in refused.items():
        names = {"periods": ", ".join(map(str, sorted(periods))), "from_vintage": other}
        if (other, result.vintage) == (VINTAGE_2025, VINTAGE_2020_2025):
            # Newer figures on older units: where to see them, in the reader's words.
            parts.append(t("vintage.refused_newer", lang, to_vintage=result.vintage, **names))
        else:
            parts.append(t("vintage.refused", lang, reason=reason, **names))
    models = result.tables.get("models")
    if models is not None and "period" in models and len(models):
        shown = period if period is not None else int(models["period"].max())
        with_figures = set(models.loc[models["period"] == shown, COMMUNE_CODE].astype(str))
    else:
        with_figures = set()
    missing = set(geography.communes[COMMUNE_CODE].astype(str)) - with_figures
    if missing and (parts or with_figures):
        key = "vintage.no_predecessor_figures" if result.converted_from else "vintage.no_figures"
        parts.append(t(key, lang, n=len(missing), total=len(geography.communes)))
    return " ".join(parts) or None


def provenance_of(
    tables: Mapping[str, pd.DataFrame], code: str, period: int
) -> list[dict[str, object]]:
    """Where one commune's converted figures of one period come from, family by family.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        :attr:`VintageTables.tables`.
    code : str
        The commune's code (of the map's vintage).
    period : int
        The period.

    Returns
    -------
    list of dict
        One dict per family whose row was converted (rule other than ``unchanged``), with
        ``family``, ``from_names``, ``conversion_rule``, ``conversion_note``, ``derived``,
        ``composition`` ("" when the family has none), ``estimate`` (an area-apportioned
        estimate from newer units, ``from_names`` then naming the new commune); empty when
        nothing was converted.

    Examples
    --------
    >>> from geo.figures.indicators import load_demo
    >>> from geo.geography.geographies import default_geography_2025
    >>> tables = tables_for(default_geography_2025(), load_demo(), lang="en").tables
    >>> rows = provenance_of(tables, "04873", 2019)  # Xã Quy Đức
    >>> [row["family"] for row in rows], rows[0]["from_names"].count(";") + 1
    (['models', 'ntm', 'land'], 4)
    >>> [row["family"] for row in provenance_of(tables, "04828", 2019)]  # a phường: no NTM
    ['models', 'land']
    """
    out = []
    for family in ("models", "ntm", "land"):
        table = tables.get(family)
        if table is None or "conversion_rule" not in table:
            continue
        rows = table[(table[COMMUNE_CODE].astype(str) == code) & (table["period"] == period)]
        if rows.empty or rows["conversion_rule"].iloc[0] == "unchanged":
            continue
        row = rows.iloc[0]
        out.append(
            {
                "family": family,
                "from_names": str(row["from_names"]),
                "conversion_rule": str(row["conversion_rule"]),
                "conversion_note": str(row["conversion_note"]),
                "derived": bool(row["derived"]),
                "composition": str(row.get("composition", "") or ""),
                "estimate": _flag(row.get("estimate")),
            }
        )
    return out


def _flag(value: object) -> bool:
    """A yes/no provenance value; missing (a row of the map's own vintage) reads no."""
    return False if value is None or pd.isna(value) else bool(value)


def _estimated_periods(result: VintageTables) -> list[int]:
    """The periods with estimated rows, oldest first."""
    return [period for period in result.periods if result.estimated_in([period])]
