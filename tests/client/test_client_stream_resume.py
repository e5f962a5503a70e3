"""Resuming session streams turn by turn, cut events, the resume budget, and errors that never
carry a credential (pickle, repr, vars, causes)."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest

from gumloop_nb.errors import APIConnectionError, APIStatusError, APITimeoutError, StreamError

from .conftest import API, TOKEN, WS, collect, run, sse, sse_response

SID = "ses_t"


class SessionLog:
    """A fake stream host with one session's event log, answering resumes like the server
    (``GET /sessions/{id}?stream=true&last_cursor=c``: the events after ``c``; no cursor:
    from the start of the session)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.resumed_from: list[str | None] = []

    def run(self, turn: int, n: int = 2) -> list[dict[str, Any]]:
        """Append one complete run (``n`` text deltas and a final finish) to the log."""
        new = []
        for i in range(n):
            new.append({"type": "text-delta", "delta": f"turn{turn}.{i} "})
        new.append({"type": "finish", "finishReason": "stop", "final": True})
        for event in new:
            event["stream_cursor"] = f"{SID}:{len(self.events) + 1}"
            event["interaction_id"] = SID
            self.events.append(event)
        return new

    def resume(self, request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("last_cursor")
        self.resumed_from.append(cursor)
        after = 0 if not cursor else int(cursor.rpartition(":")[2])
        return sse_response(sse(*self.events[after:]))


def texts(events: list[Any]) -> str:
    return "".join(e.text or "" for e in events)


async def stream_turn_one(client: Any, router: Any, log: SessionLog) -> None:
    """Turn 1, followed to its final event by a streamed create."""
    create = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(sse(*log.run(1)))
    )
    events = await collect(client.sessions.stream("agt_1", input="one", session_id=SID))
    assert texts(events) == "turn1.0 turn1.1 " and create.call_count == 1


def open_turn_two(client: Any, how: str) -> Any:
    if how == "stream_message":
        return client.sessions.stream_message(SID, input="two")
    return client.sessions.send(SID, input="two", stream=True)


@pytest.mark.parametrize("how", ["stream_message", "send"])
async def test_a_turn_dropped_before_its_first_event_resumes_from_where_it_started(
    client: Any, router: Any, how: str
) -> None:
    log = SessionLog()
    await stream_turn_one(client, router, log)
    turn_one_end = log.events[-1]["stream_cursor"]
    # The server takes turn 2 and runs it, but the connection drops before any event.
    log.run(2)
    router.post(f"{WS}/sessions/{SID}/messages").mock(return_value=sse_response(broken=()))
    router.get(f"{WS}/sessions/{SID}").mock(side_effect=log.resume)
    stream = await run(open_turn_two(client, how))
    events = await collect(stream)
    assert texts(events) == "turn2.0 turn2.1 "  # never turn 1's answer again
    assert log.resumed_from == [turn_one_end]
    assert events[-1].final is True


@pytest.mark.parametrize("how", ["stream_message", "send"])
async def test_a_turn_that_timed_out_before_any_event_fails_clearly(
    client: Any, router: Any, how: str
) -> None:
    log = SessionLog()
    await stream_turn_one(client, router, log)
    # The request timed out and turn 2 never ran: nothing follows turn 1 in the log.
    router.post(f"{WS}/sessions/{SID}/messages").mock(side_effect=httpx.ReadTimeout("slow"))
    router.get(f"{WS}/sessions/{SID}").mock(side_effect=log.resume)
    stream = await run(open_turn_two(client, how))
    received: list[Any] = []
    with pytest.raises(StreamError, match="probably not delivered"):
        if hasattr(stream, "__aiter__"):
            async for event in stream:
                received.append(event)
        else:
            for event in stream:
                received.append(event)
    assert received == []  # turn 1's events are not handed back as turn 2's
    assert all(cursor for cursor in log.resumed_from)


async def test_a_turn_whose_start_is_unknown_fails_clearly_instead_of_replaying(
    client: Any, router: Any
) -> None:
    log = SessionLog()
    log.run(1)  # turn 1 ran without this process following it
    log.run(2)
    router.post(f"{WS}/sessions/{SID}/messages").mock(return_value=sse_response(broken=()))
    resume = router.get(f"{WS}/sessions/{SID}").mock(side_effect=log.resume)
    with pytest.raises(StreamError, match="resume_stream") as info:
        await collect(client.sessions.stream_message(SID, input="two"))
    assert resume.call_count == 0
    assert SID in str(info.value)


async def test_a_unary_send_between_turns_forgets_where_the_next_turn_starts(
    client: Any, router: Any
) -> None:
    log = SessionLog()
    await stream_turn_one(client, router, log)
    session = {"session": {"id": SID, "agent_id": "agt_1", "state": "processing"}}
    router.post(f"{API}/sessions/{SID}/messages").respond(202, json=session)
    await run(client.sessions.send(SID, input="two"))  # runs turn 2, which no stream follows
    log.run(2)
    log.run(3)
    router.post(f"{WS}/sessions/{SID}/messages").mock(return_value=sse_response(broken=()))
    resume = router.get(f"{WS}/sessions/{SID}").mock(side_effect=log.resume)
    with pytest.raises(StreamError):
        await collect(client.sessions.stream_message(SID, input="three"))
    assert resume.call_count == 0  # resuming after turn 1 would hand back turn 2


