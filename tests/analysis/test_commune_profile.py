import pandas as pd
import pytest

from geo.analysis.commune_profile import (
    commune_history,
    commune_profile,
    indicator_ranks,
    metrics_over_periods,
    named_models_of,
)


def _metrics():
    return pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003", "00004", "00005"],
            "commune_name": ["Xã A", "Xã B", "Xã C", "Phường D", "Xã E"],
            "commune_type": ["Xã", "Xã", "Xã", "Phường", "Xã"],
            "district_code": ["001", "001", "001", "002", "002"],
            "district_name": ["Huyện X", "Huyện X", "Huyện X", "Huyện Y", "Huyện Y"],
            "models_total": pd.array([9, 5, 9, 12, None], dtype="Int64"),
            "criteria_met": pd.array([19, 19, 12, None, 15], dtype="Int64"),
            "ntm_level": ["advanced", "ntm", "not_yet", None, "not_yet"],
            "land_planned_ha": [100.0, 0.0, 50.0, None, 20.0],
            "area_km2": [10.0, 20.0, 30.0, 2.0, 15.0],
        }
    )


def test_ranks_count_from_the_best_and_ties_share_the_better_rank():
    ranks = indicator_ranks(_metrics(), "00001", columns=["models_total"]).iloc[0]
    # District X: A 9, B 5, C 9 -> A and C tied first. Province: D 12 first, then A and C.
    assert (ranks["district_rank"], ranks["district_count"], ranks["district_tied"]) == (1, 3, 2)
    assert (ranks["province_rank"], ranks["province_count"], ranks["province_tied"]) == (2, 4, 2)
    b = indicator_ranks(_metrics(), "00002", columns=["models_total"]).iloc[0]
    assert (b["district_rank"], b["province_rank"]) == (3, 4)


def test_communes_without_a_value_are_not_ranked():
    e = indicator_ranks(_metrics(), "00005", columns=["models_total"]).iloc[0]
    assert pd.isna(e["value"]) and pd.isna(e["district_rank"]) and pd.isna(e["province_rank"])
    assert e["district_count"] == 1  # only Phường D has models in district Y


def test_ntm_level_ranks_by_level_then_criteria():
    ranks = {
        code: indicator_ranks(_metrics(), code, columns=["ntm_level"]).iloc[0]["province_rank"]
        for code in ["00001", "00002", "00003", "00005"]
    }
    assert ranks == {"00001": 1, "00002": 2, "00003": 4, "00005": 3}
    ward = indicator_ranks(_metrics(), "00004", columns=["ntm_level"]).iloc[0]
    assert pd.isna(ward["province_rank"])


def test_targets_and_sizes_are_shown_unranked():
    ranks = indicator_ranks(_metrics(), "00001", columns=["land_planned_ha", "area_km2"])
    assert ranks["value"].tolist() == [100.0, 10.0]
    assert ranks["province_rank"].isna().all()


def test_unknown_commune():
    with pytest.raises(KeyError):
        indicator_ranks(_metrics(), "99999")


def test_history_and_named_models():
    over = pd.concat(
        [
            _metrics().assign(period=2020, models_total=pd.array([10, 5, 9, 12, 1], "Int64")),
            _metrics().assign(period=2019),
        ],
        ignore_index=True,
    )
    history = commune_history(over, "00001")
    assert history["period"].tolist() == [2019, 2020]
    assert history["models_total"].tolist() == [9, 10]
    named = pd.DataFrame(
        {
            "commune_code": ["00001", "00001", "00001", "00002"],
            "period": [2019, 2019, 2020, 2019],
            "model_name": ["Zeta", "Alpha", "Beta", "Other"],
            "field": ["political_system", "defence_security", "economy", "economy"],
            "year_recognised": [2017, None, 2018, 2016],
            "replicated": [True, False, False, True],
            "provenance": ["demo", "published", "demo", "demo"],
        }
    )
    models = named_models_of(named, "00001", 2019)
    assert models["model_name"].tolist() == ["Alpha", "Zeta"]  # by field order, then name
    assert named_models_of(None, "00001", 2019).empty

    profile = commune_profile(over, "00003", period=2020, named=named)
    assert (profile.name, profile.district_name, profile.period) == ("Xã C", "Huyện X", 2020)
    assert profile.ntm_level == "not_yet" and profile.criteria_met == 12
    assert profile.ntm_applies and profile.named_models.empty
    assert len(profile.history) == 2
    ward = commune_profile(over, "00004", period=2019)
    assert not ward.ntm_applies and ward.ntm_level is None and ward.criteria_met is None
    with pytest.raises(KeyError):
        commune_profile(over, "00003", period=2030)


def test_demo_profile_of_a_commune_with_a_published_model():
    from geo.figures.indicators import load_demo
    from geo.geography.geographies import default_geography

    geography, tables = default_geography(), load_demo()
    over = metrics_over_periods(geography.communes, tables, [2019, 2024, 2019])
    assert sorted(over["period"].unique()) == [2019, 2024]
    profile = commune_profile(over, "05329", period=2019, named=tables["named_models"])
    assert (profile.name, profile.district_name) == ("Xã Ngọc Sơn", "Huyện Lạc Sơn")
    assert "Bảo vệ cây trồng, vật nuôi, bảo vệ rừng" in profile.named_models["model_name"].tolist()
    totals = profile.indicators.set_index("indicator").loc["models_total"]
    assert totals["district_count"] == 24 and totals["province_count"] == 151
    assert 1 <= totals["district_rank"] <= 24
    with pytest.raises(ValueError):
        metrics_over_periods(geography.communes, tables, [])


def test_a_2025_phuong_panel_says_ntm_not_applicable_and_ranks_only_xa():
    from geo.analysis.vintages import tables_for
    from geo.figures.indicators import load_demo
    from geo.geography.geographies import default_geography_2025, grouped_communes

    geography = default_geography_2025()
    keyed = tables_for(geography, load_demo()).tables
    over = metrics_over_periods(grouped_communes(geography), keyed, [2019])
    # Phường Thống Nhất took in part of Xã Vầy Nưa (rated NTM).
    ward = commune_profile(over, "04828", period=2019)
    assert not ward.ntm_applies and ward.ntm_level is None and ward.criteria_met is None
    ranks = ward.indicators.set_index("indicator")
    assert pd.isna(ranks.loc["ntm_level", "province_rank"])
    xa = commune_profile(over, "04873", period=2019).indicators.set_index("indicator")
    assert xa.loc["ntm_level", "province_count"] == 42  # the 42 xã of the 46 units
