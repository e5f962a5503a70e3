"""The remaining endpoints: agents attachments and triggers, voice on the stream origin,
unscoped browser profiles, decisions, deletes with empty bodies, uploads (§6.2-§6.4, §7)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gumloop_nb.errors import GumloopError

from .conftest import API, WS, body_of, collect, run, session_json, sse, sse_response

ORIGIN = WS.removesuffix("/api/v1")


async def test_agent_delete_with_an_empty_body_reports_deleted(client: Any, router: Any) -> None:
    router.delete("/agents/agt_1").respond(204)
    result = await run(client.agents.delete("agt_1"))
    assert (result.agent_id, result.deleted) == ("agt_1", True)


async def test_artifact_delete_sends_the_team_and_reads_the_answer(
    client: Any, router: Any
) -> None:
    route = router.delete("/artifacts/art_1").respond(200, json={"deleted": True})
    result = await run(client.artifacts.delete("art_1", team_id="team_x"))
    assert route.calls.last.request.url.params["team_id"] == "team_x"
    assert result.deleted is True


async def test_attach_mcp_server_drops_none_config(client: Any, router: Any) -> None:
    route = router.put("/agents/agt_1/mcp-servers/gmail").respond(
        200, json={"agent_id": "agt_1", "mcp_server": None, "created": True}
    )
    result = await run(
        client.agents.attach_mcp_server("agt_1", "gmail", approval_mode="off", secret_id=None)
    )
    assert body_of(route.calls.last.request) == {"approval_mode": "off"}
    assert result.created is True


async def test_attach_knowledge_source_always_sends_the_config_key(
    client: Any, router: Any
) -> None:
    route = router.put("/agents/agt_1/knowledge-sources/notion").respond(
        200,
        json={"agent_id": "agt_1", "knowledge_source": {"connector_id": "notion"}, "outcome": "a"},
    )
    await run(client.agents.attach_knowledge_source("agt_1", "notion"))
    assert body_of(route.calls.last.request) == {"config": None}
    await run(client.agents.attach_knowledge_source("agt_1", "notion", config={"mode": "denylist"}))
    assert body_of(route.calls.last.request) == {"config": {"mode": "denylist"}}


async def test_agent_list_skills_filters_skills_by_agent(client: Any, router: Any) -> None:
    route = router.get("/skills").respond(200, json={"skills": [], "next_cursor": None})
    await run(client.agents.list_skills("agt_1", page_size=3))
    assert dict(route.calls.last.request.url.params) == {"agent_id": "agt_1", "page_size": "3"}


async def test_trigger_runs_join_states_with_commas(client: Any, router: Any) -> None:
    route = router.get("/agents/agt_1/triggers/trg_1/runs").respond(
        200, json={"items": [], "next_cursor": None}
    )
    await run(client.agents.list_trigger_runs("agt_1", "trg_1", states=["failed", "completed"]))
    assert route.calls.last.request.url.params["state"] == "failed,completed"


async def test_voice_sessions_go_to_the_stream_origin_with_wire_names(
    make_client: Any, router: Any
) -> None:
    client = make_client(team_id="team_c", stream_timeout=33.0)
    route = router.post(f"{ORIGIN}/gummies/agt_1/voice/sessions").respond(
        200,
        json={
            "voice_session_id": "v1",
            "answer_sdp": "sdp",
            "expires_at": 1,
            "model": "m",
            "voice": "v",
            "transcript_settle_ms": 1,
            "user_segment_gap_ms": 1,
            "assistant_segment_gap_ms": 1,
            "idle_timeout_ms": 1,
        },
    )
    end = router.post(f"{ORIGIN}/gummies/agt_1/voice/sessions/v1/end").respond(
        200, json={"status": "ending"}
    )
    started = await run(client.voice.start("agt_1", session_id="ses_1", offer_sdp="offer"))
    request = route.calls.last.request
    assert body_of(request) == {
        "interaction_id": "ses_1",
        "offer_sdp": "offer",
        "is_incognito": False,
    }
    assert "team_id" not in request.url.params
    assert request.extensions["timeout"]["read"] == 33.0
    assert started.voice_session_id == "v1"
    assert (await run(client.voice.end("agt_1", "v1"))).status == "ending"
    assert end.called


async def test_browser_profile_item_calls_are_never_team_scoped(
    make_client: Any, router: Any
) -> None:
    client = make_client(team_id="team_c")
    profile = {"profile_id": "bp_1", "owner_id": "u", "owner_scope": "user", "name": "Work"}
    create = router.post("/browser-profiles").respond(200, json=profile)
    item = router.route(path="/browser-profiles/bp_1").respond(200, json=profile)
    listing = router.get("/browser-profiles").respond(200, json={"profiles": []})
    await run(client.browser_profiles.create("Work"))
    await run(client.browser_profiles.get("bp_1"))
    await run(client.browser_profiles.update("bp_1", is_default=True))
    assert "team_id" not in create.calls.last.request.url.params
    for call in item.calls:
        assert "team_id" not in call.request.url.params
    assert body_of(item.calls.last.request) == {"is_default": True}
    await run(client.browser_profiles.list())
    assert listing.calls.last.request.url.params["team_id"] == "team_c"


async def test_decisions_send_the_team_as_a_query_and_validate_first(
    client: Any, router: Any
) -> None:
    route = router.post("/decisions").respond(
        200,
        json={
            "answers": {"ok": {"type": "noul", "noul": 0.9}},
            "model": "m",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    )
    questions = {"ok": {"type": "noul", "instructions": "Is it fine?"}}
    answer = await run(
        client.decisions.create(team_id="team_x", model="m", state="text", questions=questions)
    )
    assert route.calls.last.request.url.params["team_id"] == "team_x"
    assert body_of(route.calls.last.request) == {
        "model": "m",
        "state": "text",
        "questions": questions,
    }
    assert answer.model == "m"
    with pytest.raises(GumloopError, match="invalid decisions request"):
        await run(client.decisions.create(model="m"))
    assert route.call_count == 1


async def test_models_route_requires_input_before_any_request(client: Any, router: Any) -> None:
    router.route().respond(200, json={})
    with pytest.raises(ValueError):
        await run(client.models.route(models=["a", "b"]))
    assert router.calls.call_count == 0


async def test_session_send_with_stream_true_returns_a_stream(client: Any, router: Any) -> None:
    route = router.post(f"{WS}/sessions/ses_1/messages").mock(
        return_value=sse_response(sse({"type": "finish", "final": True, "stream_cursor": "c1"}))
    )
    stream = await run(client.sessions.send("ses_1", input="Go", stream=True))
    events = await collect(stream)
    assert events[-1].final is True
    assert body_of(route.calls.last.request) == {"input": "Go", "stream": True}


async def test_session_upload_file_sends_base64(client: Any, router: Any) -> None:
    route = router.post("/sessions/ses_1/files").respond(
        200, json={"file_name": "a.txt", "size": 5}
    )
    result = await run(
        client.sessions.upload_file("ses_1", "a.txt", b"hello", media_type="text/plain")
    )
    assert body_of(route.calls.last.request) == {
        "file_name": "a.txt",
        "file_content": base64.b64encode(b"hello").decode(),
        "media_type": "text/plain",
    }
    assert result.size == 5


async def test_session_rename_and_retrieve(client: Any, router: Any) -> None:
    rename = router.patch("/sessions/ses_1").respond(200, json=session_json())
    router.get("/sessions/ses_1").respond(200, json=session_json(state="completed"))
    await run(client.sessions.update("ses_1", name="New name"))
    assert body_of(rename.calls.last.request) == {"name": "New name"}
    assert (await run(client.sessions.retrieve("ses_1"))).session.state == "completed"


def test_skill_sync_is_on_the_sync_client_and_sends_the_cli_version_header(router: Any) -> None:
    from gumloop_nb import AsyncGumloop, Gumloop

    route = router.post("/skills/sync/download").respond(200, content=b"PK\x03\x04zip")
    with Gumloop(api_key="k", base_url=API) as client:
        data = client.sync.download(organization_id="org_1")
    assert data == b"PK\x03\x04zip"
    assert "x-gumloop-cli-version" in route.calls.last.request.headers
    assert body_of(route.calls.last.request) == {"organization_id": "org_1"}
    assert not hasattr(AsyncGumloop(api_key="k"), "sync")  # as in the official SDK
