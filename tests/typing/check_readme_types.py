# pyright: strict, reportUnnecessaryTypeIgnoreComment=true
"""The README's client examples, with the types a checker must infer for them.

Not a pytest module (nothing here runs): ``mypy --strict`` and ``pyright`` (strict) check this
file in CI (``.ci/run``). Each ``assert_type`` fails the check when the library's annotations
stop giving users the exact type (``Any``, ``Never`` or ``Unknown`` included).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from typing_extensions import assert_type

from gumloop_nb import AsyncGumloop, Gumloop
from gumloop_nb.client._streams import (
    AsyncChatCompletionStream,
    AsyncSessionStream,
    ChatCompletionStream,
    SessionStream,
)
from gumloop_nb.types import (
    Agent,
    AgentListResponse,
    AgentResponse,
    AgentVersionSummary,
    ChatResult,
    ChatStreamChunk,
    Session,
    StreamEvent,
)

MESSAGES = [{"role": "user", "content": "Hi"}]


def sync_examples(client: Gumloop, agent_id: str) -> None:
    r = client.chat.completions.create(model="gpt-4.1", messages=MESSAGES)
    assert_type(r, ChatResult)
    assert_type(r.choices[0].message.content, str | None)

    with client.chat.completions.create(model="gpt-4.1", messages=MESSAGES, stream=True) as s:
        assert_type(s, ChatCompletionStream)
        for chunk in s:
            assert_type(chunk, ChatStreamChunk)
    assert_type(s.final(), ChatResult)

    flag: bool = bool(agent_id)
    either = client.chat.completions.create(model="m", messages=MESSAGES, stream=flag)
    assert_type(either, ChatResult | ChatCompletionStream)
    assert_type(client.chat.completions.stream(model="m", messages=MESSAGES), ChatCompletionStream)

    events = client.sessions.stream(agent_id, input="Summarise the memo")
    assert_type(events, SessionStream)
    for event in events:
        assert_type(event, StreamEvent)

    agents = client.agents.iter_all(max_items=50)
    assert_type(agents, Iterator[Agent])
    for agent in agents:
        assert_type(agent, Agent)
    assert_type(client.sessions.iter_all(agent_id), Iterator[Session])

    assert_type(client.agents.list(), AgentListResponse)
    assert_type(client.agents.retrieve(agent_id, timeout=5.0), AgentResponse)
    created = client.agents.create(name="A", extra_headers={"X-Trace": "1"}, extra_body={"x": 1})
    assert_type(created, AgentResponse)


async def async_examples(client: AsyncGumloop, agent_id: str) -> None:
    r = await client.chat.completions.create(model="gpt-4.1", messages=MESSAGES)
    assert_type(r, ChatResult)

    s = await client.chat.completions.create(model="gpt-4.1", messages=MESSAGES, stream=True)
    assert_type(s, AsyncChatCompletionStream)
    async for chunk in s:
        assert_type(chunk, ChatStreamChunk)
    assert_type(await s.final(), ChatResult)

    events = client.sessions.stream(agent_id, input="Hi")
    assert_type(events, AsyncSessionStream)

    agents = client.agents.iter_all(max_items=50)
    assert_type(agents, AsyncIterator[Agent])
    async for agent in agents:
        assert_type(agent, Agent)
    assert_type(await client.agents.retrieve(agent_id), AgentResponse)


def paginate_examples(client: Gumloop, aclient: AsyncGumloop, agent_id: str) -> None:
    for v in client.paginate(client.agents.list_versions, agent_id):
        assert_type(v, AgentVersionSummary)
    assert_type(
        aclient.paginate(aclient.agents.list_versions, agent_id), AsyncIterator[AgentVersionSummary]
    )


def notebook_examples() -> None:
    from gumloop_nb import get_client

    assert_type(get_client(), Gumloop)


def misspelt_fields_are_type_errors(client: Gumloop, agent_id: str) -> None:
    # Each line must be an error (mypy's warn_unused_ignores and pyright's
    # reportUnnecessaryTypeIgnoreComment fail the check if the ignore is not needed).
    client.chat.completions.create(model="m", messages=MESSAGES, tempreature=0.2)  # type: ignore[call-overload]
    client.agents.create(name="A", modle_name="m")  # type: ignore[call-arg]
    client.sessions.create(agent_id, inptu="Hi")  # type: ignore[call-arg]
    client.agents.retrieve(agent_id, extra_header={"X": "1"})  # type: ignore[call-arg]
