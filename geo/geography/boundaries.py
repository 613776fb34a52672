"""Read any commune boundary layer into one normalised, validated, cached GeoDataFrame.

Formats: GeoJSON, GeoPackage, Shapefile (plain, or zipped, also in a sub-folder of the zip) and
GeoParquet. The result is always EPSG:4326 with the columns of :data:`geo.schema.COMMUNE_COLUMNS`,
``area_km2`` and ``geometry``; what was odd about the file is in :attr:`BoundaryLayer.problems`.
A feature without a commune code is kept (drawn as "no data") under a provisional code
``no-code:<feature number>`` (:func:`provisional_code`), never a GSO code, so ``commune_code`` is
a key every consumer can join on and no figure joins to such a feature by mistake.
CRS handling (VN-2000 included) is in :mod:`geo.geography.crs`, the checks in
:mod:`geo.geography.validation`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import math
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet
import pyogrio
import shapely
from pyproj import CRS

from geo.errors import BoundaryError, Problem
from geo.files import write_atomically
from geo.geography.crs import (
    crs_label,
    equal_area_crs,
    in_vietnam,
    parse_crs,
    resolve_crs,
    vn2000_tm3,
)
from geo.geography.validation import (
    FeatureRepairs,
    ValidationOptions,
    check_codes,
    check_coverage,
    clean_geometries,
    finite_coordinates,
    geometries_from_wkb,
    lonlat_coordinates,
    repair_rings,
)
from geo.i18n import format_number, t
from geo.progress import report_progress
from geo.schema import (
    AREA_KM2,
    COMMUNE_CODE,
    COMMUNE_COLUMNS,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    GEOMETRY,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE,
    WGS84,
)
from geo.text_encodings import decode_texts, tcvn3_to_unicode, vni_to_unicode

__all__ = [
    "BOUNDARY_STAGES",
    "DEFAULT_CACHE_DIR",
    "BoundaryLayer",
    "BoundaryLimits",
    "ValidationOptions",
    "area_km2",
    "is_provisional_code",
    "load_boundaries",
    "provisional_code",
    "vn2000_tm3",
]

log = logging.getLogger(__name__)

#: Bump when the normalised output changes, so old cache entries are not reused.
LOADER_VERSION = "4"
#: Start of the provisional code of a feature without a commune code (:func:`provisional_code`).
PROVISIONAL_CODE_PREFIX = "no-code:"
#: Where normalised layers are cached (gitignored).
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "cache"
#: The stages :func:`load_boundaries` reports (:func:`geo.progress.report_progress`) when it
#: reads a layer that is not cached, with the share of the work done before each: the checks
#: of areas and overlaps take most of it (4.5 of 5.5 s on the national layer, 1.6 of 2.1 s on
#: Phú Thọ 2025).
BOUNDARY_STAGES: dict[str, float] = {
    "boundaries.read": 0.0,
    "boundaries.repair": 0.13,
    "boundaries.validate": 0.15,
    "boundaries.check": 0.2,
    "boundaries.write": 0.97,
}

_VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
_PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
_SUPPORTED = (
    "GeoJSON (.geojson), GeoPackage (.gpkg), Shapefile (.shp or .zip), GeoParquet (.parquet)"
)
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_MISSING = {"", "nan", "none", "null", "<null>", "n/a"}

#: Recognised source column names per schema column, best first, compared by :func:`_key`
#: (lower case, no diacritics, no separators). Includes the 10-character shapefile truncations.
_ALIASES: dict[str, tuple[str, ...]] = {
    target: tuple(names.split())
    for target, names in {
        COMMUNE_CODE: "communecode communeco maxa maphuongxa maxaphuong madvhcxa wardcode mapx "
        "ma code gsocode adm3pcode",
        COMMUNE_NAME: "communename communena tenxa tenphuongxa tenxaphuong communevn wardname "
        "ward ten name commune adm3vi adm3name adm3en",
        COMMUNE_TYPE: "communetype communety loaixa loai wardtype capxa cap",
        DISTRICT_CODE: "districtcode districtc mahuyen maquanhuyen maqh adm2pcode",
        DISTRICT_NAME: "districtname districtn tenhuyen tenquanhuyen districtvn district huyen "
        "adm2vi adm2name adm2en",
        PROVINCE_CODE: "provincecode provincec matinh matp adm1pcode",
        PROVINCE_NAME: "provincename provincen tentinh provincevn province tinh adm1vi adm1name "
        "adm1en",
        VINTAGE: "vintage phienban",
    }.items()
}
_CODE_WIDTH = {COMMUNE_CODE: 5, DISTRICT_CODE: 3, PROVINCE_CODE: 2}

# Limits of the work one file may ask for, checked before the heavy work (defaults of
# BoundaryLimits). They are for hostile files: the largest real layers are far below them.
#: Megabytes on disk (a shapefile: all its parts; a zip: its members once unpacked). The
#: detailed national coverage of 2025 is ≈607 MB of GeoJSON as distributed (one file per
#: commune, indented); the national 2008–2019 layer is 15 MB.
MAX_FILE_MB = 1_000
#: Features of a layer (the national layer: 11,163 communes).
MAX_FEATURES = 100_000
#: Vertices of a layer, counted from the WKB pyogrio returns before any geometry is built (the
#: detailed national coverage of 2025: ≈7.1 million; Phú Thọ 2025: 265,824).
MAX_VERTICES = 12_000_000
#: Above this many vertices the overlap and gap check (which nodes every boundary) is skipped
#: with a warning: it is the one step whose time and memory grow faster than the layer.
COVERAGE_MAX_VERTICES = 2_000_000
#: Names of the legacy Vietnamese font encodings ``encoding=`` accepts besides Python codecs.
_FONT_ENCODINGS = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}
#: How detected encodings are named in problems.
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "cp1258": "Windows-1258 (cp1258)",
    "tcvn3": "TCVN3 (ABC, .VnTime fonts)",
    "vni": "VNI (VNI-Times fonts)",
    "cp1252": "Windows-1252 (cp1252)",
}


@dataclass(frozen=True)
class BoundaryLimits:
    """How much work one boundary file may ask for; more is refused with the numbers.

    Parameters
    ----------
    max_file_mb : float
        Size on disk, or unpacked from a zip, in MB (10⁶ bytes).
    max_features : int
        Features in the layer.
    max_vertices : int
        Vertices in the layer.
    coverage_vertices : int
        Run the overlap and gap check up to this many vertices; above, skip it with a warning.

    Examples
    --------
    >>> BoundaryLimits().max_features, BoundaryLimits(max_vertices=100).max_vertices
    (100000, 100)
    """

    max_file_mb: float = MAX_FILE_MB
    max_features: int = MAX_FEATURES
    max_vertices: int = MAX_VERTICES
    coverage_vertices: int = COVERAGE_MAX_VERTICES


_TYPES = {"xa": "Xã", "phuong": "Phường", "thitran": "Thị trấn"}


@dataclass(frozen=True, eq=False)
class BoundaryLayer:
    """A normalised commune layer and what was found while reading it.

    Attributes
    ----------
    communes : geopandas.GeoDataFrame
        EPSG:4326; columns :data:`~geo.schema.COMMUNE_COLUMNS`, ``area_km2``, ``geometry``
        (MultiPolygon), in the order of the source file.
    source : str
        The path as given.
    source_crs : str
        CRS the coordinates were read in, e.g. ``"EPSG:9211"``.
    problems : list of Problem
        Everything worth a look, errors (dropped features) and warnings.
    vintage : str
        Boundary vintage, e.g. ``"2019"``; ``"unknown"`` when neither file nor caller said.
    columns : dict
        Schema column → source column it was read from.
    from_cache : bool
        Whether this came from the GeoParquet cache.
    """

    communes: gpd.GeoDataFrame
    source: str
    source_crs: str
    problems: list[Problem] = field(default_factory=list)
    vintage: str = "unknown"
    columns: dict[str, str] = field(default_factory=dict)
    from_cache: bool = False

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable overview: counts, CRS, bounds, vintage, problems.

        Examples
        --------
        >>> import shapely, tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "xa.geojson"
        >>> gpd.GeoDataFrame({"ma_xa": ["04789"], "ma_huyen": ["148"]}, crs=4326,
        ...     geometry=[shapely.box(105.3, 20.8, 105.35, 20.85)]).to_file(path)
        >>> summary = load_boundaries(path, use_cache=False).summary()
        >>> summary["feature_count"], summary["districts"], summary["bounds_wgs84"]
        (1, 1, [105.3, 20.8, 105.35, 20.85])
        """
        frame = self.communes
        return {
            "file": Path(self.source).name,
            "feature_count": len(frame),
            "source_crs": self.source_crs,
            "bounds_wgs84": [round(float(v), 6) for v in frame.total_bounds],
            "vintage": self.vintage,
            "districts": _count_units(frame, DISTRICT_CODE, DISTRICT_NAME),
            "provinces": _count_units(frame, PROVINCE_CODE, PROVINCE_NAME),
            "area_km2": round(float(frame[AREA_KM2].sum()), 2),
            "columns": dict(self.columns),
            "errors": sum(p.severity == "error" for p in self.problems),
            "warnings": sum(p.severity != "error" for p in self.problems),
            "problems": [
                {"severity": p.severity, "where": p.where, "message": p.message}
                for p in self.problems
            ],
        }


