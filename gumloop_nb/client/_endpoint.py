"""Resources whose methods are written once and run by both clients.

A method decorated with :func:`endpoint` returns a plan (an :class:`Op`, or a generator of
``Op``/``Sleep`` that returns a value). Looked up on a resource of the sync client it becomes a
blocking call; on the async client, a coroutine. The overloads of ``__get__`` give type checkers
the right return type for each (``T`` vs ``Awaitable[T]``) from that single definition.

:func:`pager` does the same for "every item across pages": an ``Iterator`` on the sync client, an
``AsyncIterator`` on the async one. :func:`lazy_stream` returns a stream object that opens on
first iteration (the official async SDK returns those without ``await``).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, Generic, TypeVar, cast, overload

from typing_extensions import ParamSpec, Self

from ._op import UNSET, CallOptions, Op, Plan, Sleep, pop_options

if TYPE_CHECKING:
    from ._streams import AsyncSessionStream, SessionStream

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")


class Sync:
    """Marker: a resource bound to the blocking client."""


class Async:
    """Marker: a resource bound to the async client."""


M = TypeVar("M", Sync, Async)


class Resource(Generic[M]):
    """Base of every resource: holds the client that runs its plans."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resource>"


def _bound_signature(descriptor: Any) -> inspect.Signature:
    """The signature of a method as a user calls it: without ``self``, returning what the
    call returns (not the internal ``Op``)."""
    sig = inspect.signature(descriptor.fn)
    params = list(sig.parameters.values())[1:]
    ret: Any = sig.return_annotation
    if isinstance(descriptor, lazy_stream):
        ret = "SessionStream"
    elif isinstance(ret, str) and ret.startswith("Op[") and ret.endswith("]"):
        ret = ret[3:-1].replace("t.", "")
    elif isinstance(descriptor, pager):
        ret = "Iterator"
        kw = inspect.Parameter(
            "max_items", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="int | None"
        )
        at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
        params.insert(at, kw)
    else:
        ret = inspect.Signature.empty
    # The per-call options every method takes (popped by the wrapper before the plan runs).
    params = [p for p in params if not (p.kind is p.VAR_KEYWORD and p.name == "options")]
    at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
    names = {p.name for p in params}
    for name, annotation in _OPTION_ANNOTATIONS:
        if name not in names:
            default = UNSET if name == "timeout" else None  # UNSET: the client's setting
            option = inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
            params.insert(at, option)
            at += 1
    return sig.replace(parameters=params, return_annotation=ret)


_OPTION_ANNOTATIONS = (
    ("extra_headers", "Mapping[str, str] | None"),
    ("extra_query", "Mapping[str, object] | None"),
    ("extra_body", "Mapping[str, object] | None"),
    ("timeout", "float | httpx.Timeout | None"),
)


def _expose(wrapper: Any, descriptor: Any) -> Any:
    """Make a bound wrapper show the method's own signature (``help()``, Jupyter's ``?``)."""
    sig = descriptor.__dict__.get("_signature")
    if sig is None:
        sig = descriptor._signature = _bound_signature(descriptor)
    wrapper.__signature__ = sig
    return wrapper


class _Stepper:
    """Walks a plan generator: hand it each result (or error), get the next Op or Sleep."""

    __slots__ = ("error", "gen", "result", "value")

    def __init__(self, gen: Any) -> None:
        self.gen = gen
        self.value: Any = None
        self.error: BaseException | None = None
        self.result: Any = None

    def next(self) -> Any:
        """The next step, or None once the plan has returned (its value is in ``result``)."""
        try:
            step = (
                self.gen.throw(self.error) if self.error is not None else self.gen.send(self.value)
            )
        except StopIteration as stop:
            self.result = stop.value
            return None
        self.value = self.error = None
        return step


def _with(options: CallOptions | None, op: Op[T]) -> Op[T]:
    return op if options is None else options.apply(op)


