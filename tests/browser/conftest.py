"""Fixtures to drive Streamlit apps in headless Chromium with the internet cut off.

* ``streamlit_server`` (session): a factory ``start(app_path, *, args=(), env=None) -> str``
  that runs ``streamlit run`` on a free localhost port from the repository root (so
  ``.streamlit/config.toml`` applies), waits until ``/_stcore/health`` answers and returns
  the base URL (``http://127.0.0.1:<port>``). The same app, arguments and environment reuse
  one server for the whole session; all servers are stopped at the end. ``streamlit_logs`` (session)
  maps each base URL to the server's log file. An app whose folder has no
  ``static/`` (e.g. ``tests/browser/apps/*.py``) is copied to a temporary folder next to a
  link to the repository's ``static/``, so ``/app/static/vendor`` works for it too.
* ``offline_browser`` (session): Debian's ``/usr/bin/chromium`` launched by Playwright with
  background networking off. Tests using it are skipped when Chromium or Playwright is
  missing.
* ``offline_page`` (function): an :class:`OfflinePage` in a fresh browser context whose
  every request to a host other than 127.0.0.1 / localhost / ::1 is aborted and recorded in
  ``blocked``; it also records page errors, console errors and failed local responses.
  ``open_offline_page(browser)`` is the same as a context manager, for a page shared by
  several tests; the session fixture ``offline_page_opener`` binds it to ``offline_browser``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = REPO_ROOT / "static"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",  # root in a container: Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
STARTUP_TIMEOUT_S = 45.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base_url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; fail with the server log if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"streamlit not healthy after {timeout:.0f}s:\n{log.read_text(errors='replace')}"
    )


def _stage_app(app_path: Path, workdir: Path) -> Path:
    """Return a script path whose folder serves the repository's ``static/``."""
    if (app_path.parent / "static").resolve() == STATIC_DIR.resolve():
        return app_path
    staged = workdir / "app"
    staged.mkdir(parents=True, exist_ok=True)
    (staged / "static").symlink_to(STATIC_DIR, target_is_directory=True)
    shutil.copy2(app_path, staged / app_path.name)
    return staged / app_path.name


@dataclass
class _Server:
    base_url: str
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="session")
def streamlit_logs() -> dict[str, Path]:
    """Base URL → the log (stdout and stderr) of each server ``streamlit_server`` started."""
    return {}


@pytest.fixture(scope="session")
def streamlit_server(streamlit_logs: dict[str, Path]) -> Iterator[Callable[..., str]]:
    """Start Streamlit apps on free ports; see the module docstring."""
    workdir = Path(tempfile.mkdtemp(prefix="atlas-streamlit-"))
    servers: dict[tuple[object, ...], _Server] = {}

    def start(
        app_path: str | Path,
        *,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        timeout: float = STARTUP_TIMEOUT_S,
    ) -> str:
        app = Path(app_path).resolve()
        # The environment is part of the key: the same app on another database is another server.
        key = (str(app), tuple(args), tuple(sorted((env or {}).items())))
        if key in servers and servers[key].process.poll() is None:
            return servers[key].base_url
        run_dir = workdir / f"server{len(servers)}"
        script = _stage_app(app, run_dir)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        pythonpath = os.pathsep.join(
            p for p in (str(REPO_ROOT), str(app.parent), os.environ.get("PYTHONPATH")) if p
        )
        proc_env = {**os.environ, "PYTHONPATH": pythonpath, **(env or {})}
        log = run_dir / "streamlit.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.address", "127.0.0.1",
            "--server.port", str(port),
            "--server.headless", "true",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            *args,
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=proc_env, stdout=out, stderr=subprocess.STDOUT
            )
        servers[key] = _Server(base_url, process, log)
        streamlit_logs[base_url] = log
        wait_healthy(base_url, process, log, timeout)
        return base_url

    yield start

    for server in servers.values():
        server.process.terminate()
    for server in servers.values():
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)


#: Where the session's Chromium is kept on the pytest config: one per session, whichever
#: conftest asks (tests/service loads these fixtures too, as another module, and Playwright's
#: sync API cannot be started twice in one thread).
_SESSION_BROWSER = "_atlas_offline_browser"


@pytest.fixture(scope="session")
def offline_browser(pytestconfig: pytest.Config) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, or a skip when either is missing."""
    shared = getattr(pytestconfig, _SESSION_BROWSER, None)
    if shared is not None:
        yield shared
        return
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        setattr(pytestconfig, _SESSION_BROWSER, browser)
        yield browser
        setattr(pytestconfig, _SESSION_BROWSER, None)
        browser.close()


@dataclass
class OfflinePage:
    """A Playwright page that cannot reach anything but localhost.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The page.
    blocked : list of str
        URLs of requests that were aborted because their host is not local.
    requests : list of str
        URLs of every request let through (localhost).
    failed : list of str
        ``"<status> <url>"`` of local responses with status >= 400.
    page_errors : list of str
        Uncaught exceptions in the page or its frames.
    console_errors : list of str
        ``console.error`` messages (includes failed loads).
    """

    page: Any
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def component_frame(self, name: str = "streamlit_folium.st_folium") -> Any:
        """Return a FrameLocator for the first iframe of a Streamlit component."""
        return self.page.frame_locator(f'iframe[title="{name}"]').first


def is_local_url(url: str) -> bool:
    """Tell whether a request URL stays on this machine (or needs no network at all)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@contextlib.contextmanager
def open_offline_page(browser: Any) -> Iterator[OfflinePage]:
    """A page in a fresh browser context whose non-localhost requests are aborted and recorded.

    The context manager behind ``offline_page``; use it directly for a page shared by several
    tests (e.g. in a module-scoped fixture). The context is closed on exit.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    offline = OfflinePage(page=page)

    def route(route: Any) -> None:
        url = route.request.url
        if is_local_url(url):
            offline.requests.append(url)
            route.continue_()
        else:
            offline.blocked.append(url)
            route.abort("internetdisconnected")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            offline.failed.append(f"{response.status} {response.url}")

    context.route("**/*", route)
    context.on("response", on_response)
    page.on("pageerror", lambda error: offline.page_errors.append(str(error)))
    page.on(
        "console",
        lambda msg: offline.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.set_default_timeout(30_000)
    try:
        yield offline
    finally:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture(scope="session")
def offline_page_opener(offline_browser: Any) -> Callable[[], Any]:
    """``open_offline_page`` bound to the session's browser, for fixtures of any scope."""
    return lambda: open_offline_page(offline_browser)


@pytest.fixture
def offline_page(offline_browser: Any) -> Iterator[OfflinePage]:
    """A fresh page whose non-localhost requests are aborted and recorded."""
    with open_offline_page(offline_browser) as offline:
        yield offline
