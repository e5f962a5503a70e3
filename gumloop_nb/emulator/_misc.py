"""Teams, organizations, brain search, and the OAuth endpoints (RFC error shape, no bearer)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ._demo import ORGANIZATIONS, TEAMS, brain_search
from ._http import ApiError, SafeJSONResponse, field, json_body, loads_strict, ok, read_body

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


# -- OAuth (RFC 6749 / 7591 / 7009 shapes) ------------------------------------------------------


def _oauth_error(status: int, error: str, description: str) -> Response:
    return SafeJSONResponse({"error": error, "error_description": description}, status_code=status)


async def _form(request: Request) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "")
    raw = await read_body(request, 1024 * 1024)
    if ctype.startswith("application/json"):
        try:
            data = loads_strict(raw or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    from urllib.parse import parse_qsl

    return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))


async def oauth_register(request: Request) -> Response:
    data = await _form(request)
    uris = data.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        return _oauth_error(
            400, "invalid_redirect_uri", "redirect_uris must be a non-empty list of URLs."
        )
    client = {
        "client_id": "cli_" + secrets.token_hex(8),
        "client_name": data.get("client_name") or "OAuth client",
        "redirect_uris": uris,
        "grant_types": data.get("grant_types") or ["authorization_code", "refresh_token"],
        "response_types": data.get("response_types") or ["code"],
        "token_endpoint_auth_method": data.get("token_endpoint_auth_method") or "none",
        "scope": data.get("scope") or "gumloop userinfo",
        "client_id_issued_at": int(time.time()),
    }
    request.app.state.ctx.store.put("oauth_clients", client["client_id"], client)
    return SafeJSONResponse(client, status_code=201)


async def oauth_authorize(request: Request) -> Response:
    """Auto-approves (there is no login here) and redirects back with a code."""
    q = request.query_params
    store = request.app.state.ctx.store
    client = store.get("oauth_clients", q.get("client_id", ""))
    if client is None:
        return _oauth_error(400, "invalid_client", "Unknown client_id; register the client first.")
    redirect = q.get("redirect_uri", "")
    if redirect not in client["redirect_uris"]:
        return _oauth_error(
            400, "invalid_request", "redirect_uri is not registered for this client."
        )
    if q.get("response_type") != "code" or not q.get("code_challenge"):
        return _oauth_error(
            400, "invalid_request", "Use response_type=code with a PKCE code_challenge (S256)."
        )
    code = secrets.token_urlsafe(24)
    store.put(
        "oauth_codes",
        code,
        {
            "client_id": client["client_id"],
            "redirect_uri": redirect,
            "challenge": q["code_challenge"],
            "scope": q.get("scope") or client["scope"],
        },
    )
    params = {"code": code} | ({"state": q["state"]} if q.get("state") else {})
    sep = "&" if "?" in redirect else "?"
    return RedirectResponse(f"{redirect}{sep}{urlencode(params)}", status_code=302)


def _issue(request: Request, client_id: str, scope: str) -> dict[str, Any]:
    ctx = request.app.state.ctx
    token = {
        "access_token": "gat_" + secrets.token_urlsafe(24),
        "refresh_token": "grt_" + secrets.token_urlsafe(24),
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": scope,
    }
    ctx.store.put("oauth_tokens", token["access_token"], {"client_id": client_id, "kind": "access"})
    ctx.store.put(
        "oauth_tokens",
        token["refresh_token"],
        {"client_id": client_id, "kind": "refresh", "scope": scope},
    )
    return token


async def oauth_token(request: Request) -> Response:
    data = await _form(request)
    store = request.app.state.ctx.store
    grant = data.get("grant_type")
    client_id = data.get("client_id", "")
    if store.get("oauth_clients", client_id) is None:
        return _oauth_error(401, "invalid_client", "Unknown client_id.")
    if grant == "authorization_code":
        code = store.get("oauth_codes", data.get("code", ""))
        if code is None or code["client_id"] != client_id:
            return _oauth_error(400, "invalid_grant", "The authorization code is invalid or used.")
        if data.get("redirect_uri") != code["redirect_uri"]:
            return _oauth_error(400, "invalid_grant", "redirect_uri does not match the code's.")
        verifier = str(data.get("code_verifier", ""))
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        if challenge != code["challenge"]:
            return _oauth_error(400, "invalid_grant", "code_verifier does not match the challenge.")
        store.delete("oauth_codes", data["code"])
        return SafeJSONResponse(_issue(request, client_id, code["scope"]))
    if grant == "refresh_token":
        old = store.get("oauth_tokens", data.get("refresh_token", ""))
        if old is None or old["kind"] != "refresh" or old["client_id"] != client_id:
            return _oauth_error(400, "invalid_grant", "The refresh token is invalid or revoked.")
        store.delete("oauth_tokens", data["refresh_token"])  # rotation
        return SafeJSONResponse(_issue(request, client_id, old.get("scope") or "gumloop"))
    return _oauth_error(
        400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token."
    )


async def oauth_revoke(request: Request) -> Response:
    data = await _form(request)
    store = request.app.state.ctx.store
    token = store.get("oauth_tokens", data.get("token", ""))
    # RFC 7009: revoking an unknown token is not an error.
    if token is not None and token["client_id"] == data.get("client_id"):
        store.delete("oauth_tokens", data["token"])
    return Response(status_code=200)


ROUTES = [
    Route("/api/v1/teams", list_teams, methods=["GET"]),
    Route("/api/v1/organizations", list_organizations, methods=["GET"]),
    Route("/api/v1/brain/search", search_brain, methods=["POST"]),
    Route("/oauth/register", oauth_register, methods=["POST"]),
    Route("/oauth/authorize", oauth_authorize, methods=["GET"]),
    Route("/oauth/token", oauth_token, methods=["POST"]),
    Route("/oauth/revoke", oauth_revoke, methods=["POST"]),
]
