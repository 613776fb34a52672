"""The vintage of an imported file, and the optional per-criterion columns of an NTM file."""

from __future__ import annotations

import pandas as pd
import pytest
from test_templates import load, save

from geo.figures.auth import Planner
from geo.figures.importing import UnreadableFileError, import_file
from geo.figures.importing.vintage import VintageEvidence, detect_vintage, resolve_vintage
from geo.figures.store import Store
from geo.figures.templates import (
    criterion_columns,
    template_communes,
    template_file_name,
    template_workbook,
)


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _error(data: bytes, **options: object) -> UnreadableFileError:
    with pytest.raises(UnreadableFileError) as caught:
        import_file(data, file_name="bieu.xlsx", **options)  # type: ignore[arg-type]
    return caught.value


# --- telling the vintage ------------------------------------------------------------------------


def test_codes_with_their_names_tell_the_vintage():
    # 04795 is Phường Thịnh Lang before 1 July 2025 and Phường Hòa Bình after.
    assert detect_vintage([("04795", "Phường Hòa Bình")]).vintage == "2025"
    assert detect_vintage([("4795", "Phường Thịnh Lang")]).vintage == "2020-2025"
    # 04831: Thị trấn Đà Bắc before, Xã Đà Bắc after; the type decides.
    assert detect_vintage([("04831", "Xã Đà Bắc")]).vintage == "2025"
    assert detect_vintage([("04831", "Thị trấn Đà Bắc")]).vintage == "2020-2025"
    # A code alone that both have, names without codes, rows both ways: undecided.
    assert detect_vintage([("04795", "")]).vintage is None
    assert detect_vintage([("", "Xã Mai Châu")]).vintage is None
    both = detect_vintage([("04795", "Phường Hòa Bình"), ("05233", "Xã Tòng Đậu")])
    assert both.vintage is None
    assert both.codes_of("2025") == ("04795",) and both.codes_of("2020-2025") == ("05233",)


def test_a_file_is_read_under_its_codes_vintage_and_the_report_says_so():
    new = _csv("Mã xã,Tên xã,Kinh tế", "04795,Phường Hòa Bình,3", "05200,Xã Mai Châu,1")
    report = import_file(new, family="models", period=2025)
    assert (report.vintage, report.vintage_source) == ("2025", "codes")
    assert report.accepted["commune_code"].tolist() == ["04795", "05200"]
    assert report.stored_as("vi").startswith(
        "Lưu theo địa giới từ 1/7/2025 (không có cấp huyện), nhận ra từ mã xã trong tệp"
    )
    old = _csv("Mã xã,Tên xã,Kinh tế", "4795,Phường Thịnh Lang,3")
    report = import_file(old, family="models", period=2024)
    assert (report.vintage, report.vintage_source) == ("2020-2025", "codes")
    # Names only: the period's units.
    names = _csv("Tên xã,Kinh tế", "Xã Mai Châu,2")
    report = import_file(names, family="models", period=2026)
    assert (report.vintage, report.vintage_source) == ("2025", "period")
    assert report.summary()["vintage_source"] == "period"


def test_a_template_says_its_vintage_and_has_no_district_column_in_2025():
    communes = template_communes("2025")
    assert len(communes) == 148 and "district_name" not in communes.columns
    book = load(template_workbook("ntm", communes=communes, period=2026))
    data = book.worksheets[0]
    keys = [c.value for c in data[4]]
    assert keys[:5] == ["commune_code", "commune_name", "ntm_level", "ntm_year", "criteria_met"]
    assert keys[5:] == [f"criterion_{n}" for n in range(1, 11)]
    notes = [row[0] for row in book.worksheets[1].iter_rows(values_only=True) if row[0]]
    assert (
        "• Mẫu này dùng địa giới từ 1/7/2025 (không có cấp huyện); khi nhập, bộ địa giới "
        "được lấy từ mẫu." in notes
    )
    assert template_file_name("ntm", 2026, "2025") == "mau_ntm_2026_dia_gioi_2025.xlsx"
    old = load(template_workbook("ntm", communes=template_communes("2020-2025"), period=2024))
    assert [c.value for c in old.worksheets[0][4]][2] == "district_name"


