"""Voice sessions (WebRTC) on the stream origin: ``POST /gummies/{agent_id}/voice/sessions`` and
``POST /gummies/{agent_id}/voice/sessions/{voice_session_id}/end``.

**Limitation.** The emulator carries no audio: there is no media server behind it. A start
request is validated like the API's (the agent and its session exist, the offer is an SDP
document of at most 1 MiB) and answered with the contract's full shape, but the ``answer_sdp``
*declines every media section of the offer* (port 0, ``a=inactive``), which is how SDP says
"no media": a WebRTC peer that applies it connects nothing and hears nothing. Every answer also
carries ``limitation`` (an extra key clients keep) saying so. Ending a voice session works and is
idempotent; a voice session also lapses at ``expires_at``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._agents import get_agent
from ._http import ApiError, field, json_body, new_id, not_found, ok

__all__ = ["LIMITATION", "ROUTES"]

LIMITATION = (
    "The Gumloop emulator has no media server: this voice session's SDP answer declines every "
    "media section, so no audio flows. Use a real Gumloop account for voice."
)
MAX_OFFER_BYTES = 1024 * 1024
SESSION_SECONDS = 600


def _answer_sdp(offer: str) -> str:
    """An SDP answer that mirrors the offer's media sections and rejects each one."""
    session_id = secrets.randbelow(2**62)
    lines = [
        "v=0",
        f"o=gumloop-emulator {session_id} 1 IN IP4 127.0.0.1",
        "s=gumloop-emulator",
        "t=0 0",
    ]
    mid = None
    media: list[list[str]] = []
    for raw in offer.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            kind, _port, proto, *formats = line[2:].split()
            media.append([f"m={kind} 0 {proto} {' '.join(formats) or '0'}", "c=IN IP4 0.0.0.0"])
            media[-1].append("a=inactive")
        elif line.startswith("a=mid:") and media:
            mid = line[len("a=mid:") :]
            media[-1].append(f"a=mid:{mid}")
    for section in media:
        lines.extend(section)
    return "\r\n".join(lines) + "\r\n"


def _check_offer(offer: str) -> None:
    if len(offer.encode("utf-8")) > MAX_OFFER_BYTES:
        raise ApiError(413, "payload_too_large", "The SDP offer exceeds 1 MiB.", param="offer_sdp")
    lines = [ln.strip() for ln in offer.strip().splitlines()]
    if not lines or lines[0] != "v=0" or not any(ln.startswith("m=") for ln in lines):
        raise ApiError(
            400,
            "invalid_sdp_offer",
            "offer_sdp must be an SDP offer (starting with 'v=0', with at least one 'm=' line), "
            "as produced by RTCPeerConnection.createOffer().",
            param="offer_sdp",
        )
    for ln in lines:
        if ln.startswith("m=") and len(ln[2:].split()) < 3:
            raise ApiError(
                400, "invalid_sdp_offer", f"Malformed media line '{ln}'.", param="offer_sdp"
            )


async def start_voice(request: Request) -> Response:
    agent = get_agent(request, request.path_params["agent_id"])
    body = await json_body(request)
    sid = field(body, "interaction_id", str, required=True)
    offer = field(body, "offer_sdp", str, required=True)
    incognito = field(body, "is_incognito", bool) or False
    _check_offer(offer)
    store = request.app.state.ctx.store
    session = store.get("sessions", sid)
    if session is None or session["agent_id"] != agent["id"]:
        raise not_found("session", sid)
    voice = ((agent.get("metadata") or {}).get("voice") or {}).get("voice") or "alloy"
    doc: dict[str, Any] = {
        "voice_session_id": new_id("vs"),
        "answer_sdp": _answer_sdp(offer),
        "expires_at": int(time.time()) + SESSION_SECONDS,
        "model": "emulator-voice",
        "voice": voice,
        "transcript_settle_ms": 600,
        "user_segment_gap_ms": 800,
        "assistant_segment_gap_ms": 400,
        "idle_timeout_ms": 120_000,
        "limitation": LIMITATION,
    }
    store.put(
        "voice_sessions",
        doc["voice_session_id"],
        {**doc, "agent_id": agent["id"], "session_id": sid, "incognito": incognito, "ended": False},
    )
    return ok(doc)


async def end_voice(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    ident = request.path_params["voice_session_id"]
    store = request.app.state.ctx.store
    doc = store.get("voice_sessions", ident)
    if doc is None or doc["agent_id"] != agent_id:
        raise not_found("voice_session", ident)
    doc["ended"] = True
    store.put("voice_sessions", ident, doc)
    return ok({"status": "ending", "limitation": LIMITATION})


# On the stream origin (no /api/v1 prefix), like the real service.
_V = "/gummies/{agent_id}/voice/sessions"
ROUTES = [
    Route(_V, start_voice, methods=["POST"]),
    Route(_V + "/{voice_session_id}/end", end_voice, methods=["POST"]),
]
