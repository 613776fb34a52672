"""Importing planners' spreadsheets: messy layouts, every format, matching, validation, report.

Headers, number reading and unusable files have their own files: ``test_importing_*.py``.
"""

from __future__ import annotations

import hashlib
import io
import json

import openpyxl
import pandas as pd
import pytest
from messy_files import (
    FORMATS,
    MODELS_ACCEPTED,
    MODELS_MESSY,
    MODELS_REJECTED,
    MODELS_SKIPPED,
    Table,
    nfd,
    to_csv,
    to_xlsx,
    write,
)

from geo.figures import indicators as ind
from geo.figures.importing import (
    ImportReport,
    UnreadableFileError,
    convert_codes_2025,
    import_file,
    rejected_workbook,
)


def rows_of(frame: pd.DataFrame) -> list[int]:
    return sorted(set(frame["source_row"].astype(int)))


# --- one messy file, every format ----------------------------------------------------------------


@pytest.fixture(params=list(FORMATS), scope="module")
def messy(request) -> tuple[str, ImportReport]:
    """The province office's "Dân vận khéo" report, written in one format and imported."""
    fmt = request.param
    data = write(MODELS_MESSY, fmt)
    report = import_file(data, family="models", period=2024, file_name=f"bieu.{fmt}")
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    return fmt, report


def test_every_good_row_is_accepted_with_its_figures(messy):
    _, report = messy
    accepted = report.accepted.set_index("source_row")
    assert sorted(accepted.index) == sorted(MODELS_ACCEPTED)
    for row, (code, *figures) in MODELS_ACCEPTED.items():
        got = accepted.loc[row]
        assert got["commune_code"] == code
        assert [int(got[c]) for c in (*ind.FIELD_COLUMNS.values(), "models_replicated")] == (
            figures[:5]
        )
        assert int(got["population"]) == figures[5]
    assert set(report.accepted["period"]) == {2024}
    assert set(report.accepted["vintage"]) == {"2020-2025"}


def test_every_bad_row_is_explained_with_row_and_column(messy):
    _, report = messy
    assert dict(zip(report.rejected["source_row"], report.rejected["column"], strict=True)) == (
        MODELS_REJECTED
    )
    by_row = report.rejected.set_index("source_row")
    assert by_row.loc[16, "value"] == "x"
    assert "số nguyên" in by_row.loc[16, "reason_vi"]
    assert "whole number" in by_row.loc[16, "reason_en"]
    assert "nhân rộng" in by_row.loc[19, "reason_vi"]
    # An unknown name is never guessed: rejected with the closest communes of its district.
    assert "Xã Không Có" in by_row.loc[20, "reason_en"]
    assert "Thành phố Hòa Bình" in by_row.loc[20, "reason_en"]
    assert "(Thành phố Hòa Bình, 04" in by_row.loc[20, "reason_en"]
    assert all(by_row["reason_vi"] != by_row["reason_en"])


def test_titles_headers_subtotals_and_notes_are_skipped_never_counted(messy):
    _, report = messy
    assert dict(zip(report.skipped["source_row"], report.skipped["reason_en"], strict=True)) == (
        MODELS_SKIPPED
    )
    skipped = report.skipped.set_index("source_row")
    assert skipped.loc[7, "text"] == "Tổng cộng"
    assert skipped.loc[8, "text"] == "Huyện Lạc Sơn"
    assert skipped.loc[17, "reason_vi"] == "Dòng cộng nhóm (không phải xã)"


def test_every_row_is_accounted_for_exactly_once(messy):
    _, report = messy
    groups = [rows_of(report.accepted), rows_of(report.rejected), rows_of(report.skipped)]
    everything = [row for group in groups for row in group]
    assert sorted(everything) == list(range(1, len(MODELS_MESSY.rows) + 1))


def test_totals_equal_the_file_without_subtotal_rows(messy):
    _, report = messy
    # The file's total row says 13 economy models for all communes; the accepted rows hold
    # the 10 of the communes that passed (3 more are in rejected rows 16, 19, 20).
    assert int(report.accepted["models_economy"].sum()) == 10
    assert int(report.accepted["population"].sum()) == 4521 + 3210 + 1234 + 2500 + 1800 + 9000