def test_an_untouched_2025_template_imports_nothing_and_a_filled_one_exactly():
    data = template_workbook("ntm", communes=template_communes("2025"), period=2026)
    report = import_file(data, family="ntm", period=2026)
    assert (len(report.accepted), len(report.rejected), len(report.warnings)) == (0, 0, 0)
    book = load(data)
    ws = book.worksheets[0]
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "05200")
    ws.cell(row, 3, "Chưa đạt")
    ws.cell(row, 5, 2)
    ws.cell(row, 6, "Đạt")  # criterion 1
    ws.cell(row, 7, "Chưa đạt")
    ws.cell(row, 8, "Đạt")
    report = import_file(save(book), family="ntm", period=2026)
    assert (report.vintage, report.vintage_source, report.criteria_set) == (
        "2025",
        "template",
        "2026-2030",
    )
    accepted = report.accepted.iloc[0]
    assert accepted["commune_code"] == "05200" and accepted["criteria_met"] == 2
    assert [accepted[f"criterion_{n}"] for n in (1, 2, 3)] == [True, False, True]
    assert pd.isna(accepted["criterion_4"])


# --- conflicts ----------------------------------------------------------------------------------


def test_a_2025_template_with_2020_2025_codes_is_an_error_naming_the_codes():
    # A template that says 2025 but lists the 2020–2025 communes (edited by hand); 04792 is the
    # same ward before and after, so it is not named.
    communes = template_communes("2020-2025").head(3).assign(vintage="2025")
    book = load(template_workbook("models", communes=communes, period=2025))
    book.worksheets[0].cell(5, 4, 4)
    error = _error(save(book), family="models", period=2025)
    assert error.key == "importer.error.vintage_template"
    assert error.text("vi") == (
        "bieu.xlsx: tệp ghi là mẫu cho địa giới từ 1/7/2025 (không có cấp huyện), nhưng mã "
        "04789, 04795 chỉ có trong địa giới 2020–2025 (có cấp huyện). Hãy tải mẫu đúng bộ "
        "địa giới hoặc sửa lại mã."
    )


def test_a_2025_template_with_one_row_of_an_old_code_rejects_that_row():
    book = load(template_workbook("models", communes=template_communes("2025"), period=2025))
    ws = book.worksheets[0]
    ws.cell(5, 1, "05233")
    ws.cell(5, 2, "Xã Tòng Đậu")
    ws.cell(5, 3, 4)
    ws.cell(6, 3, 1)
    report = import_file(save(book), family="models", period=2025)
    assert (report.vintage, report.vintage_source) == ("2025", "template")
    assert report.rejected[["source_row", "column"]].values.tolist() == [[5, "commune_code"]]
    assert len(report.accepted) == 1


def test_a_choice_the_file_contradicts_is_an_error():
    template = template_workbook("land", communes=template_communes("2020-2025"), period=2024)
    error = _error(template, family="land", period=2024, vintage="2025")
    assert error.key == "importer.error.vintage_choice_template"
    codes = ("05233", "4813", "04834", "4792")  # 04792 is the same ward before and after
    old = _csv("Mã xã,Tên xã,Kinh tế", *(f"{c},,1" for c in codes))
    error = _error(old, family="models", period=2024, vintage="2025")
    assert error.key == "importer.error.vintage_choice_codes"
    assert error.text("en") == (
        "bieu.xlsx: it is being imported as the 2025 units (no districts), but the code(s) "
        "05233, 04813, 04834 exist only in the 2020–2025 units (with districts). Choose the "
        "2020–2025 units (with districts) or correct the codes."
    )
    column = _csv("Mã xã,Bộ địa giới,Kinh tế", "05233,2025,1")
    assert _error(column, family="models", period=2025).key == "importer.error.vintage_column"