async def test_a_turn_dropped_midway_resumes_after_its_last_event(client: Any, router: Any) -> None:
    log = SessionLog()
    await stream_turn_one(client, router, log)
    turn_two = log.run(2, n=3)
    router.post(f"{WS}/sessions/{SID}/messages").mock(
        return_value=sse_response(broken=(sse(*turn_two[:2]),))
    )
    router.get(f"{WS}/sessions/{SID}").mock(side_effect=log.resume)
    events = await collect(client.sessions.stream_message(SID, input="two"))
    assert texts(events) == "turn2.0 turn2.1 turn2.2 "
    assert log.resumed_from == [turn_two[1]["stream_cursor"]]


async def test_a_stream_cut_in_the_middle_of_an_event_resumes_from_the_last_whole_one(
    client: Any, router: Any
) -> None:
    log = SessionLog()
    events = log.run(1, n=3)
    whole = sse(*events[:2])
    half = sse(events[2])[:25]  # the connection closes cleanly inside the third event
    router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(whole + half))
    router.get(f"{WS}/sessions/{SID}").mock(side_effect=log.resume)
    got = await collect(client.sessions.stream("agt_1", input="one", session_id=SID))
    assert [e.stream_cursor for e in got] == [e["stream_cursor"] for e in events]
    assert all(e.type in ("text-delta", "finish") for e in got)  # no fragment as an event
    assert log.resumed_from == [events[1]["stream_cursor"]]


async def test_resumes_that_make_progress_do_not_spend_the_budget(
    make_client: Any, router: Any
) -> None:
    client = make_client(max_retries=0)
    log = SessionLog()
    events = log.run(1, n=6)

    def one_more(request: httpx.Request) -> httpx.Response:
        """Each resume brings the next event, then drops again (until the final one)."""
        cursor = request.url.params.get("last_cursor")
        log.resumed_from.append(cursor)
        after = int(cursor.rpartition(":")[2]) if cursor else 0
        rest = events[after:]
        if len(rest) == 1:
            return sse_response(sse(*rest))
        return sse_response(broken=(sse(rest[0]),))

    router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(broken=()))
    router.get(f"{WS}/sessions/{SID}").mock(side_effect=one_more)
    stream = client.sessions.stream("agt_1", input="one", session_id=SID)
    got = await collect(stream)
    assert [e.stream_cursor for e in got] == [e["stream_cursor"] for e in events]
    assert stream.resumes == len(events)  # more than the 3 allowed in a row


# -- errors never hold a credential ---------------------------------------------------------


def assert_no_secret(error: BaseException) -> None:
    """Neither the error nor anything it refers to (request, response, cause) holds TOKEN."""
    assert TOKEN.encode() not in pickle.dumps(error)
    assert TOKEN not in repr(error) and TOKEN not in str(error)
    assert TOKEN not in repr(vars(error))
    assert TOKEN not in repr(error.__reduce_ex__(2))
    seen: set[int] = set()
    todo: list[Any] = [error]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or obj is None:
            continue
        seen.add(id(obj))
        if isinstance(obj, httpx.Request):
            assert not {"authorization", "x-auth-key"} & {k.lower() for k in obj.headers}
            assert TOKEN.encode() not in bytes(obj.url.raw_path)
            continue
        if isinstance(obj, httpx.Response):
            todo.append(obj.request if obj._request is not None else None)
            continue
        if isinstance(obj, BaseException):
            todo.extend([obj.__cause__, obj.__context__, *vars(obj).values()])
            request = getattr(obj, "_request", None)
            todo.append(request)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
    ],
)
async def test_connection_errors_hold_no_credential_in_any_form(
    make_client: Any, mode: str, failure: Exception, expected: type[Exception]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    # A transport that fails like a real one (respx would put its own records, which hold the
    # original request, into the exception chain).
    http_cls = httpx.AsyncClient if mode == "async" else httpx.Client
    client = make_client(
        max_retries=0,
        user_id="usr_secret",
        http_client=http_cls(transport=httpx.MockTransport(fail)),
    )
    with pytest.raises(expected) as info:
        await run(client.agents.retrieve("agt_1"))
    error = info.value
    assert_no_secret(error)
    assert "usr_secret" not in repr(pickle.dumps(error))
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, expected) and type(copy) is type(error) and str(copy) == str(error)
    assert copy.request is not None and copy.request.url.path == "/api/v1/agents/agt_1"


async def test_status_errors_hold_no_credential_in_their_response_either(
    client: Any, router: Any
) -> None:
    router.get("/agents/agt_1").respond(404, json={"error": {"code": "not_found", "message": "No"}})
    with pytest.raises(APIStatusError) as info:
        await run(client.agents.retrieve("agt_1"))
    assert_no_secret(info.value)
    assert info.value.response is not None and info.value.response.status_code == 404
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.status_code, copy.code, str(copy)) == (404, "not_found", str(info.value))


async def test_a_broken_chat_stream_error_holds_no_credential(client: Any, router: Any) -> None:
    chunk = {
        "id": "g",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "So"}, "finish_reason": None}],
    }
    router.post(f"{WS}/chat/completions").mock(
        return_value=sse_response(broken=(f"data: {json.dumps(chunk)}\n\n".encode(),))
    )
    stream = await run(
        client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], stream=True
        )
    )
    with pytest.raises(httpx.ReadError) as info:
        await collect(stream)
    assert_no_secret(info.value)
    assert stream.error is not None
    assert_no_secret(stream.error)
