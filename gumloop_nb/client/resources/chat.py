"""``client.chat.completions``: unary and streaming chat completions (stream host)."""

from __future__ import annotations

from typing import Any

from ... import types as t
from ...errors import GumloopError
from .._endpoint import M, Resource, endpoint
from .._op import Op, model_parser


def _chat_op(request: Any, kwargs: dict[str, Any], *, force_stream: bool | None = None) -> Op[Any]:
    if force_stream is not None:
        kwargs = {**kwargs, "stream": force_stream}
    try:
        body = t.ChatRequest.build(request, **kwargs)
    except ValueError as exc:  # pydantic's ValidationError
        if not hasattr(exc, "errors"):
            raise
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'request'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise GumloopError(
            f"invalid chat request: {problems}. Pass at least model=... and "
            "messages=[{'role': 'user', 'content': '...'}]."
        ) from None
    if body.get("stream"):
        return Op(
            "POST",
            "/chat/completions",
            host="stream",
            json=body,
            stream="chat",
            scoped=False,
            idempotent=True,
        )
    return Op(
        "POST",
        "/chat/completions",
        host="stream",
        json=body,
        parse=model_parser(t.ChatResult),
        scoped=False,
        idempotent=True,
    )


class Completions(Resource[M]):
    """Chat completions in the OpenAI/OpenRouter shape.

    ``create(model=..., messages=[...])`` returns a ``ChatResult``; with ``stream=True`` a
    stream object (``ChatCompletionStream``, or ``AsyncChatCompletionStream`` after ``await``)
    that yields ``ChatStreamChunk`` and assembles the answer (``.text``, ``.final()``).
    """

    @endpoint
    def create(self, request: Any = None, **kwargs: Any) -> Op[Any]:
        return _chat_op(request, kwargs)

    @endpoint
    def stream(self, request: Any = None, **kwargs: Any) -> Op[Any]:
        """Like ``create(..., stream=True)``: always a stream object."""
        return _chat_op(request, kwargs, force_stream=True)


class Chat(Resource[M]):
    """``client.chat``: holds ``completions``."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.completions: Completions[M] = Completions(client)
