"""Benchmark: the boundary loader on a hostile, huge GeoJSON stays within 1 GB and 60 s.

Builds, in a temporary folder, the 151 communes of Hòa Bình (the shared 2019 layer, or a
synthetic 151-square grid when it is absent) densified to about 8 million vertices, written as
GeoJSON (≈250 MB, like the file of issue 14), then loads it with
:func:`geo.geography.boundaries.load_boundaries` in a child process and reports the child's
peak memory (max RSS) and wall time against the targets.

Run from the repository root::

    python bench/hostile_boundaries.py [--vertices 8000000] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

REPO = Path(__file__).resolve().parents[1]
SHARED_LAYER = (
    REPO.parent / "shared" / "data" / "boundaries" / "hoabinh_communes_2019_vietnam63.geojson"
)
MAX_PEAK_MB = 1_000
MAX_SECONDS = 60.0

CHILD = """
import sys, time
from geo.geography.boundaries import load_boundaries
from geo.errors import BoundaryError
start = time.perf_counter()
try:
    layer = load_boundaries(sys.argv[1], use_cache=False)
    outcome = f"loaded {len(layer.communes)} communes, {len(layer.problems)} problems"
except BoundaryError as error:
    outcome = f"refused: {error}"
print(f"{time.perf_counter() - start:.1f}|{outcome}")
"""


def communes() -> gpd.GeoDataFrame:
    """151 commune polygons near Hòa Bình, with codes and names."""
    if SHARED_LAYER.is_file():
        return gpd.read_file(SHARED_LAYER)[["commune_code", "commune_name", "geometry"]]
    xs, ys = np.meshgrid(np.arange(13) * 0.05 + 105.0, np.arange(12) * 0.05 + 20.3)
    boxes = [
        shapely.box(x, y, x + 0.05, y + 0.05) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)
    ]
    return gpd.GeoDataFrame(
        {
            "commune_code": [f"{4700 + i:05d}" for i in range(151)],
            "commune_name": [f"Xã {i}" for i in range(151)],
        },
        geometry=boxes[:151],
        crs=4326,
    )


def build(folder: Path, vertices: int) -> Path:
    """Write the densified layer; return its path."""
    frame = communes()
    perimeter = float(shapely.length(frame.geometry.values.to_numpy()).sum())
    dense = shapely.segmentize(frame.geometry.values.to_numpy(), perimeter / vertices)
    frame = frame.set_geometry(dense)
    path = folder / "hoabinh_dense.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    count = int(shapely.get_num_coordinates(dense).sum())
    print(
        f"built {path.name}: {len(frame)} features, {count:,} vertices, "
        f"{path.stat().st_size / 1e6:,.0f} MB"
    )
    return path


def measure(path: Path) -> tuple[float, float, str]:
    """Load ``path`` in a child process: (peak MB, seconds, outcome)."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    if result.returncode != 0:
        return peak_mb, wall, f"crashed ({result.returncode}): {result.stderr.strip()[-500:]}"
    _, outcome = result.stdout.strip().rsplit("\n", 1)[-1].split("|", 1)
    return peak_mb, wall, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vertices", type=int, default=8_000_000, help="vertices to reach")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hostile_boundaries_"))
    try:
        path = build(folder, args.vertices)
        peak_mb, seconds, outcome = measure(path)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder)
    ok = peak_mb < MAX_PEAK_MB and seconds < MAX_SECONDS and not outcome.startswith("crashed")
    print(f"loader: {outcome}")
    print(
        f"{'PASS' if ok else 'FAIL'}: peak {peak_mb:,.0f} MB (limit {MAX_PEAK_MB:,} MB), "
        f"{seconds:.1f} s (limit {MAX_SECONDS:.0f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
