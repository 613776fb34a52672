"""NTM criteria sets as data, and the checks of NTM figures against the set of their period."""

from __future__ import annotations

import io

import pytest
from messy_files import Table, to_csv

from geo.errors import DataError
from geo.figures import criteria as cr
from geo.figures import indicators as ind
from geo.figures.importing import import_file

HEADER = "commune_code,period,vintage,ntm_level,ntm_year,criteria_met"


def _read(lines: list[str], header: str = HEADER) -> object:
    return ind.read_family(io.StringIO("\n".join([header, *lines]) + "\n"), ind.NTM, source="t.csv")


def test_sets_load_with_counts_and_documents():
    by_id = {s.id: s for s in cr.criteria_sets()}
    assert {i: s.count for i, s in by_id.items()} == {
        "2010-2015": 19,
        "2016-2020": 19,
        "2021-2025": 19,
        "2026-2030": 10,
    }
    assert by_id["2016-2020"].document.number == "1980/QĐ-TTg"
    assert by_id["2016-2020"].document.date == "2016-10-17"
    assert by_id["2021-2025"].document.number == "318/QĐ-TTg"
    assert [d.number for d in by_id["2021-2025"].level_documents] == ["318/QĐ-TTg", "319/QĐ-TTg"]
    newest = by_id["2026-2030"]
    assert (newest.document.number, newest.document.date) == ("51/2025/QĐ-TTg", "2025-12-29")
    assert newest.indicators_count == 47 and newest.levels == ("not_yet", "ntm", "modern")
    # Every set names where its facts come from.
    assert all(
        s.sources and all(url.startswith("http") for url, _ in s.sources) for s in by_id.values()
    )


def test_criteria_names_differ_between_sets():
    assert cr.criteria_set_for(2019).criterion(11).name_vi == "Hộ nghèo"
    assert cr.criteria_set_for(2022).criterion(11).name_vi == "Nghèo đa chiều"
    assert cr.criteria_set_for(2022).criterion(3).name_vi == "Thủy lợi và phòng, chống thiên tai"
    assert cr.criteria_set_for(2026).criterion(7).name_vi == "Khoa học công nghệ và chuyển đổi số"
    assert cr.criteria_set_for(2026).criterion(11) is None


def test_period_lookup_and_same_set():
    assert [cr.criteria_set_for(y).id for y in (2015, 2016, 2020, 2021, 2025, 2026, 2030)] == [
        "2010-2015", "2016-2020", "2016-2020", "2021-2025", "2021-2025", "2026-2030", "2026-2030",
    ]  # fmt: skip
    assert cr.criteria_set_for(2009) is None and cr.criteria_set_for(2031) is None
    assert cr.same_set(2019, 2020) and not cr.same_set(2020, 2021) and not cr.same_set(2024, 2026)
    assert not cr.same_set(2000, 2001)  # no set: nothing to compare against


def test_criteria_text_in_both_languages():
    assert cr.criteria_text(8, 2026, "vi") == "đạt 8/10 tiêu chí (bộ tiêu chí 2026–2030)"
    assert cr.criteria_text(8, 2026, "en") == "8/10 criteria met (2026–2030 criteria set)"
    assert cr.criteria_text(15, 2024) == "đạt 15/19 tiêu chí (bộ tiêu chí 2021–2025)"
    assert cr.criteria_text(float("nan"), 2024) == "" and cr.criteria_text(5, 1990) == ""


def test_criteria_above_the_set_count_is_rejected_with_row_and_reason():
    with pytest.raises(DataError) as caught:
        _read(["05200,2026,2025,not_yet,,9", "04828,2026,2025,not_yet,,12"])
    assert caught.value.where == "row 3, column criteria_met"
    assert "above the 10 criteria of the 2026-2030 set (51/2025/QĐ-TTg)" in str(caught.value)
    # The same 12 is fine in 2024 (19 criteria).
    assert _read(["04828,2024,2020-2025,not_yet,,12"]).loc[0, "criteria_met"] == 12


def test_ntm_commune_meets_all_criteria_of_its_set():
    assert _read(["05200,2026,2025,ntm,2026,10"]).loc[0, "criteria_met"] == 10
    with pytest.raises(DataError, match="meets all 10 criteria of the 2026-2030 set"):
        _read(["05200,2026,2025,ntm,2026,9"])


def test_level_unknown_to_the_set_is_rejected():
    with pytest.raises(DataError) as caught:
        _read(["05200,2026,2025,advanced,2020,10"])
    assert caught.value.where == "row 2, column ntm_level"
    assert "not in the 2026-2030 set, which knows not_yet, ntm, modern" in str(caught.value)
    with pytest.raises(DataError, match="not in the 2021-2025 set"):
        _read(["04828,2024,2020-2025,modern,2020,19"])
    assert str(_read(["05200,2026,2025,modern,2020,10"]).loc[0, "ntm_level"]) == "modern"


def test_per_criterion_columns_are_read_and_checked():
    header = HEADER + ",criterion_1,criterion_10"
    table = _read(["05200,2026,2025,not_yet,,9,x,chưa đạt", "04828,2026,2025,not_yet,,9,,"], header)
    assert table["criterion_1"].tolist()[0] is True and table["criterion_10"].tolist()[0] is False
    assert table["criterion_1"].isna().tolist() == [False, True]
    with pytest.raises(DataError, match="criterion 11 is not in the 2026-2030 set, which has 10"):
        _read(["05200,2026,2025,not_yet,,9,x"], HEADER + ",criterion_11")
    with pytest.raises(DataError, match="expected met or not met"):
        _read(["05200,2026,2025,not_yet,,9,maybe"], HEADER + ",criterion_1")


def test_import_of_a_2026_file_rejects_criteria_above_the_count():
    table = Table(
        rows=[
            ["Mã xã", "Tên xã", "Mức đạt NTM", "Năm đạt chuẩn", "Số tiêu chí đạt"],
            ["04828", "Phường Thống Nhất", None, None, None],
            ["05200", "Xã Mai Châu", "Chưa đạt", None, 12],
        ]
    )
    report = import_file(to_csv(table), family="ntm", period=2026, vintage="2025")
    rejected = report.rejected.set_index("source_row")
    assert rejected.loc[3, "column"] == "criteria_met"
    assert rejected.loc[3, "reason_vi"] == (
        "Cột “Số tiêu chí đạt”: số tiêu chí đạt vượt quá 10 tiêu chí của bộ tiêu chí 2026–2030"
    )
    assert "above the 10 criteria of the 2026–2030 criteria set" in rejected.loc[3, "reason_en"]


def test_template_of_2026_offers_the_set_levels_and_count():
    import openpyxl
    import pandas as pd

    from geo.figures.templates import template_workbook

    small = pd.DataFrame({"commune_code": ["05200"], "commune_name": ["Xã Mai Châu"]})
    book = openpyxl.load_workbook(io.BytesIO(template_workbook("ntm", communes=small, period=2026)))
    rules = {str(v.sqref): v for v in book.worksheets[0].data_validations.dataValidation}
    formulas = sorted((v.formula1, v.formula2) for v in rules.values())
    assert ('"Chưa đạt,Đạt chuẩn NTM,NTM hiện đại (thí điểm)"', None) in formulas
    assert ("0", "10") in formulas
