"""Widget-frontend mode in a plain IPython shell: the cell returns with the finished reply; the
no-credentials path that starts the embedded emulator; an agent stream that resumes by itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gumloop_nb.notebook import ChatStream, load_ipython_extension, unload_ipython_extension
from gumloop_nb.notebook._results import ChatReply

Shell = Any


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Any]:
    from gumloop_nb.emulator import serve

    em = serve(speed=1.0)  # real-time pacing, so an answer takes a while to stream
    try:
        yield em
    finally:
        em.stop()


def test_widget_mode_chat_returns_with_the_finished_reply_and_thread(
    shell: Shell, slow_emulator: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("GUMLOOP_NB_WIDGETS", "1")
    # Real-time pacing: a cell that returned early would leave a stream behind.
    shell.run(f"%gumloop connect --base-url {slow_emulator.base_url}")
    words = " ".join(f"w{i}" for i in range(40))
    cell = shell.run(f"%%gumloop chat -o a --thread t\nRepeat exactly: live <b>{words}</b>")
    assert cell.error is None
    reply = shell.ns["a"]
    assert isinstance(reply, ChatReply) and not isinstance(reply, ChatStream)
    assert reply.text == f"live <b>{words}</b>"
    assert shell.ns["_gumloop_last"] is reply
    thread = shell.magics.threads["t"]
    assert [m["role"] for m in thread] == ["user", "assistant"]
    assert thread[1]["content"] == reply.text
    # The live widget is replaced by the final answer (an update of the same display), escaped.
    assert "&lt;b&gt;" in cell.outputs[-1].data["text/html"]


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
