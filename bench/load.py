"""How fast a reader gets the map, and how many readers one atlas process holds.

Two measures, one server (or two, ``--replicas 2``):

* **readers in a browser** (``--browsers K``, default 5): K new visits one after the other, each
  in a fresh Chromium context (no cache, as a new reader), from ``page.goto`` to the first
  commune polygon drawn in the map's frame (``path.leaflet-interactive``, or the layer's canvas
  on a national map, inside the streamlit-folium iframe): the **time to a drawn map**; and the
  server's CPU time over each visit (the script run, the websocket, the page's and the map
  frame's files): the **server CPU per visit**. ``--floor`` measures a bare Streamlit page (one
  title) the same way, on the same machine at the same time: the floor the atlas is compared
  with.
* **sessions arriving together** (``--sessions N``): N websocket sessions at once.

Each session speaks Streamlit's own protocol, as the browser does, so the server is measured
and not N browsers: a websocket to ``/_stcore/stream`` (sub-protocol ``streamlit``), one
``BackMsg`` asking for a run of the default page (``rerun_script`` with the page's URL), then
the ``ForwardMsg`` stream until the script run finishes. For each session it records

* **time to map**: from opening the websocket to the first ``ForwardMsg`` whose delta carries
  the folium map (the ``streamlit_folium.st_folium`` component element, map HTML included);
* **time to done**: to ``script_finished``;
* **errors**: a connection or protocol failure, a timeout, an exception element, an error
  alert (the app's "error id" message), or a run finished without a map.

The server's resident memory (VmRSS) is read before the sessions connect and while all of them
are still open, so the difference over N is the memory one reader costs; its CPU time too.
By default the script starts the atlas itself as ``make serve`` does: ``scripts/serve.sh``
runs ``--replicas`` Streamlit processes behind nginx, which serves Streamlit's frontend files
(``--front none``: the processes alone, serving those files themselves; the default when nginx
is not installed), on a SQLite database of its own seeded with the demo batches. It warms each
process with one session (the first visit builds the map caches); the readers in a browser
open nginx's address, and the server CPU per visit is that of all processes together. The N
sessions go to the processes directly, spread in turn as nginx spreads readers from many
addresses (through nginx all sessions of this one client address would go to one process: its
hash is by client address). ``--url`` (and ``--pid``, for memory and CPU), repeated, measure
running servers instead. The floor (``--floor``) is served the same way.

Offline: Chromium resolves no host name (``CHROMIUM_ARGS``), as on a closed network, and a
visit that asks another host for anything is an error.

Bounded: at most :data:`MAX_SESSIONS` sessions, each given ``--timeout`` seconds, the whole run
``--deadline`` seconds; it stops by itself. Not part of the test suite.

Usage::

    python bench/load.py --sessions 30 --replicas 2 --browsers 5 [--floor]
    python bench/load.py --sessions 8 --browsers 0
    python bench/load.py --sessions 30 [--replicas 2] [--timeout 60] [--json OUT]
    python bench/load.py --url http://127.0.0.1:8601 --pid 1234 --sessions 30
    python bench/load.py --front none --browsers 5   # the processes alone

Targets (issues 14 and 16, on 2 cores), printed as PASS or FAIL: one reader in a browser, median
time to a drawn map at most 2.5 s and server CPU per visit at most 0.3 s; 30 sessions arriving
together, 95th percentile of the time to map at most 5 s, no error (the number of processes is
printed with it: the issue measured 1 and 2).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a plain checkout
    sys.path.insert(0, str(ROOT))

from geo.ui.warm_up import MAP_COMPONENT, PageRun, read_run, start_run  # noqa: E402

MAX_SESSIONS = 200
MAX_BROWSER_VISITS = 20
MAP_IFRAME = f'iframe[title="{MAP_COMPONENT}"]'
# SVG below 3,000 communes; above, Leaflet draws every commune on one canvas, which it adds
# with the layer's first feature (geo.web.compact.CANVAS_FROM).
POLYGON = "path.leaflet-interactive, canvas.leaflet-zoom-animated"
TARGET_P95_S = 5.0
#: A later visit on a national layer (issue 16), to a drawn map.
TARGET_LAYER_DRAWN_S = 3.0
WARM_UP_TIMEOUT_S = 240.0
TARGET_SESSIONS = 30
TARGET_DRAWN_S = 2.5
TARGET_CPU_PER_VISIT_S = 0.3
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    # Offline as on a closed network: no name resolves, so nothing leaves the machine. Chromium
    # itself refuses; Playwright's per-request routing (``context.route``) would hand each of
    # the page's ~150 requests to this script and back, about 0.7 s per visit not the atlas's.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
#: The floor: a bare Streamlit page with one title (what any Streamlit app costs).
BARE_APP = 'import streamlit as st\n\nst.title("Commune Atlas")\n'


@dataclass
class Session(PageRun):
    """What one reader session saw (times in seconds from opening the websocket)."""

    index: int = 0


@dataclass
class Server:
    """The measured server: its URL and the pid whose memory and CPU are read."""

    url: str
    pid: int | None
    process: subprocess.Popen[bytes] | None = None
    workdir: Path | None = None


# --- one reader --------------------------------------------------------------------------------


async def read_session(
    index: int, url: str, *, timeout: float, measured: asyncio.Event, hold: asyncio.Event
) -> Session:
    """Open one session and read its first run; set ``measured``, stay open until ``hold``."""
    session = Session(index=index)
    started = time.perf_counter()
    try:
        async with contextlib.AsyncExitStack() as stack:
            async with asyncio.timeout(timeout):
                await read_run(await start_run(stack, url), session, started=started)
            measured.set()
            await hold.wait()  # stay connected, as a reader does, until all are measured
    except TimeoutError:
        session.problem = session.problem or f"no map within {timeout:.0f} s"
    except Exception as error:  # a benchmark reports every failure, whatever its kind
        session.problem = session.problem or f"{type(error).__name__}: {error}"[:200]
    finally:
        measured.set()
    return session


# --- the server ----------------------------------------------------------------------------------


def _proc_rss_kb(pid: int) -> float | None:
    """Resident memory of ``pid`` in KiB (Linux ``/proc``), or ``None``."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _proc_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far, or ``None``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s")


