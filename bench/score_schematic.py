"""Score the schematic Hòa Bình communes against the real 2020–2025 polygons.

The real layer (``../shared/data/boundaries/…_derived_vietnam63.geojson``, next to the repository)
is read only here, to measure the method; nothing from it goes into the repository or into the
method's parameters.

Usage::

    python bench/score_schematic.py [--real PATH] [--png /tmp/schematic.png] [--strict]

Prints the build time, the intersection over union (IoU) of each schematic cell with the real
polygon of the same ``commune_code`` (median, mean, min, the 10 worst, how many below 0.2) and
PASS/FAIL against the targets (median ≥ 0.55, min ≥ 0.2), and lists the units whose registry
location was found unreliable and relocated (``location_note``). ``--strict`` exits with status 1
on FAIL; ``--png`` draws the schematic over the real outlines, with the relocated units.
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
from pyproj import Transformer  # noqa: E402

from geo.geography.admin_units import HOA_BINH, communes  # noqa: E402
from geo.geography.schematic import (  # noqa: E402
    DEFAULT_PARAMS,
    LOCATION_NOTE,
    METHOD_VERSION,
    build_schematic,
    districts_from_communes,
    schematic_report,
)
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, METRIC_CRS  # noqa: E402

REAL = ROOT.parent / "shared/data/boundaries/hoabinh_communes_2020-2025_derived_vietnam63.geojson"
TARGET_MEDIAN = 0.55
TARGET_MIN = 0.2


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of two aligned arrays of polygons."""
    return shapely.area(shapely.intersection(a, b)) / shapely.area(shapely.union(a, b))


