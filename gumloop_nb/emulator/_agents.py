"""Agents: CRUD, versions, and skill / MCP-server attachments."""

from __future__ import annotations

import copy
import difflib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..types import Agent, AgentTool
from ._demo import creator
from ._http import (
    ApiError,
    field,
    iso_now,
    json_body,
    new_id,
    not_found,
    ok,
    paginate,
    team_filter,
)
from ._readback import ensure_readable

__all__ = ["ROUTES", "bump_version", "check_version", "get_agent", "public_agent"]

PLATFORM_AGENTS = ("gumball", "analytics")
_VERSIONED = (
    "name",
    "description",
    "model_name",
    "system_prompt",
    "tools",
    "resources",
    "metadata",
    "skill_ids",
    "knowledge_sources",
)
_UPDATABLE = (
    "name",
    "model_name",
    "description",
    "system_prompt",
    "tools",
    "resources",
    "metadata",
    "is_active",
    "folder_id",
    "knowledge_sources",
)


def public_agent(doc: dict[str, Any]) -> dict[str, Any]:
    """The agent as the API shows it (private bookkeeping such as secrets stripped)."""
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["tools"] = [{k: v for k, v in t.items() if k != "secret_id"} for t in doc.get("tools", [])]
    return out


def get_agent(request: Request, agent_id: str) -> dict[str, Any]:
    doc = request.app.state.ctx.store.get("agents", agent_id)
    if doc is None:
        raise not_found("agent", agent_id)
    return doc


def _check_model(model: str | None) -> None:
    if model is None or model == "auto":
        return
    from .llm import MODELS

    if model not in MODELS:
        raise ApiError(
            400,
            "model_not_found",
            f"Unknown model '{model}'. Available models: {', '.join(MODELS)}.",
            param="model_name",
        )


def _snapshot(request: Request, agent: dict[str, Any], previous: str | None) -> dict[str, Any]:
    """Store a new version of `agent` and return its summary."""
    ctx = request.app.state.ctx
    version = {
        "id": new_id("agv"),
        "agent_id": agent["id"],
        "major_version": agent["version"],
        "name": agent["name"],
        "is_deployed": True,
        "created_at": iso_now(),
        "creator": creator(),
        "base_version_id": previous,
        "composition": {"complete": True, "schema_version": 1}
        | {k: copy.deepcopy(agent.get(k)) for k in _VERSIONED},
    }
    version["composition"]["tools"] = public_agent(agent)["tools"]
    ctx.store.put("agent_versions", version["id"], version)
    return version


def _check_metadata(body: dict[str, Any]) -> None:
    for name, kind in (
        ("tools", list),
        ("resources", list),
        ("metadata", dict),
        ("skill_ids", list),
        ("knowledge_sources", list),
    ):
        field(body, name, kind)
    for name in ("name", "model_name", "description", "system_prompt", "folder_id", "agent_id"):
        field(body, name, str)
    field(body, "is_active", bool)


async def create_agent(request: Request) -> Response:
    ctx = request.app.state.ctx
    body = await json_body(request)
    name = field(body, "name", str, required=True)
    if not name.strip():
        raise ApiError(400, "invalid_request", "The field 'name' must not be empty.", param="name")
    _check_metadata(body)
    _check_model(body.get("model_name"))
    skill_ids = body.get("skill_ids") or []
    _require_skills(request, skill_ids)
    agent_id = body.get("agent_id") or new_id("agt")
    team = body.get("team_id") or request.query_params.get("team_id") or ctx.config.default_team
    now = iso_now()
    known = {"agent_id", "team_id", *_UPDATABLE, "skill_ids", "incognito"}
    agent: dict[str, Any] = {
        "id": agent_id,
        "name": name,
        "description": body.get("description"),
        "team_id": team,
        "is_active": body.get("is_active", True),
        "tools": list(body.get("tools") or []),
        "resources": list(body.get("resources") or []),
        "skill_ids": list(dict.fromkeys(skill_ids)),
        "metadata": dict(body.get("metadata") or {}),
        "model_name": body.get("model_name") or ctx.config.default_model,
        "system_prompt": body.get("system_prompt"),
        "folder_id": body.get("folder_id"),
        "type": None,
        "created_at": now,
        "active_trigger_count": 0,
        "creator": creator(),
        "abilities": {},
        "incognito": {"enforced": bool(body.get("incognito", False))},
        "knowledge_sources": list(body.get("knowledge_sources") or []),
        "triggers": [],
        "version": 1,
        "last_used_at": None,
        "last_updated_at": now,
    }
    # Unknown keys pass through, as the contract says of create bodies.
    agent.update({k: v for k, v in body.items() if k not in known and k not in agent})
    ensure_readable(Agent, public_agent(agent))
    if not ctx.store.insert("agents", agent_id, agent):
        raise ApiError(
            409,
            "agent_already_exists",
            f"An agent with id '{agent_id}' already exists; choose another agent_id.",
            param="agent_id",
        )
    version = _snapshot(request, agent, None)
    agent["_version_id"] = version["id"]
    ctx.store.put("agents", agent_id, agent)
    return ok({"agent": public_agent(agent)}, 201)


