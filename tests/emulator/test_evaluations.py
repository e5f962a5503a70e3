"""Evaluations: the agent's own run endpoint and organization evaluations end to end."""

from __future__ import annotations

import httpx
import pytest

from .conftest import finished_session, make_agent


def _session(http: httpx.Client, agent_id: str, text: str) -> str:
    sid = http.post(f"/agents/{agent_id}/sessions", json={"input": text}).json()["session"]["id"]
    finished_session(http, sid)
    return sid


def test_agent_run_regrades_with_the_current_config_and_prices_a_dry_run(http):
    agent = make_agent(http)
    sid = _session(http, agent["id"], "Thanks! Please explain the billing cycle")
    other = make_agent(http)
    foreign = _session(http, other["id"], "hello")
    path = f"/agents/{agent['id']}/evaluations"
    before = http.get(path).json()["evaluations"]
    assert [e["session_id"] for e in before] == [sid] and before[0]["applied_tags"] == []

    http.patch(f"/agents/{agent['id']}/evaluation-config",
               json={"tags": [{"name": "billing"}], "data_points": [{"name": "turns", "type": "number"}]})  # fmt: skip
    dry = http.post(
        f"{path}/run", json={"session_ids": [sid, foreign, "ses_missing"], "dry_run": True}
    )
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"] is True and body["credit_cost"] == 1
    assert body["results"] == [{"id": None, "session_id": sid, "status": "pending"}]
    assert {s["session_id"]: s["reason"] for s in body["skipped"]} == {
        foreign: "session_not_found",
        "ses_missing": "session_not_found",
    }
    assert http.get(path).json()["evaluations"][0]["id"] == before[0]["id"]  # nothing stored

    run = http.post(f"{path}/run", json={"session_ids": [sid]}).json()
    new_id = run["results"][0]["id"]
    after = http.get(path).json()["evaluations"]
    assert [e["id"] for e in after] == [new_id]  # the re-grade replaced the automatic result
    assert after[0]["applied_tags"] == [{"name": "billing"}]
    assert after[0]["data_results"] == [{"name": "turns", "value": 1}]
    assert after[0]["sentiment"] == "positive"
    assert http.get(f"{path}/{new_id}").json()["evaluation"]["session_id"] == sid
    metrics = http.get(f"{path}/metrics", params={"days": 1}).json()
    assert metrics["grades"] == {"pass": 1} and metrics["tags"] == {"billing": 1}


@pytest.mark.parametrize(
    "body",
    [{}, {"session_ids": []}, {"session_ids": "ses_1"}, {"session_ids": [1]},
     {"session_ids": ["a"], "dry_run": "yes"}],
)  # fmt: skip
def test_agent_run_validates_its_body(http, body):
    agent = make_agent(http)
    r = http.post(f"/agents/{agent['id']}/evaluations/run", json=body)
    assert r.status_code == 400, r.text


def test_organization_evaluation_lifecycle(http):
    covered = make_agent(http, team_id="team_research")
    outside = make_agent(http, team_id="team_demo")
    s_in = _session(http, covered["id"], "hello there")
    s_out = _session(http, outside["id"], "hello there")
    created = http.post("/evaluations", json={"organization_id": "org_demo", "name": "Quality",
                                              "config": {"criteria": [{"name": "polite", "type": "score"}]}})  # fmt: skip
    assert created.status_code == 201, created.text
    ev = created.json()["evaluation"]
    assert ev["enabled"] is False and ev["covered_agent_count"] == 0
    base = f"/evaluations/{ev['id']}"
    refused = http.patch(base, json={"enabled": True})
    assert (
        refused.status_code == 400
        and refused.json()["error"]["code"] == "evaluation_has_no_targets"
    )

    target = [{"type": "agent", "id": covered["id"]}]
    targets = http.put(f"{base}/targets", json={"targets": target})
    assert targets.json() == {"targets": target, "covered_agent_count": 1, "enabled": False}
    assert http.patch(base, json={"enabled": True}).json()["evaluation"]["enabled"] is True

    run = http.post(f"{base}/run", json={"session_ids": [s_in, s_out], "dry_run": False}).json()
    assert [r["session_id"] for r in run["results"]] == [s_in]
    assert run["skipped"] == [{"session_id": s_out, "reason": "agent_not_covered"}]
    rid = run["results"][0]["id"]
    again = http.post(f"{base}/run", json={"session_ids": [s_in]}).json()
    assert again["skipped"] == [
        {"session_id": s_in, "reason": "already_evaluated", "result_id": rid}
    ]

    results = http.get(f"{base}/results", params={"agent_id": covered["id"]}).json()["results"]
    assert [r["id"] for r in results] == [rid]
    assert results[0]["criteria_results"][0]["score"] > 0
    assert http.get(f"{base}/results", params={"grade": "needs_review"}).json()["results"] == []
    assert http.get(f"{base}/results/{rid}").json()["result"]["evaluation_id"] == ev["id"]
    assert http.get(f"{base}/metrics").json() == {"days": 30, "grades": {"pass": 1}}
    listed = http.get("/evaluations", params={"organization_id": "org_demo"}).json()["evaluations"]
    assert ev["id"] in [e["id"] for e in listed]
    agent_view = http.get(f"/agents/{covered['id']}/evaluations",
                          params={"organization_evaluation_id": ev["id"]}).json()["evaluations"]  # fmt: skip
    assert [e["id"] for e in agent_view] == [rid]

    emptied = http.put(f"{base}/targets", json={"targets": []}).json()
    assert emptied["enabled"] is False  # removing the last target pauses it
    assert http.delete(base).status_code == 200
    assert http.get(base).status_code == 404
    assert http.get(f"{base}/results/{rid}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/evaluations", {"organization_id": "org_nope", "name": "x"}, 404),
        ("/evaluations", {"organization_id": "org_demo", "name": "x", "enabled": True}, 400),
        ("/evaluations", {"organization_id": "org_demo", "name": "x",
                          "config": {"frequency": "yearly"}}, 400),
        ("/evaluations", {"organization_id": "org_demo", "name": "x",
                          "config": {"criteria": [{"name": "a", "type": "stars"}]}}, 400),
        ("/evaluations", {"organization_id": "org_demo", "name": "x", "config": {"colour": 1}}, 400),
    ],
)  # fmt: skip
def test_organization_evaluation_validation(http, path, body, status):
    assert http.post(path, json=body).status_code == status


def test_targets_validation(http):
    ev = http.post("/evaluations", json={"organization_id": "org_demo", "name": "T"}).json()
    base = f"/evaluations/{ev['evaluation']['id']}/targets"
    for targets in ([{"type": "galaxy"}], [{"type": "team"}], [{"type": "team", "id": "nope"}],
                    [{"type": "agent", "id": "agt_missing"}]):  # fmt: skip
        assert http.put(base, json={"targets": targets}).status_code == 400, targets
    make_agent(http, team_id="team_research")
    make_agent(http, team_id="team_demo")
    team = http.put(base, json={"targets": [{"type": "team", "id": "team_research"}]}).json()
    whole = http.put(base, json={"targets": [{"type": "organization"}]}).json()
    assert whole["targets"] == [{"type": "organization", "id": None}]
    assert whole["covered_agent_count"] > team["covered_agent_count"] >= 1
