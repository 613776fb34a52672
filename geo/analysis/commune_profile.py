"""One commune's story: its figures for every indicator, its ranks, its named models, its history.

Pure computations on :func:`geo.analysis.metrics.commune_metrics` tables; the app only lays them
out.
Ranks count from the best (1 = most models, most criteria, most consolidated); communes without
a figure are left out of a rank, and ties share the better rank ("1, 1, 3").

Examples
--------
>>> import pandas as pd
>>> metrics = pd.DataFrame({"commune_code": ["00001", "00002", "00003"],
...     "district_code": ["001", "001", "002"], "models_total": [5, 9, 7]})
>>> ranks = indicator_ranks(metrics, "00001", columns=["models_total"])
>>> ranks.loc[0, ["district_rank", "district_count", "province_rank", "province_count"]].tolist()
[2, 2, 3, 3]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from geo.analysis.compare import level_rank
from geo.analysis.conversion import RULE_UNCHANGED
from geo.analysis.metrics import commune_metrics
from geo.collation import sort_key
from geo.figures.criteria import criteria_set_for
from geo.figures.indicators import FIELD_COLUMNS, FIELDS, NTM_CRITERIA_COUNT
from geo.schema import COMMUNE_CODE, DISTRICT_CODE

__all__ = [
    "HISTORY_COLUMNS",
    "PROFILE_INDICATORS",
    "CommuneProfile",
    "commune_history",
    "commune_profile",
    "indicator_ranks",
    "metrics_over_periods",
    "named_models_of",
]

#: Indicators of the panel, in display order: column → whether it is ranked.
PROFILE_INDICATORS: Mapping[str, bool] = {
    "models_total": True,
    **{column: True for column in FIELD_COLUMNS.values()},
    "models_replicated": True,
    "models_per_km2": True,
    "models_per_1000": True,
    "ntm_level": True,  # ranked by level, then criteria met
    "criteria_met": True,
    "land_done_ha": True,
    "land_planned_ha": False,  # a plan is a target, not an achievement
    "land_pct_of_plan": True,
    "area_km2": False,
    "population": False,
}
#: Columns of :func:`commune_history`, besides ``period``.
HISTORY_COLUMNS: tuple[str, ...] = (
    "models_total",
    "models_replicated",
    "ntm_level",
    "criteria_met",
    "land_done_ha",
    "land_planned_ha",
    "land_pct_of_plan",
)


def metrics_over_periods(
    communes: pd.DataFrame, tables: Mapping[str, pd.DataFrame], periods: Iterable[int]
) -> pd.DataFrame:
    """:func:`geo.analysis.metrics.commune_metrics` of several periods, stacked, with a ``period``
    column.

    Parameters
    ----------
    communes : pandas.DataFrame
        The map's communes (with ``area_km2``).
    tables : mapping of str to pandas.DataFrame
        Indicator tables by family.
    periods : iterable of int
        Periods to compute, e.g. every period of the ``models`` table.
    """
    frames = [
        commune_metrics(communes, tables, period=period).assign(period=int(period))
        for period in sorted(set(periods))
    ]
    if not frames:
        raise ValueError("no period given")
    return pd.concat(frames, ignore_index=True)


def _score(metrics: pd.DataFrame, column: str) -> pd.Series:
    """The number a rank sorts on (higher is better)."""
    if column == "ntm_level":
        criteria = pd.to_numeric(metrics.get("criteria_met")).astype("Float64").fillna(0)
        # Level first, criteria met breaks ties below the standard.
        return (level_rank(metrics["ntm_level"]) * (NTM_CRITERIA_COUNT + 1) + criteria).astype(
            "Float64"
        )
    return pd.to_numeric(metrics[column]).astype("Float64")


def indicator_ranks(
    metrics: pd.DataFrame, code: str, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The commune's value of each indicator and its rank in its district and the province.

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`geo.analysis.metrics.commune_metrics` of one period (all communes of the province).
    code : str
        The commune's GSO code.
    columns : sequence of str, optional
        Indicators; by default :data:`PROFILE_INDICATORS` (unranked ones get NA ranks).

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator``, ``value`` (as in ``metrics``),
        ``district_rank``, ``district_count``, ``district_tied``, ``province_rank``,
        ``province_count``, ``province_tied`` (``Int64``; NA where the commune has no value or
        the indicator is not ranked; ``*_count`` is the number of communes with a value,
        ``*_tied`` the number sharing the commune's value, itself included).

    Raises
    ------
    KeyError
        When ``code`` is not in ``metrics``.
    """
    matches = metrics.index[metrics[COMMUNE_CODE] == code]
    if len(matches) == 0:
        raise KeyError(f"no commune {code!r} in the metrics")
    row = matches[0]
    in_district = metrics[DISTRICT_CODE] == metrics.at[row, DISTRICT_CODE]
    wanted = list(columns) if columns is not None else list(PROFILE_INDICATORS)
    records = []
    for column in wanted:
        ranked = PROFILE_INDICATORS.get(column, True) and column in metrics
        value = metrics.at[row, column] if column in metrics else pd.NA
        record: dict[str, object] = {"indicator": column, "value": value}
        for scope, mask in (
            ("district", in_district),
            ("province", pd.Series(True, metrics.index)),
        ):
            if not ranked:
                for part in ("rank", "count", "tied"):
                    record[f"{scope}_{part}"] = pd.NA
                continue
            scores = _score(metrics[mask], column).dropna()
            own = scores.get(row, pd.NA)
            record[f"{scope}_count"] = len(scores)
            record[f"{scope}_rank"] = (
                pd.NA if pd.isna(own) else int((scores > own).sum()) + 1  # ties: best rank
            )
            record[f"{scope}_tied"] = pd.NA if pd.isna(own) else int((scores == own).sum())
        records.append(record)
    out = pd.DataFrame.from_records(records)
    for scope in ("district", "province"):
        for part in ("rank", "count", "tied"):
            out[f"{scope}_{part}"] = out[f"{scope}_{part}"].astype("Int64")
    return out


