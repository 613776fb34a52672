"""The catalogue of public boundary sources that ``python -m geo boundaries fetch`` knows.

The catalogue is data, in ``geo/data/boundary_sources.toml``: for each source its name, a URL
pinned to a commit or a version, the SHA-256 and size of every file, licence, attribution and
boundary vintage. This module reads and checks it, and builds download URLs (with a mirror when
an office keeps its own copy).

Examples
--------
>>> source = get_source("vietnam63")
>>> source.vintage, source.licence, source.files["communes"].size
('2019', 'MIT', 3888438)
>>> source.url("communes", mirror="http://127.0.0.1:8000/v63/")
'http://127.0.0.1:8000/v63/communes.rda'
"""

from __future__ import annotations

import os
import re
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from geo.errors import FetchError

__all__ = [
    "CATALOGUE_PATH",
    "MIRROR_ENV",
    "TREE_FORMAT",
    "BoundarySource",
    "SourceFile",
    "get_source",
    "list_sources",
    "resolve_mirror",
]

#: Where the catalogue lives (shipped with the package).
CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "boundary_sources.toml"
#: Environment variable with a mirror base URL (or folder) that replaces a source's base URL.
MIRROR_ENV = "GEO_BOUNDARY_MIRROR"

#: Format of a source of one GeoJSON file per commune, listed in a pinned ``file_list``
#: (fetched by :mod:`geo.geography.tree_fetch`).
TREE_FORMAT = "geojson-tree"

SourceStatus = Literal["supported", "not_yet_supported"]
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SourceFile:
    """One file of a source.

    Attributes
    ----------
    role : str
        What the file holds for the atlas (``"communes"``, ``"districts"``).
    path : str
        Path below the source's base URL, e.g. ``"communes.rda"``.
    sha256 : str or None
        Expected SHA-256 (lower-case hex); None while the source is not yet supported.
    size : int or None
        Expected size in bytes.
    object : str or None
        Object (R data) or layer (vector file) inside the file.
    features : int or None
        Number of features the file holds, as documented.
    """

    role: str
    path: str
    sha256: str | None = None
    size: int | None = None
    object: str | None = None
    features: int | None = None


@dataclass(frozen=True)
class BoundarySource:
    """A public source of commune boundaries.

    Attributes
    ----------
    key : str
        Short name used on the command line, e.g. ``"vietnam63"``.
    name : str
        Display name.
    status : {"supported", "not_yet_supported"}
        Whether ``fetch`` can download and convert it.
    format : str
        File format (``"sp-rda"``: R ``SpatialPolygonsDataFrame`` in an ``.rda`` file).
    homepage, base_url, pinned : str
        Project page; base URL of the pinned files; what the URL is pinned to.
    licence, licence_url, attribution : str
        Licence in short, where it is stated, and the text the map must show.
    vintage : str
        Boundary vintage of the polygons, e.g. ``"2019"``.
    requires_acknowledgement : bool
        The licence restricts use (GADM): fetching needs an explicit acceptance.
    notes : str
        Caveats worth knowing (provenance, resolution, dates).
    files : dict of str to SourceFile
        Files by role.
    attribution_en : str
        The attribution in English when ``attribution`` is in another language ("" if not).
    file_list : str or None
        A source of many files (format ``"geojson-tree"``): the pinned list of its files with
        their git blob ids and sizes, a file in ``geo/geography/data/``.
    file_list_sha256 : str or None
        SHA-256 of that list: an edited list is refused.
    """

    key: str
    name: str
    status: SourceStatus
    format: str
    homepage: str
    base_url: str
    pinned: str
    licence: str
    licence_url: str
    attribution: str
    vintage: str
    requires_acknowledgement: bool = False
    notes: str = ""
    files: dict[str, SourceFile] = field(default_factory=dict)
    attribution_en: str = ""
    file_list: str | None = None
    file_list_sha256: str | None = None

    @property
    def supported(self) -> bool:
        """Whether ``fetch`` can use the source."""
        return self.status == "supported"

    def url(self, role: str, *, mirror: str | None = None) -> str:
        """Download URL of the file ``role``; a mirror replaces the base URL.

        Parameters
        ----------
        role : str
            File role, e.g. ``"communes"``.
        mirror : str, optional
            Base URL (``http(s)://``, ``file://``) or local folder of a copy of the files.
        """
        return self.file_url(self.files[role].path, mirror=mirror)

    def file_url(self, path: str, *, mirror: str | None = None) -> str:
        """Download URL of any file below the base URL (a mirror replaces the base URL).

        Examples
        --------
        >>> get_source("vietnam63").file_url("a b.rda", mirror="/srv/v63")
        'file:///srv/v63/a%20b.rda'
        """
        base = resolve_mirror(mirror) if mirror else self.base_url
        return f"{base.rstrip('/')}/{urllib.parse.quote(path)}"


