"""Skill sync for the CLI: ``POST /skills/sync/plan`` and ``POST /skills/sync/download``.

The desired state is every skill in the store at its current version (the organization's
published skills). The plan names the organization and a manifest identity; the download is a
zip holding ``gumloop-sync-manifest.json`` plus one folder per skill (its install name) with the
skill's files. Hashes follow the sync format v1, a wire fact the CLI checks:

- a skill's *content hash* is SHA-256 over ``0x01`` followed by, for each file in byte order of
  its normalised relative path, the path and then the content, each framed as an 8-byte
  big-endian length and the bytes;
- the *manifest hash* is SHA-256 over ``0x01`` followed by, for each skill in ``skill_id``
  order, the framed ``skill_id``, ``published_version_id`` and content hash.

Both requests carry the ``X-Gumloop-CLI-Version`` header; a request without it is refused with
``400`` (the endpoints are for the CLI).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zipfile
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import ORGANIZATIONS
from ._http import ApiError, field, json_body, ok

__all__ = ["ROUTES", "content_hash", "manifest_hash"]

MANIFEST_NAME = "gumloop-sync-manifest.json"
CLI_HEADER = "x-gumloop-cli-version"
LIMITS = {
    "files_per_skill": 1000,
    "bytes_per_file": 26_214_400,
    "bundle_transfer_bytes": 104_857_600,
    "total_uncompressed_bytes": 209_715_200,
}
_RESERVED = {".", "..", ".gumloop.json", MANIFEST_NAME, ".gumloop-sync-work"}


def _frame(value: bytes) -> bytes:
    return struct.pack(">Q", len(value)) + value


def content_hash(files: dict[str, bytes]) -> str:
    """The v1 content hash of one skill's files (paths already normalised)."""
    digest = hashlib.sha256(b"\x01")
    for path in sorted(files, key=lambda p: p.encode("utf-8")):
        digest.update(_frame(path.encode("utf-8")))
        digest.update(_frame(files[path]))
    return digest.hexdigest()


def manifest_hash(skills: list[dict[str, str]]) -> str:
    """The v1 identity of a skill set (``skill_id``, ``published_version_id``, ``content_hash``)."""
    digest = hashlib.sha256(b"\x01")
    for skill in sorted(skills, key=lambda s: s["skill_id"]):
        for key in ("skill_id", "published_version_id", "content_hash"):
            digest.update(_frame(skill[key].encode("utf-8")))
    return digest.hexdigest()


def _normalise(path: str) -> str | None:
    parts: list[str] = []
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            return None
        parts.append(part)
    return "/".join(parts) or None


def _install_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "skill"
    candidate, n = base, 2
    while candidate in taken or candidate in _RESERVED:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _organization(request: Request, body: dict[str, Any]) -> dict[str, str]:
    if not request.headers.get(CLI_HEADER):
        raise ApiError(
            400,
            "cli_version_required",
            "Skill sync is for the Gumloop CLI; send the X-Gumloop-CLI-Version header.",
        )
    wanted = field(body, "organization_id", str) or ORGANIZATIONS[0]["id"]
    org = next((o for o in ORGANIZATIONS if o["id"] == wanted), None)
    if org is None:
        raise ApiError(
            404,
            "organization_not_found",
            f"No organization '{wanted}'; list yours with GET /organizations.",
            param="organization_id",
            type="not_found_error",
        )
    return {"organization_id": org["id"], "organization_name": org["name"]}


def _desired(request: Request) -> list[tuple[dict[str, str], dict[str, bytes]]]:
    """(manifest entry, files) for every stored skill at its current version, by skill id."""
    store = request.app.state.ctx.store
    taken: set[str] = set()
    out = []
    for skill in sorted(store.list("skills"), key=lambda s: s["id"]):
        blob = store.get_blob(f"skill/{skill['version_id']}")
        if blob is None:
            continue
        files: dict[str, bytes] = {}
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            for info in archive.infolist():
                path = _normalise(info.filename)
                if not info.is_dir() and path and path.rsplit("/", 1)[-1] != ".gumloop.json":
                    files[path] = archive.read(info)
        entry = {
            "skill_id": skill["id"],
            "install_name": _install_name(skill["name"], taken),
            "published_version_id": skill["version_id"],
            "content_hash": content_hash(files),
        }
        out.append((entry, files))
    return out


def _manifest(org: dict[str, str], entries: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "algorithm": "sha256",
        "format_version": 1,
        "hash": manifest_hash(entries),
        "skill_count": len(entries),
    }


async def plan(request: Request) -> Response:
    body = await json_body(request, required=False)
    org = _organization(request, body)
    entries = [entry for entry, _files in _desired(request)]
    return ok(
        {
            "organization": org,
            "manifest": _manifest(org, entries),
            "limits": dict(LIMITS),
            "skill_count": len(entries),
        }
    )


async def download(request: Request) -> Response:
    body = await json_body(request, required=False)
    org = _organization(request, body)
    desired = _desired(request)
    entries = [entry for entry, _files in desired]
    manifest = {
        "organization": org,
        "manifest": _manifest(org, entries),
        "limits": dict(LIMITS),
        "skills": entries,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2))
        for entry, files in desired:
            for path in sorted(files):
                archive.writestr(f"{entry['install_name']}/{path}", files[path])
    data = buf.getvalue()
    if len(data) > LIMITS["bundle_transfer_bytes"]:
        raise ApiError(
            413,
            "bundle_too_large",
            "The skill bundle is larger than 100 MiB; remove large skills and sync again.",
        )
    return Response(data, media_type="application/zip")


# Listed before the skills routes: POST /skills/sync/download must not reach
# /skills/{skill_id}/download (GET only there, which would answer 405).
ROUTES = [
    Route("/api/v1/skills/sync/plan", plan, methods=["POST"]),
    Route("/api/v1/skills/sync/download", download, methods=["POST"]),
]
