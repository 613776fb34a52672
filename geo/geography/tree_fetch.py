"""Fetch a source of one GeoJSON file per commune (format ``"geojson-tree"``), file by file.

A source such as ``vnpdb2025`` (the 2025 communes of ``thanglequoc/vietnamese-provinces-database``
at a pinned commit) is a folder tree, ``json/geojson/<NN_province>/wards/<code>_<name>.geojson``,
one Feature per file. The catalogue names a pinned list of its files (``git ls-tree -r -l``:
git blob id and size of each), shipped in ``geo/geography/data/``. :func:`fetch_tree`

1. selects the commune files of a province (or of all) from that list;
2. downloads them in parallel (at most :data:`DEFAULT_WORKERS` at a time) into
   ``<data_dir>/downloads/<source>/``; a file already there is kept when its size and git blob
   id (SHA-1 of ``b"blob <size>\\0"`` + content) are the pinned ones, so an interrupted fetch
   resumes where it stopped; a file that is not the pinned one is deleted and refused, naming
   it;
3. merges the Features into one layer of the atlas schema (vintage ``"2025"``: no districts,
   the district columns are empty), NFC names, codes checked against the 2025 list of
   ``vietnamadminunits``;
4. validates it (overlaps and gaps are reported with their size, never refused) and writes
   ``<data_dir>/<source>_<province>.parquet`` and its JSON sidecar, as
   :func:`geo.geography.fetch.fetch_boundaries` does, so
   :func:`~geo.geography.fetch.fetched_layers` lists it.

Nothing is written beside the downloads until every file is verified.

Examples
--------
>>> git_blob_id(b"")
'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
>>> files = pinned_files(get_source("vnpdb2025"))
>>> len(files), len(select_province(files, "25")[1])
(3321, 148)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from vietnamadminunits.database import query

from geo.errors import FetchError, Problem
from geo.files import write_atomically
from geo.geography.crs import equal_area_crs
from geo.geography.download import DEFAULT_TIMEOUT, Progress, ProgressCallback, download
from geo.geography.fetch import DEFAULT_DATA_DIR, FetchResult
from geo.geography.matching import match_names, unit_type
from geo.geography.sources import (
    MIRROR_ENV,
    TREE_FORMAT,
    BoundarySource,
    get_source,
    resolve_mirror,
)
from geo.geography.units_2025 import VINTAGE_2025, province_2025
from geo.geography.validation import ValidationOptions, check_codes, check_coverage
from geo.geography.validation import clean_geometries as clean
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

__all__ = [
    "ALL",
    "DEFAULT_WORKERS",
    "SOURCE_COLUMNS",
    "TreeDownload",
    "TreeFile",
    "download_tree",
    "fetch_tree",
    "git_blob_id",
    "merge_communes",
    "pinned_files",
    "read_file_list",
    "select_province",
]

#: At most this many downloads at a time (kind to the server, enough to fill a line).
DEFAULT_WORKERS = 8
#: ``--province all``.
ALL = "all"
#: Source properties kept after the schema columns: short name, English name, the source's own
#: area (km², as published) and the id of the feature on the reference map's server.
SOURCE_COLUMNS: tuple[str, ...] = ("source_name", "name_en", "source_area_km2", "gis_server_id")

_LINE = re.compile(r"(\d{6}) blob ([0-9a-f]{40})\s+(\d+)\t(\S+)")
_COMMUNE_PATH = re.compile(r"json/geojson/(\d{2})_([a-z0-9_]+)/wards/(\d{5})_[a-z0-9_]+\.geojson")


@dataclass(frozen=True)
class TreeFile:
    """One commune file of the pinned list.

    Attributes
    ----------
    path : str
        Path below the source's base URL.
    blob : str
        Git blob id (SHA-1 of ``b"blob <size>\\0"`` + content).
    size : int
        Size in bytes.
    province_code, province_slug, commune_code : str
        From the path: ``"25"``, ``"phu_tho"``, ``"04792"``.
    """

    path: str
    blob: str
    size: int
    province_code: str
    province_slug: str
    commune_code: str


@dataclass(frozen=True)
class TreeDownload:
    """Where the verified files are and how many came from the network (or mirror)."""

    folder: Path
    files: tuple[TreeFile, ...]
    downloaded: int
    reused: int
    bytes_downloaded: int


def git_blob_id(data: bytes) -> str:
    """Git's object id of a file's content: SHA-1 of ``b"blob <size>\\0"`` + content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def read_file_list(text: str) -> list[TreeFile]:
    """The commune files of a ``git ls-tree -r -l`` listing (other files are skipped).

    Examples
    --------
    >>> path = "json/geojson/25_phu_tho/wards/04792_tan_hoa.geojson"
    >>> read_file_list("100644 blob " + "a" * 40 + "  90659\\t" + path)[0].commune_code
    '04792'
    """
    files: list[TreeFile] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        found = _LINE.fullmatch(line.strip())
        if found is None:
            raise FetchError("file list", f"line {number} is not a git ls-tree -l line: {line!r}")
        path = found.group(4)
        commune = _COMMUNE_PATH.fullmatch(path)
        if commune is None:
            continue  # province outlines and the README: not communes
        files.append(
            TreeFile(
                path=path,
                blob=found.group(2),
                size=int(found.group(3)),
                province_code=commune.group(1),
                province_slug=commune.group(2),
                commune_code=commune.group(3),
            )
        )
    return files


