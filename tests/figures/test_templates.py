"""Excel templates: untouched ones import as nothing, filled ones import exactly."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from geo.figures import indicators as ind
from geo.figures.importing import META_SHEET, UnreadableFileError, import_file
from geo.figures.templates import template_columns, template_workbook
from geo.geography.admin_units import communes

PERIOD = 2024
FIRST_DATA_ROW = 5

# What a planner types for two communes (first rows of the template: 04789, 04792), per family,
# in the template's own vocabulary (drop-down labels), and what the import must give back.
FILLED = {
    "models": (
        [[3, 2, 1, 0, 1, 6080], [28, 26, 17, 0, 10, None]],
        {
            "models_economy": [3, 28],
            "models_culture_society": [2, 26],
            "models_defence_security": [1, 17],
            "models_political_system": [0, 0],
            "models_replicated": [1, 10],
            "population": [6080, pd.NA],
        },
    ),
    "named_models": (
        [
            ["Bảo vệ rừng", "Quốc phòng – an ninh", 2019, "Có"],
            ["Phụ nữ tiết kiệm", "Văn hóa – xã hội", None, "Không"],
        ],
        {
            "model_name": ["Bảo vệ rừng", "Phụ nữ tiết kiệm"],
            "field": ["defence_security", "culture_society"],
            "year_recognised": [2019, pd.NA],
            "replicated": [True, False],
            "provenance": ["imported", "imported"],
        },
    ),
    "ntm": (
        # 04789 and 04792 are phường: NTM does not apply; use xã 04813 (row 12) below.
        None,
        None,
    ),
    "land": (
        [[12.3, 40, "Đang thực hiện", None], [40.5, 40.5, "Hoàn thành", 2022]],
        {
            "land_done_ha": [12.3, 40.5],
            "land_planned_ha": [40.0, 40.5],
            "land_status": ["in_progress", "done"],
            "land_year": [pd.NA, 2022],
        },
    ),
}


@pytest.fixture(scope="module")
def hoa_binh() -> pd.DataFrame:
    return communes("17")


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def save(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("family", ind.FAMILY_NAMES)
def test_untouched_template_imports_nothing_and_no_errors(family, lang, hoa_binh):
    data = template_workbook(family, communes=hoa_binh, period=PERIOD, lang=lang)
    report = import_file(data, family=family, period=PERIOD, file_name="mau.xlsx")
    assert len(report.accepted) == 0
    assert len(report.rejected) == 0
    assert report.warnings == []
    reasons = report.skipped["reason_en"].value_counts().to_dict()
    assert reasons == {
        "No figures (every figure cell is empty)": 151,
        "Title row above the table": 2,
        "Column header row": 2,
    }


def test_layout(hoa_binh):
    book = load(template_workbook("ntm", communes=hoa_binh, period=PERIOD))
    ws = book.worksheets[0]
    assert ws.title == "Số liệu"
    assert [c.value for c in ws[3]][:7] == [
        "Mã xã",
        "Xã",
        "Huyện",
        "Mức NTM",
        "Năm đạt chuẩn",
        "Số tiêu chí đạt",
        "Tiêu chí 1: Quy hoạch",  # the optional per-criterion columns of the 19-criteria set
    ]
    assert [c.value for c in ws[4]] == [
        "commune_code",
        "commune_name",
        "district_name",
        "ntm_level",
        "ntm_year",
        "criteria_met",
        *(f"criterion_{n}" for n in range(1, 20)),
    ]
    assert ws.row_dimensions[4].hidden
    assert [ws.cell(5, c).value for c in (1, 2, 3)] == [
        "04789",
        "Phường Thái Bình",
        "Thành phố Hòa Bình",
    ]
    assert ws.cell(5, 1).number_format == "@"
    assert ws.max_row == 4 + 151
    lists = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert lists["D5:D155"].formula1 == '"Chưa đạt,Đạt chuẩn NTM,NTM nâng cao,NTM kiểu mẫu"'
    assert (lists["F5:F155"].type, lists["F5:F155"].formula2) == ("whole", "19")
    assert book.sheetnames == ["Số liệu", "Hướng dẫn", META_SHEET]
    assert book[META_SHEET].sheet_state == "hidden"
    meta = {k: v for k, v, *_ in book[META_SHEET].iter_rows(values_only=True)}
    assert (meta["family"], meta["period"], meta["vintage"]) == ("ntm", "2024", "2020-2025")
    notes = [row[0] for row in book["Hướng dẫn"].iter_rows(values_only=True) if row[0]]
    assert any("phường" in str(note) for note in notes)


def test_english_template(hoa_binh):
    book = load(template_workbook("land", communes=hoa_binh, period=None, lang="en"))
    ws = book.worksheets[0]
    assert ws.title == "Figures"
    assert [c.value for c in ws[3]][:3] == ["Commune code", "Commune", "District"]
    assert "(chosen when importing)" in ws["A2"].value
    lists = [v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"]
    assert lists == ['"Not started,In progress,Done"']


@pytest.mark.parametrize("family", ["models", "named_models", "land"])
def test_filled_template_round_trips_exactly(family, hoa_binh):
    typed, expected = FILLED[family]
    book = load(template_workbook(family, communes=hoa_binh, period=PERIOD))
    ws = book.worksheets[0]
    for offset, values in enumerate(typed):
        for c, value in enumerate(values, start=4):
            ws.cell(FIRST_DATA_ROW + offset, c, value)
    report = import_file(save(book), family=family, period=PERIOD)
    assert len(report.rejected) == 0 and report.warnings == []
    accepted = report.accepted
    assert accepted["commune_code"].tolist() == ["04789", "04792"]
    assert accepted["source_row"].tolist() == [5, 6]
    for column, values in expected.items():
        got = accepted[column]
        if isinstance(got.dtype, pd.CategoricalDtype):
            got = got.astype(str)
        assert [None if pd.isna(v) else v for v in got] == [
            None if v is pd.NA else v for v in values
        ], column
    # The accepted table is exactly what the schema's own reader would make of it.
    canonical = ind.read_family(
        io.StringIO(ind.family_csv_text(accepted, family)), family, source="check"
    )
    pd.testing.assert_frame_equal(accepted.drop(columns="source_row"), canonical)


def test_filled_ntm_template(hoa_binh):
    book = load(template_workbook("ntm", communes=hoa_binh, period=PERIOD))
    ws = book.worksheets[0]
    rows = {r: ws.cell(r, 1).value for r in range(FIRST_DATA_ROW, ws.max_row + 1)}
    by_code = {code: r for r, code in rows.items()}
    for code, level, year, criteria in (
        ("05233", "NTM kiểu mẫu", 2015, 19),
        ("05212", "Chưa đạt", None, 14),
        ("04789", None, None, None),  # a phường: left empty
    ):
        for c, value in zip((4, 5, 6), (level, year, criteria), strict=True):
            ws.cell(by_code[code], c, value)
    report = import_file(save(book), family="ntm", period=PERIOD)
    assert report.accepted[["commune_code", "ntm_level", "criteria_met"]].astype(
        str
    ).values.tolist() == [["05212", "not_yet", "14"], ["05233", "model", "19"]]
    assert len(report.rejected) == 0


def test_template_of_another_family_is_refused(hoa_binh):
    data = template_workbook("land", communes=hoa_binh, period=PERIOD)
    with pytest.raises(UnreadableFileError) as caught:
        import_file(data, family="ntm", period=PERIOD, file_name="mau_dddt.xlsx")
    assert caught.value.key == "importer.error.template_family"
    assert "Dồn điền, đổi thửa" in caught.value.text("vi")


def test_template_period_is_checked(hoa_binh):
    data = template_workbook("land", communes=hoa_binh, period=2023)
    report = import_file(data, family="land", period=PERIOD)
    assert [w.key for w in report.warnings] == ["importer.warn.template_period"]


def test_small_geography_without_districts():
    small = pd.DataFrame(
        {"commune_code": ["4828", "05200"], "commune_name": ["Phường Thống Nhất", "Xã Mai Châu"]}
    )
    small["vintage"] = "2025"
    book = load(template_workbook("models", communes=small, period=2025))
    ws = book.worksheets[0]
    assert [c.value for c in ws[4]][:3] == ["commune_code", "commune_name", "models_economy"]
    assert ws.cell(5, 1).value == "04828"
    ws.cell(5, 3, 4)
    report = import_file(save(book), family="models", period=2025, vintage="2025")
    assert report.accepted["commune_code"].tolist() == ["04828"]
    assert report.accepted["vintage"].tolist() == ["2025"]


def test_template_columns():
    assert template_columns("models") == (
        "models_economy",
        "models_culture_society",
        "models_defence_security",
        "models_political_system",
        "models_replicated",
        "population",
    )
    assert "provenance" not in template_columns("named_models")


def test_docstring_examples():
    import doctest

    import geo.figures.templates

    assert doctest.testmod(geo.figures.templates).failed == 0
