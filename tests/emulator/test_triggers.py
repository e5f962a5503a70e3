"""Agent triggers: CRUD and validation, webhook and fire-now runs, runs listing and stats."""

from __future__ import annotations

import httpx
import pytest

from .conftest import finished_session, make_agent, wait_for


def _create(http: httpx.Client, agent_id: str, **body: object) -> httpx.Response:
    return http.post(f"/agents/{agent_id}/triggers", json=body)


def test_crud_lists_without_webhook_url_and_agent_counts_active(http):
    agent = make_agent(http)
    base = f"/agents/{agent['id']}/triggers"
    hook = _create(http, agent["id"], type="webhook", prompt="Summarise it")
    assert hook.status_code == 201
    created = hook.json()["trigger"]
    assert created["webhook_url"].startswith(str(http.base_url.copy_with(path="/")))
    sched = _create(http, agent["id"], type="schedule", prompt="Digest", cron_expression="0 9 * * 1-5",
                    timezone="Europe/Paris").json()["trigger"]  # fmt: skip
    assert sched["status"] == "active" and sched["webhook_url"] is None
    listed = http.get(base).json()
    assert {t["id"] for t in listed["triggers"]} == {created["id"], sched["id"]}
    assert all(t["webhook_url"] is None for t in listed["triggers"])
    assert http.get(f"/agents/{agent['id']}").json()["agent"]["active_trigger_count"] == 2

    patched = http.patch(f"{base}/{sched['id']}", json={"enabled": False, "name": "Paused"})
    assert patched.json()["trigger"]["status"] == "disabled"
    assert http.get(f"{base}/{sched['id']}").json()["trigger"]["name"] == "Paused"
    assert http.get(f"/agents/{agent['id']}").json()["agent"]["active_trigger_count"] == 1
    # run_at replaces the cron expression (the two exclude each other).
    moved = http.patch(f"{base}/{sched['id']}", json={"run_at": "2027-01-01T09:00:00Z"})
    assert moved.json()["trigger"]["cron_expression"] is None

    gone = http.delete(f"{base}/{created['id']}").json()
    assert gone == {"agent_id": agent["id"], "trigger_id": created["id"], "deleted": True}
    assert http.delete(f"{base}/{created['id']}").json()["deleted"] is False
    assert http.get(f"{base}/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"type": "cron", "prompt": "x"}, "type"),
        ({"type": "schedule", "prompt": "x"}, "run_at"),
        ({"type": "schedule", "prompt": "x", "cron_expression": "0 25 * * *"}, "cron_expression"),
        ({"type": "schedule", "prompt": "x", "cron_expression": "* * *"}, "cron_expression"),
        ({"type": "schedule", "prompt": "x", "run_at": "tomorrow"}, "run_at"),
        ({"type": "schedule", "prompt": "x", "cron_expression": "@daily", "timezone": "Mars/Base"},
         "timezone"),
        ({"type": "webhook", "prompt": "x", "cron_expression": "0 9 * * *"}, "cron_expression"),
        ({"type": "webhook", "prompt": " "}, "prompt"),
        ({"type": "integration", "prompt": "x"}, "integration"),
        ({"type": "integration", "prompt": "x", "integration": {"operator_name": "slack_new_message"}},
         "integration.parameters"),
        ({"type": "webhook", "prompt": "x", "max_failures": 0}, "max_failures"),
    ],
)  # fmt: skip
def test_invalid_bodies_are_refused_naming_the_field(http, body, param):
    agent = make_agent(http)
    r = _create(http, agent["id"], **body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == param


def test_webhook_fires_a_session_with_the_raw_data_and_runs_follow_it(http, em):
    agent = make_agent(http)
    trigger = _create(http, agent["id"], type="webhook", prompt="Summarise the event",
                      pass_raw_data=True).json()["trigger"]  # fmt: skip
    url = trigger["webhook_url"]
    with httpx.Client() as anonymous:  # no bearer token: the URL is the credential
        fired = anonymous.post(url, json={"event": "deploy", "service": "api"})
        assert fired.status_code == 202, fired.text
        assert anonymous.post(url[:-3] + "xyz", json={}).status_code == 404
    sid = fired.json()["session_id"]
    session = finished_session(http, sid)
    assert session["type"] == "trigger" and session["trigger_id"] == trigger["id"]
    assert '"service": "api"' in session["messages"][0]["content"]
    runs = http.get(f"/agents/{agent['id']}/triggers/{trigger['id']}/runs").json()["items"]
    assert [r["interaction_id"] for r in runs] == [sid]
    assert runs[0]["state"] == "completed" and runs[0]["finished_ts"]
    assert runs[0]["gummie_trigger_run_id"] == fired.json()["run_id"]
    only_failed = http.get(f"/agents/{agent['id']}/triggers/{trigger['id']}/runs",
                           params={"state": "failed,running"}).json()["items"]  # fmt: skip
    assert only_failed == []
    stats = http.get(f"/agents/{agent['id']}/triggers/{trigger['id']}/stats").json()
    assert stats["run_count"] == 1 and stats["last_run_ts"] == runs[0]["created_ts"]
    assert stats["total_credits"] == stats["run_credits"] == runs[0]["credit_cost"] > 0
    listed = http.get(f"/agents/{agent['id']}/sessions", params={"trigger_id": trigger["id"]})
    assert [s["id"] for s in listed.json()["sessions"]] == [sid]


def test_fire_now_runs_a_schedule_and_refuses_a_disabled_trigger(http):
    agent = make_agent(http)
    base = f"/agents/{agent['id']}/triggers"
    sched = _create(http, agent["id"], type="schedule", prompt="Daily digest",
                    cron_expression="30 8 * * mon-fri").json()["trigger"]  # fmt: skip
    fired = http.post(f"{base}/{sched['id']}/fire")
    assert fired.status_code == 202
    finished_session(http, fired.json()["session_id"])
    assert http.get(f"{base}/{sched['id']}").json()["trigger"]["last_run_at"]
    http.patch(f"{base}/{sched['id']}", json={"enabled": False})
    refused = http.post(f"{base}/{sched['id']}/fire")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "trigger_disabled"
    integration = _create(http, agent["id"], type="integration", prompt="New issue",
                          integration={"operator_name": "github_new_issue",
                                       "parameters": {"repository": "o/r"}}).json()["trigger"]  # fmt: skip
    assert integration["enabled"] is False  # integration triggers start disabled
    assert integration["integration"]["operator_version"]
    assert http.post(f"{base}/{integration['id']}/fire").status_code == 409


def test_replacing_an_active_integration_needs_an_explicit_enabled(http):
    agent = make_agent(http)
    base = f"/agents/{agent['id']}/triggers"
    config = {"operator_name": "slack_new_message", "parameters": {"channel_id": "C1"}}
    trig = _create(http, agent["id"], type="integration", prompt="p", enabled=True,
                   integration=config).json()["trigger"]  # fmt: skip
    new = {"operator_name": "slack_new_message", "parameters": {"channel_id": "C2"}}
    r = http.patch(f"{base}/{trig['id']}", json={"integration": new})
    assert r.status_code == 409
    r = http.patch(f"{base}/{trig['id']}", json={"integration": new, "enabled": True})
    assert r.json()["trigger"]["integration"]["parameters"] == {"channel_id": "C2"}


def test_official_sdk_reads_every_trigger_shape(em, closing):
    gumloop = pytest.importorskip("gumloop")
    client = closing(gumloop.Gumloop(api_key="k", base_url=em.base_url))
    agent = client.agents.create(name="Triggers", model_name="claude-sonnet-4-5").agent
    hook = client.agents.create_trigger(agent.id, type="webhook", prompt="Go").trigger
    assert client.agents.get_trigger_webhook_url(agent.id, hook.id).webhook_url == hook.webhook_url
    fired = httpx.post(hook.webhook_url, content=b"plain text body")
    assert fired.status_code == 202
    wait_for(lambda: client.agents.list_trigger_runs(agent.id, hook.id, states=["completed"]).items)
    assert client.agents.get_trigger_stats(agent.id, hook.id).run_count == 1
    assert client.agents.retrieve(agent.id).agent.triggers[0].id == hook.id
    ops = client.agents.list_trigger_operators(agent.id).operators
    assert all(op.parameters for op in ops)


def test_a_webhook_of_a_deleted_agent_is_gone(http):
    agent = make_agent(http)
    url = _create(http, agent["id"], type="webhook", prompt="p").json()["trigger"]["webhook_url"]
    assert http.delete(f"/agents/{agent['id']}").json()["deleted"] is True
    r = httpx.post(url, json={})
    assert r.status_code == 404 and r.json()["error"]["code"] == "webhook_not_found"
