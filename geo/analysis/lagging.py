"""Communes that lag behind: rules a planner sets, combined with AND / OR, sorted by the gap.

A rule is a small frozen dataclass with a ``key``, a ``describe(lang)`` and an ``evaluate``
that says, for every commune of a :func:`geo.analysis.metrics.commune_metrics` table, whether the
rule
*applies* (its figures are known and the programme concerns the commune: the NTM standard does
not rate wards and towns), whether the commune *fails* it, and by how much (``shortfall`` in the
rule's own unit, ``severity`` from 0 to 1). :func:`find_lagging` keeps the communes that fail
all the rules (``combine="and"``) or at least one (``"or"``) and sorts them by ``gap``, the sum
of the severities of the rules they fail: the furthest behind first.

A commune without a figure for a rule never fails it: lagging is said of figures, not guessed.

Examples
--------
>>> import pandas as pd
>>> metrics = pd.DataFrame({"commune_code": ["00001", "00002", "00003"],
...     "commune_name": ["Xã A", "Xã B", "Xã C"], "district_code": ["001", "001", "002"],
...     "district_name": ["Huyện X", "Huyện X", "Huyện Y"], "criteria_met": [10, 14, 19],
...     "models_economy": [0, 0, 0]})
>>> found = find_lagging(metrics, [CriteriaBelow(15), NoModelInField("economy")])
>>> found[["commune_name", "gap"]].values.tolist()
[['Xã A', 1.333], ['Xã B', 1.067]]
>>> CriteriaBelow(15).describe("vi")
'Số tiêu chí NTM đạt dưới 15'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pandas as pd

from geo.analysis.compare import level_rank
from geo.collation import sort_key
from geo.figures.criteria import (
    CriteriaSet,
    criteria_set_for,
    criterion_column,
    criterion_number,
    set_label,
)
from geo.figures.indicators import FIELD_COLUMNS, FIELDS, NTM_CRITERIA_COUNT, NTM_LEVELS
from geo.i18n import DEFAULT_LANG, Lang, format_number, t
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME

__all__ = [
    "PROGRESS_INDICATORS",
    "ConsolidationBelow",
    "CriteriaBelow",
    "CriteriaChoice",
    "CriterionNotMet",
    "NoModelInField",
    "NoProgress",
    "Rule",
    "RuleResult",
    "criteria_choice",
    "describe_rules",
    "find_lagging",
]

Combine = Literal["and", "or"]
ProgressIndicator = Literal["models", "ntm", "land"]
#: What "no progress since the previous period" can be judged on.
PROGRESS_INDICATORS: tuple[ProgressIndicator, ...] = ("models", "ntm", "land")
_IDENTITY = [COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME]


@dataclass(frozen=True)
class RuleResult:
    """How every commune fares on one rule (Series aligned on the metrics' index).

    Attributes
    ----------
    applies : pandas.Series of bool
        The rule can be judged: figures known, programme concerned.
    failed : pandas.Series of bool
        The commune lags on this rule (always ``False`` where the rule does not apply).
    shortfall : pandas.Series of float
        How far behind, in the rule's unit (criteria, models, percentage points); NaN where
        the commune does not fail.
    severity : pandas.Series of float
        The shortfall scaled to 0–1 (1 for yes/no rules); 0 where the commune does not fail.
    values : dict of str to pandas.Series
        The figures the rule looked at, for the result table (column name → values).
    """

    applies: pd.Series
    failed: pd.Series
    shortfall: pd.Series
    severity: pd.Series
    values: dict[str, pd.Series] = field(default_factory=dict)


class Rule(Protocol):
    """What :func:`find_lagging` needs of a rule."""

    @property
    def key(self) -> str:
        """Stable id, also the name of the rule's shortfall column."""
        ...

    @property
    def needs_previous(self) -> bool:
        """Whether the rule compares with the previous period."""
        ...

    @property
    def graded(self) -> bool:
        """Whether the shortfall is a measure (``True``) or the rule is yes/no (``False``)."""
        ...

    def describe(self, lang: Lang = DEFAULT_LANG) -> str:
        """The rule in words, for the screen and the exported file."""
        ...

    def shortfall_label(self, lang: Lang = DEFAULT_LANG) -> str:
        """Header of the shortfall column of a graded rule ("" for a yes/no rule)."""
        ...

    def evaluate(self, metrics: pd.DataFrame, previous: pd.DataFrame | None) -> RuleResult:
        """Judge every commune of ``metrics``."""
        ...


def _numbers(metrics: pd.DataFrame, column: str) -> pd.Series:
    if column not in metrics:
        return pd.Series(float("nan"), index=metrics.index)
    return pd.to_numeric(metrics[column]).astype("Float64").astype(float)


def _result(
    applies: pd.Series,
    failed: pd.Series,
    shortfall: pd.Series,
    scale: float | None,
    values: dict[str, pd.Series],
) -> RuleResult:
    failed = (failed & applies).fillna(False).astype(bool)
    shortfall = shortfall.where(failed)
    severity = (shortfall / scale).clip(upper=1.0) if scale else failed.astype(float)
    return RuleResult(applies, failed, shortfall, severity.where(failed, 0.0), values)


@dataclass(frozen=True)
class CriteriaBelow:
    """Fewer than ``threshold`` NTM criteria met; xã only.

    The shortfall is the number of criteria missing to reach the threshold. With ``period``
    the rule is said of that period's criteria set ("dưới 8/10 … (bộ tiêu chí 2026–2030)") and
    a threshold above the set's count is refused; ``CriteriaBelow.all_of(period)`` asks for
    every criterion of the set.

    Examples
    --------
    >>> CriteriaBelow.all_of(2026).threshold
    10
    >>> CriteriaBelow(8, period=2026).describe("en")
    'Fewer than 8/10 NTM criteria met (2026–2030 criteria set)'
    """

    threshold: int = 15
    period: int | None = None
    needs_previous = False
    graded = True

    def __post_init__(self) -> None:
        criteria_set = self._set()
        if criteria_set is not None and not 0 < self.threshold <= criteria_set.count:
            raise ValueError(
                f"threshold {self.threshold} is outside 1–{criteria_set.count}, the criteria "
                f"of the {criteria_set.id} set"
            )

    @classmethod
    def all_of(cls, period: int) -> CriteriaBelow:
        """Not every criterion of ``period``'s set met."""
        criteria_set = criteria_set_for(period)
        if criteria_set is None:
            raise ValueError(f"no NTM criteria set holds period {period}")
        return cls(criteria_set.count, period=period)

    def _set(self) -> CriteriaSet | None:
        return criteria_set_for(self.period) if self.period is not None else None

    @property
    def key(self) -> str:
        return f"criteria_below_{self.threshold}"

    def describe(self, lang: Lang = DEFAULT_LANG) -> str:
        criteria_set = self._set()
        if criteria_set is None:
            return t("lag.rule.criteria_below", lang, n=self.threshold)
        return t(
            "lag.rule.criteria_below_set",
            lang,
            n=self.threshold,
            count=criteria_set.count,
            set=set_label(criteria_set, lang),
        )

    def shortfall_label(self, lang: Lang = DEFAULT_LANG) -> str:
        return t("lag.col.criteria_short", lang, n=self.threshold)

    def evaluate(self, metrics: pd.DataFrame, previous: pd.DataFrame | None) -> RuleResult:
        criteria = _numbers(metrics, "criteria_met")
        return _result(
            criteria.notna(),
            criteria < self.threshold,
            self.threshold - criteria,
            float(self.threshold),
            {"criteria_met": criteria},
        )


@dataclass(frozen=True)
class CriterionNotMet:
    """Criterion ``number`` of ``period``'s set not met (a yes/no rule).

    Judged only where the figures have the per-criterion column ``criterion_<number>``
    (:func:`geo.figures.criteria.criterion_column`) with a value.

    Examples
    --------
    >>> CriterionNotMet(7, period=2026).describe()
    'Chưa đạt tiêu chí 7: Khoa học công nghệ và chuyển đổi số'
    """

    number: int
    period: int
    needs_previous = False
    graded = False

    def __post_init__(self) -> None:
        criteria_set = criteria_set_for(self.period)
        if criteria_set is None or not 1 <= self.number <= criteria_set.count:
            raise ValueError(f"period {self.period}'s criteria set has no criterion {self.number}")

    @property
    def key(self) -> str:
        return f"criterion_not_met_{self.number}"

    def describe(self, lang: Lang = DEFAULT_LANG) -> str:
        criteria_set = criteria_set_for(self.period)
        criterion = criteria_set.criterion(self.number) if criteria_set is not None else None
        name = criterion.name_vi if criterion is not None else "—"
        return t("lag.rule.criterion_not_met", lang, number=self.number, name=name)

    def shortfall_label(self, lang: Lang = DEFAULT_LANG) -> str:
        return ""

    def evaluate(self, metrics: pd.DataFrame, previous: pd.DataFrame | None) -> RuleResult:
        column = criterion_column(self.number)
        met = metrics.get(column, pd.Series(pd.NA, index=metrics.index)).astype("boolean")
        one = pd.Series(1.0, index=metrics.index)
        return _result(met.notna(), (~met).fillna(False), one, None, {column: met})


@dataclass(frozen=True)
class NoModelInField:
    """No "Dân vận khéo" model at all in one field (a yes/no rule: severity 1)."""

    field: str = "economy"
    needs_previous = False
    graded = False

    def __post_init__(self) -> None:
        if self.field not in FIELD_COLUMNS:
            raise ValueError(f"unknown field {self.field!r}; expected one of {', '.join(FIELDS)}")

    @property
    def key(self) -> str:
        return f"no_model_{self.field}"

    def describe(self, lang: Lang = DEFAULT_LANG) -> str:
        return t("lag.rule.no_model", lang, field=t(f"lag.field.{self.field}", lang))

    def shortfall_label(self, lang: Lang = DEFAULT_LANG) -> str:
        return ""

    def evaluate(self, metrics: pd.DataFrame, previous: pd.DataFrame | None) -> RuleResult:
        column = FIELD_COLUMNS[self.field]
        count = _numbers(metrics, column)
        one = pd.Series(1.0, index=metrics.index)  # one model missing, at least
        return _result(count.notna(), count == 0, one, None, {column: count})


@dataclass(frozen=True)
class ConsolidationBelow:
    """Land consolidated below ``percent`` % of the plan (communes with a plan only).

    The shortfall is in percentage points of the plan.
    """

    percent: float = 50.0
    needs_previous = False
    graded = True

    @property
    def key(self) -> str:
        return f"land_below_{self.percent:g}"

    def describe(self, lang: Lang = DEFAULT_LANG) -> str:
        decimals = 0 if float(self.percent).is_integer() else 1
        return t(
            "lag.rule.land_below", lang, pct=format_number(self.percent, lang, decimals=decimals)
        )

    def shortfall_label(self, lang: Lang = DEFAULT_LANG) -> str:
        return t("lag.col.land_short", lang)

    def evaluate(self, metrics: pd.DataFrame, previous: pd.DataFrame | None) -> RuleResult:
        share = _numbers(metrics, "land_pct_of_plan")
        return _result(
            share.notna(),
            share < self.percent,
            self.percent - share,
            float(self.percent) if self.percent > 0 else None,
            {"land_pct_of_plan": share},
        )


@dataclass(frozen=True)
class NoProgress:
    """No progress since the previous period on one indicator (a yes/no rule).

    ``models``: no model more than before. ``ntm``: neither a level nor a criterion more
    (communes already at the top level, *model* NTM, are not judged). ``land``: no hectare
    more (communes that have finished their plan are not judged).
    """

    indicator: ProgressIndicator = "ntm"
    needs_previous = True
    graded = False

    def __post_init__(self) -> None:
        if self.indicator not in PROGRESS_INDICATORS:
            raise ValueError(f"unknown indicator {self.indicator!r}")

    @property
    def key(self) -> str:
        return f"no_progress_{self.indicator}"

    def describe(self, lang: Lang = DEFAULT_LANG) -> str:
        return t("lag.rule.no_progress", lang, what=t(f"lag.progress.{self.indicator}", lang))

    def shortfall_label(self, lang: Lang = DEFAULT_LANG) -> str:
        return ""

    def evaluate(self, metrics: pd.DataFrame, previous: pd.DataFrame | None) -> RuleResult:
        if previous is None:
            raise ValueError(f"rule {self.key} needs the previous period's metrics")
        before = previous.set_index(COMMUNE_CODE).reindex(metrics[COMMUNE_CODE])
        before.index = metrics.index

        def pair(column: str) -> tuple[pd.Series, pd.Series]:
            return _numbers(before, column), _numbers(metrics, column)

        if self.indicator == "models":
            old, new = pair("models_total")
            applies = old.notna() & new.notna()
            failed = new <= old
            values = {"models_total_previous": old, "models_total": new}
        elif self.indicator == "ntm":
            old, new = pair("criteria_met")
            # The top level of each set: "model" until 2025, the pilot "modern" from 2026.
            top = min(NTM_LEVELS.index("model"), NTM_LEVELS.index("modern"))
            rank_old = level_rank(before["ntm_level"]).astype("Float64").astype(float)
            rank_new = level_rank(metrics["ntm_level"]).astype("Float64").astype(float)
            applies = old.notna() & new.notna() & rank_old.notna() & rank_new.notna()
            applies &= rank_old < top  # nothing above "model" NTM
            failed = (new <= old) & (rank_new <= rank_old)
            values = {"criteria_met_previous": old, "criteria_met": new}
        else:
            old, new = pair("land_done_ha")
            share = _numbers(before, "land_pct_of_plan")
            applies = old.notna() & new.notna() & share.notna() & (share < 100)
            failed = new <= old
            values = {"land_done_ha_previous": old, "land_done_ha": new}
        return _result(applies, failed, (old - new).clip(lower=0), None, values)


@dataclass(frozen=True)
class CriteriaChoice:
    """What a planner may ask of the NTM criteria of one period (see :func:`criteria_choice`).

    Attributes
    ----------
    criteria_set : CriteriaSet or None
        The set the period is measured against (None: no set holds the period).
    most : int
        The largest threshold of :class:`CriteriaBelow`: the set's count (19, the parser's
        bound, without a set).
    default : int
        The threshold offered first: four fifths of the criteria (15 of 19, 8 of 10).
    criteria : tuple of int
        Criteria with a per-criterion column holding at least one value, for
        :class:`CriterionNotMet` (empty: the figures say only how many criteria are met).
    """

    criteria_set: CriteriaSet | None
    most: int
    default: int
    criteria: tuple[int, ...]


def criteria_choice(metrics: pd.DataFrame, period: int) -> CriteriaChoice:
    """The criteria rules the figures of ``period`` allow: thresholds and single criteria.

    Examples
    --------
    >>> metrics = pd.DataFrame({"criteria_met": [8], "criterion_7": [False], "criterion_2": [None]})
    >>> choice = criteria_choice(metrics, 2026)
    >>> choice.most, choice.default, choice.criteria
    (10, 8, (7,))
    >>> earlier = criteria_choice(metrics.drop(columns="criterion_7"), 2024)
    >>> earlier.most, earlier.default, earlier.criteria
    (19, 15, ())
    """
    criteria_set = criteria_set_for(period)
    most = criteria_set.count if criteria_set is not None else NTM_CRITERIA_COUNT
    numbers = {criterion_number(str(column)): column for column in metrics.columns}
    criteria = tuple(
        number
        for number, column in sorted((n, c) for n, c in numbers.items() if n is not None)
        if criteria_set is not None
        and number <= criteria_set.count
        and metrics[column].notna().any()
    )
    return CriteriaChoice(criteria_set, most, max(1, round(most * 4 / 5)), criteria)


def describe_rules(rules: Sequence[Rule], combine: Combine, lang: Lang = DEFAULT_LANG) -> str:
    """The rules as one sentence: "Fewer than 15 NTM criteria met and no model in …".

    Examples
    --------
    >>> describe_rules([CriteriaBelow(15), NoModelInField("economy")], "and", "en")
    'Fewer than 15 NTM criteria met and no model in the economy field'
    """
    word = f" {t(f'lag.combine_word.{combine}', lang)} "
    texts = [rule.describe(lang) for rule in rules]
    # Later rules continue the sentence: lower-case their first letter (not an acronym's).
    texts[1:] = [x if x[:2].isupper() else x[:1].lower() + x[1:] for x in texts[1:]]
    return word.join(texts)


def find_lagging(
    metrics: pd.DataFrame,
    rules: Sequence[Rule],
    *,
    combine: Combine = "and",
    previous: pd.DataFrame | None = None,
    district_code: str | None = None,
) -> pd.DataFrame:
    """The communes that lag behind by ``rules``, furthest behind first.

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`geo.analysis.metrics.commune_metrics` of the period judged.
    rules : sequence of Rule
        At least one rule (:class:`CriteriaBelow`, :class:`NoModelInField`,
        :class:`ConsolidationBelow`, :class:`NoProgress`).
    combine : {"and", "or"}
        A commune lags if it fails every rule (``"and"``) or at least one (``"or"``).
    previous : pandas.DataFrame, optional
        Metrics of the previous period, for :class:`NoProgress`.
    district_code : str, optional
        Keep only this district's communes (the gap does not depend on it).

    Returns
    -------
    pandas.DataFrame
        ``commune_code, commune_name, district_code, district_name``, ``gap`` (sum of the
        severities of the rules failed, 3 decimals), ``rules_failed``, then per rule the
        figures it looked at and ``<rule.key>`` = its shortfall (NaN where the commune does
        not fail it). Sorted by ``gap`` (largest first), then district and commune name in
        Vietnamese order (:func:`geo.collation.vietnamese_key`); index 0…n-1.

    Raises
    ------
    ValueError
        With no rule, an unknown ``combine``, or a :class:`NoProgress` rule without
        ``previous``.
    """
    if not rules:
        raise ValueError("give at least one rule")
    if combine not in ("and", "or"):
        raise ValueError(f"combine must be 'and' or 'or', not {combine!r}")
    results = [rule.evaluate(metrics, previous) for rule in rules]
    failed = pd.concat([r.failed for r in results], axis=1)
    keep = failed.all(axis=1) if combine == "and" else failed.any(axis=1)
    out = metrics.loc[:, [c for c in _IDENTITY if c in metrics]].copy()
    out["gap"] = sum(r.severity for r in results).round(3)
    out["rules_failed"] = failed.sum(axis=1).astype(int)
    for rule, result in zip(rules, results, strict=True):
        for name, values in result.values.items():
            out[name] = values
        out[rule.key] = result.shortfall
    out = out[keep]
    if district_code is not None:
        out = out[out[DISTRICT_CODE] == district_code]
    out = out.sort_values(
        ["gap", DISTRICT_NAME, COMMUNE_NAME],
        ascending=[False, True, True],
        kind="stable",
        key=sort_key,  # names in Vietnamese order: Đà Bắc right after Cao Phong
    )
    return out.reset_index(drop=True)
