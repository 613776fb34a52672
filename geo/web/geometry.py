"""Geometry for the web: simplified, quantised, cached, and encoded compactly for the browser.

A map of one province draws 150 communes; a map of the country draws about 11,000. Sent as
they are (folium's ``GeoJson``: full-precision coordinates, every property, a style per
feature), 11,000 polygons make a page of tens of megabytes that takes seconds to build and
longer to draw. This module prepares what the browser needs and nothing more:

1. **Simplify as a coverage.** ``shapely.coverage_simplify`` simplifies each edge shared by two
   communes once, so neighbours keep a common border (no gaps, no overlaps), at a tolerance
   tied to the view: the extent in metres divided by :data:`DETAIL_PX` (about 25 m for a
   province, 400 m for the country), about a pixel even a couple of zoom levels in. (GEOS
   simplifies coverages with Visvalingam–Whyatt: the tolerance is the square root of the
   smallest triangle area kept.) A layer whose shared borders do not match vertex for vertex
   (e.g. the national vietnam63 layer: thinned polygon by polygon, small overlaps) is first
   made a coverage with ``shapely.coverage_clean``, which also closes the slivers between
   neighbours left by thinning (narrower than 5 % of a typical commune's width,
   :func:`gap_width_for`; each would also split a shared border in two); otherwise edge-wise
   simplification would open gaps. Cleaning costs by the vertex and by the sliver, so such a
   layer is first thinned polygon by polygon to a tenth of the tolerance (:func:`presimplify`:
   a survey layer has a vertex every few metres) and snapped at a quarter of it (the slivers
   vanish in the snapping rather than being measured one by one); a commune that snapping
   drops whole is carved back from its neighbours. A detailed national layer (2.4 M vertices)
   takes 13 s of CPU instead of 29 s, the real Phú Thọ 2025 layer 0.6 s instead of 1.3 s.
2. **Quantise.** Coordinates are rounded to a grid tied to the tolerance (:func:`grid_for`:
   1, 2 or 5 times a power of ten, at most a quarter of it, e.g. 5e-5° ≈ 5 m for a province,
   5e-4° ≈ 55 m for the country). Rounding is a function of the vertex alone, so a vertex
   shared by two neighbours moves to the same place in both; two different edges closer than
   the grid may cross once rounded, and :func:`quantise_coverage` then cleans and rounds
   again those communes and their neighbours (all of it if that is not enough), so the result
   stays a valid coverage.
3. **Cache.** The result (only the columns the map needs) is written as GeoParquet keyed by a
   hash of the source geometry and columns, the tolerance, the grid and
   :data:`PIPELINE_VERSION`, and kept in memory for the process.
4. **Encode.** :func:`compact_geometry` sends the layer as a shared-edge topology
   (:mod:`geo.web.topology`): every border once, as varint text of grid steps, which the browser
   decodes in milliseconds (:data:`DECODE_JS`); district outlines reuse the same borders. The
   topology is built with the layer and cached with it. Text is HTML-escaped once and the JSON
   is safe inside ``<script>``.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import os
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.files import write_atomically
from geo.geography.boundaries import DEFAULT_CACHE_DIR
from geo.progress import report_progress
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME, WGS84
from geo.web.text import COLUMNS_JS, TEXT_JS, decode_columns, encode_columns
from geo.web.topology import (
    TOPOLOGY_JS,
    build_topology,
    decode_topology,
    outline_arcs,
)

__all__ = [
    "DECODE_JS",
    "DETAIL_PX",
    "GAP_SHARE",
    "MAP_COLUMNS",
    "MAX_TOLERANCE_M",
    "MEMORY_ENTRIES",
    "MIN_TOLERANCE_M",
    "M_PER_DEGREE",
    "PIPELINE_VERSION",
    "PRESIMPLIFY_SHARE",
    "SNAP_SHARES",
    "THREADS",
    "VIEW_EXTENT_M",
    "WEB_CACHE_DIR",
    "WEB_STAGES",
    "WebFeatureCollection",
    "clear_memory",
    "compact_geometry",
    "compact_geometry_json",
    "coverage_gaps",
    "decode_compact",
    "decode_outlines",
    "degrees",
    "extent_m",
    "gap_width_for",
    "geojson_geometries",
    "grid_for",
    "make_coverage",
    "presimplify",
    "quantise",
    "quantise_coverage",
    "script_json",
    "simplify_coverage",
    "source_hash",
    "tolerance_m",
    "topology_of",
    "web_feature_collection",
    "web_geometry",
]

log = logging.getLogger(__name__)

#: Bump when the output of the pipeline changes, so old cache entries are not reused.
PIPELINE_VERSION = "4"
#: Where simplified layers are cached (gitignored, beside the boundary cache).
WEB_CACHE_DIR = DEFAULT_CACHE_DIR / "web"
#: Columns a commune map needs; everything else stays on the server.
MAP_COLUMNS: tuple[str, ...] = (COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME)
#: Pixels across the extent at which the simplification error is one pixel: a map about
#: 1,000 px wide fitted to the extent can be zoomed in two levels before it shows.
DETAIL_PX = 4000
#: Extent in metres of the named views (a province; the whole country, north to south).
VIEW_EXTENT_M = {"province": 160_000.0, "country": 1_650_000.0}
#: Bounds on the tolerance: finer than a few metres gains nothing on screen.
MIN_TOLERANCE_M = 2.0
MAX_TOLERANCE_M = 2_000.0
#: Metres per degree of latitude (mean); a degree of longitude is this times cos(latitude).
M_PER_DEGREE = 111_320.0
#: Gaps between neighbours narrower than this share of a typical commune's width are closed
#: (:func:`gap_width_for`).
GAP_SHARE = 0.05
#: A layer that is not a coverage is first thinned polygon by polygon to this share of the
#: tolerance (:func:`presimplify`): survey layers carry a vertex every few metres, and cleaning
#: costs by the vertex and by the sliver; the coverage is simplified at the full tolerance after.
PRESIMPLIFY_SHARE = 0.1
#: Snapping distances tried in turn when cleaning, as shares of the tolerance: the slivers
#: between neighbours narrower than a quarter of a tolerance vanish in the snapping instead of
#: being measured one by one as gaps (5 × faster on a detailed national layer than the grid).
SNAP_SHARES = (0.25, 0.5)
#: Threads for the steps done polygon by polygon (GEOS releases the GIL); the machine's cores.
THREADS = max(1, min(4, os.cpu_count() or 1))
#: Layers kept in memory (a geography × district filter each).
MEMORY_ENTRIES = 32
#: The stages :func:`web_geometry` reports (:func:`geo.progress.report_progress`) when it
#: prepares a layer, with the share of the work done before each: making the coverage takes
#: most of it (4.1 of 6.7 s on the national layer of 275,000 vertices, 0.4 of 0.5 s on Phú Thọ
#: 2025).
WEB_STAGES: dict[str, float] = {
    "web.coverage": 0.0,
    "web.simplify": 0.6,
    "web.quantise": 0.7,
    "web.topology": 0.88,
    "web.write": 0.97,
}

View = Literal["auto", "province", "country"]

_MEMORY: OrderedDict[str, gpd.GeoDataFrame] = OrderedDict()


# --------------------------------------------------------------------------------------------
# Tolerance and grid


def extent_m(bounds: Sequence[float]) -> float:
    """Larger side of lon/lat ``bounds`` in metres (longitude measured at the middle latitude).

    Examples
    --------
    >>> round(extent_m((105.0, 20.0, 106.0, 20.5)) / 1000)
    104
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    mid = math.radians((miny + maxy) / 2)
    return max((maxx - minx) * M_PER_DEGREE * math.cos(mid), (maxy - miny) * M_PER_DEGREE)


