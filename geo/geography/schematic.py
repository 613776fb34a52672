"""Schematic commune polygons, built offline from each unit's official centre and extent.

No public polygon layer exists for every vintage, but the registry package ``vietnamadminunits``
gives each commune its official centre and bounding box. From those alone this module builds a
*schematic* coverage: one cell per commune, no gaps, no overlaps, each cell holding its official
centre and shaped by its extent. It is a picture of where communes are, not a boundary.

Method, in short:

0. Registry locations are checked first (:func:`location_notes`). The registry geocoded every
   unit, and some geocodes failed in ways the registry itself shows:

   * ``district_fallback``: centre and extent equal (within 1 % of the district's extent
     diagonal) to the district's own centre and extent; the geocoder found only the district.
   * ``outside_district``: the centre lies outside the district's extent by more than half the
     district's size (square root of its area), and that extent is credible (it holds at least
     half of the district's centres; some district extents are mere points, some predate a
     merger).
   * ``geocoded_elsewhere``: the province named by the geocoder's address (the last part before
     the country) is another province of Vietnam, and no part of the address names the unit's
     own province or district. Names are compared as ASCII keys (no diacritics, no unit type
     such as ``Tp.`` or ``District``), so ``"Hoa Binh"`` is ``"Hòa Bình"``. A neighbouring
     district or a plus code in the address is common and harmless, so neither counts alone.

   Such *unreliable* units take no part in steps 1–2 and get a substitute site in their
   district instead (:func:`_relocate`): the free space of the district (its extent within the
   outline, minus what reliable units' extents cover) is searched for a large empty circle
   (pole of inaccessibility on a raster distance transform), pulled toward where the unit's
   code points (GSO codes run through a district in geographic order: toward its code
   neighbours, or toward the district it was moved from when its code is from that district's
   run); its extent is the district's typical one. Several unreliable units of one district
   get distinct sites. The output column ``location_note`` says which units were moved and why
   (``""`` for the rest).
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
(Voronoi of their centres, or equal angular sectors around an identical centre). Every cell
holds its unit's site: the official centre of a reliable unit, the substitute site of a moved
one (see :func:`schematic_report`).

Examples
--------
>>> cells = schematic_communes("17")
>>> len(cells), cells.attrs["boundary_kind"]
(151, 'schematic')
>>> sorted(cells.loc[cells["location_note"] != "", "commune_code"])
['04882', '05047', '05206', '05254', '05395']
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from pyproj import Transformer
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.files import write_atomically
from geo.geography.admin_units import (
    HOA_BINH,
    ProvinceCodes,
    communes,
    location_evidence,
    province_codes_of,
    province_name_keys,
)
from geo.geography.units_2025 import (
    centres_2025,
    communes_2025,
    convert_codes_2025,
    predecessors_2025,
    province_codes_2025,
    provinces_2025,
)
from geo.schema import (
    COMMUNE_CODE,
    COMMUNE_COLUMNS,
    COMMUNE_NAME,
    DISTRICT_CODE,
    DISTRICT_NAME,
    GEOMETRY,
    METRIC_CRS,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE,
    WGS84,
)

__all__ = [
    "BOUNDARY_KIND",
    "BOUNDARY_SOURCE",
    "DEFAULT_PARAMS",
    "DISTRICT_COLUMNS",
    "EVIDENCE_COLUMNS",
    "LOCATION_NOTE",
    "METHOD_2025_VERSION",
    "METHOD_VERSION",
    "NO_PREDECESSOR_CELL",
    "SchematicParams",
    "build_schematic",
    "cache_path",
    "cache_path_2025",
    "dissolve_to_2025",
    "districts_from_communes",
    "location_notes",
    "schematic_communes",
    "schematic_communes_2025",
    "schematic_report",
]

#: Bump when the method or its parameters change: it is part of the cache key.
METHOD_VERSION = "3"
#: Value of ``gdf.attrs["boundary_kind"]`` on a schematic layer.
BOUNDARY_KIND = "schematic"
#: Value of ``gdf.attrs["boundary_source"]`` on a schematic layer.
BOUNDARY_SOURCE = (
    "Schematic cells built from the official commune centres and extents of the package "
    "vietnamadminunits (MIT); not official boundaries"
)
#: Extra column of a schematic layer: why the unit's registry location was not used (``""``
#: when it was), see :func:`location_notes`.
LOCATION_NOTE = "location_note"
#: Default cache folder (gitignored).
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "cache"

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
    fallback_tolerance : float
        Rule ``district_fallback``: how close centre and extent must be to the district's, as a
        fraction of the district extent's diagonal.
    district_margin : float
        Rule ``outside_district``: how far outside its district's extent a centre may lie, in
        district sizes (square root of the extent's area).
    district_quorum : float
        A district extent is credible when it holds this share of its units' centres.
    relocate_pixels : int
        About how many pixels the relocation raster has.
    cover : float
        Radius of the disk a reliable unit with an untrusted extent covers, in median spacings.
    relocate_radius : tuple of float
        Bounds of the half-side of a relocated unit's square extent, in median spacings.
    anchor_scale : float
        ``L`` of the relocation score ``log(depth) - d / L``, in median spacings: how much a
        site may move away from the code anchor for a deeper empty spot.
    reach : float
        The relocation raster covers the outline grown by this, in median spacings.

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
    fallback_tolerance: float = 0.01
    district_margin: float = 0.5
    district_quorum: float = 0.5
    relocate_pixels: int = 40_000
    cover: float = 0.5
    relocate_radius: tuple[float, float] = (0.3, 1.5)
    anchor_scale: float = 3.0
    reach: float = 0.5


DEFAULT_PARAMS = SchematicParams()


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def schematic_communes(
    province_codes: ProvinceCodes = HOA_BINH, *, cache_dir: Path | None = None
) -> gpd.GeoDataFrame:
    """Schematic commune polygons of one or more provinces, cached as GeoParquet.

    Several provinces are built together, as one coverage (so their common borders match);
    the whole country (``"all"``) takes about a minute the first time (then the cache).

    Parameters
    ----------
    province_codes : str or iterable of str
        Two-digit GSO province code(s), default Hòa Bình (``"17"``), or ``"all"`` for the 63
        provinces (see :func:`geo.geography.admin_units.province_codes_of`).
    cache_dir : pathlib.Path, optional
        Folder of the GeoParquet cache; default ``<repo>/data/boundaries/cache/``. The file name
        holds the province codes, :data:`METHOD_VERSION` and the ``vietnamadminunits`` version.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns :data:`geo.schema.COMMUNE_COLUMNS`, ``location_note`` (why the
        registry location was not used, ``""`` when it was; see :func:`location_notes`) and
        ``geometry``, sorted by ``commune_code``; ``attrs["boundary_kind"] == "schematic"``
        and ``attrs["boundary_source"]`` names the source.

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


