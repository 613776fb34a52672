"""No traceback reaches a reader: an unexpected error is a short message with an error id.

The atlas is started on a database that cannot be reached (nothing listens on its port), a
failure no page handles. The reader gets one sentence in Vietnamese with an eight-digit error
id, no traceback and no exception text; the server log has the traceback under the same id.
"""

from __future__ import annotations

import re
import time

import pytest
from atlas_ui import APP

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
expect = sync_api.expect

#: Port 1 (tcpmux) is never a PostgreSQL: the connection is refused at once.
UNREACHABLE_DB = "postgresql+psycopg://atlas:secret-word@127.0.0.1:1/atlas"


@pytest.mark.parametrize("path", ["", "Nhap_du_lieu"])
def test_an_unexpected_error_shows_a_message_and_an_id(
    path, streamlit_server, streamlit_logs, offline_page
):
    base_url = streamlit_server(
        APP, args=("--server.maxUploadSize", "19"), env={"ATLAS_DB_URL": UNREACHABLE_DB}
    )
    page = offline_page.page
    page.goto(f"{base_url}/{path}")
    alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text="mã lỗi")
    expect(alert).to_be_visible(timeout=30_000)
    found = re.search(r"mã lỗi ([0-9a-f]{8})", alert.inner_text())
    assert found, alert.inner_text()
    error_id = found.group(1)

    text = page.locator("body").inner_text()
    assert "Traceback" not in text and "OperationalError" not in text
    assert "secret-word" not in text and "127.0.0.1:1" not in text
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    log = streamlit_logs[base_url]
    deadline = time.monotonic() + 10
    while f"error {error_id}" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"error {error_id} not in the server log"
        time.sleep(0.2)
    logged = log.read_text(errors="replace").split(f"error {error_id}", 1)[1]
    assert "Traceback (most recent call last)" in logged and "OperationalError" in logged
