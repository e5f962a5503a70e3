"""OAuth endpoints at the origin root (``/oauth/...``, no bearer, RFC 6749 error shape).

Dynamic registration (RFC 7591), authorization with PKCE (auto-approved: the emulator has no
login page), code and refresh-token grants (refresh tokens rotate) and revocation (RFC 7009).

Besides registered clients, the well-known public client of the official command-line tool,
``gumloop_cli``, is always known. Like a native app (RFC 8252 section 7.3) it may redirect to
``http://127.0.0.1:<any port>/callback`` (or ``localhost``), so ``gumloop auth login`` against
the emulator completes: the browser step redirects straight back with a code.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ._http import SafeJSONResponse, loads_strict, read_body

__all__ = ["ROUTES", "WELL_KNOWN_CLIENTS"]

#: Public clients every Gumloop server knows without registration.
WELL_KNOWN_CLIENTS: dict[str, dict[str, Any]] = {
    "gumloop_cli": {
        "client_id": "gumloop_cli",
        "client_name": "Gumloop CLI",
        "redirect_uris": ["http://127.0.0.1/callback", "http://localhost/callback"],
        "loopback_any_port": True,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": "gumloop_api userinfo",
        "client_id_issued_at": 0,
    }
}


def _client(request: Request, client_id: str) -> dict[str, Any] | None:
    known = WELL_KNOWN_CLIENTS.get(client_id)
    if known is not None:
        return known
    stored: dict[str, Any] | None = request.app.state.ctx.store.get("oauth_clients", client_id)
    return stored


def _redirect_allowed(client: dict[str, Any], uri: str) -> bool:
    if uri in client["redirect_uris"]:
        return True
    if not client.get("loopback_any_port"):
        return False
    parts = urlsplit(uri)
    try:
        port = parts.port
    except ValueError:
        return False
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost") or not port:
        return False
    return f"http://{parts.hostname}{parts.path}" in client["redirect_uris"]


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
    client = _client(request, q.get("client_id", ""))
    if client is None:
        return _oauth_error(400, "invalid_client", "Unknown client_id; register the client first.")
    redirect = q.get("redirect_uri", "")
    if not _redirect_allowed(client, redirect):
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
    if _client(request, client_id) is None:
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
    Route("/oauth/register", oauth_register, methods=["POST"]),
    Route("/oauth/authorize", oauth_authorize, methods=["GET"]),
    Route("/oauth/token", oauth_token, methods=["POST"]),
    Route("/oauth/revoke", oauth_revoke, methods=["POST"]),
]