def cache_path(province_codes: ProvinceCodes = HOA_BINH, *, cache_dir: Path | None = None) -> Path:
    """Path of the GeoParquet cache of :func:`schematic_communes`.

    Examples
    --------
    >>> cache_path("17", cache_dir=Path("/tmp/c")).name.startswith("schematic_17_m")
    True
    >>> cache_path("all").name.startswith("schematic_63p-")
    True
    """
    codes = province_codes_of(province_codes)
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
        As returned by :func:`geo.geography.admin_units.communes`: the identity columns plus
        ``lon``,
        ``lat`` (official centre) and ``minx``, ``miny``, ``maxx``, ``maxy`` (extent), degrees.
        The :data:`EVIDENCE_COLUMNS` used to check the locations are looked up in the registry
        by ``commune_code`` when missing (a unit unknown to the registry is taken as reliable).
    params : SchematicParams, optional
        Global method parameters.

    Returns
    -------
    geopandas.GeoDataFrame
        One valid polygon per unit forming a coverage, with ``location_note`` (see
        :func:`schematic_communes`). A reliable unit whose centre is shared with other units
        touches it on its border; any other reliable unit holds its centre inside. A relocated
        unit (``location_note != ""``) holds its substitute site (:func:`schematic_report`).

    Examples
    --------
    >>> from geo.geography.admin_units import communes
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
    plan = _plan(table, params)
    cells = _schematic_cells(plan, params)
    geoms = gpd.GeoSeries(cells, crs=METRIC_CRS).to_crs(WGS84).values
    reliable = plan.reliable
    geoms[reliable] = _snap_shared_centres(
        geoms[reliable], table.loc[reliable, ["lon", "lat"]].to_numpy(float)
    )
    gdf = gpd.GeoDataFrame(table[list(COMMUNE_COLUMNS)].copy(), geometry=geoms, crs=WGS84)
    gdf.insert(len(COMMUNE_COLUMNS), LOCATION_NOTE, plan.notes)
    return _with_attrs(gdf)


