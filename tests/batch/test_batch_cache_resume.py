"""Cache hits and misses, checkpoints, and exactly-once under faults, interrupts and kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

import gumloop_nb.batch as batch
from gumloop_nb.batch import ResultStore

from .conftest import TOKEN

PROMPT = "Summarise: {name} ({category}, discovered {year_discovered})"


def _wait_for(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_a_rerun_is_answered_from_the_cache_with_the_same_answers(
    elements: pd.DataFrame, client: Any, counting: Any
) -> None:
    executor = counting()
    first = elements.head(15).gumloop.map(PROMPT, client=client)
    assert executor.calls == 15
    second = elements.head(15).gumloop.map(PROMPT, client=client)
    assert executor.calls == 15
    pd.testing.assert_series_equal(first["answer"], second["answer"])
    report = second.gumloop.report
    assert report.cached == 15 and report.made == 0 and report.cost == 0
    assert report.cached_cost == pytest.approx(first.gumloop.report.cost)
    assert report.provenance["cached"].all()


@pytest.mark.parametrize(
    "change",
    [
        {"model": "claude-haiku-4-5"},
        {"params": {"temperature": 0.3}},
        {"system": "Answer in one word."},
    ],
)
def test_a_changed_parameter_is_a_miss(
    elements: pd.DataFrame, client: Any, counting: Any, change: dict[str, Any]
) -> None:
    executor = counting()
    elements.head(5).gumloop.map(PROMPT, client=client, model="gpt-4.1")
    assert executor.calls == 5
    options = {"model": "gpt-4.1", **change}
    again = elements.head(5).gumloop.map(PROMPT, client=client, **options)
    assert executor.calls == 10
    assert again.gumloop.report.cached == 0


def test_the_cache_can_be_switched_off(
    elements: pd.DataFrame, client: Any, counting: Any, private_cache: Path
) -> None:
    executor = counting()
    elements.head(3).gumloop.map(PROMPT, client=client, cache=False)
    elements.head(3).gumloop.map(PROMPT, client=client, cache=False)
    assert executor.calls == 6
    assert not private_cache.exists()


def test_the_environment_can_switch_the_cache_off(
    elements: pd.DataFrame, client: Any, counting: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUMLOOP_NB_CACHE", "off")
    executor = counting()
    elements.head(2).gumloop.map(PROMPT, client=client)
    elements.head(2).gumloop.map(PROMPT, client=client)
    assert executor.calls == 4


def test_the_store_never_holds_the_credential(
    elements: pd.DataFrame, client: Any, private_cache: Path, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.sqlite3"
    elements.head(5).gumloop.map(PROMPT, client=client, checkpoint=checkpoint)
    elements.head(5).gumloop.classify("category", ["metal", "other"], client=client)
    for path in [private_cache, checkpoint, *tmp_path.glob("*.sqlite3-wal")]:
        data = path.read_bytes()
        assert data, path
        assert TOKEN.encode() not in data and b"Bearer" not in data


def test_identical_rows_are_asked_once(client: Any, counting: Any) -> None:
    executor = counting()
    df = pd.DataFrame({"q": ["same", "same", "other", "same"]})
    out = df.gumloop.map("{q}", client=client)
    assert executor.calls == 2
    assert out["answer"].iloc[0] == out["answer"].iloc[1] == out["answer"].iloc[3]


def test_rate_limits_are_retried_honouring_retry_after(
    elements: pd.DataFrame, emulator: Any, counting: Any
) -> None:
    from gumloop_nb import Gumloop

    fault = {"X-Gumloop-Fault": "status=429;retry_after=0.05;times=4"}
    flaky = Gumloop(api_key="k", base_url=emulator.base_url, default_headers=fault)
    started = time.perf_counter()
    out = elements.head(6).gumloop.map(PROMPT, client=flaky, concurrency=2)
    elapsed = time.perf_counter() - started
    assert out["error"].isna().all()
    report = out.gumloop.report
    assert report.retries >= 4 and report.made == 6
    assert elapsed >= 0.05  # waited at least one Retry-After
    clean = elements.head(6).gumloop.map(
        PROMPT, cache=False, client=Gumloop(api_key="k", base_url=emulator.base_url)
    )
    pd.testing.assert_series_equal(out["answer"], clean["answer"])


def test_a_row_that_stays_rate_limited_gets_an_error_not_an_exception(
    elements: pd.DataFrame, emulator: Any
) -> None:
    from gumloop_nb import Gumloop

    fault = {"X-Gumloop-Fault": "status=429;retry_after=0.01"}
    flaky = Gumloop(api_key="k", base_url=emulator.base_url, default_headers=fault)
    with pytest.warns(batch.BatchWarning):
        out = elements.head(2).gumloop.map(PROMPT, client=flaky, retries=2)
    assert out["error"].str.contains("gave up after 2 retries").all()
    assert out.gumloop.report.made == 2


class DroppingTransport(httpx.AsyncBaseTransport):
    """Drops the connection of the first ``drops`` chat requests after the server answered."""

    def __init__(self, drops: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.drops = drops
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.sent += 1
        if self.drops > 0 and request.url.path.endswith("/chat/completions"):
            self.drops -= 1
            await response.aclose()
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_dropped_connections_are_retried(elements: pd.DataFrame, emulator: Any) -> None:
    from gumloop_nb import AsyncGumloop

    transports: list[DroppingTransport] = []

    def factory() -> AsyncGumloop:
        transport = DroppingTransport(drops=3)
        transports.append(transport)
        return AsyncGumloop(
            api_key="k",
            base_url=emulator.base_url,
            max_retries=0,
            http_client=httpx.AsyncClient(transport=transport),
        )

    out = elements.head(5).gumloop.map(PROMPT, client=factory, concurrency=1)
    assert out["error"].isna().all()
    assert out.gumloop.report.retries == 3
    assert transports[-1].sent == 8


def test_an_exception_after_n_rows_keeps_them_and_the_rerun_does_only_the_rest(
    elements: pd.DataFrame, client: Any, counting: Any, tmp_path: Path
) -> None:
    df = elements.head(20)
    checkpoint = tmp_path / "cp.sqlite3"
    broken = counting(fail_after=7)
    with pytest.raises(RuntimeError, match="injected"):
        df.gumloop.map(PROMPT, client=client, checkpoint=checkpoint, cache=False, concurrency=4)
    kept = len(ResultStore(checkpoint))
    assert kept == broken.calls >= 7  # every answer that arrived was stored
    resumed_executor = counting()
    resumed = df.gumloop.map(PROMPT, client=client, checkpoint=checkpoint, cache=False)
    assert resumed_executor.calls == 20 - kept
    assert resumed.gumloop.report.cached == kept
    clean = df.gumloop.map(PROMPT, client=client, cache=False)
    pd.testing.assert_series_equal(resumed["answer"], clean["answer"])


def test_an_interrupt_keeps_what_arrived_and_the_rerun_continues(
    elements: pd.DataFrame,
    emulator: Any,
    counting: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gumloop_nb import Gumloop
    from gumloop_nb.batch import _progress

    slow = Gumloop(
        api_key="k", base_url=emulator.base_url, default_headers={"X-Gumloop-Fault": "latency=0.05"}
    )
    df = elements.head(40)
    checkpoint = tmp_path / "cp.sqlite3"
    original_tick = _progress.Progress.tick

    fired: list[bool] = []

    def tick(self: Any) -> None:  # the kernel's interrupt, arriving once 6 rows are done
        original_tick(self)
        if self.tally.done >= 6 and not fired:
            fired.append(True)
            raise KeyboardInterrupt

    monkeypatch.setattr(_progress.Progress, "tick", tick)
    executor = counting()
    with pytest.raises(KeyboardInterrupt, match="run the same call again"):
        df.gumloop.map(PROMPT, client=slow, checkpoint=checkpoint, concurrency=2, progress=True)
    monkeypatch.setattr(_progress.Progress, "tick", original_tick)
    kept = len(ResultStore(checkpoint))
    assert 6 <= kept < 40
    assert executor.calls == kept  # every answer that arrived was stored
    before = executor.calls
    resumed = df.gumloop.map(PROMPT, client=slow, checkpoint=checkpoint, concurrency=8)
    assert executor.calls - before == 40 - kept
    assert resumed["answer"].notna().all()


_CHILD = textwrap.dedent(
    """
    import sys
    import pandas as pd
    import gumloop_nb.batch
    from gumloop_nb import Gumloop
    from importlib import resources

    base_url, checkpoint = sys.argv[1], sys.argv[2]
    df = pd.read_csv(resources.files("gumloop_nb.emulator") / "data" / "elements.csv")
    client = Gumloop(api_key="k", base_url=base_url,
                     default_headers={"X-Gumloop-Fault": "latency=0.05"})
    df.gumloop.map(sys.argv[3], client=client, checkpoint=checkpoint, cache=False, concurrency=2,
                   progress=False)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_kill_9_loses_no_completed_result_and_bills_none_twice(
    elements: pd.DataFrame, emulator: Any, client: Any, counting: Any, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp.sqlite3"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, emulator.base_url, str(checkpoint), PROMPT], env=env
    )
    try:
        _wait_for(lambda: checkpoint.exists() and len(ResultStore(checkpoint)) >= 8)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    kept = len(ResultStore(checkpoint))
    assert 8 <= kept < len(elements)
    executor = counting()
    resumed = elements.gumloop.map(PROMPT, client=client, checkpoint=checkpoint, cache=False)
    assert executor.calls == len(elements) - kept
    assert resumed.gumloop.report.cached == kept
    assert resumed["answer"].notna().all() and resumed["error"].isna().all()
    clean = elements.gumloop.map(PROMPT, client=client, cache=False)
    pd.testing.assert_series_equal(resumed["answer"], clean["answer"])