#: Where copies of public sources are laid beside the repository (``../shared``), one folder
#: per source repository, in the source's own layout: a mirror that needs no network.
LOCAL_COPIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "sources"


@cache
def _read_pinned(path: Path, sha256: str) -> tuple[TreeFile, ...]:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FetchError(
            str(path),
            "the file list differs from the pinned one (SHA-256 of the catalogue); use an "
            "unchanged copy",
        )
    return tuple(read_file_list(data.decode("utf-8")))


def pinned_files(
    source: BoundarySource,
    *,
    mirror: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[TreeFile, ...]:
    """The commune files of a ``geojson-tree`` source, from its pinned, checked file list.

    The list is not part of the repository (it is the source's own ``git ls-tree`` at the
    pinned commit): it is read from a copy kept under ``data_dir`` or the local copy of the
    source under :data:`LOCAL_COPIES`, else downloaded from the mirror (folder or URL, where it
    sits beside ``json/``) and kept. Its SHA-256 must be the catalogue's.

    Raises
    ------
    FetchError
        No copy of the list is reachable (says where it looked), or a copy is not the pinned one.
    """
    if source.file_list is None or source.file_list_sha256 is None:
        raise FetchError(source.key, "the catalogue entry names no file_list")
    folder = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    kept = folder / "downloads" / source.key / source.file_list
    local = LOCAL_COPIES / source.homepage.rstrip("/").rsplit("/", 1)[-1] / source.file_list
    for path in (kept, local):
        if path.is_file():
            return _read_pinned(path, source.file_list_sha256)
    if mirror:
        url = f"{resolve_mirror(mirror).rstrip('/')}/{source.file_list}"
        download(url, kept, sha256=source.file_list_sha256, label=source.file_list)
        return _read_pinned(kept, source.file_list_sha256)
    raise FetchError(
        source.key,
        f"the pinned file list {source.file_list} is not at hand (looked in {kept.parent} and "
        f"{local.parent}): pass --mirror with a copy of the source that holds it",
    )


# --- provinces -------------------------------------------------------------------------------


@cache
def _provinces_2025() -> dict[str, str]:
    """2025 province code → name (34)."""
    rows = query("SELECT DISTINCT provinceCode, province FROM admin_units")
    return {str(r["provinceCode"]).zfill(2): str(r["province"]) for r in rows}


def select_province(
    files: Sequence[TreeFile], province: str | int
) -> tuple[tuple[str, ...], list[TreeFile]]:
    """The province codes and commune files for ``province``: a 2025 code, a name, or ``"all"``.

    Raises
    ------
    FetchError
        A province the list does not hold; a 2020–2025 province is told which 2025 province
        took it in.

    Examples
    --------
    >>> files = pinned_files(get_source("vnpdb2025"))
    >>> codes, chosen = select_province(files, "all")
    >>> len(codes), len(chosen)
    (34, 3321)
    >>> select_province(files, "Phú Thọ")[0]
    ('25',)
    """
    in_list = sorted({f.province_code for f in files})
    text = str(province).strip()
    if text.lower() == ALL:
        return tuple(in_list), list(files)
    code = text.zfill(2) if text.isdigit() else _province_by_name(text)
    if code not in in_list:
        hint = ""
        if code is not None and text.isdigit():
            try:
                successor = province_2025(code)
            except ValueError:
                successor = None
            if successor and successor != code:
                name = _provinces_2025().get(successor, successor)
                hint = f" {code} is a province of 2020–2025; since 1 July 2025 it is part of "
                hint += f"{successor} ({name})."
        raise FetchError(
            "province",
            f"unknown province '{province}' for this source.{hint} Give one of the 34 codes "
            f"of 2025 ({', '.join(in_list)}), a 2025 province name, or 'all'.",
        )
    return (code,), [f for f in files if f.province_code == code]


def _province_by_name(text: str) -> str | None:
    result = match_names([text], _provinces_2025())
    return result.matched[0].candidate_id if result.matched else None


# --- downloads -------------------------------------------------------------------------------


def _refusal(entry: TreeFile, data: bytes) -> str | None:
    """Why a file's content is not the pinned one, or None when it is."""
    if len(data) != entry.size:
        return f"{len(data):,} bytes, the pinned file has {entry.size:,} (truncated or changed)"
    blob = git_blob_id(data)
    if blob != entry.blob:
        return f"git blob id {blob}, the pinned file has {entry.blob} (altered)"
    return None


def _fetch_one(
    entry: TreeFile, url: str, target: Path, *, timeout: float, stop: threading.Event
) -> bool:
    """Make ``target`` the verified pinned file; True when it was downloaded, False if kept."""
    if target.is_file():
        if _refusal(entry, target.read_bytes()) is None:
            return False
        target.unlink()  # an unverified leftover (e.g. a crash between download and check)
    if stop.is_set():
        raise _StoppedError
    download(url, target, size=entry.size, timeout=timeout, label=entry.path)
    reason = _refusal(entry, target.read_bytes())
    if reason is not None:
        target.unlink(missing_ok=True)
        raise FetchError(
            entry.path,
            f"refused: {reason}. The mirror or server does not hold the pinned version; "
            "nothing was saved.",
            where=url,
        )
    return True


class _StoppedError(Exception):
    """Another download failed: the remaining ones are not started."""


def download_tree(
    source: BoundarySource,
    files: Sequence[TreeFile],
    folder: Path,
    *,
    mirror: str | None = None,
    workers: int = DEFAULT_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
    progress: ProgressCallback | None = None,
) -> TreeDownload:
    """Download and verify ``files`` into ``folder`` (same relative paths), in parallel.

    Files already in ``folder`` with the pinned size and git blob id are kept (resume).

    Raises
    ------
    FetchError
        The first file that cannot be downloaded or is not the pinned one (named); the files
        verified so far stay in ``folder`` for the next attempt.
    """
    report = progress or _quiet
    total_bytes = sum(f.size for f in files)
    lock = threading.Lock()
    stop = threading.Event()
    tally = {"files": 0, "bytes": 0, "downloaded": 0, "downloaded_bytes": 0}

    def one(entry: TreeFile) -> None:
        fetched = _fetch_one(
            entry,
            source.file_url(entry.path, mirror=mirror),
            folder / entry.path,
            timeout=timeout,
            stop=stop,
        )
        with lock:  # one report at a time: the progress bar is not thread-safe
            tally["files"] += 1
            tally["bytes"] += entry.size
            tally["downloaded"] += int(fetched)
            tally["downloaded_bytes"] += entry.size if fetched else 0
            message = f"{source.key}: {tally['files']} of {len(files)} files verified"
            report(Progress("download", message, tally["bytes"], total_bytes))

    report(Progress("download", f"{source.key}: {len(files)} files", 0, total_bytes))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(one, entry) for entry in files]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in done if f.exception() is not None]
        if failed:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            errors = [f.exception() for f in futures if f.done() and not f.cancelled()]
            first = next(e for e in errors if e is not None and not isinstance(e, _StoppedError))
            raise first
    return TreeDownload(
        folder=folder,
        files=tuple(files),
        downloaded=tally["downloaded"],
        reused=len(files) - tally["downloaded"],
        bytes_downloaded=tally["downloaded_bytes"],
    )


