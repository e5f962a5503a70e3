"""HTTP helpers shared by the emulator's routes: errors, JSON bodies, auth, paging, ids."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
import time
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._errors import EmulatorError

__all__ = [
    "MAX_JSON_DEPTH",
    "ApiError",
    "FlatError",
    "SafeJSONResponse",
    "iso_now",
    "json_body",
    "loads_strict",
    "new_id",
    "ok",
    "paginate",
    "text_of",
]


MAX_JSON_DEPTH = 128
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
# In a Python str, a surrogate code point is always unpaired (pairs decode to one character).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (send null or a finite number)")


def loads_strict(raw: bytes | str) -> Any:
    """Parse JSON, refusing what could not be stored and rendered back as valid JSON.

    Python's ``json.loads`` accepts ``NaN``/``Infinity``, numbers that overflow to infinity
    (``1e999``), lone UTF-16 surrogates (``"\\ud800"``) and arbitrarily deep nesting (until it
    hits the recursion limit). Each of those would be stored and then break every response that
    includes it, so they are refused here, before anything is stored: raises ``ValueError``
    with a sentence saying what is wrong. Nesting is limited to ``MAX_JSON_DEPTH`` levels.
    """
    # Decoding is strict: UTF-8-encoded surrogates are refused too.
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError(f"it is nested more than {MAX_JSON_DEPTH} levels deep") from None
    _check_tree(data)
    if _ESCAPED_SURROGATE.search(text):
        _check_strings(data)
    return data


def _check_tree(data: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and numbers that overflowed to infinity.

    One level at a time without recursion; about a quarter of the parse time on large bodies.
    """
    level = [data]
    depth = 0
    while level:
        depth += 1
        below = []
        for node in level:
            kind = type(node)
            if kind is dict or kind is list:
                if depth > MAX_JSON_DEPTH:
                    raise ValueError(f"it is nested more than {MAX_JSON_DEPTH} levels deep")
                below.extend(node.values() if kind is dict else node)
            elif kind is float and not math.isfinite(node):
                raise ValueError("it has a number too large for a 64-bit float (e.g. 1e999)")
        level = below


def _check_strings(data: Any) -> None:
    """Refuse lone UTF-16 surrogates in keys or string values."""
    stack = [data]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for key in node:
                _check_text(key)
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
        elif type(node) is str:
            _check_text(node)


def _check_text(text: str) -> None:
    if _LONE_SURROGATE.search(text):
        raise ValueError(
            "it contains a lone UTF-16 surrogate escape (e.g. \\ud800 without its pair)"
        )


def _clean(value: Any) -> Any:
    """A copy safe to render: non-finite floats -> null, lone surrogates -> U+FFFD."""
    stack: list[Any] = []
    root: list[Any] = [None]
    stack.append((value, root, 0))
    while stack:
        node, parent, slot = stack.pop()
        if isinstance(node, dict):
            out: Any = {}
            for k, v in node.items():
                key = _clean_text(k) if isinstance(k, str) else k
                out[key] = None
                stack.append((v, out, key))
        elif isinstance(node, (list, tuple)):
            out = [None] * len(node)
            for i, v in enumerate(node):
                stack.append((v, out, i))
        elif isinstance(node, float) and not math.isfinite(node):
            out = None
        elif isinstance(node, str):
            out = _clean_text(node)
        else:
            out = node
        parent[slot] = out
    return root[0]


def _clean_text(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)


class SafeJSONResponse(JSONResponse):
    """A JSON response that cannot fail to render.

    Bodies are validated on the way in (:func:`loads_strict`), but state written by an older
    emulator into a ``--db`` file may still hold ``NaN`` or lone surrogates; such values are
    rendered as ``null`` / U+FFFD instead of turning every listing that includes them into 500.
    """

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except (ValueError, UnicodeEncodeError):
            return super().render(_clean(content))


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
        return SafeJSONResponse(self.envelope(), status_code=self.status, headers=self.headers)


class FlatError(Exception):
    """A failure rendered as a flat ``{"error": "..."}`` body (legacy flows endpoints)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        return SafeJSONResponse({"error": self.message}, status_code=self.status)


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
    return SafeJSONResponse(payload, status_code=status)


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
        data = loads_strict(raw)
    except ValueError as exc:
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