def _start_process(
    port: int, db_url: str, log: Path, script: Path = ROOT / "streamlit_app.py"
) -> subprocess.Popen[bytes]:
    """``streamlit run`` ``script`` on 127.0.0.1:``port`` and the database ``db_url``."""
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "ATLAS_DB_URL": db_url},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _nginx() -> str | None:
    """The nginx that ``make serve`` runs, or ``None`` (then the processes are measured bare)."""
    found = shutil.which("nginx")
    return found or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (``scripts/serve.sh`` takes a block)."""
    import random
    import socket

    for _ in range(200):
        base = random.randrange(20000, 40000)
        try:
            for port in range(base, base + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError(f"no {count} consecutive free ports")


@dataclass
class Service:
    """What a run measures: the app processes, and the address a reader's browser opens."""

    servers: list[Server]
    #: nginx in front of the processes (as ``make serve`` runs them), or the first process.
    url: str

    @property
    def pids(self) -> list[int]:
        return [server.pid for server in self.servers if server.pid]


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def _behind_nginx(app: Path, replicas: int, db_url: str, workdir: Path) -> Iterator[Service]:
    """``replicas`` processes of ``app`` behind nginx, started by ``scripts/serve.sh`` exactly as
    ``make serve`` starts the service (nginx serves Streamlit's frontend files)."""
    port, base = _free_port(), _free_ports(replicas)
    run_dir = workdir / "serve"
    env = {
        **os.environ,
        "REPLICAS": str(replicas),
        "PORT": str(port),
        "LISTEN": f"127.0.0.1:{port}",
        "BASE_PORT": str(base),
        "RUN_DIR": str(run_dir),
        "APP": str(app),
        "PYTHON": sys.executable,
        "ATLAS_DB_URL": db_url,
        # The first visit of each process is measured here (the warm-up below), not by serve.sh.
        "WARM_UP": "0",
    }
    with (workdir / "serve.log").open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "serve.sh")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        ports = range(base, base + replicas)
        for each in ports:
            _wait_healthy(f"http://127.0.0.1:{each}", process, 90)
        _wait_healthy(f"http://127.0.0.1:{port}", process, 30)
        servers = [
            Server(
                f"http://127.0.0.1:{each}",
                int((run_dir / f"streamlit-{each}.pid").read_text()),
                None,
                workdir,
            )
            for each in ports
        ]
        yield Service(servers, f"http://127.0.0.1:{port}")
    finally:
        _stop(process)  # serve.sh stops nginx and every process on SIGTERM


