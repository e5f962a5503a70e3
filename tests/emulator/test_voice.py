"""Voice sessions: the contract's shapes, with every media section declined (no media offline)."""

from __future__ import annotations

import pytest

OFFER = (
    "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\n"
)


def _agent_and_session(http):
    agent = http.post("/agents", json={"name": "Voice", "model_name": "gpt-4.1"}).json()["agent"]
    session = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]
    return agent["id"], session["id"]


def test_start_answers_with_a_declining_sdp_and_end_is_idempotent(em, http):
    agent_id, sid = _agent_and_session(http)
    root = em.base_url.rsplit("/api/v1", 1)[0]
    r = http.post(f"{root}/gummies/{agent_id}/voice/sessions",
                  json={"interaction_id": sid, "offer_sdp": OFFER, "is_incognito": False})  # fmt: skip
    assert r.status_code == 200, r.text
    started = r.json()
    answer = started["answer_sdp"]
    assert answer.startswith("v=0\r\n")
    assert "m=audio 0 UDP/TLS/RTP/SAVPF 111 0" in answer and "a=inactive" in answer
    assert "a=mid:0" in answer and "no media server" in started["limitation"]
    for key in ("transcript_settle_ms", "user_segment_gap_ms", "assistant_segment_gap_ms",
                "idle_timeout_ms", "expires_at"):  # fmt: skip
        assert isinstance(started[key], int)
    end = f"{root}/gummies/{agent_id}/voice/sessions/{started['voice_session_id']}/end"
    assert http.post(end).json()["status"] == "ending"
    assert http.post(end).json()["status"] == "ending"
    assert http.post(f"{root}/gummies/{agent_id}/voice/sessions/vs_nope/end").status_code == 404


@pytest.mark.parametrize(
    ("change", "status"),
    [({"offer_sdp": "hello"}, 400), ({"offer_sdp": "v=0\r\ns=-\r\n"}, 400),
     ({"interaction_id": "ses_missing"}, 404), ({"offer_sdp": "v=0\n" + "a" * (1 << 20)}, 413)],
)  # fmt: skip
def test_bad_starts_are_refused(em, http, change, status):
    agent_id, sid = _agent_and_session(http)
    root = em.base_url.rsplit("/api/v1", 1)[0]
    body = {"interaction_id": sid, "offer_sdp": OFFER, "is_incognito": False} | change
    assert http.post(f"{root}/gummies/{agent_id}/voice/sessions", json=body).status_code == status


def test_official_sdk_voice_round_trip(em, closing):
    gumloop = pytest.importorskip("gumloop")
    client = closing(gumloop.Gumloop(api_key="k", base_url=em.base_url))
    agent = client.agents.create(name="Voice", model_name="gpt-4.1").agent
    session = client.sessions.create(agent.id).session
    started = client.voice.start(agent.id, session_id=session.id, offer_sdp=OFFER, incognito=True)
    assert started.model and started.voice
    assert client.voice.end(agent.id, started.voice_session_id).status == "ending"
