"""What the page says of figures across the 2025 reform: "converted" only when true, figures
left out behind "Chi tiết" with a hint, the former district in the panel, the NTM criteria
set in the lagging export's title."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis.lagging import CriteriaBelow, NoModelInField, NoProgress
from geo.ui.lagging import lagging_title
from geo.view import MapView


def _header_page() -> None:
    import streamlit as st

    from geo.analysis.vintages import tables_for
    from geo.figures.indicators import load_demo
    from geo.geography.geographies import default_geography, default_geography_2025
    from geo.ui.header import page_header
    from geo.view import MapView

    periods = st.session_state["test_periods"]
    newer = st.session_state["test_units"] == "2025"
    geography = default_geography_2025() if newer else default_geography()
    view = MapView(
        layer="models_per_1000",
        period=periods[-1],
        compare_from=periods[0] if len(periods) > 1 else None,
        vintage=str(geography.vintage),
        demo=True,
    )
    page_header(view, geography, tables_for(geography, load_demo()))


def _header(units: str, periods: list[int]) -> AppTest:
    app = AppTest.from_function(_header_page, default_timeout=180)
    app.session_state["test_units"] = units
    app.session_state["test_periods"] = periods
    app.run()
    assert not app.exception
    return app


def _line(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**"))


@pytest.mark.parametrize(
    ("periods", "said"),
    [
        ([2026], None),  # the 2025 units' own figures
        ([2024], "số liệu đã quy đổi sang đơn vị 2025 (xem Chi tiết)"),
        ([2024, 2026], "số liệu 2024 đã quy đổi sang đơn vị 2025 (xem Chi tiết)"),
        ([2025, 2026], None),
    ],
)
def test_header_says_converted_only_of_the_converted_periods(periods, said):
    app = _header("2025", periods)
    line = _line(app)
    captions = [c.value for c in app.caption]
    if said is None:
        assert "quy đổi" not in line and not any("quy đổi" in c for c in captions)
    else:
        assert said in line
        assert any(c.startswith("Số liệu thuộc đơn vị hành chính 2020-2025") for c in captions)


def test_figures_left_out_of_an_older_map_are_a_hint_with_their_reason_behind_details():
    app = _header("2020-2025", [2024])
    assert not any("2026" in box.value for box in app.info)  # no box above the map
    line = _line(app)
    assert "số liệu 2025–2026 theo đơn vị 2025: chọn ranh giới 2025 để xem (xem Chi tiết)" in line
    [reason] = [c.value for c in app.caption if "2025, 2026" in c.value]
    assert "chọn ranh giới 2025 ở mục «Ranh giới hành chính»" in reason
    assert "estimate" not in reason


def _panel_page() -> None:
    from geo.analysis.commune_profile import commune_profile, metrics_over_periods
    from geo.analysis.vintages import provenance_of, tables_for
    from geo.figures.indicators import load_demo
    from geo.geography.geographies import default_geography_2025, grouped_communes
    from geo.ui.commune_panel import commune_panel

    geography = default_geography_2025()
    tables = tables_for(geography, load_demo()).tables
    over = metrics_over_periods(grouped_communes(geography), tables, [2023, 2024, 2025, 2026])
    profile = commune_profile(over, "04873", period=2026, tables=tables)  # Xã Quy Đức
    history_from = provenance_of(tables, "04873", 2024)
    commune_panel(
        profile,
        "vi",
        district_in_view=None,
        group="former_district",
        history_from=history_from,
    )


def test_2025_panel_names_the_former_district_and_stars_the_converted_history():
    app = AppTest.from_function(_panel_page, default_timeout=120).run()
    assert not app.exception
    captions = [c.value for c in app.caption]
    assert captions[0].startswith("Khu vực huyện cũ: Huyện Đà Bắc · kỳ 2026")
    note = next(c for c in captions if c.startswith("\\*"))
    assert note.startswith("\\* Kỳ 2023–2024 (trước sáp nhập), quy đổi từ các xã cũ")
    assert "Xã Đoàn Kết" in note


def test_lagging_export_title_names_the_criteria_set_of_ntm_rules():
    view = MapView(layer="ntm", period=2026, demo=True)
    lines = lagging_title(view, [CriteriaBelow(8, period=2026)], where="Xã A", described="…")
    assert lines[2] == (
        "Bộ tiêu chí nông thôn mới: bộ tiêu chí 2026–2030 (51/2025/QĐ-TTg, 10 tiêu chí)"
    )
    assert lines[-1].startswith("dữ liệu minh họa")
    # No NTM rule: no set named.
    assert len(lagging_title(view, [NoModelInField("economy")], where="A", described="…")) == 3
    # Progress on NTM across two sets: both named.
    change = view.replace(compare_from=2024)
    lines = lagging_title(change, [NoProgress("ntm")], where="A", described="…")
    assert "2024: bộ tiêu chí 2021–2025" in lines[2] and "2026: bộ tiêu chí 2026–2030" in lines[2]
