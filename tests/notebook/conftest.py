"""Fixtures: one emulator (speed 0) per session, and a real IPython shell with %gumloop loaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gumloop_nb.notebook import load_ipython_extension, unload_ipython_extension


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from gumloop_nb.emulator import serve

    em = serve(speed=0)
    try:
        yield em
    finally:
        em.stop()


@dataclass
class Cell:
    """What running one cell produced."""

    result: Any
    outputs: list[Any] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def error(self) -> BaseException | None:
        return self.result.error_in_exec or self.result.error_before_exec

    def html(self) -> str:
        return "\n".join(o.data.get("text/html", "") for o in self.outputs)

    def plain(self) -> str:
        return "\n".join(o.data.get("text/plain", "") for o in self.outputs)


class Shell:
    def __init__(self, ip: InteractiveShell) -> None:
        self.ip = ip

    @property
    def ns(self) -> dict[str, Any]:
        return self.ip.user_ns

    def run(self, source: str) -> Cell:
        with capture_output() as captured:
            result = self.ip.run_cell(source)
        return Cell(result, list(captured.outputs), captured.stdout, captured.stderr)

    @property
    def magics(self) -> Any:
        from gumloop_nb.notebook import _loaded

        return _loaded[id(self.ip)]


@pytest.fixture
def shell(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shell]:
    """A real InteractiveShell with the extension loaded against the test emulator."""
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "test-secret-token-123")
    monkeypatch.setenv("GUMLOOP_BASE_URL", emulator.base_url)
    monkeypatch.delenv("GUMLOOP_TEAM_ID", raising=False)
    monkeypatch.delenv("GUMLOOP_USER_ID", raising=False)
    monkeypatch.setenv("GUMLOOP_NB_WIDGETS", "0")
    ip = InteractiveShell.instance()
    with capture_output():
        load_ipython_extension(ip)
    try:
        yield Shell(ip)
    finally:
        unload_ipython_extension(ip)
