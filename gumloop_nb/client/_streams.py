"""Stream objects: iterate them, close them, use them in ``with``.

* :class:`ChatCompletionStream` / :class:`AsyncChatCompletionStream` yield ``ChatStreamChunk``
  and accumulate the answer (``.text``, ``.final()``). A mid-stream error frame is yielded as
  the chunk with ``chunk.error`` set, exactly as the official SDK yields it, and is also kept
  as ``stream.error`` (a :class:`~gumloop_nb.errors.StreamError`); ``final()`` raises it, and
  ``final(partial=True)`` returns what arrived. A bare error object without the chunk
  envelope, which the official SDK drops silently, is not yielded either but is recorded the
  same way. A stream that ends before ``[DONE]`` ends the iteration as the official SDK's does,
  and one that breaks off raises the same httpx error; both are recorded on ``stream.error``
  too, so ``final()`` raises rather than passing off a partial answer as complete.
* :class:`SessionStream` / :class:`AsyncSessionStream` yield ``StreamEvent`` and, when the
  connection drops, resume from the last ``stream_cursor`` by themselves (bounded attempts),
  losing and duplicating no event.

The per-event logic (decoding, accumulating, deciding to resume) lives in shared helpers; the
sync and async classes only differ in how they read bytes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from .. import types as _types
from ..errors import APIConnectionError, StreamError, redact_transport_error
from ..types._base import as_dict
from ._accumulate import ChatAccumulator
from ._cursors import TURN_CURSORS
from ._op import Op
from ._sse import SSEDecoder, SSEEvent
from ._transport import backoff_seconds, never_sent

if TYPE_CHECKING:
    from ..types import ChatResult, ChatStreamChunk, StreamEvent

log = logging.getLogger("gumloop_nb")


def decode_chat_frame(data: bytes | str) -> StreamError | None:
    """The slow path for a chat frame that did not validate as a chunk.

    Such frames are not yielded (as with the official SDK, whose iteration skips them). A bare
    error object (``{"error": {...}}`` without the chunk envelope) comes back as a StreamError
    for the stream to record; keep-alives and anything else are logged and skipped.
    """
    if not data:
        return None
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        payload = json.loads(text)
    except ValueError:
        log.warning("ignoring a chat stream frame that is not JSON: %.80r", text)
        return None
    obj = as_dict(payload)
    if obj is not None and obj.get("error"):
        log.warning("the chat stream carried an error frame: %.200r", text)
        return _stream_error(obj["error"], payload)
    log.warning("ignoring a chat stream frame that is not a chunk: %.80r", text)
    return None


def _stream_error(error: Any, payload: Any) -> StreamError:
    error_obj = as_dict(error)
    if error_obj is not None:
        code = error_obj.get("code")
        message = error_obj.get("message") or json.dumps(error_obj)
    else:
        code, message = None, str(error)
    where = f" (code {code})" if code is not None else ""
    return StreamError(
        f"The server reported an error in the middle of the stream{where}: {message}",
        code=code,
        body=payload,
        hint="What arrived before it is kept on the stream (.text, .final(partial=True)); "
        "send the request again for a complete answer.",
    )


class _ChatStreamBase:
    def __init__(self, response: httpx.Response, op: Op[Any]) -> None:
        self.response = response
        self._op = op
        self._decoder = SSEDecoder()
        self._acc = ChatAccumulator()
        self._done = False
        self._closed = False
        self._iterator: Any = None
        self.error: StreamError | None = None
        """The first error frame the server sent, as a StreamError (None while there is none)."""
        # One JSON parse + validation per chunk, in pydantic-core (no json.loads first). The
        # models are built lazily (defer_build): build before taking the validator.
        model = _types.ChatStreamChunk
        if not model.__pydantic_complete__:
            model.model_rebuild()
        self._validate = model.__pydantic_validator__.validate_json

    # -- accumulated state (available during, after, and after an interrupted stream) --
    @property
    def text(self) -> str:
        """The text received so far (choice 0)."""
        return self._acc.text

    @property
    def usage(self) -> Any:
        return self._acc.usage

    @property
    def model(self) -> str | None:
        return self._acc.model

    @property
    def images(self) -> list[str]:
        """Data URLs of the latest image frames received so far."""
        return self._acc.image_urls

    @property
    def finish_reason(self) -> str | None:
        return self._acc.finish_reason

    @property
    def accumulated(self) -> ChatAccumulator:
        return self._acc

    @property
    def completed(self) -> bool:
        """True once the server's ``[DONE]`` arrived."""
        return self._done

    def _frames(self, raw: bytes | None) -> list[bytes | str]:
        """The data of the events in one network read (``None``: the connection closed)."""
        if raw is not None:
            return self._decoder.feed_data(raw)
        return [e.data for e in self._decoder.flush()]

    def _decode(self, data: bytes | str) -> ChatStreamChunk | None:
        """One frame -> a chunk (None to skip); an error frame is recorded in ``self.error``.

        A chunk carrying ``error`` is yielded with ``chunk.error`` set, as the official SDK
        yields it, so code written for it sees the same chunks; ``final()`` then raises.
        Frames are decoded one at a time as they are handed out (never a whole read at
        once): a chunk that is dropped right after use costs no garbage-collector work.
        """
        try:
            chunk: ChatStreamChunk = self._validate(data)
        except ValueError:  # pydantic's ValidationError is a ValueError
            error = decode_chat_frame(data)
            if error is not None and self.error is None:
                self.error = error
            return None
        if chunk.error is not None and self.error is None:
            self.error = _stream_error(chunk.error.model_dump(), json.loads(data))
        return chunk

    def _chunks(self, raw: bytes | None) -> Iterator[ChatStreamChunk]:
        """The chunks of one network read, accumulated as they are handed out; stops at
        ``[DONE]`` or when the consumer closed the stream. Shared by both stream classes."""
        add = self._acc.add
        decode = self._decode
        for data in self._frames(raw):
            if self._closed:
                return
            if data == b"[DONE]" or data == "[DONE]":
                self._done = True
                return
            chunk = decode(data)
            if chunk is not None:
                add(chunk)
                yield chunk

    def _broke_off(self, exc: Exception) -> bool:
        """A transport failure mid-stream: record it; True if it is to be re-raised.

        The httpx error itself is re-raised, as the official SDK lets it through (code that
        catches ``httpx.TransportError`` keeps working); it is stripped of credentials and
        gets a note on what to do, and ``self.error`` holds a StreamError saying what happened
        (``final()`` raises it). A failure caused by the consumer closing the stream is not
        an error.
        """
        if self._closed:
            return False
        redact_transport_error(exc)  # raised on to the caller: no credential may ride along
        hint = (
            "What arrived is kept (.text, .final(partial=True)); send the request again for a "
            "complete answer."
        )
        if self.error is None:
            self.error = StreamError(
                f"The chat stream broke off ({type(exc).__name__}: {exc}).", hint=hint
            )
            self.error.__cause__ = exc
        add_note = getattr(exc, "add_note", None)  # Python 3.11+
        if add_note is not None:
            add_note(f"The chat stream broke off. {hint}")
        return True

    def _ended_early(self) -> None:
        """The server closed the stream before ``[DONE]``: iteration ends (as with the official
        SDK), ``completed`` stays False and ``self.error`` says so (``final()`` raises it)."""
        log.warning("the chat stream ended before [DONE]; the answer may be incomplete")
        if self.error is None:
            self.error = StreamError(
                "The chat stream ended before the server said it was complete (no [DONE]); "
                "the connection may have dropped.",
                hint="What arrived is kept (.text, .final(partial=True)); send the request "
                "again for a complete answer.",
            )

    def _result(self, partial: bool) -> ChatResult:
        if not partial:
            if self.error is None and not self._done:  # closed by the consumer before the end
                raise StreamError(
                    "The chat stream was closed before it was complete.",
                    hint="Use final(partial=True) for what arrived.",
                )
            if self.error is not None:
                raise self.error
        return self._acc.to_result()

    def __repr__(self) -> str:
        state = "done" if self._done else ("closed" if self._closed else "open")
        return f"<{type(self).__name__} model={self.model!r} {state} chars={len(self.text)}>"


