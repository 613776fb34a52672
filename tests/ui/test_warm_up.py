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
    assert run.to_done is None and run.to_map is None and run.messages == 0
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


def _forward(kind: str, **fields: str) -> bytes:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    if kind == "finished":
        message.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    elif kind == "map":
        message.delta.new_element.component_instance.component_name = fields["name"]
    elif kind == "error":
        message.delta.new_element.alert.body = fields["body"]
        message.delta.new_element.alert.format = message.delta.new_element.alert.ERROR
    return message.SerializeToString()


async def _stream(*messages: bytes):
    for message in messages:
        yield message


def _read(*messages: bytes):
    import asyncio

    from geo.ui.warm_up import PageRun, read_run

    run = PageRun()
    # A loop in a thread of its own: the suite's main thread may run one already.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, read_run(_stream(*messages), run, started=0.0)).result()
    return run


def test_read_run_notes_the_map_the_end_and_the_first_problem_shown():
    from geo.ui.warm_up import MAP_COMPONENT

    clean = _read(_forward("map", name=MAP_COMPONENT), _forward("finished"))
    assert clean.messages == 2 and clean.received_bytes > 0 and clean.problem is None
    assert clean.to_map is not None and clean.to_done is not None and clean.to_map <= clean.to_done
    shown = _read(
        _forward("error", body="Không đọc được tệp"),
        _forward("map", name=MAP_COMPONENT),
        _forward("error", body="second"),
        _forward("finished"),
    )
    assert shown.problem == "error alert: Không đọc được tệp" and shown.to_map is not None


def test_read_run_names_a_run_without_a_map_and_a_session_closed_early():
    no_map = _read(_forward("map", name="another.component"), _forward("finished"))
    assert no_map.to_map is None and no_map.problem == "the page run finished without a map"
    closed = _read(_forward("map", name="another.component"))
    assert closed.to_done is None
    assert closed.problem == "the session closed before the page run finished"
