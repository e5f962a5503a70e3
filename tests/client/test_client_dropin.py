"""Drop-in to the letter: the same bytes through the official ``gumloop`` SDK and through
gumloop_nb give the same chunks and the same ``str(exc)``. Skipped without the official SDK
(the ``official`` extra)."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest
import respx

from gumloop_nb import Gumloop
from gumloop_nb.errors import APIConnectionError, APIStatusError, APITimeoutError

from .conftest import API, TOKEN, WS, BrokenStream, sse

gumloop = pytest.importorskip("gumloop")

MESSAGES = [{"role": "user", "content": "hi"}]


def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion.chunk",
        "created": 1760000000,
        "model": "demo",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


def clients() -> tuple[Any, Any]:
    official = gumloop.Gumloop(api_key=TOKEN, base_url=API, stream_base_url=WS)
    ours = Gumloop(api_key=TOKEN, base_url=API, stream_base_url=WS, max_retries=0)
    return official, ours


def comparable(c: Any) -> dict[str, Any]:
    """What a caller reads from a chunk: its content, finish reason and error."""
    choice = c.choices[0] if c.choices else None
    error = c.error
    content = choice.delta.content if choice else None
    finish = choice.finish_reason if choice else None
    return {  # the official models say "unset" with a sentinel object where ours say None
        "content": content if isinstance(content, str) else None,
        "finish": finish if isinstance(finish, str) else None,
        "error": None if error is None else (error.code, error.message),
    }


STREAMS = {
    "error chunk": sse(
        chunk({"content": "Partial"}),
        chunk({}, "error", error={"code": 402, "message": "budget exceeded"}),
        done=True,
    ),
    "bare error object": sse(
        chunk({"content": "x"}), {"error": {"code": 500, "message": "boom"}}, done=True
    ),
    "no [DONE]": sse(chunk({"content": "cut"}), chunk({"content": " short"})),
    "error then more": sse(
        chunk({"content": "a"}),
        chunk({}, error={"code": 500, "message": "hiccup"}),
        chunk({"content": "b"}, "stop"),
        done=True,
    ),
}


@pytest.mark.parametrize("name", list(STREAMS))
def test_chat_streams_yield_the_same_chunks_as_the_official_sdk(name: str) -> None:
    official, ours = clients()
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{WS}/chat/completions").respond(
            200, headers={"content-type": "text/event-stream"}, content=STREAMS[name]
        )
        theirs = [
            comparable(c)
            for c in official.chat.completions.create(model="demo", messages=MESSAGES, stream=True)
        ]
        stream = ours.chat.completions.create(model="demo", messages=MESSAGES, stream=True)
        mine = [comparable(c) for c in stream]
    assert mine == theirs
    assert stream.error is not None  # and ours also says so, for those who look


def test_a_dropped_chat_stream_raises_what_the_official_sdk_raises() -> None:
    official, ours = clients()
    raised: list[type[BaseException]] = []
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{WS}/chat/completions").mock(
            side_effect=lambda request: httpx.Response(
                200,
                headers={"content-type": "text/event-stream"},
                stream=BrokenStream(sse(chunk({"content": "So"}))),
            )
        )
        for client in (official, ours):
            got: list[Any] = []
            with pytest.raises(httpx.TransportError) as info:
                for c in client.chat.completions.create(
                    model="demo", messages=MESSAGES, stream=True
                ):
                    got.append(comparable(c))
            assert got == [{"content": "So", "finish": None, "error": None}]
            raised.append(type(info.value))
    assert raised[0] is raised[1]


ERROR_BODIES = [
    (404, {"error": {"code": "agent_not_found", "message": "Agent not found"}}),
    (404, {"error": {"code": "nf", "message": ""}}),
    (400, {"error": "invalid_cursor", "message": "The cursor expired", "trace_id": "t"}),
    (400, {"error": "invalid_grant", "error_description": "Code expired"}),
    (403, {"error": "tier_required_pro", "minimum_tier": "pro"}),
    (502, "<html>Bad gateway</html>"),
    (429, {"error": {"code": "model_not_found", "message": "No such model"}}),
    (500, {}),
]


@pytest.mark.parametrize(("status", "body"), ERROR_BODIES)
def test_str_of_an_api_error_is_the_official_message(status: int, body: Any) -> None:
    official, ours = clients()
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{API}/agents/agt_1").mock(return_value=httpx.Response(status, content=content))
        with pytest.raises(gumloop.errors.APIStatusError) as theirs:
            official.agents.retrieve("agt_1")
        with pytest.raises(APIStatusError) as mine:
            ours.agents.retrieve("agt_1")
    assert str(mine.value) == str(theirs.value)
    assert mine.value.args == theirs.value.args
    for attr in ("status_code", "code", "type", "param", "details", "error", "body"):
        assert getattr(mine.value, attr) == getattr(theirs.value, attr), attr
    assert mine.value.hint  # ours adds what to do, as data
    assert mine.value.hint not in str(mine.value)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("closed"),
    ],
)
def test_a_transport_failure_is_caught_by_the_except_written_for_the_official_sdk(
    failure: Exception,
) -> None:
    official, ours = clients()
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{API}/agents/agt_1").mock(side_effect=failure)
        with pytest.raises(httpx.TransportError) as theirs:
            official.agents.retrieve("agt_1")
        with pytest.raises(type(theirs.value)) as mine:  # the same httpx class
            ours.agents.retrieve("agt_1")
    assert isinstance(mine.value, APIConnectionError)  # and ours, with what to do
    assert isinstance(mine.value, APITimeoutError) == isinstance(failure, httpx.TimeoutException)
    copy = pickle.loads(pickle.dumps(mine.value))
    assert type(copy) is type(mine.value) and str(copy) == str(mine.value)
