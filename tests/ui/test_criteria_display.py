"""The lagging rules and the commune panel of a period measured on the 10-criteria set."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _rules_page() -> None:
    import pandas as pd
    import streamlit as st

    from geo.ui.lagging import lagging_rules

    metrics = pd.DataFrame(
        {"criteria_met": [8, 10], "criterion_7": pd.array([False, True], dtype="boolean")}
    )
    period = st.session_state.get("test_period", 2026)
    rules = lagging_rules("vi", has_previous=False, period=period, metrics=metrics)
    st.text(" | ".join(rule.describe("vi") for rule in rules))


def test_lagging_threshold_is_capped_by_the_period_set_and_offers_single_criteria():
    app = AppTest.from_function(_rules_page, default_timeout=60).run()
    assert not app.exception
    [threshold] = app.number_input
    assert threshold.max == 10 and threshold.value == 8
    assert threshold.label == "Đạt dưới (tiêu chí, tối đa 10 theo bộ tiêu chí 2026–2030)"
    assert app.text[0].value == "Số tiêu chí NTM đạt dưới 8/10 (bộ tiêu chí 2026–2030)"
    offer = next(c for c in app.checkbox if c.label == "Chưa đạt một tiêu chí cụ thể")
    offer.check().run()
    [criterion] = app.selectbox
    assert criterion.options == ["Chưa đạt tiêu chí 7: Khoa học công nghệ và chuyển đổi số"]
    assert app.text[0].value.endswith("| Chưa đạt tiêu chí 7: Khoa học công nghệ và chuyển đổi số")


def test_lagging_threshold_of_a_19_criteria_period():
    app = AppTest.from_function(_rules_page, default_timeout=60)
    app.session_state["test_period"] = 2024
    app.run()
    [threshold] = app.number_input
    assert threshold.max == 19 and threshold.value == 15
    assert app.text[0].value == "Số tiêu chí NTM đạt dưới 15/19 (bộ tiêu chí 2021–2025)"


def _panel_page() -> None:
    import pandas as pd

    from geo.analysis.commune_profile import commune_profile, metrics_over_periods
    from geo.ui.commune_panel import commune_panel

    communes = pd.DataFrame(
        {
            "commune_code": ["00001", "00002"],
            "commune_name": ["Xã A", "Xã B"],
            "commune_type": "Xã",
            "district_code": "001",
            "district_name": "Huyện X",
            "area_km2": 10.0,
        }
    )
    ntm = pd.DataFrame(
        {
            "commune_code": ["00001", "00002"],
            "period": 2026,
            "ntm_level": ["ntm", "not_yet"],
            "criteria_met": [8, 6],
        }
    )
    over = metrics_over_periods(communes, {"ntm": ntm}, [2026])
    commune_panel(commune_profile(over, "00001", period=2026), "vi", district_in_view=None)


def test_commune_panel_names_the_set_and_its_count():
    app = AppTest.from_function(_panel_page, default_timeout=60).run()
    assert not app.exception
    lines = [m.value for m in app.markdown]
    assert "Nông thôn mới: **Đạt chuẩn NTM**, đạt 8/10 tiêu chí (bộ tiêu chí 2026–2030)" in lines
