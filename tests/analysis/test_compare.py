import pandas as pd
import pytest

from geo.analysis.compare import CHANGE_COLUMNS, compare_periods, level_rank
from geo.analysis.metrics import commune_metrics


@pytest.fixture
def communes():
    return pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003"],
            "commune_name": ["Xã A", "Xã B", "Phường C"],
            "commune_type": ["Xã", "Xã", "Phường"],
            "district_code": ["001", "001", "002"],
            "district_name": ["Huyện X", "Huyện X", "Huyện Y"],
            "area_km2": [10.0, 20.0, 5.0],
        }
    )


def _tables(period, economy, levels, criteria, done):
    models = pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003"],
            "period": period,
            "models_economy": economy,
            "models_culture_society": 1,
            "models_defence_security": 1,
            "models_political_system": 0,
            "models_replicated": 0,
        }
    )
    ntm = pd.DataFrame(
        {
            "commune_code": ["00001", "00002"],
            "period": period,
            "ntm_level": levels,
            "criteria_met": criteria,
        }
    )
    land = pd.DataFrame(
        {
            "commune_code": ["00001", "00002"],
            "period": period,
            "land_done_ha": done,
            "land_planned_ha": [100.0, 50.0],
        }
    )
    return {"models": models, "ntm": ntm, "land": land}


def test_known_changes(communes):
    before = commune_metrics(
        communes, _tables(2019, [3, 0, 1], ["not_yet", "ntm"], [12, 19], [0.0, 10.0]), period=2019
    )
    after = commune_metrics(
        communes,
        _tables(2021, [5, 0, 4], ["ntm", "advanced"], [19, 19], [30.0, 10.0]),
        period=2021,
    )
    change = compare_periods(before, after)
    assert change["commune_code"].tolist() == ["00001", "00002", "00003"]
    assert change["models_added"].tolist() == [2, 0, 3]
    assert change["models_economy_added"].tolist() == [2, 0, 3]
    assert change["models_total_p0"].tolist() == [5, 2, 3]
    assert change["models_total_p1"].tolist() == [7, 2, 6]
    assert change["ntm_levels_gained"].tolist()[:2] == [1, 1]
    assert change["criteria_gained"].tolist()[:2] == [7, 0]
    assert change["ntm_reached"].tolist()[:2] == [True, False]
    assert change["land_added_ha"].tolist()[:2] == [30.0, 0.0]
    assert change["land_pct_points"].tolist()[:2] == [30.0, 0.0]
    assert [str(v) for v in change["ntm_level_p1"].tolist()[:2]] == ["ntm", "advanced"]
    # The ward is not rated and has no plan: no data, never a zero change.
    ward = change.iloc[2]
    assert pd.isna(ward["ntm_levels_gained"]) and pd.isna(ward["ntm_reached"])
    assert pd.isna(ward["land_added_ha"]) and pd.isna(ward["criteria_gained"])
    assert set(CHANGE_COLUMNS) <= set(change.columns)
    assert change["area_km2"].tolist() == [10.0, 20.0, 5.0]


def test_missing_period_figures_give_no_data(communes):
    before = commune_metrics(
        communes, _tables(2019, [3, 0, 1], ["not_yet", "ntm"], [12, 19], [0.0, 10.0]), period=2019
    )
    tables = _tables(2021, [5, 0, 4], ["ntm", "ntm"], [19, 19], [30.0, 10.0])
    tables["models"] = tables["models"].iloc[:2]  # Phường C: no models row in 2021
    after = commune_metrics(communes, tables, period=2021)
    change = compare_periods(before, after)
    assert change["models_added"].isna().tolist() == [False, False, True]


def test_order_follows_the_later_period(communes):
    tables = _tables(2019, [3, 0, 1], ["not_yet", "ntm"], [12, 19], [0.0, 10.0])
    before = commune_metrics(communes, tables, period=2019)
    after = before.iloc[::-1].reset_index(drop=True)
    change = compare_periods(before, after)
    assert change["commune_code"].tolist() == ["00003", "00002", "00001"]
    assert change["models_added"].tolist() == [0, 0, 0]


def test_different_communes_are_refused(communes):
    tables = _tables(2019, [3, 0, 1], ["not_yet", "ntm"], [12, 19], [0.0, 10.0])
    before = commune_metrics(communes, tables, period=2019)
    with pytest.raises(ValueError, match="same communes"):
        compare_periods(before, before.iloc[:2])


def test_level_rank():
    levels = pd.Series(["not_yet", "ntm", "advanced", "model", None])
    assert level_rank(levels).tolist() == [0, 1, 2, 3, pd.NA]


def test_demo_change_2019_to_2024():
    from geo.figures.indicators import load_demo
    from geo.geography.geographies import default_geography

    geography, tables = default_geography(), load_demo()
    before = commune_metrics(geography.communes, tables, period=2019)
    after = commune_metrics(geography.communes, tables, period=2024)
    change = compare_periods(before, after)
    # Province totals: the changes add up to the difference of the totals.
    assert (
        change["models_added"].sum() == after["models_total"].sum() - before["models_total"].sum()
    )
    reached = int(change["ntm_reached"].sum())
    gained = after["ntm_level"].astype(str).isin(["ntm", "advanced", "model"]).sum()
    assert reached == gained - before["ntm_level"].astype(str).isin(["ntm"]).sum()
    assert (change["land_added_ha"].dropna() >= 0).all()
