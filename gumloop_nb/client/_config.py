"""Client configuration: credentials, hosts, timeouts and retry settings (no I/O here)."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Union

import httpx

from .._version import __version__
from ..errors import AuthenticationError

DEFAULT_BASE_URL = "https://api.gumloop.com/api/v1"
DEFAULT_TIMEOUT = 90.0
DEFAULT_STREAM_TIMEOUT = 3600.0
DEFAULT_MAX_RETRIES = 2
# Connecting (TCP + TLS) and waiting for a free pooled connection never take longer than this
# unless an httpx.Timeout says otherwise: an unreachable host fails in seconds, not after the
# read timeout (an hour on the stream host).
DEFAULT_CONNECT_TIMEOUT = 10.0

TimeoutTypes = Union[float, httpx.Timeout, None]  # noqa: UP007 - a runtime alias on 3.10

USER_AGENT = f"gumloop-nb/{__version__} Python/{platform.python_version()} {platform.system() or sys.platform}"


def derive_stream_base(api_base: str) -> str:
    """The stream host for an API base: api.gumloop.com -> ws.gumloop.com (contract §1.2)."""
    return api_base.replace("api.gumloop.com", "ws.gumloop.com").replace(
        "localhost:8080", "localhost:9093"
    )


def oauth_root(api_base: str) -> str:
    """The OAuth root: the API base without a trailing ``/api/v1``."""
    base = api_base.rstrip("/")
    return base[: -len("/api/v1")] if base.endswith("/api/v1") else base


def stream_origin(stream_base: str) -> str:
    base = stream_base.rstrip("/")
    return base[: -len("/api/v1")] if base.endswith("/api/v1") else base


class _Secret(str):
    """A str whose repr never shows the value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


def mask(value: str | None) -> str | None:
    return None if value is None else _Secret(value)


@dataclass(frozen=True)
class ClientConfig:
    """Everything a transport needs to build requests. Immutable; ``with_options`` copies it."""

    token: str | None = field(default=None, repr=False)
    token_from_env: bool = False
    user_id: str | None = None
    team_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    stream_base_url: str = DEFAULT_BASE_URL
    timeout: TimeoutTypes = DEFAULT_TIMEOUT
    stream_timeout: TimeoutTypes = DEFAULT_STREAM_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    headers: tuple[tuple[str, str], ...] = ()
    stream_resume_attempts: int = 3

    @classmethod
    def from_args(
        cls,
        api_key: str | None,
        access_token: str | None,
        user_id: str | None,
        team_id: str | None,
        base_url: str | None,
        stream_base_url: str | None,
        timeout: TimeoutTypes,
        stream_timeout: TimeoutTypes,
        max_retries: int,
        default_headers: dict[str, str] | None,
    ) -> ClientConfig:
        explicit = access_token or api_key
        token = explicit or os.environ.get("GUMLOOP_ACCESS_TOKEN") or None
        base = (base_url or os.environ.get("GUMLOOP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        stream = (
            stream_base_url or os.environ.get("GUMLOOP_STREAM_BASE_URL") or derive_stream_base(base)
        ).rstrip("/")
        check_max_retries(max_retries)
        check_timeout(timeout, "timeout")
        check_timeout(stream_timeout, "stream_timeout")
        return cls(
            token=token,
            token_from_env=not explicit,
            user_id=user_id or os.environ.get("GUMLOOP_USER_ID") or None,
            team_id=team_id or os.environ.get("GUMLOOP_TEAM_ID") or None,
            base_url=base,
            stream_base_url=stream,
            timeout=timeout,
            stream_timeout=stream_timeout,
            max_retries=max_retries,
            headers=tuple((default_headers or {}).items()),
        )

    def copy(self, **changes: Any) -> ClientConfig:
        return replace(self, **changes)

    def bearer(self) -> str:
        """The token for this request; an env-sourced token is re-read every time (§2.1)."""
        token = self.token
        if self.token_from_env:
            token = os.environ.get("GUMLOOP_ACCESS_TOKEN") or token
        if not token:
            raise AuthenticationError(
                "No Gumloop credential: pass access_token=... or api_key=... to the client, or "
                "set the GUMLOOP_ACCESS_TOKEN environment variable. (No request was sent.)"
            )
        return token

    def auth_headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.bearer()}"}
        if self.user_id:
            headers["x-auth-key"] = self.user_id
        return headers

    def url_for(self, host: str, path: str) -> str:
        if host == "absolute":
            return path
        if host == "stream":
            return self.stream_base_url + path
        if host == "origin":
            return stream_origin(self.stream_base_url) + path
        if host == "oauth":
            return oauth_root(self.base_url) + path
        return self.base_url + path

    def timeout_for(self, host: str) -> TimeoutTypes:
        """The configured timeout of a host: ``stream_timeout`` for the stream host (SSE and
        unary chat completions, voice), ``timeout`` for everything else."""
        return self.stream_timeout if host in ("stream", "origin") else self.timeout


def check_max_retries(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"max_retries must be a whole number, 0 or more; got {value!r}")


def check_timeout(value: Any, name: str = "timeout") -> None:
    if value is None or isinstance(value, httpx.Timeout):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"{name} must be a number of seconds (0 or more), None or an httpx.Timeout; "
            f"got {value!r}"
        )


def to_httpx_timeout(value: TimeoutTypes) -> httpx.Timeout:
    """The per-phase timeout for a configured value.

    An ``httpx.Timeout`` is used exactly as given (``httpx.Timeout(None)`` waits forever).
    A number sets the read, write and pool timeouts; the connect timeout is that number but at
    most ``DEFAULT_CONNECT_TIMEOUT`` (10 s), so a host that does not answer fails in seconds
    even with ``stream_timeout=3600``. ``None`` means no read/write/pool limit; connect is
    still 10 s.
    Pass ``httpx.Timeout(300, connect=30)`` to choose every phase yourself.
    """
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None, connect=DEFAULT_CONNECT_TIMEOUT)
    seconds = float(value)
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))