def test_more_than_five_codes_are_counted_not_listed():
    codes = tuple(f"0{4800 + n}" for n in range(10))
    evidence = VintageEvidence("2025", "template", "2020-2025", {"2020-2025": codes})
    with pytest.raises(UnreadableFileError) as caught:
        resolve_vintage(evidence, chosen=None, period=2026, file_name="f.xlsx")
    assert "04800, 04801, 04802, 04803, 04804 and 5 more exist only" in caught.value.text("en")
    assert "04800, 04801, 04802, 04803, 04804 và 5 mã khác chỉ có" in caught.value.text("vi")


def test_figures_of_2026_on_2020_2025_codes_are_an_error_with_the_reason():
    old = _csv("Mã xã,Tên xã,Mức đạt NTM", "05233,Xã Tòng Đậu,Chưa đạt")
    error = _error(old, family="ntm", period=2026)
    assert error.key == "importer.error.vintage_period"
    assert error.text("en").startswith(
        "bieu.xlsx: figures of period 2026 belong on the 2025 units (no districts) (from period "
        "2025 on, figures are by the new communes), not on the 2020–2025 units (with districts)."
    )
    new = _csv("Mã xã,Tên xã,Kinh tế", "04795,Phường Hòa Bình,3")
    assert _error(new, family="models", period=2024).key == "importer.error.vintage_period"


# --- per-criterion columns ----------------------------------------------------------------------


def test_met_values_and_the_tick_convention():
    data = _csv(
        "Mã xã,Mức đạt NTM,Số tiêu chí đạt,Tiêu chí 1,TC2,TC 3,criterion 4,Tiêu chí số 5,TC6",
        "05233,Chưa đạt,3,1,0,đạt,không đạt,có,Không",
        "04813,Chưa đạt,2,x,,x,,,",
        "04834,Chưa đạt,1,yes,no,,,,",
    )
    report = import_file(data, family="ntm", period=2024)
    assert report.rejected.empty, report.rejected.to_dict("records")
    table = report.accepted.set_index("commune_code")
    columns = [f"criterion_{n}" for n in range(1, 7)]
    assert table.loc["05233", columns].tolist() == [True, False, True, False, True, False]
    # Ticked with x: the blanks of the row are not met.
    assert table.loc["04813", columns].tolist() == [True, False, True, False, False, False]
    # Written 1/0 (yes/no): a blank is not known.
    assert table.loc["04834", columns].isna().tolist() == [False, False, True, True, True, True]
    assert report.warnings == [] or all(
        w.key == "importer.warn.missing_columns" for w in report.warnings
    )


def test_a_criterion_named_by_its_name_in_the_period_set():
    header = "Mã xã,Mức đạt NTM,Số tiêu chí đạt,Giao thông,Hạ tầng kinh tế - xã hội"
    data = _csv(header, "05233,Chưa đạt,4,Đạt,")
    report = import_file(data, family="ntm", period=2024)
    # Criterion 2 of the 2021–2025 set; the 2026–2030 set's name is not one of its criteria.
    assert report.accepted["criterion_2"].tolist() == [True]
    assert [w.values.get("header") for w in report.warnings if w.values.get("header")] == [
        "Hạ tầng kinh tế - xã hội"
    ]
    data = _csv(header, "05200,Chưa đạt,4,,Chưa đạt")
    report = import_file(data, family="ntm", period=2026)
    assert report.accepted["criterion_2"].tolist() == [False]


