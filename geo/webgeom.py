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
   made a coverage with ``shapely.coverage_clean``; otherwise edge-wise simplification would
   open gaps.
2. **Quantise.** Coordinates are rounded to a decimal grid tied to the tolerance
   (:func:`grid_for`: at most a quarter of it, e.g. 1e-5° ≈ 1 m for a province, 1e-4° ≈ 11 m
   for the country). Rounding is a function of the vertex alone, so a vertex shared by two
   neighbours moves to the same place in both; two different edges closer than the grid may
   cross once rounded, and :func:`quantise_coverage` then cleans and rounds again, so the
   result stays a valid coverage.
3. **Cache.** The result (only the columns the map needs) is written as GeoParquet keyed by a
   hash of the source geometry and columns, the tolerance, the grid and
   :data:`PIPELINE_VERSION`, and kept in memory for the process.
4. **Encode.** :func:`compact_geometry` turns the layer into integers on the grid, delta-encoded
   along each ring (closing vertex dropped), which the browser decodes in a few milliseconds
   (:data:`DECODE_JS`). Text is HTML-escaped once and the JSON is safe inside ``<script>``.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import os
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import DEFAULT_CACHE_DIR
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME, WGS84

log = logging.getLogger(__name__)

#: Bump when the output of the pipeline changes, so old cache entries are not reused.
PIPELINE_VERSION = "1"
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
#: Layers kept in memory (a geography × district filter each).
MEMORY_ENTRIES = 32

View = Literal["auto", "province", "country"]

_MEMORY: OrderedDict[str, gpd.GeoDataFrame] = OrderedDict()


# --------------------------------------------------------------------------------------------
# Tolerance and grid