def provisional_code(index: int) -> str:
    """Provisional code of the feature at position ``index`` (0-based) of a file without a
    commune code: ``"no-code:"`` and its feature number, as problems name it (``feature #40``).

    It can never be a 5-digit GSO code, so no indicator joins to it; it is stable for a given
    file and unique within it.

    Examples
    --------
    >>> provisional_code(39), is_provisional_code("no-code:40"), is_provisional_code("04789")
    ('no-code:40', True, False)
    """
    return f"{PROVISIONAL_CODE_PREFIX}{index + 1}"


def is_provisional_code(code: object) -> bool:
    """Whether ``code`` is a provisional code given by :func:`provisional_code`.

    Examples
    --------
    >>> [is_provisional_code(c) for c in ("no-code:7", "04789", None)]
    [True, False, False]
    """
    return isinstance(code, str) and code.startswith(PROVISIONAL_CODE_PREFIX)


def _count_units(frame: pd.DataFrame, code: str, name: str) -> int:
    """Distinct units by code; by name only when the layer has no codes at all."""
    codes = frame[code].dropna()
    return int(codes.nunique() if not codes.empty else frame[name].dropna().nunique())


def load_boundaries(
    path: str | os.PathLike[str],
    *,
    crs: str | int | CRS | None = None,
    layer: str | None = None,
    mapping: Mapping[str, str] | None = None,
    vintage: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    validation: ValidationOptions | None = None,
    encoding: str | None = None,
    limits: BoundaryLimits | None = None,
) -> BoundaryLayer:
    """Read, reproject, normalise and validate a commune boundary layer (cached).

    Each feature is read on its own: an unclosed ring is closed, a ring of fewer than 4 points
    dropped, a vertex with invalid coordinates (NaN, infinite, 1e308, out of the CRS's range)
    removed, and a feature with nothing left dropped, each as a problem that names the feature.

    Parameters
    ----------
    path : str or path-like
        ``.geojson``/``.json``, ``.gpkg``, ``.shp``, ``.zip`` (with a shapefile) or ``.parquet``.
    crs : str, int or pyproj.CRS, optional
        CRS of the coordinates when the file has none (or a wrong one: it then overrides, with a
        warning). ``"EPSG:9211"``, ``"vn2000:106"`` (VN-2000 TM-3 on 106°00') or any pyproj input.
    layer : str, optional
        Layer of a GeoPackage, or shapefile (by name) inside a zip. Default: the first polygon one.
    mapping : mapping, optional
        Schema column → source column, e.g. ``{"commune_code": "MAXA"}``; other columns are
        recognised by their usual names (``ma_xa``, ``ten_xa``, ``ten_huyen`` ...).
    vintage : str, optional
        Boundary vintage; default: the file's ``vintage`` column, else ``"unknown"``.
    cache_dir : str or path-like, optional
        Cache directory; default :data:`DEFAULT_CACHE_DIR`.
    use_cache : bool
        Read from and write to the cache.
    validation : ValidationOptions, optional
        Tolerances of the overlap and gap checks.
    encoding : str, optional
        Text encoding of the attributes: a codec name (``"utf-8"``, ``"cp1258"``) or a legacy
        font encoding (``"tcvn3"``, ``"vni"``). Default: what the file declares; a shapefile
        that declares nothing (no ``.cpg``, no code page in its ``.dbf``) is read as UTF-8,
        Windows-1258, TCVN3 or VNI, whichever reads as Vietnamese, with a warning naming it.
    limits : BoundaryLimits, optional
        Size, feature and vertex limits (default :class:`BoundaryLimits`).

    Returns
    -------
    BoundaryLayer

    Raises
    ------
    BoundaryError
        Missing or unreadable file, unknown format, a limit exceeded, no polygon feature, no
        commune code column, an unknown CRS named by the file, or no usable CRS; the message
        names the file and what to do.

    Examples
    --------
    >>> import shapely, geopandas as gpd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> gpd.GeoDataFrame({"MA_XA": [4789], "TEN_XA": ["Phường  Thái Bình"]},
    ...     geometry=[shapely.box(105.3, 20.8, 105.35, 20.85)], crs=4326
    ... ).to_file(folder / "x.geojson")
    >>> layer = load_boundaries(folder / "x.geojson", vintage="2019", cache_dir=folder)
    >>> layer.communes[["commune_code", "commune_name", "commune_type"]].iloc[0].tolist()
    ['04789', 'Phường Thái Bình', 'Phường']
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise BoundaryError(name, f"file not found: {path}; check the path")
    suffix = path.suffix.lower()
    if suffix not in _VECTOR_SUFFIXES and suffix not in _PARQUET_SUFFIXES and suffix != ".zip":
        raise BoundaryError(name, f"unknown boundary format '{suffix}'; use {_SUPPORTED}")
    try:
        given_crs = parse_crs(crs) if crs is not None else None
    except ValueError as exc:
        raise BoundaryError(name, f"crs option: {exc}") from exc
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping) - set(COMMUNE_COLUMNS))
    if unknown:
        raise BoundaryError(name, f"mapping keys {unknown} are not among {COMMUNE_COLUMNS}")
    validation = validation or ValidationOptions()
    limits = limits or BoundaryLimits()
    if encoding is not None:
        encoding = _checked_encoding(encoding, name)

    cache = _Cache(Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR)
    key = ""
    if use_cache:
        options = {
            "crs": given_crs.to_wkt() if given_crs is not None else None,
            "layer": layer,
            "mapping": sorted(mapping.items()),
            "vintage": vintage,
            "validation": asdict(validation),
            "encoding": encoding,
            "limits": asdict(limits),
        }
        key = _cache_key(path, options)
        cached = cache.get(key, path)
        if cached is not None:
            return cached
    # Only now is there work to wait for: the stages (BOUNDARY_STAGES) are reported from here.
    report_progress("boundaries.read", BOUNDARY_STAGES["boundaries.read"])
    result = _load(
        path,
        given_crs=given_crs,
        layer=layer,
        mapping=mapping,
        vintage=vintage,
        validation=validation,
        read=_ReadOptions(encoding=encoding, limits=limits),
    )
    if use_cache:
        report_progress("boundaries.write", BOUNDARY_STAGES["boundaries.write"])
        cache.put(key, result)
    return result


def _load(
    path: Path,
    *,
    given_crs: CRS | None,
    layer: str | None,
    mapping: dict[str, str],
    vintage: str | None,
    validation: ValidationOptions,
    read: _ReadOptions,
) -> BoundaryLayer:
    name = path.name
    source = _read_source(path, layer=layer, given_crs=given_crs, read=read)
    raw, problems, repairs = source.frame, source.problems, source.repairs
    if len(raw) == 0 or raw.geometry.isna().all() or raw.geometry.is_empty.all():
        raise BoundaryError(
            name,
            "the layer has no feature with a geometry; is it the right file?",
            problems=repairs.problems([_label(None, None, i) for i in range(len(raw))], name),
        )
    table, columns = _normalise_columns(raw, name, mapping=mapping)
    labels = [
        _label(code, title, i)
        for i, (code, title) in enumerate(
            zip(table[COMMUNE_CODE], table[COMMUNE_NAME], strict=True)
        )
    ]
    report_progress("boundaries.repair", BOUNDARY_STAGES["boundaries.repair"])
    geoms, source_crs, crs_problems = _repaired_wgs84(raw, given_crs, repairs, labels, name)
    del raw  # a large layer: keep one copy of its geometries alive, not three
    problems += crs_problems
    problems += repairs.problems(labels, name)
    dropped = repairs.dropped_mask(len(table))
    report_progress("boundaries.validate", BOUNDARY_STAGES["boundaries.validate"])
    cleaned = clean_geometries(geoms, labels, name, reported=dropped, consume=True)
    del geoms
    problems += cleaned.problems
    keep = cleaned.keep
    if not keep.any():
        raise BoundaryError(
            name, "no polygon feature left (all empty or not polygons)", problems=problems
        )
    # Features without a code are drawn as "no data": a provisional code (by the feature's
    # number in the file, as in its problems) keeps commune_code a unique, non-null key.
    codes = table[COMMUNE_CODE]
    no_code = codes.isna().to_numpy()
    given_codes = codes.tolist()
    table[COMMUNE_CODE] = [
        provisional_code(i) if missing else code
        for i, (code, missing) in enumerate(zip(codes, no_code, strict=True))
    ]
    table = table.loc[keep].reset_index(drop=True)
    given_codes = [c for c, k in zip(given_codes, keep, strict=True) if k]
    labels = [label for label, k in zip(labels, keep, strict=True) if k]
    communes = gpd.GeoDataFrame(table, geometry=cleaned.geometries[keep], crs=WGS84)
    bounds = tuple(float(v) for v in communes.total_bounds)  # now in lon/lat
    if not in_vietnam(bounds):
        message = (
            f"after reprojection from {crs_label(source_crs)} the layer lies outside Vietnam "
            f"(bounds {[round(v, 4) for v in bounds]}); check the CRS (crs= option)"
        )
        problems.append(Problem(name, "", message, "warning"))

    layer_vintage, vintage_problems = _vintage(communes, vintage, name)
    problems += vintage_problems
    problems += check_codes(given_codes, labels, name, max_listed=validation.max_listed)
    report_progress("boundaries.check", BOUNDARY_STAGES["boundaries.check"])
    problems += _areas_and_coverage(communes, labels, name, validation, read.limits)
    communes = communes[[*COMMUNE_COLUMNS, AREA_KM2, GEOMETRY]]
    return BoundaryLayer(
        communes=communes,
        source=str(path),
        source_crs=crs_label(source_crs),
        problems=problems,
        vintage=layer_vintage,
        columns=columns,
    )


def _areas_and_coverage(
    communes: gpd.GeoDataFrame,
    labels: list[str],
    name: str,
    validation: ValidationOptions,
    limits: BoundaryLimits,
) -> list[Problem]:
    """Fill ``area_km2`` (as :func:`area_km2`); run the overlap/gap check if the layer is small
    enough for it, else say it was skipped."""
    metric_crs = equal_area_crs(tuple(float(v) for v in communes.total_bounds))
    geoms = communes.geometry
    vertices = int(shapely.get_num_coordinates(geoms.values.to_numpy()).sum())
    if not validation.check_coverage or vertices > limits.coverage_vertices:
        # Areas batch by batch: one projected copy of a huge layer at a time, not all of it.
        step = max(1, len(geoms) * 1_000_000 // max(vertices, 1))
        areas = [
            geoms.iloc[i : i + step].to_crs(metric_crs).area.to_numpy()
            for i in range(0, len(geoms), step)
        ]
        communes[AREA_KM2] = np.concatenate(areas) / 1e6
        if not validation.check_coverage:
            return []
        numbers = {
            "n": format_number(vertices, "en"),
            "limit": format_number(limits.coverage_vertices, "en"),
        }
        return [Problem(name, "", t("boundaries.coverage_skipped", "en", **numbers), "warning")]
    metric = geoms.to_crs(metric_crs)
    communes[AREA_KM2] = metric.area.to_numpy() / 1e6  # projected once for both
    return check_coverage(
        metric.values.to_numpy(), labels, name, crs=metric_crs, options=validation
    )


def _repaired_wgs84(
    raw: gpd.GeoDataFrame,
    given_crs: CRS | None,
    repairs: FeatureRepairs,
    labels: list[str],
    name: str,
) -> tuple[np.ndarray, CRS, list[Problem]]:
    """Geometries without invalid vertices or short rings, in EPSG:4326; the source CRS.

    Invalid vertices are removed twice: before the CRS is decided (non-finite or absurd values,
    and values out of the lon/lat range when most features are in degrees), so that one vertex
    at 1e308 does not decide the layer's CRS; and after reprojection (points PROJ cannot place).
    """
    geoms = raw.geometry.values.to_numpy()
    geoms = repair_rings(
        geoms,
        repairs,
        valid=lonlat_coordinates if _in_degrees(geoms, given_crs) else finite_coordinates,
    )
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(present) == 0:
        raise BoundaryError(
            name, "no polygon feature left after repair", problems=repairs.problems(labels, name)
        )
    bounds = tuple(float(v) for v in shapely.total_bounds(present))
    source_crs, problems = resolve_crs(raw.crs, given_crs, bounds, source=name)
    if not source_crs.equals(CRS.from_user_input(WGS84), ignore_axis_order=True):
        projected = gpd.GeoSeries(geoms, crs=source_crs).to_crs(WGS84)
        geoms = repair_rings(projected.values.to_numpy(), repairs, valid=lonlat_coordinates)
    return geoms, source_crs, problems


def _in_degrees(geoms: np.ndarray, given_crs: CRS | None) -> bool:
    """Whether the coordinates are lon/lat: the given CRS says so, else most features lie in range.

    (A file's own CRS is no guide: GDAL calls every GeoJSON EPSG:4326, metres included.)
    """
    if given_crs is not None:
        return bool(given_crs.is_geographic)
    bounds = shapely.bounds(geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))])
    if len(bounds) == 0:
        return False
    with np.errstate(invalid="ignore"):
        inside = (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) & (
            np.abs(bounds[:, [1, 3]]) <= 90
        ).all(axis=1)
    return bool(inside.mean() > 0.5)


def area_km2(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each feature in km², in an equal-area projection centred on the layer.

    See :func:`geo.geography.crs.equal_area_crs` for why not UTM. The frame may be in any CRS.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons with a CRS.

    Returns
    -------
    pandas.Series
        km² per feature, on the frame's index.

    Examples
    --------
    >>> import shapely
    >>> square = gpd.GeoSeries([shapely.box(105.3, 20.8, 105.31, 20.81)], crs=WGS84)
    >>> round(float(area_km2(square).iloc[0]), 3)
    1.153
    """
    geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    if geoms.crs is None:
        raise ValueError("area_km2 needs a CRS on the geometries")
    lonlat = geoms.to_crs(WGS84)
    valid = lonlat[~(lonlat.isna() | lonlat.is_empty)]
    if valid.empty:
        return pd.Series(0.0, index=geoms.index, name=AREA_KM2)
    metric = lonlat.to_crs(equal_area_crs(tuple(float(v) for v in valid.total_bounds)))
    return pd.Series(metric.area.to_numpy() / 1e6, index=geoms.index, name=AREA_KM2)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ReadOptions:
    """How to read the source: text encoding (None: as declared or detected) and limits."""

    encoding: str | None
    limits: BoundaryLimits


@dataclass
class _Source:
    """The raw layer, what was odd about reading it, and the per-feature geometry repairs."""

    frame: gpd.GeoDataFrame
    problems: list[Problem]
    repairs: FeatureRepairs


def _checked_encoding(encoding: str, name: str) -> str:
    """The encoding option, lower case; a legacy font name or a Python codec, else an error."""
    wanted = encoding.strip().lower()
    if wanted in _FONT_ENCODINGS:
        return wanted
    try:
        return codecs.lookup(wanted).name
    except LookupError as exc:
        message = t("boundaries.encoding_unknown", "en", encoding=encoding)
        raise BoundaryError(name, message) from exc


def _megabytes(size: float) -> str:
    return format_number(size / 1e6, "en", decimals=1)


def _check_size(size: int, name: str, limits: BoundaryLimits, *, key: str) -> None:
    if size > limits.max_file_mb * 1e6:
        limit = format_number(limits.max_file_mb, "en")
        raise BoundaryError(name, t(key, "en", size=_megabytes(size), limit=limit))


def _check_counts(features: int, vertices: int, name: str, limits: BoundaryLimits) -> None:
    if features > limits.max_features:
        limit = format_number(limits.max_features, "en")
        raise BoundaryError(name, t("boundaries.limit_features", "en", limit=limit))
    if vertices > limits.max_vertices:
        numbers = {
            "n": format_number(vertices, "en"),
            "limit": format_number(limits.max_vertices, "en"),
        }
        raise BoundaryError(name, t("boundaries.limit_vertices", "en", **numbers))


def _read_source(
    path: Path, *, layer: str | None, given_crs: CRS | None, read: _ReadOptions
) -> _Source:
    """Read the raw layer (the only function that touches the source file's content)."""
    name = path.name
    suffix = path.suffix.lower()
    _check_size(
        sum(p.stat().st_size for p in _source_files(path)),
        name,
        read.limits,
        key="boundaries.limit_bytes",
    )
    if suffix in _PARQUET_SUFFIXES:
        return _read_parquet(path, read.limits)
    declared: bool | None = None  # whether a shapefile declares its encoding; None: not one
    if suffix == ".zip":
        uri, layer, declared = _zip_member(path, layer, read.limits)
    else:
        uri = str(path)
        if suffix == ".shp":
            declared = _declares_encoding(_sidecars(path))
    if given_crs is None and uri.lower().endswith((".geojson", ".json")):
        _check_geojson_crs(uri, name)
    return _read_vector(uri, name, layer, declared=declared, read=read)


def _read_parquet(path: Path, limits: BoundaryLimits) -> _Source:
    name = path.name
    try:
        _check_counts(pyarrow.parquet.read_metadata(path).num_rows, 0, name, limits)
        frame = gpd.read_parquet(path)
    except BoundaryError:
        raise
    except Exception as exc:  # pyarrow/geopandas raise many types for a bad file
        raise BoundaryError(name, f"cannot read as GeoParquet: {exc}") from exc
    vertices = int(shapely.get_num_coordinates(frame.geometry.values.to_numpy()).sum())
    _check_counts(len(frame), vertices, name, limits)
    return _Source(frame, [], FeatureRepairs())


def _sidecars(path: Path) -> dict[str, Path]:
    """The parts of a shapefile by lower-case suffix (``".dbf"``, ``".cpg"`` ...)."""
    return {p.suffix.lower(): p for p in _source_files(path)}


def _declares_encoding(
    parts: Mapping[str, Path | zipfile.ZipInfo], archive: zipfile.ZipFile | None = None
) -> bool:
    """Whether a shapefile declares its text encoding: a .cpg, or a code page (LDID) in the .dbf."""
    if ".cpg" in parts:
        return True
    dbf = parts.get(".dbf")
    if dbf is None:
        return True  # no attributes to decode
    if isinstance(dbf, Path):
        with dbf.open("rb") as handle:
            head = handle.read(32)
    else:
        assert archive is not None
        with archive.open(dbf) as handle:
            head = handle.read(32)
    return len(head) > 29 and head[29] != 0  # byte 29 of the .dbf header: the language driver


def _check_geojson_crs(uri: str, name: str) -> None:
    """Refuse a GeoJSON whose ``crs`` member names a CRS pyproj does not know.

    GDAL reads such a file as EPSG:4326 without a word. The member is looked for at the top
    level, before the features or after them (the first MB and the last 64 kB of the file).
    """
    path = Path(uri)
    if not path.is_file():
        return  # inside a zip: GDAL's reading stands
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
        handle.seek(max(0, path.stat().st_size - (1 << 16)))
        tail = handle.read()
    features_at = head.find(b'"features"')
    candidates = [head[: features_at if features_at >= 0 else len(head)]]
    candidates.append(tail[tail.rfind(b"]") + 1 :])
    for text in candidates:
        member = _crs_member(text.decode("utf-8", errors="replace"))
        if member is None:
            continue
        try:
            parse_crs(member)
        except ValueError as exc:
            reason = str(exc).split(" (", 1)[-1].rstrip(")") or "not in the EPSG database"
            raise BoundaryError(
                name, t("boundaries.crs_unknown", "en", crs=member, reason=reason)
            ) from exc


def _crs_member(text: str) -> str | None:
    """The CRS a GeoJSON ``"crs": {...}`` member names (2008 spec: by name or EPSG code)."""
    found = re.search(r'"crs"\s*:\s*(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})', text)
    if found is None:
        return None
    try:
        member = json.loads(found.group(1))
    except json.JSONDecodeError:
        return None
    properties = member.get("properties") if isinstance(member, dict) else None
    if not isinstance(properties, dict):
        return None
    if str(member.get("type", "")).lower() == "epsg" and "code" in properties:
        return f"EPSG:{properties['code']}"
    named = properties.get("name")
    return str(named) if named else None


def _zip_member(
    path: Path, layer: str | None, limits: BoundaryLimits
) -> tuple[str, str | None, bool | None]:
    """GDAL path of the vector file inside a zip (shapefiles in sub-folders too), the layer, and
    whether a shapefile declares its encoding (None when the member is not a shapefile)."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_size(
                sum(i.file_size for i in infos), name, limits, key="boundaries.limit_unzipped"
            )
            members = [
                m
                for m in archive.namelist()
                if Path(m).suffix.lower() in _VECTOR_SUFFIXES
                and not m.startswith("__MACOSX/")
                and not Path(m).name.startswith("._")
            ]
            member, layer = _choose_member(path, members, layer)
            declared = None
            if member.lower().endswith(".shp"):
                stem = member[:-4].lower()
                parts = {
                    Path(i.filename).suffix.lower(): i
                    for i in infos
                    if i.filename[:-4].lower() == stem
                }
                declared = _declares_encoding(parts, archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BoundaryError(name, f"not a readable zip file: {exc}") from exc
    return f"/vsizip/{path.resolve().as_posix()}/{member}", layer, declared


def _choose_member(path: Path, members: list[str], layer: str | None) -> tuple[str, str | None]:
    """The member of the zip to read, and the layer option left for it."""
    name = path.name
    if not members:
        raise BoundaryError(name, "the zip holds no shapefile (.shp), GeoPackage or GeoJSON")
    base = f"/vsizip/{path.resolve().as_posix()}"
    if layer is not None:
        wanted = [m for m in members if layer.lower() in {Path(m).stem.lower(), m.lower()}]
        if wanted:
            return wanted[0], None
    if len(members) == 1:
        return members[0], layer
    if layer is not None:
        raise BoundaryError(name, f"no layer '{layer}' in the zip; it holds {members}")
    for member in members:
        try:
            if any(_is_polygonal(kind) for _, kind in pyogrio.list_layers(f"{base}/{member}")):
                return member, None
        except pyogrio.errors.DataSourceError:
            continue
    raise BoundaryError(name, f"no polygon layer among {members}; pass layer=")


def _is_polygonal(kind: str | None) -> bool:
    return kind is not None and ("polygon" in kind.lower() or "surface" in kind.lower())


def _choose_layer(uri: str, name: str, layer: str | None) -> str | None:
    """The layer of a multi-layer source to read (None: the only one)."""
    if layer is None and not uri.lower().endswith(".gpkg"):
        return None  # listing layers parses a whole GeoJSON (0.4 s for 15 MB)
    try:
        layers = [(str(n), k) for n, k in pyogrio.list_layers(uri)]
    except Exception as exc:  # DataSourceError for garbage, OSError, ...
        raise BoundaryError(name, f"cannot read the file as {_SUPPORTED}: {exc}") from exc
    if layer is not None:
        chosen = next((n for n, _ in layers if n == layer), None) or next(
            (n for n, _ in layers if n.lower() == layer.lower()), None
        )
        if chosen is None:
            raise BoundaryError(name, f"no layer '{layer}'; layers: {[n for n, _ in layers]}")
        return chosen
    if len(layers) == 1:
        return layers[0][0]
    polygonal = [n for n, k in layers if _is_polygonal(k)]
    unknown = [n for n, k in layers if k in {"Unknown", "Geometry", "GeometryCollection"}]
    if not polygonal + unknown:
        raise BoundaryError(name, f"no polygon layer; layers: {layers}")
    return (polygonal + unknown)[0]


def _read_vector(
    uri: str, name: str, layer: str | None, *, declared: bool | None, read: _ReadOptions
) -> _Source:
    chosen = _choose_layer(uri, name, layer)
    limits = read.limits
    # A shapefile's text is read as ISO-8859-1, which keeps every byte, and decoded here: in
    # the encoding given, else in the one detected when the file declares none.
    decode = declared is not None and (read.encoding is not None or not declared)
    encoding = "ISO-8859-1" if decode else None
    try:
        with warnings.catch_warnings():
            # "Non closed ring detected": such rings are closed and reported per feature.
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, _, wkb, fields = pyogrio.raw.read(
                uri, layer=chosen, encoding=encoding, max_features=limits.max_features + 1
            )
    except Exception as exc:  # DataSourceError for garbage, OSError, ...
        what = f"layer '{chosen}'" if chosen else f"the file as {_SUPPORTED}"
        raise BoundaryError(name, f"cannot read {what}: {exc}", where=chosen or "") from exc
    if wkb is None or meta.get("geometry_type") is None:
        raise BoundaryError(name, f"layer '{chosen or name}' has no geometry column")
    _check_counts(len(wkb), _vertices_in_wkb(wkb, meta["geometry_type"]), name, limits)
    table = pd.DataFrame(dict(zip(meta["fields"], fields, strict=True)))
    problems: list[Problem] = []
    if decode and read.encoding is not None:
        _map_text(table, partial(_decode_as, encoding=read.encoding))
    elif decode:
        found = _decode_undeclared(table)
        if found != "ascii":
            shown = _ENCODING_NAMES.get(found, found)
            message = t("boundaries.encoding_detected", "en", encoding=shown)
            problems.append(Problem(name, "", message, "warning"))
    repairs = FeatureRepairs()
    geometries = geometries_from_wkb(wkb, repairs)
    del wkb  # the WKB copy of every vertex is no longer needed
    frame = gpd.GeoDataFrame(table, geometry=geometries, crs=meta["crs"])
    return _Source(frame, problems, repairs)


def _vertices_in_wkb(wkb: np.ndarray, geometry_type: str) -> int:
    """About how many vertices WKB holds (8 bytes per ordinate; headers counted as vertices)."""
    suffix = geometry_type.upper().rsplit(" ", 1)[-1] if " " in geometry_type else ""
    dimensions = 2 + ("Z" in suffix) + ("M" in suffix)
    return sum(len(w) for w in wkb if w is not None) // (8 * dimensions)


def _text_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if pd.api.types.is_string_dtype(table[c])]


def _map_text(table: pd.DataFrame, convert: Callable[[str], str]) -> None:
    for column in _text_columns(table):
        table[column] = table[column].map(lambda v: convert(v) if isinstance(v, str) else v)


def _decode_as(text: str, *, encoding: str) -> str:
    """Text read as ISO-8859-1, decoded in ``encoding`` (a codec, or a legacy font encoding)."""
    data = text.encode("latin-1")
    convert = _FONT_ENCODINGS.get(encoding)
    if convert is not None:
        return convert(data.decode("cp1252", errors="replace"))
    return unicodedata.normalize("NFC", data.decode(encoding, errors="replace"))


def _decode_undeclared(table: pd.DataFrame) -> str:
    """Decode text read as Latin-1 (bytes kept) in the encoding it reads best in; return it."""
    columns = _text_columns(table)
    values = [v for c in columns for v in table[c] if isinstance(v, str)]
    texts, found = decode_texts([v.encode("latin-1") for v in values])
    decoded = iter(texts)
    for column in columns:
        table[column] = [next(decoded) if isinstance(v, str) else v for v in table[column]]
    return found


# --- columns ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without diacritics (đ → d), spaces kept: ``"Thị Trấn"`` → ``"thi tran"``."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _key(text: str) -> str:
    """Comparison key of a column name: ``"Mã_Xã"`` → ``"maxa"``."""
    return re.sub(r"[^a-z0-9]", "", _fold(text))


def _text(value: object) -> str | None:
    """NFC text with collapsed whitespace, or None for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return None if text.lower() in _MISSING else text


def _code(value: object, width: int) -> str | None:
    """GSO code as zero-padded text: ``4789``, ``4789.0``, ``"4789.0"`` → ``"04789"``."""
    if isinstance(value, float | np.floating) and math.isfinite(value) and value == int(value):
        value = int(value)
    text = _text(value)
    if text is None:
        return None
    match = re.fullmatch(r"(\d+)(?:\.0*)?", text)
    if match and len(match.group(1)) <= width:
        return match.group(1).zfill(width)
    return match.group(1) if match else text


def _commune_type(value: str | None, name: str | None) -> str | None:
    """Canonical "Xã" / "Phường" / "Thị trấn" from a type column, else from the name prefix."""
    if value is not None:
        return _TYPES.get(_key(value), value)
    if name is None:
        return None
    folded = _fold(name)
    for prefix, kind in (("xa ", "Xã"), ("phuong ", "Phường"), ("thi tran ", "Thị trấn")):
        if folded.startswith(prefix):
            return kind
    return None


def _find_columns(frame: pd.DataFrame, name: str, mapping: dict[str, str]) -> dict[str, str]:
    """Schema column → source column, from the explicit mapping and the alias table."""
    candidates = [c for c in frame.columns if c != frame.geometry.name]
    found: dict[str, str] = {}
    for target, column in mapping.items():
        match = (
            column
            if column in candidates
            else next((c for c in candidates if _key(c) == _key(column)), None)
        )
        if match is None:
            raise BoundaryError(
                name, f"mapping: no column '{column}' for {target}; columns are {candidates}"
            )
        found[target] = match
    for target, aliases in _ALIASES.items():
        if target in found:
            continue
        for alias in aliases:
            match = next(
                (
                    c
                    for c in candidates
                    if _key(c) == alias
                    and c not in found.values()
                    and frame[c].map(_text).notna().any()
                ),
                None,
            )
            if match is not None:
                found[target] = match
                break
    return found


def _normalise_columns(
    frame: gpd.GeoDataFrame, name: str, *, mapping: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    columns = _find_columns(frame, name, mapping)
    if COMMUNE_CODE not in columns:
        others = [c for c in frame.columns if c != frame.geometry.name]
        raise BoundaryError(
            name,
            (
                f"no commune code column found among {others}; name it with "
                "mapping={'commune_code': '<column>'} (CLI: --map commune_code=<column>)"
            ),
        )
    data: dict[str, list[str | None]] = {}
    for target in COMMUNE_COLUMNS:
        source = frame[columns[target]].tolist() if target in columns else [None] * len(frame)
        width = _CODE_WIDTH.get(target)
        data[target] = [_code(v, width) if width else _text(v) for v in source]
    data[COMMUNE_TYPE] = [
        _commune_type(t, n) for t, n in zip(data[COMMUNE_TYPE], data[COMMUNE_NAME], strict=True)
    ]
    table = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in data.items()})
    return table, columns