def test_subtotal_that_disagrees_is_a_warning(messy):
    _, report = messy
    subtotal = [w for w in report.warnings if w.key == "importer.warn.subtotal"]
    assert [w.where for w in subtotal] == ["row 17, column population"]
    assert "5,300" in subtotal[0].text("en") and "5,200" in subtotal[0].text("en")
    assert "5.300" in subtotal[0].text("vi") and "5.200" in subtotal[0].text("vi")
    assert subtotal[0].severity == "warning"


def test_encoding_is_detected_and_legacy_text_converted(messy):
    fmt, report = messy
    assert report.encoding == FORMATS[fmt]
    legacy = [w for w in report.warnings if w.key == "importer.warn.legacy"]
    assert bool(legacy) == ("tcvn3" in fmt or "vni" in fmt)
    # TCVN3 / VNI text comes out as proper Vietnamese.
    skipped = report.skipped.set_index("source_row")
    assert skipped.loc[13, "text"] == "Huyện Mai Châu"
    assert skipped.loc[1, "text"] == "UBND TỈNH HÒA BÌNH"
    assert skipped.loc[23, "text"].startswith("Hòa Bình, ngày 15 tháng 1")


def test_accepted_has_exactly_the_family_columns_and_types(messy):
    _, report = messy
    canonical = ind.read_family(
        io.StringIO(ind.family_csv_text(report.accepted, "models")), "models"
    )
    assert list(report.accepted.columns) == [*ind.FAMILIES["models"].column_names, "source_row"]
    assert report.accepted.drop(columns="source_row").dtypes.to_dict() == (
        canonical.dtypes.to_dict()
    )
    pd.testing.assert_frame_equal(report.accepted.drop(columns="source_row"), canonical)


def test_report_basics(messy):
    fmt, report = messy
    assert len(report.sha256) == 64
    assert report.file_name == f"bieu.{fmt}"
    assert (report.family, report.period, report.vintage) == ("models", 2024, "2020-2025")
    summary = report.summary()
    json.dumps(summary)  # JSON-serialisable
    assert summary["counts"] == {
        "accepted": 6,
        "rejected": 3,
        "rejected_problems": 3,
        "skipped": len(MODELS_SKIPPED),
    }
    assert [r["source_row"] for r in summary["rejected"]] == [16, 19, 20]
    assert summary["rejected"][0]["problems"][0]["column"] == "models_defence_security"


# --- land: codes, district column, numbers, rules ------------------------------------------------

LAND = Table(
    rows=[
        ["SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", *[None] * 6],
        [
            "Mã ĐVHC",
            "Xã, phường, thị trấn",
            "Đơn vị hành chính cấp huyện",
            "Diện tích đã DĐĐT (ha)",
            "Kế hoạch (ha)",
            "Trạng thái",
            "Năm hoàn thành",
        ],
        [5233, "Xã Tòng Đậu", "Huyện Mai Châu", "1.234,5", "2.000", "Đang thực hiện", None],
        [4813, "Yên Mông", "TP Hòa Bình", "12 ha", "12 ha", "Hoàn thành", 2023],
        ["5212", "Xã Hang Kia", "Mai Châu", "1,5", "40", "Đang triển khai", None],
        [5209, "Xã Pà Cò", "Mai Châu", "50", "40", None, None],
        [5221, "Xã Đồng Tân", "Mai Châu", "0", "40", "Chưa thực hiện", None],
        [5227, "Xã Bao La", "Mai Châu", "45", "40", "Đang thực hiện", None],
        [99999, "Xã Ma", "Mai Châu", "1", "2", "Đang thực hiện", None],
        [5242, "Xã Tòng Đậu", "Mai Châu", "1", "2", "Đang thực hiện", None],
        [5224, "Xã Cun Pheo", "Lạc Sơn", "1", "2", "Đang thực hiện", None],
        [5245, "Xã Xăm Khòe", "Mai Châu", "-3", "2", "Xong", None],
        [None, "Tổng cộng", None, "1.400", "2.180", None, None],
    ]
)


