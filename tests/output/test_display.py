import pandas as pd
from criteria_fixtures import two_xa_and_a_ward

from geo.analysis.lagging import CriteriaBelow, NoModelInField, find_lagging
from geo.analysis.metrics import commune_metrics, district_summary, province_summary
from geo.collation import vietnamese_key
from geo.figures.indicators import load_demo
from geo.geography.geographies import default_geography
from geo.i18n import t
from geo.output.display import (
    column_label,
    commune_table,
    district_table,
    format_value,
    lagging_table,
    legend_notes,
    markdown_text,
    named_model_lines,
    ntm_change_note,
    ntm_status_line,
    profile_caption,
    profile_figures,
    slug,
)


def test_formatting():
    assert format_value("models_total", 4648, "vi") == "4.648"
    assert format_value("models_per_km2", 1.234, "en") == "1.23"
    assert format_value("land_pct_of_plan", 42.857, "vi") == "42,9 %"
    assert format_value("ntm_level", "advanced", "vi") == "NTM nâng cao"
    assert format_value("criteria_met", pd.NA, "vi") == "–"
    assert column_label("criteria_met_previous", "en") == "Criteria met (previous period)"
    assert column_label("commune_name", "vi") == "Xã"
    assert slug("Huyện Đà Bắc") == "huyen-da-bac"
    assert markdown_text("Mô hình *số 1* [x]") == "Mô hình \\*số 1\\* \\[x\\]"


def _demo():
    geography, tables = default_geography(), load_demo()
    return geography, tables, commune_metrics(geography.communes, tables, period=2019)


def test_tables_are_labelled_and_written_the_vietnamese_way():
    _, _, metrics = _demo()
    communes = commune_table(metrics, "vi")
    assert len(communes) == 151 and "Mức NTM" in communes.columns
    assert (communes["Mức NTM"] == "Không áp dụng").sum() == 22
    districts = district_table(district_summary(metrics), province_summary(metrics), "vi")
    assert districts["Huyện"].tolist()[-1] == "Toàn tỉnh"
    total = districts.iloc[-1]
    assert total["Số mô hình"] == "4.648"
    assert total["Xã đạt chuẩn NTM"] == "82/129"


def test_lagging_table_for_screen_and_file():
    _, _, metrics = _demo()
    rules = [CriteriaBelow(15), NoModelInField("economy")]
    found = find_lagging(metrics, rules, district_code="157")
    screen = lagging_table(found, rules, "vi")
    assert screen.columns.tolist() == [
        "Xã",
        "Huyện",
        "Mức chậm",
        "Số điều kiện không đạt",
        "Số tiêu chí đạt",
        "Mô hình lĩnh vực kinh tế",
        "Còn thiếu để đạt 15 (tiêu chí)",
    ]
    assert screen.iloc[0].tolist() == ["Xã Tân Mỹ", "Huyện Lạc Sơn", "1,27", "2", "11", "0", "4"]
    file = lagging_table(found, rules, "en", for_file=True)
    assert file.columns[0] == "Code"
    row = file.iloc[0].tolist()
    assert row == ["05344", "Xã Tân Mỹ", "Huyện Lạc Sơn", 1.267, 2, 11, 0, 4]
    assert str(file["Criteria met"].dtype) == "Int64"  # counts stay whole numbers
    # On a 2025 map the group column is the former district's, on screen and in files.
    grouped = lagging_table(found, rules, "vi", group="former_district")
    assert grouped.columns[1] == "Khu vực huyện cũ (trước 1/7/2025)"
    grouped_file = lagging_table(found, rules, "en", for_file=True, group="former_district")
    assert grouped_file.columns[2] == "Former district area (before 1 Jul 2025)"


