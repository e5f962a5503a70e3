"""Auth and bad input: every failure is the contract's envelope with the right status."""

from __future__ import annotations

import httpx

from gumloop_nb.emulator import serve

from .conftest import AUTH


def _error(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body["error"]) >= {"code", "message", "type", "param", "details"}
    assert body["error"]["message"]
    return body["error"]


def test_a_request_without_a_bearer_token_gets_401_with_the_nested_envelope(em):
    r = httpx.get(em.base_url + "/agents")
    assert r.status_code == 401
    err = _error(r)
    assert err["code"] == "unauthorized" and err["type"] == "authentication_error"


def test_an_empty_bearer_token_is_refused(em):
    r = httpx.get(em.base_url + "/teams", headers={"Authorization": "Bearer"})
    assert r.status_code == 401


def test_a_configured_token_list_is_enforced_and_the_token_is_never_echoed():
    with serve(tokens=["good-token"], speed=0) as em, httpx.Client(base_url=em.url) as client:
        bad = client.get("/api/v1/teams", headers={"Authorization": "Bearer s3cret-wrong"})
        assert bad.status_code == 401
        assert "s3cret-wrong" not in bad.text
        good = client.get("/api/v1/teams", headers={"Authorization": "Bearer good-token"})
        assert good.status_code == 200


def test_x_auth_key_is_accepted_but_not_required(http):
    assert http.get("/teams", headers={"x-auth-key": "usr_demo"}).status_code == 200
    assert http.get("/teams").status_code == 200


def test_malformed_json_gets_400_invalid_json(http):
    r = http.post("/agents", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert _error(r)["code"] == "invalid_json"


def test_a_json_array_body_is_refused_as_invalid_json(http):
    r = http.post("/agents", json=[1, 2])
    assert r.status_code == 400 and _error(r)["code"] == "invalid_json"


def test_a_missing_required_field_is_named_in_the_error(http):
    r = http.post("/agents", json={"model_name": "gpt-4.1"})
    assert r.status_code == 400
    err = _error(r)
    assert err["code"] == "invalid_request" and err["param"] == "name"
    assert "name" in err["message"]


def test_a_field_of_the_wrong_type_is_refused(http):
    r = http.post("/agents", json={"name": "A", "tools": "not-a-list"})
    assert r.status_code == 400 and _error(r)["param"] == "tools"


def test_an_oversized_body_gets_413_payload_too_large():
    with serve(speed=0, max_body_bytes=1024) as em, httpx.Client(base_url=em.url) as client:
        r = client.post("/api/v1/agents", headers=AUTH, json={"name": "x" * 4096})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"


def test_unknown_ids_get_404_thing_not_found(http):
    cases = {
        "/agents/agt_nope": "agent_not_found",
        "/sessions/ses_nope": "session_not_found",
        "/artifacts/art_nope/download": "artifact_not_found",
        "/skills/skl_nope/download": "skill_not_found",
        "/mcp/servers/nope": "mcp_server_not_found",
    }
    for path, code in cases.items():
        r = http.get(path)
        assert r.status_code == 404, path
        assert _error(r)["code"] == code


def test_an_unknown_model_gets_model_not_found_listing_the_available_models(http):
    r = http.post(
        "/chat/completions",
        json={"model": "gpt-99", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert r.status_code in (400, 404)
    err = _error(r)
    assert err["code"] == "model_not_found"
    assert "claude-sonnet-4-5" in err["message"]


def test_an_unknown_route_gets_a_404_envelope_not_html(http):
    r = http.get("/no/such/thing")
    assert r.status_code == 404 and _error(r)["code"] == "route_not_found"


def test_garbage_inputs_never_produce_a_500(http):
    agent = http.post("/agents", json={"name": "Robust"}).json()["agent"]
    bodies = [b"", b"null", b"\xff\xfe", b'{"input": 5}', b'{"calls": "x"}', b"[]", b'"str"']
    paths = [
        "/agents",
        f"/agents/{agent['id']}",
        f"/agents/{agent['id']}/sessions",
        "/mcp/tools/call",
        "/chat/completions",
        "/brain/search",
        "/models/route",
    ]
    for path in paths:
        for body in bodies:
            for method in ("POST", "PATCH"):
                r = http.request(
                    method, path, content=body, headers={"Content-Type": "application/json"}
                )
                assert r.status_code < 500, (method, path, body, r.text)
                assert r.status_code < 300 or "error" in r.json()


def test_a_bad_cursor_is_a_400_not_a_crash(http):
    r = http.get("/agents", params={"cursor": "%%%garbage"})
    assert r.status_code == 400 and _error(r)["code"] == "invalid_cursor"


def test_an_internal_bug_becomes_a_500_envelope_and_the_server_keeps_serving(http, monkeypatch):
    from gumloop_nb.emulator import mcp_demo

    def broken() -> list:
        raise KeyError("boom")

    monkeypatch.setattr(mcp_demo, "list_servers", broken)
    r = http.get("/mcp/servers")
    assert r.status_code == 500
    err = _error(r)
    assert err["code"] == "internal_error" and "KeyError" in err["message"]
    monkeypatch.undo()
    assert http.get("/mcp/servers").status_code == 200