class ChatCompletionStream(_ChatStreamBase):
    """A streaming chat completion (sync). Iterate for chunks; ``final()`` for the whole answer."""

    def __iter__(self) -> Iterator[ChatStreamChunk]:
        # One underlying iterator per stream: breaking out of a loop and iterating again (or
        # calling final()) continues where the consumer stopped.
        if self._iterator is None:
            self._iterator = self._gen()
        iterator: Iterator[ChatStreamChunk] = self._iterator
        return iterator

    def _gen(self) -> Iterator[ChatStreamChunk]:
        if self._closed:
            return
        try:
            for raw in itertools.chain(self.response.iter_bytes(), [None]):
                yield from self._chunks(raw)
                if self._done or self._closed:
                    return
            self._ended_early()
        except (httpx.TransportError, httpx.StreamError) as exc:
            if self._broke_off(exc):
                raise
        finally:
            self.close()

    def final(self, *, partial: bool = False) -> ChatResult:
        """Consume the rest of the stream and return the assembled ``ChatResult``.

        Raises the server's error frame (:attr:`error`, a StreamError with its ``code``) if
        one arrived, and StreamError if the stream broke off or ended before ``[DONE]``. With
        ``partial=True`` it returns what arrived instead of raising (``finish_reason`` is the
        server's, e.g. ``"error"``; the error stays on :attr:`error`).
        """
        if not self._closed:
            try:
                for _ in self:
                    pass
            except (httpx.TransportError, httpx.StreamError):
                pass  # recorded in self.error, raised below unless partial
        return self._result(partial)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.response.close()

    def __enter__(self) -> ChatCompletionStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncChatCompletionStream(_ChatStreamBase):
    """A streaming chat completion (async). ``async for`` chunks; ``await final()``."""

    async def _agen(self) -> AsyncIterator[ChatStreamChunk]:
        if self._closed:
            return
        try:
            async for raw in _then_none(self.response.aiter_bytes()):
                for chunk in self._chunks(raw):
                    yield chunk
                if self._done or self._closed:
                    return
            self._ended_early()
        except (httpx.TransportError, httpx.StreamError) as exc:
            if self._broke_off(exc):
                raise
        finally:
            await self.aclose()

    def __aiter__(self) -> AsyncIterator[ChatStreamChunk]:
        if self._iterator is None:
            self._iterator = self._agen()
        iterator: AsyncIterator[ChatStreamChunk] = self._iterator
        return iterator

    async def final(self, *, partial: bool = False) -> ChatResult:
        """Consume the rest of the stream and return the assembled ``ChatResult``; raises
        (or, with ``partial=True``, reports) as :meth:`ChatCompletionStream.final` does."""
        if not self._closed:
            try:
                async for _ in self:
                    pass
            except (httpx.TransportError, httpx.StreamError):
                pass  # recorded in self.error, raised below unless partial
        return self._result(partial)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.response.aclose()

    close = aclose

    async def __aenter__(self) -> AsyncChatCompletionStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


