"""Faults on request, for reliability tests and demos (off by default).

A fault spec is a ``;``-separated list of ``key=value`` items, given per request in the
``X-Gumloop-Fault`` header or for the whole server with ``--fault`` / ``EmulatorConfig.faults``
(the header wins when both are present):

- ``status=429|500|502|503|504``: answer with that status and the nested error envelope instead of
  running the endpoint. A 429 carries ``Retry-After: <retry_after>`` (seconds, default 1) and
  ``retry-after-ms``.
- ``retry_after=S``: the seconds advertised by a 429 (may be fractional; the ``Retry-After``
  header is rounded up to whole seconds, ``retry-after-ms`` is exact).
- ``times=N``: only the first N requests with the same spec + method + path are faulted; later
  ones pass, so a client's retries can succeed. Without it every matching request is faulted.
- ``drop_after=N``: an SSE response (chat or session stream) is cut abruptly after N events
  (the connection closes without the rest of the body, like a network drop).
- ``latency=S``: wait S seconds before answering.

Examples: ``X-Gumloop-Fault: status=429;retry_after=2;times=1`` (one 429, then success),
``--fault "latency=0.2"`` (every request 200 ms slower), ``X-Gumloop-Fault: drop_after=3``.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["FaultMiddleware", "FaultSpec", "parse_fault_spec"]

HEADER = "x-gumloop-fault"

_STATUS_CODES = {
    429: ("rate_limited", "rate_limit_error", "Too many requests (injected fault)."),
    500: ("internal_error", "api_error", "Internal server error (injected fault)."),
    502: ("bad_gateway", "api_error", "Bad gateway (injected fault)."),
    503: ("service_unavailable", "api_error", "Service unavailable (injected fault)."),
    504: ("gateway_timeout", "api_error", "Gateway timeout (injected fault)."),
}


@dataclass(frozen=True)
class FaultSpec:
    """A parsed fault spec; `text` is the normalised spec used to count `times`."""

    text: str
    status: int | None = None
    retry_after: float = 1.0
    times: int | None = None
    drop_after: int | None = None
    latency: float = 0.0


def parse_fault_spec(text: str) -> FaultSpec:
    """Parse ``"status=429;times=2"``; raises ValueError with a sentence on bad input."""
    values: dict[str, Any] = {}
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip().lower().replace("-", "_"), value.strip()
        if not sep or not value:
            raise ValueError(f"Fault item '{item}' must look like key=value.")
        try:
            if key == "status":
                status = int(value)
                if status not in _STATUS_CODES:
                    allowed = ", ".join(str(s) for s in _STATUS_CODES)
                    raise ValueError(f"Fault status must be one of {allowed}, got {status}.")
                values["status"] = status
            elif key in ("times", "drop_after"):
                number = int(value)
                if number < 0:
                    raise ValueError(f"Fault '{key}' must be >= 0.")
                values[key] = number
            elif key in ("retry_after", "latency"):
                seconds = float(value)
                if not math.isfinite(seconds) or seconds < 0 or seconds > 600:
                    raise ValueError(f"Fault '{key}' must be between 0 and 600 seconds.")
                values[key] = seconds
            else:
                raise ValueError(
                    f"Unknown fault key '{key}'; use status, retry_after, times, drop_after "
                    "or latency."
                )
        except ValueError as exc:
            if "Fault" in str(exc) or "fault" in str(exc):
                raise
            raise ValueError(f"Fault item '{item}' has a value that is not a number.") from None
    normal = ";".join(f"{k}={values[k]}" for k in sorted(values))
    return FaultSpec(text=normal, **values)


class _Dropped(Exception):
    """Raised inside `send` to cut a stream; caught by the middleware."""


def _contains_drop(exc: BaseException) -> bool:
    if isinstance(exc, _Dropped):
        return True
    inner = getattr(exc, "exceptions", None) or ()
    return any(_contains_drop(e) for e in inner)


class FaultMiddleware:
    """ASGI middleware applying the request's (or the server's) fault spec."""

    def __init__(self, app: Any, server_spec: str | None = None) -> None:
        self.app = app
        self.server_spec = parse_fault_spec(server_spec) if server_spec else None
        self._counts: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def _active(self, spec: FaultSpec, method: str, path: str) -> bool:
        if spec.times is None:
            return True
        key = (spec.text, method, path)
        with self._lock:
            seen = self._counts.get(key, 0)
            self._counts[key] = seen + 1
        return seen < spec.times

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        spec = self.server_spec
        for name, value in scope.get("headers", []):
            if name.decode("latin-1").lower() == HEADER:
                text = value.decode("latin-1")
                try:
                    spec = parse_fault_spec(text)
                except ValueError as exc:
                    await _send_json(send, 400, _envelope(400, "invalid_fault", str(exc)))
                    return
                break
        if spec is None or not self._active(spec, scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        if spec.latency:
            await asyncio.sleep(spec.latency)
        if spec.status is not None:
            code, kind, message = _STATUS_CODES[spec.status]
            headers: list[tuple[bytes, bytes]] = []
            if spec.status == 429:
                headers = [
                    (b"retry-after", str(max(1, math.ceil(spec.retry_after))).encode()),
                    (b"retry-after-ms", str(int(spec.retry_after * 1000)).encode()),
                ]
                message = f"Too many requests (injected fault); retry after {spec.retry_after:g} s."
            body = {
                "error": {
                    "code": code,
                    "message": message,
                    "type": kind,
                    "param": None,
                    "details": {"injected": True},
                }
            }
            await _send_json(send, spec.status, body, headers)
            return
        if spec.drop_after is None:
            await self.app(scope, receive, send)
            return
        await self._run_with_drop(spec.drop_after, scope, receive, send)

    async def _run_with_drop(self, limit: int, scope: Any, receive: Any, send: Any) -> None:
        state = {"sse": False, "events": 0}

        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type" and b"text/event-stream" in value:
                        state["sse"] = True
            elif message["type"] == "http.response.body" and state["sse"]:
                if message.get("body") and state["events"] >= limit:
                    raise _Dropped()
                if message.get("body"):
                    state["events"] += message["body"].count(b"\n\n")
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception as exc:
            if not _contains_drop(exc):
                raise
            # Returning without finishing the body makes the server close the connection.


def _envelope(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "type": "invalid_request_error",
            "param": "X-Gumloop-Fault",
            "details": {},
        }
    }


async def _send_json(
    send: Any, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
