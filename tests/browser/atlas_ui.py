"""What the browser tests of the atlas share: where things are, and how a user acts on them.

The map is the streamlit-folium iframe; its Leaflet map object is found by :data:`FIND_MAP_JS`;
commune polygons are the ``path.leaflet-interactive`` elements.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = REPO_ROOT / "streamlit_app.py"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
POLYGONS = "path.leaflet-interactive"
#: The first view: the former Hòa Bình on the real 2025 boundaries (46 communes, no districts).
FIRST_VIEW_POLYGONS = 46
#: ``ATLAS_PROVINCES`` of the servers that test the 2020–2025 schematic of Hòa Bình (151 units).
SCHEMATIC_PROVINCES = "17"
SCHEMATIC_POLYGONS = 151
FIRST_MAP_TIMEOUT_MS = 150_000  # first use builds the geography, its web geometry and the crosswalk

# The Leaflet map of the component frame: streamlit-folium exposes it as ``window.map``;
# fall back to any global L.Map (folium names it ``map_<id>``).
FIND_MAP_JS = """
const findMap = () => {
  if (window.map instanceof L.Map) return window.map;
  for (const key of Object.keys(window)) {
    try { if (window[key] instanceof L.Map) return window[key]; } catch (e) {}
  }
  throw new Error("no Leaflet map in the component frame");
};
"""
# Resolves once Leaflet has run no zoom or pan animation for a few ticks (fit-bounds animates
# the first view), or after 5 s.
SETTLE_JS = (
    "() => {"
    + FIND_MAP_JS
    + """
  const map = findMap(), started = Date.now();
  return new Promise((resolve) => {
    let calm = 0;
    const tick = () => {
      const busy = map._animatingZoom || (map._panAnim && map._panAnim._inProgress);
      calm = busy ? 0 : calm + 1;
      if (calm >= 4 || Date.now() - started > 5000) resolve(!busy);
      else setTimeout(tick, 50);
    };
    tick();
  });
}"""
)

# A point of a polygon where it is the topmost element (where a pointer would reach it).
POINT_JS = """(el) => {
  const r = el.getBoundingClientRect();
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2, points = [];
  for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++)
    points.push([r.left + (r.width * i) / 12, r.top + (r.height * j) / 12]);
  points.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
  const hit = points.find(([x, y]) => document.elementFromPoint(x, y) === el);
  return hit ? {x: hit[0] - r.left, y: hit[1] - r.top} : null;
}"""


def choose_radio(page: Any, option: str) -> None:
    """Click the radio button labelled exactly ``option``."""
    from playwright.sync_api import expect  # the modules using this skip without playwright

    label = page.locator('[data-testid="stRadio"] label').filter(
        has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")
    )
    expect(label).to_have_count(1)
    label.click()


def choose_option(page: Any, label: str, option: str, *, scope: Any = None) -> None:
    """Pick ``option`` in the select box ``label`` (looked for in ``scope``, default the page)."""
    from playwright.sync_api import Error, expect

    combobox = (scope or page).get_by_role("combobox", name=label, exact=True)
    # A rerun still under way (after the previous click) may redraw the box and close its list:
    # open it again until the option can be clicked.
    for _ in range(5):
        combobox.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except Error:
            page.keyboard.press("Escape")
    expect(combobox).to_have_value(option)


def check_offline(offline: Any) -> None:
    """Nothing went to the internet, nothing failed locally, no script broke."""
    assert offline.blocked == [], f"requests to the internet: {offline.blocked}"
    assert offline.failed == [], f"local requests that failed: {offline.failed}"
    assert offline.page_errors == [], f"page errors: {offline.page_errors}"
