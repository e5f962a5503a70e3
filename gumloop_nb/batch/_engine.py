"""Run many requests on ``AsyncGumloop``: bounded concurrency, retries, the store, progress.

The engine is the same on one machine and on a Dask worker. It looks every request up in the
stores first (a checkpoint, then the cache), runs only the misses with at most ``concurrency``
in flight, retries rate limits (honouring ``Retry-After``) and, for requests that are safe to
repeat, dropped connections and 5xx answers, and commits each result to the stores the moment it
arrives. A completed result is therefore never lost and never requested again.

From synchronous code (a notebook cell, a script, a Dask task) the event loop runs on a private
thread, so it works inside Jupyter's already-running loop; the calling thread keeps the progress
display current and turns the kernel's interrupt into a clean cancellation.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    GumloopError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from ._store import ResultStore, request_key

__all__ = ["Backend", "Call", "Outcome", "Tally", "run_blocking", "run_calls"]

# Kinds of request that are safe to send again after a dropped connection or a 5xx answer.
_REPEATABLE = frozenset({"chat", "decisions"})
_MAX_BACKOFF = 8.0


@dataclass
class Call:
    """One request: what it is (``kind``, ``request``) and its content address (``key``)."""

    kind: str
    request: dict[str, Any]
    key: str
    # Another way to ask the same thing when the backend lacks this endpoint (decisions -> chat).
    fallback: Call | None = None


@dataclass
class Outcome:
    """What became of one call: its stored value or an error message, and where it came from."""

    value: dict[str, Any] | None
    error: str | None = None
    cached: bool = False
    key: str = ""


@dataclass
class Tally:
    """Live counters, written by the engine's thread and read by the progress display."""

    total: int = 0
    done: int = 0
    errors: int = 0
    cached: int = 0
    retries: int = 0
    cost: float = 0.0
    tokens: int = 0
    started: float = field(default_factory=time.monotonic)


class FatalBatchError(GumloopError):
    """Every remaining row would fail the same way (no credential, no permission)."""


class Backend:
    """How to reach the server: makes an ``AsyncGumloop`` for each run (on that run's loop).

    Built from a ``Gumloop``/``AsyncGumloop`` (its settings are copied; the run gets its own
    connection pool) or a zero-argument callable returning an ``AsyncGumloop``. The credential is
    held privately and never shown in a repr.
    """

    def __init__(self, client: Any = None, factory: Callable[[], Any] | None = None) -> None:
        self._factory = factory
        self._settings: dict[str, Any] = {}
        self.base_url = ""
        if client is not None:
            cfg = client._cfg
            self._settings = {
                "api_key": cfg.token,
                "base_url": client.base_url,
                "stream_base_url": client.stream_base_url,
                "user_id": client.user_id,
                "team_id": client.team_id,
                "timeout": client.timeout,
                "default_headers": dict(cfg.headers),
            }
            self.base_url = client.base_url
        elif factory is not None:
            probe = factory()
            self.base_url = probe.base_url
            _close_quietly(probe)
        else:
            raise TypeError("Backend needs a client or a factory.")

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Backend:
        """A backend from `settings()` (how a Dask worker rebuilds it)."""
        backend = cls.__new__(cls)
        backend._factory = None
        backend._settings = dict(settings)
        backend.base_url = str(settings.get("base_url") or "")
        return backend

    def __repr__(self) -> str:
        return f"<Backend {self.base_url}>"

    @property
    def user_id(self) -> str | None:
        value = self._settings.get("user_id")
        return str(value) if value else None

    def settings(self) -> dict[str, Any]:
        """The client settings, credential included (for a worker; never print this)."""
        return dict(self._settings)

    def make_client(self) -> Any:
        if self._factory is not None:
            return self._factory()
        from ..client import AsyncGumloop

        return AsyncGumloop(max_retries=0, **self._settings)

    def key(self, kind: str, request: dict[str, Any]) -> str:
        return request_key(kind, request, self.base_url)


def _close_quietly(client: Any) -> None:
    """Close a probe client; only one that has opened its connection pool holds anything.

    Runs ``aclose()`` on a thread of its own: the caller may be inside Jupyter's running event
    loop, where ``asyncio.run`` is refused.
    """
    transport = getattr(client, "_transport", None)
    pool = getattr(transport, "_pool", None)
    if pool is None or getattr(pool, "client", None) is None:
        return

    def close() -> None:
        try:
            asyncio.run(client.aclose())
        except Exception:
            pass

    closer = threading.Thread(target=close, name="gumloop-batch-close")
    closer.start()
    closer.join()


