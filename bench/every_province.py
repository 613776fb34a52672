"""The web geometry of every province and of the whole country, on every national layer at hand.

Issue 14: ``ATLAS_PROVINCES=all`` once crashed in quantisation (``GEOSException: Invalid
number of points in LinearRing found 2``). This builds :func:`geo.web.geometry.web_geometry`
(no cache) for each province alone and for the whole country of

* the national vietnam63 layer of 2008–2019 in ``../shared/data/boundaries/`` (if present);
* the schematic communes of 2020–2025 (``default_geography("all")``) and of 2025
  (``schematic_geography_2025("all")``), what ``ATLAS_PROVINCES=all`` opens,

and checks that every commune survives: one row per commune, in order, each a valid polygon,
the whole a valid coverage, and a commune empty only when most of its area lies under other
communes in the source (nothing of its own to draw) or it is a speck smaller than 2 × 2 cells
of the quantisation grid (e.g. 0.01 km² for the country). Prints PASS or FAIL per layer and the
CPU time. Too slow for the unit tests (about a minute); part of ``make bench``.

Usage::

    python bench/every_province.py [--strict]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a plain checkout
    sys.path.insert(0, str(ROOT))

NATIONAL = (
    ROOT.parent / "shared" / "data" / "boundaries" / "vietnam_communes_2008-2019_vietnam63.geojson"
)


def covered_by_others(geoms: Any) -> Any:
    """Whether most of each polygon's area lies under the other polygons of ``geoms``."""
    import numpy as np
    import shapely

    tree = shapely.STRtree(geoms)
    covered = np.zeros(len(geoms), dtype=bool)
    for i, geom in enumerate(geoms):
        others = tree.query(geom, predicate="intersects")
        others = others[others != i]
        if len(others) and not shapely.is_empty(geom):
            own = shapely.difference(geom, shapely.union_all(geoms[others]))
            covered[i] = float(shapely.area(own)) < 0.5 * float(shapely.area(geom))
    return covered


def problems_of(communes: Any, label: str) -> list[str]:
    """What went wrong building the web geometry of ``communes`` (empty: nothing)."""
    import shapely

    from geo.web.geometry import web_geometry

    try:
        web = web_geometry(communes, use_cache=False)
    except Exception as error:  # the crash this guards against
        return [f"{label}: {type(error).__name__}: {error}"]
    out = web.geometry.to_numpy()
    found = []
    if len(web) != len(communes) or list(web.index) != list(communes.index):
        found.append(f"{label}: {len(web)} rows for {len(communes)} communes")
    invalid = int((~shapely.is_valid(out)).sum())
    if invalid:
        found.append(f"{label}: {invalid} invalid polygons")
    if not web.attrs["web_geometry"]["coverage_valid"]:
        found.append(f"{label}: not a valid coverage")
    empty = shapely.is_empty(out)
    if empty.any():
        # A speck under 2 × 2 grid cells may collapse when rounded (invisible at the view).
        source = communes.geometry.to_numpy()
        speck = shapely.area(source) < (2 * web.attrs["web_geometry"]["grid"]) ** 2
        lost = empty & ~speck & ~covered_by_others(source)
        if lost.any():
            codes = communes.loc[lost, "commune_code"].astype(str).tolist()
            found.append(f"{label}: communes dropped: {', '.join(codes[:10])}")
    return found


def check_layer(name: str, communes: Any) -> tuple[bool, float, list[str]]:
    """Every province of ``communes`` alone, then all of it: (ok, CPU seconds, problems)."""
    start = time.process_time()
    found: list[str] = []
    provinces = sorted(communes["province_code"].dropna().astype(str).unique())
    for code in provinces:
        found += problems_of(communes[communes["province_code"].astype(str) == code], f"{code}")
    found += problems_of(communes, "whole country")
    elapsed = time.process_time() - start
    print(
        f"   {'PASS' if not found else 'FAIL'}  {name}: {len(provinces)} provinces and the whole "
        f"country, {len(communes):,} communes ({elapsed:.1f} s CPU)"
    )
    for problem in found[:20]:
        print(f"         {problem}")
    return not found, elapsed, found


def layers() -> list[tuple[str, Any]]:
    """The national layers at hand, loaded."""
    import tempfile

    from geo.geography.boundaries import load_boundaries
    from geo.geography.geographies import default_geography, schematic_geography_2025

    found = []
    if NATIONAL.is_file():
        cache = Path(tempfile.mkdtemp(prefix="atlas-every-province-"))
        found.append((NATIONAL.name, load_boundaries(NATIONAL, cache_dir=cache).communes))
    else:
        print(f"{NATIONAL} not found: the vietnam63 national layer left out")
    found.append(("schematic 2020–2025, all provinces", default_geography("all").communes))
    found.append(("schematic 2025, all provinces", schematic_geography_2025("all").communes))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a layer fails")
    args = parser.parse_args()
    print("\n## Web geometry of every province and of the whole country (issue 14)")
    results = [check_layer(name, communes)[0] for name, communes in layers()]
    return 1 if args.strict and not all(results) else 0


if __name__ == "__main__":
    sys.exit(main())
