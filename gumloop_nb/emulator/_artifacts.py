"""Artifacts: files produced by sessions and flows, listed per agent, downloadable by URL.

``GET /artifacts/{id}/download`` hands out a signed URL
(``/files/artifacts/{version_id}/{expires}.{signature}/{filename}``) that serves the bytes
without a bearer token for one hour. The signature covers the version, the expiry and the
artifact's password generation, so a forged, altered or expired token gets ``403``, and
setting a password revokes every URL handed out before it. Share links (``link_url`` in
``GET /artifacts/{id}/access``) are served by ``serve_shared``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import creator
from ._http import (
    ApiError,
    field,
    iso_now,
    json_body,
    new_id,
    not_found,
    ok,
    origin,
    paginate,
    sort_by_created,
)

__all__ = ["ROUTES", "create_artifact", "password_digest", "rows_to_csv"]

_URL_SECONDS = 3600


def password_digest(password: str) -> str:
    """What is stored for an artifact password (never the password itself)."""
    return hashlib.sha256(b"gumloop-emulator-artifact:" + password.encode()).hexdigest()


def _signing_key(store: Any) -> bytes:
    doc = store.get("emulator_secrets", "artifact_urls")
    if doc is None:
        store.insert("emulator_secrets", "artifact_urls", {"key": secrets.token_hex(32)})
        doc = store.get("emulator_secrets", "artifact_urls")
    return bytes.fromhex(doc["key"])


def _signature(store: Any, version_id: str, expires: int, generation: int) -> str:
    message = f"{version_id}:{expires}:{generation}".encode()
    return hmac.new(_signing_key(store), message, hashlib.sha256).hexdigest()[:32]


def rows_to_csv(rows: list[dict[str, Any]]) -> bytes:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue().encode()


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def create_artifact(
    store: Any,
    *,
    agent_id: str | None,
    session_id: str | None,
    filename: str,
    media_type: str,
    data: bytes,
    team_id: str | None = None,
) -> dict[str, Any]:
    """Store a new artifact (one version) and return its public document."""
    artifact_id = new_id("art")
    version_id = new_id("artv")
    now = iso_now()
    doc = {
        "id": artifact_id,
        "version_id": version_id,
        "major_version": 1,
        "agent_id": agent_id,
        "session_id": session_id,
        "filename": filename,
        "name": None,
        "created_at": now,
        "metadata": {"media_type": media_type, "size": len(data)},
        "url": None,
        "creator": creator(),
        "team_id": team_id,
        "_versions": [
            {
                "version_id": version_id,
                "major_version": 1,
                "created_ts": now,
                "filename": filename,
                "media_type": media_type,
                "size": len(data),
            }
        ],
        "_password": None,
    }
    store.put_blob(f"artifact/{version_id}", data)
    store.put("artifacts", artifact_id, doc)
    return public_artifact(doc)


def public_artifact(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _get(request: Request) -> dict[str, Any]:
    artifact_id = request.path_params["artifact_id"]
    doc = request.app.state.ctx.store.get("artifacts", artifact_id)
    if doc is None:
        raise not_found("artifact", artifact_id)
    return doc


async def list_artifacts(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    ctx = request.app.state.ctx
    if ctx.store.get("agents", agent_id) is None:
        raise not_found("agent", agent_id)
    q = request.query_params
    items = [a for a in ctx.store.list("artifacts") if a["agent_id"] == agent_id]
    if q.get("session_id"):
        items = [a for a in items if a["session_id"] == q["session_id"]]
    if search := (q.get("search_query") or "").lower():
        items = [a for a in items if search in (a.get("name") or a["filename"]).lower()]
    items = sort_by_created(items, q.get("sort_order"))
    page, nxt = paginate(request, items)
    return ok({"artifacts": [public_artifact(a) for a in page], "next_cursor": nxt})


def _version(doc: dict[str, Any], version_id: str | None) -> dict[str, Any]:
    if not version_id:
        return doc["_versions"][-1]
    for v in doc["_versions"]:
        if v["version_id"] == version_id:
            return v
    raise not_found("artifact_version", version_id)


async def download(request: Request) -> Response:
    doc = _get(request)
    version = _version(doc, request.query_params.get("version_id"))
    store = request.app.state.ctx.store
    expires = int(time.time()) + _URL_SECONDS
    generation = int(doc.get("_password_generation") or 0)
    token = f"{expires}.{_signature(store, version['version_id'], expires, generation)}"
    url = f"{origin(request)}/files/artifacts/{version['version_id']}/{token}/{version['filename']}"
    return ok(
        {
            "download_url": url,
            "filename": doc.get("name") or version["filename"],
            "media_type": version["media_type"],
            "size": version["size"],
        }
    )


def _owner(store: Any, version_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    for doc in store.list("artifacts"):
        for v in doc["_versions"]:
            if v["version_id"] == version_id:
                return doc, v
    return None


async def serve_file(request: Request) -> Response:
    """The bytes behind a signed download URL (no bearer: the token is the permission)."""
    store = request.app.state.ctx.store
    version_id = request.path_params["version_id"]
    found = _owner(store, version_id)
    data = store.get_blob(f"artifact/{version_id}") if found else None
    if found is None or data is None:
        raise not_found("file", version_id)
    doc, version = found
    expires_text, _, signature = request.path_params["token"].partition(".")
    generation = int(doc.get("_password_generation") or 0)
    valid = expires_text.isdigit() and hmac.compare_digest(
        signature, _signature(store, version_id, int(expires_text), generation)
    )
    if not valid or int(expires_text) < time.time():
        raise ApiError(
            403,
            "invalid_signature",
            "This download URL is invalid, expired or revoked (a password was set after it was "
            "issued); get a new one with GET /artifacts/{id}/download.",
            type="permission_error",
        )
    return Response(data, media_type=version["media_type"])


async def serve_shared(request: Request) -> Response:
    """The latest file of an artifact through its share link (see ``_access``)."""
    from ._access import artifact_link_allows

    store = request.app.state.ctx.store
    doc = store.get("artifacts", request.path_params["artifact_id"])
    password = request.headers.get("x-link-password", "")
    status = (
        404
        if doc is None
        else artifact_link_allows(store, doc, request.path_params["token"], password)
    )
    if status == 404 or doc is None:
        raise ApiError(
            404,
            "link_not_found",
            "This share link does not exist or was revoked.",
            type="not_found_error",
        )
    if status == 401:
        raise ApiError(
            401,
            "password_required",
            "This link is password protected: send the password in the X-Link-Password header.",
            type="authentication_error",
        )
    version = doc["_versions"][-1]
    data = store.get_blob(f"artifact/{version['version_id']}") or b""
    return Response(data, media_type=version["media_type"])


async def delete(request: Request) -> Response:
    doc = _get(request)
    store = request.app.state.ctx.store
    for v in doc["_versions"]:
        store.delete_blob(f"artifact/{v['version_id']}")
    store.delete("item_access", f"artifacts/{doc['id']}")  # its sharing and link go with it
    return ok({"deleted": store.delete("artifacts", doc["id"])})


async def rename(request: Request) -> Response:
    doc = _get(request)
    body = await json_body(request)
    if "name" not in body:
        raise ApiError(
            400, "invalid_request", "The field 'name' is required (null resets it).", param="name"
        )
    name = field(body, "name", str)
    doc["name"] = name
    request.app.state.ctx.store.put("artifacts", doc["id"], doc)
    return ok({"name": name if name is not None else doc["filename"]})


async def versions(request: Request) -> Response:
    doc = _get(request)
    latest = doc["_versions"][-1]["version_id"]
    out = [
        v | {"is_deployed": True, "is_current": v["version_id"] == latest} for v in doc["_versions"]
    ]
    return ok({"versions": out})


async def set_password(request: Request) -> Response:
    doc = _get(request)
    body = await json_body(request)
    password = field(body, "password", str, required=True)
    if not password:
        raise ApiError(400, "invalid_request", "The password must not be empty.", param="password")
    doc["_password"] = password_digest(password)  # a digest, never returned
    # URLs handed out before the password no longer work.
    doc["_password_generation"] = int(doc.get("_password_generation") or 0) + 1
    request.app.state.ctx.store.put("artifacts", doc["id"], doc)
    return ok({"success": True})


_R = "/api/v1/artifacts/{artifact_id}"
ROUTES = [
    Route("/api/v1/agents/{agent_id}/artifacts", list_artifacts, methods=["GET"]),
    Route(_R + "/download", download, methods=["GET"]),
    Route(_R, delete, methods=["DELETE"]),
    Route(_R + "/name", rename, methods=["PUT"]),
    Route(_R + "/versions", versions, methods=["GET"]),
    Route(_R + "/password", set_password, methods=["PUT"]),
    Route("/files/artifacts/{version_id}/{token}/{filename}", serve_file, methods=["GET"]),
    Route("/files/shared/artifacts/{artifact_id}/{token}", serve_shared, methods=["GET"]),
]
