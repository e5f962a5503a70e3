"""Turn a chat request into a fully decided answer, then render it unary or as stream chunks."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._errors import EmulatorError
from ._image import image_size, render_png, scene_for, to_data_url
from ._models import ModelSpec
from ._request import ChatRequest, content_text, parse_request
from ._schema import SchemaFaker
from ._seed import digest, rng_for, stable_json
from ._text import REPEAT_PREFIX, compose_answer, json_object_answer, tool_followup
from ._tools import plan_tool_calls
from ._words import key_phrases

__all__ = ["CompletionPlan", "count_tokens", "plan_completion"]


def count_tokens(text: str) -> int:
    """Roughly one token per four characters, and at least one."""
    return max(1, math.ceil(len(text) / 4))


def _pieces(text: str) -> list[str]:
    """Stream deltas: a word with its trailing space, long words cut into 6-character pieces."""
    out: list[str] = []
    for token in re.findall(r"\S+\s*|\s+", text):
        while len(token) > 8:
            out.append(token[:6])
            token = token[6:]
        out.append(token)
    return out


class CompletionPlan:
    """The decided answer for one request; ``unary()`` and ``stream_chunks()`` render it.

    ``text`` is the final assistant text (None for a pure tool-call turn). The id is
    deterministic: ``"gen-"`` + a hash of the request (and ``seed_salt``); only ``created``
    reflects the clock. ``seed_salt`` lets a caller vary answers to identical requests (e.g. a
    session id); the same salt and request always give the same answer.
    """

    def __init__(self, request: ChatRequest, *, seed_salt: str = "") -> None:
        self.request = request
        self.model: ModelSpec = request.model
        # Unary and streamed calls of the same request share an id (and an answer).
        body_key = stable_json(
            {k: v for k, v in request.body.items() if k not in ("stream", "stream_options")}
        )
        self.id = "gen-" + digest("id", body_key, seed_salt)[:24]
        self.created = int(time.time())
        self._salt = digest(
            "content",
            request.model.name,
            request.messages,
            request.response_format,
            request.tools,
            request.tool_choice,
            request.image_config,
            request.seed,
            request.temperature,
            seed_salt,
        )
        self.tool_calls: list[dict[str, Any]] | None = None
        self.images: list[str] = []
        self._scene: Any = None
        self._size = (512, 512)
        self.finish_reason = "stop"
        self.text: str | None = self._decide()
        self.prompt_tokens = self._prompt_tokens()
        self.completion_tokens = self._completion_tokens()

    def __repr__(self) -> str:
        kind = "tool_calls" if self.tool_calls else "image" if self.images else "text"
        return f"<CompletionPlan {self.id} model={self.model.name} kind={kind}>"

    # -- deciding --------------------------------------------------------------------------
    def _decide(self) -> str | None:
        req = self.request
        rng = rng_for(self._salt)
        prompt = req.last_user
        if req.wants_image:
            self._scene = scene_for(prompt, rng_for("scene", prompt, req.model.name, req.seed))
            self._size = image_size(req.image_config)
            self.images = [to_data_url(render_png(self._scene, *self._size))]
            subject = (key_phrases(prompt, 1) or ["your prompt"])[0]
            text = (
                f"Here is a {self._size[0]}x{self._size[1]} image of {subject} "
                f"({self._scene.theme} palette, {self._scene.pattern} texture)."
            )
            return self._limit(text)
        # "Repeat exactly:" wins over optional tools, so rendering tests work with any setup.
        echo = prompt.startswith(REPEAT_PREFIX) and req.tool_choice in (None, "auto")
        wants_tool = (
            req.tools and req.tool_choice != "none" and req.last_role == "user" and not echo
        )
        if wants_tool:
            with _schema_errors("tools"):
                self.tool_calls = plan_tool_calls(
                    prompt, req.tools, req.tool_choice, req.parallel_tool_calls, rng, self._salt
                )
            self.finish_reason = "tool_calls"
            return None
        fmt = req.response_format or {}
        if fmt.get("type") == "json_schema":
            schema = fmt["json_schema"]["schema"]
            with _schema_errors("response_format"):
                value = SchemaFaker(prompt, rng).generate(
                    schema, str(fmt["json_schema"].get("name"))
                )
            return self._limit(json.dumps(value, ensure_ascii=False))
        if fmt.get("type") == "json_object":
            return self._limit(json_object_answer(prompt, rng))
        if req.last_role == "tool" and req.tool_results:
            return self._limit(tool_followup(prompt, req.tool_results, rng))
        history = [content_text(m.get("content")) for m in req.messages if m["role"] == "user"][:-1]
        answer = compose_answer(prompt, req.system, req.model, rng, history)
        if req.image_notes and not prompt.startswith(REPEAT_PREFIX):
            seen = " and ".join(req.image_notes)
            answer = f"Looking at the attachment ({seen}): {answer}"
        return self._limit(answer)

    def _limit(self, text: str) -> str:
        """Apply ``stop`` sequences and the token limit (finish_reason ``length``)."""
        for stop in self.request.stop:
            index = text.find(stop)
            if index >= 0:
                text = text[:index]
        limit = self.request.max_tokens
        if limit is not None and count_tokens(text) > limit:
            text = text[: limit * 4]
            self.finish_reason = "length"
        return text

    def _prompt_tokens(self) -> int:
        req = self.request
        chars = sum(len(content_text(m.get("content"))) + 16 for m in req.messages)
        if req.tools:
            chars += len(stable_json(req.tools))
        if req.response_format:
            chars += len(stable_json(req.response_format))
        return count_tokens("x" * chars) + 85 * req.input_images

    def _completion_tokens(self) -> int:
        total = count_tokens(self.text) if self.text else 0
        for call in self.tool_calls or []:
            total += count_tokens(call["function"]["name"] + call["function"]["arguments"])
        # Image models bill the picture itself as output tokens too (as the real ones do).
        total += 1290 * len(self.images)
        return max(1, total)

    # -- rendering -------------------------------------------------------------------------
    def usage(self) -> dict[str, Any]:
        spec = self.model
        cost = (
            self.prompt_tokens * spec.cost_per_1k_input
            + self.completion_tokens * spec.cost_per_1k_output
        ) / 1000
        cost += spec.image_cost * len(self.images)
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "cost": round(cost, 6),
            "is_byok": False,
        }

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": self.text}
        if self.tool_calls:
            message["tool_calls"] = json.loads(json.dumps(self.tool_calls))
        if self.images:
            message["images"] = [_image_item(url) for url in self.images]
        return message

    def unary(self) -> dict[str, Any]:
        """The full ``chat.completion`` JSON for a non-streaming call."""
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model.name,
            "system_fingerprint": None,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": self.finish_reason,
                    "message": self.message(),
                    "logprobs": None,
                }
            ],
            "usage": self.usage(),
        }

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model.name,
            "system_fingerprint": None,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def stream_chunks(self) -> Iterator[tuple[float, dict[str, Any]]]:
        """``(delay before this chunk at speed 1, chunk)`` pairs; the caller adds ``[DONE]``."""
        spec = self.model
        per_token = 1.0 / spec.tokens_per_second
        yield spec.first_token_latency, self._chunk({"role": "assistant", "content": ""})
        if self.images:
            yield from self._image_frames()
        for index, call in enumerate(self.tool_calls or []):
            head = {
                "index": index,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""},
            }
            yield per_token * 2, self._chunk({"tool_calls": [head]})
            args = call["function"]["arguments"]
            for start in range(0, len(args), 12):
                fragment = args[start : start + 12]
                yield (
                    per_token * count_tokens(fragment),
                    self._chunk(
                        {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}
                    ),
                )
        for piece in _pieces(self.text or ""):
            yield per_token * count_tokens(piece.strip() or piece), self._chunk({"content": piece})
        last = self._chunk({}, self.finish_reason)
        last["usage"] = self.usage()
        yield per_token, last

    def _image_frames(self) -> Iterator[tuple[float, dict[str, Any]]]:
        raw = self.request.image_config.get("partial_images", 2)
        try:
            partial = max(0, min(4, int(raw)))
        except (TypeError, ValueError):
            partial = 2
        step = self.model.image_seconds / (partial + 1)
        for i in range(partial):
            detail = ((i + 1) / (partial + 1)) ** 2 * 0.6
            png = render_png(self._scene, *self._size, detail=detail)
            yield step, self._chunk({"images": [_image_item(to_data_url(png))]})
        yield step, self._chunk({"images": [_image_item(self.images[0])]})


@contextmanager
def _schema_errors(param: str) -> Iterator[None]:
    """Turn a schema the generator cannot walk into a clear 400 instead of a server error."""
    try:
        yield
    except (
        RecursionError,
        OverflowError,
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
    ) as exc:
        raise EmulatorError(
            400,
            "invalid_request",
            f"The JSON Schema in '{param}' could not be used ({type(exc).__name__}); check that "
            "it is a valid JSON Schema object.",
            param=param,
        ) from None


def _image_item(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def plan_completion(body: dict[str, Any], *, seed_salt: str = "") -> CompletionPlan:
    """Validate a chat-completions body and decide the answer (raises EmulatorError).

    Example::

        plan = plan_completion({"model": "gpt-4.1",
                                "messages": [{"role": "user", "content": "What is 2+2?"}]})
        plan.text  # '2 + 2 = 4.'
    """
    return CompletionPlan(parse_request(body), seed_salt=seed_salt)
