"""The seeded demo generator: calibration to the published 2019 figures, plausibility, sameness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.figures.demo import (
    DEMO_LABEL,
    allocate,
    demo_csv_texts,
    generate_demo,
    main,
    write_demo,
)
from geo.figures.indicators import (
    DEMO_DIR,
    FAMILIES,
    FAMILY_NAMES,
    FIELD_COLUMNS,
    FIELDS,
    family_csv_text,
    models_total,
)
from geo.figures.published import FIGURES, NAMED_MODELS
from geo.geography.admin_units import communes

#: Periods on the 151 units of 2020–2025 (2025 and 2026 are on the 2025 units:
#: tests/figures/test_demo_reform.py).
PERIODS = list(range(2019, 2025))


@pytest.fixture(scope="module")
def all_tables() -> dict[str, pd.DataFrame]:
    return generate_demo()


@pytest.fixture(scope="module")
def tables(all_tables) -> dict[str, pd.DataFrame]:
    """The periods on the 2020–2025 units."""
    return {
        family: table[table["vintage"] == "2020-2025"].reset_index(drop=True)
        for family, table in all_tables.items()
    }


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return communes("17").set_index("commune_code")


def first(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["period"] == 2019]


def wide(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Communes × periods."""
    return table.pivot(index="commune_code", columns="period", values=column)


# --- calibration ----------------------------------------------------------------------------


def test_model_totals_equal_published_figures(tables):
    models = first(tables["models"])
    assert int(models["models_economy"].sum()) == 1392
    assert int(models["models_culture_society"].sum()) == 1503
    assert int(models["models_defence_security"].sum()) == 1102
    assert int(models["models_political_system"].sum()) == 651
    assert int(models_total(models).sum()) == 4648 == FIGURES["models_total"].value
    assert int(models["models_replicated"].sum()) == 646
    for field, column in FIELD_COLUMNS.items():
        assert int(models[column].sum()) == FIGURES[column].value, field


def test_exactly_82_ntm_communes_all_xa(tables, units):
    ntm = first(tables["ntm"])
    reached = ntm[ntm["ntm_level"] >= "ntm"]
    assert len(reached) == 82 == FIGURES["ntm_communes"].value
    assert set(units.loc[reached["commune_code"], "commune_type"]) == {"Xã"}
    assert (reached["criteria_met"] == 19).all()


def test_ward_and_town_are_not_rated(tables, units):
    not_xa = units.index[units["commune_type"] != "Xã"]
    for family, column in (
        ("ntm", "ntm_level"),
        ("ntm", "criteria_met"),
        ("land", "land_status"),
        ("land", "land_done_ha"),
    ):
        table = tables[family]
        assert table.loc[table["commune_code"].isin(not_xa), column].isna().all(), column
    xa = tables["ntm"][~tables["ntm"]["commune_code"].isin(not_xa)]
    assert xa["ntm_level"].notna().all()


def test_exactly_55_consolidating_xa_with_4657_ha(tables, units):
    land = first(tables["land"])
    active = land[land["land_done_ha"] > 0]
    assert len(active) == 55 == FIGURES["land_communes"].value
    assert set(units.loc[active["commune_code"], "commune_type"]) == {"Xã"}
    # Areas have one decimal: compare in integer tenths, not floats.
    assert int((land["land_done_ha"].fillna(0) * 10).round().sum()) == 46570
    assert land["land_done_ha"].sum() == pytest.approx(4657.0, abs=1e-6)


def test_three_published_models_in_their_communes(tables, units):
    named = tables["named_models"]
    published = named[named["provenance"] == "published"]
    expected = {
        ("05329", "Bảo vệ cây trồng, vật nuôi, bảo vệ rừng", "defence_security"),
        ("05233", "Địa bàn không có ma túy", "defence_security"),
        ("05353", "Phụ nữ tiết kiệm mua BHYT vì sức khỏe gia đình", "culture_society"),
    }
    for period in PERIODS:
        rows = published[published["period"] == period]
        assert (
            set(
                zip(
                    rows["commune_code"], rows["model_name"], rows["field"].astype(str), strict=True
                )
            )
            == expected
        )
    assert units.loc["05353", "commune_name"] == "Thị trấn Hàng Trạm"  # Yên Lạc merged in 2020
    assert units.loc["05329", "commune_name"] == "Xã Ngọc Sơn"
    assert units.loc["05233", "commune_name"] == "Xã Tòng Đậu"
    models = tables["models"].set_index(["commune_code", "period"])
    for model in NAMED_MODELS:
        column = FIELD_COLUMNS[model.field]
        assert (models.xs(model.commune_code, level="commune_code")[column] >= 1).all()
    assert set(named["provenance"]) == {"published", "demo"}


