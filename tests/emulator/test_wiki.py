"""Wiki query: demo cards plus one card per agent, filtered by type and entity key."""

from __future__ import annotations

from .conftest import make_agent


def test_cards_follow_agents_and_filters_apply(http):
    agent = make_agent(http, name="Wiki agent", description="Answers wiki questions.")
    everything = http.post("/wiki/query", json={}).json()["cards"]
    types = {c["type"] for c in everything}
    assert {
        "person",
        "organization",
        "project",
        "agent",
        "profile",
        "note",
        "tone",
        "design",
    } <= types
    mine = http.post("/wiki/query", json={"type": "agent", "entity_key": agent["id"]}).json()
    assert [c["name"] for c in mine["cards"]] == ["Wiki agent"]
    assert mine["cards"][0]["agent_ids"] == [agent["id"]]
    assert any("Answers wiki" in f["text"] for f in mine["cards"][0]["facts"])
    people = http.post("/wiki/query", json={"type": "person"}).json()["cards"]
    assert people and {c["type"] for c in people} == {"person"}
    assert http.post("/wiki/query", json={"type": "planet"}).status_code == 400
