"""Tool calls that wait for approval, and POST /sessions/{id}/approvals."""

from __future__ import annotations

import json

import gumloop
import pytest

import gumloop_nb

from .conftest import finished_session, make_agent, sse_events, wait_for

PROMPT = "List the tables you can query"


def _waiting_session(http, mode="all"):
    agent = make_agent(http)
    r = http.put(f"/agents/{agent['id']}/mcp-servers/datasets", json={"approval_mode": mode})
    assert r.status_code == 200, r.text
    sid = http.post(f"/agents/{agent['id']}/sessions", json={"input": PROMPT}).json()["session"][
        "id"
    ]

    def pending():
        s = http.get(f"/sessions/{sid}").json()["session"]
        return s if s["pending_approvals"] else None

    return sid, wait_for(pending)


def _events(http, sid):
    with http.stream("GET", f"/sessions/{sid}", params={"stream": "true"}) as r:
        return [json.loads(f["data"]) for f in sse_events(r.read().decode())]


def test_a_tool_needing_approval_waits_then_runs_when_accepted(http):
    sid, session = _waiting_session(http)
    assert session["state"] == "processing"
    (pending,) = session["pending_approvals"]
    assert pending["tool_name"] == "list_tables" and pending["type"] == "tool_call"
    r = http.post(
        f"/sessions/{sid}/approvals",
        json={
            "approval_responses": [
                {"action_request_id": pending["action_request_id"], "action": "accept"}
            ]
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["results"] == [
        {
            "action_request_id": pending["action_request_id"],
            "action": "accept",
            "outcome": "accepted",
        }
    ]
    assert body["session"]["pending_approvals"] == []
    assert body["stream_cursor"].startswith(sid + ":")
    done = finished_session(http, sid)
    assert done["state"] == "completed"
    events = _events(http, sid)
    types = [e["type"] for e in events]
    assert types.index("data-approval-request") < types.index("tool-output-available")
    out = next(e for e in events if e["type"] == "tool-output-available")
    assert out["output"]["status"] == "success"
    # Answering again finds nothing waiting.
    again = http.post(
        f"/sessions/{sid}/approvals",
        json={
            "approval_responses": [
                {"action_request_id": pending["action_request_id"], "action": "accept"}
            ]
        },
    )
    assert again.json()["results"][0]["outcome"] == "not_pending"


def test_a_rejected_tool_is_not_run_and_the_answer_says_so(http):
    sid, session = _waiting_session(http)
    action = session["pending_approvals"][0]["action_request_id"]
    r = http.post(
        f"/sessions/{sid}/approvals",
        json={
            "approval_responses": [
                {"action_request_id": action, "action": "reject", "reason": "not now"}
            ]
        },
    )
    assert r.json()["results"][0]["outcome"] == "rejected"
    assert finished_session(http, sid)["state"] == "completed"
    out = next(e for e in _events(http, sid) if e["type"] == "tool-output-available")
    assert out["output"]["status"] == "rejected" and "not now" in out["output"]["error"]["message"]


def test_write_mode_asks_only_for_tools_that_change_things(http):
    agent = make_agent(http)
    http.put(f"/agents/{agent['id']}/mcp-servers/datasets", json={"approval_mode": "write"})
    sid = http.post(f"/agents/{agent['id']}/sessions", json={"input": PROMPT}).json()["session"][
        "id"
    ]
    done = finished_session(http, sid)
    assert done["state"] == "completed" and done["pending_approvals"] == []


def test_approvals_can_ride_on_a_streamed_send(http):
    sid, session = _waiting_session(http)
    action = session["pending_approvals"][0]["action_request_id"]
    body = {
        "stream": True,
        "approval_responses": [{"action_request_id": action, "action": "accept"}],
    }
    with http.stream("POST", f"/sessions/{sid}/messages", json=body) as r:
        assert r.status_code == 200
        events = [json.loads(f["data"]) for f in sse_events(r.read().decode())]
    assert events[-1]["type"] == "finish" and events[-1]["finishReason"] == "stop"
    assert any(e["type"] == "tool-output-available" for e in events)


def test_cancel_while_waiting_clears_the_pending_approval(http):
    sid, _session = _waiting_session(http)
    http.post(f"/sessions/{sid}/cancel", json={})
    s = http.get(f"/sessions/{sid}").json()["session"]
    assert s["state"] == "failed" and s["pending_approvals"] == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"approval_responses": []},
        {"approval_responses": [{"action_request_id": "a", "action": "maybe"}]},
        {"approval_responses": [{"action": "accept"}]},
        {
            "approval_responses": [
                {"action_request_id": f"a{i}", "action": "accept"} for i in range(21)
            ]
        },
    ],
)
def test_invalid_approval_bodies_are_400(http, body):
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    assert http.post(f"/sessions/{sid}/approvals", json=body).status_code == 400


def test_unknown_session_is_404(http):
    body = {"approval_responses": [{"action_request_id": "a", "action": "accept"}]}
    assert http.post("/sessions/nope/approvals", json=body).status_code == 404


@pytest.mark.parametrize("which", ["official", "ours"])
def test_the_clients_resolve_approvals(em, http, which, closing):
    client = closing(
        (gumloop.Gumloop if which == "official" else gumloop_nb.Gumloop)(
            api_key="k", base_url=em.base_url
        )
    )
    sid, session = _waiting_session(http)
    action = session["pending_approvals"][0]["action_request_id"]
    seen = client.sessions.retrieve(sid).session.pending_approvals
    assert seen[0].action_request_id == action
    r = client.sessions.resolve_approvals(
        sid, approval_responses=[{"action_request_id": action, "action": "accept"}]
    )
    assert r.results[0].outcome == "accepted"
    assert finished_session(http, sid)["state"] == "completed"
