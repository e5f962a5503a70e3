"""Fidelity: the same scenarios drive the emulator through the official `gumloop` SDK and
through our own `gumloop_nb.Gumloop`; both must pass unchanged.

Each scenario is a function taking (client, emulator); the parametrized test runs it with
each client. The official SDK is optional (`pip install gumloop==0.5.9`): skipped when absent.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from gumloop_nb.emulator import Emulator

SKILL_MD = b"---\nname: fidelity-skill\ndescription: Used by the fidelity suite\n---\nBody\n"


def _official(em: Emulator) -> Any:
    gumloop = pytest.importorskip("gumloop")
    return gumloop.Gumloop(api_key="k", base_url=em.base_url)


def _ours(em: Emulator) -> Any:
    from gumloop_nb import Gumloop

    return Gumloop(api_key="k", base_url=em.base_url)


CLIENTS = {"official": _official, "gumloop_nb": _ours}


@pytest.fixture(params=list(CLIENTS))
def client(request: pytest.FixtureRequest, em: Emulator) -> Iterator[Any]:
    c = CLIENTS[request.param](em)
    yield c
    c.close()


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


# -- scenarios ----------------------------------------------------------------------------------

MSG = [{"role": "user", "content": "Repeat exactly: fidelity <ok>"}]


def chat_unary_stream_and_schema(client: Any, em: Emulator) -> None:
    result = client.chat.completions.create(model="gpt-4.1", messages=MSG)
    assert result.choices[0].message.content == "fidelity <ok>"
    chunks = list(client.chat.completions.create(model="gpt-4.1", messages=MSG, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "fidelity <ok>"
    assert any(c.usage is not None and c.usage.cost is not None for c in chunks)
    schema = {"type": "object", "properties": {"name": {"type": "string"},
              "age": {"type": "integer", "minimum": 0, "maximum": 120}},
              "required": ["name", "age"], "additionalProperties": False}  # fmt: skip
    result = client.chat.completions.create(
        model="claude-sonnet-4-5",
        messages=[{"role": "user", "content": "Invent a person"}],
        response_format={"type": "json_schema", "json_schema": {"name": "p", "schema": schema}},
    )
    jsonschema.validate(json.loads(result.choices[0].message.content), schema)


def models_and_teams(client: Any, em: Emulator) -> None:
    groups = client.models.list().model_groups
    assert any(o["value"] == "claude-sonnet-4-5" for g in groups for o in g["options"])
    assert {t.id for t in client.teams.list().teams} >= {"team_demo"}


def agents_crud(client: Any, em: Emulator) -> None:
    agent = client.agents.create(name="Fidelity", model_name="claude-sonnet-4-5").agent
    assert client.agents.retrieve(agent.id).agent.name == "Fidelity"
    updated = client.agents.update(agent.id, name="Fidelity 2").agent
    assert updated.name == "Fidelity 2"
    assert any(a.id == agent.id for a in client.agents.list(search="Fidelity 2").agents)
    versions = client.agents.list_versions(agent.id).versions
    assert len(versions) == 2
    attached = client.agents.attach_mcp_server(agent.id, "datasets", approval_mode="off")
    assert attached.created is True
    assert client.agents.detach_mcp_server(agent.id, "datasets").detached is True
    assert client.agents.delete(agent.id).deleted is True


def agent_extras(client: Any, em: Emulator) -> None:
    agent = client.agents.create(name="Extras", model_name="gpt-4.1").agent
    helper = client.agents.create(name="Helper", model_name="gpt-4.1").agent
    abilities = client.agents.update_abilities(agent.id, web_search={"enabled": True})
    assert _get(_get(abilities.abilities, "web_search"), "enabled") is True
    assert client.agents.set_incognito(agent.id, True).agent.incognito.enforced is True
    ks = client.agents.attach_knowledge_source(agent.id, "notion")
    assert ks.knowledge_source.connector_id == "notion"
    assert len(client.agents.list_knowledge_sources(agent.id).knowledge_sources) == 1
    assert client.agents.detach_knowledge_source(agent.id, "notion").detached is True
    assert client.agents.attach_subagent(agent.id, helper.id).subagent_ids == [helper.id]
    assert client.agents.attach_subagent(agent.id, helper.id).changed is False
    assert client.agents.detach_subagent(agent.id, helper.id).changed is True
    assert client.agents.list_app_rules(agent.id).app_rules == []
    assert "daily" in client.agents.get_evaluation_options().frequencies
    assert client.agents.get_evaluation_metrics(agent.id, days=7).days == 7
    config = client.agents.update_evaluation_config(agent.id, enabled=True).config
    assert config.enabled is True
    assert client.agents.retrieve(agent.id).agent.version == 7
    list(client.sessions.stream(agent.id, input="Hello"))
    evaluations = client.agents.list_evaluations(agent.id).evaluations
    assert len(evaluations) == 1 and evaluations[0].grade == "pass"
    one = client.agents.get_evaluation(agent.id, evaluations[0].id).evaluation
    assert one.call_successful == "success"


def sessions_stream_resume_retrieve_cancel(client: Any, em: Emulator) -> None:
    agent = client.agents.create(name="Sessions", model_name="gpt-4.1").agent
    events = list(client.sessions.stream(agent.id, input="Repeat exactly: streamed words here"))
    assert events[-1].type == "finish" and events[-1].final is True
    assert events[-1].finish_reason == "stop"
    sid = events[0].model_extra["interaction_id"] if hasattr(events[0], "model_extra") else None
    sid = sid or events[0].stream_cursor.rsplit(":", 1)[0]
    replay = list(client.sessions.resume_stream(sid, events[2].stream_cursor))
    assert [e.stream_cursor for e in replay] == [e.stream_cursor for e in events[3:]]
    gone = list(client.sessions.resume_stream(sid, "nope:1"))
    assert gone[-1].finish_reason == "not_resumable"
    session = client.sessions.retrieve(sid).session
    assert session.state == "completed"
    assert _get(session.messages[-1], "content") == "streamed words here"
    created = client.sessions.create(agent.id)
    assert created.session.state == "idle"
    cancelled = client.sessions.cancel(created.session.id).session
    assert cancelled.id == created.session.id and cancelled.state == "idle"
    listed = client.sessions.list(agent.id, page_size=1)
    assert len(listed.sessions) == 1 and listed.next_cursor


def mcp_lists_and_batches(client: Any, em: Emulator) -> None:
    servers = {s.server_id for s in client.mcp.list_servers().servers}
    assert {"datasets", "gmail"} <= servers
    assert any(t.name == "query" for t in client.mcp.list_tools("datasets").tools)
    good = {"server_id": "datasets", "tool_name": "list_tables", "arguments": {}}
    bad = {"server_id": "gmail", "tool_name": "read_emails", "arguments": {}}
    homogeneous = client.mcp.execute_many([good, {**good, "ref": "mine"}]).results
    assert [r.status for r in homogeneous] == ["success", "success"]
    assert homogeneous[1].ref == "mine"
    mixed = client.mcp.execute_many([good, bad]).results  # 207 on the wire
    assert [r.status for r in mixed] == ["success", "unauthenticated"]
    assert _get(mixed[1].error, "code") == "auth_required"


def skills_lifecycle(client: Any, em: Emulator) -> None:
    skill = client.skills.create({"SKILL.md": SKILL_MD}).skill
    assert skill.name == "fidelity-skill"
    link = client.skills.download(skill.id)
    with zipfile.ZipFile(io.BytesIO(httpx.get(link.download_url).content)) as z:
        assert z.read("SKILL.md") == SKILL_MD
    assert client.skills.delete(skill.id).deleted is True


def artifacts_list_and_download(client: Any, em: Emulator) -> None:
    agent = client.agents.create(name="Artifacts", model_name="gpt-4.1").agent
    list(client.sessions.stream(agent.id, input="Export a CSV table of numbers one two"))
    arts = client.artifacts.list(agent.id).artifacts
    csv_art = next(a for a in arts if a.filename.endswith(".csv"))
    link = client.artifacts.download(csv_art.id)
    body = httpx.get(link.download_url)
    assert body.status_code == 200 and len(body.content) == link.size
    assert body.text.startswith("word,count,length")


SCENARIOS: dict[str, Callable[[Any, Emulator], None]] = {
    f.__name__: f
    for f in (
        chat_unary_stream_and_schema,
        models_and_teams,
        agents_crud,
        agent_extras,
        sessions_stream_resume_retrieve_cancel,
        mcp_lists_and_batches,
        skills_lifecycle,
        artifacts_list_and_download,
    )
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_scenario_passes_with_the_client(scenario: str, client: Any, em: Emulator) -> None:
    SCENARIOS[scenario](client, em)


# -- legacy flows client ------------------------------------------------------------------------


def _legacy(kind: str, em: Emulator) -> Any:
    if kind == "official":
        cls = pytest.importorskip("gumloop").GumloopClient
    else:
        from gumloop_nb import GumloopClient as cls
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        flows = cls("k", "usr_demo")
    flows.base_url = em.base_url
    return flows


@pytest.mark.parametrize("kind", list(CLIENTS))
def test_the_legacy_flows_client_runs_and_fails_flows(kind: str, em: Emulator) -> None:
    flows = _legacy(kind, em)
    outputs = flows.run_flow("summarize", {"text": "One. Two."}, poll_interval=0.01, timeout=10)
    assert outputs["summary"].startswith("One. Two.")
    records = flows.run_flow("table", {"count": 2}, poll_interval=0.01, timeout=10)["records"]
    assert [r["name"] for r in records] == ["Mercury", "Venus"]
    with pytest.raises(RuntimeError, match="failed"):
        flows.run_flow("fail", {}, poll_interval=0.01, timeout=10)
    flows.close()


# -- team scoping and the async clients ---------------------------------------------------------


def _client_class(kind: str, name: str) -> Any:
    if kind == "official":
        return getattr(pytest.importorskip("gumloop"), name)
    import gumloop_nb

    return getattr(gumloop_nb, name)


@pytest.mark.parametrize("kind", list(CLIENTS))
def test_a_team_scoped_client_creates_and_lists_within_its_team(kind: str, em: Emulator) -> None:
    cls = _client_class(kind, "Gumloop")
    with cls(api_key="k", base_url=em.base_url, team_id="team_research") as research:
        agent = research.agents.create(name=f"Team scoped {kind}", model_name="gpt-4.1").agent
        assert agent.team_id == "team_research"
        teams = {a.team_id for a in research.agents.list().agents}
        assert teams == {"team_research"}
        skill = research.skills.create({"SKILL.md": SKILL_MD}).skill
        assert skill.team_id == "team_research"
    with cls(api_key="k", base_url=em.base_url, team_id="team_demo") as demo:
        assert agent.id not in {a.id for a in demo.agents.list().agents}


@pytest.mark.parametrize("kind", list(CLIENTS))
async def test_the_async_client_streams_chat_and_sessions(kind: str, em: Emulator) -> None:
    cls = _client_class(kind, "AsyncGumloop")
    client = cls(api_key="k", base_url=em.base_url)
    try:
        stream = await client.chat.completions.create(model="gpt-4.1", messages=MSG, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        assert text == "fidelity <ok>"
        agent = (await client.agents.create(name="Async", model_name="gpt-4.1")).agent
        events = [e async for e in client.sessions.stream(agent.id, input="Repeat exactly: hi")]
        assert events[-1].finish_reason == "stop"
        assert (
            "".join(
                getattr(e, "delta", None) or (e.model_extra or {}).get("delta", "")
                for e in events
                if e.type == "text-delta"
            )
            == "hi"
        )
    finally:
        await client.aclose()


@pytest.mark.parametrize("kind", list(CLIENTS))
def test_cancelling_a_running_session_and_uploading_a_file(kind: str, slow_em: Emulator) -> None:
    cls = _client_class(kind, "Gumloop")
    with cls(api_key="k", base_url=slow_em.base_url) as client:
        agent = client.agents.create(name="Cancel me", model_name="claude-sonnet-4-5").agent
        created = client.sessions.create(agent.id, input="Write a long essay about rivers")
        assert created.session.state == "processing"
        cancelled = client.sessions.cancel(created.session.id).session
        assert (cancelled.id, cancelled.state) == (created.session.id, "failed")
        assert client.sessions.retrieve(created.session.id).session.state == "failed"
        uploaded = client.sessions.upload_file(
            created.session.id, "notes.txt", b"hello", media_type="text/plain"
        )
        assert (uploaded.file_name, uploaded.size) == ("notes.txt", 5)
