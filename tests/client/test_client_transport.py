"""The request loop: per-phase timeouts, redirects and the headers that may follow them, what a
failure says, when a call is repeated, the shared retry logging, the pool's lifecycle and the
size-capped download."""

from __future__ import annotations

import asyncio
import logging
import pickle
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gumloop_nb import AsyncGumloop, Gumloop, GumloopClient
from gumloop_nb import errors as e
from gumloop_nb.client import _config, _transport
from gumloop_nb.client._endpoint import run_async, run_sync
from gumloop_nb.client._op import Op

from .conftest import (
    AGENT,
    API,
    TOKEN,
    WS,
    Clock,
    chat_result_json,
    run,
)

MESSAGES = [{"role": "user", "content": "hi"}]


def phases(request: httpx.Request) -> dict[str, float | None]:
    timeout: dict[str, float | None] = request.extensions["timeout"]
    return timeout


async def execute(client: Any, op: Op[Any]) -> Any:
    """Run one Op on the client's own transport (what a resource method does)."""
    if client._is_async:
        return await run_async(client._transport, op)
    return run_sync(client._transport, op)


# -- timeouts -----------------------------------------------------------------------------------


async def test_every_host_connects_within_ten_seconds_by_default_with_separate_read_timeouts(
    make_client: Any, router: Any
) -> None:
    api = router.get("/teams").respond(200, json={"teams": []})
    chat = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    client = make_client()
    await run(client.teams.list())
    await run(client.chat.completions.create(model="m", messages=MESSAGES))
    unary, stream_host = phases(api.calls.last.request), phases(chat.calls.last.request)
    assert 5 <= unary["connect"] <= 10 and 5 <= stream_host["connect"] <= 10
    assert unary["read"] == 90.0
    assert stream_host["read"] == 3600.0
    assert client.timeout == 90.0 and client.stream_timeout == 3600.0  # as the official SDK


