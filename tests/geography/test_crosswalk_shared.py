"""Registry-area shares of the split communes against real polygons of both vintages.

The 2020–2025 polygons of Hòa Bình exist only in ``../shared`` (derived, not shippable); the
module is skipped when the folder is absent.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from repo_paths import REPO_ROOT, SHARED_DATA

from geo.geography.crosswalk import BASIS_POLYGONS, crosswalk

OLD = SHARED_DATA / "boundaries" / "hoabinh_communes_2020-2025_derived_vietnam63.geojson"
NEW = REPO_ROOT / "data" / "boundaries" / "phutho_communes_2025_vnpdb.parquet"

if not OLD.is_file() or not NEW.is_file():
    pytest.skip(f"real layers not found ({OLD}, {NEW})", allow_module_level=True)

pytestmark = pytest.mark.shared


def test_registry_shares_are_within_0_2_of_the_polygon_shares():
    old, new = gpd.read_file(OLD), gpd.read_parquet(NEW)
    registry = crosswalk("2020-2025", "2025", province_codes="17").table
    polygons = crosswalk("2020-2025", "2025", province_codes="17", polygons=(old, new)).table
    split = polygons[polygons["split"]]
    assert set(split["share_basis"]) == {BASIS_POLYGONS}
    merged = split.merge(registry, on=["from_code", "to_code"], suffixes=("_poly", "_reg"))
    error = (merged["share_poly"] - merged["share_reg"]).abs()
    # Measured: Vầy Nưa 0.15, Cao Sơn 0.10, Đồng Tân 0.17 (the registry has no part areas).
    assert error.max() < 0.2, merged[["from_code", "to_code", "share_poly", "share_reg"]]
    # Vầy Nưa: about 17 % of its area went to Phường Thống Nhất.
    vay_nua = merged.set_index(["from_code", "to_code"]).loc[("04891", "04828"), "share_poly"]
    assert vay_nua == pytest.approx(0.175, abs=0.02)
