"""The one request loop every call goes through: headers, auth, timeouts, redirects, retries.

The decisions (what to send, whether and how long to wait before a retry, where a redirect
leads and which headers may follow it, how to read the answer) live once, in
:class:`_Attempts` and the plain functions below; `SyncTransport` and `AsyncTransport` only
differ in how they send, read and sleep.

When a failed request is sent again
-----------------------------------
A request is repeated (at most ``max_retries`` times, waiting 0.5 s doubling to 8 s with
jitter, or what ``Retry-After`` says, up to 60 s) only when repeating it cannot do the work
twice:

* **Nothing was sent** (connection refused, name not resolved, no free pooled connection):
  retried for every request.
* **The host did not answer the connection** within the connect timeout (10 s by default):
  not retried. It fails at once with :class:`~gumloop_nb.errors.APITimeoutError` saying so.
* **The server refused before doing anything**: ``429`` (rate limited), ``408`` (the request
  did not arrive in full) and ``409`` with a conflict that waiting can clear (e.g. the session
  is still running). Retried for every request. Permanent conflicts
  (``session_already_exists``, ``agent_version_conflict``, ``already_exists``) never.
* **The request may have been processed**: the connection was lost or a read timed out after
  the request was sent, or the answer was ``500``, ``502``, ``503`` or ``504``. A ``502``/
  ``503``/``504`` may come from a gateway that had already forwarded the request, so it does
  not prove the origin did nothing. Retried **only** for requests that are safe to repeat:

  - ``GET``, ``HEAD``, ``PUT``, ``DELETE``, ``OPTIONS``;
  - requests that carry an idempotency guarantee: a client-chosen id the server deduplicates
    on (the ``session_id`` a session create generates; a retry that meets
    ``session_already_exists`` fetches the session), an ``Idempotency-Key`` header (queued
    message sends);
  - read-only ``POST`` requests (searches, MCP prompts, model routing) and unary chat
    completions. A chat completion changes nothing, but **each one is billed**: a retry after
    a lost response or a 5xx may be billed twice. Turn that off with ``max_retries=0`` on the
    client, for a block of calls with ``client.with_options(max_retries=0)``, or for one call
    (``Op.max_retries``, e.g. ``create(..., max_retries=0)``).

  Everything else (creating an agent, sending a message without ``delivery="queued"``,
  updates with ``PATCH``) is raised at once with a message that says the request may have
  been processed.

Redirects are followed here (at most 20). On a redirect to another origin (scheme, host or
port; an upgrade from ``http`` to ``https`` on the same host excepted) only generic headers
follow (``User-Agent``, ``Accept``, the body's ``Content-*``, ``Idempotency-Key``): the
credentials (``Authorization``, ``x-auth-key``, cookies), the client's ``default_headers``,
per-call headers and the trace context are dropped, so a foreign server never sees them. Requests
to absolute URLs on other hosts (downloads) carry neither credentials nor ``default_headers``.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import logging
import os
import random
import threading
import time
from typing import Any

import httpx
import pydantic

from ..errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    ResponseTooLargeError,
    as_httpx_class,
    redact_transport_error,
    to_api_error,
)
from ..types._base import as_dict
from ._config import USER_AGENT, ClientConfig, to_httpx_timeout
from ._op import UNSET, Op, clean_params

log = logging.getLogger("gumloop_nb")

INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
MAX_REDIRECTS = 20
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# Statuses that say the server refused before acting, so even a create may be repeated.
# 502/503/504 are not among them: a gateway may answer so after forwarding the request.
NOT_PROCESSED_STATUSES = frozenset({408, 409, 429})
# 409 codes that will not change by waiting.
PERMANENT_CONFLICTS = frozenset(
    {"session_already_exists", "agent_version_conflict", "already_exists"}
)
# Request extension naming the call a redirected request came from (for error messages).
_REDIRECTED_FROM = "gumloop_nb.redirected_from"
# The only headers that follow a redirect to another origin: nothing that could identify or
# authorize (credentials, user id, cookies, default and per-call headers, trace context).
_PORTABLE_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "accept",
        "accept-encoding",
        "connection",
        "content-type",
        "content-length",
        "transfer-encoding",
        "idempotency-key",
    }
)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _is_same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return _origin(a) == _origin(b)


def _is_https_upgrade(old: httpx.URL, new: httpx.URL) -> bool:
    return (
        old.scheme == "http"
        and new.scheme == "https"
        and old.host == new.host
        and (old.port in (None, 80))
        and (new.port in (None, 443))
    )


def _own_origins(cfg: ClientConfig) -> list[httpx.URL]:
    return [httpx.URL(cfg.base_url), httpx.URL(cfg.stream_base_url)]


def build_request(
    client: httpx.Client | httpx.AsyncClient, cfg: ClientConfig, op: Op[Any]
) -> httpx.Request:
    """Turn an Op into an httpx.Request (auth and team scoping per the wire contract)."""
    url = httpx.URL(cfg.url_for(op.host, op.path))
    own = op.host != "absolute" or any(_is_same_origin(url, o) for o in _own_origins(cfg))
    headers: dict[str, str] = {"User-Agent": USER_AGENT}
    if own:
        headers.update(dict(cfg.headers))  # default_headers: only to the client's own hosts
    if op.auth and op.host != "absolute":
        headers.update(cfg.auth_headers())
    if op.trace and op.host in ("api", "stream", "origin"):
        # Read per request; an explicitly configured header of the same name wins.
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
    if op.headers:  # the call's own headers (and per-call extra_headers) win, by any case
        override = {k.lower() for k in op.headers}
        headers = {k: v for k, v in headers.items() if k.lower() not in override}
        headers.update(op.headers)
    return client.build_request(
        op.method,
        url,
        params=params or None,
        content=content,
        data=dict(op.data) if op.data is not None else None,
        files=op.files,
        headers=headers,
        timeout=request_timeout(cfg, op),
    )


def request_timeout(cfg: ClientConfig, op: Op[Any]) -> httpx.Timeout:
    """The per-phase timeout of one request: the call's own ``timeout`` when it set one, else
    the client's for the host (see ``to_httpx_timeout`` for how a number is read)."""
    value = op.timeout if op.timeout is not UNSET else cfg.timeout_for(op.host)
    return to_httpx_timeout(value)


