"""The official list of administrative units, from the registry package ``vietnamadminunits``.

``vietnamadminunits`` (MIT, PyPI) ships the GSO list of units valid from 1 Jan 2020 to 30 Jun 2025
(table ``admin_units_legacy``: 63 provinces, about 10,040 communes) with each unit's code, names,
centroid and bounding box. That is all the atlas needs to know the communes of a province without
any download.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache

import pandas as pd
from vietnamadminunits.database import query

from geo.schema import (
    COMMUNE_CODE,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE,
    VINTAGE_2020_2025,
)

__all__ = [
    "ALL_PROVINCES",
    "HOA_BINH",
    "all_province_codes",
    "communes",
    "location_evidence",
    "province_codes_of",
    "province_name_keys",
]

#: GSO code of Hòa Bình, the province of the embedded default.
HOA_BINH = "17"
#: Stands for every province wherever province codes are asked for (``province_codes="all"``).
ALL_PROVINCES = "all"

#: Province codes as the functions of the atlas take them: one two-digit GSO code, several, or
#: :data:`ALL_PROVINCES`.
ProvinceCodes = str | Iterable[str]

# The registry keeps one row per island district without commune-level units (Bạch Long Vĩ,
# Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) with every ward field NULL: they are no commune.
_SQL = """
SELECT provinceCode, province, districtCode, district, wardCode, ward, wardType,
       wardLat, wardLon, wardBounds
FROM admin_units_legacy
WHERE provinceCode IN ({placeholders}) AND wardCode IS NOT NULL
ORDER BY wardCode
"""


@cache
def all_province_codes() -> tuple[str, ...]:
    """The two-digit GSO codes of the 63 provinces of the registry (2020 – June 2025), sorted.

    Examples
    --------
    >>> codes = all_province_codes()
    >>> len(codes), codes[:3], codes[-1]
    (63, ('01', '02', '04'), '96')
    """
    rows = query("SELECT DISTINCT provinceCode FROM admin_units_legacy")
    return tuple(sorted(str(row["provinceCode"]).zfill(2) for row in rows))


def province_codes_of(province_codes: ProvinceCodes) -> tuple[str, ...]:
    """Normalise province codes: sorted, without repeats, each checked against the registry.

    Parameters
    ----------
    province_codes : str or iterable of str
        One two-digit GSO code (``"17"``), several (``("25", "17")``), or ``"all"``
        (:data:`ALL_PROVINCES`, case-insensitive) for the 63 provinces.

    Returns
    -------
    tuple of str

    Raises
    ------
    ValueError
        No code, a code that is not two digits, or one the registry does not know.

    Examples
    --------
    >>> province_codes_of("17"), province_codes_of(["25", "17", "25"])
    (('17',), ('17', '25'))
    >>> len(province_codes_of("all"))
    63
    """
    if isinstance(province_codes, str):
        if province_codes.strip().lower() == ALL_PROVINCES:
            return all_province_codes()
        province_codes = (province_codes,)
    codes = tuple(sorted(set(province_codes)))
    if not codes:
        raise ValueError("no province code given")
    for code in codes:
        if not (isinstance(code, str) and code.isdigit() and len(code) == 2):
            raise ValueError(f"province code must be two digits, got {code!r}")
    unknown = [code for code in codes if code not in all_province_codes()]
    if unknown:
        raise ValueError(f"no province with code(s) {', '.join(unknown)} in the registry")
    return codes


def _parse_bounds(text: str) -> tuple[float, float, float, float]:
    """Parse ``"lat1,lon1 – lat2,lon2"`` into ``(minx, miny, maxx, maxy)``."""
    first, second = (part.strip() for part in text.replace("–", "|").split("|"))
    lat1, lon1 = (float(v) for v in first.split(","))
    lat2, lon2 = (float(v) for v in second.split(","))
    return min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2)


@cache
def _communes_cached(province_codes: tuple[str, ...]) -> pd.DataFrame:
    sql = _SQL.format(placeholders=",".join(f"'{c}'" for c in province_codes))
    raw = pd.DataFrame(query(sql))
    if raw.empty:
        raise ValueError(f"no units for province code(s) {', '.join(province_codes)}")
    bounds = raw["wardBounds"].map(_parse_bounds)
    return pd.DataFrame(
        {
            COMMUNE_CODE: raw["wardCode"].str.zfill(5),
            COMMUNE_NAME: raw["ward"],
            COMMUNE_TYPE: raw["wardType"],
            DISTRICT_CODE: raw["districtCode"].str.zfill(3),
            DISTRICT_NAME: raw["district"],
            PROVINCE_CODE: raw["provinceCode"].str.zfill(2),
            PROVINCE_NAME: raw["province"].map(_province_name),
            VINTAGE: VINTAGE_2020_2025,
            "lon": raw["wardLon"].astype(float),
            "lat": raw["wardLat"].astype(float),
            "minx": [b[0] for b in bounds],
            "miny": [b[1] for b in bounds],
            "maxx": [b[2] for b in bounds],
            "maxy": [b[3] for b in bounds],
        }
    )


def _province_name(name: str) -> str:
    """The province's name with its unit type: ``"Hòa Bình"`` → ``"Tỉnh Hòa Bình"``; the six
    centrally run cities keep theirs (``"Thành phố Hà Nội"``)."""
    return name if name.startswith(("Tỉnh ", "Thành phố ")) else f"Tỉnh {name}"


def communes(province_codes: ProvinceCodes = HOA_BINH) -> pd.DataFrame:
    """Communes of one or more provinces, vintage 2020 – June 2025.

    Island districts without commune-level units (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn,
    Côn Đảo) have no row.

    Parameters
    ----------
    province_codes : str or iterable of str
        Two-digit GSO province code(s), or ``"all"`` for the 63 provinces (see
        :func:`province_codes_of`).

    Returns
    -------
    pandas.DataFrame
        One row per commune: the normalised identity columns (``commune_code`` … ``vintage``),
        the official centroid (``lon``, ``lat``) and extent (``minx``, ``miny``, ``maxx``, ``maxy``)
        in degrees.

    Examples
    --------
    >>> table = communes("17")
    >>> len(table), table["district_code"].nunique()
    (151, 10)
    >>> len(communes("all")), communes("01")["province_name"].iloc[0]
    (10035, 'Thành phố Hà Nội')
    """
    return _communes_cached(province_codes_of(province_codes)).copy()


_LOCATION_SQL = """
SELECT wardCode, wardGeoAddress, districtLat, districtLon, districtBounds,
       provinceKeywords, districtKeywords
