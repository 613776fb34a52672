"""Several processes, one truth: two Streamlit processes behind nginx on one PostgreSQL.

``scripts/serve.sh`` starts two app processes and nginx (sticky sessions, websocket) on a
PostgreSQL schema of its own. A reader has the map open on process B; a planner imports new
figures for one commune from the command line, another process on the same database. At the
reader's next rerun process B shows them, and so does a new reader coming through nginx: the
store's revision is read from the database on every run, never from a cache of one process.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest

pytestmark = [pytest.mark.service, pytest.mark.browser]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
COMMUNE = "04789"  # Phường Thái Bình, Hòa Bình
MAP_TIMEOUT_S = 60.0

# The shown value of one commune's feature (the map's first layer: model density).
_VALUE_JS = """(_body, code) => {
  const findMap = () => {
    if (window.map instanceof L.Map) return window.map;
    for (const key of Object.keys(window)) {
      try { if (window[key] instanceof L.Map) return window[key]; } catch (e) {}
    }
    return null;
  };
  const map = findMap();
  if (!map) return null;
  let value = null;
  map.eachLayer((layer) => {
    const props = layer.feature && layer.feature.properties;
    if (props && String(props.code) === code && "value" in props) value = String(props.value);
  });
  return value;
}"""


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200, url
        return response.read().decode()


def number(text: str, lang: str) -> float:
    """``1.234,5`` (vi) or ``1,234.5`` (en) as a float."""
    if lang == "vi":
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", ""))


def shown_value(page: Any, *, differs_from: str | None = None) -> str:
    """The commune's value on the map, once drawn (and, if asked, once it changed)."""
    frame = page.frame_locator(MAP_IFRAME).first
    deadline = time.monotonic() + MAP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            value = frame.locator("body").evaluate(_VALUE_JS, COMMUNE, timeout=2_000)
        except sync_api.Error:  # no frame yet, or it was replaced while we looked
            value = None
        if value is not None and value != differs_from:
            return value
        page.wait_for_timeout(250)
    raise AssertionError(f"commune {COMMUNE} not shown (or unchanged from {differs_from!r})")


def test_health_checks_answer_through_nginx(service):
    assert get(f"{service.front}/healthz").strip() == "ok"  # nginx itself
    assert get(f"{service.front}/_stcore/health").strip() == "ok"  # a process, through nginx
    for process in service.processes:
        assert get(f"{process}/_stcore/health").strip() == "ok"


def test_every_process_ran_its_page_before_ready(service):
    # geo.ui.warm_up: the first reader after a start does not wait for imports and caches.
    log = (service.run_dir / "serve.log").read_text(errors="replace")
    before_ready = log.split("serve: ready")[0]
    for process in service.processes:
        assert f"warm-up: {process}: page run in " in before_ready


def test_an_import_shows_on_the_other_process_and_through_nginx(service, offline_page, tmp_path):
    from playwright.sync_api import expect

    page = offline_page.page
    process_b = service.processes[1]
    page.goto(process_b)
    before = shown_value(page)

    # A planner imports new figures for the commune: another process on the same database.
    figures = tmp_path / "mo_hinh_2019.csv"
    figures.write_text(
        "commune_code,models_economy,models_culture_society,models_defence_security,"
        f"models_political_system,models_replicated,population\n{COMMUNE},300,300,300,300,0,6080\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "geo", "import", str(figures), "--family", "models"]
    done = subprocess.run(
        [*command, "--period", "2024", "--db", service.db_url],  # the period the map opens on
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    # The reader's next rerun on process B (a widget changed) shows the new figures.
    page.locator('[data-testid="stRadio"] label').filter(has_text="English").first.click()
    expect(page.get_by_role("radio", name="English")).to_be_checked()
    after = shown_value(page, differs_from=before)
    assert number(after, "en") > 10 * number(before, "vi"), (before, after)

    # A new reader through nginx (a second tab: a new session), on whichever process nginx
    # picks, sees the same.
    front_page = page.context.new_page()
    try:
        front_page.goto(service.front)
        assert shown_value(front_page) == in_vietnamese(after)
    finally:
        front_page.close()


def in_vietnamese(english: str) -> str:
    """The same number as the Vietnamese page writes it (``1,234.5`` → ``1.234,5``)."""
    return english.replace(",", "\0").replace(".", ",").replace("\0", ".")