def tolerance_m(bounds: Sequence[float], *, view: View | float = "auto") -> float:
    """Simplification tolerance in metres for a map of ``bounds``.

    Parameters
    ----------
    bounds : sequence of float
        ``(minx, miny, maxx, maxy)`` in degrees.
    view : {"auto", "province", "country"} or float
        ``"auto"``: the extent of ``bounds`` over :data:`DETAIL_PX`; ``"province"`` /
        ``"country"``: the extent of that view (:data:`VIEW_EXTENT_M`); a number: that many
        metres.

    Returns
    -------
    float
        Metres, within [:data:`MIN_TOLERANCE_M`, :data:`MAX_TOLERANCE_M`].

    Examples
    --------
    >>> tolerance_m((105.0, 20.3, 105.9, 21.2)), tolerance_m((0, 0, 1, 1), view="country")
    (25.0, 410.0)
    """
    if isinstance(view, (int, float)):
        metres = float(view)
    elif view == "auto":
        metres = extent_m(bounds) / DETAIL_PX
    elif view in VIEW_EXTENT_M:
        metres = VIEW_EXTENT_M[view] / DETAIL_PX
    else:
        raise ValueError(f"unknown view {view!r}; expected auto, province, country or metres")
    # Round to 2 significant digits: nearby extents share one tolerance (and cache entry).
    metres = float(f"{min(max(metres, MIN_TOLERANCE_M), MAX_TOLERANCE_M):.2g}")
    return metres


def degrees(metres: float, latitude: float = 16.0) -> float:
    """Metres as degrees, measured along a parallel at ``latitude`` (the shorter way).

    Examples
    --------
    >>> round(degrees(111.32, latitude=0.0), 6)
    0.001
    """
    return metres / (M_PER_DEGREE * math.cos(math.radians(latitude)))


def grid_for(tolerance_deg: float) -> float:
    """Quantisation step in degrees: the largest 1, 2 or 5 × 10^k at most a quarter of the
    tolerance.

    Rounding moves a vertex by at most ``grid * sqrt(2) / 2`` < 0.18 tolerance. The coarser
    the grid, the smaller the steps between vertices in grid units, and the shorter the text
    (:mod:`geo.web.topology`: one character per step below 16).

    Examples
    --------
    >>> grid_for(0.00025), grid_for(0.004), grid_for(0.0008)
    (5e-05, 0.001, 0.0002)
    """
    if tolerance_deg <= 0:
        raise ValueError("tolerance must be positive")
    quarter = tolerance_deg / 4
    power = math.floor(math.log10(quarter))
    for mantissa in (5, 2, 1):
        # float(f"…e…") gives the exact decimal, not 5 * 10**-5 = 5.000000000000001e-05.
        step = float(f"{mantissa}e{power}")
        if step <= quarter * (1 + 1e-12):
            return step
    return float(f"1e{power}")


# --------------------------------------------------------------------------------------------
# Geometry steps


