"""JSON the emulator cannot store and render back is refused up front; old bad state renders.

Python's json module accepts NaN, Infinity, 1e999 (-> inf) and lone surrogates, and recurses
until RecursionError on deep nesting; a stored NaN or surrogate used to turn every listing
that included it into a 500, across restarts with --db.
"""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Route

from gumloop_nb.emulator import serve
from gumloop_nb.emulator.store import SqliteStore

from .conftest import AUTH, make_agent

JSON = {**AUTH, "Content-Type": "application/json"}
AGENT = b'"model_name": "claude-haiku-4-5"'
BAD_BODIES = {
    "lone surrogate": b'{"name": "x\\ud800", ' + AGENT + b"}",
    "low surrogate": b'{"name": "x\\uDC00y", ' + AGENT + b"}",
    "utf-8 encoded surrogate": b'{"name": "x\xed\xa0\x80", ' + AGENT + b"}",
    "NaN": b'{"name": "x", "metadata": {"v": NaN}, ' + AGENT + b"}",
    "Infinity": b'{"name": "x", "metadata": {"v": Infinity}, ' + AGENT + b"}",
    "-Infinity": b'{"name": "x", "metadata": {"v": -Infinity}, ' + AGENT + b"}",
    "1e999": b'{"name": "x", "metadata": {"v": 1e999}, ' + AGENT + b"}",
    "surrogate key": b'{"name": "x", "metadata": {"\\ud800": 1}, ' + AGENT + b"}",
}
DEEP = b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}"


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_unstorable_json_is_400_invalid_json_and_nothing_is_stored(http, name):
    before = len(http.get("/agents", params={"page_size": 100}).json()["agents"])
    r = http.post("/agents", content=BAD_BODIES[name], headers=JSON)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_json"
    listing = http.get("/agents", params={"page_size": 100})
    assert listing.status_code == 200
    assert len(listing.json()["agents"]) == before


def test_a_valid_surrogate_pair_and_large_finite_numbers_are_fine(http):
    body = b'{"name": "smile \\ud83d\\ude00", "metadata": {"v": 1e308}, ' + AGENT + b"}"
    r = http.post("/agents", content=body, headers=JSON)
    assert r.status_code == 201, r.text
    assert r.json()["agent"]["name"] == "smile \U0001f600"


def _json_routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        if isinstance(route, Route):
            for method in sorted(route.methods or ()):
                if method in ("POST", "PUT", "PATCH"):
                    out.append((method, route.path))
    return out


def test_deeply_nested_json_is_400_on_every_endpoint_never_500(em, http):
    agent = make_agent(http)
    session = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]
    ids = {"agent_id": agent["id"], "session_id": session["id"]}
    statuses = {}
    for method, path in _json_routes(em.app):
        url = path
        for key, value in ids.items():
            url = url.replace("{" + key + "}", value)
        url = url.replace("/api/v1", "", 1) if url.startswith("/api/v1") else url
        for part in [p for p in url.split("/") if p.startswith("{")]:
            url = url.replace(part, "x")
        base = "" if path.startswith("/api/v1") else em.url
        r = http.request(method, base + url, content=DEEP, headers=JSON)
        statuses[(method, path)] = r.status_code
        assert r.status_code < 500, (method, path, r.status_code, r.text[:200])
    # Most routes read the body first (or after finding the resource, which exists here).
    four_hundreds = [k for k, v in statuses.items() if v == 400]
    assert len(four_hundreds) >= len(statuses) // 2, statuses
    r = http.post("/agents", content=DEEP, headers=JSON)
    assert r.status_code == 400 and "nested" in r.json()["error"]["message"]


def test_legacy_flows_refuse_unstorable_json_with_the_flat_shape(em):
    body = b'{"saved_item_id": "x\\ud800", "user_id": "u", "v": NaN}'
    r = httpx.post(
        em.base_url + "/start_pipeline",
        content=body,
        headers={**JSON, "Authorization": "Bearer k"},
    )
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["error"]


def test_bad_values_already_in_an_old_db_do_not_break_listings(tmp_path):
    db = str(tmp_path / "old.db")
    with (
        serve(speed=0, db_path=db) as em,
        httpx.Client(base_url=em.base_url, headers=AUTH, timeout=20) as http,
    ):
        agent = make_agent(http, name="fine")
    # What an older emulator stored from {"name": "x\ud800", "metadata": {"v": NaN}}.
    store = SqliteStore(db)
    doc = store.get("agents", agent["id"])
    assert doc is not None
    doc["name"] = "bad \ud800 name"
    doc["metadata"] = {"v": float("nan"), "w": float("inf")}
    store.put("agents", agent["id"], doc)
    store.close()
    with (
        serve(speed=0, db_path=db) as em,
        httpx.Client(base_url=em.base_url, headers=AUTH, timeout=20) as http,
    ):
        listing = http.get("/agents")
        assert listing.status_code == 200, listing.text
        shown = next(a for a in listing.json()["agents"] if a["id"] == agent["id"])
        assert shown["name"] == "bad \ufffd name"
        one = http.get(f"/agents/{agent['id']}")
        assert one.status_code == 200
        assert one.json()["agent"]["metadata"] == {"v": None, "w": None}