# --- session streams ----------------------------------------------------------------------


class _SessionStreamBase:
    """State shared by the sync and async session streams (cursor, dedup, resume decisions).

    ``op.extra["turn"]`` says which events belong to this stream: ``"new"`` (a session
    created by this call: its log starts with this turn), ``"next"`` (a message sent to an
    existing session: this turn starts after the session's last complete run) or
    ``"replay"`` (``resume_stream``: the events after the given cursor).
    """

    def __init__(self, transport: Any, op: Op[Any]) -> None:
        self._transport = transport
        self._op = op
        self.session_id: str | None = op.extra.get("session_id")
        self.last_cursor: str | None = op.extra.get("last_cursor")
        self._turn: str = op.extra.get("turn", "replay")
        # Whether a resume knows where this turn starts: a new session (from its start), a
        # replay (the given cursor), or a next turn whose start cursor this process saw.
        self._start_known = self._turn != "next"
        if self._turn == "next" and self.session_id is not None:
            start = TURN_CURSORS.take(self.session_id)
            if start is not None:
                self.last_cursor = start
                self._start_known = True
        self.finished = False
        self.resumes = 0
        self._failed_resumes = 0  # consecutive resumes that brought nothing new
        self._seen: set[str] = set()
        self._closed = False
        self._response: httpx.Response | None = None
        self._iterator: Any = None
        self.events: list[StreamEvent] = []

    def _accept(self, sse: SSEEvent) -> StreamEvent | None:
        event = _types.StreamEvent.from_sse(sse.event, sse.data)
        cursor = event.stream_cursor
        if cursor is not None:
            if cursor in self._seen:
                return None  # replayed by a resume: already delivered
            self._seen.add(cursor)
            self.last_cursor = cursor
            self._start_known = True  # a resume continues after this event
        if self.session_id is None:
            extra = event.model_extra or {}
            sid = extra.get("interaction_id") or extra.get("session_id")
            if isinstance(sid, str):
                self.session_id = sid
        if event.final:
            self.finished = True
            if cursor is not None and self.session_id is not None:
                TURN_CURSORS.put(self.session_id, cursor)
        self.events.append(event)
        return event

    def _feed(self, decoder: SSEDecoder, raw: bytes | None) -> list[StreamEvent]:
        """New events from a network chunk (``None``: the connection closed; flush)."""
        frames = decoder.feed(raw) if raw is not None else decoder.flush()
        return [e for e in map(self._accept, frames) if e is not None]

    def _next_op(self, error: BaseException | None, got_any: bool) -> Op[Any] | None:
        """After a connection ended: the Op that resumes the stream, or None when it is over.

        A drop (``error``) resumes from the last cursor, up to ``stream_resume_attempts``
        resumes in a row that bring no new event (a resume that makes progress resets the
        count); a normal close before the ``final`` event is resumed once more, and a resume
        that brings nothing new ends the stream. A turn that ends without any event, or whose
        start is unknown when it drops before its first event, raises StreamError rather
        than replaying another turn's events.
        """
        if got_any:
            self._failed_resumes = 0
        if self.finished or self._closed:
            return None
        if error is not None and self.resumes == 0 and not self.events and _never_sent(error):
            # Not a drop: the stream never opened (the transport has already retried), and
            # its error says so ("Could not connect ... nothing was sent").
            raise error
        if error is None and not got_any and self.resumes > 0:
            if not self.events and self._turn != "replay":
                raise self._no_events()
            return None  # a resume that brought nothing new: the server has no more
        if self.session_id is None or not self._start_known:
            if error is None and self.events:
                return None  # closed normally after events that cannot be resumed from
            raise self._unknown_start() from (
                None if error is None else redact_transport_error(error)
            )
        attempts = getattr(self._transport.cfg, "stream_resume_attempts", 3)
        if self._failed_resumes >= attempts:
            if error is None:
                return None  # the server closed the stream normally without a final event
            raise self._gave_up() from redact_transport_error(error)
        self.resumes += 1
        self._failed_resumes += 1
        return Op(
            "GET",
            f"/sessions/{quote(self.session_id, safe='')}",
            host="stream",
            # The caller's per-call options (extra_headers/extra_query, timeout) hold for resumes.
            params={**(self._op.params or {}), "stream": True, "last_cursor": self.last_cursor},
            headers=self._op.headers,
            timeout=self._op.timeout,
            stream="session",
            scoped=False,
        )

    def _delay(self, error: BaseException | None) -> float:
        return backoff_seconds(self._failed_resumes - 1) if error is not None else 0.0

    def _gave_up(self) -> StreamError:
        return StreamError(
            f"The session stream for {self.session_id or 'a new session'} dropped and could not "
            f"be resumed after {self._failed_resumes} attempt(s) in a row. Events received so "
            "far are in .events; call client.sessions.retrieve(session_id) for the final state."
        )

    def _unknown_start(self) -> StreamError:
        if self.session_id is None:
            return StreamError(
                "The session stream dropped before the server said which session it belongs "
                "to, so it cannot be resumed. List the agent's sessions "
                "(client.sessions.list(agent_id)) to find it."
            )
        return StreamError(
            f"The stream of this message to session {self.session_id} dropped before its "
            "first event. It cannot be resumed without replaying earlier turns: where this "
            "turn starts is not known (this process did not follow the previous turn to its "
            "end). The message may or may not have been delivered: check "
            f"client.sessions.retrieve({self.session_id!r}), or replay the session with "
            "client.sessions.resume_stream(session_id, last_cursor=<the last cursor of the "
            "previous turn>)."
        )

    def _no_events(self) -> StreamError:
        return StreamError(
            f"No event of this turn arrived from session {self.session_id}: the connection "
            "ended before the server started the run, so the message was probably not "
            f"delivered. Check client.sessions.retrieve({self.session_id!r}) and send it again "
            "if it is not there."
        )

    @property
    def text(self) -> str:
        """The assistant text assembled from ``text-delta`` events so far."""
        return "".join(e.text or "" for e in self.events)

    def __repr__(self) -> str:
        state = "finished" if self.finished else ("closed" if self._closed else "open")
        return (
            f"<{type(self).__name__} session_id={self.session_id!r} events={len(self.events)} "
            f"{state}>"
        )


