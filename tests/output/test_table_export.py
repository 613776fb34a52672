import csv
import io

import openpyxl
import pandas as pd
import pytest

from geo.output.table_export import FORMULA_STARTS, csv_bytes, neutralise, xlsx_bytes


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")'],
)
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Xã A", "", "a=b", 3, -3, 2.5, None])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_csv_neutralises_text_cells_and_headers_not_numbers():
    frame = pd.DataFrame(
        {
            "Xã": ["=cmd|' /C calc'!A0", "Xã B", "@x", "\tTab"],
            "-Cột": ["+1", "ok", "-", "x"],
            "Số": [-1, 2, 3, 4],
            "Tỷ lệ": [-0.5, None, 1.25, 0.0],
        }
    )
    data = csv_bytes(frame, convention="en")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Xã", "'-Cột", "Số", "Tỷ lệ"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'+1", "-1", "-0.5"]
    assert rows[2] == ["Xã B", "ok", "2", ""]
    assert rows[3] == ["'@x", "'-", "3", "1.25"]
    assert rows[4] == ["'\tTab", "x", "4", "0"]
    for row in rows:
        for cell in row[:2]:
            assert not cell.startswith(FORMULA_STARTS)


def _lagging_file():
    """A lagging table as the app sends it: codes with leading zeros, counts, a gap."""
    return pd.DataFrame(
        {
            "Mã xã": ["05212", "04789"],
            "Xã": ['Xã "Mới"; A', "Xã Đà"],
            "Mức chậm": [1.267, 0.5],
            "Số tiêu chí": pd.array([11, None], dtype="Int64"),
        }
    )


def test_csv_in_the_vietnamese_convention_reads_back_with_codes_and_decimals():
    data = csv_bytes(_lagging_file())  # "vi" by default
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") and text.count("\r\n") == 3
    assert text.splitlines()[1] == '"05212";"Xã ""Mới""; A";1,267;11'
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Mã xã", "Xã", "Mức chậm", "Số tiêu chí"]
    assert [row[0] for row in rows[1:]] == ["05212", "04789"]  # leading zeros kept
    assert rows[1][1] == 'Xã "Mới"; A'
    assert [float(row[2].replace(",", ".")) for row in rows[1:]] == [1.267, 0.5]
    assert rows[2][3] == ""


def test_csv_in_the_english_convention_and_pandas_reads_codes_as_text():
    data = csv_bytes(_lagging_file(), convention="en")
    assert data.decode("utf-8-sig").splitlines()[2] == '"04789","Xã Đà",0.5,'
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"Mã xã": str})
    assert back["Mã xã"].tolist() == ["05212", "04789"]
    assert back["Mức chậm"].tolist() == [1.267, 0.5]
    vietnamese = pd.read_csv(
        io.BytesIO(csv_bytes(_lagging_file())), sep=";", decimal=",", dtype={"Mã xã": str}
    )
    assert vietnamese.columns[0] == "Mã xã"  # pandas drops the BOM itself
    assert vietnamese["Mức chậm"].tolist() == [1.267, 0.5]


def test_csv_refuses_an_unknown_convention():
    with pytest.raises(ValueError, match="unknown CSV convention 'fr'"):
        csv_bytes(_lagging_file(), convention="fr")


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers():
    frame = pd.DataFrame(
        {
            "Xã": ["=1+1", "Xã Tân Mỹ"],
            "Số": pd.array([11, None], dtype="Int64"),
            "Mức": [1.267, 0.5],
        }
    )
    data = xlsx_bytes(
        frame, sheet_name="Xã chậm tiến độ / 2019", title_lines=["Tiêu đề", "Ghi chú"]
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Xã chậm tiến độ _ 2019"
    assert sheet["A1"].value == "Tiêu đề" and sheet["A1"].font.bold
    assert [c.value for c in sheet[4]] == ["Xã", "Số", "Mức"]
    assert sheet["A5"].value == "=1+1" and sheet["A5"].data_type == "s"  # text, not a formula
    assert sheet["B5"].value == 11 and sheet["C5"].value == 1.267
    assert sheet["B6"].value is None
    assert sheet.freeze_panes == "A5"
