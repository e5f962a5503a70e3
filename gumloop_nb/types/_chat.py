"""Chat completion models in the OpenAI/OpenRouter wire shape (§5.1, §10.7).

Unlike the other Gumloop models these *ignore* unknown keys (as the official ``gumloop.spec``
models do), optional fields default to ``None`` instead of a sentinel, and the wire form of a
request is ``model_dump(exclude_unset=True, by_alias=True)`` — which :meth:`ChatModel.build` does.

Access patterns callers rely on::

    result.choices[0].message.content
    chunk.choices[0].delta.content
    chunk.choices[0].delta.images[0].image_url.url
    chunk.usage.cost, chunk.error.code
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, cast

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from ._base import as_dict, build_payload, masked_repr_args

__all__ = [
    "ChatChoice",
    "ChatCompletionTokensDetails",
    "ChatFinishReasonEnum",
    "ChatFormatJSONSchemaConfig",
    "ChatFormatTextConfig",
    "ChatFunctionCall",
    "ChatFunctionTool",
    "ChatFunctionToolFunction",
    "ChatImage",
    "ChatImageURL",
    "ChatJSONSchemaConfig",
    "ChatMessage",
    "ChatMessages",
    "ChatModel",
    "ChatNamedToolChoice",
    "ChatNamedToolChoiceFunction",
    "ChatPromptTokensDetails",
    "ChatReasoningConfig",
    "ChatRequest",
    "ChatResult",
    "ChatStreamChoice",
    "ChatStreamChunk",
    "ChatStreamDelta",
    "ChatStreamError",
    "ChatStreamFunctionCall",
    "ChatStreamOptions",
    "ChatStreamToolCall",
    "ChatToolCall",
    "ChatToolChoice",
    "ChatUsage",
    "FormatJSONObjectConfig",
    "ImageConfig",
    "ProviderPreferences",
    "ResponseHealingPlugin",
    "TraceConfig",
    "WebSearchPlugin",
]


class ChatModel(BaseModel):
    """Base of the chat models: unknown keys are ignored, names or aliases accepted."""

    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, protected_namespaces=(), defer_build=True
    )

    @classmethod
    def build(cls, request: Any = None, /, **kwargs: Any) -> dict[str, Any]:
        """Merge ``request`` and ``kwargs`` into the JSON body (§10.4); unknown keys are dropped.

        Example::

            ChatRequest.build({"messages": [...]}, model="demo-echo", temperature=None)
            # -> {"messages": [...], "model": "demo-echo"}
        """
        return build_payload(cls, request, kwargs)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # Provider options may carry keys (BYOK); reprs never show secret-named values.
        return masked_repr_args(super().__repr_args__())


class _OpenChatModel(ChatModel):
    # Nested configuration objects keep keys we do not model, so a newer provider option the
    # caller passes is forwarded rather than silently lost.
    model_config = ConfigDict(
        extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True
    )


class _TaggedChatModel(_OpenChatModel):
    # The discriminating key (``type``/``id``) has a default for convenience but must always be
    # on the wire, so it counts as set even when defaulted (wire dumps use exclude_unset).
    _tag_field: ClassVar[str] = "type"

    def model_post_init(self, context: Any, /) -> None:
        self.__pydantic_fields_set__.add(self._tag_field)


class ChatFinishReasonEnum(str, Enum):
    """Known ``finish_reason`` values; the wire field stays an open string."""

    TOOL_CALLS = "tool_calls"
    STOP = "stop"
    LENGTH = "length"
    CONTENT_FILTER = "content_filter"
    ERROR = "error"


# --- request pieces ---------------------------------------------------------------------------


class ChatMessages(_OpenChatModel):
    """One message of a chat request (system, developer, user, assistant or tool).

    ``ChatRequest.messages`` accepts these or plain dicts and stores plain dicts.
    """

    role: str
    content: str | list[Any] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[Any] | None = None


class ChatFunctionToolFunction(_OpenChatModel):
    """The ``function`` part of a function tool."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ChatFunctionTool(_TaggedChatModel):
    """``{"type": "function", "function": {...}}`` tool declaration."""

    type: Literal["function"] = "function"
    function: ChatFunctionToolFunction


class ChatNamedToolChoiceFunction(_OpenChatModel):
    """Names the function a named tool choice forces."""

    name: str


class ChatNamedToolChoice(_TaggedChatModel):
    """``{"type": "function", "function": {"name": ...}}`` forced tool choice."""

    type: Literal["function"] = "function"
    function: ChatNamedToolChoiceFunction


#: ``"none" | "auto" | "required"`` or a named function choice.
ChatToolChoice = Literal["none", "auto", "required"] | ChatNamedToolChoice | str


class ChatJSONSchemaConfig(_OpenChatModel):
    """The ``json_schema`` object of a structured-output request; ``schema`` on the wire."""

    name: str
    description: str | None = None
    # ``schema`` would shadow a BaseModel attribute, hence the trailing underscore + alias.
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ChatFormatJSONSchemaConfig(_TaggedChatModel):
    """``response_format`` asking for JSON that matches a schema."""

    type: Literal["json_schema"] = "json_schema"
    json_schema: ChatJSONSchemaConfig


