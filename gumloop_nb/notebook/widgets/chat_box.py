"""ChatBox: an interactive multi-turn chat (input box, Send, history, model picker) bound to a client.

>>> box = ChatBox(client, models=["gpt-4.1", "claude-sonnet-4-5"])   # doctest: +SKIP
>>> box                                                              # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Sequence
from typing import Any

from .._results import Provenance
from ..render import escape, render_markdown
from ._pane import TextPane

__all__ = ["ChatBox"]


def _notebook_client() -> Any:
    """The client of the notebook's connection (the %gumloop one, else one shared fallback)."""
    from .. import get_client

    return get_client()


class ChatBox:
    """A chat conversation in a widget; every answer streams in as safe Markdown.

    Enter sends, Shift+Enter adds a new line (with anywidget installed; otherwise use Send). A
    message sent while an answer streams waits its turn (the status line says how many wait) and
    is added to the conversation when its turn comes, so ``messages``, ``transcript()`` and the
    widget always show the same conversation. Answers stream on the kernel's main thread; the
    frontend's clicks and key presses are handled while they do.
    """

    def __init__(
        self,
        client: Any = None,
        *,
        models: Sequence[str] = ("gpt-4.1",),
        model: str | None = None,
        system: str | None = None,
    ) -> None:
        from ipywidgets import HTML, Button, Dropdown, HBox, Layout, VBox

        from ._prompt_input import make_prompt_input

        if not models:
            raise ValueError("ChatBox needs at least one model name.")
        self.client = client if client is not None else _notebook_client()
        self.messages: list[dict[str, Any]] = []
        if system:
            self.messages.append({"role": "system", "content": system})
        self.history = VBox(children=(), layout=Layout(max_height="480px", overflow="auto"))
        self.input, self.enter_sends = make_prompt_input(
            "Ask something… (Enter sends, Shift+Enter for a new line)",
            lambda text: self.send(text),
        )
        self.model_picker = Dropdown(options=list(models), value=model or models[0])
        self.send_button = Button(description="Send", icon="paper-plane", button_style="primary")
        self.send_button.on_click(lambda _b: self.send())
        self.status = HTML(value="")
        self.widget = VBox(
            children=(
                self.history,
                self.input,
                HBox(children=(self.model_picker, self.send_button, self.status)),
            )
        )
        self.waiting: deque[str] = deque()
        self.answering = False
        self.last_provenance: Provenance | None = None

    def _bubble(self, role: str, body: Any) -> Any:
        from ipywidgets import HTML, VBox

        return VBox(children=(HTML(value=f"<b>{escape(role)}</b>"), body))

    def send(self, text: str | None = None) -> None:
        """Send ``text`` (default: the input box) and stream the answer into the history.

        Returns when the answer (and any message queued meanwhile) is complete. Called while an
        answer streams (Enter, Send), the message waits its turn instead.
        """
        prompt = (text if text is not None else str(self.input.value)).strip()
        self.input.value = ""
        if not prompt:
            self.status.value = "Type a message first."
            return
        if self.answering:
            self.waiting.append(prompt)
            self._show_waiting()
            return
        self.answering = True
        try:
            self._answer(prompt)
            while self.waiting:
                self._show_waiting()
                self._answer(self.waiting.popleft())
        finally:
            self.answering = False

    def _show_waiting(self) -> None:
        count = len(self.waiting)
        if count:
            self.status.value = (
                f"answering… {count} message{'s' if count > 1 else ''} waiting (sent in turn)"
            )

    def _answer(self, prompt: str) -> None:
        from ipywidgets import HTML

        from .._display import widget_frontend
        from .._pump import ui_events
        from .chat_stream import chunk_parts

        model = self.model_picker.value
        provenance = Provenance(model=model)
        pane = TextPane("markdown")
        user_bubble = self._bubble("you", HTML(value=render_markdown(prompt)))
        answer_bubble = self._bubble(model, pane.box)
        self.messages.append({"role": "user", "content": prompt})
        self.history.children = (*self.history.children, user_bubble, answer_bubble)
        self.status.value = "answering…"
        self._show_waiting()
        error: BaseException | None = None
        events: Any = ui_events() if widget_frontend() else contextlib.nullcontext(_no_poll)
        try:
            stream = self.client.chat.completions.create(
                model=model, messages=list(self.messages), stream=True
            )
            with events as poll:
                for chunk in stream:
                    delta, usage, _model, _images = chunk_parts(chunk)
                    pane.append(delta)
                    if usage is not None:
                        provenance.add_usage(usage)
                    poll()  # Enter / Send meanwhile: the message joins the queue
            if getattr(stream, "error", None) is not None:  # an error frame, yielded as a chunk
                raise stream.error
        except Exception as exc:
            error = exc
        finally:
            text = pane.finish()
            self.last_provenance = provenance
            if error is not None and not text:
                # Nothing came back: the turn is taken out of the conversation (both views)
                # and the prompt goes back into the input box, so nothing is lost.
                self.messages.pop()
                self.history.children = self.history.children[:-2]
                self.input.value = prompt
            else:
                self.messages.append({"role": "assistant", "content": text})
        if error is not None:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.status.value = f'<span style="color:#b00">{escape(message)}</span>'
        else:
            self.status.value = escape(provenance.footer())

    def transcript(self) -> str:
        """The conversation as plain text (``you: ...`` / ``assistant: ...``), no system prompt."""
        lines = []
        for message in self.messages:
            role = message.get("role")
            if role == "system":
                continue
            who = "you" if role == "user" else "assistant"
            lines.append(f"{who}: {message.get('content') or ''}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        # The widget view for a live frontend, and the conversation as text/plain so a saved
        # notebook (GitHub, nbviewer, nbval) shows the chat rather than the widget's repr.
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = dict(bundle) if isinstance(bundle, dict) else {}
        data["text/plain"] = self.transcript() or "ChatBox: no messages yet"
        return data


def _no_poll() -> None:
    return None
