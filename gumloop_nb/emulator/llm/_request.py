"""Validate a chat-completions body and pull out what the demo models need from it."""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

from ._errors import EmulatorError
from ._models import MODELS, ModelSpec, resolve_model_name

__all__ = ["DEFAULT_MODEL", "ChatRequest", "parse_request"]

DEFAULT_MODEL = "claude-sonnet-4-5"
_ROLES = {"system", "developer", "user", "assistant", "tool"}


@dataclass
class ChatRequest:
    """The parts of a request that decide the answer (everything else is passthrough)."""

    body: dict[str, Any]
    model: ModelSpec
    messages: list[dict[str, Any]]
    system: str
    last_user: str
    last_role: str
    wants_image: bool
    max_tokens: int | None
    stop: list[str]
    tools: list[dict[str, Any]]
    tool_choice: Any
    parallel_tool_calls: bool | None
    response_format: dict[str, Any] | None
    image_config: dict[str, Any]
    seed: Any
    temperature: float | None
    input_images: int = 0
    # Short descriptions of the images attached to the last user message ("a 640x480 PNG").
    image_notes: list[str] = field(default_factory=list)
    # Tool results since the last user message: (tool name, raw content text).
    tool_results: list[tuple[str, str]] = field(default_factory=list)


def _bad(message: str, param: str | None = None, code: str = "invalid_request") -> EmulatorError:
    return EmulatorError(400, code, message, param=param)


def content_text(content: Any) -> str:
    """The text of a message content (a string, a list of parts, or None)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part, str):
                texts.append(part)
        return "\n".join(texts)
    return str(content)


def describe_image(part: dict[str, Any]) -> str:
    """What can be told about an attached image without decoding it: format and PNG size."""
    ref = part.get("image_url")
    url = ref.get("url") if isinstance(ref, dict) else ref
    if not isinstance(url, str):
        return "an image"
    match = re.match(r"data:image/([\w.+-]+);base64,", url)
    if not match:
        return "an image link"
    kind = match.group(1).upper()
    try:
        head = base64.b64decode(url[match.end() : match.end() + 48] + "==", validate=False)
    except (ValueError, binascii.Error):
        return f"a {kind} image"
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        return f"a {width}x{height} PNG image"
    return f"a {kind} image"


def _check_messages(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        raise _bad("The request needs 'messages': a non-empty list of {role, content}.", "messages")
    if not isinstance(raw, list) or not raw:
        raise _bad("'messages' must be a non-empty list of {role, content} objects.", "messages")
    for i, msg in enumerate(raw):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise _bad(f"{where} must be an object with 'role' and 'content'.", where)
        role = msg.get("role")
        if role not in _ROLES:
            raise _bad(
                f"{where}.role is {role!r}; use one of: {', '.join(sorted(_ROLES))}.",
                f"{where}.role",
            )
        content = msg.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise _bad(f"{where}.content must be a string or a list of parts.", f"{where}.content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                    raise _bad(
                        f"{where}.content[{j}] must be an object with a 'type' "
                        "(e.g. 'text' or 'image_url').",
                        f"{where}.content",
                    )
        if content is None and role != "assistant":
            raise _bad(f"{where} ({role}) needs 'content'.", f"{where}.content")
        if role == "tool" and not isinstance(msg.get("tool_call_id"), str):
            raise _bad(f"{where} is a tool message and needs a 'tool_call_id'.", where)
    return raw


def _pick_model(body: dict[str, Any]) -> ModelSpec:
    requested = body.get("model")
    candidates: list[Any] = [requested] if requested is not None else []
    if isinstance(body.get("models"), list):
        candidates += body["models"]
    if not candidates:
        return MODELS[DEFAULT_MODEL]
    for name in candidates:
        if not isinstance(name, str):
            raise _bad("'model' must be a string such as 'claude-sonnet-4-5'.", "model")
        resolved = resolve_model_name(name)
        if resolved is not None:
            return MODELS[resolved]
    shown = requested if isinstance(requested, str) else candidates[0]
    raise EmulatorError(
        404,
        "model_not_found",
        f"Unknown model '{shown}'. Available models: {', '.join(MODELS)}.",
        param="model",
    )


def _max_tokens(body: dict[str, Any]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _bad(f"'{key}' must be a positive integer.", key)
        return value
    return None


def _tools(body: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        raise _bad("'tools' must be a list of {type: 'function', function: {...}}.", "tools")
    names = []
    for i, tool in enumerate(tools):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise _bad(
                f"tools[{i}] must look like {{'type': 'function', 'function': {{'name': ...}}}}.",
                "tools",
            )
        params = fn.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise _bad(f"tools[{i}].function.parameters must be a JSON Schema object.", "tools")
        names.append(fn["name"])
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        fn = choice.get("function")
        name = fn.get("name") if isinstance(fn, dict) else None
        if name not in names:
            raise _bad(
                f"tool_choice names the function {name!r}, which is not among the request's "
                f"tools ({', '.join(names) or 'none'}).",
                "tool_choice",
            )
    elif choice is not None and choice not in ("none", "auto", "required"):
        raise _bad(
            "'tool_choice' must be 'none', 'auto', 'required' or "
            "{'type': 'function', 'function': {'name': ...}}.",
            "tool_choice",
        )
    if choice == "required" and not tools:
        raise _bad("tool_choice 'required' needs at least one tool in 'tools'.", "tool_choice")
    return tools, choice


def _response_format(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format")
    if fmt is None:
        return None
    if not isinstance(fmt, dict) or not isinstance(fmt.get("type"), str):
        raise _bad("'response_format' must be an object with a 'type'.", "response_format")
    if fmt["type"] == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), (dict, bool)):
            raise _bad(
                "response_format json_schema needs {'json_schema': {'name': ..., 'schema': {...}}}.",
                "response_format",
            )
    return fmt


def _tool_results(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Tool outputs after the last user message, named via the assistant's tool_calls."""
    names: dict[str, str] = {}
    results: list[tuple[str, str]] = []
    for msg in messages:
        if msg["role"] == "user":
            results = []
        elif msg["role"] == "assistant":
            calls = msg.get("tool_calls")
            for call in calls if isinstance(calls, list) else []:
                if isinstance(call, dict) and isinstance(call.get("function"), dict):
                    names[str(call.get("id"))] = str(call["function"].get("name", "tool"))
        elif msg["role"] == "tool":
            name = names.get(str(msg.get("tool_call_id")), msg.get("name") or "tool")
            results.append((str(name), content_text(msg.get("content"))))
    return results


