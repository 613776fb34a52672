"""Tests of geo.geography.admin_units: the registry's unit list for one, several or all
provinces."""

from __future__ import annotations

import pandas as pd
import pytest
from vietnamadminunits.database import query

from geo.geography.admin_units import (
    ALL_PROVINCES,
    all_province_codes,
    communes,
    location_evidence,
    province_codes_of,
)
from geo.schema import COMMUNE_COLUMNS

#: Island districts without commune-level units: the registry has one row each, ward fields
#: NULL (province code → district code).
ISLAND_DISTRICTS = {"31": "318", "45": "471", "48": "498", "51": "536", "77": "755"}
EXTENT = ["lon", "lat", "minx", "miny", "maxx", "maxy"]


def registry_wards(code: str) -> int:
    sql = f"SELECT COUNT(wardCode) AS n FROM admin_units_legacy WHERE provinceCode = '{code}'"
    return int(query(sql)[0]["n"])


def test_the_registry_still_has_the_island_rows():
    """Guard: the null rows this module filters out are still there in the registry."""
    sql = "SELECT provinceCode, districtCode FROM admin_units_legacy WHERE wardCode IS NULL"
    rows = {str(r["provinceCode"]).zfill(2): str(r["districtCode"]) for r in query(sql)}
    assert rows == ISLAND_DISTRICTS


@pytest.mark.parametrize("code", sorted(ISLAND_DISTRICTS))
def test_provinces_with_island_districts_work(code):
    table = communes(code)
    assert len(table) == registry_wards(code) > 0
    assert ISLAND_DISTRICTS[code] not in set(table["district_code"])
    assert table[[*COMMUNE_COLUMNS, *EXTENT]].notna().all().all()
    assert table["commune_code"].str.fullmatch(r"\d{5}").all()
    evidence = location_evidence(code)
    assert evidence["commune_code"].tolist() == table["commune_code"].tolist()


def test_all_province_codes():
    codes = all_province_codes()
    assert len(codes) == 63 == len(set(codes))
    assert list(codes) == sorted(codes)
    assert all(len(c) == 2 and c.isdigit() for c in codes)
    assert {"01", "17", "79", "96"} <= set(codes)


@pytest.mark.parametrize("given", [ALL_PROVINCES, "ALL", " all "])
def test_all_stands_for_every_province(given):
    assert province_codes_of(given) == all_province_codes()


def test_province_codes_are_normalised():
    assert province_codes_of("17") == ("17",)
    assert province_codes_of(["25", "17", "25"]) == ("17", "25")
    assert province_codes_of(c for c in ("25", "17")) == ("17", "25")


@pytest.mark.parametrize(
    ("given", "message"),
    [((), "no province"), ("7", "two digits"), (("17", "x1"), "two digits"), ("99", "99")],
)
def test_bad_province_codes_are_refused(given, message):
    with pytest.raises(ValueError, match=message):
        province_codes_of(given)
    with pytest.raises(ValueError, match=message):
        communes(given)


def test_every_commune_of_the_country():
    table = communes(ALL_PROVINCES)
    assert table["province_code"].nunique() == 63
    assert table["commune_code"].is_unique
    assert len(table) == registry_wards_total() == 10_035
    assert table[[*COMMUNE_COLUMNS, *EXTENT]].notna().all().all()
    assert table["commune_code"].is_monotonic_increasing
    pd.testing.assert_frame_equal(
        communes(("17", "31")).reset_index(drop=True),
        table[table["province_code"].isin(["17", "31"])].reset_index(drop=True),
    )
    evidence = location_evidence(ALL_PROVINCES)
    assert evidence["commune_code"].tolist() == table["commune_code"].tolist()


def registry_wards_total() -> int:
    return int(query("SELECT COUNT(wardCode) AS n FROM admin_units_legacy")[0]["n"])


def test_province_names_keep_their_unit_type():
    names = communes(("01", "17", "31")).groupby("province_code")["province_name"].first()
    assert names.to_dict() == {
        "01": "Thành phố Hà Nội",
        "17": "Tỉnh Hòa Bình",
        "31": "Thành phố Hải Phòng",
    }
