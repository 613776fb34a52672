"""The whole country in headless Chromium, offline: ``ATLAS_PROVINCES=all`` draws a map.

10,035 schematic communes of 2020–2025; some are smaller than the country view's grid and keep
no ring in the web geometry. The map must still draw (on canvas, from 3,000 features), label
what it can and raise no error in the page; the cards speak of the area, not of one province.
"""

from __future__ import annotations

import pytest
from atlas_ui import APP, FIND_MAP_JS, MAP_IFRAME, check_offline

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WHOLE_COUNTRY_TIMEOUT_MS = 240_000
# Polygons on the map, counted in the component frame's Leaflet map.
COUNT_POLYGONS_JS = (
    "() => {"
    + FIND_MAP_JS
    + """
  let n = 0;
  findMap().eachLayer((layer) => { if (layer.feature && layer.getLatLngs) n += 1; });
  return n;
}"""
)


def test_whole_country_draws_without_error(streamlit_server, tmp_path_factory, offline_page):
    database = tmp_path_factory.mktemp("whole-country") / "atlas.sqlite"
    url = streamlit_server(
        APP,
        args=("--server.maxUploadSize", "33"),
        env={"ATLAS_PROVINCES": "all", "ATLAS_DB_URL": f"sqlite:///{database}"},
    )
    page = offline_page.page
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(url)
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=WHOLE_COUNTRY_TIMEOUT_MS)
    frame = offline_page.component_frame()
    expect(frame.locator("canvas.leaflet-zoom-animated").first).to_be_attached(
        timeout=WHOLE_COUNTRY_TIMEOUT_MS
    )
    expect(page.get_by_text("10035", exact=False).first).to_be_visible()
    handle = page.frame_locator(MAP_IFRAME).first.locator("body")
    drawn = handle.evaluate(f"(body) => ({COUNT_POLYGONS_JS})()")
    assert drawn >= 10_000, drawn
    page.wait_for_timeout(1500)  # the labels' update runs after fitBounds
    assert offline_page.page_errors == [], offline_page.page_errors
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Chỉ số toàn tỉnh", exact=False)).to_have_count(0)
    check_offline(offline_page)
