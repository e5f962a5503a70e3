"""The incremental SSE decoder: framing per the WHATWG rules, whatever the chunk boundaries."""

from __future__ import annotations

import pytest

from gumloop_nb.client._sse import SSEDecoder

STREAM = (
    b": keep-alive comment\n"
    b"event: text-delta\n"
    b'data: {"delta":"Hel"}\n'
    b"id: 7\n"
    b"\n"
    b"data: line one\n"
    b"data: line two\n"
    b"\n"
    b"data:no-space\n"
    b"retry: 1500\n"
    b"\n"
    b'data: {"text":"caf\xc3\xa9 \xe2\x98\x95"}\n'
    b"\n"
)


def decode_all(stream: bytes, size: int) -> list[tuple[str | None, str, str | None, int | None]]:
    decoder = SSEDecoder()
    events = []
    for i in range(0, len(stream), size):
        events.extend(decoder.feed(stream[i : i + size]))
    events.extend(decoder.flush())
    return [tuple(e) for e in events]  # type: ignore[misc]


# The last event id persists across events (WHATWG "last event ID buffer").
EXPECTED = [
    ("text-delta", '{"delta":"Hel"}', "7", None),
    (None, "line one\nline two", "7", None),
    (None, "no-space", "7", 1500),
    (None, '{"text":"café ☕"}', "7", None),
]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64, 4096])
def test_events_are_the_same_whatever_the_chunk_size(size: int) -> None:
    assert decode_all(STREAM, size) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 64])
def test_crlf_and_bare_cr_line_endings_frame_like_lf(size: int) -> None:
    crlf = STREAM.replace(b"\n", b"\r\n")
    cr = STREAM.replace(b"\n", b"\r")
    assert decode_all(crlf, size) == EXPECTED
    assert decode_all(cr, size) == EXPECTED


@pytest.mark.parametrize(
    "tail",
    [b"data: [DONE]", b'data: {"half": ', b"data: whole line\n", b"event: x\ndata: y\n"],
)
def test_an_event_not_ended_by_a_blank_line_is_discarded_at_the_end(tail: bytes) -> None:
    # The SSE specification: pending data at the end of the stream is discarded, never
    # dispatched as an event (a stream cut mid-event must not hand out a fragment).
    for fast in (False, True):
        decoder = SSEDecoder()
        head = b"data: complete\n\n"
        got = decoder.feed_data(head + tail) if fast else decoder.feed(head + tail)
        assert [g.data if hasattr(g, "data") else g for g in got] in (["complete"], [b"complete"])
        assert decoder.flush() == []
        assert decoder.flush() == []  # and nothing is left over for a later flush


def test_a_carriage_return_held_back_at_the_end_still_ends_the_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: x\r\n\r") == []  # the last CR might have been half a CRLF
    assert [e.data for e in decoder.flush()] == ["x"]


def test_the_last_event_id_is_remembered_for_reconnects() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: a1\ndata: x\n\nid: a2\ndata: y\n\n")
    assert decoder.last_event_id == "a2"


def data_all(stream: bytes, size: int) -> list[str]:
    decoder = SSEDecoder()
    out: list[bytes | str] = []
    for i in range(0, len(stream), size):
        out.extend(decoder.feed_data(stream[i : i + size]))
    out.extend(e.data for e in decoder.flush())
    return [d.decode() if isinstance(d, bytes) else d for d in out]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64, 4096])
def test_the_chat_fast_path_gives_the_same_data_as_the_full_decoder(size: int) -> None:
    assert data_all(STREAM, size) == [e[1] for e in EXPECTED]


@pytest.mark.parametrize("size", [1, 3, 64])
def test_the_chat_fast_path_falls_back_on_crlf_midway(size: int) -> None:
    stream = b'data: {"a":1}\n\n' + STREAM.replace(b"\n", b"\r\n")
    assert data_all(stream, size) == ['{"a":1}', *[e[1] for e in EXPECTED]]


def test_the_chat_fast_path_keeps_blank_line_runs_and_done_markers() -> None:
    stream = b"data: one\n\n\n\ndata: [DONE]\n\n"
    assert data_all(stream, 7) == ["one", "[DONE]"]
