"""Pagination, MCP tool calls, skills multipart, artifacts and OAuth helpers (§6, §7, §8.1)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gumloop_nb import OAuth
from gumloop_nb import types as t
from gumloop_nb.errors import APIStatusError

from .conftest import AGENT, API, TOKEN, body_of, collect, multipart_parts, run

# -- pagination ---------------------------------------------------------------------------------


def _agents_page(request: httpx.Request) -> httpx.Response:
    cursor = request.url.params.get("cursor")
    pages = {
        None: (["a1", "a2"], "c2"),
        "c2": (["a3", "a4"], "c3"),
        "c3": (["a5"], None),
    }
    ids, nxt = pages[cursor]
    return httpx.Response(
        200, json={"agents": [{**AGENT, "id": i} for i in ids], "next_cursor": nxt}
    )


async def test_iter_all_walks_every_page_with_next_cursor(client: Any, router: Any) -> None:
    route = router.get("/agents").mock(side_effect=_agents_page)
    agents = await collect(client.agents.iter_all(search="x"))
    assert [a.id for a in agents] == ["a1", "a2", "a3", "a4", "a5"]
    assert all(isinstance(a, t.Agent) for a in agents)
    sent = [dict(c.request.url.params) for c in route.calls]
    assert sent == [
        {"search": "x"},
        {"search": "x", "cursor": "c2"},
        {"search": "x", "cursor": "c3"},
    ]


async def test_iter_all_max_items_stops_early(client: Any, router: Any) -> None:
    route = router.get("/agents").mock(side_effect=_agents_page)
    agents = await collect(client.agents.iter_all(max_items=3))
    assert [a.id for a in agents] == ["a1", "a2", "a3"]
    assert route.call_count == 2


async def test_iter_all_max_items_at_a_page_boundary_makes_no_extra_request(
    client: Any, router: Any
) -> None:
    route = router.get("/agents").mock(side_effect=_agents_page)
    agents = await collect(client.agents.iter_all(max_items=2))
    assert [a.id for a in agents] == ["a1", "a2"]
    assert route.call_count == 1


async def test_iter_all_is_lazy_until_iterated(client: Any, router: Any) -> None:
    route = router.get("/agents").mock(side_effect=_agents_page)
    client.agents.iter_all()
    assert route.call_count == 0


async def test_session_skill_and_artifact_listings_paginate_too(client: Any, router: Any) -> None:
    def paged(key: str, item: dict[str, Any]) -> Any:
        def respond(request: httpx.Request) -> httpx.Response:
            if request.url.params.get("cursor") == "n":
                return httpx.Response(200, json={key: [{**item, "id": "2"}], "next_cursor": None})
            return httpx.Response(200, json={key: [{**item, "id": "1"}], "next_cursor": "n"})

        return respond

    router.get("/agents/agt_1/sessions").mock(side_effect=paged("sessions", {"agent_id": "agt_1"}))
    router.get("/skills").mock(
        side_effect=paged("skills", {"name": "s", "description": "d", "team_id": "t"})
    )
    router.get("/agents/agt_1/artifacts").mock(side_effect=paged("artifacts", {}))
    sessions = await collect(client.sessions.iter_all("agt_1", state="completed"))
    skills = await collect(client.skills.iter_all())
    artifacts = await collect(client.artifacts.iter_all("agt_1"))
    for items in (sessions, skills, artifacts):
        assert [i.id for i in items] == ["1", "2"]


# -- MCP ------------------------------------------------------------------------------------------


def _results(*statuses: str) -> dict[str, Any]:
    return {
        "results": [
            {
                "ref": f"r{i}",
                "server_id": "srv",
                "tool_name": "tool",
                "status": status,
                "content": ['{"rows": [1, 2]}', "plain text", {"type": "text", "text": "x"}]
                if status == "success"
                else None,
                "error": None if status == "success" else {"code": "auth_required", "message": "m"},
            }
            for i, status in enumerate(statuses)
        ]
    }


async def test_execute_sends_one_call_with_default_arguments(client: Any, router: Any) -> None:
    route = router.post("/mcp/tools/call").respond(200, json=_results("success"))
    response = await run(client.mcp.execute("srv", "tool"))
    assert body_of(route.calls.last.request) == {
        "calls": [{"server_id": "srv", "tool_name": "tool", "arguments": {}}]
    }
    assert isinstance(response, t.McpExecuteResponse)
    result = response.results[0]
    assert result.status == "success"
    assert result.decoded_content == [{"rows": [1, 2]}, "plain text", {"type": "text", "text": "x"}]


async def test_execute_sends_ref_account_and_arguments_when_given(client: Any, router: Any) -> None:
    route = router.post("/mcp/tools/call").respond(200, json=_results("success"))
    await run(client.mcp.execute("srv", "tool", {"sql": "select 1"}, ref="q1", account="acc_1"))
    assert body_of(route.calls.last.request) == {
        "calls": [
            {
                "server_id": "srv",
                "tool_name": "tool",
                "arguments": {"sql": "select 1"},
                "ref": "q1",
                "account": "acc_1",
            }
        ]
    }


async def test_execute_many_sends_dict_calls_as_given_and_treats_207_like_200(
    client: Any, router: Any
) -> None:
    calls = [
        {"ref": "a", "server_id": "s1", "tool_name": "t1", "arguments": {"x": 1}},
        {"server_id": "s2", "tool_name": "t2"},
    ]
    route = router.post("/mcp/tools/call").respond(207, json=_results("success", "unauthenticated"))
    response = await run(client.mcp.execute_many(calls))
    assert body_of(route.calls.last.request) == {"calls": calls}
    assert [r.status for r in response.results] == ["success", "unauthenticated"]
    assert response.results[1].error is not None
    assert response.results[1].decoded_content is None


@pytest.mark.parametrize("count", [0, 6])
async def test_execute_many_rejects_empty_and_oversized_batches_before_any_request(
    client: Any, router: Any, count: int
) -> None:
    router.route().respond(200, json={})
    calls = [{"server_id": "s", "tool_name": "t"}] * count
    with pytest.raises(ValueError, match="empty" if count == 0 else "5"):
        await run(client.mcp.execute_many(calls))
    assert router.calls.call_count == 0


async def test_tool_calls_are_not_retried_after_the_server_may_have_run_them(
    client: Any, router: Any
) -> None:
    route = router.post("/mcp/tools/call").respond(500, json={})
    with pytest.raises(APIStatusError):
        await run(client.mcp.execute("srv", "send_email"))
    assert route.call_count == 1


async def test_mcp_listings_parse(client: Any, router: Any) -> None:
    router.get("/mcp/servers").respond(
        200,
        json={
            "servers": [
                {
                    "server_id": "gmail",
                    "type": "gumcp_server",
                    "status": "connected",
                    "gumloop_auth_url": "u",
                }
            ]
        },
    )
    tools = router.get("/mcp/servers/gmail/tools").respond(
        200,
        json={
            "tools": [{"tool_call_id": "gmail__read", "name": "read", "input_schema": {}}],
            "server_id": "gmail",
            "status": "connected",
            "gumloop_auth_url": None,
        },
    )
    servers = await run(client.mcp.list_servers())
    assert servers.servers[0].server_id == "gmail"
    listed = await run(client.mcp.list_tools("gmail", team_id="team_x"))
    assert listed.tools[0].name == "read"
    assert tools.calls.last.request.url.params["team_id"] == "team_x"


async def test_get_resource_sends_the_uri_and_joins_text(client: Any, router: Any) -> None:
    route = router.get("/mcp/servers/srv/resources/read").respond(
        200,
        json={
            "server_id": "srv",
            "uri": "file://a",
            "contents": [{"uri": "file://a", "text": "one"}, {"blob": "AA=="}, {"text": "two"}],
        },
    )
    read = await run(client.mcp.get_resource("srv", "file://a"))
    assert route.calls.last.request.url.params["uri"] == "file://a"
    assert read.text == "one\ntwo"


# -- skills -----------------------------------------------------------------------------------

SKILL = {"skill": {"id": "sk_1", "name": "s", "description": "d", "team_id": "t"}}


async def test_skill_create_uploads_repeated_files_parts(client: Any, router: Any) -> None:
    route = router.post("/skills").respond(201, json=SKILL)
    created = await run(
        client.skills.create(
            [("SKILL.md", b"---\nname: s\ndescription: d\n---\n"), ("data.csv", "a,b\n1,2\n")]
        )
    )
    request = route.calls.last.request
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    parts = multipart_parts(request)
    assert [(name, filename) for name, filename, _ in parts] == [
        ("files", "SKILL.md"),
        ("files", "data.csv"),
    ]
    assert parts[1][2] == b"a,b\n1,2\n"
    assert "team_id" not in {name for name, _, _ in parts}
    assert created.skill.id == "sk_1"


async def test_skill_create_accepts_a_mapping_and_extra_form_fields(
    client: Any, router: Any
) -> None:
    route = router.post("/skills").respond(201, json=SKILL)
    await run(client.skills.create({"SKILL.md": b"x"}, folder="f1"))
    parts = multipart_parts(route.calls.last.request)
    assert ("files", "SKILL.md", b"x") in parts
    assert ("folder", None, b"f1") in parts


async def test_skill_update_is_a_multipart_patch(client: Any, router: Any) -> None:
    route = router.patch("/skills/sk_1").respond(200, json=SKILL)
    await run(client.skills.update("sk_1", {"SKILL.md": b"v2"}))
    assert multipart_parts(route.calls.last.request) == [("files", "SKILL.md", b"v2")]


async def test_skill_delete_with_a_json_body(client: Any, router: Any) -> None:
    router.delete("/skills/sk_1").respond(200, json={"deleted": False})
    result = await run(client.skills.delete("sk_1"))
    assert result.deleted is False


async def test_skill_download_passes_the_version(client: Any, router: Any) -> None:
    route = router.get("/skills/sk_1/download").respond(
        200,
        json={
            "download_url": "http://files.test/s.skill",
            "filename": "s.skill",
            "media_type": "application/zip",
            "id": "sk_1",
        },
    )
    result = await run(client.skills.download("sk_1", version_id="v3"))
    assert dict(route.calls.last.request.url.params) == {"version_id": "v3"}
    assert result.download_url == "http://files.test/s.skill"


# -- artifacts ----------------------------------------------------------------------------------


async def test_artifact_download_returns_the_signed_url(client: Any, router: Any) -> None:
    route = router.get("/artifacts/art_1/download").respond(
        200,
        json={"download_url": "http://files.test/a.csv?sig=1", "filename": "a.csv", "size": 7},
    )
    result = await run(client.artifacts.download("art_1", version_id="v2"))
    assert isinstance(result, t.ArtifactDownloadResponse)
    assert result.download_url == "http://files.test/a.csv?sig=1"
    assert dict(route.calls.last.request.url.params) == {"version_id": "v2"}


async def test_artifact_read_bytes_fetches_the_signed_url_without_auth(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEPARENT", "00-trace-01")
    client = make_client(user_id="usr_1", team_id="team_c")
    router.get("/artifacts/art_1/download").respond(
        200, json={"download_url": "http://files.test/a.csv?sig=1"}
    )
    files = router.get("http://files.test/a.csv").respond(200, content=b"a,b\n1,2\n")
    data = await run(client.artifacts.read_bytes("art_1"))
    assert data == b"a,b\n1,2\n"
    request = files.calls.last.request
    assert "authorization" not in request.headers
    assert "x-auth-key" not in request.headers
    assert "traceparent" not in request.headers
    assert dict(request.url.params) == {"sig": "1"}  # the signed URL is used as is


async def test_artifact_list_filters(client: Any, router: Any) -> None:
    route = router.get("/agents/agt_1/artifacts").respond(
        200, json={"artifacts": [{"id": "art_1", "filename": "a.csv"}], "next_cursor": None}
    )
    listed = await run(client.artifacts.list("agt_1", session_id="ses_1", page_size=5))
    assert dict(route.calls.last.request.url.params) == {"session_id": "ses_1", "page_size": "5"}
    assert listed.artifacts[0].filename == "a.csv"


# -- OAuth ------------------------------------------------------------------------------------

ROOT = API.removesuffix("/api/v1")


def _b64url_sha256(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


async def test_authorization_url_carries_pkce_and_the_request_params(client: Any) -> None:
    url, verifier, state = client.oauth.build_authorization_url(
        "cli_1", "http://127.0.0.1:5000/callback", scopes=["gumloop_api", "userinfo"]
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ROOT}/oauth/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "cli_1",
        "redirect_uri": "http://127.0.0.1:5000/callback",
        "scope": "gumloop_api userinfo",
        "state": state,
        "code_challenge": _b64url_sha256(verifier),
        "code_challenge_method": "S256",
    }
    assert 43 <= len(verifier) <= 128 and "=" not in verifier
    assert len(verifier) >= 80  # 64 random bytes
    assert state and len(state) >= 24


async def test_authorization_url_adds_resource_and_keeps_a_given_state(client: Any) -> None:
    url, verifier, state = client.oauth.build_authorization_url(
        "cli_1", "http://x/cb", resource="https://mcp.test", state="s123"
    )
    query = parse_qs(urlsplit(url).query)
    assert query["resource"] == ["https://mcp.test"]
    assert state == "s123" and query["state"] == ["s123"]
    assert query["scope"] == ["gumloop userinfo"]
    other = client.oauth.build_authorization_url("cli_1", "http://x/cb")
    assert other[1] != verifier  # a fresh verifier each time


async def test_register_client_posts_json_to_the_oauth_root_without_auth(
    make_client: Any, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEPARENT", "00-trace-01")
    client = make_client(user_id="usr_1", team_id="team_c")
    route = router.post(f"{ROOT}/oauth/register").respond(201, json={"client_id": "cli_9"})
    answer = await run(client.oauth.register_client("http://127.0.0.1:5000/callback"))
    request = route.calls.last.request
    assert body_of(request) == {
        "client_name": "Gumloop Python SDK",
        "redirect_uris": ["http://127.0.0.1:5000/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": "gumloop userinfo",
    }
    assert "authorization" not in request.headers
    assert "x-auth-key" not in request.headers
    assert "team_id" not in request.url.params
    assert "traceparent" not in request.headers
    assert answer == {"client_id": "cli_9"}


async def test_token_calls_are_form_encoded(client: Any, router: Any) -> None:
    route = router.post(f"{ROOT}/oauth/token").respond(
        200, json={"access_token": "at", "refresh_token": "rt", "expires_in": 3600}
    )
    tokens = await run(client.oauth.exchange_code("cli_1", "code_1", "http://x/cb", "ver_1"))
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["authorization_code"],
        "client_id": ["cli_1"],
        "code": ["code_1"],
        "redirect_uri": ["http://x/cb"],
        "code_verifier": ["ver_1"],
    }
    assert tokens["access_token"] == "at"
    await run(client.oauth.refresh_token("cli_1", "rt"))
    assert parse_qs(route.calls.last.request.content.decode()) == {
        "grant_type": ["refresh_token"],
        "client_id": ["cli_1"],
        "refresh_token": ["rt"],
    }


async def test_revoke_accepts_an_empty_body(client: Any, router: Any) -> None:
    route = router.post(f"{ROOT}/oauth/revoke").respond(200)
    assert await run(client.oauth.revoke("cli_1", "at")) is None
    assert parse_qs(route.calls.last.request.content.decode()) == {
        "client_id": ["cli_1"],
        "token": ["at"],
    }


async def test_oauth_errors_use_the_rfc_envelope(client: Any, router: Any) -> None:
    router.post(f"{ROOT}/oauth/token").respond(
        400, json={"error": "invalid_grant", "error_description": "Code already used"}
    )
    with pytest.raises(APIStatusError) as info:
        await run(client.oauth.refresh_token("cli_1", "rt"))
    assert info.value.code == "invalid_grant"
    assert info.value.message == "Code already used"


async def test_oauth_works_without_any_credential(make_client: Any, router: Any) -> None:
    from .conftest import DROP

    client = make_client(api_key=DROP)
    router.post(f"{ROOT}/oauth/token").respond(200, json={"access_token": "at"})
    assert (await run(client.oauth.refresh_token("c", "r")))["access_token"] == "at"


def test_standalone_oauth_strips_api_v1_and_sends_no_auth(router: Any) -> None:
    route = router.post("http://oauth.test/oauth/token").respond(200, json={"access_token": "a"})
    with OAuth(base_url="http://oauth.test/api/v1", timeout=5) as oauth:
        url, _, _ = oauth.build_authorization_url("c", "http://x/cb")
        assert url.startswith("http://oauth.test/oauth/authorize?")
        assert oauth.exchange_code("c", "code", "http://x/cb", "v") == {"access_token": "a"}
    assert "authorization" not in route.calls.last.request.headers


async def test_oversized_skill_uploads_fail_before_any_request(client: Any, router: Any) -> None:
    router.route().respond(201, json=SKILL)
    with pytest.raises(ValueError, match="10 MB"):
        await run(client.skills.create({"big.zip": b"x" * (10 * 1024 * 1024 + 1)}))
    with pytest.raises(ValueError):
        await run(client.skills.create({}))
    assert router.calls.call_count == 0


async def test_a_server_repeating_its_cursor_does_not_loop_forever(
    client: Any, router: Any
) -> None:
    calls = 0

    def same_cursor(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls > 5:  # a looping client fails here instead of hanging the suite
            return httpx.Response(500, json={"error": {"message": "looping"}})
        return httpx.Response(200, json={"agents": [{**AGENT, "id": "same"}], "next_cursor": "x"})

    router.get("/agents").mock(side_effect=same_cursor)
    agents = await collect(client.with_options(max_retries=0).agents.iter_all())
    assert 1 <= calls <= 2
    assert len(agents) == calls


def _versions_page(request: httpx.Request) -> httpx.Response:
    cursor = request.url.params.get("cursor")
    version: dict[str, Any] = {"agent_id": "agt_1", "major_version": 1, "name": "v"}
    body: dict[str, Any]
    if cursor is None:
        body = {"versions": [{**version, "id": "v1"}, {**version, "id": "v2"}], "next_cursor": "n"}
    else:
        body = {"versions": [{**version, "id": "v3"}], "next_cursor": None}
    return httpx.Response(200, json=body)


async def test_paginate_walks_any_cursor_listing(client: Any, router: Any) -> None:
    route = router.get("/agents/agt_1/versions").mock(side_effect=_versions_page)
    versions = await collect(client.paginate(client.agents.list_versions, "agt_1", page_size=2))
    assert [v.id for v in versions] == ["v1", "v2", "v3"]
    assert [dict(c.request.url.params) for c in route.calls] == [
        {"page_size": "2"},
        {"page_size": "2", "cursor": "n"},
    ]
    route.reset()
    first = await collect(client.paginate(client.agents.list_versions, "agt_1", max_items=1))
    assert [v.id for v in first] == ["v1"]
    assert route.call_count == 1


async def test_paginate_refuses_what_is_not_a_listing_method(client: Any) -> None:
    with pytest.raises(TypeError):
        await collect(client.paginate(lambda cursor=None: None))


async def test_with_options_team_id_rescopes_the_copy(make_client: Any, router: Any) -> None:
    client = make_client(team_id="team_a")
    route = router.get("/teams").respond(200, json={"teams": []})
    await run(client.with_options(team_id="team_b").teams.list())
    assert route.calls.last.request.url.params["team_id"] == "team_b"
    await run(client.teams.list())
    assert route.calls.last.request.url.params["team_id"] == "team_a"


async def test_execute_many_accepts_request_models(client: Any, router: Any) -> None:
    route = router.post("/mcp/tools/call").respond(200, json=_results("success"))
    call = t.McpToolCallRequest(server_id="srv", tool_name="tool", arguments={"q": 1}, ref="r0")
    await run(client.mcp.execute_many([call]))
    assert body_of(route.calls.last.request) == {
        "calls": [{"server_id": "srv", "tool_name": "tool", "arguments": {"q": 1}, "ref": "r0"}]
    }
