"""A session's message queue: messages that wait for the current run, and queued delivery.

A queued message waits while the session's run is going and is delivered (as the next user
message, starting a run) when that run completes. Sent to a session with no run going, it is
delivered at once. The queue is kept on the session document (``_queue``), in order.

Endpoints::

    GET    /sessions/{id}/queue                 -> {"queue": [QueuedMessage]}
    POST   /sessions/{id}/queue  {"input"}      -> {"queue", "queued_message"}   (201)
    PATCH  /sessions/{id}/queue/{qid} {"input"} -> {"queue", "queued_message"}
    DELETE /sessions/{id}/queue/{qid}           -> {"queue"}
    POST   /sessions/{id}/queue/{qid}/send {}   -> {"session", "queue_position"}

``send`` delivers that message now, interrupting the run that is going, if any (it ends as
cancelled, like ``POST /sessions/{id}/cancel``); the rest of the queue keeps waiting and is
delivered after the new run completes.

``POST /sessions/{id}/messages`` with ``"delivery": "queued"`` answers with a receipt
``{"message_id", "status": "accepted"}`` and honours the ``Idempotency-Key`` header: the same
key with the same body returns the original receipt without queueing again; the same key with
a different body is ``409 idempotency_key_reused``. Keys are scoped to the session and kept for
the session's lifetime (the real service expires them after a while; nothing here does).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._http import ApiError, field, iso_now, json_body, new_id, not_found, ok, text_of
from ._runs import TERMINAL, add_user_message, public_session

__all__ = ["ROUTES", "enqueue", "queue_of", "queued_send"]

_KEY = re.compile(r"[!-~]{1,256}")


def queue_of(session: dict[str, Any]) -> list[dict[str, Any]]:
    """The session's queue as items (an older store kept bare strings: upgrade them)."""
    items = []
    for index, entry in enumerate(session.get("_queue") or []):
        if isinstance(entry, str):
            # A stable id (the same on every read until the upgraded queue is saved).
            seed = f"{session['id']}\n{index}\n{entry}".encode()
            now = session.get("created_at") or iso_now()
            entry = {
                "id": "qmsg_" + hashlib.sha256(seed).hexdigest()[:12],
                "input": entry,
                "created_at": now,
                "updated_at": now,
            }
        items.append(entry)
    session["_queue"] = items
    return items


def _public(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**item, "state": "queued", "position": i} for i, item in enumerate(items, start=1)]


def _idle(ctx: Any, session: dict[str, Any]) -> bool:
    return session["state"] in TERMINAL and not ctx.hub.running(session["id"])


def _deliver(ctx: Any, session: dict[str, Any], text: str) -> None:
    add_user_message(session, text)
    session["state"] = "processing"
    ctx.store.put("sessions", session["id"], session)
    ctx.hub.start(session["id"], text)


def enqueue(ctx: Any, session: dict[str, Any], text: str) -> tuple[dict[str, Any], bool]:
    """Queue `text` (delivered at once when no run is going); returns (item, delivered)."""
    now = iso_now()
    item = {"id": new_id("qmsg"), "input": text, "created_at": now, "updated_at": now}
    if _idle(ctx, session):
        _deliver(ctx, session, text)
        return item, True
    queue_of(session).append(item)
    ctx.store.put("sessions", session["id"], session)
    return item, False


def _session(request: Request) -> dict[str, Any]:
    sid = request.path_params["session_id"]
    doc = request.app.state.ctx.store.get("sessions", sid)
    if doc is None:
        raise not_found("session", sid)
    return doc


def _find(session: dict[str, Any], qid: str) -> tuple[int, dict[str, Any]]:
    for index, item in enumerate(queue_of(session)):
        if item["id"] == qid:
            return index, item
    raise ApiError(
        404,
        "queued_message_not_found",
        f"Session '{session['id']}' has no queued message '{qid}' (it may have been "
        "delivered already); list the queue with GET /sessions/{id}/queue.",
        type="not_found_error",
    )


async def _text_input(request: Request) -> str:
    body = await json_body(request)
    value = body.get("input")
    if not isinstance(value, (str, list)) or not text_of(value).strip():
        raise ApiError(400, "invalid_request", "Send 'input' with the message text.", param="input")
    return text_of(value)


