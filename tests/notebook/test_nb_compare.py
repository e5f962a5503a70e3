"""compare_models: concurrency, per-model errors, interruption keeps partial answers."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from gumloop_nb.notebook.compare import (
    CompareInterrupted,
    compare_frame,
    compare_metadata,
    compare_models,
)


class _Stream:
    def __init__(self, parts: list[str], delay: float, client: FakeClient) -> None:
        self.parts, self.delay, self.client = parts, delay, client
        self.closed = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.client.enter()
        try:
            yield from self._chunks()
        finally:
            self.client.leave()

    def _chunks(self) -> Iterator[dict[str, Any]]:
        for i, part in enumerate(self.parts):
            if i == 1:
                self.client.mark_started()
            yield {"choices": [{"delta": {"content": part}}]}
            threading.Event().wait(self.delay)
        yield {
            "choices": [],
            "usage": {"prompt_tokens": 2, "completion_tokens": len(self.parts), "cost": 0.1},
        }

    def close(self) -> None:
        self.closed = True


class FakeClient:
    """Models answer 'a b c ...' with a per-model delay per chunk; 'broken' fails up front."""

    def __init__(self, delays: dict[str, float], chunks: int = 5) -> None:
        self.delays, self.chunks = delays, chunks
        self.started = threading.Event()  # set once every model has streamed a chunk
        self._count = 0
        self._lock = threading.Lock()
        self.active = self.max_active = 0
        self.chat = self
        self.completions = self

    def enter(self) -> None:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)

    def leave(self) -> None:
        with self._lock:
            self.active -= 1

    def mark_started(self) -> None:
        with self._lock:
            self._count += 1
            if self._count == len(self.delays):
                self.started.set()

    def create(self, *, model: str, messages: Any, stream: bool, **params: Any) -> _Stream:
        if model == "broken":
            raise RuntimeError("model 'broken' is not available")
        return _Stream([f"{model}{i} " for i in range(self.chunks)], self.delays[model], self)


def test_models_run_concurrently_and_rows_keep_the_requested_order() -> None:
    client = FakeClient({"slow": 0.05, "fast": 0.01, "mid": 0.03}, chunks=20)
    rows = compare_models(client, ["slow", "fast", "mid"], [{"role": "user", "content": "q"}])
    assert [r.model for r in rows] == ["slow", "fast", "mid"]
    # The three streams were open at the same time (sequential runs would never overlap).
    assert client.max_active == 3
    assert rows[0].answer == "".join(f"slow{i} " for i in range(20))
    assert rows[0].completion_tokens == 20 and rows[0].cost == 0.1
    assert rows[0].ttft_s is not None and rows[0].total_s >= rows[0].ttft_s


def test_one_failing_model_does_not_hide_the_others() -> None:
    rows = compare_models(FakeClient({"ok": 0.0}), ["ok", "broken"], [])
    assert rows[0].error is None and rows[0].answer
    assert rows[1].error == "model 'broken' is not available" and rows[1].answer == ""
    frame = compare_frame(rows)
    assert list(frame.columns) == [
        "model",
        "answer",
        "ttft_s",
        "total_s",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "error",
    ]
    meta = compare_metadata(rows)["gumloop_nb"]["compare"]
    assert meta[1]["error"] and "answer" not in meta[1]


def test_runs_repeat_each_model_and_add_a_run_column() -> None:
    rows = compare_models(FakeClient({"a": 0.0, "b": 0.0}), ["a", "b"], [], runs=2)
    assert [(r.model, r.run) for r in rows] == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    assert "run" in compare_frame(rows).columns


@pytest.mark.skipif(os.name != "posix", reason="needs pthread_kill to deliver SIGINT")
def test_interrupt_stops_every_model_and_keeps_what_arrived() -> None:
    # Far more chunks than can arrive before the interrupt: the SIGINT must always land while
    # compare_models is still running (a late one would interrupt pytest itself).
    client = FakeClient({"a": 0.02, "b": 0.02}, chunks=20_000)
    main = threading.get_ident()

    def interrupt() -> None:
        client.started.wait(5)
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(CompareInterrupted) as caught:
        compare_models(client, ["a", "b"], [])
    rows = caught.value.rows
    assert [r.model for r in rows] == ["a", "b"]
    assert all(r.error == "stopped" for r in rows)
    assert all(r.answer.startswith(f"{r.model}0 {r.model}1 ") for r in rows)
    assert all(len(r.answer.split()) < 20_000 for r in rows)
