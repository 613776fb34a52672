"""What each KPI card of the area says: its value, its change, and what it is set against.

Only period 2019 has published figures (Báo Hòa Bình, to 4/2019). A card of that period is set
against the published figure where it speaks of the same area; a card of a later period is set
against the previous period with figures (the published 2019 figure says nothing about 2025).
The count of communes at the NTM standard is not set against a period measured with another
criteria set (19 criteria until 2025, 10 from 2026): a commune "at the standard" is not the same
achievement under both (:func:`geo.figures.criteria.same_set`).

Examples
--------
>>> import pandas as pd
>>> from geo.analysis.metrics import commune_metrics
>>> communes = pd.DataFrame({"commune_code": ["00001"], "commune_name": ["Xã A"],
...     "commune_type": ["Xã"], "district_code": ["001"], "district_name": ["Huyện X"],
...     "area_km2": [10.0]})
>>> def metrics(period, economy):
...     models = pd.DataFrame({"commune_code": ["00001"], "period": [period],
...         "models_economy": [economy], "models_culture_society": [1],
...         "models_defence_security": [1], "models_political_system": [1],
...         "models_replicated": [1], "population": [5000]})
...     ntm = pd.DataFrame({"commune_code": ["00001"], "period": [period],
...         "ntm_level": ["ntm"], "ntm_year": [2020], "criteria_met": [19]})
...     return commune_metrics(communes, {"models": models, "ntm": ntm}, period=period)
>>> card = kpi_cards(metrics(2025, 5), metrics(2024, 2), period=2025, base=2024)[0]
>>> card.key, card.value, card.change, card.reference, card.reference_value
('models_total', 8.0, 3.0, 'previous', 5.0)
>>> ntm = kpi_cards(metrics(2026, 5), metrics(2025, 5), period=2026, base=2025)[2]
>>> ntm.key, ntm.comparable, ntm.change, ntm.reference
('ntm_communes', False, None, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from geo.analysis.metrics import province_kpis
from geo.figures.criteria import same_set

__all__ = [
    "CARD_KEYS",
    "MATCH_TOLERANCE",
    "PUBLISHED_PERIOD",
    "REFERENCE_PREVIOUS",
    "REFERENCE_PUBLISHED",
    "KpiCard",
    "kpi_cards",
]

#: The period the published figures refer to (the article gives figures to 4/2019).
PUBLISHED_PERIOD = 2019
#: The cards, left to right.
CARD_KEYS: tuple[str, ...] = (
    "models_total",
    "models_replicated",
    "ntm_communes",
    "land_communes",
    "land_done_ha",
)
#: A card set against the published figure.
REFERENCE_PUBLISHED = "published"
#: A card set against the previous period.
REFERENCE_PREVIOUS = "previous"
#: Below this absolute difference a computed figure "matches" the published one.
MATCH_TOLERANCE = 0.05
# Cards measured against the NTM criteria set of their period.
_NTM_CARDS = frozenset({"ntm_communes"})


@dataclass(frozen=True)
class KpiCard:
    """One card.

    Attributes
    ----------
    key : str
        The indicator (:data:`CARD_KEYS`).
    value : float
        Computed from the data of ``period``.
    unit : str
        ``models``, ``communes`` or ``ha``.
    decimals : int
        Decimals to show (1 for a fractional value).
    change : float or None
        ``value`` minus the value of ``base``; None without a base or when the two periods
        are measured with different NTM criteria sets (``comparable`` False).
    base : int or None
        The period changes are counted from.
    reference : str or None
        :data:`REFERENCE_PUBLISHED`, :data:`REFERENCE_PREVIOUS` or None (nothing to set it
        against).
    reference_value : float or None
        The published figure, or the previous period's value.
    reference_period : int or None
        The period of ``reference_value``.
    difference : float or None
        ``value`` minus the published figure (only for :data:`REFERENCE_PUBLISHED`).
    comparable : bool
        False when the base period is measured against another NTM criteria set.
    """

    key: str
    value: float
    unit: str
    decimals: int
    change: float | None = None
    base: int | None = None
    reference: str | None = None
    reference_value: float | None = None
    reference_period: int | None = None
    difference: float | None = None
    comparable: bool = True

    @property
    def matches(self) -> bool | None:
        """Whether the computed figure matches the published one (None: not published)."""
        if self.difference is None:
            return None
        return abs(self.difference) < MATCH_TOLERANCE


def kpi_cards(
    metrics: pd.DataFrame,
    before: pd.DataFrame | None,
    *,
    period: int,
    base: int | None,
    published: Mapping[str, float] | None = None,
    keys: tuple[str, ...] = CARD_KEYS,
) -> list[KpiCard]:
    """The cards of one period.

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`geo.analysis.metrics.commune_metrics` of ``period``.
    before : pandas.DataFrame or None
        The same of ``base`` (None: no earlier period).
    period : int
        The period shown.
    base : int or None
        The period changes are counted from (the previous one, or the earlier one compared).
    published : mapping of str to float, optional
        Published figures that speak of the same area, by key (they refer to
        :data:`PUBLISHED_PERIOD`).
    keys : tuple of str
        The cards wanted, in order.

    Returns
    -------
    list of KpiCard
    """
    published = published or {}
    now = {kpi.key: kpi for kpi in province_kpis(metrics)}
    earlier = {kpi.key: kpi for kpi in province_kpis(before)} if before is not None else {}
    cards = []
    for key in keys:
        kpi = now[key]
        comparable = base is None or key not in _NTM_CARDS or same_set(base, period)
        previous = earlier.get(key) if comparable else None
        card = KpiCard(
            key=key,
            value=kpi.value,
            unit=kpi.unit,
            decimals=1 if kpi.value % 1 else 0,
            change=None if previous is None else kpi.value - previous.value,
            base=base,
            comparable=comparable,
        )
        if period == PUBLISHED_PERIOD and key in published:
            figure = float(published[key])
            card = replace(
                card,
                reference=REFERENCE_PUBLISHED,
                reference_value=figure,
                reference_period=PUBLISHED_PERIOD,
                difference=kpi.value - figure,
            )
        elif previous is not None:
            card = replace(
                card,
                reference=REFERENCE_PREVIOUS,
                reference_value=previous.value,
                reference_period=base,
            )
        cards.append(card)
    return cards
