"""The one request loop every call goes through: headers, auth, retries, error mapping.

The decisions (what to send, whether and how long to wait before a retry, how to read the
answer) are plain functions shared by the two transports; `SyncTransport` and
`AsyncTransport` only differ in how they send and sleep.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import logging
import os
import random
import time
from typing import Any

import httpx

from ..errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    redact_transport_error,
    to_api_error,
)
from ._config import USER_AGENT, ClientConfig
from ._op import UNSET, Op, clean_params

log = logging.getLogger("gumloop_nb")

INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# Statuses that prove the server did not act, so even a create may be repeated.
NOT_PROCESSED_STATUSES = frozenset({408, 409, 429, 502, 503})
# 409 codes that will not change by waiting.
PERMANENT_CONFLICTS = frozenset(
    {"session_already_exists", "agent_version_conflict", "already_exists"}
)


def build_request(
    client: httpx.Client | httpx.AsyncClient, cfg: ClientConfig, op: Op[Any]
) -> httpx.Request:
    """Turn an Op into an httpx.Request (auth and team scoping per the contract §1.6, §2)."""
    headers: dict[str, str] = {"User-Agent": USER_AGENT}
    headers.update(dict(cfg.headers))
    if op.auth and op.host != "absolute":
        headers.update(cfg.auth_headers())
    if op.trace and op.host in ("api", "stream", "origin"):
        # Read per request; an explicitly configured header of the same name wins (§1.6).
        explicit = {k.lower() for k in headers} | {k.lower() for k in (op.headers or {})}
        traceparent = os.environ.get("TRACEPARENT")
        if traceparent and "traceparent" not in explicit:
            headers["traceparent"] = traceparent
            tracestate = os.environ.get("TRACESTATE")
            if tracestate and "tracestate" not in explicit:
                headers["tracestate"] = tracestate
    if op.stream:
        headers["Accept"] = "text/event-stream"
    params = clean_params(op.params)
    if op.scoped and op.host == "api" and cfg.team_id and "team_id" not in params:
        params["team_id"] = cfg.team_id
    content: bytes | None = None
    if op.json is not UNSET:
        content = json.dumps(op.json, separators=(",", ":"), ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    elif op.files is None and op.data is None and op.host == "api" and not op.stream:
        headers["Content-Type"] = "application/json"
    if op.headers:
        headers.update(op.headers)
    timeout = cfg.timeout_for(op.host)
    return client.build_request(
        op.method,
        cfg.url_for(op.host, op.path),
        params=params or None,
        content=content,
        data=dict(op.data) if op.data is not None else None,
        files=op.files,
        headers=headers,
        timeout=httpx.Timeout(timeout) if timeout is not None else httpx.Timeout(None),
    )


def retry_after_seconds(response: httpx.Response | None) -> float | None:
    """Retry-After as seconds: ``retry-after-ms``, ``Retry-After`` seconds or an HTTP date."""
    if response is None:
        return None
    ms = response.headers.get("retry-after-ms")
    if ms:
        try:
            return min(max(float(ms) / 1000.0, 0.0), MAX_RETRY_AFTER)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when.timestamp() - time.time(), 0.0), MAX_RETRY_AFTER)


def backoff_seconds(attempt: int, response: httpx.Response | None = None) -> float:
    """Wait before retry number ``attempt`` (0-based): Retry-After, else 0.5 s doubling to 8 s."""
    server = retry_after_seconds(response)
    if server is not None:
        return server
    base = min(INITIAL_BACKOFF * (2**attempt), MAX_BACKOFF)
    return base * (0.75 + random.random() * 0.25)


def should_retry_status(op: Op[Any], response: httpx.Response) -> bool:
    status = response.status_code
    if status not in RETRY_STATUSES:
        return False
    if status == 409 and _conflict_code(response) in PERMANENT_CONFLICTS:
        return False
    if op.retry_safe:
        return True
    return status in NOT_PROCESSED_STATUSES


def should_retry_exception(op: Op[Any], exc: Exception) -> bool:
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return True  # the request never reached the server
    return op.retry_safe and isinstance(exc, (httpx.TimeoutException, httpx.TransportError))


def _conflict_code(response: httpx.Response) -> str | None:
    try:
        body = json.loads(response.content)
    except (ValueError, httpx.ResponseNotRead):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or "") or None
    return error if isinstance(error, str) else None


def wrap_transport_error(exc: Exception, request: httpx.Request | None) -> APIConnectionError:
    redact_transport_error(exc)  # it becomes the __cause__: no credential may ride along
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(request=request)
    return APIConnectionError(request=request)


def parse_response(op: Op[Any], response: httpx.Response) -> Any:
    """Read a 2xx answer: JSON (or ``op.empty`` for an empty body), then ``op.parse``."""
    if op.raw:
        return response.content
    content = response.content
    body: Any
    if not content or not content.strip():
        body = op.empty
    else:
        try:
            body = json.loads(content)
        except ValueError:
            raise APIStatusError(
                f"The server answered {op.method} {op.path} with a body that is not JSON "
                f"({response.headers.get('content-type', 'no content type')}). Check base_url: it "
                "should point at the Gumloop API (…/api/v1).",
                status_code=response.status_code,
                body=response.text[:500],
                response=response,
                request=response.request,
            ) from None
    return op.parse(body) if op.parse is not None else body


@functools.lru_cache(maxsize=1)
def _ssl_context() -> Any:
    # Loading the CA bundle costs ~0.1-0.2 s; every client of the process can share one.
    return httpx.create_ssl_context()


class _Pool:
    """The httpx client, created on first request and shared by ``with_options`` copies."""

    def __init__(self, factory: Any, client: Any = None) -> None:
        self._factory = factory
        self.client = client

    def get(self) -> Any:
        if self.client is None:
            self.client = self._factory()
        return self.client


class SyncTransport:
    """Blocking execution of Ops over one pooled ``httpx.Client``."""

    def __init__(
        self, cfg: ClientConfig, http: httpx.Client | None = None, pool: _Pool | None = None
    ) -> None:
        self.cfg = cfg
        self._pool = pool or _Pool(
            lambda: httpx.Client(follow_redirects=True, verify=_ssl_context()), http
        )
        self.last_response: httpx.Response | None = None

    @property
    def http(self) -> httpx.Client:
        client: httpx.Client = self._pool.get()
        return client

    def with_config(self, cfg: ClientConfig) -> SyncTransport:
        return SyncTransport(cfg, pool=self._pool)

    def send(self, op: Op[Any], *, stream: bool = False) -> httpx.Response:
        """Send with retries; returns a 2xx response (streamed responses are left open)."""
        attempt = 0
        while True:
            request = build_request(self.http, self.cfg, op)
            try:
                response = self.http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if attempt < self.cfg.max_retries and should_retry_exception(op, exc):
                    delay = backoff_seconds(attempt)
                    log.info(
                        "retrying %s %s in %.2fs after %s",
                        op.method,
                        op.path,
                        delay,
                        type(exc).__name__,
                    )
                    time.sleep(delay)
                    attempt += 1
                    continue
                raise wrap_transport_error(exc, request) from exc
            self.last_response = response
            if response.status_code < 400:
                return response
            if stream:
                response.read()
                response.close()
            if attempt < self.cfg.max_retries and should_retry_status(op, response):
                delay = backoff_seconds(attempt, response)
                log.info(
                    "retrying %s %s in %.2fs after HTTP %s",
                    op.method,
                    op.path,
                    delay,
                    response.status_code,
                )
                time.sleep(delay)
                attempt += 1
                continue
            raise to_api_error(response)

    def execute(self, op: Op[Any]) -> Any:
        response = self.send(op)
        return parse_response(op, response)

    def close(self) -> None:
        if self._pool.client is not None:
            self._pool.client.close()


class AsyncTransport:
    """The same loop as SyncTransport, over ``httpx.AsyncClient``."""

    def __init__(
        self, cfg: ClientConfig, http: httpx.AsyncClient | None = None, pool: _Pool | None = None
    ) -> None:
        self.cfg = cfg
        self._pool = pool or _Pool(
            lambda: httpx.AsyncClient(follow_redirects=True, verify=_ssl_context()), http
        )
        self.last_response: httpx.Response | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        client: httpx.AsyncClient = self._pool.get()
        return client

    def with_config(self, cfg: ClientConfig) -> AsyncTransport:
        return AsyncTransport(cfg, pool=self._pool)

    async def send(self, op: Op[Any], *, stream: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            request = build_request(self.http, self.cfg, op)
            try:
                response = await self.http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if attempt < self.cfg.max_retries and should_retry_exception(op, exc):
                    await asyncio.sleep(backoff_seconds(attempt))
                    attempt += 1
                    continue
                raise wrap_transport_error(exc, request) from exc
            self.last_response = response
            if response.status_code < 400:
                return response
            if stream:
                await response.aread()
                await response.aclose()
            if attempt < self.cfg.max_retries and should_retry_status(op, response):
                await asyncio.sleep(backoff_seconds(attempt, response))
                attempt += 1
                continue
            raise to_api_error(response)

    async def execute(self, op: Op[Any]) -> Any:
        response = await self.send(op)
        return parse_response(op, response)

    async def close(self) -> None:
        if self._pool.client is not None:
            await self._pool.client.aclose()
