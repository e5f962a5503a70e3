"""MCP endpoints: servers, tools, resources, prompts, batch calls with 200/207."""

from __future__ import annotations

import json


def test_servers_and_tools_are_listed(http):
    servers = {s["server_id"]: s for s in http.get("/mcp/servers").json()["servers"]}
    assert servers["datasets"]["status"] == "connected"
    assert http.get("/mcp/servers/datasets").json()["server"]["server_id"] == "datasets"
    tools = http.get("/mcp/servers/datasets/tools").json()
    assert tools["server_id"] == "datasets" and tools["status"] == "connected"
    assert "query" in {t["name"] for t in tools["tools"]}


def test_an_unauthenticated_server_lists_no_tools_and_an_auth_url(http):
    tools = http.get("/mcp/servers/gmail/tools").json()
    assert tools["tools"] == [] and tools["status"] == "unauthenticated"
    assert tools["gumloop_auth_url"]


def test_resources_can_be_listed_and_read(http):
    resources = http.get("/mcp/servers/datasets/resources").json()["resources"]
    uri = resources[0]["uri"]
    read = http.get("/mcp/servers/datasets/resources/read", params={"uri": uri}).json()
    assert read["uri"] == uri and read["contents"][0]["text"]
    missing = http.get("/mcp/servers/datasets/resources/read", params={"uri": "dataset://nope"})
    assert missing.status_code == 404
    assert http.get("/mcp/servers/datasets/resources/read").status_code == 400


def test_prompts_can_be_listed_and_rendered(http):
    prompts = http.get("/mcp/servers/datasets/prompts").json()["prompts"]
    name = prompts[0]["name"]
    got = http.post(
        "/mcp/servers/datasets/prompts/get", json={"name": name, "arguments": {"table": "planets"}}
    ).json()
    assert got["name"] == name and got["messages"]
    assert (
        http.post(
            "/mcp/servers/datasets/prompts/get", json={"name": "nope", "arguments": {}}
        ).status_code
        == 404
    )


def test_a_homogeneous_successful_batch_is_200_with_refs_echoed_or_filled(http):
    calls = [
        {"ref": "t", "server_id": "datasets", "tool_name": "list_tables", "arguments": {}},
        {
            "server_id": "datasets",
            "tool_name": "query",
            "arguments": {"sql": "SELECT name FROM planets ORDER BY name LIMIT 2"},
        },
    ]
    r = http.post("/mcp/tools/call", json={"calls": calls})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["ref"] for x in results] == ["t", "1"]
    assert all(x["status"] == "success" and x["error"] is None for x in results)
    assert "Earth" in json.dumps(json.loads(results[1]["content"][0]["text"]))


def test_a_mixed_batch_is_207_with_per_result_errors(http):
    calls = [
        {"server_id": "datasets", "tool_name": "list_tables", "arguments": {}},
        {"server_id": "gmail", "tool_name": "read_emails", "arguments": {}},
    ]
    r = http.post("/mcp/tools/call", json={"calls": calls})
    assert r.status_code == 207
    ok, failed = r.json()["results"]
    assert ok["status"] == "success"
    assert failed["status"] == "unauthenticated" and failed["error"]["code"] == "auth_required"


def test_an_all_failed_batch_is_200(http):
    calls = [{"server_id": "gmail", "tool_name": "read_emails", "arguments": {}}] * 2
    r = http.post("/mcp/tools/call", json={"calls": calls})
    assert r.status_code == 200 and {x["status"] for x in r.json()["results"]} == {
        "unauthenticated"
    }


def test_batches_outside_one_to_five_calls_are_refused(http):
    call = {"server_id": "datasets", "tool_name": "list_tables", "arguments": {}}
    assert http.post("/mcp/tools/call", json={"calls": []}).status_code == 400
    r = http.post("/mcp/tools/call", json={"calls": [call] * 6})
    assert r.status_code == 400 and r.json()["error"]["param"] == "calls"
    bad = http.post("/mcp/tools/call", json={"calls": [{"tool_name": "x"}]})
    assert bad.status_code == 400 and "server_id" in bad.json()["error"]["message"]


def test_accounts_are_listed_per_server(http):
    body = http.get("/mcp/servers/datasets/accounts").json()
    assert body["server_id"] == "datasets" and isinstance(body["accounts"], list)