def schematic_report(
    province_codes: ProvinceCodes = HOA_BINH, *, params: SchematicParams = DEFAULT_PARAMS
) -> pd.DataFrame:
    """Where each unit's schematic cell grows from, and why when it is not the registry centre.

    Cheap (no cells are drawn): classifies the registry locations (:func:`location_notes`) and
    places the unreliable units as :func:`build_schematic` does.

    Returns
    -------
    pandas.DataFrame
        One row per unit with a centre, sorted by ``commune_code``: ``commune_code``,
        ``commune_name``, ``district_code``, ``district_name``, ``location_note``, the official
        centre ``lon``, ``lat`` and the ``site_lon``, ``site_lat`` the cell holds (the official
        centre when the note is ``""``).

    Examples
    --------
    >>> report = schematic_report("17")
    >>> report.loc[report["location_note"] != "", "commune_code"].tolist()
    ['04882', '05047', '05206', '05254', '05395']
    """
    table = communes(province_codes).sort_values(COMMUNE_CODE)
    table = table.dropna(subset=["lon", "lat"]).reset_index(drop=True)
    plan = _plan(table, params)
    layout = _layout(plan, params)
    to_wgs84 = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)
    site_lon, site_lat = to_wgs84.transform(layout.centres[:, 0], layout.centres[:, 1])
    reliable = plan.reliable
    report = table[[COMMUNE_CODE, COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME]].copy()
    report[LOCATION_NOTE] = plan.notes
    report["lon"], report["lat"] = table["lon"], table["lat"]
    # Reliable units keep their registry centre exactly (no round trip through metres).
    report["site_lon"] = np.where(reliable, table["lon"], site_lon)
    report["site_lat"] = np.where(reliable, table["lat"], site_lat)
    return report


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
    file with small overlaps or gaps is dissolved all the same). Communes without a district
    code are in no district: a layer of the units from 1 July 2025 (no district level; empty
    or absent district columns) gives an empty district layer.

    Parameters
    ----------
    communes_gdf : geopandas.GeoDataFrame
        Communes with ``province_code``, ``province_name``, ``vintage``, a geometry and, where
        there are districts, ``district_code`` and ``district_name``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district (sorted by ``district_code``): :data:`DISTRICT_COLUMNS` +
        ``geometry``, in the CRS of the input; ``attrs`` are carried over.

    Raises
    ------
    ValueError
        A province or vintage column is missing.

    Examples
    --------
    >>> districts = districts_from_communes(schematic_communes("17"))
    >>> len(districts), list(districts.columns)[:2]
    (10, ['district_code', 'district_name'])
    >>> len(districts_from_communes(schematic_communes_2025("25")))
    0
    """
    missing = [
        c
        for c in DISTRICT_COLUMNS
        if c not in communes_gdf.columns and c not in (DISTRICT_CODE, DISTRICT_NAME)
    ]
    if missing:
        raise ValueError(f"commune layer lacks the column(s) {', '.join(missing)}")
    communes_gdf = communes_gdf.assign(
        **{c: None for c in (DISTRICT_CODE, DISTRICT_NAME) if c not in communes_gdf.columns}
    )
    # Missing district codes (None, NaN, "") group nowhere.
    codes = communes_gdf[DISTRICT_CODE].astype(object)
    codes = codes.where(codes.notna() & (codes.astype(str).str.strip() != ""), None)
    geoms = communes_gdf.geometry.values
    rows = []
    for positions in communes_gdf.groupby(codes, sort=True, dropna=True).indices.values():
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
# The 2025 schematic: the 2020–2025 cells dissolved through the converter
# --------------------------------------------------------------------------------------------

#: Bump when the 2025 dissolve changes (with :data:`METHOD_VERSION`, part of its cache key).
METHOD_2025_VERSION = "1"
#: ``location_note`` of a 2025 unit with no 2020–2025 predecessor cell (the island special
#: zones Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo): a disk of its registry area.
NO_PREDECESSOR_CELL = "no_predecessor_cell"
#: Value of ``gdf.attrs["boundary_source"]`` on a 2025 schematic layer.
BOUNDARY_SOURCE_2025 = (
    "Schematic cells of the 2020–2025 communes (official centres and extents of the package "
    "vietnamadminunits, MIT) merged into the units of 1 July 2025 by its converter; not official "
    "boundaries"
)


def schematic_communes_2025(
    province_codes: ProvinceCodes = "25", *, cache_dir: Path | None = None
) -> gpd.GeoDataFrame:
    """Schematic cells of the communes valid from 1 July 2025, cached as GeoParquet.

    The schematic 2020–2025 cells of every province that gave the 2025 province(s) a commune
    are built together (:func:`schematic_communes`) and merged by :func:`dissolve_to_2025`.
    (Built from the 2025 centres and areas alone, with the same machinery, the cells of Phú Thọ
    score a median IoU of 0.57 against the real layer; dissolved, 0.73: see
    ``bench/score_schematic_2025.py``.)

    Parameters
    ----------
    province_codes : str or iterable of str
        2025 province code(s) (``"25"``: Phú Thọ; a 2020–2025 code stands for the 2025 province
        it joined), or ``"all"`` for the 34 provinces.
    cache_dir : pathlib.Path, optional
        Folder of the caches of both vintages; default ``<repo>/data/boundaries/cache/``.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns :data:`geo.schema.COMMUNE_COLUMNS` (``district_code`` and
        ``district_name`` empty: there are no districts from 1 July 2025), ``location_note``
        (``""``, or :data:`NO_PREDECESSOR_CELL`) and ``geometry``, sorted by ``commune_code``;
        ``attrs["boundary_kind"] == "schematic"``.

    Examples
    --------
    >>> cells = schematic_communes_2025("25")
    >>> len(cells), cells["vintage"].iloc[0], bool(cells["district_code"].isna().all())
    (148, '2025', True)
    """
    codes = province_codes_2025(province_codes)
    path = cache_path_2025(codes, cache_dir=cache_dir)
    if path.exists():
        try:
            return _with_attrs(gpd.read_parquet(path), BOUNDARY_SOURCE_2025)
        except Exception as err:  # a truncated or foreign file: rebuild it
            warnings.warn(f"ignoring unreadable cache {path}: {err}", stacklevel=2)
    legacy = sorted(set(predecessors_2025(codes)["old_province_code"]))
    gdf = dissolve_to_2025(schematic_communes(legacy, cache_dir=cache_dir), codes)
    _write_atomic(gdf, path)
    return gdf


def cache_path_2025(province_codes: ProvinceCodes = "25", *, cache_dir: Path | None = None) -> Path:
    """Path of the GeoParquet cache of :func:`schematic_communes_2025`.

    Examples
    --------
    >>> cache_path_2025("17", cache_dir=Path("/tmp/c")).name.startswith("schematic2025_25_m")
    True
    """
    codes = province_codes_2025(province_codes)
    label = "all" if len(codes) == len(provinces_2025()) else "-".join(codes)
    if len(label) > 40:  # many provinces: keep the name short but unique
        label = f"{len(codes)}p-" + hashlib.sha1(label.encode()).hexdigest()[:12]
    version_tag = f"m{METHOD_VERSION}.{METHOD_2025_VERSION}_vau{_registry_version()}"
    name = f"schematic2025_{label}_{version_tag}.parquet"
    return (DEFAULT_CACHE_DIR if cache_dir is None else Path(cache_dir)) / name


def dissolve_to_2025(
    old_cells: gpd.GeoDataFrame, province_codes: ProvinceCodes
) -> gpd.GeoDataFrame:
    """Merge 2020–2025 cells into the 2025 communes of ``province_codes`` (no cache).

    Each 2025 commune is the union of its predecessors' cells (``vietnamadminunits``'
    converter). A predecessor split between several 2025 communes is cut between them by the
    Voronoi edges of their registry centres (each part goes to the nearest centre); the cut is
    noded into the neighbouring cells too, so the result stays an edge-matched coverage. A
    2025 unit without any predecessor cell is a disk of its registry area at its registry
    centre, outside the other cells.

    Parameters
    ----------
    old_cells : geopandas.GeoDataFrame
        A 2020–2025 coverage with ``commune_code`` (e.g. :func:`schematic_communes` of every
        province that gave the 2025 province(s) a commune).
    province_codes : str or iterable of str
        2025 province code(s), or ``"all"``.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`schematic_communes_2025`, in the CRS of ``old_cells``.
    """
    codes = province_codes_2025(province_codes)
    units = communes_2025(codes)
    cells = old_cells.set_index(COMMUNE_CODE).geometry
    pairs = predecessors_2025(codes)
    pairs = pairs[pairs["old_code"].isin(cells.index)]
    split = sorted(set(pairs.loc[pairs["split"], "old_code"]))
    # Receivers of a split cell, also those of another 2025 province: the cut is the same.
    receivers = dict(zip(split, convert_codes_2025(split)["new_codes"].map(list), strict=True))
    pieces, owners, renoded = _split_for_2025(cells, receivers)
    whole = pairs[~pairs["split"] & ~pairs["old_code"].isin(renoded)]
    pieces = np.r_[cells.loc[whole["old_code"]].to_numpy(), pieces]
    owners = np.r_[whole["new_code"].to_numpy(), owners]
    wanted = units[COMMUNE_CODE].to_numpy()
    index = pd.Index(wanted)
    labels = index.get_indexer(owners)
    keep = labels >= 0
    geoms = _union_by(pieces[keep], labels[keep], len(wanted))
    notes = np.where(shapely.is_empty(geoms), NO_PREDECESSOR_CELL, "")
    if (notes != "").any():
        geoms = _disks_for(geoms, notes != "", wanted, crs=old_cells.crs)
    frame = units.assign(**{DISTRICT_CODE: None, DISTRICT_NAME: None})[list(COMMUNE_COLUMNS)]
    frame[[DISTRICT_CODE, DISTRICT_NAME]] = frame[[DISTRICT_CODE, DISTRICT_NAME]].astype(object)
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=old_cells.crs)
    gdf.insert(len(COMMUNE_COLUMNS), LOCATION_NOTE, notes)
    return _with_attrs(gdf, BOUNDARY_SOURCE_2025)


def _split_for_2025(
    cells: gpd.GeoSeries, receivers: dict[str, list[str]]
) -> tuple[np.ndarray, np.ndarray, set[str]]:
    """Parts of the split cells and of their neighbours, each with the 2025 code it goes to,
    and the old codes whose cells these parts replace.

    The cells to split and their neighbours are noded again together with the cuts (Voronoi
    edges of the receivers' centres, in locally isotropic degrees, overshooting the cell a
    little: a dangle polygonize ignores), so a new vertex on a shared edge is in both cells.
    """
    # An empty cell (a unit the schematic could not place) has nothing to split.
    receivers = {code: to for code, to in receivers.items() if not cells.loc[code].is_empty}
    if not receivers:
        return np.empty(0, dtype=object), np.empty(0, dtype=object), set()
    geoms = cells.to_numpy()
    split_at = cells.index.get_indexer(list(receivers))
    tree = shapely.STRtree(geoms)
    near = np.unique(tree.query(geoms[split_at], predicate="intersects")[1])
    centres = centres_2025("all").set_index(COMMUNE_CODE)
    cuts, spots = [], {}
    for position, targets in zip(split_at, receivers.values(), strict=True):
        cell = geoms[position]
        # Degrees made locally isotropic: x scaled by the cosine of the latitude.
        kx = float(np.cos(np.radians(cell.centroid.y)))
        xy = _into(cell, centres.loc[targets, ["lon", "lat"]].to_numpy(float))
        spots[int(position)] = (xy, targets, kx)
        distinct = np.unique(xy, axis=0)
        if len(distinct) < 2:
            continue
        frame = cell.buffer(1e-5 * max(np.sqrt(cell.area), 1e-3))
        scaled = shapely.affinity.scale(frame, kx, 1.0, origin=(0, 0))
        edges = shapely.voronoi_polygons(
            shapely.multipoints(distinct * [kx, 1.0]), extend_to=scaled, only_edges=True
        )
        edges = shapely.affinity.scale(edges, 1 / kx, 1.0, origin=(0, 0))
        cuts.append(shapely.intersection(edges, frame))
    lines = np.r_[shapely.boundary(geoms[near]), np.array(cuts, dtype=object)]
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(lines))))
    probes = shapely.point_on_surface(faces)
    face_idx, cell_idx = shapely.STRtree(geoms[near]).query(probes, predicate="within")
    owners = np.full(len(faces), None, dtype=object)
    probe_xy = shapely.get_coordinates(probes)
    codes = cells.index.to_numpy()
    for face, local in zip(face_idx, cell_idx, strict=True):
        position = int(near[local])
        if position not in spots:  # a neighbour: its part stays with it, as an old code
            owners[face] = codes[position]
            continue
        xy, targets, kx = spots[position]
        gap = np.hypot((xy[:, 0] - probe_xy[face, 0]) * kx, xy[:, 1] - probe_xy[face, 1])
        owners[face] = targets[int(np.argmin(gap))]
    # Parts of unsplit neighbours go where their cell goes (replacing the cell itself).
    neighbour = np.isin(owners, codes[near]) & ~np.isin(owners, list(receivers))
    conversion = dict(zip(codes[near], convert_codes_2025(codes[near])["new_code"], strict=True))
    owners[neighbour] = [conversion[code] for code in owners[neighbour]]
    kept = owners != None  # noqa: E711 (element-wise on an object array)
    return faces[kept], owners[kept], set(codes[near])


def _into(cell: shapely.Geometry, xy: np.ndarray) -> np.ndarray:
    """Each point, or where the cell comes nearest to it when it lies outside: a receiver whose
    registry centre is outside the split cell still gets the part of the cell facing it."""
    points = shapely.points(xy)
    outside = ~shapely.covers(cell, points)
    if outside.any():
        nearest = shapely.shortest_line(cell, points[outside])
        xy = xy.copy()
        xy[outside] = shapely.get_coordinates(shapely.get_point(nearest, 0))
    return xy


def _disks_for(
    geoms: np.ndarray, missing: np.ndarray, codes: np.ndarray, *, crs: object
) -> np.ndarray:
    """Cells of units without predecessor cells: a disk of the registry area at the registry
    centre, minus the other cells (so the layer stays a coverage)."""
    centres = centres_2025("all").set_index(COMMUNE_CODE).loc[codes[missing]]
    to_metric = Transformer.from_crs(crs, METRIC_CRS, always_xy=True)
    to_layer = Transformer.from_crs(METRIC_CRS, crs, always_xy=True)
    x, y = to_metric.transform(centres["lon"].to_numpy(), centres["lat"].to_numpy())
    radius = np.sqrt(np.maximum(centres["area_km2"].to_numpy(), 0.01) * 1e6 / np.pi)
    disks = shapely.buffer(shapely.points(x, y), radius, quad_segs=16)
    disks = shapely.transform(disks, lambda xy: np.c_[to_layer.transform(xy[:, 0], xy[:, 1])])
    others = shapely.union_all(geoms[~missing & ~shapely.is_empty(geoms)])
    out = geoms.copy()
    out[missing] = shapely.difference(disks, others)
    return out


# --------------------------------------------------------------------------------------------
# Helpers: identity, cache
# --------------------------------------------------------------------------------------------


def _registry_version() -> str:
    try:
        return version("vietnamadminunits")
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return "unknown"


def _with_attrs(gdf: gpd.GeoDataFrame, source: str = BOUNDARY_SOURCE) -> gpd.GeoDataFrame:
    # Parquet does not keep attrs: set them on every way out.
    gdf.attrs["boundary_kind"] = BOUNDARY_KIND
    gdf.attrs["boundary_source"] = source
    return gdf


def _write_atomic(gdf: gpd.GeoDataFrame, path: Path) -> None:
    # Write then rename, so a concurrent reader never sees half a file.
    try:
        write_atomically(path, lambda p: gdf.to_parquet(p, index=False))
    except OSError as err:  # a read-only tree still gets its cells
        warnings.warn(f"could not write cache {path}: {err}", stacklevel=3)


# --------------------------------------------------------------------------------------------
# Reliability of registry locations
# --------------------------------------------------------------------------------------------

#: Columns of :func:`geo.geography.admin_units.location_evidence` the location rules read.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "geo_address",
    "district_lon",
    "district_lat",
    "district_minx",
    "district_miny",
    "district_maxx",
    "district_maxy",
    "province_keys",
    "district_keys",
)

_TYPE_PREFIXES = ("thanhpho", "thixa", "thitran", "tinh", "huyen", "quan", "phuong", "xa")
_TYPE_PREFIXES += ("tp", "tx", "tt")
_TYPE_SUFFIXES = ("district", "province", "city", "town", "ward", "commune")
_COUNTRY = "vietnam"


def name_key(name: str) -> str:
    """ASCII key of a place name: no diacritics, lower case, letters and digits only.

    Examples
    --------
    >>> name_key("Mai Châu District"), name_key("Hoa Binh") == name_key("Hòa Bình")
    ('maichaudistrict', True)
    >>> name_key("Yên Thuỷ") == name_key("Yên Thủy"), name_key("Đà Bắc")
    (True, 'dabac')
    """
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def _name_variants(part: str) -> set[str]:
    """Keys a part of an address may stand for: as written, without a unit type in front
    (``Tp.``, ``Huyện``…) or an English one behind (``District``, ``City``…)."""
    key = name_key(part)
    out = {key}
    out |= {key[len(p) :] for p in _TYPE_PREFIXES if key.startswith(p) and len(key) > len(p)}
    out |= {v[: -len(s)] for v in list(out) for s in _TYPE_SUFFIXES if v.endswith(s) and v != s}
    out.discard("")
    return out


def location_notes(
    table: pd.DataFrame,
    *,
    province_keys: dict[str, str] | None = None,
    params: SchematicParams | None = None,
) -> pd.Series:
    """Which registry locations are unreliable, and why (``""`` when reliable).

    Three rules, tried in this order, each from the registry alone (see the module docstring):

    ``district_fallback``
        Centre and extent equal, within ``params.fallback_tolerance`` of the district's extent
        diagonal, to the district's own centre and extent: the geocoder found only the district.
    ``outside_district``
        The centre lies outside the district's extent by more than ``params.district_margin``
        times the district's size (square root of the extent's area), and that extent is
        credible: it holds at least ``params.district_quorum`` of its units' centres (within a
        tenth of its size). Some district extents predate a merger, so a small margin would
        flag good units; some are geocoding points, hence the quorum.
    ``geocoded_elsewhere``
        The province part of the geocoder's address (the last part before the country) names
        another province of Vietnam, and no part of the address names the unit's own province
        or district. A neighbouring district or a plus code in the address is common and
        harmless, so neither counts alone.

    Parameters
    ----------
    table : pandas.DataFrame
        ``lon``, ``lat``, ``minx`` … ``maxy``, ``district_code``, ``province_code`` and the
        :data:`EVIDENCE_COLUMNS` (as in :func:`geo.geography.admin_units.location_evidence`); a rule
        whose columns are missing or NaN does not fire.
    province_keys : dict, optional
        Name key → province code of every province; default
        :func:`geo.geography.admin_units.province_name_keys`.
    params : SchematicParams, optional
        Tolerances of the rules.

    Returns
    -------
    pandas.Series
        A reason code per row (same index), ``""`` when the location is reliable.

    Examples
    --------
    >>> from geo.geography.admin_units import communes, location_evidence
    >>> table = communes("17").merge(location_evidence("17"))
    >>> notes = location_notes(table).set_axis(table["commune_code"])
    >>> notes[notes != ""].sort_index().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'04882': 'district_fallback', '05047': 'district_fallback', '05206': 'district_fallback',
     '05254': 'geocoded_elsewhere', '05395': 'outside_district'}
    """
    params = DEFAULT_PARAMS if params is None else params
    notes = pd.Series("", index=table.index, dtype=object)
    if table.empty:
        return notes
    lon, lat = table["lon"].to_numpy(float), table["lat"].to_numpy(float)
    box = table[["minx", "miny", "maxx", "maxy"]].to_numpy(float)
    # Local equirectangular scale: the rules compare lengths, a few per cent off is harmless.
    kx = float(np.cos(np.radians(np.nanmean(lat)))) if np.isfinite(lat).any() else 1.0
    scale = np.array([kx, 1.0, kx, 1.0])
    district_cols = ["district_minx", "district_miny", "district_maxx", "district_maxy"]
    if {"district_lon", "district_lat", *district_cols} <= set(table.columns):
        dbox = table[district_cols].to_numpy(float)
        dlon, dlat = table["district_lon"].to_numpy(float), table["district_lat"].to_numpy(float)
        width, height = (dbox[:, 2] - dbox[:, 0]) * kx, dbox[:, 3] - dbox[:, 1]
        with np.errstate(invalid="ignore"):
            tol = params.fallback_tolerance * np.hypot(width, height)
            same_centre = np.hypot((lon - dlon) * kx, lat - dlat) <= tol
            same_box = (np.abs(box - dbox) * scale).max(axis=1) <= tol
            fallback = same_centre & same_box
            points = np.c_[lon * kx, lat]
            off = _outside_distance(points, dbox * scale)
            size = np.sqrt(width * height)
            near = off <= 0.1 * size
            quorum = pd.Series(near).groupby(table[DISTRICT_CODE].to_numpy()).transform("mean")
            credible = quorum.to_numpy() >= params.district_quorum
            outside = credible & (off > params.district_margin * size)
        notes[outside] = "outside_district"
        notes[fallback] = "district_fallback"
    if "geo_address" in table.columns:
        keys = province_name_keys() if province_keys is None else province_keys
        elsewhere = [_names_another_province(row, keys) for row in table.to_dict("records")]
        notes[(notes == "") & np.array(elsewhere, dtype=bool)] = "geocoded_elsewhere"
    return notes


def _names_another_province(row: dict, province_keys: dict[str, str]) -> bool:
    """Rule ``geocoded_elsewhere`` for one unit (see :func:`location_notes`)."""
    address = row.get("geo_address")
    if not isinstance(address, str) or not address.strip():
        return False
    parts = [part for part in (p.strip() for p in address.split(",")) if part]
    if parts and name_key(parts[-1]) == _COUNTRY:
        parts = parts[:-1]
    if not parts:
        return False
    own: set[str] = set()
    for column, name in (("province_keys", PROVINCE_NAME), ("district_keys", DISTRICT_NAME)):
        listed = row.get(column)
        if isinstance(listed, str):
            own |= {k for k in listed.split("|") if k}
        if isinstance(row.get(name), str):
            own |= _name_variants(row[name])
    if any(_name_variants(part) & own for part in parts):
        return False
    named = {province_keys[v] for v in _name_variants(parts[-1]) if v in province_keys}
    return bool(named - {str(row.get(PROVINCE_CODE))})


def _outside_distance(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Distance from each point to its box (0 inside; NaN where either is unknown)."""
    dx = np.maximum(np.maximum(boxes[:, 0] - points[:, 0], points[:, 0] - boxes[:, 2]), 0.0)
    dy = np.maximum(np.maximum(boxes[:, 1] - points[:, 1], points[:, 1] - boxes[:, 3]), 0.0)
    return np.hypot(dx, dy)