def extent_m(bounds: Sequence[float]) -> float:
    """Larger side of lon/lat ``bounds`` in metres (longitude measured at the middle latitude).

    Examples
    --------
    >>> round(extent_m((105.0, 20.0, 106.0, 20.5)) / 1000)
    105
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
    """Quantisation step in degrees: the largest power of ten at most a quarter of the tolerance.

    Rounding moves a vertex by at most ``grid * sqrt(2) / 2`` < 0.18 tolerance.

    Examples
    --------
    >>> grid_for(0.00025), grid_for(0.004)
    (1e-05, 0.0001)
    """
    if tolerance_deg <= 0:
        raise ValueError("tolerance must be positive")
    return 10.0 ** math.floor(math.log10(tolerance_deg / 4))


def decimals_of(grid: float) -> int:
    """Decimal places of a power-of-ten grid (``1e-05`` → 5)."""
    return max(0, -round(math.log10(grid)))


# --------------------------------------------------------------------------------------------
# Geometry steps


def make_coverage(geoms: np.ndarray, *, snaps: Sequence[float]) -> tuple[np.ndarray, int]:
    """Return ``geoms`` as a valid coverage (shared edges identical, no overlaps).

    A valid coverage is returned as it is. Otherwise ``shapely.coverage_clean`` snaps vertices
    closer than a snapping distance, nodes the edges and gives each overlap to the neighbour
    with the longest common border; the distances in ``snaps`` are tried in turn until the
    result is valid (GEOS may leave an edge unmatched at a very small distance). A polygon
    wholly covered by others comes out empty: it has no area of its own to draw.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        The coverage and how many polygons cleaning changed (0 when none was needed).
    """
    if bool(shapely.coverage_is_valid(geoms)):
        return geoms, 0
    cleaned = geoms
    for snap in snaps:
        cleaned = shapely.coverage_clean(geoms, snapping_distance=snap)
        if bool(shapely.coverage_is_valid(cleaned)):
            break
    changed = int((~shapely.equals_exact(cleaned, geoms, tolerance=0.0)).sum())
    return cleaned, changed


def simplify_coverage(geoms: np.ndarray, tolerance_deg: float) -> np.ndarray:
    """Simplify a coverage edge by edge; neighbours keep a common border.

    ``coverage_simplify`` never removes a polygon nor a node where three meet, so the result
    has one non-empty polygon per input polygon.
    """
    return shapely.coverage_simplify(geoms, tolerance_deg, simplify_boundary=True)


def quantise(geoms: np.ndarray, grid: float) -> np.ndarray:
    """Round every vertex to a multiple of ``grid`` and drop the vertices that then repeat.

    The rounding depends on the vertex only, so borders shared vertex for vertex stay shared.
    The rare polygon made invalid (a spike folding onto itself) is repaired keeping its
    structure; an empty result keeps the unrounded polygon.
    """
    rounded = shapely.transform(geoms, lambda xy: np.round(xy / grid) * grid)
    rounded = shapely.remove_repeated_points(rounded, tolerance=0.0)
    bad = ~shapely.is_valid(rounded)
    if bad.any():
        fixed = shapely.make_valid(rounded[bad], method="structure", keep_collapsed=False)
        rounded[bad] = [_polygonal(g) for g in fixed]
    empty = shapely.is_empty(rounded) & ~shapely.is_empty(geoms)
    rounded[empty] = geoms[empty]
    return rounded


def quantise_coverage(geoms: np.ndarray, grid: float, *, rounds: int = 3) -> np.ndarray:
    """:func:`quantise` a coverage and keep it one.

    Rounding keeps shared vertices shared, but two different edges closer than the grid (a
    narrow wedge between neighbours) may cross once rounded. Then the rounded coverage is
    cleaned again with the grid as snapping distance (which nodes the crossings: a handful of
    new vertices, off the grid) and rounded again, up to ``rounds`` times.
    """
    out = quantise(geoms, grid)
    for _ in range(rounds):
        if bool(shapely.coverage_is_valid(out)):
            break
        out = quantise(shapely.coverage_clean(out, snapping_distance=grid), grid)
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
        geoms = gdf.geometry.to_numpy()
        # Snap no further than the grid first, then half the tolerance: both are invisible.
        coverage, cleaned = make_coverage(geoms, snaps=(grid, tol_deg / 2))
        out = quantise_coverage(simplify_coverage(coverage, tol_deg), grid)
        cached = gpd.GeoDataFrame(gdf[kept].reset_index(drop=True), geometry=out, crs=WGS84)
        cached.attrs["web_geometry"] = {
            "tolerance_m": metres,
            "tolerance_deg": tol_deg,
            "grid": grid,
            "vertices_in": int(shapely.get_num_coordinates(geoms).sum()),
            "vertices_out": int(shapely.get_num_coordinates(out).sum()),
            "cleaned": cleaned,
            "empty": int(shapely.is_empty(out).sum()),
            "coverage_valid": bool(shapely.coverage_is_valid(out)),
            "key": key,
            "from_cache": False,
        }
        if use_cache:
            _remember(key, cached)
            _write(path, cached)
    result = cached.copy()
    result.index = gdf.index
    result.attrs["web_geometry"] = dict(cached.attrs["web_geometry"])
    return result


def _cached(key: str, path: Path) -> gpd.GeoDataFrame | None:
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key]
    if not path.is_file():
        return None
    try:
        frame = gpd.read_parquet(path)
        info = json.loads(frame.attrs.get("web_geometry_json", "{}") or "{}")
    except Exception as exc:  # a damaged entry is rebuilt, never fatal
        log.warning("ignoring web geometry cache %s: %s", path, exc)
        return None
    if info.get("key") != key:
        return None
    frame.attrs = {"web_geometry": {**info, "from_cache": True}}
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
    # GeoParquet keeps DataFrame.attrs only as JSON-able strings: store ours as one.
    out.attrs = {"web_geometry_json": json.dumps(frame.attrs["web_geometry"])}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".parquet")
        os.close(handle)
        try:
            out.to_parquet(temporary)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
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


def encode_rings(geoms: np.ndarray, grid: float) -> tuple[list[list[list[list[int]]]], int, int]:
    """Polygons as nested lists of integers on ``grid``, delta-encoded along each ring.

    Returns
    -------
    tuple
        ``(features, x0, y0)``: per feature a list of polygons, each a list of rings, each a
        flat list ``[dx0, dy0, dx1, dy1, ...]`` where the first pair is relative to the origin
        ``(x0, y0)`` (in grid units) and each next pair to the previous vertex; the closing
        vertex is left out.
    """
    coords, starts, ends, owner = _ring_table(geoms)
    if not len(coords):
        return [[] for _ in range(len(geoms))], 0, 0
    ints = np.rint(coords / grid).astype(np.int64)
    x0, y0 = (int(v) for v in ints.min(axis=0))
    deltas = np.empty_like(ints)
    deltas[1:] = ints[1:] - ints[:-1]
    deltas[starts] = ints[starts] - (x0, y0)
    flat = deltas.ravel().tolist()
    # end - 1 drops the closing vertex (the ring's first again)
    pieces = [
        flat[2 * a : 2 * (b - 1)] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
    return _nest(len(geoms), pieces, owner), x0, y0


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
    :class:`geo.webmap.CompactGeoJson` encodes. The features themselves carry the properties
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
    gdf: gpd.GeoDataFrame, properties: pd.DataFrame, *, view: View | float = "auto"
) -> WebFeatureCollection:
    """The features of ``gdf`` through :func:`web_geometry`, with the given properties.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons.
    properties : pandas.DataFrame
        One row per row of ``gdf`` (in order), values as they should reach the page.
    view : {"auto", "province", "country"} or float
        Simplification tolerance (:func:`tolerance_m`).

    Returns
    -------
    WebFeatureCollection
        Features with properties (geometry in ``frame``; see the class).
    """
    web = web_geometry(gdf, view=view, columns=())
    props = properties.reset_index(drop=True)
    names = [str(c) for c in props.columns]
    columns = [[_plain(v) for v in props[c].tolist()] for c in props.columns]
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


_GEOMS_JSON: OrderedDict[str, tuple[str, int, int]] = OrderedDict()


def compact_geometry(
    web: gpd.GeoDataFrame,
    *,
    text: dict[str, Sequence[object]] | None = None,
    grid: float | None = None,
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
        values as features becomes a table plus indices.
    grid : float, optional
        Default ``web.attrs["web_geometry"]["grid"]``.
    escape : bool
        HTML-escape the text (``False`` when the caller already did).

    Returns
    -------
    dict
        ``{"grid", "x0", "y0", "geoms", "props"}``; ``props`` maps each name to either a list
        of values or ``{"values": [...], "index": [...]}``.
    """
    grid = grid if grid is not None else float(web.attrs["web_geometry"]["grid"])
    geoms, x0, y0 = encode_rings(web.geometry.to_numpy(), grid)
    return {
        "grid": grid,
        "x0": x0,
        "y0": y0,
        "geoms": geoms,
        "props": _props(text, len(geoms), escape=escape),
    }


