"""Sessions: runs as asyncio tasks, stored messages and stream events, SSE with resume cursors.

Every event of a session gets a cursor ``"<session_id>:<n>"`` (n counts from 1 across all the
session's runs) and is stored, so ``GET /sessions/{id}?stream=true&last_cursor=<c>`` replays
exactly the events after ``c`` and then follows the live run, if any. A cursor that does not
belong to the session (or points past its last event) gets a ``finish`` event with
``finishReason: "not_resumable"``.

Because the emulator serves the API and stream hosts from one origin, ``stream: true`` is
accepted on session create/send here (the real API host answers 400 and names the stream host).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ._agents import get_agent, public_agent
from ._approvals import approval_responses
from ._chat import sse_headers
from ._demo import DEMO_USER, creator
from ._http import (
    ApiError,
    field,
    iso_now,
    json_body,
    new_id,
    not_found,
    ok,
    paginate,
    sort_by_created,
)
from ._queue import enqueue, queue_of, queued_send
from ._runs import TERMINAL, SessionHub, add_user_message, public_session, text_of

__all__ = ["ROUTES", "SessionHub", "open_session"]


def _input_of(body: dict[str, Any]) -> Any:
    value = body.get("input", body.get("message"))
    if value is None:
        return None
    if not isinstance(value, (str, list)):
        raise ApiError(
            400,
            "invalid_request",
            "The field 'input' must be a string or a list of content parts.",
            param="input",
        )
    if not text_of(value).strip():
        raise ApiError(
            400, "invalid_request", "The field 'input' must not be empty.", param="input"
        )
    return value


def _get(request: Request, sid: str) -> dict[str, Any]:
    doc = request.app.state.ctx.store.get("sessions", sid)
    if doc is None:
        raise not_found("session", sid)
    return doc


def _hub(request: Request) -> SessionHub:
    hub: SessionHub = request.app.state.ctx.hub
    return hub


def _stream(request: Request, sid: str, after: int, *, status: int = 200) -> Response:
    hub = _hub(request)

    async def body() -> AsyncIterator[bytes]:
        async for event in hub.follow(sid, after):
            yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()

    return StreamingResponse(
        body(), status_code=status, media_type="text/event-stream", headers=sse_headers()
    )


def open_session(
    ctx: Any,
    agent: dict[str, Any],
    content: Any,
    *,
    sid: str | None = None,
    name: str | None = None,
    session_type: str = "api",
    metadata: dict[str, Any] | None = None,
    incognito: bool = False,
    trigger_id: str | None = None,
) -> dict[str, Any] | None:
    """Store a new session of `agent` (its public form) and start a run when `content` is given.

    Returns the stored session, or None when `sid` is already taken. Shared by
    ``POST /agents/{id}/sessions`` and by fired agent triggers (``session_type="trigger"``).
    """
    sid = sid or new_id("ses")
    session: dict[str, Any] = {
        "id": sid,
        "agent_id": agent["id"],
        "name": name,
        "type": session_type,
        "state": "idle",
        "messages": [],
        "created_at": iso_now(),
        "agent_name": agent["name"],
        "agent_team_id": agent.get("team_id"),
        "agent_creator_user_id": agent["creator"]["id"],
        "agent_icon_url": (agent.get("metadata") or {}).get("icon_url"),
        "agent_tools": agent.get("tools") or [],
        "participants": {
            DEMO_USER["id"]: {k: DEMO_USER[k] for k in ("first_name", "last_name", "email")}
        },
        "creator": creator(),
        "usage": {
            "credit_cost": 0.0,
            "tool_credit_cost": 0.0,
            "flow_credit_cost": 0.0,
            "input_tokens": 0,
            "output_tokens": 0,
        },
        "provenance": None,
        "incognito": incognito,
        "pending_approvals": [],
        "metadata": metadata or {},
        "_queue": [],
    }
    if trigger_id is not None:
        session["trigger_id"] = trigger_id
    if content is not None:
        add_user_message(session, content)
        session["state"] = "processing"
    if not ctx.store.insert("sessions", sid, session):
        return None
    if content is not None:
        ctx.hub.start(sid, text_of(content))
    return session


async def create_session(request: Request) -> Response:
    ctx = request.app.state.ctx
    agent = public_agent(get_agent(request, request.path_params["agent_id"]))
    body = await json_body(request, required=False)
    content = _input_of(body)
    sid = field(body, "session_id", str) or new_id("ses")
    metadata = field(body, "metadata", dict)
    stream = bool(field(body, "stream", bool))
    if stream and content is None:
        raise ApiError(
            400, "invalid_request", "A streamed session needs an 'input' to run.", param="input"
        )
    session = open_session(
        ctx,
        agent,
        content,
        sid=sid,
        name=field(body, "name", str),
        metadata={"client": metadata} if metadata else {},
        incognito=bool(body.get("incognito", False)),
    )
    if session is None:
        raise ApiError(
            409,
            "session_already_exists",
            f"A session with id '{sid}' already exists; pick another session_id or "
            "send a message to it.",
            param="session_id",
            type="conflict_error",
        )
    if content is None:
        return ok({"session": public_session(session), "queue_position": None}, 201)
    if stream:
        return _stream(request, sid, 0)
    return ok({"session": public_session(session), "queue_position": None}, 202)


async def send_message(request: Request) -> Response:
    ctx = request.app.state.ctx
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    body = await json_body(request)
    content = _input_of(body)
    approvals = approval_responses(body, required=False)
    if approvals and body.get("delivery") != "queued":
        # Answers to tool calls the run waits on; the run then continues on its own.
        after = len(ctx.hub.events(sid))
        ctx.hub.resolve_approvals(sid, approvals)
        session = _get(request, sid)
        if content is None:
            if field(body, "stream", bool):
                return _stream(request, sid, after)
            return ok({"session": public_session(session), "queue_position": None})
        if ctx.hub.running(sid):
            # The text comes after the continuing run: it waits in the session's queue.
            _item, delivered = enqueue(ctx, session, text_of(content))
            position = None if delivered else len(queue_of(session))
            return ok({"session": public_session(session), "queue_position": position}, 202)
    if content is None:
        raise ApiError(
            400, "invalid_request", "Send 'input' (or 'message') with the text.", param="input"
        )
    if body.get("delivery") == "queued":
        return queued_send(request, session, body)
    if session["state"] not in TERMINAL or ctx.hub.running(sid):
        raise ApiError(
            409,
            "interaction_not_in_terminal_state",
            f"Session '{sid}' is still {session['state']}; wait until it is completed "
            "(or cancel it) before sending another message.",
            type="conflict_error",
        )
    add_user_message(session, content)
    session["state"] = "processing"
    ctx.store.put("sessions", sid, session)
    after = len(ctx.hub.events(sid))
    ctx.hub.start(sid, text_of(content))
    if field(body, "stream", bool):
        return _stream(request, sid, after)
    return ok({"session": public_session(session), "queue_position": None})


def _parse_cursor(hub: SessionHub, sid: str, cursor: str | None) -> int | None:
    """The log position to replay from, or None when the cursor is not one of this session's."""
    if cursor is None or cursor == "":
        return 0
    owner, _, number = cursor.rpartition(":")
    if owner != sid or not number.isdigit() or int(number) > hub.last_number(sid):
        return None
    return hub.index_after(sid, int(number))


