"""Widget-frontend mode: the stream runs off the main thread, Stop stays responsive; and the
no-credentials path that starts the embedded emulator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gumloop_nb.notebook import ChatStream, load_ipython_extension, unload_ipython_extension
from gumloop_nb.notebook._results import ChatReply

Shell = Any


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Any]:
    from gumloop_nb.emulator import serve

    em = serve(speed=1.0)  # real-time pacing, so a long answer takes seconds
    try:
        yield em
    finally:
        em.stop()


def test_live_chat_returns_at_once_and_binds_the_reply_when_done(
    shell: Shell, slow_emulator: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("GUMLOOP_NB_WIDGETS", "1")
    # Real-time pacing: the first token alone takes longer than returning from the cell, so
    # the variable is looked at while the answer is certainly still streaming.
    shell.run(f"%gumloop connect --base-url {slow_emulator.base_url}")
    cell = shell.run("%%gumloop chat -o a\nRepeat exactly: live <b>answer</b>")
    assert cell.error is None
    view = shell.ns["a"]
    assert isinstance(view, ChatStream)
    reply = view.wait(30)
    assert isinstance(reply, ChatReply)
    wait_for(lambda: isinstance(shell.ns["a"], ChatReply))
    assert shell.ns["a"].text == "live <b>answer</b>"
    assert shell.ns["_gumloop_last"] is shell.ns["a"]
    assert "&lt;b&gt;" in view.pane._tail.value


def test_stop_button_in_live_mode_keeps_the_partial_answer(
    shell: Shell, slow_emulator: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("GUMLOOP_NB_WIDGETS", "1")
    shell.run(f"%gumloop connect --base-url {slow_emulator.base_url}")
    words = " ".join(f"w{i}" for i in range(2000))
    cell = shell.run(f"%%gumloop chat -o a\nRepeat exactly: {words}")
    assert cell.error is None
    view = shell.ns["a"]
    wait_for(lambda: len(view.text) > 0)
    # The kernel's main thread is free: the click is handled while the stream runs.
    view.stop_button.click()
    reply = view.wait(10)
    assert reply is not None and reply.stopped
    assert 0 < len(reply.text) < len(words)
    assert words.startswith(reply.text)


def test_without_credentials_the_embedded_emulator_starts_with_a_banner(monkeypatch: Any) -> None:
    for name in ("GUMLOOP_ACCESS_TOKEN", "GUMLOOP_API_KEY", "GUMLOOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GUMLOOP_NB_WIDGETS", "0")
    ip = InteractiveShell.instance()
    ip.config.GumloopMagics.emulator_speed = 0.0  # as ipython_config.py would set it
    try:
        with capture_output() as captured:
            load_ipython_extension(ip)
        assert "emulator" in captured.stdout and captured.stdout.strip().count("\n") == 0
        with capture_output() as status:
            ip.run_cell("%gumloop status")
        assert "local emulator" in status.stdout and "127.0.0.1" in status.stdout
        with capture_output():
            ip.run_cell("%%gumloop chat -o a\nRepeat exactly: from the embedded emulator")
        assert ip.user_ns["a"].text == "from the embedded emulator"
    finally:
        del ip.config.GumloopMagics["emulator_speed"]
        unload_ipython_extension(ip)


def test_agent_stream_resumes_by_itself_after_a_dropped_connection(
    shell: Shell, monkeypatch: Any
) -> None:
    from gumloop_nb.emulator import serve

    # Every SSE response is cut after 3 events the first time its path is used.
    with serve(speed=0, faults="drop_after=3;times=1") as flaky:
        shell.run(f"%gumloop connect --base-url {flaky.base_url}")
        client = shell.magics.get_connection().client()
        agent = client.agents.create(name="Resumer", model_name="gpt-4.1").agent
        words = " ".join(f"w{i}" for i in range(40))
        cell = shell.run(f"%%gumloop agent {agent.id} -o r\nRepeat exactly: {words}")
        assert cell.error is None, cell.error
        assert shell.ns["r"].text == words
        shell.magics.set_connection(None)
