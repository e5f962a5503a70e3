"""Coverage: every public method of the official ``gumloop`` 0.5.9 SDK works against the emulator.

The official SDK is the specification: its resource methods are enumerated by introspection of
a client object (``client.<resource>.<method>``, nested resources such as
``client.chat.completions`` included), and each one is called against the emulator with valid
arguments. A call must succeed; in particular none may meet ``404 route_not_found`` or ``405``.

- A method added to the SDK without an entry in ``CALLS`` fails
  ``test_every_official_method_has_a_call`` (write its call, then make its route work).
- The same calls run through ``gumloop_nb.Gumloop`` (a drop-in client must accept them).
- ``PENDING`` lists methods whose routes are known to be missing; such a call must still fail
  with 404 ``route_not_found``, so the list cannot silently go stale when a route lands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from gumloop_nb.emulator import Emulator

from .conftest import AUTH, finished_session, wait_for

gumloop = pytest.importorskip("gumloop")

#: Methods whose routes are known to be missing, each with the reason. Shrink it as routes land.
PENDING: dict[str, str] = {}

SKILL_MD = b"---\nname: coverage-skill\ndescription: Used by the coverage suite\n---\nBody\n"
OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
REDIRECT = "http://127.0.0.1:9/callback"


def sdk_methods(client: Any) -> dict[str, Callable[..., Any]]:
    """``{"resource.method": bound method}`` for every public method of the client's resources."""
    root = type(client).__module__.split(".")[0]
    found: dict[str, Callable[..., Any]] = {}

    def walk(obj: Any, prefix: str, depth: int) -> None:
        for name in dir(obj):
            if name.startswith("_"):
                continue
            value = getattr(obj, name)
            if callable(value) and not isinstance(value, type):
                if prefix:
                    found[f"{prefix}{name}"] = value
            elif type(value).__module__.split(".")[0] == root and depth < 2:
                walk(value, f"{prefix}{name}.", depth + 1)

    walk(client, "", 0)
    return found


@dataclass
class Ids:
    """Objects the calls work on, created once per emulator over plain HTTP."""

    agent: str
    helper: str
    session: str
    busy: str  # a session whose run waits on a tool approval (so queued messages wait too)
    skill: str
    artifact: str
    trigger: str
    org_eval: str
    org_result: str


def _setup(em: Emulator) -> Ids:
    with httpx.Client(base_url=em.base_url, headers=AUTH, timeout=20) as http:

        def agent(name: str) -> str:
            r = http.post("/agents", json={"name": name, "model_name": "gpt-4.1"})
            assert r.status_code == 201, r.text
            return str(r.json()["agent"]["id"])

        def session(agent_id: str, text: str) -> str:
            r = http.post(f"/agents/{agent_id}/sessions", json={"input": text})
            sid = str(r.json()["session"]["id"])
            finished_session(http, sid)
            return sid

        main, helper = agent("Coverage"), agent("Coverage helper")
        sid = session(main, "Export a CSV table of numbers one two")
        artifacts = http.get(f"/agents/{main}/artifacts").json()["artifacts"]
        busy_agent = agent("Coverage approvals")
        http.put(f"/agents/{busy_agent}/mcp-servers/datasets", json={"approval_mode": "all"})
        busy = http.post(f"/agents/{busy_agent}/sessions",
                         json={"input": "List the tables you can query"}).json()["session"]["id"]  # fmt: skip
        wait_for(lambda: http.get(f"/sessions/{busy}").json()["session"]["pending_approvals"])
        skill = http.post("/skills", files=[("files", ("SKILL.md", SKILL_MD, "text/markdown"))])
        trigger = http.post(f"/agents/{main}/triggers", json={"type": "webhook", "prompt": "Go"})
        httpx.post(trigger.json()["trigger"]["webhook_url"], json={"n": 1})
        ev = http.post("/evaluations", json={"organization_id": "org_demo", "name": "Coverage"})
        ev_id = ev.json()["evaluation"]["id"]
        http.put(f"/evaluations/{ev_id}/targets", json={"targets": [{"type": "agent", "id": main}]})
        run = http.post(f"/evaluations/{ev_id}/run", json={"session_ids": [sid]}).json()
        return Ids(
            agent=main,
            helper=helper,
            session=sid,
            busy=busy,
            skill=skill.json()["skill"]["id"],
            artifact=artifacts[0]["id"],
            trigger=trigger.json()["trigger"]["id"],
            org_eval=ev_id,
            org_result=run["results"][0]["id"],
        )


