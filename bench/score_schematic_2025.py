"""Score the 2025 schematic of Phú Thọ against its real 2025 communes.

The real layer (``../shared/data/boundaries/phutho_communes_2025_vnpdb.geojson``, next to the
repository; 148 communes from 1 July 2025) is read only here, to measure the method; nothing
from it goes into the method.

Two methods are compared, both from the registry package ``vietnamadminunits`` alone:

``dissolve`` (the one :func:`geo.geography.schematic.schematic_communes_2025` uses)
    The 2020–2025 schematic of the three provinces that became Phú Thọ (Hòa Bình, Phú Thọ,
    Vĩnh Phúc), built together, merged through the 2020–2025 → 2025 converter; split
    predecessors are cut by the Voronoi edges of their receivers' centres.
``centres``
    The same machinery as the 2020–2025 schematic (:func:`build_schematic`) fed with the 2025
    centres (``wardLat``, ``wardLon``) and, for want of official extents, a square extent of
    twice the registry area (``wardAreaKm2``): a bounding box holds about twice the area of the
    polygon in it.

Usage::

    python bench/score_schematic_2025.py [--real PATH] [--method dissolve|centres|both] [--strict]

Prints the build time (no cache) and the intersection over union (IoU) of each cell with the
real polygon of the same ``commune_code``: median, mean, min, how many below 0.2, the 10 worst,
and PASS/FAIL against the target (median ≥ 0.6) for the method the atlas uses. ``--strict``
exits with status 1 on FAIL.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a plain checkout
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from bench.score_schematic import iou  # noqa: E402
from geo.geography.admin_units import communes  # noqa: E402
from geo.geography.schematic import (  # noqa: E402
    EVIDENCE_COLUMNS,
    build_schematic,
    dissolve_to_2025,
)
from geo.geography.units_2025 import (  # noqa: E402
    centres_2025,
    communes_2025,
    predecessors_2025,
)
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, METRIC_CRS  # noqa: E402

REAL = ROOT.parent / "shared/data/boundaries/phutho_communes_2025_vnpdb.geojson"
PROVINCE = "25"
TARGET_MEDIAN = 0.6
#: Bounding box area over polygon area of a typical commune (square extent of the ``centres``
#: method): a convex blob fills about half of its box.
BOX_OVER_AREA = 2.0


def by_dissolve(province: str) -> gpd.GeoDataFrame:
    """The atlas's method: the 2020–2025 schematic merged through the converter (no cache)."""
    legacy = sorted(set(predecessors_2025(province)["old_province_code"]))
    return dissolve_to_2025(build_schematic(communes(legacy)), province)


def by_centres(province: str) -> gpd.GeoDataFrame:
    """The schematic machinery fed with the 2025 centres and a square extent of the area."""
    units = communes_2025(province).merge(centres_2025(province), on=COMMUNE_CODE)
    half_km = np.sqrt(BOX_OVER_AREA * units["area_km2"].to_numpy()) / 2
    dlat = half_km / 111.32
    dlon = dlat / np.cos(np.radians(units["lat"].to_numpy()))
    table = units.assign(
        district_code=None,
        district_name=None,
        minx=units["lon"] - dlon,
        maxx=units["lon"] + dlon,
        miny=units["lat"] - dlat,
        maxy=units["lat"] + dlat,
    )
    # No registry evidence of 2025 locations: empty columns switch the location rules off.
    return build_schematic(table.assign(**dict.fromkeys(EVIDENCE_COLUMNS, np.nan)))


METHODS = {"dissolve": by_dissolve, "centres": by_centres}


def score(cells: gpd.GeoDataFrame, real: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per commune: IoU, and whether the registry centre lies in the real polygon."""
    cells_m = cells.to_crs(METRIC_CRS).set_index(COMMUNE_CODE)
    real_m = real.to_crs(METRIC_CRS).set_index(COMMUNE_CODE).loc[cells_m.index]
    centres = centres_2025(PROVINCE).set_index(COMMUNE_CODE).loc[cells_m.index]
    points = gpd.GeoSeries.from_xy(centres["lon"], centres["lat"], crs="EPSG:4326")
    return pd.DataFrame(
        {
            COMMUNE_NAME: cells_m[COMMUNE_NAME],
            "iou": iou(cells_m.geometry.values, real_m.geometry.values),
            # A registry centre outside the real polygon is an error no method can fix.
            "centre_off_km": shapely.distance(
                real_m.geometry.values, points.to_crs(METRIC_CRS).values
            )
            / 1000,
            "area_km2": shapely.area(cells_m.geometry.values) / 1e6,
            "real_km2": shapely.area(real_m.geometry.values) / 1e6,
        },
        index=cells_m.index,
    )


def report(
    name: str, cells: gpd.GeoDataFrame, real: gpd.GeoDataFrame, seconds: float
) -> tuple[float, float]:
    """Print the scores of one method; return its median and minimum IoU."""
    table = score(cells, real)
    values = table["iou"].to_numpy()
    coverage = bool(shapely.coverage_is_valid(cells.geometry.values))
    print(f"[{name}] {len(cells)} cells in {seconds:.1f} s (no cache), valid coverage: {coverage}")
    median, mean, low = np.median(values), values.mean(), values.min()
    print(f"  IoU median {median:.3f}   mean {mean:.3f}   min {low:.3f}")
    print(f"  below 0.2: {(values < 0.2).sum()}")
    former = table.index.isin(_former_hoa_binh())
    print(f"  former Hòa Bình ({former.sum()}): median {np.median(values[former]):.3f}")
    worst = table.sort_values("iou").head(10)
    with pd.option_context("display.width", 120, "display.float_format", "{:.2f}".format):
        print(worst.to_string())
    return float(np.median(values)), float(values.min())


def _former_hoa_binh() -> list[str]:
    pairs = predecessors_2025(PROVINCE)
    return sorted(set(pairs.loc[pairs["old_province_code"] == "17", "new_code"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REAL, help="real 2025 commune layer")
    parser.add_argument("--method", choices=[*METHODS, "both"], default="both")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target fails")
    args = parser.parse_args(argv)
    if not args.real.is_file():
        print(
            f"Real boundary layer not found: {args.real}\n"
            "It lives outside the repository (../shared/data/boundaries); pass --real PATH.",
            file=sys.stderr,
        )
        return 2
    real = gpd.read_file(args.real)
    names = list(METHODS) if args.method == "both" else [args.method]
    results = {}
    for name in names:
        start = time.perf_counter()
        cells = METHODS[name](PROVINCE)
        results[name] = report(name, cells, real, time.perf_counter() - start)
    if "dissolve" not in results:
        return 0
    median, minimum = results["dissolve"]
    passed = median >= TARGET_MEDIAN
    print(
        f"{'PASS' if passed else 'FAIL'} (dissolve, the atlas's method): median {median:.3f} "
        f"(target ≥ {TARGET_MEDIAN}), min {minimum:.3f}"
    )
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
