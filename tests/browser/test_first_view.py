"""The first view in headless Chromium, offline: the former Hòa Bình on the real 2025 boundaries.

46 real polygons with the demo figures converted from the 2020–2025 units: the attribution is
on the map, no "schematic" notice, the 2019 KPI totals equal the published figures; the
2020–2025 schematic is still a choice; a layer without districts (all of Phú Thọ, 2025) shows
no district box and no exception. Screenshots of the first view in both languages go to
``test-artifacts/browser/``.
"""

from __future__ import annotations

import re

import pytest
from atlas_ui import (
    APP,
    ARTIFACTS,
    FIRST_MAP_TIMEOUT_MS,
    FIRST_VIEW_POLYGONS,
    MAP_IFRAME,
    POLYGONS,
    SCHEMATIC_POLYGONS,
    check_offline,
    choose_option,
    choose_radio,
)

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(streamlit_server, tmp_path_factory) -> str:
    database = tmp_path_factory.mktemp("first-view") / "atlas.sqlite"
    return streamlit_server(
        APP, args=("--server.maxUploadSize", "27"), env={"ATLAS_DB_URL": f"sqlite:///{database}"}
    )


def wait_polygons(offline, count: int, timeout: float = FIRST_MAP_TIMEOUT_MS) -> object:
    page = offline.page
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=timeout)
    frame = offline.component_frame()
    expect(frame.locator(POLYGONS)).to_have_count(count, timeout=timeout)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    return frame


def test_first_view_is_the_former_hoa_binh_on_real_2025_boundaries(app_url, offline_page):
    page = offline_page.page
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(app_url)
    frame = wait_polygons(offline_page, FIRST_VIEW_POLYGONS)
    # The attribution is on the map; no schematic notice; the vintage is said.
    expect(frame.get_by_text("thanglequoc", exact=False).first).to_be_visible()
    expect(page.get_by_text("sơ đồ minh họa", exact=False)).to_have_count(0)
    expect(page.get_by_text("Đơn vị hành chính từ 1/7/2025", exact=False).first).to_be_visible()
    # The area is the former Hòa Bình, not all of Phú Thọ.
    expect(
        page.get_by_text("Hòa Bình cũ (nay thuộc tỉnh Phú Thọ)", exact=False).first
    ).to_be_visible()
    # No district box: the area box groups by the former districts.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Huyện / thành phố", exact=True)).to_have_count(0)
    # The latest period (2026) has the 2025 units' own figures: nothing said to be converted.
    converted = page.get_by_text("đã quy đổi sang đơn vị 2025 (xem Chi tiết)", exact=False)
    expect(converted).to_have_count(0)
    # The lagging communes: a plain table whose group column is the former district's.
    lagging = page.locator(".st-key-lagging").get_by_test_id("stTable")
    expect(lagging.get_by_role("columnheader").nth(1)).to_have_text(
        "Khu vực huyện cũ (trước 1/7/2025)"
    )
    # KPI totals of 2019 = the published figures (the map opens on the latest period).
    sidebar.get_by_role("slider").press("Home")
    expect(page.get_by_text(re.compile(r"Chỉ số toàn khu vực.* · 2019"))).to_be_visible(
        timeout=60_000
    )
    expect(converted).to_have_count(1)  # 2019: converted from the former communes
    metrics = page.get_by_test_id("stMetricValue").all_inner_texts()
    assert metrics[:2] == ["4.648", "646"] and metrics[-1] == "4.657", metrics
    expect(page.get_by_text("khớp số công bố", exact=False)).to_have_count(3)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "first-view-vi.png"))
    choose_radio(page, "English")
    frame = wait_polygons(offline_page, FIRST_VIEW_POLYGONS)
    expect(page.get_by_text("Units from 1 Jul 2025", exact=False).first).to_be_visible()
    expect(
        page.get_by_text("former Hòa Bình (now part of Phú Thọ)", exact=False).first
    ).to_be_visible()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "first-view-en.png"))
    check_offline(offline_page)


def test_phu_tho_2025_has_no_district_box_and_the_schematic_still_works(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    wait_polygons(offline_page, FIRST_VIEW_POLYGONS)
    choose_option(page, "Ranh giới hành chính", _label(page, "Tỉnh Phú Thọ – ranh giới thật"))
    wait_polygons(offline_page, 148)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Huyện / thành phố", exact=True)).to_have_count(0)
    expect(page.get_by_text("102/148 xã không có số liệu", exact=False)).to_be_visible()
    choose_option(page, "Ranh giới hành chính", _label(page, "Tỉnh Hòa Bình – sơ đồ"))
    wait_polygons(offline_page, SCHEMATIC_POLYGONS)
    expect(sidebar.get_by_role("combobox", name="Huyện / thành phố", exact=True)).to_have_count(1)
    check_offline(offline_page)


def _label(page, start: str) -> str:
    """The full label of the geography option that starts with ``start``."""
    box = page.get_by_role("combobox", name="Ranh giới hành chính", exact=True)
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return next(o for o in options if o.startswith(start))