# -- helpers used by calls that need a fresh object ------------------------------------------------


def _fresh_session(c: Any, x: Ids) -> str:
    sid = c.sessions.create(x.agent).session.id
    return str(sid)


def _fresh_artifact(c: Any, x: Ids) -> str:
    list(c.sessions.stream(x.agent, input="Export a CSV table of numbers five six"))
    return str(c.artifacts.list(x.agent, sort_order="newest").artifacts[0].id)


def _source(c: Any) -> str:
    return str(c.brain.create_source("Coverage notes").source.id)


def _source_with_file(c: Any) -> tuple[str, str]:
    source = _source(c)
    uploaded = c.brain.upload_files(source, {"notes.md": b"# Notes\nCoverage text."})
    return source, uploaded.files[0].id


def _waiting_session(c: Any, x: Ids) -> str:
    """Another session waiting on a tool approval (send-now interrupts the run it is given)."""
    agent_id = c.sessions.retrieve(x.busy).session.agent_id
    sid = str(c.sessions.create(agent_id, input="List the tables you can query").session.id)
    wait_for(lambda: c.sessions.retrieve(sid).session.pending_approvals)
    return sid


def _queued(c: Any, x: Ids) -> str:
    return str(c.sessions.queue_message(x.busy, "Then summarise").queued_message.id)


def _tokens(c: Any) -> dict[str, Any]:
    client_id = c.oauth.register_client(REDIRECT)["client_id"]
    url, verifier, _state = c.oauth.build_authorization_url(client_id, REDIRECT)
    location = httpx.get(url).headers["location"]
    code = parse_qs(urlparse(location).query)["code"][0]
    token = c.oauth.exchange_code(client_id, code, REDIRECT, verifier)
    return {"client_id": client_id, **token}


def _first_version(c: Any, x: Ids) -> str:
    return str(c.agents.list_versions(x.agent).versions[0].id)


def _first_evaluation(c: Any, x: Ids) -> str:
    return str(c.agents.list_evaluations(x.agent).evaluations[0].id)


