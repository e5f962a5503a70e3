"""A small incremental Server-Sent Events decoder (sans-IO: bytes in, events out).

Written here rather than taken from httpx-sse because the chat stream is the hot path:
splitting whole network chunks on newlines and handling the common ``data: ...`` line first
measured faster than line-by-line iteration (see benchmarks/bench_client.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SSEEvent:
    event: str | None
    data: str
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Feed bytes as they arrive; get back the complete events (WHATWG framing rules)."""

    __slots__ = ("_buffer", "_data", "_event", "_id", "_retry", "last_event_id")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self.last_event_id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\r" in buffer:
            if buffer.endswith(b"\r"):  # a CRLF may be split across chunks
                self._buffer = b"\r"
                buffer = buffer[:-1]
            else:
                self._buffer = b""
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            lines = buffer.split(b"\n")
            self._buffer = lines.pop() + self._buffer
        else:
            lines = buffer.split(b"\n")
            self._buffer = lines.pop()
        events: list[SSEEvent] = []
        for raw in lines:
            if not raw:
                if self._data or self._event is not None:
                    events.append(self._dispatch())
                continue
            if raw.startswith(b"data:"):
                value = raw[6:] if raw[5:6] == b" " else raw[5:]
                self._data.append(value.decode("utf-8", "replace"))
                continue
            self._field(raw.decode("utf-8", "replace"))
        return events

    def flush(self) -> list[SSEEvent]:
        """Events still pending when the connection closed (a final event without a blank line)."""
        events = self.feed(b"\n\n") if self._buffer else []
        if self._data:
            events.append(self._dispatch())
        return events

    def _field(self, line: str) -> None:
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
                self.last_event_id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        elif name == "data":
            self._data.append(value)

    def _dispatch(self) -> SSEEvent:
        event = SSEEvent(self._event, "\n".join(self._data), self._id, self._retry)
        self._data = []
        self._event = None
        self._retry = None
        return event
