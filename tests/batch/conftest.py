"""Fixtures: one emulator (speed 0) per module, a client on it, and a private cache per test."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pandas as pd
import pytest

import gumloop_nb.batch as batch
from gumloop_nb.batch import _engine

TOKEN = "sk-batch-test-" + "q7Zp" * 4  # assembled so no credential-shaped literal is committed


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    from gumloop_nb.emulator import serve

    with serve(speed=0) as em:
        yield em


@pytest.fixture
def client(emulator: Any) -> Iterator[Any]:
    from gumloop_nb import Gumloop

    c = Gumloop(api_key=TOKEN, base_url=emulator.base_url)
    yield c
    c.close()


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Each test gets its own cache file and no progress bar; defaults restored after."""
    path = tmp_path / "cache.sqlite3"
    monkeypatch.setenv("GUMLOOP_NB_CACHE", str(path))
    saved = (batch._run.DEFAULTS.cache, batch._run.DEFAULTS.progress, batch._run.DEFAULTS.client)
    batch.configure(progress=False)
    batch._run.DEFAULTS.cache = batch._run._UNSET
    yield path
    batch._run.DEFAULTS.cache, batch._run.DEFAULTS.progress, batch._run.DEFAULTS.client = saved
    _engine._MISSING_ENDPOINTS.clear()


@pytest.fixture(scope="session")
def elements() -> pd.DataFrame:
    return pd.read_csv(resources.files("gumloop_nb.emulator") / "data" / "elements.csv")


@pytest.fixture(scope="session")
def planets() -> pd.DataFrame:
    return pd.read_csv(resources.files("gumloop_nb.emulator") / "data" / "planets.csv")


class CountingExecutor:
    """Wraps an engine executor: counts completed requests, can fail after N of them."""

    def __init__(self, kind: str = "chat", fail_after: int | None = None) -> None:
        self.kind = kind
        current = _engine._EXECUTORS[kind]
        self.inner = current.inner if isinstance(current, CountingExecutor) else current
        self.calls = 0
        self.fail_after = fail_after

    async def __call__(self, client: Any, request: dict[str, Any]) -> dict[str, Any]:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("injected failure in the middle of the run")
        value = await self.inner(client, request)
        self.calls += 1  # counted when the answer arrived (a billed, completed request)
        return value


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(kind: str = "chat", fail_after: int | None = None) -> CountingExecutor:
        executor = CountingExecutor(kind, fail_after)
        monkeypatch.setitem(_engine._EXECUTORS, kind, executor)
        return executor

    return install
