"""The notebook layer reads what the client says: an error frame yielded as a chunk still
fails the view, and the one-line error text takes its fix from ``exc.hint`` (one table)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gumloop_nb.client._op import Op
from gumloop_nb.client._streams import ChatCompletionStream
from gumloop_nb.errors import HINTS, APIConnectionError, StreamError, to_api_error
from gumloop_nb.notebook import ChatStream
from gumloop_nb.notebook.magics._context import describe_error


@pytest.fixture(autouse=True)
def _shell() -> None:
    InteractiveShell.instance()


def frame(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
    chunk = {
        "id": "g",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "demo",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def test_an_error_frame_fails_the_view_and_keeps_the_partial_answer() -> None:
    body = (
        frame({"content": "Partial"})
        + frame({}, "error", error={"code": 402, "message": "budget exceeded"})
        + b"data: [DONE]\n\n"
    )
    stream = ChatCompletionStream(httpx.Response(200, content=body), Op("POST", "/chat"))
    view = ChatStream(live=False)
    with capture_output(), pytest.raises(StreamError, match="budget exceeded"):
        view.consume(stream)
    assert view.error is stream.error
    assert view.reply is not None and view.reply.text == "Partial"


def test_a_status_error_is_one_line_with_the_fix_from_the_hint_table() -> None:
    request = httpx.Request("GET", "http://x/api/v1/agents/a")
    response = httpx.Response(
        404,
        json={"error": {"code": "model_not_found", "message": "No such model"}},
        request=request,
    )
    text = describe_error(to_api_error(response))
    assert text == f"HTTP 404 model_not_found: No such model. Fix: {HINTS['model_not_found']}"


def test_connection_errors_say_to_check_the_connection() -> None:
    text = describe_error(APIConnectionError(request=httpx.Request("GET", "http://x/a")))
    assert "Could not connect" in text and "check the connection" in text