@pytest.fixture(params=["xlsx", "csv-utf-8", "csv-cp1258"], scope="module")
def land(request) -> ImportReport:
    return import_file(write(LAND, request.param), family="land", period=2024, file_name="dd.x")


def test_land_numbers_codes_and_statuses(land):
    accepted = land.accepted.set_index("source_row")
    assert sorted(accepted.index) == [3, 4, 5, 7]
    assert accepted.loc[3, "commune_code"] == "05233"  # 5233 → 05233
    assert accepted.loc[3, "land_done_ha"] == 1234.5  # "1.234,5"
    assert accepted.loc[3, "land_planned_ha"] == 2000.0  # "2.000"
    assert accepted.loc[4, "land_done_ha"] == 12.0  # "12 ha"
    assert accepted.loc[5, "land_done_ha"] == 1.5  # "1,5"
    assert list(accepted["land_status"].astype(str)) == [
        "in_progress",
        "done",
        "in_progress",
        "not_started",
    ]
    assert accepted.loc[4, "land_year"] == 2023


def test_land_rules_and_code_checks(land):
    reasons = {
        (row, column): text
        for row, column, text in zip(
            land.rejected["source_row"],
            land.rejected["column"],
            land.rejected["reason_en"],
            strict=True,
        )
    }
    assert "status is not Done" in reasons[(6, "land_done_ha")]  # done > planned, no status
    assert "In progress needs" in reasons[(8, "land_done_ha")]  # done above planned
    assert "99999 is not a commune of Tỉnh Hòa Bình" in reasons[(9, "commune_code")]
    assert "05242 is Xã Nà Phòn" in reasons[(10, "commune_name")]  # code and name disagree
    assert "not in Huyện Lạc Sơn" in reasons[(11, "district_name")]
    assert "from 0 to 200,000" in reasons[(12, "land_done_ha")]  # negative area
    assert len(reasons) == 6


def test_land_total_row_is_checked_against_all_commune_rows(land):
    warnings = {w.where: w.text("en") for w in land.warnings}
    # 1234.5 + 12 + 1.5 + 50 + 0 + 45 + 1 + 1 + 1 - 3 = 1343 ≠ 1400; planned adds up to 2222.
    assert "1,343" in warnings["row 13, column land_done_ha"]
    assert "row 13, column land_planned_ha" not in warnings


# --- NTM: categories, urban units, duplicates, ambiguous names -----------------------------------

NTM = Table(
    rows=[
        ["TT", "Tên xã", "Huyện", "Mức đạt NTM", "Năm đạt chuẩn", "Số tiêu chí đạt"],
        [1, "Xã Tòng Đậu", "Mai Châu", "Đạt chuẩn", 2018, 19],
        [2, "Xã Hang Kia", "Mai Châu", "Chưa đạt", None, 15],
        [3, "Xã Pà Cò", "Mai Châu", "Nâng cao", 2017, 19],
        [4, "Xã Đồng Tân", "Mai Châu", "Kiểu mẫu", 2016, 19],
        [5, "Xã Bao La", "Mai Châu", "Chưa đạt", None, 20],
        [6, "Thị trấn Mai Châu", "Mai Châu", "Đạt chuẩn", 2019, 19],
        [7, "Xã Đoàn Kết", None, "Chưa đạt", None, 12],
        [8, "Xã Đoàn Kết", "Yên Thủy", "Chưa đạt", None, 12],
        [9, "Xa Na Phon", "Mai Châu", "Chưa đạt", None, 10],
        [10, "Xã Quý Hòa", "Mai Châu", "Chưa đạt", None, 10],
        [11, "Xã Hoà Sơn", "Lương Sơn", "Chưa đạt", None, 11],
        [12, "Xã Hòa Sơn", "Lương Sơn", "Chưa đạt", None, 12],
        [13, "Xã Ngọc Mỹ", "Tân Lạc", "NTM", 2030, 19],
        [14, "Xã Nà Phòn", "Mai Châu", "Giỏi", None, 19],
        [15, "Phường Thái Bình", "TP Hòa Bình", "Không áp dụng", None, None],
    ]
)