def _label(code: object, name: object, index: int) -> str:
    """How a feature is named in problems: ``"04789 Phường Thái Bình (feature #1)"``."""
    parts = [str(v) for v in (code, name) if isinstance(v, str) and v]
    return f"{' '.join(parts)} (feature #{index + 1})" if parts else f"feature #{index + 1}"


def _vintage(frame: gpd.GeoDataFrame, given: str | None, name: str) -> tuple[str, list[Problem]]:
    """Fill the vintage column; return the layer's vintage and any disagreement."""
    in_file = sorted(frame[VINTAGE].dropna().unique().tolist())
    problems: list[Problem] = []
    if given is not None:
        if in_file and in_file != [given]:
            problems.append(Problem(name, "", f"vintage='{given}' given; the file says {in_file}"))
        frame[VINTAGE] = given
        return given, problems
    if not in_file:
        named = vintage_in_name(name)
        if named:
            problems.append(
                Problem(name, "", f"vintage {named} taken from the file name", "warning")
            )
            frame[VINTAGE] = named
            return named, problems
    frame[VINTAGE] = frame[VINTAGE].fillna("unknown")
    if len(in_file) > 1:
        problems.append(Problem(name, "", f"the file mixes boundary vintages {in_file}"))
    return (";".join(in_file) if in_file else "unknown"), problems


