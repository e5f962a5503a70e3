"""Session queue endpoints and queued delivery with Idempotency-Key."""

from __future__ import annotations

import gumloop
import httpx
import pytest

import gumloop_nb
from gumloop_nb.emulator import serve
from gumloop_nb.emulator.store import SqliteStore
from gumloop_nb.errors import APIStatusError

from .conftest import AUTH, finished_session, make_agent, wait_for


def _running_session(http, text="Explain in detail how vector databases index embeddings"):
    agent = make_agent(http)
    r = http.post(f"/agents/{agent['id']}/sessions", json={"input": text})
    assert r.status_code == 202
    return r.json()["session"]["id"]


def _turns(http, sid, count):
    def done():
        s = finished_session(http, sid)
        users = [m["content"] for m in s["messages"] if m["role"] == "user"]
        answers = [m for m in s["messages"] if m["role"] == "assistant"]
        return (users, s) if len(answers) == count and s["state"] == "completed" else None

    return wait_for(done, timeout=30)


def test_queue_add_edit_delete_then_delivery_in_order(slow_http):
    sid = _running_session(slow_http)
    a = slow_http.post(f"/sessions/{sid}/queue", json={"input": "Repeat exactly: A"})
    assert a.status_code == 201
    qa = a.json()["queued_message"]
    assert qa["state"] == "queued" and qa["position"] == 1 and qa["input"] == "Repeat exactly: A"
    b = slow_http.post(f"/sessions/{sid}/queue", json={"input": "Repeat exactly: B"}).json()
    assert [q["position"] for q in b["queue"]] == [1, 2]
    qb = b["queued_message"]
    edited = slow_http.patch(
        f"/sessions/{sid}/queue/{qa['id']}", json={"input": "Repeat exactly: A2"}
    )
    assert edited.json()["queued_message"]["input"] == "Repeat exactly: A2"
    left = slow_http.delete(f"/sessions/{sid}/queue/{qb['id']}").json()["queue"]
    assert [q["id"] for q in left] == [qa["id"]]
    assert slow_http.delete(f"/sessions/{sid}/queue/{qb['id']}").status_code == 404
    assert slow_http.get(f"/sessions/{sid}/queue").json()["queue"][0]["input"].endswith("A2")
    users, session = _turns(slow_http, sid, 2)
    assert users[1] == "Repeat exactly: A2"
    assert session["messages"][-1]["content"] == "A2"
    assert slow_http.get(f"/sessions/{sid}/queue").json()["queue"] == []


def test_send_now_interrupts_the_running_turn_and_delivers_that_message(slow_http):
    sid = _running_session(slow_http)
    slow_http.post(f"/sessions/{sid}/queue", json={"input": "Repeat exactly: one"})
    second = slow_http.post(f"/sessions/{sid}/queue", json={"input": "Repeat exactly: two"})
    two = second.json()["queued_message"]["id"]
    r = slow_http.post(f"/sessions/{sid}/queue/{two}/send", json={})
    assert r.status_code == 200 and r.json()["session"]["state"] == "processing"
    order = [q["input"] for q in slow_http.get(f"/sessions/{sid}/queue").json()["queue"]]
    assert order == ["Repeat exactly: one"]
    # The first turn ended as cancelled; "two" runs, then the queue drains: "one".
    users, _session = _turns(slow_http, sid, 2)
    assert users[1:] == ["Repeat exactly: two", "Repeat exactly: one"]
    events = slow_http.get(f"/sessions/{sid}", params={"stream": "true"}).text
    assert '"finishReason": "cancelled"' in events


def test_send_now_on_a_stopped_session_delivers_it(slow_http):
    sid = _running_session(slow_http)
    waiting = slow_http.post(f"/sessions/{sid}/queue", json={"input": "Repeat exactly: later"})
    # Cancelling stops the run; the queue waits (it drains only after a completed run).
    slow_http.post(f"/sessions/{sid}/cancel", json={})
    assert len(slow_http.get(f"/sessions/{sid}/queue").json()["queue"]) == 1
    qid = waiting.json()["queued_message"]["id"]
    r = slow_http.post(f"/sessions/{sid}/queue/{qid}/send", json={})
    assert r.status_code == 200 and r.json()["session"]["state"] == "processing"
    users, session = _turns(slow_http, sid, 1)
    assert users[-1] == "Repeat exactly: later" and session["messages"][-1]["content"] == "later"


def test_queueing_on_an_idle_session_delivers_at_once(http):
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    r = http.post(f"/sessions/{sid}/queue", json={"input": "Repeat exactly: now"})
    assert r.status_code == 201
    assert r.json()["queued_message"]["state"] == "delivered" and r.json()["queue"] == []
    users, session = _turns(http, sid, 1)
    assert users == ["Repeat exactly: now"] and session["messages"][-1]["content"] == "now"


