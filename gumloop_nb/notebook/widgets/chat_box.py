"""ChatBox: an interactive multi-turn chat (input box, Send, history, model picker) bound to a client.

>>> box = ChatBox(client, models=["gpt-4.1", "claude-sonnet-4-5"])   # doctest: +SKIP
>>> box                                                              # doctest: +SKIP
"""

from __future__ import annotations

import threading
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
    """A chat conversation in a widget; every answer streams in as safe Markdown."""

    def __init__(
        self,
        client: Any = None,
        *,
        models: Sequence[str] = ("gpt-4.1",),
        model: str | None = None,
        system: str | None = None,
    ) -> None:
        from ipywidgets import HTML, Button, Dropdown, HBox, Layout, Textarea, VBox

        if not models:
            raise ValueError("ChatBox needs at least one model name.")
        self.client = client if client is not None else _notebook_client()
        self.messages: list[dict[str, Any]] = []
        if system:
            self.messages.append({"role": "system", "content": system})
        self.history = VBox(children=(), layout=Layout(max_height="480px", overflow="auto"))
        self.input = Textarea(placeholder="Ask something…", layout=Layout(width="100%"))
        self.model_picker = Dropdown(options=list(models), value=model or models[0])
        self.send_button = Button(description="Send", icon="paper-plane", button_style="primary")
        self.send_button.on_click(lambda _b: self.send(wait=False))
        self.status = HTML(value="")
        self.widget = VBox(
            children=(
                self.history,
                self.input,
                HBox(children=(self.model_picker, self.send_button, self.status)),
            )
        )
        self._busy = threading.Lock()
        self.last_provenance: Provenance | None = None

    def _bubble(self, role: str, body: Any) -> Any:
        from ipywidgets import HTML, VBox

        return VBox(children=(HTML(value=f"<b>{escape(role)}</b>"), body))

    def send(self, text: str | None = None, *, wait: bool = True) -> threading.Thread | None:
        """Send ``text`` (default: the input box) and stream the answer into the history.

        With ``wait=False`` the answer streams on a background thread (what the Send button does).
        """
        from ipywidgets import HTML

        prompt = (text if text is not None else self.input.value).strip()
        if not prompt:
            self.status.value = "Type a message first."
            return None
        if not self._busy.acquire(blocking=False):
            self.status.value = "Still answering the previous message…"
            return None
        self.input.value = ""
        self.messages.append({"role": "user", "content": prompt})
        pane = TextPane("markdown")
        self.history.children = (
            *self.history.children,
            self._bubble("you", HTML(value=render_markdown(prompt))),
            self._bubble(self.model_picker.value, pane.box),
        )
        if wait:
            self._answer(pane)
            return None
        worker = threading.Thread(target=self._answer, args=(pane,), daemon=True)
        worker.start()
        return worker

    def _answer(self, pane: TextPane) -> None:
        from .chat_stream import chunk_parts

        model = self.model_picker.value
        provenance = Provenance(model=model)
        self.status.value = "answering…"
        try:
            stream = self.client.chat.completions.create(
                model=model, messages=list(self.messages), stream=True
            )
            for chunk in stream:
                delta, usage, _model, _images = chunk_parts(chunk)
                pane.append(delta)
                if usage is not None:
                    provenance.add_usage(usage)
            if getattr(stream, "error", None) is not None:  # an error frame, yielded as a chunk
                raise stream.error
            self.status.value = escape(provenance.footer())
        except Exception as exc:
            self.status.value = f'<span style="color:#b00">{escape(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)}</span>'
        finally:
            text = pane.finish()
            self.messages.append({"role": "assistant", "content": text})
            self.last_provenance = provenance
            self._busy.release()

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
