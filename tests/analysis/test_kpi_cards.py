"""KPI cards: 2019 against the published figures, later periods against the previous period."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis.kpi_cards import (
    CARD_KEYS,
    PUBLISHED_PERIOD,
    REFERENCE_PREVIOUS,
    REFERENCE_PUBLISHED,
    kpi_cards,
)
from geo.analysis.metrics import commune_metrics

COMMUNES = pd.DataFrame(
    {
        "commune_code": ["00001", "00002"],
        "commune_name": ["Xã A", "Phường B"],
        "commune_type": ["Xã", "Phường"],
        "district_code": ["001", "001"],
        "district_name": ["Huyện X", "Huyện X"],
        "area_km2": [10.0, 4.0],
    }
)


def metrics(period: int, economy: int, level: str, done: float) -> pd.DataFrame:
    codes = ["00001", "00002"]
    models = pd.DataFrame(
        {
            "commune_code": codes,
            "period": period,
            "models_economy": [economy, 2],
            "models_culture_society": [1, 1],
            "models_defence_security": [1, 0],
            "models_political_system": [0, 1],
            "models_replicated": [1, 0],
            "population": [5000, 9000],
        }
    )
    ntm = pd.DataFrame(
        {
            "commune_code": codes,
            "period": period,
            "ntm_level": [level, None],
            "ntm_year": [2020, None],
            "criteria_met": [19 if period < 2026 else 10, None],
        }
    )
    land = pd.DataFrame(
        {
            "commune_code": codes,
            "period": period,
            "land_done_ha": [done, None],
            "land_planned_ha": [100.0, None],
            "land_status": ["in_progress", None],
        }
    )
    tables = {"models": models, "ntm": ntm, "land": land}
    return commune_metrics(COMMUNES, tables, period=period)


def by_key(cards):
    return {card.key: card for card in cards}


def cards_between(before: tuple, after: tuple, **published):
    """The cards of ``after`` = (period, economy, level, done) counted from ``before``."""
    return by_key(
        kpi_cards(metrics(*after), metrics(*before), period=after[0], base=before[0], **published)
    )


def test_2019_is_set_against_the_published_figures():
    published = {"models_total": 10.0, "land_done_ha": 12.0}
    cards = by_key(
        kpi_cards(metrics(2019, 4, "ntm", 12.0), None, period=2019, base=None, published=published)
    )
    assert [card.key for card in cards.values()] == list(CARD_KEYS)
    total = cards["models_total"]
    assert (total.value, total.reference, total.reference_value) == (
        10.0,
        REFERENCE_PUBLISHED,
        10.0,
    )
    assert total.reference_period == PUBLISHED_PERIOD == 2019
    assert total.matches and total.difference == 0.0 and total.change is None
    assert cards["models_replicated"].reference is None
    assert cards["land_done_ha"].matches


def test_a_difference_from_the_published_figure_is_said():
    cards = by_key(
        kpi_cards(
            metrics(2019, 3, "ntm", 12.5),
            None,
            period=2019,
            base=None,
            published={"land_done_ha": 12.0},
        )
    )
    land = cards["land_done_ha"]
    assert land.difference == pytest.approx(0.5) and land.matches is False
    assert land.decimals == 1


def test_later_periods_are_set_against_the_previous_period_not_the_published_figure():
    published = {"models_total": 10.0, "ntm_communes": 1.0}
    cards = cards_between((2023, 3, "ntm", 12.0), (2024, 7, "advanced", 30.0), published=published)
    total = cards["models_total"]
    assert (total.value, total.change, total.base) == (13.0, 4.0, 2023)
    assert (total.reference, total.reference_value, total.reference_period) == (
        REFERENCE_PREVIOUS,
        9.0,
        2023,
    )
    assert total.difference is None and total.matches is None
    assert cards["ntm_communes"].reference == REFERENCE_PREVIOUS
    assert cards["ntm_communes"].change == 0.0
    assert cards["land_done_ha"].change == pytest.approx(18.0)


def test_ntm_count_is_not_set_against_a_period_of_another_criteria_set():
    cards = cards_between((2025, 7, "model", 30.0), (2026, 8, "ntm", 40.0))
    ntm = cards["ntm_communes"]
    assert not ntm.comparable and ntm.change is None and ntm.reference is None
    assert cards["models_total"].comparable and cards["models_total"].change == 1.0


def test_no_earlier_period_no_change():
    cards = kpi_cards(metrics(2025, 3, "ntm", 1.0), None, period=2025, base=None)
    assert all(card.change is None and card.reference is None for card in cards)
