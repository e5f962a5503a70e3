"""Assemble streamed chat chunks into the answer (text, tool calls, images, usage)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .. import types as _types

if TYPE_CHECKING:
    from ..types import ChatResult, ChatStreamChunk


class _Choice:
    __slots__ = ("content", "finish_reason", "images", "reasoning", "refusal", "role", "tool_calls")

    def __init__(self) -> None:
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.role = "assistant"
        self.finish_reason: str | None = None
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.images: list[dict[str, Any]] = []


class ChatAccumulator:
    """Collects chunks as they arrive; ``to_result()`` gives the equivalent unary ``ChatResult``.

    Tool-call fragments are merged by ``index`` (id, name, and the JSON ``arguments`` text
    concatenated); image frames replace earlier frames (partial frames come before the final
    one); ``usage`` is the last one seen.
    """

    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self.created: int | None = None
        self.system_fingerprint: str | None = None
        self.usage: Any = None
        self.chunks = 0
        self.frames = 0
        self._choices: dict[int, _Choice] = {}

    def _choice(self, index: int) -> _Choice:
        choice = self._choices.get(index)
        if choice is None:
            choice = self._choices[index] = _Choice()
        return choice

    def add(self, chunk: ChatStreamChunk) -> None:
        self.chunks += 1
        if self.id is None:
            self.id = chunk.id
            self.model = chunk.model
            self.created = chunk.created
        if chunk.system_fingerprint:
            self.system_fingerprint = chunk.system_fingerprint
        if chunk.usage is not None:
            self.usage = chunk.usage
        for c in chunk.choices:
            choice = self._choices.get(c.index) or self._choice(c.index or 0)
            delta = c.delta
            # model_construct'ed chunks (tests, callers) may carry no delta
            if delta is not None:  # pyright: ignore[reportUnnecessaryComparison]
                content = delta.content
                if content:
                    choice.content.append(content)
                # Most chunks carry text only: skip the other fields unless something else is set.
                if content is None or len(delta.__pydantic_fields_set__) > 1:
                    self._add_rest(choice, delta)
            if c.finish_reason is not None:
                choice.finish_reason = c.finish_reason

    def _add_rest(self, choice: _Choice, delta: Any) -> None:
        if delta.reasoning:
            choice.reasoning.append(delta.reasoning)
        if delta.refusal:
            choice.refusal.append(delta.refusal)
        if delta.role:
            choice.role = delta.role
        if delta.tool_calls:
            for call in delta.tool_calls:
                self._merge_tool_call(choice, call)
        if delta.images:
            choice.images = [img.model_dump(exclude_none=True) for img in delta.images]
            self.frames += 1

    @staticmethod
    def _merge_tool_call(choice: _Choice, call: Any) -> None:
        index = call.index if call.index is not None else len(choice.tool_calls)
        slot = choice.tool_calls.setdefault(
            index, {"id": None, "type": "function", "function": {"name": "", "arguments": ""}}
        )
        if call.id:
            slot["id"] = call.id
        if call.type:
            slot["type"] = call.type
        fn = call.function
        if fn is not None:
            if fn.name:
                slot["function"]["name"] += fn.name
            if fn.arguments:
                slot["function"]["arguments"] += fn.arguments

    @property
    def text(self) -> str:
        choice = self._choices.get(0)
        return "".join(choice.content) if choice else ""

    @property
    def finish_reason(self) -> str | None:
        choice = self._choices.get(0)
        return choice.finish_reason if choice else None

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        choice = self._choices.get(0)
        return [choice.tool_calls[i] for i in sorted(choice.tool_calls)] if choice else []

    @property
    def image_urls(self) -> list[str]:
        choice = self._choices.get(0)
        if not choice:
            return []
        return [img.get("image_url", {}).get("url", "") for img in choice.images]

    def to_result(self) -> ChatResult:
        choices: list[dict[str, Any]] = []
        for index in sorted(self._choices) or [0]:
            choice = self._choices.get(index) or _Choice()
            message: dict[str, Any] = {
                "role": choice.role,
                "content": "".join(choice.content) if choice.content else None,
            }
            if choice.tool_calls:
                message["tool_calls"] = [choice.tool_calls[i] for i in sorted(choice.tool_calls)]
            if choice.images:
                message["images"] = choice.images
            if choice.reasoning:
                message["reasoning"] = "".join(choice.reasoning)
            if choice.refusal:
                message["refusal"] = "".join(choice.refusal)
            choices.append(
                {"index": index, "finish_reason": choice.finish_reason, "message": message}
            )
        usage = self.usage.model_dump(exclude_none=True) if self.usage is not None else None
        return _types.ChatResult.model_validate(
            {
                "id": self.id or "",
                "object": "chat.completion",
                "created": self.created if self.created is not None else int(time.time()),
                "model": self.model or "",
                "system_fingerprint": self.system_fingerprint,
                "choices": choices,
                "usage": usage,
            }
        )