@contextlib.contextmanager
def started_servers(
    urls: list[str], pids: list[int], replicas: int, *, front: bool
) -> Iterator[Service]:
    """The servers to measure: those given, or ``replicas`` atlas processes on one database,
    behind nginx when ``front`` (as deployed), else reached directly."""
    if urls:
        for url in urls:
            _wait_healthy(url.rstrip("/"), None, 10)
        known = pids + [None] * (len(urls) - len(pids))
        servers = [Server(url.rstrip("/"), pid) for url, pid in zip(urls, known, strict=True)]
        yield Service(servers, servers[0].url)
        return
    from geo.figures.store import open_store

    workdir = Path(tempfile.mkdtemp(prefix="atlas-load-"))
    db_url = f"sqlite:///{workdir / 'atlas.sqlite'}"
    open_store(db_url).dispose()  # seeded before the clock starts
    if front:
        with _behind_nginx(ROOT / "streamlit_app.py", replicas, db_url, workdir) as service:
            yield service
        return
    servers = []
    try:
        for index in range(replicas):
            port = _free_port()
            process = _start_process(port, db_url, workdir / f"streamlit-{index}.log")
            servers.append(Server(f"http://127.0.0.1:{port}", process.pid, process, workdir))
        for server in servers:
            _wait_healthy(server.url, server.process, 60)
        yield Service(servers, servers[0].url)
    finally:
        for server in servers:
            assert server.process is not None
            _stop(server.process)


@contextlib.contextmanager
def bare_server(*, front: bool) -> Iterator[Service]:
    """A bare Streamlit page (one title) served as the atlas is: the floor of any visit."""
    workdir = Path(tempfile.mkdtemp(prefix="atlas-bare-"))
    script = workdir / "bare_app.py"
    script.write_text(BARE_APP, encoding="utf-8")
    db_url = f"sqlite:///{workdir / 'unused.sqlite'}"
    if front:
        with _behind_nginx(script, 1, db_url, workdir) as service:
            yield service
        return
    port = _free_port()
    process = _start_process(port, db_url, workdir / "streamlit.log", script)
    server = Server(f"http://127.0.0.1:{port}", process.pid, process, workdir)
    try:
        _wait_healthy(server.url, process, 60)
        yield Service([server], server.url)
    finally:
        _stop(process)


# --- readers in a browser ------------------------------------------------------------------------


@dataclass
class Visit:
    """One new reader in a browser: seconds to the drawn map, server CPU seconds, error."""

    index: int
    to_drawn: float | None = None
    server_cpu: float | None = None
    error: str | None = None


def _cpu_of(pids: list[int]) -> float | None:
    """CPU seconds of all ``pids`` together (a reader reaches one of them), or ``None``."""
    values = [_proc_cpu_s(pid) for pid in pids]
    return None if not values or any(v is None for v in values) else float(sum(values))


async def _server_idle(pids: list[int], *, longest: float = 5.0) -> None:
    """Wait until the servers' CPU time stops growing (their run for this visit is over)."""
    if not pids:
        await asyncio.sleep(1.0)
        return
    deadline = time.monotonic() + longest
    last = _cpu_of(pids)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        now = _cpu_of(pids)
        if now is None or last is None or now - last < 0.01:
            return
        last = now


