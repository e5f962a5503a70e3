"""``client.chat.completions``: unary and streaming chat completions (stream host)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, overload

from pydantic import BaseModel, ValidationError
from typing_extensions import Self, Unpack

from ... import types as t
from ...errors import GumloopError
from .._endpoint import Async, M, Resource, Sync, endpoint
from .._op import Op, RequestOptions, model_parser

if TYPE_CHECKING:
    from .._streams import AsyncChatCompletionStream, ChatCompletionStream

#: A chat request as ``create`` takes it positionally: the model, a mapping, or nothing.
ChatRequestInput = t.ChatRequest | Mapping[str, Any] | None
_Nested = Mapping[str, Any] | BaseModel


class ChatCreateParams(RequestOptions, total=False):
    """The keyword arguments of ``chat.completions.create`` (the fields of ``ChatRequest``
    besides ``stream``, plus the per-call options). A field the request does not declare is a
    type error here; at run time it warns (``UnknownFieldWarning``) and is dropped, as the
    official SDK drops it; send one on purpose with ``extra_body``."""

    messages: Sequence[_Nested]
    model: str | None
    models: Sequence[str] | None
    stream_options: _Nested | None
    temperature: float | None
    top_p: float | None
    frequency_penalty: float | None
    presence_penalty: float | None
    seed: int | None
    max_completion_tokens: int | None
    max_tokens: int | None
    stop: str | Sequence[str] | None
    logit_bias: Mapping[str, float] | None
    logprobs: bool | None
    top_logprobs: int | None
    tools: Sequence[_Nested] | None
    tool_choice: str | _Nested | None
    parallel_tool_calls: bool | None
    response_format: _Nested | None
    modalities: Sequence[str] | None
    image_config: Mapping[str, _Nested] | None
    provider: _Nested | None
    reasoning: _Nested | None
    plugins: Sequence[_Nested] | None
    metadata: Mapping[str, str] | None
    session_id: str | None
    user: str | None
    service_tier: str | None
    trace: _Nested | None
    debug: Mapping[str, Any] | None
    cache_control: Mapping[str, Any] | None


def _chat_op(request: Any, kwargs: dict[str, Any], *, force_stream: bool | None = None) -> Op[Any]:
    if force_stream is not None:
        kwargs = {**kwargs, "stream": force_stream}
    try:
        body = t.ChatRequest.build(request, **kwargs)
    except ValidationError as exc:
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


class _SyncCreate(Protocol):
    """``Gumloop().chat.completions.create``: the return type follows ``stream``."""

    @overload
    def __call__(
        self,
        request: ChatRequestInput = None,
        *,
        stream: Literal[True],
        **kwargs: Unpack[ChatCreateParams],
    ) -> ChatCompletionStream: ...
    @overload
    def __call__(
        self,
        request: None = None,
        *,
        stream: Literal[False] | None = None,
        **kwargs: Unpack[ChatCreateParams],
    ) -> t.ChatResult: ...
    @overload
    def __call__(
        self,
        request: ChatRequestInput,
        *,
        stream: Literal[False],
        **kwargs: Unpack[ChatCreateParams],
    ) -> t.ChatResult: ...
    @overload
    def __call__(
        self,
        request: ChatRequestInput = None,
        *,
        stream: bool | None = None,
        **kwargs: Unpack[ChatCreateParams],
    ) -> t.ChatResult | ChatCompletionStream: ...


class _AsyncCreate(Protocol):
    """``AsyncGumloop().chat.completions.create``: await it; the result follows ``stream``."""

    @overload
    async def __call__(
        self,
        request: ChatRequestInput = None,
        *,
        stream: Literal[True],
        **kwargs: Unpack[ChatCreateParams],
    ) -> AsyncChatCompletionStream: ...
    @overload
    async def __call__(
        self,
        request: None = None,
        *,
        stream: Literal[False] | None = None,
        **kwargs: Unpack[ChatCreateParams],
    ) -> t.ChatResult: ...
    @overload
    async def __call__(
        self,
        request: ChatRequestInput,
        *,
        stream: Literal[False],
        **kwargs: Unpack[ChatCreateParams],
    ) -> t.ChatResult: ...
    @overload
    async def __call__(
        self,
        request: ChatRequestInput = None,
        *,
        stream: bool | None = None,
        **kwargs: Unpack[ChatCreateParams],
    ) -> t.ChatResult | AsyncChatCompletionStream: ...


class _StreamCall(Protocol):
    def __call__(
        self, request: ChatRequestInput = None, **kwargs: Unpack[ChatCreateParams]
    ) -> ChatCompletionStream: ...


class _AsyncStreamCall(Protocol):
    async def __call__(
        self, request: ChatRequestInput = None, **kwargs: Unpack[ChatCreateParams]
    ) -> AsyncChatCompletionStream: ...


class _create_endpoint(endpoint[..., Any]):
    """``endpoint`` whose bound call is typed by the overloads above (``stream=`` decides)."""

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type) -> _SyncCreate: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type) -> _AsyncCreate: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        return cast(Any, super().__get__(obj, owner))


class _stream_endpoint(endpoint[..., Any]):
    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type) -> _StreamCall: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type) -> _AsyncStreamCall: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        return cast(Any, super().__get__(obj, owner))


class Completions(Resource[M]):
    """Chat completions in the OpenAI/OpenRouter shape.

    ``create(model=..., messages=[...])`` returns a ``ChatResult``; with ``stream=True`` a
    stream object (``ChatCompletionStream``, or ``AsyncChatCompletionStream`` after ``await``)
    that yields ``ChatStreamChunk`` and assembles the answer (``.text``, ``.final()``).
    """

    @_create_endpoint
    def create(self, /, request: ChatRequestInput = None, **kwargs: Any) -> Op[Any]:
        return _chat_op(request, kwargs)

    @_stream_endpoint
    def stream(self, /, request: ChatRequestInput = None, **kwargs: Any) -> Op[Any]:
        """Like ``create(..., stream=True)``: always a stream object."""
        return _chat_op(request, kwargs, force_stream=True)


class Chat(Resource[M]):
    """``client.chat``: holds ``completions``."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.completions: Completions[M] = Completions(client)
