"""Query params, team scoping, request merging, request bodies and response parsing
(contract §1.6, §2.3, §5.1.1, §6, §7, §10.4)."""

from __future__ import annotations

from typing import Any

import pytest

from gumloop_nb import types as t

from .conftest import (
    AGENT,
    WS,
    body_of,
    chat_result_json,
    collect,
    multipart_parts,
    run,
    session_json,
    sse,
    sse_response,
)

MESSAGES = [{"role": "user", "content": "hi"}]


# -- query parameters ------------------------------------------------------------------------


async def test_none_query_params_are_omitted_and_booleans_are_lowercase(
    client: Any, router: Any
) -> None:
    route = router.get("/agents").respond(200, json={"agents": [], "next_cursor": None})
    await run(
        client.agents.list(search=None, has_triggers=True, page_size=10, creator=None, tool="x")
    )
    params = dict(route.calls.last.request.url.params)
    assert params == {"has_triggers": "true", "page_size": "10", "tool": "x"}
    await run(client.agents.list(has_triggers=False))
    assert route.calls.last.request.url.params["has_triggers"] == "false"


async def test_sessions_list_sends_only_the_filters_given(client: Any, router: Any) -> None:
    route = router.get("/agents/agt_1/sessions").respond(
        200, json={"sessions": [], "next_cursor": None}
    )
    await run(client.sessions.list("agt_1", state="completed", sort_order="oldest", page_size=5))
    assert dict(route.calls.last.request.url.params) == {
        "state": "completed",
        "sort_order": "oldest",
        "page_size": "5",
    }


async def test_ids_in_paths_are_percent_encoded(client: Any, router: Any) -> None:
    route = router.get(url__regex=r".*/agents/a%2Fb%20c$").respond(200, json={"agent": AGENT})
    await run(client.agents.retrieve("a/b c"))
    assert route.called


# -- team scoping (§2.3) -----------------------------------------------------------------------


async def test_team_id_is_added_to_api_host_queries_unless_the_call_sets_one(
    make_client: Any, router: Any
) -> None:
    client = make_client(team_id="team_c")
    route = router.get("/agents").respond(200, json={"agents": [], "next_cursor": None})
    await run(client.agents.list())
    assert route.calls.last.request.url.params.get_list("team_id") == ["team_c"]
    await run(client.agents.list(team_id="team_x"))
    assert route.calls.last.request.url.params.get_list("team_id") == ["team_x"]
    retrieve = router.get("/agents/agt_1").respond(200, json={"agent": AGENT})
    await run(client.agents.retrieve("agt_1"))
    assert retrieve.calls.last.request.url.params["team_id"] == "team_c"