FROM admin_units_legacy
WHERE provinceCode IN ({placeholders}) AND wardCode IS NOT NULL
ORDER BY wardCode
"""


@cache
def _location_evidence_cached(province_codes: tuple[str, ...]) -> pd.DataFrame:
    sql = _LOCATION_SQL.format(placeholders=",".join(f"'{c}'" for c in province_codes))
    raw = pd.DataFrame(
        query(sql),
        columns=[
            "wardCode",
            "wardGeoAddress",
            "districtLat",
            "districtLon",
            "districtBounds",
            "provinceKeywords",
            "districtKeywords",
        ],
    )
    bounds = [
        _parse_bounds(text) if isinstance(text, str) else (float("nan"),) * 4
        for text in raw["districtBounds"]
    ]
    return pd.DataFrame(
        {
            COMMUNE_CODE: raw["wardCode"].str.zfill(5),
            "geo_address": raw["wardGeoAddress"].fillna(""),
            "district_lon": raw["districtLon"].astype(float),
            "district_lat": raw["districtLat"].astype(float),
            "district_minx": [b[0] for b in bounds],
            "district_miny": [b[1] for b in bounds],
            "district_maxx": [b[2] for b in bounds],
            "district_maxy": [b[3] for b in bounds],
            "province_keys": [_keys(text) for text in raw["provinceKeywords"]],
            "district_keys": [_keys(text) for text in raw["districtKeywords"]],
        }
    )


def _keys(text: str | None) -> str:
    """The registry's keyword list (a JSON array) as one ``|``-separated string."""
    return "|".join(json.loads(text)) if isinstance(text, str) and text else ""


def location_evidence(province_codes: ProvinceCodes = HOA_BINH) -> pd.DataFrame:
    """What the registry knows about how each commune's centre was located.

    ``vietnamadminunits`` geocoded every unit; its table also keeps the geocoder's address and
    the district's own centre and extent, which tell a reliable commune location from a
    fallback (see :func:`geo.geography.schematic.location_notes`).

    Parameters
    ----------
    province_codes : str or iterable of str
        Two-digit GSO province code(s), or ``"all"`` (see :func:`province_codes_of`).

    Returns
    -------
    pandas.DataFrame
        One row per commune (sorted by ``commune_code``): ``geo_address`` (the geocoder's
        address), ``district_lon``/``district_lat`` (the district's centre) and
        ``district_minx`` … ``district_maxy`` (its extent) in degrees, and ``province_keys``,
        ``district_keys``: the registry's ASCII name keys of the unit's province and district,
        ``|``-separated.

    Examples
    --------
    >>> evidence = location_evidence("17")
    >>> evidence.set_index("commune_code").loc["05254", "geo_address"]
    'Thành Sơn, Quan Hóa, Thanh Hóa, Vietnam'
    """
    return _location_evidence_cached(province_codes_of(province_codes)).copy()


@cache
def province_name_keys() -> dict[str, str]:
    """ASCII name keys of every province (``"thanhhoa"``, ``"hanoi"``…) → province code.

    Examples
    --------
    >>> province_name_keys()["thanhhoa"], province_name_keys()["hcm"]
    ('38', '79')
    """
    rows = query("SELECT DISTINCT provinceCode, provinceKeywords FROM admin_units_legacy")
    out: dict[str, str] = {}
    for row in rows:
        for key in _keys(row["provinceKeywords"]).split("|"):
            if key:
                out.setdefault(key, str(row["provinceCode"]).zfill(2))
    return out
