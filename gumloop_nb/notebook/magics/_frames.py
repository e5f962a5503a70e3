"""DataFrames for magic results: ``gumloop_nb.frames`` when available, a small fallback otherwise."""

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


def _records(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [r if isinstance(r, dict) else {"value": r} for r in data]
    if isinstance(data, dict):
        lists = [v for k, v in data.items() if isinstance(v, list) and k != "next_cursor"]
        if len(lists) == 1:
            return _records(lists[0])
        return [data]
    return [{"value": data}]


def to_frame(obj: Any) -> Any:
    """A DataFrame for ``obj`` (listing response, records, MCP result, flow outputs)."""
    try:
        from gumloop_nb.frames import to_dataframe
    except ImportError:  # the frames package is optional for this layer
        pass
    else:
        return to_dataframe(obj)
    import pandas as pd

    return pd.json_normalize(_records(plain(obj)))
