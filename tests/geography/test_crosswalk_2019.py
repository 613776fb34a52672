"""2019 → 2020–2025 → 2025 for Hòa Bình: the table written from Resolution 830/NQ-UBTVQH14."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.analysis.conversion import convert_tables
from geo.geography.crosswalk import (
    BASIS_RESOLUTION,
    BASIS_SPLIT_UNKNOWN,
    BASIS_WHOLE,
    CrosswalkError,
    crosswalk,
    table_2019_hoabinh,
)
from geo.geography.units_2025 import successors_2025

SHARED_2019 = Path("/work/shared/data/boundaries/hoabinh_communes_2019_vietnam63.geojson")


def test_every_2019_unit_reaches_the_151_units_of_2020():
    table = table_2019_hoabinh()
    assert table["from_code"].nunique() == 210
    codes_2020 = set(successors_2025("17")["old_code"])
    assert len(codes_2020) == 151
    assert set(table["to_code"]) == codes_2020  # every 2020–2025 unit reached, none invented
    assert table.groupby("from_code")["share"].sum().round(12).eq(1.0).all()


def test_split_units_carry_the_resolutions_areas():
    table = table_2019_hoabinh().set_index(["from_code", "to_code"])
    # Chăm Mát: 1.17 km² to Dân Chủ, 1.71 km² to Thống Nhất (Article 1, clause 2 a-b).
    assert table.loc[("04810", "04819"), "share"] == pytest.approx(1.17 / 2.88)
    assert table.loc[("04810", "04828"), "share"] == pytest.approx(1.71 / 2.88)
    assert table.loc[("04810", "04819"), "share_basis"] == BASIS_RESOLUTION
    assert table.loc[("04867", "04867"), "part_km2"] == pytest.approx(35.21)
    unknown = table[table["share_basis"] == BASIS_SPLIT_UNKNOWN].index.get_level_values(0)
    assert sorted(unknown) == ["04822", "04915", "05203"]  # Thái Thịnh, Dân Hạ, Tân Mai
    assert set(table["share_basis"]) == {BASIS_WHOLE, BASIS_RESOLUTION, BASIS_SPLIT_UNKNOWN}


@pytest.mark.skipif(not SHARED_2019.exists(), reason="shared 2019 layer not available")
def test_units_assigned_whole_agree_with_the_shared_2019_layer():
    layer = gpd.read_file(SHARED_2019)
    assert len(layer) == 210
    table = table_2019_hoabinh()
    assert set(table["from_code"]) == set(layer["commune_code"])
    whole = table[table["share_basis"] == BASIS_WHOLE].set_index("from_code")["to_code"]
    expected = layer.set_index("commune_code")["code_2020_2025"]
    disagree = whole[whole != expected[whole.index]]
    assert disagree.empty, disagree


def _synthetic_2019() -> pd.DataFrame:
    codes = table_2019_hoabinh()["from_code"].unique()
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "commune_code": codes,
            "period": 2019,
            "vintage": "2019",
            "models_economy": rng.integers(0, 40, len(codes)),
            "models_culture_society": rng.integers(0, 40, len(codes)),
            "models_defence_security": rng.integers(0, 20, len(codes)),
            "models_political_system": rng.integers(0, 20, len(codes)),
            "models_replicated": rng.integers(0, 9, len(codes)),
            "population": rng.integers(1000, 20000, len(codes)),
        }
    )


@pytest.mark.parametrize("target", ["2020-2025", "2025"])
def test_additive_totals_are_kept_exactly(target):
    figures = _synthetic_2019()
    walk = crosswalk("2019", target)
    out = convert_tables({"models": figures}, walk, lang="en")["models"]
    for column in ("models_economy", "models_replicated", "population"):
        assert out[column].sum() == figures[column].sum(), column
    assert out["commune_code"].nunique() == (151 if target == "2020-2025" else 46)
    assert out["conversion_note"].notna().all()


def test_2019_to_2025_composes_through_2020_2025():
    walk = crosswalk("2019", "2025")
    assert walk.from_vintage == "2019" and walk.to_vintage == "2025"
    assert "830/NQ-UBTVQH14" in walk.source and "converter_2025" in walk.source
    assert walk.table.groupby("from_code")["share"].sum().round(12).eq(1.0).all()
    # Xã Vầy Nưa went whole into its 2020 unit, then was split in 2025: its shares carry over.
    first = crosswalk("2020-2025", "2025").table
    vay_nua = walk.table[walk.table["from_code"] == "04891"].set_index("to_code")["share"]
    expected = first[first["from_code"] == "04891"].set_index("to_code")["share"]
    pd.testing.assert_series_equal(vay_nua.sort_index(), expected.sort_index())


@pytest.mark.parametrize(
    ("source", "target", "kwargs", "text"),
    [
        ("2019", "2020-2025", {"province_codes": "25"}, "known for province 25"),
        ("2019", "2025", {"province_codes": "all"}, "known for province 01"),
        ("2025", "2019", {"estimate": True}, "never go back to the 2019 units"),
    ],
)
def test_other_provinces_and_going_back_are_refused(source, target, kwargs, text):
    with pytest.raises(CrosswalkError, match=text):
        crosswalk(source, target, lang="en", **kwargs)