def test_named_models_fit_inside_the_counts(tables):
    named = tables["named_models"]
    models = tables["models"].set_index(["commune_code", "period"])
    per_field = named.groupby(["commune_code", "period", "field"], observed=True).size()
    for (code, period, field), count in per_field.items():
        assert count <= models.loc[(code, period), FIELD_COLUMNS[field]]
    flagged = named[named["replicated"]].groupby(["commune_code", "period"]).size()
    for (code, period), count in flagged.items():
        assert count <= models.loc[(code, period), "models_replicated"]
    assert not named.duplicated(["commune_code", "period", "model_name"]).any()
    assert (
        named["year_recognised"].dropna() <= named.loc[named["year_recognised"].notna(), "period"]
    ).all()


# --- shape and ranges -------------------------------------------------------------------------


def test_every_table_has_period_vintage_and_all_communes(tables, units):
    for family in FAMILY_NAMES:
        table = tables[family]
        assert list(table.columns) == list(FAMILIES[family].column_names)
        assert sorted(table["period"].unique()) == PERIODS
        assert set(table["vintage"]) == {"2020-2025"}
        assert table["commune_code"].str.fullmatch(r"\d{5}").all()
        assert set(table["commune_code"]) <= set(units.index)
    for family in ("models", "ntm", "land"):
        assert tables[family].groupby("period").size().eq(151).all()


def test_ranges(tables):
    models, ntm, land = tables["models"], tables["ntm"], tables["land"]
    counts = models[[*FIELD_COLUMNS.values(), "models_replicated"]]
    assert (counts >= 0).all().all()
    assert (models["models_replicated"] <= models_total(models)).all()
    assert models["population"].between(3000, 30000).all()
    assert ntm["criteria_met"].dropna().between(0, 19).all()
    assert (ntm.loc[ntm["ntm_level"] == "not_yet", "criteria_met"] < 19).all()
    assert ntm.loc[ntm["ntm_level"] == "not_yet", "ntm_year"].isna().all()
    assert ntm.loc[ntm["ntm_level"] >= "ntm", "ntm_year"].notna().all()
    assert (ntm["ntm_year"].dropna() <= ntm.loc[ntm["ntm_year"].notna(), "period"]).all()
    xa = land[land["land_status"].notna()]
    assert (xa["land_done_ha"] >= 0).all() and (xa["land_planned_ha"] > 0).all()
    done = xa["land_status"] == "done"
    assert (xa.loc[done, "land_done_ha"] >= xa.loc[done, "land_planned_ha"]).all()
    assert (xa.loc[~done, "land_done_ha"] < xa.loc[~done, "land_planned_ha"]).all()
    assert ((xa["land_status"] == "in_progress") == ((xa["land_done_ha"] > 0) & ~done)).all()
    assert (xa["land_year"].notna() == done).all()
    # Zero models in a field happens (the map shows it), but not everywhere.
    zero = (first(models)[list(FIELD_COLUMNS.values())] == 0).sum()
    assert (zero > 0).all() and (zero < 40).all()


# --- progression ------------------------------------------------------------------------------


