"""A period measured on the 10-criteria set (2026–2030), in headless Chromium, offline.

The first view (the former Hòa Bình on its 46 units of 2025) opens on the demo period 2026,
whose NTM figures count out of 10: the NTM legend and a commune's panel name the 2026–2030 set
and its count; the change map 2019 → 2026 marks NTM levels not comparable and says why.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from atlas_ui import (
    APP,
    ARTIFACTS,
    FIRST_MAP_TIMEOUT_MS,
    FIRST_VIEW_POLYGONS,
    MAP_IFRAME,
    POINT_JS,
    POLYGONS,
    check_offline,
    choose_radio,
)

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
expect = sync_api.expect

TIMEOUT_MS = 30_000
#: The unit line of the NTM legend of a 2026 period.
SET_UNIT = "mức đạt; bộ tiêu chí 2026–2030, 10 tiêu chí"


@pytest.fixture(scope="module")
def app_url(streamlit_server, tmp_path_factory) -> str:
    database = tmp_path_factory.mktemp("criteria-sets") / "atlas.sqlite"
    env = {"ATLAS_DB_URL": f"sqlite:///{database}"}
    return streamlit_server(APP, args=("--server.maxUploadSize", "29"), env=env)


def _map(offline: Any, title: str, timeout: float = TIMEOUT_MS) -> Any:
    """The map frame once its legend reads ``title`` and every commune is drawn."""
    page = offline.page
    frame = page.frame_locator(MAP_IFRAME).first
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline and not offline.page_errors:
        try:
            titles = frame.locator(".atlas-legend-title").all_inner_texts()
            if titles == [title] and frame.locator(POLYGONS).count() == FIRST_VIEW_POLYGONS:
                return frame
        except sync_api.Error:  # the iframe was replaced while we looked
            pass
        page.wait_for_timeout(100)
    raise AssertionError(f"no map titled {title!r}: {offline.page_errors}")


def test_2026_legend_panel_and_change_map_name_the_criteria_set(app_url, offline_page):
    page = offline_page.page
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(app_url)
    _map(offline_page, "Mô hình trên 1.000 dân", timeout=FIRST_MAP_TIMEOUT_MS)
    choose_radio(page, "Nông thôn mới")  # the map opens on the latest period: 2026
    frame = _map(offline_page, "Nông thôn mới")
    expect(frame.locator(".atlas-legend")).to_contain_text(SET_UNIT)
    expect(frame.locator(".atlas-legend")).to_contain_text("Kỳ số liệu: 2026")
    expect(frame.locator(".atlas-legend")).not_to_contain_text("NTM nâng cao")  # not a 2026 level

    # A xã of the 2026 period: its panel counts out of the 10 criteria of the set.
    panel = page.locator(".st-key-commune_panel")
    path = frame.locator("path.leaflet-interactive[fill='#c2e699']").first  # an NTM xã
    path.scroll_into_view_if_needed()
    position = path.evaluate(POINT_JS)
    assert position, "the commune is covered everywhere"
    path.click(position=position)
    expect(panel).to_contain_text("kỳ 2026", timeout=TIMEOUT_MS)
    expect(panel).to_contain_text(re.compile(r"đạt 10/10 tiêu chí \(bộ tiêu chí 2026–2030\)"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "criteria-set-2026.png"))

    # The change 2019 → 2026 of NTM levels: across two sets, not compared, and why.
    choose_radio(page, "So sánh hai kỳ")
    _map(offline_page, "Mô hình tăng thêm")
    choose_radio(page, "Nông thôn mới: số mức tăng")
    frame = _map(offline_page, "Nông thôn mới: số mức tăng")
    legend = frame.locator(".atlas-legend")
    expect(legend).to_contain_text("Không so sánh được (khác bộ tiêu chí)")
    expect(legend).to_contain_text("Hai bộ có 19 và 10 tiêu chí")
    expect(legend).not_to_contain_text("Tăng 1 mức")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text(
        "Không so sánh được mức NTM: kỳ 2019 theo bộ tiêu chí 2016–2020"
    )
    page.screenshot(path=str(ARTIFACTS / "criteria-set-change-2019-2026.png"))
    check_offline(offline_page)
