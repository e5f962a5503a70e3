"""Injected faults: 429/5xx with Retry-After, times=N, stream drops, latency."""

from __future__ import annotations

import time

import httpx
import pytest

from gumloop_nb.emulator import serve
from gumloop_nb.emulator.faults import parse_fault_spec

from .conftest import AUTH, make_agent


def test_a_429_fault_carries_retry_after_and_the_envelope(http):
    r = http.get("/teams", headers={"X-Gumloop-Fault": "status=429;retry_after=2.5"})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "3" and r.headers["retry-after-ms"] == "2500"
    assert r.json()["error"]["code"] == "rate_limited"


def test_times_limits_the_fault_to_the_first_n_matching_requests(http):
    spec = {"X-Gumloop-Fault": "status=503;times=2"}
    codes = [http.get("/organizations", headers=spec).status_code for _ in range(4)]
    assert codes == [503, 503, 200, 200]
    # another path has its own count
    assert http.get("/teams", headers=spec).status_code == 503


def test_a_bad_fault_spec_is_a_400_naming_the_problem(http):
    r = http.get("/teams", headers={"X-Gumloop-Fault": "status=418"})
    assert r.status_code == 400 and "status" in r.json()["error"]["message"]


def test_drop_after_cuts_a_chat_stream_abruptly(http):
    body = {
        "model": "gpt-4.1",
        "stream": True,
        "messages": [{"role": "user", "content": "Tell me about the sea"}],
    }
    received = b""
    with pytest.raises(httpx.RemoteProtocolError):
        with http.stream(
            "POST", "/chat/completions", json=body, headers={"X-Gumloop-Fault": "drop_after=2"}
        ) as r:
            for chunk in r.iter_bytes():
                received += chunk
    assert received.count(b"\n\n") == 2 and b"[DONE]" not in received


def test_drop_after_with_times_drops_once_and_then_streams_fully(http):
    agent = make_agent(http)
    spec = {"X-Gumloop-Fault": "drop_after=1;times=1"}
    path = f"/agents/{agent['id']}/sessions"
    with pytest.raises(httpx.RemoteProtocolError):
        with http.stream("POST", path, json={"input": "hi", "stream": True}, headers=spec) as r:
            r.read()
    with http.stream("POST", path, json={"input": "hi", "stream": True}, headers=spec) as r:
        assert b'"final": true' in r.read()


def test_latency_delays_the_answer(http):
    start = time.perf_counter()
    assert http.get("/teams", headers={"X-Gumloop-Fault": "latency=0.3"}).status_code == 200
    assert time.perf_counter() - start >= 0.3


def test_a_server_wide_fault_applies_to_every_request():
    with serve(speed=0, faults="status=500;times=1") as em:
        with httpx.Client(base_url=em.base_url, headers=AUTH) as http:
            assert http.get("/teams").status_code == 500
            assert http.get("/teams").status_code == 200


def test_fault_specs_parse_and_reject_bad_items():
    spec = parse_fault_spec(" status=429 ; times=3;retry_after=1.5 ")
    assert (spec.status, spec.times, spec.retry_after) == (429, 3, 1.5)
    for bad in ("status", "times=-1", "colour=red", "latency=abc", "retry_after=inf"):
        with pytest.raises(ValueError):
            parse_fault_spec(bad)