async def list_queue(request: Request) -> Response:
    session = _session(request)
    return ok({"queue": _public(queue_of(session))})


async def add_to_queue(request: Request) -> Response:
    ctx = request.app.state.ctx
    session = _session(request)
    text = await _text_input(request)
    item, delivered = enqueue(ctx, session, text)
    queue = _public(queue_of(session))
    shown = {**item, "state": "delivered", "position": 0} if delivered else queue[-1]
    return ok({"queue": queue, "queued_message": shown}, 201)


async def edit_queued(request: Request) -> Response:
    ctx = request.app.state.ctx
    session = _session(request)
    text = await _text_input(request)
    index, item = _find(session, request.path_params["queued_message_id"])
    item["input"] = text
    item["updated_at"] = iso_now()
    ctx.store.put("sessions", session["id"], session)
    queue = _public(queue_of(session))
    return ok({"queue": queue, "queued_message": queue[index]})


async def delete_queued(request: Request) -> Response:
    ctx = request.app.state.ctx
    session = _session(request)
    index, _item = _find(session, request.path_params["queued_message_id"])
    del queue_of(session)[index]
    ctx.store.put("sessions", session["id"], session)
    return ok({"queue": _public(queue_of(session))})


async def send_queued(request: Request) -> Response:
    ctx = request.app.state.ctx
    session = _session(request)
    await json_body(request, required=False)
    index, item = _find(session, request.path_params["queued_message_id"])
    del queue_of(session)[index]
    ctx.store.put("sessions", session["id"], session)
    if ctx.hub.running(session["id"]):
        await ctx.hub.cancel(session["id"])  # ends the run as cancelled (state: failed)
        session = _session(request)
    _deliver(ctx, session, item["input"])
    return ok({"session": public_session(session), "queue_position": None})


def _idempotency_key(request: Request, body: dict[str, Any]) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        key = field(body, "idempotency_key", str)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise ApiError(
            400,
            "invalid_request",
            "The Idempotency-Key must be 1 to 256 visible ASCII characters (a UUID works).",
            param="idempotency_key",
        )
    return key


def queued_send(request: Request, session: dict[str, Any], body: dict[str, Any]) -> Response:
    """``POST /sessions/{id}/messages`` with ``"delivery": "queued"`` (see the module doc)."""
    ctx = request.app.state.ctx
    if field(body, "stream", bool):
        raise ApiError(400, "invalid_request", "Queued delivery cannot stream.", param="stream")
    for name in ("attachments", "approval_responses"):
        if body.get(name):
            raise ApiError(
                400,
                "invalid_request",
                f"Queued delivery accepts text only (no {name}).",
                param=name,
            )
    value = body.get("input", body.get("message"))
    if isinstance(value, list) and any(
        not isinstance(p, str) and not (isinstance(p, dict) and isinstance(p.get("text"), str))
        for p in value
    ):
        raise ApiError(400, "invalid_request", "Queued delivery accepts text only.", param="input")
    key = _idempotency_key(request, body)
    content = {k: v for k, v in body.items() if k != "idempotency_key"}
    fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    slot = f"{session['id']}\n{key}"
    if key is not None:
        seen = ctx.store.get("idempotency_keys", slot)
        if seen is not None:
            if seen["fingerprint"] != fingerprint:
                raise ApiError(
                    409,
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different message; use a new "
                    "key for a new message (retries must resend exactly the same body).",
                    param="idempotency_key",
                    type="conflict_error",
                )
            return ok(seen["receipt"], 202)
    item, _delivered = enqueue(ctx, session, text_of(value))
    receipt = {"message_id": item["id"], "status": "accepted"}
    if key is not None:
        ctx.store.put(
            "idempotency_keys",
            slot,
            {"fingerprint": fingerprint, "receipt": receipt, "created_at": iso_now()},
        )
    return ok(receipt, 202)


_S = "/api/v1/sessions/{session_id}/queue"
ROUTES = [
    Route(_S, list_queue, methods=["GET"]),
    Route(_S, add_to_queue, methods=["POST"]),
    Route(_S + "/{queued_message_id}", edit_queued, methods=["PATCH"]),
    Route(_S + "/{queued_message_id}", delete_queued, methods=["DELETE"]),
    Route(_S + "/{queued_message_id}/send", send_queued, methods=["POST"]),
]
