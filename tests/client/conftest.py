"""Fixtures for the client contract tests: sync/async clients, respx routers, a fake clock.

Every scenario is written once and runs against ``Gumloop`` and ``AsyncGumloop`` (the ``mode``
parameter); ``run`` awaits a result only when it is awaitable, ``collect`` drains either kind of
iterator. The fake clock replaces ``time``/``asyncio`` in the client modules so retries, resumes
and flow polling record their delays instead of sleeping.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import inspect
import json
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from gumloop_nb import AsyncGumloop, Gumloop
from gumloop_nb.client import _cursors, _endpoint, _streams, _transport, flows

API = "http://api.test/api/v1"
WS = "http://ws.test/api/v1"
TOKEN = "sk-test-SECRET-0123456789"

ENV_VARS = (
    "GUMLOOP_ACCESS_TOKEN",
    "GUMLOOP_USER_ID",
    "GUMLOOP_TEAM_ID",
    "GUMLOOP_BASE_URL",
    "GUMLOOP_STREAM_BASE_URL",
    "TRACEPARENT",
    "TRACESTATE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fresh_turn_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no remembered session cursors (they are process-wide)."""
    monkeypatch.setattr(_cursors.TURN_CURSORS, "_cursors", type(_cursors.TURN_CURSORS._cursors)())


class Clock:
    """A fake clock: sleeps are recorded and advance time instead of blocking.

    ``monotonic`` also advances a microsecond per reading, like a real clock does.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float, *args: Any) -> None:
        self.sleep(seconds)
        await _real_asyncio_sleep(0)

    def monotonic(self) -> float:
        self.now += 1e-6
        return self.now


_real_asyncio_sleep = asyncio.sleep


class _TimeProxy:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)

    def monotonic(self) -> float:
        return self._clock.monotonic()

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class _AsyncioProxy:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def sleep(self, seconds: float, *args: Any) -> Any:
        return self._clock.async_sleep(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    for module in (_transport, _endpoint, _streams, flows):
        if hasattr(module, "time"):
            monkeypatch.setattr(module, "time", _TimeProxy(fake))
        if hasattr(module, "asyncio"):
            monkeypatch.setattr(module, "asyncio", _AsyncioProxy(fake))
    return fake


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(mode: str) -> AsyncIterator[Any]:
    """Factory: ``make_client(**kwargs)`` builds the client of this test's mode."""
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("api_key", TOKEN)
        kwargs.setdefault("base_url", API)
        kwargs.setdefault("stream_base_url", WS)
        for key in [k for k, v in kwargs.items() if v is _DROP]:
            del kwargs[key]
        cls = AsyncGumloop if mode == "async" else Gumloop
        if "http_client" not in kwargs:
            # A shared SSL context: building httpx's default one costs ~0.2 s per client.
            http_cls = httpx.AsyncClient if mode == "async" else httpx.Client
            kwargs["http_client"] = http_cls(verify=_SSL, follow_redirects=True)
        client = cls(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        if isinstance(client, AsyncGumloop):
            await client.aclose()
        else:
            client.close()


_SSL = ssl.create_default_context()
_DROP: Any = object()
DROP = _DROP  # pass as a kwarg value to make_client to leave that argument out


def quick(cls: Any, **kwargs: Any) -> Any:
    """``cls(**kwargs)`` with an HTTP client sharing one SSL context (for config-only tests)."""
    http_cls = httpx.AsyncClient if cls is AsyncGumloop else httpx.Client
    return cls(http_client=http_cls(verify=_SSL), **kwargs)


@pytest.fixture
def client(make_client: Any) -> Any:
    return make_client()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        yield mock


async def run(value: Any) -> Any:
    """The value itself, or what it resolves to when the async client returned an awaitable."""
    if inspect.isawaitable(value):
        return await value
    return value


async def collect(iterable: Any) -> list[Any]:
    """Drain a sync or async iterator into a list."""
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    return list(iterable)


async def close(stream: Any) -> None:
    result = stream.close()
    if inspect.isawaitable(result):
        await result


def sse(*events: Any, done: bool = False) -> bytes:
    """SSE bytes: each event a dict (JSON data), a str (raw data) or an (event, data) tuple."""
    out: list[str] = []
    for event in events:
        name = None
        if isinstance(event, tuple):
            name, event = event
        data = event if isinstance(event, str) else json.dumps(event)
        if name is not None:
            out.append(f"event: {name}\n")
        out.append(f"data: {data}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that delivers ``chunks`` and then drops the connection."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        raise httpx.ReadError("connection reset by peer")


def sse_response(body: bytes | None = None, *, broken: tuple[bytes, ...] | None = None) -> Any:
    headers = {"content-type": "text/event-stream"}
    if broken is not None:
        return httpx.Response(200, headers=headers, stream=BrokenStream(*broken))
    return httpx.Response(200, headers=headers, content=body or b"")


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def multipart_parts(request: httpx.Request) -> list[tuple[str, str | None, bytes]]:
    """``(field name, filename, content)`` of each part of a multipart request."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.content, policy=email.policy.HTTP)
    parts: list[tuple[str, str | None, bytes]] = []
    for part in message.iter_parts():  # type: ignore[attr-defined, unused-ignore]
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts.append((str(name), None if filename is None else str(filename), payload))
    return parts


AGENT: dict[str, Any] = {
    "id": "agt_1",
    "name": "Helper",
    "team_id": None,
    "is_active": True,
    "tools": [],
    "resources": [],
    "metadata": {},
    "model_name": "gpt-4.1",
    "created_at": "2026-01-05T10:00:00Z",
    "future_field": "kept",
}


def session_json(session_id: str = "ses_1", state: str = "processing") -> dict[str, Any]:
    return {
        "session": {"id": session_id, "agent_id": "agt_1", "state": state, "messages": []},
        "queue_position": None,
    }


def chat_result_json(content: str = "Hello") -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1760000000,
        "model": "demo",
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
