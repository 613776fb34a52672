"""Warm an atlas process before readers come: one page run over Streamlit's own protocol.

A new process imports its libraries and fills its per-process caches (boundaries, figures
converted to the map's vintage, the default map) on its first page run: about 10 s on 2 cores,
which the first reader after every start would wait. ``scripts/serve.sh`` runs
``python -m geo.ui.warm_up URL ...`` against each process before it says "ready".

The client speaks as a browser does: a websocket to ``/_stcore/stream`` (sub-protocol
``streamlit``), one ``BackMsg`` asking for a run of the default page, then ``ForwardMsg`` until
``script_finished``. ``bench/load.py`` measures readers with the same messages.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAP_COMPONENT",
    "PageRun",
    "element_problem",
    "page_run",
    "read_run",
    "rerun_message",
    "start_run",
    "warm_up",
]

#: The map's element (streamlit-folium's component).
MAP_COMPONENT = "streamlit_folium.st_folium"


@dataclass
class PageRun:
    """What one run of the default page sent (times in seconds from opening the websocket)."""

    to_map: float | None = None
    to_done: float | None = None
    messages: int = 0
    received_bytes: int = 0
    problem: str | None = None


def rerun_message(url: str) -> bytes:
    """The ``BackMsg`` a browser sends once connected: run the default page at ``url``.

    Examples
    --------
    >>> from streamlit.proto.BackMsg_pb2 import BackMsg
    >>> message = BackMsg.FromString(rerun_message("http://127.0.0.1:8501"))
    >>> message.WhichOneof("type"), message.rerun_script.context_info.locale
    ('rerun_script', 'vi-VN')
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    state = message.rerun_script
    state.query_string = ""
    state.page_script_hash = ""
    state.context_info.url = url
    state.context_info.timezone = "Asia/Ho_Chi_Minh"
    state.context_info.timezone_offset = -420
    state.context_info.locale = "vi-VN"
    return message.SerializeToString()


def element_problem(element: Any) -> str | None:
    """An error a reader would see in this ``Element``, else ``None``.

    Examples
    --------
    >>> from streamlit.proto.Element_pb2 import Element
    >>> shown = Element()
    >>> shown.alert.body, shown.alert.format = "Không đọc được tệp", shown.alert.ERROR
    >>> element_problem(shown)
    'error alert: Không đọc được tệp'
    >>> element_problem(Element()) is None
    True
    """
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception element: {element.exception.type}"
    if kind == "alert" and element.alert.format == element.alert.ERROR:
        return f"error alert: {element.alert.body[:120]}"
    return None


async def start_run(stack: contextlib.AsyncExitStack, url: str) -> Any:
    """Open a session on ``url`` (closed with ``stack``) and ask it to run the default page;
    the websocket to read the run from (:func:`read_run`)."""
    from websockets.asyncio.client import connect

    stream = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    websocket = await stack.enter_async_context(
        connect(stream, subprotocols=["streamlit"], origin=url.rstrip("/"), max_size=None)
    )
    await websocket.send(rerun_message(url))
    return websocket


async def read_run(websocket: Any, run: PageRun, *, started: float) -> None:
    """Read ``ForwardMsg`` until the run finishes, noting into ``run`` as they come (so what
    was seen stays when a timeout cuts the run short): messages, bytes, the map's time, the
    end's time, the first problem shown, a session closed early, a run without a map."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async for raw in websocket:
        run.messages += 1
        run.received_bytes += len(raw)
        message = ForwardMsg.FromString(raw)
        kind = message.WhichOneof("type")
        if kind == "script_finished":
            run.to_done = time.perf_counter() - started
            break
        if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
            continue
        element = message.delta.new_element
        run.problem = run.problem or element_problem(element)
        if (
            run.to_map is None
            and element.WhichOneof("type") == "component_instance"
            and element.component_instance.component_name == MAP_COMPONENT
        ):
            run.to_map = time.perf_counter() - started
    if run.problem is None and run.to_done is None:
        run.problem = "the session closed before the page run finished"
    elif run.problem is None and run.to_map is None:
        run.problem = "the page run finished without a map"


async def page_run(url: str, *, timeout: float) -> PageRun:
    """Open a session on ``url``, run the default page once and read it to its end.

    A connection failure or a timeout is a :class:`PageRun` with ``problem`` set, not an
    exception: the caller says which process did not answer.
    """
    run = PageRun()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout), contextlib.AsyncExitStack() as stack:
            await read_run(await start_run(stack, url), run, started=started)
    except TimeoutError:
        run.problem = run.problem or f"no end of the page run within {timeout:.0f} s"
    except OSError as error:  # refused, reset: the process is not there
        run.problem = run.problem or f"{type(error).__name__}: {error}"[:200]
    return run


def warm_up(urls: list[str], *, timeout: float = 180.0) -> dict[str, PageRun]:
    """One page run on each process at ``urls``, all at once (they build their caches in
    parallel); the run of each, by URL."""

    async def all_runs() -> list[PageRun]:
        return await asyncio.gather(*(page_run(url, timeout=timeout) for url in urls))

    # A loop of its own in a thread of its own: the caller may be running one already
    # (Playwright's sync API, a notebook), where asyncio.run would refuse.
    with ThreadPoolExecutor(max_workers=1) as thread:
        runs = thread.submit(asyncio.run, all_runs()).result()
    return dict(zip(urls, runs, strict=True))


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.ui.warm_up URL [URL ...]``: 0 when every process ran its page cleanly."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+", help="an atlas process, e.g. http://127.0.0.1:8601")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per process")
    args = parser.parse_args(argv)
    failed = 0
    for url, run in warm_up(args.urls, timeout=args.timeout).items():
        if run.problem:
            failed += 1
            print(f"warm-up: {url}: {run.problem}", file=sys.stderr)
        else:
            print(f"warm-up: {url}: page run in {run.messages} messages", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
