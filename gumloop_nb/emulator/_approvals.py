"""``POST /sessions/{id}/approvals``: accept or reject tool calls a run is waiting on.

A run pauses before a tool call when the agent's attached MCP server asks for approval
(``approval_mode`` ``all``, ``write`` or ``custom``; see ``_runs.approval_mode``): the call is
listed in the session's ``pending_approvals`` and announced on the stream as a
``data-approval-request`` event. Body::

    {"approval_responses": [{"action_request_id": "act_...", "action": "accept" | "reject",
                             "reason": "...", "response": {"values": {...}}}]}   # 1 to 20

Answer: ``{"session", "results": [{action_request_id, action, outcome}], "stream_cursor"}``
where ``outcome`` is ``accepted``/``rejected``, or ``not_pending`` when nothing waits under
that id, and ``stream_cursor`` is the session's last cursor (resume the stream from it to
follow the run as it continues). A send (``POST /sessions/{id}/messages``) may carry the same
``approval_responses``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._http import ApiError, json_body, not_found, ok
from ._runs import public_session

__all__ = ["ROUTES", "approval_responses"]


def approval_responses(body: dict[str, Any], *, required: bool) -> list[dict[str, Any]] | None:
    """The validated ``approval_responses`` of a body (None when absent and not required)."""
    raw = body.get("approval_responses")
    if raw is None and not required:
        return None
    if not isinstance(raw, list) or not 1 <= len(raw) <= 20:
        raise ApiError(
            400,
            "invalid_request",
            "approval_responses must be a list of 1 to 20 answers.",
            param="approval_responses",
        )
    out = []
    for i, item in enumerate(raw):
        param = f"approval_responses[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("action_request_id"), str):
            raise ApiError(
                400, "invalid_request", f"{param} needs an 'action_request_id'.", param=param
            )
        if item.get("action") not in ("accept", "reject"):
            raise ApiError(
                400, "invalid_request", f"{param}.action must be 'accept' or 'reject'.", param=param
            )
        if item.get("reason") is not None and not isinstance(item["reason"], str):
            raise ApiError(400, "invalid_request", f"{param}.reason must be text.", param=param)
        response = item.get("response")
        if response is not None and not (
            isinstance(response, dict) and isinstance(response.get("values", {}), dict)
        ):
            raise ApiError(
                400,
                "invalid_request",
                f'{param}.response must be {{"values": {{...}}}}.',
                param=param,
            )
        out.append(item)
    return out


async def resolve(request: Request) -> Response:
    ctx = request.app.state.ctx
    sid = request.path_params["session_id"]
    if ctx.store.get("sessions", sid) is None:
        raise not_found("session", sid)
    body = await json_body(request)
    responses = approval_responses(body, required=True) or []
    results = ctx.hub.resolve_approvals(sid, responses)
    session = ctx.store.get("sessions", sid)
    events = ctx.hub.events(sid)
    return ok(
        {
            "session": public_session(session),
            "results": results,
            "stream_cursor": events[-1]["stream_cursor"] if events else None,
        }
    )


ROUTES = [Route("/api/v1/sessions/{session_id}/approvals", resolve, methods=["POST"])]