def compact_geometry_json(
    web: gpd.GeoDataFrame, *, text: dict[str, Sequence[object]] | None = None, escape: bool = True
) -> str:
    """:func:`compact_geometry` as script-safe JSON text; the geometry part is memoised by the
    layer's cache key, so the same geography with other properties is encoded once."""
    info = web.attrs["web_geometry"]
    key = f"{info['key']}:{info['grid']}"
    if key in _GEOMS_JSON:
        _GEOMS_JSON.move_to_end(key)
        geoms_json, x0, y0 = _GEOMS_JSON[key]
    else:
        geoms, x0, y0 = encode_rings(web.geometry.to_numpy(), float(info["grid"]))
        geoms_json = json.dumps(geoms, separators=(",", ":"))
        _GEOMS_JSON[key] = (geoms_json, x0, y0)
        while len(_GEOMS_JSON) > MEMORY_ENTRIES:
            _GEOMS_JSON.popitem(last=False)
    head = script_json({"grid": float(info["grid"]), "x0": x0, "y0": y0})[:-1]
    props = script_json(_props(text, len(web), escape=escape))
    return f'{head},"geoms":{geoms_json},"props":{props}}}'


def _props(text: dict[str, Sequence[object]] | None, n: int, *, escape: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, values in (text or {}).items():
        items = [html.escape(str(v)) if escape else v for v in values]
        if len(items) != n:
            raise ValueError(f"property {name!r} has {len(items)} values for {n} rows")
        codes, uniques = pd.factorize(pd.Series(items, dtype="object"), use_na_sentinel=False)
        if len(uniques) * 2 <= n:
            props[name] = {"values": [_plain(v) for v in uniques], "index": codes.tolist()}
        else:
            props[name] = [_plain(v) for v in items]
    return props


def _plain(value: object) -> object:
    """A JSON-able scalar (numpy numbers as Python ones, missing values as null)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if isinstance(value, np.generic) else value


def decode_compact(data: dict[str, Any]) -> list[dict[str, Any]]:
    """GeoJSON features back from :func:`compact_geometry` (what :data:`DECODE_JS` builds).

    For tests and tools; properties stay HTML-escaped, as the browser gets them.
    """
    grid, origin = data["grid"], np.array([data["x0"], data["y0"]], dtype=np.int64)
    features = []
    for i, polys in enumerate(data["geoms"]):
        coordinates = []
        for poly in polys:
            rings = []
            for ring in poly:
                xy = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0)
                points = ((xy + origin) * grid).tolist()
                rings.append([*points, points[0]])
            coordinates.append(rings)
        properties: dict[str, Any] = {"_row": i}
        for name, values in data["props"].items():
            properties[name] = (
                values["values"][values["index"][i]] if isinstance(values, dict) else values[i]
            )
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
    return features


#: JavaScript ``atlasDecode(data)`` → GeoJSON FeatureCollection (the inverse of
#: :func:`compact_geometry`; properties get ``_row``, the feature's row).
DECODE_JS = """
function atlasDecode(data) {
  var g = data.grid, names = Object.keys(data.props), features = new Array(data.geoms.length);
  for (var i = 0; i < data.geoms.length; i++) {
    var polys = data.geoms[i], coordinates = new Array(polys.length);
    for (var p = 0; p < polys.length; p++) {
      var rings = polys[p], outRings = new Array(rings.length);
      for (var r = 0; r < rings.length; r++) {
        var ring = rings[r], x = data.x0, y = data.y0, out = new Array(ring.length / 2 + 1);
        for (var k = 0; k < ring.length; k += 2) {
          x += ring[k]; y += ring[k + 1];
          out[k / 2] = [x * g, y * g];
        }
        out[ring.length / 2] = out[0];
        outRings[r] = out;
      }
      coordinates[p] = outRings;
    }
    var properties = {_row: i};
    for (var n = 0; n < names.length; n++) {
      var v = data.props[names[n]];
      properties[names[n]] = Array.isArray(v) ? v[i] : v.values[v.index[i]];
    }
    features[i] = {type: "Feature", properties: properties,
                   geometry: {type: "MultiPolygon", coordinates: coordinates}};
  }
  return {type: "FeatureCollection", features: features};
}
"""
