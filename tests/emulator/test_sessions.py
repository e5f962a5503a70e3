"""Sessions: states, messages, SSE cursors, resume, cancel, artifacts from runs."""

from __future__ import annotations

import json

import httpx

from .conftest import finished_session, make_agent, sse_events, wait_for


def _stream(http: httpx.Client, method: str, path: str, **kw) -> list[dict]:
    with http.stream(method, path, **kw) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        frames = sse_events(r.read().decode())
    events = []
    for f in frames:
        payload = json.loads(f["data"])
        assert payload["type"] == f["event"]
        events.append(payload)
    return events


def test_a_session_without_input_is_an_idle_stub_with_201(http):
    agent = make_agent(http)
    r = http.post(f"/agents/{agent['id']}/sessions", json={})
    assert r.status_code == 201
    assert r.json()["session"]["state"] == "idle" and r.json()["session"]["messages"] == []


def test_a_session_with_input_is_accepted_with_202_and_completes_with_a_reply(http):
    agent = make_agent(http, system_prompt="Be brief.")
    r = http.post(f"/agents/{agent['id']}/sessions", json={"input": "Repeat exactly: ping <b>"})
    assert r.status_code == 202
    session = r.json()["session"]
    assert session["state"] == "processing"
    assert session["messages"][0]["role"] == "user"
    done = finished_session(http, session["id"])
    assert done["state"] == "completed"
    assert done["messages"][-1]["role"] == "assistant"
    assert done["messages"][-1]["content"] == "ping <b>"
    assert done["usage"]["input_tokens"] > 0 and done["usage"]["output_tokens"] > 0
    assert done["usage"]["credit_cost"] > 0


def test_a_taken_session_id_is_a_409(http):
    agent = make_agent(http)
    http.post(f"/agents/{agent['id']}/sessions", json={"session_id": "ses_taken_1"})
    r = http.post(f"/agents/{agent['id']}/sessions", json={"session_id": "ses_taken_1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "session_already_exists"


def test_sending_to_a_session_keeps_the_history_and_answers_again(http):
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={"input": "Hi"}).json()["session"]["id"]
    finished_session(http, sid)
    r = http.post(f"/sessions/{sid}/messages", json={"input": "Repeat exactly: second"})
    assert r.status_code == 200 and r.json()["session"]["state"] == "processing"
    done = finished_session(http, sid)
    assert [m["role"] for m in done["messages"]] == ["user", "assistant", "user", "assistant"]
    assert done["messages"][-1]["content"] == "second"


def test_sending_while_processing_is_a_409(slow_http):
    agent = make_agent(slow_http)
    sid = slow_http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Tell me a long story"}
    ).json()["session"]["id"]
    r = slow_http.post(f"/sessions/{sid}/messages", json={"input": "again"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "interaction_not_in_terminal_state"
    slow_http.post(f"/sessions/{sid}/cancel", json={})


def test_a_stream_create_emits_typed_events_with_increasing_cursors_and_a_final_finish(http):
    agent = make_agent(http)
    events = _stream(
        http,
        "POST",
        f"/agents/{agent['id']}/sessions",
        json={"input": "Repeat exactly: hello stream", "stream": True},
    )
    sid = events[0]["interaction_id"]
    assert [e["stream_cursor"] for e in events] == [f"{sid}:{i}" for i in range(1, len(events) + 1)]
    types = [e["type"] for e in events]
    assert types[0] == "start" and "text-start" in types and "text-end" in types
    assert "".join(e["delta"] for e in events if e["type"] == "text-delta") == "hello stream"
    assert events[-1]["type"] == "finish" and events[-1]["finishReason"] == "stop"
    assert events[-1]["final"] is True
    assert http.get(f"/sessions/{sid}").json()["session"]["state"] == "completed"


def test_resume_replays_exactly_the_events_after_the_cursor(http):
    agent = make_agent(http)
    events = _stream(
        http,
        "POST",
        f"/agents/{agent['id']}/sessions",
        json={"input": "Repeat exactly: one two three four", "stream": True},
    )
    sid = events[0]["interaction_id"]
    for cut in (1, 3, len(events) - 1):
        replay = _stream(
            http,
            "GET",
            f"/sessions/{sid}",
            params={"stream": "true", "last_cursor": events[cut - 1]["stream_cursor"]},
        )
        assert replay == events[cut:]


def test_a_stream_send_continues_the_cursor_numbering(http):
    agent = make_agent(http)
    first = _stream(
        http, "POST", f"/agents/{agent['id']}/sessions", json={"input": "Hi", "stream": True}
    )
    sid = first[0]["interaction_id"]
    second = _stream(
        http, "POST", f"/sessions/{sid}/messages", json={"input": "Again", "stream": True}
    )
    assert second[0]["stream_cursor"] == f"{sid}:{len(first) + 1}"
    assert second[-1]["final"] is True


def test_an_unknown_cursor_gets_a_not_resumable_finish(http):
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={"input": "Hi"}).json()["session"]["id"]
    finished_session(http, sid)
    for cursor in ("other:1", f"{sid}:99999", "garbage"):
        events = _stream(
            http, "GET", f"/sessions/{sid}", params={"stream": "true", "last_cursor": cursor}
        )
        assert len(events) == 1
        assert events[0]["finishReason"] == "not_resumable" and events[0]["final"] is True


def test_resume_during_a_live_run_replays_then_follows_until_the_end(slow_http):
    agent = make_agent(slow_http, model_name="gemini-2.5-flash")
    sid = slow_http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Repeat exactly: a b c d e f"}
    ).json()["session"]["id"]
    events = _stream(
        slow_http, "GET", f"/sessions/{sid}", params={"stream": "true", "last_cursor": f"{sid}:1"}
    )
    assert events[0]["stream_cursor"] == f"{sid}:2"
    assert events[-1]["type"] == "finish" and events[-1]["finishReason"] == "stop"
    assert "".join(e.get("delta", "") for e in events) == "a b c d e f"