async def browser_visit(
    browser: Any, service: Service, index: int, *, timeout: float, bare: bool = False
) -> Visit:
    """A new reader (fresh context: nothing cached) opens the page; time until it is drawn.

    Drawn: the first commune polygon in the map's frame, or the title of the bare page.
    The server's CPU time is read before the visit and once the server is idle after it.
    """
    visit = Visit(index)
    context = await browser.new_context(
        viewport={"width": 1366, "height": 768}, service_workers="block"
    )
    page = await context.new_page()
    # Nothing leaves the machine (CHROMIUM_ARGS); a request for another host is an error here.
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if "//127.0.0.1" in request.url or not request.url.startswith("http")
            else outside.append(request.url)
        ),
    )
    cpu_before = _cpu_of(service.pids)
    started = time.perf_counter()
    try:
        await page.goto(service.url, wait_until="commit", timeout=timeout * 1000)
        if bare:
            target = page.locator("h1").first
        else:
            target = page.frame_locator(MAP_IFRAME).first.locator(POLYGON).first
        await target.wait_for(state="visible", timeout=timeout * 1000)
        visit.to_drawn = time.perf_counter() - started
        await _server_idle(service.pids)
        shown = page.locator('[data-testid="stAlertContentError"], [data-testid="stException"]')
        if await shown.count():
            visit.error = f"error shown: {(await shown.first.inner_text())[:120]}"
        elif outside:
            visit.error = f"asked the internet for {outside[0][:120]}"
    except Exception as error:  # a benchmark reports every failure, whatever its kind
        visit.error = f"{type(error).__name__}: {error}"[:200]
    finally:
        after = _cpu_of(service.pids)
        if cpu_before is not None and after is not None:
            visit.server_cpu = after - cpu_before
        await context.close()
    return visit


async def browser_visits(
    service: Service, count: int, *, timeout: float, bare: bool = False
) -> dict[str, Any]:
    """``count`` new readers, one after the other (one reader at a time on a warm server)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            visits = [
                await browser_visit(browser, service, i, timeout=timeout, bare=bare)
                for i in range(count)
            ]
        finally:
            await browser.close()
    drawn = [v.to_drawn for v in visits if v.to_drawn is not None]
    cpu = [v.server_cpu for v in visits if v.server_cpu is not None]
    return {
        "visits": len(visits),
        "drawn": len(drawn),
        "errors": [f"visit {v.index}: {v.error}" for v in visits if v.error],
        "median_to_drawn_s": statistics.median(drawn) if drawn else None,
        "p95_to_drawn_s": _percentile(drawn, 0.95),
        "median_server_cpu_s": statistics.median(cpu) if cpu else None,
        "visits_detail": [asdict(v) for v in visits],
    }


def _print_visits(title: str, result: dict[str, Any]) -> None:
    def seconds(key: str) -> str:
        value = result[key]
        return "–" if value is None else f"{value:.2f} s"

    print(f"\n{title}: {result['visits']} visits, {result['drawn']} drawn")
    print(
        f"  time to drawn  median {seconds('median_to_drawn_s')}   p95 {seconds('p95_to_drawn_s')}"
    )
    print(f"  server CPU     median {seconds('median_server_cpu_s')} per visit")
    print(f"  errors         {len(result['errors'])}")
    for error in result["errors"][:10]:
        print(f"    {error}")


# --- a run ---------------------------------------------------------------------------------------


def _total(read: Any, servers: list[Server]) -> float | None:
    """The sum of ``read(pid)`` over the servers (``None`` when any pid is unknown)."""
    values = [read(server.pid) if server.pid else None for server in servers]
    return None if any(v is None for v in values) else float(sum(values))


async def run_sessions(servers: list[Server], count: int, *, timeout: float) -> dict[str, Any]:
    """``count`` sessions at once, spread over ``servers`` in turn (readers from many
    addresses, as nginx's sticky hash spreads them); times, errors, memory and CPU."""
    hold = asyncio.Event()
    measured = [asyncio.Event() for _ in range(count)]
    rss_before, cpu_before = _total(_proc_rss_kb, servers), _total(_proc_cpu_s, servers)
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(
            read_session(
                i,
                servers[i % len(servers)].url,
                timeout=timeout,
                measured=measured[i],
                hold=hold,
            )
        )
        for i in range(count)
    ]
    # Each session sets its event after its run (or its timeout): then all are open at once.
    await asyncio.gather(*(event.wait() for event in measured))
    rss_open = _total(_proc_rss_kb, servers)
    hold.set()
    sessions = await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    cpu_after = _total(_proc_cpu_s, servers)
    return _summary(
        sessions,
        wall=wall,
        rss_before=rss_before,
        rss_open=rss_open,
        cpu=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
    )


