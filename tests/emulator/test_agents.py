"""Agents: CRUD, versions, attachments, evaluation, conflicts."""

from __future__ import annotations

from .conftest import make_agent


def test_an_agent_round_trips_through_create_retrieve_update_delete(http):
    agent = make_agent(http, name="Helper", system_prompt="Be brief.", team_id="team_research")
    assert agent["version"] == 1 and agent["team_id"] == "team_research"
    assert agent["creator"]["id"] == "usr_demo"
    got = http.get(f"/agents/{agent['id']}").json()["agent"]
    assert got["system_prompt"] == "Be brief."
    r = http.patch(f"/agents/{agent['id']}", json={"name": "Helper 2", "metadata": {"a": {"x": 1}}})
    assert r.json()["agent"]["name"] == "Helper 2" and r.json()["agent"]["version"] == 2
    r = http.patch(f"/agents/{agent['id']}", json={"metadata": {"a": {"y": 2}}})
    assert r.json()["agent"]["metadata"]["a"] == {"x": 1, "y": 2}
    assert http.delete(f"/agents/{agent['id']}").json() == {
        "agent_id": agent["id"],
        "deleted": True,
    }
    assert http.get(f"/agents/{agent['id']}").status_code == 404


def test_a_caller_chosen_agent_id_is_used_and_cannot_be_taken_twice(http):
    make_agent(http, agent_id="agt_fixed_id")
    r = http.post("/agents", json={"name": "Again", "agent_id": "agt_fixed_id"})
    assert r.status_code == 409


def test_platform_agents_cannot_be_deleted(http):
    r = http.delete("/agents/gumball")
    assert r.status_code == 403 and r.json()["error"]["type"] == "permission_error"