class FormatJSONObjectConfig(_TaggedChatModel):
    """``response_format`` asking for any JSON object."""

    type: Literal["json_object"] = "json_object"


class ChatFormatTextConfig(_TaggedChatModel):
    """``response_format`` asking for plain text (the default)."""

    type: Literal["text"] = "text"


def _tag_by(key: str, known: frozenset[str]) -> Any:
    def pick(value: Any) -> str:
        data = as_dict(value)
        tag: object = data.get(key) if data is not None else getattr(value, key, None)
        return tag if isinstance(tag, str) and tag in known else "other"

    return pick


_ResponseFormat = Annotated[
    Annotated[ChatFormatJSONSchemaConfig, Tag("json_schema")]
    | Annotated[FormatJSONObjectConfig, Tag("json_object")]
    | Annotated[ChatFormatTextConfig, Tag("text")]
    | Annotated[dict[str, Any], Tag("other")],
    Discriminator(_tag_by("type", frozenset({"json_schema", "json_object", "text"}))),
]

_Tool = Annotated[
    Annotated[ChatFunctionTool, Tag("function")] | Annotated[dict[str, Any], Tag("other")],
    Discriminator(_tag_by("type", frozenset({"function"}))),
]


class WebSearchPlugin(_TaggedChatModel):
    """``{"id": "web", ...}`` plugin: let the model search the web."""

    _tag_field: ClassVar[str] = "id"
    id: Literal["web"] = "web"
    enabled: bool | None = None
    engine: str | None = None
    max_results: int | None = None
    search_prompt: str | None = None
    include_domains: list[str] | None = None
    exclude_domains: list[str] | None = None


class ResponseHealingPlugin(_TaggedChatModel):
    """``{"id": "response-healing"}`` plugin: repair malformed structured output."""

    _tag_field: ClassVar[str] = "id"
    id: Literal["response-healing"] = "response-healing"
    enabled: bool | None = None


_Plugin = Annotated[
    Annotated[WebSearchPlugin, Tag("web")]
    | Annotated[ResponseHealingPlugin, Tag("response-healing")]
    | Annotated[dict[str, Any], Tag("other")],
    Discriminator(_tag_by("id", frozenset({"web", "response-healing"}))),
]


class ProviderPreferences(_OpenChatModel):
    """Provider routing preferences, e.g. ``{"sort": "latency", "order": ["fireworks"]}``."""

    allow_fallbacks: bool | None = None
    require_parameters: bool | None = None
    data_collection: str | None = None
    zdr: bool | None = None
    enforce_distillable_text: bool | None = None
    order: list[str] | None = None
    only: list[str] | None = None
    ignore: list[str] | None = None
    quantizations: list[str] | None = None
    sort: str | dict[str, Any] | None = None
    max_price: dict[str, Any] | None = None
    preferred_min_throughput: Any = None
    preferred_max_latency: Any = None


class ChatStreamOptions(_OpenChatModel):
    """``stream_options``; ``include_usage`` asks for usage on the last chunk."""

    include_usage: bool | None = None


class ChatReasoningConfig(_OpenChatModel):
    """``reasoning`` request options."""

    effort: str | None = None
    summary: str | None = None
    max_tokens: int | None = None
    enabled: bool | None = None
    exclude: bool | None = None


class TraceConfig(_OpenChatModel):
    """Observability trace context forwarded with chat and decisions requests."""

    trace_id: str | None = None
    trace_name: str | None = None
    span_name: str | None = None
    generation_name: str | None = None
    parent_span_id: str | None = None


#: One ``image_config`` value (``aspect_ratio``, ``size``, ``partial_images``, ...).
ImageConfig = str | float | list[Any]


class ChatRequest(ChatModel):
    """Body of ``POST /chat/completions`` (§5.1.1). Only set fields are sent; unknown keys dropped.

    Example::

        ChatRequest.build(model="demo-echo", messages=[{"role": "user", "content": "Hi"}])
    """

    messages: list[dict[str, Any]]
    model: str | None = None
    models: list[str] | None = None
    stream: bool | None = None
    stream_options: ChatStreamOptions | None = None
    temperature: float | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    seed: int | None = None
    max_completion_tokens: int | None = None
    max_tokens: int | None = None
    stop: str | list[str] | None = None
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    tools: list[_Tool] | None = None
    tool_choice: ChatToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: _ResponseFormat | None = None
    modalities: list[str] | None = None
    image_config: dict[str, ImageConfig] | None = None
    provider: ProviderPreferences | None = None
    reasoning: ChatReasoningConfig | None = None
    plugins: list[_Plugin] | None = None
    metadata: dict[str, str] | None = None
    session_id: str | None = None
    user: str | None = None
    service_tier: str | None = None
    trace: TraceConfig | None = None
    debug: dict[str, Any] | None = None
    cache_control: dict[str, Any] | None = None

    @field_validator("messages", mode="before")
    @classmethod
    def _messages_as_dicts(cls, value: Any) -> Any:
        # Message models (ours or any pydantic model) become their wire dicts so the request
        # always holds one plain shape.
        if isinstance(value, (list, tuple)):
            return [
                item.model_dump(exclude_unset=True, by_alias=True)
                if isinstance(item, BaseModel)
                else item
                for item in cast("Sequence[Any]", value)
            ]
        return value


