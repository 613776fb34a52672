"""Column names shared by every commune layer and indicator table.

One name for one thing: code, CLI, exports and docs all use these.
"""

from __future__ import annotations

COMMUNE_CODE = "commune_code"
COMMUNE_NAME = "commune_name"
COMMUNE_TYPE = "commune_type"
DISTRICT_CODE = "district_code"
DISTRICT_NAME = "district_name"
PROVINCE_CODE = "province_code"
PROVINCE_NAME = "province_name"
VINTAGE = "vintage"
AREA_KM2 = "area_km2"
GEOMETRY = "geometry"

#: Columns of a normalised commune layer, in order (``area_km2`` is added on load).
COMMUNE_COLUMNS: tuple[str, ...] = (
    COMMUNE_CODE,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE,
)

#: Boundary vintage of units valid from 1 Jan 2020 to 30 Jun 2025 (Hòa Bình: 151 units).
VINTAGE_2020_2025 = "2020-2025"
#: Boundary vintage of units valid until 31 Dec 2019 (Hòa Bình: 210 units).
VINTAGE_2019 = "2019"

#: Web maps and GeoJSON speak WGS84 longitude/latitude.
WGS84 = "EPSG:4326"
#: Metric CRS for areas: UTM zone 48N covers all of northern Vietnam.
METRIC_CRS = "EPSG:32648"