def score(cells: gpd.GeoDataFrame, real: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per commune: IoU and whether the official centre lies in the real polygon."""
    table = communes(HOA_BINH).set_index(COMMUNE_CODE)
    cells_m = cells.to_crs(METRIC_CRS).set_index(COMMUNE_CODE)
    real_m = real.to_crs(METRIC_CRS).set_index(COMMUNE_CODE).loc[cells_m.index]
    centres = gpd.GeoSeries.from_xy(
        table.loc[cells_m.index, "lon"], table.loc[cells_m.index, "lat"], crs="EPSG:4326"
    ).to_crs(METRIC_CRS)
    return pd.DataFrame(
        {
            COMMUNE_NAME: cells_m[COMMUNE_NAME],
            "district": table.loc[cells_m.index, "district_name"],
            "iou": iou(cells_m.geometry.values, real_m.geometry.values),
            # An official centre outside the real polygon is a registry error no method can fix.
            "centre_off_km": shapely.distance(real_m.geometry.values, centres.values) / 1000,
            "area_km2": shapely.area(cells_m.geometry.values) / 1e6,
            "real_km2": shapely.area(real_m.geometry.values) / 1e6,
        },
        index=cells_m.index,
    )


def render_png(cells: gpd.GeoDataFrame, real: gpd.GeoDataFrame, path: Path) -> None:
    """Draw schematic cells (blue), their districts (black) and the real communes (red)."""
    from PIL import Image, ImageDraw  # Pillow comes with Streamlit

    cells_m, real_m = cells.to_crs(METRIC_CRS), real.to_crs(METRIC_CRS)
    districts = districts_from_communes(cells_m)
    x0, y0, x1, y1 = np.r_[
        np.minimum(cells_m.total_bounds[:2], real_m.total_bounds[:2]),
        np.maximum(cells_m.total_bounds[2:], real_m.total_bounds[2:]),
    ]
    size, pad = 1800, 40
    s = size / max(x1 - x0, y1 - y0)
    image = Image.new("RGB", (int((x1 - x0) * s) + 2 * pad, int((y1 - y0) * s) + 2 * pad), "white")
    draw = ImageDraw.Draw(image)

    def px(coords: np.ndarray) -> list[tuple[float, float]]:
        return [(pad + (x - x0) * s, pad + (y1 - y) * s) for x, y in coords]

    def outline(geoms: np.ndarray, colour: tuple[int, int, int], width: int) -> None:
        for ring in shapely.get_parts(shapely.get_rings(shapely.get_parts(geoms))):
            draw.line(px(shapely.get_coordinates(ring)), fill=colour, width=width)

    moved = (cells_m[LOCATION_NOTE] != "").to_numpy()
    for polygon in shapely.get_parts(cells_m.geometry.values[moved]):
        draw.polygon(px(shapely.get_coordinates(polygon.exterior)), fill=(255, 225, 170))
    outline(real_m.geometry.values, (235, 120, 120), 2)
    outline(cells_m.geometry.values, (40, 60, 210), 2)
    outline(districts.geometry.values, (0, 0, 0), 4)
    report = schematic_report(HOA_BINH)
    lonlat = report[["lon", "lat", "site_lon", "site_lat"]].to_numpy()
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    official = px(np.c_[to_metric.transform(lonlat[:, 0], lonlat[:, 1])])
    sites = px(np.c_[to_metric.transform(lonlat[:, 2], lonlat[:, 3])])
    reliable = (report[LOCATION_NOTE] == "").to_numpy()
    for k, ((x, y), (sx, sy)) in enumerate(zip(official, sites, strict=True)):
        if reliable[k]:
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(40, 60, 210))
            continue
        draw.line([(x, y), (sx, sy)], fill=(230, 130, 0), width=2)
        draw.line([(x - 5, y - 5), (x + 5, y + 5)], fill=(200, 0, 0), width=3)
        draw.line([(x - 5, y + 5), (x + 5, y - 5)], fill=(200, 0, 0), width=3)
        draw.rectangle([sx - 5, sy - 5, sx + 5, sy + 5], outline=(230, 130, 0), width=3)
        draw.text((sx + 8, sy - 6), report[COMMUNE_NAME].iloc[k], fill=(120, 60, 0))
    legend = (
        "blue: schematic cells and official centres, black: schematic districts, red: real; "
        "orange: relocated units (red x: unreliable registry centre, square: substitute site)"
    )
    draw.text((pad, 10), legend, fill=0)
    image.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REAL, help="real 2020-2025 commune layer")
    parser.add_argument("--png", type=Path, help="also draw schematic vs real to this PNG")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the targets fail")
    args = parser.parse_args(argv)
    if not args.real.is_file():
        print(
            f"Real boundary layer not found: {args.real}\n"
            "It lives outside the repository (../shared/data/boundaries); pass --real PATH.",
            file=sys.stderr,
        )
        return 2

    start = time.perf_counter()
    cells = build_schematic(communes(HOA_BINH))
    build_s = time.perf_counter() - start
    real = gpd.read_file(args.real)
    missing = set(cells[COMMUNE_CODE]) - set(real[COMMUNE_CODE])
    if missing:
        print(
            f"Real layer lacks {len(missing)} commune code(s): {sorted(missing)}", file=sys.stderr
        )
        return 2
    table = score(cells, real)
    values = table["iou"].to_numpy()

    print(f"Schematic Hòa Bình: {len(cells)} cells, built in {build_s:.2f} s (no cache)")
    print(f"Method {METHOD_VERSION}: {DEFAULT_PARAMS}")
    print(f"IoU per commune vs real 2020-2025 polygons ({METRIC_CRS}):")
    print(f"  median {np.median(values):.3f}   mean {values.mean():.3f}   min {values.min():.3f}")
    print(f"  below 0.2: {(values < 0.2).sum()}")
    fine = table["centre_off_km"] == 0
    print(
        f"  communes whose official centre lies in their real polygon ({fine.sum()}): "
        f"median {table.loc[fine, 'iou'].median():.3f}, min {table.loc[fine, 'iou'].min():.3f}"
    )
    real_m, cells_m = real.to_crs(METRIC_CRS), cells.to_crs(METRIC_CRS)
    province = iou(np.array([cells_m.union_all()]), np.array([real_m.union_all()]))[0]
    districts = districts_from_communes(cells_m).set_index(DISTRICT_CODE)
    real_districts = real_m.dissolve(DISTRICT_CODE).loc[districts.index]
    district_iou = iou(districts.geometry.values, real_districts.geometry.values)
    print(f"  province outline {province:.3f}; districts median {np.median(district_iou):.3f}")
    flagged = cells.set_index(COMMUNE_CODE)[LOCATION_NOTE]
    flagged = flagged[flagged != ""]
    print(f"Unreliable registry locations, relocated ({len(flagged)}):")
    for code, note in flagged.items():
        row = table.loc[code]
        print(
            f"  {code} {row[COMMUNE_NAME]:<20} {row['district']:<20} {note:<20} "
            f"IoU {row['iou']:.2f}"
        )
    print("10 worst communes (centre_off_km > 0: the official centre is outside the real polygon):")
    worst = table.sort_values("iou").head(10)
    with pd.option_context("display.width", 120, "display.float_format", "{:.2f}".format):
        print(worst.to_string())

    passed = np.median(values) >= TARGET_MEDIAN and values.min() >= TARGET_MIN
    print(
        f"{'PASS' if passed else 'FAIL'}: median {np.median(values):.3f} "
        f"(target ≥ {TARGET_MEDIAN}), min {values.min():.3f} (target ≥ {TARGET_MIN})"
    )
    if args.png:
        render_png(cells, real, args.png)
        print(f"Picture: {args.png}")
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
