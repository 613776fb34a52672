"""Schematic commune polygons, built offline from each unit's official centre and extent.

No public polygon layer exists for every vintage, but the registry package ``vietnamadminunits``
gives each commune its official centre and bounding box. From those alone this module builds a
*schematic* coverage: one cell per commune, no gaps, no overlaps, each cell holding its official
centre and shaped by its extent. It is a picture of where communes are, not a boundary.

Method, in short:

1. Extents are checked against the local density of centres (Voronoi area). An extent that is a
   point-like box or covers many neighbours (geocoding artefacts in the registry) is not trusted;
   the unit then falls back to its Voronoi extent.
2. The province outline is the union of one ellipse per trusted extent (four quarter-ellipses
   around the centre, touching the box sides), closed morphologically (buffer out, then in).
3. Each pixel of a raster over the outline goes to the unit with the smallest *normalised*
   distance: offsets divided by the unit's half-extent on that side of its centre (a
   superellipse metric, like an anisotropic weighted Voronoi diagram). A few rounds rescale each
   side so the cell's extent approaches the official one.
4. Thin strips are trimmed (per-cell opening), cells are made connected and vectorised as an
   exactly noded coverage, then simplified with :func:`shapely.coverage_simplify` and rounded
   (Chaikin) edge by edge, so neighbours keep sharing their edges.

Units whose centres (nearly) coincide share one raster site, split afterwards by straight lines
(Voronoi of their centres, or equal angular sectors around an identical centre).

Examples
--------
>>> cells = schematic_communes("17")
>>> len(cells), cells.attrs["boundary_kind"]
(151, 'schematic')
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.admin_units import HOA_BINH, communes
from geo.schema import (
    COMMUNE_CODE,
    COMMUNE_COLUMNS,
    DISTRICT_CODE,
    DISTRICT_NAME,
    GEOMETRY,
    METRIC_CRS,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE,
    WGS84,
)

#: Bump when the method or its parameters change: it is part of the cache key.
METHOD_VERSION = "1"
#: Value of ``gdf.attrs["boundary_kind"]`` on a schematic layer.
BOUNDARY_KIND = "schematic"
#: Value of ``gdf.attrs["boundary_source"]`` on a schematic layer.
BOUNDARY_SOURCE = (
    "Schematic cells built from the official commune centres and extents of the package "
    "vietnamadminunits (MIT); not official boundaries"
)
#: Default cache folder (gitignored).
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[1] / "data" / "boundaries" / "cache"

#: Columns of a district layer made by :func:`districts_from_communes`.
DISTRICT_COLUMNS: tuple[str, ...] = (
    DISTRICT_CODE,
    DISTRICT_NAME,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE,
)


@dataclass(frozen=True)
class SchematicParams:
    """Global parameters of the schematic method (tuned once, never per commune).

    Parameters
    ----------
    trust_ratio : tuple of float
        An official extent is trusted when its box area over the unit's Voronoi area lies in this
        range; outside it the box is a geocoding artefact (a point, or a whole district).
    extent_weight : float
        Weight of the official half-extents against the Voronoi half-extents (geometric blend)
        in the distance metric of a trusted unit.
    metric_exponent : float
        Exponent ``p`` of the superellipse distance ``(|u|^p + |v|^p)^(1/p)``.
    fit_rounds, fit_rate : int, float
        Rounds and damping of the per-side rescaling that pulls each cell's extent toward the
        official one.
    outline_exponent : float
        Superellipse exponent of the shape drawn in each trusted extent for the outline.
    closing : float
        Radius of the morphological closing of the outline, in median centre spacings.
    pixel_budget : int
        About how many raster pixels cover the outline (sets the resolution).
    neighbours : int
        Candidate units per pixel (nearest centres).
    simplify : float
        Coverage simplification tolerance, in pixels.
    smooth_rounds : int
        Chaikin corner-cutting rounds applied to each shared edge.
    thin : float
        Tolerance, in pixels, of the final simplification that thins the rounded edges.
    strip : float
        Cells lose strips narrower than about twice this, in median centre spacings.

    Examples
    --------
    >>> from dataclasses import replace
    >>> replace(DEFAULT_PARAMS, smooth_rounds=0).metric_exponent
    3.0
    """

    trust_ratio: tuple[float, float] = (0.35, 3.5)
    extent_weight: float = 0.75
    metric_exponent: float = 3.0
    fit_rounds: int = 5
    fit_rate: float = 0.25
    outline_exponent: float = 2.0
    closing: float = 1.6
    pixel_budget: int = 200_000
    neighbours: int = 16
    simplify: float = 1.5
    smooth_rounds: int = 3
    thin: float = 0.15
    strip: float = 0.18


DEFAULT_PARAMS = SchematicParams()


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def schematic_communes(
    province_codes: str | tuple[str, ...] = HOA_BINH, *, cache_dir: Path | None = None
) -> gpd.GeoDataFrame:
    """Schematic commune polygons of one or more provinces, cached as GeoParquet.

    Parameters
    ----------
    province_codes : str or tuple of str
        Two-digit GSO province code(s); default Hòa Bình (``"17"``).
    cache_dir : pathlib.Path, optional
        Folder of the GeoParquet cache; default ``<repo>/data/boundaries/cache/``. The file name
        holds the province codes, :data:`METHOD_VERSION` and the ``vietnamadminunits`` version.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns :data:`geo.schema.COMMUNE_COLUMNS` + ``geometry``, sorted by
        ``commune_code``; ``attrs["boundary_kind"] == "schematic"`` and
        ``attrs["boundary_source"]`` names the source.

    Examples
    --------
    >>> cells = schematic_communes("17")
    >>> len(cells), bool(shapely.coverage_is_valid(cells.geometry.values))
    (151, True)
    """
    path = cache_path(province_codes, cache_dir=cache_dir)
    if path.exists():
        try:
            return _with_attrs(gpd.read_parquet(path))
        except Exception as err:  # a truncated or foreign file: rebuild it
            warnings.warn(f"ignoring unreadable cache {path}: {err}", stacklevel=2)
    gdf = build_schematic(communes(province_codes))
    _write_atomic(gdf, path)
    return gdf


def cache_path(
    province_codes: str | tuple[str, ...] = HOA_BINH, *, cache_dir: Path | None = None
) -> Path:
    """Path of the GeoParquet cache of :func:`schematic_communes`.

    Examples
    --------
    >>> cache_path("17", cache_dir=Path("/tmp/c")).name.startswith("schematic_17_m")
    True
    """
    codes = _normalise_codes(province_codes)
    label = "-".join(codes)
    if len(label) > 40:  # many provinces: keep the name short but unique
        label = f"{len(codes)}p-" + hashlib.sha1(label.encode()).hexdigest()[:12]
    name = f"schematic_{label}_m{METHOD_VERSION}_vau{_registry_version()}.parquet"
    return (DEFAULT_CACHE_DIR if cache_dir is None else Path(cache_dir)) / name


def build_schematic(
    table: pd.DataFrame, *, params: SchematicParams = DEFAULT_PARAMS
) -> gpd.GeoDataFrame:
    """Build schematic cells from a table of units with centres and extents (no cache).

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`geo.admin_units.communes`: the identity columns plus ``lon``,
        ``lat`` (official centre) and ``minx``, ``miny``, ``maxx``, ``maxy`` (extent), degrees.
    params : SchematicParams, optional
        Global method parameters.

    Returns
    -------
    geopandas.GeoDataFrame
        One valid polygon per unit forming a coverage (see :func:`schematic_communes`). A unit
        whose centre is shared with other units touches it on its border; any other unit holds
        its centre inside.

    Examples
    --------
    >>> from geo.admin_units import communes
    >>> cells = build_schematic(communes("17"))
    >>> cells.crs.to_string(), list(cells.columns)[-1]
    ('EPSG:4326', 'geometry')
    """
    table = table.sort_values(COMMUNE_CODE).reset_index(drop=True)
    missing = table[["lon", "lat"]].isna().any(axis=1)
    if missing.any():
        codes = ", ".join(table.loc[missing, COMMUNE_CODE].astype(str))
        warnings.warn(f"units without an official centre are left out: {codes}", stacklevel=2)
        table = table.loc[~missing].reset_index(drop=True)
    if table.empty:
        raise ValueError("no unit with an official centre to build cells from")
    centres, boxes = _to_metric(table)
    cells = _schematic_cells(centres, boxes, params)
    geoms = gpd.GeoSeries(cells, crs=METRIC_CRS).to_crs(WGS84).values
    geoms = _snap_shared_centres(geoms, table[["lon", "lat"]].to_numpy(float))
    gdf = gpd.GeoDataFrame(table[list(COMMUNE_COLUMNS)].copy(), geometry=geoms, crs=WGS84)
    return _with_attrs(gdf)


def _snap_shared_centres(geoms: np.ndarray, lonlat: np.ndarray) -> np.ndarray:
    """Put the common corner of units sharing one official centre exactly on that centre.

    Those cells meet at the centre; the round trip through the metric CRS moves it by ~1e-14°.
    """
    spots, counts = np.unique(lonlat, axis=0, return_counts=True)
    spots = spots[counts > 1]
    if len(spots) == 0:
        return geoms

    def snap(coords: np.ndarray) -> np.ndarray:
        for spot in spots:
            near = np.abs(coords - spot).max(axis=1) < 1e-9
            coords[near] = spot
        return coords

    return shapely.transform(geoms, snap)


def districts_from_communes(communes_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """District outlines as the union of their communes.

    Works for any commune layer with the district columns (schematic or loaded from a file; a
    file with small overlaps or gaps is dissolved all the same).

    Parameters
    ----------
    communes_gdf : geopandas.GeoDataFrame
        Communes with ``district_code``, ``district_name``, ``province_code``,
        ``province_name``, ``vintage`` and a geometry.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district (sorted by ``district_code``): :data:`DISTRICT_COLUMNS` +
        ``geometry``, in the CRS of the input; ``attrs`` are carried over.

    Examples
    --------
    >>> districts = districts_from_communes(schematic_communes("17"))
    >>> len(districts), list(districts.columns)[:2]
    (10, ['district_code', 'district_name'])
    """
    missing = [c for c in DISTRICT_COLUMNS if c not in communes_gdf.columns]
    if missing:
        raise ValueError(f"commune layer lacks the column(s) {', '.join(missing)}")
    geoms = communes_gdf.geometry.values
    rows = []
    for positions in communes_gdf.groupby(DISTRICT_CODE, sort=True).indices.values():
        parts = geoms[positions]
        # An edge-matched coverage dissolves exactly and fast; anything else the robust way.
        union = (
            shapely.coverage_union_all(parts)
            if len(parts) > 1 and bool(shapely.coverage_is_valid(parts))
            else shapely.union_all(parts)
        )
        row = communes_gdf.iloc[positions[0]][list(DISTRICT_COLUMNS)].to_dict()
        row[GEOMETRY] = union if union.is_valid else shapely.make_valid(union)
        rows.append(row)
    out = gpd.GeoDataFrame(rows, columns=[*DISTRICT_COLUMNS, GEOMETRY], crs=communes_gdf.crs)
    out.attrs.update(communes_gdf.attrs)
    return out


# --------------------------------------------------------------------------------------------
# Helpers: identity, cache
# --------------------------------------------------------------------------------------------


def _normalise_codes(province_codes: str | tuple[str, ...]) -> tuple[str, ...]:
    codes = (province_codes,) if isinstance(province_codes, str) else tuple(province_codes)
    return tuple(sorted(set(codes)))


def _registry_version() -> str:
    try:
        return version("vietnamadminunits")
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return "unknown"


def _with_attrs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # Parquet does not keep attrs: set them on every way out.
    gdf.attrs["boundary_kind"] = BOUNDARY_KIND
    gdf.attrs["boundary_source"] = BOUNDARY_SOURCE
    return gdf


def _write_atomic(gdf: gpd.GeoDataFrame, path: Path) -> None:
    # Write then rename, so a concurrent reader never sees half a file.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".parquet.tmp")
        os.close(fd)
        try:
            gdf.to_parquet(tmp, index=False)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    except OSError as err:  # a read-only tree still gets its cells
        warnings.warn(f"could not write cache {path}: {err}", stacklevel=3)


# --------------------------------------------------------------------------------------------
# The method (metric CRS, metres)
# --------------------------------------------------------------------------------------------


def _to_metric(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Centres ``(n, 2)`` and extents ``(n, 4)`` in :data:`METRIC_CRS` (NaN where unknown)."""
    to_metric = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    cx, cy = to_metric.transform(table["lon"].to_numpy(float), table["lat"].to_numpy(float))
    xs, ys = [], []
    for kx, ky in (("minx", "miny"), ("minx", "maxy"), ("maxx", "miny"), ("maxx", "maxy")):
        x, y = to_metric.transform(table[kx].to_numpy(float), table[ky].to_numpy(float))
        xs.append(x)
        ys.append(y)
    xs_a, ys_a = np.array(xs), np.array(ys)
    boxes = np.c_[xs_a.min(0), ys_a.min(0), xs_a.max(0), ys_a.max(0)]
    return np.c_[cx, cy], boxes


