import pandas as pd
import pytest

from geo.analysis.lagging import (
    ConsolidationBelow,
    CriteriaBelow,
    NoModelInField,
    NoProgress,
    describe_rules,
    find_lagging,
)
from geo.figures.indicators import load_demo


def _metrics(**changes):
    """Five communes in two districts (C is a ward: no NTM rating, no land plan)."""
    frame = pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003", "00004", "00005"],
            "commune_name": ["Xã A", "Xã B", "Phường C", "Xã D", "Xã E"],
            "commune_type": ["Xã", "Xã", "Phường", "Xã", "Xã"],
            "district_code": ["001", "001", "001", "002", "002"],
            "district_name": ["Huyện X", "Huyện X", "Huyện X", "Huyện Y", "Huyện Y"],
            "criteria_met": pd.array([10, 14, None, 19, 12], dtype="Int64"),
            "ntm_level": ["not_yet", "not_yet", None, "ntm", "not_yet"],
            "models_economy": pd.array([0, 2, 0, 0, 1], dtype="Int64"),
            "models_total": pd.array([4, 9, 3, 7, 5], dtype="Int64"),
            "land_done_ha": [20.0, 80.0, None, 40.0, None],
            "land_pct_of_plan": [20.0, 80.0, None, 40.0, None],
        }
    )
    return frame.assign(**changes)


def test_criteria_below_gap_is_the_share_of_criteria_missing():
    found = find_lagging(_metrics(), [CriteriaBelow(15)])
    assert found["commune_name"].tolist() == ["Xã A", "Xã E", "Xã B"]
    assert found["gap"].tolist() == [0.333, 0.2, 0.067]
    assert found["criteria_below_15"].tolist() == [5.0, 3.0, 1.0]
    assert found["criteria_met"].tolist() == [10.0, 12.0, 14.0]
    # The ward is not rated: it never lags on NTM criteria.
    assert "Phường C" not in found["commune_name"].tolist()


def test_and_keeps_communes_failing_every_rule():
    rules = [CriteriaBelow(15), NoModelInField("economy")]
    found = find_lagging(_metrics(), rules, combine="and")
    assert found["commune_code"].tolist() == ["00001"]
    assert found.loc[0, "gap"] == pytest.approx(1.333)
    assert found.loc[0, "rules_failed"] == 2
    assert found.loc[0, "models_economy"] == 0


def test_or_keeps_communes_failing_any_rule_sorted_by_gap_then_district_and_name():
    rules = [CriteriaBelow(15), NoModelInField("economy")]
    found = find_lagging(_metrics(), rules, combine="or")
    assert found["commune_name"].tolist() == ["Xã A", "Phường C", "Xã D", "Xã E", "Xã B"]
    assert found["gap"].tolist() == [1.333, 1.0, 1.0, 0.2, 0.067]
    assert found["rules_failed"].tolist() == [2, 1, 1, 1, 1]
    # A rule a commune passes leaves its shortfall empty.
    assert found.set_index("commune_name")["criteria_below_15"].isna().to_dict() == {
        "Xã A": False,
        "Phường C": True,
        "Xã D": True,
        "Xã E": False,
        "Xã B": False,
    }


def test_consolidation_below_ignores_communes_without_plan():
    found = find_lagging(_metrics(), [ConsolidationBelow(50)])
    assert found["commune_name"].tolist() == ["Xã A", "Xã D"]
    assert found["land_below_50"].tolist() == [30.0, 10.0]
    assert found["gap"].tolist() == [0.6, 0.2]


def test_district_filter_keeps_the_gap():
    everywhere = find_lagging(_metrics(), [CriteriaBelow(15)])
    in_y = find_lagging(_metrics(), [CriteriaBelow(15)], district_code="002")
    assert in_y["commune_name"].tolist() == ["Xã E"]
    assert in_y.loc[0, "gap"] == everywhere.set_index("commune_name").loc["Xã E", "gap"]
    assert find_lagging(_metrics(), [CriteriaBelow(5)]).empty


