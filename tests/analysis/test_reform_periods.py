"""Across the 1 July 2025 reform: the demo's 2025/2026 against converted 2024, the period list,
the change map on the 2025 units and a 2025 commune's history."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from geo.analysis.commune_profile import commune_profile, metrics_over_periods
from geo.analysis.compare import change_on_map
from geo.analysis.conversion import convert_tables
from geo.analysis.vintages import provenance_of, tables_for
from geo.figures.indicators import NTM_LEVELS, load_demo, models_total
from geo.geography.admin_units import communes
from geo.geography.crosswalk import crosswalk
from geo.geography.geographies import default_geography_2025, grouped_communes

QUY_DUC = "04873"  # Xã Quy Đức (2025): four former communes


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return load_demo()


@pytest.fixture(scope="module")
def geography():
    return default_geography_2025()


@pytest.fixture(scope="module")
def keyed(geography, demo):
    return tables_for(geography, demo, lang="en")


def _wide(table: pd.DataFrame, column: str) -> pd.DataFrame:
    return table.pivot(index="commune_code", columns="period", values=column)


def test_2025_is_never_below_converted_2024(keyed):
    models = keyed.tables["models"]
    totals = _wide(models.assign(total=models_total(models)), "total")
    assert (totals[2025] >= totals[2024]).all() and (totals[2026] >= totals[2025]).all()
    assert int(totals[2024].sum()) == 6788  # the 2024 total on the 151 old units
    replicated = _wide(models, "models_replicated")
    assert (replicated[2025] >= replicated[2024]).all()
    rank = {level: i for i, level in enumerate(NTM_LEVELS)}
    levels = _wide(keyed.tables["ntm"], "ntm_level").map(lambda v: rank.get(v, -1))
    assert (levels[2025] >= levels[2024]).all()  # never below the derived (lowest) level
    land = _wide(keyed.tables["land"], "land_done_ha").dropna()
    assert (land[2025] >= land[2024] - 1e-9).all()


def test_the_demo_base_is_what_the_conversion_gives(demo):
    """The generator carries 2024 as convert_tables does: 2025 minus growth is never negative,
    and the province's 2024 total is conserved exactly by the conversion."""
    walk = crosswalk("2020-2025", "2025", province_codes="17")
    old = {f: t[t["period"] == 2024] for f, t in demo.items()}
    converted = convert_tables(old, walk)["models"]
    assert int(models_total(converted).sum()) == int(models_total(old["models"]).sum()) == 6788


def test_periods_of_each_map(keyed, demo):
    assert keyed.periods == list(range(2019, 2027))
    old_units = SimpleNamespace(communes=communes("17"), vintage="2020-2025")
    on_old = tables_for(old_units, demo, lang="en")
    assert on_old.periods == list(range(2019, 2025))  # 2025 figures are refused there
    assert on_old.refused == ("2025",)


def test_own_2025_rows_say_unchanged_and_converted_rows_name_predecessors(keyed):
    assert provenance_of(keyed.tables, QUY_DUC, 2025) == []
    rows = provenance_of(keyed.tables, QUY_DUC, 2024)
    assert [row["family"] for row in rows] == ["models", "ntm", "land"]
    models = keyed.tables["models"]
    own = models[models["period"] >= 2025]
    assert (own["conversion_rule"] == "unchanged").all()
    assert (own["from_vintage"] == "2025").all()


def test_change_from_2024_to_2025_happens_on_the_2025_units(geography, demo):
    units = grouped_communes(geography)
    change = change_on_map(geography, demo, (2024, 2025), communes=units, lang="en")
    assert len(change) == 46
    assert int(change["models_total_p0"].sum()) == 6788
    assert int(change["models_total_p1"].sum()) == 7317
    assert int(change["models_added"].sum()) == 7317 - 6788
    assert (change["models_added"] >= 0).all()
    assert change["ntm_comparable"].all()  # 2024 and 2025: both the 2021–2025 set
    gained = change["ntm_levels_gained"].dropna()
    assert len(gained) == 42 and (gained >= 0).all() and gained.sum() > 0
    assert (change["land_added_ha"].dropna() >= -1e-9).all()


def test_change_from_2024_to_2026_crosses_criteria_sets(geography, demo):
    units = grouped_communes(geography)
    change = change_on_map(geography, demo, (2024, 2026), communes=units, lang="en")
    assert int(change["models_added"].sum()) == 7852 - 6788
    assert not change["ntm_comparable"].any()
    assert change["ntm_levels_gained"].isna().all() and change["criteria_gained"].isna().all()
    assert set(change["ntm_level_p1"].dropna().astype(str)) <= {"not_yet", "ntm", "modern"}


def test_a_2025_commune_history_is_its_predecessors_then_its_own(geography, keyed):
    over = metrics_over_periods(grouped_communes(geography), keyed.tables, keyed.periods)
    profile = commune_profile(over, QUY_DUC, period=2026, tables=keyed.tables)
    history = profile.history
    assert history["period"].tolist() == list(range(2019, 2027))
    assert history["converted"].tolist() == [True] * 6 + [False] * 2
    assert history["criteria_count"].tolist() == [19] * 7 + [10]
    assert history["models_total"].notna().all()
    assert history["models_total"].is_monotonic_increasing
    # 2024 is the sum of the four former communes' 2024 figures.
    walk = crosswalk("2020-2025", "2025", province_codes="17").table
    former = walk.loc[walk["to_code"] == QUY_DUC, "from_code"]
    assert len(former) == 4
    old = load_demo()["models"]
    old = old[(old["period"] == 2024) & old["commune_code"].isin(former)]
    assert int(history.loc[history["period"] == 2024, "models_total"].iloc[0]) == int(
        models_total(old).sum()
    )
    assert profile.criteria_met is not None and profile.criteria_met <= 10