async def list_agents(request: Request) -> Response:
    q = request.query_params
    items = team_filter(request, request.app.state.ctx.store.list("agents"))
    if search := (q.get("search") or "").lower():
        items = [a for a in items if search in f"{a['name']} {a.get('description') or ''}".lower()]
    if creator_id := q.get("creator"):
        items = [a for a in items if a["creator"]["id"] == creator_id]
    if tool := q.get("tool"):
        items = [a for a in items if any(t.get("server_id") == tool for t in a["tools"])]
    if (has := q.get("has_triggers")) is not None:
        items = [a for a in items if bool(a.get("triggers")) == (has.lower() == "true")]
    if flow := q.get("flow"):
        items = [a for a in items if any(t.get("saved_item_id") == flow for t in a["tools"])]
    page, nxt = paginate(request, list(reversed(items)))
    return ok({"agents": [public_agent(a) for a in page], "next_cursor": nxt})


async def retrieve_agent(request: Request) -> Response:
    return ok({"agent": public_agent(get_agent(request, request.path_params["agent_id"]))})


def _merge_metadata(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def bump_version(request: Request, agent: dict[str, Any]) -> dict[str, Any]:
    """Record a new version of an agent that just changed and save it.

    Refuses (400, nothing saved) a change that would leave the agent unreadable as the API's
    ``Agent`` object, e.g. an unknown enumerated value in a tool or metadata section.
    """
    ensure_readable(Agent, public_agent(agent))
    agent["version"] = int(agent.get("version", 1)) + 1
    agent["last_updated_at"] = iso_now()
    version = _snapshot(request, agent, agent.get("_version_id"))
    agent["_version_id"] = version["id"]
    request.app.state.ctx.store.put("agents", agent["id"], agent)
    return agent


async def update_agent(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    body = await json_body(request)
    _check_metadata(body)
    check_version(agent, field(body, "version", int))
    if "name" in body and not str(body["name"]).strip():
        raise ApiError(400, "invalid_request", "The field 'name' must not be empty.", param="name")
    _check_model(body.get("model_name"))
    for key in _UPDATABLE:
        if key not in body:
            continue
        if key == "metadata" and body[key] is not None:
            agent["metadata"] = _merge_metadata(agent.get("metadata") or {}, body["metadata"])
        else:
            agent[key] = body[key]
    if body.get("team_id"):
        agent["team_id"] = body["team_id"]
    return ok({"agent": public_agent(bump_version(request, agent))})


def check_version(agent: dict[str, Any], expected: int | None) -> None:
    """Optimistic concurrency: refuse a change based on an older version."""
    if expected is not None and expected != agent.get("version"):
        raise ApiError(
            409,
            "agent_version_conflict",
            f"The agent changed since version {expected} (it is now at version "
            f"{agent.get('version')}); retrieve it and apply your change again.",
            param="version",
            type="conflict_error",
            details={"current_version": agent.get("version")},
        )


async def delete_agent(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    if agent_id in PLATFORM_AGENTS:
        raise ApiError(
            403,
            "platform_agent_protected",
            f"'{agent_id}' is a platform agent and cannot be deleted.",
            type="permission_error",
        )
    get_agent(request, agent_id)
    deleted = request.app.state.ctx.store.delete("agents", agent_id)
    return ok({"agent_id": agent_id, "deleted": deleted})


def _versions_of(request: Request, agent_id: str) -> list[dict[str, Any]]:
    docs = request.app.state.ctx.store.list("agent_versions")
    return [v for v in docs if v["agent_id"] == agent_id]


async def list_versions(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    versions = sorted(_versions_of(request, agent_id), key=lambda v: -v["major_version"])
    page, nxt = paginate(request, versions)
    keys = ("id", "agent_id", "major_version", "name", "is_deployed", "created_at", "creator")
    return ok({"versions": [{k: v[k] for k in keys} for v in page], "next_cursor": nxt})


def _text_hunks(old: str, new: str) -> list[dict[str, Any]]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    hunks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        if tag != "equal":
            hunks.append(
                {
                    "old_start": i1,
                    "old_end": i2,
                    "new_start": j1,
                    "new_end": j2,
                    "old_text": "".join(a[i1:i2]),
                    "new_text": "".join(b[j1:j2]),
                }
            )
    return hunks


def _changes(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any] | None:
    if old is None:
        return None
    before, after = old["composition"], new["composition"]
    field_changes: list[dict[str, Any]] = []
    for key in ("name", "description", "model_name", "system_prompt", "resources", "metadata"):
        if before.get(key) == after.get(key):
            continue
        status = "added" if before.get(key) in (None, "", [], {}) else "changed"
        if key == "system_prompt" and before.get(key) and after.get(key):
            hunks = _text_hunks(before[key], after[key])
            field_changes.append({"field": key, "status": status, "text_hunks": hunks})
        else:
            field_changes.append(
                {
                    "field": key,
                    "status": status,
                    "old_value": before.get(key),
                    "new_value": after.get(key),
                }
            )
    old_skills, new_skills = set(before.get("skill_ids") or []), set(after.get("skill_ids") or [])
    skill_changes = [{"skill_id": s, "status": "added"} for s in sorted(new_skills - old_skills)]
    skill_changes += [{"skill_id": s, "status": "removed"} for s in sorted(old_skills - new_skills)]
    tool_changes = []
    old_tools = {t.get("server_id") or t.get("type"): t for t in before.get("tools") or []}
    new_tools = {t.get("server_id") or t.get("type"): t for t in after.get("tools") or []}
    for ident in sorted(set(old_tools) | set(new_tools), key=str):
        a, b = old_tools.get(ident), new_tools.get(ident)
        if a == b:
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        tool_changes.append(
            {
                "identity": ident,
                "status": status,
                "old_value": a,
                "new_value": b,
                "field_changes": [],
            }
        )
    return {
        "base_version_id": new.get("base_version_id"),
        "attachment_changes_complete": True,
        "field_changes": field_changes,
        "tool_changes": tool_changes,
        "skill_changes": skill_changes,
        "knowledge_source_changes": [],
    }


async def get_version(request: Request) -> Response:
    agent_id, version_id = request.path_params["agent_id"], request.path_params["version_id"]
    get_agent(request, agent_id)
    store = request.app.state.ctx.store
    version = store.get("agent_versions", version_id)
    if version is None or version["agent_id"] != agent_id:
        raise not_found("agent_version", version_id)
    base = version.get("base_version_id")
    previous = store.get("agent_versions", base) if base else None
    public = {k: v for k, v in version.items() if k != "base_version_id"}
    return ok({"version": public, "changes": _changes(previous, version)})


def _require_skills(request: Request, ids: list[Any]) -> None:
    store = request.app.state.ctx.store
    if not all(isinstance(i, str) for i in ids):
        raise ApiError(400, "invalid_request", "Skill ids must be strings.", param="skill_ids")
    missing = [i for i in ids if store.get("skills", i) is None]
    if missing:
        raise ApiError(
            404,
            "skill_not_found",
            f"Unknown skill id(s): {', '.join(missing)}; nothing was changed.",
            type="not_found_error",
            details={"skill_ids": missing},
        )


async def patch_skills(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    body = await json_body(request)
    attach, detach = body.get("attach"), body.get("detach")
    if attach is None and detach is None:
        raise ApiError(
            400, "invalid_request", "Send 'attach' or 'detach' with skill ids.", param="attach"
        )
    attach = [attach] if isinstance(attach, str) else list(attach or [])
    detach = [detach] if isinstance(detach, str) else list(detach or [])
    _require_skills(request, attach + detach)
    current = list(agent.get("skill_ids") or [])
    result: dict[str, list[str]] = {
        "attached": [],
        "detached": [],
        "already_attached": [],
        "already_detached": [],
    }
    for sid in attach:
        if sid in current:
            result["already_attached"].append(sid)
        else:
            current.append(sid)
            result["attached"].append(sid)
    for sid in detach:
        if sid in current:
            current.remove(sid)
            result["detached"].append(sid)
        else:
            result["already_detached"].append(sid)
    if result["attached"] or result["detached"]:
        agent["skill_ids"] = current
        bump_version(request, agent)
    return ok({"agent_id": agent["id"], "skill_ids": current, **result})


async def attach_mcp(request: Request) -> Response:
    from . import mcp_demo

    agent = get_agent(request, request.path_params["agent_id"])
    server_id = request.path_params["server_id"]
    server = mcp_demo.get_server(server_id)
    if server is None:
        raise ApiError(
            404,
            "mcp_server_not_found",
            f"No MCP server with id '{server_id}'. List servers with GET /mcp/servers.",
            type="not_found_error",
        )
    body = await json_body(request, required=False)
    config = {k: v for k, v in body.items() if k not in ("server_id", "url", "mcp_url", "type")}
    tools = list(agent.get("tools") or [])
    existing = next((t for t in tools if t.get("server_id") == server_id), None)
    if existing is None:
        entry = {
            "type": server.get("type") or "gumcp_server",
            "name": server.get("name"),
            "server_id": server_id,
            "approval_mode": "inherit",
            "credential_mode": "agent_owned",
        } | config
        tools.append(entry)
    else:
        existing.update(config)
        entry = existing
    ensure_readable(AgentTool, entry)  # names the body field itself, e.g. 'approval_mode'
    agent["tools"] = tools
    bump_version(request, agent)
    public_entry = {k: v for k, v in entry.items() if k != "secret_id"}
    return ok(
        {
            "agent_id": agent["id"],
            "mcp_server": public_entry,
            "created": existing is None,
            "auth_status": server.get("status", "connected"),
            "version": agent["version"],
        }
    )


async def detach_mcp(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    server_id = request.path_params["server_id"]
    tools = list(agent.get("tools") or [])
    kept = [t for t in tools if t.get("server_id") != server_id]
    detached = len(kept) != len(tools)
    if detached:
        agent["tools"] = kept
        bump_version(request, agent)
    return ok({"agent_id": agent["id"], "server_id": server_id, "detached": detached})


async def list_mcp(request: Request) -> Response:
    agent = public_agent(get_agent(request, request.path_params["agent_id"]))
    servers = [t for t in agent["tools"] if t.get("server_id")]
    return ok({"agent_id": agent["id"], "mcp_servers": servers})


_A = "/api/v1/agents/{agent_id}"
ROUTES = [
    Route("/api/v1/agents", list_agents, methods=["GET"]),
    Route("/api/v1/agents", create_agent, methods=["POST"]),
    Route(_A, retrieve_agent, methods=["GET"]),
    Route(_A, update_agent, methods=["PATCH"]),
    Route(_A, delete_agent, methods=["DELETE"]),
    Route(_A + "/versions", list_versions, methods=["GET"]),
    Route(_A + "/versions/{version_id}", get_version, methods=["GET"]),
    Route(_A + "/skills", patch_skills, methods=["PATCH"]),
    Route(_A + "/mcp-servers", list_mcp, methods=["GET"]),
    Route(_A + "/mcp-servers/{server_id}", attach_mcp, methods=["PUT"]),
    Route(_A + "/mcp-servers/{server_id}", detach_mcp, methods=["DELETE"]),
]