def redirect_request(request: httpx.Request, response: httpx.Response) -> httpx.Request | None:
    """The request a redirect leads to (httpx's method and body rules), without the
    credentials, default headers and trace context when it leaves the origin."""
    target = response.next_request
    if target is None:
        return None
    if target.url.scheme not in ("http", "https"):
        raise APIConnectionError(
            f"{_where(request)} was redirected to a {target.url.scheme!r} URL, which is not "
            "followed. Check base_url.",
            request=request,
        )
    if not _is_same_origin(request.url, target.url) and not _is_https_upgrade(
        request.url, target.url
    ):
        for name in [k for k in target.headers if k.lower() not in _PORTABLE_HEADERS]:
            del target.headers[name]
    return target


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
    return float(base * (0.75 + random.random() * 0.25))


def should_retry_status(op: Op[Any], response: httpx.Response) -> bool:
    """Whether a failed status may be retried (the rule is in this module's docstring)."""
    status = response.status_code
    if status not in RETRY_STATUSES:
        return False
    if status == 409 and _conflict_code(response) in PERMANENT_CONFLICTS:
        return False
    if op.retry_safe:
        return True
    return status in NOT_PROCESSED_STATUSES


def never_sent(exc: BaseException | None) -> bool:
    """Whether a transport error proves the request never reached the server."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def should_retry_exception(op: Op[Any], exc: Exception) -> bool:
    """Whether a transport error may be retried (the rule is in this module's docstring)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return False  # the host does not answer: another 10 s would not change that
    if isinstance(exc, (httpx.ConnectError, httpx.PoolTimeout)):
        return True  # the request never reached the server
    return op.retry_safe and isinstance(exc, (httpx.TimeoutException, httpx.TransportError))


def _conflict_code(response: httpx.Response) -> str | None:
    try:
        body = json.loads(response.content)
    except (ValueError, httpx.ResponseNotRead):
        return None
    obj = as_dict(body)
    error = obj.get("error") if obj is not None else None
    error_obj = as_dict(error)
    if error_obj is not None:
        return str(error_obj.get("code") or "") or None
    return error if isinstance(error, str) else None


def _where(request: httpx.Request | None) -> str:
    if request is None:
        return "The request"
    # Never the query string (ids, signatures) and never headers.
    return f"{request.method} {request.url.copy_with(query=None)}"


def _phase_seconds(request: httpx.Request | None, phase: str) -> str:
    timeouts = as_dict(request.extensions.get("timeout")) if request is not None else None
    value = timeouts.get(phase) if timeouts is not None else None
    return f" within {value:g} s" if isinstance(value, (int, float)) else ""


def wrap_transport_error(
    exc: Exception, request: httpx.Request | None, op: Op[Any] | None = None, tries: int = 1
) -> APIConnectionError:
    """The error for a transport failure, saying what is known: whether anything was sent and
    whether the server may have acted on it; also of ``exc``'s httpx class (drop-in)."""
    return as_httpx_class(_transport_error(exc, request, op, tries), exc)


def _transport_error(
    exc: Exception, request: httpx.Request | None, op: Op[Any] | None, tries: int
) -> APIConnectionError:
    redact_transport_error(exc)  # it becomes the __cause__: no credential may ride along
    where = _where(request)
    host = request.url.host if request is not None else "the server"
    tried = f" (tried {tries} times)" if tries > 1 else ""
    if isinstance(exc, httpx.ConnectTimeout):
        return APITimeoutError(
            f"Could not connect to {host}: it did not answer{_phase_seconds(request, 'connect')}"
            f" ({where}). Nothing was sent. Check base_url and your network (proxy, VPN, "
            "firewall); for a slow link pass timeout=httpx.Timeout(..., connect=30).",
            request=request,
        )
    if isinstance(exc, httpx.PoolTimeout):
        return APITimeoutError(
            f"No connection to {host} became free{_phase_seconds(request, 'pool')} ({where}); "
            f"nothing was sent{tried}. Too many requests are running at once on this client: "
            "wait for some to finish or raise the timeout.",
            request=request,
        )
    if isinstance(exc, httpx.ConnectError):
        return APIConnectionError(
            f"Could not connect to {host} ({where}){tried}; nothing was sent. Check base_url "
            "and your network, then try again.",
            request=request,
        )
    safe = op is not None and op.retry_safe
    if not safe:
        after = (
            "The server may have processed it; it was not repeated automatically because that "
            "could do it twice: check before repeating it."
        )
    elif tries > 1:
        after = f"It was tried {tries} times; the server may have processed it."
    else:
        after = "The server may have processed it."
    if isinstance(exc, httpx.ReadTimeout):
        return APITimeoutError(
            f"{where} timed out: no response{_phase_seconds(request, 'read')}. {after} Raise "
            "timeout= (or stream_timeout= for the stream host), per call or with client.with_options().",
            request=request,
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Sending {where} timed out{_phase_seconds(request, 'write')}. {after}",
            request=request,
        )
    return APIConnectionError(
        f"The connection to {host} was lost before the response to {where} arrived "
        f"({type(exc).__name__}). {after}",
        request=request,
    )


def _model_name(op: Op[Any]) -> str:
    model = getattr(op.parse, "model", None)
    return getattr(model, "__name__", "the expected response")


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
    if op.parse is None:
        return body
    try:
        return op.parse(body)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        origin = response.request.extensions.get(_REDIRECTED_FROM)
        moved = f" (redirected from {origin})" if origin else ""
        raise APIResponseValidationError(
            f"The answer of {_where(response.request)}{moved} is not {_model_name(op)}: "
            f"{problems}. The server there is probably not the Gumloop API: check base_url "
            "and any proxy or redirect in between.",
            status_code=response.status_code,
            request=response.request,
        ) from None


def _too_large(request: httpx.Request, max_bytes: int, size: int | None) -> ResponseTooLargeError:
    told = f"{size:,} bytes" if size is not None else "more"
    return ResponseTooLargeError(
        f"The download from {request.url.host} is larger than max_bytes={max_bytes:,} ({told}); "
        "nothing more was read. Pass a larger max_bytes= to read it anyway.",
        max_bytes=max_bytes,
        size=size,
        request=request,
    )


class _Capped:
    """Collects a streamed body up to ``max_bytes`` (the declared length is checked first)."""

    __slots__ = ("chunks", "max_bytes", "request", "total")

    def __init__(self, response: httpx.Response, max_bytes: int) -> None:
        self.request = response.request
        self.max_bytes = max_bytes
        self.chunks: list[bytes] = []
        self.total = 0
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise _too_large(self.request, max_bytes, int(length))

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.max_bytes:
            raise _too_large(self.request, self.max_bytes, None)
        self.chunks.append(chunk)

    def content(self) -> bytes:
        return b"".join(self.chunks)


@functools.lru_cache(maxsize=1)
def _ssl_context() -> Any:
    # Loading the CA bundle costs ~0.1-0.2 s; every client of the process can share one.
    return httpx.create_ssl_context()


class _Pool:
    """The httpx client, created once on first request (under a lock: ``compare`` starts
    several threads on a fresh client) and shared by ``with_options`` copies."""

    def __init__(self, factory: Any, client: Any = None) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self.client = client
        self.closed = False

    def get(self) -> Any:
        client = self.client
        if client is None or self.closed:
            with self._lock:
                if self.closed:
                    raise ClientClosedError(
                        "This Gumloop client was closed (close() or the end of its `with` "
                        "block); create a new client to make more requests."
                    )
                if self.client is None:
                    self.client = self._factory()
                client = self.client
        return client

    def take_for_close(self) -> Any:
        """Mark the pool closed; the httpx client to close (None when none was created)."""
        with self._lock:
            self.closed = True
            client, self.client = self.client, None
        return client


class _Attempts:
    """One call's attempts: which request to send, and after each outcome whether to return,
    follow a redirect, wait and retry, or raise. Logging lives here, once for both drivers."""

    __slots__ = ("attempt", "cfg", "op", "redirects", "request", "retries")

    def __init__(self, cfg: ClientConfig, op: Op[Any]) -> None:
        self.cfg = cfg
        self.op = op
        self.retries = op.max_retries if op.max_retries is not None else cfg.max_retries
        self.attempt = 0
        self.redirects = 0
        self.request: httpx.Request | None = None

    def first(self, http: Any) -> httpx.Request:
        self.request = build_request(http, self.cfg, self.op)
        return self.request

    def after_error(self, exc: Exception) -> float:
        """The wait before the next attempt; raises the mapped error when giving up."""
        if self.attempt < self.retries and should_retry_exception(self.op, exc):
            return self._retry(type(exc).__name__, None)
        raise wrap_transport_error(exc, self.request, self.op, self.attempt + 1) from exc

    def after_response(self, response: httpx.Response) -> httpx.Request | float | None:
        """None: done (2xx). A Request: follow this redirect. A float: wait, then retry from the
        start. Raises the status error when giving up (an error body must have been read)."""
        request = self.request
        assert request is not None
        nxt = redirect_request(request, response)
        if nxt is not None:
            self.redirects += 1
            if self.redirects > MAX_REDIRECTS:
                raise APIConnectionError(
                    f"{_where(request)} was redirected more than {MAX_REDIRECTS} times. "
                    "Check base_url.",
                    request=request,
                )
            nxt.extensions = {**nxt.extensions}
            nxt.extensions.setdefault(_REDIRECTED_FROM, f"{self.op.method} {self.op.path}")
            self.request = nxt
            return nxt
        if response.status_code < 400:
            return None
        if self.attempt < self.retries and should_retry_status(self.op, response):
            return self._retry(f"HTTP {response.status_code}", response)
        raise to_api_error(response)

    def _retry(self, reason: str, response: httpx.Response | None) -> float:
        delay = backoff_seconds(self.attempt, response)
        self.attempt += 1
        self.redirects = 0
        log.info(
            "retrying %s %s in %.2fs after %s (retry %d of %d)",
            self.op.method,
            self.op.path if self.op.host != "absolute" else _where(self.request).split(" ")[-1],
            delay,
            reason,
            self.attempt,
            self.retries,
        )
        return delay


class SyncTransport:
    """Blocking execution of Ops over one pooled ``httpx.Client``.

    The transport that created the pool owns it: its ``close()`` closes the pool. Copies made
    by ``with_config`` (``client.with_options``) share the pool and never close it.
    """

    def __init__(
        self,
        cfg: ClientConfig,
        http: httpx.Client | None = None,
        pool: _Pool | None = None,
    ) -> None:
        self.cfg = cfg
        self._owner = pool is None
        self._pool = pool or _Pool(lambda: httpx.Client(verify=_ssl_context()), http)
        self.last_response: httpx.Response | None = None

    @property
    def http(self) -> httpx.Client:
        client: httpx.Client = self._pool.get()
        return client

    def with_config(self, cfg: ClientConfig) -> SyncTransport:
        return SyncTransport(cfg, pool=self._pool)

    def send(self, op: Op[Any], *, stream: bool = False) -> httpx.Response:
        """Send with redirects and retries; returns a 2xx response (a streamed one left open)."""
        http = self.http
        attempts = _Attempts(self.cfg, op)
        request = attempts.first(http)
        while True:
            try:
                response = http.send(request, stream=stream, follow_redirects=False)
            except httpx.TransportError as exc:
                time.sleep(attempts.after_error(exc))
                request = attempts.first(http)
                continue
            self.last_response = response
            if stream and response.status_code >= 300:
                response.read()
                response.close()
            step = attempts.after_response(response)
            if step is None:
                return response
            if isinstance(step, httpx.Request):
                request = step
                continue
            time.sleep(step)
            request = attempts.first(http)

    def execute(self, op: Op[Any]) -> Any:
        if op.max_bytes is not None:
            return self._download(op, op.max_bytes)
        response = self.send(op)
        return parse_response(op, response)

    def _download(self, op: Op[Any], max_bytes: int) -> bytes:
        response = self.send(op, stream=True)
        try:
            capped = _Capped(response, max_bytes)
            for chunk in response.iter_bytes():
                capped.add(chunk)
        except httpx.TransportError as exc:
            raise wrap_transport_error(exc, response.request, op) from exc
        finally:
            response.close()
        return capped.content()

    def close(self) -> None:
        if not self._owner:
            return  # a with_options copy: the pool belongs to the client it was made from
        client = self._pool.take_for_close()
        if client is not None:
            client.close()


class AsyncTransport:
    """The same loop as SyncTransport, over ``httpx.AsyncClient``."""

    def __init__(
        self,
        cfg: ClientConfig,
        http: httpx.AsyncClient | None = None,
        pool: _Pool | None = None,
    ) -> None:
        self.cfg = cfg
        self._owner = pool is None
        self._pool = pool or _Pool(lambda: httpx.AsyncClient(verify=_ssl_context()), http)
        self.last_response: httpx.Response | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        client: httpx.AsyncClient = self._pool.get()
        return client

    def with_config(self, cfg: ClientConfig) -> AsyncTransport:
        return AsyncTransport(cfg, pool=self._pool)

    async def send(self, op: Op[Any], *, stream: bool = False) -> httpx.Response:
        http = self.http
        attempts = _Attempts(self.cfg, op)
        request = attempts.first(http)
        while True:
            try:
                response = await http.send(request, stream=stream, follow_redirects=False)
            except httpx.TransportError as exc:
                await asyncio.sleep(attempts.after_error(exc))
                request = attempts.first(http)
                continue
            self.last_response = response
            if stream and response.status_code >= 300:
                await response.aread()
                await response.aclose()
            step = attempts.after_response(response)
            if step is None:
                return response
            if isinstance(step, httpx.Request):
                request = step
                continue
            await asyncio.sleep(step)
            request = attempts.first(http)

    async def execute(self, op: Op[Any]) -> Any:
        if op.max_bytes is not None:
            return await self._download(op, op.max_bytes)
        response = await self.send(op)
        return parse_response(op, response)

    async def _download(self, op: Op[Any], max_bytes: int) -> bytes:
        response = await self.send(op, stream=True)
        try:
            capped = _Capped(response, max_bytes)
            async for chunk in response.aiter_bytes():
                capped.add(chunk)
        except httpx.TransportError as exc:
            raise wrap_transport_error(exc, response.request, op) from exc
        finally:
            await response.aclose()
        return capped.content()

    async def close(self) -> None:
        if not self._owner:
            return
        client = self._pool.take_for_close()
        if client is not None:
            await client.aclose()
