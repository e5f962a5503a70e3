"""Teams, organizations and brain search."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import ORGANIZATIONS, TEAMS, brain_search
from ._http import ApiError, field, json_body, ok

__all__ = ["ROUTES"]

_SOURCES = (
    "notion",
    "google_drive",
    "slack",
    "github",
    "confluence",
    "direct_file_uploads",
    "gumloop_artifacts",
)


async def list_teams(request: Request) -> Response:
    return ok({"teams": TEAMS})


async def list_organizations(request: Request) -> Response:
    return ok({"organizations": ORGANIZATIONS})


async def search_brain(request: Request) -> Response:
    body = await json_body(request)
    query = field(body, "query", str, required=True)
    limit = field(body, "limit", int)
    if limit is not None and not 1 <= limit <= 50:
        raise ApiError(400, "invalid_request", "limit must be between 1 and 50.", param="limit")
    sources = field(body, "source_type", list)
    if sources is not None:
        bad = [s for s in sources if s not in _SOURCES]
        if not sources or bad:
            raise ApiError(
                400,
                "invalid_request",
                f"source_type must be a non-empty list of: {', '.join(_SOURCES)}.",
                param="source_type",
            )
    return ok({"results": brain_search(query, limit or 10, sources)})


ROUTES = [
    Route("/api/v1/teams", list_teams, methods=["GET"]),
    Route("/api/v1/organizations", list_organizations, methods=["GET"]),
    Route("/api/v1/brain/search", search_brain, methods=["POST"]),
]
