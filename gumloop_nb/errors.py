"""Errors raised by gumloop_nb.

The tree (every class is importable from ``gumloop_nb.errors``)::

    GumloopError (Exception)                 anything this package raises on purpose
    ├── AuthenticationError                  no credential available when a request is attempted
    │                                        (also the base of 401 responses, see below)
    ├── APIError                             something went wrong talking to the server
    │   ├── APIConnectionError               the server could not be reached / connection dropped
    │   │   └── APITimeoutError              the request timed out
    │   ├── APIResponseValidationError       a 2xx answer that is not what the endpoint returns
    │   ├── ResponseTooLargeError            a download went past its max_bytes limit
    │   ├── StreamError                      a stream carried an error frame or ended mid-way
    │   └── APIStatusError                   the server answered with a non-2xx status
    │       ├── BadRequestError              400
    │       ├── AuthenticationStatusError    401 (also an AuthenticationError)
    │       ├── PermissionDeniedError        403
    │       ├── NotFoundError                404
    │       ├── ConflictError                409
    │       ├── PayloadTooLargeError         413
    │       ├── UnprocessableEntityError     422
    │       ├── RateLimitError               429
    │       └── InternalServerError          >= 500
    ├── ClientClosedError (also RuntimeError)  a request on a client after close()
    ├── FlowFailedError (also RuntimeError)  a legacy flow run ended FAILED
    └── FlowTerminatedError (also RuntimeError)  a legacy flow run was terminated

``APIStatusError`` keeps the attributes of the official SDK (``status_code``, ``body``, ``error``,
``code``, ``type``, ``param``, ``details``) and its message: ``str(error)`` is exactly what the
official SDK says. It adds ``request_id``, ``headers``, ``method``, ``url`` and ``hint`` (what to
do, from the one table :data:`HINTS`; on Python 3.11+ also a note shown under the message).
Credentials never appear in an error, in any form (message, repr, attributes, pickle).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, cast

import httpx

__all__ = [
    "APIConnectError",
    "APIConnectTimeout",
    "APIConnectionError",
    "APIError",
    "APIPoolTimeout",
    "APIProxyError",
    "APIReadError",
    "APIReadTimeout",
    "APIRemoteProtocolError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "APIWriteError",
    "APIWriteTimeout",
    "AuthenticationError",
    "AuthenticationStatusError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "FlowFailedError",
    "FlowTerminatedError",
    "GumloopError",
    "InternalServerError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "StreamError",
    "UnprocessableEntityError",
    "to_api_error",
]

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-trace-id", "x-amzn-trace-id")

# What to do about an API error, as data: keyed by the error code where the status alone would
# suggest the wrong fix, else by HTTP status (500 stands for every 5xx). The one table every
# layer reads, through ``exc.hint`` (see hint_for).
HINTS: Mapping[int | str, str] = MappingProxyType(
    {
        400: "Check the arguments of this call against the API reference.",
        401: "Check your credential: pass api_key=... or set GUMLOOP_ACCESS_TOKEN (personal "
        "keys also need user_id / GUMLOOP_USER_ID).",
        403: "Your credential lacks permission for this: check its scopes and the team_id in use.",
        404: "Check the id: it does not exist or is not visible to this credential/team.",
        409: "The resource is in a conflicting state: fetch its current state and try again.",
        413: "The payload is too large: send less data per request.",
        422: "The request was understood but some values are invalid: check the details.",
        429: "Rate limited: slow down or raise max_retries; retries honour Retry-After.",
        500: "The server had a problem. Try again later (calls that are safe to repeat are "
        "retried automatically, see max_retries).",
        "model_not_found": "Check the model name: client.models.list() lists the available ones.",
        "session_already_exists": "Pick another session_id, or retrieve the existing session.",
        "interaction_not_in_terminal_state": "The session is still running: wait for it to "
        "finish (client.sessions.retrieve) or cancel it, then send again.",
        "agent_version_conflict": "The agent changed since that version: retrieve it and retry "
        "with its current version.",
    }
)


def hint_for(status: int | None, code: str | None = None) -> str | None:
    """The hint for an error code or HTTP status from :data:`HINTS` (None when there is none)."""
    if code is not None and code in HINTS:
        return HINTS[code]
    if status is None:
        return None
    return HINTS.get(500 if status >= 500 else status)


def _add_note(error: BaseException, note: str) -> None:
    # Python 3.11+ shows notes under the message in tracebacks; str(error) stays unchanged.
    add_note = getattr(error, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(note)


class GumloopError(Exception):
    """Base class of every error gumloop_nb raises on purpose."""


class AuthenticationError(GumloopError):
    """No credential, or the server rejected it (the 401 subclass also derives from this)."""


class APIError(GumloopError):
    """Something went wrong while talking to the server.

    ``request`` is a copy of the request without its credentials (no ``Authorization``,
    user id, cookie or API-key headers) and without its body, so an error can be logged,
    pickled or sent to another process without carrying a secret.
    """

    request: httpx.Request | None = None
    hint: str | None = None
    """What to do about it, when there is something to say (also a note on Python 3.11+)."""

    def __init__(
        self, message: str, *, request: httpx.Request | None = None, hint: str | None = None
    ) -> None:
        # Not cooperative on purpose: a subclass may also derive from httpx.HTTPStatusError,
        # whose __init__ takes other arguments.
        Exception.__init__(self, message)
        self.message = message
        self.request = redact_request(request)
        if hint:
            self.hint = hint
            _add_note(self, hint)

    def __reduce__(self) -> Any:
        # Rebuilt from the message and the (already redacted) request alone: the default
        # pickling would call __init__ with arguments some subclasses do not take.
        return (_rebuild_error, (type(self), self.args, self.__dict__))


def _rebuild_error(cls: type[APIError], args: tuple[Any, ...], state: dict[str, Any]) -> APIError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


# Headers that carry credentials; an error never keeps them (the wire contract's bearer token
# and user id header, plus the usual cookie and key headers a proxy or user may add).
_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-auth-key",
        "cookie",
        "x-api-key",
        "api-key",
    }
)


def redact_request(request: httpx.Request | None) -> httpx.Request | None:
    """A copy of ``request`` that is safe to keep on an error: method, URL without its query
    (presigned URLs and OAuth redirects carry tokens there) and the headers without
    credentials; never the body (a token exchange sends secrets in it)."""
    if request is None:
        return None
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _SECRET_HEADERS]
    return httpx.Request(request.method, request.url.copy_with(query=None), headers=headers)


def redact_response(response: httpx.Response | None) -> httpx.Response | None:
    """A copy of ``response`` (status, headers, body when it was read) whose ``request`` is the
    redacted one, so ``error.response.request`` holds no credential either."""
    if response is None:
        return None
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "set-cookie"]
    request = redact_request(response.request) if _has_request(response) else None
    copy = httpx.Response(response.status_code, headers=headers, content=content)
    if request is not None:
        copy.request = request
    return copy


def redact_transport_error(exc: BaseException) -> BaseException:
    """Strip credentials from an httpx error's request in place (it becomes a cause).

    What caused the httpx error is cut off too: its message already says what failed, and a
    transport's own exception (a mock's, a proxy library's) may hold the original request with
    its credentials, which pickling the chain (e.g. with tblib, as Dask installs) would carry.
    """
    if isinstance(exc, httpx.RequestError):
        try:
            exc.request = redact_request(exc.request)  # type: ignore[assignment]
        except RuntimeError:  # no request attached
            pass
        exc.__cause__ = None
        exc.__context__ = None
        exc.__suppress_context__ = True
    return exc


class APIConnectionError(APIError, httpx.TransportError):  # type: ignore[misc]
    """The server could not be reached, or the connection dropped.

    Also an ``httpx.TransportError`` and, when raised for one, of the same httpx class
    (``httpx.ConnectError``, ``httpx.ReadError``, …; see :func:`as_httpx_class`): the official
    SDK lets httpx's errors through, so ``except`` clauses written for it keep working.
    """

    def __init__(self, message: str | None = None, *, request: httpx.Request | None = None) -> None:
        where = f" {_describe(request)}" if request is not None else ""
        super().__init__(
            message
            or f"Could not connect to the Gumloop API{where}. Check the base_url and your "
            "network, then try again (calls that are safe to repeat are retried "
            "automatically, see max_retries).",
            request=request,
        )


class APITimeoutError(APIConnectionError, httpx.TimeoutException):  # type: ignore[misc]
    """The request timed out (also an ``httpx.TimeoutException``)."""

    def __init__(self, message: str | None = None, *, request: httpx.Request | None = None) -> None:
        where = f" {_describe(request)}" if request is not None else ""
        super().__init__(
            message
            or f"The request{where} timed out. Raise timeout=... (or stream_timeout=... for "
            "streams) with client.with_options(), or try again later.",
            request=request,
        )


class APIConnectError(APIConnectionError, httpx.ConnectError):  # type: ignore[misc]
    """Could not connect (also an ``httpx.ConnectError``)."""


class APIReadError(APIConnectionError, httpx.ReadError):  # type: ignore[misc]
    """The connection broke while reading the response (also an ``httpx.ReadError``)."""


class APIWriteError(APIConnectionError, httpx.WriteError):  # type: ignore[misc]
    """The connection broke while sending the request (also an ``httpx.WriteError``)."""


class APIRemoteProtocolError(APIConnectionError, httpx.RemoteProtocolError):  # type: ignore[misc]
    """The server broke the HTTP protocol, e.g. closed mid-response (also the httpx error)."""


class APIProxyError(APIConnectionError, httpx.ProxyError):  # type: ignore[misc]
    """The proxy failed (also an ``httpx.ProxyError``)."""


class APIConnectTimeout(APITimeoutError, httpx.ConnectTimeout):  # type: ignore[misc]
    """Connecting timed out (also an ``httpx.ConnectTimeout``)."""


class APIReadTimeout(APITimeoutError, httpx.ReadTimeout):  # type: ignore[misc]
    """No response in time (also an ``httpx.ReadTimeout``)."""


class APIWriteTimeout(APITimeoutError, httpx.WriteTimeout):  # type: ignore[misc]
    """Sending timed out (also an ``httpx.WriteTimeout``)."""


class APIPoolTimeout(APITimeoutError, httpx.PoolTimeout):  # type: ignore[misc]
    """No pooled connection became free in time (also an ``httpx.PoolTimeout``)."""


# Most specific first: the timeouts are also transport errors.
_HTTPX_CLASSES: tuple[tuple[type[Exception], type[APIConnectionError]], ...] = (
    (httpx.ConnectTimeout, APIConnectTimeout),
    (httpx.ReadTimeout, APIReadTimeout),
    (httpx.WriteTimeout, APIWriteTimeout),
    (httpx.PoolTimeout, APIPoolTimeout),
    (httpx.ProxyError, APIProxyError),
    (httpx.ConnectError, APIConnectError),
    (httpx.ReadError, APIReadError),
    (httpx.WriteError, APIWriteError),
    (httpx.RemoteProtocolError, APIRemoteProtocolError),
)


def as_httpx_class(error: APIConnectionError, exc: BaseException) -> APIConnectionError:
    """``error`` as the subclass that is also ``exc``'s httpx class (same message, attributes
    and notes), so code written for the official SDK, which lets ``exc`` through, catches it.
    A timeout stays an APITimeoutError and a connection error an APIConnectionError."""
    for httpx_cls, cls in _HTTPX_CLASSES:
        if isinstance(exc, httpx_cls) and issubclass(cls, type(error)):
            return _rebuild_error(cls, error.args, dict(error.__dict__))  # type: ignore[return-value]
    return error


class APIResponseValidationError(APIError, ValueError):
    """A 2xx answer whose JSON is not what the endpoint returns (e.g. a redirect or a wrong
    ``base_url`` led to another server). Also a ``ValueError``, like pydantic's error it wraps."""

    def __init__(
        self, message: str, *, status_code: int | None = None, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code


class ResponseTooLargeError(APIError):
    """A download went past its ``max_bytes`` limit; nothing beyond the limit was read."""

    def __init__(
        self,
        message: str,
        *,
        max_bytes: int,
        size: int | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.max_bytes = max_bytes
        self.size = size


class ClientClosedError(GumloopError, RuntimeError):
    """A request was made on a client after ``close()``; create a new client instead."""


class StreamError(APIError):
    """A stream carried an error frame, or ended before it was complete.

    What arrived before the error is kept by the stream object (``stream.text``,
    ``stream.final(partial=True)``).
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | str | None = None,
        body: Any = None,
        request: httpx.Request | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, request=request, hint=hint)
        self.code = code
        self.body = body


class APIStatusError(APIError):
    """The server answered with a non-2xx status.

    Attributes follow the official SDK (``status_code``, ``body``, ``error``, ``code``, ``type``,
    ``param``, ``details``), plus ``request_id``, ``headers``, ``method`` and ``url``.
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        response: httpx.Response | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.body = body
        self.response = redact_response(response)
        self.headers: Mapping[str, str] = self.response.headers if self.response is not None else {}
        self.request_id: str | None = next(
            (self.headers[h] for h in _REQUEST_ID_HEADERS if h in self.headers), None
        )
        obj = _as_dict(body)
        if self.request_id is None and obj is not None:
            trace = obj.get("trace_id") or obj.get("request_id")
            self.request_id = trace if isinstance(trace, str) else None
        self.method = request.method if request is not None else None
        self.url = str(request.url.copy_with(query=None)) if request is not None else None
        error = obj.get("error") if obj is not None else None
        self.error: Any = error
        self.code: str | None
        self.type: str | None
        self.param: str | None
        self.details: dict[str, Any]
        error_obj = _as_dict(error)
        if error_obj is not None:
            code = error_obj.get("code")
            self.code = str(code) if code is not None else None
            self.type = error_obj.get("type")
            self.param = error_obj.get("param")
            details = _as_dict(error_obj.get("details"))
            self.details = details if details is not None else {}
        else:
            self.code = error if isinstance(error, str) else None
            self.type = None
            self.param = None
            metadata = _as_dict(obj.get("metadata")) if obj is not None else None
            if metadata is not None:
                self.details = metadata
            elif obj is not None:
                skip = {"error", "message", "error_description", "trace_id", "metadata"}
                self.details = {k: v for k, v in obj.items() if k not in skip}
            else:
                self.details = {}
        if self.method is not None:
            rid = f" (request id {self.request_id})" if self.request_id else ""
            _add_note(self, f"HTTP {status_code} from {self.method} {self.url}{rid}")
        self.hint = hint_for(status_code, self.code)
        if self.hint:
            _add_note(self, self.hint)


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationStatusError(APIStatusError, AuthenticationError):
    """HTTP 401: the credential is missing, invalid or expired."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403."""


class NotFoundError(APIStatusError):
    """HTTP 404."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class PayloadTooLargeError(APIStatusError):
    """HTTP 413."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


class FlowFailedError(GumloopError, RuntimeError):
    """A legacy flow run ended in state FAILED; ``log`` holds the run's log lines."""

    def __init__(self, message: str, *, run_id: str | None = None, log: Any = None) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.log = log


class FlowTerminatedError(FlowFailedError):
    """A legacy flow run was terminated (TERMINATING / TERMINATED)."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationStatusError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _describe(request: httpx.Request | None) -> str:
    if request is None:
        return ""
    # Never the query string: it may carry ids the user does not want in logs, and never headers.
    return f"({request.method} {request.url.copy_with(query=None)})"


def _parse_body(response: httpx.Response) -> Any:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return response.text


def _as_dict(value: object) -> dict[str, Any] | None:
    """``value`` typed as a decoded JSON object when it is a dict, else ``None``."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def _message_for(status: int, body: Any) -> str:
    """The server's own words, per the contract's message rules (nested, flat, OAuth, legacy)."""
    obj = _as_dict(body)
    if obj is not None:
        error = obj.get("error")
        error_obj = _as_dict(error)
        if error_obj is not None:
            msg = error_obj.get("message")
            if isinstance(msg, str) and msg:
                return msg
            return f"Gumloop API returned HTTP {status}"
        msg = obj.get("message")
        if isinstance(msg, str) and msg:
            return msg
        desc = obj.get("error_description")
        if isinstance(desc, str) and desc:
            return desc
        if isinstance(error, str) and error:
            return f"Gumloop API returned HTTP {status}: {error}"
    return f"Gumloop API returned HTTP {status}"


def status_error_class(status: int) -> type[APIStatusError]:
    """The APIStatusError subclass for an HTTP status."""
    if status >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status, APIStatusError)


def to_api_error(response: httpx.Response) -> APIStatusError:
    """Map a non-2xx response to the matching :class:`APIStatusError` subclass.

    ``str(error)`` is exactly the official SDK's message (the server's own words, per the wire
    contract's message rules), so code that compares or logs it behaves the same. What to do
    is on ``error.hint``; where it happened is on ``method``, ``url`` and ``request_id``; on
    Python 3.11+ both are also notes shown under the message in a traceback.
    """
    status = response.status_code
    body = _parse_body(response)
    request = response.request if _has_request(response) else None
    cls = status_error_class(status)
    return cls(
        _message_for(status, body),
        status_code=status,
        body=body,
        response=response,
        request=request,
    )


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018 - property raises when unset
    except RuntimeError:
        return False
    return True