def _quiet(_progress: Progress) -> None:
    return None


# --- the layer -------------------------------------------------------------------------------


def _nfc(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def merge_communes(
    folder: Path, files: Sequence[TreeFile], *, source: BoundarySource
) -> gpd.GeoDataFrame:
    """One layer of the atlas schema from the verified commune files (sorted by code).

    Names are NFC; ``commune_type`` and the province name come from the 2025 list of
    ``vietnamadminunits`` when it holds the code, else from the name and the folder.
    ``district_code`` and ``district_name`` are empty: there are no districts from 2025.
    """
    registry = _registry_2025()
    names = _provinces_2025()
    rows: list[dict[str, Any]] = []
    geometries: list[shapely.Geometry] = []
    for entry in sorted(files, key=lambda f: f.commune_code):
        path = folder / entry.path
        try:
            data = json.loads(path.read_bytes())
            features = data["features"] if data.get("type") == "FeatureCollection" else [data]
            (feature,) = features
            props = feature.get("properties") or {}
            geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
        except (ValueError, KeyError, TypeError, shapely.errors.GEOSException) as exc:
            raise FetchError(
                entry.path,
                f"the file has the pinned git blob id but is not one GeoJSON Feature ({exc}); "
                "report it (the catalogue entry may be wrong)",
            ) from exc
        code = str(props.get("code") or entry.commune_code).zfill(5)
        full_name = _nfc(props.get("fullName") or props.get("name"))
        known = registry.get(code)
        rows.append(
            {
                COMMUNE_CODE: code,
                COMMUNE_NAME: full_name,
                COMMUNE_TYPE: known[1] if known else unit_type(full_name or ""),
                DISTRICT_CODE: None,
                DISTRICT_NAME: None,
                PROVINCE_CODE: entry.province_code,
                PROVINCE_NAME: names.get(entry.province_code, entry.province_slug),
                VINTAGE: source.vintage,
                "source_name": _nfc(props.get("name")),
                "name_en": _nfc(props.get("fullNameEn")),
                "source_area_km2": _number(props.get("areaKm2")),
                "gis_server_id": _nfc(props.get("gisServerId")),
            }
        )
        geometries.append(geometry)
    frame = pd.DataFrame(rows, columns=[*COMMUNE_COLUMNS, *SOURCE_COLUMNS])
    for column in (DISTRICT_CODE, DISTRICT_NAME):
        frame[column] = frame[column].astype(object)  # empty text columns, not floats
    return gpd.GeoDataFrame(frame, geometry=geometries, crs=WGS84)


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@cache
def _registry_2025() -> dict[str, tuple[str, str]]:
    """2025 commune code → (name, unit type)."""
    rows = query("SELECT wardCode, ward, wardType FROM admin_units")
    return {str(r["wardCode"]).zfill(5): (str(r["ward"]), str(r["wardType"])) for r in rows}


def _validate_layer(layer: gpd.GeoDataFrame, label: str) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Repair geometries, add ``area_km2``, report codes, overlaps and gaps (never refuse)."""
    labels = [f"{c} {n}" for c, n in zip(layer[COMMUNE_CODE], layer[COMMUNE_NAME], strict=True)]
    cleaned = clean(layer.geometry.to_numpy(), labels, label)
    problems = list(cleaned.problems)
    layer = layer.loc[cleaned.keep].reset_index(drop=True)
    layer = layer.set_geometry(list(cleaned.geometries[cleaned.keep]), crs=WGS84)
    kept = [lab for lab, k in zip(labels, cleaned.keep, strict=True) if k]
    problems += check_codes(layer[COMMUNE_CODE].tolist(), kept, label, max_listed=20)
    metric_crs = equal_area_crs(tuple(float(v) for v in layer.total_bounds))
    metric = layer.geometry.to_crs(metric_crs)
    layer[AREA_KM2] = metric.area.to_numpy() / 1e6
    problems += check_coverage(
        metric.values.to_numpy(), kept, label, crs=metric_crs, options=ValidationOptions()
    )
    layer = layer.rename_geometry(GEOMETRY) if layer.geometry.name != GEOMETRY else layer
    return layer[[*COMMUNE_COLUMNS, AREA_KM2, *SOURCE_COLUMNS, GEOMETRY]], problems


def _registry_report(layer: gpd.GeoDataFrame, province_codes: Sequence[str]) -> dict[str, Any]:
    """Codes of the layer against the 2025 list of the same provinces."""
    registry = _registry_2025()
    wanted = set(province_codes)
    rows = query("SELECT wardCode, provinceCode FROM admin_units")
    listed = {
        str(r["wardCode"]).zfill(5) for r in rows if str(r["provinceCode"]).zfill(2) in wanted
    }
    codes = set(layer[COMMUNE_CODE])
    return {
        "registry_units": len(listed),
        "matched": len(codes & listed),
        "not_in_registry": sorted(codes - set(registry)),
        "codes_without_polygon": [
            {"code": c, "name": registry[c][0]} for c in sorted(listed - codes)
        ],
    }


# --- the fetch -------------------------------------------------------------------------------


def fetch_tree(
    source: str | BoundarySource,
    province: str | int,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = DEFAULT_WORKERS,
    progress: ProgressCallback | None = None,
) -> FetchResult:
    """Download, verify, merge, validate and cache the 2025 communes of a province (or all).

    Parameters
    ----------
    source : str or BoundarySource
        A catalogue source of format ``"geojson-tree"`` (``"vnpdb2025"``).
    province : str or int
        2025 GSO province code (``"25"``), a 2025 province name, or ``"all"``.
    data_dir : str or path-like, optional
        Where layers and downloads go; default :data:`geo.geography.fetch.DEFAULT_DATA_DIR`.
    mirror : str, optional
        Base URL or folder of a copy of the repository (same layout); default: the environment
        variable ``GEO_BOUNDARY_MIRROR`` when set.
    timeout : float
        Seconds to wait for the server to connect or send data (per file).
    workers : int
        Downloads at a time.
    progress : callable, optional
        Called with :class:`~geo.geography.download.Progress` reports.

    Returns
    -------
    geo.geography.fetch.FetchResult
        ``downloaded`` is True when at least one file came from the network (or mirror).

    Raises
    ------
    FetchError
        Unknown source or province, a file not the pinned one (named; nothing is written to
        the layer folder), unreadable file.
    """
    started = time.perf_counter()
    report = progress or _quiet
    src = get_source(source) if isinstance(source, str) else source
    if src.format != TREE_FORMAT:
        raise FetchError(src.key, f"not a {TREE_FORMAT} source (format '{src.format}')")
    folder = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    mirror = mirror or os.environ.get(MIRROR_ENV) or None
    codes, chosen = select_province(pinned_files(src, mirror=mirror, data_dir=folder), province)
    whole = len(codes) > 1
    got = download_tree(
        src,
        chosen,
        folder / "downloads" / src.key,
        mirror=mirror,
        workers=workers,
        timeout=timeout,
        progress=report,
    )
    report(Progress("read", f"merging {len(chosen):,} communes", 0, 1))
    layer = merge_communes(got.folder, chosen, source=src)
    stem = f"{src.key}_{ALL if whole else codes[0]}"
    report(Progress("write", "checking geometries and writing the layer", 0, 1))
    layer, problems = _validate_layer(layer, stem)
    sidecar = _sidecar(src, codes, layer, problems, got, mirror=mirror)
    sidecar["layer_file"] = f"{stem}.parquet"
    path, report_path = folder / f"{stem}.parquet", folder / f"{stem}.json"
    write_atomically(path, layer.to_parquet)
    text = json.dumps(sidecar, ensure_ascii=False, indent=1, allow_nan=False)
    write_atomically(report_path, lambda p: p.write_text(text, encoding="utf-8"))
    elapsed = time.perf_counter() - started
    overlaps = sum(1 for p in problems if "overlaps" in p.message)
    report(
        Progress(
            "done",
            f"{len(layer)} communes, every file verified ({got.downloaded} downloaded, "
            f"{got.reused} kept), {overlaps} overlap findings ({elapsed:.1f} s)",
            1,
            1,
        )
    )
    return FetchResult(path, report_path, layer, sidecar, got.downloaded > 0)


def _sidecar(
    src: BoundarySource,
    codes: Sequence[str],
    layer: gpd.GeoDataFrame,
    problems: list[Problem],
    got: TreeDownload,
    *,
    mirror: str | None,
) -> dict[str, Any]:
    whole = len(codes) > 1
    registry = _registry_report(layer, codes)
    return {
        "source": src.key,
        "source_name": src.name,
        "homepage": src.homepage,
        "pinned": src.pinned,
        "licence": src.licence,
        "licence_url": src.licence_url,
        "attribution": src.attribution,
        "attribution_en": src.attribution_en,
        "vintage": src.vintage or VINTAGE_2025,
        "province_code": ALL if whole else codes[0],
        "province_name": f"{len(codes)} provinces" if whole else _provinces_2025()[codes[0]],
        "province_codes": list(codes),
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_url": src.file_url("", mirror=mirror),
        "file_list": src.file_list,
        "files": [{"path": f.path, "git_blob_id": f.blob, "size": f.size} for f in got.files],
        "verified": {"files": len(got.files), "downloaded": got.downloaded, "kept": got.reused},
        "counts": {
            "communes": len(layer),
            "districts": 0,
            "matched": registry["matched"],
            "ambiguous": 0,
            "unmatched": len(registry["not_in_registry"]),
            "registry_units": registry["registry_units"],
            "codes_without_polygon": len(registry["codes_without_polygon"]),
        },
        "not_in_registry": registry["not_in_registry"],
        "codes_without_polygon": registry["codes_without_polygon"],
        "ambiguous": [],
        "unmatched": [],
        "notes": [
            "Units from 1 July 2025: there are no districts; district_code and district_name "
            "are empty.",
            "Codes and names are the source's (GSO list of 2025); commune_type from "
            "vietnamadminunits (table admin_units).",
        ],
        "problems": [
            {"severity": p.severity, "where": p.where, "message": p.message} for p in problems
        ],
    }