def make_coverage(
    geoms: np.ndarray,
    *,
    snaps: Sequence[float],
    gap_width: float = 0.0,
    presimplify_tolerance: float = 0.0,
) -> tuple[np.ndarray, int]:
    """Return ``geoms`` as a valid coverage (shared edges identical, no overlaps).

    A valid coverage is returned as it is. Otherwise each polygon is first thinned to
    ``presimplify_tolerance`` (:func:`presimplify`; 0: not thinned), then
    ``shapely.coverage_clean`` snaps vertices closer than a snapping distance, nodes the edges,
    gives each overlap to the neighbour with the longest common border and each gap narrower
    than ``gap_width`` to the neighbour with the longest border on it; the distances in
    ``snaps`` are tried in turn until the result is valid (GEOS may leave an edge unmatched at
    a very small distance). A polygon wholly covered by others comes out empty: it has no area
    of its own to draw; so may one narrower than the snapping distance.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        The coverage and how many polygons cleaning changed (0 when none was needed).

    Examples
    --------
    >>> import shapely
    >>> left, right = shapely.box(0, 0, 1, 1), shapely.box(0.999, 0, 2, 1)  # overlap 0.001
    >>> clean, changed = make_coverage(np.array([left, right]), snaps=(0.01,))
    >>> bool(shapely.coverage_is_valid(clean)), changed, round(float(shapely.area(clean).sum()), 6)
    (True, 2, 2.0)
    """
    if not _unmatched_vertex(geoms) and bool(shapely.coverage_is_valid(geoms)):
        return geoms, 0
    thinned = presimplify(geoms, presimplify_tolerance) if presimplify_tolerance > 0 else geoms
    cleaned = thinned
    for snap in snaps:
        cleaned = shapely.coverage_clean(thinned, snapping_distance=snap, gap_width=gap_width)
        cleaned = _restore_lost(cleaned, thinned, snap=snap)
        if bool(shapely.coverage_is_valid(cleaned)):
            break
    changed = int((~shapely.equals_exact(cleaned, geoms, tolerance=0.0)).sum())
    return cleaned, changed


def _unmatched_vertex(geoms: np.ndarray, *, sample: int = 400, seed: int = 16) -> bool:
    """Whether one of ``sample`` vertices drawn at random lies on a neighbour's border without
    being one of its vertices: then ``geoms`` is surely not a coverage.

    A few milliseconds, where ``shapely.coverage_is_valid`` reads every vertex (2.5 s for 2.4
    million): layers thinned or surveyed polygon by polygon fail at once. False says nothing.
    """
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    if not len(coords):
        return False
    rows = np.random.default_rng(seed).choice(len(coords), min(sample, len(coords)), replace=False)
    points = shapely.points(coords[rows])
    # A neighbour's border through the vertex (within rounding of the file's decimals).
    at, near = shapely.STRtree(geoms).query(points, predicate="dwithin", distance=1e-9)
    other = near != owner[rows][at]
    for point, neighbour in zip(at[other].tolist(), near[other].tolist(), strict=True):
        xy = coords[rows[point]]
        if not (shapely.get_coordinates(geoms[neighbour]) == xy).all(axis=1).any():
            return True
    return False


def _restore_lost(cleaned: np.ndarray, source: np.ndarray, *, snap: float) -> np.ndarray:
    """Put back the polygons ``coverage_clean`` left empty though most of their area was theirs
    alone in ``source``: carved out of the cleaned neighbours, then that group alone cleaned.

    At a snapping distance of a quarter of the tolerance GEOS drops a few communes of the
    national layer whole (22 km² ones among them), where the grid as snapping distance keeps
    them but cleans 3 × slower. A polygon mostly covered by others stays empty.
    """
    lost = np.flatnonzero(shapely.is_empty(cleaned) & ~shapely.is_empty(source))
    if not len(lost):
        return cleaned
    out = cleaned.copy()
    by_source, by_cleaned = shapely.STRtree(source), shapely.STRtree(cleaned)
    group: set[int] = set()
    for i in lost.tolist():
        others = by_source.query(source[i], predicate="intersects")
        others = others[others != i]
        own = shapely.difference(source[i], shapely.union_all(source[others]))
        if float(shapely.area(own)) < 0.5 * float(shapely.area(source[i])):
            continue  # covered by others in the source: nothing of its own to draw
        neighbours = by_cleaned.query(source[i], predicate="intersects")
        neighbours = neighbours[~shapely.is_empty(out[neighbours])]
        carved = _polygonal(shapely.intersection(source[i], shapely.union_all(out[neighbours])))
        out[neighbours] = [_polygonal(g) for g in shapely.difference(out[neighbours], carved)]
        out[i] = carved
        group.update([i, *neighbours.tolist()])
    if group:
        rows = np.array(sorted(group))
        out[rows] = shapely.coverage_clean(out[rows], snapping_distance=snap / 100)
    return out


