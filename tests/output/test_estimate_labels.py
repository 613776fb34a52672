"""Newer figures estimated on an older map by area share (issue 12): the legend, the commune
panel's table and history, the notes sheet and the printed map say "ước tính", and only of the
periods that are estimates."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import openpyxl
import pytest
from pypdf import PdfReader

from geo.analysis.commune_profile import commune_history, commune_profile, metrics_over_periods
from geo.analysis.metrics import commune_metrics
from geo.analysis.vintages import provenance_of, tables_for
from geo.figures.indicators import load_demo
from geo.geography.geographies import default_geography, grouped_communes
from geo.output import export, printing
from geo.output.display import history_frame, history_note, legend_notes, profile_figures
from geo.view import MapView

CREATED = dt.date(2026, 12, 6)
#: A 2020–2025 commune of the demo figures (Phường Thống Nhất's area in 2025).
CODE = "04789"


@pytest.fixture(scope="module")
def geography():
    return default_geography()  # the 2020–2025 schematic of Hòa Bình, 151 units


@pytest.fixture(scope="module")
def keyed(geography):
    return tables_for(geography, load_demo(), lang="vi", estimate=True)


def test_legend_names_only_the_estimated_periods(geography):
    def notes(periods, estimated):
        return legend_notes(geography, periods=periods, demo=True, lang="vi", estimated=estimated)

    assert notes((2026,), [2026])[-1] == (
        "Số liệu 2026: ƯỚC TÍNH theo tỷ lệ diện tích từ các xã mới (đơn vị 2025)"
    )
    # A change map 2024 → 2026: only 2026 is an estimate; 2024 is real.
    assert notes((2024, 2026), [2026])[-1].startswith("Số liệu 2026: ƯỚC TÍNH")
    assert not any("ƯỚC TÍNH" in note for note in notes((2024,), [2026]))
    assert not any("ƯỚC TÍNH" in note for note in notes((2026,), []))


def test_panel_marks_the_value_and_history_as_estimates(geography, keyed):
    over = metrics_over_periods(grouped_communes(geography), keyed.tables, [2024, 2025, 2026])
    profile = commune_profile(over, CODE, period=2026, tables=keyed.tables)
    assert list(profile_figures(profile, "vi", estimate=True).columns)[1] == "Giá trị (ước tính)"
    assert list(profile_figures(profile, "en").columns)[1] == "Value"
    # Estimated periods are marked †, never starred as "converted from the former communes".
    history = commune_history(over, CODE, tables=keyed.tables)
    assert history["estimated"].tolist() == [False, True, True]
    assert not history["converted"].any()
    assert list(history_frame(history, ["models_total"], "vi").index) == [
        "2024",
        "2025†",
        "2026†",
    ]
    note = history_note(history, provenance_of(keyed.tables, CODE, 2026), "models", "vi")
    assert note == "† Kỳ 2025–2026: ƯỚC TÍNH theo tỷ lệ diện tích từ xã mới (đơn vị 2025)"
    [first, *_] = provenance_of(keyed.tables, CODE, 2026)
    assert first["estimate"] is True
    assert provenance_of(keyed.tables, CODE, 2024) == []


def test_notes_sheet_says_estimate_only_of_an_estimated_period(geography, keyed):
    view = MapView(layer="models_density", period=2026, demo=True)
    notes = dict(export.export_notes(geography, view, vintage_tables=keyed, created=CREATED))
    assert notes["Ước tính"].startswith("Số liệu kỳ 2026 là ƯỚC TÍNH theo tỷ lệ diện tích")
    assert "ƯỚC TÍNH" in notes["Quy đổi số liệu"]  # the note of the conversion, too
    real = dict(export.export_notes(geography, view.replace(period=2024), vintage_tables=keyed))
    assert "Ước tính" not in real
    english = dict(export.export_notes(geography, view.replace(lang="en"), vintage_tables=keyed))
    assert english["Estimate"].startswith("The 2026 figures are an area-apportioned ESTIMATE")


def test_excel_notes_sheet_and_provenance_column_say_estimate(geography, keyed):
    view = MapView(layer="models_density", period=2026, demo=True)
    metrics = commune_metrics(geography.communes, keyed.tables, period=2026)
    data = export.export_layer(
        geography, metrics, view, fmt="xlsx", vintage_tables=keyed, created=CREATED
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    notes = {row[0]: row[1] for row in book["Chú thích"].iter_rows(values_only=True)}
    assert notes["Ước tính"].startswith("Số liệu kỳ 2026 là ƯỚC TÍNH")


def test_printed_map_subtitle_and_notes_say_estimate(geography, keyed):
    metrics = commune_metrics(geography.communes, keyed.tables, period=2026)
    # The command line's view does not say it is an estimate: the figures do.
    view = MapView(layer="models_density", period=2026, demo=True)
    pdf = printing.map_pdf(geography, metrics, view, vintage_tables=keyed, created=CREATED)
    text = " ".join(
        unicodedata.normalize("NFC", PdfReader(io.BytesIO(pdf)).pages[0].extract_text()).split()
    )
    assert "Kỳ số liệu: 2026 · Chỉ tiêu:" in text
    assert "ƯỚC TÍNH theo tỷ lệ diện tích" in text.split("Kỳ số liệu: 2026")[1][:200]
    assert "Số liệu kỳ 2026 là ƯỚC TÍNH" in text