A = "agents."
CALLS: dict[str, Callable[[Any, Ids], Any]] = {
    # agents: core, attachments, settings
    A + "list": lambda c, x: c.agents.list(page_size=5),
    A + "create": lambda c, x: c.agents.create(name="Created", model_name="gpt-4.1"),
    A + "retrieve": lambda c, x: c.agents.retrieve(x.agent),
    A + "update": lambda c, x: c.agents.update(x.agent, description="Updated by coverage"),
    A + "delete": lambda c, x: c.agents.delete(c.agents.create(name="Doomed").agent.id),
    A + "list_versions": lambda c, x: c.agents.list_versions(x.agent),
    A + "get_version": lambda c, x: c.agents.get_version(x.agent, _first_version(c, x)),
    A + "attach_skills": lambda c, x: c.agents.attach_skills(x.agent, [x.skill]),
    A + "detach_skills": lambda c, x: c.agents.detach_skills(x.agent, x.skill),
    A + "list_skills": lambda c, x: c.agents.list_skills(x.agent),
    A + "attach_mcp_server": lambda c, x: c.agents.attach_mcp_server(
        x.agent, "gmail", approval_mode="off"
    ),
    A + "detach_mcp_server": lambda c, x: c.agents.detach_mcp_server(x.agent, "gmail"),
    A + "list_mcp_servers": lambda c, x: c.agents.list_mcp_servers(x.agent),
    A + "update_abilities": lambda c, x: c.agents.update_abilities(
        x.agent, web_search={"enabled": True}
    ),
    A + "set_incognito": lambda c, x: c.agents.set_incognito(x.agent, False),
    A + "list_knowledge_sources": lambda c, x: c.agents.list_knowledge_sources(x.agent),
    A + "attach_knowledge_source": lambda c, x: c.agents.attach_knowledge_source(x.agent, "notion"),
    A + "detach_knowledge_source": lambda c, x: c.agents.detach_knowledge_source(x.agent, "notion"),
    A + "attach_subagent": lambda c, x: c.agents.attach_subagent(x.agent, x.helper),
    A + "detach_subagent": lambda c, x: c.agents.detach_subagent(x.agent, x.helper),
    A + "list_app_rules": lambda c, x: c.agents.list_app_rules(x.agent),
    # agents: triggers
    A + "list_triggers": lambda c, x: c.agents.list_triggers(x.agent, page_size=5),
    A + "create_trigger": lambda c, x: c.agents.create_trigger(
        x.agent, type="schedule", prompt="Digest", cron_expression="0 9 * * 1-5"
    ),
    A + "get_trigger": lambda c, x: c.agents.get_trigger(x.agent, x.trigger),
    A + "update_trigger": lambda c, x: c.agents.update_trigger(x.agent, x.trigger, name="Hook"),
    A + "delete_trigger": lambda c, x: c.agents.delete_trigger(
        x.agent, c.agents.create_trigger(x.agent, type="webhook", prompt="Bye").trigger.id
    ),
    A + "get_trigger_webhook_url": lambda c, x: c.agents.get_trigger_webhook_url(
        x.agent, x.trigger
    ),
    A + "list_trigger_operators": lambda c, x: c.agents.list_trigger_operators(x.agent),
    A + "list_trigger_runs": lambda c, x: c.agents.list_trigger_runs(
        x.agent, x.trigger, states=["completed", "running"]
    ),
    A + "get_trigger_stats": lambda c, x: c.agents.get_trigger_stats(x.agent, x.trigger),
    # agents: evaluation
    A + "get_evaluation_options": lambda c, x: c.agents.get_evaluation_options(),
    A + "get_evaluation_config": lambda c, x: c.agents.get_evaluation_config(x.agent),
    A + "update_evaluation_config": lambda c, x: c.agents.update_evaluation_config(
        x.agent, enabled=True
    ),
    A + "list_evaluations": lambda c, x: c.agents.list_evaluations(x.agent, grade="pass"),
    A + "get_evaluation": lambda c, x: c.agents.get_evaluation(x.agent, _first_evaluation(c, x)),
    A + "get_evaluation_metrics": lambda c, x: c.agents.get_evaluation_metrics(x.agent, days=7),
    A + "run_evaluations": lambda c, x: c.agents.run_evaluations(
        x.agent, session_ids=[x.session], dry_run=True
    ),
    # artifacts
    "artifacts.list": lambda c, x: c.artifacts.list(x.agent),
    "artifacts.download": lambda c, x: c.artifacts.download(x.artifact),
    "artifacts.delete": lambda c, x: c.artifacts.delete(_fresh_artifact(c, x)),
    "artifacts.rename": lambda c, x: c.artifacts.rename(x.artifact, "renamed.csv"),
    "artifacts.list_versions": lambda c, x: c.artifacts.list_versions(x.artifact),
    "artifacts.set_password": lambda c, x: c.artifacts.set_password(x.artifact, "s3cret-pass"),
    "artifacts.get_access": lambda c, x: c.artifacts.get_access(x.artifact),
    "artifacts.update_access": lambda c, x: c.artifacts.update_access(
        x.artifact, link={"mode": "anyone", "role": "viewer"}
    ),
    # brain
    "brain.search": lambda c, x: c.brain.search("expense policy", limit=3),
    "brain.list_sources": lambda c, x: c.brain.list_sources(page_size=5),
    "brain.create_source": lambda c, x: _source(c),
    "brain.get_source": lambda c, x: c.brain.get_source(_source(c)),
    "brain.delete_source": lambda c, x: c.brain.delete_source(_source(c)),
    "brain.sync_source": lambda c, x: c.brain.sync_source(_source(c)),
    "brain.approve_source": lambda c, x: c.brain.approve_source(
        c.brain.create_source("Needs approval", require_approval=True).source.id
    ),
    "brain.get_estimate": lambda c, x: c.brain.get_estimate(_source(c)),
    "brain.list_sync_runs": lambda c, x: c.brain.list_sync_runs(_source(c)),
    "brain.list_source_issues": lambda c, x: c.brain.list_source_issues(_source(c)),
    "brain.list_source_children": lambda c, x: c.brain.list_source_children(_source(c)),
    "brain.list_files": lambda c, x: c.brain.list_files(_source_with_file(c)[0]),
    "brain.upload_files": lambda c, x: _source_with_file(c),
    "brain.delete_file": lambda c, x: c.brain.delete_file(*_source_with_file(c)),
    # browser profiles
    "browser_profiles.list": lambda c, x: c.browser_profiles.list(),
    "browser_profiles.create": lambda c, x: c.browser_profiles.create("Coverage"),
    "browser_profiles.get": lambda c, x: c.browser_profiles.get(
        c.browser_profiles.create("Get me").profile_id
    ),
    "browser_profiles.update": lambda c, x: c.browser_profiles.update(
        c.browser_profiles.create("Rename me").profile_id, name="Renamed", is_default=True
    ),
    "browser_profiles.delete": lambda c, x: c.browser_profiles.delete(
        c.browser_profiles.create("Delete me").profile_id
    ),
    "browser_profiles.import_cookies": lambda c, x: c.browser_profiles.import_cookies(
        c.browser_profiles.create("Jar").profile_id,
        url="https://example.com",
        cookies=[{"name": "sid", "value": "1"}],
    ),
    # chat, decisions, models
    "chat.completions.create": lambda c, x: c.chat.completions.create(
        model="gpt-4.1", messages=[{"role": "user", "content": "Say hi"}]
    ),
    "decisions.create": lambda c, x: c.decisions.create(
        model="claude-sonnet-4-5",
        state="The delivery was late and the box was damaged.",
        questions={
            "mood": {
                "type": "choice",
                "instructions": "Customer mood?",
                "criteria": {"happy": "pleased", "unhappy": "complaining"},
            }
        },
    ),
    "models.list": lambda c, x: c.models.list(),
    "models.route": lambda c, x: c.models.route(input="Summarise this report"),
    # organization evaluations
    "evaluations.options": lambda c, x: c.evaluations.options(),
    "evaluations.list": lambda c, x: c.evaluations.list("org_demo", page_size=5),
    "evaluations.create": lambda c, x: c.evaluations.create(organization_id="org_demo", name="New"),
    "evaluations.retrieve": lambda c, x: c.evaluations.retrieve(x.org_eval),
    "evaluations.update": lambda c, x: c.evaluations.update(x.org_eval, description="Checked"),
    "evaluations.delete": lambda c, x: c.evaluations.delete(
        c.evaluations.create(organization_id="org_demo", name="Doomed").evaluation.id
    ),
    "evaluations.set_targets": lambda c, x: c.evaluations.set_targets(
        c.evaluations.create(organization_id="org_demo", name="Targets").evaluation.id,
        [{"type": "organization"}],
    ),
    "evaluations.run": lambda c, x: c.evaluations.run(x.org_eval, x.session, dry_run=True),
    "evaluations.list_results": lambda c, x: c.evaluations.list_results(x.org_eval, grade="pass"),
    "evaluations.get_result": lambda c, x: c.evaluations.get_result(x.org_eval, x.org_result),
    "evaluations.metrics": lambda c, x: c.evaluations.metrics(x.org_eval, days=7),
    # MCP
    "mcp.list_servers": lambda c, x: c.mcp.list_servers(),
    "mcp.get_server": lambda c, x: c.mcp.get_server("datasets"),
    "mcp.list_accounts": lambda c, x: c.mcp.list_accounts("datasets"),
    "mcp.list_tools": lambda c, x: c.mcp.list_tools("datasets"),
    "mcp.list_resources": lambda c, x: c.mcp.list_resources("datasets"),
    "mcp.get_resource": lambda c, x: c.mcp.get_resource(
        "datasets", c.mcp.list_resources("datasets").resources[0].uri
    ),
    "mcp.list_prompts": lambda c, x: c.mcp.list_prompts("datasets"),
    "mcp.get_prompt": lambda c, x: c.mcp.get_prompt(
        "datasets", c.mcp.list_prompts("datasets").prompts[0].name, {"table": "planets"}
    ),
    "mcp.execute": lambda c, x: c.mcp.execute("datasets", "list_tables"),
    "mcp.execute_many": lambda c, x: c.mcp.execute_many(
        [{"server_id": "datasets", "tool_name": "list_tables", "arguments": {}}]
    ),
    "mcp.close": lambda c, x: None,  # makes no request (and would close the shared client)
    # OAuth (no bearer; at the origin root)
    "oauth.register_client": lambda c, x: c.oauth.register_client(REDIRECT),
    "oauth.build_authorization_url": lambda c, x: c.oauth.build_authorization_url(
        "gumloop_cli", "http://127.0.0.1:8976/callback"
    ),
    "oauth.exchange_code": lambda c, x: _tokens(c),
    "oauth.refresh_token": lambda c, x: (
        lambda t: c.oauth.refresh_token(t["client_id"], t["refresh_token"])
    )(_tokens(c)),
    "oauth.revoke": lambda c, x: (lambda t: c.oauth.revoke(t["client_id"], t["access_token"]))(
        _tokens(c)
    ),
    "organizations.list": lambda c, x: c.organizations.list(),
    "teams.list": lambda c, x: c.teams.list(),
    # sessions
    "sessions.list": lambda c, x: c.sessions.list(x.agent, state="completed", page_size=5),
    "sessions.create": lambda c, x: c.sessions.create(x.agent),
    "sessions.stream": lambda c, x: list(c.sessions.stream(x.agent, input="Hello")),
    "sessions.retrieve": lambda c, x: c.sessions.retrieve(x.session),
    "sessions.send": lambda c, x: c.sessions.send(_fresh_session(c, x), input="Hello"),
    "sessions.stream_message": lambda c, x: list(
        c.sessions.stream_message(_fresh_session(c, x), input="Hello")
    ),
    "sessions.resume_stream": lambda c, x: list(
        c.sessions.resume_stream(x.session, last_cursor=f"{x.session}:1")
    ),
    "sessions.cancel": lambda c, x: c.sessions.cancel(_fresh_session(c, x)),
    "sessions.update": lambda c, x: c.sessions.update(x.session, name="Renamed"),
    "sessions.upload_file": lambda c, x: c.sessions.upload_file(x.session, "a.txt", b"hello"),
    "sessions.resolve_approvals": lambda c, x: c.sessions.resolve_approvals(
        x.busy, approval_responses=[{"action_request_id": "act_unknown", "action": "reject"}]
    ),
    "sessions.list_queue": lambda c, x: c.sessions.list_queue(x.busy),
    "sessions.queue_message": lambda c, x: _queued(c, x),
    "sessions.edit_queued_message": lambda c, x: c.sessions.edit_queued_message(
        x.busy, _queued(c, x), "Edited"
    ),
    "sessions.delete_queued_message": lambda c, x: c.sessions.delete_queued_message(
        x.busy, _queued(c, x)
    ),
    "sessions.send_queued_message": lambda c, x: (
        lambda sid: c.sessions.send_queued_message(
            sid, c.sessions.queue_message(sid, "Now").queued_message.id
        )
    )(_waiting_session(c, x)),
    "sessions.get_access": lambda c, x: c.sessions.get_access(x.session),
    "sessions.update_access": lambda c, x: c.sessions.update_access(
        x.session, link={"mode": "anyone", "role": "viewer"}
    ),
    # skills and skill sync
    "skills.list": lambda c, x: c.skills.list(page_size=5),
    "skills.create": lambda c, x: c.skills.create({"SKILL.md": SKILL_MD}),
    "skills.update": lambda c, x: c.skills.update(x.skill, {"SKILL.md": SKILL_MD + b"More\n"}),
    "skills.download": lambda c, x: c.skills.download(x.skill),
    "skills.delete": lambda c, x: c.skills.delete(c.skills.create({"SKILL.md": SKILL_MD}).skill.id),
    "skills.get_access": lambda c, x: c.skills.get_access(x.skill),
    "skills.update_access": lambda c, x: c.skills.update_access(
        x.skill, share=[{"type": "person", "email": "grace@example.com", "role": "viewer"}]
    ),
    "sync.plan": lambda c, x: c.sync.plan(),
    "sync.download": lambda c, x: c.sync.download(),
    # voice, wiki
    "voice.start": lambda c, x: c.voice.start(x.agent, session_id=x.session, offer_sdp=OFFER),
    "voice.end": lambda c, x: c.voice.end(
        x.agent, c.voice.start(x.agent, session_id=x.session, offer_sdp=OFFER).voice_session_id
    ),
    "wiki.query": lambda c, x: c.wiki.query(type="person"),
}


