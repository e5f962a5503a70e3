"""Enumerated and typed fields are refused as the API refuses them, so every read still parses.

Raw HTTP sends what a typed client would stop locally; after each refusal the agent must still
read back (through the official SDK when installed) unchanged.
"""

from __future__ import annotations

import pytest

from .conftest import make_agent

BAD_CHANGES = [
    ("put", "/mcp-servers/gmail", {"approval_mode": "auto"}, "approval_mode"),
    ("put", "/mcp-servers/gmail", {"credential_mode": "shared"}, "credential_mode"),
    ("put", "/mcp-servers/gmail", {"restricted_tools": "send_email"}, "restricted_tools"),
    ("patch", "", {"metadata": {"tool_discovery": {"mode": "sometimes"}}},
     "metadata.tool_discovery.mode"),
    ("patch", "", {"metadata": {"tool_approval": {"default_mode": "never"}}},
     "metadata.tool_approval.default_mode"),
    ("patch", "", {"metadata": {"artifacts": {"default_access": "world"}}},
     "metadata.artifacts.default_access"),
    ("patch", "", {"metadata": {"suggested_prompts": [{"title": "no message"}]}},
     "metadata.suggested_prompts[0].message"),
    ("patch", "", {"tools": [{"type": "gumcp_server", "approval_mode": "auto"}]},
     "tools[0].approval_mode"),
    ("patch", "/abilities", {"tool_discovery": {"mode": "x"}}, "tool_discovery.mode"),
    ("patch", "/abilities", {"web_search": {"provider": "bing"}}, "web_search.enabled"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "suffix", "body", "param"), BAD_CHANGES)
def test_bad_values_are_refused_and_nothing_is_stored(em, http, method, suffix, body, param):
    agent = make_agent(http)
    r = getattr(http, method)(f"/agents/{agent['id']}{suffix}", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == param
    after = http.get(f"/agents/{agent['id']}").json()["agent"]
    assert after["version"] == agent["version"] and after["tools"] == agent["tools"]
    gumloop = pytest.importorskip("gumloop")
    with gumloop.Gumloop(api_key="k", base_url=em.base_url) as client:
        assert client.agents.retrieve(agent["id"]).agent.id == agent["id"]


def test_create_refuses_a_bad_tool_and_good_values_still_pass(http):
    bad = http.post("/agents", json={"name": "x", "tools": [{"type": "mcp_server",
                                                              "credential_mode": "mine"}]})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "tools[0].credential_mode"
    agent = make_agent(http)
    good = http.put(f"/agents/{agent['id']}/mcp-servers/gmail",
                    json={"approval_mode": "write", "credential_mode": "end_user"})  # fmt: skip
    assert good.status_code == 200 and good.json()["mcp_server"]["approval_mode"] == "write"
