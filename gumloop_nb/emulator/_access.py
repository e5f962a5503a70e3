"""Item access (sharing) for sessions, skills and artifacts: ``GET``/``PUT /{kind}/{id}/access``.

State lives in its own collection (``item_access``, key ``"<kind>/<id>"``), so the items'
documents are untouched; an item that was never shared is private to its creator.

``PUT`` body (each key optional, applied in this order: ``remove``, ``share``, ``link``)::

    {"share":  [{"type": "person", "email": "a@b.c", "role": "viewer"},
                {"type": "team", "team_id": "team_demo", "role": "editor"},
                {"type": "organization", "role": "viewer"}],
     "remove": [{"type": "person", "email": "a@b.c"}, {"type": "team", "team_id": "..."},
                {"type": "organization"}],
     "link":   {"mode": "none" | "anyone" | "password", "role": "viewer"}}

Answer: ``{"access": ItemAccess, "notified": [emails newly shared with]}``. Roles are
``viewer`` or ``editor``. ``link`` in ``ItemAccess`` is the link mode; ``grants_visibility``
summarises who can see the item: ``private``, ``shared`` (people or teams), ``organization``
or ``link`` (anyone holding the link). A ``password`` link needs a password on the item, which
only artifacts have (``PUT /artifacts/{id}/password`` first); ``password_protected`` says
whether one is set. For artifacts with a link, ``link_url`` (an extra key) is a URL that
serves the latest file without a bearer token: with mode ``password`` the request must carry
the password in the ``X-Link-Password`` header. Setting ``link`` to ``none`` revokes it.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import DEMO_USER, TEAMS
from ._http import ApiError, json_body, not_found, ok, origin

__all__ = ["ROUTES", "artifact_link_allows"]

_KINDS = {"sessions": "session", "skills": "skill", "artifacts": "artifact"}
_ROLES = ("viewer", "editor")
_LINK_MODES = ("none", "anyone", "password")


def _blank() -> dict[str, Any]:
    return {"people": [], "teams": [], "organization": None, "link": "none", "link_role": None}


def _item(request: Request, kind: str, item_id: str) -> dict[str, Any]:
    doc = request.app.state.ctx.store.get(kind, item_id)
    if doc is None:
        raise not_found(_KINDS[kind], item_id)
    return doc


def _state(store: Any, kind: str, item_id: str) -> dict[str, Any]:
    return store.get("item_access", f"{kind}/{item_id}") or _blank()


def _public(request: Request, kind: str, item: dict[str, Any], state: dict[str, Any]) -> dict:
    if state["link"] != "none":
        visibility = "link"
    elif state["organization"]:
        visibility = "organization"
    elif state["people"] or state["teams"]:
        visibility = "shared"
    else:
        visibility = "private"
    access: dict[str, Any] = {
        "grants_visibility": visibility,
        "people": state["people"],
        "teams": state["teams"],
        "organization_access": state["organization"],
        "link": state["link"],
        "link_role": state["link_role"],
        "password_protected": bool(item.get("_password")),
        "hidden_by_role": None,
    }
    if kind == "artifacts" and state["link"] != "none" and state.get("token"):
        access["link_url"] = (
            f"{origin(request)}/files/shared/artifacts/{item['id']}/{state['token']}"
        )
    return access


def _bad(message: str, param: str) -> ApiError:
    return ApiError(400, "invalid_request", message, param=param)


def _role(entry: dict[str, Any], param: str) -> str:
    role = entry.get("role")
    if role not in _ROLES:
        raise _bad(f"{param}.role must be one of: {', '.join(_ROLES)}.", param)
    return str(role)


def _entries(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise _bad(f"'{key}' must be a list of objects.", key)
    return value


def _email(entry: dict[str, Any], param: str) -> str:
    email = entry.get("email")
    if not isinstance(email, str) or "@" not in email.strip():
        raise _bad(f"{param}.email must be an email address.", param)
    return email.strip().lower()


def _team(entry: dict[str, Any], param: str) -> str:
    team_id = entry.get("team_id")
    if not isinstance(team_id, str) or team_id not in {t["id"] for t in TEAMS}:
        known = ", ".join(t["id"] for t in TEAMS)
        raise _bad(f"{param}.team_id must be a team of this organization ({known}).", param)
    return team_id


def _apply(state: dict[str, Any], item: dict[str, Any], body: dict[str, Any]) -> list[str]:
    """Validate everything first, then change `state`; returns the newly notified emails."""
    removes, shares = _entries(body, "remove"), _entries(body, "share")
    ops: list[tuple[str, Any, Any]] = []
    for i, entry in enumerate(removes):
        param = f"remove[{i}]"
        kind = entry.get("type")
        if kind == "person":
            ops.append(("-person", _email(entry, param), None))
        elif kind == "team":
            ops.append(("-team", _team(entry, param), None))
        elif kind == "organization":
            ops.append(("-org", None, None))
        else:
            raise _bad(f"{param}.type must be person, team or organization.", param)
    for i, entry in enumerate(shares):
        param = f"share[{i}]"
        kind = entry.get("type")
        if kind == "person":
            ops.append(("+person", _email(entry, param), _role(entry, param)))
        elif kind == "team":
            ops.append(("+team", _team(entry, param), _role(entry, param)))
        elif kind == "organization":
            ops.append(("+org", None, _role(entry, param)))
        else:
            raise _bad(f"{param}.type must be person, team or organization.", param)
    link = body.get("link")
    if link is not None:
        if not isinstance(link, dict) or link.get("mode") not in _LINK_MODES:
            raise _bad("link.mode must be none, anyone or password.", "link")
        if link.get("role") is not None and link["role"] not in _ROLES:
            raise _bad(f"link.role must be one of: {', '.join(_ROLES)}.", "link")
        if link["mode"] == "password" and not item.get("_password"):
            raise ApiError(
                400,
                "password_required",
                "A password link needs a password on the item; only artifacts have one "
                "(PUT /artifacts/{id}/password), so set it first.",
                param="link",
            )
    notified = []
    for op, key, role in ops:
        if op == "-person":
            state["people"] = [p for p in state["people"] if p["email"] != key]
        elif op == "-team":
            state["teams"] = [t for t in state["teams"] if t["team_id"] != key]
        elif op == "-org":
            state["organization"] = None
        elif op == "+person":
            existing = next((p for p in state["people"] if p["email"] == key), None)
            if existing is None:
                name = None
                if key == DEMO_USER["email"]:
                    name = f"{DEMO_USER['first_name']} {DEMO_USER['last_name']}"
                state["people"].append({"email": key, "name": name, "role": role})
                notified.append(key)
            else:
                existing["role"] = role
        elif op == "+team":
            existing = next((t for t in state["teams"] if t["team_id"] == key), None)
            if existing is None:
                state["teams"].append({"team_id": key, "role": role})
            else:
                existing["role"] = role
        elif op == "+org":
            state["organization"] = {"role": role}
    if link is not None:
        state["link"] = link["mode"]
        if link["mode"] == "none":
            state["link_role"] = None
            state.pop("token", None)  # a later link gets a new URL: the old one is revoked
        else:
            state["link_role"] = link.get("role") or state.get("link_role") or "viewer"
            state.setdefault("token", secrets.token_urlsafe(16))
    return notified


def _kind_of(request: Request) -> str:
    return request.url.path.split("/api/v1/", 1)[1].split("/", 1)[0]


async def get_access(request: Request) -> Response:
    kind = _kind_of(request)
    item = _item(request, kind, request.path_params["item_id"])
    state = _state(request.app.state.ctx.store, kind, item["id"])
    return ok({"access": _public(request, kind, item, state)})


async def put_access(request: Request) -> Response:
    kind = _kind_of(request)
    store = request.app.state.ctx.store
    item = _item(request, kind, request.path_params["item_id"])
    body = await json_body(request, required=False)
    state = _state(store, kind, item["id"])
    notified = _apply(state, item, body)
    store.put("item_access", f"{kind}/{item['id']}", state)
    return ok({"access": _public(request, kind, item, state), "notified": notified})


def artifact_link_allows(store: Any, artifact: dict[str, Any], token: str, password: str) -> int:
    """HTTP status for fetching `artifact` through its share link: 200, 401 or 404."""
    state = _state(store, "artifacts", artifact["id"])
    expected = state.get("token")
    if state["link"] == "none" or not expected or not hmac.compare_digest(expected, token):
        return 404
    if state["link"] == "password":
        from ._artifacts import password_digest

        stored = artifact.get("_password") or ""
        if not stored or not hmac.compare_digest(stored, password_digest(password)):
            return 401
    return 200


ROUTES = [
    Route(f"/api/v1/{kind}/{{item_id}}/access", handler, methods=[method])
    for kind in _KINDS
    for handler, method in ((get_access, "GET"), (put_access, "PUT"))
]
