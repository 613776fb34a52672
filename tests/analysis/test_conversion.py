"""Figures carried across boundary vintages: totals kept, provenance shown, rules applied."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis.conversion import COMPOSITION, PROVENANCE_COLUMNS, convert_tables
from geo.errors import DataError
from geo.figures.indicators import FAMILIES, FIELD_COLUMNS, LAND, MODELS, NTM, load_demo
from geo.geography.crosswalk import CROSSWALK_COLUMNS, Crosswalk, crosswalk

ADDITIVE = [*FIELD_COLUMNS.values(), "models_replicated", "population"]


@pytest.fixture(scope="module")
def demo():
    return load_demo()


@pytest.fixture(scope="module")
def converted(demo):
    return convert_tables(demo, crosswalk("2020-2025", "2025", province_codes="17"), lang="en")


def test_2019_totals_are_the_published_figures(converted):
    models = converted[MODELS].query("period == 2019")
    totals = models[ADDITIVE].sum()
    assert [int(totals[c]) for c in FIELD_COLUMNS.values()] == [1392, 1503, 1102, 651]
    assert int(totals[list(FIELD_COLUMNS.values())].sum()) == 4648
    assert int(totals["models_replicated"]) == 646
    land = converted[LAND].query("period == 2019")
    assert round(float(land["land_done_ha"].sum()), 2) == 4657.0


def test_every_period_keeps_its_province_totals_exactly(demo, converted):
    before = demo[MODELS].groupby("period")[ADDITIVE].sum()
    after = converted[MODELS].groupby("period")[ADDITIVE].sum()
    pd.testing.assert_frame_equal(before.astype("int64"), after.astype("int64"))
    for column in ("land_done_ha", "land_planned_ha"):
        was = demo[LAND].groupby("period")[column].sum().round(2)
        now = converted[LAND].groupby("period")[column].sum().round(2)
        pd.testing.assert_series_equal(was, now)


def test_the_46_units_receive_all_151_predecessors(converted):
    for family in (MODELS, NTM, LAND):
        rows = converted[family].query("period == 2019")
        assert len(rows) == 46 and rows["complete"].all() and not rows["estimate"].any()
        codes = {code for text in rows["from_codes"] for code in text.split(";")}
        assert len(codes) == 151
        assert set(rows["vintage"]) == {"2025"}


def test_converted_tables_keep_the_family_columns_and_dtypes(converted):
    for family in (MODELS, NTM, LAND):
        table = converted[family]
        names = FAMILIES[family].column_names
        assert list(table.columns[: len(names)]) == list(names)
        assert set(PROVENANCE_COLUMNS) <= set(table.columns)
        assert str(table["ntm_level" if family == NTM else "commune_code"].dtype) in (
            "category",
            "str",
        )
    assert str(converted[MODELS]["models_economy"].dtype) == "Int64"


def test_no_code_coincidence(demo, converted):
    """Phường Thống Nhất (2025, 04828) is the sum of four predecessors, not 04828's row."""
    before = demo[MODELS].query("period == 2019").set_index("commune_code")
    after = converted[MODELS].query("period == 2019").set_index("commune_code")
    merged = after.loc["04828", "models_economy"]
    own = before.loc["04828", "models_economy"]
    whole = before.loc[["04789", "04819", "04828"], "models_economy"].sum()
    assert merged > own and whole <= merged <= whole + before.loc["04891", "models_economy"]


def test_provenance_of_a_merged_a_split_and_an_unchanged_unit(demo):
    walk = crosswalk("2020-2025", "2025", province_codes="17")
    models = demo[MODELS].query("period == 2019").copy()
    already = models.iloc[[0]].assign(commune_code="99999", vintage="2025")
    out = convert_tables({MODELS: pd.concat([models, already])}, walk, lang="en")[MODELS]
    rows = out.set_index("commune_code")
    merged = rows.loc["04831"]  # Xã Đà Bắc: 4 former units, all whole
    assert merged["from_codes"] == "04831;04867;04879;04885"
    assert merged["from_names"] == "Thị trấn Đà Bắc;Xã Tú Lý;Xã Toàn Sơn;Xã Hiền Lương"
    assert merged["conversion_rule"] == "summed" and merged["from_vintage"] == "2020-2025"
    assert merged["conversion_note"].startswith("Sum of 4 former units: Thị trấn Đà Bắc")
    split = rows.loc["04828"]  # Phường Thống Nhất: three whole, part of Xã Vầy Nưa
    assert split["conversion_rule"] == "apportioned by area share"
    assert "Xã Vầy Nưa (32 % by registry areas)" in split["conversion_note"]
    unchanged = rows.loc["99999"]
    assert unchanged["conversion_rule"] == "unchanged" and unchanged["from_codes"] == "99999"
    assert unchanged["models_economy"] == models.iloc[0]["models_economy"]


