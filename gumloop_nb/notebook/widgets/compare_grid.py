"""CompareGrid: one column per model, answers streaming side by side."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from .._display import LiveOutput, output_mode
from ..render import escape, render_answer
from ._pane import TextPane

__all__ = ["CompareGrid"]


class _Column:
    def __init__(self, label: str, fmt: str, interval: float, clock: Callable[[], float]) -> None:
        from ipywidgets import HTML, Layout, VBox

        self.label = label
        self.pane = TextPane(fmt, interval=interval, clock=clock)
        self.footer = HTML(value="")
        self.box = VBox(
            children=(HTML(value=f"<b>{escape(label)}</b>"), self.pane.box, self.footer),
            layout=Layout(flex="1 1 0", min_width="220px", border="1px solid #ddd", padding="4px"),
        )
        self.status = "waiting"
        self.error: str | None = None


class CompareGrid:
    """Side-by-side live answers, one column per model; thread-safe per column.

    >>> grid = CompareGrid(["gpt-4.1", "claude-sonnet-4-5"])   # doctest: +SKIP
    >>> grid.append("gpt-4.1", "Hello")                        # doctest: +SKIP
    """

    def __init__(
        self,
        labels: Sequence[str],
        *,
        fmt: str = "markdown",
        interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        live: bool | None = None,
        mode: str | None = None,
    ) -> None:
        from ipywidgets import HBox, Layout

        self.fmt = fmt
        if mode is None:
            mode = output_mode() if live is None else ("widget" if live else "final")
        self.mode = mode
        self.live = mode == "widget"
        self._clock = clock
        self._next_display = 0.0
        self.display_interval = 0.1
        self.columns = {label: _Column(label, fmt, interval, clock) for label in labels}
        self.widget = HBox(
            children=tuple(c.box for c in self.columns.values()),
            layout=Layout(width="100%", align_items="stretch"),
        )
        self._output = LiveOutput(mode)
        self.finished = False
        self._extra_html = ""
        self._plain: str | None = None

    def show(self) -> None:
        """Display the live grid (widget mode; other kernels get an in-place HTML table)."""
        if self.mode == "widget":
            self._output.show(self.widget)

    def append(self, label: str, delta: str) -> None:
        """Add a text delta to one model's column."""
        column = self.columns[label]
        column.status = "streaming"
        column.pane.append(delta)
        if self.mode == "display" and self._clock() >= self._next_display:
            self._output.update({"text/html": self.html(), "text/plain": self.plain()})
            self._next_display = self._clock() + self.display_interval

    def text(self, label: str) -> str:
        return self.columns[label].pane.text

    def finish_column(self, label: str, footer: str = "", error: str | None = None) -> None:
        """Render a column's final text exactly and show its footer (or its error)."""
        column = self.columns[label]
        column.pane.finish()
        column.status = "error" if error else "done"
        column.error = error
        line = footer + (f" · error: {error}" if error else "")
        colour = "#b00" if error else "#888"
        column.footer.value = f'<span style="color:{colour}">{escape(line)}</span>'

    def html(self) -> str:
        """The final side-by-side answers as an escaped HTML table."""
        heads = "".join(f"<th>{escape(label)}</th>" for label in self.columns)
        cells = []
        for column in self.columns.values():
            body = render_answer(column.pane.text, self.fmt) if column.pane.text else ""
            if column.error:
                body += f'<p style="color:#b00">error: {escape(column.error)}</p>'
            cells.append(f'<td style="vertical-align:top;text-align:left">{body}</td>')
        return (
            '<table class="gumloop-compare"><thead><tr>'
            + heads
            + "</tr></thead><tbody><tr>"
            + "".join(cells)
            + "</tr></tbody></table>"
            + self._extra_html
        )

    def plain(self) -> str:
        parts = []
        for label, column in self.columns.items():
            body = column.pane.text or (f"error: {column.error}" if column.error else "")
            parts.append(f"== {label} ==\n{body}")
        return "\n\n".join(parts)

    def finish(
        self,
        metadata: dict[str, Any] | None = None,
        *,
        extra_html: str = "",
        plain: str | None = None,
    ) -> None:
        """Leave the side-by-side answers as the one ordinary output (replacing the live grid).

        ``extra_html`` goes under the answers (e.g. the metrics table) in the same output;
        ``plain`` replaces the text/plain form.
        """
        self.finished = True
        self._extra_html = extra_html
        self._plain = plain
        self._output.final(self._bundle(), metadata)

    def _bundle(self) -> dict[str, Any]:
        return {"text/html": self.html(), "text/plain": self._plain or self.plain()}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        if self.finished:
            return self._bundle(), {}
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)
