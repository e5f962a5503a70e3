"""What a run did: provenance per request, totals, and the intermediate steps.

Operators return plain DataFrames; the provenance (model, tokens, cost, latency, cached, error
of every request) lives in a companion frame on the run's `BatchReport`, reached with
``result.gumloop.report`` (or ``gumloop_nb.batch.last_report()``). A companion frame, rather
than extra columns, because ``filter`` drops rows and ``agg`` collapses them while their cost
still counts, and because chaining operators would otherwise pile up clashing columns.
"""

from __future__ import annotations

import html
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BatchReport", "last_report", "report_for"]


@dataclass
class BatchReport:
    """Totals and provenance of one operator run.

    - ``provenance``: one row per request (indexed like the input; ``compare`` repeats the
      index once per model), columns ``model, prompt_tokens, completion_tokens, cost,
      latency_s, cached, error``.
    - ``requests``: requests answered (made now or taken from the store); ``made``: sent now;
      ``cached``: answered from the checkpoint/cache; ``errors``: failed rows.
    - ``cost``: credits spent by this run (cached answers cost nothing again);
      ``cached_cost``: what the cached answers cost when they were first made.
    - ``steps``: intermediate answers (``agg``); ``agreement``: pairwise agreement (``compare``).
    """

    operation: str
    provenance: Any
    requests: int
    made: int
    cached: int
    errors: int
    cost: float
    cached_cost: float
    tokens: int
    elapsed_s: float
    retries: int = 0
    steps: Any = None
    agreement: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.operation}: {self.requests} requests ({self.made} made, {self.cached} cached, "
            f"{self.errors} errors), {self.cost:.4f} credits spent, {self.tokens} tokens, "
            f"{self.elapsed_s:.2f} s"
        )

    def __repr__(self) -> str:
        return f"<BatchReport {self.summary()}>"

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(self.summary())}</code>"


_lock = threading.Lock()
_reports: dict[int, tuple[weakref.ref[Any], BatchReport]] = {}
_last: list[BatchReport] = []


def attach(frame: Any, report: BatchReport) -> None:
    """Remember ``report`` for ``frame`` (until the frame is garbage collected)."""
    key = id(frame)

    def forget(_: Any, key: int = key) -> None:
        with _lock:
            entry = _reports.get(key)
            if entry is not None and entry[0]() is None:
                del _reports[key]

    with _lock:
        _reports[key] = (weakref.ref(frame, forget), report)
        _last[:] = [report]


def report_for(frame: Any) -> BatchReport | None:
    with _lock:
        entry = _reports.get(id(frame))
    if entry is None or entry[0]() is not frame:
        return None
    return entry[1]


def last_report() -> BatchReport | None:
    """The report of the most recent operator run in this process."""
    with _lock:
        return _last[0] if _last else None
