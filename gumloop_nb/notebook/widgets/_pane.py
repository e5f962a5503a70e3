"""A live, incrementally rendered view of streamed text, shared by ChatStream and CompareGrid.

Updates are coalesced in time (at most one per ``interval``, widened when rendering is slow so
rendering stays a small fraction of the stream's time). Completed Markdown blocks are rendered
once into their own HTML widget; only the open tail is re-rendered, so each update sends only what
changed. ``finish()`` renders the whole text once, so the final view is exact.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..render import render_answer

__all__ = ["TextPane", "split_point"]

# Rendering may take at most 1/(1+_RENDER_BUDGET) (about 3%) of the time between updates.
_RENDER_BUDGET = 32.0
# Completed blocks are grouped into HTML widgets of about this many characters: few widgets
# (cheap to create and to lay out) while an update still sends at most one group plus the tail.
_GROUP_CHARS = 8192
_FENCES = ("```", "~~~")


def split_point(src: str) -> int:
    """Index just after the last blank line outside a code fence (0 if none).

    Text before it is a sequence of complete Markdown blocks that renders the same on its own.
    """
    pos = 0
    last = 0
    in_fence = False
    for line in src.splitlines(keepends=True):
        if not line.endswith("\n"):
            break  # an unfinished line may still become a fence or a paragraph
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) <= 3 and stripped.startswith(_FENCES):
            in_fence = not in_fence
        elif not in_fence and not line.strip():
            last = pos + len(line)
        pos += len(line)
    return last


class TextPane:
    """Streamed text rendered live into an ipywidgets VBox (works without a frontend too)."""

    def __init__(
        self,
        fmt: str = "markdown",
        *,
        interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        on_flush: Callable[[], Any] | None = None,
    ) -> None:
        from ipywidgets import HTML, Layout, VBox

        self.fmt = fmt
        self.on_flush = on_flush
        self.interval = interval
        self._clock = clock
        self._html_cls = HTML
        self._tail = HTML(value="")
        self._blocks: list[Any] = []  # one HTML widget per group of completed blocks
        self._group_html = ""
        self.box = VBox(children=(self._tail,), layout=Layout(width="100%"))
        self._src = ""
        self._pending: list[str] = []
        self._committed = 0
        self._next_flush = 0.0
        self._lock = threading.RLock()
        self.updates = 0
        self.finished = False
        self.final_html: str | None = None

    @property
    def text(self) -> str:
        """All text received so far."""
        with self._lock:
            return self._src + "".join(self._pending)

    def append(self, delta: str) -> None:
        """Add a text delta; the view updates when the coalescing interval has passed."""
        if not delta:
            return
        self._pending.append(delta)
        if self._clock() >= self._next_flush:
            self.flush()

    def flush(self) -> None:
        """Render what arrived since the last update (only the open tail is re-rendered)."""
        with self._lock:
            if self.finished:
                return
            start = self._clock()
            if self._pending:
                self._src += "".join(self._pending)
                self._pending.clear()
            open_src = self._src[self._committed :]
            if self.fmt in ("markdown", "text"):
                cut = split_point(open_src) if self.fmt == "markdown" else open_src.rfind("\n") + 1
                if cut:
                    self._commit(render_answer(open_src[:cut], self.fmt))
                    self._committed += cut
                    open_src = open_src[cut:]
            tail_html = render_answer(open_src, self.fmt) if open_src else ""
            if tail_html != self._tail.value:
                self._tail.value = tail_html
            if self.on_flush is not None:
                self.on_flush()
            self.updates += 1
            end = self._clock()
            self._next_flush = end + max(self.interval, (end - start) * _RENDER_BUDGET)

    def _commit(self, html: str) -> None:
        """Append rendered complete blocks to the open group (a new group when it is full)."""
        if not self._blocks or len(self._group_html) >= _GROUP_CHARS:
            self._group_html = html
            self._blocks.append(self._html_cls(value=html))
            self.box.children = (*self._blocks, self._tail)
        else:
            self._group_html += html
            self._blocks[-1].value = self._group_html

    def finish(self) -> str:
        """Render the complete text once (exact final view) and return it."""
        with self._lock:
            if self._pending:
                self._src += "".join(self._pending)
                self._pending.clear()
            final = render_answer(self._src, self.fmt) if self._src else ""
            self.final_html = final
            self._tail.value = final
            old = self._blocks
            self._blocks = []
            self.box.children = (self._tail,)
            for block in old:
                block.close()
            self.updates += 1
            self.finished = True
            return self._src

    def live_html(self) -> str:
        """What the live view shows now (the rendered blocks and the open tail)."""
        with self._lock:
            return "".join(block.value for block in self._blocks) + self._tail.value

    def html(self) -> str:
        """The exact rendering of the complete text so far."""
        text = self.text
        return render_answer(text, self.fmt) if text else ""
