"""Print-ready maps, the province brief and data exports (geo.output.printing, geo.output.brief,
geo.output.export).

Most tests use the 3×3 synthetic grid of ``conftest.py`` (fast); a few use the real default
geography (the scale bar must be right on Hòa Bình, ~100 km across).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from PIL import Image
from pypdf import PdfReader

from geo.analysis.metrics import commune_metrics
from geo.cli.commands import main
from geo.collation import vietnamese_key
from geo.figures.indicators import load_demo
from geo.figures.published import SOURCE
from geo.geography.boundaries import area_km2
from geo.geography.geographies import Geography, default_geography
from geo.geography.schematic import districts_from_communes
from geo.output import brief, export, printing
from geo.view import MapView
from geo.web.maps import classify_layer

CREATED = dt.date(2025, 11, 29)
SCHEMATIC_NOTE = "Ranh giới sơ đồ, không chính thức"


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def geography(commune_grid):
    communes = commune_grid.copy()
    communes["commune_type"] = [
        "Thị trấn" if n.startswith("Thị trấn") else n.split(" ")[0]
        for n in communes["commune_name"]
    ]
    # Names arrive decomposed (e + combining marks), as some files have them: prints must
    # still show the precomposed letters.
    communes["district_name"] = communes["district_name"].map(_nfd)
    communes["vintage"] = "2020-2025"
    communes["area_km2"] = area_km2(communes)
    return Geography(
        communes=communes,
        districts=districts_from_communes(communes),
        kind="schematic",
        vintage="2020-2025",
        source="synthetic grid",
        attribution="Test grid (public domain)",
    )


@pytest.fixture
def metrics(geography):
    communes = geography.communes
    codes = communes["commune_code"].tolist()
    rural = communes.loc[communes["commune_type"] == "Xã", "commune_code"].tolist()
    models = pd.DataFrame(
        {
            "commune_code": codes,
            "period": 2019,
            "models_economy": [0, 1, 2, 3, 5, 8, 13, 21, 34],
            "models_culture_society": 1,
            "models_defence_security": 1,
            "models_political_system": 0,
            "models_replicated": 1,
            "population": 5000,
        }
    )
    ntm = pd.DataFrame(
        {
            "commune_code": rural,
            "period": 2019,
            "ntm_level": ["not_yet", "not_yet", "ntm", "ntm", "advanced", "not_yet"],
            "ntm_year": [None, None, 2018, 2017, 2016, None],
            "criteria_met": [12, 9, 19, 19, 19, 15],
        }
    )
    land = pd.DataFrame(
        {
            "commune_code": rural,
            "period": 2019,
            "land_done_ha": [0.0, 10.0, 40.0, 50.0, 5.0, 0.0],
            "land_planned_ha": [100.0, 100.0, 50.0, 50.0, 100.0, 20.0],
            "land_status": [
                *("not_started", "in_progress", "in_progress"),
                *("done", "in_progress", "not_started"),
            ],
        }
    )
    tables = {"models": models, "ntm": ntm, "land": land}
    return commune_metrics(communes, tables, period=2019)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name → has an embedded TrueType program, for every font of every page."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor.get_object()
    return fonts


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


# --- static map ---------------------------------------------------------------------------------


def test_map_pdf_is_one_a4_page_with_embedded_dejavu_and_intact_vietnamese(geography, metrics):
    view = MapView(layer="ntm", period=2019, demo=True)
    pdf = printing.map_pdf(geography, metrics, view, labels=True, created=CREATED)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)

    fonts = _embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    assert all("DejaVuSans" in name for name in fonts), fonts

    text = unicodedata.normalize("NFC", _text(pdf))
    assert "Nông thôn mới – Tỉnh Hòa Bình" in text
    assert "Kỳ số liệu: 2019" in text
    assert "DỮ LIỆU MINH HỌA / DEMO DATA" in text
    assert SCHEMATIC_NOTE in text
    assert "Test grid (public domain)" in text
    assert "Lập ngày 29/11/2025" in text
    # District names came decomposed; the print holds the precomposed letters.
    assert "THỬ 1" in _text(pdf) and "HUYỆN" not in _text(pdf)
    assert "Tòng Đậu" in text and "Đồng Tân" in text  # commune labels (--labels)
    # The legend is the interactive map's: same labels, same counts.
    for entry in classify_layer(metrics, "ntm", lang="vi").legend:
        assert f"{entry.label} ({entry.count} xã)" in " ".join(text.split())


def test_legend_and_classes_are_those_of_classify_layer(geography, metrics):
    for layer in ("models_density", "ntm", "land"):
        view = MapView(layer=layer, period=2019, scheme="quantiles", k=3, lang="en")
        printed = printing.map_figure(geography, metrics, view)
        expected = classify_layer(metrics, layer, scheme="quantiles", k=3, lang="en")
        assert printed.classification.legend == expected.legend
        assert printed.classification.colors.tolist() == expected.colors.tolist()


def test_map_png_a4_portrait_is_2480_by_3508_at_300_dpi(geography, metrics):
    png = printing.map_png(geography, metrics, MapView(layer="land", period=2019), created=CREATED)
    image = Image.open(io.BytesIO(png))
    assert image.size == (2480, 3508)
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_map_png_a3_landscape_size_follows_paper_and_dpi(geography, metrics, tmp_path):
    out = tmp_path / "map.png"
    png = printing.map_png(
        geography,
        metrics,
        MapView(layer="models_density", period=2019),
        paper="a3",
        orientation="landscape",
        dpi=60,
        out=out,
    )
    assert out.read_bytes() == png
    assert Image.open(out).size == (round(420 / 25.4 * 60), round(297 / 25.4 * 60))


def test_map_pdf_a3_landscape_page_size(geography, metrics):
    view = MapView(layer="land", period=2019)
    pdf = printing.map_pdf(geography, metrics, view, paper="a3", orientation="landscape")
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) == pytest.approx(1190.55, abs=0.5)
    assert float(box.height) == pytest.approx(841.89, abs=0.5)


def test_district_view_keeps_province_classes_and_says_so(geography, metrics):
    view = MapView(layer="models_density", period=2019, district_code="149", lang="en")
    pdf = printing.map_pdf(geography, metrics, view)
    text = _text(pdf)
    assert "Legend counts are for the whole province." in text
    for entry in classify_layer(metrics, "models_density", lang="en").legend:
        assert entry.label in text


def test_rendered_pdf_shows_legend_swatches_in_their_colours(geography, metrics):
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 renders PDF pages")
    view = MapView(layer="land", period=2019, demo=True)
    pdf = printing.map_pdf(geography, metrics, view, created=CREATED)
    with printing._print_settings():  # the same settings the PDF was made with
        boxes = printing.map_figure(geography, metrics, view, created=CREATED).swatch_boxes()
    image = pdfium.PdfDocument(pdf)[0].render(scale=100 / 72).to_pil().convert("RGB")
    width, height = image.size
    assert len(boxes) == len(classify_layer(metrics, "land").legend)
    for color, (x0, y0, x1, y1) in boxes:
        centre = (int((x0 + x1) / 2 * width), int((1 - (y0 + y1) / 2) * height))
        pixel = image.getpixel(centre)
        assert max(abs(a - b) for a, b in zip(pixel, _rgb(color), strict=True)) <= 6, color


def test_rendered_pdf_matches_the_png_export(geography, metrics):
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 renders PDF pages")
    view = MapView(layer="ntm", period=2019, demo=True)
    dpi = 50
    png = printing.map_png(geography, metrics, view, dpi=dpi, created=CREATED)
    png = Image.open(io.BytesIO(png))
    pdf = printing.map_pdf(geography, metrics, view, created=CREATED)
    page = pdfium.PdfDocument(pdf)[0].render(scale=dpi / 72).to_pil()
    a = np.asarray(png.convert("L"), dtype=float)
    b = np.asarray(page.convert("L").resize(png.size), dtype=float)
    # The same drawing, through two rasterisers: they differ on the edges of letters, so the
    # bound grows with the text (5.6 before the NTM legend named its criteria set, 6.1 since).
    assert np.abs(a - b).mean() < 6.5


def test_scale_bar_is_true_on_the_real_province():
    geography = default_geography()
    metrics = commune_metrics(geography.communes, load_demo(), period=2019)
    printed = printing.map_figure(geography, metrics, MapView(layer="ntm", period=2019, demo=True))
    assert printed.crs.axis_info[0].unit_name == "metre"
    # Hòa Bình is about 100 km across.
    minx, _, maxx, _ = geography.communes.to_crs(printed.crs).total_bounds
    assert 90_000 < maxx - minx < 125_000
    assert printed.scale_bar_m == 20_000
    # Equal metres in x and y: the bar is right in every direction.
    ax = printed.map_axes
    printed.sheet.figure.draw_without_rendering()
    box = ax.get_window_extent()
    x_per_px = (ax.get_xlim()[1] - ax.get_xlim()[0]) / box.width
    y_per_px = (ax.get_ylim()[1] - ax.get_ylim()[0]) / box.height
    assert x_per_px == pytest.approx(y_per_px, rel=0.005)
    # The scale printed on the sheet agrees with the axes: 1:N = ground width / paper width.
    paper_m = box.width / printed.sheet.figure.dpi * 0.0254
    ground_m = ax.get_xlim()[1] - ax.get_xlim()[0]
    assert printed.scale_denominator == pytest.approx(ground_m / paper_m, rel=0.01)
    assert 450_000 < printed.scale_denominator < 750_000


def test_nice_scale_bar_lengths():
    assert [printing._nice_length(x) for x in (27_500, 7_400, 1_600, 480)] == [
        20_000,
        5_000,
        1_000,
        200,
    ]


@pytest.mark.parametrize(("box_mm", "s"), [((59.0, 47.0), 0.62), ((190.0, 170.0), 1.0)])
def test_north_letter_sits_inside_the_map_frame_with_a_margin(geography, metrics, box_mm, s):
    """The brief's small maps (s = 0.62) and a full A4 map: the "B" clears the frame."""
    sheet = printing.MapSheet(210, 297, dpi=100)
    ax = sheet.axes(10, 20, *box_mm)
    data = printing._map_data(geography, metrics, MapView(layer="ntm", period=2019))
    printing._draw_map(ax, data, box_mm=box_mm, s=s, lang="vi")
    sheet.figure.draw_without_rendering()
    frame = ax.get_window_extent()
    letters = [a for a in ax.texts if a.get_text() == "B"]
    assert len(letters) == 2  # the letter and its halo
    margin = 1.0 / 25.4 * 100  # 1 mm in pixels
    for letter in letters:
        box = letter.get_window_extent()
        assert frame.y1 - box.y1 > margin and frame.x1 - box.x1 > margin
        assert box.y0 > frame.y0 + frame.height / 2  # still in the upper right


