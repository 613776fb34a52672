"""The crosswalk between boundary vintages: pairs, shares, bases, refusals."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo.geography.crosswalk import (
    BASIS_POLYGONS,
    BASIS_REGISTRY,
    BASIS_WHOLE,
    CROSSWALK_COLUMNS,
    CrosswalkError,
    crosswalk,
)

#: The three 2020–2025 communes of Hòa Bình split between two 2025 communes.
SPLITS = {
    "04891": {"04828", "04891"},  # Xã Vầy Nưa: Phường Thống Nhất, Xã Tiền Phong
    "04957": {"04924", "04960"},  # Xã Cao Sơn (Lương Sơn): Xã Lương Sơn, Xã Liên Sơn
    "05221": {"05200", "05212"},  # Xã Đồng Tân: Xã Mai Châu, Xã Pà Cò
}


@pytest.fixture(scope="module")
def forward():
    return crosswalk("2020-2025", "2025", province_codes="17")


def test_hoa_binh_goes_into_46_units_with_all_151_predecessors(forward):
    table = forward.table
    assert list(table.columns) == list(CROSSWALK_COLUMNS)
    assert table["from_code"].nunique() == 151
    assert table["to_code"].nunique() == 46
    assert len(table) == 154  # 148 whole + 3 split into 2


def test_shares_of_each_predecessor_sum_to_one(forward):
    sums = forward.table.groupby("from_code")["share"].sum()
    assert sums.round(12).eq(1.0).all()


def test_split_predecessors_are_apportioned_by_registry_areas(forward):
    table = forward.table
    split = table[table["split"]]
    assert {code: set(rows["to_code"]) for code, rows in split.groupby("from_code")} == SPLITS
    assert set(split["share_basis"]) == {BASIS_REGISTRY}
    assert (split["share"].between(0, 1, inclusive="neither")).all()
    # Vầy Nưa: registry areas 55.21 km² (Thống Nhất) and 116.31 km² (Tiền Phong).
    vay_nua = split.set_index(["from_code", "to_code"])["share"]
    assert vay_nua["04891", "04828"] == pytest.approx(55.21 / (55.21 + 116.31))
    whole = table[~table["split"]]
    assert set(whole["share_basis"]) == {BASIS_WHOLE} and whole["share"].eq(1.0).all()


def test_part_areas_fill_each_successor_exactly(forward):
    registry = {"04828": 55.21, "04891": 116.31}
    parts = forward.table.groupby("to_code")["part_km2"].sum()
    for code, area in registry.items():
        assert parts[code] == pytest.approx(area)


def test_a_code_coincidence_is_no_pair(forward):
    """Phường Thống Nhất (2025) reuses the code 04828 of one of its four predecessors."""
    rows = forward.predecessors("04828")
    assert set(rows["from_code"]) == {"04789", "04819", "04828", "04891"}


def test_going_back_is_refused_with_the_reason():
    with pytest.raises(CrosswalkError) as caught:
        crosswalk("2025", "2020-2025", lang="en")
    assert "cannot be shown on the units of 2020-2025" in str(caught.value)
    assert "estimate" in str(caught.value)
    with pytest.raises(CrosswalkError, match="không thể hiển thị"):
        crosswalk("2025", "2020-2025")


def test_going_back_as_an_estimate_says_so_on_every_row():
    back = crosswalk("2025", "2020-2025", province_codes="17", estimate=True)
    assert back.estimate and back.table["estimate"].all()
    assert back.from_vintage == "2025" and back.to_vintage == "2020-2025"
    assert back.table.groupby("from_code")["share"].sum().round(12).eq(1.0).all()
    assert back.table["to_code"].nunique() == 151


@pytest.mark.parametrize(
    ("source", "target", "text"),
    [
        ("2020-2025", "2019", "never go back to the 2019 units"),
        ("2025", "2025", "nothing to convert"),
        ("2026", "2025", "unknown boundary vintage '2026'"),
    ],
)
def test_unavailable_pairs_are_refused(source, target, text):
    with pytest.raises(CrosswalkError, match=text):
        crosswalk(source, target, lang="en")


def test_polygons_give_the_shares_where_both_sides_are_found():
    """Vầy Nưa drawn as a box; a quarter of it in Thống Nhất, three quarters in Tiền Phong."""
    box = shapely.box(105.0, 20.0, 105.04, 20.01)
    left, right = shapely.box(105.0, 20.0, 105.01, 20.01), shapely.box(105.01, 20.0, 105.04, 20.01)
    old = gpd.GeoDataFrame({"commune_code": ["04891"]}, geometry=[box], crs=4326)
    new = gpd.GeoDataFrame({"commune_code": ["04828", "04891"]}, geometry=[left, right], crs=4326)
    walk = crosswalk("2020-2025", "2025", province_codes="17", polygons=(old, new))
    rows = walk.table.set_index(["from_code", "to_code"])
    assert rows.loc[("04891", "04828"), "share"] == pytest.approx(0.25, abs=1e-3)
    assert rows.loc[("04891", "04828"), "share_basis"] == BASIS_POLYGONS
    # The other splits have no polygon here: they stay on the registry's areas.
    assert rows.loc[("04957", "04924"), "share_basis"] == BASIS_REGISTRY