def test_levels_and_criteria_never_go_down(tables):
    ntm = tables["ntm"]
    levels = ntm.assign(code=ntm["ntm_level"].cat.codes)  # -1 for not applicable
    codes = wide(levels, "code")
    assert (codes.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    assert (codes.diff(axis=1).iloc[:, 1:] <= 1).all().all()  # one step a year at most
    criteria = wide(ntm, "criteria_met").dropna().astype(int)
    assert (criteria.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    years = wide(ntm, "ntm_year").dropna()
    assert years.nunique(axis=1).eq(1).all()  # year reached never changes once set
    last = ntm[ntm["period"] == 2024]["ntm_level"].value_counts()
    assert last["advanced"] > 0 and last["model"] > 0


def test_models_and_land_grow(tables):
    models = tables["models"]
    for column in [*FIELD_COLUMNS.values(), "models_replicated"]:
        grid = wide(models, column).astype(int)
        assert (grid.diff(axis=1).iloc[:, 1:] >= 0).all().all(), column
        assert grid[2024].sum() > grid[2019].sum(), column
    land = tables["land"]
    done = wide(land, "land_done_ha").dropna()
    assert (done.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    planned = wide(land, "land_planned_ha").dropna()
    assert planned.nunique(axis=1).eq(1).all()
    status = wide(land.assign(s=land["land_status"].cat.codes), "s")
    assert (status.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    named = tables["named_models"].groupby("period").size()
    assert named.is_monotonic_increasing


# --- determinism and shipped files -----------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_data():
    assert demo_csv_texts() == demo_csv_texts()
    other = generate_demo(seed=7, periods=[2019])
    assert demo_csv_texts(seed=7, periods=[2019]) != demo_csv_texts(periods=[2019])
    # Calibration holds for any seed.
    assert int(models_total(other["models"]).sum()) == 4648
    assert int((other["ntm"]["ntm_level"] >= "ntm").sum()) == 82
    assert int((other["land"]["land_done_ha"] > 0).sum()) == 55


def test_shipped_csvs_equal_a_fresh_generation(tmp_path):
    written = write_demo(tmp_path)
    for family in FAMILY_NAMES:
        shipped = DEMO_DIR / f"{family}.csv"
        assert shipped.is_file(), f"{shipped} missing: run python -m geo.figures.demo"
        assert shipped.read_bytes() == written[family].read_bytes(), (
            f"{shipped.name} is stale: run python -m geo.figures.demo"
        )
    assert main(["--check"]) == 0
    (tmp_path / "ntm.csv").write_text("stale\n", encoding="utf-8")
    assert main(["--check", "--out", str(tmp_path)]) == 1


def test_periods_must_start_in_2019_and_be_consecutive():
    with pytest.raises(ValueError, match="2019"):
        generate_demo(periods=[2020, 2021])
    with pytest.raises(ValueError, match="consecutive"):
        generate_demo(periods=[2019, 2021])
    with pytest.raises(ValueError, match="2026"):
        generate_demo(periods=range(2019, 2028))


def test_earlier_periods_do_not_depend_on_later_ones(all_tables):
    """Adding the periods after the reform left 2019–2024 as they were (one stream per family)."""
    short = demo_csv_texts(periods=PERIODS)
    full = {family: family_csv_text(table, family) for family, table in all_tables.items()}
    for family in FAMILY_NAMES:
        assert full[family].startswith(short[family]), family


def test_demo_label():
    assert DEMO_LABEL == "dữ liệu minh họa / demo data"


# --- allocation -------------------------------------------------------------------------------


def test_allocate_is_exact_and_respects_bounds():
    rng = np.random.default_rng(1)
    for total in (0, 1, 7, 646, 4657):
        weights = rng.random(40) * (rng.random(40) > 0.2)
        weights[0] = 1.0
        parts = allocate(total, weights)
        assert parts.sum() == total and (parts >= 0).all()
        assert (parts[weights == 0] == 0).all()
    parts = allocate(100, [10, 1, 1], lower=[0, 5, 0], upper=[50, 100, 100])
    assert parts.tolist() == [50, 28, 22]  # 50 capped; 45 left split 22.5 + 22.5, tie to index 1
    assert allocate(10, [1, 1, 1]).tolist() == [4, 3, 3]  # ties go to the lower index


def test_allocate_rejects_impossible_bounds():
    with pytest.raises(ValueError):
        allocate(10, [1, 1], upper=[3, 3])
    with pytest.raises(ValueError):
        allocate(1, [1, 1], lower=[1, 1])
    with pytest.raises(ValueError):
        allocate(5, [1, -1])
    assert FIELDS == ("economy", "culture_society", "defence_security", "political_system")
