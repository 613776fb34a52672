"""Per-commune, per-district and province figures: pure computations on tables, no I/O.

Inputs are the indicator tables of :mod:`geo.figures.indicators` (one per family, several periods)
and a
commune layer with ``area_km2``. Aggregates are computed from the same per-commune numbers, so
district figures add up exactly to the province.

Examples
--------
>>> import pandas as pd
>>> communes = pd.DataFrame({"commune_code": ["00001", "00002"], "commune_name": ["Xã A", "Xã B"],
...     "commune_type": ["Xã", "Xã"], "district_code": ["001", "001"],
...     "district_name": ["Huyện X", "Huyện X"], "area_km2": [10.0, 20.0]})
>>> models = pd.DataFrame({"commune_code": ["00001"], "period": [2019], "models_economy": [3],
...     "models_culture_society": [1], "models_defence_security": [0],
...     "models_political_system": [1], "models_replicated": [2], "population": [5000]})
>>> table = commune_metrics(communes, {"models": models}, period=2019)
>>> table["models_per_km2"].tolist()  # Xã B has no row: no data, not zero
[0.5, nan]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.figures.criteria import criterion_number
from geo.figures.indicators import FIELD_COLUMNS, NTM_LEVELS, models_total
from geo.schema import (
    AREA_KM2,
    COMMUNE_CODE,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    DISTRICT_CODE,
    DISTRICT_NAME,
)

__all__ = [
    "MODEL_FIELDS",
    "NTM_RATED_TYPE",
    "NTM_REACHED",
    "Kpi",
    "commune_metrics",
    "district_summary",
    "province_kpis",
    "province_summary",
    "unmatched_codes",
]

#: Count columns of the four model fields, in display order.
MODEL_FIELDS: tuple[str, ...] = tuple(FIELD_COLUMNS.values())
#: The only kind of unit the NTM programme rates (not phường, thị trấn).
NTM_RATED_TYPE = "Xã"
#: Levels that count as "reached the new-rural standard".
NTM_REACHED: frozenset[str] = frozenset(NTM_LEVELS[1:])

_IDENTITY = [COMMUNE_CODE, COMMUNE_NAME, COMMUNE_TYPE, DISTRICT_CODE, DISTRICT_NAME]


def _period_slice(table: pd.DataFrame | None, period: int, columns: list[str]) -> pd.DataFrame:
    """Rows of one period, keyed by commune code, with the wanted columns (missing → NA)."""
    if table is None or table.empty:
        return pd.DataFrame(columns=[COMMUNE_CODE, *columns])
    rows = table[table["period"] == period] if "period" in table else table
    rows = rows.reindex(columns=[COMMUNE_CODE, *columns])
    duplicated = rows[COMMUNE_CODE].duplicated(keep=False)
    if duplicated.any():
        codes = ", ".join(sorted(rows.loc[duplicated, COMMUNE_CODE].unique()))
        raise ValueError(f"period {period}: several rows for commune code(s) {codes}")
    return rows


def commune_metrics(
    communes: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, period: int
) -> pd.DataFrame:
    """Join the indicator tables of one period to the communes and derive the map values.

    Parameters
    ----------
    communes : pandas.DataFrame
        One row per commune with ``commune_code``, names, district and ``area_km2``
        (a GeoDataFrame works; its geometry is not used or returned).
    tables : mapping of str to pandas.DataFrame
        Indicator tables by family (``models``, ``ntm``, ``land``); missing families give NA.
    period : int
        The period (year) to show.

    Returns
    -------
    pandas.DataFrame
        One row per commune of ``communes`` (same order) with: the identity columns,
        ``area_km2``, ``population``, the four ``models_*`` fields, ``models_total``,
        ``models_replicated``, ``models_per_km2``, ``models_per_1000`` (NA without population),
        ``ntm_level`` (ordered categorical), ``criteria_met``, ``land_done_ha``,
        ``land_planned_ha``, ``land_pct_of_plan`` (NA without a plan) and ``land_status``;
        the NTM table's per-criterion columns (``criterion_1`` …, nullable booleans) when it
        has any. A commune with no row in a table has NA for that family: "no data", never zero.
        A unit that is not a xã (a phường, a thị trấn; :data:`NTM_RATED_TYPE`) has no NTM
        figures whatever the table says: the programme does not rate it. A 2025 phường formed
        partly from a rated xã gets a derived level from the conversion, which must not count.
    """
    base = pd.DataFrame(communes)[[*_IDENTITY, AREA_KM2]].reset_index(drop=True)
    models = _period_slice(
        tables.get("models"), period, [*MODEL_FIELDS, "models_replicated", "population"]
    )
    ntm_table = tables.get("ntm")
    # Per-criterion figures (met / not met), where the table has them: the lagging rules ask.
    criteria = [
        str(c) for c in getattr(ntm_table, "columns", ()) if criterion_number(str(c)) is not None
    ]
    ntm = _period_slice(ntm_table, period, ["ntm_level", "ntm_year", "criteria_met", *criteria])
    land = _period_slice(
        tables.get("land"), period, ["land_done_ha", "land_planned_ha", "land_status"]
    )
    out = base.merge(models, on=COMMUNE_CODE, how="left", validate="one_to_one")
    out = out.merge(ntm, on=COMMUNE_CODE, how="left", validate="one_to_one")
    out = out.merge(land, on=COMMUNE_CODE, how="left", validate="one_to_one")

    for column in [*MODEL_FIELDS, "models_replicated", "population", "criteria_met", "ntm_year"]:
        out[column] = pd.to_numeric(out[column]).astype("Int64")
    out["models_total"] = models_total(out)  # NA unless every field is known
    area = out[AREA_KM2].astype(float)
    total = out["models_total"].astype("Float64")
    out["models_per_km2"] = (total / area.where(area > 0)).astype(float)
    population = out["population"].astype("Float64")
    out["models_per_1000"] = (total * 1000 / population.where(population > 0)).astype(float)

    out["ntm_level"] = pd.Categorical(
        out["ntm_level"].astype("object"), categories=list(NTM_LEVELS), ordered=True
    )
    not_rated = out[COMMUNE_TYPE].astype("object") != NTM_RATED_TYPE
    for column in criteria:
        out[column] = out[column].astype("boolean")
    out.loc[not_rated, ["ntm_level", "ntm_year", "criteria_met", *criteria]] = pd.NA
    for column in ("land_done_ha", "land_planned_ha"):
        out[column] = pd.to_numeric(out[column]).astype(float)
    planned = out["land_planned_ha"]
    out["land_pct_of_plan"] = np.where(
        planned > 0, 100.0 * out["land_done_ha"] / planned.where(planned > 0), np.nan
    )
    return out


def unmatched_codes(communes: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    """Codes of ``table`` that are not communes of the layer (to report, never drop silently).

    Examples
    --------
    >>> unmatched_codes(pd.DataFrame({"commune_code": ["00001"]}),
    ...                 pd.DataFrame({"commune_code": ["00001", "99999"]}))
    ['99999']
    """
    known = set(communes[COMMUNE_CODE])
    return sorted(set(table[COMMUNE_CODE]) - known)


_SUMMED = [
    AREA_KM2,
    "population",
    *MODEL_FIELDS,
    "models_total",
    "models_replicated",
    "land_done_ha",
    "land_planned_ha",
]


def _aggregate(groups: pd.core.groupby.DataFrameGroupBy) -> pd.DataFrame:
    sums = groups[_SUMMED].sum(min_count=1)
    counts = pd.DataFrame(
        {
            "communes": groups.size(),
            "ntm_applicable": groups["ntm_level"].apply(lambda s: int(s.notna().sum())),
            "ntm_reached": groups["ntm_level"].apply(
                lambda s: int(s.astype("object").isin(NTM_REACHED).sum())
            ),
            "land_communes": groups["land_done_ha"].apply(lambda s: int((s > 0).sum())),
        }
    )
    for level in NTM_LEVELS:
        counts[f"ntm_{level}"] = groups["ntm_level"].apply(
            lambda s, level=level: int((s.astype("object") == level).sum())
        )
    out = counts.join(sums)
    out["models_per_km2"] = out["models_total"].astype(float) / out[AREA_KM2]
    out["models_per_1000"] = out["models_total"].astype(float) * 1000 / out["population"]
    out["land_pct_of_plan"] = 100.0 * out["land_done_ha"] / out["land_planned_ha"]
    return out


def district_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """Aggregate commune metrics per district: sums of counts and areas, ratios of the sums.

    Returns
    -------
    pandas.DataFrame
        One row per district (``district_code``, ``district_name``) with ``communes``,
        ``ntm_reached``, ``ntm_<level>``, ``land_communes``, the summed columns and the
        ratios ``models_per_km2``, ``models_per_1000``, ``land_pct_of_plan``.
    """
    groups = metrics.groupby([DISTRICT_CODE, DISTRICT_NAME], sort=True, observed=True)
    return _aggregate(groups).reset_index()


def province_summary(metrics: pd.DataFrame) -> pd.Series:
    """Aggregate commune metrics for the whole province (same columns as a district row)."""
    whole = metrics.assign(_all=0).groupby("_all", observed=True)
    return _aggregate(whole).iloc[0]


@dataclass(frozen=True)
class Kpi:
    """One province indicator computed from the data, beside the published figure."""

    key: str
    value: float
    published: float | None
    unit: str

    @property
    def difference(self) -> float | None:
        """Computed minus published (``None`` when nothing was published)."""
        return None if self.published is None else self.value - self.published


def province_kpis(
    metrics: pd.DataFrame, *, published: Mapping[str, float] | None = None
) -> list[Kpi]:
    """The headline figures of the province panel, computed from ``metrics``.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Output of :func:`commune_metrics` for one period.
    published : mapping of str to float, optional
        Published values by KPI key, to show beside the computed ones.

    Returns
    -------
    list of Kpi
        ``models_total``, the four model fields, ``models_replicated``, ``ntm_communes``,
        ``land_communes`` and ``land_done_ha``.
    """
    province = province_summary(metrics)
    published = published or {}
    values: dict[str, tuple[float, str]] = {
        "models_total": (province["models_total"], "models"),
        **{field: (province[field], "models") for field in MODEL_FIELDS},
        "models_replicated": (province["models_replicated"], "models"),
        "ntm_communes": (province["ntm_reached"], "communes"),
        "land_communes": (province["land_communes"], "communes"),
        "land_done_ha": (province["land_done_ha"], "ha"),
    }
    kpis = []
    for key, (value, unit) in values.items():
        number = 0.0 if pd.isna(value) else float(value)
        kpis.append(Kpi(key=key, value=number, published=published.get(key), unit=unit))
    return kpis