def test_wgs_84_is_never_split_across_lines_of_the_print(geography, metrics):
    view = MapView(layer="ntm", period=2019, lang="vi")
    for orientation in ("portrait", "landscape"):
        pdf = printing.map_pdf(geography, metrics, view, orientation=orientation)
        lines = [" ".join(line.split()) for line in _text(pdf).splitlines()]
        assert any("WGS 84 / UTM" in line for line in lines)
        assert not any(line.endswith("WGS") or line.startswith("84") for line in lines)
    assert "WGS\u00a084 / UTM zone 48N" in printing._crs_text(printing.CRS.from_epsg(32648), "en")


def test_unknown_layer_and_paper_are_refused(geography, metrics):
    with pytest.raises(ValueError, match="unknown layer"):
        printing.map_pdf(geography, metrics, MapView(layer="nope", period=2019))
    with pytest.raises(ValueError, match="unknown paper"):
        printing.map_pdf(geography, metrics, MapView(layer="ntm", period=2019), paper="a5")


# --- province brief -----------------------------------------------------------------------------


def test_brief_is_two_a4_pages_with_kpis_sources_and_lagging_communes(geography, metrics):
    view = MapView(layer="models_density", period=2019, demo=True)
    pdf = brief.brief_pdf(geography, metrics, view, created=CREATED)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert all(_embedded_fonts(pdf).values())
    first, second = (unicodedata.normalize("NFC", p.extract_text()) for p in reader.pages)
    assert "Bản tin tỉnh: Tỉnh Hòa Bình" in first
    for title in ("Mật độ mô hình Dân vận khéo", "Nông thôn mới", "Dồn điền đổi thửa"):
        assert title in first
    assert "Chỉ số toàn tỉnh so với số công bố" in first
    assert "4.648" in first  # the published total of models
    assert SOURCE.citation in " ".join(first.split())
    assert "Xã cần quan tâm" in second
    ntm_table = second[second.index("Xã Hang Kia") :]
    assert ntm_table.index("9/19") < ntm_table.index("12/19")  # fewest criteria first
    assert SCHEMATIC_NOTE in first and SCHEMATIC_NOTE in second


