"""HTTP helpers shared by the emulator's routes: errors, JSON bodies, auth, paging, ids."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._errors import EmulatorError

__all__ = [
    "ApiError",
    "FlatError",
    "iso_now",
    "json_body",
    "new_id",
    "ok",
    "paginate",
    "text_of",
]


class ApiError(EmulatorError):
    """An :class:`EmulatorError` with response headers (e.g. ``Retry-After``)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, code, message, type=type, param=param, details=details)
        self.headers = headers or {}

    def response(self) -> Response:
        return JSONResponse(self.envelope(), status_code=self.status, headers=self.headers)


class FlatError(Exception):
    """A failure rendered as a flat ``{"error": "..."}`` body (legacy flows endpoints)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        return JSONResponse({"error": self.message}, status_code=self.status)


def not_found(thing: str, ident: str) -> ApiError:
    """404 `<thing>_not_found` with a sentence naming the id."""
    label = thing.replace("_", " ")
    return ApiError(
        404,
        f"{thing}_not_found",
        f"No {label} with id '{ident}' exists. Check the id (list the {label}s to see valid ones).",
        type="not_found_error",
    )


def ok(payload: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


def iso_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_ts() -> float:
    return time.time()


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than `limit` bytes with 413 even without Content-Length."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "payload_too_large",
        f"The request body is larger than the {limit // (1024 * 1024)} MiB limit; send less data.",
    )


async def json_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The JSON object body; 400 `invalid_json` when it is not JSON or not an object."""
    limit = request.app.state.config.max_body_bytes
    raw = await read_body(request, limit)
    if not raw.strip():
        if required:
            raise ApiError(
                400, "invalid_json", "The request body is empty; send a JSON object.", param="body"
            )
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(
            400,
            "invalid_json",
            f"The request body is not valid JSON ({exc}); send a JSON object.",
            param="body",
        ) from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.", param="body")
    return data


def field(
    body: dict[str, Any], name: str, kind: type | tuple[type, ...], *, required: bool = False
) -> Any:
    """Read `body[name]`, enforcing its type; 400 `invalid_request` naming the field."""
    if name not in body or body[name] is None:
        if required:
            raise ApiError(400, "invalid_request", f"The field '{name}' is required.", param=name)
        return None
    value = body[name]
    # bool is an int subclass: refuse it where a number is expected.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        names = "/".join(k.__name__ for k in _as_tuple(kind))
        raise ApiError(
            400,
            "invalid_request",
            f"The field '{name}' must be of type {names}, got {type(value).__name__}.",
            param=name,
        )
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def query_int(request: Request, name: str, default: int, *, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400, "invalid_request", f"The query parameter '{name}' must be an integer.", param=name
        ) from None
    if not lo <= value <= hi:
        raise ApiError(
            400,
            "invalid_request",
            f"The query parameter '{name}' must be between {lo} and {hi}.",
            param=name,
        )
    return value


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["o"])
        if offset < 0:
            raise ValueError(offset)
        return offset
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ApiError(
            400,
            "invalid_cursor",
            "The cursor is not valid; pass back the next_cursor of a previous page.",
            param="cursor",
        ) from None


def paginate(
    request: Request, items: list[Any], *, default_size: int = 20, max_size: int = 100
) -> tuple[list[Any], str | None]:
    """One page of `items` from the `page_size`/`cursor` query, plus the next cursor or None."""
    size = query_int(request, "page_size", default_size, lo=1, hi=max_size)
    cursor = request.query_params.get("cursor")
    start = decode_cursor(cursor) if cursor else 0
    page = items[start : start + size]
    nxt = encode_cursor(start + size) if start + size < len(items) else None
    return page, nxt


def team_filter(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep items of the `team_id` query when given (objects carry their team_id)."""
    team = request.query_params.get("team_id")
    if not team:
        return items
    return [i for i in items if i.get("team_id") in (team, None)]


def sort_by_created(items: list[dict[str, Any]], order: str | None) -> list[dict[str, Any]]:
    if order not in (None, "", "newest", "oldest"):
        raise ApiError(
            400,
            "invalid_request",
            "sort_order must be 'newest' or 'oldest'.",
            param="sort_order",
        )
    # Insertion order is creation order; newest first is the default.
    return list(items) if order == "oldest" else list(reversed(items))


def origin(request: Request) -> str:
    """Scheme://host:port of this server as the client reached it (for download URLs)."""
    return f"{request.url.scheme}://{request.url.netloc}"


def text_of(value: Any) -> str:
    """The text of a message input: a string, or the text parts of a content-part list."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
        return "\n".join(parts)
    return ""
