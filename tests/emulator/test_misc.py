"""Teams, organizations, brain search, OAuth, queued delivery."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import httpx

from gumloop_nb.emulator import serve

from .conftest import finished_session, make_agent, wait_for


def test_teams_and_organizations_are_listed(http):
    assert {"id": "team_demo", "name": "Demo team"} in http.get("/teams").json()["teams"]
    assert http.get("/organizations").json()["organizations"][0]["id"] == "org_demo"


def test_brain_search_ranks_documents_by_word_overlap(http):
    results = http.post("/brain/search", json={"query": "expense approval policy"}).json()
    assert results["results"][0]["title"] == "Expense policy"
    assert results["results"][0]["score"] == 1.0
    only_slack = http.post(
        "/brain/search", json={"query": "policy release", "source_type": ["slack"]}
    ).json()
    assert {r["source"] for r in only_slack["results"]} == {"slack"}
    assert http.post("/brain/search", json={"query": "x", "source_type": []}).status_code == 400
    assert http.post("/brain/search", json={"query": "x", "limit": 0}).status_code == 400
    assert http.post("/brain/search", json={}).status_code == 400


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_the_oauth_flow_issues_refreshes_and_revokes_tokens_that_the_api_accepts():
    redirect = "http://127.0.0.1:9/callback"
    with serve(speed=0, tokens=["static"]) as em, httpx.Client(base_url=em.url) as h:
        reg = h.post("/oauth/register", json={"client_name": "t", "redirect_uris": [redirect]})
        assert reg.status_code == 201
        client_id = reg.json()["client_id"]
        verifier, challenge = _pkce()
        auth = h.get(
            "/oauth/authorize",
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect,
                "scope": "gumloop",
                "state": "xyz",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        assert auth.status_code == 302
        query = parse_qs(urlparse(auth.headers["location"]).query)
        assert query["state"] == ["xyz"]
        code = query["code"][0]
        bad = h.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": "wrong",
            },
        )
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
        assert bad.json()["error_description"]
        token = h.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
        ).json()
        api = f"{em.base_url}/teams"
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        assert httpx.get(api, headers=bearer).status_code == 200
        refreshed = h.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "client_id": client_id,
                "refresh_token": token["refresh_token"],
            },
        )
        assert refreshed.status_code == 200
        reused = h.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "client_id": client_id,
                "refresh_token": token["refresh_token"],
            },
        )
        assert reused.status_code == 400  # refresh tokens rotate
        revoke = h.post(
            "/oauth/revoke", data={"client_id": client_id, "token": token["access_token"]}
        )
        assert revoke.status_code == 200 and revoke.content == b""
        assert httpx.get(api, headers=bearer).status_code == 401


def test_oauth_errors_use_the_rfc_shape():
    with serve(speed=0) as em, httpx.Client(base_url=em.url) as h:
        r = h.post("/oauth/register", json={"client_name": "no uris"})
        assert r.status_code == 400 and set(r.json()) == {"error", "error_description"}
        r = h.post("/oauth/token", data={"grant_type": "password", "client_id": "nope"})
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_queued_delivery_runs_after_the_current_run(slow_http):
    agent = make_agent(slow_http, model_name="gemini-2.5-flash")
    sid = slow_http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Repeat exactly: first"}
    ).json()["session"]["id"]
    receipt = slow_http.post(
        f"/sessions/{sid}/messages", json={"input": "Repeat exactly: second", "delivery": "queued"}
    )
    assert receipt.status_code == 202 and receipt.json()["status"] == "accepted"

    def both_answered():
        s = finished_session(slow_http, sid)
        answers = [m["content"] for m in s["messages"] if m["role"] == "assistant"]
        return answers if len(answers) == 2 else None

    assert wait_for(both_answered, timeout=20) == ["first", "second"]


def test_the_cli_well_known_client_completes_a_loopback_login_on_any_port():
    with serve(speed=0, tokens=["static"]) as em, httpx.Client(base_url=em.url) as h:
        verifier, challenge = _pkce()
        redirect = "http://127.0.0.1:53682/callback"
        r = h.get("/oauth/authorize", params={
            "response_type": "code", "client_id": "gumloop_cli", "redirect_uri": redirect,
            "scope": "gumloop_api userinfo", "state": "s1", "code_challenge": challenge,
            "code_challenge_method": "S256"})  # fmt: skip
        assert r.status_code == 302, r.text
        code = parse_qs(urlparse(r.headers["location"]).query)["code"][0]
        token = h.post("/oauth/token", data={
            "grant_type": "authorization_code", "client_id": "gumloop_cli", "code": code,
            "redirect_uri": redirect, "code_verifier": verifier}).json()  # fmt: skip
        assert token["scope"] == "gumloop_api userinfo"
        api = h.get("/api/v1/teams", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert api.status_code == 200
        assert h.get("/api/v1/teams", headers={"Authorization": "Bearer nope"}).status_code == 401
        # Only loopback /callback redirects are allowed for the CLI client.
        for bad in ("http://evil.example.com:53682/callback", "http://127.0.0.1:53682/other",
                    "https://127.0.0.1:53682/callback"):  # fmt: skip
            r = h.get("/oauth/authorize", params={
                "response_type": "code", "client_id": "gumloop_cli", "redirect_uri": bad,
                "code_challenge": challenge})  # fmt: skip
            assert r.status_code == 400, bad
