"""Hostile spreadsheets are refused with a reason, within the limits, or imported right.

The big cases of issue 14 (a million rows, four million empty rows) are tested here against
small limits passed as ``limits=``; ``bench/hostile_files.py`` runs them at full size.
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from hostile_files import BILLION_LAUGHS, TABLE, XXE, raw_xlsx, sheet_xml

from geo.figures.importing import UnreadableFileError, import_file, rejected_workbook
from geo.figures.importing.limits import ReadLimits


def refusal(data: bytes, *, family: str = "models", **options) -> UnreadableFileError:
    """The refusal of ``data`` (the test fails when it is imported)."""
    with pytest.raises(UnreadableFileError) as caught:
        import_file(data, family=family, period=2024, file_name="bieu.xlsx", **options)
    error = caught.value
    assert "bieu.xlsx" in error.text("vi") and "bieu.xlsx" in error.text("en")
    assert error.text("vi") != error.text("en")
    return error


def models(data: bytes, **options):
    return import_file(data, family="models", period=2024, file_name="bieu.xlsx", **options)


# --- huge ranges in a tiny workbook -------------------------------------------------------------


@pytest.mark.parametrize("merge", ["H1:XFD1048576", "H1:XFD2000", "A1:XFD1"])
def test_a_title_merged_over_a_huge_range_costs_nothing(merge):
    rows = [(1, [("A1", "BIỂU TỔNG HỢP"), ("H1", "Hòa Bình")]), *TABLE[1:]]
    data = raw_xlsx(sheet_xml(rows, merges=[merge], dimension="A1:XFD1048576"))
    assert len(data) < 2_000  # the 1.9 KB file of the issue
    report = models(data)
    assert report.accepted["commune_code"].tolist() == ["04789", "05233"]
    assert report.accepted["models_economy"].tolist() == [3, 2]


def test_a_single_cell_far_away_is_refused_naming_the_row_count():
    rows = [*TABLE, (1_048_576, [("XFD1048576", 1)])]
    error = refusal(raw_xlsx(sheet_xml(rows)))
    assert error.key == "importer.error.too_many_rows"
    assert "at least 1,048,576 rows; the limit is 100,000" in error.text("en")
    assert "ít nhất 1.048.576 dòng; giới hạn là 100.000" in error.text("vi")


def test_a_cell_beyond_the_column_limit_is_named():
    rows = [*TABLE, (6, [("XFD6", "x")])]
    error = refusal(raw_xlsx(sheet_xml(rows)))
    assert error.key == "importer.error.too_many_columns"
    assert error.values["cell"] == "XFD6" and error.values["columns"] == 16_384


def test_rows_beyond_the_limit_are_refused_while_streaming():
    rows = [*TABLE, *((n, [(f"A{n}", 4789), (f"C{n}", 1)]) for n in range(6, 60))]
    error = refusal(raw_xlsx(sheet_xml(rows, dimension="A1:C59")), limits=ReadLimits(rows=20))
    assert error.key == "importer.error.too_many_rows"
    assert error.values == {"sheet": error.values["sheet"], "rows": 59, "limit": 20}
    assert "Biểu 01" in error.text("en")


def test_cells_unpacked_size_and_file_size_limits():
    data = raw_xlsx(sheet_xml(TABLE))
    assert refusal(data, limits=ReadLimits(cells=5)).key == "importer.error.too_many_cells"
    error = refusal(data, limits=ReadLimits(unpacked_bytes=500))
    assert error.key == "importer.error.unpacked"
    assert refusal(data, limits=ReadLimits(file_bytes=100)).key == "importer.error.file_size"


def test_merged_cells_over_data_beyond_the_limit_are_refused():
    data = raw_xlsx(sheet_xml(TABLE, merges=["A1:C5"]))
    error = refusal(data, limits=ReadLimits(merged_cells=10))
    assert error.key == "importer.error.merged_cells" and error.values["range"] == "A1:C5"


def test_a_cell_longer_than_excel_allows_is_refused():
    rows = [*TABLE[:3], (4, [("A4", 4789), ("B4", "x" * 40_000), ("C4", 3)])]
    error = refusal(raw_xlsx(sheet_xml(rows)))
    assert error.key == "importer.error.cell_too_long"
    assert (error.values["cell"], error.values["chars"]) == ("B4", 40_000)


# --- hostile XML and wrong reasons --------------------------------------------------------------


@pytest.mark.parametrize("strings", [XXE, BILLION_LAUGHS])
def test_xxe_and_billion_laughs_are_refused_with_a_reason(strings):
    error = refusal(raw_xlsx(sheet_xml(TABLE), shared_strings=strings))
    assert error.key == "importer.error.xml_entities"
    assert "XXE" in error.text("en") and error.values["part"] == "xl/sharedStrings.xml"


def test_a_damaged_sheet_is_named():
    pieces = list(sheet_xml(TABLE))
    error = refusal(raw_xlsx(pieces[:-2]))  # cut before </sheetData>
    assert error.key == "importer.error.xml"
    assert error.values["part"] == "xl/worksheets/sheet1.xml"


def test_a_password_protected_workbook_is_not_called_an_old_xls():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    data = ole + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
    error = refusal(data)
    assert error.key == "importer.error.encrypted"
    assert "password-protected; save it without a password" in error.text("en")


# --- formulas without values --------------------------------------------------------------------


def test_formulas_without_a_computed_value_are_rejected_with_their_cell():
    book = openpyxl.Workbook()  # openpyxl writes formulas without values, like such programs
    ws = book.active
    ws.append(["Mã xã", "Kinh tế", "Văn hóa - xã hội"])
    ws.append([4789, "=1+1", 2])
    ws.append([5233, 4, "=SUM(B2:B3)"])
    ws.append([4792, 1, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    report = models(buffer.getvalue())
    assert report.accepted["commune_code"].tolist() == ["04792"]
    rejected = report.rejected.set_index("source_row")
    assert rejected.loc[2, "column"] == "models_economy"
    assert rejected.loc[2, "value"] == "=1+1"
    assert "B2" in rejected.loc[2, "reason_en"]
    assert (
        "open and save the file in Excel so that values are computed"
        in (rejected.loc[2, "reason_en"])
    )
    assert rejected.loc[3, "column"] == "models_culture_society"
    assert "C3" in rejected.loc[3, "reason_vi"] and "Excel" in rejected.loc[3, "reason_vi"]


def test_a_formula_row_with_no_other_figure_is_not_skipped_as_empty():
    rows = [*TABLE[1:3], (5, [("A5", 5233), ("C5", ("f", "SUM(C1:C4)"))])]
    report = models(raw_xlsx(sheet_xml(rows)))
    assert 5 in report.rejected["source_row"].tolist()
    assert 5 not in report.skipped["source_row"].tolist()


# --- CSV ----------------------------------------------------------------------------------------


def csv_refusal(text: str | bytes, **options) -> UnreadableFileError:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(UnreadableFileError) as caught:
        import_file(data, family="models", period=2024, file_name="bieu.csv", **options)
    assert "bieu.csv" in caught.value.text("en")
    return caught.value


def test_empty_rows_after_the_table_do_not_count():
    text = "Mã xã,Kinh tế\n4789,3\n5233,2\n" + ",,\n" * 5_000 + "\n" * 5_000
    report = import_file(text.encode(), family="models", period=2024, limits=ReadLimits(rows=100))
    assert report.accepted["commune_code"].tolist() == ["04789", "05233"]


def test_csv_rows_beyond_the_limit_name_the_row():
    text = "Mã xã,Kinh tế\n" + "4789,3\n" * 50
    error = csv_refusal(text, limits=ReadLimits(rows=20))
    assert error.key == "importer.error.too_many_rows" and error.values["rows"] == 21


def test_a_header_of_twenty_thousand_columns_is_refused():
    text = "Mã xã," + ",".join(f"c{i}" for i in range(20_000)) + "\n4789,3\n"
    error = csv_refusal(text)
    assert error.key == "importer.error.too_many_columns" and error.values["columns"] == 1_001


@pytest.mark.parametrize(
    ("chars", "key"),
    [(40_000, "importer.error.cell_too_long"), (140_000, "importer.error.csv_field")],
)
def test_a_huge_cell_is_refused_not_a_csv_error(chars, key):
    error = csv_refusal("Mã xã,Kinh tế\n4789," + "9" * chars + "\n")
    assert error.key == key


def test_nul_byte_and_unterminated_quote_say_so():
    error = csv_refusal(b"M\xc3\xa3 x\xc3\xa3,Kinh t\xe1\xba\xbf\n4789,3\x00\n")
    assert error.key == "importer.error.nul" and error.values["line"] == 2
    assert "NUL" in error.text("en")
    error = csv_refusal('Mã xã,Kinh tế\n4789,3\n5233,"2\n4792,1\n')
    assert error.key == "importer.error.csv_quote" and error.values["line"] == 3
    assert "never closed" in error.text("en")


def test_a_broken_utf16_file_is_refused_with_a_reason():
    error = csv_refusal(b"\xff\xfeM\x00a\x00,")
    assert error.key == "importer.error.encoding"


@pytest.mark.parametrize("value", ["99999999999999999999", "1e308", "inf", "-inf", "nan", "1e400"])
def test_counts_above_int64_or_infinite_are_rejected_rows(value):
    text = f"Mã xã,Kinh tế,Dân số\n4789,3,{value}\n5233,2,1000\n"
    report = import_file(text.encode(), family="models", period=2024)
    assert report.accepted["commune_code"].tolist() == ["05233"]
    assert report.rejected["source_row"].tolist() == [2]
    assert report.rejected["column"].tolist() == ["population"]


def test_infinite_numbers_in_a_workbook_are_rejected_not_emptied():
    rows = [*TABLE[1:3], (4, [("A4", 4789), ("C4", float("inf"))])]
    report = models(raw_xlsx(sheet_xml(rows)))
    assert report.rejected["source_row"].tolist() == [4]


# --- implausible land figures -------------------------------------------------------------------

LAND_HEADER = "Mã xã,Đã DĐĐT (ha),Kế hoạch (ha),Tình trạng\n"


def land(rows: str, **options):
    return import_file((LAND_HEADER + rows).encode(), family="land", period=2024, **options)


def test_land_areas_beyond_the_ceiling_are_rejected():
    report = land("5233,1e308,40,Xong\n5245,300000,300000,Xong\n5242,10,40,Đang thực hiện\n")
    assert report.accepted["commune_code"].tolist() == ["05242"]
    reasons = report.rejected.set_index(["source_row", "column"])["reason_en"]
    assert "from 0 to 200,000" in reasons[(2, "land_done_ha")]
    assert "from 0 to 200,000" in reasons[(3, "land_planned_ha")]


def test_done_above_plan_warns_and_far_above_is_rejected():
    report = land("5233,160,40,Xong\n5245,240,40,Xong\n")
    assert report.accepted["commune_code"].tolist() == ["05233"]
    warning = next(w for w in report.warnings if w.key == "importer.warn.above_plan")
    assert "400 %" in warning.text("en") and "Tòng Đậu" in warning.text("vi")
    assert warning.where == "row 2, column land_done_ha"
    rejected = report.rejected.set_index("source_row")
    assert "more than 5 times the area planned" in rejected.loc[3, "reason_en"]


def test_land_above_the_communes_own_area_is_rejected_when_it_is_known():
    rows = "5233,30,40,Đang thực hiện\n5245,30,40,Đang thực hiện\n"
    report = land(rows, commune_areas_ha={"05233": 35.0, "05245": 5_000.0})
    assert report.accepted["commune_code"].tolist() == ["05245"]
    reasons = report.rejected.set_index(["source_row", "column"])["reason_en"]
    assert "above the whole area of Xã Tòng Đậu" in reasons[(2, "land_planned_ha")]
    assert "35 ha" in reasons[(2, "land_planned_ha")]


# --- the rejected rows stay text ----------------------------------------------------------------

INJECTIONS = [
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    '=IMPORTXML("http://evil.example","//a")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-1+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_the_rejected_rows_workbook_has_no_formula():
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Tên xã", "Kinh tế", "Ghi chú"])
    for text in INJECTIONS:
        cell = ws.cell(ws.max_row + 1, 1, text)
        cell.data_type = "s"
        ws.cell(ws.max_row, 2, "x")
        ws.cell(ws.max_row, 3, text).data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    report = models(buffer.getvalue())
    assert report.rejected_row_count == len(INJECTIONS)
    data = rejected_workbook(report, lang="en")
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        sheets = [n for n in parts.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(parts.read(n).decode("utf-8") for n in sheets)
    assert sheets and not re.search(r"<f[ >]", xml)
    back = openpyxl.load_workbook(io.BytesIO(data))
    texts = [c.value for row in back.worksheets[0].iter_rows() for c in row]
    assert "=cmd|' /C calc'!A0" in texts  # the text as written, kept as text
    flagged = [c for row in back.worksheets[0].iter_rows() for c in row if c.value in INJECTIONS]
    assert flagged and all(c.data_type == "s" and c.quotePrefix for c in flagged)


def test_the_app_upload_limit_is_the_importer_limit():
    import tomllib

    from repo_paths import REPO_ROOT

    from geo.figures.importing.limits import MAX_FILE_BYTES

    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