@pytest.fixture(scope="module")
def ntm() -> ImportReport:
    return import_file(to_csv(NTM), family="ntm", period=2024, file_name="ntm.csv")


def test_ntm_levels_in_vietnamese(ntm):
    accepted = ntm.accepted.set_index("source_row")
    assert dict(accepted["ntm_level"].astype(str)) == {
        2: "ntm",
        3: "not_yet",
        4: "advanced",
        5: "model",
        9: "not_yet",
        10: "not_yet",
    }
    assert accepted.loc[9, "commune_code"] == "05380"  # Đoàn Kết of Yên Thủy


def test_ntm_problems(ntm):
    reasons = {
        row: (column, text)
        for row, column, text in zip(
            ntm.rejected["source_row"],
            ntm.rejected["column"],
            ntm.rejected["reason_en"],
            strict=True,
        )
    }
    assert reasons[6] == (
        "criteria_met",
        "Column “Criteria met”: expected a whole number from 0 to 19",
    )
    assert reasons[7][0] == "ntm_level" and "ward or town" in reasons[7][1]
    # Two communes are called Đoàn Kết: without a district the row is not guessed.
    assert reasons[8][0] == "commune_name"
    assert "Huyện Đà Bắc, 04858" in reasons[8][1] and "Huyện Yên Thủy, 05380" in reasons[8][1]
    assert "Huyện Lạc Sơn, 05269" in reasons[11][1]  # in another district
    # Hoà Sơn and Hòa Sơn are one commune: both rows are rejected.
    assert "row 13" in reasons[12][1] and "row 12" in reasons[13][1]
    assert "after the period" in reasons[14][1]
    assert reasons[15][0] == "ntm_level" and ntm.rejected.iloc[-1]["value"] == "Giỏi"
    assert "Đạt chuẩn NTM, NTM nâng cao" in ntm.rejected.iloc[-1]["reason_vi"]
    assert rows_of(ntm.skipped) == [1, 16]  # header; a phường marked "Không áp dụng"


def test_ascii_names_match_with_a_warning(ntm):
    assert [(w.where, w.key) for w in ntm.warnings] == [("row 10", "importer.warn.ascii_match")]
    assert "Xã Nà Phòn" in ntm.warnings[0].text("vi")


# --- named models --------------------------------------------------------------------------------


def test_named_models():
    table = Table(
        rows=[
            ["Mã xã", "Tên mô hình", "Lĩnh vực", "Năm công nhận", "Nhân rộng"],
            ["05233", "Địa bàn không có ma túy", "QP-AN", 2009, "x"],
            ["05233", "Phụ nữ tiết kiệm", "Văn hóa - xã hội", 2017, None],
            ["05212", "Tổ tự quản", "Hệ thống chính trị", 2030, "có"],
            ["05212", "Nuôi ong", "Nông nghiệp", 2020, "?"],
            ["05212", "", "Kinh tế", None, None],
        ]
    )
    report = import_file(to_xlsx(table), family="named_models", period=2024)
    assert report.accepted[["model_name", "field", "replicated", "provenance"]].astype(
        str
    ).values.tolist() == [
        ["Địa bàn không có ma túy", "defence_security", "True", "imported"],
        ["Phụ nữ tiết kiệm", "culture_society", "False", "imported"],
    ]
    assert report.rejected[["source_row", "column"]].values.tolist() == [
        [4, "year_recognised"],
        [5, "field"],
        [5, "replicated"],
        [6, "model_name"],
    ]
    assert report.warnings == []


# --- layouts -------------------------------------------------------------------------------------


