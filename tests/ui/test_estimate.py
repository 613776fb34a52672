"""Newer figures on an older map, asked for as an estimate (issue 12): the sidebar offers it
only where figures are too new for the map, off by default; on, the refused periods come onto
the slider and the notices, legend, indicators and commune panel say "ước tính"; off, the
periods are refused as before."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

ESTIMATE_BOX = "Ước tính số liệu mới theo tỷ lệ diện tích"
LABEL = "ƯỚC TÍNH theo tỷ lệ diện tích"


def _page() -> None:
    import json

    import streamlit as st

    from geo.i18n import t
    from geo.ui.header import page_header
    from geo.ui.kpis import kpi_section
    from geo.ui.resources import geography_for, map_for, metrics_for, vintage_tables_for
    from geo.ui.sidebar import sidebar

    with st.sidebar:
        choices = sidebar()
    view, revision = choices.view, choices.revision
    geography = geography_for(view.geography_key)
    figures = vintage_tables_for(view.geography_key, revision, view.lang, estimate=view.estimate)
    page_header(view, geography, figures)
    metrics = metrics_for(view.geography_key, view.period, revision, estimate=view.estimate)
    kpi_section(view, metrics, periods=figures.periods, revision=revision)
    legend = map_for(view, False, revision).get_root().render()
    # The legend is a string inside the map's script: non-ASCII letters escaped as in JSON.
    note = json.dumps(t("legend.estimated_note", view.lang, periods=view.period))[1:-1]
    st.text(f"estimate={view.estimate} legend={note in legend}")


@pytest.fixture
def atlas(monkeypatch, tmp_path):
    """The app's resources on a fresh figure store (demo data) and the 2020–2025 schematic of
    Hòa Bình first (``ATLAS_PROVINCES=17``); caches emptied before and after."""
    import streamlit as st

    from geo.ui import resources

    def clear() -> None:
        st.cache_data.clear()
        resources.get_store.clear()
        resources.geography_for.clear()

    monkeypatch.setenv("ATLAS_DB_URL", f"sqlite:///{tmp_path / 'atlas.sqlite'}")
    monkeypatch.setattr(resources, "ENV_PROVINCES", ("17",))
    clear()
    yield
    clear()


def _run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    return app


def _notices(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**"))


def test_estimate_is_offered_on_the_older_map_and_labelled_everywhere(atlas):
    app = _run(AppTest.from_function(_page, default_timeout=300))
    box = app.sidebar.checkbox(key="estimate")
    assert box.label == ESTIMATE_BOX and box.value is False
    assert "ước tính" in box.help.lower() and "2025–2026" in box.help
    # Off: 2025–2026 refused, with the hint, as before.
    slider = app.sidebar.select_slider(key="period")
    assert slider.options[-1] == "2024" and slider.value == 2024
    assert "số liệu 2025–2026 theo đơn vị 2025: chọn ranh giới 2025 để xem" in _notices(app)
    assert app.text[0].value == "estimate=False legend=False"
    assert LABEL not in app.subheader[0].value

    box.check()
    _run(app)
    slider = app.sidebar.select_slider(key="period")
    assert slider.options[-2:] == ["2025", "2026"]
    slider.set_value(2026)
    _run(app)
    line = _notices(app)
    assert "số liệu 2026: ƯỚC TÍNH theo tỷ lệ diện tích (xem Chi tiết)" in line
    assert "chọn ranh giới 2025 để xem" not in line
    assert app.text[0].value == "estimate=True legend=True"
    assert app.subheader[0].value.endswith(f"· 2026 · dữ liệu minh họa / demo data · {LABEL}")

    # A real period with the box on is no estimate: nothing labelled.
    app.sidebar.select_slider(key="period").set_value(2024)
    _run(app)
    assert app.text[0].value == "estimate=False legend=False"

    # Off again on 2026: back to the latest real period, refused as before.
    app.sidebar.select_slider(key="period").set_value(2026)
    _run(app)
    app.sidebar.checkbox(key="estimate").uncheck()
    _run(app)
    slider = app.sidebar.select_slider(key="period")
    assert slider.options[-1] == "2024" and slider.value == 2024
    assert "chọn ranh giới 2025 để xem" in _notices(app)


def test_no_estimate_is_offered_where_the_figures_fit_the_map(atlas):
    from geo.geography.geographies import FORMER_HOA_BINH_2025_KEY

    app = AppTest.from_function(_page, default_timeout=300)
    app.session_state["geography"] = FORMER_HOA_BINH_2025_KEY
    _run(app)
    assert not [box for box in app.sidebar.checkbox if box.key == "estimate"]


def _panel_page() -> None:
    from geo.analysis.commune_profile import commune_profile, metrics_over_periods
    from geo.analysis.vintages import provenance_of, tables_for
    from geo.figures.indicators import load_demo
    from geo.geography.geographies import default_geography, grouped_communes
    from geo.ui.commune_panel import commune_panel, provenance_section

    geography = default_geography()
    tables = tables_for(geography, load_demo(), estimate=True).tables
    over = metrics_over_periods(grouped_communes(geography), tables, [2024, 2025, 2026])
    profile = commune_profile(over, "04789", period=2026, tables=tables)
    provenance = provenance_of(tables, "04789", 2026)
    estimate = any(row["estimate"] for row in provenance)
    commune_panel(profile, "vi", district_in_view=None, estimate=estimate)
    provenance_section(provenance, "vi")


def test_commune_panel_marks_an_estimated_value_and_names_the_new_commune():
    app = _run(AppTest.from_function(_panel_page, default_timeout=120))
    [table] = app.table
    assert "Giá trị (ước tính)" in list(table.value.columns)
    captions = [c.value for c in app.caption]
    assert any(
        c.startswith("Số liệu kỳ 2026 của xã là ƯỚC TÍNH theo tỷ lệ diện tích") for c in captions
    )
    assert "Xã mới (đơn vị 2025): Phường Thống Nhất" in captions
    assert app.expander[0].label == "Nguồn gốc số liệu (ước tính từ xã mới theo tỷ lệ diện tích)"
    note = next(c for c in captions if c.startswith("†"))
    assert note == "† Kỳ 2025–2026: ƯỚC TÍNH theo tỷ lệ diện tích từ xã mới (đơn vị 2025)"