def presimplify(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Each polygon thinned on its own (Douglas–Peucker) to ``tolerance``, before cleaning.

    Neighbours thinned apart no longer share their borders vertex for vertex: only for a layer
    about to be made a coverage anyway (:func:`make_coverage`), with a snapping distance
    larger than ``tolerance``. A polygon made invalid is repaired; one that would vanish (an
    islet or a ward smaller than ``tolerance``) is kept as it was.

    Examples
    --------
    >>> import shapely
    >>> wiggly = shapely.Polygon([(0, 0), (1, 0.001), (2, 0), (2, 2), (0, 2)])
    >>> presimplify(np.array([wiggly]), 0.01)[0].wkt
    'POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))'
    """
    # Not topology-preserving: 6 × faster; the rare polygon it folds is repaired below.
    thinned = _threaded(
        lambda part: shapely.simplify(part, tolerance, preserve_topology=False), geoms
    )
    return _repaired(thinned, geoms)


def _threaded(func: Any, geoms: np.ndarray) -> np.ndarray:
    """``func`` of ``geoms`` in :data:`THREADS` chunks at once (shapely's vectorised functions
    release the GIL while GEOS works); small arrays in one go."""
    if THREADS < 2 or len(geoms) < 2_000:
        return func(geoms)
    chunks = np.array_split(geoms, THREADS)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return np.concatenate(list(pool.map(func, chunks)))


def gap_width_for(geoms: np.ndarray, tolerance_deg: float) -> float:
    """Widest gap between neighbours closed when a layer is made a coverage, in degrees.

    Slivers between neighbouring communes are artefacts of thinning each polygon on its own
    (the vietnam63 layers have them up to a few hundred metres wide); a real area outside
    every commune is kilometres wide. The width is :data:`GAP_SHARE` of a typical commune's
    width (the square root of the median area), and at least half the tolerance.

    Examples
    --------
    >>> import shapely
    >>> cells = np.array([shapely.box(0, 0, 0.05, 0.05), shapely.box(0.05, 0, 0.1, 0.05)])
    >>> round(gap_width_for(cells, 0.0002), 6)
    0.0025
    """
    areas = shapely.area(geoms[~shapely.is_empty(geoms)])
    typical = math.sqrt(float(np.median(areas))) if len(areas) else 0.0
    return max(tolerance_deg / 2, GAP_SHARE * typical)


def simplify_coverage(geoms: np.ndarray, tolerance_deg: float) -> np.ndarray:
    """Simplify a coverage edge by edge; neighbours keep a common border.

    ``coverage_simplify`` never removes a polygon nor a node where three meet, so the result
    has one non-empty polygon per input polygon.
    """
    return shapely.coverage_simplify(geoms, tolerance_deg, simplify_boundary=True)


def quantise(geoms: np.ndarray, grid: float) -> np.ndarray:
    """Round every vertex to a multiple of ``grid`` and drop the vertices that then repeat.

    The rounding depends on the vertex only, so borders shared vertex for vertex stay shared.
    A hole or an islet smaller than the grid collapses: it is dropped, never the commune. The
    rare polygon made invalid (a spike folding onto itself) is repaired keeping its structure;
    an empty result keeps the unrounded polygon.

    Examples
    --------
    >>> import shapely
    >>> islet = shapely.box(20, 20, 20.2, 20.2)  # smaller than the grid of 1
    >>> commune = shapely.MultiPolygon([shapely.box(0, 0, 3, 3), islet])
    >>> [g.wkt for g in quantise(np.array([commune]), 1.0)]
    ['POLYGON ((3 0, 3 3, 0 3, 0 0, 3 0))']
    """
    return _repaired(_rounded(geoms, grid), geoms)


def _repaired(changed: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """``changed`` (a thinned or rounded ``geoms``) with its invalid polygons repaired keeping
    their structure, and the original back where nothing is left."""
    bad = ~_threaded(shapely.is_valid, changed)
    if bad.any():
        fixed = shapely.make_valid(changed[bad], method="structure", keep_collapsed=False)
        changed[bad] = [_polygonal(g) for g in fixed]
    empty = shapely.is_empty(changed) & ~shapely.is_empty(geoms)
    changed[empty] = geoms[empty]
    return changed


def _rounded(geoms: np.ndarray, grid: float) -> np.ndarray:
    """Vertices on the grid, repeated ones dropped; collapsed rings go (see :func:`quantise`)."""
    rounded = shapely.transform(geoms, lambda xy: np.round(xy / grid) * grid)
    try:
        return shapely.remove_repeated_points(rounded, tolerance=0.0)
    except shapely.errors.GEOSException:
        # GEOS refuses a ring of fewer than 4 points: rebuild ring by ring, collapsed ones left out
        out = np.empty(len(rounded), dtype=object)
        out[:] = [_without_collapsed_rings(g) for g in rounded]
        return out


def _without_collapsed_rings(geom: shapely.Geometry) -> shapely.Geometry:
    polygons = []
    for part in shapely.get_parts(geom):
        if not isinstance(part, shapely.Polygon) or part.is_empty:
            continue
        shell = _ring_coordinates(part.exterior)
        if shell is None:
            continue
        holes = [h for h in map(_ring_coordinates, part.interiors) if h is not None]
        polygons.append(shapely.Polygon(shell, holes))
    if len(polygons) == 1:
        return polygons[0]
    return shapely.MultiPolygon(polygons) if polygons else shapely.Polygon()


def _ring_coordinates(ring: shapely.LinearRing) -> np.ndarray | None:
    """The ring without repeated vertices, or None when fewer than 3 distinct ones are left."""
    xy = shapely.get_coordinates(ring)
    xy = xy[np.r_[True, np.any(np.diff(xy, axis=0) != 0, axis=1)]]
    if len(np.unique(xy, axis=0)) < 3:
        return None
    return xy


def quantise_coverage(geoms: np.ndarray, grid: float, *, rounds: int = 3) -> np.ndarray:
    """:func:`quantise` a coverage and keep it one.

    Rounding keeps shared vertices shared, but two different edges closer than the grid (a
    narrow wedge between neighbours) may cross once rounded. Then the rounded coverage is
    cleaned again with the grid as snapping distance (which nodes the crossings: a handful of
    new vertices, off the grid) and rounded again, up to ``rounds`` times.
    """
    return _quantised_coverage(geoms, grid, rounds=rounds)[0]


def _quantised_coverage(geoms: np.ndarray, grid: float, *, rounds: int) -> tuple[np.ndarray, bool]:
    """:func:`quantise_coverage` and whether the result is a valid coverage (checked once)."""
    out = quantise(geoms, grid)
    valid = bool(shapely.coverage_is_valid(out))
    for _ in range(rounds):
        if valid:
            break
        out = _requantised_locally(out, grid)
        valid = bool(shapely.coverage_is_valid(out))
        if not valid:
            out = quantise(shapely.coverage_clean(out, snapping_distance=grid), grid)
            valid = bool(shapely.coverage_is_valid(out))
    return out, valid


def _requantised_locally(geoms: np.ndarray, grid: float) -> np.ndarray:
    """Clean and round again only the polygons whose edges no longer match and their
    neighbours: a few dozen of 11,000 in a country, where cleaning it all costs seconds.

    The crossings are between those polygons, so their outline against the rest stays as it
    was; the caller checks the whole coverage and cleans it all if not.
    """
    bad = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geoms)))
    if not len(bad):
        return geoms
    tree = shapely.STRtree(geoms)
    near = np.unique(np.r_[bad, tree.query(geoms[bad], predicate="intersects")[1]])
    out = geoms.copy()
    out[near] = quantise(shapely.coverage_clean(geoms[near], snapping_distance=grid), grid)
    return out


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a geometry (``make_valid`` may add collapsed lines or points)."""
    if isinstance(geom, (shapely.Polygon, shapely.MultiPolygon)):
        return geom
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon)]
    return shapely.MultiPolygon(parts) if parts else shapely.Polygon()