def test_footer_names_the_district_of_the_rows_above():
    table = Table(
        rows=[
            ["Tên xã", "Kinh tế", "VH-XH"],
            ["Văn Sơn", 1, 2],
            ["Quý Hòa", 2, 2],
            ["Cộng huyện Lạc Sơn", 3, 4],
            ["Tòng Đậu", 1, 1],
            ["Cộng: Mai Châu", 2, 1],
        ]
    )
    report = import_file(to_csv(table), family="models", period=2024)
    assert report.accepted["commune_code"].tolist() == ["05284", "05269", "05233"]
    assert [w.where for w in report.warnings if w.key == "importer.warn.subtotal"] == [
        "row 6, column models_economy"
    ]


def test_english_and_canonical_headers_period_and_vintage_columns():
    table = Table(
        rows=[
            ["commune_code", "period", "vintage", "Economy", "Population"],
            ["04789", 2024, "2020-2025", 3, "1.234"],
            ["04792", 2023, "2020-2025", 3, 10],
            ["04795", 2024, "2019", 3, 10],
            ["04798", 2024, "2020-2025", 3, "1,234"],
        ]
    )
    report = import_file(to_csv(table), family="models", period=2024)
    assert report.accepted["commune_code"].tolist() == ["04789"]
    assert report.accepted["population"].tolist() == [1234]  # a Vietnamese file: 1.234 = 1234
    # "1,234" is 1,234 (a decimal) in a Vietnamese file: not a head count, and not guessed.
    assert report.rejected[["source_row", "column"]].values.tolist() == [
        [3, "period"],
        [4, "vintage"],
        [5, "population"],
    ]


def test_the_files_own_total_column_is_checked():
    table = Table(
        rows=[
            ["Tên xã", "Huyện", "Tổng số", "Kinh tế", "VH-XH", "QP-AN", "HTCT"],
            ["Tòng Đậu", "Mai Châu", 5, 2, 1, 1, 1],
            ["Hang Kia", "Mai Châu", 6, 2, 1, 1, 1],
            ["Pà Cò", "Mai Châu", 4, None, None, None, None],
        ]
    )
    report = import_file(to_csv(table), family="models", period=2024)
    assert report.accepted["commune_code"].tolist() == ["05233"]
    assert report.rejected["reason_en"].tolist() == [
        "Column “Models”: the total says 6 but the four fields add up to 5",
        "Column “Models”: only the total is given (4); give the models of each field",
    ]


def test_sheet_choice():
    data = to_xlsx(
        Table(
            rows=[["Hướng dẫn"], ["Điền số liệu ở trang sau"]],
            sheet="Hướng dẫn",
            extra_sheets={"Số liệu": [["Mã xã", "Kinh tế"], ["04789", 2]]},
        )
    )
    assert import_file(data, family="models", period=2024).sheet == "Số liệu"
    assert len(import_file(data, family="models", period=2024, sheet=1).accepted) == 1
    assert len(import_file(data, family="models", period=2024, sheet="1").accepted) == 1
    assert len(import_file(data, family="models", period=2024, sheet="Số liệu").accepted) == 1
    with pytest.raises(UnreadableFileError, match="no sheet"):
        import_file(data, family="models", period=2024, sheet="Trang 3")


def test_vertically_merged_district_column():
    table = Table(
        rows=[
            ["Huyện", "Tên xã", "Kinh tế"],
            ["Mai Châu", "Tòng Đậu", 1],
            [None, "Hang Kia", 2],
            ["Lạc Sơn", "Văn Sơn", 3],
        ],
        merges=("A2:A3",),
    )
    report = import_file(to_xlsx(table), family="models", period=2024)
    assert report.accepted["commune_code"].tolist() == ["05233", "05212", "05284"]


def test_names_in_nfd_hoa_and_eth():
    table = Table(
        rows=[
            ["Huyện", "Xã", "Kinh tế"],
            ["Lạc Sơn", nfd("Xã Quý Hoà"), 1],
            ["Lạc Sơn", "Xã Miền Ðồi", 2],
            ["Lương Sơn", "Hoà Sơn", 3],
        ]
    )
    report = import_file(to_csv(table, encoding="utf-8-sig"), family="models", period=2024)
    assert report.accepted["commune_code"].tolist() == ["05269", "05272", "04945"]
    assert report.warnings == [] or all(
        w.key == "importer.warn.missing_columns" for w in report.warnings
    )


