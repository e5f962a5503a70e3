"""Fixtures: one fast emulator (speed 0) per test session, and a real-time one for cancels."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gumloop_nb.emulator import Emulator, serve

AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture(scope="session")
def em() -> Iterator[Emulator]:
    with serve(speed=0) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def slow_em() -> Iterator[Emulator]:
    """Real-time delays, for observing runs while they are still going."""
    with serve(speed=1.0) as emulator:
        yield emulator


@pytest.fixture
def http(em: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=em.base_url, headers=AUTH, timeout=20) as client:
        yield client


@pytest.fixture
def slow_http(slow_em: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=slow_em.base_url, headers=AUTH, timeout=20) as client:
        yield client


@pytest.fixture
def closing() -> Iterator[Callable[[Any], Any]]:
    """``closing(client)`` returns the client and closes it when the test ends (pass or fail)."""
    opened: list[Any] = []

    def register(obj: Any) -> Any:
        opened.append(obj)
        return obj

    yield register
    for obj in reversed(opened):
        obj.close()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `predicate` until it returns a truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.01)


def make_agent(http: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "Test agent")
    body.setdefault("model_name", "claude-sonnet-4-5")
    r = http.post("/agents", json=body)
    assert r.status_code == 201, r.text
    return r.json()["agent"]


def finished_session(http: httpx.Client, sid: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        s = http.get(f"/sessions/{sid}").json()["session"]
        return s if s["state"] in ("completed", "failed") else None

    return wait_for(done)


def sse_events(text: str) -> list[dict[str, Any]]:
    """Parse an SSE body into [{'event': name|None, 'data': raw}] frames."""
    frames = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        frame: dict[str, Any] = {"event": None, "data": []}
        for line in block.split("\n"):
            if line.startswith("event:"):
                frame["event"] = line[6:].strip()
            elif line.startswith("data:"):
                frame["data"].append(line[5:].lstrip())
        frame["data"] = "\n".join(frame["data"])
        frames.append(frame)
    return frames