def parse_request(body: Any) -> ChatRequest:
    """Validate ``body`` and extract the fields; raises EmulatorError with a clear message."""
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object.")
    messages = _check_messages(body.get("messages"))
    model = _pick_model(body)
    modalities = body.get("modalities") or []
    if not isinstance(modalities, list):
        raise _bad("'modalities' must be a list such as ['image', 'text'].", "modalities")
    wants_image = "image" in modalities
    image_models = [m.name for m in MODELS.values() if m.kind == "image"]
    if wants_image and model.kind != "image":
        raise _bad(
            f"Model '{model.name}' cannot generate images. Use an image model "
            f"({', '.join(image_models)}) with modalities ['image', 'text'].",
            "modalities",
            code="unsupported_modality",
        )
    if model.kind == "image" and not wants_image:
        raise _bad(
            f"Model '{model.name}' generates images: pass modalities=['image', 'text'], "
            "or pick a text model such as claude-sonnet-4-5.",
            "modalities",
            code="unsupported_modality",
        )
    temperature = body.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise _bad("'temperature' must be a number between 0 and 2.", "temperature")
        if not math.isfinite(temperature) or not 0 <= temperature <= 2:
            raise _bad("'temperature' must be a number between 0 and 2.", "temperature")
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, (str, list)):
        raise _bad("'stop' must be a string or a list of strings.", "stop")
    stops = [stop] if isinstance(stop, str) else [s for s in (stop or []) if isinstance(s, str)]
    tools, choice = _tools(body)
    image_config = body.get("image_config") or {}
    if not isinstance(image_config, dict):
        raise _bad("'image_config' must be an object.", "image_config")
    system = "\n".join(
        content_text(m.get("content")) for m in messages if m["role"] in ("system", "developer")
    )
    users = [m for m in messages if m["role"] == "user"]
    last_user = content_text(users[-1].get("content")) if users else ""
    input_images = sum(
        1
        for m in messages
        if isinstance(m.get("content"), list)
        for p in m["content"]
        if p.get("type") in ("image_url", "input_image")
    )
    last_images = (
        [
            describe_image(p)
            for p in (users[-1].get("content") if users else None) or []
            if isinstance(p, dict) and p.get("type") in ("image_url", "input_image")
        ]
        if users and isinstance(users[-1].get("content"), list)
        else []
    )
    ptc = body.get("parallel_tool_calls")
    return ChatRequest(
        body=body,
        model=model,
        messages=messages,
        system=system,
        last_user=last_user,
        last_role=messages[-1]["role"],
        wants_image=wants_image,
        max_tokens=_max_tokens(body),
        stop=[s for s in stops if s],
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=ptc if isinstance(ptc, bool) else None,
        response_format=_response_format(body),
        image_config=image_config,
        seed=body.get("seed"),
        temperature=float(temperature) if temperature is not None else None,
        input_images=input_images,
        image_notes=last_images,
        tool_results=_tool_results(messages),
    )