def vintage_in_name(name: str) -> str | None:
    """A boundary vintage written in a file name: a year or a span of years, else None.

    Examples
    --------
    >>> vintage_in_name("vietnam_communes_2008-2019_vietnam63.geojson")
    '2008-2019'
    >>> vintage_in_name("ranh_gioi_xa_2019.zip"), vintage_in_name("xa_12345.shp")
    ('2019', None)
    >>> vintage_in_name("hoabinh_VN2000_106.shp") is None
    True
    """
    # "VN-2000" names the coordinate system, not a year.
    stem = re.sub(r"(?i)vn[-_ ]?2000", " ", Path(name).stem)
    found = _YEARS_IN_NAME.search(stem)
    if not found:
        return None
    first, last = found.group(1), found.group(2)
    return f"{first}-{last}" if last else first


_YEARS_IN_NAME = re.compile(r"(?<![\dA-Za-z])((?:19|20)\d\d)(?:[-–_]((?:19|20)\d\d))?(?!\d)")


# --- cache -----------------------------------------------------------------------------------


def _source_files(path: Path) -> list[Path]:
    """The files whose bytes make a source: a shapefile's sidecars too."""
    if path.suffix.lower() != ".shp":
        return [path]
    stem = path.stem.lower()
    parts = [
        p
        for p in path.parent.iterdir()
        if p.stem.lower() == stem and p.suffix.lower() in _SHAPEFILE_PARTS
    ]
    return sorted(parts, key=lambda p: p.suffix.lower())