def _walk(pairs: list[tuple[str, str, float, float]], *, estimate: bool = False) -> Crosswalk:
    """A small crosswalk: (from, to, share, part km²)."""
    table = pd.DataFrame(
        {
            "from_code": [p[0] for p in pairs],
            "from_name": [f"Xã {p[0]}" for p in pairs],
            "to_code": [p[1] for p in pairs],
            "to_name": [f"Xã {p[1]}" for p in pairs],
            "share": [p[2] for p in pairs],
            "share_basis": ["whole" if p[2] == 1 else "registry areas" for p in pairs],
            "part_km2": [p[3] for p in pairs],
            "part_basis": "polygons",
            "split": [p[2] < 1 for p in pairs],
            "estimate": estimate,
        },
        columns=list(CROSSWALK_COLUMNS),
    )
    return Crosswalk("2020-2025", "2025", table, "test")


def _models(values: dict[str, int]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "commune_code": list(values),
            "period": [2020] * n,
            "vintage": ["2020-2025"] * n,
            **{c: pd.array(list(values.values()), dtype="Int64") for c in FIELD_COLUMNS.values()},
            "models_replicated": pd.array([0] * n, dtype="Int64"),
            "population": pd.array([None] * n, dtype="Int64"),
        }
    )


def test_a_split_count_is_shared_in_whole_units_and_kept_whole():
    """7 models split 1/3 – 2/3: 2 and 5 (largest remainder), never 2.33 and 4.67."""
    walk = _walk([("00001", "10001", 1 / 3, 1.0), ("00001", "10002", 2 / 3, 2.0)])
    out = convert_tables({MODELS: _models({"00001": 7})}, walk)[MODELS].set_index("commune_code")
    assert out["models_economy"].tolist() == [2, 5]
    assert out["population"].isna().all()  # unknown stays unknown, never zero


def test_ntm_composition_and_the_lowest_level_rule():
    """Four former communes, three at NTM (78 % of the area), one not yet: coloured not yet."""
    walk = _walk([(c, "10001", 1.0, a) for c, a in (("1", 30), ("2", 28), ("3", 20), ("4", 22))])
    ntm = pd.DataFrame(
        {
            "commune_code": ["1", "2", "3", "4"],
            "period": 2020,
            "vintage": "2020-2025",
            "ntm_level": pd.Categorical(
                ["ntm", "advanced", "ntm", "not_yet"], dtype=FAMILIES[NTM].column("ntm_level").dtype
            ),
            "ntm_year": pd.array([2015, 2014, 2018, None], dtype="Int64"),
            "criteria_met": pd.array([19, 19, 19, 14], dtype="Int64"),
        }
    )
    row = convert_tables({NTM: ntm}, walk, lang="en")[NTM].iloc[0]
    assert row[COMPOSITION] == "3 of 4 former units at NTM, 78 % of the area"
    assert row["ntm_level"] == "not_yet" and row["criteria_met"] == 14
    assert pd.isna(row["ntm_year"])
    assert row["derived"] and row["conversion_rule"] == "derived: lowest level"
    vi = convert_tables({NTM: ntm}, walk, lang="vi")[NTM].iloc[0]
    assert vi[COMPOSITION] == "3/4 đơn vị cũ đạt chuẩn NTM, 78 % diện tích"
    reached = ntm.assign(ntm_level=ntm["ntm_level"].where(ntm["commune_code"] != "4", "ntm"))
    reached["ntm_year"] = pd.array([2015, 2014, 2018, 2019], dtype="Int64")
    row = convert_tables({NTM: reached}, walk)[NTM].iloc[0]
    assert row["ntm_level"] == "ntm" and row["ntm_year"] == 2019  # the last part's year


def test_unrated_predecessors_are_left_out_of_the_rule_and_counted():
    walk = _walk([("1", "10001", 1.0, 10.0), ("2", "10001", 1.0, 10.0)])
    ntm = pd.DataFrame(
        {
            "commune_code": ["1", "2"],
            "period": 2020,
            "vintage": "2020-2025",
            "ntm_level": pd.Categorical(
                ["advanced", None], dtype=FAMILIES[NTM].column("ntm_level").dtype
            ),
            "ntm_year": pd.array([2016, None], dtype="Int64"),
            "criteria_met": pd.array([19, None], dtype="Int64"),
        }
    )
    row = convert_tables({NTM: ntm}, walk, lang="en")[NTM].iloc[0]
    assert row["ntm_level"] == "advanced"
    assert row[COMPOSITION] == "1 of 2 former units at NTM, 50 % of the area; 1 not rated"