def _percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (``None`` for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def _summary(sessions: list[Session], **measures: Any) -> dict[str, Any]:
    to_map = [s.to_map for s in sessions if s.to_map is not None]
    to_done = [s.to_done for s in sessions if s.to_done is not None]
    errors = [f"session {s.index}: {s.problem}" for s in sessions if s.problem]
    before, open_ = measures["rss_before"], measures["rss_open"]
    per_session = None if before is None or open_ is None else (open_ - before) / len(sessions)
    return {
        "sessions": len(sessions),
        "maps": len(to_map),
        "errors": errors,
        "median_to_map_s": statistics.median(to_map) if to_map else None,
        "p95_to_map_s": _percentile(to_map, 0.95),
        "max_to_map_s": max(to_map) if to_map else None,
        "median_to_done_s": statistics.median(to_done) if to_done else None,
        "p95_to_done_s": _percentile(to_done, 0.95),
        "wall_s": measures["wall"],
        "server_rss_before_mib": None if before is None else before / 1024,
        "server_rss_open_mib": None if open_ is None else open_ / 1024,
        "server_rss_per_session_mib": None if per_session is None else per_session / 1024,
        "server_cpu_s": measures["cpu"],
        "server_cpu_per_session_s": None
        if measures["cpu"] is None
        else measures["cpu"] / len(sessions),
        "mib_received_per_session": statistics.mean(s.received_bytes for s in sessions) / 2**20,
        "sessions_detail": [asdict(s) for s in sessions],
    }


def _print(title: str, result: dict[str, Any]) -> None:
    def seconds(key: str) -> str:
        value = result[key]
        return "–" if value is None else f"{value:.2f} s"

    def mib(key: str) -> str:
        value = result[key]
        return "–" if value is None else f"{value:.1f} MiB"

    print(f"\n{title}: {result['sessions']} sessions, {result['maps']} maps")
    print(f"  time to map    median {seconds('median_to_map_s')}   p95 {seconds('p95_to_map_s')}"
          f"   max {seconds('max_to_map_s')}")  # fmt: skip
    print(f"  time to done   median {seconds('median_to_done_s')}   p95 {seconds('p95_to_done_s')}")
    print(
        f"  server memory  before {mib('server_rss_before_mib')}   with sessions open "
        f"{mib('server_rss_open_mib')}   per session {mib('server_rss_per_session_mib')}"
    )
    cpu = result["server_cpu_per_session_s"]
    print(
        f"  server CPU     {'–' if cpu is None else f'{cpu:.2f} s'} per session; "
        f"{result['mib_received_per_session']:.2f} MiB sent to each reader"
    )
    print(f"  errors         {len(result['errors'])}")
    for error in result["errors"][:10]:
        print(f"    {error}")


def _verdicts(
    results: dict[str, Any], *, sessions: int, processes: int, boundaries: str | None = None
) -> list[str]:
    """PASS or FAIL against each target that this run measured (``boundaries``: the layer the
    servers ran on instead of the default map, which has a target of its own)."""
    lines = []

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    readers = results.get("browser")
    if readers is not None and boundaries:
        drawn = readers["median_to_drawn_s"]
        clean = not readers["errors"] and readers["drawn"] == readers["visits"]
        ok = clean and drawn is not None and drawn <= TARGET_LAYER_DRAWN_S
        lines.append(
            f"a later visit on {Path(boundaries).name}, median time to a drawn map "
            f"≤ {TARGET_LAYER_DRAWN_S} s: {verdict(ok)}"
        )
    elif readers is not None:
        drawn, cpu = readers["median_to_drawn_s"], readers["median_server_cpu_s"]
        clean = not readers["errors"] and readers["drawn"] == readers["visits"]
        ok = clean and drawn is not None and drawn <= TARGET_DRAWN_S
        lines.append(f"one reader, median time to a drawn map ≤ {TARGET_DRAWN_S} s: {verdict(ok)}")
        ok = clean and cpu is not None and cpu <= TARGET_CPU_PER_VISIT_S
        lines.append(
            f"server CPU per new visit ≤ {TARGET_CPU_PER_VISIT_S} s (median): {verdict(ok)}"
        )
    if boundaries:
        return lines  # the sessions' target is the default map's (issue 14)
    load = results["load"]
    p95 = load["p95_to_map_s"]
    ok = not load["errors"] and load["maps"] == sessions and p95 is not None
    ok = ok and p95 <= TARGET_P95_S and sessions >= TARGET_SESSIONS
    lines.append(
        f"{TARGET_SESSIONS} sessions together, p95 ≤ {TARGET_P95_S:.0f} s to map, no error: "
        f"{verdict(ok)} ({sessions} sessions on {processes} process(es))"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help=f"at most {MAX_SESSIONS}")
    parser.add_argument(
        "--browsers",
        type=int,
        default=5,
        help=f"new readers in Chromium, one after the other (0: none; at most "
        f"{MAX_BROWSER_VISITS})",
    )
    parser.add_argument(
        "--floor", action="store_true", help="measure a bare Streamlit page the same way"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per session")
    parser.add_argument(
        "--replicas", type=int, default=1, help="atlas processes to start (one database)"
    )
    parser.add_argument(
        "--url", action="append", default=[], help="a running server (repeat for several)"
    )
    parser.add_argument(
        "--pid", type=int, action="append", default=[], help="its Streamlit process, in order"
    )
    parser.add_argument("--no-warm-up", action="store_true", help="measure the cold first visit")
    parser.add_argument(
        "--boundaries",
        help="run the started processes on this boundary file (ATLAS_BOUNDARIES), e.g. a "
        "national layer: a later visit's target is then "
        f"{TARGET_LAYER_DRAWN_S} s to a drawn map",
    )
    parser.add_argument(
        "--front",
        choices=("nginx", "none"),
        default="nginx" if _nginx() else "none",
        help="readers reach the started processes through nginx, as `make serve` runs them "
        "(default when nginx is installed), or directly ('none': the processes serve "
        "Streamlit's frontend files themselves)",
    )
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    front = args.front == "nginx" and not args.url
    if args.boundaries:
        if not Path(args.boundaries).is_file():
            parser.error(f"--boundaries: no file {args.boundaries}")
        # The started processes inherit it (see _start_process).
        os.environ["ATLAS_BOUNDARIES"] = str(Path(args.boundaries).resolve())
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1…{MAX_SESSIONS}")
    if not 0 <= args.browsers <= MAX_BROWSER_VISITS:
        parser.error(f"--browsers must be 0…{MAX_BROWSER_VISITS}")
    if not 1 <= args.replicas <= 8:
        parser.error("--replicas must be 1…8")
    timeout = min(max(args.timeout, 5.0), 300.0)
    browsers = args.browsers if CHROMIUM.exists() else 0
    if args.browsers and not browsers:
        print(f"{CHROMIUM} not found: no browser readers (apt-get install chromium)")
    results: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "sessions": args.sessions,
        "front": "nginx" if front else "none",
    }
    print(
        "readers reach the processes through nginx (as `make serve`)"
        if front
        else "readers reach the processes directly (they serve Streamlit's frontend files)"
    )
    if browsers and args.floor:
        with bare_server(front=front) as bare:
            floor = asyncio.run(browser_visits(bare, browsers, timeout=timeout, bare=True))
        _print_visits("floor: a bare Streamlit page (one title), one new reader at a time", floor)
        results["floor"] = floor
    with started_servers(args.url, args.pid, args.replicas, front=front) as service:
        servers = service.servers
        for server in servers:
            print(f"server {server.url} (pid {server.pid or 'unknown'})")
        print(f"{os.cpu_count()} CPUs")
        if not args.no_warm_up:
            # A cold first visit builds every cache (over 10 s of CPU each, processes in
            # parallel on shared cores): given more time than a reader's visit.
            warm = asyncio.run(
                run_sessions(servers, len(servers), timeout=max(timeout, WARM_UP_TIMEOUT_S))
            )
            _print("warm-up (first visit of each process: caches built)", warm)
            results["warm_up"] = warm
        if browsers:
            readers = asyncio.run(browser_visits(service, browsers, timeout=timeout))
            shown = Path(args.boundaries).name if args.boundaries else "the default map"
            _print_visits(f"one new reader at a time in Chromium, {shown}", readers)
            results["browser"] = readers
        load = asyncio.run(run_sessions(servers, args.sessions, timeout=timeout))
        _print(f"{args.sessions} sessions arriving together on {len(servers)} process(es)", load)
        results["load"] = load
    print("\ntargets (2 cores shared with whatever else runs: read with care):")
    verdicts = _verdicts(
        results, sessions=args.sessions, processes=len(servers), boundaries=args.boundaries
    )
    for line in verdicts:
        print(f"  {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
