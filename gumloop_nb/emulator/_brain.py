"""The Brain (company knowledge): search, sources, uploaded files, sync runs.

Sources are of two kinds here:

- the demo organization's connectors (``notion``, ``google_drive``, ``slack``, ``github``,
  ``confluence``): read-only, already synced, holding the seed documents;
- ``direct_file_uploads`` sources created with ``POST /brain/sources``: upload files to them
  (multipart ``files`` parts: text, Markdown, CSV/TSV, JSON, HTML, PDF, DOCX) and their text is
  indexed at once, in passages, for ``POST /brain/search``.

Connecting a new Notion/Drive/... source needs that service's OAuth consent in the Gumloop app,
which cannot happen offline: creating one answers ``400 connector_unavailable`` saying so.

Every upload, sync (``POST .../sync``: re-index every file) and approval records a sync run
(``GET .../sync-runs``); runs finish immediately, so the sync answer's ``status: "queued"`` is
already history when it is read. A source created with ``require_approval: true`` is
``draft``: its files are stored but not searchable until ``POST .../approve``.
Files whose text could not be read (e.g. a scanned PDF) stay findable by name and are listed
by ``GET .../issues``. File names may be relative paths (``docs/guide.md``, as ``gumloop brain
sync DIR`` sends them); uploading a name that exists replaces that file. An upload where no
file could be taken is ``400 no_files_accepted`` with the reasons in ``details.rejected``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import BRAIN_DOCS, DEMO_USER, TEAMS, brain_words
from ._documents import UnsupportedDocument, chunks, extract_text
from ._http import ApiError, field, iso_now, json_body, new_id, not_found, ok, paginate, too_large

__all__ = ["ROUTES"]

UPLOADS = "direct_file_uploads"
_CONNECTORS = ("notion", "google_drive", "slack", "github", "confluence")
_SEARCHABLE = (*_CONNECTORS, UPLOADS, "gumloop_artifacts")
_SCOPES = ("personal", "team", "organization")
_CONNECTOR_NAMES = {
    "notion": "Notion workspace",
    "google_drive": "Google Drive",
    "slack": "Slack",
    "github": "GitHub",
    "confluence": "Confluence",
}
_SEED_TIME = "2025-09-01T09:00:00Z"
MAX_FILES = 100


def _seed_sources() -> list[dict[str, Any]]:
    return [
        {
            "id": f"src_{kind}",
            "name": _CONNECTOR_NAMES[kind],
            "source_type": kind,
            "status": "ready",
            "scope": "organization",
            "team_id": None,
            "created_by_user_id": DEMO_USER["id"],
            "created_at": _SEED_TIME,
        }
        for kind in _CONNECTORS
    ]


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _all_sources(store: Any) -> list[dict[str, Any]]:
    return _seed_sources() + store.list("brain_sources")


def _source(request: Request) -> dict[str, Any]:
    source_id = request.path_params["source_id"]
    for doc in _seed_sources():
        if doc["id"] == source_id:
            return doc
    doc = request.app.state.ctx.store.get("brain_sources", source_id)
    if doc is None:
        raise not_found("brain_source", source_id)
    return doc


def _uploads_only(source: dict[str, Any], what: str) -> None:
    if source["source_type"] != UPLOADS:
        raise ApiError(
            400,
            "unsupported_source_type",
            f"{what} works on {UPLOADS} sources; '{source['id']}' is a {source['source_type']} "
            "connector (its documents come from that service).",
            param="source_id",
        )


def _files(store: Any, source_id: str) -> list[dict[str, Any]]:
    return [f for f in store.list("brain_files") if f["_source_id"] == source_id]


# -- search -------------------------------------------------------------------------------------


def _uploaded_results(store: Any, wanted: set[str], sources: list[str] | None) -> list[dict]:
    if sources is not None and UPLOADS not in sources:
        return []
    ready = {s["id"]: s for s in store.list("brain_sources") if s["status"] == "ready"}
    results = []
    for doc in store.list("brain_documents"):
        source = ready.get(doc["source_id"])
        if source is None:
            continue
        best, best_hits = "", 0
        for passage in doc["passages"] or [""]:
            hits = len(wanted & brain_words(doc["title"] + " " + passage))
            if hits > best_hits:
                best, best_hits = passage, hits
        if not best_hits:
            continue
        results.append(
            {
                "document_id": doc["document_id"],
                "source": UPLOADS,
                "title": doc["title"],
                "content": best,
                "url": None,
                "score": round(best_hits / len(wanted), 3),
                "updated_at": doc["updated_at"],
                "owner_name": f"{DEMO_USER['first_name']} {DEMO_USER['last_name']}",
                "owner_email": DEMO_USER["email"],
                "parent_title": source["name"],
                "metadata": {"source_id": source["id"], "file_id": doc["file_id"]},
            }
        )
    return results


async def search(request: Request) -> Response:
    body = await json_body(request)
    query = field(body, "query", str, required=True)
    limit = field(body, "limit", int)
    if limit is not None and not 1 <= limit <= 50:
        raise ApiError(400, "invalid_request", "limit must be between 1 and 50.", param="limit")
    sources = field(body, "source_type", list)
    if sources is not None:
        bad = [s for s in sources if s not in _SEARCHABLE]
        if not sources or bad:
            raise ApiError(
                400,
                "invalid_request",
                f"source_type must be a non-empty list of: {', '.join(_SEARCHABLE)}.",
                param="source_type",
            )
    wanted = brain_words(query)
    results = []
    for doc in BRAIN_DOCS:
        if sources and doc["source"] not in sources:
            continue
        hits = len(wanted & brain_words(doc["title"] + " " + doc["content"]))
        if wanted and hits:
            results.append({**doc, "score": round(hits / len(wanted), 3), "metadata": {}})
    if wanted:
        results += _uploaded_results(request.app.state.ctx.store, wanted, sources)
    results.sort(key=lambda d: (-d["score"], d["title"]))
    return ok({"results": results[: limit or 10]})


# -- sources ------------------------------------------------------------------------------------


async def list_sources(request: Request) -> Response:
    q = request.query_params
    items = _all_sources(request.app.state.ctx.store)
    for key in ("source_type", "scope", "team_id"):
        if q.get(key):
            items = [s for s in items if s.get(key) == q[key]]
    page, nxt = paginate(request, items)
    return ok({"sources": [_public(s) for s in page], "next_cursor": nxt})


async def create_source(request: Request) -> Response:
    ctx = request.app.state.ctx
    body = await json_body(request)
    name = field(body, "name", str, required=True).strip()
    if not name or len(name) > 200:
        raise ApiError(400, "invalid_request", "name must be 1 to 200 characters.", param="name")
    source_type = field(body, "source_type", str) or UPLOADS
    if source_type in _CONNECTORS or source_type == "gumloop_artifacts":
        raise ApiError(
            400,
            "connector_unavailable",
            f"Connecting a {source_type} source needs that service's sign-in in the Gumloop app, "
            f"which the emulator cannot do offline; create a '{UPLOADS}' source and upload "
            "files to it instead.",
            param="source_type",
        )
    if source_type != UPLOADS:
        raise ApiError(
            400,
            "invalid_request",
            f"source_type must be '{UPLOADS}' (or a connector: {', '.join(_CONNECTORS)}).",
            param="source_type",
        )
    scope = field(body, "scope", str) or "personal"
    if scope not in _SCOPES:
        raise ApiError(
            400, "invalid_request", f"scope must be one of: {', '.join(_SCOPES)}.", param="scope"
        )
    team_id = field(body, "team_id", str) or request.query_params.get("team_id")
    if scope == "team":
        team_id = team_id or ctx.config.default_team
    if team_id is not None and team_id not in {t["id"] for t in TEAMS}:
        raise ApiError(
            400, "invalid_request", f"Unknown team '{team_id}' (see GET /teams).", param="team_id"
        )
    pending = bool(field(body, "require_approval", bool))
    source = {
        "id": new_id("src"),
        "name": name,
        "source_type": source_type,
        "status": "draft" if pending else "ready",
        "scope": scope,
        "team_id": team_id,
        "created_by_user_id": DEMO_USER["id"],
        "created_at": iso_now(),
        "require_approval": pending,
    }
    ctx.store.put("brain_sources", source["id"], source)
    return ok({"source": _public(source)}, 201)


async def get_source(request: Request) -> Response:
    return ok({"source": _public(_source(request))})


async def delete_source(request: Request) -> Response:
    source = _source(request)
    if source["source_type"] != UPLOADS:
        raise ApiError(
            403,
            "source_read_only",
            f"'{source['id']}' is a connector of the demo organization and cannot be deleted.",
            type="permission_error",
        )
    store = request.app.state.ctx.store
    for f in _files(store, source["id"]):
        _drop_file(store, f)
    for run in store.list("brain_sync_runs"):
        if run["source_id"] == source["id"]:
            store.delete("brain_sync_runs", run["sync_run_id"])
    return ok({"deleted": store.delete("brain_sources", source["id"])})


def _record_run(
    store: Any, source: dict[str, Any], trigger: str, *, seen: int, changed: int, indexed: int
) -> dict[str, Any]:
    now = iso_now()
    waiting = source["status"] == "draft"
    run = {
        "sync_run_id": new_id("sync"),
        "source_id": source["id"],
        "connector_id": source["source_type"],
        "status": "awaiting_approval" if waiting else "completed",
        "trigger": trigger,
        "sync_mode": "full" if trigger in ("manual", "approval") else "incremental",
        "coverage_status": "partial" if waiting else "complete",
        "budget_status": "within_budget",
        "docs_seen": seen,
        "docs_changed": 0 if waiting else changed,
        "docs_deleted": 0,
        "docs_skipped": seen - changed,
        "chunks_indexed": 0 if waiting else indexed,
        "total_units": seen,
        "units_processed": 0 if waiting else seen,
        "progress_unit": "documents",
        "error_code": None,
        "created_ts": now,
        "started_at": now,
        "finished_at": None if waiting else now,
        "credit_cost": 0.0 if waiting else round(indexed * 0.01, 4),
        "require_approval": waiting,
    }
    store.put("brain_sync_runs", run["sync_run_id"], run)
    return run


def _index(store: Any, source: dict[str, Any], files: list[dict[str, Any]]) -> int:
    """(Re)build the search passages of `files`; returns the number of passages."""
    total = 0
    for f in files:
        text = store.get_blob(f"brain_text/{f['id']}")
        passages = chunks(text.decode("utf-8")) if text else []
        total += len(passages)
        now = iso_now()
        store.put(
            "brain_documents",
            f["id"],
            {
                "document_id": f["document_id"],
                "file_id": f["id"],
                "source_id": source["id"],
                "title": f["file_name"],
                "passages": passages,
                "updated_at": now,
            },
        )
        f["status"] = "indexed"
        f["indexed_at"] = now
        store.put("brain_files", f["id"], f)
    return total


async def sync_source(request: Request) -> Response:
    source = _source(request)
    store = request.app.state.ctx.store
    if source["status"] == "draft":
        raise ApiError(
            409,
            "source_not_approved",
            f"Source '{source['id']}' waits for approval; approve it first "
            "(POST /brain/sources/{id}/approve).",
            type="conflict_error",
        )
    if source["source_type"] == UPLOADS:
        files = _files(store, source["id"])
        run = _record_run(
            store,
            source,
            "manual",
            seen=len(files),
            changed=len(files),
            indexed=_index(store, source, files),
        )
    else:
        count = sum(d["source"] == source["source_type"] for d in BRAIN_DOCS)
        run = _record_run(store, source, "manual", seen=count, changed=0, indexed=0)
    return ok({"source_id": source["id"], "status": "queued", "sync_run_id": run["sync_run_id"]})


async def approve_source(request: Request) -> Response:
    source = _source(request)
    store = request.app.state.ctx.store
    if source["status"] == "draft":
        source["status"] = "ready"
        store.put("brain_sources", source["id"], source)
        files = _files(store, source["id"])
        passages = _index(store, source, files)
        _record_run(
            store, source, "approval", seen=len(files), changed=len(files), indexed=passages
        )
    return ok({"source": _public(source)})


async def list_sync_runs(request: Request) -> Response:
    source = _source(request)
    runs = [
        r
        for r in request.app.state.ctx.store.list("brain_sync_runs")
        if r["source_id"] == source["id"]
    ]
    page, nxt = paginate(request, list(reversed(runs)))
    return ok({"items": page, "next_cursor": nxt})


async def list_issues(request: Request) -> Response:
    source = _source(request)
    items = [
        {
            "source_item_key": f["id"],
            "title": f["file_name"],
            "url": None,
            "status": f["status"],
            "error": f["error"],
            "skip_reason": "no_text" if f["status"] == "indexed" else None,
            "verdict": "searchable_by_name",
            "hidden_from_search": False,
            "updated_ts": f["indexed_at"] or f["created_at"],
            "details_hidden": False,
        }
        for f in _files(request.app.state.ctx.store, source["id"])
        if f["error"]
    ]
    page, nxt = paginate(request, items)
    return ok({"items": page, "next_cursor": nxt})


async def list_children(request: Request) -> Response:
    source = _source(request)
    q = request.query_params
    parent = q.get("parent_id") or None
    if source["source_type"] == UPLOADS:
        items = [
            {
                "document_id": f["document_id"],
                "title": f["file_name"],
                "kind": "file",
                "is_document": True,
                "child_count": None,
                "descendant_doc_count": None,
                "retrieval_count": 0,
                "url": None,
                "updated_at": f["indexed_at"] or f["created_at"],
                "status": f["status"],
                "error": f["error"],
                "ancestors": [],
            }
            for f in _files(request.app.state.ctx.store, source["id"])
        ]
    else:
        items = [
            {
                "document_id": d["document_id"],
                "title": d["title"],
                "kind": "page",
                "is_document": True,
                "child_count": None,
                "descendant_doc_count": None,
                "retrieval_count": 0,
                "url": d["url"],
                "updated_at": d["updated_at"],
                "status": "indexed",
                "error": None,
                "ancestors": [d["parent_title"]],
            }
            for d in BRAIN_DOCS
            if d["source"] == source["source_type"]
        ]
    if parent is not None:
        items = []  # every document sits at the top level here
    if query := (q.get("query") or "").lower():
        items = [i for i in items if query in i["title"].lower()]
    page, nxt = paginate(request, items)
    return ok(
        {
            "source_id": source["id"],
            "connector_id": source["source_type"],
            "parent_id": parent,
            "items": page,
            "total_count": len(items),
            "next_cursor": nxt,
            "has_more": nxt is not None,
        }
    )


async def get_estimate(request: Request) -> Response:
    source = _source(request)
    store = request.app.state.ctx.store
    if source["source_type"] == UPLOADS:
        files = _files(store, source["id"])
        size = sum(f["_text_chars"] for f in files)
        count = len(files)
    else:
        docs = [d for d in BRAIN_DOCS if d["source"] == source["source_type"]]
        size = sum(len(d["content"]) for d in docs)
        count = len(docs)
    tokens = size // 4
    return ok(
        {
            "source_id": source["id"],
            "status": source["status"],
            "estimate": {
                "sync_run_id": "est_" + hashlib.sha256(source["id"].encode()).hexdigest()[:12],
                "status": "completed",
                "estimated_tokens": tokens,
                "estimated_credits": max(1, -(-tokens // 1000)) if count else 0,
                "document_count": count,
            },
        }
    )


# -- files --------------------------------------------------------------------------------------


def _public_file(doc: dict[str, Any]) -> dict[str, Any]:
    return _public(doc)


async def list_files(request: Request) -> Response:
    source = _source(request)
    files = _files(request.app.state.ctx.store, source["id"])
    page, nxt = paginate(request, files)
    return ok({"files": [_public_file(f) for f in page], "next_cursor": nxt})


def _safe_name(name: str) -> bool:
    """A file name, or a relative path (``docs/guide.md``, as a directory mirror sends)."""
    if not name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _drop_file(store: Any, f: dict[str, Any]) -> None:
    store.delete("brain_files", f["id"])
    store.delete("brain_documents", f["id"])
    store.delete_blob(f"brain_file/{f['id']}")
    store.delete_blob(f"brain_text/{f['id']}")


async def upload_files(request: Request) -> Response:
    ctx = request.app.state.ctx
    source = _source(request)
    _uploads_only(source, "Uploading files")
    limit = ctx.config.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(
            400,
            "invalid_request",
            "Upload files as multipart/form-data with one or more parts named 'files'.",
            param="files",
        )
    try:
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES)
    except Exception as exc:  # the multipart parser raises several error types
        raise ApiError(
            400, "invalid_request", f"The multipart body could not be read ({exc}).", param="files"
        ) from None
    try:  # read the parts, then close their spooled files on every path
        uploads = [
            (f.filename or "", await f.read())
            for f in form.getlist("files")
            if isinstance(f, UploadFile)
        ]
    finally:
        await form.close()
    if not uploads:
        raise ApiError(
            400, "invalid_request", "Send at least one file part named 'files'.", param="files"
        )
    store = ctx.store
    existing = {f["file_name"]: f for f in _files(store, source["id"])}
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, str]] = []
    unchanged = 0
    for filename, data in uploads:
        name = filename.replace("\\", "/").strip()
        if not _safe_name(name):
            rejected.append(
                {
                    "file_name": filename,
                    "error": "The file name must be a relative path without '..' segments.",
                }
            )
            continue
        try:
            text, media_type, problem = extract_text(name, data)
        except UnsupportedDocument as exc:
            rejected.append({"file_name": name, "error": str(exc)})
            continue
        digest = hashlib.sha256(data).hexdigest()
        old = existing.get(name)
        if old is not None and old["sha256"] == digest:
            unchanged += 1
            accepted.append(old)
            continue
        now = iso_now()
        file_id = old["id"] if old is not None else new_id("bfile")
        doc = {
            "id": file_id,
            "file_name": name,
            "mime_type": media_type,
            "size_bytes": len(data),
            "sha256": digest,
            "status": "pending",
            "error": problem,
            "document_id": f"{UPLOADS}:{file_id}",
            "created_at": old["created_at"] if old is not None else now,
            "indexed_at": None,
            "_source_id": source["id"],
            "_text_chars": len(text),
        }
        store.put_blob(f"brain_file/{file_id}", data)
        store.put_blob(f"brain_text/{file_id}", text.encode("utf-8"))
        store.put("brain_files", file_id, doc)
        existing[name] = doc
        accepted.append(doc)
    if not accepted:
        raise ApiError(
            400,
            "no_files_accepted",
            "None of the files could be indexed: "
            + "; ".join(f"{r['file_name']}: {r['error']}" for r in rejected[:5]),
            param="files",
            details={"rejected": rejected},
        )
    changed = [f for f in accepted if f["status"] == "pending"]
    run_id = None
    if accepted:
        passages = 0 if source["status"] != "ready" else _index(store, source, changed)
        run = _record_run(
            store, source, "upload", seen=len(accepted), changed=len(changed), indexed=passages
        )
        run_id = run["sync_run_id"]
    files = [_public_file(store.get("brain_files", f["id"]) or f) for f in accepted]
    return ok({"files": files, "rejected": rejected, "sync_run_id": run_id})


async def delete_file(request: Request) -> Response:
    source = _source(request)
    store = request.app.state.ctx.store
    file_id = request.path_params["file_id"]
    doc = store.get("brain_files", file_id)
    if doc is None or doc["_source_id"] != source["id"]:
        raise not_found("brain_file", file_id)
    _drop_file(store, doc)
    return ok({"deleted": True})


_S = "/api/v1/brain/sources"
ROUTES = [
    Route("/api/v1/brain/search", search, methods=["POST"]),
    Route(_S, list_sources, methods=["GET"]),
    Route(_S, create_source, methods=["POST"]),
    Route(_S + "/{source_id}", get_source, methods=["GET"]),
    Route(_S + "/{source_id}", delete_source, methods=["DELETE"]),
    Route(_S + "/{source_id}/sync", sync_source, methods=["POST"]),
    Route(_S + "/{source_id}/approve", approve_source, methods=["POST"]),
    Route(_S + "/{source_id}/sync-runs", list_sync_runs, methods=["GET"]),
    Route(_S + "/{source_id}/issues", list_issues, methods=["GET"]),
    Route(_S + "/{source_id}/children", list_children, methods=["GET"]),
    Route(_S + "/{source_id}/estimate", get_estimate, methods=["GET"]),
    Route(_S + "/{source_id}/files", list_files, methods=["GET"]),
    Route(_S + "/{source_id}/files", upload_files, methods=["POST"]),
    Route(_S + "/{source_id}/files/{file_id}", delete_file, methods=["DELETE"]),
]