def _with_evidence(table: pd.DataFrame) -> pd.DataFrame:
    """The table with the :data:`EVIDENCE_COLUMNS`, looked up in the registry if missing."""
    if set(EVIDENCE_COLUMNS) <= set(table.columns) or PROVINCE_CODE not in table.columns:
        return table
    codes = tuple(sorted({str(c) for c in table[PROVINCE_CODE].dropna()}))
    try:
        evidence = location_evidence(codes)
    except ValueError:  # not registry units (a synthetic table): nothing to check against
        return table
    kept = [c for c in table.columns if c not in EVIDENCE_COLUMNS]
    return table[kept].merge(evidence, on=COMMUNE_CODE, how="left")


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


# --------------------------------------------------------------------------------------------
# Relocation of unreliable units (metric CRS, metres)
# --------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Units in the metric CRS with the verdict on their registry locations."""

    notes: np.ndarray  # reason code per unit, "" when reliable
    centres: np.ndarray  # (n, 2) official centres
    boxes: np.ndarray  # (n, 4) official extents (NaN where unknown)
    district: np.ndarray  # district label per unit, 0..d-1
    district_boxes: np.ndarray  # (n, 4) extent of each unit's district (NaN where unknown)
    order: np.ndarray  # rank of each unit's code
    province: np.ndarray  # province label per unit

    @property
    def reliable(self) -> np.ndarray:
        return self.notes == ""