async def test_team_id_comes_from_the_environment(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUMLOOP_TEAM_ID", "team_env")
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(make_client().teams.list())
    assert route.calls.last.request.url.params["team_id"] == "team_env"


async def test_without_a_team_nothing_is_added(client: Any, router: Any) -> None:
    route = router.get("/teams").respond(200, json={"teams": []})
    create = router.post("/agents").respond(201, json={"agent": AGENT})
    await run(client.teams.list())
    await run(client.agents.create(name="A", model_name="m"))
    assert "team_id" not in route.calls.last.request.url.params
    assert "team_id" not in create.calls.last.request.url.params
    assert "team_id" not in body_of(create.calls.last.request)


async def test_stream_host_requests_are_never_team_scoped(make_client: Any, router: Any) -> None:
    client = make_client(team_id="team_c")
    chat = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    session = router.post(f"{WS}/agents/agt_1/sessions").mock(
        return_value=sse_response(sse({"type": "finish", "final": True}))
    )
    await run(client.chat.completions.create(model="m", messages=MESSAGES))
    await collect(client.sessions.stream("agt_1", input="Hi"))
    assert "team_id" not in chat.calls.last.request.url.params
    assert "team_id" not in body_of(chat.calls.last.request)
    assert "team_id" not in session.calls.last.request.url.params


async def test_agent_create_copies_the_team_into_the_body_unless_given(
    make_client: Any, router: Any
) -> None:
    client = make_client(team_id="team_c")
    route = router.post("/agents").respond(201, json={"agent": AGENT})
    await run(client.agents.create(name="A", model_name="m"))
    assert body_of(route.calls.last.request)["team_id"] == "team_c"
    assert route.calls.last.request.url.params["team_id"] == "team_c"
    await run(client.agents.create(name="A", model_name="m", team_id="team_own"))
    assert body_of(route.calls.last.request)["team_id"] == "team_own"


async def test_mcp_tool_calls_and_prompts_carry_the_team_in_the_body(
    make_client: Any, router: Any
) -> None:
    client = make_client(team_id="team_c")
    call = router.post("/mcp/tools/call").respond(200, json={"results": []})
    prompt = router.post("/mcp/servers/srv/prompts/get").respond(
        200, json={"server_id": "srv", "name": "p", "messages": []}
    )
    await run(client.mcp.execute("srv", "tool"))
    assert body_of(call.calls.last.request)["team_id"] == "team_c"
    await run(client.mcp.execute("srv", "tool", team_id="team_arg"))
    assert body_of(call.calls.last.request)["team_id"] == "team_arg"
    await run(client.mcp.get_prompt("srv", "p"))
    assert body_of(prompt.calls.last.request) == {"name": "p", "arguments": {}, "team_id": "team_c"}


async def test_skill_create_sends_the_team_as_a_form_field(make_client: Any, router: Any) -> None:
    client = make_client(team_id="team_c")
    route = router.post("/skills").respond(
        201, json={"skill": {"id": "sk_1", "name": "s", "description": "d", "team_id": "team_c"}}
    )
    await run(client.skills.create({"SKILL.md": b"---\nname: s\n---\n"}))
    fields = {name: data for name, filename, data in multipart_parts(route.calls.last.request)}
    assert fields["team_id"] == b"team_c"
    await run(client.skills.create({"SKILL.md": b"x"}, team_id="team_arg"))
    fields = {name: data for name, filename, data in multipart_parts(route.calls.last.request)}
    assert fields["team_id"] == b"team_arg"


# -- request merging (§10.4) --------------------------------------------------------------------


async def test_create_merges_request_and_kwargs_dropping_none_and_keeping_extras(
    client: Any, router: Any
) -> None:
    route = router.post("/agents").respond(201, json={"agent": AGENT})
    with pytest.warns(t.UnknownFieldWarning, match="some_future_field"):
        await run(
            client.agents.create(
                {"name": "Draft", "model_name": "old", "system_prompt": "Be brief."},
                model_name="auto",
                description=None,
                some_future_field=1,
            )
        )
    assert body_of(route.calls.last.request) == {
        "name": "Draft",
        "model_name": "auto",
        "system_prompt": "Be brief.",
        "some_future_field": 1,
    }


async def test_create_accepts_a_request_model_and_sends_only_its_set_fields(
    client: Any, router: Any
) -> None:
    route = router.post("/agents").respond(201, json={"agent": AGENT})
    await run(client.agents.create(t.AgentCreateRequest(name="A", model_name="m"), folder_id="f"))
    assert body_of(route.calls.last.request) == {"name": "A", "model_name": "m", "folder_id": "f"}


async def test_an_explicit_null_in_the_request_mapping_is_sent(client: Any, router: Any) -> None:
    route = router.patch("/agents/agt_1").respond(200, json={"agent": AGENT})
    await run(client.agents.update("agt_1", {"description": None}, name="New", folder_id=None))
    assert body_of(route.calls.last.request) == {"description": None, "name": "New"}


async def test_chat_drops_unknown_keys_and_none_and_sends_the_schema_alias(
    client: Any, router: Any
) -> None:
    route = router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json())
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    with pytest.warns(t.UnknownFieldWarning, match="bogus_key"):
        await run(
            client.chat.completions.create(
                {"model": "old", "messages": MESSAGES, "bogus_key": 1},
                model="m",
                temperature=None,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "prime", "strict": True, "schema": schema},
                },
            )
        )
    body = body_of(route.calls.last.request)
    assert body == {
        "model": "m",
        "messages": MESSAGES,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "prime", "strict": True, "schema": schema},
        },
    }


async def test_an_invalid_chat_request_fails_before_any_request(client: Any, router: Any) -> None:
    from gumloop_nb.errors import GumloopError

    router.route().respond(200, json={})
    with pytest.raises(GumloopError, match="invalid chat request"):
        await run(client.chat.completions.create(model="m"))
    assert router.calls.call_count == 0


# -- bodies -----------------------------------------------------------------------------------


async def test_session_create_sends_input_and_a_client_generated_session_id(
    make_client: Any, router: Any
) -> None:
    route = router.post("/agents/agt_1/sessions").respond(202, json=session_json())
    session = await run(make_client().sessions.create("agt_1", input="Hi"))
    body = body_of(route.calls.last.request)
    assert set(body) == {"input", "session_id"}
    assert body["input"] == "Hi"
    assert isinstance(body["session_id"], str) and body["session_id"]
    assert session.session.state == "processing"
    await run(make_client().sessions.create("agt_1", input="Hi"))
    assert body_of(route.calls.last.request)["session_id"] != body["session_id"]


async def test_session_create_without_retries_sends_exactly_what_was_given(
    make_client: Any, router: Any
) -> None:
    route = router.post("/agents/agt_1/sessions").respond(202, json=session_json())
    await run(make_client(max_retries=0).sessions.create("agt_1", input="Hi"))
    assert body_of(route.calls.last.request) == {"input": "Hi"}
    await run(make_client(max_retries=0).sessions.create("agt_1", input="Hi", stream=False))
    assert body_of(route.calls.last.request) == {"input": "Hi", "stream": False}