# --- vintage 2025 --------------------------------------------------------------------------------


def test_post_2025_codes_and_names():
    table = Table(
        rows=[
            ["Mã xã", "Tên xã", "Huyện", "Kinh tế"],
            ["4828", "Phường Thống Nhất", "Hòa Bình", 3],
            [None, "Xã Mai Châu", None, 2],
            ["05233", "Xã Tòng Đậu", None, 1],
            ["04795", "Phường Hòa Bình", None, 1],  # this code and name only since 2025
        ]
    )
    # Rows pointing both ways leave the vintage undecided: the choice stands.
    report = import_file(to_csv(table), family="models", period=2025, vintage="2025")
    assert report.accepted["commune_code"].tolist() == ["04828", "05200", "04795"]
    assert set(report.accepted["vintage"]) == {"2025"}
    assert report.rejected["source_row"].tolist() == [4]  # a 2020–2025 code, gone in 2025
    assert report.vintage_source == "choice"
    assert "importer.warn.district_ignored" in [w.key for w in report.warnings]


def test_convert_codes_2025():
    table = convert_codes_2025(["4789", "05233", "04891", "99999"]).set_index("old_code")
    assert table.loc["04789", "new_code"] == "04828"
    assert table.loc["04789", "new_name"] == "Phường Thống Nhất"
    assert not table.loc["04789", "split"]
    assert table.loc["05233", "new_code"] == "05200"
    # Xã Vầy Nưa was divided: both 2025 communes are listed, the package's default first used.
    assert table.loc["04891", "split"]
    assert table.loc["04891", "new_codes"] == ("04828", "04891")
    assert table.loc["04891", "new_code"] == "04891"
    assert "split" in table.loc["04891", "note"] and "chia" in table.loc["04891", "note_vi"]
    assert pd.isna(table.loc["99999", "new_code"])


def test_every_hoa_binh_commune_has_a_2025_commune():
    from geo.geography.admin_units import communes

    table = convert_codes_2025(communes("17")["commune_code"])
    assert table["new_code"].notna().all()
    assert int(table["split"].sum()) == 3
    assert set(table["province_code"]) == {"25"}


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="family"):
        import_file(b"x", family="nope", period=2024)
    with pytest.raises(ValueError, match="period"):
        import_file(b"x", family="ntm", period=24)
    with pytest.raises(ValueError, match="vintage"):
        import_file(b"x", family="ntm", period=2024, vintage="2019")


def test_path_and_file_like_sources(tmp_path):
    path = tmp_path / "bieu.csv"
    path.write_bytes(to_csv(NTM))
    assert import_file(path, family="ntm", period=2024).file_name == "bieu.csv"
    with path.open("rb") as handle:
        assert len(import_file(handle, family="ntm", period=2024).accepted) == 6


# --- rejected rows as a workbook -----------------------------------------------------------------


def test_rejected_workbook(ntm):
    for lang, reason in (("vi", "Lý do"), ("en", "Reason")):
        book = openpyxl.load_workbook(io.BytesIO(rejected_workbook(ntm, lang=lang)))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[2]]
        assert header[1:7] == [
            "TT",
            "Tên xã",
            "Huyện",
            "Mức đạt NTM",
            "Năm đạt chuẩn",
            "Số tiêu chí đạt",
        ]
        assert header[-1] == reason
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        assert [r[0] for r in rows] == rows_of(ntm.rejected)
        assert rows[0][2] == "Xã Bao La" and rows[0][-1]
        details = book.worksheets[1]
        assert details.max_row == len(ntm.rejected) + 1


@pytest.mark.parametrize(
    "module",
    [
        *(
            f"geo.figures.importing.{name}"
            for name in (
                "checking",
                "findings",
                "header",
                "importer",
                "matching",
                "reading",
                "report",
                "rows",
                "values",
            )
        ),
        "geo.geography.units_2025",
    ],
)
def test_docstring_examples(module):
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(module)).failed == 0
