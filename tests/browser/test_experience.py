"""The map experience of the atlas in headless Chromium, the internet cut off (issue 5).

A leader clicks a commune and reads its panel, switches layers, drills down to a district and
compares two periods; a planner finds the lagging communes of a district and exports them. The
app runs on a database of its own (``ATLAS_DB_URL`` in a temporary folder, seeded with the demo
batches), never on ``data/atlas.sqlite``. Each test opens the app in a fresh browser context, so
it starts from the default view and can run alone.

What a user sees is read from the streamlit-folium iframe: commune polygons are the
``path.leaflet-interactive`` elements (faded context of other districts, district outlines and
highlight outlines are not interactive); a polygon's commune comes from its GeoJSON feature.
Screenshots go to ``test-artifacts/browser/`` (gitignored).
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from atlas_ui import (
    APP,
    ARTIFACTS,
    FIND_MAP_JS,
    FIRST_MAP_TIMEOUT_MS,
    MAP_IFRAME,
    POINT_JS,
    POLYGONS,
    SCHEMATIC_PROVINCES,
    SETTLE_JS,
    check_offline,
    choose_option,
    choose_radio,
)

from geo.geography.admin_units import communes as admin_communes

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
expect = sync_api.expect

TIMEOUT_MS = 20_000
LAC_SON = "Huyện Lạc Sơn"
#: The layer the map opens on (geo.view.DEFAULT_LAYER), and the density layer.
FIRST_LAYER = "Mô hình trên 1.000 dân"
DENSITY = "Mật độ mô hình Dân vận khéo"

# Every polygon with a commune code: its properties, fill, opacity and whether it is pointable.
_POLYGONS_JS = (
    "() => {"
    + FIND_MAP_JS
    + """
  const out = [];
  findMap().eachLayer((layer) => {
    const path = layer._path, props = layer.feature && layer.feature.properties;
    if (!path || !props || !("code" in props) || !("fill" in props)) return;
    out.push({code: props.code, name: props.name || null, fill: path.getAttribute("fill"),
              opacity: Number(path.getAttribute("fill-opacity")),
              interactive: path.classList.contains("leaflet-interactive")});
  });
  return out;
}"""
)
_VIEW_JS = (
    "() => {"
    + FIND_MAP_JS
    + """
  const map = findMap(), b = map.getBounds();
  return {zoom: map.getZoom(), west: b.getWest(), east: b.getEast(), south: b.getSouth(),
          north: b.getNorth()};
}"""
)


# --------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(scope="module")
def app_url(streamlit_server, tmp_path_factory) -> str:
    """The atlas on a database of its own (seeded with the demo batches on first use)."""
    root = tmp_path_factory.mktemp("experience")
    # The 2020–2025 schematic of Hòa Bình (151 units) first, as this module expects.
    env = {
        "ATLAS_DB_URL": f"sqlite:///{root / 'atlas.sqlite'}",
        "ATLAS_PROVINCES": SCHEMATIC_PROVINCES,
    }
    # Own arguments, so this server (with its own database) is not shared with other tests.
    return streamlit_server(APP, args=("--server.maxUploadSize", "23"), env=env)


@pytest.fixture(scope="module")
def units():
    return admin_communes()


def frame_of(page: Any) -> Any:
    return page.frame_locator(MAP_IFRAME).first


def polygons(frame: Any) -> list[dict[str, Any]]:
    raw = frame.locator("body").evaluate(_POLYGONS_JS)
    return [{**p, "code": html.unescape(str(p["code"]))} for p in raw]


def pointable(frame: Any) -> list[dict[str, Any]]:
    return [p for p in polygons(frame) if p["interactive"]]


def wait_for_map(offline: Any, *, title: str | None, count: int, timeout: float = TIMEOUT_MS):
    """Wait until the map shows ``title`` and ``count`` pointable communes; return its frame."""
    page, frame = offline.page, frame_of(offline.page)
    titles = frame.locator(".atlas-legend-title")

    def ready() -> bool:
        try:
            if title is not None and titles.all_inner_texts() != [title]:
                return False
            return frame.locator(POLYGONS).count() == count
        except sync_api.Error:  # the iframe was replaced while we looked
            return False

    deadline = time.monotonic() + timeout / 1000
    while not ready() and not offline.page_errors and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    if not ready():
        errors = page.locator('[data-testid="stException"]').all_inner_texts()
        raise AssertionError(
            f"no map titled {title!r} with {count} communes: legend {titles.all_inner_texts()},"
            f" {frame.locator(POLYGONS).count()} polygons; page errors {offline.page_errors};"
            f" app exceptions {errors}"
        )
    expect(page.locator(MAP_IFRAME)).to_have_count(1)
    frame.locator("body").evaluate(SETTLE_JS)
    return frame


def open_app(offline: Any, url: str) -> Any:
    offline.page.goto(url)
    return wait_for_map(offline, title=FIRST_LAYER, count=151, timeout=FIRST_MAP_TIMEOUT_MS)


def legend(frame: Any) -> dict[str, tuple[str, int]]:
    """Legend classes: label → (colour, count)."""
    rows = frame.locator(".atlas-legend .atlas-legend-row").evaluate_all(
        """rows => rows.map(r => [r.querySelector('.atlas-legend-swatch').dataset.color,
            ...[...r.querySelectorAll(':scope > span')].slice(1).map(s => s.textContent.trim())])"""
    )
    out = {}
    for color, label, count in rows:
        match = re.fullmatch(r"(\d+) (xã|communes)", count)
        assert match, count
        out[label] = (color, int(match.group(1)))
    return out


def check_legend_matches(frame: Any, total: int) -> dict[str, tuple[str, int]]:
    """The legend's classes count every commune, and each colour fills as many as it says."""
    classes = legend(frame)
    assert sum(n for _, n in classes.values()) == total, classes
    fills = Counter(p["fill"] for p in polygons(frame))
    assert fills == Counter({c: n for c, n in classes.values() if n}), (fills, classes)
    return classes