def test_lagging_communes_simple_rule(metrics):
    lag = brief.lagging_communes(metrics, n=10)
    ntm = lag["ntm"]
    assert ntm["criteria_met"].tolist() == [9, 12, 15]  # not-yet xã, fewest criteria first
    assert set(ntm["commune_type"]) == {"Xã"}
    land = lag["land"]
    # Lowest share of the plan first; at equal share, the larger plan first.
    assert land["land_pct_of_plan"].tolist() == [0.0, 0.0, 5.0, 10.0, 80.0, 100.0]
    assert land["land_planned_ha"].tolist()[:2] == [100.0, 20.0]
    assert len(brief.lagging_communes(metrics, n=2)["land"]) == 2


# --- data exports -------------------------------------------------------------------------------


def test_layer_frame_classes_match_the_legend(geography, metrics):
    frame = export.layer_frame(geography, metrics, MapView(layer="land", period=2019))
    legend = classify_layer(metrics, "land").legend
    counts = frame["map_class"].value_counts()
    for entry in legend:
        assert counts.get(entry.label, 0) == entry.count
    assert frame.crs.to_epsg() == 4326
    assert frame["period"].eq(2019).all()


def test_geojson_export_has_figures_and_notes(geography, metrics):
    view = MapView(layer="ntm", period=2019, demo=True)
    data = export.layer_geojson(geography, metrics, view, created=CREATED)
    assert "Thái Bình".encode() in data  # UTF-8, not \u escapes
    document = json.loads(data)
    assert document["type"] == "FeatureCollection"
    assert len(document["features"]) == 9
    properties = document["features"][0]["properties"]
    for column in ("commune_code", "ntm_level", "criteria_met", "map_class", "map_color"):
        assert column in properties
    assert document["atlas"]["demo"] is True
    assert document["atlas"]["boundary_kind"] == "schematic"
    assert [n[1] for n in document["atlas"]["notes"] if n[1] == SCHEMATIC_NOTE] == [SCHEMATIC_NOTE]


