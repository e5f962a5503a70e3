"""Teams and organizations of the demo user (fixed demo data)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import ORGANIZATIONS, TEAMS
from ._http import ok

__all__ = ["ROUTES"]


async def list_teams(request: Request) -> Response:
    return ok({"teams": TEAMS})


async def list_organizations(request: Request) -> Response:
    return ok({"organizations": ORGANIZATIONS})


ROUTES = [
    Route("/api/v1/teams", list_teams, methods=["GET"]),
    Route("/api/v1/organizations", list_organizations, methods=["GET"]),
]
