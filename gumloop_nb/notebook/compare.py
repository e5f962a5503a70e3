"""Send one prompt to several models at once and measure each (time to first token, tokens, cost).

One failing model never hides the others: its row carries the error.

>>> rows = compare_models(client, ["gpt-4.1", "claude-sonnet-4-5"], messages)   # doctest: +SKIP
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "CompareInterrupted",
    "CompareRow",
    "compare_frame",
    "compare_metadata",
    "compare_models",
]


class CompareInterrupted(KeyboardInterrupt):
    """Raised when the user interrupts a comparison; ``rows`` holds what arrived until then."""

    def __init__(self, rows: list[CompareRow]) -> None:
        super().__init__("comparison interrupted")
        self.rows = rows


@dataclass
class CompareRow:
    """The outcome of one model run (one row of the comparison table)."""

    model: str
    run: int = 1
    answer: str = ""
    ttft_s: float | None = None
    total_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _run_one(
    client: Any,
    model: str,
    run: int,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    events: queue.SimpleQueue[tuple[str, str, int, Any]] | None,
    stop: threading.Event,
) -> CompareRow:
    """Stream one model's answer (on a worker thread); text goes to ``events``, never a widget."""
    from .widgets.chat_stream import chunk_parts

    row = CompareRow(model=model, run=run)
    start = time.perf_counter()
    parts: list[str] = []
    try:
        stream = client.chat.completions.create(
            model=model, messages=messages, stream=True, **params
        )
        try:
            for chunk in stream:
                text, usage, _model, _images = chunk_parts(chunk)
                if text:
                    if row.ttft_s is None:
                        row.ttft_s = round(time.perf_counter() - start, 4)
                    parts.append(text)
                    if events is not None:
                        events.put(("text", model, run, text))
                if usage is not None:
                    row.prompt_tokens = _get(usage, "prompt_tokens")
                    row.completion_tokens = _get(usage, "completion_tokens")
                    row.cost = _get(usage, "cost")
                if stop.is_set():
                    row.error = "stopped"
                    break
            else:
                if getattr(stream, "error", None) is not None:  # an error frame, yielded as a chunk
                    raise stream.error
        finally:
            closer = getattr(stream, "close", None)
            if closer is not None:
                closer()
    except Exception as exc:  # one failing model must not hide the others
        row.error = " ".join(str(exc).split()) or type(exc).__name__
        hint = getattr(exc, "hint", None)  # what to do, from the client's hint table
        if isinstance(hint, str) and hint:
            row.error = f"{row.error.rstrip('.')}. {' '.join(hint.split())}"
    row.total_s = round(time.perf_counter() - start, 4)
    row.answer = "".join(parts)
    return row


def _footer(row: CompareRow) -> str:
    footer = f"ttft {row.ttft_s or 0:.2f} s · {row.total_s or 0:.2f} s"
    if row.completion_tokens is not None:
        footer += f" · {row.prompt_tokens} → {row.completion_tokens} tokens"
    if row.cost is not None:
        footer += f" · {row.cost:.4g} credits"
    return footer


def compare_models(
    client: Any,
    models: Sequence[str],
    messages: list[dict[str, Any]],
    *,
    runs: int = 1,
    grid: Any = None,
    stop: threading.Event | None = None,
    poll: Callable[[], Any] | None = None,
    **params: Any,
) -> list[CompareRow]:
    """Run every model concurrently (``runs`` times each); rows come back in the models' order.

    The streams are read on worker threads that only collect text; ``grid`` (the first run of
    each model) and ``poll`` (e.g. a UI-event pump) are called from the calling thread, which
    waits for every worker before returning, so no worker outlives the call. On
    KeyboardInterrupt every worker stops at its next chunk and keeps what it has
    (``CompareInterrupted.rows``).
    """
    if not models:
        raise ValueError("Give at least one model to compare.")
    jobs = [(model, run) for run in range(1, runs + 1) for model in models]
    stop = stop or threading.Event()
    order = {m: i for i, m in enumerate(models)}
    events: queue.SimpleQueue[tuple[str, str, int, Any]] = queue.SimpleQueue()

    def job(model: str, run: int) -> CompareRow:
        try:
            row = _run_one(
                client, model, run, messages, params, events if grid is not None else None, stop
            )
        except BaseException as exc:  # never leave the caller waiting for this job
            row = CompareRow(model=model, run=run, error=f"{type(exc).__name__}: {exc}")
        events.put(("done", model, run, row))
        return row

    def apply(event: tuple[str, str, int, Any]) -> None:
        kind, model, run, payload = event
        if grid is None or run != 1:
            return
        if kind == "text":
            grid.append(model, payload)
        else:
            grid.finish_column(model, _footer(payload), payload.error)

    rows: dict[tuple[str, int], CompareRow] = {}
    pool = ThreadPoolExecutor(max_workers=min(32, len(jobs)), thread_name_prefix="gumloop-compare")
    try:
        for model, run in jobs:
            pool.submit(job, model, run)
        interrupted = False
        while len(rows) < len(jobs):
            try:
                event = events.get(timeout=0.05)
            except queue.Empty:
                event = None
            except KeyboardInterrupt:
                # Every worker sees the stop flag at its next chunk and keeps what it has.
                stop.set()
                interrupted = True
                continue
            if event is not None:
                if event[0] == "done":
                    rows[(event[1], event[2])] = event[3]
                apply(event)
            if poll is not None:
                poll()
    except KeyboardInterrupt:  # a second interrupt while stopping: still wait for the workers
        stop.set()
        interrupted = True
    finally:
        pool.shutdown(wait=True)
    while True:  # events that were still queued (after a second interrupt)
        try:
            event = events.get_nowait()
        except queue.Empty:
            break
        if event[0] == "done":
            rows[(event[1], event[2])] = event[3]
        apply(event)
    ordered = sorted(rows.values(), key=lambda r: (order[r.model], r.run))
    if interrupted:
        raise CompareInterrupted(ordered)
    return ordered


def compare_metadata(rows: Sequence[CompareRow]) -> dict[str, Any]:
    """Display metadata with each run's provenance (model, times, tokens, cost, error)."""
    return {
        "gumloop_nb": {
            "compare": [{k: v for k, v in r.as_dict().items() if k != "answer"} for r in rows]
        }
    }


def compare_frame(rows: Sequence[CompareRow]) -> Any:
    """The comparison table as a pandas DataFrame (one row per model run)."""
    from ..frames import to_dataframe

    # to_dataframe keeps integer columns with gaps (a failed model) as nullable Int64.
    frame = to_dataframe([r.as_dict() for r in rows])
    if frame.empty or (frame["run"] == 1).all():
        frame = frame.drop(columns=["run"])
    return frame
