"""``POST /decisions``: typed yes/no ("noul"), choice and score answers from the demo models.

The answers come from :func:`gumloop_nb.emulator.llm.decide` (deterministic: the same body
gives the same answers); this module is only the HTTP side. ``team_id`` in the query is
accepted like on the real service and does not change the answers.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._http import json_body, ok

__all__ = ["ROUTES"]


async def create_decision(request: Request) -> Response:
    from .llm import decide  # the demo models load on first use (fast server start)

    body = await json_body(request)
    return ok(decide(body))


ROUTES = [Route("/api/v1/decisions", create_decision, methods=["POST"])]
