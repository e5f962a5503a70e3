"""Agent evaluation (config, results, options, metrics) and the 0.5.9 agent extras
(abilities, incognito, knowledge sources, subagents, app rules)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._agents import bump_version, check_version, get_agent, public_agent
from ._http import ApiError, field, iso_now, json_body, not_found, ok, paginate

__all__ = ["ROUTES"]

_EVAL_KEYS = (
    "enabled",
    "model_name",
    "frequency",
    "language",
    "include_auto_tags",
    "interaction_types",
    "criteria",
    "tags",
    "data_points",
    "sentiment",
    "notifications",
)


def _eval_config(request: Request, agent_id: str) -> dict[str, Any]:
    stored = request.app.state.ctx.store.get("eval_configs", agent_id)
    if stored:
        return stored
    return {
        "agent_id": agent_id,
        "enabled": False,
        "is_active": False,
        "model_name": "claude-sonnet-4-5",
        "frequency": "daily",
        "language": "en",
        "include_auto_tags": True,
        "interaction_types": ["api", "web"],
        "criteria": [
            {"name": "helpful", "description": "The answer helps the user.", "priority": "high"}
        ],
        "tags": [],
        "data_points": [],
        "sentiment": {"enabled": True},
        "notifications": None,
        "updated_ts": None,
        "updated_at": None,
        "organization_evaluations": [],
    }


async def get_eval_config(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    return ok({"config": _eval_config(request, agent_id)})


async def patch_eval_config(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    body = await json_body(request)
    for name in ("criteria", "tags", "data_points", "interaction_types"):
        field(body, name, list)
    field(body, "enabled", bool)
    config = _eval_config(request, agent_id)
    config.update({k: body[k] for k in _EVAL_KEYS if k in body})
    config["is_active"] = bool(config.get("enabled"))
    config["updated_at"] = config["updated_ts"] = iso_now()
    request.app.state.ctx.store.put("eval_configs", agent_id, config)
    return ok({"config": config})


def _evaluations(request: Request, agent_id: str) -> list[dict[str, Any]]:
    """One result per finished session of the agent: pass when it answered, else failed."""
    results = []
    for session in request.app.state.ctx.store.list("sessions"):
        if session["agent_id"] != agent_id or session["state"] not in ("completed", "failed"):
            continue
        answered = any(
            m["role"] == "assistant" and m.get("content") for m in session.get("messages", [])
        )
        failed = session["state"] == "failed"
        ev_id = "eval_" + session["id"].split("_", 1)[-1]
        results.append(
            {
                "id": ev_id,
                "evaluation_id": ev_id,
                "session_id": session["id"],
                "agent_id": agent_id,
                "created_ts": session["created_at"],
                "created_at": session["created_at"],
                "status": "failed" if failed else "completed",
                "grade": None if failed else ("pass" if answered else "needs_review"),
                "call_successful": None if failed else ("success" if answered else "failure"),
                "sentiment": None if failed else "neutral",
                "summary": "The run failed before an answer."
                if failed
                else "The agent answered the request.",
                "criteria_results": [] if failed else [{"name": "helpful", "passed": answered}],
                "data_results": [],
                "applied_tags": [],
                "organization_evaluation_id": None,
                "error_code": "session_failed" if failed else None,
                "model_name": "claude-sonnet-4-5",
            }
        )
    return results


async def list_evaluations(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    q = request.query_params
    items = _evaluations(request, agent_id)
    for key in ("grade", "status", "session_id"):
        if q.get(key):
            items = [e for e in items if e.get(key) == q[key]]
    page, nxt = paginate(request, list(reversed(items)))
    return ok({"evaluations": page, "next_cursor": nxt})


async def get_evaluation(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    wanted = request.path_params["evaluation_id"]
    found = next((e for e in _evaluations(request, agent_id) if e["id"] == wanted), None)
    if found is None:
        raise not_found("evaluation", wanted)
    return ok({"evaluation": found})


async def evaluation_options(request: Request) -> Response:
    return ok(
        {
            "interaction_types": ["api", "web", "slack", "email"],
            "criterion_types": ["boolean", "score"],
            "criterion_priorities": ["low", "medium", "high"],
            "data_point_types": ["string", "number", "boolean"],
            "frequencies": ["hourly", "daily", "weekly"],
            "default_interaction_types": ["api", "web"],
            "limits": {
                "criteria": 20,
                "tags": 20,
                "data_points": 20,
                "tag_name_max_len": 40,
                "tag_description_max_len": 200,
                "notification_recipients": 10,
            },
        }
    )


async def evaluation_metrics(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    days = 30
    raw = request.query_params.get("days")
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 365:
            raise ApiError(400, "invalid_request", "days must be between 1 and 365.", param="days")
        days = int(raw)
    grades: dict[str, int] = {}
    for ev in _evaluations(request, agent_id):
        if ev["grade"]:
            grades[ev["grade"]] = grades.get(ev["grade"], 0) + 1
    return ok({"days": days, "grades": grades, "tags": {}})


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
    Route("/api/v1/agents/evaluation-options", evaluation_options, methods=["GET"]),
    Route(_A + "/evaluation-config", get_eval_config, methods=["GET"]),
    Route(_A + "/evaluation-config", patch_eval_config, methods=["PATCH"]),
    Route(_A + "/evaluations", list_evaluations, methods=["GET"]),
    Route(_A + "/evaluations/metrics", evaluation_metrics, methods=["GET"]),
    Route(_A + "/evaluations/{evaluation_id}", get_evaluation, methods=["GET"]),
    Route(_A + "/abilities", update_abilities, methods=["PATCH"]),
    Route(_A + "/incognito", set_incognito, methods=["PATCH"]),
    Route(_A + "/knowledge-sources", list_knowledge, methods=["GET"]),
    Route(_A + "/knowledge-sources/{connector_id}", attach_knowledge, methods=["PUT"]),
    Route(_A + "/knowledge-sources/{connector_id}", detach_knowledge, methods=["DELETE"]),
    Route(_A + "/subagents/{subagent_id}", change_subagent, methods=["PUT", "DELETE"]),
    Route(_A + "/app-rules", list_app_rules, methods=["GET"]),
]
