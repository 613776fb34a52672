"""Exports of the 2025 view (geo.output.export, geo.output.printing): converted figures keep
their provenance, the notes state the vintage and how the figures were converted, and the groups
are the former districts, never "Huyện".

The 2025 view is the shipped first view: the former Hòa Bình (46 communes) with the 2019 demo
figures converted from the 2020–2025 units.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pyogrio
import pytest

from geo.analysis.conversion import PROVENANCE_COLUMNS
from geo.analysis.metrics import commune_metrics
from geo.analysis.vintages import tables_for
from geo.figures.indicators import load_demo
from geo.geography.geographies import default_geography_2025, grouped_communes
from geo.output import export
from geo.view import MapView

CREATED = dt.date(2025, 11, 29)
VINTAGE_VI = "Đơn vị hành chính từ 1/7/2025 (tỉnh, xã; không còn cấp huyện)"
#: Vầy Nưa (04891) was split: part of it went into Phường Thống Nhất (04828).
THONG_NHAT = "04828"


@pytest.fixture(scope="module")
def view_2025():
    geography = default_geography_2025()
    keyed = tables_for(geography, load_demo(), lang="vi")
    metrics = commune_metrics(grouped_communes(geography), keyed.tables, period=2019)
    return geography, keyed, metrics


def _rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_xlsx_of_2025_has_provenance_former_district_and_vintage_notes(view_2025, tmp_path):
    geography, keyed, metrics = view_2025
    view = MapView(layer="models_density", period=2019, demo=True)
    out = tmp_path / "models.xlsx"
    export.layer_xlsx(geography, metrics, view, vintage_tables=keyed, created=CREATED, out=out)
    book = openpyxl.load_workbook(out)
    rows = _rows(book["Số liệu"])
    header = list(rows[0])
    assert "Khu vực huyện cũ" in header and "Mã khu vực huyện cũ" in header
    assert "Huyện" not in header and "Mã huyện" not in header
    for label in ("Xã cũ", "Mã xã cũ", "Quy tắc quy đổi", "Cách quy đổi", "Giá trị suy ra"):
        assert label in header
    row = next(r for r in rows if r["Mã xã (GSO)"] == THONG_NHAT)
    assert row["Xã cũ"].split(";") == [
        "Phường Thái Bình",
        "Phường Dân Chủ",
        "Phường Thống Nhất",
        "Xã Vầy Nưa",
    ]
    assert row["Quy tắc quy đổi"] == "phân theo tỷ lệ diện tích"  # Vầy Nưa was split
    assert row["Giá trị suy ra"] == "không"
    assert row["Khu vực huyện cũ"] == "Thành phố Hòa Bình"
    # The figures the provenance explains add up to the published total of the province.
    assert sum(r[export.column_label("models_total")] for r in rows) == 4648
    notes = dict(book["Chú thích"].iter_rows(min_row=2, values_only=True))
    assert notes["Giai đoạn ranh giới"] == VINTAGE_VI
    assert notes["Quy đổi số liệu"].startswith("Số liệu thuộc đơn vị hành chính 2020-2025")
    assert "tỷ lệ diện tích" in notes["Quy đổi số liệu"]
    assert notes["Loại ranh giới"].startswith("thật, kèm theo ứng dụng")


def test_xlsx_in_english_names_the_former_district_and_translates_the_rule(view_2025):
    geography, keyed, metrics = view_2025
    view = MapView(layer="ntm", period=2019, lang="en", demo=True)
    data = export.layer_xlsx(geography, metrics, view, vintage_tables=keyed, created=CREATED)
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = _rows(book["Figures"])
    assert "Former district" in rows[0] and "District" not in rows[0]
    rules = {r["Conversion rule"] for r in rows}
    assert "derived: lowest level of the former communes" in rules
    notes = dict(book["Notes"].iter_rows(min_row=2, values_only=True))
    assert notes["Boundary vintage"].startswith("Units from 1 Jul 2025")


def test_geojson_of_2025_keeps_provenance_columns_and_states_the_vintage(view_2025):
    geography, keyed, metrics = view_2025
    view = MapView(layer="ntm", period=2019, demo=True)
    document = json.loads(
        export.layer_geojson(geography, metrics, view, vintage_tables=keyed, created=CREATED)
    )
    properties = document["features"][0]["properties"]
    assert set(PROVENANCE_COLUMNS) <= set(properties)
    assert "composition" in properties  # a derived level shows its make-up
    assert "former_district_name" in properties and "district_name" not in properties
    atlas = document["atlas"]
    assert atlas["vintage"] == "2025" and atlas["vintage_label"] == VINTAGE_VI
    assert atlas["group_level"] == "former_district"
    notes = dict(atlas["notes"])
    assert notes["Giai đoạn ranh giới"] == VINTAGE_VI and "Quy đổi số liệu" in notes


def test_gpkg_of_2025_has_former_district_outlines_and_notes(view_2025, tmp_path):
    geography, keyed, metrics = view_2025
    out = tmp_path / "land.gpkg"
    view = MapView(layer="land", period=2019, demo=True, district_code="148")
    export.layer_gpkg(geography, metrics, view, vintage_tables=keyed, out=out)
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"land_2019", "groups", "notes"}
    groups = pyogrio.read_dataframe(out, layer="groups")
    assert groups["former_district_name"].tolist() == ["Thành phố Hòa Bình"]
    fields = pyogrio.read_info(out, layer="land_2019")["fields"]
    assert {"from_names", "conversion_rule", "former_district_code"} <= set(fields)
    notes = pyogrio.read_dataframe(out, layer="notes")
    texts = dict(zip(notes["item"], notes["text"], strict=True))
    assert texts["Khu vực huyện cũ (trước 1/7/2025)"] == "Thành phố Hòa Bình (148)"
    assert texts["Giai đoạn ranh giới"] == VINTAGE_VI


def test_district_workbook_of_2025_groups_by_former_district(view_2025):
    geography, keyed, metrics = view_2025
    view = MapView(layer="ntm", period=2019, demo=True)
    data = export.districts_xlsx(geography, metrics, view, vintage_tables=keyed)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Theo khu vực huyện cũ", "Chú thích"]
    rows = _rows(book["Theo khu vực huyện cũ"])
    assert "Khu vực huyện cũ" in rows[0] and "Huyện" not in rows[0]
    assert rows[-1]["Khu vực huyện cũ"] == "Toàn khu vực"
    assert len(rows) == 11  # ten former districts, then the whole area


def test_print_notes_state_the_vintage_and_the_conversion(view_2025):
    geography, keyed, _ = view_2025
    view = MapView(layer="ntm", period=2019, demo=True)
    lines = export.note_lines(geography, view, vintage_tables=keyed, created=CREATED)
    assert any(VINTAGE_VI in line and "46 đơn vị cấp xã" in line for line in lines)
    assert any(line.startswith("Số liệu thuộc đơn vị hành chính 2020-2025") for line in lines)
    assert not any("từ tệp" in line for line in lines)  # shipped, not a user's file
    assert any(line.startswith("Ranh giới: thật, kèm theo ứng dụng") for line in lines)


def test_an_export_without_converted_figures_has_no_provenance_columns(view_2025):
    geography, _, metrics = view_2025
    view = MapView(layer="ntm", period=2019)
    properties = json.loads(export.layer_geojson(geography, metrics, view))["features"][0][
        "properties"
    ]
    assert "from_names" not in properties


def test_xlsx_of_2026_names_the_10_criteria_set_and_has_no_conversion(view_2025):
    """2026 is on the 2025 units (nothing converted) and measured against 51/2025/QĐ-TTg."""
    geography, keyed, _ = view_2025
    metrics = commune_metrics(grouped_communes(geography), keyed.tables, period=2026)
    view = MapView(layer="ntm", period=2026, demo=True)
    data = export.layer_xlsx(geography, metrics, view, vintage_tables=keyed, created=CREATED)
    book = openpyxl.load_workbook(io.BytesIO(data))
    notes = dict(book["Chú thích"].iter_rows(min_row=2, values_only=True))
    assert notes["Bộ tiêu chí NTM"] == "bộ tiêu chí 2026–2030 (51/2025/QĐ-TTg, 10 tiêu chí)"
    assert "Quy đổi số liệu" not in notes
    header = list(_rows(book["Số liệu"])[0])
    assert "Quy tắc quy đổi" not in header


def test_xlsx_of_2019_names_the_set_of_2019(view_2025):
    geography, keyed, metrics = view_2025
    view = MapView(layer="ntm", period=2019, lang="en", demo=True)
    data = export.layer_xlsx(geography, metrics, view, vintage_tables=keyed, created=CREATED)
    notes = dict(openpyxl.load_workbook(io.BytesIO(data))["Notes"].iter_rows(values_only=True))
    assert notes["NTM criteria set"] == "2016–2020 criteria set (1980/QĐ-TTg, 19 criteria)"
    assert "Conversion of the figures" in notes  # 2019 was converted from 2020–2025 units


def test_criteria_set_text_of_two_sets_names_each_period():
    text = export.criteria_set_text([2024, 2026], "en")
    assert text == (
        "2024: 2021–2025 criteria set (318/QĐ-TTg, 19 criteria); "
        "2026: 2026–2030 criteria set (51/2025/QĐ-TTg, 10 criteria)"
    )
    assert export.criteria_set_text([2021, 2025], "en").startswith("2021–2025 criteria set")
    assert export.criteria_set_text([1999]) == ""