@dataclass
class _Layout:
    """Where the raster cells grow from: sites, extents and the outline they fill."""

    centres: np.ndarray  # (n, 2) official centre, or the substitute site of a relocated unit
    boxes: np.ndarray  # (n, 4) official extent, or the substitute extent
    trusted: np.ndarray  # whether each extent is used as a target
    outline: shapely.Geometry
    spacing: float


def _plan(table: pd.DataFrame, params: SchematicParams) -> _Plan:
    """Classify the units' locations and convert everything the method needs to metres."""
    table = _with_evidence(table)
    notes = location_notes(table, params=params).to_numpy(dtype=object)
    centres, boxes = _to_metric(table)
    if {"district_minx", "district_miny", "district_maxx", "district_maxy"} <= set(table):
        district_boxes = _to_metric(
            table.assign(
                minx=table["district_minx"],
                miny=table["district_miny"],
                maxx=table["district_maxx"],
                maxy=table["district_maxy"],
            )
        )[1]
    else:
        district_boxes = np.full((len(table), 4), np.nan)
    if DISTRICT_CODE in table.columns:
        district = pd.factorize(table[DISTRICT_CODE].astype(str), sort=True)[0]
    else:
        district = np.zeros(len(table), dtype=int)
    if not (notes == "").any():  # nothing to anchor a relocation: keep the registry's word
        notes[:] = ""
    order = pd.factorize(table[COMMUNE_CODE].astype(str), sort=True)[0]
    if PROVINCE_CODE in table.columns:
        province = pd.factorize(table[PROVINCE_CODE].astype(str), sort=True)[0]
    else:
        province = np.zeros(len(table), dtype=int)
    return _Plan(notes, centres, boxes, district, district_boxes, order, province)