def test_geopackage_export_layers_columns_and_notes(geography, metrics, tmp_path):
    out = tmp_path / "land.gpkg"
    view = MapView(layer="land", period=2019, demo=True, district_code="149")
    export.layer_gpkg(geography, metrics, view, out=out)
    layers = {name: kind for name, kind in pyogrio.list_layers(out)}
    assert layers == {"land_2019": "Polygon", "districts": "Polygon", "notes": None}
    info = pyogrio.read_info(out, layer="land_2019")
    assert info["features"] == 3 and info["crs"] == "EPSG:4326"
    fields = dict(zip(info["fields"], info["dtypes"], strict=True))
    for column in ("commune_code", "land_done_ha", "land_pct_of_plan", "map_class", "map_color"):
        assert column in fields
    assert fields["period"] == "int64"
    notes = pyogrio.read_dataframe(out, layer="notes")
    assert SCHEMATIC_NOTE in notes["text"].tolist()
    assert any("dữ liệu minh họa" in text for text in notes["text"])


def test_excel_export_sheets_headers_and_codes(geography, metrics, tmp_path):
    out = tmp_path / "models.xlsx"
    view = MapView(layer="models_density", period=2019, demo=True)
    export.layer_xlsx(geography, metrics, view, out=out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Số liệu", "Chú thích"]
    figures = book["Số liệu"]
    header = [cell.value for cell in figures[1]]
    assert header[:2] == ["Mã xã (GSO)", "Xã"]
    assert "Mô hình: Kinh tế" in header
    assert "Mô hình/km²" in header and "Lớp trên bản đồ" in header
    assert figures["A2"].value == "04789"  # leading zero kept
    assert figures.max_row == 10
    notes = {row[0]: row[1] for row in book["Chú thích"].iter_rows(min_row=2, values_only=True)}
    assert notes["Kỳ số liệu"] == "2019"
    assert notes["Loại ranh giới"] == SCHEMATIC_NOTE
    assert "dữ liệu minh họa" in notes["Số liệu"]


def test_excel_export_keeps_formula_like_names_as_text(geography, metrics, tmp_path):
    communes = geography.communes.copy()
    communes.loc[0, "commune_name"] = '=HYPERLINK("http://x","y")'
    tricky = Geography(communes, geography.districts, "file", "2020-2025", "x.gpkg")
    tricky_metrics = metrics.assign(commune_name=communes["commune_name"].to_numpy())
    out = tmp_path / "t.xlsx"
    export.layer_xlsx(tricky, tricky_metrics, MapView(layer="ntm", period=2019), out=out)
    cell = openpyxl.load_workbook(out)["Số liệu"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_district_summary_excel_adds_up(geography, metrics):
    view = MapView(layer="models_density", period=2019, lang="en")
    data = export.districts_xlsx(geography, metrics, view)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["By district", "Notes"]
    rows = list(book["By district"].iter_rows(values_only=True))
    header, districts, total = rows[0], rows[1:-1], rows[-1]
    assert total[1] == "Whole province"
    communes = header.index("Communes")
    assert len(districts) == 3
    assert sum(row[communes] for row in districts) == total[communes] == 9


def _cells_by_header(sheet):
    """Header → first data cell (type and number format as a planner's Excel sees them)."""
    return {cell.value: sheet.cell(row=2, column=cell.column) for cell in sheet[1]}


def test_district_excel_writes_counts_whole_codes_as_text_and_measures_with_decimals(
    geography, metrics
):
    zero = {"148": "048"}  # a district code with a leading zero
    communes = geography.communes.assign(
        district_code=geography.communes["district_code"].replace(zero)
    )
    geography = Geography(communes, geography.districts, "schematic", "2020-2025", "grid")
    metrics = metrics.assign(district_code=metrics["district_code"].replace(zero))
    data = export.districts_xlsx(geography, metrics, MapView(layer="ntm", period=2019))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Theo huyện"]
    cells = _cells_by_header(sheet)
    code = cells["Mã huyện"]
    assert (code.value, code.data_type, code.number_format) == ("048", "s", "@")
    for header in ("Số xã", "Dân số", "Số mô hình", "Số xã đạt chuẩn NTM"):
        cell = cells[header]
        assert cell.data_type == "n" and isinstance(cell.value, int), header
        assert cell.number_format == "#,##0", header
    # Found by its header: the NTM level columns before it grow with the levels (2026: modern).
    column = cells["Dân số"].column
    population = [r[0].value for r in sheet.iter_rows(min_row=2, min_col=column, max_col=column)]
    assert population[-1] == 45000 and isinstance(population[-1], int)  # the province row too
    assert cells["Diện tích (km²)"].number_format == "#,##0.0"
    assert cells["Đã dồn điền (ha)"].number_format == "#,##0.0"
    assert cells["Mô hình/km²"].number_format == "#,##0.00"
    assert cells["% kế hoạch"].number_format == "#,##0.0"


def test_layer_excel_number_formats_years_plain_counts_whole(geography, metrics):
    view = MapView(layer="ntm", period=2019)
    sheet = openpyxl.load_workbook(io.BytesIO(export.layer_xlsx(geography, metrics, view)))
    cells = _cells_by_header(sheet["Số liệu"])
    assert cells["Mã xã (GSO)"].value == "04789" and cells["Mã xã (GSO)"].number_format == "@"
    assert cells["Kỳ số liệu"].value == 2019 and cells["Kỳ số liệu"].number_format == "0"
    assert cells["Số tiêu chí đạt"].number_format == "#,##0"
    year = cells[export.column_label("ntm_year", "vi")]
    assert year.number_format == "0"  # 2018, not 2.018


# --- the brief's lists: ties ------------------------------------------------------------------


def _tied_land(metrics):
    """Every xã at 0 % of its plan, with plans of different sizes (two of 90 ha)."""
    rural = metrics["commune_type"].eq("Xã")
    tied = metrics.copy()
    tied.loc[rural, "land_done_ha"] = 0.0
    tied.loc[rural, "land_planned_ha"] = [30.0, 90.0, 60.0, 120.0, 90.0, 10.0]
    tied.loc[rural, "land_pct_of_plan"] = 0.0
    return tied


def test_brief_breaks_ties_by_hectares_planned_and_says_how_many_share(metrics):
    tied = _tied_land(metrics)
    lists, _rule = brief._lagging(tied, n=3, lang="vi", period=2019)
    land = lists["land"]
    assert land.rows["land_planned_ha"].tolist() == [120.0, 90.0, 90.0]  # the larger plan first
    # at 90 ha each: district, then commune name, in Vietnamese order
    names = land.rows[["district_name", "commune_name"]].apply(tuple, axis=1).tolist()
    assert names[1:] == sorted(names[1:], key=lambda pair: tuple(map(vietnamese_key, pair)))
    assert (land.shared, land.shown_shared) == (6, 3)
    text = brief._ties_text("land", land, "vi")
    assert text.startswith("6 xã cùng mức 0 %; bảng nêu 3 xã trong số đó.")
    assert "diện tích kế hoạch dồn điền (lớn trước)" in text
    english = brief._ties_text("land", land, "en")
    assert english.startswith("6 communes share 0%; the table shows 3 of them.")


def test_brief_says_how_ties_are_ordered_even_when_none_is_cut(metrics):
    lists, _rule = brief._lagging(metrics, n=10, lang="vi", period=2019)
    ntm = lists["ntm"]
    assert ntm.shared == ntm.shown_shared
    assert brief._ties_text("ntm", ntm, "vi") == (
        "Xã cùng mức xếp theo dân số (lớn trước), rồi theo tên huyện và tên xã."
    )


def test_brief_page_two_prints_the_tie_sentence(geography, metrics):
    tied = _tied_land(metrics)
    pdf = brief.brief_pdf(geography, tied, MapView(layer="ntm", period=2019), lagging=3)
    second = " ".join(
        unicodedata.normalize("NFC", PdfReader(io.BytesIO(pdf)).pages[1].extract_text()).split()
    )
    assert "6 xã cùng mức 0 %; bảng nêu 3 xã trong số đó." in second


def test_unknown_data_format_is_refused(geography, metrics):
    with pytest.raises(ValueError, match="unknown format"):
        export.export_layer(geography, metrics, MapView(layer="ntm", period=2019), fmt="csv")


# --- command line -------------------------------------------------------------------------------


def test_cli_exports_data_and_districts_from_demo(tmp_path, capsys):
    out = tmp_path / "ntm.geojson"
    assert (
        main(["export", "data", "--layer", "ntm", "--period", "2019", "--demo", "--out", str(out)])
        == 0
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["features"]) == 151 and document["atlas"]["demo"] is True
    assert "demo data" in capsys.readouterr().out
    table = tmp_path / "d.xlsx"
    assert main(["export", "districts", "--period", "2019", "--demo", "--out", str(table)]) == 0
    assert openpyxl.load_workbook(table).sheetnames == ["Theo huyện", "Chú thích"]


def test_cli_map_from_the_store_is_labelled_demo_while_it_holds_demo_batches(tmp_path):
    db = f"sqlite:///{tmp_path / 'atlas.sqlite'}"
    out = tmp_path / "map.pdf"
    args = ["export", "map", "--layer", "land", "--period", "2020", "--db", db, "--out", str(out)]
    assert main([*args, "--orientation", "landscape", "--lang", "en"]) == 0
    reader = PdfReader(out)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert "DEMO DATA" in reader.pages[0].extract_text()


def test_cli_refuses_unknown_period_district_and_format(tmp_path, capsys):
    base = ["export", "map", "--layer", "ntm", "--demo"]
    assert main([*base, "--period", "1999", "--out", str(tmp_path / "a.pdf")]) == 1
    assert "periods available: 2019" in capsys.readouterr().err
    assert main([*base, "--period", "2019", "--out", str(tmp_path / "a.tif")]) == 1
    assert "--format png|pdf" in capsys.readouterr().err
    args = [*base, "--period", "2019", "--district", "999", "--out", str(tmp_path / "a.pdf")]
    assert main(args) == 1
    assert "152 Huyện Lương Sơn" in capsys.readouterr().err


def test_brief_lists_count_criteria_out_of_the_period_set():
    """A 2026 period: lagging xã are those below all 10 criteria of the 2026–2030 set."""
    metrics = pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003", "00004"],
            "commune_name": ["Xã A", "Xã B", "Xã C", "Phường D"],
            "commune_type": ["Xã", "Xã", "Xã", "Phường"],
            "district_code": "001",
            "district_name": "Huyện X",
            "ntm_level": ["not_yet", "ntm", "not_yet", None],
            "criteria_met": [8, 10, 6, None],
            "land_done_ha": [1.0, 2.0, 3.0, None],
            "land_planned_ha": [10.0, 2.0, 6.0, None],
            "land_pct_of_plan": [10.0, 100.0, 50.0, None],
            "population": [1000, 2000, 3000, 4000],
        }
    )
    lists, rule = brief._lagging(metrics, n=5, lang="vi", period=2026)
    assert lists["ntm"].rows["commune_name"].tolist() == ["Xã C", "Xã A"]  # 10/10 is not lagging
    assert lists["ntm"].out_of == 10
    assert "Số tiêu chí NTM đạt dưới 10/10 (bộ tiêu chí 2026–2030)" in rule
    sections = brief._lagging_sections(
        {key: listed.rows for key, listed in lists.items()}, lang="vi", inner=180.0, out_of=10
    )
    assert [row[3] for row in sections[0][2]] == ["6/10", "8/10"]
    # 2024 figures count out of the 19 criteria of the 2021–2025 set.
    lists, rule = brief._lagging(metrics, n=5, lang="en", period=2024)
    assert lists["ntm"].rows["commune_name"].tolist() == ["Xã C", "Xã A", "Xã B"]
    assert "Fewer than 19/19 NTM criteria met (2021–2025 criteria set)" in rule
