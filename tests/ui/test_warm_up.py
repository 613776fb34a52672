"""The warm-up client (geo.ui.warm_up): a process that does not answer is named, not raised."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

from geo.ui.warm_up import main, warm_up


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


def test_a_process_that_is_not_there_is_a_problem_not_an_exception():
    url = f"http://127.0.0.1:{_closed_port()}"
    run = warm_up([url], timeout=5)[url]
    assert not run.finished and not run.map_sent
    assert run.problem is not None and run.problem.startswith("ConnectionRefusedError")


def test_main_fails_and_names_the_process(capsys):
    url = f"http://127.0.0.1:{_closed_port()}"
    assert main([url, "--timeout", "5"]) == 1
    assert f"warm-up: {url}: " in capsys.readouterr().err


def test_it_runs_where_an_event_loop_is_already_running():
    import asyncio

    async def inside_a_loop() -> str | None:
        url = f"http://127.0.0.1:{_closed_port()}"
        return warm_up([url], timeout=5)[url].problem

    # asyncio.run in a thread of its own: this test's thread may already run a loop (the
    # suite's Playwright tests leave one), which is the very case tested, one level down.
    with ThreadPoolExecutor(max_workers=1) as thread:
        problem = thread.submit(asyncio.run, inside_a_loop()).result()
    assert (problem or "").startswith("ConnectionRefusedError")
