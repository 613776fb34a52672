"""Real commune boundaries for any province, in one call: download, verify, convert, match, cache.

:func:`fetch_boundaries` takes a source of the catalogue (:mod:`geo.geography.sources`) and a
province,
downloads the pinned file (or reuses a verified copy), reads it, keeps the province's communes
with their original attributes, gives each the GSO code of the unit of the same district and
name in the 2020–2025 list of ``vietnamadminunits`` (:mod:`geo.geography.matching`), and writes

* ``<data_dir>/<source>_<province>.parquet``: the layer (GeoParquet, EPSG:4326, the columns of
  :data:`geo.schema.COMMUNE_COLUMNS`, ``area_km2``, the match columns, the source's columns);
* ``<data_dir>/<source>_<province>.json``: the sidecar: source, licence, attribution, vintage,
  fetch time, SHA-256 of the downloaded file, and the match report.

Codes. ``vietnamadminunits`` holds the 2020–2025 list only. A polygon of an older vintage whose
unit still exists under the same name (and district) gets that unit's code; one whose unit was
merged or renamed has no code there: it is *unmatched*, listed with the closest names, and
carries a provisional code ``<source>:<id>`` (never a GSO code, so no indicator joins to it by
mistake). GSO re-coded some merged units after 1 Jan 2020 (Hòa Bình: 13), so a few matched
polygons carry the code their unit got in 2020 rather than the one it had in 2019.

Downloads and parsed national tables are kept under ``<data_dir>/downloads/``: a second province
of the same source needs neither network nor parsing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from vietnamadminunits.database import query

from geo.errors import BoundaryError, FetchError, Problem
from geo.files import write_atomically
from geo.geography.crs import equal_area_crs
from geo.geography.download import (
    DEFAULT_TIMEOUT,
    Downloaded,
    Progress,
    ProgressCallback,
    download,
)
from geo.geography.matching import Match, MatchResult, match_names, name_key, unit_type
from geo.geography.rda import read_spatial_polygons
from geo.geography.sources import (
    MIRROR_ENV,
    BoundarySource,
    SourceFile,
    get_source,
    list_sources,
)
from geo.geography.validation import ValidationOptions, check_coverage, clean_geometries
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
    VINTAGE_2020_2025,
    WGS84,
)

__all__ = [
    "DEFAULT_DATA_DIR",
    "MATCH_COLUMNS",
    "FetchResult",
    "FetchedLayer",
    "Progress",
    "ProgressCallback",
    "convert_vietnam63",
    "fetch_boundaries",
    "fetched_layers",
    "provinces",
    "read_fetched",
    "resolve_province",
]

#: Where fetched layers are kept (gitignored).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "fetched"
#: Bump when the converted output changes: older layers are then rebuilt on the next fetch.
CONVERTER_VERSION = "1"

CODE_STATUS = "code_status"
MATCH_METHOD = "match_method"
MATCH_SCOPE = "match_scope"
MATCH_NOTE = "match_note"
#: Columns the converter adds after the schema columns and ``area_km2``.
MATCH_COLUMNS: tuple[str, ...] = (CODE_STATUS, MATCH_METHOD, MATCH_SCOPE, MATCH_NOTE)

#: Official centre farther than this from the polygon (degrees, ~200 m): worth a note.
_CENTRE_SLACK = 0.002


# --- provinces -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    """GSO province code → name (``"17"`` → ``"Tỉnh Hòa Bình"``), 2020–2025 list of 63.

    Examples
    --------
    >>> len(provinces()), provinces()["01"]
    (63, 'Thành phố Hà Nội')
    """
    rows = query("SELECT DISTINCT provinceCode, province FROM admin_units_legacy")
    return {
        str(r["provinceCode"]).zfill(2): str(r["province"])
        for r in sorted(rows, key=lambda r: str(r["provinceCode"]).zfill(2))
    }


_REGISTRY_SQL = """
SELECT wardCode, ward, wardType, districtCode, district, wardLat, wardLon
FROM admin_units_legacy
WHERE provinceCode = '{code}' AND wardCode IS NOT NULL
ORDER BY wardCode
"""


@lru_cache(maxsize=8)
def _registry(code: str) -> pd.DataFrame:
    """The 2020–2025 communes of one province: codes, names, district, official centre."""
    # Own query rather than geo.geography.admin_units.communes: island districts without communes
    # (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Côn Đảo…) have rows with empty commune fields.
    if not (code.isdigit() and len(code) == 2):  # the query takes no parameters
        raise ValueError(f"province code must be two digits, got {code!r}")
    raw = pd.DataFrame(query(_REGISTRY_SQL.format(code=code)))
    return pd.DataFrame(
        {
            COMMUNE_CODE: raw["wardCode"].astype(str).str.zfill(5),
            COMMUNE_NAME: raw["ward"].astype(str),
            COMMUNE_TYPE: raw["wardType"],
            DISTRICT_CODE: raw["districtCode"].astype(str).str.zfill(3),
            DISTRICT_NAME: raw["district"].astype(str),
            "lon": pd.to_numeric(raw["wardLon"]),
            "lat": pd.to_numeric(raw["wardLat"]),
        }
    )


#: Provinces renamed since the sources were made: former name → GSO code (the code is kept).
PROVINCE_RENAMES: dict[str, str] = {
    "Thừa Thiên Huế": "46",  # Thành phố Huế since 1 Jan 2025
}


@lru_cache(maxsize=1024)
def province_code_of(name: str) -> str | None:
    """GSO code of a province name (any spelling, with or without "Tỉnh"), or None.

    Examples
    --------
    >>> province_code_of("Bà Rịa - Vũng Tàu"), province_code_of("Thừa Thiên - Huế")
    ('77', '46')
    """
    result = match_names([name], provinces())  # ASCII too: "--province 'hoa binh'"
    if result.matched:
        return result.matched[0].candidate_id
    key = name_key(name)
    return next((c for old, c in PROVINCE_RENAMES.items() if name_key(old) == key), None)


def resolve_province(province: str | int) -> tuple[str, str]:
    """A province given by GSO code (``17``, ``"17"``) or name (``"Hòa Bình"``) → (code, name).

    Raises
    ------
    FetchError
        Unknown or ambiguous province; the message shows how to name one.

    Examples
    --------
    >>> resolve_province(17), resolve_province("hoa binh")[0]
    (('17', 'Tỉnh Hòa Bình'), '17')
    """
    known = provinces()
    text = str(province).strip()
    if text.isdigit():
        code = text.zfill(2)
        if code in known:
            return code, known[code]
    else:
        found = province_code_of(text)
        if found is not None:
            return found, known[found]
    examples = "17 (Hòa Bình), 01 (Hà Nội), 79 (Hồ Chí Minh)"
    raise FetchError(
        "province",
        f"unknown province '{province}'; give a two-digit GSO code such as {examples}, "
        "or a province name (python -m geo boundaries sources lists the sources)",
    )


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_boundaries` produced.

    Attributes
    ----------
    path, report_path : pathlib.Path
        The GeoParquet layer and its JSON sidecar.
    communes : geopandas.GeoDataFrame
        The layer.
    report : dict
        The sidecar's content (source, licence, attribution, vintage, match report…).
    downloaded : bool
        Whether the network (or mirror) was used; False when a verified copy was reused.
    """

    path: Path
    report_path: Path
    communes: gpd.GeoDataFrame
    report: dict[str, Any]
    downloaded: bool

    @property
    def counts(self) -> dict[str, int]:
        """``communes``, ``districts``, ``matched``, ``ambiguous``, ``unmatched``."""
        return dict(self.report["counts"])


