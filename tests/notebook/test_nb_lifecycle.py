"""Every client the notebook layer creates is closed: after compare, flows with projects,
reconnects and option copies, unloading the extension leaves no HTTP client or socket open."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gumloop_nb.notebook import unload_ipython_extension

Shell = Any  # the fixture type from conftest.py


def _established_to(port: int) -> int:
    """Client-side TCP connections of this process to ``port`` that are still established."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01":
                count += 1
    return count


def _wait_for(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every httpx client created while the test runs (held, so none escapes by collection)."""
    clients: list[Any] = []
    for cls in (httpx.Client, httpx.AsyncClient):
        original = cls.__init__

        def init(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> None:
            __original(self, *args, **kwargs)
            clients.append(self)

        monkeypatch.setattr(cls, "__init__", init)
    yield clients


def test_unloading_closes_every_client_the_notebook_created(
    shell: Shell, emulator: Any, made: list[Any]
) -> None:
    port = httpx.URL(emulator.base_url).port
    assert port is not None
    before = _established_to(port)
    cells = [
        "%%gumloop compare -m gpt-4.1,claude-sonnet-4-5,gemini-2.5-flash -o table\nSay hi",
        '%%gumloop flow summarize --project team_a -o a\n{"text": "one two"}',
        '%%gumloop flow summarize --project team_b -o b\n{"text": "three four"}',
        '%%gumloop flow summarize --project team_a -o c\n{"text": "five six"}',
        '%%gumloop flow summarize -o d\n{"text": "seven"}',
        "from gumloop_nb import get_client\n"
        "with get_client().with_options(max_retries=0) as copy:\n"
        "    copy.models.list()\n"
        "get_client().models.list()",  # the parent's pool survived the copy's `with`
        f"%gumloop connect --base-url {emulator.base_url}",
        "%%gumloop chat -o x\nRepeat exactly: after reconnect",
        '%%gumloop flow summarize --project team_c -o e\n{"text": "eight"}',
        f"%gumloop connect --base-url {emulator.base_url}",
        "%%gumloop chat -o y\nRepeat exactly: again",
    ]
    for source in cells:
        cell = shell.run(source)
        assert cell.error is None, (source, cell.error)
    assert len(made) >= 5, "the scenario made its requests over several clients"
    # Reconnecting closed the previous connection's clients (its API client, its flows clients
    # per project): only the current connection's API client is open.
    assert len([c for c in made if not c.is_closed]) == 1

    unload_ipython_extension(shell.ip)
    still_open = [c for c in made if not c.is_closed]
    assert still_open == []
    assert _wait_for(lambda: _established_to(port) <= before), (_established_to(port), before)