def test_no_progress_compares_with_the_previous_period():
    previous = _metrics(
        models_total=pd.array([4, 8, 3, 7, 6], dtype="Int64"),
        criteria_met=pd.array([10, 13, None, 19, 12], dtype="Int64"),
        ntm_level=["not_yet", "not_yet", None, "ntm", "not_yet"],
        land_done_ha=[20.0, 50.0, None, 10.0, None],
        land_pct_of_plan=[20.0, 50.0, None, 10.0, None],
    )
    models = find_lagging(_metrics(), [NoProgress("models")], previous=previous)
    # A and C kept their count, D too, E lost one; B gained one.
    assert models["commune_name"].tolist() == ["Phường C", "Xã A", "Xã D", "Xã E"]
    assert models.set_index("commune_name").loc["Xã E", "models_total_previous"] == 6
    ntm = find_lagging(_metrics(), [NoProgress("ntm")], previous=previous)
    # B gained a criterion; D stayed at NTM (it could still reach "advanced").
    assert ntm["commune_name"].tolist() == ["Xã A", "Xã D", "Xã E"]
    land = find_lagging(_metrics(), [NoProgress("land")], previous=previous)
    # A did not move; B and D did; the others have no plan.
    assert land["commune_name"].tolist() == ["Xã A"]


def test_no_progress_needs_the_previous_period():
    with pytest.raises(ValueError, match="previous"):
        find_lagging(_metrics(), [NoProgress("ntm")])


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one rule"):
        find_lagging(_metrics(), [])
    with pytest.raises(ValueError, match="combine"):
        find_lagging(_metrics(), [CriteriaBelow()], combine="xor")
    with pytest.raises(ValueError, match="unknown field"):
        NoModelInField("sport")
    with pytest.raises(ValueError, match="unknown indicator"):
        NoProgress("roads")


def test_rules_describe_themselves_in_both_languages():
    assert CriteriaBelow(15).describe("vi") == "Số tiêu chí NTM đạt dưới 15"
    assert CriteriaBelow(15).describe("en") == "Fewer than 15 NTM criteria met"
    assert NoModelInField("economy").describe("vi") == "Không có mô hình lĩnh vực kinh tế"
    assert ConsolidationBelow(42.5).describe("vi") == "Dồn điền đổi thửa dưới 42,5 % kế hoạch"
    assert ConsolidationBelow(50).describe("en") == "Land consolidated below 50% of plan"
    assert NoProgress("land").describe("en") == (
        "No progress since the previous period in land consolidation"
    )
    rules = [CriteriaBelow(15), NoModelInField("economy")]
    assert describe_rules(rules, "and", "vi") == (
        "Số tiêu chí NTM đạt dưới 15 và không có mô hình lĩnh vực kinh tế"
    )
    assert describe_rules(rules, "or", "en") == (
        "Fewer than 15 NTM criteria met or no model in the economy field"
    )
    assert CriteriaBelow(15).shortfall_label("vi") and not NoModelInField().shortfall_label("vi")


def test_demo_data_has_a_lagging_commune_in_lac_son_in_2019_and_none_later():
    """The scenario of the issue: Lạc Sơn, fewer than 15 criteria and no economic model."""
    from geo.analysis.metrics import commune_metrics
    from geo.geography.geographies import default_geography

    geography = default_geography()
    tables = load_demo()
    rules = [CriteriaBelow(15), NoModelInField("economy")]
    lac_son = "157"
    assert (geography.communes["district_code"] == lac_son).sum() == 24
    m2019 = commune_metrics(geography.communes, tables, period=2019)
    found = find_lagging(m2019, rules, district_code=lac_son)
    assert found["commune_name"].tolist() == ["Xã Tân Mỹ"]
    assert found.loc[0, "criteria_met"] == 11 and found.loc[0, "models_economy"] == 0
    m2022 = commune_metrics(geography.communes, tables, period=2022)
    assert find_lagging(m2022, rules, district_code=lac_son).empty


def test_communes_at_the_same_gap_go_by_district_and_name_in_vietnamese_order():
    metrics = pd.DataFrame(
        {
            "commune_code": ["00010", "00020", "00030", "00040"],
            "commune_name": ["Xã Yên Trị", "Xã Đoàn Kết", "Xã Ân Nghĩa", "Xã Dũng Phong"],
            "district_code": ["159", "150", "150", "148"],
            "district_name": ["Huyện Yên Thủy", "Huyện Đà Bắc", "Huyện Đà Bắc", "Huyện Cao Phong"],
            "criteria_met": [10, 10, 10, 10],
        }
    )
    found = find_lagging(metrics, [CriteriaBelow(15)])
    # Python's order would put Huyện Đà Bắc after Huyện Yên Thủy, and Ân after Yên
    assert found["commune_name"].tolist() == [
        "Xã Dũng Phong",
        "Xã Ân Nghĩa",
        "Xã Đoàn Kết",
        "Xã Yên Trị",
    ]
