"""The indicator schema and reading one family CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.errors import DataError
from geo.figures.demo import DEMO_LABEL
from geo.figures.indicators import (
    DEMO_DIR,
    FAMILIES,
    FAMILY_NAMES,
    FIELD_COLUMNS,
    FIELD_LABELS,
    LAND_STATUS_LABELS,
    NTM_LEVEL_LABELS,
    NTM_LEVELS,
    family_csv_text,
    load_demo,
    models_total,
    read_family,
    write_family,
)

MODELS_HEADER = (
    "commune_code,period,vintage,models_economy,models_culture_society,"
    "models_defence_security,models_political_system,models_replicated,population"
)
NTM_HEADER = "commune_code,period,vintage,ntm_level,ntm_year,criteria_met"
LAND_HEADER = "commune_code,period,vintage,land_done_ha,land_planned_ha,land_status,land_year"
NAMED_HEADER = "commune_code,period,vintage,model_name,field,year_recognised,replicated,provenance"


def write(tmp_path, name: str, *lines: str) -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def error_of(path: str, family: str) -> DataError:
    with pytest.raises(DataError) as caught:
        read_family(path, family)
    return caught.value


# --- schema -----------------------------------------------------------------------------------


def test_family_columns():
    assert FAMILY_NAMES == ("models", "named_models", "ntm", "land")
    assert ",".join(FAMILIES["models"].column_names) == MODELS_HEADER
    assert ",".join(FAMILIES["ntm"].column_names) == NTM_HEADER
    assert ",".join(FAMILIES["land"].column_names) == LAND_HEADER
    assert ",".join(FAMILIES["named_models"].column_names) == NAMED_HEADER
    for family in FAMILIES.values():
        assert family.column_names[:3] == ("commune_code", "period", "vintage")
        for column in family.columns:
            assert column.label.vi and column.label.en and column.description


def test_labels():
    assert [NTM_LEVEL_LABELS[level].vi for level in NTM_LEVELS] == [
        "Chưa đạt",
        "Đạt chuẩn NTM",
        "NTM nâng cao",
        "NTM kiểu mẫu",
        "NTM hiện đại (thí điểm)",
    ]
    assert [label.vi for label in FIELD_LABELS.values()] == [
        "Kinh tế",
        "Văn hóa – xã hội",
        "Quốc phòng – an ninh",
        "Xây dựng hệ thống chính trị",
    ]
    assert FIELD_LABELS["economy"]("en") == "Economy"
    assert set(LAND_STATUS_LABELS) == {"not_started", "in_progress", "done"}
    assert FAMILIES["land"].column("land_done_ha").unit.vi == "ha"


def test_models_total_is_empty_when_a_field_is_empty():
    frame = pd.DataFrame({c: pd.array([1, None], dtype="Int64") for c in FIELD_COLUMNS.values()})
    total = models_total(frame)
    assert total.name == "models_total"
    assert total.iloc[0] == 4 and pd.isna(total.iloc[1])


# --- reading good files -----------------------------------------------------------------------


def test_read_models_keeps_leading_zeros_and_types(tmp_path):
    path = write(
        tmp_path,
        "models.csv",
        MODELS_HEADER,
        "4789,2019,2020-2025,3,2,1,0,2,6080",
        "05353,2019,2020-2025,1,,0,0,0,",
    )
    table = read_family(path, "models")
    assert table["commune_code"].tolist() == ["04789", "05353"]
    assert table["period"].dtype == "int64"
    assert str(table["models_economy"].dtype) == "Int64"
    assert pd.isna(table.loc[1, "models_culture_society"])
    assert pd.isna(table.loc[1, "population"])
    assert models_total(table).iloc[0] == 6


def test_read_ntm_level_is_ordered_and_accepts_labels(tmp_path):
    path = write(
        tmp_path,
        "ntm.csv",
        NTM_HEADER,
        "04789,2019,2020-2025,,,",
        "04792,2019,2020-2025,Đạt chuẩn NTM,2018,19",
        "04795,2019,2020-2025, advanced ,2016,19",
        "04798,2019,2020-2025,not_yet,,14",
    )
    table = read_family(path, "ntm")
    level = table["ntm_level"]
    assert level.cat.ordered and list(level.cat.categories) == list(NTM_LEVELS)
    assert pd.isna(level.iloc[0])
    assert level.iloc[1] == "ntm" and level.iloc[2] == "advanced"
    assert (level >= "ntm").tolist() == [False, True, True, False]


def test_read_named_models_booleans_and_bom():
    text = (
        NAMED_HEADER + "\n"
        '05353,2019,2020-2025,"Phụ nữ, BHYT",Văn hóa - xã hội,2017,TRUE,published\n'
        "05233,2019,2020-2025,Địa bàn không có ma túy,defence_security,,0,published\n"
    )
    table = read_family(io.BytesIO(text.encode("utf-8-sig")), "named_models")
    assert table["replicated"].tolist() == [True, False]
    assert table["field"].astype(str).tolist() == ["culture_society", "defence_security"]
    assert pd.isna(table.loc[1, "year_recognised"])


def test_write_then_read_round_trip(tmp_path):
    tables = load_demo()
    for family in FAMILY_NAMES:
        path = tmp_path / f"{family}.csv"
        write_family(tables[family], path, family)
        again = read_family(path, family)
        pd.testing.assert_frame_equal(again, tables[family])
        assert path.read_text(encoding="utf-8") == family_csv_text(tables[family], family)


def test_load_demo_tables(tmp_path):
    tables = load_demo()
    assert sorted(tables) == sorted(FAMILY_NAMES)
    for table in tables.values():
        assert {"period", "vintage"} <= set(table.columns)
        assert set(table["vintage"]) == {"2020-2025", "2025"}  # 2025 and 2026 on 2025 units
    with pytest.raises(DataError, match=r"models\.csv"):
        load_demo(tmp_path)


# --- rejecting bad files ----------------------------------------------------------------------


def test_bad_cell_names_file_row_and_column(tmp_path):
    path = write(
        tmp_path,
        "ntm_bad.csv",
        NTM_HEADER,
        "04789,2019,2020-2025,ntm,2018,19",
        "04792,2019,2020-2025,not_yet,,25",
    )
    error = error_of(path, "ntm")
    assert error.source == "ntm_bad.csv"
    assert error.where == "row 3, column criteria_met"
    assert "0 to 19" in error.message and "'25'" in error.message
    assert "ntm_bad.csv [row 3, column criteria_met]" in str(error)


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        ("ABC12,2019,2020-2025,1,1,1,1,0,100", "row 2, column commune_code", "commune code"),
        ("123456,2019,2020-2025,1,1,1,1,0,100", "row 2, column commune_code", "5 digits"),
        ("04789,19,2020-2025,1,1,1,1,0,100", "row 2, column period", "year"),
        ("04789,,2020-2025,1,1,1,1,0,100", "row 2, column period", "required"),
        ("04789,2019,2020/2025,1,1,1,1,0,100", "row 2, column vintage", "vintage"),
        ("04789,2019,2020-2025,-1,1,1,1,0,100", "row 2, column models_economy", "from 0 to"),
        # Above a 64-bit integer, or 1e308: a rejected cell, not "cannot safely cast".
        ("04789,2019,2020-2025,1,1,1,1,0,1e308", "row 2, column population", "10000000"),
        (
            "04789,2019,2020-2025,99999999999999999999,1,1,1,0,1",
            "row 2, column models_economy",
            "10000000",
        ),
        ("04789,2019,2020-2025,1.5,1,1,1,0,100", "row 2, column models_economy", "whole"),
        ("04789,2019,2020-2025,1,many,1,1,0,100", "row 2, column models_culture_society", "whole"),
        ("04789,2019,2020-2025,1,1,1,1,9,100", "row 2, column models_replicated", "replicated"),
        ("04789,2019,2020-2025,1,1,1,1,0,inf", "row 2, column population", "whole"),
        ("٠٤٧٨٩,2019,2020-2025,1,1,1,1,0,100", "row 2, column commune_code", "5 digits"),
    ],
)
def test_bad_models_rows(tmp_path, row, where, words):
    path = write(tmp_path, "models.csv", MODELS_HEADER, row)
    error = error_of(path, "models")
    assert error.where == where
    assert words in error.message
    assert error.source == "models.csv"


def test_all_bad_cells_are_listed_in_reading_order(tmp_path):
    path = write(
        tmp_path,
        "models.csv",
        MODELS_HEADER,
        "04789,2019,2020-2025,1,1,1,1,0,100",
        "04792,2019,2020-2025,x,1,1,1,0,-5",
        "ABCDE,2019,2020-2025,1,1,1,1,0,100",
    )
    error = error_of(path, "models")
    assert [p.where for p in error.problems] == [
        "row 3, column models_economy",
        "row 3, column population",
        "row 4, column commune_code",
    ]
    assert all(p.severity == "error" and p.source == "models.csv" for p in error.problems)
    assert "and 2 more problems" in error.message


def test_header_problems(tmp_path):
    missing = write(
        tmp_path,
        "ntm.csv",
        "commune_code,period,vintage,ntm_level,ntm_year",
        "04789,2019,2020-2025,ntm,2018",
    )
    error = error_of(missing, "ntm")
    assert error.where == "row 1, column criteria_met" and "missing column" in error.message
    extra = write(tmp_path, "ntm2.csv", NTM_HEADER + ",note", "04789,2019,2020-2025,ntm,2018,19,x")
    error = error_of(extra, "ntm")
    assert error.where == "row 1, column note" and "unknown column" in error.message


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        (
            "04789,2019,2020-2025,12.5,100,done,2019",
            "row 2, column land_done_ha",
            "below the area planned",
        ),
        ("04789,2019,2020-2025,100,100,in_progress,", "row 2, column land_done_ha", "in_progress"),
        ("04789,2019,2020-2025,5,100,not_started,", "row 2, column land_done_ha", "not_started"),
        ("04789,2019,2020-2025,5,100,in_progress,2019", "row 2, column land_year", "not done"),
        ("04789,2019,2020-2025,100,100,done,2021", "row 2, column land_year", "after"),
        ("04789,2019,2020-2025,1e3x,100,done,", "row 2, column land_done_ha", "number"),
        ("04789,2019,2020-2025,5,100,finished,", "row 2, column land_status", "in_progress"),
    ],
)
def test_bad_land_rows(tmp_path, row, where, words):
    path = write(tmp_path, "land.csv", LAND_HEADER, row)
    error = error_of(path, "land")
    assert error.where == where
    assert words in error.message


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        ("04789,2019,2020-2025,ntm,2018,18", "row 2, column criteria_met", "all 19"),
        ("04789,2019,2020-2025,not_yet,2018,12", "row 2, column ntm_year", "not_yet"),
        ("04789,2019,2020-2025,ntm,2020,19", "row 2, column ntm_year", "after"),
        ("04789,2019,2020-2025,gold,2018,19", "row 2, column ntm_level", "not_yet, ntm"),
    ],
)
def test_bad_ntm_rows(tmp_path, row, where, words):
    path = write(tmp_path, "ntm.csv", NTM_HEADER, row)
    error = error_of(path, "ntm")
    assert error.where == where
    assert words in error.message


def test_bad_named_models(tmp_path):
    path = write(
        tmp_path,
        "named.csv",
        NAMED_HEADER,
        "05353,2019,2020-2025,A,culture_society,2017,maybe,demo",
    )
    assert error_of(path, "named_models").where == "row 2, column replicated"
    path = write(
        tmp_path, "named.csv", NAMED_HEADER, "05353,2019,2020-2025,,culture_society,2017,true,demo"
    )
    assert error_of(path, "named_models").where == "row 2, column model_name"
    path = write(tmp_path, "named.csv", NAMED_HEADER, "05353,2019,2020-2025,A,sport,2017,true,demo")
    assert error_of(path, "named_models").where == "row 2, column field"


def test_duplicate_key(tmp_path):
    path = write(
        tmp_path,
        "ntm.csv",
        NTM_HEADER,
        "04789,2019,2020-2025,ntm,2018,19",
        "04792,2019,2020-2025,ntm,2018,19",
        "4789,2019,2020-2025,ntm,2018,19",
    )
    error = error_of(path, "ntm")
    assert error.where == "row 4, column period"
    assert "duplicate of row 2" in error.message


def test_unreadable_files(tmp_path):
    latin = tmp_path / "latin.csv"
    text = NTM_HEADER + "\n04789,2019,2020-2025,Hòa,,3\n"
    # An 8-bit code page (ANSI), and Excel's "Unicode text" (UTF-16).
    latin.write_bytes(text.encode("latin-1"))
    assert "UTF-8" in error_of(str(latin), "ntm").message
    latin.write_bytes(text.encode("utf-16"))
    assert "UTF-8" in error_of(str(latin), "ntm").message
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in error_of(str(empty), "ntm").message
    ragged = write(tmp_path, "ragged.csv", NTM_HEADER, "04789,2019,2020-2025,ntm,2018,19,1,2")
    error = error_of(ragged, "ntm")
    assert error.source == "ragged.csv" and error.where == "row 2"
    assert "8 cell(s) but the header has 6" in error.message
    semicolons = write(tmp_path, "semi.csv", NTM_HEADER.replace(",", ";"))
    assert "';'" in error_of(semicolons, "ntm").message
    # Blank lines still count as spreadsheet rows.
    gappy = write(tmp_path, "gappy.csv", NTM_HEADER, "", "04789,2019,2020-2025,ntm,2018,99")
    assert error_of(gappy, "ntm").where == "row 3, column criteria_met"
    quote = write(tmp_path, "quote.csv", NTM_HEADER, '04789,2019,"2020-2025,ntm,2018,19')
    assert "not a valid CSV" in error_of(quote, "ntm").message
    twice = write(
        tmp_path, "twice.csv", NTM_HEADER + ",period", "04789,2019,2020-2025,ntm,2018,19,1"
    )
    assert "more than once" in error_of(twice, "ntm").message
    assert "not found" in error_of(str(tmp_path / "nope.csv"), "ntm").message


def test_unknown_family():
    with pytest.raises(ValueError, match="unknown indicator family"):
        read_family(io.StringIO("a\n1\n"), "budget")


def test_demo_readme_documents_every_column():
    readme = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    assert DEMO_LABEL in readme
    for family in FAMILIES.values():
        assert f"`{family.name}`" in readme
        for name in family.column_names:
            assert f"`{name}`" in readme, name