def _official(em: Emulator) -> Any:
    return gumloop.Gumloop(api_key="k", base_url=em.base_url)


def _ours(em: Emulator) -> Any:
    from gumloop_nb import Gumloop

    return Gumloop(api_key="k", base_url=em.base_url)


CLIENTS = {"official": _official, "gumloop_nb": _ours}


@pytest.fixture(scope="module")
def ids(em: Emulator) -> Ids:
    return _setup(em)


@pytest.fixture(scope="module", params=list(CLIENTS))
def client(request: pytest.FixtureRequest, em: Emulator) -> Iterator[Any]:
    c = CLIENTS[request.param](em)
    yield c
    c.close()


def _official_names() -> list[str]:
    return sorted(sdk_methods(gumloop.Gumloop(api_key="k", base_url="http://127.0.0.1:9")))


def test_every_official_method_has_a_call():
    names = set(_official_names())
    missing = sorted(names - set(CALLS))
    assert not missing, f"official SDK methods without a coverage call (add one): {missing}"
    assert not sorted(set(CALLS) - names), "calls for methods the SDK no longer has"
    assert len(names) >= 127  # the 0.5.9 surface; a shrinking count means enumeration broke


def test_our_client_has_every_official_method():
    from gumloop_nb import Gumloop

    ours = set(sdk_methods(Gumloop(api_key="k", base_url="http://127.0.0.1:9")))
    assert set(_official_names()) <= ours


def _no_route(exc: BaseException) -> bool:
    status = getattr(exc, "status_code", None)
    code = getattr(exc, "code", None)
    return status in (404, 405) and code in ("route_not_found", "method_not_allowed")


@pytest.mark.parametrize("name", sorted(CALLS))
def test_method_is_answered(client: Any, ids: Ids, name: str) -> None:
    call = CALLS[name]
    if name in PENDING:
        with pytest.raises(Exception) as info:
            call(client, ids)
        assert _no_route(info.value), (
            f"{name} no longer lacks a route ({info.value!r}); remove it from PENDING"
        )
        return
    try:
        call(client, ids)
    except Exception as exc:  # report which method and whether it was a missing route
        kind = "has no route" if _no_route(exc) else "failed"
        pytest.fail(f"{name} {kind}: {type(exc).__name__}: {exc}")
