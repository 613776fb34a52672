import pandas as pd
import pytest

from geo.analysis.metrics import (
    commune_metrics,
    district_summary,
    province_kpis,
    province_summary,
    unmatched_codes,
)


@pytest.fixture
def communes():
    return pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003", "00004"],
            "commune_name": ["Xã A", "Xã B", "Phường C", "Xã D"],
            "commune_type": ["Xã", "Xã", "Phường", "Xã"],
            "district_code": ["001", "001", "002", "002"],
            "district_name": ["Huyện X", "Huyện X", "Thành phố Y", "Thành phố Y"],
            "area_km2": [10.0, 20.0, 5.0, 40.0],
        }
    )


@pytest.fixture
def tables():
    models = pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003", "00001"],
            "period": [2019, 2019, 2019, 2020],
            "models_economy": [3, 0, 2, 5],
            "models_culture_society": [1, 2, 2, 1],
            "models_defence_security": [0, 0, 1, 0],
            "models_political_system": [1, 0, 0, 1],
            "models_replicated": [2, 0, 1, 2],
            "population": [5000, 2000, None, 5000],
        }
    )
    ntm = pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00004"],
            "period": [2019, 2019, 2019],
            "ntm_level": ["ntm", "not_yet", "advanced"],
            "ntm_year": [2018, None, 2016],
            "criteria_met": [19, 12, 19],
        }
    )
    land = pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00004"],
            "period": [2019, 2019, 2019],
            "land_done_ha": [50.0, 0.0, 30.0],
            "land_planned_ha": [100.0, 0.0, 30.0],
            "land_status": ["in_progress", "not_started", "done"],
        }
    )
    return {"models": models, "ntm": ntm, "land": land}


def test_commune_values_known(communes, tables):
    m = commune_metrics(communes, tables, period=2019).set_index("commune_code")
    assert m.loc["00001", "models_total"] == 5
    assert m.loc["00001", "models_per_km2"] == pytest.approx(0.5)
    assert m.loc["00001", "models_per_1000"] == pytest.approx(1.0)
    assert m.loc["00002", "models_per_km2"] == pytest.approx(0.1)
    # population unknown → per-1000 is NA, the count still shows
    assert pd.isna(m.loc["00003", "models_per_1000"])
    assert m.loc["00003", "models_total"] == 5
    # no models row at all → no data, never zero
    assert pd.isna(m.loc["00004", "models_total"])
    assert pd.isna(m.loc["00004", "models_per_km2"])
    assert m.loc["00001", "land_pct_of_plan"] == pytest.approx(50.0)
    assert pd.isna(m.loc["00002", "land_pct_of_plan"])  # no plan
    assert m.loc["00004", "land_pct_of_plan"] == pytest.approx(100.0)
    assert str(m.loc["00004", "ntm_level"]) == "advanced"
    assert pd.isna(m.loc["00003", "ntm_level"])
    assert list(m["ntm_level"].cat.categories) == ["not_yet", "ntm", "advanced", "model", "modern"]


def test_period_is_selected(communes, tables):
    m = commune_metrics(communes, tables, period=2020).set_index("commune_code")
    assert m.loc["00001", "models_total"] == 7
    assert pd.isna(m.loc["00002", "models_total"])


def test_duplicate_rows_in_a_period_are_refused(communes, tables):
    tables["models"] = pd.concat([tables["models"], tables["models"].iloc[[0]]])
    with pytest.raises(ValueError, match="00001"):
        commune_metrics(communes, tables, period=2019)


def test_districts_add_up_to_province(communes, tables):
    m = commune_metrics(communes, tables, period=2019)
    districts = district_summary(m)
    province = province_summary(m)
    assert list(districts["district_code"]) == ["001", "002"]
    for column in ["models_total", "models_economy", "communes", "ntm_reached", "land_communes"]:
        assert districts[column].sum() == province[column]
    assert districts["land_done_ha"].sum() == province["land_done_ha"] == 80.0
    assert province["models_total"] == 12
    assert province["ntm_reached"] == 2
    assert province["ntm_not_yet"] == 1
    assert province["land_communes"] == 2
    assert province["models_per_km2"] == pytest.approx(12 / 75)
    assert districts.set_index("district_code").loc["001", "land_pct_of_plan"] == pytest.approx(50)


def test_kpis_beside_published(communes, tables):
    m = commune_metrics(communes, tables, period=2019)
    kpis = {k.key: k for k in province_kpis(m, published={"models_total": 10})}
    assert kpis["models_total"].value == 12
    assert kpis["models_total"].difference == 2
    assert kpis["ntm_communes"].value == 2
    assert kpis["ntm_communes"].difference is None
    assert kpis["land_done_ha"].value == 80.0


def test_unmatched_codes_are_reported(communes):
    table = pd.DataFrame({"commune_code": ["00001", "12345", "99999"]})
    assert unmatched_codes(communes, table) == ["12345", "99999"]


def test_a_ward_with_a_derived_ntm_level_is_not_applicable_nor_counted(communes, tables):
    # A 2025 phường formed partly from a rated xã: the conversion gave it a derived level.
    derived = pd.DataFrame(
        {
            "commune_code": ["00003"],
            "period": [2019],
            "ntm_level": ["ntm"],
            "ntm_year": [2017],
            "criteria_met": [19],
        }
    )
    tables = {**tables, "ntm": pd.concat([tables["ntm"], derived], ignore_index=True)}
    m = commune_metrics(communes, tables, period=2019).set_index("commune_code")
    ward = m.loc["00003"]
    assert pd.isna(ward["ntm_level"]) and pd.isna(ward["criteria_met"])
    assert pd.isna(ward["ntm_year"])
    kpis = {k.key: k.value for k in province_kpis(m.reset_index())}
    assert kpis["ntm_communes"] == 2  # Xã A (ntm), Xã D (advanced); not Phường C
    summary = district_summary(m.reset_index()).set_index("district_code")
    assert summary.loc["002", "ntm_applicable"] == 1 and summary.loc["002", "ntm_reached"] == 1
