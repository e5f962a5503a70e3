"""The client layer: ``Gumloop``, ``AsyncGumloop``, ``GumloopClient`` and ``OAuth``.

Knows nothing of notebooks: it imports only httpx, pydantic and the standard library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lazy import load_lazy
from ._client import AsyncGumloop, Gumloop

if TYPE_CHECKING:
    from ._accumulate import ChatAccumulator
    from ._download import afetch_bytes, fetch_bytes
    from ._streams import (
        AsyncChatCompletionStream,
        AsyncSessionStream,
        ChatCompletionStream,
        SessionStream,
    )
    from .flows import FlowHTTPStatusError, GumloopClient
    from .oauth import OAuth

# Loaded on first use, so ``from gumloop_nb import Gumloop`` pays only for the client class
# (the stream classes load when the first stream opens).
_LAZY = {
    "ChatAccumulator": "._accumulate",
    "afetch_bytes": "._download",
    "fetch_bytes": "._download",
    "AsyncChatCompletionStream": "._streams",
    "AsyncSessionStream": "._streams",
    "ChatCompletionStream": "._streams",
    "SessionStream": "._streams",
    "FlowHTTPStatusError": ".flows",
    "GumloopClient": ".flows",
    "OAuth": ".oauth",
}


def __getattr__(name: str) -> Any:
    return load_lazy(__name__, _LAZY, globals(), name)


__all__ = [
    "AsyncChatCompletionStream",
    "AsyncGumloop",
    "AsyncSessionStream",
    "ChatAccumulator",
    "ChatCompletionStream",
    "FlowHTTPStatusError",
    "Gumloop",
    "GumloopClient",
    "OAuth",
    "SessionStream",
    "afetch_bytes",
    "fetch_bytes",
]
