"""DataFrames for magic results (listings, records, MCP results, flow outputs)."""

from __future__ import annotations

from typing import Any

__all__ = ["plain", "to_frame"]


def plain(obj: Any) -> Any:
    """Convert pydantic models (and containers of them) to plain Python data."""
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def to_frame(obj: Any) -> Any:
    """A DataFrame for ``obj`` via :func:`gumloop_nb.frames.to_dataframe`."""
    from gumloop_nb.frames import to_dataframe

    return to_dataframe(obj)