def _layout(plan: _Plan, params: SchematicParams) -> _Layout:
    """Trusted extents and outline from the reliable units, then sites for the others."""
    reliable = plan.reliable
    ref, ref_boxes = plan.centres[reliable], plan.boxes[reliable]
    distinct = np.unique(ref.round(3), axis=0)
    spacing = _spacing(distinct, ref_boxes)
    trusted = np.zeros(len(reliable), dtype=bool)
    trusted[reliable] = _trusted_extents(ref, ref_boxes, distinct, spacing, params)
    outline = _outline(ref, ref_boxes, trusted[reliable], spacing, params)
    layout = _Layout(plan.centres.copy(), plan.boxes.copy(), trusted, outline, spacing)
    if not reliable.all():
        _relocate(plan, layout, params)
    return layout


def _relocate(plan: _Plan, layout: _Layout, params: SchematicParams) -> None:
    """Give each unreliable unit a substitute site and extent in its district (in place).

    On a raster over the outline grown by ``params.reach`` spacings (a unit missing from the
    outline often leaves it short where it lies), a district's *free* space is its region minus
    what reliable units cover: the ellipses of trusted extents and a disk of ``params.cover``
    spacings around the other reliable centres. The region is the district's extent when
    credible (see :func:`location_notes`), else the box of its reliable centres grown by one
    spacing.

    Each unreliable unit goes to the free pixel (within the outline if it can) with the best
    score ``log(depth) - d / L``: *depth* is the distance to the nearest pixel that is not free
    (the radius of the largest empty circle there: the pole of inaccessibility maximises it),
    ``d`` the distance to the unit's code anchor (:func:`_code_anchor`; no term without one)
    and ``L = params.anchor_scale`` spacings. The surest anchors go first, ties in code order.
    (Hiding known units of ten provinces and placing them again this way lands them a median
    1.25 spacings from their registry centre; 2.2 without the anchor term.)

    Its extent is a square of the district's median trusted extent area, or of the district's
    free area divided by its number of unreliable units if smaller (half-side within
    ``params.relocate_radius`` spacings). The square stops being free, so several unreliable
    units of one district get distinct sites. Finally the outline grows to hold the new
    extents.
    """
    reliable, spacing = plan.reliable, layout.spacing
    grid_outline = layout.outline.buffer(params.reach * spacing)
    res = float(np.sqrt(grid_outline.area / params.relocate_pixels))
    x0, y0, x1, y1 = grid_outline.bounds
    xs = x0 + (np.arange(int(np.ceil((x1 - x0) / res)) + 1) + 0.5) * res
    ys = y0 + (np.arange(int(np.ceil((y1 - y0) / res)) + 1) + 0.5) * res
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(grid_outline, gx, gy)
    within = shapely.contains_xy(layout.outline, gx, gy)
    trusted = layout.trusted & reliable
    half = np.maximum(_half_extents(plan.centres[trusted], plan.boxes[trusted]), 0.05 * spacing)
    loose = reliable & ~layout.trusted
    cover = shapely.union_all(
        np.r_[
            _quarter_ellipses(plan.centres[trusted], half, params.outline_exponent),
            shapely.buffer(shapely.points(plan.centres[loose]), params.cover * spacing),
        ]
    )
    blocked = ~inside | shapely.contains_xy(cover, gx, gy)
    centre_pixels = _pixels_at(plan.centres[reliable], xs, ys, res)
    box_area = (plan.boxes[:, 2] - plan.boxes[:, 0]) * (plan.boxes[:, 3] - plan.boxes[:, 1])
    credible = _credible_districts(plan, params)
    low, high = params.relocate_radius
    for d in np.unique(plan.district[~reliable]):
        own = reliable & (plan.district == d)
        members = np.flatnonzero(~reliable & (plan.district == d))
        members = members[np.argsort(plan.order[members], kind="stable")]
        anchors = {int(m): _code_anchor(plan, m) for m in members}
        members = sorted(members, key=lambda m: -anchors[int(m)][0])
        if credible[d]:
            frame = plan.district_boxes[members[0]]
        elif own.any():
            frame = np.r_[plan.centres[own].min(0) - spacing, plan.centres[own].max(0) + spacing]
        else:
            frame = np.array([x0, y0, x1, y1])
        region = inside & (gx >= frame[0]) & (gx <= frame[2]) & (gy >= frame[1]) & (gy <= frame[3])
        if not region.any():
            region = inside
        typical_pool = box_area[trusted & own] if (trusted & own).any() else box_area[trusted]
        typical = float(np.median(typical_pool)) if len(typical_pool) else spacing**2
        share = (region & ~blocked).sum() * res**2 / len(members)
        h = float(np.clip(0.5 * np.sqrt(min(typical, share)), low * spacing, high * spacing))
        for m in members:
            free = region & ~blocked
            if not free.any():  # all covered: away from the reliable centres instead
                free = region & ~centre_pixels
            depth = ndimage.distance_transform_edt(np.pad(free, 1))[1:-1, 1:-1] * res
            score = np.log(np.maximum(depth, res))
            points = anchors[int(m)][1]
            if len(points):
                near = cKDTree(points).query(np.c_[gx.ravel(), gy.ravel()])[0]
                score -= near.reshape(gx.shape) / (params.anchor_scale * spacing)
            # Depth may reach into the grown band, the site itself stays within the outline.
            pick = free & within if (free & within).any() else free
            pole = np.unravel_index(int(np.argmax(np.where(pick, score, -np.inf))), free.shape)
            site = np.array([gx[pole], gy[pole]])
            blocked |= (np.abs(gx - site[0]) <= h) & (np.abs(gy - site[1]) <= h)
            layout.centres[m] = site
            layout.boxes[m] = [*(site - h), *(site + h)]
            layout.trusted[m] = True
    # The outline was drawn without these units: let it reach their extents too.
    moved = ~reliable
    shapes = _quarter_ellipses(
        layout.centres[moved],
        _half_extents(layout.centres[moved], layout.boxes[moved]),
        params.outline_exponent,
    )
    close = params.closing * spacing
    grown = shapely.union_all(np.r_[np.array([layout.outline]), shapes])
    grown = grown.buffer(close).buffer(-close)
    parts = shapely.get_parts(grown)
    keep = shapely.intersects(parts, shapely.multipoints(layout.centres))
    layout.outline = shapely.union_all([shapely.Polygon(p.exterior) for p in parts[keep]])