# -- executing one request ------------------------------------------------------------------------
def _usage_fields(usage: Any) -> dict[str, Any]:
    if usage is None:
        return {"prompt_tokens": None, "completion_tokens": None, "cost": None}
    prompt = getattr(usage, "prompt_tokens", None)
    if prompt is None:
        prompt = getattr(usage, "input_tokens", None)
    completion = getattr(usage, "completion_tokens", None)
    if completion is None:
        completion = getattr(usage, "output_tokens", None)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "cost": getattr(usage, "cost", None),
    }


async def _chat(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    result = await client.chat.completions.create(**request)
    choice = result.choices[0] if result.choices else None
    message = choice.message if choice is not None else None
    return {
        "answer": message.content if message is not None else None,
        "finish_reason": choice.finish_reason if choice is not None else None,
        "model": result.model,
        **_usage_fields(result.usage),
    }


async def _decisions(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    result = await client.decisions.create(**request)
    answers = {name: answer.model_dump(mode="json") for name, answer in result.answers.items()}
    return {"answer": answers, "model": result.model, **_usage_fields(result.usage)}


async def _mcp(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    result = await client.mcp.execute(
        request["server_id"], request["tool_name"], request.get("arguments") or {}
    )
    dumped = result.model_dump(mode="json")
    failed = [r for r in dumped.get("results", []) if r.get("status") not in (None, "success")]
    if failed:
        error = failed[0].get("error")
        message = error.get("message") if isinstance(error, dict) else error
        raise _RowFailure(f"tool {request['tool_name']!r} failed: {message or 'no message'}")
    return {"answer": dumped, "model": None, "prompt_tokens": None, "completion_tokens": None}


class _RowFailure(Exception):
    """A row's request completed but its answer is a failure (not stored, not retried)."""


_EXECUTORS: dict[str, Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]] = {
    "chat": _chat,
    "decisions": _decisions,
    "mcp": _mcp,
}


def register_executor(
    kind: str, func: Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]
) -> None:
    _EXECUTORS[kind] = func


def _retry_after(exc: APIStatusError) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            continue
        if 0 <= seconds <= 600:
            return seconds
    return None


def _endpoint_missing(exc: BaseException) -> bool:
    """A 404 for the path itself (the backend has no such endpoint), not for a model or id."""
    if not isinstance(exc, NotFoundError):
        return False
    code = str(getattr(exc, "code", "") or "")
    return code in ("", "not_found", "route_not_found", "endpoint_not_found") and (
        "model" not in code
    )


# Backends found to lack an endpoint, so the next run falls back at once (per process).
_MISSING_ENDPOINTS: set[tuple[str, str]] = set()


def backend_lacks(base_url: str, kind: str) -> bool:
    return (base_url, kind) in _MISSING_ENDPOINTS


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:500]


