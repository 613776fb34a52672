"""Demo periods after the 1 July 2025 reform: 2025 and 2026 on the 46 units of 2025."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.figures.criteria import criteria_set_for
from geo.figures.demo import LAST_PERIOD, REFORM_PERIOD, generate_demo
from geo.figures.indicators import FAMILY_NAMES, FIELD_COLUMNS, load_demo, models_total
from geo.geography.crosswalk import crosswalk
from geo.geography.units_2025 import communes_2025


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate_demo()


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    """The 46 units of 2025 that took in the former Hòa Bình."""
    targets = set(crosswalk("2020-2025", "2025", province_codes="17").table["to_code"])
    table = communes_2025("17")
    return table[table["commune_code"].isin(targets)].set_index("commune_code")


def after(table: pd.DataFrame, period: int | None = None) -> pd.DataFrame:
    rows = table[table["period"] >= REFORM_PERIOD]
    return rows if period is None else rows[rows["period"] == period]


def test_periods_after_the_reform_are_on_the_2025_units(tables, units):
    assert (REFORM_PERIOD, LAST_PERIOD) == (2025, 2026)
    assert len(units) == 46
    for family in FAMILY_NAMES:
        table = tables[family]
        assert sorted(table["period"].unique()) == list(range(2019, 2027))
        assert set(table.loc[table["period"] <= 2024, "vintage"]) == {"2020-2025"}
        assert set(after(table)["vintage"]) == {"2025"}
        assert set(after(table)["commune_code"]) <= set(units.index)
    for family in ("models", "ntm", "land"):
        sizes = after(tables[family]).groupby("period").size()
        assert sizes.to_dict() == {2025: 46, 2026: 46}


def test_shipped_files_hold_the_new_periods_and_pass_the_checks():
    """load_demo checks every NTM row against the set of its period (10 criteria in 2026)."""
    ntm = load_demo()["ntm"]
    assert set(ntm.loc[ntm["period"] == 2026, "vintage"]) == {"2025"}


def test_2025_is_measured_against_the_19_criteria(tables):
    ntm = after(tables["ntm"], 2025)
    known = criteria_set_for(2025)
    assert known.count == 19
    assert set(ntm["ntm_level"].dropna().astype(str)) <= set(known.levels)
    assert ntm["criteria_met"].dropna().between(0, 19).all()
    assert (ntm.loc[ntm["ntm_level"] >= "ntm", "criteria_met"] == 19).all()


def test_2026_is_measured_against_the_10_criteria_with_a_pilot_or_two(tables):
    ntm = after(tables["ntm"], 2026)
    known = criteria_set_for(2026)
    assert (known.count, known.levels) == (10, ("not_yet", "ntm", "modern"))
    levels = ntm["ntm_level"].dropna().astype(str)
    assert set(levels) <= set(known.levels)
    assert 1 <= int((levels == "modern").sum()) <= 2
    assert ntm["criteria_met"].dropna().between(0, 10).all()
    reached = ntm["ntm_level"].astype(str).isin(["ntm", "modern"])
    assert (ntm.loc[reached, "criteria_met"] == 10).all()
    assert (ntm.loc[ntm["ntm_level"] == "not_yet", "criteria_met"] < 10).all()
    # Recognition is kept across the change of set: NTM in 2025, NTM (or the pilot) in 2026.
    wide = after(tables["ntm"]).pivot(index="commune_code", columns="period", values="ntm_level")
    was = wide[2025].astype(str).isin(["ntm", "advanced", "model"])
    assert wide.loc[was, 2026].astype(str).isin(["ntm", "modern"]).all()


def test_wards_are_not_rated_for_ntm(tables, units):
    wards = units.index[units["commune_type"] != "Xã"]
    assert len(wards) == 4
    ntm = after(tables["ntm"])
    rows = ntm[ntm["commune_code"].isin(wards)]
    assert rows[["ntm_level", "criteria_met", "ntm_year"]].isna().all().all()
    xa = ntm[~ntm["commune_code"].isin(wards)]
    assert xa["ntm_level"].notna().all()


def test_counts_grow_a_little_and_named_models_fit(tables):
    models = tables["models"].assign(total=models_total(tables["models"]))
    totals = models.groupby("period")["total"].sum()
    for year in (2025, 2026):
        assert 1.0 < totals[year] / totals[year - 1] < 1.15
    wide = after(models).pivot(index="commune_code", columns="period", values="total")
    assert (wide[2026] >= wide[2025]).all()
    named = after(tables["named_models"])
    assert not named.duplicated(["commune_code", "period", "model_name"]).any()
    indexed = after(models).set_index(["commune_code", "period"])
    per_field = named.groupby(["commune_code", "period", "field"], observed=True).size()
    for (code, period, field), count in per_field.items():
        assert count <= indexed.loc[(code, period), FIELD_COLUMNS[field]]
    assert set(named.loc[named["provenance"] == "published", "period"]) == {2025, 2026}


def test_land_keeps_its_rules(tables):
    land = after(tables["land"])
    rated = land[land["land_status"].notna()]
    done = rated["land_status"] == "done"
    assert (rated.loc[done, "land_done_ha"] >= rated.loc[done, "land_planned_ha"]).all()
    assert (rated.loc[~done, "land_done_ha"] < rated.loc[~done, "land_planned_ha"]).all()
    assert (rated["land_year"].notna() == done).all()
    wide = land.pivot(index="commune_code", columns="period", values="land_done_ha").dropna()
    assert (wide[2026] >= wide[2025]).all()
