"""Skills: multipart upload (.md, .zip/.skill, or loose files with SKILL.md), versions, zips."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import creator
from ._http import ApiError, iso_now, new_id, not_found, ok, origin, paginate, sort_by_created

__all__ = ["ROUTES", "parse_front_matter"]

MAX_SKILL_BYTES = 10 * 1024 * 1024
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.S)


def parse_front_matter(text: str) -> dict[str, str]:
    """`key: value` pairs of a SKILL.md front matter block (simple YAML subset)."""
    match = _FRONT.match(text)
    if not match:
        return {}
    out: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line.startswith((" ", "\t", "#")):
            out[key.strip()] = value.strip().strip("'\"")
    return out


def _too_big() -> ApiError:
    return ApiError(
        413,
        "payload_too_large",
        "The skill files add up to more than 10 MB; make the skill smaller.",
        param="files",
    )


async def _files_from_form(request: Request) -> tuple[dict[str, bytes], dict[str, Any]]:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_SKILL_BYTES + 64 * 1024:
        raise _too_big()
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        raise ApiError(
            400,
            "invalid_request",
            "Upload skills as multipart/form-data with one or more 'files' parts.",
            param="files",
        )
    try:
        form = await request.form(max_files=200, max_fields=200)
    except Exception as exc:
        raise ApiError(
            400, "invalid_request", f"The multipart body could not be read ({exc}).", param="files"
        ) from None
    try:  # the spooled upload files are closed on every path, errors included
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if not uploads:
            raise ApiError(
                400, "invalid_request", "Send at least one file part named 'files'.", param="files"
            )
        files: dict[str, bytes] = {}
        total = 0
        for upload in uploads:
            data = await upload.read()
            total += len(data)
            if total > MAX_SKILL_BYTES:
                raise _too_big()
            name = (upload.filename or "").replace("\\", "/").lstrip("/")
            if not _safe_entry(name):
                raise ApiError(
                    400, "invalid_request", f"Invalid file name '{name}'.", param="files"
                )
            files[name] = data
    finally:
        await form.close()
    return _normalise(files), fields


def _safe_entry(name: str) -> bool:
    """A relative path that stays inside the skill folder (loose files and archive members).

    Refused: empty names, absolute paths (``/x``, ``\\x``, ``C:x``), ``..`` segments (with either
    slash) and NUL characters.
    """
    if not name or "\x00" in name:
        return False
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in name.replace("\\", "/").split("/")


def _normalise(files: dict[str, bytes]) -> dict[str, bytes]:
    """The skill's file tree: a lone .md becomes SKILL.md; an archive is unpacked."""
    if len(files) == 1:
        ((name, data),) = files.items()
        lower = name.lower()
        if lower.endswith(".md"):
            return {"SKILL.md": data}
        if lower.endswith((".zip", ".skill")):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    total = sum(i.file_size for i in archive.infolist())
                    if total > MAX_SKILL_BYTES:
                        raise _too_big()
                    entries = [i for i in archive.infolist() if not i.is_dir()]
                    unsafe = [i.filename for i in entries if not _safe_entry(i.filename)]
                    if unsafe:
                        raise ApiError(
                            400,
                            "invalid_skill",
                            f"The archive '{name}' has entries that would land outside the "
                            f"skill folder ({', '.join(repr(u) for u in unsafe[:5])}); use "
                            "relative paths without '..'.",
                            param="files",
                            details={"entries": unsafe[:50]},
                        )
                    tree = {i.filename: archive.read(i) for i in entries}
            except zipfile.BadZipFile:
                raise ApiError(
                    400, "invalid_skill", f"'{name}' is not a valid zip archive.", param="files"
                ) from None
            if "SKILL.md" not in tree:
                raise ApiError(
                    400,
                    "invalid_skill",
                    f"The archive '{name}' has no SKILL.md at its root.",
                    param="files",
                )
            return tree
    if "SKILL.md" not in files:
        raise ApiError(
            400,
            "invalid_skill",
            "The upload has no SKILL.md; include one (with name and description "
            "front matter) or upload a single .md file.",
            param="files",
        )
    return files


def _meta(tree: dict[str, bytes]) -> dict[str, str]:
    text = tree["SKILL.md"].decode("utf-8", errors="replace")
    meta = parse_front_matter(text)
    missing = [k for k in ("name", "description") if not meta.get(k)]
    if missing:
        raise ApiError(
            400,
            "invalid_skill",
            f"SKILL.md front matter is missing {' and '.join(missing)}; start the file "
            "with ---, name: ..., description: ..., ---.",
            param="files",
            details={"missing": missing},
        )
    return meta