def run_sync(transport: Any, plan: Plan[Any], options: CallOptions | None = None) -> Any:
    if isinstance(plan, Op):
        return _execute_sync(transport, _with(options, plan))
    stepper = _Stepper(plan)
    while (step := stepper.next()) is not None:
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            continue
        try:
            stepper.value = _execute_sync(transport, _with(options, step))
        except Exception as exc:
            stepper.error = exc
    return stepper.result


async def run_async(transport: Any, plan: Plan[Any], options: CallOptions | None = None) -> Any:
    if isinstance(plan, Op):
        return await _execute_async(transport, _with(options, plan))
    stepper = _Stepper(plan)
    while (step := stepper.next()) is not None:
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            continue
        try:
            stepper.value = await _execute_async(transport, _with(options, step))
        except Exception as exc:
            stepper.error = exc
    return stepper.result


def _execute_sync(transport: Any, op: Op[Any]) -> Any:
    if op.stream:
        from ._streams import open_stream_sync

        return open_stream_sync(transport, op)
    return transport.execute(op)


async def _execute_async(transport: Any, op: Op[Any]) -> Any:
    if op.stream:
        from ._streams import open_stream_async

        return await open_stream_async(transport, op)
    return await transport.execute(op)


class endpoint(Generic[P, T]):
    """Decorator: one endpoint description, run by the sync or the async client."""

    def __init__(self, fn: Callable[Concatenate[Any, P], Plan[T]]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        fn = self.fn
        client = obj._client
        if client._is_async:

            @functools.wraps(fn)
            async def call_async(*args: Any, **kwargs: Any) -> Any:
                options = pop_options(kwargs)
                return await run_async(client._transport, fn(obj, *args, **kwargs), options)

            call_async.__gumloop_endpoint__ = (fn, obj)  # type: ignore[attr-defined]
            return _expose(call_async, self)

        @functools.wraps(fn)
        def call_sync(*args: Any, **kwargs: Any) -> Any:
            options = pop_options(kwargs)
            return run_sync(client._transport, fn(obj, *args, **kwargs), options)

        call_sync.__gumloop_endpoint__ = (fn, obj)  # type: ignore[attr-defined]
        return _expose(call_sync, self)


@dataclass(frozen=True)
class Pages(Generic[R]):
    """What a :func:`pager` method returns: how to fetch one page (``make_op(cursor)``), the
    field of the page that holds the items, and the items' type (which the iterator yields)."""

    make_op: Callable[[str | None], Op[Any]]
    key: str
    item: type[R]


class pager(Generic[P, R]):
    """Decorator for "every item across pages".

    The decorated function takes the listing's filters and returns :class:`Pages`.
    ``max_items`` (keyword) stops early.
    """

    def __init__(self, fn: Callable[Concatenate[Any, P], Pages[R]]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type) -> Callable[P, Iterator[R]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type) -> Callable[P, AsyncIterator[R]]: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        fn = self.fn
        client = obj._client

        @functools.wraps(fn)
        def call(*args: Any, max_items: int | None = None, **kwargs: Any) -> Any:
            options = pop_options(kwargs)
            pages = fn(obj, *args, **kwargs)

            def make_op(cursor: str | None) -> Op[Any]:
                return _with(options, pages.make_op(cursor))

            if client._is_async:
                return _apages(client._transport, make_op, pages.key, max_items)
            return _pages(client._transport, make_op, pages.key, max_items)

        return _expose(call, self)


def paginate(
    method: Any, args: tuple[Any, ...], kwargs: dict[str, Any], max_items: int | None
) -> Any:
    """Every item of any listing method that takes ``cursor`` and answers ``next_cursor``."""
    bound = getattr(method, "__gumloop_endpoint__", None)
    if bound is None:
        raise TypeError(
            "paginate() takes a listing method of this client, e.g. "
            "client.paginate(client.agents.list_versions, agent_id)"
        )
    fn, obj = bound
    kwargs = dict(kwargs)
    options = pop_options(kwargs)

    def make_op(cursor: str | None) -> Op[Any]:
        call_kwargs: dict[str, Any] = {**kwargs, "cursor": cursor}
        op = fn(obj, *args, **call_kwargs)
        if not isinstance(op, Op):
            raise TypeError(f"{fn.__name__} is not a single-request listing")
        return _with(options, cast("Op[object]", op))

    transport = obj._client._transport
    if obj._client._is_async:
        return _apages(transport, make_op, None, max_items)
    return _pages(transport, make_op, None, max_items)


def _items_key(page: Any) -> str:
    """The field of a page that holds its items: the one list besides ``next_cursor``."""
    fields = page.model_dump(exclude_none=True) if hasattr(page, "model_dump") else dict(page)
    lists = [k for k, v in fields.items() if isinstance(v, list)]
    if len(lists) != 1:
        raise TypeError(f"cannot tell which field holds the items of this page: {sorted(fields)}")
    key: str = lists[0]
    return key


def _page_items(page: Any, key: str | None) -> tuple[list[Any], str | None]:
    if key is None:
        key = _items_key(page)
    source: object = page
    as_dict = cast("dict[str, Any]", page) if isinstance(page, dict) else {}
    items: Any = getattr(source, key, None)
    if items is None:
        items = as_dict.get(key)
    cursor: Any = getattr(source, "next_cursor", None)
    if cursor is None:
        cursor = as_dict.get("next_cursor")
    return list(items or []), cursor


class _PageWalk:
    """The cursor bookkeeping shared by the sync and async pagers."""

    __slots__ = ("count", "cursor", "key", "max_items", "seen")

    def __init__(self, key: str | None, max_items: int | None) -> None:
        self.key = key
        self.max_items = max_items
        self.cursor: str | None = None
        self.seen: set[str] = set()
        self.count = 0

    def take(self, page: Any) -> list[Any]:
        """The items of ``page`` still wanted (``max_items``); remembers its cursor."""
        items, self.cursor = _page_items(page, self.key)
        if self.max_items is not None:
            items = items[: max(self.max_items - self.count, 0)]
        self.count += len(items)
        return items

    def more(self) -> bool:
        """Whether another page should be fetched (a cursor, new, and items still wanted)."""
        if not self.cursor or self.cursor in self.seen:
            return False
        if self.max_items is not None and self.count >= self.max_items:
            return False
        self.seen.add(self.cursor)
        return True


def _pages(
    transport: Any,
    make_op: Callable[[str | None], Op[Any]],
    key: str | None,
    max_items: int | None,
) -> Iterator[Any]:
    walk = _PageWalk(key, max_items)
    while True:
        yield from walk.take(transport.execute(make_op(walk.cursor)))
        if not walk.more():
            return


async def _apages(
    transport: Any,
    make_op: Callable[[str | None], Op[Any]],
    key: str | None,
    max_items: int | None,
) -> AsyncIterator[Any]:
    walk = _PageWalk(key, max_items)
    while True:
        for item in walk.take(await transport.execute(make_op(walk.cursor))):
            yield item
        if not walk.more():
            return


class lazy_stream(Generic[P]):
    """Decorator for methods that return a session stream object without any I/O yet.

    The function returns the stream's first Op (with ``extra["session_id"]`` and optionally
    ``extra["last_cursor"]``); the stream opens on first iteration, so the async client can
    return it without ``await`` (as the official SDK does).
    """

    def __init__(self, fn: Callable[Concatenate[Any, P], Op[Any]]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type) -> Callable[P, SessionStream]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type) -> Callable[P, AsyncSessionStream]: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        fn = self.fn
        client = obj._client

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            from ._streams import AsyncSessionStream, SessionStream

            options = pop_options(kwargs)
            cls = AsyncSessionStream if client._is_async else SessionStream
            return cls(client._transport, _with(options, fn(obj, *args, **kwargs)))

        return _expose(call, self)