def test_panel_pieces():
    from geo.analysis.commune_profile import commune_profile, metrics_over_periods

    geography, tables, _ = _demo()
    over = metrics_over_periods(geography.communes, tables, [2019, 2020])
    profile = commune_profile(over, "05329", period=2019, named=tables["named_models"])
    figures = profile_figures(profile, "vi")
    assert figures.columns.tolist() == ["Chỉ tiêu", "Giá trị", "Hạng: huyện · tỉnh"]
    total = figures.set_index("Chỉ tiêu").loc["Số mô hình"]
    assert total["Hạng: huyện · tỉnh"].endswith(
        "/24 · " + total["Hạng: huyện · tỉnh"].split(" · ")[1]
    )
    assert total["Hạng: huyện · tỉnh"].split(" · ")[1].endswith("/151")
    assert profile_caption(profile, "vi").startswith("Huyện Lạc Sơn · kỳ 2019 · ")
    lines = named_model_lines(profile.named_models, "vi")
    assert any("Bảo vệ cây trồng, vật nuôi, bảo vệ rừng" in line for line in lines)
    assert all(line.startswith("- ") for line in lines)
    # A ward: the NTM rows read "not applicable".
    ward = commune_profile(over, "04789", period=2019)
    assert not ward.ntm_applies
    rows = profile_figures(ward, "en").set_index("Indicator")
    assert rows.loc["NTM level", "Value"] == "Not applicable"


def test_legend_notes():
    geography, _, _ = _demo()
    notes = legend_notes(geography, periods=(2019,), demo=True, lang="vi")
    assert notes == [
        "Kỳ số liệu: 2019 · Dữ liệu minh họa",
        "Ranh giới sơ đồ, không chính thức · đơn vị hành chính giai đoạn 2020-2025"
        " (151 đơn vị cấp xã)",
    ]
    notes = legend_notes(
        geography, periods=(2019, 2024), demo=False, district_name="Huyện Lạc Sơn", lang="en"
    )
    assert notes[0] == "Change 2019 → 2024"
    assert notes[2].startswith("Huyện Lạc Sơn; other districts faded.")


def test_commune_table_is_in_vietnamese_order_of_district_then_commune():
    _, _, metrics = _demo()
    table = commune_table(metrics, "vi")
    districts = list(dict.fromkeys(table["Huyện"]))
    assert districts == sorted(districts, key=vietnamese_key)
    assert districts.index("Huyện Đà Bắc") == districts.index("Huyện Cao Phong") + 1
    da_bac = table.loc[table["Huyện"] == "Huyện Đà Bắc", "Xã"].tolist()
    assert da_bac == sorted(da_bac, key=vietnamese_key) != sorted(da_bac)


def _demo_2025():
    from geo.analysis.commune_profile import commune_profile, metrics_over_periods
    from geo.analysis.vintages import tables_for
    from geo.geography.geographies import default_geography_2025, grouped_communes

    geography = default_geography_2025()
    keyed = tables_for(geography, load_demo()).tables
    over = metrics_over_periods(grouped_communes(geography), keyed, [2019])
    return geography, over, commune_profile


def test_2025_view_words_former_districts_real_boundaries_and_wards():
    geography, over, commune_profile = _demo_2025()
    metrics = over.drop(columns="period")
    districts = district_table(
        district_summary(metrics), province_summary(metrics), "vi", group="former_district"
    )
    assert "Huyện" not in districts.columns
    assert districts["Khu vực huyện cũ (trước 1/7/2025)"].tolist()[-1] == "Toàn khu vực"
    # Phường Thống Nhất: NTM not applicable; its ranks are within the former district.
    profile = commune_profile(over, "04828", period=2019)
    ward = profile_figures(profile, "en", group="former_district")
    assert "Rank: former district · whole area" in ward.columns
    ntm = ward.set_index("Indicator").loc[column_label("ntm_level", "en")]
    assert ntm["Value"] == t("legend.not_applicable_short", "en")
    notes = legend_notes(geography, periods=[2019], demo=False, lang="vi")
    assert "từ tệp" not in notes[1] and "thật, kèm theo ứng dụng" in notes[1]
    assert "vietnamese-provinces-database" in notes[1]


def _profiles_2026():
    """Panels of a xã (8 of 10 criteria, 2026) and a ward, from figures built here."""
    from geo.analysis.commune_profile import commune_profile, metrics_over_periods

    communes = two_xa_and_a_ward()
    ntm = pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00001", "00002"],
            "period": [2024, 2024, 2026, 2026],
            "ntm_level": ["ntm", "not_yet", "ntm", "not_yet"],
            "ntm_year": [2018, None, 2018, None],
            "criteria_met": [19, 15, 8, None],
        }
    )
    over = metrics_over_periods(communes, {"ntm": ntm}, [2024, 2026])
    return {code: commune_profile(over, code, period=2026) for code in communes["commune_code"]}


