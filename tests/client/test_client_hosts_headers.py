"""Hosts, base URLs, headers and credentials (contract §1, §2.1, §2.2)."""

from __future__ import annotations

import platform
from typing import Any

import httpx
import pytest

from gumloop_nb import AsyncGumloop, Gumloop, __version__
from gumloop_nb.errors import AuthenticationError

from .conftest import (
    API,
    DROP,
    TOKEN,
    WS,
    chat_result_json,
    quick,
    run,
    session_json,
    sse,
    sse_response,
)

MESSAGES = [{"role": "user", "content": "hi"}]


# -- stream base derivation (pure configuration, no I/O) ------------------------------------


@pytest.mark.parametrize("cls", [Gumloop, AsyncGumloop])
@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://api.gumloop.com/api/v1", "https://ws.gumloop.com/api/v1"),
        ("http://localhost:8080/api/v1", "http://localhost:9093/api/v1"),
        ("http://127.0.0.1:5000/api/v1", "http://127.0.0.1:5000/api/v1"),
        ("http://localhost:8080/api/v1/", "http://localhost:9093/api/v1"),
    ],
)
def test_stream_base_is_derived_from_the_api_base(cls: Any, base: str, expected: str) -> None:
    client = quick(cls, api_key="k", base_url=base)
    assert client.stream_base_url == expected
    assert not client.base_url.endswith("/")


def test_default_hosts_are_the_production_api_and_ws_hosts() -> None:
    client = quick(Gumloop, api_key="k")
    assert client.base_url == "https://api.gumloop.com/api/v1"
    assert client.stream_base_url == "https://ws.gumloop.com/api/v1"


def test_stream_base_env_var_beats_derivation_and_explicit_argument_beats_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GUMLOOP_STREAM_BASE_URL", "http://stream.env/api/v1/")
    assert quick(Gumloop, api_key="k", base_url=API).stream_base_url == "http://stream.env/api/v1"
    explicit = quick(Gumloop, api_key="k", base_url=API, stream_base_url="http://arg.test/api/v1")
    assert explicit.stream_base_url == "http://arg.test/api/v1"


def test_base_url_env_var_is_the_fallback_api_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUMLOOP_BASE_URL", "http://env.test/api/v1")
    assert quick(Gumloop, api_key="k").base_url == "http://env.test/api/v1"
    assert quick(Gumloop, api_key="k", base_url=API).base_url == API


async def test_requests_go_to_the_api_base_from_the_environment(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUMLOOP_BASE_URL", "http://env.test/api/v1")
    route = router.get("http://env.test/api/v1/teams").respond(200, json={"teams": []})
    client = make_client(base_url=DROP, stream_base_url=DROP)
    await run(client.teams.list())
    assert route.called


# -- routing: API host vs stream host -------------------------------------------------------


async def test_unary_chat_goes_to_the_stream_host(client: Any, router: Any) -> None:
    route = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json("yo"))
    result = await run(client.chat.completions.create(model="m", messages=MESSAGES))
    assert route.call_count == 1
    assert result.choices[0].message.content == "yo"
    assert route.calls.last.request.headers.get("accept") != "text/event-stream"
    assert route.calls.last.request.headers["content-type"] == "application/json"


async def test_unary_session_calls_go_to_the_api_host_and_streams_to_the_stream_host(
    client: Any, router: Any
) -> None:
    unary = router.post("/agents/agt_1/sessions").respond(202, json=session_json())
    streamed = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(sse({"type": "finish", "final": True}))
    )
    await run(client.sessions.create("agt_1", input="Hi"))
    stream = client.sessions.stream("agt_1", input="Hi")
    from .conftest import collect

    await collect(stream)
    assert unary.call_count == 1
    assert streamed.call_count == 1
    assert "stream" not in (unary.calls.last.request.content.decode())
    assert b'"stream":true' in streamed.calls.last.request.content


# -- headers ---------------------------------------------------------------------------------


async def test_every_request_carries_the_bearer_token_and_user_agent(
    client: Any, router: Any
) -> None:
    route = router.get("/teams").respond(200, json={"teams": [{"id": "t", "name": "T"}]})
    teams = await run(client.teams.list())
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith(f"gumloop-nb/{__version__} ")
    assert f"Python/{platform.python_version()}" in request.headers["user-agent"]
    assert request.headers["content-type"] == "application/json"
    assert "x-auth-key" not in request.headers
    assert teams.teams[0].name == "T"


