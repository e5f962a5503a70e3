"""Browser profiles: stored cookie jars for the agents' browser ability.

``GET /browser-profiles`` lists the caller's profiles (``team_id`` selects a team's); create,
get, update and delete are unscoped, as in the API. Importing cookies groups them by site
(the cookie's domain without a leading dot, or the host of ``url`` for cookies without one)
and bumps the profile's ``version``. Cookie values are stored but never returned. Exactly one
profile is the default: the first one created, or the last one set with ``is_default: true``
(``false`` is refused: choose another profile as default instead). The id ``default`` in a
path names the caller's default profile; importing cookies into it creates one when needed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import DEMO_USER, TEAMS
from ._http import ApiError, field, iso_now, json_body, new_id, not_found, ok

__all__ = ["ROUTES"]

MAX_COOKIES = 5000
DEFAULT_ALIAS = "default"


def _bad(message: str, param: str) -> ApiError:
    return ApiError(400, "invalid_request", message, param=param)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise _bad("name must be 1-255 characters and not only spaces.", "name")
    return value


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["sites"] = [
        {k: v for k, v in site.items() if k != "cookies"} for site in doc.get("sites", [])
    ]
    return out


def _get(request: Request, *, create_default: bool = False) -> dict[str, Any]:
    """The profile in the path; the id ``default`` names the caller's default profile (which a
    cookie import creates, named "Default", when the caller has none yet)."""
    ident = request.path_params["profile_id"]
    if ident == DEFAULT_ALIAS:
        default = next((p for p in _owned(request, DEMO_USER["id"]) if p["is_default"]), None)
        if default is not None:
            return default
        if create_default:
            return _new_profile(request, "Default")
    doc = request.app.state.ctx.store.get("browser_profiles", ident)
    if doc is None:
        raise not_found("browser_profile", ident)
    return doc


def _owned(request: Request, owner: str) -> list[dict[str, Any]]:
    return [
        p for p in request.app.state.ctx.store.list("browser_profiles") if p["owner_id"] == owner
    ]


def _make_default(request: Request, doc: dict[str, Any]) -> None:
    store = request.app.state.ctx.store
    for other in _owned(request, doc["owner_id"]):
        if other["profile_id"] != doc["profile_id"] and other["is_default"]:
            other["is_default"] = False
            store.put("browser_profiles", other["profile_id"], other)
    doc["is_default"] = True


async def list_profiles(request: Request) -> Response:
    team = request.query_params.get("team_id")
    if team and not any(t["id"] == team for t in TEAMS):
        raise not_found("team", team)
    owner = team or DEMO_USER["id"]
    return ok({"profiles": [_public(p) for p in _owned(request, owner)]})


async def create_profile(request: Request) -> Response:
    body = await json_body(request)
    return ok(_public(_new_profile(request, _name(body.get("name")))), 201)


def _new_profile(request: Request, name: str) -> dict[str, Any]:
    now = iso_now()
    doc: dict[str, Any] = {
        "profile_id": new_id("bpf"),
        "owner_id": DEMO_USER["id"],
        "owner_scope": "user",
        "name": name,
        "is_default": False,
        "version": 0,
        "sites": [],
        "size_bytes": 0,
        "has_storage": False,
        "created_by_user_id": DEMO_USER["id"],
        "created_ts": now,
        "updated_ts": now,
        "last_used_ts": None,
    }
    if not any(p["is_default"] for p in _owned(request, doc["owner_id"])):
        doc["is_default"] = True
    request.app.state.ctx.store.put("browser_profiles", doc["profile_id"], doc)
    return doc


async def get_profile(request: Request) -> Response:
    return ok(_public(_get(request)))


async def update_profile(request: Request) -> Response:
    doc = _get(request)
    body = await json_body(request)
    if unknown := sorted(set(body) - {"name", "is_default"}):
        raise _bad(
            f"Unknown fields: {', '.join(unknown)}; send name and/or is_default.", unknown[0]
        )
    if body.get("name") is None and body.get("is_default") is None:
        raise _bad("Send name or is_default: true to update a browser profile.", "name")
    if body.get("name") is not None:
        doc["name"] = _name(body["name"])
    if "is_default" in body and body["is_default"] is not None:
        if body["is_default"] is not True:
            raise _bad(
                "is_default only accepts true; make another profile the default instead.",
                "is_default",
            )
        _make_default(request, doc)
    doc["updated_ts"] = iso_now()
    request.app.state.ctx.store.put("browser_profiles", doc["profile_id"], doc)
    return ok(_public(doc))


async def delete_profile(request: Request) -> Response:
    doc = _get(request)
    store = request.app.state.ctx.store
    store.delete("browser_profiles", doc["profile_id"])
    if doc["is_default"]:
        rest = _owned(request, doc["owner_id"])
        if rest:  # the oldest remaining profile becomes the default
            _make_default(request, rest[0])
            store.put("browser_profiles", rest[0]["profile_id"], rest[0])
    return ok({"status": "success"})


def _site_of(cookie: dict[str, Any], url_host: str | None) -> str | None:
    domain = cookie.get("domain")
    if isinstance(domain, str) and domain.strip(". "):
        return domain.strip().lstrip(".").lower()
    return url_host


async def import_cookies(request: Request) -> Response:
    doc = _get(request, create_default=True)
    body = await json_body(request)
    cookies = field(body, "cookies", list, required=True)
    if len(cookies) > MAX_COOKIES:
        raise _bad(f"At most {MAX_COOKIES} cookies per import.", "cookies")
    url = field(body, "url", str)
    host = None
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad("url must be an http(s) URL such as https://example.com.", "url")
        host = parts.hostname.lower()
    sites = {s["domain"]: s for s in doc["sites"]}
    imported: dict[str, int] = {}
    skipped = 0
    for cookie in cookies:
        site = _site_of(cookie, host) if isinstance(cookie, dict) else None
        if site is None or not isinstance(cookie.get("name"), str) or "value" not in cookie:
            skipped += 1
            continue
        entry = sites.setdefault(site, {"domain": site, "cookie_count": 0, "cookies": {}})
        jar = entry.setdefault("cookies", {})
        jar[f"{cookie['name']}@{cookie.get('path') or '/'}"] = cookie
        entry["cookie_count"] = len(jar)
        entry["updated_ts"] = iso_now()
        imported[site] = imported.get(site, 0) + 1
    doc["sites"] = sorted(sites.values(), key=lambda s: s["domain"])
    doc["size_bytes"] = sum(len(json.dumps(s.get("cookies", {}))) for s in doc["sites"])
    doc["has_storage"] = bool(doc["sites"])
    if imported:
        doc["version"] += 1
    doc["updated_ts"] = iso_now()
    request.app.state.ctx.store.put("browser_profiles", doc["profile_id"], doc)
    return ok(
        {
            "profile": _public(doc),
            "imported": {
                "site": host,
                "cookie_count": sum(imported.values()),
                "skipped": skipped,
                "sites": sorted(imported),
            },
        }
    )


_P = "/api/v1/browser-profiles"
ROUTES = [
    Route(_P, list_profiles, methods=["GET"]),
    Route(_P, create_profile, methods=["POST"]),
    Route(_P + "/{profile_id}", get_profile, methods=["GET"]),
    Route(_P + "/{profile_id}", update_profile, methods=["PATCH"]),
    Route(_P + "/{profile_id}", delete_profile, methods=["DELETE"]),
    Route(_P + "/{profile_id}/cookies", import_cookies, methods=["POST"]),
]