def test_a_missing_credential_stops_the_run_with_one_clear_error(
    elements: pd.DataFrame, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gumloop_nb import Gumloop

    emulator_strict = emulator  # the shared emulator accepts any token; use an empty one
    monkeypatch.delenv("GUMLOOP_ACCESS_TOKEN", raising=False)
    nobody = Gumloop(api_key=None, base_url=emulator_strict.base_url)
    assert not nobody._has_credential()
    with pytest.raises(batch.FatalBatchError, match="run again"):
        elements.head(30).gumloop.map(PROMPT, client=nobody)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_new_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "private" / "store.sqlite3")
    store.put("k", {"answer": "x"})
    assert (store.path.stat().st_mode & 0o077) == 0
    assert store.get_many(["k", "missing"]) == {"k": {"answer": "x"}}


def test_a_checkpoint_and_the_cache_fill_each_other_in(
    elements: pd.DataFrame, client: Any, counting: Any, tmp_path: Path, private_cache: Path
) -> None:
    executor = counting()
    checkpoint = tmp_path / "cp.sqlite3"
    elements.head(6).gumloop.map(PROMPT, client=client, checkpoint=checkpoint, cache=False)
    elements.head(9).gumloop.map(PROMPT, client=client, cache=True)
    assert executor.calls == 6 + 9  # without checkpoint= the checkpoint is not consulted
    both = elements.head(9).gumloop.map(PROMPT, client=client, checkpoint=checkpoint)
    assert executor.calls == 15 and both.gumloop.report.cached == 9
    assert len(ResultStore(checkpoint)) == 9 and len(ResultStore(private_cache)) == 9