def test_cancel_turns_a_running_session_into_failed_and_returns_only_the_ids(slow_http):
    agent = make_agent(slow_http)
    sid = slow_http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Write a long essay"}
    ).json()["session"]["id"]
    r = slow_http.post(f"/sessions/{sid}/cancel", json={})
    session = r.json()["session"]
    assert session == {"id": sid, "agent_id": agent["id"], "state": "failed"}
    assert slow_http.get(f"/sessions/{sid}").json()["session"]["state"] == "failed"
    events = _stream(slow_http, "GET", f"/sessions/{sid}", params={"stream": "true"})
    assert events[-1]["final"] is True and events[-1]["finishReason"] == "cancelled"
    again = slow_http.post(f"/sessions/{sid}/cancel", json={}).json()["session"]
    assert again["state"] == "failed"


def test_session_lists_filter_sort_and_page(http):
    agent = make_agent(http)
    ids = []
    for i in range(5):
        body = {"input": f"Repeat exactly: item {i}"} if i % 2 == 0 else {}
        ids.append(http.post(f"/agents/{agent['id']}/sessions", json=body).json()["session"]["id"])
    wait_for(
        lambda: all(
            http.get(f"/sessions/{s}").json()["session"]["state"] != "processing" for s in ids
        )
    )
    base = f"/agents/{agent['id']}/sessions"
    newest = http.get(base, params={"page_size": 2}).json()
    assert [s["id"] for s in newest["sessions"]] == [ids[4], ids[3]]
    rest = http.get(base, params={"page_size": 10, "cursor": newest["next_cursor"]}).json()
    assert [s["id"] for s in rest["sessions"]] == [ids[2], ids[1], ids[0]]
    assert rest["next_cursor"] is None
    oldest = http.get(base, params={"sort_order": "oldest"}).json()["sessions"]
    assert [s["id"] for s in oldest] == ids
    idle = http.get(base, params={"state": "idle"}).json()["sessions"]
    assert {s["id"] for s in idle} == {ids[1], ids[3]}
    found = http.get(base, params={"search": "item 2"}).json()["sessions"]
    assert [s["id"] for s in found] == [ids[2]]


def test_a_session_can_be_renamed(http):
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    assert (
        http.patch(f"/sessions/{sid}", json={"name": "Renamed"}).json()["session"]["name"]
        == "Renamed"
    )
    assert http.get(f"/sessions/{sid}").json()["session"]["name"] == "Renamed"


def test_a_prompt_asking_for_a_table_produces_csv_and_json_artifacts(http):
    agent = make_agent(http)
    sid = http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Make a CSV table of apples apples pears"}
    ).json()["session"]["id"]
    finished_session(http, sid)
    arts = http.get(f"/agents/{agent['id']}/artifacts", params={"session_id": sid}).json()
    by_type = {a["metadata"]["media_type"]: a for a in arts["artifacts"]}
    assert set(by_type) == {"text/csv", "application/json"}
    link = http.get(f"/artifacts/{by_type['text/csv']['id']}/download").json()
    csv_text = httpx.get(link["download_url"]).text
    assert csv_text.splitlines()[0] == "word,count,length"
    assert "apples,2,6" in csv_text.splitlines()
    link = http.get(f"/artifacts/{by_type['application/json']['id']}/download").json()
    data = httpx.get(link["download_url"]).json()
    assert {"word": "pears", "count": 1, "length": 5} in data["rows"]


def test_an_agent_with_the_datasets_server_calls_a_tool_when_the_prompt_needs_it(http):
    agent = make_agent(http)
    http.put(f"/agents/{agent['id']}/mcp-servers/datasets", json={})
    events = _stream(
        http,
        "POST",
        f"/agents/{agent['id']}/sessions",
        json={"input": "List the tables you can query", "stream": True},
    )
    types = [e["type"] for e in events]
    assert "tool-input-available" in types and "tool-output-available" in types
    out = next(e for e in events if e["type"] == "tool-output-available")
    assert out["output"]["status"] == "success"
    assert events[-1]["finishReason"] == "stop"
    plain = _stream(
        http, "POST", f"/agents/{agent['id']}/sessions", json={"input": "Say hello", "stream": True}
    )
    assert "tool-input-available" not in [e["type"] for e in plain]


def test_a_report_about_a_bundled_table_exports_its_rows(http):
    agent = make_agent(http)
    sid = http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Give me a CSV file of the planets"}
    ).json()["session"]["id"]
    finished_session(http, sid)
    arts = http.get(f"/agents/{agent['id']}/artifacts", params={"session_id": sid}).json()
    csv_art = next(a for a in arts["artifacts"] if a["filename"] == "planets.csv")
    link = http.get(f"/artifacts/{csv_art['id']}/download").json()
    lines = httpx.get(link["download_url"]).text.splitlines()
    assert len(lines) == 9 and any(line.split(",")[1] == "Neptune" for line in lines[1:])
