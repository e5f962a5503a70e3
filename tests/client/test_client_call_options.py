"""Per-call options (``extra_headers``, ``extra_query``, ``extra_body``, ``timeout``) and the one
policy for request fields a model does not declare, on the sync and async clients."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pytest

from gumloop_nb.types import AgentCreateRequest, ChatRequest, UnknownFieldWarning

from .conftest import (
    AGENT,
    API,
    WS,
    body_of,
    chat_result_json,
    collect,
    run,
    sse,
    sse_response,
)

MESSAGES = [{"role": "user", "content": "hi"}]


def _version(version_id: str) -> dict[str, Any]:
    return {"id": version_id, "agent_id": "agt_1", "major_version": 1, "name": version_id}


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    return dict(request.extensions["timeout"])


# -- the four options, end to end -----------------------------------------------------------


async def test_extra_headers_query_and_body_reach_the_request_and_win(
    client: Any, router: Any
) -> None:
    route = router.post("/agents").respond(200, json={"agent": AGENT})
    await run(
        client.agents.create(
            name="A",
            model_name="m",
            extra_headers={"X-Trace": "t1", "user-agent": "my-app/1"},
            extra_query={"dry_run": True, "skip": None},
            extra_body={"model_name": "from-extra", "beta_flag": 1},
        )
    )
    request = route.calls.last.request
    assert request.headers["x-trace"] == "t1"
    assert request.headers.get_list("user-agent") == ["my-app/1"]  # replaced, not doubled
    assert request.headers["authorization"].startswith("Bearer ")
    assert dict(request.url.params) == {"dry_run": "true"}
    assert body_of(request) == {"name": "A", "model_name": "from-extra", "beta_flag": 1}


async def test_a_per_call_timeout_overrides_the_client_setting_for_that_call_only(
    make_client: Any, router: Any
) -> None:
    client = make_client(timeout=30.0)
    route = router.get("/agents/agt_1").respond(200, json={"agent": AGENT})
    await run(client.agents.retrieve("agt_1", timeout=2.5))
    assert set(_timeouts(route.calls.last.request).values()) == {2.5}
    await run(client.agents.retrieve("agt_1", timeout=httpx.Timeout(9.0, connect=1.0)))
    assert _timeouts(route.calls.last.request)["connect"] == 1.0
    assert _timeouts(route.calls.last.request)["read"] == 9.0
    await run(client.agents.retrieve("agt_1", timeout=None))  # no read limit for this call
    assert _timeouts(route.calls.last.request)["read"] is None
    await run(client.agents.retrieve("agt_1"))  # the next call is back to the client's setting
    assert 2.5 not in _timeouts(route.calls.last.request).values()


async def test_options_apply_to_every_page_of_a_listing(client: Any, router: Any) -> None:
    route = router.get("/agents").mock(
        side_effect=[
            httpx.Response(200, json={"agents": [AGENT], "next_cursor": "c2"}),
            httpx.Response(200, json={"agents": [{**AGENT, "id": "agt_2"}], "next_cursor": None}),
        ]
    )
    agents = await collect(client.agents.iter_all(extra_headers={"X-Page": "y"}, timeout=4.0))
    assert [a.id for a in agents] == ["agt_1", "agt_2"]
    assert [c.request.headers["x-page"] for c in route.calls] == ["y", "y"]
    assert [_timeouts(c.request)["read"] for c in route.calls] == [4.0, 4.0]


async def test_paginate_passes_the_options_on_to_each_page(client: Any, router: Any) -> None:
    route = router.get("/agents/agt_1/versions").mock(
        side_effect=[
            httpx.Response(200, json={"versions": [_version("v1")], "next_cursor": "c2"}),
            httpx.Response(200, json={"versions": [_version("v2")], "next_cursor": None}),
        ]
    )
    versions = await collect(
        client.paginate(client.agents.list_versions, "agt_1", extra_query={"lang": "en"})
    )
    assert [v.id for v in versions] == ["v1", "v2"]
    assert [c.request.url.params["lang"] for c in route.calls] == ["en", "en"]
    assert route.calls.last.request.url.params["cursor"] == "c2"


async def test_extra_body_on_a_request_without_a_body_is_refused_before_sending(
    client: Any, router: Any
) -> None:
    route = router.get("/agents/agt_1").respond(200, json={"agent": AGENT})
    with pytest.raises(TypeError, match="extra_query"):
        await run(client.agents.retrieve("agt_1", extra_body={"x": 1}))
    assert not route.called


async def test_extra_body_is_the_body_of_a_bodiless_post(client: Any, router: Any) -> None:
    route = router.put("/agents/agt_1/subagents/agt_2").respond(
        200, json={"agent_id": "agt_1", "subagents": []}
    )
    await run(client.agents.attach_subagent("agt_1", "agt_2", extra_body={"note": "n"}))
    assert body_of(route.calls.last.request) == {"note": "n"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("extra_headers", [("a", "b")]),
        ("extra_query", "a=b"),
        ("extra_body", 3),
        ("extra_headers", {"n": 1}),
        ("timeout", "5"),
        ("timeout", -1),
    ],
)
async def test_malformed_options_raise_a_type_error_that_says_what_to_pass(
    client: Any, router: Any, name: str, value: Any
) -> None:
    route = router.get("/agents/agt_1").respond(200, json={"agent": AGENT})
    with pytest.raises(TypeError, match=name):
        await run(client.agents.retrieve("agt_1", **{name: value}))
    assert not route.called


async def test_options_reach_a_streamed_chat_and_its_body(client: Any, router: Any) -> None:
    route = router.post(f"{WS}/chat/completions").mock(
        return_value=sse_response(sse({"id": "g", "choices": []}, done=True))
    )
    stream = await run(
        client.chat.completions.create(
            model="m",
            messages=MESSAGES,
            stream=True,
            extra_headers={"X-Stream": "1"},
            extra_body={"provider_hint": "x"},
            timeout=7.0,
        )
    )
    await collect(stream)
    request = route.calls.last.request
    assert request.headers["x-stream"] == "1"
    assert body_of(request)["provider_hint"] == "x"
    assert body_of(request)["stream"] is True
    assert _timeouts(request)["read"] == 7.0


async def test_a_resumed_session_stream_keeps_the_callers_headers_and_timeout(
    client: Any, router: Any
) -> None:
    def ev(n: int) -> dict[str, Any]:
        return {"type": "text-delta", "delta": f"t{n}", "stream_cursor": f"ses_s:{n}"}

    finish = {"type": "finish", "finishReason": "stop", "final": True, "stream_cursor": "ses_s:9"}
    first = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(broken=(sse(ev(1)),))
    )
    resume = router.get(host="ws.test", path__regex=r"^/api/v1/sessions/[^/]+$").mock(
        return_value=sse_response(sse(ev(2), finish))
    )
    stream = client.sessions.stream("agt_1", input="Hi", extra_headers={"X-Run": "r"}, timeout=3.0)
    events = await collect(stream)
    assert events[-1].final is True
    for call in (first.calls.last, resume.calls.last):
        assert call.request.headers["x-run"] == "r"
        assert _timeouts(call.request)["read"] == 3.0
    assert resume.calls.last.request.url.params["last_cursor"] == "ses_s:1"


async def test_per_call_headers_are_not_sent_to_the_presigned_download_host(
    client: Any, router: Any
) -> None:
    api = router.get("/artifacts/art_1/download").respond(
        200, json={"download_url": "http://files.test/a.csv?sig=1"}
    )
    files = router.get("http://files.test/a.csv").respond(200, content=b"x")
    await run(
        client.artifacts.read_bytes(
            "art_1", extra_headers={"X-Secretish": "s"}, extra_query={"q": "1"}
        )
    )
    assert api.calls.last.request.headers["x-secretish"] == "s"
    assert "x-secretish" not in files.calls.last.request.headers
    assert dict(files.calls.last.request.url.params) == {"sig": "1"}


async def test_session_create_takes_extra_headers_as_the_official_sdk_does(
    client: Any, router: Any
) -> None:
    route = router.post("/agents/agt_1/sessions").respond(
        200, json={"session": {"id": "ses_1", "agent_id": "agt_1", "state": "processing"}}
    )
    await run(client.sessions.create("agt_1", input="Hi", extra_headers={"X-Client": "nb"}))
    assert route.calls.last.request.headers["x-client"] == "nb"
    assert "extra_headers" not in body_of(route.calls.last.request)


# -- fields a request model does not declare ------------------------------------------------


def test_a_misspelt_chat_field_warns_with_the_close_match_and_is_not_sent() -> None:
    with pytest.warns(UnknownFieldWarning, match=r"'tempreature'.*did you mean 'temperature'") as w:
        body = ChatRequest.build(model="m", messages=MESSAGES, tempreature=0.2)
    assert "tempreature" not in body and "temperature" not in body
    assert "not sent" in str(w[0].message)
    assert w[0].filename == __file__  # the warning points at the caller's line


def test_a_misspelt_request_field_warns_and_is_still_sent_as_the_official_sdk_does() -> None:
    with pytest.warns(UnknownFieldWarning, match=r"'modle_name'.*did you mean 'model_name'"):
        body = AgentCreateRequest.build(name="A", modle_name="m")
    assert body == {"name": "A", "modle_name": "m"}


def test_declared_fields_names_and_aliases_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatRequest.build(model="m", messages=MESSAGES, temperature=0.2)
        ChatRequest.build({"model": "m", "messages": MESSAGES, "response_format": None})
        AgentCreateRequest.build({"name": "A"}, model_name="m", description=None)


async def test_unknown_fields_through_a_method_warn_at_the_callers_line(
    client: Any, router: Any, mode: str
) -> None:
    route = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    with pytest.warns(UnknownFieldWarning) as w:
        await run(client.chat.completions.create(model="m", messages=MESSAGES, tempreature=0.2))
    # The async call runs where it is awaited (here: the suite's run() helper); either way the
    # warning names the caller's code, never the library's.
    assert w[0].filename == (__file__ if mode == "sync" else run.__code__.co_filename)
    assert "tempreature" not in body_of(route.calls.last.request)


async def test_extra_body_sends_an_undeclared_field_explicitly_and_silently(
    client: Any, router: Any
) -> None:
    route = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await run(
            client.chat.completions.create(
                model="m", messages=MESSAGES, extra_body={"tempreature": 0.2}
            )
        )
    assert body_of(route.calls.last.request)["tempreature"] == 0.2


def test_the_official_sdk_treats_undeclared_fields_the_same_way(router: Any) -> None:
    """Side by side: what the official 0.5.9 SDK sends for the same undeclared fields."""
    gumloop = pytest.importorskip("gumloop")
    from gumloop_nb import Gumloop

    agents = router.post("/agents").respond(200, json={"agent": AGENT})
    chat = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    bodies: dict[str, list[Any]] = {}
    for name, cls in (("official", gumloop.Gumloop), ("ours", Gumloop)):
        with cls(api_key="k", base_url=API, stream_base_url=WS) as c, warnings.catch_warnings():
            warnings.simplefilter("ignore", UnknownFieldWarning)
            c.agents.create(name="A", modle_name="m")
            c.chat.completions.create(model="m", messages=MESSAGES, tempreature=0.2)
        bodies[name] = [body_of(agents.calls.last.request), body_of(chat.calls.last.request)]
    assert bodies["ours"] == bodies["official"]
    assert bodies["ours"][0] == {"name": "A", "modle_name": "m"}
    assert "tempreature" not in bodies["ours"][1]
