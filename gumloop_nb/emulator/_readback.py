"""Refuse what the API refuses: an object the emulator is about to store must still read back.

The real service validates enumerated and typed fields (an agent tool's ``approval_mode`` is one
of ``inherit``/``off``/``all``/``write``/``custom``, ``metadata.tool_discovery.mode`` is
``auto``/``enabled``, an ability is ``{"enabled": bool, ...}``, ...). If the emulator stored such a
value unchecked, every later read of the object would fail validation in a typed client. So a
route checks the object it is about to save against the response model the clients parse it
with (``gumloop_nb.types``, which mirror the official SDK's), and answers ``400 invalid_request``
naming the offending field instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from ._http import ApiError

__all__ = ["ensure_readable"]


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "literal[")):  # pydantic's union tags
            out += f".{part}" if out else str(part)
    return out


def ensure_readable(model: type[BaseModel], doc: Any, *, prefix: str = "") -> None:
    """400 ``invalid_request`` (param = the failing field's path) unless `doc` parses as `model`.

    `prefix` is prepended to the reported path (e.g. ``"tools[2]"`` when checking one entry).
    """
    try:
        model.model_validate(doc)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = _location(tuple(error["loc"]))
        param = ".".join(p for p in (prefix, where) if p) or None
        shown = repr(error.get("input"))
        if len(shown) > 80:
            shown = shown[:77] + "..."
        raise ApiError(
            400,
            "invalid_request",
            f"Invalid value for '{param or 'body'}': {error['msg']} (got {shown}).",
            param=param,
        ) from None