_DROPPED = (httpx.TransportError, APIConnectionError)


def _never_sent(error: BaseException) -> bool:
    """Whether a failure proves the request never reached the server (nothing to resume)."""
    return never_sent(error) or (
        isinstance(error, APIConnectionError) and never_sent(error.__cause__)
    )


class SessionStream(_SessionStreamBase):
    """Events of a session run (sync); resumes by itself from the last ``stream_cursor``."""

    def __iter__(self) -> Iterator[StreamEvent]:
        if self._iterator is None:
            self._iterator = self._gen()
        iterator: Iterator[StreamEvent] = self._iterator
        return iterator

    def _gen(self) -> Iterator[StreamEvent]:
        op: Op[Any] | None = self._op
        try:
            while op is not None and not self._closed:
                decoder, got_any, error = SSEDecoder(), False, None
                try:
                    self._response = response = self._transport.send(op, stream=True)
                    for raw in itertools.chain(response.iter_bytes(), [None]):
                        for event in self._feed(decoder, raw):
                            if self._closed:
                                return
                            got_any = True
                            yield event
                except _DROPPED as exc:
                    error = exc
                finally:
                    if self._response is not None:
                        self._response.close()
                op = self._next_op(error, got_any)
                if op is not None:
                    time.sleep(self._delay(error))
        finally:
            self._closed = True

    def until_done(self) -> list[StreamEvent]:
        """Consume the stream; return every event received."""
        for _ in self:
            pass
        return self.events

    def close(self) -> None:
        self._closed = True
        if self._response is not None:
            self._response.close()

    def __enter__(self) -> SessionStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSessionStream(_SessionStreamBase):
    """Events of a session run (async); resumes by itself from the last ``stream_cursor``."""

    async def _agen(self) -> AsyncIterator[StreamEvent]:
        op: Op[Any] | None = self._op
        try:
            while op is not None and not self._closed:
                decoder, got_any, error = SSEDecoder(), False, None
                try:
                    self._response = response = await self._transport.send(op, stream=True)
                    async for raw in response.aiter_bytes():
                        for event in self._feed(decoder, raw):
                            if self._closed:
                                return
                            got_any = True
                            yield event
                    for event in self._feed(decoder, None):
                        if self._closed:
                            return
                        got_any = True
                        yield event
                except _DROPPED as exc:
                    error = exc
                finally:
                    if self._response is not None:
                        await self._response.aclose()
                op = self._next_op(error, got_any)
                if op is not None:
                    await asyncio.sleep(self._delay(error))
        finally:
            self._closed = True

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        if self._iterator is None:
            self._iterator = self._agen()
        iterator: AsyncIterator[StreamEvent] = self._iterator
        return iterator

    async def until_done(self) -> list[StreamEvent]:
        """Consume the stream; return every event received."""
        async for _ in self:
            pass
        return self.events

    async def aclose(self) -> None:
        self._closed = True
        if self._response is not None:
            await self._response.aclose()

    close = aclose

    async def __aenter__(self) -> AsyncSessionStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _then_none(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes | None]:
    """The async twin of ``itertools.chain(chunks, [None])``: ``None`` marks the close."""
    async for chunk in chunks:
        yield chunk
    yield None


def open_stream_sync(transport: Any, op: Op[Any]) -> Any:
    if op.stream == "chat":
        # send() raises APIConnectionError, itself an httpx.TransportError: nothing to wrap.
        return ChatCompletionStream(transport.send(op, stream=True), op)
    return SessionStream(transport, op)


async def open_stream_async(transport: Any, op: Op[Any]) -> Any:
    if op.stream == "chat":
        response = await transport.send(op, stream=True)
        return AsyncChatCompletionStream(response, op)
    return AsyncSessionStream(transport, op)