def resolve_mirror(mirror: str) -> str:
    """A mirror as a base URL: a local folder becomes a ``file://`` URL.

    Examples
    --------
    >>> resolve_mirror("http://127.0.0.1:8000/x/")
    'http://127.0.0.1:8000/x/'
    >>> resolve_mirror("/srv/copies/vietnam63")
    'file:///srv/copies/vietnam63'
    """
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", mirror):
        return mirror
    return Path(mirror).expanduser().resolve().as_uri()


def _problem(key: str, message: str) -> FetchError:
    return FetchError(CATALOGUE_PATH.name, message, where=key)


def _parse_source(key: str, entry: dict[str, object]) -> BoundarySource:
    required = [
        "name",
        "status",
        "format",
        "homepage",
        "base_url",
        "pinned",
        "licence",
        "licence_url",
        "attribution",
        "vintage",
    ]
    missing = [name for name in required if not entry.get(name)]
    if missing:
        raise _problem(key, f"missing {', '.join(missing)}")
    status = str(entry["status"])
    if status not in ("supported", "not_yet_supported"):
        raise _problem(key, f"status '{status}' is neither supported nor not_yet_supported")
    raw_files = entry.get("files") or {}
    file_list = str(entry["file_list"]) if entry.get("file_list") else None
    list_sha = str(entry["file_list_sha256"]) if entry.get("file_list_sha256") else None
    if file_list is not None and not (list_sha and _SHA256.fullmatch(list_sha)):
        raise _problem(key, "file_list needs file_list_sha256 (64 lower-case hex digits)")
    if not isinstance(raw_files, dict) or (
        status == "supported" and not raw_files and file_list is None
    ):
        raise _problem(key, "a supported source needs its files (or a file_list)")
    files: dict[str, SourceFile] = {}
    for role, spec in raw_files.items():
        if not isinstance(spec, dict) or not spec.get("path"):
            raise _problem(key, f"file '{role}' has no path")
        sha = spec.get("sha256")
        if sha is not None and not _SHA256.fullmatch(str(sha)):
            raise _problem(key, f"file '{role}': sha256 must be 64 lower-case hex digits")
        if status == "supported" and (sha is None or spec.get("size") is None):
            # A supported source is downloaded only against a known checksum.
            raise _problem(key, f"file '{role}' of a supported source needs sha256 and size")
        files[str(role)] = SourceFile(
            role=str(role),
            path=str(spec["path"]),
            sha256=str(sha) if sha else None,
            size=int(spec["size"]) if spec.get("size") is not None else None,
            object=str(spec["object"]) if spec.get("object") else None,
            features=int(spec["features"]) if spec.get("features") is not None else None,
        )
    return BoundarySource(
        key=key,
        name=str(entry["name"]),
        status=status,  # type: ignore[arg-type]
        format=str(entry["format"]),
        homepage=str(entry["homepage"]),
        base_url=str(entry["base_url"]),
        pinned=str(entry["pinned"]),
        licence=str(entry["licence"]),
        licence_url=str(entry["licence_url"]),
        attribution=str(entry["attribution"]),
        vintage=str(entry["vintage"]),
        requires_acknowledgement=bool(entry.get("requires_acknowledgement", False)),
        notes=" ".join(str(entry.get("notes", "")).split()),
        files=files,
        attribution_en=str(entry.get("attribution_en", "")),
        file_list=file_list,
        file_list_sha256=list_sha,
    )


@cache
def _catalogue(path: Path) -> dict[str, BoundarySource]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FetchError(path.name, f"cannot read the source catalogue: {exc}") from exc
    entries = data.get("sources", {})
    return {key: _parse_source(key, entry) for key, entry in entries.items()}


def list_sources(path: str | os.PathLike[str] | None = None) -> list[BoundarySource]:
    """Every source of the catalogue, supported or not, in catalogue order."""
    return list(_catalogue(Path(path) if path else CATALOGUE_PATH).values())


def get_source(key: str, path: str | os.PathLike[str] | None = None) -> BoundarySource:
    """The source ``key``.

    Raises
    ------
    FetchError
        Unknown key; the message lists the known ones.
    """
    sources = _catalogue(Path(path) if path else CATALOGUE_PATH)
    if key not in sources:
        known = ", ".join(sources)
        raise FetchError(
            key,
            f"unknown boundary source; known sources: {known} (python -m geo boundaries sources)",
        )
    return sources[key]
