"""The client layer: ``Gumloop``, ``AsyncGumloop``, ``GumloopClient`` and ``OAuth``.

Knows nothing of notebooks: it imports only httpx, pydantic and the standard library.
"""

from __future__ import annotations

from ._accumulate import ChatAccumulator
from ._client import AsyncGumloop, Gumloop
from ._download import afetch_bytes, fetch_bytes
from ._streams import (
    AsyncChatCompletionStream,
    AsyncSessionStream,
    ChatCompletionStream,
    SessionStream,
)
from .flows import FlowHTTPStatusError, GumloopClient
from .oauth import OAuth

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