def _cluster(points: np.ndarray, radius: float) -> np.ndarray:
    """Label points closer than ``radius`` (transitively) with one cluster id, ``0..k-1``."""
    pairs = cKDTree(points).query_pairs(radius, output_type="ndarray")
    n = len(points)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _voronoi_cells(points: np.ndarray, region: shapely.Geometry) -> np.ndarray:
    """Voronoi cells of distinct ``points``, in input order, clipped to ``region``."""
    if len(points) == 1:
        return np.array([region])
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=region, ordered=True)
    )
    return shapely.intersection(cells, region)


def _half_extents(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Distances from each point to the left, bottom, right, top side of its box."""
    return np.c_[
        points[:, 0] - boxes[:, 0],
        points[:, 1] - boxes[:, 1],
        boxes[:, 2] - points[:, 0],
        boxes[:, 3] - points[:, 1],
    ]


def _quarter_ellipses(points: np.ndarray, half: np.ndarray, exponent: float) -> np.ndarray:
    """One superellipse per point made of four quarters touching the sides of its extent."""
    theta = np.linspace(0.0, 2 * np.pi, 65)[:-1]
    cos, sin = np.cos(theta), np.sin(theta)
    radius = (np.abs(cos) ** exponent + np.abs(sin) ** exponent) ** (-1 / exponent)
    ux, uy = radius * cos, radius * sin
    sx = np.where(ux > 0, half[:, 2:3], half[:, 0:1])
    sy = np.where(uy > 0, half[:, 3:4], half[:, 1:2])
    ring = np.stack([points[:, 0:1] + ux * sx, points[:, 1:2] + uy * sy], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    return shapely.polygons(ring)


@dataclass
class _Sites:
    """Raster sites: one per group of (nearly) coincident centres."""

    of_unit: np.ndarray  # site index of each unit
    points: np.ndarray  # (k, 2) site positions
    half: np.ndarray  # (k, 4) half-extents used by the metric
    target: np.ndarray  # (k, 4) official half-extents to fit (NaN: no target)


def _schematic_cells(centres: np.ndarray, boxes: np.ndarray, params: SchematicParams) -> np.ndarray:
    """Schematic cells (metric CRS), one per centre, forming a polygon coverage."""
    distinct = np.unique(centres.round(3), axis=0)
    spacing = _spacing(distinct, boxes)
    trusted = _trusted_extents(centres, boxes, distinct, spacing, params)
    outline = _outline(centres, boxes, trusted, spacing, params)
    res = float(np.clip(np.sqrt(outline.area / params.pixel_budget), 5.0, 2000.0))
    # Centres closer than this share a site: their reserved 3x3 pixel blocks must not overlap.
    sites = _sites(centres, boxes, trusted, outline, _cluster(centres, 4.5 * res), params)
    grid, origin = _assign_pixels(sites, centres, outline, res, params)
    reserved = _reserved_pixels(centres, sites.of_unit, origin, res)
    grid = _trim_strips(grid, reserved, params.strip * spacing / res)
    grid = _make_connected(grid, reserved)
    site_polys = _smooth(_vectorise(grid, origin, res), res, centres, sites.of_unit, params)
    return _absorb_fragments(_split_sites(site_polys, sites.of_unit, centres, res), centres)


def _spacing(distinct: np.ndarray, boxes: np.ndarray) -> float:
    """Typical distance between neighbouring centres (metres): the length scale of the method."""
    if len(distinct) > 1:
        return float(np.median(cKDTree(distinct).query(distinct, k=2)[0][:, 1]))
    with warnings.catch_warnings():  # all-NaN extents
        warnings.simplefilter("ignore", RuntimeWarning)
        size = float(np.sqrt(np.nanmax((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))))
    return size if np.isfinite(size) and size > 0 else 2000.0


def _trusted_extents(
    centres: np.ndarray,
    boxes: np.ndarray,
    distinct: np.ndarray,
    spacing: float,
    params: SchematicParams,
) -> np.ndarray:
    """Whether each official extent agrees with the local density of centres."""
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(boxes).all(axis=1) & (boxes[:, 2] > boxes[:, 0])
        valid &= boxes[:, 3] > boxes[:, 1]
    box_geoms = shapely.box(*np.where(valid[:, None], boxes, 0.0).T)
    region = shapely.union_all(
        np.r_[box_geoms[valid], shapely.buffer(shapely.points(distinct), 0.5 * spacing)]
    )
    reach = params.closing * spacing
    region = region.buffer(reach).buffer(-reach)
    cells = _voronoi_cells(distinct, region)
    lookup = cKDTree(distinct).query(centres)[1]
    # Units sharing one centre share its Voronoi cell.
    share = np.bincount(lookup, minlength=len(distinct))[lookup]
    voronoi_area = shapely.area(cells)[lookup] / share
    ratio = np.where(valid, shapely.area(box_geoms), np.nan) / voronoi_area
    low, high = params.trust_ratio
    return valid & (ratio >= low) & (ratio <= high)


def _outline(
    centres: np.ndarray,
    boxes: np.ndarray,
    trusted: np.ndarray,
    spacing: float,
    params: SchematicParams,
) -> shapely.Geometry:
    """Plausible province outline: trusted extents as ellipses, closed morphologically."""
    half = np.maximum(_half_extents(centres[trusted], boxes[trusted]), 0.05 * spacing)
    shapes = _quarter_ellipses(centres[trusted], half, params.outline_exponent)
    # Every centre gets some room, whatever its extent says.
    disks = shapely.buffer(shapely.points(centres), 0.3 * spacing, quad_segs=8)
    reach = params.closing * spacing
    outline = shapely.union_all(np.r_[shapes, disks]).buffer(reach).buffer(-reach)
    # Keep the largest piece plus any piece holding a centre; drop holes (lakes are cells too).
    parts = shapely.get_parts(outline)
    keep = shapely.intersects(parts, shapely.multipoints(centres)) | (
        shapely.area(parts) == shapely.area(parts).max()
    )
    shells = [shapely.Polygon(p.exterior) for p in parts[keep]]
    return shapely.union_all(shells)


def _sites(
    centres: np.ndarray,
    boxes: np.ndarray,
    trusted: np.ndarray,
    outline: shapely.Geometry,
    of_unit: np.ndarray,
    params: SchematicParams,
) -> _Sites:
    """Raster sites with their metric half-extents and official half-extents to fit."""
    k = int(of_unit.max()) + 1
    counts = np.bincount(of_unit, minlength=k)
    points = np.c_[
        np.bincount(of_unit, centres[:, 0], minlength=k) / counts,
        np.bincount(of_unit, centres[:, 1], minlength=k) / counts,
    ]
    # Official extent of a site: the union of its members' trusted extents.
    official = np.full((k, 4), np.nan)
    for site in np.unique(of_unit[trusted]):
        members = boxes[(of_unit == site) & trusted]
        official[site] = [*members[:, :2].min(0), *members[:, 2:].max(0)]
    cells = _voronoi_cells(points, outline) if k > 1 else np.array([outline])
    voronoi_half = _half_extents(points, shapely.bounds(cells))
    official_half = _half_extents(points, official)
    floor = np.maximum(np.nanmedian(voronoi_half) * 0.05, 1.0)
    voronoi_half = np.maximum(voronoi_half, floor)
    official_half = np.maximum(official_half, floor)
    w = params.extent_weight
    blended = np.exp(w * np.log(official_half) + (1 - w) * np.log(voronoi_half))
    half = np.where(np.isfinite(blended), blended, voronoi_half)
    return _Sites(of_unit=of_unit, points=points, half=half, target=official_half)


def _assign_pixels(
    sites: _Sites,
    centres: np.ndarray,
    outline: shapely.Geometry,
    res: float,
    params: SchematicParams,
) -> tuple[np.ndarray, tuple[float, float]]:
    """Raster of site labels (-1 outside): smallest normalised superellipse distance."""
    x0, y0, x1, y1 = outline.bounds
    x0, y0 = x0 - res, y0 - res
    nx, ny = int(np.ceil((x1 - x0) / res)) + 1, int(np.ceil((y1 - y0) / res)) + 1
    xs = x0 + (np.arange(nx) + 0.5) * res
    ys = y0 + (np.arange(ny) + 0.5) * res
    mask = shapely.contains_xy(outline, *np.meshgrid(xs, ys))
    reserved = _reserved_pixels(centres, sites.of_unit, (x0, y0), res)
    for rows, cols in reserved:
        mask[rows, cols] = True
    iy, ix = np.nonzero(mask)
    px, py = xs[ix], ys[iy]
    k = len(sites.points)
    grid = np.full((ny, nx), -1, dtype=np.int32)
    if k == 1:
        grid[mask] = 0
        return grid, (x0, y0)
    near = cKDTree(sites.points).query(np.c_[px, py], k=min(params.neighbours, k))[1]
    dx = (px[:, None] - sites.points[near, 0]).astype(np.float32)
    dy = (py[:, None] - sites.points[near, 1]).astype(np.float32)
    # Which side of its centre the pixel lies on picks the half-extent (0 left .. 3 top).
    side_x = np.where(dx > 0, 2, 0)
    side_y = np.where(dy > 0, 3, 1)
    adx, ady = np.abs(dx), np.abs(dy)
    p = params.metric_exponent
    scale = np.ones((k, 4))
    rows = np.arange(len(px))
    fit = np.isfinite(sites.target)
    for round_ in range(params.fit_rounds + 1):
        half = (sites.half * scale).astype(np.float32)
        u = adx / half[near, side_x]
        v = ady / half[near, side_y]
        dist = u**p + v**p  # monotone in the p-norm: no root needed
        labels = near[rows, dist.argmin(axis=1)]
        if round_ == params.fit_rounds:
            break
        # Rescale each side toward the official extent (damped, bounded).
        reach = np.zeros((k, 4))
        ox, oy = px - sites.points[labels, 0], py - sites.points[labels, 1]
        for side, offset in enumerate((-ox, -oy, ox, oy)):
            np.maximum.at(reach[:, side], labels, offset + res / 2)
        reach = np.maximum(reach, res / 2)
        ratio = np.clip(np.where(fit, sites.target / reach, 1.0), 0.5, 2.0)
        scale = np.clip(scale * ratio**params.fit_rate, 0.5, 3.0)
    grid[iy, ix] = labels
    for site, (rr, cc) in enumerate(reserved):
        grid[rr, cc] = site
    return grid, (x0, y0)


def _reserved_pixels(
    centres: np.ndarray, of_unit: np.ndarray, origin: tuple[float, float], res: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Row and column indices reserved for each site; the first is its anchor pixel.

    A site owns the 3x3 block around each member centre (so the centre stays inside after
    smoothing) and a pixel line from its first member to each other member (so it stays whole).
    """
    col = np.floor((centres[:, 0] - origin[0]) / res).astype(int)
    row = np.floor((centres[:, 1] - origin[1]) / res).astype(int)
    dr, dc = (a.ravel() for a in np.meshgrid([-1, 0, 1], [-1, 0, 1], indexing="ij"))
    out = []
    for site in range(int(of_unit.max()) + 1):
        members = np.flatnonzero(of_unit == site)
        r0, c0 = row[members[0]], col[members[0]]
        rows, cols = [np.array([r0])], [np.array([c0])]
        for m in members:
            rows.append(row[m] + dr)
            cols.append(col[m] + dc)
            steps = max(abs(row[m] - r0), abs(col[m] - c0)) + 1
            rows.append(np.rint(np.linspace(r0, row[m], steps)).astype(int))
            cols.append(np.rint(np.linspace(c0, col[m], steps)).astype(int))
        out.append((np.concatenate(rows), np.concatenate(cols)))
    return out


def _trim_strips(
    grid: np.ndarray, reserved: list[tuple[np.ndarray, np.ndarray]], radius: float
) -> np.ndarray:
    """Morphological opening of each cell: strips thinner than ``2 * radius`` pixels go to the
    neighbours (a cell squeezed between two others would otherwise snake around them)."""
    grid = grid.copy()
    trimmed = False
    for site, window in enumerate(ndimage.find_objects(grid + 1)):
        if window is None:
            continue
        mine = grid[window] == site
        # Small cells keep their shape: the disk never exceeds a fifth of the cell's size.
        r = min(radius, 0.2 * np.sqrt(mine.sum()))
        if r < 1:
            continue
        # Opening by a disk via two distance transforms (cost independent of the radius).
        core = ndimage.distance_transform_edt(np.pad(mine, 1)) > r
        if not core.any():  # all of it is thin: leave it
            continue
        kept = ndimage.distance_transform_edt(~core)[1:-1, 1:-1] <= r
        strip = mine & ~kept
        if strip.any():
            grid[window][strip] = -2
            trimmed = True
    for site, (rows, cols) in enumerate(reserved):
        grid[rows, cols] = site
    return _fill_from_nearest(grid, grid == -2) if trimmed else grid


def _make_connected(grid: np.ndarray, reserved: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Keep, for each site, the 4-connected piece holding its centre; give strays to neighbours."""
    grid = grid.copy()
    for _ in range(6):
        stray = False
        for site, window in enumerate(ndimage.find_objects(grid + 1)):
            if window is None:
                continue
            pieces, count = ndimage.label(grid[window] == site)
            if count <= 1:
                continue
            r, c = reserved[site][0][0], reserved[site][1][0]
            keep = pieces[r - window[0].start, c - window[1].start]
            sub = grid[window]
            sub[(pieces > 0) & (pieces != keep)] = -2
            stray = True
        if not stray:
            break
        grid = _fill_from_nearest(grid, grid == -2)
    return grid


def _fill_from_nearest(grid: np.ndarray, todo: np.ndarray) -> np.ndarray:
    """Give each ``todo`` pixel the label of the nearest labelled (>= 0) pixel."""
    nearest = ndimage.distance_transform_edt(grid < 0, return_distances=False, return_indices=True)
    grid[todo] = grid[nearest[0][todo], nearest[1][todo]]
    return grid


def _vectorise(grid: np.ndarray, origin: tuple[float, float], res: float) -> np.ndarray:
    """One polygon per site from the label raster, as an exactly noded coverage."""
    ny, nx = grid.shape
    xg = origin[0] + np.arange(nx + 1) * res
    yg = origin[1] + np.arange(ny + 1) * res
    padded = np.pad(grid, 1, constant_values=-1)
    # Pixel sides between two different labels, as unit segments on the grid lines.
    r, j = np.nonzero(padded[1:-1, :-1] != padded[1:-1, 1:])
    vertical = np.stack([np.c_[xg[j], yg[r]], np.c_[xg[j], yg[r + 1]]], axis=1)
    r, j = np.nonzero(padded[:-1, 1:-1] != padded[1:, 1:-1])
    horizontal = np.stack([np.c_[xg[j], yg[r]], np.c_[xg[j + 1], yg[r]]], axis=1)
    segments = shapely.linestrings(np.concatenate([vertical, horizontal]))
    edges = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(segments)))
    faces = shapely.get_parts(shapely.polygonize(edges))
    probe = shapely.get_coordinates(shapely.point_on_surface(faces))
    col = np.floor((probe[:, 0] - origin[0]) / res).astype(int)
    row = np.floor((probe[:, 1] - origin[1]) / res).astype(int)
    face_site = grid[row, col]
    k = int(grid.max()) + 1
    return _union_by(faces[face_site >= 0], face_site[face_site >= 0], k)


def _union_by(parts: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Union of the parts of each label ``0..k-1`` (parts of an edge-matched coverage)."""
    out = np.empty(k, dtype=object)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    for site in range(k):
        group = parts[order[bounds[site] : bounds[site + 1]]]
        if len(group) == 0:
            out[site] = shapely.Polygon()
        elif len(group) == 1:
            out[site] = group[0]
        else:
            out[site] = shapely.coverage_union_all(group)
    return out


def _chaikin(coords: np.ndarray, rounds: int, *, closed: bool) -> np.ndarray:
    """Chaikin corner cutting; an open line keeps its two end points (shared nodes)."""
    for _ in range(rounds):
        if len(coords) < 3:
            break
        a, b = coords[:-1], coords[1:]
        q, r = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
        cut = np.stack([q, r], axis=1).reshape(-1, 2)
        coords = np.vstack([cut, cut[:1]] if closed else [coords[:1], cut, coords[-1:]])
    return coords


def _coverage_ok(
    polys: np.ndarray, centres: np.ndarray, of_unit: np.ndarray, total_area: float
) -> bool:
    """Valid, edge-matched, same total area, and every site holds its members' centres."""
    return (
        bool(shapely.is_valid(polys).all())
        and not bool(shapely.is_empty(polys).any())
        and bool(shapely.coverage_is_valid(polys))
        and abs(shapely.area(polys).sum() - total_area) <= 1e-3 * total_area
        and bool(shapely.contains_xy(polys[of_unit], centres[:, 0], centres[:, 1]).all())
    )


def _smooth(
    polys: np.ndarray,
    res: float,
    centres: np.ndarray,
    of_unit: np.ndarray,
    params: SchematicParams,
) -> np.ndarray:
    """Remove pixel staircases, keeping the coverage; fall back to less smoothing if needed."""
    total = float(shapely.area(polys).sum())
    for tolerance in (params.simplify, params.simplify / 2):
        simple = shapely.coverage_simplify(polys, tolerance * res)
        if not _coverage_ok(simple, centres, of_unit, total):
            continue
        rounded = _round_edges(simple, params.smooth_rounds)
        if rounded is None or not _coverage_ok(rounded, centres, of_unit, total):
            return simple
        # Corner cutting multiplies vertices; drop the nearly collinear ones again.
        lean = shapely.coverage_simplify(rounded, params.thin * res)
        return lean if _coverage_ok(lean, centres, of_unit, total) else rounded
    return polys


def _round_edges(polys: np.ndarray, rounds: int) -> np.ndarray | None:
    """Chaikin-smooth every edge of a coverage once, so both neighbours get the same curve."""
    if rounds <= 0:
        return polys
    linework = shapely.line_merge(shapely.union_all(shapely.boundary(polys)))
    edges = shapely.get_parts(linework)
    closed = shapely.is_closed(edges)
    # A ring that starts at a junction (it touches another edge there) must keep that point.
    ends = shapely.get_coordinates(
        np.r_[shapely.get_point(edges[~closed], 0), shapely.get_point(edges[~closed], -1)]
    )
    nodes = {tuple(xy) for xy in ends}
    smooth = []
    for edge, ring in zip(edges, closed, strict=True):
        coords = shapely.get_coordinates(edge)
        free = bool(ring) and tuple(coords[0]) not in nodes
        smooth.append(shapely.linestrings(_chaikin(coords, rounds, closed=free)))
    faces = shapely.get_parts(shapely.polygonize(smooth))
    if len(faces) == 0:
        return None
    tree = shapely.STRtree(polys)
    face_idx, poly_idx = tree.query(faces, predicate="intersects")
    overlap = shapely.area(shapely.intersection(faces[face_idx], polys[poly_idx]))
    frame = pd.DataFrame({"face": face_idx, "poly": poly_idx, "area": overlap})
    best = frame.sort_values("area").groupby("face").tail(1)
    if len(best) != len(faces) or best["poly"].nunique() != len(polys):
        return None
    return _union_by(faces[best["face"].to_numpy()], best["poly"].to_numpy(), len(polys))


def _absorb_fragments(cells: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Give each piece of a cell that does not hold its centre to the neighbour it borders most.

    Smoothing or splitting can leave a sliver cut off from its cell; merging pieces of an
    edge-matched coverage keeps it edge-matched. A piece on the outline that borders no other
    cell is dropped (it cannot leave a hole).
    """
    cells = cells.copy()
    for unit in np.flatnonzero(shapely.get_num_geometries(cells) > 1):
        parts = shapely.get_parts(cells[unit])
        home = shapely.covers(parts, shapely.Point(centres[unit]))
        home = home if home.any() else shapely.area(parts) == shapely.area(parts).max()
        kept = list(parts[home])
        for part in parts[~home]:
            near = shapely.STRtree(cells).query(part, predicate="intersects")
            near = near[near != unit]
            border = shapely.length(shapely.intersection(part.boundary, cells[near]))
            if len(near) == 0 or border.max() <= 0:
                continue  # a blob on the outline bordering no other cell: drop it
            best = near[int(np.argmax(border))]
            cells[best] = shapely.coverage_union_all(np.array([cells[best], part]))
        cells[unit] = kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)
    return cells


def _split_sites(
    site_polys: np.ndarray, of_unit: np.ndarray, centres: np.ndarray, res: float
) -> np.ndarray:
    """Cells of units: a shared site is cut by the Voronoi edges of its distinct centres, and
    units with one identical centre share its piece in equal angular sectors (north first).

    The cut lines are noded together with all site boundaries and polygonised, so every new
    vertex is shared exactly by both sides.
    """
    n, k = len(of_unit), len(site_polys)
    if k == n:
        return site_polys[of_unit]
    counts = np.bincount(of_unit, minlength=k)
    cuts: list[shapely.Geometry] = []
    spots_of: dict[int, np.ndarray] = {}
    for site in np.flatnonzero(counts > 1):
        poly = site_polys[site]
        # Cuts overshoot the site a little: the overshoot is a dangle, ignored by polygonize.
        frame = poly.buffer(res / 4)
        spots = np.unique(centres[of_unit == site], axis=0)
        spots_of[int(site)] = spots
        if len(spots) > 1:
            edges = shapely.voronoi_polygons(
                shapely.multipoints(spots), extend_to=frame, only_edges=True
            )
            cuts.append(shapely.intersection(edges, frame))
        x0, y0, x1, y1 = frame.bounds
        reach = 2 * float(np.hypot(x1 - x0, y1 - y0))
        for spot in spots:
            sharing = int((centres[of_unit == site] == spot).all(axis=1).sum())
            for angle in _sector_starts(sharing):
                tip = spot + reach * np.array([np.cos(angle), np.sin(angle)])
                cuts.append(shapely.intersection(shapely.LineString([spot, tip]), frame))
    linework = shapely.union_all(np.r_[shapely.boundary(site_polys), np.array(cuts, dtype=object)])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    probes = shapely.point_on_surface(faces)
    face_idx, site_idx = shapely.STRtree(site_polys).query(probes, predicate="within")
    face_site = np.full(len(faces), -1)
    face_site[face_idx] = site_idx
    face_unit = np.full(len(faces), -1)
    probe_xy = shapely.get_coordinates(probes)
    for f in np.flatnonzero(face_site >= 0):
        site = face_site[f]
        members = np.flatnonzero(of_unit == site)
        if len(members) == 1:
            face_unit[f] = members[0]
            continue
        # Nearest distinct centre, then the sector the face lies in around it.
        spots = spots_of[int(site)]
        spot = spots[np.argmin(np.hypot(*(spots - probe_xy[f]).T))]
        sharing = members[(centres[members] == spot).all(axis=1)]
        dx, dy = probe_xy[f] - spot
        turn = (np.arctan2(dy, dx) - np.pi / 2) % (2 * np.pi)
        face_unit[f] = sharing[min(int(turn / (2 * np.pi / len(sharing))), len(sharing) - 1)]
    for site in spots_of:
        _attach_strays(faces, face_unit, np.flatnonzero(of_unit == site), centres)
    keep = face_unit >= 0
    return _union_by(faces[keep], face_unit[keep], n)


def _attach_strays(
    faces: np.ndarray, face_unit: np.ndarray, members: np.ndarray, centres: np.ndarray
) -> None:
    """Give pieces cut off from their unit's centre to the sibling they border most (in place)."""
    for unit in members:
        mine = np.flatnonzero(face_unit == unit)
        parts = shapely.get_parts(shapely.union_all(faces[mine]))
        if len(parts) <= 1:
            continue
        home = shapely.covers(parts, shapely.Point(centres[unit]))
        home = home if home.any() else shapely.area(parts) == shapely.area(parts).max()
        for part in parts[~home]:
            siblings = [m for m in members if m != unit]
            border = [
                shapely.length(
                    shapely.intersection(
                        part.boundary, shapely.union_all(faces[face_unit == m]).boundary
                    )
                )
                for m in siblings
            ]
            if max(border) > 0:
                inside = shapely.within(shapely.point_on_surface(faces[mine]), part)
                face_unit[mine[inside]] = siblings[int(np.argmax(border))]


def _sector_starts(count: int) -> np.ndarray:
    """Angles of the rays between ``count`` equal sectors, the first ray pointing north."""
    if count <= 1:
        return np.array([])
    return np.pi / 2 + 2 * np.pi * np.arange(count) / count