def _code_anchor(plan: _Plan, unit: int) -> tuple[int, np.ndarray]:
    """Where the unit's code says it lies: a rank (higher is surer) and anchor points.

    GSO codes run through a district in geographic order. The unit's *code neighbours* are the
    reliable units just before and after it in code order (unreliable units of its own district
    are skipped). If they are of its own district, the anchor is their mean centre (rank 2 or
    1, by how many there are). A neighbour of another district means the unit kept its code
    from that district's run: it was moved from there, so it borders it; the anchors are then
    the reliable centres of those districts (rank 0). No neighbour at all: no anchor (rank -1).
    """
    same = plan.district == plan.district[unit]
    own, foreign = [], set()
    for side in (-1, 1):
        after = np.flatnonzero(
            (side * (plan.order - plan.order[unit]) > 0) & (plan.province == plan.province[unit])
        )
        after = after[np.argsort(side * plan.order[after])]
        stop = after[~same[after] | plan.reliable[after]]
        if len(stop) == 0:
            continue
        if same[stop[0]]:
            own.append(int(stop[0]))
        else:
            foreign.add(int(plan.district[stop[0]]))
    if own:
        return len(own), plan.centres[own].mean(axis=0, keepdims=True)
    # A unit moved from another district borders it: the code neighbours' districts.
    near = plan.reliable & np.isin(plan.district, list(foreign))
    if near.any():
        return 0, plan.centres[near]
    return -1, np.empty((0, 2))


