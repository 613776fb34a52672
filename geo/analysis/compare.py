"""Change per commune between two periods: models added, NTM levels gained, hectares consolidated.

Both inputs are :func:`geo.analysis.metrics.commune_metrics` tables of the same communes for an
earlier
period ``P0`` and a later period ``P1``. A change is NA when either period has no figure for the
commune ("no data" stays "no data"; it never becomes a zero change).

Examples
--------
>>> import pandas as pd
>>> ids = {"commune_code": ["00001", "00002"], "commune_name": ["Xã A", "Xã B"],
...        "commune_type": ["Xã", "Xã"], "district_code": ["001", "001"],
...        "district_name": ["Huyện X", "Huyện X"]}
>>> before = pd.DataFrame({**ids, "models_total": [3, None], "criteria_met": [12, 19],
...     "ntm_level": ["not_yet", "ntm"], "land_done_ha": [0.0, 5.0],
...     "land_pct_of_plan": [0.0, 50.0]})
>>> after = before.assign(models_total=[5, 4], criteria_met=[19, 19],
...     ntm_level=["ntm", "advanced"], land_done_ha=[10.0, 5.0], land_pct_of_plan=[10.0, 50.0])
>>> change = compare_periods(before, after)
>>> change["models_added"].tolist()  # Xã B had no figure in P0
[2, <NA>]
>>> change["ntm_levels_gained"].tolist(), change["ntm_reached"].tolist()
([1, 1], [True, False])
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.analysis.metrics import commune_metrics
from geo.analysis.vintages import tables_for
from geo.figures.criteria import criteria_set_for, same_set, set_label
from geo.figures.indicators import FIELD_COLUMNS, NTM_LEVELS
from geo.geography.geographies import Geography
from geo.i18n import DEFAULT_LANG, Lang, t
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, COMMUNE_TYPE, DISTRICT_CODE, DISTRICT_NAME

__all__ = [
    "CHANGE_COLUMNS",
    "change_on_map",
    "compare_periods",
    "level_rank",
    "ntm_not_comparable",
]

_IDENTITY = [COMMUNE_CODE, COMMUNE_NAME, COMMUNE_TYPE, DISTRICT_CODE, DISTRICT_NAME]


#: Change columns :func:`compare_periods` adds, with what they measure.
CHANGE_COLUMNS: dict[str, str] = {
    "models_added": "models (all four fields) in P1 minus models in P0",
    **{f"{column}_added": f"{column} in P1 minus P0" for column in FIELD_COLUMNS.values()},
    "ntm_levels_gained": "NTM levels (not_yet=0 … model=3) in P1 minus P0",
    "criteria_gained": "NTM criteria met in P1 minus P0",
    "ntm_reached": "the commune reached the NTM standard between P0 and P1",
    "ntm_comparable": "P0 and P1 are measured against the same NTM criteria set (else the three "
    "NTM changes are NA: a level gained under another set is not progress)",
    "land_added_ha": "hectares consolidated in P1 minus P0",
    "land_pct_points": "% of plan in P1 minus P0 (percentage points)",
}


def level_rank(levels: pd.Series) -> pd.Series:
    """NTM levels as integers, lowest 0 (``not_yet``) to highest 3 (``model``); NA stays NA.

    Examples
    --------
    >>> level_rank(pd.Series(["ntm", None, "model"])).tolist()
    [1, <NA>, 3]
    """
    order = {level: rank for rank, level in enumerate(NTM_LEVELS)}
    return levels.astype("object").map(order).astype("Int64")


def ntm_not_comparable(period_before: int, period_after: int, lang: Lang = DEFAULT_LANG) -> str:
    """Why NTM levels of two periods cannot be compared; ``""`` when they can.

    Examples
    --------
    >>> ntm_not_comparable(2024, 2026, "en")[:65]
    'NTM levels not comparable: 2024 is measured against the 2021–2025'
    >>> ntm_not_comparable(2022, 2024)
    ''
    """
    if same_set(period_before, period_after):
        return ""

    def name(period: int) -> str:
        criteria_set = criteria_set_for(period)
        return set_label(criteria_set, lang) if criteria_set is not None else "—"

    return t(
        "criteria.not_comparable",
        lang,
        p0=str(period_before),
        p1=str(period_after),
        set0=name(period_before),
        set1=name(period_after),
    )


def compare_periods(
    before: pd.DataFrame, after: pd.DataFrame, *, periods: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Change of every commune from period P0 (``before``) to period P1 (``after``).

    Parameters
    ----------
    before, after : pandas.DataFrame
        :func:`geo.analysis.metrics.commune_metrics` of the same communes for P0 and P1 (matched on
        ``commune_code``; the order and identity columns of ``after`` are kept).

    Returns
    -------
    pandas.DataFrame
        The identity columns, ``area_km2`` when present, the P0 and P1 values
        (``models_total_p0``/``_p1``, ``ntm_level_p0``/``_p1``, ``criteria_met_p0``/``_p1``,
        ``land_done_ha_p0``/``_p1``) and the changes of :data:`CHANGE_COLUMNS`. Counts are
        ``Int64``, areas and points ``float``; ``ntm_reached`` is a nullable boolean.

    periods : tuple of (int, int), optional
        The years of P0 and P1. When their NTM criteria sets differ
        (:func:`geo.figures.criteria.same_set`), ``ntm_levels_gained``, ``criteria_gained`` and
        ``ntm_reached`` are NA and ``ntm_comparable`` is False: 19 criteria and 10 criteria
        do not measure the same thing (:func:`ntm_not_comparable` says why). Without
        ``periods`` the two are taken as comparable.

    Raises
    ------
    ValueError
        When the two tables do not hold the same communes.
    """
    if set(before[COMMUNE_CODE]) != set(after[COMMUNE_CODE]):
        raise ValueError("the two periods do not cover the same communes")
    # Both periods indexed by code in the order of ``after``; results are assigned by index.
    p1 = after.set_index(COMMUNE_CODE)
    p0 = before.set_index(COMMUNE_CODE).reindex(p1.index)
    keep = [c for c in (*_IDENTITY, "area_km2") if c in after.columns and c != COMMUNE_CODE]
    out = p1[keep].copy()
    missing = pd.Series(pd.NA, index=p1.index, dtype="object")

    def values(table: pd.DataFrame, column: str, dtype: str) -> pd.Series:
        return pd.to_numeric(table.get(column, missing)).astype(dtype)

    for column, dtype in (("models_total", "Int64"), ("criteria_met", "Int64")):
        out[f"{column}_p0"] = values(p0, column, dtype)
        out[f"{column}_p1"] = values(p1, column, dtype)
    out["land_done_ha_p0"] = values(p0, "land_done_ha", "float64")
    out["land_done_ha_p1"] = values(p1, "land_done_ha", "float64")

    def change(column: str, dtype: str) -> pd.Series:
        return values(p1, column, dtype) - values(p0, column, dtype)

    out["models_added"] = change("models_total", "Int64")
    for column in FIELD_COLUMNS.values():
        out[f"{column}_added"] = change(column, "Int64")

    old_level, new_level = p0.get("ntm_level", missing), p1.get("ntm_level", missing)
    for name, levels in (("ntm_level_p0", old_level), ("ntm_level_p1", new_level)):
        out[name] = pd.Categorical(
            levels.astype("object"), categories=list(NTM_LEVELS), ordered=True
        )
    rank0, rank1 = level_rank(old_level), level_rank(new_level)
    out["ntm_levels_gained"] = rank1 - rank0
    out["criteria_gained"] = change("criteria_met", "Int64")
    out["ntm_reached"] = ((rank0 == 0) & (rank1 >= 1)).astype("boolean")
    comparable = periods is None or same_set(*periods)
    out["ntm_comparable"] = pd.Series(comparable, index=out.index, dtype="boolean")
    if not comparable:
        for column in ("ntm_levels_gained", "criteria_gained", "ntm_reached"):
            out[column] = out[column].mask(pd.Series(True, index=out.index))

    # float64 (NaN for no data): the form the classifiers and tables expect for areas.
    out["land_added_ha"] = change("land_done_ha", "float64")
    out["land_pct_points"] = change("land_pct_of_plan", "float64")
    out = out.reset_index()
    return out


