"""Fixtures of the service tests: the atlas as ``make serve`` runs it, on the test PostgreSQL.

* ``service`` (module): ``scripts/serve.sh`` with two Streamlit processes and nginx on
  127.0.0.1, on a PostgreSQL schema of its own (``$ATLAS_TEST_POSTGRES_URL``; skipped without
  it, or without nginx). Gives the URLs of nginx and of each process, and the database URL.
* ``offline_browser`` / ``offline_page``: headless Chromium with the internet cut off, the
  fixtures of ``tests/browser/conftest.py``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from store_fixtures import postgres_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVE = REPO_ROOT / "scripts" / "serve.sh"
READY_TIMEOUT_S = 180.0  # two processes warm up at once (geo.ui.warm_up)


def _browser_fixtures() -> object:
    """The module ``tests/browser/conftest.py``, loaded under a name of its own."""
    path = REPO_ROOT / "tests" / "browser" / "conftest.py"
    spec = importlib.util.spec_from_file_location("atlas_browser_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


_browser = _browser_fixtures()
offline_browser = _browser.offline_browser
offline_page = _browser.offline_page
free_port = _browser.free_port


@dataclass(frozen=True)
class Service:
    """The running service: nginx in front, the processes behind it, their database."""

    front: str
    processes: tuple[str, ...]
    db_url: str
    run_dir: Path


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports free on 127.0.0.1 right now."""
    for _ in range(50):
        first = free_port()
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                sockets.append(sock)
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports")


@pytest.fixture(scope="module")
def service_db(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL schema of the service's own, dropped afterwards."""
    with postgres_schema(postgres_url, prefix="service") as url:
        yield url


@pytest.fixture(scope="module")
def service(service_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """``scripts/serve.sh`` with two processes and nginx; stopped (SIGTERM) at the end."""
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("nginx is not installed (apt-get install nginx)")
    run_dir = tmp_path_factory.mktemp("serve")
    front_port, base_port = free_port(), _free_ports(2)
    env = {
        **os.environ,
        "ATLAS_DB_URL": service_db,
        # The 2020-2025 units, where the figures are stored as imported (no conversion): the
        # test follows one commune's figure from the import to the other process's map.
        "ATLAS_PROVINCES": "17",
        "REPLICAS": "2",
        "PORT": str(front_port),
        "LISTEN": f"127.0.0.1:{front_port}",
        "BASE_PORT": str(base_port),
        "RUN_DIR": str(run_dir),
        "PYTHON": sys.executable,
    }
    log = run_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(SERVE)],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing of it outlives the test
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while "serve: ready" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve.sh did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield Service(
            front=f"http://127.0.0.1:{front_port}",
            processes=(f"http://127.0.0.1:{base_port}", f"http://127.0.0.1:{base_port + 1}"),
            db_url=service_db,
            run_dir=run_dir,
        )
    finally:
        process.terminate()  # serve.sh stops nginx and the processes it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
