"""``StreamEvent``: one event of a session stream (§4.1, the "session dialect").

Example::

    ev = StreamEvent.from_sse("text-delta", '{"delta": "Hel", "stream_cursor": "ses_1:2"}')
    ev.type, ev.text, ev.stream_cursor        # ('text-delta', 'Hel', 'ses_1:2')
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import (
    AliasChoices,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from ._base import GumloopModel, as_dict

__all__ = ["StreamEvent"]


class StreamEvent(GumloopModel):
    """A session stream event; unknown keys (``delta``, ``interaction_id``, ...) are kept.

    Input accepts the camelCase wire names (``finishReason``, ``errorMessage``); dumps use the
    snake_case attribute names. An object-valued ``error`` becomes its ``message`` (or its JSON
    text) in ``error``, the object itself is kept in ``error_details`` and a dump puts the object
    back under ``"error"``.
    """

    type: str | None = None
    data: Any = None
    stream_cursor: str | None = None
    final: bool | None = None
    finish_reason: str | None = Field(
        default=None, validation_alias=AliasChoices("finishReason", "finish_reason")
    )
    error: str | None = None
    error_message: str | None = Field(
        default=None, validation_alias=AliasChoices("errorMessage", "error_message")
    )
    error_details: dict[str, Any] | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _split_error_object(cls, value: Any) -> Any:
        data = as_dict(value)
        if data is not None:
            error = as_dict(data.get("error"))
            if error is not None:
                data = dict(data)
                message = error.get("message")
                data["error"] = (
                    message if isinstance(message, str) and message else json.dumps(error)
                )
                data["error_details"] = error
                return data
        return value

    @model_serializer(mode="wrap")
    def _restore_error_object(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        dumped: object = handler(self)
        data = as_dict(dumped)
        if self.error_details is not None and data is not None and "error" in data:
            data["error"] = self.error_details
        return dumped

    @classmethod
    def from_sse(cls, event_name: str | None, data: str) -> StreamEvent:
        """Decode one SSE event of the session dialect (§4.1 steps 1-3).

        Empty ``data`` gives ``{}``; data that is not JSON gives ``{"data": <raw text>}``; JSON
        that is not an object gives ``{"data": <value>}``. An event name other than the default
        ``message`` fills a missing ``type``.
        """
        payload: dict[str, Any]
        if not data:
            payload = {}
        else:
            try:
                value = json.loads(data)
            except ValueError:
                payload = {"data": data}
            else:
                as_object = as_dict(value)
                payload = as_object if as_object is not None else {"data": value}
        if event_name and event_name != "message" and "type" not in payload:
            payload["type"] = event_name
        return cls.model_validate(payload)

    @property
    def text(self) -> str | None:
        """The text chunk of a ``text-delta`` event (its ``delta``), else ``None``."""
        if self.type != "text-delta":
            return None
        extra = self.__pydantic_extra__
        return extra.get("delta") if extra else None