def change_on_map(
    geography: Geography,
    tables: Mapping[str, pd.DataFrame],
    periods: tuple[int, int],
    *,
    communes: pd.DataFrame | None = None,
    lang: Lang = DEFAULT_LANG,
) -> pd.DataFrame:
    """The change between two periods on the map's units, whatever units each period's figures
    were counted on.

    Across the 1 July 2025 reform (2024 on the 2020–2025 units, 2025 or 2026 on the 2025 units)
    the comparison happens on the 2025 units: the earlier period's figures are converted through
    the crosswalk (:func:`geo.analysis.vintages.tables_for`), so the converted 2024 total of
    models is the 2024 total on the old units. NTM changes across criteria sets are NA
    (:func:`compare_periods` with ``periods``).

    Parameters
    ----------
    geography : Geography
        The map: ``communes`` and ``vintage``.
    tables : mapping of str to pandas.DataFrame
        Indicator tables by family, of any vintage.
    periods : tuple of (int, int)
        P0 and P1.
    communes : pandas.DataFrame, optional
        The communes to compute on, with ``district_code`` / ``district_name`` (default the
        geography's; a 2025 map passes :func:`geo.geography.geographies.grouped_communes`).
    lang : {"vi", "en"}
        Language of the conversion notes.

    Returns
    -------
    pandas.DataFrame
        :func:`compare_periods` of the two periods.

    Examples
    --------
    >>> from geo.figures.indicators import load_demo
    >>> from geo.geography.geographies import default_geography_2025, grouped_communes
    >>> geography = default_geography_2025()
    >>> change = change_on_map(geography, load_demo(), (2024, 2026),
    ...                        communes=grouped_communes(geography))
    >>> int(change["models_total_p0"].sum()), bool(change["ntm_comparable"].any())
    (6788, False)
    """
    keyed = tables_for(geography, tables, period=periods[1], lang=lang).tables
    units = geography.communes if communes is None else communes
    before, after = (commune_metrics(units, keyed, period=period) for period in periods)
    return compare_periods(before, after, periods=periods)