async def test_a_number_sets_read_write_pool_and_caps_connect(
    make_client: Any, router: Any
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(make_client(timeout=120).teams.list())
    assert phases(route.calls.last.request) == {
        "connect": 10.0,
        "read": 120.0,
        "write": 120.0,
        "pool": 120.0,
    }
    await run(make_client(timeout=2).teams.list())
    assert phases(route.calls.last.request)["connect"] == 2.0


async def test_an_httpx_timeout_is_used_exactly_per_client_and_with_options(
    make_client: Any, router: Any
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    client = make_client(timeout=httpx.Timeout(300, connect=30))
    await run(client.teams.list())
    assert phases(route.calls.last.request) == {
        "connect": 30.0,
        "read": 300.0,
        "write": 300.0,
        "pool": 300.0,
    }
    await run(client.with_options(timeout=httpx.Timeout(None)).teams.list())
    assert set(phases(route.calls.last.request).values()) == {None}
    assert isinstance(client.with_options(timeout=5).timeout, float | int)


async def test_none_waits_without_limit_except_for_connecting(
    make_client: Any, router: Any
) -> None:
    route = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    await run(
        make_client(stream_timeout=None).chat.completions.create(model="m", messages=MESSAGES)
    )
    assert phases(route.calls.last.request) == {
        "connect": 10.0,
        "read": None,
        "write": None,
        "pool": None,
    }


async def test_a_per_call_timeout_given_to_the_request_loop_wins(client: Any, router: Any) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    await execute(client, Op("GET", "/teams", timeout=httpx.Timeout(7, connect=1)))
    assert phases(route.calls.last.request) == {
        "connect": 1.0,
        "read": 7.0,
        "write": 7.0,
        "pool": 7.0,
    }
    await execute(client, Op("GET", "/teams", timeout=3))
    assert phases(route.calls.last.request)["read"] == 3.0


@pytest.mark.parametrize("bad", [-1, "10", True])
def test_a_bad_timeout_is_refused_with_what_to_pass(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"httpx\.Timeout"):
        Gumloop(api_key="k", timeout=bad)
    with pytest.raises(ValueError, match=r"httpx\.Timeout"):
        Gumloop(api_key="k").with_options(stream_timeout=bad)


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A local port whose accept queue is full, so a new connection is never answered (the
    kernel drops the SYN), like a host behind a firewall that drops packets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    yield port
    for sock in (*fillers, server):
        sock.close()


async def test_a_host_that_does_not_answer_fails_at_once_with_a_clear_error(
    mode: str, unanswered_port: int, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short connect cap keeps the test fast; what is checked is that the one-hour stream
    # timeout does not apply to connecting, and that a connect timeout is not retried.
    monkeypatch.setattr(_config, "DEFAULT_CONNECT_TIMEOUT", 0.3)
    base = f"http://127.0.0.1:{unanswered_port}/api/v1"
    cls = AsyncGumloop if mode == "async" else Gumloop
    client = cls(api_key=TOKEN, base_url=base, stream_timeout=3600)
    try:
        with pytest.raises(e.APITimeoutError) as info:
            await run(client.chat.completions.create(model="m", messages=MESSAGES))
    finally:
        await run(client.close())
    assert clock.sleeps == []  # not retried
    text = str(info.value)
    assert "did not answer within 0.3 s" in text
    assert "Nothing was sent" in text
    assert TOKEN not in text


# -- what a failure says, and when a call is repeated ------------------------------------------


async def test_a_lost_response_after_a_create_says_it_may_have_been_processed(
    client: Any, router: Any
) -> None:
    route = router.post("/agents").mock(side_effect=httpx.ReadError("connection reset"))
    with pytest.raises(e.APIConnectionError) as info:
        await run(client.agents.create(name="A", model_name="m"))
    assert route.call_count == 1
    text = str(info.value)
    assert "Could not connect" not in text
    assert "may have processed it" in text
    assert "not repeated" in text


async def test_a_refused_connection_says_nothing_was_sent(client: Any, router: Any) -> None:
    router.post("/agents").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(e.APIConnectionError) as info:
        await run(client.agents.create(name="A", model_name="m"))
    assert "nothing was sent" in str(info.value)
    assert "tried 3 times" in str(info.value)


@pytest.mark.parametrize("status", [502, 503])
async def test_a_request_with_an_idempotency_key_is_retried_after_a_gateway_error(
    client: Any, router: Any, status: int
) -> None:
    receipt = {"message_id": "m1", "status": "accepted"}
    route = router.post("/sessions/ses_1/messages").mock(
        side_effect=[httpx.Response(status, text="Bad gateway"), httpx.Response(200, json=receipt)]
    )
    await run(client.sessions.send("ses_1", input="Hi", delivery="queued"))
    assert route.call_count == 2
    keys = {c.request.headers["idempotency-key"] for c in route.calls}
    assert len(keys) == 1  # the same key both times: the server keeps one message


async def test_a_chat_completion_is_retried_after_a_lost_response_unless_retries_are_off(
    client: Any, router: Any
) -> None:
    # Each completion is billed: the retry is documented, and max_retries=0 turns it off.
    route = router.post(f"{WS}/chat/completions").mock(
        side_effect=[httpx.ReadError("reset"), httpx.Response(200, json=chat_result_json())]
    )
    await run(client.chat.completions.create(model="m", messages=MESSAGES))
    assert route.call_count == 2
    route.reset()
    route.side_effect = httpx.ReadError("reset")
    with pytest.raises(e.APIConnectionError, match="may have processed it"):
        await run(
            client.with_options(max_retries=0).chat.completions.create(model="m", messages=MESSAGES)
        )
    assert route.call_count == 1
    route.reset()
    with pytest.raises(e.APIConnectionError):
        await execute(
            client,
            Op("POST", "/chat/completions", host="stream", json={}, idempotent=True, max_retries=0),
        )
    assert route.call_count == 1
    assert "billed" in (_transport.__doc__ or "")


async def test_async_and_sync_retries_are_logged_alike(
    client: Any, router: Any, caplog: pytest.LogCaptureFixture
) -> None:
    router.get("/teams").mock(
        side_effect=[httpx.Response(503, json={}), httpx.Response(200, json={"teams": []})]
    )
    with caplog.at_level(logging.INFO, logger="gumloop_nb"):
        await run(client.teams.list())
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert len(retries) == 1
    assert "GET /teams" in retries[0] and "HTTP 503" in retries[0] and "retry 1 of 2" in retries[0]


# -- redirects ----------------------------------------------------------------------------------


async def test_a_redirect_to_another_origin_drops_credentials_and_default_headers(
    make_client: Any, router: Any
) -> None:
    router.get("/agents/agt_1").respond(302, headers={"location": "http://other.test/agent"})
    other = router.get("http://other.test/agent").respond(200, json={"agent": AGENT})
    client = make_client(user_id="usr_secret", default_headers={"X-Team-Secret": "s3"})
    await run(client.agents.retrieve("agt_1"))
    sent = other.calls.last.request.headers
    for name in ("authorization", "x-auth-key", "x-team-secret"):
        assert name not in sent, name
    assert "gumloop-nb" in sent["user-agent"]
    await execute(client, Op("GET", "/agents/agt_1", headers={"X-Api-Key": "per-call"}))
    assert "x-api-key" not in other.calls.last.request.headers


async def test_a_redirect_within_the_origin_keeps_them(make_client: Any, router: Any) -> None:
    router.get("/agents/agt_1").respond(307, headers={"location": f"{API}/agents/agt_2"})
    moved = router.get("/agents/agt_2").respond(200, json={"agent": AGENT})
    client = make_client(user_id="usr_1", default_headers={"X-Team-Secret": "s3"})
    await run(client.agents.retrieve("agt_1"))
    sent = moved.calls.last.request.headers
    assert sent["authorization"] == f"Bearer {TOKEN}"
    assert sent["x-auth-key"] == "usr_1" and sent["x-team-secret"] == "s3"


async def test_a_redirect_to_a_server_answering_other_json_is_a_clear_error(
    client: Any, router: Any
) -> None:
    router.get("/agents/agt_1").respond(301, headers={"location": "http://other.test/v2/x"})
    router.get("http://other.test/v2/x").respond(200, json={"agent": {"unexpected": True}})
    with pytest.raises(e.APIResponseValidationError) as info:
        await run(client.agents.retrieve("agt_1"))
    assert isinstance(info.value, ValueError) and isinstance(info.value, e.APIError)
    text = str(info.value)
    assert "other.test" in text and "redirected from GET /agents/agt_1" in text
    assert "base_url" in text
    restored = pickle.loads(pickle.dumps(info.value))
    assert str(restored) == text and restored.status_code == 200
    assert restored.request is None or "authorization" not in restored.request.headers


async def test_json_of_another_shape_without_a_redirect_is_the_same_clear_error(
    client: Any, router: Any
) -> None:
    router.get("/agents/agt_1").respond(200, json={"agent": {"unexpected": True}})
    with pytest.raises(e.APIResponseValidationError) as info:
        await run(client.agents.retrieve("agt_1"))
    assert "redirected" not in str(info.value)
    assert "/agents/agt_1" in str(info.value) and "base_url" in str(info.value)


async def test_endless_redirects_stop_with_a_clear_error(client: Any, router: Any) -> None:
    router.get("/teams").respond(302, headers={"location": f"{API}/teams"})
    with pytest.raises(e.APIConnectionError, match="redirected more than 20 times"):
        await run(client.teams.list())


# -- the pool's lifecycle -----------------------------------------------------------------------


def test_threads_on_a_fresh_client_share_one_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[httpx.Client] = []
    entered: list[int] = []
    two_inside = threading.Event()

    def factory() -> httpx.Client:
        entered.append(1)
        if len(entered) >= 2:
            two_inside.set()
        two_inside.wait(0.3)  # without the pool's lock, the other threads arrive meanwhile
        made.append(httpx.Client())
        return made[-1]

    client = Gumloop(api_key="k", base_url=API)
    client._transport._pool._factory = factory
    barrier = threading.Barrier(4)
    pools: list[Any] = []

    def use() -> None:
        barrier.wait(timeout=5)
        pools.append(client._transport.http)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(made) == 1
    assert all(p is made[0] for p in pools) and len(pools) == 4
    client.close()
    assert made[0].is_closed


async def test_closing_an_option_copy_leaves_the_parents_pool_open(
    client: Any, router: Any
) -> None:
    router.get("/teams").respond(200, json={"teams": []})
    copy = client.with_options(max_retries=0)
    if isinstance(copy, AsyncGumloop):
        async with copy as c:
            await c.teams.list()
    else:
        with copy as c:
            c.teams.list()
    await run(client.teams.list())  # the parent still works
    assert not client._transport.http.is_closed


async def test_a_closed_client_says_so(make_client: Any) -> None:
    client = make_client()
    await run(client.close())
    with pytest.raises(e.ClientClosedError, match="create a new client") as info:
        await run(client.teams.list())
    assert isinstance(info.value, RuntimeError)
    copy_of_closed = client.with_options(timeout=5)
    with pytest.raises(e.ClientClosedError):
        await run(copy_of_closed.teams.list())


# -- downloads ----------------------------------------------------------------------------------


def _download_routes(router: Any, body: bytes, **headers: str) -> Any:
    router.get("/artifacts/art_1/download").respond(
        200, json={"download_url": "http://files.test/a?sig=SECRET-SIG", "filename": "a.csv"}
    )
    return router.get("http://files.test/a").respond(200, content=body, headers=headers)


async def test_read_bytes_sends_no_credentials_nor_default_headers_to_the_storage_host(
    make_client: Any, router: Any
) -> None:
    files = _download_routes(router, b"a,b\n1,2\n")
    client = make_client(user_id="usr_1", default_headers={"X-Team-Secret": "s3"})
    data = await run(client.artifacts.read_bytes("art_1"))
    assert data == b"a,b\n1,2\n"
    sent = files.calls.last.request.headers
    for name in ("authorization", "x-auth-key", "x-team-secret"):
        assert name not in sent, name


async def test_read_bytes_stops_at_max_bytes(client: Any, router: Any) -> None:
    _download_routes(router, b"x" * 1000)
    with pytest.raises(e.ResponseTooLargeError, match="max_bytes=100") as info:
        await run(client.artifacts.read_bytes("art_1", max_bytes=100))
    assert info.value.max_bytes == 100
    assert "SECRET-SIG" not in str(info.value)
    assert pickle.loads(pickle.dumps(info.value)).max_bytes == 100


# -- the legacy flows client ----------------------------------------------------------------------


def _flows() -> Any:
    with pytest.warns(DeprecationWarning):
        return GumloopClient(api_key="k", user_id="u", base_url=API)


def test_changing_the_flows_base_url_closes_the_dropped_connections() -> None:
    flows = _flows()
    sync_http = flows._sync_transport().http
    async_http = flows._async_transport().http  # made outside any event loop
    flows.base_url = "http://other.test/api/v1"
    assert sync_http.is_closed
    assert flows._sync_transport().http is not sync_http
    asyncio.run(flows.aclose())  # closes what no event loop was there to close at once
    assert async_http.is_closed


async def test_changing_the_flows_base_url_in_an_event_loop_closes_the_async_pool() -> None:
    flows = _flows()
    async_http = flows._async_transport().http
    flows.base_url = "http://other.test/api/v1"
    await flows.aclose()
    assert async_http.is_closed
    assert flows._async_transport().http is not async_http
    await flows.aclose()


# -- streams that never opened ---------------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


async def test_a_session_stream_to_a_closed_port_says_it_could_not_connect(
    mode: str, closed_port: int, clock: Clock
) -> None:
    base = f"http://127.0.0.1:{closed_port}/api/v1"
    cls = AsyncGumloop if mode == "async" else Gumloop
    client = cls(api_key=TOKEN, base_url=base)
    try:
        with pytest.raises(e.APIConnectionError) as info:
            stream = client.sessions.stream("agt_1", input="Hi")
            if mode == "async":
                async for _ in stream:
                    pass
            else:
                for _ in stream:
                    pass
    finally:
        await run(client.close())
    text = str(info.value)
    assert "dropped" not in text and "resumed" not in text
    assert "Could not connect" in text and "nothing was sent" in text
    assert "tried 3 times" in text
    assert len(clock.sleeps) == 2  # the transport's two retries, no resume on top


async def test_a_per_call_timeout_on_a_method_reaches_every_request_it_makes(
    client: Any, router: Any
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    chat = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    await run(client.teams.list(timeout=4))
    assert phases(route.calls.last.request) == {
        "connect": 4.0,
        "read": 4.0,
        "write": 4.0,
        "pool": 4.0,
    }
    await run(client.chat.completions.create(model="m", messages=MESSAGES, timeout=600))
    assert phases(chat.calls.last.request)["connect"] == 10.0  # still capped for a number
    assert phases(chat.calls.last.request)["read"] == 600.0
    exact = httpx.Timeout(5, connect=60)
    await run(client.teams.list(timeout=exact))
    assert phases(route.calls.last.request)["connect"] == 60.0
    await run(client.teams.list())  # the next call is back to the client's setting
    assert phases(route.calls.last.request)["read"] == 90.0
