"""Result objects the magics return and keep in ``-o VAR`` / ``_gumloop_last``.

They display as ordinary rich output (safe HTML + text/plain) with provenance in the metadata.
"""

from __future__ import annotations

import base64
import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any

from .render import escape, render_answer

__all__ = ["ChatReply", "ImageResult", "Provenance"]


def _usage_value(usage: Any, name: str) -> Any:
    if usage is None:
        return None
    if isinstance(usage, dict):
        return usage.get(name)
    return getattr(usage, name, None)


@dataclass
class Provenance:
    """Where an answer came from: model, when, how long, tokens and cost."""

    model: str | None = None
    started: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat())
    elapsed_s: float | None = None
    ttft_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None

    def add_usage(self, usage: Any) -> None:
        """Copy token counts and cost from a ChatUsage (or its dict form) when present."""
        for name in ("prompt_tokens", "completion_tokens", "cost"):
            value = _usage_value(usage, name)
            if value is not None:
                setattr(self, name, value)

    def metadata(self) -> dict[str, Any]:
        """Display metadata carrying the provenance (kept in saved notebooks)."""
        return {"gumloop_nb": {k: v for k, v in asdict(self).items() if v is not None}}

    def footer(self) -> str:
        """One line for humans, e.g. ``gpt-4.1 · 12 → 80 tokens · 1.20 s · 0.0011 credits``."""
        parts = [self.model or "unknown model"]
        if self.prompt_tokens is not None or self.completion_tokens is not None:
            parts.append(f"{self.prompt_tokens or 0} → {self.completion_tokens or 0} tokens")
        if self.elapsed_s is not None:
            parts.append(f"{self.elapsed_s:.2f} s")
        if self.cost is not None:
            parts.append(f"{self.cost:.4g} credits")
        return " · ".join(parts)


@dataclass
class ChatReply:
    """A chat answer: its text, how it was rendered and where it came from.

    ``stopped`` is true when the user stopped or interrupted the stream; ``text`` then holds what
    arrived until then. ``parsed`` holds the decoded JSON for ``--schema`` answers.
    """

    text: str
    fmt: str = "markdown"
    provenance: Provenance = field(default_factory=Provenance)
    stopped: bool = False
    error: str | None = None
    parsed: Any = None
    session_id: str | None = None
    rendered: str | None = field(default=None, repr=False, compare=False)  # cached HTML of text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        state = " stopped" if self.stopped else (" error" if self.error else "")
        preview = self.text[:60] + ("…" if len(self.text) > 60 else "")
        return f"<ChatReply{state} model={self.provenance.model!r} {preview!r}>"

    def bundle(self) -> dict[str, Any]:
        """The final answer as a mime bundle: escaped HTML for people, the raw text for tools."""
        html = self.rendered if self.rendered is not None else render_answer(self.text, self.fmt)
        notes = []
        if self.stopped:
            notes.append("stopped — partial answer")
        if self.error:
            notes.append(f"error: {self.error}")
        footer = " · ".join([self.provenance.footer(), *notes])
        html += (
            f'<div class="gumloop-footer" style="color:#888;font-size:85%">{escape(footer)}</div>'
        )
        return {"text/html": html, "text/plain": self.text}

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.bundle(), self.provenance.metadata()


@dataclass
class ImageResult:
    """A generated image: PNG bytes, its data URL and the model's caption."""

    data_url: str
    caption: str = ""
    provenance: Provenance = field(default_factory=Provenance)
    frames: int = 1
    stopped: bool = False

    @property
    def png(self) -> bytes:
        """The image bytes (decoded from the data URL)."""
        return base64.b64decode(self.data_url.split(",", 1)[1])

    @property
    def mime_type(self) -> str:
        return self.data_url[5:].split(";", 1)[0] or "image/png"

    def save(self, path: str) -> str:
        """Write the image to ``path`` and return the path."""
        with open(path, "wb") as fh:
            fh.write(self.png)
        return path

    def __repr__(self) -> str:
        return (
            f"<ImageResult {self.mime_type} {len(self.png)} bytes model={self.provenance.model!r}>"
        )

    def bundle(self) -> dict[str, Any]:
        text = f"Image from {self.provenance.model or 'model'}: {self.caption}".strip()
        return {self.mime_type: self.data_url.split(",", 1)[1], "text/plain": text}

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.bundle(), self.provenance.metadata()
