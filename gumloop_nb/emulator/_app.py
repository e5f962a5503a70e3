"""The emulator's Starlette application: routes, auth, error envelopes, faults."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import (
    _access,
    _agent_settings,
    _agents,
    _approvals,
    _artifacts,
    _brain,
    _browser_profiles,
    _chat,
    _decisions,
    _evaluations,
    _flows,
    _mcp,
    _oauth,
    _queue,
    _runs,
    _sessions,
    _skill_sync,
    _skills,
    _teams,
    _triggers,
    _voice,
    _wiki,
)
from ._config import EmulatorConfig
from ._errors import EmulatorError
from ._http import ApiError, FlatError
from .faults import FaultMiddleware
from .store import Store, open_store

__all__ = ["build_app"]

log = logging.getLogger("gumloop_nb.emulator")

_OPEN_PREFIXES = ("/oauth/", "/files/", _triggers.WEBHOOK_PREFIX)
_LEGACY = ("/api/v1/start_pipeline", "/api/v1/get_pl_run", "/api/v1/terminate_pipeline")


@dataclass
class Context:
    """What every handler needs, reachable as ``request.app.state.ctx``."""

    config: EmulatorConfig
    store: Store
    hub: Any = None


class AuthMiddleware:
    """Bearer auth like the real service: 401 envelope when missing or not accepted."""

    def __init__(self, app: Any, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    def _accepted(self, token: str) -> bool:
        tokens = self.ctx.config.tokens
        if tokens is None:
            return True
        if token in tokens:
            return True
        issued = self.ctx.store.get("oauth_tokens", token)
        return issued is not None and issued.get("kind") == "access"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(_OPEN_PREFIXES) or path in ("/", "/health"):
            await self.app(scope, receive, send)
            return
        auth = ""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                auth = value.decode("latin-1")
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token and self._accepted(token):
            await self.app(scope, receive, send)
            return
        if not token or scheme.lower() != "bearer":
            message = (
                "No bearer token was sent; pass an API key or access token "
                "(Authorization: Bearer <token>)."
            )
        else:
            message = "The bearer token is not valid for this server; check your API key."
        if path in _LEGACY:
            response: Response = JSONResponse({"error": "Unauthorized", "message": message}, 401)
        else:
            response = ApiError(
                401, "unauthorized", message, type="authentication_error"
            ).response()
        response.headers["WWW-Authenticate"] = 'Bearer realm="gumloop-emulator"'
        await response(scope, receive, send)


async def _api_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, (ApiError, FlatError)):
        return exc.response()
    assert isinstance(exc, EmulatorError)
    return JSONResponse(exc.envelope(), status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path in _LEGACY:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 404:
        err = ApiError(
            404,
            "route_not_found",
            f"There is no endpoint {request.method} {request.url.path} on this "
            "emulator; check the path (API paths start with /api/v1).",
            type="not_found_error",
        )
    elif exc.status_code == 405:
        err = ApiError(
            405, "method_not_allowed", f"{request.method} is not allowed on {request.url.path}."
        )
    else:
        err = ApiError(exc.status_code, "http_error", str(exc.detail))
    return err.response()


class CatchAllMiddleware:
    """Turn an unexpected exception into a logged 500 envelope, keeping the connection usable.

    (Starlette's own last-resort handler re-raises to the server, which then drops the
    keep-alive connection; a client's next request on it would fail.)
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if _is_disconnect(exc):
                # The client went away (closed the connection mid-request or mid-stream):
                # nobody is left to answer, and it is not an emulator bug.
                log.debug("client disconnected during %s %s", scope["method"], scope["path"])
                return
            if started:  # mid-body: nothing sensible to send; let the server close it
                raise
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            err = ApiError(
                500,
                "internal_error",
                f"The emulator hit an internal error ({type(exc).__name__}); this is a bug in "
                "the emulator, please report it.",
                type="api_error",
            )
            await err.response()(scope, receive, send)


def _is_disconnect(exc: BaseException) -> bool:
    """True for the ways a vanished client shows up (Starlette, uvicorn, anyio, the OS)."""
    from starlette.requests import ClientDisconnect

    if isinstance(exc, (ClientDisconnect, ConnectionError)):
        return True
    # uvicorn's ClientDisconnected (an OSError) and anyio's closed-stream errors, by name so no
    # server internals are imported here.
    return type(exc).__name__ in (
        "ClientDisconnected",
        "BrokenResourceError",
        "ClosedResourceError",
    )


async def index(request: Request) -> Response:
    return JSONResponse({"service": "gumloop-emulator", "base_url": "/api/v1"})


def build_app(config: EmulatorConfig) -> Starlette:
    ctx = Context(config=config, store=open_store(config.db_path))
    ctx.hub = _runs.SessionHub(ctx)
    routes: list[Any] = [Route("/", index), Route("/health", index)]
    # _evaluations first: /agents/evaluation-options must win over /agents/{agent_id}.
    for module in (
        _chat,
        _decisions,
        _evaluations,
        _agent_settings,
        _agents,
        _triggers,
        _sessions,
        _queue,
        _approvals,
        _mcp,
        _skill_sync,  # before _skills: POST /skills/sync/download vs GET /skills/{id}/download
        _skills,
        _artifacts,
        _access,
        _flows,
        _teams,
        _brain,
        _oauth,
        _wiki,
        _browser_profiles,
        _voice,
    ):
        routes.extend(module.ROUTES)
    handlers: dict[Any, Any] = {
        EmulatorError: _api_error,
        FlatError: _api_error,
        HTTPException: _http_error,
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await ctx.hub.shutdown()

    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.ctx = ctx
    app.state.config = config
    # Faults are outermost so they can also fail auth-less paths and cut any stream.
    app.add_middleware(AuthMiddleware, ctx=ctx)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(FaultMiddleware, server_spec=config.faults)
    return app