def test_a_criterion_column_beyond_the_set_is_an_error_naming_it():
    data = _csv("Mã xã,Mức đạt NTM,Số tiêu chí đạt,TC 11", "05200,Chưa đạt,4,x")
    error = _error(data, family="ntm", period=2026)
    assert error.key == "importer.error.criterion_column"
    assert error.text("vi") == (
        "bieu.xlsx: cột “TC 11” (ô D1) là tiêu chí 11, nhưng bộ tiêu chí 2026–2030 chỉ có 10 "
        "tiêu chí. Hãy bỏ cột đó hoặc tải mẫu của kỳ này."
    )
    # The 19-criteria sets have a criterion 11.
    data = _csv("Mã xã,Mức đạt NTM,Số tiêu chí đạt,TC 11", "05233,Chưa đạt,4,x")
    assert import_file(data, family="ntm", period=2024).accepted["criterion_11"].tolist() == [True]


def test_a_met_value_not_understood_is_rejected_with_row_column_and_value():
    data = _csv("Mã xã,Mức đạt NTM,Số tiêu chí đạt,TC 1,TC 2", "05200,Chưa đạt,1,x,", "04846,,,?,1")
    report = import_file(data, family="ntm", period=2026)
    assert report.accepted["commune_code"].tolist() == ["05200"]
    rejected = report.rejected.iloc[0]
    assert (rejected["source_row"], rejected["column"], rejected["value"]) == (
        3,
        "criterion_1",
        "?",
    )
    assert rejected["reason_vi"].startswith("Cột “Tiêu chí 1”: phải là đạt (1, x, đạt, có, yes)")


def test_criteria_met_must_agree_with_the_criteria_ticked():
    data = _csv(
        "Mã xã,Mức đạt NTM,Số tiêu chí đạt,TC1,TC2,TC3",
        "05200,Chưa đạt,1,x,x,",  # two met, one stated: rejected
        "04846,Chưa đạt,5,x,x,",  # two of three known; five may be so
        "04849,Chưa đạt,12,,,",  # above the 10 criteria of the set
    )
    report = import_file(data, family="ntm", period=2026)
    rejected = report.rejected.set_index("source_row")
    assert rejected.loc[2, "column"] == "criteria_met"
    assert rejected.loc[2, "reason_en"] == (
        "Column “Criteria met”: the per-criterion columns count 2 criteria met (3 given, the set "
        "has 10), not this number"
    )
    assert "above the 10 criteria of the 2026–2030 criteria set" in rejected.loc[4, "reason_en"]
    assert report.accepted["commune_code"].tolist() == ["04846"]


def test_all_criteria_given_must_sum_to_criteria_met():
    header = "Mã xã,Mức đạt NTM,Số tiêu chí đạt," + ",".join(f"TC{n}" for n in range(1, 11))
    data = _csv(header, "05200,Chưa đạt,9," + ",".join(["1"] * 8 + ["0", "0"]))
    report = import_file(data, family="ntm", period=2026)
    assert report.rejected["column"].tolist() == ["criteria_met"]
    data = _csv(header, "05200,Chưa đạt,8," + ",".join(["1"] * 8 + ["0", "0"]))
    assert len(import_file(data, family="ntm", period=2026).accepted) == 1


def test_per_criterion_columns_are_stored_and_read_back(tmp_path):
    data = _csv("Mã xã,Mức đạt NTM,Số tiêu chí đạt,TC1,TC2", "05200,Chưa đạt,1,x,")
    report = import_file(data, family="ntm", period=2026)
    store = Store(f"sqlite:///{tmp_path / 'atlas.sqlite'}")
    try:
        store.ensure_seeded()
        batch = store.import_report(report, user=Planner("lan", "password"))
        rows = store.batch_rows(batch.id)
        assert rows[["criterion_1", "criterion_2"]].iloc[0].tolist() == [True, False]
        current = store.current_table("ntm").query("period == 2026 and commune_code == '05200'")
        assert current["criterion_1"].tolist() == [True]
        assert "criterion_3" not in current.columns  # no value anywhere: not a column
    finally:
        store.dispose()


def test_template_criterion_columns_follow_the_set():
    assert [c.name for c in criterion_columns(2024)][-1] == "criterion_19"
    assert len(criterion_columns(2026)) == 10 and criterion_columns(1999) == ()
