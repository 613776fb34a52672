"""Shared fixtures: small synthetic commune layers made with shapely (no files needed)."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pytest
import shapely

# Figure-store fixtures: db_url (SQLite and PostgreSQL), postgres_url, make_report.
from store_fixtures import db_url, make_report, postgres_url  # noqa: F401

#: South-west corner of the synthetic grid: near TP Hòa Bình (105.3°E, 20.8°N).
GRID_ORIGIN = (105.30, 20.80)
#: Cell size of the synthetic grid in degrees (about 2.1 km × 2.2 km).
GRID_CELL = 0.02

_NAMES = (
    "Phường Thái Bình",
    "Phường Tân Hòa",
    "Thị trấn Lương Sơn",
    "Xã Tòng Đậu",
    "Xã Hang Kia",
    "Xã Pà Cò",
    "Xã Mai Hịch",
    "Xã Vạn Mai",
    "Xã Đồng Tân",
)


def _grid(nx: int = 3, ny: int = 3) -> gpd.GeoDataFrame:
    """Square "communes" in rows of ``nx`` from the south-west corner, in the schema columns."""
    x0, y0 = GRID_ORIGIN
    rows = []
    for j in range(ny):
        for i in range(nx):
            k = j * nx + i
            rows.append(
                {
                    "commune_code": f"{4789 + 3 * k:05d}",
                    "commune_name": _NAMES[k % len(_NAMES)] if k < len(_NAMES) else f"Xã Số {k}",
                    "district_code": f"{148 + j:03d}",
                    "district_name": f"Huyện Thử {j + 1}",
                    "province_code": "17",
                    "province_name": "Tỉnh Hòa Bình",
                    "geometry": shapely.box(
                        x0 + i * GRID_CELL,
                        y0 + j * GRID_CELL,
                        x0 + (i + 1) * GRID_CELL,
                        y0 + (j + 1) * GRID_CELL,
                    ),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


@pytest.fixture
def commune_grid() -> gpd.GeoDataFrame:
    """A 3×3 grid of square communes in EPSG:4326 near Hòa Bình, 3 districts, 1 province."""
    return _grid()


@pytest.fixture
def make_commune_grid() -> Callable[..., gpd.GeoDataFrame]:
    """Factory of grids: ``make_commune_grid(nx=5, ny=4)``."""
    return _grid
