"""Agent settings beyond the core object: abilities, incognito, knowledge sources, subagents
and app rules."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..types import AgentAbilities
from ._agents import bump_version, check_version, get_agent, public_agent
from ._http import ApiError, field, json_body, ok
from ._readback import ensure_readable

__all__ = ["ROUTES"]

_ABILITIES = (
    "web_search",
    "web_fetch",
    "image_generation",
    "search_past_conversations",
    "ask_question",
    "manage_evaluations",
    "tool_discovery",
    "browser",
)


async def update_abilities(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    body = await json_body(request)
    unknown = [k for k in body if k not in (*_ABILITIES, "version")]
    if unknown:
        raise ApiError(
            400,
            "invalid_request",
            f"Unknown abilities: {', '.join(unknown)}; use {', '.join(_ABILITIES)}.",
            param=unknown[0],
        )
    for key in _ABILITIES:
        if key in body:
            field(body, key, dict)
    check_version(agent, field(body, "version", int))
    ensure_readable(AgentAbilities, {k: body[k] for k in _ABILITIES if k in body})
    abilities = dict(agent.get("abilities") or {})
    abilities.update({k: body[k] for k in _ABILITIES if k in body})
    agent["abilities"] = abilities
    bump_version(request, agent)
    return ok({"agent_id": agent["id"], "abilities": abilities, "version": agent["version"]})


async def set_incognito(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    body = await json_body(request)
    agent["incognito"] = {"enforced": field(body, "enforced", bool, required=True)}
    return ok({"agent": public_agent(bump_version(request, agent))})


async def list_knowledge(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    return ok({"agent_id": agent["id"], "knowledge_sources": agent.get("knowledge_sources") or []})


async def attach_knowledge(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    connector = request.path_params["connector_id"]
    body = await json_body(request, required=False)
    config = field(body, "config", dict)
    sources = [k for k in agent.get("knowledge_sources") or [] if k["connector_id"] != connector]
    existed = len(sources) != len(agent.get("knowledge_sources") or [])
    source = {"connector_id": connector, "config": config}
    agent["knowledge_sources"] = [*sources, source]
    bump_version(request, agent)
    return ok(
        {
            "agent_id": agent["id"],
            "knowledge_source": source,
            "outcome": "updated" if existed else "attached",
        }
    )


async def detach_knowledge(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    connector = request.path_params["connector_id"]
    before = agent.get("knowledge_sources") or []
    kept = [k for k in before if k["connector_id"] != connector]
    if len(kept) != len(before):
        agent["knowledge_sources"] = kept
        bump_version(request, agent)
    return ok(
        {"agent_id": agent["id"], "connector_id": connector, "detached": len(kept) != len(before)}
    )


async def change_subagent(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    sub = request.path_params["subagent_id"]
    subs = list(agent.get("subagent_ids") or [])
    if request.method == "PUT":
        if sub == agent["id"]:
            raise ApiError(
                400, "invalid_request", "An agent cannot be its own subagent.", param="subagent_id"
            )
        get_agent(request, sub)
        changed = sub not in subs
        if changed:
            subs.append(sub)
    else:
        changed = sub in subs
        subs = [s for s in subs if s != sub]
    if changed:
        agent["subagent_ids"] = subs
        bump_version(request, agent)
    return ok({"agent_id": agent["id"], "subagent_ids": subs, "changed": changed})


async def list_app_rules(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    return ok({"agent_id": agent["id"], "app_rules": []})


_A = "/api/v1/agents/{agent_id}"
ROUTES = [
    Route(_A + "/abilities", update_abilities, methods=["PATCH"]),
    Route(_A + "/incognito", set_incognito, methods=["PATCH"]),
    Route(_A + "/knowledge-sources", list_knowledge, methods=["GET"]),
    Route(_A + "/knowledge-sources/{connector_id}", attach_knowledge, methods=["PUT"]),
    Route(_A + "/knowledge-sources/{connector_id}", detach_knowledge, methods=["DELETE"]),
    Route(_A + "/subagents/{subagent_id}", change_subagent, methods=["PUT", "DELETE"]),
    Route(_A + "/app-rules", list_app_rules, methods=["GET"]),
]
