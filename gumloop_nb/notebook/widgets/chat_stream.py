"""ChatStream: a streamed answer rendered live as safe Markdown, with a Stop button and a footer.

Feed it any iterator of text deltas (or chat stream chunks). In a widget frontend it shows live;
everywhere it leaves the final answer as an ordinary output (safe HTML + text/plain), so saved
notebooks, nbval and nbviewer show the answer.

>>> cs = ChatStream(model="gpt-4.1")                                      # doctest: +SKIP
>>> reply = cs.consume(client.chat.completions.create(..., stream=True))   # blocks  # doctest: +SKIP
>>> cs.start(stream); cs.wait()   # background thread: the Stop button stays live  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .._display import display_bundle, widget_frontend
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
    """Live view of one streamed answer: Markdown body, tool activity, Stop button, footer."""

    def __init__(
        self,
        title: str = "",
        *,
        model: str | None = None,
        fmt: str = "markdown",
        interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        live: bool | None = None,
    ) -> None:
        from ipywidgets import HTML, Button, HBox, Layout, VBox

        self.fmt = fmt
        self.live = widget_frontend() if live is None else live
        self._clock = clock
        self.provenance = Provenance(model=model)
        self.pane = TextPane(fmt, interval=interval, clock=clock)
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
        self._done = threading.Event()
        self._handle: Any = None
        self._thread: threading.Thread | None = None
        self._background = False
        self._started: float | None = None
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
        return self._done.is_set()

    def stop(self) -> None:
        """Ask the stream to stop; what arrived so far is kept."""
        self._stop.set()
        self.stop_button.disabled = True
        self.stop_button.description = "Stopping…"

    # -- feeding -------------------------------------------------------------------------------
    def show(self) -> None:
        """Display the live widget (only in a widget frontend; otherwise output comes at the end)."""
        if self._handle is None and self.live:
            from IPython.display import display

            self._handle = display(self.widget, display_id=True)

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
        if usage is not None:
            self.provenance.add_usage(usage)
        if model and not self.provenance.model:
            self.provenance.model = model
        if images:
            self.images.extend(images)

    def note(self, line: str) -> None:
        """Add a line of activity (e.g. a tool call) under the answer."""
        self._activity_lines.append(escape(line))
        shown = self._activity_lines[-20:]
        self.activity.value = (
            '<div style="color:#666;font-size:90%">' + "<br>".join(shown) + "</div>"
        )

    def consume(
        self,
        source: Iterable[Any],
        *,
        close: Callable[[], Any] | None = None,
        finish: bool = True,
    ) -> ChatReply | None:
        """Feed every item of ``source`` until it ends or Stop is pressed; return the reply.

        On Stop the source is closed (``close`` or ``source.close()``). On KeyboardInterrupt or
        an error the partial answer is kept in ``self.reply`` and the exception re-raised.
        With ``finish=False`` the view stays open for more (e.g. a second turn after tool calls).
        """
        self.show()
        if self._started is None:
            self._started = self._clock()
        closer = close or getattr(source, "close", None)
        pane = self.pane
        stop = self._stop
        try:
            for item in source:
                # The hot path (one plain text delta) is inlined: this runs for every chunk.
                text, usage, model, images = chunk_parts(item)
                if text and self.provenance.ttft_s is not None and not images:
                    pane.append(text)
                    if usage is not None:
                        self.provenance.add_usage(usage)
                else:
                    self._feed_parts(text, usage, model, images)
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
            self.finish()
            raise
        except BaseException as exc:
            self.error = exc
            self.finish(error=exc)
            raise
        finally:
            if closer is not None and (self._stop.is_set() or self.error is not None):
                try:
                    closer()
                except Exception:  # closing a broken stream must not hide the real outcome
                    pass
        return self.finish() if finish else None

    def start(
        self,
        source: Iterable[Any],
        *,
        close: Callable[[], Any] | None = None,
        on_done: Callable[[ChatReply], Any] | None = None,
    ) -> None:
        """Consume ``source`` on a background thread, so the Stop button stays responsive.

        ``on_done(reply)`` runs on that thread when the stream ends, stops or fails.
        """
        self.show()
        self._background = True

        def run() -> None:
            try:
                self.consume(source, close=close)
            except BaseException:  # kept in self.error and shown in the footer
                pass
            try:
                if on_done is not None and self.reply is not None:
                    on_done(self.reply)
            finally:
                self._done.set()

        self._thread = threading.Thread(target=run, name="gumloop-chat-stream", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> ChatReply | None:
        """Wait for a background stream to finish; returns the reply (None on timeout)."""
        self._done.wait(timeout)
        return self.reply

    # -- finishing -----------------------------------------------------------------------------
    def finish(self, *, error: BaseException | None = None) -> ChatReply:
        """Render the exact final answer and leave it as an ordinary output."""
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
        if not self._background:
            self._done.set()
        return self.reply

    def publish(self) -> None:
        """Replace the live widget by (or show) the final answer as an ordinary output."""
        assert self.reply is not None
        bundle, metadata = self.reply._repr_mimebundle_()
        if self._handle is not None:
            self._handle.update(bundle, raw=True, metadata=metadata)
        else:
            display_bundle(bundle, metadata)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        if self.reply is not None:
            return self.reply._repr_mimebundle_()
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
