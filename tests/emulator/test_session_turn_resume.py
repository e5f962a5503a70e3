"""End to end against the emulator: a second turn whose stream is cut before its first event
resumes within that turn (never replaying the first turn's answer), sync and async."""

from __future__ import annotations

from typing import Any

import httpx

from gumloop_nb import AsyncGumloop, Gumloop
from gumloop_nb.emulator import Emulator

from .conftest import make_agent

CUT_BEFORE_FIRST_EVENT = {"X-Gumloop-Fault": "drop_after=0;times=1"}


def turn_text(events: list[Any]) -> str:
    return "".join(e.text or "" for e in events)


def test_a_second_turn_cut_before_its_first_event_is_that_turn(
    em: Emulator, http: httpx.Client
) -> None:
    agent = make_agent(http)
    with Gumloop(api_key="k", base_url=em.base_url) as client:
        first = client.sessions.stream(agent["id"], input="Say something about apples")
        first_events = first.until_done()
        sid = first.session_id
        assert sid and first_events[-1].final
        cut = client.with_options(headers=CUT_BEFORE_FIRST_EVENT)
        second = cut.sessions.stream_message(sid, input="Now something about pears")
        events = second.until_done()
        assert second.resumes >= 1  # the cut happened and was resumed
        reference = [e for e in client.sessions.resume_stream(sid, first_events[-1].stream_cursor)]
    assert events[-1].final
    assert [e.stream_cursor for e in events] == [e.stream_cursor for e in reference]
    assert not set(e.stream_cursor for e in events) & set(e.stream_cursor for e in first_events)
    assert turn_text(events) and turn_text(events) != turn_text(first_events)


async def test_the_same_through_the_async_client_with_send_stream_true(
    em: Emulator, http: httpx.Client
) -> None:
    agent = make_agent(http)
    async with AsyncGumloop(api_key="k", base_url=em.base_url) as client:
        first = client.sessions.stream(agent["id"], input="Say something about apples")
        first_events = await first.until_done()
        sid = first.session_id
        assert sid is not None
        cut = client.with_options(headers=CUT_BEFORE_FIRST_EVENT)
        second = await cut.sessions.send(sid, input="Now something about pears", stream=True)
        events = await second.until_done()
        assert second.resumes >= 1
    first_cursors = {e.stream_cursor for e in first_events}
    assert events[-1].final and not {e.stream_cursor for e in events} & first_cursors