async def test_session_create_keeps_a_caller_chosen_session_id(client: Any, router: Any) -> None:
    route = router.post("/agents/agt_1/sessions").respond(202, json=session_json("mine"))
    await run(client.sessions.create("agt_1", input="Hi", session_id="mine", metadata={"a": "b"}))
    assert body_of(route.calls.last.request) == {
        "input": "Hi",
        "session_id": "mine",
        "metadata": {"a": "b"},
    }


async def test_session_send_requires_input_before_any_request(client: Any, router: Any) -> None:
    router.route().respond(200, json={})
    with pytest.raises(ValueError, match="required"):
        await run(client.sessions.send("ses_1"))
    assert router.calls.call_count == 0


async def test_session_send_and_cancel_bodies(client: Any, router: Any) -> None:
    send = router.post("/sessions/ses_1/messages").respond(200, json=session_json())
    cancel = router.post("/sessions/ses_1/cancel").respond(
        200, json={"session": {"id": "ses_1", "agent_id": "agt_1", "state": "failed"}}
    )
    await run(client.sessions.send("ses_1", input="More"))
    assert body_of(send.calls.last.request) == {"input": "More"}
    cancelled = await run(client.sessions.cancel("ses_1"))
    assert body_of(cancel.calls.last.request) == {}
    assert cancelled.session.state == "failed"


async def test_queued_send_moves_the_idempotency_key_into_a_header(
    client: Any, router: Any
) -> None:
    route = router.post("/sessions/ses_1/messages").respond(
        200, json={"message_id": "m1", "status": "accepted"}
    )
    receipt = await run(
        client.sessions.send("ses_1", input="later", delivery="queued", idempotency_key="idem-1")
    )
    request = route.calls.last.request
    assert request.headers["idempotency-key"] == "idem-1"
    assert body_of(request) == {"input": "later", "delivery": "queued"}
    assert receipt.message_id == "m1"


async def test_attach_skills_wraps_a_single_id_in_a_list(client: Any, router: Any) -> None:
    route = router.patch("/agents/agt_1/skills").respond(
        200, json={"agent_id": "agt_1", "skill_ids": ["s1"], "attached": ["s1"]}
    )
    result = await run(client.agents.attach_skills("agt_1", "s1"))
    assert body_of(route.calls.last.request) == {"attach": ["s1"]}
    assert result.attached == ["s1"]


async def test_brain_search_body(client: Any, router: Any) -> None:
    route = router.post("/brain/search").respond(
        200, json={"results": [{"title": "Onboarding", "score": 0.9, "metadata": {}}]}
    )
    found = await run(client.brain.search("onboarding", limit=3))
    assert body_of(route.calls.last.request) == {"query": "onboarding", "limit": 3}
    assert found.results[0].title == "Onboarding"


# -- parsing ----------------------------------------------------------------------------------


async def test_responses_parse_into_models_that_keep_unknown_fields(
    client: Any, router: Any
) -> None:
    router.get("/agents/agt_1").respond(200, json={"agent": AGENT})
    router.get("/models").respond(
        200, json={"model_groups": [{"groupLabel": "A", "options": [{"value": "m"}]}]}
    )
    agent = await run(client.agents.retrieve("agt_1"))
    assert isinstance(agent, t.AgentResponse)
    assert agent.agent.id == "agt_1"
    assert agent.agent.model_name == "gpt-4.1"
    assert agent.agent.model_dump()["future_field"] == "kept"
    models = await run(client.models.list())
    assert isinstance(models, t.ModelListResponse)
    assert models.model_groups[0]["groupLabel"] == "A"


async def test_unary_chat_parses_into_a_chat_result(client: Any, router: Any) -> None:
    router.post(f"{WS}/chat/completions").respond(200, json=chat_result_json("Forty-one"))
    result = await run(client.chat.completions.create(model="m", messages=MESSAGES))
    assert isinstance(result, t.ChatResult)
    assert result.choices[0].message.content == "Forty-one"
    assert result.usage is not None and result.usage.total_tokens == 4


async def test_an_empty_204_on_skill_delete_means_deleted(client: Any, router: Any) -> None:
    router.delete("/skills/sk_1").respond(204)
    result = await run(client.skills.delete("sk_1"))
    assert isinstance(result, t.SkillDeleteResponse)
    assert result.deleted is True


async def test_a_2xx_body_that_is_not_json_is_a_clear_error(client: Any, router: Any) -> None:
    from gumloop_nb.errors import APIStatusError

    router.get("/teams").respond(
        200, text="<html>login</html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(APIStatusError, match="base_url"):
        await run(client.teams.list())
