"""What the lagging rules may ask of a period's NTM figures: thresholds of its criteria set,
single criteria where the figures have per-criterion columns."""

from __future__ import annotations

import pandas as pd
from criteria_fixtures import two_xa_and_a_ward

from geo.analysis.lagging import CriterionNotMet, criteria_choice, find_lagging
from geo.analysis.metrics import commune_metrics

COMMUNES = two_xa_and_a_ward()


def _ntm_2026(**criteria: list[object]) -> pd.DataFrame:
    """A 2026 NTM table (10-criteria set), with the given per-criterion columns."""
    return pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003"],
            "period": 2026,
            "ntm_level": ["not_yet", "ntm", "ntm"],
            "criteria_met": [8, 10, 10],
            **criteria,
        }
    )


def test_metrics_carry_per_criterion_columns_for_xa_only():
    table = _ntm_2026(criterion_7=[False, True, False])
    metrics = commune_metrics(COMMUNES, {"ntm": table}, period=2026)
    assert str(metrics["criterion_7"].dtype) == "boolean"
    # A phường is not rated: its criterion figures are dropped like its level.
    assert metrics["criterion_7"].tolist() == [False, True, pd.NA]
    assert "criterion_7" not in commune_metrics(COMMUNES, {"ntm": _ntm_2026()}, period=2026)


def test_choice_follows_the_period_set_and_the_columns_with_values():
    table = _ntm_2026(criterion_7=[False, True, None], criterion_3=[None, None, None])
    metrics = commune_metrics(COMMUNES, {"ntm": table}, period=2026)
    choice = criteria_choice(metrics, 2026)
    assert (choice.criteria_set.id, choice.most, choice.default) == ("2026-2030", 10, 8)
    assert choice.criteria == (7,)  # criterion 3 has no value anywhere: nothing to ask
    found = find_lagging(metrics, [CriterionNotMet(7, period=2026)])
    assert found["commune_name"].tolist() == ["Xã A"]
    # A number beyond the set is no criterion of it (criterion_12 of a 10-criteria set).
    wide = metrics.assign(criterion_12=pd.array([True, False, None], dtype="boolean"))
    assert criteria_choice(wide, 2026).criteria == (7,)
    assert criteria_choice(wide, 2024).criteria == (7, 12)  # 19 criteria until 2025


def test_choice_without_a_set_keeps_the_parser_bound():
    choice = criteria_choice(pd.DataFrame({"criteria_met": [3]}), 2005)
    assert (choice.criteria_set, choice.most, choice.default, choice.criteria) == (
        None,
        19,
        15,
        (),
    )
