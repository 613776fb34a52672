"""Figures reach a map only through its vintage (geo.analysis.vintages)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis.vintages import provenance_of, tables_for
from geo.figures.indicators import load_demo
from geo.geography.geographies import PHU_THO_2025_KEY, load_geography, shipped_choices
from geo.schema import COMMUNE_CODE, VINTAGE

FIELDS = ["models_economy", "models_culture_society", "models_defence_security"]


@pytest.fixture(scope="module")
def phu_tho():
    choice = next(c for c in shipped_choices() if c.key == PHU_THO_2025_KEY)
    return load_geography(choice)


@pytest.fixture(scope="module")
def converted(phu_tho):
    return tables_for(phu_tho, load_demo(), period=2019, lang="en")


def test_the_46_former_hoa_binh_units_sum_to_the_published_totals(phu_tho, converted):
    models = converted.tables["models"].query("period == 2019")
    on_map = models[models[COMMUNE_CODE].isin(phu_tho.communes[COMMUNE_CODE])]
    assert len(on_map) == 46
    assert on_map[[*FIELDS, "models_political_system"]].sum().tolist() == [1392, 1503, 1102, 651]
    assert int(on_map["models_replicated"].sum()) == 646
    land = converted.tables["land"].query("period == 2019")
    assert land["land_done_ha"].sum() == pytest.approx(4657, abs=0.01)
    assert converted.converted_from == ("2020-2025",)
    assert "102 of 148 communes have no figures" in converted.note


def test_no_value_through_code_coincidence(converted):
    # 04828 is a code of both vintages: the 2025 unit gets the sum of its four predecessors.
    demo = load_demo()["models"].query("period == 2019")
    old = demo.loc[demo[COMMUNE_CODE] == "04828", "models_economy"].item()
    new = converted.tables["models"].query("period == 2019 and commune_code == '04828'")
    assert new["from_codes"].item().count("04828") == 1
    assert new["models_economy"].item() != old
    assert (converted.tables["models"][VINTAGE] == "2025").all()


def test_newer_figures_on_an_older_map_give_nothing_and_say_why():
    layer = pd.DataFrame({COMMUNE_CODE: ["04828", "04891"]})
    geography = type("G", (), {"communes": layer, "vintage": "2020-2025"})()
    models = pd.DataFrame(
        {COMMUNE_CODE: ["04828"], "period": [2025], VINTAGE: ["2025"], "models_economy": [5]}
    )
    out = tables_for(geography, {"models": models}, lang="en")
    assert out.tables["models"].empty
    assert out.refused == ("2025",)
    assert "cannot be shown" in out.note


def test_same_vintage_passes_and_unknown_vintage_joins_on_codes():
    layer = pd.DataFrame({COMMUNE_CODE: ["04828"], VINTAGE: ["unknown"]})
    models = pd.DataFrame(
        {COMMUNE_CODE: ["04828"], "period": [2019], VINTAGE: ["2020-2025"], "models_economy": [5]}
    )
    same = type("G", (), {"communes": layer, "vintage": "2020-2025"})()
    assert tables_for(same, {"models": models}).tables["models"].equals(models)
    assert tables_for(same, {"models": models}).note is None
    unknown = type("G", (), {"communes": layer, "vintage": "unknown"})()
    assert len(tables_for(unknown, {"models": models}).tables["models"]) == 1


def test_provenance_names_the_former_communes(converted):
    rows = provenance_of(converted.tables, "04828", 2019)
    assert rows[0]["from_names"].startswith("Phường Thái Bình")
    rows = provenance_of(converted.tables, "04873", 2019)  # Xã Quy Đức, from four xã
    ntm = next(row for row in rows if row["family"] == "ntm")
    assert ntm["derived"] and ntm["composition"] == "2 of 4 former units at NTM, 53 % of the area"
    assert provenance_of(converted.tables, "no-such-code", 2019) == []


def test_a_2025_phuong_has_no_ntm_figures_even_from_a_rated_xa(converted, phu_tho):
    # Phường Thống Nhất (04828) took in part of Xã Vầy Nưa, rated NTM: the conversion would
    # derive a level; a phường is not rated, so no NTM row reaches the map or the panel.
    wards = phu_tho.communes.loc[phu_tho.communes["commune_type"] != "Xã", COMMUNE_CODE]
    assert "04828" in set(wards)
    ntm = converted.tables["ntm"]
    assert not ntm[COMMUNE_CODE].isin(wards).any()
    assert [r["family"] for r in provenance_of(converted.tables, "04828", 2019)] == [
        "models",
        "land",
    ]
    assert ntm[COMMUNE_CODE].eq("04873").any()  # a xã keeps its derived level


def test_newer_figures_on_older_units_are_left_out_with_their_periods_or_estimated():
    from geo.geography.geographies import default_geography

    geography, tables = default_geography(), load_demo()
    left_out = tables_for(geography, tables, lang="en")
    assert left_out.refused == ("2025",) and left_out.refused_periods == (2025, 2026)
    assert 2026 not in left_out.periods and not left_out.estimated
    assert "choose the 2025 boundaries" in left_out.note and "estimate=True" not in left_out.note
    estimated = tables_for(geography, tables, lang="en", estimate=True)
    assert estimated.refused == () and estimated.estimated == ("2025",)
    assert estimated.estimated_in([2026]) and not estimated.estimated_in([2024])
    assert "ESTIMATED on the 2020-2025 units" in estimated.note
    models = estimated.tables["models"]
    own = tables["models"].query("period == 2026")
    on_older = models[models["period"] == 2026]
    # Every 2025 commune's figure divided among its former communes: the total is kept, and
    # every row says it is an estimate.
    assert int(on_older["models_economy"].sum()) == int(own["models_economy"].sum())
    assert on_older["estimate"].all()
    assert set(on_older[COMMUNE_CODE]) >= set(geography.communes[COMMUNE_CODE])
