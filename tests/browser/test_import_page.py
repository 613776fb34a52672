"""The import page (``pages/1_Nhap_du_lieu.py``) in headless Chromium, the internet cut off.

The app runs on a database and an accounts file of its own (``ATLAS_DB_URL``,
``ATLAS_ACCOUNTS`` in a temporary folder). A viewer cannot import; a planner signs in, uploads
a small CSV, sees the preview, confirms and finds the new batch in the history. Until the
importer (``geo.figures.importing``) lands, the server gets the stand-in of
``tests/store_fixtures.py``
through a ``sitecustomize`` module.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from geo.figures.auth import add_user
from geo.figures.indicators import family_csv_text, load_demo
from geo.figures.store import Store

pytestmark = pytest.mark.browser

#: The planner's first batch: after the 32 demo batches (4 families × 8 periods).
BATCH = 33

expect = pytest.importorskip("playwright.sync_api", reason="playwright not installed").expect

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTS = REPO_ROOT / "tests"
APP = REPO_ROOT / "streamlit_app.py"
PASSWORD = "mật-khẩu-thử-nghiệm"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
#: Streamlit reruns after every click; a loaded CI machine can take seconds per rerun.
UI_TIMEOUT_MS = 20_000

_SITECUSTOMIZE = """
import importlib.util, sys
sys.path.insert(0, {tests!r})
if importlib.util.find_spec("geo.figures.importing") is None:
    import store_fixtures
    sys.modules["geo.figures.importing"] = store_fixtures.stand_in_importing()
"""


@pytest.fixture(scope="module")
def site(streamlit_server, tmp_path_factory):
    """``(base_url, db_url)`` of an app with one planner, ``lan``."""
    root = tmp_path_factory.mktemp("import-page")
    accounts = root / "accounts.toml"
    add_user("lan", PASSWORD, path=accounts)
    db_url = f"sqlite:///{root / 'atlas.sqlite'}"
    env = {"ATLAS_DB_URL": db_url, "ATLAS_ACCOUNTS": str(accounts)}
    if importlib.util.find_spec("geo.figures.importing") is None:
        shim = root / "shim"
        shim.mkdir()
        (shim / "sitecustomize.py").write_text(_SITECUSTOMIZE.format(tests=str(TESTS)))
        env["PYTHONPATH"] = f"{shim}:{REPO_ROOT}"
    # Own arguments, so this server (with its own env) is not shared with other app tests.
    base_url = streamlit_server(APP, args=("--server.maxUploadSize", "17"), env=env)
    return base_url, db_url


def _open(offline_page, base_url: str):
    page = offline_page.page
    page.goto(f"{base_url}/Nhap_du_lieu")
    expect(page.get_by_role("heading", name="Nhập dữ liệu")).to_be_visible(timeout=30_000)
    return page


def _sign_in(page, name: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def test_a_viewer_cannot_import(site, offline_page):
    base_url, _ = site
    page = _open(offline_page, base_url)
    expect(page.get_by_text("Đăng nhập (thanh bên) để nhập").first).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    assert page.locator('input[type="file"]').count() == 0
    _sign_in(page, "lan", "không phải mật khẩu")
    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    _sign_in(page, "nobody", PASSWORD)
    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    assert page.locator('input[type="file"]').count() == 0
    assert offline_page.blocked == [] and offline_page.page_errors == []


def test_a_planner_imports_a_csv(site, offline_page, tmp_path):
    base_url, db_url = site
    rows = load_demo()["models"].query("period == 2024").head(2).reset_index(drop=True)
    rows["models_economy"] = 77
    upload = tmp_path / "mo_hinh_2024.csv"
    upload.write_text(family_csv_text(rows, "models"), encoding="utf-8")

    page = _open(offline_page, base_url)
    _sign_in(page, "lan", PASSWORD)
    expect(page.get_by_text("Đã đăng nhập:")).to_be_visible(timeout=UI_TIMEOUT_MS)
    period = page.get_by_label("Kỳ số liệu (năm)").filter(visible=True)  # not the template tab's
    period.fill("2024")
    period.press("Enter")
    page.locator('input[type="file"]').set_input_files(str(upload))

    expect(page.get_by_text("Kết quả kiểm tra (chưa ghi vào cơ sở dữ liệu)")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    expect(page.get_by_text("Dòng hợp lệ (2)")).to_be_visible(timeout=UI_TIMEOUT_MS)
    # The file's vintage column says 2020–2025: the box opens on it, the report says so.
    expect(page.get_by_text("Lưu theo địa giới 2020–2025 (có cấp huyện)")).to_be_visible()
    expect(page.get_by_text("Bộ địa giới của tệp").filter(visible=True)).to_be_visible()
    page.get_by_role("button", name="Xác nhận nhập 2 dòng").click()
    expect(page.get_by_text(f"Đã nhập lô số {BATCH}")).to_be_visible(timeout=20_000)

    page.get_by_role("tab", name="Lịch sử các lô").click()
    chosen = page.get_by_role("combobox", name="Chọn lô")
    expect(chosen).to_have_value(
        re.compile(rf"^Lô {BATCH} · .* · mo_hinh_2024\.csv · lan · "), timeout=UI_TIMEOUT_MS
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import_page_history.png"), full_page=True)

    store = Store(db_url)
    try:
        batch = store.batches()[0]
        assert (batch.id, batch.user, batch.accepted, batch.file_name) == (
            BATCH,
            "lan",
            2,
            "mo_hinh_2024.csv",
        )
        current = store.current_tables()["models"].query("period == 2024")
        shown = current.set_index("commune_code").loc[rows["commune_code"], "models_economy"]
        assert shown.tolist() == [77, 77]

        # Roll it back from the page: the button waits for the confirmation.
        button = page.get_by_role("button", name="Hoàn tác", exact=True)
        expect(button).to_be_disabled(timeout=UI_TIMEOUT_MS)
        page.get_by_text(f"Tôi xác nhận hoàn tác lô {BATCH}").click()
        expect(button).to_be_enabled(timeout=UI_TIMEOUT_MS)
        button.click()
        expect(page.get_by_text(f"Đã hoàn tác lô {BATCH}.")).to_be_visible(timeout=20_000)
        rolled_back = store.batch(BATCH)
        assert rolled_back.status == "rolled_back" and rolled_back.rolled_back_by == "lan"
        assert store.current_tables()["models"].equals(load_demo()["models"])
    finally:
        store.dispose()
    assert offline_page.blocked == [] and offline_page.page_errors == []