def _pixels_at(points: np.ndarray, xs: np.ndarray, ys: np.ndarray, res: float) -> np.ndarray:
    """Mask of the raster pixels holding ``points``."""
    mask = np.zeros((len(ys), len(xs)), dtype=bool)
    col = np.floor((points[:, 0] - xs[0]) / res + 0.5).astype(int)
    row = np.floor((points[:, 1] - ys[0]) / res + 0.5).astype(int)
    ok = (col >= 0) & (col < len(xs)) & (row >= 0) & (row < len(ys))
    mask[row[ok], col[ok]] = True
    return mask


def _credible_districts(plan: _Plan, params: SchematicParams) -> np.ndarray:
    """Per district label: does its extent hold the quorum of its units' official centres?"""
    boxes = plan.district_boxes
    size = np.sqrt((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
    with np.errstate(invalid="ignore"):
        near = _outside_distance(plan.centres, boxes) <= 0.1 * size
    share = np.bincount(plan.district, near) / np.bincount(plan.district)
    return share >= params.district_quorum


@dataclass
class _Sites:
    """Raster sites: one per group of (nearly) coincident centres."""

    of_unit: np.ndarray  # site index of each unit
    points: np.ndarray  # (k, 2) site positions
    half: np.ndarray  # (k, 4) half-extents used by the metric
    target: np.ndarray  # (k, 4) official half-extents to fit (NaN: no target)


def _schematic_cells(plan: _Plan, params: SchematicParams) -> np.ndarray:
    """Schematic cells (metric CRS), one per unit, forming a polygon coverage."""
    layout = _layout(plan, params)
    centres, boxes, trusted = layout.centres, layout.boxes, layout.trusted
    outline, spacing = layout.outline, layout.spacing
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