# -- the run --------------------------------------------------------------------------------------
async def run_calls(
    calls: Sequence[Call],
    *,
    backend: Backend,
    stores: Sequence[ResultStore] = (),
    concurrency: int = 16,
    retries: int = 6,
    tally: Tally | None = None,
) -> dict[str, Outcome]:
    """Answer every call (by key): stored results first, then the misses, ``concurrency`` at once."""
    tally = tally if tally is not None else Tally()
    unique: dict[str, Call] = {}
    for call in calls:
        unique.setdefault(call.key, call)
    tally.total = len(unique)
    outcomes: dict[str, Outcome] = {}

    # Stored answers (checkpoint first, then cache), looked up in bulk: a re-run makes no calls.
    wanted = list(unique)
    fallbacks = {c.fallback.key: k for k, c in unique.items() if c.fallback is not None}
    held: list[dict[str, dict[str, Any]]] = []
    for store in stores:
        found = store.get_many([*wanted, *fallbacks])
        held.append(found)
        for key, value in found.items():
            owner = fallbacks.get(key, key)
            if owner not in outcomes:
                outcomes[owner] = Outcome(value, cached=True, key=key)
    tally.cached = tally.done = len(outcomes)
    # Give each store the answers only another one had, so either alone can resume next time.
    if len(stores) > 1:
        for store, found in zip(stores, held, strict=True):
            lacking = {
                o.key: o.value
                for o in outcomes.values()
                if o.value is not None and o.key not in found
            }
            store.put_many(lacking)

    pending = [call for key, call in unique.items() if key not in outcomes]
    if not pending:
        return outcomes

    client = backend.make_client()
    queue: asyncio.Queue[Call] = asyncio.Queue()
    for call in pending:
        queue.put_nowait(call)
    fatal: list[BaseException] = []

    async def attempt(call: Call) -> tuple[Call, dict[str, Any]]:
        if call.fallback is not None and backend_lacks(backend.base_url, call.kind):
            call = call.fallback
        tries = 0
        while True:
            try:
                return call, await _EXECUTORS[call.kind](client, call.request)
            except RateLimitError as exc:
                delay = _retry_after(exc)
                if delay is None:
                    delay = min(_MAX_BACKOFF, 0.5 * 2**tries) * (0.5 + random.random() / 2)
            except (APIConnectionError, InternalServerError) as exc:
                if call.kind not in _REPEATABLE:
                    raise
                delay = min(_MAX_BACKOFF, 0.25 * 2**tries) * (0.5 + random.random() / 2)
                _ = exc
            except NotFoundError as exc:
                if call.fallback is not None and _endpoint_missing(exc):
                    _MISSING_ENDPOINTS.add((backend.base_url, call.kind))
                    call = call.fallback
                    continue
                raise
            if tries >= retries:
                raise _GaveUp(call)
            tries += 1
            tally.retries += 1
            await asyncio.sleep(delay)

    async def worker() -> None:
        while not fatal:
            try:
                call = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            owner = call.key
            started = time.perf_counter()
            try:
                made, value = await attempt(call)
            except (AuthenticationError, PermissionDeniedError) as exc:
                fatal.append(exc)
                return
            except _GaveUp as exc:
                outcomes[owner] = Outcome(None, f"gave up after {retries} retries: {exc.cause}")
                tally.errors += 1
            except (GumloopError, _RowFailure) as exc:
                outcomes[owner] = Outcome(None, _describe(exc), key=owner)
                tally.errors += 1
            else:
                value["latency_s"] = round(time.perf_counter() - started, 4)
                for store in stores:
                    store.put(made.key, value)
                outcomes[owner] = Outcome(value, key=made.key)
                tally.cost += float(value.get("cost") or 0.0)
                tally.tokens += int(value.get("prompt_tokens") or 0) + int(
                    value.get("completion_tokens") or 0
                )
            tally.done += 1

    workers = [
        asyncio.ensure_future(worker()) for _ in range(max(1, min(concurrency, len(pending))))
    ]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        for closer in (getattr(client, "_gumloop_batch_flows", None), client):
            try:
                if closer is not None:
                    await closer.aclose()
            except Exception:
                pass
    if fatal:
        exc = fatal[0]
        raise FatalBatchError(
            f"Stopped: {_describe(exc)} (every remaining row would fail the same way). "
            f"{tally.done - tally.errors} results were kept; fix this and run again to continue."
        ) from None
    return outcomes


class _GaveUp(Exception):
    def __init__(self, call: Call) -> None:
        super().__init__(call.kind)
        self.cause = f"{call.kind} request kept being rate limited or failing"


# -- running from synchronous code ----------------------------------------------------------------
def run_blocking(
    coro_factory: Callable[[], Awaitable[Any]],
    *,
    tick: Callable[[], None] | None = None,
    interval: float = 0.1,
) -> Any:
    """Run a coroutine on a private loop thread; ``tick`` runs on this thread while it works.

    A ``KeyboardInterrupt`` here cancels the run (each completed result is already stored) and
    is raised again once the loop has stopped.
    """
    loop = asyncio.new_event_loop()
    box: dict[str, Any] = {}
    started = threading.Event()

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            task = loop.create_task(_as_coroutine(coro_factory))
            box["task"] = task
            started.set()
            box["result"] = loop.run_until_complete(task)
        except BaseException as exc:
            box["error"] = exc
        finally:
            started.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    thread = threading.Thread(target=main, name="gumloop-batch", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(interval)
            if tick is not None:
                tick()
    except KeyboardInterrupt:
        started.wait()
        task = box.get("task")
        if task is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:
                pass
        thread.join()
        raise
    error = box.get("error")
    if error is not None:
        if isinstance(error, asyncio.CancelledError):
            raise KeyboardInterrupt from None
        raise error
    return box.get("result")


async def _as_coroutine(factory: Callable[[], Awaitable[Any]]) -> Any:
    return await factory()
