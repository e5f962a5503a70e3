"""Streams: chat chunks and their accumulation (§4.2, §5.1.3), session events, resume and
its bounds (§4.1, §6.6)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gumloop_nb import types as t
from gumloop_nb.errors import StreamError

from .conftest import WS, body_of, close, collect, run, sse, sse_response

MESSAGES = [{"role": "user", "content": "weather?"}]


def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion.chunk",
        "created": 1760000000,
        "model": "demo",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


USAGE = {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12, "cost": 0.00042}
IMG1 = {"image_url": {"url": "data:image/png;base64,AAAA"}}
IMG2 = {"image_url": {"url": "data:image/png;base64,BBBB"}}

FULL_STREAM = sse(
    chunk({"role": "assistant", "content": "Hello"}),
    ": keep-alive comment is not an event",
    chunk({"content": " world"}),
    chunk(
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"ci'},
                }
            ]
        }
    ),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'ty": "Paris"}'}}]}),
    chunk({"images": [IMG1]}),
    chunk({"images": [IMG2]}),
    chunk({}, "tool_calls", usage=USAGE),
    done=True,
)


async def open_chat(client: Any, router: Any, response: Any) -> Any:
    router.post(f"{WS}/chat/completions").mock(return_value=response)
    return await run(client.chat.completions.create(model="demo", messages=MESSAGES, stream=True))


async def test_chat_stream_yields_chunks_and_assembles_the_final_result(
    client: Any, router: Any
) -> None:
    stream = await open_chat(client, router, sse_response(FULL_STREAM))
    chunks = await collect(stream)
    assert all(isinstance(c, t.ChatStreamChunk) for c in chunks)
    assert len(chunks) == 7
    assert chunks[0].choices[0].delta.content == "Hello"
    assert stream.text == "Hello world"
    assert stream.usage.cost == pytest.approx(0.00042)
    assert stream.images == ["data:image/png;base64,BBBB"]
    assert stream.finish_reason == "tool_calls"
    final = await run(stream.final())
    assert isinstance(final, t.ChatResult)
    message = final.choices[0].message
    assert message.content == "Hello world"
    assert final.choices[0].finish_reason == "tool_calls"
    assert message.tool_calls is not None and message.images is not None
    assert final.usage is not None
    call = message.tool_calls[0]
    assert (call.id, call.function.name) == ("call_1", "get_weather")
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert [img.image_url.url for img in message.images] == ["data:image/png;base64,BBBB"]
    assert final.usage.total_tokens == 12
    assert (final.id, final.model) == ("gen-1", "demo")


async def test_final_without_iterating_consumes_the_stream(client: Any, router: Any) -> None:
    stream = await open_chat(client, router, sse_response(FULL_STREAM))
    final = await run(stream.final())
    assert final.choices[0].message.content == "Hello world"
    assert stream.completed


async def test_done_ends_the_stream_and_anything_after_is_ignored(client: Any, router: Any) -> None:
    body = sse(chunk({"content": "A"}), done=True) + sse(chunk({"content": "B"}))
    stream = await open_chat(client, router, sse_response(body))
    chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["A"]
    assert stream.text == "A"


ERROR_STREAM = sse(
    chunk({"content": "Partial"}),
    chunk({}, "error", error={"code": 402, "message": "budget exceeded"}),
    done=True,
)


async def test_an_error_frame_is_yielded_as_a_chunk_and_final_raises_it(
    client: Any, router: Any
) -> None:
    stream = await open_chat(client, router, sse_response(ERROR_STREAM))
    chunks = await collect(stream)  # iterating never raises: the official SDK's behaviour
    assert [c.choices[0].delta.content for c in chunks] == ["Partial", None]
    assert chunks[0].error is None
    assert chunks[1].error is not None
    assert (chunks[1].error.code, chunks[1].error.message) == (402, "budget exceeded")
    assert isinstance(stream.error, StreamError) and stream.error.code == 402
    assert "budget exceeded" in str(stream.error)
    assert stream.completed and stream.text == "Partial"
    with pytest.raises(StreamError) as info:
        await run(stream.final())
    assert info.value is stream.error
    partial = await run(stream.final(partial=True))
    assert partial.choices[0].message.content == "Partial"
    assert partial.choices[0].finish_reason == "error"


async def test_a_stream_without_an_error_frame_has_no_error(client: Any, router: Any) -> None:
    stream = await open_chat(client, router, sse_response(FULL_STREAM))
    await collect(stream)
    assert stream.error is None


async def test_a_bare_error_frame_is_skipped_but_not_silently_dropped(
    client: Any, router: Any
) -> None:
    body = sse(chunk({"content": "x"}), {"error": {"code": 500, "message": "boom"}}, done=True)
    stream = await open_chat(client, router, sse_response(body))
    chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["x"]  # not a chunk: not yielded
    assert stream.error is not None and stream.error.code == 500
    with pytest.raises(StreamError, match="boom"):
        await run(stream.final())


async def test_a_stream_cut_before_done_ends_like_the_official_sdk_but_final_raises(
    client: Any, router: Any
) -> None:
    body = sse(chunk({"content": "Half an"}), chunk({"content": " answer"}))
    stream = await open_chat(client, router, sse_response(body))
    chunks = await collect(stream)  # the official SDK's iteration ends quietly here too
    assert len(chunks) == 2
    assert stream.text == "Half an answer"
    assert not stream.completed
    assert isinstance(stream.error, StreamError) and "[DONE]" in str(stream.error)
    with pytest.raises(StreamError, match=r"\[DONE\]"):
        await run(stream.final())  # never a partial answer passed off as complete
    partial = await run(stream.final(partial=True))
    assert partial.choices[0].message.content == "Half an answer"


async def test_a_dropped_chat_connection_raises_the_httpx_error_and_keeps_the_text(
    client: Any, router: Any
) -> None:
    stream = await open_chat(client, router, sse_response(broken=(sse(chunk({"content": "So"})),)))
    with pytest.raises(httpx.ReadError) as info:  # what the official SDK lets through
        await collect(stream)
    assert stream.text == "So"
    assert isinstance(stream.error, StreamError) and stream.error.__cause__ is info.value
    if hasattr(info.value, "__notes__"):
        assert any("final(partial=True)" in note for note in info.value.__notes__)
    with pytest.raises(StreamError, match="broke off"):
        await run(stream.final())
    partial = await run(stream.final(partial=True))
    assert partial.choices[0].message.content == "So"


async def test_frames_split_across_network_chunks_are_reassembled(client: Any, router: Any) -> None:
    raw = FULL_STREAM
    pieces = tuple(raw[i : i + 7] for i in range(0, len(raw), 7))

    class Chunked(httpx.SyncByteStream, httpx.AsyncByteStream):
        def __iter__(self) -> Any:
            yield from pieces

        async def __aiter__(self) -> Any:
            for piece in pieces:
                yield piece

    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunked())
    stream = await open_chat(client, router, response)
    final = await run(stream.final())
    assert final.choices[0].message.content == "Hello world"


async def test_closing_a_chat_stream_closes_the_response(client: Any, router: Any) -> None:
    stream = await open_chat(client, router, sse_response(FULL_STREAM))
    await close(stream)
    assert stream.response.is_closed
    assert await collect(stream) == []


async def test_a_chat_stream_used_as_a_context_manager_is_closed_on_exit(
    client: Any, router: Any, mode: str
) -> None:
    stream = await open_chat(client, router, sse_response(FULL_STREAM))
    if mode == "async":
        async with stream as s:
            async for first in s:  # noqa: B007 - keep the first item
                break
    else:
        with stream as s:
            for first in s:  # noqa: B007 - keep the first item
                break
    assert first.choices[0].delta.content == "Hello"
    assert stream.response.is_closed


async def test_chat_stream_request_body_says_stream_true(client: Any, router: Any) -> None:
    route = router.post(f"{WS}/chat/completions").mock(return_value=sse_response(sse(done=True)))
    stream = await run(
        client.chat.completions.create(
            model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    await collect(stream)
    assert body_of(route.calls.last.request) == {
        "model": "m",
        "messages": MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


# -- session streams ----------------------------------------------------------------------------


def ev(n: int, sid: str = "ses_s", **fields: Any) -> dict[str, Any]:
    return {"type": "text-delta", "delta": f"t{n}", "stream_cursor": f"{sid}:{n}", **fields}


FINISH = {"type": "finish", "finishReason": "stop", "final": True, "stream_cursor": "ses_s:9"}


async def test_session_events_are_decoded_per_the_session_dialect(client: Any, router: Any) -> None:
    body = sse(
        ("start", {"interaction_id": "ses_s", "stream_cursor": "ses_s:1"}),
        ("message", {"delta": "no type"}),
        "not json at all",
        ("ping", "[1, 2]"),
        (
            "error",
            {
                "error": {"code": "boom", "message": "It broke"},
                "errorMessage": "Readable",
                "stream_cursor": "ses_s:2",
            },
        ),
        FINISH,
    )
    router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(body))
    events = await collect(client.sessions.stream("agt_1", input="Hi"))
    assert all(isinstance(e, t.StreamEvent) for e in events)
    start, message, raw, ping, error, finish = events
    assert start.type == "start"
    assert start.model_dump()["interaction_id"] == "ses_s"
    assert message.type is None
    assert raw.data == "not json at all"
    assert (ping.type, ping.data) == ("ping", [1, 2])
    assert error.type == "error"
    assert error.error == "It broke"
    assert error.error_details == {"code": "boom", "message": "It broke"}
    assert error.error_message == "Readable"
    assert finish.finish_reason == "stop"
    assert finish.final is True
    assert finish.model_dump()["finish_reason"] == "stop"


async def test_session_stream_request_body_and_headers(client: Any, router: Any) -> None:
    route = router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(sse(FINISH)))
    stream = client.sessions.stream("agt_1", input="Hi")
    await collect(stream)
    request = route.calls.last.request
    body = body_of(request)
    assert body["input"] == "Hi" and body["stream"] is True
    assert stream.session_id == body["session_id"]
    assert request.headers["accept"] == "text/event-stream"


async def test_stream_message_posts_to_the_session_on_the_stream_host(
    client: Any, router: Any
) -> None:
    route = router.post(f"{WS}/sessions/ses_s/messages").mock(
        return_value=sse_response(sse(ev(1), FINISH))
    )
    events = await collect(client.sessions.stream_message("ses_s", input="More"))
    assert body_of(route.calls.last.request) == {"input": "More", "stream": True}
    assert [e.text for e in events] == ["t1", None]


async def test_session_create_with_stream_true_returns_a_stream(client: Any, router: Any) -> None:
    router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(sse(ev(1), FINISH)))
    stream = await run(client.sessions.create("agt_1", input="Hi", stream=True))
    events = await collect(stream)
    assert events[-1].final is True


async def test_a_dropped_session_stream_resumes_from_the_last_cursor_without_loss_or_duplicates(
    client: Any, router: Any
) -> None:
    first = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(broken=(sse(ev(1), ev(2)),))
    )
    resume = router.get(host="ws.test", path__regex=r"^/api/v1/sessions/[^/]+$").mock(
        return_value=sse_response(sse(ev(2), ev(3), FINISH))  # the server replays cursor 2
    )
    stream = client.sessions.stream("agt_1", input="Hi")
    events = await collect(stream)
    assert [e.stream_cursor for e in events] == ["ses_s:1", "ses_s:2", "ses_s:3", "ses_s:9"]
    assert first.call_count == 1 and resume.call_count == 1
    request = resume.calls.last.request
    session_id = body_of(first.calls.last.request)["session_id"]
    assert request.url.path == f"/api/v1/sessions/{session_id}"
    assert dict(request.url.params) == {"stream": "true", "last_cursor": "ses_s:2"}
    assert request.headers["accept"] == "text/event-stream"
    assert stream.last_cursor == "ses_s:9"
    assert stream.text == "t1t2t3"


async def test_resume_stream_replays_after_the_given_cursor(client: Any, router: Any) -> None:
    route = router.get(f"{WS}/sessions/ses_s").mock(return_value=sse_response(sse(ev(5), FINISH)))
    events = await collect(client.sessions.resume_stream("ses_s", "ses_s:4"))
    assert dict(route.calls.last.request.url.params) == {"stream": "true", "last_cursor": "ses_s:4"}
    assert (
        "content-type" not in route.calls.last.request.headers
        or not route.calls.last.request.content
    )
    assert [e.stream_cursor for e in events] == ["ses_s:5", "ses_s:9"]


_RESUMES = {"count": 0}


def _broken_then_finish(request: httpx.Request) -> httpx.Response:
    _RESUMES["count"] += 1
    if _RESUMES["count"] > 10:
        return sse_response(sse(FINISH))
    return sse_response(broken=())


async def test_resume_attempts_are_bounded_then_stream_error(
    make_client: Any, router: Any, clock: Any
) -> None:
    client = make_client(max_retries=0)
    router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(broken=(sse(ev(1)),)))
    resume = router.get(host="ws.test", path__regex=r"^/api/v1/sessions/[^/]+$").mock(
        side_effect=_broken_then_finish  # an unbounded client ends here instead of hanging
    )
    received: list[Any] = []
    stream = client.sessions.stream("agt_1", input="Hi")
    with pytest.raises(StreamError) as info:
        if hasattr(stream, "__aiter__"):
            async for event in stream:
                received.append(event)
        else:
            for event in stream:
                received.append(event)
    assert [e.stream_cursor for e in received] == ["ses_s:1"]
    assert resume.call_count == 3
    assert "retrieve" in str(info.value)
    assert len(clock.sleeps) == 3  # backs off between attempts


async def test_a_not_resumable_finish_ends_the_stream(client: Any, router: Any) -> None:
    router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(broken=(sse(ev(1)),)))
    resume = router.get(host="ws.test", path__regex=r"^/api/v1/sessions/[^/]+$").mock(
        return_value=sse_response(
            sse({"type": "finish", "finishReason": "not_resumable", "final": True})
        )
    )
    events = await collect(client.sessions.stream("agt_1", input="Hi"))
    assert events[-1].finish_reason == "not_resumable"
    assert resume.call_count == 1


async def test_a_stream_closed_normally_before_final_is_resumed_once(
    client: Any, router: Any
) -> None:
    router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(sse(ev(1))))
    resume = router.get(host="ws.test", path__regex=r"^/api/v1/sessions/[^/]+$").mock(
        return_value=sse_response(sse(ev(2), FINISH))
    )
    events = await collect(client.sessions.stream("agt_1", input="Hi"))
    assert [e.stream_cursor for e in events] == ["ses_s:1", "ses_s:2", "ses_s:9"]
    assert resume.calls.last.request.url.params["last_cursor"] == "ses_s:1"


async def test_closing_a_session_stream_stops_it(client: Any, router: Any, mode: str) -> None:
    route = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(sse(ev(1), ev(2), FINISH))
    )
    stream = client.sessions.stream("agt_1", input="Hi")
    if mode == "async":
        async with stream:
            async for first in stream:  # noqa: B007 - keep the first item
                break
    else:
        with stream:
            for first in stream:  # noqa: B007 - keep the first item
                break
    assert first.stream_cursor == "ses_s:1"
    assert await collect(stream) == []
    assert route.call_count == 1


async def test_a_session_stream_sends_nothing_until_iterated(client: Any, router: Any) -> None:
    route = router.post(f"{WS}/agents/agt_1/sessions").mock(return_value=sse_response(sse(FINISH)))
    stream = client.sessions.stream("agt_1", input="Hi")  # no await, even on the async client
    assert route.call_count == 0
    await collect(stream)
    assert route.call_count == 1


async def test_opening_a_session_stream_is_retried_only_when_the_server_did_not_act(
    client: Any, router: Any
) -> None:
    route = router.post(f"{WS}/agents/agt_1/sessions").mock(
        side_effect=[httpx.Response(429, json={}), sse_response(sse(FINISH))]
    )
    events = await collect(client.sessions.stream("agt_1", input="Hi"))
    assert route.call_count == 2
    assert events[-1].final is True
    first, second = (body_of(c.request) for c in route.calls)
    assert first["session_id"] == second["session_id"]


async def test_opening_a_chat_stream_is_retried_on_a_transient_status(
    client: Any, router: Any
) -> None:
    route = router.post(f"{WS}/chat/completions").mock(
        side_effect=[httpx.Response(502, json={}), sse_response(FULL_STREAM)]
    )
    stream = await run(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert (await run(stream.final())).choices[0].message.content == "Hello world"
    assert route.call_count == 2


async def test_a_usage_only_last_chunk_and_parallel_tool_calls_are_assembled(
    client: Any, router: Any
) -> None:
    def call(index: int, **fields: Any) -> dict[str, Any]:
        return {"tool_calls": [{"index": index, **fields}]}

    body = sse(
        chunk(call(0, id="c0", type="function", function={"name": "a", "arguments": '{"x"'})),
        chunk(call(1, id="c1", type="function", function={"name": "b", "arguments": "{}"})),
        chunk(call(0, function={"arguments": ": 1}"})),
        chunk({}, "tool_calls"),
        {**chunk({}), "choices": [], "usage": USAGE},
        done=True,
    )
    stream = await open_chat(client, router, sse_response(body))
    final = await run(stream.final())
    calls = final.choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("c0", "a", '{"x": 1}'),
        ("c1", "b", "{}"),
    ]
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.usage is not None and final.usage.total_tokens == 12
    assert stream.usage.cost == pytest.approx(0.00042)


async def test_crlf_framing_multiline_data_and_keepalives_are_understood(
    client: Any, router: Any
) -> None:
    first = json.dumps(chunk({"content": "Hi"}))
    half = first.index('"choices"')  # split between JSON tokens: data lines join with a newline
    body = (
        ": ping\r\n\r\n"
        f"data: {first[:half]}\r\ndata: {first[half:]}\r\n\r\n"
        "data: \r\n\r\n"
        f"event: whatever\r\ndata: {json.dumps(chunk({'content': '!'}, 'stop'))}\r\n\r\n"
        "data: [DONE]\r\n\r\n"
    ).encode()
    stream = await open_chat(client, router, sse_response(body))
    final = await run(stream.final())
    assert final.choices[0].message.content == "Hi!"


async def test_a_streamed_create_without_a_session_id_resumes_with_the_servers_id(
    make_client: Any, router: Any
) -> None:
    client = make_client(max_retries=0)
    first = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(broken=(sse(ev(1, interaction_id="ses_srv")),))
    )
    resume = router.get(f"{WS}/sessions/ses_srv").mock(
        return_value=sse_response(sse(ev(2), FINISH))
    )
    stream = await run(client.sessions.create("agt_1", input="Hi", stream=True))
    events = await collect(stream)
    assert "session_id" not in body_of(first.calls.last.request)
    assert [e.stream_cursor for e in events] == ["ses_s:1", "ses_s:2", "ses_s:9"]
    assert resume.calls.last.request.url.params["last_cursor"] == "ses_s:1"
    assert stream.session_id == "ses_srv"


async def test_final_after_breaking_out_of_the_loop_consumes_the_rest(
    client: Any, router: Any, mode: str
) -> None:
    stream = await open_chat(client, router, sse_response(FULL_STREAM))
    if mode == "async":
        async for _ in stream:
            break
    else:
        for _ in stream:
            break
    final = await run(stream.final())
    assert final.choices[0].message.content == "Hello world"
    assert final.usage is not None and final.usage.total_tokens == 12


async def test_a_session_stream_whose_first_response_never_came_resumes_by_its_id(
    client: Any, router: Any
) -> None:
    first = router.post(f"{WS}/agents/agt_1/sessions").mock(side_effect=httpx.ReadTimeout("slow"))
    resume = router.get(host="ws.test", path__regex=r"^/api/v1/sessions/[^/]+$").mock(
        return_value=sse_response(sse(ev(1), FINISH))
    )
    events = await collect(client.sessions.stream("agt_1", input="Hi"))
    session_id = body_of(first.calls.last.request)["session_id"]
    assert first.call_count == 1  # a create is not re-sent blindly
    assert resume.calls.last.request.url.path == f"/api/v1/sessions/{session_id}"
    assert [e.stream_cursor for e in events] == ["ses_s:1", "ses_s:9"]


async def _first_then_rest(stream: Any, mode: str) -> tuple[Any, list[Any]]:
    if mode == "async":
        async for first in stream:  # noqa: B007 - keep the first item
            break
    else:
        for first in stream:  # noqa: B007 - keep the first item
            break
    return first, await collect(stream)


async def test_iterating_a_chat_stream_again_continues_where_it_stopped(
    client: Any, router: Any, mode: str
) -> None:
    route = router.post(f"{WS}/chat/completions").mock(return_value=sse_response(FULL_STREAM))
    stream = await run(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    first, rest = await _first_then_rest(stream, mode)
    assert first.choices[0].delta.content == "Hello"
    assert len(rest) == 6
    assert rest[0].choices[0].delta.content == " world"
    assert route.call_count == 1


async def test_iterating_a_session_stream_again_continues_where_it_stopped(
    client: Any, router: Any, mode: str
) -> None:
    route = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(sse(ev(1), ev(2), FINISH))
    )
    stream = client.sessions.stream("agt_1", input="Hi")
    first, rest = await _first_then_rest(stream, mode)
    assert first.stream_cursor == "ses_s:1"
    assert [e.stream_cursor for e in rest] == ["ses_s:2", "ses_s:9"]
    assert route.call_count == 1


async def test_frames_that_are_not_chunks_are_skipped_not_raised_raw(
    client: Any, router: Any
) -> None:
    body = sse(
        chunk({"content": "Kept"}),
        {"id": "x", "object": "chat.completion.chunk"},  # schema drift: no choices/created/model
        "not json",
        [1, 2, 3],
        chunk({"content": " too"}, "stop"),
        done=True,
    )
    stream = await open_chat(client, router, sse_response(body))
    chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["Kept", " too"]
    assert stream.model == "demo"
    assert (await run(stream.final())).choices[0].message.content == "Kept too"


async def _close_inside_loop(stream: Any, mode: str) -> int:
    seen = 0
    if mode == "async":
        async for _ in stream:
            seen += 1
            await close(stream)
    else:
        for _ in stream:
            seen += 1
            stream.close()
    return seen


async def test_closing_a_chat_stream_inside_the_loop_ends_it_quietly(
    client: Any, router: Any, mode: str
) -> None:
    router.post(f"{WS}/chat/completions").mock(return_value=sse_response(FULL_STREAM))
    chat = await run(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert await _close_inside_loop(chat, mode) == 1
    assert chat.text == "Hello"


async def test_closing_a_session_stream_inside_the_loop_ends_it_without_resuming(
    client: Any, router: Any, mode: str
) -> None:
    sessions = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(sse(ev(1), ev(2), FINISH))
    )
    resume = router.get(host="ws.test", path__regex=r"^/api/v1/sessions/").respond(200)
    session = client.sessions.stream("agt_1", input="Hi")
    assert await _close_inside_loop(session, mode) == 1
    assert sessions.call_count == 1
    assert resume.call_count == 0  # a close is not a dropped connection


async def test_several_choices_and_reasoning_are_assembled_per_choice(
    client: Any, router: Any
) -> None:
    def two(d0: dict[str, Any], d1: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            **chunk({}),
            "choices": [
                {"index": 0, "delta": d0, "finish_reason": finish},
                {"index": 1, "delta": d1, "finish_reason": finish},
            ],
        }

    body = sse(
        two({"reasoning": "Think"}, {"content": "B1"}),
        two({"content": "A1"}, {"content": "B2"}),
        two({"content": "A2"}, {}, "stop"),
        done=True,
    )
    stream = await open_chat(client, router, sse_response(body))
    final = await run(stream.final())
    assert stream.text == "A1A2"
    assert [c.index for c in final.choices] == [0, 1]
    assert [c.message.content for c in final.choices] == ["A1A2", "B1B2"]
    assert final.choices[0].message.reasoning == "Think"
    assert [c.finish_reason for c in final.choices] == ["stop", "stop"]


async def test_data_without_a_space_and_a_split_done_marker_are_understood(
    client: Any, router: Any
) -> None:
    one = json.dumps(chunk({"content": "No"}))
    two = json.dumps(chunk({"content": " space"}, "stop"))
    pieces = (
        f"data:{one}\n\ndata: {two[:10]}".encode(),
        f"{two[10:]}\n\ndata: [DO".encode(),
        b"NE]\n\n",
    )

    class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
        def __iter__(self) -> Any:
            yield from pieces

        async def __aiter__(self) -> Any:
            for piece in pieces:
                yield piece

    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Pieces())
    stream = await open_chat(client, router, response)
    chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["No", " space"]
    assert stream.completed