def coverage_gaps(geoms: np.ndarray) -> dict[str, float]:
    """How far ``geoms`` are from a clean coverage, for tests and the benchmark.

    Returns
    -------
    dict
        ``valid`` (``shapely.coverage_is_valid``: no overlap, shared edges identical),
        ``overlap`` (sum of areas minus area of the union, as a share of the union) and
        ``holes`` (area of the holes of the union that no input polygon had, as a share).
    """
    union = shapely.union_all(geoms)
    area = float(shapely.area(union))
    total = float(shapely.area(geoms).sum())
    return {
        "valid": bool(shapely.coverage_is_valid(geoms)),
        "overlap": (total - area) / area if area else 0.0,
        "holes": _hole_area(union) / area if area else 0.0,
    }


def _hole_area(geom: shapely.Geometry) -> float:
    holes = shapely.get_parts(shapely.get_interior_ring(shapely.get_parts(geom), 0))
    rings = [r for r in holes if r is not None and not r.is_empty]
    return float(sum(shapely.Polygon(r).area for r in rings))


# --------------------------------------------------------------------------------------------
# The pipeline with its caches


def source_hash(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> str:
    """SHA-256 of the geometry (WKB) and the given columns, in row order."""
    digest = hashlib.sha256()
    digest.update(b"".join(shapely.to_wkb(gdf.geometry.to_numpy(), hex=False)))
    for column in columns:
        digest.update(column.encode())
        digest.update("\x1f".join(map(str, gdf[column].tolist())).encode())
    return digest.hexdigest()


def web_geometry(
    gdf: gpd.GeoDataFrame,
    *,
    view: View | float = "auto",
    columns: Sequence[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> gpd.GeoDataFrame:
    """The layer as the browser should get it: simplified coverage, quantised, cached.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons (any CRS; reprojected to EPSG:4326).
    view : {"auto", "province", "country"} or float
        Sets the tolerance (:func:`tolerance_m`); ``"auto"`` uses the layer's extent.
    columns : sequence of str, optional
        Columns kept; default those of :data:`MAP_COLUMNS` present in ``gdf``.
    cache_dir : str or path-like, optional
        GeoParquet cache folder; default :data:`WEB_CACHE_DIR`.
    use_cache : bool
        Read and write the memory and disk caches.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows in the same order and index, ``columns`` and ``geometry`` (EPSG:4326);
        ``attrs["web_geometry"]`` holds ``tolerance_m``, ``tolerance_deg``, ``grid``,
        ``vertices_in``, ``vertices_out``, ``cleaned`` (polygons changed to make a coverage),
        ``empty`` (polygons wholly covered by others in the source, left without area),
        ``coverage_valid`` (``shapely.coverage_is_valid`` of the result), ``key`` and
        ``from_cache``.

    Notes
    -----
    A layer not found in a cache is prepared in the stages of :data:`WEB_STAGES`, each
    reported to the callback of :func:`geo.progress.reporting_progress` as it starts; a layer
    from a cache reports nothing.

    Examples
    --------
    >>> import shapely
    >>> cells = gpd.GeoDataFrame({"commune_code": ["1", "2"]}, crs=4326, geometry=[
    ...     shapely.box(105.0, 20.0, 105.1, 20.1), shapely.box(105.1, 20.0, 105.2, 20.1)])
    >>> web = web_geometry(cells, use_cache=False)
    >>> web.attrs["web_geometry"]["grid"], bool(shapely.coverage_is_valid(web.geometry.values))
    (1e-05, True)
    """
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    kept = [c for c in (columns if columns is not None else MAP_COLUMNS) if c in gdf.columns]
    bounds = tuple(float(v) for v in gdf.total_bounds) if len(gdf) else (0.0, 0.0, 0.0, 0.0)
    metres = tolerance_m(bounds, view=view)
    tol_deg = degrees(metres, latitude=(bounds[1] + bounds[3]) / 2)
    grid = grid_for(tol_deg)
    settings = f"v{PIPELINE_VERSION}:t{metres:g}:g{grid:g}:{','.join(kept)}"
    key = hashlib.sha256(f"{source_hash(gdf, kept)}:{settings}".encode()).hexdigest()

    folder = Path(cache_dir) if cache_dir is not None else WEB_CACHE_DIR
    path = folder / f"web_{key[:32]}.parquet"
    cached = _cached(key, path) if use_cache else None
    if cached is None:
        # Only now is there work to wait for: a layer from a cache reports nothing.
        report_progress("web.coverage", WEB_STAGES["web.coverage"])
        geoms = gdf.geometry.to_numpy()
        # Thin, then snap no further than a quarter, then half the tolerance (invisible at
        # the view); close the slivers between neighbours (see gap_width_for).
        coverage, cleaned = make_coverage(
            geoms,
            snaps=(SNAP_SHARES[0] * tol_deg, grid, SNAP_SHARES[1] * tol_deg),
            gap_width=gap_width_for(geoms, tol_deg),
            presimplify_tolerance=PRESIMPLIFY_SHARE * tol_deg,
        )
        report_progress("web.simplify", WEB_STAGES["web.simplify"])
        simplified = simplify_coverage(coverage, tol_deg)
        report_progress("web.quantise", WEB_STAGES["web.quantise"])
        out, valid = _quantised_coverage(simplified, grid, rounds=3)
        cached = gpd.GeoDataFrame(gdf[kept].reset_index(drop=True), geometry=out, crs=WGS84)
        report_progress("web.topology", WEB_STAGES["web.topology"])
        topology = build_topology(out, grid)
        cached.attrs["web_topology"] = {"grid": grid, **topology.encode()}
        cached.attrs["web_geometry"] = {
            "tolerance_m": metres,
            "tolerance_deg": tol_deg,
            "grid": grid,
            "vertices_in": int(shapely.get_num_coordinates(geoms).sum()),
            "vertices_out": int(shapely.get_num_coordinates(out).sum()),
            "cleaned": cleaned,
            "empty": int(shapely.is_empty(out).sum()),
            "coverage_valid": valid,
            "arcs": len(topology.arcs),
            "arc_vertices": int(sum(len(arc) for arc in topology.arcs)),
            "key": key,
            "from_cache": False,
        }
        if use_cache:
            _remember(key, cached)
            report_progress("web.write", WEB_STAGES["web.write"])
            _write(path, cached)
    result = cached.copy()
    result.index = gdf.index
    result.attrs["web_geometry"] = dict(cached.attrs["web_geometry"])
    result.attrs["web_topology"] = cached.attrs["web_topology"]
    return result


def _cached(key: str, path: Path) -> gpd.GeoDataFrame | None:
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key]
    if not path.is_file():
        return None
    try:
        frame = gpd.read_parquet(path)
        saved = json.loads(frame.attrs.get("web_geometry_json", "{}") or "{}")
        info, topology = saved.get("web_geometry", {}), saved.get("web_topology")
    except Exception as exc:  # a damaged entry is rebuilt, never fatal
        log.warning("ignoring web geometry cache %s: %s", path, exc)
        return None
    if info.get("key") != key or not isinstance(topology, dict):
        return None
    frame.attrs = {"web_geometry": {**info, "from_cache": True}, "web_topology": topology}
    _remember(key, frame)
    return frame


def _remember(key: str, frame: gpd.GeoDataFrame) -> None:
    _MEMORY[key] = frame
    _MEMORY.move_to_end(key)
    while len(_MEMORY) > MEMORY_ENTRIES:
        _MEMORY.popitem(last=False)


def clear_memory() -> None:
    """Forget the layers kept in memory (the disk cache stays); for tests and benchmarks."""
    _MEMORY.clear()


def _write(path: Path, frame: gpd.GeoDataFrame) -> None:
    """Write atomically (concurrent sessions never read half a file); no cache is no error."""
    out = frame.copy()
    # GeoParquet keeps DataFrame.attrs only as JSON-able strings: store ours as one (the
    # topology with the geometry, so a new process reads it instead of building it).
    saved = {
        "web_geometry": frame.attrs["web_geometry"],
        "web_topology": frame.attrs["web_topology"],
    }
    out.attrs = {"web_geometry_json": json.dumps(saved)}
    try:
        write_atomically(path, out.to_parquet)
    except OSError as exc:
        log.warning("cannot write web geometry cache in %s: %s", path.parent, exc)


# --------------------------------------------------------------------------------------------
# Compact encoding for the browser


def script_json(value: Any) -> str:
    """JSON that is also safe inside an HTML ``<script>`` (no ``<``, ``>``, ``&`` or ``'``)
    and inside a Jinja template (no ``{{``, ``{%`` or ``{#``).

    Examples
    --------
    >>> script_json({"name": "</script>"})
    '{"name":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    # Jinja (which folium and streamlit-folium run over scripts) must find no tag in data.
    # JSON has "{{", "{%" or "{#" only inside strings, where the escape is equivalent.
    return text.replace("{{", "{\\u007b").replace("{%", "{\\u0025").replace("{#", "{\\u0023")


def _ring_table(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of every ring, where each ring starts and ends, and its feature / polygon.

    Returns ``(coords, starts, ends, owner)`` where ``owner[r] = (feature, polygon)`` rows for
    ring ``r`` as a 2-column array (polygon numbered within all polygons).
    """
    polygons, poly_feature = shapely.get_parts(geoms, return_index=True)
    rings, ring_poly = shapely.get_rings(polygons, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    if not len(ring_of):
        empty = np.zeros(0, dtype=np.int64)
        return coords, empty, empty, np.zeros((0, 2), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
    ends = np.r_[starts[1:], len(ring_of)].astype(np.int64)
    polys = ring_poly[ring_of[starts]]
    owner = np.column_stack([poly_feature[polys], polys])
    return coords, starts, ends, owner.astype(np.int64)


def _nest(n: int, pieces: list[Any], owner: np.ndarray) -> list[list[list[Any]]]:
    """Group ring pieces into features → polygons → rings, in order."""
    features: list[list[list[Any]]] = [[] for _ in range(n)]
    last_poly = -1
    for piece, (feature, poly) in zip(pieces, owner.tolist(), strict=True):
        if poly != last_poly:
            features[feature].append([])
            last_poly = poly
        features[feature][-1].append(piece)
    return features


def geojson_geometries(geoms: np.ndarray) -> list[dict[str, Any]]:
    """GeoJSON MultiPolygon dicts of ``geoms``, built from numpy (no JSON round trip)."""
    coords, starts, ends, owner = _ring_table(geoms)
    points = coords.tolist()  # one conversion, then slices: 3× faster than one per ring
    pieces = [points[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return [
        {"type": "MultiPolygon", "coordinates": polys} for polys in _nest(len(geoms), pieces, owner)
    ]


class WebFeatureCollection(dict):
    """A GeoJSON FeatureCollection (a plain dict for folium) that keeps its web layer.

    ``frame`` is the :func:`web_geometry` layer with the properties as columns: what
    :class:`geo.web.compact.CompactGeoJson` encodes. The features themselves carry the properties
    only (``"geometry": null``): 285,000 coordinate pairs as Python lists cost a fraction of
    a second to build and slow every garbage collection of the process after. A plain
    ``folium.GeoJson`` needs :meth:`with_coordinates`.
    """

    frame: gpd.GeoDataFrame

    def with_coordinates(self) -> dict[str, Any]:
        """The same collection with its (simplified, quantised) coordinates, as plain dicts."""
        geometries = geojson_geometries(self.frame.geometry.to_numpy())
        return {
            "type": "FeatureCollection",
            "features": [
                {**feature, "geometry": geometry}
                for feature, geometry in zip(self["features"], geometries, strict=True)
            ],
        }


def web_feature_collection(
    gdf: gpd.GeoDataFrame,
    properties: pd.DataFrame,
    *,
    view: View | float = "auto",
    rows: np.ndarray | None = None,
) -> WebFeatureCollection:
    """The features of ``gdf`` through :func:`web_geometry`, with the given properties.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons.
    properties : pandas.DataFrame
        One row per feature (per row of ``gdf``, or per selected row), in order, values as
        they should reach the page.
    view : {"auto", "province", "country"} or float
        Simplification tolerance (:func:`tolerance_m`).
    rows : numpy.ndarray of bool, optional
        Only these rows of ``gdf``, cut from the web geometry of the whole layer (its
        tolerance, its cache): the rest of a country around one district costs no new
        simplification. (A part of a coverage is a coverage.)

    Returns
    -------
    WebFeatureCollection
        Features with properties (geometry in ``frame``; see the class).
    """
    web = web_geometry(gdf, view=view, columns=())
    if rows is not None:
        web = _subset(web, np.asarray(rows, dtype=bool))
    props = properties.reset_index(drop=True)
    names = [str(c) for c in props.columns]
    columns = [_plain_list(props[c].tolist()) for c in props.columns]
    features = (
        [
            {"type": "Feature", "properties": dict(zip(names, row, strict=True)), "geometry": None}
            for row in zip(*columns, strict=True)
        ]
        if names
        else [{"type": "Feature", "properties": {}, "geometry": None} for _ in props.index]
    )
    collection = WebFeatureCollection(type="FeatureCollection", features=features)
    frame = gpd.GeoDataFrame(props, geometry=web.geometry.to_numpy(), crs=WGS84)
    frame.attrs = web.attrs
    collection.frame = frame
    return collection


def _subset(web: gpd.GeoDataFrame, rows: np.ndarray) -> gpd.GeoDataFrame:
    """Rows of a :func:`web_geometry` layer, with a key of their own and their topology."""
    part = web[rows]
    info = dict(web.attrs["web_geometry"])
    info["key"] = hashlib.sha256(
        f"{info['key']}:{np.packbits(rows).tobytes().hex()}".encode()
    ).hexdigest()
    part.attrs = {"web_geometry": info}
    topology = _SUBSET_TOPOLOGIES.get(info["key"])
    if topology is None:
        topology = topology_of(part)
        _SUBSET_TOPOLOGIES[info["key"]] = topology
        while len(_SUBSET_TOPOLOGIES) > MEMORY_ENTRIES:
            _SUBSET_TOPOLOGIES.popitem(last=False)
    part.attrs["web_topology"] = topology
    return part


_SUBSET_TOPOLOGIES: OrderedDict[str, dict[str, Any]] = OrderedDict()
_HEADS: OrderedDict[str, str] = OrderedDict()


def topology_of(web: gpd.GeoDataFrame) -> dict[str, Any]:
    """The encoded topology of a :func:`web_geometry` layer (``grid``, ``x0``, ``y0``, ``n``,
    ``arcs``, ``rings``; see :meth:`geo.web.topology.Topology.encode`).

    Built with the layer and cached with it; a frame that lost its attributes gets it built
    again from its coordinates.
    """
    topology = web.attrs.get("web_topology")
    if isinstance(topology, dict) and topology.get("n") == len(web):
        return topology
    grid = float(web.attrs["web_geometry"]["grid"])
    return {"grid": grid, **build_topology(web.geometry.to_numpy(), grid).encode()}


def compact_geometry(
    web: gpd.GeoDataFrame,
    *,
    text: dict[str, Sequence[object]] | None = None,
    escape: bool = True,
) -> dict[str, Any]:
    """The layer as a compact JSON-able dict the browser decodes with :data:`DECODE_JS`.

    Parameters
    ----------
    web : geopandas.GeoDataFrame
        Output of :func:`web_geometry` (coordinates on its grid).
    text : dict, optional
        Per-feature text properties, e.g. ``{"code": ..., "name": ...}``. Repeated values
        (district names, colours) are sent once: a property with at most half as many distinct
        values as features becomes a table plus indices (as varint text).
    escape : bool
        HTML-escape the text (``False`` when the caller already did).

    Returns
    -------
    dict
        The topology (:func:`topology_of`) and ``props``: each name maps to either a list of
        values or ``{"values": [...], "index": varint text}``.

    Examples
    --------
    >>> import shapely
    >>> cells = gpd.GeoDataFrame({"commune_code": ["1", "2"]}, crs=4326, geometry=[
    ...     shapely.box(105.0, 20.0, 105.1, 20.1), shapely.box(105.1, 20.0, 105.2, 20.1)])
    >>> data = compact_geometry(web_geometry(cells, use_cache=False), text={"name": ["A", "B"]})
    >>> sorted(data), [f["properties"]["name"] for f in decode_compact(data)]
    (['arcs', 'grid', 'n', 'props', 'rings', 'text', 'x0', 'y0'], ['A', 'B'])
    """
    props, table = _props(text, len(web), escape=escape)
    return {**topology_of(web), "props": props, "text": table}


def compact_geometry_json(
    web: gpd.GeoDataFrame, *, text: dict[str, Sequence[object]] | None = None, escape: bool = True
) -> str:
    """:func:`compact_geometry` as script-safe JSON text; the geometry part is memoised by the
    layer's cache key, so the same geography with other properties is encoded once."""
    key = str(web.attrs.get("web_geometry", {}).get("key", ""))
    head = _HEADS.get(key) if key else None
    if head is None:
        # Varint text needs no escaping: script_json of the topology is plain json.dumps.
        head = script_json(topology_of(web))[:-1]
        if key:
            _HEADS[key] = head
            while len(_HEADS) > MEMORY_ENTRIES:
                _HEADS.popitem(last=False)
    else:
        _HEADS.move_to_end(key)
    props, table = _props(text, len(web), escape=escape)
    return f'{head},"props":{script_json(props)},"text":{script_json(table)}}}'


def _props(
    text: dict[str, Sequence[object]] | None, n: int, *, escape: bool
) -> tuple[dict[str, Any], list[str]]:
    """Property columns as sent (:func:`geo.web.text.encode_columns`) and their text table."""
    columns: dict[str, list[object]] = {}
    for name, values in (text or {}).items():
        items = [html.escape(str(v)) if escape else v for v in values]
        if len(items) != n:
            raise ValueError(f"property {name!r} has {len(items)} values for {n} rows")
        columns[name] = _plain_list(items)
    return encode_columns(columns)


def _plain_list(values: list[Any]) -> list[Any]:
    """:func:`_plain` of every value (strings, the common case, pass as they are)."""
    return [v if type(v) is str else _plain(v) for v in values]


def _plain(value: object) -> object:
    """A JSON-able scalar (numpy numbers as Python ones, missing values as null)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if isinstance(value, np.generic) else value


def _prop_columns(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Property columns of :func:`compact_geometry` output, one value per feature, unpacked."""
    return decode_columns(data.get("props", {}), data.get("text", []))


def decode_compact(data: dict[str, Any]) -> list[dict[str, Any]]:
    """GeoJSON features back from :func:`compact_geometry` (what :data:`DECODE_JS` builds).

    For tests and tools; properties stay HTML-escaped, as the browser gets them.
    """
    topology = decode_topology(data)
    grid = float(data["grid"])
    columns = _prop_columns(data)
    features = []
    for i, polygons in enumerate(topology.rings_xy()):
        coordinates = [[(ring * grid).tolist() for ring in rings] for rings in polygons]
        properties: dict[str, Any] = {"_row": i}
        properties.update({name: column[i] for name, column in columns.items()})
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
    return features


def decode_outlines(data: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """The outline features :data:`DECODE_JS`'s ``atlasOutlines`` draws for property ``group``:
    one MultiLineString per distinct value, its arcs those not shared within the group."""
    topology = decode_topology(data)
    grid = float(data["grid"])
    by_group = outline_arcs(topology, _prop_columns(data)[group])
    return [
        {
            "type": "Feature",
            "properties": {group: value},
            "geometry": {
                "type": "MultiLineString",
                "coordinates": [(topology.arcs[arc] * grid).tolist() for arc in arcs],
            },
        }
        for value, arcs in by_group.items()
    ]


#: JavaScript: ``atlasFeatures(data)`` → ``{topology, collection}``: the GeoJSON
#: FeatureCollection of :func:`compact_geometry` output (properties get ``_row``, the feature's
#: row) and its decoded topology, which ``atlasOutlines(topology, groupOf, name)`` turns into
#: outlines (see :func:`decode_outlines`).
DECODE_JS = (
    TOPOLOGY_JS
    + TEXT_JS
    + COLUMNS_JS
    + """
function atlasFeatures(data) {
  var topology = atlasTopology(data), names = Object.keys(data.props);
  var byName = atlasColumns(data.props, data.text), columns = names.map(function (n) {
    return byName[n];
  });
  var features = new Array(data.n);
  for (var i = 0; i < data.n; i++) {
    var polys = topology.features[i], coordinates = new Array(polys.length);
    for (var p = 0; p < polys.length; p++) {
      var rings = polys[p], outRings = new Array(rings.length);
      for (var r = 0; r < rings.length; r++) outRings[r] = atlasRing(topology.arcs, rings[r]);
      coordinates[p] = outRings;
    }
    var properties = {_row: i};
    for (var n = 0; n < names.length; n++) properties[names[n]] = columns[n][i];
    features[i] = {type: "Feature", properties: properties,
                   geometry: {type: "MultiPolygon", coordinates: coordinates}};
  }
  return {topology: topology, collection: {type: "FeatureCollection", features: features}};
}
"""
)
