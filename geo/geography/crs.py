"""Coordinate reference systems of Vietnamese boundary files: VN-2000 and plausibility checks.

Provincial offices deliver cadastral and administrative layers in VN-2000, usually in a 3° zone
("TM-3", scale 0.9999, false easting 500 000 m) on a province-specific central meridian (Hòa Bình:
106°00'). Two things go wrong in practice and both are handled here:

* the ``.prj`` is missing, so the metres are read as degrees or not at all, and
* the ``.prj`` describes the projection but not the datum shift to WGS 84 (ESRI ``.prj`` files
  cannot carry ``TOWGS84``), which puts every feature about 220 m off.

The 7-parameter shift is the one of Decision 05/2007/QĐ-BTNMT, stored in the EPSG database as
"VN-2000 to WGS 84 (2)" (EPSG:6960); every CRS built here references the EPSG VN-2000 datum so
PROJ applies it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pyproj import CRS, Transformer
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.database import query_crs_info

from geo.errors import BoundaryError, Problem
from geo.schema import WGS84

__all__ = [
    "VIETNAM_BOUNDS",
    "VN2000_GEOGRAPHIC",
    "Vn2000Repair",
    "classify_coordinates",
    "crs_label",
    "equal_area_crs",
    "in_vietnam",
    "parse_crs",
    "repair_vn2000",
    "resolve_crs",
]

#: Geographic VN-2000 (EPSG:4756); PROJ knows its shift to WGS 84.
VN2000_GEOGRAPHIC = "EPSG:4756"
#: Bounding box of Vietnam incl. the Paracel and Spratly islands, with a margin (lon/lat).
VIETNAM_BOUNDS: tuple[float, float, float, float] = (101.0, 6.0, 118.0, 24.0)
#: VN-2000 projected coordinates in Vietnam (x: one TM zone plus overhang; y: 8°N – 24°N).
_VN2000_X = (100_000.0, 900_000.0)
_VN2000_Y = (700_000.0, 2_700_000.0)
#: Scale factor on the central meridian by zone width (TM-3: 0.9999, 6° zones: 0.9996).
_SCALE = {3: 0.9999, 6: 0.9996}

_DEGREES = {"lonlat_vietnam", "latlon_vietnam", "lonlat"}

Coordinates = Literal["lonlat_vietnam", "latlon_vietnam", "lonlat", "vn2000_metres", "other"]


@cache
def _vn2000_epsg_codes() -> dict[tuple[float, float], str]:
    """Map ``(central meridian, scale)`` to the EPSG code of each projected VN-2000 CRS."""
    codes: dict[tuple[float, float], str] = {}
    for info in query_crs_info(auth_name="EPSG", pj_types="PROJECTED_CRS"):
        if not info.name.startswith("VN-2000 /") or info.deprecated:
            continue
        params = _tm_parameters(CRS.from_epsg(int(info.code)))
        if params is not None:
            # Several names per zone exist (e.g. "zone 482" = "105-00"): keep the first code.
            codes.setdefault((params.lon_0, params.k), f"EPSG:{info.code}")
    return codes


def _meridian_label(central_meridian: float) -> str:
    """``105.75`` → ``"105-45"`` (the EPSG naming of VN-2000 TM-3 zones)."""
    degrees = math.floor(central_meridian)
    minutes = round((central_meridian - degrees) * 60)
    return f"{degrees}-{minutes:02d}"


def vn2000_tm3(central_meridian: float, *, zone_width: int = 3) -> CRS:
    """Return the VN-2000 Transverse Mercator CRS on a central meridian.

    Uses the EPSG code when the database has one (EPSG:9205–9218, 5896–5899 for 3° zones,
    EPSG:3405/3406 for 6° zones), else builds the same definition on the EPSG VN-2000 datum, so
    the datum shift to WGS 84 is always the official 7-parameter one.

    Parameters
    ----------
    central_meridian : float
        Central meridian in decimal degrees (105°45' → ``105.75``), between 102 and 117.
    zone_width : int, optional
        3 (TM-3, scale 0.9999, the cadastral standard) or 6 (UTM-like, scale 0.9996).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ValueError
        If the meridian is outside Vietnam or the zone width is not 3 or 6.

    Examples
    --------
    >>> vn2000_tm3(106).to_string()
    'EPSG:9211'
    >>> vn2000_tm3(104.25).name
    'VN-2000 / TM-3 104-15'
    """
    if zone_width not in _SCALE:
        raise ValueError(f"zone_width must be 3 or 6, not {zone_width!r}")
    if not 102.0 <= central_meridian <= 117.0:
        raise ValueError(f"central meridian {central_meridian}° is not in Vietnam (102–117°)")
    scale = _SCALE[zone_width]
    code = _vn2000_epsg_codes().get((round(central_meridian, 6), scale))
    if code is not None:
        return CRS.from_user_input(code)
    kind = "TM-3" if zone_width == 3 else "TM-6"
    conversion = TransverseMercatorConversion(
        latitude_natural_origin=0.0,
        longitude_natural_origin=central_meridian,
        false_easting=500_000.0,
        false_northing=0.0,
        scale_factor_natural_origin=scale,
    )
    return ProjectedCRS(
        conversion=conversion,
        name=f"VN-2000 / {kind} {_meridian_label(central_meridian)}",
        geodetic_crs=CRS.from_user_input(VN2000_GEOGRAPHIC),
    )


_VN2000_SHORT = re.compile(
    r"^\s*vn-?2000(?:[-_ ]?tm-?3)?\s*[:=]\s*(\d{3})(?:[.,](\d+)|[-° ]+(\d{1,2})'?)?\s*$",
    re.IGNORECASE,
)


def parse_crs(value: str | int | CRS) -> CRS:
    """Read a CRS given by a user: EPSG code, any pyproj input, or ``vn2000:<meridian>``.

    Parameters
    ----------
    value : str, int or pyproj.CRS
        ``"EPSG:9211"``, ``9211``, a WKT or PROJ string, or the short form for VN-2000 TM-3
        ``"vn2000:106"``, ``"vn2000:105.75"``, ``"vn2000:105-45"``, ``"vn2000:105°45'"``.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ValueError
        If the value is not a CRS.

    Examples
    --------
    >>> parse_crs("vn2000:105-45").to_string()
    'EPSG:9210'
    >>> parse_crs(4326).to_string()
    'EPSG:4326'
    """
    if isinstance(value, CRS):
        return value
    if isinstance(value, str):
        match = _VN2000_SHORT.match(value)
        if match:
            degrees, decimals, minutes = match.groups()
            meridian = float(f"{degrees}.{decimals}") if decimals else float(degrees)
            if minutes:
                meridian += int(minutes) / 60
            return vn2000_tm3(meridian)
        if value.strip().isdigit():
            value = int(value.strip())
    try:
        return CRS.from_user_input(value)
    except Exception as exc:  # pyproj raises CRSError, but bad types raise others
        raise ValueError(f"not a coordinate reference system: {value!r} ({exc})") from exc


def crs_label(crs: CRS) -> str:
    """Short label of a CRS: ``"EPSG:9211"`` when identified, else its name.

    Examples
    --------
    >>> crs_label(CRS.from_epsg(9211))
    'EPSG:9211'
    """
    authority = crs.to_authority(min_confidence=90)
    if authority is not None:
        return ":".join(authority)
    if crs.name and crs.name.lower() not in {"unknown", "unnamed", "custom"}:
        return crs.name
    params = _tm_parameters(crs)
    if params is not None:
        datum = crs.datum.name if crs.datum is not None else "?"
        return f"Transverse Mercator {params.lon_0:g}° k={params.k:g}, datum '{datum}'"
    return crs.name or "unknown"


def classify_coordinates(bounds: tuple[float, float, float, float]) -> Coordinates:
    """Say what kind of coordinates a layer's bounds look like.

    Parameters
    ----------
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` in the file's own units.

    Returns
    -------
    str
        ``"lonlat_vietnam"``, ``"latlon_vietnam"`` (axes swapped), ``"lonlat"`` (degrees, not in
        Vietnam), ``"vn2000_metres"`` (looks like a VN-2000 TM zone) or ``"other"``.

    Examples
    --------
    >>> classify_coordinates((105.2, 20.7, 105.5, 21.0))
    'lonlat_vietnam'
    >>> classify_coordinates((520_000, 2_290_000, 560_000, 2_330_000))
    'vn2000_metres'
    """
    minx, miny, maxx, maxy = bounds
    vminx, vminy, vmaxx, vmaxy = VIETNAM_BOUNDS
    if vminx <= minx and maxx <= vmaxx and vminy <= miny and maxy <= vmaxy:
        return "lonlat_vietnam"
    if vminy <= minx and maxx <= vmaxy and vminx <= miny and maxy <= vmaxx:
        return "latlon_vietnam"
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return "lonlat"
    x_lo, x_hi = _VN2000_X
    y_lo, y_hi = _VN2000_Y
    if x_lo <= minx and maxx <= x_hi and y_lo <= miny and maxy <= y_hi:
        return "vn2000_metres"
    return "other"


def in_vietnam(bounds: tuple[float, float, float, float]) -> bool:
    """Whether lon/lat bounds overlap Vietnam at all (a sanity check after reprojection)."""
    minx, miny, maxx, maxy = bounds
    vminx, vminy, vmaxx, vmaxy = VIETNAM_BOUNDS
    return minx <= vmaxx and maxx >= vminx and miny <= vmaxy and maxy >= vminy


@dataclass(frozen=True)
class _TMParameters:
    lon_0: float
    k: float


def _tm_parameters(crs: CRS) -> _TMParameters | None:
    """Central meridian and scale of a Transverse Mercator CRS in the VN-2000 style, else None.

    "VN-2000 style": WGS 84 ellipsoid, metres, latitude of origin 0, false easting 500 000,
    false northing 0, scale 0.9999 or 0.9996 and a central meridian inside Vietnam.
    """
    if crs.is_bound:
        crs = crs.source_crs
    if crs is None or not crs.is_projected or crs.coordinate_operation is None:
        return None
    operation = crs.coordinate_operation
    if operation.method_name != "Transverse Mercator":
        return None
    ellipsoid = crs.ellipsoid
    if ellipsoid is None or not math.isclose(ellipsoid.semi_major_metre, 6_378_137.0):
        return None
    if not math.isclose(ellipsoid.inverse_flattening, 298.257223563, rel_tol=1e-9):
        return None
    if crs.axis_info and crs.axis_info[0].unit_name not in {"metre", "meter"}:
        return None
    values = {param.name.lower(): param.value for param in operation.params}
    lon_0 = values.get("longitude of natural origin")
    k = values.get("scale factor at natural origin")
    if lon_0 is None or k is None:
        return None
    if values.get("latitude of natural origin", 0.0) != 0.0 or values.get("false northing", 0.0):
        return None
    if not math.isclose(values.get("false easting", 0.0), 500_000.0):
        return None
    if not 102.0 <= lon_0 <= 117.0 or not any(math.isclose(k, s) for s in _SCALE.values()):
        return None
    return _TMParameters(lon_0=round(lon_0, 6), k=round(k, 6))


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).lower())


def _has_datum_shift(crs: CRS, lon: float) -> bool:
    """Whether PROJ moves points between this CRS's datum and WGS 84 (not a null "ballpark")."""
    if crs.is_bound:
        return True  # TOWGS84 is a datum shift
    geodetic = crs.geodetic_crs
    if geodetic is None:
        return False
    # Compare numbers, not the operation's name: custom CRSs have no description until used.
    transformer = Transformer.from_crs(geodetic, WGS84, always_xy=True)
    x, y = transformer.transform(lon, 16.0)
    return abs(x - lon) + abs(y - 16.0) > 1e-6  # ~0.1 m; the VN-2000 shift is ~0.002°


@dataclass(frozen=True)
class Vn2000Repair:
    """Outcome of :func:`repair_vn2000`: the CRS to use and, if changed, why."""

    crs: CRS
    note: str = ""


def repair_vn2000(crs: CRS) -> Vn2000Repair:
    """Give a VN-2000-like projected CRS its datum shift when the file lost it.

    A Transverse Mercator on the WGS 84 ellipsoid with VN-2000 zone parameters but no datum shift
    (typical of ESRI ``.prj`` files and of custom QGIS definitions saved to shapefile) is replaced
    by the matching :func:`vn2000_tm3` CRS, with a note to report. A CRS that declares the WGS 84
    datum itself is kept, with a note, because a VN-2000 file labelled WGS 84 is ~220 m off.

    Examples
    --------
    >>> bare = CRS.from_proj4("+proj=tmerc +lon_0=106 +k=0.9999 +x_0=500000 +ellps=WGS84")
    >>> repair_vn2000(bare).crs.to_string()
    'EPSG:9211'
    """
    params = _tm_parameters(crs)
    if params is None:
        return Vn2000Repair(crs)
    datum = _key(crs.datum.name if crs.datum is not None else "")
    zone_width = 3 if math.isclose(params.k, _SCALE[3]) else 6
    replacement = vn2000_tm3(params.lon_0, zone_width=zone_width)
    if datum.startswith(("worldgeodeticsystem1984", "wgs84", "dwgs1984", "wgs1984")):
        if zone_width == 6:
            return Vn2000Repair(crs)  # plain WGS 84 / UTM: common and legitimate
        return Vn2000Repair(
            crs,
            note=(
                f"the CRS is a Transverse Mercator with VN-2000 zone parameters (central meridian "
                f"{params.lon_0:g}°, scale {params.k:g}) but declares the WGS 84 datum; if the "
                f"coordinates are really VN-2000 they are about 220 m off: pass "
                f'crs="{crs_label(replacement)}" (CLI --crs {crs_label(replacement)})'
            ),
        )
    if _has_datum_shift(crs, params.lon_0):
        return Vn2000Repair(crs)
    return Vn2000Repair(
        replacement,
        note=(
            f"the CRS ({crs_label(crs)}) has VN-2000 zone parameters but no datum shift to "
            "WGS 84 (features would be about 220 m off); "
            f"read as {crs_label(replacement)} ({replacement.name}) with the official 7-parameter "
            f"shift. Pass crs= to override."
        ),
    )


def equal_area_crs(bounds: tuple[float, float, float, float]) -> CRS:
    """Lambert azimuthal equal-area CRS centred on lon/lat bounds, for areas in m².

    Why not UTM 48N: it is conformal, so areas are off by -0.08 % on 105°E and up to +0.5 % at
    the eastern coast (109.5°E, outside zone 48). An equal-area projection is exact for areas
    anywhere; centring it on the layer keeps shapes (sliver widths) nearly true as well.

    Examples
    --------
    >>> equal_area_crs((105.0, 20.3, 105.9, 21.2)).coordinate_operation.method_name
    'Lambert Azimuthal Equal Area'
    """
    minx, miny, maxx, maxy = bounds
    # Rounded centre: the same layer always gets the same CRS (stable cache, stable numbers).
    lon_0 = round((minx + maxx) / 2, 2)
    lat_0 = round((miny + maxy) / 2, 2)
    return CRS.from_proj4(f"+proj=laea +lat_0={lat_0} +lon_0={lon_0} +datum=WGS84 +units=m")


def _vn2000_hint() -> str:
    """The sentence telling a user how to pass a VN-2000 CRS (used in error messages)."""
    return (
        'pass the CRS: crs="EPSG:9211" (CLI --crs EPSG:9211) for VN-2000 / TM-3 106-00, the zone '
        'of Hòa Bình; other provinces use another central meridian, e.g. crs="vn2000:105-45" '
        '(EPSG:9210) or crs="vn2000:104-30"'
    )


def resolve_crs(
    file_crs: CRS | None,
    given: CRS | None,
    bounds: tuple[float, float, float, float],
    *,
    source: str,
) -> tuple[CRS, list[Problem]]:
    """Decide which CRS a layer's coordinates are really in.

    The caller's CRS wins (with a warning when it contradicts the file's). Without either, lon/lat
    inside Vietnam is taken as WGS 84 (with a warning); anything else is an error that says what
    to pass, in particular for VN-2000 metres without a ``.prj``. A file "in EPSG:4326" whose
    coordinates are metres (GDAL reports every GeoJSON as EPSG:4326) is treated as having no CRS.
    VN-2000 definitions without datum shift are repaired (:func:`repair_vn2000`).

    Parameters
    ----------
    file_crs : pyproj.CRS or None
        CRS declared by the file.
    given : pyproj.CRS or None
        CRS passed by the caller.
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` of the coordinates in the file.
    source : str
        File name for messages.

    Returns
    -------
    tuple of (pyproj.CRS, list of Problem)

    Raises
    ------
    BoundaryError
        When no CRS can be trusted.

    Examples
    --------
    >>> crs, notes = resolve_crs(None, None, (105.3, 20.8, 105.4, 20.9), source="x.shp")
    >>> crs.to_string(), notes[0].severity
    ('EPSG:4326', 'warning')
    """
    kind = classify_coordinates(bounds)
    shown = ", ".join(f"{v:.6g}" for v in bounds)
    problems: list[Problem] = []
    if given is not None:
        # A geographic CRS on metre coordinates is plainly wrong (GeoJSON default): no warning.
        wrong_anyway = file_crs is not None and file_crs.is_geographic and kind not in _DEGREES
        if (
            file_crs is not None
            and not wrong_anyway
            and not file_crs.equals(given, ignore_axis_order=True)
        ):
            message = f"crs={crs_label(given)} overrides the file's CRS {crs_label(file_crs)}"
            problems.append(Problem(source, "", message, "warning"))
        chosen = given
    elif file_crs is None or (file_crs.is_geographic and kind in {"vn2000_metres", "other"}):
        if file_crs is None:
            declared = "has no CRS (a shapefile without .prj?)"
        else:  # GDAL reads every GeoJSON without a "crs" member as EPSG:4326
            declared = f"declares {crs_label(file_crs)}"
        if kind == "lonlat_vietnam" and file_crs is None:
            message = (
                "no CRS in the file; coordinates are lon/lat in Vietnam, so WGS 84 (EPSG:4326) "
                "was assumed"
            )
            problems.append(Problem(source, "", message, "warning"))
            return CRS.from_user_input(WGS84), problems
        if kind == "vn2000_metres":
            raise BoundaryError(
                source,
                f"the file {declared} but its coordinates "
                f"({shown}) look like VN-2000 TM-3 metres; {_vn2000_hint()}",
            )
        raise BoundaryError(
            source,
            f"the file {declared} and its coordinates ({shown}) are not lon/lat in Vietnam; "
            'pass the CRS with crs= (CLI --crs), e.g. crs="EPSG:4326" or crs="EPSG:9211"',
        )
    else:
        chosen = file_crs
    if kind == "latlon_vietnam" and chosen.is_geographic:
        raise BoundaryError(
            source,
            f"coordinates ({shown}) look like latitude, longitude in that order; swap the axes "
            "(x must be longitude)",
        )
    if chosen.is_projected and kind in {"lonlat_vietnam", "lonlat"}:
        raise BoundaryError(
            source,
            f"the CRS {crs_label(chosen)} is in metres but the coordinates ({shown}) look like "
            'degrees; pass crs="EPSG:4326"',
        )
    repair = repair_vn2000(chosen)
    if repair.note:
        problems.append(Problem(source, "", repair.note, "warning"))
    return repair.crs, problems
