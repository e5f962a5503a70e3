"""Chat completions (unary + SSE chunk dialect), the models list and the model router."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ._http import ApiError, field, json_body, ok, text_of

__all__ = ["ROUTES", "sse_headers"]


def sse_headers() -> dict[str, str]:
    return {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def chat_completions(request: Request) -> Response:
    # The demo models load on first use, which keeps the server's startup fast.
    from .llm import plan_completion

    body = await json_body(request)
    config = request.app.state.ctx.config
    plan = plan_completion(body)  # an EmulatorError becomes the contract's error response
    # Painting images takes tens of ms of CPU: do it off the event loop so concurrent
    # requests (a model comparison, other streams) keep flowing.
    chunks = (
        await asyncio.to_thread(list, plan.stream_chunks()) if plan.model.kind == "image" else None
    )
    if not body.get("stream"):
        if config.speed > 0:
            # A unary answer arrives when the whole generation would have finished.
            delays = chunks if chunks is not None else plan.stream_chunks()
            await asyncio.sleep(config.delay(sum(d for d, _ in delays)))
        unary = await asyncio.to_thread(plan.unary) if chunks is not None else plan.unary()
        return ok(unary)

    async def events() -> AsyncIterator[bytes]:
        for delay, chunk in chunks if chunks is not None else plan.stream_chunks():
            wait = config.delay(delay)
            if wait:
                await asyncio.sleep(wait)
            yield f"data: {json.dumps(chunk)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=sse_headers())


async def list_models(request: Request) -> Response:
    from .llm import model_groups

    return ok({"model_groups": model_groups()})


async def route_model(request: Request) -> Response:
    """A routing decision over the demo models: image requests to an image model, long or
    reasoning-heavy prompts to a large model, short ones to a fast one. Nothing runs."""
    from .llm import MODELS

    body = await json_body(request)
    text = text_of(body.get("input")) or text_of(body.get("message"))
    if not text:
        raise ApiError(
            400,
            "invalid_request",
            "Send 'input' or 'message' with the task to route.",
            param="input",
        )
    candidates = field(body, "models", list) or list(MODELS)
    unknown = [m for m in candidates if m not in MODELS]
    lower = text.lower()
    wants_image = any(w in lower for w in ("image", "picture", "draw", "photo", "logo"))
    lane = "image" if wants_image else ("deep" if len(text) > 400 or "why" in lower else "fast")
    known = [m for m in candidates if m in MODELS]
    pool = [m for m in known if (MODELS[m].kind == "image") == wants_image] or known
    if not pool:
        raise ApiError(
            400,
            "model_not_found",
            f"None of the candidate models exist here. Available models: {', '.join(MODELS)}.",
            param="models",
        )

    def rank(name: str) -> float:
        spec = MODELS[name]
        # fast lane: quickest first token; deep lane: the largest context window.
        return spec.first_token_latency if lane == "fast" else -spec.context_window

    ordered = sorted(pool, key=rank)
    choice = ordered[0]
    return ok(
        {
            "router": "gumloop-emulator",
            "route": {
                "model": choice,
                "lane": lane,
                "verdict_lane": lane,
                "fallback_models": ordered[1:3],
                "fail_closed": False,
            },
            "candidates": [
                {
                    "requested_model": m,
                    "model": m,
                    "lanes": [MODELS[m].kind],
                    "status": "eligible" if m in pool else "skipped",
                }
                for m in known
            ]
            + [
                {"requested_model": m, "model": None, "lanes": [], "status": "unknown"}
                for m in unknown
            ],
        }
    )


ROUTES = [
    Route("/api/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/api/v1/models", list_models, methods=["GET"]),
    Route("/api/v1/models/route", route_model, methods=["POST"]),
]
