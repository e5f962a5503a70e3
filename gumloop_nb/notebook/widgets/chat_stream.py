"""ChatStream: a streamed answer rendered live as safe Markdown, with a Stop button and a footer.

Feed it any iterator of text deltas (or chat stream chunks). ``consume`` reads the stream on the
calling thread and returns when the answer is complete, stopped or failed. How it shows live
depends on where the cell runs (see ``output_mode``): widgets with a Stop button in JupyterLab and
Notebook 7 (the frontend's clicks are handled while the cell blocks), one Markdown output updated
in place about ten times a second in other kernels, printed text in terminal IPython. Everywhere
it ends as one ordinary output (safe HTML + text/plain), so saved notebooks, nbval and nbviewer
show the answer once.

>>> cs = ChatStream(model="gpt-4.1")                                      # doctest: +SKIP
>>> reply = cs.consume(client.chat.completions.create(..., stream=True))   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .._display import LiveOutput, output_mode
from .._pump import ui_events
from .._results import ChatReply, Provenance
from ..render import escape
from ._pane import TextPane

__all__ = ["ChatStream", "chunk_parts"]


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def chunk_parts(item: Any) -> tuple[str, Any, str | None, list[str]]:
    """Split a stream item into (text delta, usage, model, image data URLs).

    Accepts plain strings, ``ChatStreamChunk`` objects and their dict form.
    """
    if isinstance(item, str):
        return item, None, None, []
    if not isinstance(item, dict):
        # Fast path for chunk objects: this runs once per chunk, thousands of times per answer.
        try:
            choices = item.choices
            delta = choices[0].delta if choices else None
            text = (delta.content or "") if delta is not None else ""
            frames = delta.images if delta is not None else None
            model = item.model
            usage = item.usage
        except AttributeError:
            pass
        else:
            images = _image_urls(frames) if frames else []
            return text, usage, model if isinstance(model, str) else None, images
    text = ""
    images = []
    choices = _get(item, "choices") or []
    if choices:
        delta = _get(choices[0], "delta")
        if delta is not None:
            text = _get(delta, "content") or ""
            images = _image_urls(_get(delta, "images") or [])
    model = _get(item, "model")
    return text, _get(item, "usage"), model if isinstance(model, str) else None, images


def _image_urls(frames: Any) -> list[str]:
    urls = []
    for image in frames:
        url = _get(_get(image, "image_url"), "url")
        if isinstance(url, str):
            urls.append(url)
    return urls


class ChatStream:
    """Live view of one streamed answer: Markdown body, tool activity, Stop button, footer.

    ``mode`` is ``"widget"``, ``"display"``, ``"stdout"`` or ``"final"`` (see ``output_mode``);
    ``live=True``/``False`` forces widgets on or off.
    """

    #: How often (seconds) a blocked cell lets the frontend's widget messages (Stop) through.
    poll_interval = 0.05
    #: Coalescing interval of the in-place updates without widgets (about 10 per second).
    display_interval = 0.1

    def __init__(
        self,
        title: str = "",
        *,
        model: str | None = None,
        fmt: str = "markdown",
        interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        live: bool | None = None,
        mode: str | None = None,
    ) -> None:
        from ipywidgets import HTML, Button, HBox, Layout, VBox

        self.fmt = fmt
        if mode is None:
            mode = output_mode() if live is None else ("widget" if live else "final")
        if mode not in ("widget", "display", "stdout", "final"):
            raise ValueError(f"mode must be widget, display, stdout or final (got {mode!r}).")
        self.mode = mode
        self.live = mode == "widget"
        self._clock = clock
        self.provenance = Provenance(model=model)
        on_flush = self._display_update if mode == "display" else None
        self.pane = TextPane(
            fmt,
            interval=self.display_interval if mode == "display" else interval,
            clock=clock,
            on_flush=on_flush,
        )
        self.title_text = title
        self.title = HTML(value=f"<b>{escape(title)}</b>" if title else "")
        self.activity = HTML(value="")
        self._activity_lines: list[str] = []
        self.stop_button = Button(description="Stop", icon="stop", button_style="warning")
        self.stop_button.on_click(lambda _button: self.stop())
        self.footer = HTML(value="")
        self.widget = VBox(
            children=(
                self.title,
                self.pane.box,
                self.activity,
                HBox(children=(self.stop_button, self.footer), layout=Layout(align_items="center")),
            )
        )
        self._stop = threading.Event()
        self._output = LiveOutput(mode)
        self._started: float | None = None
        self._printed = False
        self.images: list[str] = []
        self.reply: ChatReply | None = None
        self.error: BaseException | None = None

    # -- state ---------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.pane.text

    @property
    def updates(self) -> int:
        """How many display updates were sent so far (coalesced, see TextPane)."""
        return self.pane.updates

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self.reply is not None

    def stop(self) -> None:
        """Ask the stream to stop; what arrived so far is kept."""
        self._stop.set()
        self.stop_button.disabled = True
        self.stop_button.description = "Stopping…"

    # -- feeding -------------------------------------------------------------------------------
    def show(self) -> None:
        """Display the live widget (widget mode; the other modes show on the first text)."""
        if self.mode == "widget":
            self._output.show(self.widget)

    def _display_update(self) -> None:
        """One in-place update of the Markdown output (display mode, coalesced by the pane)."""
        if self.reply is not None:
            return
        title = f"<b>{escape(self.title_text)}</b>" if self.title_text else ""
        activity = self.activity.value
        html = (
            title
            + self.pane.live_html()
            + activity
            + '<div class="gumloop-footer" style="color:#888;font-size:85%">streaming…</div>'
        )
        self._output.update({"text/html": html, "text/plain": self.pane.text})

    def feed(self, item: Any) -> None:
        """Add one stream item: a text delta or a chat stream chunk."""
        if self._started is None:
            self._started = self._clock()
        self._feed_parts(*chunk_parts(item))

    def _feed_parts(self, text: str, usage: Any, model: str | None, images: list[str]) -> None:
        if text:
            if self.provenance.ttft_s is None:
                self.provenance.ttft_s = self._clock() - (self._started or 0.0)
            self.pane.append(text)
            if self.mode == "stdout":
                self._print(text)
        if usage is not None:
            self.provenance.add_usage(usage)
        if model and not self.provenance.model:
            self.provenance.model = model
        if images:
            self.images.extend(images)

    def _print(self, text: str) -> None:
        self._printed = True
        sys.stdout.write(text)
        sys.stdout.flush()

    def note(self, line: str) -> None:
        """Add a line of activity (e.g. a tool call) under the answer."""
        self._activity_lines.append(escape(line))
        shown = self._activity_lines[-20:]
        self.activity.value = (
            '<div style="color:#666;font-size:90%">' + "<br>".join(shown) + "</div>"
        )
        if self.mode == "stdout":
            self._print(("\n" if self._printed else "") + line + "\n")

    def consume(
        self,
        source: Iterable[Any],
        *,
        close: Callable[[], Any] | None = None,
        finish: bool = True,
    ) -> ChatReply | None:
        """Feed every item of ``source`` on this thread until it ends or is stopped.

        Returns the reply. Stop (the button, or ``stop()``) closes the source (``close`` or
        ``source.close()``) and keeps what arrived. On KeyboardInterrupt (the kernel's interrupt)
        or an error the partial answer is kept in ``self.reply`` (marked stopped, or with the
        error) and the exception is re-raised. With ``finish=False`` the view stays open for more
        (e.g. a second round after tool calls) and the caller calls ``finish()``, also after an
        exception. In a widget frontend the frontend's widget
        messages are handled every ``poll_interval`` seconds while this blocks.
        """
        self.show()
        if self._started is None:
            self._started = self._clock()
        closer = close or getattr(source, "close", None)
        pane = self.pane
        stop = self._stop
        clock = self._clock
        widget = self.mode == "widget"
        plain = self.mode != "stdout"
        events: Any = ui_events() if widget else contextlib.nullcontext(_no_poll)
        try:
            with events as poll:
                next_poll = clock() + self.poll_interval
                for item in source:
                    # The hot path (one plain text delta) is inlined: this runs for every chunk.
                    text, usage, model, images = chunk_parts(item)
                    if text and plain and self.provenance.ttft_s is not None and not images:
                        pane.append(text)
                        if usage is not None:
                            self.provenance.add_usage(usage)
                    else:
                        self._feed_parts(text, usage, model, images)
                    if widget and clock() >= next_poll:
                        poll()
                        next_poll = clock() + self.poll_interval
                    if stop.is_set():
                        break
                else:
                    # A chat stream yields a server error frame as a chunk (as the official SDK
                    # does) and keeps it on .error: the view shows it as the error it is.
                    error = getattr(source, "error", None)
                    if isinstance(error, Exception):
                        raise error
        except KeyboardInterrupt:
            self._stop.set()
            if finish:
                self.finish()
            raise
        except BaseException as exc:
            self.error = exc
            if finish:
                self.finish(error=exc)
            raise
        finally:
            if closer is not None and (self._stop.is_set() or self.error is not None):
                try:
                    closer()
                except Exception:  # closing a broken stream must not hide the real outcome
                    pass
        return self.finish() if finish else None

    def wait(self, timeout: float | None = None) -> ChatReply | None:
        """The reply (``consume`` returns only when the stream is over, so nothing to wait for)."""
        return self.reply

    # -- finishing -----------------------------------------------------------------------------
    def finish(self, *, error: BaseException | None = None) -> ChatReply:
        """Render the exact final answer and leave it as the one ordinary output."""
        if self.reply is not None:
            return self.reply
        text = self.pane.finish()
        if self._started is not None:
            self.provenance.elapsed_s = round(self._clock() - self._started, 4)
        error_text = _one_line(error) if error is not None else None
        self.reply = ChatReply(
            text=text,
            fmt=self.fmt,
            provenance=self.provenance,
            stopped=self._stop.is_set(),
            error=error_text,
            rendered=self.pane.final_html,
        )
        footer = self.provenance.footer()
        if self.reply.stopped:
            footer += " · stopped"
        if error_text:
            footer += f" · error: {error_text}"
        self.footer.value = f'<span style="color:#888">{escape(footer)}</span>'
        self.stop_button.disabled = True
        self.stop_button.layout.display = "none"
        self.publish()
        return self.reply

    def publish(self) -> None:
        """Replace the live view by (or show) the final answer as an ordinary output."""
        assert self.reply is not None
        if self.mode == "stdout":
            footer = self.provenance.footer()
            if self.reply.stopped:
                footer += " · stopped — partial answer"
            if self.reply.error:
                footer += f" · error: {self.reply.error}"
            self._print(("\n" if self._printed else "") + f"[{footer}]\n")
            return
        bundle, metadata = self.reply._repr_mimebundle_()
        if self._activity_lines:
            # Tool activity stays part of the answer's one output, above its footer.
            html = bundle["text/html"]
            cut = html.rfind('<div class="gumloop-footer"')
            bundle = dict(bundle)
            bundle["text/html"] = html[:cut] + self.activity.value + html[cut:]
        self._output.final(bundle, metadata)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        if self.reply is not None:
            return self.reply._repr_mimebundle_()
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)


def _no_poll() -> None:
    return None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
