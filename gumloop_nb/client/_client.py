"""``Gumloop`` and ``AsyncGumloop``: the same resources, run with blocking I/O or ``await``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar, overload

import httpx
from typing_extensions import Self

from ._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_STREAM_TIMEOUT,
    DEFAULT_TIMEOUT,
    ClientConfig,
    TimeoutTypes,
    check_max_retries,
    check_timeout,
)
from ._endpoint import Async, M, Sync
from ._transport import AsyncTransport, SyncTransport
from .oauth import OAuthResource
from .resources.agents import Agents
from .resources.artifacts import Artifacts
from .resources.brain import Brain
from .resources.chat import Chat
from .resources.evaluations import Evaluations
from .resources.mcp import Mcp
from .resources.misc import (
    BrowserProfiles,
    Decisions,
    Organizations,
    SkillSync,
    Teams,
    Voice,
    Wiki,
)
from .resources.models import Models
from .resources.sessions import Sessions
from .resources.skills import Skills

_UNCHANGED: Any = object()
R = TypeVar("R", covariant=True)


class _Paged(Protocol[R]):
    """A listing page: its items (``page_items()``) and the cursor of the next page."""

    @property
    def next_cursor(self) -> str | None: ...
    def page_items(self) -> Sequence[R]: ...


class _BaseGumloop(Generic[M]):
    """What both clients share: configuration, resources, ``with_options``, ``paginate``.

    ``http_client`` lets you pass your own ``httpx.Client`` / ``httpx.AsyncClient`` (proxies,
    transports for tests); it is closed with this client. ``default_headers`` are sent with
    every request to the client's own hosts (never to download URLs on other hosts, never
    across a redirect to another origin).

    Timeouts, as in httpx: a number of seconds or an ``httpx.Timeout``. ``timeout`` (90 s)
    applies to the API host, ``stream_timeout`` (3600 s) to the stream host: SSE streams and
    unary chat completions, where it is the longest wait for the next bytes. A number sets the
    read, write and pool timeouts; connecting gives up after at most 10 s, so an unreachable
    host fails in seconds. ``None`` waits without limit except for connecting;
    ``httpx.Timeout(...)`` sets every phase exactly (``httpx.Timeout(600, connect=30)``).

    The connection pool is created on the first request and shared by ``with_options``
    copies; only this client's ``close()`` closes it.
    """

    _is_async: bool = False
    _transport_cls: Any
    _transport: Any

    def __init__(
        self,
        api_key: str | None = None,
        *,
        access_token: str | None = None,
        user_id: str | None = None,
        team_id: str | None = None,
        base_url: str | None = None,
        stream_base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        stream_timeout: TimeoutTypes = DEFAULT_STREAM_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: dict[str, str] | None = None,
        http_client: Any = None,
    ) -> None:
        cfg = ClientConfig.from_args(
            api_key,
            access_token,
            user_id,
            team_id,
            base_url,
            stream_base_url,
            timeout,
            stream_timeout,
            max_retries,
            default_headers,
        )
        self._transport = self._transport_cls(cfg, http_client)
        self._init_resources()

    def with_options(
        self,
        *,
        timeout: TimeoutTypes = _UNCHANGED,
        stream_timeout: TimeoutTypes = _UNCHANGED,
        max_retries: int = _UNCHANGED,
        headers: dict[str, str] | None = _UNCHANGED,
        team_id: str | None = _UNCHANGED,
        user_id: str | None = _UNCHANGED,
    ) -> Self:
        """A copy with some settings changed, sharing the connection pool.

        Example: ``client.with_options(timeout=5, max_retries=0).agents.list()``. Closing the
        copy (or leaving its ``with`` block) leaves the pool open for the client it came from.
        """
        clone = object.__new__(type(self))
        cfg = self._copy_config(timeout, stream_timeout, max_retries, headers, team_id, user_id)
        clone._transport = self._transport.with_config(cfg)
        clone._init_resources()
        return clone

    def _init_resources(self) -> None:
        self.chat: Chat[M] = Chat(self)
        self.models: Models[M] = Models(self)
        self.agents: Agents[M] = Agents(self)
        self.sessions: Sessions[M] = Sessions(self)
        self.mcp: Mcp[M] = Mcp(self)
        self.skills: Skills[M] = Skills(self)
        self.artifacts: Artifacts[M] = Artifacts(self)
        self.teams: Teams[M] = Teams(self)
        self.organizations: Organizations[M] = Organizations(self)
        self.brain: Brain[M] = Brain(self)
        self.wiki: Wiki[M] = Wiki(self)
        self.decisions: Decisions[M] = Decisions(self)
        self.evaluations: Evaluations[M] = Evaluations(self)
        self.browser_profiles: BrowserProfiles[M] = BrowserProfiles(self)
        self.voice: Voice[M] = Voice(self)
        self.oauth: OAuthResource[M] = OAuthResource(self)

    # -- configuration (read-only views; change them with with_options) ----------------------
    @property
    def _cfg(self) -> ClientConfig:
        cfg: ClientConfig = self._transport.cfg
        return cfg

    @property
    def api_key(self) -> str | None:
        return self._cfg.token

    @property
    def access_token(self) -> str | None:
        return self._cfg.token

    @property
    def user_id(self) -> str | None:
        return self._cfg.user_id

    @property
    def team_id(self) -> str | None:
        return self._cfg.team_id

    @property
    def base_url(self) -> str:
        return self._cfg.base_url

    @property
    def stream_base_url(self) -> str:
        return self._cfg.stream_base_url

    @property
    def timeout(self) -> TimeoutTypes:
        return self._cfg.timeout

    @property
    def stream_timeout(self) -> TimeoutTypes:
        return self._cfg.stream_timeout

    @property
    def max_retries(self) -> int:
        return self._cfg.max_retries

    @property
    def last_response(self) -> httpx.Response | None:
        """The last HTTP response this client received (status, headers) — for debugging."""
        return getattr(self._transport, "last_response", None)

    @overload
    def paginate(
        self: _BaseGumloop[Sync],
        method: Callable[..., _Paged[R]],
        /,
        *args: Any,
        max_items: int | None = None,
        **kwargs: Any,
    ) -> Iterator[R]: ...
    @overload
    def paginate(
        self: _BaseGumloop[Async],
        method: Callable[..., Awaitable[_Paged[R]]],
        /,
        *args: Any,
        max_items: int | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[R]: ...
    def paginate(
        self, method: Any, /, *args: Any, max_items: int | None = None, **kwargs: Any
    ) -> Any:
        """Every item of any listing that pages with ``cursor``/``next_cursor``, lazily.

        Example: ``for v in client.paginate(client.agents.list_versions, agent_id): ...``
        (an ``async for`` on ``AsyncGumloop``). ``max_items`` stops early.
        """
        from ._endpoint import paginate

        return paginate(method, args, kwargs, max_items)

    def _has_credential(self) -> bool:
        try:
            self._cfg.bearer()
        except Exception:
            return False
        return True

    def _copy_config(
        self,
        timeout: Any,
        stream_timeout: Any,
        max_retries: Any,
        headers: Any,
        team_id: Any,
        user_id: Any,
    ) -> ClientConfig:
        changes: dict[str, Any] = {}
        if timeout is not _UNCHANGED:
            check_timeout(timeout, "timeout")
            changes["timeout"] = timeout
        if stream_timeout is not _UNCHANGED:
            check_timeout(stream_timeout, "stream_timeout")
            changes["stream_timeout"] = stream_timeout
        if max_retries is not _UNCHANGED:
            check_max_retries(max_retries)
            changes["max_retries"] = max_retries
        if team_id is not _UNCHANGED:
            changes["team_id"] = team_id
        if user_id is not _UNCHANGED:
            changes["user_id"] = user_id
        if headers is not _UNCHANGED:
            added: dict[str, str] = dict(headers or {})
            changes["headers"] = tuple({**dict(self._cfg.headers), **added}.items())
        return self._cfg.copy(**changes)

    def __repr__(self) -> str:
        cred = "set" if self._has_credential() else "missing"
        return (
            f"<{type(self).__name__} base_url={self.base_url!r} credential={cred} "
            f"user_id={self.user_id!r} team_id={self.team_id!r}>"
        )


class Gumloop(_BaseGumloop[Sync]):
    """The Gumloop API client (blocking). Works inside Jupyter's running event loop.

    Example::

        client = Gumloop()  # GUMLOOP_ACCESS_TOKEN, GUMLOOP_USER_ID, ... from the environment
        r = client.chat.completions.create(model="gpt-4.1",
                                           messages=[{"role": "user", "content": "Hi"}])
        print(r.choices[0].message.content)
    """

    _is_async = False
    _transport_cls = SyncTransport

    def _init_resources(self) -> None:
        super()._init_resources()
        self.sync: SkillSync[Sync] = SkillSync(self)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Gumloop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncGumloop(_BaseGumloop[Async]):
    """The Gumloop API client for ``asyncio`` (top-level ``await`` in Jupyter works)."""

    _is_async = True
    _transport_cls = AsyncTransport

    async def aclose(self) -> None:
        await self._transport.close()

    close = aclose

    async def __aenter__(self) -> AsyncGumloop:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
