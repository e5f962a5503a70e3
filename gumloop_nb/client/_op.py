"""The description of one HTTP call (`Op`), written once per endpoint and run by either client.

A resource method returns an :class:`Op` (one request) or a generator that yields ``Op`` and
:class:`Sleep` instructions and returns a value (several requests, e.g. "create, and on a
conflict fetch"). The sync client runs it with blocking I/O, the async client with ``await``;
the method itself knows nothing about either.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar, Union, cast

import httpx
from pydantic import BaseModel
from typing_extensions import TypedDict

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)

Host = Literal["api", "stream", "origin", "oauth", "absolute"]
StreamKind = Literal["chat", "session"]


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Op(Generic[T]):
    """One HTTP call: what is sent and how the answer is read.

    ``parse`` turns the decoded JSON body into the method's return value (``None`` for an empty
    2xx body is passed through ``empty`` first). ``idempotent`` says whether repeating the call
    can never cause a second side effect; it decides which failures are retried (the rule is
    spelled out in ``gumloop_nb.client._transport``).

    Per-call settings: ``timeout`` (a number, ``None`` or an ``httpx.Timeout``; ``UNSET`` means
    the client's setting for the host) and ``max_retries`` (``None``: the client's setting)
    override the client's configuration for this one request. ``max_bytes`` reads the body as
    a stream and stops with ``ResponseTooLargeError`` past that many bytes (downloads).
    """

    method: str
    path: str
    host: Host = "api"
    params: Mapping[str, Any] | None = None
    json: Any = UNSET
    data: Mapping[str, Any] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    headers: Mapping[str, str] | None = None
    parse: Callable[[Any], T] | None = None
    empty: Any = None
    stream: StreamKind | None = None
    scoped: bool = True
    idempotent: bool | None = None
    auth: bool = True
    trace: bool = True
    raw: bool = False
    timeout: Any = UNSET
    max_retries: int | None = None
    max_bytes: int | None = None
    extra: dict[str, Any] = field(default_factory=dict[str, Any])

    @property
    def retry_safe(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}


@dataclass(frozen=True)
class Sleep:
    """An instruction for the driver: wait this many seconds (blocking or ``asyncio.sleep``)."""

    seconds: float


Plan = Union[Op[T], Generator[Any, Any, T]]  # noqa: UP007 - a runtime alias on 3.10


class RequestOptions(TypedDict, total=False):
    """Per-call options every client method accepts, as openai-python offers them.

    - ``extra_headers``: headers added to (and overriding) this call's headers;
    - ``extra_query``: query parameters added to this call (``None`` values are omitted);
    - ``extra_body``: top-level JSON body fields added to this call's body. This is also the
      explicit way to send a field the request model does not declare;
    - ``timeout``: seconds (or an ``httpx.Timeout``) for this call instead of the client's
      setting. A number sets the read, write and pool timeouts and at most 10 s to connect;
      ``None`` lifts the read/write/pool limits (connecting still gives up after 10 s);
      ``httpx.Timeout(None)`` waits forever.

    They apply to every request the method makes against the Gumloop hosts (each page of a
    paginated listing, each resume of a session stream). Headers, query and body are never sent
    to other hosts (e.g. the presigned storage URL an artifact download follows).
    """

    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, object] | None
    extra_body: Mapping[str, object] | None
    timeout: float | httpx.Timeout | None


OPTION_NAMES: tuple[str, ...] = ("extra_headers", "extra_query", "extra_body", "timeout")


@dataclass(frozen=True)
class CallOptions:
    """The :class:`RequestOptions` of one call, checked, ready to apply to each of its Ops."""

    headers: Mapping[str, str] | None = None
    query: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None
    timeout: Any = UNSET

    def apply(self, op: Op[T]) -> Op[T]:
        """``op`` with these options merged in (the call's own values win over the Op's)."""
        changes: dict[str, Any] = {}
        if self.timeout is not UNSET:
            changes["timeout"] = self.timeout
        if op.host != "absolute":
            if self.headers:
                changes["headers"] = {**(op.headers or {}), **self.headers}
            if self.query:
                changes["params"] = {**(op.params or {}), **self.query}
            if self.body:
                changes.update(self._body_changes(op))
        return replace(op, **changes) if changes else op

    def _body_changes(self, op: Op[Any]) -> dict[str, Any]:
        assert self.body is not None
        if op.data is not None or op.files is not None:  # multipart: extra form fields
            return {"data": {**(op.data or {}), **self.body}}
        if op.json is UNSET:
            if op.method.upper() in ("GET", "HEAD", "DELETE", "OPTIONS"):
                raise TypeError(
                    f"extra_body cannot be sent with {op.method.upper()} {op.path}: this request "
                    "has no body. Pass query parameters with extra_query={...} instead."
                )
            return {"json": dict(self.body)}
        current_body: object = op.json
        if not isinstance(current_body, Mapping):
            raise TypeError(
                f"extra_body cannot be merged into the body of {op.method.upper()} {op.path} "
                "(it is not a JSON object)."
            )
        current = cast("Mapping[str, Any]", current_body)
        return {"json": {**current, **self.body}}


def pop_options(kwargs: dict[str, Any]) -> CallOptions | None:
    """Remove the :class:`RequestOptions` from a call's ``kwargs``; ``None`` if none was given.

    Raises ``TypeError`` with what to pass instead when one has the wrong shape.
    """
    if not any(name in kwargs for name in OPTION_NAMES):
        return None
    headers = kwargs.pop("extra_headers", None)
    query = kwargs.pop("extra_query", None)
    body = kwargs.pop("extra_body", None)
    timeout = kwargs.pop("timeout", UNSET)
    for name, value in (("extra_headers", headers), ("extra_query", query), ("extra_body", body)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(
                f"{name} must be a mapping (e.g. {name}={{'key': 'value'}}), "
                f"not {type(value).__name__}"
            )
    if headers:
        bad = [k for k, v in headers.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise TypeError(f"extra_headers names and values must be strings: {bad!r}")
    if not (
        timeout is UNSET
        or timeout is None
        or isinstance(timeout, httpx.Timeout)
        or (isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout >= 0)
    ):
        raise TypeError(
            f"timeout must be a number of seconds (>= 0), an httpx.Timeout or None, not {timeout!r}"
        )
    return CallOptions(headers=headers, query=query, body=body, timeout=timeout)


def model_parser(model: type[ModelT], key: str | None = None) -> Callable[[Any], ModelT]:
    """A ``parse`` function validating the body (or ``body[key]``) into a pydantic model."""
    validate = model.model_validate

    def parse(body: Any) -> ModelT:
        if key is not None:
            body = cast("dict[str, Any]", body).get(key) if isinstance(body, dict) else None
        return validate(body if body is not None else {})

    parse.model = model  # type: ignore[attr-defined]  # named in validation errors
    return parse


def clean_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop ``None`` values (the backend tells absent from empty) and stringify booleans."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            values: list[Any] = list(cast("list[Any]", value))
            out[key] = [("true" if v else "false") if isinstance(v, bool) else v for v in values]
        else:
            out[key] = value
    return out


def drop_none(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """kwargs without the ``None`` values (None means "leave alone", never "clear")."""
    return {k: v for k, v in kwargs.items() if v is not None}