@dataclass(frozen=True)
class FetchedLayer:
    """A fetched layer found on disk (for the app's geography choice)."""

    path: Path
    report_path: Path
    source: str
    source_name: str
    province_code: str
    province_name: str
    vintage: str
    attribution: str
    licence: str
    fetched_at: str
    communes: int


# --- the fetch -------------------------------------------------------------------------------


def _quiet(_progress: Progress) -> None:
    return None


def fetch_boundaries(
    source: str | BoundarySource = "vietnam63",
    province: str | int = "17",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    accept_licence: bool = False,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> FetchResult:
    """Download, verify, convert, match and cache the commune boundaries of one province.

    Parameters
    ----------
    source : str or BoundarySource
        Catalogue key (``"vietnam63"``) or a source object.
    province : str or int
        GSO province code (``"17"``) or name (``"Hòa Bình"``).
    data_dir : str or path-like, optional
        Where layers and downloads go; default :data:`DEFAULT_DATA_DIR`.
    mirror : str, optional
        Base URL or folder replacing the source's base URL (``<mirror>/communes.rda``);
        default: the environment variable ``GEO_BOUNDARY_MIRROR`` when set.
    timeout : float
        Seconds to wait for the server to connect or send data.
    accept_licence : bool
        Accept a restrictive licence (sources with ``requires_acknowledgement``).
    force : bool
        Download again even when a verified copy is present.
    progress : callable, optional
        Called with :class:`~geo.geography.download.Progress` reports (stage, message, done,
        total), e.g.
        to drive a progress bar.

    Returns
    -------
    FetchResult

    Raises
    ------
    FetchError
        Unknown source or province, licence not accepted, source not yet supported, download
        failures (no answer, truncated, wrong checksum), unreadable file. Nothing partial is
        left in ``data_dir``.

    Examples
    --------
    >>> import tempfile  # doctest: +SKIP
    >>> result = fetch_boundaries("vietnam63", "17", data_dir=tempfile.mkdtemp())  # doctest: +SKIP
    >>> result.counts["communes"], result.report["vintage"]  # doctest: +SKIP
    (210, '2019')
    """
    started = time.perf_counter()
    report = progress or _quiet
    src = _usable_source(source, accept_licence=accept_licence)
    code, province_name = resolve_province(province)
    folder = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    mirror = mirror or os.environ.get(MIRROR_ENV) or None

    spec = src.files["communes"]
    url = src.url("communes", mirror=mirror)
    got = download(
        url,
        folder / "downloads" / src.key / spec.path,
        sha256=spec.sha256,
        size=spec.size,
        timeout=timeout,
        label=f"{src.key} {spec.path}",
        progress=report,
        force=force,
    )
    national = _read_national(got, src, spec, url=url, report=report)
    report(Progress("match", f"matching the communes of {province_name} to GSO codes", 0, 1))
    layer, match_report = convert_vietnam63(national, code, source=src)
    report(Progress("match", f"{len(layer)} communes of {province_name}", 1, 1))
    if layer.empty:
        raise FetchError(src.key, f"the source has no commune of {province_name} ({code})")

    sidecar: dict[str, Any] = {
        "source": src.key,
        "source_name": src.name,
        "homepage": src.homepage,
        "pinned": src.pinned,
        "licence": src.licence,
        "licence_url": src.licence_url,
        "attribution": src.attribution,
        "vintage": src.vintage,
        "province_code": code,
        "province_name": province_name,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [{"path": spec.path, "url": url, "sha256": got.sha256, "size": got.size}],
        "converter_version": CONVERTER_VERSION,
        "code_list": f"vietnamadminunits {_registry_version()}, table admin_units_legacy "
        f"(GSO units {VINTAGE_2020_2025})",
        **match_report,
    }
    layer, path, report_path = _write_layer(layer, sidecar, folder, src.key, code, report=report)
    elapsed = time.perf_counter() - started
    counts = sidecar["counts"]
    report(
        Progress(
            "done",
            f"{counts['communes']} communes, {counts['matched']} with a GSO code, "
            f"{counts['unmatched'] + counts['ambiguous']} without ({elapsed:.1f} s)",
            1,
            1,
        )
    )
    return FetchResult(path, report_path, layer, sidecar, got.downloaded)


def _usable_source(source: str | BoundarySource, *, accept_licence: bool) -> BoundarySource:
    """The source object, or a :class:`FetchError` saying why it cannot be fetched."""
    src = get_source(source) if isinstance(source, str) else source
    if src.requires_acknowledgement and not accept_licence:
        raise FetchError(
            src.key,
            f"the licence of {src.name} restricts its use: {src.licence} ({src.licence_url}). "
            "Read it; if your use is allowed, run again with --accept-licence.",
        )
    if not src.supported:
        supported = ", ".join(s.key for s in list_sources() if s.supported)
        raise FetchError(
            src.key,
            f"{src.name} is listed but not yet supported. {src.notes} "
            f"Supported sources: {supported}.",
        )
    if src.format != "sp-rda":
        raise FetchError(src.key, f"no converter for the format '{src.format}'")
    return src


def _read_national(
    got: Downloaded,
    src: BoundarySource,
    spec: SourceFile,
    *,
    url: str,
    report: ProgressCallback,
) -> gpd.GeoDataFrame:
    """The national commune table of a verified download (a checksum-valid but unreadable file
    is a :class:`FetchError` that points at the catalogue)."""
    report(Progress("read", f"reading {spec.path} (all of Vietnam)", 0, 1))
    try:
        national = national_table(got.path, sha256=got.sha256, object_name=spec.object)
    except FetchError:
        raise
    except BoundaryError as exc:
        raise FetchError(
            f"{src.key} {spec.path}",
            f"the downloaded file passed its checksum but cannot be read: {exc.message}. "
            "Report it (the catalogue entry may be wrong).",
            where=url,
        ) from exc
    report(Progress("read", f"{len(national):,} communes read", 1, 1))
    return national


def _write_layer(
    layer: gpd.GeoDataFrame,
    sidecar: dict[str, Any],
    folder: Path,
    source: str,
    code: str,
    *,
    report: ProgressCallback,
) -> tuple[gpd.GeoDataFrame, Path, Path]:
    """Validate the layer, note its problems in ``sidecar`` and write both atomically.

    Returns the validated layer and the paths of the GeoParquet file and its JSON sidecar.
    """
    report(Progress("write", "checking geometries and writing the layer", 0, 1))
    layer, problems = _validate(layer, f"{source}_{code}")
    sidecar["problems"] = [
        {"severity": p.severity, "where": p.where, "message": p.message} for p in problems
    ]
    path, report_path = _layer_paths(folder, source, code)
    sidecar["layer_file"] = path.name
    write_atomically(path, layer.to_parquet)
    text = json.dumps(sidecar, ensure_ascii=False, indent=1, allow_nan=False)
    write_atomically(report_path, lambda p: p.write_text(text, encoding="utf-8"))
    return layer, path, report_path


def _layer_paths(folder: Path, source: str, code: str) -> tuple[Path, Path]:
    stem = f"{source}_{code}"
    return folder / f"{stem}.parquet", folder / f"{stem}.json"


def _registry_version() -> str:
    try:
        return version("vietnamadminunits")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        return "unknown"


# --- the national table ----------------------------------------------------------------------


def national_table(
    path: str | os.PathLike[str], *, sha256: str, object_name: str | None = None
) -> gpd.GeoDataFrame:
    """All communes of a ``.rda`` source, parsed once per file content.

    The parse (a few seconds for 11,163 communes) is cached in memory, keyed by the file's
    SHA-256, and as GeoParquet beside the download (``<file>.<sha256[:16]>.parquet``).
    """
    path = Path(path)
    key = (sha256, object_name)
    if key not in _NATIONAL:
        _NATIONAL.clear()  # one national table in memory is enough (about 40 MB)
        _NATIONAL[key] = _national(path, sha256, object_name)
    return _NATIONAL[key].copy()


_NATIONAL: dict[tuple[str, str | None], gpd.GeoDataFrame] = {}


def _national(path: Path, sha256: str, object_name: str | None) -> gpd.GeoDataFrame:
    cache = path.with_name(f"{path.name}.{sha256[:16]}.parquet")
    if cache.is_file():
        try:
            return gpd.read_parquet(cache)
        except Exception:  # a damaged cache is rebuilt, never fatal
            cache.unlink(missing_ok=True)
    frame = read_spatial_polygons(path, name=object_name)
    crs = frame.crs
    if crs is None or crs.is_geographic:
        # sp objects say "+proj=longlat +datum=WGS84": plain lon/lat, i.e. EPSG:4326
        frame = frame.set_crs(WGS84, allow_override=True)
    else:
        frame = frame.to_crs(WGS84)
    frame.attrs = {}
    with contextlib.suppress(OSError):  # read-only folder: work without the disk cache
        write_atomically(cache, frame.to_parquet)
    return frame


# --- conversion and matching -----------------------------------------------------------------


def _majority(values: pd.Series) -> str | None:
    values = values.dropna()
    return str(values.mode().iloc[0]) if not values.empty else None


def _text(value: object) -> str | None:
    """Text with single spaces, or None for missing values (NaN, NA, empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _id(value: object) -> str:
    """``3050125.0`` → ``"3050125"``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def convert_vietnam63(
    national: gpd.GeoDataFrame, province_code: str, *, source: BoundarySource | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The communes of one province from the vietnam63 national table, normalised and matched.

    Parameters
    ----------
    national : geopandas.GeoDataFrame
        The ``communes`` object of vietnam63 (columns ``province_id``, ``district_id``,
        ``commune_id``, ``province_vn``, ``district_vn``, ``commune_vn``…), EPSG:4326.
    province_code : str
        Two-digit GSO code.
    source : BoundarySource, optional
        The catalogue entry (vintage, provisional-code prefix); default: ``vietnam63``.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        The layer (schema columns, ``area_km2``, :data:`MATCH_COLUMNS`, the original columns,
        geometry) and the match report (``counts``, ``districts``, ``matched``, ``ambiguous``,
        ``unmatched``, ``codes_without_polygon``, ``notes``).
    """
    src = source or get_source("vietnam63")
    code = province_code
    province_name = provinces()[code]
    needed = {"province_id", "district_id", "commune_id", "province_vn", "district_vn"}
    missing = needed - set(national.columns)
    if missing:
        raise FetchError(src.key, f"the national table lacks the columns {sorted(missing)}")

    # Provinces by their own id: the name of each id is its most common spelling.
    names_by_id = national.groupby("province_id")["province_vn"].agg(_majority)
    ids = [pid for pid, name in names_by_id.items() if name and province_code_of(name) == code]
    rows = national[national["province_id"].isin(ids)].reset_index(drop=True)
    registry = _registry(code)

    # Districts: 2019 names against the 2020–2025 list of the province.
    district_names = rows.groupby("district_id")["district_vn"].agg(_majority)
    registry_districts = dict(
        registry[[DISTRICT_CODE, DISTRICT_NAME]].drop_duplicates().itertuples(index=False)
    )
    district_match = match_names(
        [n or "" for n in district_names],
        registry_districts,
        methods=("exact", "normalised", "name"),
        cutoff=0.0,
    )
    district_code: dict[object, str | None] = dict.fromkeys(district_names.index)
    for m in district_match.matched:
        district_code[district_names.index[m.index]] = m.candidate_id
    district_rows = _district_report(district_names, district_match, district_code)

    # Communes, district by district; then the communes of districts that no longer exist
    # (Kỳ Sơn, merged into TP Hòa Bình in 2020) against the whole province.
    commune_names = [_text(v) for v in rows.get("commune_vn", pd.Series([None] * len(rows)))]
    matches: dict[int, tuple[Match, str]] = {}
    problems: dict[int, tuple[str, tuple[Any, ...], str]] = {}
    taken: set[str] = set()
    for district_id, positions in rows.groupby("district_id").indices.items():
        dcode = district_code.get(district_id)
        if dcode is None:
            continue
        pool = registry[registry[DISTRICT_CODE] == dcode]
        candidates = dict(zip(pool[COMMUNE_CODE], pool[COMMUNE_NAME], strict=True))
        result = match_names([commune_names[p] for p in positions], candidates, cutoff=0.0)
        _collect(result, positions, "district", matches, problems, taken)
    orphans = np.array(
        [i for i in range(len(rows)) if district_code.get(rows["district_id"].iat[i]) is None],
        dtype=int,
    )
    if len(orphans):
        free = registry[~registry[COMMUNE_CODE].isin(taken)]
        candidates = dict(zip(free[COMMUNE_CODE], free[COMMUNE_NAME], strict=True))
        result = match_names(
            [commune_names[p] for p in orphans],
            candidates,
            methods=("exact", "normalised", "name", "spacing"),
            cutoff=0.0,
        )
        _collect(result, orphans, "province", matches, problems, taken)

    # Unmatched rows of matched districts: list the closest names of their district.
    registry_index = registry.set_index(COMMUNE_CODE)
    prefix = src.key
    out = pd.DataFrame(index=range(len(rows)))
    out[COMMUNE_CODE] = [
        matches[i][0].candidate_id if i in matches else f"{prefix}:{_id(rows['commune_id'].iat[i])}"
        for i in range(len(rows))
    ]
    out[COMMUNE_NAME] = commune_names
    out[COMMUNE_TYPE] = [unit_type(n) if n else None for n in commune_names]
    out[DISTRICT_CODE] = [district_code.get(d) or f"{prefix}:{_id(d)}" for d in rows["district_id"]]
    out[DISTRICT_NAME] = [_text(v) for v in rows["district_vn"]]
    out[PROVINCE_CODE] = code
    out[PROVINCE_NAME] = province_name
    out[VINTAGE] = src.vintage
    out[CODE_STATUS] = [
        "matched" if i in matches else problems.get(i, ("unmatched",))[0] for i in range(len(rows))
    ]
    out[MATCH_METHOD] = [matches[i][0].method if i in matches else None for i in range(len(rows))]
    out[MATCH_SCOPE] = [matches[i][1] if i in matches else None for i in range(len(rows))]

    geometries = rows.geometry.to_numpy()
    notes: list[str | None] = []
    for i in range(len(rows)):
        notes.append(_match_note(i, matches, registry_index, geometries[i]))
    out[MATCH_NOTE] = notes
    originals = rows.drop(columns=[rows.geometry.name])
    layer = gpd.GeoDataFrame(
        pd.concat([out, originals.reset_index(drop=True)], axis=1),
        geometry=list(geometries),
        crs=WGS84,
    )
    report = _match_report(layer, rows, matches, problems, registry, district_rows, src)
    return layer, report


def _collect(
    result: MatchResult,
    positions: np.ndarray,
    scope: str,
    matches: dict[int, tuple[Match, str]],
    problems: dict[int, tuple[str, tuple[Any, ...], str]],
    taken: set[str],
) -> None:
    for m in result.matched:
        matches[int(positions[m.index])] = (m, scope)
        taken.add(m.candidate_id)
    for a in result.ambiguous:
        problems[int(positions[a.index])] = ("ambiguous", a.candidates, a.reason)
    for u in result.unmatched:
        problems.setdefault(int(positions[u.index]), ("unmatched", u.closest, scope))


def _match_note(
    i: int,
    matches: dict[int, tuple[Match, str]],
    registry_index: pd.DataFrame,
    geometry: shapely.Geometry,
) -> str | None:
    if i not in matches:
        return None
    match, scope = matches[i]
    notes = []
    if match.type_differs:
        kind = registry_index.at[match.candidate_id, COMMUNE_TYPE]
        notes.append(f"unit type changed to {kind}")
    if match.method == "ascii":
        notes.append(f"matched without diacritics to {match.candidate_name}")
    if match.method == "spacing":
        notes.append(f"written {match.candidate_name} in 2020–2025")
    if scope == "province":
        district = registry_index.at[match.candidate_id, DISTRICT_NAME]
        notes.append(f"in {district} in 2020–2025")
    lon, lat = (
        registry_index.at[match.candidate_id, "lon"],
        registry_index.at[match.candidate_id, "lat"],
    )
    centre = shapely.Point(float(lon), float(lat))
    if geometry is not None and shapely.distance(geometry, centre) > _CENTRE_SLACK:
        notes.append(
            "the official centre of the 2020–2025 unit lies outside this polygon "
            "(unit merged or enlarged in 2020?)"
        )
    return "; ".join(notes) or None


def _district_report(
    names: pd.Series, result: MatchResult, codes: dict[object, str | None]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    closest = {u.index: u.closest for u in result.unmatched}
    methods = {m.index: m.method for m in result.matched}
    for i, (district_id, name) in enumerate(names.items()):
        rows.append(
            {
                "source_id": _id(district_id),
                "name": name,
                "code": codes.get(district_id),
                "method": methods.get(i),
                "closest": [
                    {"code": c.id, "name": c.name, "score": c.score} for c in closest.get(i, ())
                ],
            }
        )
    return rows


def _match_report(
    layer: gpd.GeoDataFrame,
    rows: gpd.GeoDataFrame,
    matches: dict[int, tuple[Match, str]],
    problems: dict[int, tuple[str, tuple[Any, ...], str]],
    registry: pd.DataFrame,
    districts: list[dict[str, Any]],
    src: BoundarySource,
) -> dict[str, Any]:
    def unit(i: int) -> dict[str, Any]:
        return {
            "source_id": _id(rows["commune_id"].iat[i]),
            "name": _text(layer[COMMUNE_NAME].iat[i]),
            "district": _text(layer[DISTRICT_NAME].iat[i]),
            "code": _text(layer[COMMUNE_CODE].iat[i]),
        }

    matched = [
        {**unit(i), "method": m.method, "scope": scope, "note": _text(layer[MATCH_NOTE].iat[i])}
        for i, (m, scope) in sorted(matches.items())
    ]
    ambiguous, unmatched = [], []
    for i, (status, candidates, reason) in sorted(problems.items()):
        if i in matches:
            continue
        listed = [{"code": c.id, "name": c.name, "score": c.score} for c in candidates]
        if status == "ambiguous":
            ambiguous.append({**unit(i), "reason": reason, "candidates": listed})
        else:
            unmatched.append({**unit(i), "closest": listed})
    used = {m.candidate_id for m, _ in matches.values()}
    without = registry[~registry[COMMUNE_CODE].isin(used)]
    codes_without = [
        {"code": c, "name": n, "district": d}
        for c, n, d in zip(
            without[COMMUNE_CODE], without[COMMUNE_NAME], without[DISTRICT_NAME], strict=True
        )
    ]
    return {
        "counts": {
            "communes": len(layer),
            "districts": int(layer[DISTRICT_CODE].nunique()),
            "matched": len(matched),
            "ambiguous": len(ambiguous),
            "unmatched": len(unmatched),
            "registry_units": len(registry),
            "codes_without_polygon": len(codes_without),
        },
        "districts": districts,
        "matched": matched,
        "ambiguous": ambiguous,
        "unmatched": unmatched,
        "codes_without_polygon": codes_without,
        "notes": [
            f"Codes are those of the GSO list {VINTAGE_2020_2025} (vietnamadminunits); the "
            f"polygons are of vintage {src.vintage}. A polygon gets a code when a unit of the "
            "same name (and district) still exists; merged or renamed units have none and carry "
            f"a provisional code '{src.key}:<id>'.",
            "GSO re-coded some merged units after 1 Jan 2020 (13 in Hòa Bình): a matched "
            "polygon may carry the code its unit got in 2020 rather than its 2019 code.",
        ],
    }


def _validate(layer: gpd.GeoDataFrame, label: str) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Repair invalid geometries, add ``area_km2``, check overlaps and gaps."""
    labels = [f"{c} {n}" for c, n in zip(layer[COMMUNE_CODE], layer[COMMUNE_NAME], strict=True)]
    cleaned = clean_geometries(layer.geometry.to_numpy(), labels, label)
    problems = list(cleaned.problems)
    layer = layer.loc[cleaned.keep].reset_index(drop=True)
    layer = layer.set_geometry(list(cleaned.geometries[cleaned.keep]), crs=WGS84)
    kept = [lab for lab, k in zip(labels, cleaned.keep, strict=True) if k]
    metric_crs = equal_area_crs(tuple(float(v) for v in layer.total_bounds))
    metric = layer.geometry.to_crs(metric_crs)
    layer[AREA_KM2] = metric.area.to_numpy() / 1e6
    problems += check_coverage(
        metric.values.to_numpy(), kept, label, crs=metric_crs, options=ValidationOptions()
    )
    first = [*COMMUNE_COLUMNS, AREA_KM2, *MATCH_COLUMNS]
    rest = [c for c in layer.columns if c not in first and c != GEOMETRY]
    layer = layer.rename_geometry(GEOMETRY) if layer.geometry.name != GEOMETRY else layer
    return layer[[*first, *rest, GEOMETRY]], problems


# --- fetched layers on disk ------------------------------------------------------------------


def fetched_layers(data_dir: str | os.PathLike[str] | None = None) -> list[FetchedLayer]:
    """Every fetched layer in ``data_dir`` whose layer file and sidecar are both there.

    Examples
    --------
    >>> import tempfile
    >>> fetched_layers(tempfile.mkdtemp())
    []
    """
    folder = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    if not folder.is_dir():
        return []
    found: list[FetchedLayer] = []
    for report_path in sorted(folder.glob("*.json")):
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
            path = folder / str(report["layer_file"])
            if not path.is_file() or not re.fullmatch(r"[\w.-]+\.parquet", path.name):
                continue
            found.append(
                FetchedLayer(
                    path=path,
                    report_path=report_path,
                    source=str(report["source"]),
                    source_name=str(report["source_name"]),
                    province_code=str(report["province_code"]),
                    province_name=str(report["province_name"]),
                    vintage=str(report["vintage"]),
                    attribution=str(report["attribution"]),
                    licence=str(report["licence"]),
                    fetched_at=str(report["fetched_at"]),
                    communes=int(report["counts"]["communes"]),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a sidecar of ours, or damaged: ignore it
    return found


def read_fetched(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """A fetched layer and its sidecar, from the path of either.

    Raises
    ------
    FetchError
        Missing or unreadable layer or sidecar.
    """
    path = Path(path)
    layer_path, report_path = path.with_suffix(".parquet"), path.with_suffix(".json")
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        communes = gpd.read_parquet(layer_path)
    except Exception as exc:  # OSError, JSON and parquet errors: all mean "fetch again"
        raise FetchError(
            path.name,
            f"cannot read the fetched layer ({exc}); fetch it again "
            "(python -m geo boundaries fetch SOURCE --province CODE)",
        ) from exc
    return communes, report
