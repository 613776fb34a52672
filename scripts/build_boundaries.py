"""Build the shipped 2025 commune layer of Phú Thọ from its pinned public source, reproducibly.

    python scripts/build_boundaries.py [--mirror URL|FOLDER] [--out PATH]

1. Fetch: :func:`geo.geography.tree_fetch.fetch_tree` downloads the 148 commune files of
   province 25 of ``thanglequoc/vietnamese-provinces-database`` at the pinned commit (catalogue
   entry ``vnpdb2025``), verifies each git blob id against the pinned list, merges and validates
   them. Default mirror: ``../shared/data/sources/vietnamese-provinces-database`` (byte-identical
   copies, same layout), so no network is needed; ``--mirror`` names another copy, or
   ``--mirror ""`` fetches from GitHub.
2. Coverage: the source is a near-coverage (small overlaps, e.g. Đức Nhàn / Tân Pheo 0.016 km²);
   ``shapely.coverage_clean`` makes it an exact one (each overlap goes to one neighbour), as
   :func:`geo.web.geometry.make_coverage` does for the map.
3. Simplify: ``shapely.coverage_simplify`` at about 20 m (Visvalingam–Whyatt; the tolerance in
   degrees is 20 m over the metres per degree at the layer's mean latitude), shared borders
   simplified once so neighbours keep a common border. Simplification only drops vertices, so
   the coordinates stay those of the source (6 decimals); the few vertices that cleaning added
   are rounded to the same grid (:func:`geo.web.geometry.quantise_coverage`).
4. Write: GeoParquet (WKB, EPSG:4326, zstd), rows sorted by code, with the source, commit,
   licence, attribution, the checksums of the inputs, the method, the library versions and a
   digest of the canonical content in the file's metadata (key ``atlas``), and a JSON note
   beside it (``.json``: the same, plus every input file's git blob id and the output's
   SHA-256).

Determinism. Every step is a pure function of the pinned inputs and of the GEOS version (the
geometry operations). Parquet bytes also depend on the writing libraries (pyarrow writes its
version into the footer), so :func:`canonical_digest` hashes what the file *holds* (column
names and types, values, geometry WKB) and ``tests/geography/test_shipped_boundaries.py``
compares that always, and the bytes when the library versions are those recorded in the file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: import this checkout's geo
    sys.path.insert(0, str(REPO_ROOT))

from geo.geography.sources import get_source  # noqa: E402
from geo.geography.tree_fetch import fetch_tree, pinned_files, select_province  # noqa: E402
from geo.schema import AREA_KM2, GEOMETRY  # noqa: E402
from geo.web.geometry import make_coverage, quantise_coverage  # noqa: E402

SOURCE = "vnpdb2025"
PROVINCE = "25"
DEFAULT_MIRROR = REPO_ROOT.parent / "shared" / "data" / "sources" / "vietnamese-provinces-database"
DEFAULT_OUT = REPO_ROOT / "data" / "boundaries" / "phutho_communes_2025_vnpdb.parquet"
#: Simplification tolerance in metres (≈ a pixel of a province map, well below print detail).
TOLERANCE_M = 20.0
#: Coordinates of the source: 6 decimals.
GRID_DEG = 1e-6
#: Snapping distances tried in turn to make the near-coverage a valid coverage (degrees).
SNAPS_DEG = (0.0, 1e-7, 1e-6)
#: Parquet compression (fixed: the level changes the bytes).
COMPRESSION, COMPRESSION_LEVEL = "zstd", 9
#: Key of the atlas metadata in the Parquet file.
METADATA_KEY = b"atlas"
#: Libraries whose versions decide the bytes of the file.
LIBRARIES = ("shapely", "geopandas", "pyarrow", "pyproj", "numpy", "pandas")
#: EPSG:4326 as PROJJSON, written out rather than asked of PROJ: PROJ's answer depends on its
#: version and database (datum or datum ensemble), and the file must not.
WGS84_PROJJSON: dict[str, Any] = {
    "$schema": "https://proj.org/schemas/v0.7/projjson.schema.json",
    "type": "GeographicCRS",
    "name": "WGS 84",
    "datum": {
        "type": "GeodeticReferenceFrame",
        "name": "World Geodetic System 1984",
        "ellipsoid": {
            "name": "WGS 84",
            "semi_major_axis": 6378137,
            "inverse_flattening": 298.257223563,
        },
    },
    "coordinate_system": {
        "subtype": "ellipsoidal",
        "axis": [
            {
                "name": "Geodetic latitude",
                "abbreviation": "Lat",
                "direction": "north",
                "unit": "degree",
            },
            {
                "name": "Geodetic longitude",
                "abbreviation": "Lon",
                "direction": "east",
                "unit": "degree",
            },
        ],
    },
    "id": {"authority": "EPSG", "code": 4326},
}
#: Metres per degree of latitude (mean Earth radius 6,371,008.8 m).
_M_PER_DEG = math.pi * 6_371_008.8 / 180


def tolerance_deg(geoms: np.ndarray, metres: float = TOLERANCE_M) -> float:
    """``metres`` in degrees: over the geometric mean of a degree of latitude and longitude."""
    _, miny, _, maxy = shapely.total_bounds(geoms)
    scale = _M_PER_DEG * math.sqrt(math.cos(math.radians((miny + maxy) / 2)))
    return metres / scale


def library_versions() -> dict[str, str]:
    """Versions of the libraries that decide the output (GEOS too)."""
    found = {name: version(name) for name in LIBRARIES}
    found["geos"] = shapely.geos_version_string
    return found


def canonical_digest(table: pa.Table) -> str:
    """SHA-256 of what a table holds: column names and types, values, geometry WKB bytes."""
    digest = hashlib.sha256()
    for field, column in zip(table.schema, table.columns, strict=True):
        digest.update(f"{field.name}:{field.type}\n".encode())
        for value in column.to_pylist():
            digest.update(value if isinstance(value, bytes) else json.dumps(value).encode())
            digest.update(b"\0")
    return digest.hexdigest()


def simplify(geoms: np.ndarray, *, metres: float = TOLERANCE_M) -> tuple[np.ndarray, int, float]:
    """The near-coverage as a coverage, simplified border by border at about ``metres``.

    Returns the geometries, how many polygons cleaning changed, and the tolerance in degrees.
    """
    coverage, changed = make_coverage(geoms, snaps=SNAPS_DEG)
    tolerance = tolerance_deg(coverage, metres)
    simplified = shapely.coverage_simplify(coverage, tolerance, simplify_boundary=True)
    simplified = quantise_coverage(simplified, GRID_DEG)
    if not bool(shapely.coverage_is_valid(simplified)) or not shapely.is_valid(simplified).all():
        raise RuntimeError("the simplified layer is not a valid coverage")
    normal = shapely.normalize(simplified)
    # MultiPolygons throughout, as every commune layer of the atlas (cleaning returns Polygons)
    multi = [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in normal]
    return np.array(multi, dtype=object), changed, tolerance


def _arrow_table(frame: Any, geoms: np.ndarray) -> pa.Table:
    """The layer as an Arrow table: text columns as strings, geometry as ISO WKB."""
    columns: dict[str, pa.Array] = {}
    for name in frame.columns:
        if name == GEOMETRY:
            continue
        values = frame[name].tolist()
        kind = pa.float64() if name.endswith("km2") else pa.string()
        columns[name] = pa.array(values, type=kind)
    wkb = shapely.to_wkb(geoms, output_dimension=2, byte_order=1, flavor="iso")
    columns[GEOMETRY] = pa.array(list(wkb), type=pa.binary())
    return pa.table(columns)


def _geo_metadata(geoms: np.ndarray) -> dict[str, Any]:
    """GeoParquet 1.1 metadata: WKB, MultiPolygon, EPSG:4326 (axis order lon/lat)."""
    types = sorted({shapely.get_type_id(g) for g in geoms})
    names = {3: "Polygon", 6: "MultiPolygon"}
    return {
        "version": "1.1.0",
        "primary_column": GEOMETRY,
        "columns": {
            GEOMETRY: {
                "encoding": "WKB",
                "geometry_types": [names[t] for t in types],
                "crs": WGS84_PROJJSON,
                "bbox": [round(float(v), 6) for v in shapely.total_bounds(geoms)],
            }
        },
    }


def build(mirror: str | None, out: Path, *, metres: float = TOLERANCE_M) -> dict[str, Any]:
    """Fetch, simplify and write the layer and its note; return the note."""
    started = time.perf_counter()
    source = get_source(SOURCE)
    _, files = select_province(pinned_files(source, mirror=mirror), PROVINCE)
    with tempfile.TemporaryDirectory(prefix="atlas-build-") as work:
        result = fetch_tree(SOURCE, PROVINCE, data_dir=work, mirror=mirror)
    fetched_s = time.perf_counter() - started
    layer = result.communes.reset_index(drop=True)
    raw = layer.geometry.to_numpy()
    geoms, changed, tolerance = simplify(raw, metres=metres)
    frame = layer.drop(columns=[GEOMETRY]).copy()
    frame[AREA_KM2] = frame[AREA_KM2].round(4)  # full-detail area, to 100 m² (PROJ noise away)
    table = _arrow_table(frame, geoms)
    inputs = "".join(f"{f.blob} {f.path}\n" for f in sorted(files, key=lambda f: f.path))
    atlas = {
        "title": "Communes of Tỉnh Phú Thọ from 1 July 2025 (148), simplified",
        "source": source.key,
        "source_name": source.name,
        "homepage": source.homepage,
        "pinned": source.pinned,
        "base_url": source.base_url,
        "licence": source.licence,
        "licence_url": source.licence_url,
        "attribution": source.attribution,
        "attribution_en": source.attribution_en,
        "vintage": source.vintage,
        "province_code": PROVINCE,
        "input_files": len(files),
        "input_bytes": sum(f.size for f in files),
        "input_git_blob_ids_sha256": hashlib.sha256(inputs.encode()).hexdigest(),
        "file_list": source.file_list,
        "file_list_sha256": source.file_list_sha256,
        "method": {
            "coverage_clean_snaps_deg": list(SNAPS_DEG),
            "polygons_changed_by_cleaning": changed,
            "coverage_simplify_tolerance_m": metres,
            "coverage_simplify_tolerance_deg": round(tolerance, 10),
            "grid_deg": GRID_DEG,
            "vertices_before": int(shapely.get_num_coordinates(raw).sum()),
            "vertices_after": int(shapely.get_num_coordinates(geoms).sum()),
            "area_km2": "of the unsimplified polygon, equal-area projection, 4 decimals",
            "compression": f"{COMPRESSION} level {COMPRESSION_LEVEL}",
        },
        "problems_of_the_source": result.report["problems"],
        "versions": library_versions(),
        "built_by": "scripts/build_boundaries.py",
        "content_sha256": canonical_digest(table),
    }
    metadata = {
        b"geo": json.dumps(_geo_metadata(geoms)).encode(),
        METADATA_KEY: json.dumps(atlas, ensure_ascii=False, sort_keys=True).encode(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table.replace_schema_metadata(metadata),
        out,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
    )
    note = {
        **atlas,
        "file": out.name,
        "file_bytes": out.stat().st_size,
        "file_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "input_git_blob_ids": {f.path: f.blob for f in sorted(files, key=lambda f: f.path)},
    }
    text = json.dumps(note, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    out.with_suffix(".json").write_text(text, encoding="utf-8")
    # timings are printed, not kept: the note stays the same from one build to the next
    print(f"fetch {fetched_s:.1f} s, total {time.perf_counter() - started:.1f} s")
    return note


def main(argv: list[str] | None = None) -> int:
    """Command line: build the layer, print its size and vertex counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mirror", default=str(DEFAULT_MIRROR), help="URL or folder ('' = GitHub)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="GeoParquet to write")
    parser.add_argument("--tolerance-m", type=float, default=TOLERANCE_M, help="metres")
    args = parser.parse_args(argv)
    note = build(args.mirror or None, args.out, metres=args.tolerance_m)
    method = note["method"]
    print(
        f"{args.out}: {note['file_bytes']:,} bytes, {note['input_files']} communes, "
        f"{method['vertices_before']:,} → {method['vertices_after']:,} vertices"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