async def retrieve_session(request: Request) -> Response:
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    if request.query_params.get("stream", "").lower() != "true":
        return ok({"session": public_session(session), "queue_position": None})
    hub = _hub(request)
    after = _parse_cursor(hub, sid, request.query_params.get("last_cursor"))
    if after is None:

        async def gone() -> AsyncIterator[bytes]:
            event = {
                "type": "finish",
                "finishReason": "not_resumable",
                "final": True,
                "interaction_id": sid,
                "stream_cursor": None,
                "errorMessage": "This cursor cannot be resumed; retrieve the session.",
            }
            yield f"event: finish\ndata: {json.dumps(event)}\n\n".encode()

        return StreamingResponse(gone(), media_type="text/event-stream", headers=sse_headers())
    return _stream(request, sid, after)


async def list_sessions(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    q = request.query_params
    items = [s for s in request.app.state.ctx.store.list("sessions") if s["agent_id"] == agent_id]
    if q.get("state"):
        states = set(q["state"].split(","))
        items = [s for s in items if s["state"] in states]
    if q.get("type"):
        items = [s for s in items if s["type"] == q["type"]]
    if q.get("creator_user_id"):
        items = [s for s in items if s["creator"]["id"] == q["creator_user_id"]]
    if q.get("trigger_id"):
        items = [s for s in items if s.get("trigger_id") == q["trigger_id"]]
    search = (q.get("search") or q.get("search_query") or "").lower()
    if search:
        items = [
            s
            for s in items
            if search in (s.get("name") or "").lower()
            or any(search in (m.get("content") or "").lower() for m in s["messages"])
        ]
    items = sort_by_created(items, q.get("sort_order"))
    page, nxt = paginate(request, items)
    return ok({"sessions": [public_session(s) for s in page], "next_cursor": nxt})


async def cancel_session(request: Request) -> Response:
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    hub = _hub(request)
    if not await hub.cancel(sid) and session["state"] in ("processing", "queued"):
        hub._finish_cancelled(sid)
    session = _get(request, sid)
    return ok({"session": {"id": sid, "agent_id": session["agent_id"], "state": session["state"]}})


async def rename_session(request: Request) -> Response:
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    body = await json_body(request)
    if "name" not in body:
        raise ApiError(400, "invalid_request", "The field 'name' is required.", param="name")
    session["name"] = field(body, "name", str)
    request.app.state.ctx.store.put("sessions", sid, session)
    return ok({"session": public_session(session)})


async def upload_file(request: Request) -> Response:
    """Store a base64 file on the session (name it in a later send's ``attachments``)."""
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    body = await json_body(request)
    name = field(body, "file_name", str, required=True)
    encoded = field(body, "file_content", str, required=True)
    media_type = field(body, "media_type", str)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(
            400, "invalid_request", "file_content must be base64-encoded.", param="file_content"
        ) from None
    request.app.state.ctx.store.put_blob(f"session_file/{sid}/{name}", data)
    files = session.setdefault("_files", {})
    files[name] = {"media_type": media_type, "size": len(data)}
    request.app.state.ctx.store.put("sessions", sid, session)
    return ok({"file_name": name, "media_type": media_type, "size": len(data)})


_S = "/api/v1/sessions/{session_id}"
ROUTES = [
    Route("/api/v1/agents/{agent_id}/sessions", list_sessions, methods=["GET"]),
    Route("/api/v1/agents/{agent_id}/sessions", create_session, methods=["POST"]),
    Route(_S, retrieve_session, methods=["GET"]),
    Route(_S, rename_session, methods=["PATCH"]),
    Route(_S + "/messages", send_message, methods=["POST"]),
    Route(_S + "/cancel", cancel_session, methods=["POST"]),
    Route(_S + "/files", upload_file, methods=["POST"]),
]
