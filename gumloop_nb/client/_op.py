"""The description of one HTTP call (`Op`), written once per endpoint and run by either client.

A resource method returns an :class:`Op` (one request) or a generator that yields ``Op`` and
:class:`Sleep` instructions and returns a value (several requests, e.g. "create, and on a
conflict fetch"). The sync client runs it with blocking I/O, the async client with ``await``;
the method itself knows nothing about either.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, Union

T = TypeVar("T")

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
    extra: dict[str, Any] = field(default_factory=dict)

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


def model_parser(model: Any, key: str | None = None) -> Callable[[Any], Any]:
    """A ``parse`` function validating the body (or ``body[key]``) into a pydantic model."""
    validate = model.model_validate

    def parse(body: Any) -> Any:
        if key is not None:
            body = body.get(key) if isinstance(body, dict) else None
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
            out[key] = [("true" if v else "false") if isinstance(v, bool) else v for v in value]
        else:
            out[key] = value
    return out


def drop_none(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """kwargs without the ``None`` values (None means "leave alone", never "clear")."""
    return {k: v for k, v in kwargs.items() if v is not None}