def click_commune(frame: Any, index: int) -> dict[str, Any]:
    """Click the ``index``-th commune where a pointer would reach it; return its polygon."""
    path = frame.locator(POLYGONS).nth(index)
    path.scroll_into_view_if_needed()
    position = path.evaluate(POINT_JS)
    assert position, f"commune {index} is covered everywhere"
    target = pointable(frame)[index]
    path.click(position=position)
    return target


def screenshot(page: Any, name: str, *, whole_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.locator(MAP_IFRAME).screenshot(path=str(ARTIFACTS / f"experience-{name}-map.png"))
    if whole_page:
        page.screenshot(path=str(ARTIFACTS / f"experience-{name}-page.png"), full_page=True)


# --------------------------------------------------------------------------------------------
# Tests


def test_click_opens_the_commune_panel_and_keeps_the_view(app_url, offline_page, units):
    page = offline_page.page
    frame = open_app(offline_page, app_url)
    # The polygons drawn are the communes of the province, each once.
    assert sorted(p["code"] for p in pointable(frame)) == sorted(units["commune_code"])
    panel = page.locator(".st-key-commune_panel")
    expect(panel).to_contain_text("Bấm vào một xã trên bản đồ")

    # Mark the live map: a click must not re-create it (the view would be lost).
    frame.locator("body").evaluate("() => { window.__sameMap = true; }")
    view = frame.locator("body").evaluate(_VIEW_JS)
    clicked = click_commune(frame, 40)
    official = units.set_index("commune_code").loc[clicked["code"]]
    expect(panel.locator("h3")).to_have_text(official["commune_name"], timeout=TIMEOUT_MS)
    expect(panel).to_contain_text(f"{official['district_name']} · kỳ 2024")
    # Figures with ranks in the district and the province, named models, the history.
    table = panel.locator('[data-testid="stTable"]')
    expect(table).to_contain_text("Số mô hình")
    ranks = [t.strip() for t in table.locator("tbody tr td").all_inner_texts()]
    assert any(re.fullmatch(r"\d+/\d+ · \d+/151", cell) for cell in ranks), ranks
    expect(panel).to_contain_text("Mô hình tiêu biểu")
    expect(panel).to_contain_text("Qua các kỳ")
    expect(panel.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()

    # The clicked commune is outlined on the same map, and the view did not move. The commune
    # has the focus but no focus rectangle (Chromium draws an SVG path's as its bounding box).
    expect(frame.locator("path.atlas-selected")).to_have_count(1)
    outline = (
        frame.locator("path.leaflet-interactive")
        .nth(40)
        .evaluate(
            "el => { el.focus({preventScroll: true}); return getComputedStyle(el).outlineStyle; }"
        )
    )
    assert outline == "none", f"a focused commune gets a focus box ({outline})"
    assert frame.locator("body").evaluate("() => window.__sameMap === true")
    assert frame.locator("body").evaluate(_VIEW_JS) == view
    screenshot(page, "clicked", whole_page=True)

    # Another commune replaces the first; closing the panel removes the outline.
    second = click_commune(frame, 100)
    name = units.set_index("commune_code").loc[second["code"], "commune_name"]
    expect(panel.locator("h3")).to_have_text(name, timeout=TIMEOUT_MS)
    panel.get_by_role("button", name="Đóng").click()
    expect(panel).to_contain_text("Bấm vào một xã trên bản đồ", timeout=TIMEOUT_MS)
    expect(frame.locator("path.atlas-selected")).to_have_count(0)
    assert frame.locator("body").evaluate("() => window.__sameMap === true")
    check_offline(offline_page)


def test_switching_layer_changes_the_fill_colours(app_url, offline_page):
    page = offline_page.page
    frame = open_app(offline_page, app_url)
    fills = {"per_1000": {p["fill"] for p in polygons(frame)}}
    # The reader zooms in; the next layer keeps that view (same area, same map size).
    frame.locator(".leaflet-control-zoom-in").click()
    frame.locator("body").evaluate(SETTLE_JS)
    view = frame.locator("body").evaluate(_VIEW_JS)

    choose_radio(page, "Mô hình theo lĩnh vực")
    frame = wait_for_map(offline_page, title="Mô hình lĩnh vực kinh tế", count=151)
    assert frame.locator("body").evaluate(_VIEW_JS)["zoom"] == view["zoom"]
    classes = check_legend_matches(frame, 151)
    assert "Chưa có mô hình" in classes  # communes with no economic model stand apart
    fills["economy"] = {p["fill"] for p in polygons(frame)}
    expect(frame.locator(".atlas-legend")).to_contain_text("(mô hình)")

    sidebar = page.locator('[data-testid="stSidebar"]')
    choose_option(page, "Lĩnh vực", "Quốc phòng – an ninh", scope=sidebar)
    frame = wait_for_map(offline_page, title="Mô hình lĩnh vực quốc phòng – an ninh", count=151)
    check_legend_matches(frame, 151)
    fills["defence"] = {p["fill"] for p in polygons(frame)}

    choose_radio(page, "Mô hình trên km²")
    frame = wait_for_map(
        offline_page, title="Mật độ mô hình lĩnh vực quốc phòng – an ninh", count=151
    )
    check_legend_matches(frame, 151)
    expect(frame.locator(".atlas-legend")).to_contain_text("(mô hình/km²)")

    choose_radio(page, DENSITY)
    frame = wait_for_map(offline_page, title=DENSITY, count=151)
    check_legend_matches(frame, 151)
    fills["density"] = {p["fill"] for p in polygons(frame)}
    # Each layer has its own colour ramp (ColorBrewer), so the map visibly changes.
    groups = list(fills.values())
    assert all(len(g) >= 3 for g in groups), fills
    assert len({frozenset(g) for g in groups}) == len(groups), fills
    screenshot(page, "density")
    check_offline(offline_page)


def test_drill_down_zooms_to_the_district_and_fades_the_others(app_url, offline_page, units):
    page = offline_page.page
    frame = open_app(offline_page, app_url)
    province_view = frame.locator("body").evaluate(_VIEW_JS)
    # The reader looks closer at the province before choosing a district.
    frame.locator(".leaflet-control-zoom-in").click()
    frame.locator("body").evaluate(SETTLE_JS)
    reader_view = frame.locator("body").evaluate(_VIEW_JS)
    assert reader_view["zoom"] > province_view["zoom"]
    members = units[units["district_name"] == LAC_SON]
    sidebar = page.locator('[data-testid="stSidebar"]')

    choose_option(page, "Huyện / thành phố", LAC_SON, scope=sidebar)
    frame = wait_for_map(offline_page, title=None, count=len(members))
    drawn = polygons(frame)
    focus = [p for p in drawn if p["interactive"]]
    faded = [p for p in drawn if not p["interactive"]]
    # The district's communes at full colour; every other commune still drawn, faded.
    assert sorted(p["code"] for p in focus) == sorted(members["commune_code"])
    assert len(faded) == 151 - len(members)
    assert {p["opacity"] for p in focus} == {0.85}
    assert max(p["opacity"] for p in faded) <= 0.2
    # The map zoomed in on the district: a closer zoom, a smaller window inside the province's.
    view = frame.locator("body").evaluate(_VIEW_JS)
    assert view["zoom"] > province_view["zoom"] + 0.5, (view, province_view)
    assert view["east"] - view["west"] < 0.6 * (province_view["east"] - province_view["west"])
    expect(frame.locator(".atlas-legend")).to_contain_text("các huyện khác làm mờ")
    screenshot(page, "district")

    # The district summary lists every district (and the province).
    page.get_by_role("tab", name="Tổng hợp theo huyện").click()
    summary = page.locator(".st-key-district_summary")
    expect(summary.locator('[data-testid="stDataFrame"]')).to_be_visible()

    # Back to the province, with the button: the province as the reader left it, not fitted.
    sidebar.get_by_role("button", name="← Về toàn tỉnh").click()
    frame = wait_for_map(offline_page, title=FIRST_LAYER, count=151)
    assert all(p["interactive"] for p in polygons(frame))
    back = frame.locator("body").evaluate(_VIEW_JS)
    assert back["zoom"] == reader_view["zoom"], (back, reader_view, province_view)
    assert back["west"] == pytest.approx(reader_view["west"], abs=1e-3), (back, reader_view)
    frame.locator(".leaflet-control-zoom-out").click()  # the whole province again
    frame.locator("body").evaluate(SETTLE_JS)
    expect(sidebar.get_by_role("combobox", name="Huyện / thành phố")).to_have_value("Toàn tỉnh")

    # The commune panel zooms to the commune's district too.
    clicked = click_commune(frame, 5)
    district = units.set_index("commune_code").loc[clicked["code"], "district_name"]
    panel = page.locator(".st-key-commune_panel")
    panel.get_by_role("button", name="Phóng to huyện").click(timeout=TIMEOUT_MS)
    count = int((units["district_name"] == district).sum())
    frame = wait_for_map(offline_page, title=None, count=count)
    expect(sidebar.get_by_role("combobox", name="Huyện / thành phố")).to_have_value(district)
    check_offline(offline_page)


def test_compare_two_periods(app_url, offline_page):
    page = offline_page.page
    open_app(offline_page, app_url)
    choose_radio(page, "So sánh hai kỳ")
    frame = wait_for_map(offline_page, title="Mô hình tăng thêm", count=151)
    classes = check_legend_matches(frame, 151)
    assert "Không thay đổi" in classes
    expect(frame.locator(".atlas-legend")).to_contain_text("Thay đổi từ kỳ 2019 đến kỳ 2024")
    # The province indicators show the change since the first period.
    expect(
        page.get_by_text(re.compile(r"Chỉ số toàn khu vực: Tỉnh Hòa Bình · 2019 → 2024"))
    ).to_be_visible()
    expect(page.locator('[data-testid="stMetricDelta"]').first).to_contain_text("so với 2019")

    choose_radio(page, "Nông thôn mới: số mức tăng")
    frame = wait_for_map(offline_page, title="Nông thôn mới: số mức tăng", count=151)
    classes = check_legend_matches(frame, 151)
    assert classes["Không áp dụng (phường, thị trấn)"][1] == 22
    # 2019 counts against the 2016–2020 set, 2024 against the 2021–2025 set: levels are not
    # compared across sets, and the legend says so instead of showing levels gained.
    assert classes["Không so sánh được (khác bộ tiêu chí)"][1] > 100
    assert "Tăng 1 mức" not in classes
    screenshot(page, "compare-ntm")
    check_offline(offline_page)


def test_planner_exports_the_lagging_communes_of_a_district(app_url, offline_page):
    """Lạc Sơn, fewer than 15 NTM criteria and no economic model: found, outlined, exported."""
    page = offline_page.page
    open_app(offline_page, app_url)
    period = page.locator('[data-testid="stSidebar"]').get_by_role("slider")
    period.press("Home")  # the map opens on the latest period; the planner looks at 2019
    lagging = page.locator(".st-key-lagging")
    expect(lagging).to_contain_text("kỳ 2019", timeout=TIMEOUT_MS)
    expect(lagging.get_by_role("checkbox", name="Số tiêu chí NTM đạt dưới ngưỡng")).to_be_checked()
    spin = "Đạt dưới (tiêu chí, tối đa 19 theo bộ tiêu chí 2016–2020)"  # the 2019 period's set
    expect(lagging.get_by_role("spinbutton", name=spin)).to_have_value("15")
    lagging.get_by_text("Không có mô hình ở một lĩnh vực", exact=True).click()
    expect(lagging.get_by_role("combobox", name="Lĩnh vực")).to_have_value("kinh tế")
    choose_option(page, "Lọc theo huyện", LAC_SON, scope=lagging)
    expect(lagging).to_contain_text(
        "1 xã (Huyện Lạc Sơn): Số tiêu chí NTM đạt dưới 15/19 (bộ tiêu chí 2016–2020) và không có"
        " mô hình lĩnh vực kinh tế",
        timeout=TIMEOUT_MS,
    )
    table = lagging.locator('[data-testid="stTable"]')  # a plain table (geo.ui.lagging)
    expect(table).to_be_visible()

    # Outlined on the map (same map: only the outline group changes), with a legend entry.
    marks = frame_of(page).locator(".atlas-legend-mark")
    expect(marks).to_have_count(0)
    lagging.get_by_text("Tô viền các xã này trên bản đồ", exact=True).click()
    frame = frame_of(page)
    expect(frame.locator("path.atlas-marked")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(marks).to_have_text("Xã được đánh dấu (viền hồng): 1 xã")
    expect(marks.locator(".atlas-legend-swatch")).to_have_attribute("data-color", "#c51b7d")
    screenshot(page, "lagging-marked")

    with page.expect_download() as download:
        lagging.get_by_role("button", name="Tải Excel (.xlsx)").click()
    path = ARTIFACTS / download.value.suggested_filename
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(path)
    assert path.name == "xa-cham-tien-do-huyen-lac-son-2019-du-lieu-minh-hoa.xlsx"
    sheet = openpyxl.load_workbook(path).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Danh sách xã chậm tiến độ – Huyện Lạc Sơn, kỳ 2019"
    # The rule is about NTM criteria: the file names the set they count against.
    assert rows[2][0] == (
        "Bộ tiêu chí nông thôn mới: bộ tiêu chí 2016–2020 (1980/QĐ-TTg, 19 tiêu chí)"
    )
    assert "dữ liệu minh họa" in rows[3][0]
    header = rows[5]
    assert header[:3] == ["Mã xã", "Xã", "Huyện"]
    record = dict(zip(header, rows[6], strict=True))
    assert record["Xã"] == "Xã Tân Mỹ" and record["Huyện"] == LAC_SON
    assert record["Số tiêu chí đạt"] == 11 and record["Mô hình lĩnh vực kinh tế"] == 0
    assert len(rows) == 7

    with page.expect_download() as download:
        lagging.get_by_role("button", name="Tải CSV").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    table_rows = list(csv.reader(io.StringIO(text), delimiter=";"))  # Vietnamese Excel
    assert table_rows[0] == header and len(table_rows) == 2
    assert table_rows[1][:3] == ["05344", "Xã Tân Mỹ", LAC_SON]

    # A later period: none found, said plainly; nothing marked, no legend entry for marks.
    period.press("End")
    expect(lagging).to_contain_text(
        "Không tìm thấy xã nào (Huyện Lạc Sơn, kỳ 2024)", timeout=TIMEOUT_MS
    )
    expect(lagging.get_by_role("button", name="Tải CSV")).to_have_count(0)
    expect(frame_of(page).locator("path.atlas-marked")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(frame_of(page).locator(".atlas-legend-mark")).to_have_count(0)
    check_offline(offline_page)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("size", [(1600, 1000), (1366, 768)], ids=["1600x1000", "1366x768"])
def test_first_screen_shows_the_whole_province_and_its_legend(app_url, offline_page, size, lang):
    """Above the fold, without scrolling: the notices in one line, the whole province, the
    legend (issue 15)."""
    page = offline_page.page
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    frame = open_app(offline_page, app_url)
    if lang == "en":
        choose_radio(page, "English")
        frame = wait_for_map(offline_page, title="Models per 1,000 residents", count=151)
    line = page.locator(".st-key-notices")
    demo, schematic = {
        "vi": ("Dữ liệu minh họa / demo data", "sơ đồ, không chính thức"),
        "en": ("Demo data / dữ liệu minh họa", "schematic, not official"),
    }[lang]
    expect(line).to_contain_text(demo)
    expect(line).to_contain_text(schematic)
    assert page.evaluate("() => window.scrollY") == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"experience-first-screen-{lang}-{width}x{height}.png"))
    # The map's frame, its legend and every commune lie inside the window and the map.
    iframe = page.locator(MAP_IFRAME).bounding_box()
    assert iframe["y"] + iframe["height"] <= height, (iframe, size)
    legend_box = frame.locator(".atlas-legend").bounding_box()
    assert legend_box["y"] + legend_box["height"] <= height, (legend_box, size)

    def cut_off() -> list[list[float]]:
        return frame.locator(POLYGONS).evaluate_all(
            """ps => { const w = innerWidth, h = innerHeight;
            return ps.map(p => p.getBoundingClientRect())
                .filter(r => r.left < 0 || r.top < 0 || r.right > w || r.bottom > h)
                .map(r => [r.left, r.top, r.right, r.bottom, w, h]); }"""
        )

    # The first view is fitted again once the frame has its final size: give it a moment.
    deadline = time.monotonic() + 5
    while (cut := cut_off()) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    view = frame.locator("body").evaluate(
        "() => { const m = window.map; return [m.getZoom(), m.getSize(), m._atlasViewRestored,"
        " sessionStorage.length]; }"
    )
    assert not cut, f"{len(cut)} communes cut off at {width}×{height}: {cut}; {view}"
    check_offline(offline_page)


def test_language_switch_keeps_every_choice_and_the_menu_follows(app_url, offline_page):
    page = offline_page.page
    open_app(offline_page, app_url)
    choose_radio(page, "Nông thôn mới")
    wait_for_map(offline_page, title="Nông thôn mới", count=151)
    lagging = page.locator(".st-key-lagging")
    lagging.get_by_text("Thỏa ít nhất một (HOẶC)", exact=True).click()
    nav = page.locator('[data-testid="stSidebarNav"]')

    def check_choices(expected: tuple[str, ...]) -> None:
        """Every radio drawn shows one choice (at once, no second click); ``expected`` among them
        (closed tabs are not drawn, see geo.ui.layout)."""
        chosen = page.locator('[data-testid="stRadio"]').evaluate_all(
            """rs => rs.map(r => [...r.querySelectorAll('input')].filter(i => i.checked)
            .map(i => i.closest('label').textContent.trim()))"""
        )
        assert len(chosen) >= 4 and all(len(c) == 1 for c in chosen), chosen
        assert set(expected) <= {c[0] for c in chosen}, chosen

    choose_radio(page, "English")
    wait_for_map(offline_page, title="New-rural standard (NTM)", count=151)
    expect(nav).to_contain_text("Import data")
    expect(nav).not_to_contain_text("Nhập dữ liệu")
    check_choices(("English", "One period", "New-rural standard (NTM)", "At least one (OR)"))

    choose_radio(page, "Tiếng Việt")
    wait_for_map(offline_page, title="Nông thôn mới", count=151)
    expect(nav).to_contain_text("Nhập dữ liệu")
    expect(nav).not_to_contain_text("Import data")
    check_choices(("Tiếng Việt", "Một kỳ số liệu", "Nông thôn mới", "Thỏa ít nhất một (HOẶC)"))
    check_offline(offline_page)


def test_commune_names_appear_when_zoomed_in(app_url, offline_page):
    page = offline_page.page
    frame = open_app(offline_page, app_url)
    # The label's marker has no size; its text is the span inside.
    districts = frame.locator(".atlas-label-district span")
    communes = frame.locator(".atlas-label-commune span")
    expect(districts.first).to_be_visible()
    expect(communes).to_have_count(0)
    for _ in range(2):
        frame.locator(".leaflet-control-zoom-in").click()
        frame.locator("body").evaluate(SETTLE_JS)
    expect(communes.first).to_be_visible()
    names = set(communes.all_text_contents())
    drawn = {html.unescape(p["name"]) for p in pointable(frame)}
    # Short names ("Xã Tân Mỹ" → "Tân Mỹ", "Phường Đồng Tiến" → "P. Đồng Tiến"), no overlaps.
    shortened = {
        n.replace("Xã ", "", 1).replace("Phường ", "P. ", 1).replace("Thị trấn ", "TT. ", 1)
        for n in drawn
    }
    assert len(names) >= 10 and names <= shortened, names - shortened
    boxes = communes.evaluate_all(
        "ls => ls.map(l => { const r = l.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    expect(districts).to_have_count(0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(MAP_IFRAME).screenshot(path=str(ARTIFACTS / "experience-commune-labels.png"))
    check_offline(offline_page)