def test_queue_errors(http):
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    assert http.get("/sessions/nope/queue").status_code == 404
    assert http.post(f"/sessions/{sid}/queue", json={"input": "  "}).status_code == 400
    r = http.patch(f"/sessions/{sid}/queue/qmsg_nope", json={"input": "x"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "queued_message_not_found"
    assert http.post(f"/sessions/{sid}/queue/qmsg_nope/send", json={}).status_code == 404


def _queued(http, sid, text, key):
    return http.post(
        f"/sessions/{sid}/messages",
        json={"input": text, "delivery": "queued"},
        headers={"Idempotency-Key": key},
    )


def test_a_retried_queued_send_is_delivered_once(http):
    """Same key and body: the original receipt, one user message, one run."""
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    first = _queued(http, sid, "Repeat exactly: once", "key-1")
    again = _queued(http, sid, "Repeat exactly: once", "key-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    users, _ = _turns(http, sid, 1)
    # A retry after the run finished is still the same delivery.
    assert _queued(http, sid, "Repeat exactly: once", "key-1").json() == first.json()
    session = finished_session(http, sid)
    assert [m["content"] for m in session["messages"] if m["role"] == "user"] == users
    assert users == ["Repeat exactly: once"]


def test_a_reused_key_with_another_body_is_409_and_queues_nothing(slow_http):
    sid = _running_session(slow_http)
    assert _queued(slow_http, sid, "Repeat exactly: A", "k-2").status_code == 202
    r = _queued(slow_http, sid, "Repeat exactly: B", "k-2")
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_key_reused"
    queue = slow_http.get(f"/sessions/{sid}/queue").json()["queue"]
    assert [q["input"] for q in queue] == ["Repeat exactly: A"]
    other = _queued(slow_http, sid, "Repeat exactly: B", "k-3")
    assert other.status_code == 202
    assert len(slow_http.get(f"/sessions/{sid}/queue").json()["queue"]) == 2
    # Keys belong to their session.
    sid2 = _running_session(slow_http)
    assert _queued(slow_http, sid2, "Repeat exactly: C", "k-2").status_code == 202
    bad = _queued(slow_http, sid2, "x", "has space")
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "idempotency_key"
    slow_http.post(f"/sessions/{sid}/cancel", json={})
    slow_http.post(f"/sessions/{sid2}/cancel", json={})


@pytest.mark.parametrize("which", ["official", "ours"])
def test_the_clients_read_the_queue_and_get_one_receipt_per_key(em, which, closing):
    make = gumloop.Gumloop if which == "official" else gumloop_nb.Gumloop
    client = closing(make(api_key="k", base_url=em.base_url))
    agent = client.agents.create(name="Queue", model_name="claude-haiku-4-5")
    agent_id = agent.agent.id if hasattr(agent, "agent") else agent.id
    sid = client.sessions.create(agent_id).session.id
    r1 = client.sessions.send(sid, input="Hi", delivery="queued", idempotency_key="idem-x")
    r2 = client.sessions.send(sid, input="Hi", delivery="queued", idempotency_key="idem-x")
    assert r1.message_id == r2.message_id and r1.status == "accepted"
    errors = (gumloop.errors.APIStatusError, APIStatusError)
    with pytest.raises(errors) as info:
        client.sessions.send(sid, input="Other", delivery="queued", idempotency_key="idem-x")
    assert info.value.status_code == 409
    assert client.sessions.list_queue(sid).queue == []
    added = client.sessions.queue_message(sid, "Repeat exactly: later")
    assert added.queued_message.input == "Repeat exactly: later"


def test_a_queue_of_bare_texts_from_an_older_db_is_listed_and_editable(tmp_path):
    db = str(tmp_path / "old.db")
    with serve(speed=0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        agent = make_agent(h)
        sid = h.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    store = SqliteStore(db)
    doc = store.get("sessions", sid)
    doc["_queue"] = ["Repeat exactly: old one", "Repeat exactly: old two"]  # older format
    store.put("sessions", sid, doc)
    store.close()
    with serve(speed=0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        first = h.get(f"/sessions/{sid}/queue").json()["queue"]
        assert [q["input"] for q in first] == ["Repeat exactly: old one", "Repeat exactly: old two"]
        assert h.get(f"/sessions/{sid}/queue").json()["queue"] == first  # same ids each read
        edited = h.patch(
            f"/sessions/{sid}/queue/{first[1]['id']}", json={"input": "Repeat exactly: 2"}
        )
        assert edited.status_code == 200
        r = h.post(f"/sessions/{sid}/queue/{first[0]['id']}/send", json={})
        assert r.status_code == 200
        users, _ = _turns(h, sid, 2)
        assert users == ["Repeat exactly: old one", "Repeat exactly: 2"]