def test_a_stale_version_is_refused_with_agent_version_conflict(http):
    agent = make_agent(http)
    http.patch(f"/agents/{agent['id']}", json={"name": "v2", "version": 1})
    r = http.patch(f"/agents/{agent['id']}", json={"name": "v3", "version": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "agent_version_conflict"
    assert http.get(f"/agents/{agent['id']}").json()["agent"]["name"] == "v2"


def test_each_update_makes_a_version_whose_changes_describe_the_edit(http):
    agent = make_agent(http, system_prompt="Line one.\nLine two.\n")
    http.patch(
        f"/agents/{agent['id']}",
        json={"system_prompt": "Line one.\nLine 2!\n", "model_name": "gpt-4.1"},
    )
    versions = http.get(f"/agents/{agent['id']}/versions").json()["versions"]
    assert [v["major_version"] for v in versions] == [2, 1]
    detail = http.get(f"/agents/{agent['id']}/versions/{versions[0]['id']}").json()
    assert detail["version"]["composition"]["model_name"] == "gpt-4.1"
    changes = {c["field"]: c for c in detail["changes"]["field_changes"]}
    assert changes["model_name"]["old_value"] == "claude-sonnet-4-5"
    hunk = changes["system_prompt"]["text_hunks"][0]
    assert hunk["old_text"] == "Line two.\n" and hunk["new_text"] == "Line 2!\n"
    first = http.get(f"/agents/{agent['id']}/versions/{versions[1]['id']}").json()
    assert first["changes"] is None


def test_agent_lists_filter_by_search_and_team_and_page_with_cursors(http):
    tag = "zebra-unique-tag"
    ids = [make_agent(http, name=f"{tag} {i}", team_id="team_research")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        params = {"search": tag, "page_size": 2} | ({"cursor": cursor} if cursor else {})
        page = http.get("/agents", params=params).json()
        seen += [a["id"] for a in page["agents"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    other_team = http.get("/agents", params={"search": tag, "team_id": "team_demo"}).json()
    assert other_team["agents"] == []


def test_an_unknown_model_name_is_refused_on_create(http):
    r = http.post("/agents", json={"name": "A", "model_name": "not-a-model"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "model_not_found"


def _skill(http, name: str) -> str:
    md = f"---\nname: {name}\ndescription: Test skill {name}\n---\nBody\n".encode()
    r = http.post("/skills", files=[("files", (f"{name}.md", md, "text/markdown"))])
    assert r.status_code == 201, r.text
    return r.json()["skill"]["id"]


def test_skill_attach_and_detach_are_idempotent(http):
    agent = make_agent(http)
    s1, s2 = _skill(http, "one"), _skill(http, "two")
    path = f"/agents/{agent['id']}/skills"
    r = http.patch(path, json={"attach": [s1, s2]}).json()
    assert r["attached"] == [s1, s2] and r["skill_ids"] == [s1, s2]
    r = http.patch(path, json={"attach": s1}).json()
    assert r["already_attached"] == [s1] and r["attached"] == []
    r = http.patch(path, json={"detach": [s2]}).json()
    assert r["detached"] == [s2] and r["skill_ids"] == [s1]
    assert http.patch(path, json={"detach": [s2]}).json()["already_detached"] == [s2]
    listed = http.get("/skills", params={"agent_id": agent["id"]}).json()["skills"]
    assert [s["id"] for s in listed] == [s1]


def test_an_unknown_skill_id_rejects_the_whole_batch(http):
    agent = make_agent(http)
    s1 = _skill(http, "three")
    r = http.patch(f"/agents/{agent['id']}/skills", json={"attach": [s1, "skl_missing"]})
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "skill_not_found" and err["details"]["skill_ids"] == ["skl_missing"]
    assert http.get(f"/agents/{agent['id']}").json()["agent"]["skill_ids"] == []


def test_mcp_server_attach_upserts_hides_the_secret_and_detach_reports_changes(http):
    agent = make_agent(http)
    path = f"/agents/{agent['id']}/mcp-servers/datasets"
    first = http.put(path, json={"approval_mode": "off", "secret_id": "sec_hidden"}).json()
    assert first["created"] is True and first["mcp_server"]["server_id"] == "datasets"
    assert "sec_hidden" not in str(first)
    again = http.put(path, json={"approval_mode": "all", "server_id": "spoofed"}).json()
    assert again["created"] is False and again["mcp_server"]["approval_mode"] == "all"
    assert again["mcp_server"]["server_id"] == "datasets"
    listed = http.get(f"/agents/{agent['id']}/mcp-servers").json()["mcp_servers"]
    assert [s["server_id"] for s in listed] == ["datasets"] and "sec_hidden" not in str(listed)
    assert http.delete(path).json()["detached"] is True
    assert http.delete(path).json()["detached"] is False


def test_attaching_an_unknown_mcp_server_is_404(http):
    agent = make_agent(http)
    r = http.put(f"/agents/{agent['id']}/mcp-servers/nope", json={})
    assert r.status_code == 404 and r.json()["error"]["code"] == "mcp_server_not_found"


def test_evaluation_config_patches_replace_lists_and_results_follow_sessions(http):
    agent = make_agent(http)
    path = f"/agents/{agent['id']}/evaluation-config"
    assert http.get(path).json()["config"]["enabled"] is False
    cfg = http.patch(path, json={"enabled": True, "tags": [{"name": "billing"}]}).json()["config"]
    assert cfg["enabled"] is True and cfg["tags"] == [{"name": "billing"}]
    assert http.get(path).json()["config"]["tags"] == [{"name": "billing"}]
    from .conftest import finished_session

    sid = http.post(f"/agents/{agent['id']}/sessions", json={"input": "hello"}).json()
    finished_session(http, sid["session"]["id"])
    evals = http.get(f"/agents/{agent['id']}/evaluations").json()["evaluations"]
    assert len(evals) == 1 and evals[0]["session_id"] == sid["session"]["id"]
    one = http.get(f"/agents/{agent['id']}/evaluations/{evals[0]['id']}").json()
    assert one["evaluation"]["grade"] == "pass"