def _zip(tree: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(tree):
            archive.writestr(name, tree[name])
    return buf.getvalue()


def _new_version(store: Any, skill: dict[str, Any], tree: dict[str, bytes]) -> None:
    meta = _meta(tree)
    version_id = new_id("skv")
    data = _zip(tree)
    store.put_blob(f"skill/{version_id}", data)
    now = iso_now()
    major = int(skill.get("major_version") or 0) + 1
    related = [s.strip() for s in meta.get("related_servers", "").split(",") if s.strip()]
    skill.update(
        {
            "name": meta["name"],
            "description": meta["description"],
            "updated_at": now,
            "version_id": version_id,
            "major_version": major,
            "is_deployed": True,
            "version_created_at": now,
        }
    )
    if related:
        skill["metadata"] = {**skill.get("metadata", {}), "related_server_ids": related}
    skill.setdefault("_versions", []).append(
        {"version_id": version_id, "major_version": major, "size": len(data)}
    )


def public_skill(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


async def create_skill(request: Request) -> Response:
    ctx = request.app.state.ctx
    tree, fields = await _files_from_form(request)
    now = iso_now()
    team = fields.get("team_id") or request.query_params.get("team_id") or ctx.config.default_team
    skill: dict[str, Any] = {
        "id": new_id("skl"),
        "team_id": team,
        "created_at": now,
        "metadata": {},
        "usage_count": 0,
        "view_count": 0,
        "last_used_at": None,
        "creator": creator(),
    }
    _new_version(ctx.store, skill, tree)
    ctx.store.put("skills", skill["id"], skill)
    return ok({"skill": public_skill(skill)}, 201)


def _get(request: Request) -> dict[str, Any]:
    skill_id = request.path_params["skill_id"]
    doc = request.app.state.ctx.store.get("skills", skill_id)
    if doc is None:
        raise not_found("skill", skill_id)
    return doc


async def update_skill(request: Request) -> Response:
    skill = _get(request)
    tree, _ = await _files_from_form(request)
    _new_version(request.app.state.ctx.store, skill, tree)
    request.app.state.ctx.store.put("skills", skill["id"], skill)
    return ok({"skill": public_skill(skill)})


async def list_skills(request: Request) -> Response:
    ctx = request.app.state.ctx
    q = request.query_params
    items = ctx.store.list("skills")
    if q.get("team_id"):
        items = [s for s in items if s["team_id"] == q["team_id"]]
    if search := (q.get("search_query") or "").lower():
        items = [s for s in items if search in f"{s['name']} {s['description']}".lower()]
    if q.get("creator_user_id"):
        items = [s for s in items if s["creator"]["id"] == q["creator_user_id"]]
    if q.get("related_server_id"):
        items = [
            s
            for s in items
            if q["related_server_id"] in s.get("metadata", {}).get("related_server_ids", [])
        ]
    if q.get("agent_id"):
        agent = ctx.store.get("agents", q["agent_id"])
        if agent is None:
            raise not_found("agent", q["agent_id"])
        attached = set(agent.get("skill_ids") or [])
        items = [s for s in items if s["id"] in attached]
    items = sort_by_created(items, q.get("sort_order"))
    page, nxt = paginate(request, items)
    return ok(
        {"skills": [public_skill(s) for s in page], "next_cursor": nxt, "total_count": len(items)}
    )


async def download_skill(request: Request) -> Response:
    skill = _get(request)
    wanted = request.query_params.get("version_id") or skill["version_id"]
    version = next((v for v in skill["_versions"] if v["version_id"] == wanted), None)
    if version is None:
        raise not_found("skill_version", wanted)
    url = f"{origin(request)}/files/skills/{skill['id']}/{wanted}.skill"
    return ok(
        {
            "download_url": url,
            "filename": f"{skill['name']}.skill",
            "media_type": "application/zip",
            "size": version["size"],
            "id": skill["id"],
            "version_id": wanted,
            "major_version": version["major_version"],
        }
    )


async def serve_zip(request: Request) -> Response:
    version_id = request.path_params["version_id"]
    data = request.app.state.ctx.store.get_blob(f"skill/{version_id}")
    if data is None:
        raise not_found("file", version_id)
    return Response(data, media_type="application/zip")


async def delete_skill(request: Request) -> Response:
    skill = _get(request)
    store = request.app.state.ctx.store
    for agent in store.list("agents"):
        if skill["id"] in (agent.get("skill_ids") or []):
            agent["skill_ids"] = [s for s in agent["skill_ids"] if s != skill["id"]]
            store.put("agents", agent["id"], agent)
    for v in skill["_versions"]:
        store.delete_blob(f"skill/{v['version_id']}")
    store.delete("skills", skill["id"])
    store.delete("item_access", f"skills/{skill['id']}")  # its sharing goes with it
    return ok({"deleted": True})


ROUTES = [
    Route("/api/v1/skills", list_skills, methods=["GET"]),
    Route("/api/v1/skills", create_skill, methods=["POST"]),
    Route("/api/v1/skills/{skill_id}", update_skill, methods=["PATCH"]),
    Route("/api/v1/skills/{skill_id}", delete_skill, methods=["DELETE"]),
    Route("/api/v1/skills/{skill_id}/download", download_skill, methods=["GET"]),
    Route("/files/skills/{skill_id}/{version_id}.skill", serve_zip, methods=["GET"]),
]