def test_ntm_status_line_counts_out_of_the_period_set():
    profiles = _profiles_2026()
    assert ntm_status_line(profiles["00001"], "vi") == (
        "Nông thôn mới: **Đạt chuẩn NTM**, đạt 8/10 tiêu chí (bộ tiêu chí 2026–2030)"
        " · đạt chuẩn năm 2018"
    )
    assert ntm_status_line(profiles["00002"], "en") == (
        "New-rural standard: **Not yet**, criteria met not known"
    )
    assert ntm_status_line(profiles["00003"], "vi") == t("panel.ntm_na", "vi")


def test_change_notes_say_why_ntm_levels_are_not_compared():
    geography, _, _ = _demo()
    notes = legend_notes(geography, periods=(2024, 2026), demo=False, lang="vi", layer="change_ntm")
    assert notes[-1] == (
        "Không so sánh được mức NTM: kỳ 2024 theo bộ tiêu chí 2021–2025, kỳ 2026 theo bộ tiêu chí"
        " 2026–2030. Hai bộ có 19 và 10 tiêu chí, với mức và chỉ tiêu khác nhau: bản đồ không"
        " tính mức tăng hay giảm."
    )
    # Models compare across the reform; NTM levels within one set compare.
    models = legend_notes(
        geography, periods=(2024, 2026), demo=False, lang="vi", layer="change_models"
    )
    assert not any("so sánh" in note for note in models)
    assert ntm_change_note((2021, 2025), "en", layer="change_ntm") == ""
    assert ntm_change_note((2026,), "en", layer="ntm") == ""


def test_legend_says_converted_only_of_the_periods_converted():
    from geo.geography.geographies import default_geography_2025

    geography = default_geography_2025()

    def last(periods, converted, layer="models_per_1000"):
        notes = legend_notes(
            geography, periods=periods, demo=True, lang="vi", layer=layer, converted=converted
        )
        return notes[-1]

    # 2026 on the 2025 units: the units' own figures, nothing converted, nothing said.
    assert "quy đổi" not in last((2026,), []) and "suy ra" not in last((2026,), [], "ntm")
    assert last((2024,), [2024]) == "Số liệu quy đổi từ các xã cũ (đơn vị 2020–2025)"
    assert last((2024,), [2024], "ntm").startswith("Xã sáp nhập: tô theo cấp thấp nhất")
    # A change map 2024 → 2026: which of the two was converted.
    assert last((2024, 2026), [2024], "change_models") == (
        "Số liệu 2024 quy đổi từ các xã cũ (đơn vị 2020–2025)"
    )
    assert last((2024, 2026), [2024, 2026], "change_models").startswith("Số liệu quy đổi")
    assert last((2024,), True).startswith("Số liệu quy đổi")  # all shown, as before


def test_2025_panel_caption_names_the_former_district_and_history_stars_converted_periods():
    from geo.output.display import history_frame, history_note

    _, over, commune_profile = _demo_2025()
    profile = commune_profile(over, "04873", period=2019)
    caption = profile_caption(profile, "vi", group="former_district")
    assert caption.startswith("Khu vực huyện cũ: Huyện ") and " · kỳ 2019 · " in caption
    assert profile_caption(profile, "en", group="former_district").startswith(
        "Former district area: Huyện "
    )
    history = pd.DataFrame(
        {"period": [2024, 2025, 2026], "models_total": [5, 6, 7], "converted": [True, False, False]}
    )
    frame = history_frame(history, ["models_total"], "vi")
    assert frame.index.tolist() == ["2024*", "2025", "2026"]
    rows = [{"family": "models", "conversion_note": "Tổng của 2 đơn vị cũ: Xã A, Xã B"}]
    note = history_note(history, rows, "models", "vi")
    assert note.startswith("\\* Kỳ 2024 (trước sáp nhập), quy đổi từ các xã cũ: Tổng của 2")
    assert history_note(history.assign(converted=False), rows, "models", "vi") == ""
