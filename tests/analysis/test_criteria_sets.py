"""Lagging rules and the change map ask the NTM criteria set of the period."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis.compare import compare_periods, ntm_not_comparable
from geo.analysis.lagging import CriteriaBelow, CriterionNotMet, NoProgress, find_lagging

IDS = {
    "commune_code": ["00001", "00002", "00003"],
    "commune_name": ["Xã A", "Xã B", "Xã C"],
    "commune_type": ["Xã", "Xã", "Xã"],
    "district_code": ["001", "001", "002"],
    "district_name": ["Huyện X", "Huyện X", "Huyện Y"],
}


def test_criteria_below_uses_the_set_count():
    metrics = pd.DataFrame({**IDS, "criteria_met": [7, 10, 9]})
    found = find_lagging(metrics, [CriteriaBelow.all_of(2026)])
    # Of the 10 criteria of 2026–2030: Xã A misses 3, Xã C 1; Xã B meets all 10.
    assert found[["commune_name", "criteria_below_10"]].values.tolist() == [
        ["Xã A", 3.0],
        ["Xã C", 1.0],
    ]
    assert CriteriaBelow(8, period=2026).describe("vi") == (
        "Số tiêu chí NTM đạt dưới 8/10 (bộ tiêu chí 2026–2030)"
    )
    assert CriteriaBelow.all_of(2024).threshold == 19
    with pytest.raises(ValueError, match="outside 1–10"):
        CriteriaBelow(15, period=2026)  # "below 15" means nothing in 2026


def test_criterion_not_met_where_per_criterion_columns_exist():
    metrics = pd.DataFrame(
        {**IDS, "criteria_met": [9, 9, 9],
         "criterion_7": pd.array([False, True, None], dtype="boolean")}
    )  # fmt: skip
    found = find_lagging(metrics, [CriterionNotMet(7, period=2026)])
    assert found["commune_name"].tolist() == ["Xã A"]  # Xã C: not known, never guessed
    no_column = find_lagging(metrics.drop(columns="criterion_7"), [CriterionNotMet(7, period=2026)])
    assert no_column.empty
    with pytest.raises(ValueError):
        CriterionNotMet(11, period=2026)


def test_change_map_marks_levels_across_sets_not_comparable():
    before = pd.DataFrame({**IDS, "ntm_level": ["not_yet", "ntm", "advanced"],
                           "criteria_met": [15, 19, 19]})  # fmt: skip
    after = before.assign(ntm_level=["ntm", "ntm", "modern"], criteria_met=[10, 10, 10])
    across = compare_periods(before, after, periods=(2024, 2026))
    assert not across["ntm_comparable"].any()
    assert across["ntm_levels_gained"].isna().all() and across["criteria_gained"].isna().all()
    assert across["ntm_reached"].isna().all()  # Xã A's "reaching NTM" is under another yardstick
    within = compare_periods(before, after.assign(criteria_met=[19, 19, 19]), periods=(2022, 2024))
    assert within["ntm_comparable"].all() and within["ntm_levels_gained"].tolist()[0] == 1
    assert ntm_not_comparable(2024, 2026) == (
        "Không so sánh được mức NTM: kỳ 2024 theo bộ tiêu chí 2021–2025, "
        "kỳ 2026 theo bộ tiêu chí 2026–2030"
    )
    assert ntm_not_comparable(2021, 2025) == ""


def test_no_progress_does_not_judge_the_top_level():
    previous = pd.DataFrame({**IDS, "ntm_level": ["model", "ntm", "not_yet"],
                             "criteria_met": [19, 19, 12]})  # fmt: skip
    found = find_lagging(previous, [NoProgress("ntm")], previous=previous)
    assert found["commune_name"].tolist() == ["Xã B", "Xã C"]