# --- responses --------------------------------------------------------------------------------


class ChatFunctionCall(ChatModel):
    """A complete function call: ``arguments`` is a JSON string."""

    name: str
    arguments: str


class ChatToolCall(ChatModel):
    """A tool call in a unary assistant message."""

    id: str
    type: Literal["function"] = "function"
    function: ChatFunctionCall

    def model_post_init(self, context: Any, /) -> None:
        self.__pydantic_fields_set__.add("type")


class ChatImageURL(ChatModel):
    """Where an image is: image models return ``data:image/...;base64,...`` URLs."""

    url: str


class ChatImage(ChatModel):
    """One image of an assistant message or stream delta."""

    type: str | None = None
    image_url: ChatImageURL


class ChatMessage(ChatModel):
    """The assistant message of a unary choice."""

    role: str = "assistant"
    content: str | None = None
    tool_calls: list[ChatToolCall] | None = None
    images: list[ChatImage] | None = None
    reasoning: str | None = None
    refusal: str | None = None
    audio: dict[str, Any] | None = None
    name: str | None = None

    def model_post_init(self, context: Any, /) -> None:
        # The official client requires ``role`` on the wire, so it is dumped even when defaulted.
        self.__pydantic_fields_set__.add("role")


class ChatPromptTokensDetails(_OpenChatModel):
    """Breakdown of prompt tokens (cached, audio, ...)."""

    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    audio_tokens: int | None = None


class ChatCompletionTokensDetails(_OpenChatModel):
    """Breakdown of completion tokens (reasoning, images, ...)."""

    reasoning_tokens: int | None = None
    image_tokens: int | None = None
    audio_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None


class ChatUsage(ChatModel):
    """Token usage plus Gumloop's billing fields (``cost``, ``is_byok``, ``cost_details``)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: ChatPromptTokensDetails | None = None
    completion_tokens_details: ChatCompletionTokensDetails | None = None
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: dict[str, Any] | None = None


class ChatChoice(ChatModel):
    """One choice of a unary result; ``finish_reason`` must be present on the wire (may be null)."""

    index: int
    finish_reason: str | None
    message: ChatMessage
    logprobs: dict[str, Any] | None = None


class ChatResult(ChatModel):
    """A unary chat completion (``object: "chat.completion"``).

    Unlike the official SDK (whose unary result uses the base usage type and drops billing
    fields), ``usage`` here is :class:`ChatUsage`, so ``result.usage.cost`` and ``is_byok`` are
    kept on unary results too. ``system_fingerprint`` is required (``None`` allowed), as on
    the wire.
    """

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    system_fingerprint: str | None
    choices: list[ChatChoice]
    usage: ChatUsage | None = None
    service_tier: str | None = None

    def model_post_init(self, context: Any, /) -> None:
        # ``object`` is part of every wire dump, even when defaulted.
        self.__pydantic_fields_set__.add("object")


class ChatStreamFunctionCall(ChatModel):
    """A partial function call in a stream delta."""

    name: str | None = None
    arguments: str | None = None


class ChatStreamToolCall(ChatModel):
    """A partial tool call in a stream delta; ``index`` says which call it extends."""

    index: int
    id: str | None = None
    type: str | None = None
    function: ChatStreamFunctionCall | None = None


class ChatStreamDelta(ChatModel):
    """What one chunk adds to a choice. ``gumloop_extensions`` and ``images`` are Gumloop's."""

    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    reasoning_details: list[Any] | None = None
    refusal: str | None = None
    audio: dict[str, Any] | None = None
    tool_calls: list[ChatStreamToolCall] | None = None
    images: list[ChatImage] | None = None
    gumloop_extensions: dict[str, Any] | None = None


class ChatStreamChoice(ChatModel):
    """One choice of a chunk; ``finish_reason`` is required on the wire (null until the end)."""

    index: int
    delta: ChatStreamDelta
    finish_reason: str | None
    logprobs: dict[str, Any] | None = None


class ChatStreamError(ChatModel):
    """Mid-stream failure, e.g. ``{"code": 402, "message": "budget exceeded"}``."""

    code: int
    message: str


class ChatStreamChunk(ChatModel):
    """One ``chat.completion.chunk`` of a streaming completion (§5.1.3)."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChatStreamChoice]
    usage: ChatUsage | None = None
    error: ChatStreamError | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None

    def model_post_init(self, context: Any, /) -> None:
        self.__pydantic_fields_set__.add("object")
