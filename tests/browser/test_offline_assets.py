"""The map draws with the internet cut off: every asset comes from the app's own static/.

Runs ``tests/browser/apps/offline_map_app.py`` (200 square "communes" through ``st_folium``)
in headless Chromium, aborting every request whose host is not localhost.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

APP = Path(__file__).parent / "apps" / "offline_map_app.py"
N_POLYGONS = 200
VENDOR_PREFIX = "/app/static/vendor/"


def _wait_for_map(offline, url: str, *, timeout_ms: int = 40_000):
    """Open the app and wait until all polygons are drawn; return the component frame."""
    offline.page.goto(url)
    frame = offline.component_frame()
    paths = frame.locator("path.leaflet-interactive")
    deadline = time.monotonic() + timeout_ms / 1000
    count = 0
    while time.monotonic() < deadline:
        count = paths.count()
        if count >= N_POLYGONS:
            break
        offline.page.wait_for_timeout(200)
    assert count == N_POLYGONS, (
        f"{count} polygons drawn; blocked={offline.blocked} failed={offline.failed} "
        f"errors={offline.page_errors + offline.console_errors}"
    )
    return frame


def _check_offline(offline) -> None:
    assert offline.blocked == [], f"requests to the internet: {offline.blocked}"
    assert offline.failed == [], f"local requests that failed: {offline.failed}"
    assert offline.page_errors == [], offline.page_errors
    vendor = [u for u in offline.requests if VENDOR_PREFIX in u]
    assert any(u.endswith("/leaflet-1.9.3/dist/leaflet.js") for u in vendor), vendor
    assert any(u.endswith("/leaflet-1.9.3/dist/leaflet.css") for u in vendor), vendor
    assert any(u.endswith("/d3-3.5.5/d3.min.js") for u in vendor), vendor


@pytest.mark.parametrize("layer", ["choropleth", "geojson"])
def test_map_draws_offline(streamlit_server, offline_page, layer, tmp_path):
    base_url = streamlit_server(APP)
    frame = _wait_for_map(offline_page, f"{base_url}/?layer={layer}")

    # The legend (branca colormap, drawn by d3) and the layer control are there.
    legend = frame.locator(".legend.leaflet-control svg rect")
    assert legend.count() > 0
    assert frame.locator(".leaflet-control-layers").count() == 1

    # Tooltips work: hover one commune.
    frame.locator("path.leaflet-interactive").nth(57).hover(force=True)
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.first.wait_for(state="visible", timeout=10_000)
    assert "Xã" in tooltip.first.inner_text()

    _check_offline(offline_page)

    shot = Path(os.environ.get("OFFLINE_MAP_SCREENSHOT_DIR", tmp_path)) / f"offline_{layer}.png"
    offline_page.page.screenshot(path=str(shot), full_page=True)


def test_cdn_map_does_not_draw_offline(streamlit_server, offline_page):
    """Control: without use_local_assets the same map needs CDNs and draws nothing here."""
    base_url = streamlit_server(APP)
    offline_page.page.goto(f"{base_url}/?assets=cdn")
    frame = offline_page.component_frame()
    frame.locator("#map_div").wait_for(state="attached")
    deadline = time.monotonic() + 30
    while not offline_page.blocked and time.monotonic() < deadline:
        offline_page.page.wait_for_timeout(200)
    # streamlit-folium loads js_links one by one and stops at the first that fails (here
    # d3 v4, which it puts first for a map with a colormap), so the map script never runs.
    assert offline_page.blocked, "nothing was blocked: the control map did not need a CDN?"
    offline_page.page.wait_for_timeout(2_000)
    assert frame.locator("path.leaflet-interactive").count() == 0