def commune_history(
    over_periods: pd.DataFrame, code: str, *, tables: Mapping[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """The commune's figures period by period (:data:`HISTORY_COLUMNS`), oldest first.

    A 2025 commune's history is its predecessors' (converted through the crosswalk, up to
    2024), then its own (2025 on): ``converted`` says which, given the map's ``tables``. On an
    older map with estimated figures (:func:`geo.analysis.vintages.tables_for` with
    ``estimate=True``) ``estimated`` marks the periods estimated from the new commune by area
    share; they are not ``converted``.
    ``criteria_count`` is the number of criteria of the period's set (19 until 2025, 10 from
    2026), so that "10" in 2026 does not read as a fall from "19".

    Parameters
    ----------
    over_periods : pandas.DataFrame
        :func:`metrics_over_periods`.
    code : str
        The commune's GSO code.
    tables : mapping of str to pandas.DataFrame, optional
        :attr:`geo.analysis.vintages.VintageTables.tables` of the map; without them
        ``converted`` is left out.

    Returns
    -------
    pandas.DataFrame
        ``period``, :data:`HISTORY_COLUMNS`, ``criteria_count`` (``Int64``, NA before the
        first set) and, with ``tables``, ``converted`` and ``estimated`` (bool).
    """
    rows = over_periods[over_periods[COMMUNE_CODE] == code]
    columns = ["period", *(c for c in HISTORY_COLUMNS if c in rows)]
    history = rows[columns].sort_values("period").reset_index(drop=True)
    counts = [getattr(criteria_set_for(int(p)), "count", pd.NA) for p in history["period"]]
    history["criteria_count"] = pd.array(counts, dtype="Int64")
    if tables is not None:
        converted, estimated = _converted_periods(tables, code)
        history["converted"] = history["period"].isin(converted)
        history["estimated"] = history["period"].isin(estimated)
    return history


def _converted_periods(tables: Mapping[str, pd.DataFrame], code: str) -> tuple[set[int], set[int]]:
    """Periods whose ``models`` row of the commune was converted from another vintage, and
    those estimated from a newer one (by area share)."""
    models = tables.get("models")
    if models is None or "conversion_rule" not in models:
        return set(), set()
    rows = models[models[COMMUNE_CODE].astype(str) == code]
    converted = rows["conversion_rule"].notna() & (rows["conversion_rule"] != RULE_UNCHANGED)
    estimate = rows["estimate"] if "estimate" in rows else pd.Series(False, index=rows.index)
    estimate = estimate.astype("boolean").fillna(False).astype(bool)
    periods = rows["period"].astype(int)
    return set(periods[converted & ~estimate]), set(periods[converted & estimate])


def named_models_of(named: pd.DataFrame | None, code: str, period: int) -> pd.DataFrame:
    """The commune's named models in ``period``, by field (economy first) then name (in
    Vietnamese order, :func:`geo.collation.vietnamese_key`)."""
    columns = ["model_name", "field", "year_recognised", "replicated", "provenance"]
    if named is None or named.empty:
        return pd.DataFrame(columns=columns)
    rows = named[(named[COMMUNE_CODE] == code) & (named["period"] == period)]
    order = {field: i for i, field in enumerate(FIELDS)}
    rows = rows.assign(_order=rows["field"].astype("object").map(order))
    return (
        rows.sort_values(["_order", "model_name"], key=sort_key)
        .reindex(columns=columns)
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class CommuneProfile:
    """Everything the commune panel shows.

    Attributes
    ----------
    code, name, commune_type, district_code, district_name : str
        Identity.
    period : int
        The period of ``indicators`` and ``named_models``.
    indicators : pandas.DataFrame
        :func:`indicator_ranks` for every panel indicator.
    named_models : pandas.DataFrame
        :func:`named_models_of`.
    history : pandas.DataFrame
        :func:`commune_history` (all periods).
    ntm_level : str or None
        NTM level in ``period`` (``None``: not rated or no data).
    ntm_year : int or None
        Year the commune first reached the NTM standard.
    criteria_met : int or None
        NTM criteria met in ``period``.
    """

    code: str
    name: str
    commune_type: str
    district_code: str
    district_name: str
    period: int
    indicators: pd.DataFrame
    named_models: pd.DataFrame
    history: pd.DataFrame
    ntm_level: str | None
    ntm_year: int | None
    criteria_met: int | None

    @property
    def ntm_applies(self) -> bool:
        """Whether the NTM programme rates this unit (xã only, not phường or thị trấn)."""
        return self.commune_type == "Xã"


def _optional_int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def commune_profile(
    over_periods: pd.DataFrame,
    code: str,
    *,
    period: int,
    named: pd.DataFrame | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> CommuneProfile:
    """Build the panel of one commune for ``period``.

    Parameters
    ----------
    over_periods : pandas.DataFrame
        :func:`metrics_over_periods` (must include ``period``).
    code : str
        The commune's GSO code.
    period : int
        The period shown.
    named : pandas.DataFrame, optional
        The ``named_models`` table.
    tables : mapping of str to pandas.DataFrame, optional
        The map's tables (:attr:`geo.analysis.vintages.VintageTables.tables`): the history
        then says which periods were converted from the predecessors (:func:`commune_history`).

    Raises
    ------
    KeyError
        When the commune or the period is not in ``over_periods``.
    """
    metrics = over_periods[over_periods["period"] == period].reset_index(drop=True)
    if metrics.empty:
        raise KeyError(f"no period {period} in the metrics")
    indicators = indicator_ranks(metrics, code)
    row = metrics[metrics[COMMUNE_CODE] == code].iloc[0]
    level = row.get("ntm_level")
    return CommuneProfile(
        code=code,
        name=str(row["commune_name"]),
        commune_type=str(row.get("commune_type", "Xã")),
        district_code=str(row[DISTRICT_CODE]),
        district_name=str(row["district_name"]),
        period=int(period),
        indicators=indicators,
        named_models=named_models_of(named, code, period),
        history=commune_history(over_periods, code, tables=tables),
        ntm_level=level if isinstance(level, str) else None,
        ntm_year=_optional_int(row.get("ntm_year")),
        criteria_met=_optional_int(row.get("criteria_met")),
    )
