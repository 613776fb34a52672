"""Text from data stays text in the app: names and sources from files never become markup.

A boundary file whose commune, district and province names are written as markdown links and
images, and named models whose names and sources are, are read into the atlas (the app on a
database of its own, ``ATLAS_BOUNDARIES`` on the file). Clicking each of those communes opens
its panel: the names show exactly as written (no link, no image, no request to the host they
name, no stray backslash from the escaping).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from atlas_ui import APP, FIND_MAP_JS, FIRST_MAP_TIMEOUT_MS, MAP_IFRAME, POLYGONS, SETTLE_JS

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
expect = sync_api.expect

TIMEOUT_MS = 20_000
EVIL = "evil.example"
#: Commune code → the name its boundary feature carries.
HOSTILE_COMMUNES = {
    "04789": "[Xã Độc](http://evil.example/phish)",
    "04792": "![t](http://evil.example/track.png)",
    "04795": "Xã *Sao* _A_ 1.5 <b>đậm</b> :smile: www.evil.example lan@evil.example",
}
HOSTILE_DISTRICT = "Huyện [Lừa](http://evil.example/district)"
HOSTILE_PROVINCE = "Tỉnh ![p](http://evil.example/province.png)"
#: Named models of commune 04789 in 2024 (the period the map opens on): (name, source).
HOSTILE_MODELS = [
    ("[Mô hình lừa](http://evil.example/phish)", "[nguồn](http://evil.example/phish)"),
    ("![t](http://evil.example/track.png)", "![s](http://evil.example/source.png)"),
]
WORD_JOINER = "\u2060"


@pytest.fixture(scope="module")
def app_url(streamlit_server, tmp_path_factory) -> str:
    """The atlas on one district whose names are markdown, with hostile named models."""
    from geo.figures.auth import SYSTEM
    from geo.figures.importing import import_file
    from geo.figures.store import open_store
    from geo.geography.geographies import default_geography

    root = tmp_path_factory.mktemp("text-from-data")
    communes = default_geography().communes
    district = communes[communes["district_code"] == "148"].copy()
    for code, name in HOSTILE_COMMUNES.items():
        district.loc[district["commune_code"] == code, "commune_name"] = name
    district["district_name"] = HOSTILE_DISTRICT
    district["province_name"] = HOSTILE_PROVINCE
    boundaries = root / "hostile.geojson"
    district.drop(columns=["location_note", "area_km2"]).to_file(boundaries, driver="GeoJSON")

    url = f"sqlite:///{root / 'atlas.sqlite'}"
    rows = "".join(
        f'04789,"{name}",economy,2018,yes,"{source}"\n' for name, source in HOSTILE_MODELS
    )
    text = "commune_code,model_name,field,year_recognised,replicated,provenance\n" + rows
    report = import_file(
        io.BytesIO(text.encode()), family="named_models", period=2024, file_name="named.csv"
    )
    assert len(report.accepted) == len(HOSTILE_MODELS), report.rejected
    store = open_store(url)
    store.import_report(report, user=SYSTEM)
    store.dispose()
    env = {"ATLAS_DB_URL": url, "ATLAS_BOUNDARIES": str(boundaries)}
    return streamlit_server(APP, args=("--server.maxUploadSize", "21"), env=env)


def shown(locator: Any) -> str:
    """The text a reader sees (the invisible word joiners that keep addresses unlinked aside)."""
    return locator.inner_text().replace(WORD_JOINER, "")


# The position among the pointable polygons of the commune whose feature has ``code``.
_INDEX_JS = (
    "(_body, code) => {"
    + FIND_MAP_JS
    + """
  const all = [...document.querySelectorAll("path.leaflet-interactive")];
  let index = -1;
  findMap().eachLayer((layer) => {
    const props = layer.feature && layer.feature.properties;
    if (layer._path && props && String(props.code) === code) index = all.indexOf(layer._path);
  });
  return index;
}"""
)


def click_commune(page: Any, code: str) -> None:
    """Click the middle of the polygon of commune ``code``."""
    frame = page.frame_locator(MAP_IFRAME).first
    # The features get their properties once the map's data is unpacked: wait for them.
    for _ in range(100):
        index = frame.locator("body").evaluate(_INDEX_JS, code)
        if index >= 0:
            break
        page.wait_for_timeout(200)
    assert index >= 0, f"no polygon for commune {code}"
    frame.locator("body").evaluate(SETTLE_JS)  # a click during the first fit is lost
    path = frame.locator(POLYGONS).nth(index)
    box = path.bounding_box()
    assert box, f"commune {code} is not drawn"
    path.click(position={"x": box["width"] / 2, "y": box["height"] / 2}, force=True)


def check_nothing_became_markup(offline: Any) -> None:
    page = offline.page
    assert page.locator(f'a[href*="{EVIL}"]').count() == 0
    assert page.locator(f'img[src*="{EVIL}"]').count() == 0
    assert not [url for url in offline.blocked if EVIL in url], offline.blocked


def test_names_and_sources_from_files_show_as_written(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator(POLYGONS).first).to_be_visible(timeout=FIRST_MAP_TIMEOUT_MS)
    # The subtitle names the province of the file (so does the lagging communes' summary).
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("evil.example/province.png")
    assert HOSTILE_PROVINCE in shown(main)
    panel = page.locator(".st-key-commune_panel")
    for code, name in HOSTILE_COMMUNES.items():
        click_commune(page, code)
        heading = panel.locator("h3")
        expect(heading).to_contain_text(name[:6], timeout=TIMEOUT_MS)
        assert shown(heading) == name
        caption = panel.locator('[data-testid="stCaptionContainer"]').first
        assert shown(caption).startswith(f"{HOSTILE_DISTRICT} · ")
        if code == "04789":
            text = shown(panel)
            for model, source in HOSTILE_MODELS:
                assert model in text and source in text, text
        assert "\\" not in shown(panel)  # the escaping leaves no trace
        check_nothing_became_markup(offline_page)
    assert "\\" not in shown(main)


def test_names_in_the_lagging_table_show_as_written(app_url, offline_page):
    # The lagging communes are a plain table (st.table reads Markdown in its cells): the
    # communes below 19 criteria are listed with their district exactly as in the file.
    page = offline_page.page
    page.goto(app_url)
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator(POLYGONS).first).to_be_visible(timeout=FIRST_MAP_TIMEOUT_MS)
    lagging = page.locator(".st-key-lagging")
    threshold = lagging.get_by_role("spinbutton").first
    threshold.fill("19")
    threshold.press("Enter")
    table = lagging.get_by_test_id("stTable")
    expect(table).to_contain_text("evil.example/district", timeout=TIMEOUT_MS)
    text = shown(table)
    assert HOSTILE_DISTRICT in text and "\\" not in text, text
    check_nothing_became_markup(offline_page)
