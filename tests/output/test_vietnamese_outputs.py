"""Every file the atlas writes in Vietnamese is in Vietnamese: no English sentence in it.

The English sentences are those of the English catalogue (every fragment of four words or more
between placeholders, where the English text differs from the Vietnamese one), plus the
English texts the atlas keeps for files and logs (the schematic credit and source). Each
Vietnamese output is rendered on the real default geography with the demo figures: the print
map (PDF text and the PNG's drawn texts), the brief, the Excel layer and district files, the
GeoJSON and GeoPackage notes, the legend notes. The English outputs must contain some of those
sentences, so the check can fail.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata

import openpyxl
import pyogrio
import pytest
from matplotlib.text import Text
from pypdf import PdfReader

from geo.analysis.metrics import commune_metrics
from geo.figures.indicators import load_demo
from geo.geography.geographies import SCHEMATIC_ATTRIBUTION, default_geography
from geo.geography.schematic import BOUNDARY_SOURCE
from geo.i18n import _TEXT
from geo.output import brief, display, export, printing
from geo.view import MapView

CREATED = dt.date(2025, 11, 29)
_PLACEHOLDER = re.compile(r"\{\w+\}")
_WORD = re.compile(r"[^\W\d_]+")


def _plain(text: str) -> str:
    """NFC, one space between words (wrapped lines, no-break spaces, markdown stars gone)."""
    text = unicodedata.normalize("NFC", text).replace("*", "")
    return " ".join(text.split())


def english_sentences() -> set[str]:
    """English texts of four words or more that an English reader, not a Vietnamese one, reads."""
    fragments = {_plain(SCHEMATIC_ATTRIBUTION), _plain(BOUNDARY_SOURCE), "UTM zone"}
    for texts in _TEXT.values():
        if texts["en"] == texts["vi"]:
            continue
        for fragment in _PLACEHOLDER.split(texts["en"]):
            fragment = _plain(fragment).strip(" .,;:()–-·")
            if len(_WORD.findall(fragment)) >= 4:
                fragments.add(fragment)
    return fragments


def english_in(text: str) -> list[str]:
    """The English sentences found in ``text``."""
    plain = _plain(text)
    return sorted(sentence for sentence in english_sentences() if sentence in plain)


@pytest.fixture(scope="module")
def province():
    geography = default_geography()
    return geography, commune_metrics(geography.communes, load_demo(), period=2019)


def _view(lang: str, layer: str = "land") -> MapView:
    return MapView(layer=layer, period=2019, demo=True, lang=lang)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _workbook_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = (
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    return "\n".join([*book.sheetnames, *cells])


def test_the_english_list_is_long_and_holds_the_known_sentences():
    sentences = english_sentences()
    assert len(sentences) > 100
    assert "Unit list, centres and extents: vietnamadminunits (MIT)" in sentences
    assert "Schematic boundaries, not official" in sentences


@pytest.mark.parametrize("layer", ["land", "models_density"])
def test_print_map_pdf_in_vietnamese_has_no_english(province, layer):
    geography, metrics = province
    pdf = printing.map_pdf(geography, metrics, _view("vi", layer), created=CREATED)
    text = _pdf_text(pdf)
    assert "Ranh giới sơ đồ, không chính thức" in _plain(text)
    assert english_in(text) == []


def test_print_map_png_draws_no_english_text(province):
    geography, metrics = province
    printed = printing.map_figure(geography, metrics, _view("vi"), dpi=50, created=CREATED)
    drawn = [artist.get_text() for artist in printed.sheet.figure.findobj(Text)]
    assert any("vietnamadminunits" in text for text in drawn)
    assert english_in("\n".join(drawn)) == []


def test_brief_in_vietnamese_has_no_english(province):
    geography, metrics = province
    pdf = brief.brief_pdf(geography, metrics, _view("vi"), created=CREATED)
    text = _pdf_text(pdf)
    assert "Xã cần quan tâm" in text
    assert english_in(text) == []


def test_excel_files_in_vietnamese_have_no_english(province):
    geography, metrics = province
    layer = export.layer_xlsx(geography, metrics, _view("vi"), created=CREATED)
    districts = export.districts_xlsx(geography, metrics, _view("vi"), created=CREATED)
    notes = openpyxl.load_workbook(io.BytesIO(layer))["Chú thích"]
    by_item = {item: text for item, text in notes.iter_rows(min_row=2, values_only=True)}
    assert by_item["Nguồn ranh giới"].startswith("Ô sơ đồ dựng từ tâm và phạm vi chính thức")
    assert "vietnamadminunits (MIT)" in by_item["Ghi công"]
    assert english_in(_workbook_text(layer)) == []
    assert english_in(_workbook_text(districts)) == []


def test_geojson_and_geopackage_notes_in_vietnamese_have_no_english(province, tmp_path):
    geography, metrics = province
    document = json.loads(export.layer_geojson(geography, metrics, _view("vi"), created=CREATED))
    atlas = json.dumps(document["atlas"], ensure_ascii=False)
    classes = " ".join(f["properties"]["map_class"] for f in document["features"])
    assert english_in(atlas) == [] and english_in(classes) == []
    out = tmp_path / "land.gpkg"
    export.layer_gpkg(geography, metrics, _view("vi"), created=CREATED, out=out)
    notes = pyogrio.read_dataframe(out, layer="notes")
    assert english_in("\n".join(notes["item"]) + "\n" + "\n".join(notes["text"])) == []


def test_legend_notes_in_vietnamese_have_no_english(province):
    geography, _metrics = province
    notes = display.legend_notes(
        geography, periods=(2019, 2024), demo=True, district_name="Huyện Đà Bắc", lang="vi"
    )
    assert english_in("\n".join(notes)) == []


def test_the_same_outputs_in_english_do_hold_english(province):
    geography, metrics = province
    pdf = printing.map_pdf(geography, metrics, _view("en"), created=CREATED)
    assert "Schematic boundaries, not official" in english_in(_pdf_text(pdf))
    layer = export.layer_xlsx(geography, metrics, _view("en"), created=CREATED)
    assert english_in(_workbook_text(layer))