def _cache_key(path: Path, options: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for part in _source_files(path):
        digest.update(part.suffix.lower().encode())
        with part.open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
    content = digest.hexdigest()
    settings = json.dumps(
        {"loader": LOADER_VERSION, "options": options}, sort_keys=True, default=str
    )
    return hashlib.sha256(f"{content}:{settings}".encode()).hexdigest()


@dataclass(frozen=True)
class _Cache:
    """GeoParquet of the layer plus a JSON report beside it, both named by the key."""

    folder: Path

    def _paths(self, key: str) -> tuple[Path, Path]:
        stem = f"boundaries_{key[:32]}"
        return self.folder / f"{stem}.parquet", self.folder / f"{stem}.json"

    def get(self, key: str, path: Path) -> BoundaryLayer | None:
        data_path, report_path = self._paths(key)
        if not (data_path.is_file() and report_path.is_file()):
            return None
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
            if report.get("key") != key:
                return None
            communes = gpd.read_parquet(data_path)
        except Exception as exc:  # a damaged cache entry is rebuilt, never fatal
            log.warning("ignoring cache entry %s: %s", data_path, exc)
            return None
        # The same bytes may come under another name: problems name the file as given now.
        problems = [Problem(**{**p, "source": path.name}) for p in report["problems"]]
        return BoundaryLayer(
            communes=communes,
            source=str(path),
            source_crs=report["source_crs"],
            problems=problems,
            vintage=report["vintage"],
            columns=report["columns"],
            from_cache=True,
        )

    def put(self, key: str, layer: BoundaryLayer) -> None:
        data_path, report_path = self._paths(key)
        report = {
            "key": key,
            "loader_version": LOADER_VERSION,
            "source": layer.source,
            "source_crs": layer.source_crs,
            "vintage": layer.vintage,
            "columns": layer.columns,
            "problems": [asdict(p) for p in layer.problems],
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(data_path, layer.communes.to_parquet)
            text = json.dumps(report, ensure_ascii=False, indent=1)
            write_atomically(report_path, lambda p: p.write_text(text, encoding="utf-8"))
        except OSError as exc:  # read-only checkout etc.: work without a cache
            log.warning("cannot write boundary cache in %s: %s", self.folder, exc)