async def test_x_auth_key_is_sent_only_when_a_user_id_is_set(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(make_client(user_id="usr_arg").teams.list())
    assert route.calls.last.request.headers["x-auth-key"] == "usr_arg"
    monkeypatch.setenv("GUMLOOP_USER_ID", "usr_env")
    await run(make_client().teams.list())
    assert route.calls.last.request.headers["x-auth-key"] == "usr_env"
    stream_route = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    await run(make_client().chat.completions.create(model="m", messages=MESSAGES))
    assert stream_route.calls.last.request.headers["x-auth-key"] == "usr_env"


async def test_sse_requests_ask_for_an_event_stream(client: Any, router: Any) -> None:
    chat = router.post(f"{WS}/chat/completions").mock(return_value=sse_response(sse(done=True)))
    stream = await run(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    from .conftest import collect

    await collect(stream)
    assert chat.calls.last.request.headers["accept"] == "text/event-stream"
    assert chat.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


async def test_trace_headers_come_from_the_environment_at_request_time(
    client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(client.teams.list())
    assert "traceparent" not in route.calls.last.request.headers
    monkeypatch.setenv("TRACESTATE", "vendor=1")
    await run(client.teams.list())
    assert "tracestate" not in route.calls.last.request.headers  # only with a traceparent
    monkeypatch.setenv("TRACEPARENT", "00-aaaa-bbbb-01")
    await run(client.teams.list())
    assert route.calls.last.request.headers["traceparent"] == "00-aaaa-bbbb-01"
    assert route.calls.last.request.headers["tracestate"] == "vendor=1"
    monkeypatch.setenv("TRACEPARENT", "00-cccc-dddd-01")
    monkeypatch.delenv("TRACESTATE")
    await run(client.teams.list())
    assert route.calls.last.request.headers["traceparent"] == "00-cccc-dddd-01"
    assert "tracestate" not in route.calls.last.request.headers


async def test_trace_headers_are_also_sent_to_the_stream_host(
    client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEPARENT", "00-eeee-ffff-01")
    route = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    await run(client.chat.completions.create(model="m", messages=MESSAGES))
    assert route.calls.last.request.headers["traceparent"] == "00-eeee-ffff-01"


async def test_a_per_call_trace_header_wins_over_the_environment(
    client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEPARENT", "00-env-01")
    route = router.post("/agents/agt_1/sessions").respond(202, json=session_json())
    await run(
        client.sessions.create("agt_1", input="Hi", extra_headers={"traceparent": "00-call-01"})
    )
    assert route.calls.last.request.headers["traceparent"] == "00-call-01"


async def test_a_trace_header_configured_on_the_client_wins_over_the_environment(
    client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEPARENT", "00-env-01")
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(client.with_options(headers={"traceparent": "00-explicit-01"}).teams.list())
    assert route.calls.last.request.headers["traceparent"] == "00-explicit-01"


async def test_with_options_headers_are_sent(client: Any, router: Any) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(client.with_options(headers={"x-debug": "1"}).teams.list())
    assert route.calls.last.request.headers["x-debug"] == "1"
    await run(client.teams.list())
    assert "x-debug" not in route.calls.last.request.headers  # the original is unchanged


async def test_last_response_exposes_status_and_headers(client: Any, router: Any) -> None:
    router.get("/teams").respond(200, json={"teams": []}, headers={"x-request-id": "req_9"})
    await run(client.teams.list())
    assert client.last_response.status_code == 200
    assert client.last_response.headers["x-request-id"] == "req_9"


# -- credentials ------------------------------------------------------------------------------


async def test_env_token_is_reread_on_every_request_and_kept_when_removed(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok-one")
    client = make_client(api_key=DROP)
    await run(client.teams.list())
    assert route.calls.last.request.headers["authorization"] == "Bearer tok-one"
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok-two")
    await run(client.teams.list())
    assert route.calls.last.request.headers["authorization"] == "Bearer tok-two"
    monkeypatch.delenv("GUMLOOP_ACCESS_TOKEN")
    await run(client.teams.list())
    assert route.calls.last.request.headers["authorization"] == "Bearer tok-one"


async def test_an_explicit_token_ignores_the_environment(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok-env")
    await run(make_client(api_key=DROP, access_token="tok-arg").teams.list())
    assert route.calls.last.request.headers["authorization"] == "Bearer tok-arg"
    await run(make_client(api_key="tok-key").teams.list())
    assert route.calls.last.request.headers["authorization"] == "Bearer tok-key"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.teams.list(),
        lambda c: c.chat.completions.create(model="m", messages=MESSAGES),
        lambda c: c.agents.create(name="A", model_name="m"),
    ],
    ids=["api-get", "stream-host-chat", "api-post"],
)
async def test_a_missing_credential_raises_before_any_request(
    make_client: Any, router: Any, call: Any
) -> None:
    router.route().respond(200, json={})
    client = make_client(api_key=DROP)  # construction itself is fine
    with pytest.raises(AuthenticationError) as info:
        await run(call(client))
    message = str(info.value)
    for name in ("access_token", "api_key", "GUMLOOP_ACCESS_TOKEN"):
        assert name in message
    assert router.calls.call_count == 0


async def test_a_missing_credential_on_a_session_stream_raises_before_any_request(
    make_client: Any, router: Any
) -> None:
    router.route().respond(200)
    client = make_client(api_key=DROP)
    from .conftest import collect

    with pytest.raises(AuthenticationError):
        await collect(client.sessions.stream("agt_1", input="Hi"))
    assert router.calls.call_count == 0


def test_the_client_repr_never_shows_the_token() -> None:
    for cls in (Gumloop, AsyncGumloop):
        client = quick(cls, api_key=TOKEN, user_id="usr_1")
        text = repr(client) + str(client) + repr(client.with_options(max_retries=0))
        assert TOKEN not in text
        assert "credential=set" in repr(client)


def test_timeouts_and_retries_have_the_contract_defaults() -> None:
    client = quick(Gumloop, api_key="k")
    assert client.timeout == 90.0
    assert client.stream_timeout == 3600.0
    assert client.max_retries == 2
    assert client.with_options(max_retries=0).max_retries == 0
    assert client.max_retries == 2


async def test_api_requests_use_timeout_and_stream_requests_use_stream_timeout(
    make_client: Any, router: Any
) -> None:
    client = make_client(timeout=7.0, stream_timeout=70.0)
    api = router.get("/teams").respond(200, json={"teams": []})
    ws = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    await run(client.teams.list())
    await run(client.chat.completions.create(model="m", messages=MESSAGES))
    assert api.calls.last.request.extensions["timeout"]["read"] == 7.0
    assert ws.calls.last.request.extensions["timeout"]["read"] == 70.0


async def test_with_options_timeout_applies_to_the_copy_only(client: Any, router: Any) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(client.with_options(timeout=3.0).teams.list())
    assert route.calls.last.request.extensions["timeout"]["read"] == 3.0
    await run(client.teams.list())
    assert route.calls.last.request.extensions["timeout"]["read"] == 90.0


async def test_retry_log_lines_never_contain_the_token(
    client: Any, router: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    router.get("/teams").mock(
        side_effect=[
            httpx.Response(503, json={"error": {"message": "busy"}}),
            httpx.ConnectError("refused"),
            httpx.Response(200, json={"teams": []}),
        ]
    )
    with caplog.at_level(logging.DEBUG):
        await run(client.teams.list())
    assert TOKEN not in caplog.text


async def test_clients_close_their_connections(mode: str) -> None:
    if mode == "async":
        async with AsyncGumloop(api_key="k", base_url=API) as aclient:
            http = aclient._transport.http
        assert http.is_closed
    else:
        with Gumloop(api_key="k", base_url=API) as client:
            http = client._transport.http
        assert http.is_closed


async def test_the_sync_client_works_inside_a_running_event_loop(router: Any) -> None:
    import asyncio

    asyncio.get_running_loop()  # as in a Jupyter cell
    router.get("/teams").respond(200, json={"teams": [{"id": "t", "name": "T"}]})
    router.post(f"{WS}/chat/completions").mock(return_value=sse_response(sse(done=True)))
    client = quick(Gumloop, api_key="k", base_url=API, stream_base_url=WS)
    with client:
        assert client.teams.list().teams[0].id == "t"
        stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        assert list(stream) == []


async def test_a_copy_made_with_with_options_still_reads_the_env_token_live(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok-one")
    copy = make_client(api_key=DROP).with_options(max_retries=0)
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok-two")
    await run(copy.teams.list())
    assert route.calls.last.request.headers["authorization"] == "Bearer tok-two"