def test_missing_predecessors_make_the_row_incomplete():
    walk = _walk([("1", "10001", 1.0, 10.0), ("2", "10001", 1.0, 10.0)])
    row = convert_tables({MODELS: _models({"1": 3})}, walk, lang="en")[MODELS].iloc[0]
    assert not row["complete"] and row["conversion_note"].endswith("no figures for: Xã 2")


def test_an_estimate_is_labelled_on_every_row(demo):
    back = crosswalk("2025", "2020-2025", province_codes="17", estimate=True)
    walk = crosswalk("2020-2025", "2025", province_codes="17")
    forward = convert_tables({MODELS: demo[MODELS].query("period == 2019")}, walk)[MODELS]
    table = forward.loc[:, FAMILIES[MODELS].column_names]
    out = convert_tables({MODELS: table}, back, lang="en")[MODELS]
    assert len(out) == 151 and out["estimate"].all()
    assert out["conversion_note"].str.startswith("Area-apportioned estimate.").all()
    assert int(out["models_economy"].sum()) == 1392


def test_rows_of_another_vintage_or_unknown_codes_are_refused(demo):
    walk = crosswalk("2020-2025", "2025", province_codes="17")
    models = demo[MODELS].query("period == 2019")
    with pytest.raises(DataError, match="vintage 2019"):
        convert_tables({MODELS: models.assign(vintage="2019")}, walk, lang="en")
    stranger = models.iloc[[0]].assign(commune_code="00001")  # Phường Phúc Xá, Hà Nội
    with pytest.raises(DataError, match="00001 are not in the 2020-2025 → 2025"):
        convert_tables({MODELS: stranger}, walk, lang="en")


def test_named_models_go_to_the_largest_part_of_a_split_commune(demo, converted):
    named = converted["named_models"]
    assert len(named) == len(demo["named_models"])
    # Converted rows only: the demo's own 2025 rows of Tiền Phong (04891) pass unchanged.
    vay_nua = named[(named["from_codes"] == "04891") & (named["from_vintage"] == "2020-2025")]
    assert set(vay_nua["commune_code"]) == {"04891"}  # Tiền Phong took 68 % by registry areas
    assert vay_nua["conversion_note"].str.contains("placed in Xã Tiền Phong").all()


def _ntm_rows(levels: dict[str, str], vintage: str) -> pd.DataFrame:
    dtype = FAMILIES[NTM].column("ntm_level").dtype
    n = len(levels)
    return pd.DataFrame(
        {
            "commune_code": list(levels),
            "period": 2019,
            "vintage": vintage,
            "ntm_level": pd.Categorical(list(levels.values()), dtype=dtype),
            "ntm_year": pd.array([None] * n, dtype="Int64"),
            "criteria_met": pd.array([15] * n, dtype="Int64"),
        }
    )


def test_a_composition_with_an_unknown_part_area_is_by_count_only():
    walk = _walk([("1", "10001", 1.0, 30.0), ("2", "10001", 1.0, float("nan"))])
    ntm = _ntm_rows({"1": "ntm", "2": "not_yet"}, "2020-2025")
    row = convert_tables({NTM: ntm}, walk, lang="en")[NTM].iloc[0]
    # Never "100 %" from the one known part, nor "0 %" from no area at all.
    assert row[COMPOSITION] == (
        "1 of 2 former units at NTM (no area share: the areas of all former units are not known)"
    )
    vi = convert_tables({NTM: ntm}, walk, lang="vi")[NTM].iloc[0]
    assert vi[COMPOSITION].startswith("1/2 đơn vị cũ đạt chuẩn NTM (không tính tỷ lệ diện tích")


def test_2019_compositions_use_the_areas_known_for_every_former_unit():
    walk = crosswalk("2019", "2025")
    # Xã Quy Đức (04873): four 2019 xã, each unchanged in 2020, so each part area is known and
    # the share is the one measured from 2020–2025 (Đoàn Kết 34.18, Đồng Ruộng 44.21,
    # Trung Thành 25.32, Yên Hòa 43.26 km² of schematic area: 2 at NTM = 53 %).
    quy_duc = {"04858": "ntm", "04861": "ntm", "04870": "not_yet", "04873": "not_yet"}
    # Phường Thống Nhất (04828): Dân Chủ and Thống Nhất were merged in 2020 with parts of Chăm
    # Mát, whose own areas were not read: by count only, never "0 %".
    thong_nhat = {"04789": "ntm", "04810": "ntm", "04819": "ntm", "04828": "ntm", "04891": "ntm"}
    out = convert_tables({NTM: _ntm_rows(quy_duc | thong_nhat, "2019")}, walk, lang="en")[NTM]
    composition = out.set_index("commune_code")[COMPOSITION]
    assert composition["04873"] == "2 of 4 former units at NTM, 53 % of the area"
    assert composition["04828"] == (
        "5 of 5 former units at NTM (no area share: the areas of all former units are not known)"
    )
