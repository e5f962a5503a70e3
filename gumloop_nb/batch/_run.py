"""Settings shared by every operator, and one function that runs a list of calls with them."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._defaults import DEFAULTS, UNSET, configure, positive, set_default_client
from ._engine import Backend, Call, Outcome, Tally, run_blocking, run_calls
from ._progress import Progress
from ._store import ResultStore, default_cache_path

__all__ = ["RunOptions", "configure", "execute", "set_default_client"]

_UNSET = UNSET
_positive = positive
_stores: dict[str, ResultStore] = {}


def _store_at(path: str | os.PathLike[str]) -> ResultStore:
    resolved = str(Path(path).expanduser().resolve())
    store = _stores.get(resolved)
    if store is None:
        store = _stores[resolved] = ResultStore(resolved)
    return store


def cache_store(cache: Any) -> ResultStore | None:
    """The store a ``cache=`` argument means (None when off)."""
    if cache is _UNSET or cache is None:
        cache = DEFAULTS.cache
    if cache is _UNSET or cache is True:
        path = default_cache_path()
        return _store_at(path) if path is not None else None
    if cache is False:
        return None
    if isinstance(cache, ResultStore):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return _store_at(cache)
    raise TypeError(
        f"cache must be True, False, a file path or a ResultStore, not {type(cache).__name__}."
    )


@dataclass
class RunOptions:
    """How to run: which client, how many at once, where results are kept, whether to show it."""

    model: str | None = None
    client: Any = None
    concurrency: int | None = None
    retries: int | None = None
    cache: Any = None
    checkpoint: str | os.PathLike[str] | ResultStore | None = None
    progress: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def resolved_model(self) -> str:
        return self.model or DEFAULTS.model

    def backend(self) -> Backend:
        client = self.client
        if isinstance(client, Backend):
            return client
        if client is None:
            if DEFAULTS.client is not None:
                client = DEFAULTS.client()
            else:
                from ..client import Gumloop

                client = Gumloop()
        if hasattr(client, "_cfg"):
            return Backend(client)
        if callable(client):
            return Backend(factory=client)
        raise TypeError(
            "client must be a Gumloop or AsyncGumloop client, or a function returning an "
            f"AsyncGumloop; got {type(client).__name__}."
        )

    def stores(self) -> list[ResultStore]:
        stores: list[ResultStore] = []
        if self.checkpoint is not None:
            cp = self.checkpoint
            stores.append(cp if isinstance(cp, ResultStore) else _store_at(cp))
        cache = cache_store(self.cache)
        if cache is not None and all(cache.path != s.path for s in stores):
            stores.append(cache)
        return stores


@dataclass
class Executed:
    outcomes: dict[str, Outcome]
    tally: Tally
    elapsed: float


def execute(
    calls: Sequence[Call], options: RunOptions, desc: str, backend: Backend | None = None
) -> Executed:
    """Run the calls with these options (blocking, with progress); every result is stored."""
    backend = backend or options.backend()
    tally = Tally()
    concurrency = _positive(options.concurrency or DEFAULTS.concurrency, "concurrency")
    retries = DEFAULTS.retries if options.retries is None else options.retries
    show = DEFAULTS.progress if options.progress is None else options.progress
    progress = Progress(tally, desc, enabled=show)
    stores = options.stores()
    started = time.perf_counter()

    def factory() -> Any:
        return run_calls(
            calls,
            backend=backend,
            stores=stores,
            concurrency=concurrency,
            retries=retries,
            tally=tally,
        )

    try:
        outcomes = run_blocking(factory, tick=progress.tick)
    except KeyboardInterrupt:
        progress.close()
        kept = tally.done - tally.errors
        raise KeyboardInterrupt(
            f"Interrupted: {kept} of {tally.total} results are kept"
            + (
                " (checkpoint/cache)"
                if stores
                else " (no cache or checkpoint: pass checkpoint=...)"
            )
            + "; run the same call again to continue where it stopped."
        ) from None
    finally:
        progress.close()
    return Executed(outcomes, tally, time.perf_counter() - started)
