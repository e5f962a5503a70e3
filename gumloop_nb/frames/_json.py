"""Decoded JSON read with types: a value narrowed to an object or an array, else ``None``.

``isinstance`` alone narrows a decoded value (``Any``) to a mapping or list of unknowns; these
helpers give the rest of the package ``Mapping[str, Any]`` / ``list[Any]`` to work with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast


def as_mapping(value: object) -> Mapping[str, Any] | None:
    """``value`` typed as a JSON-like object when it is a mapping, else ``None``."""
    return cast("Mapping[str, Any]", value) if isinstance(value, Mapping) else None


def as_list(value: object) -> list[Any] | None:
    """``value`` typed as a JSON array when it is a list, else ``None``."""
    if isinstance(value, list):
        # pyright narrows to list[Unknown], mypy to list[Any] (where a cast is "redundant").
        return value  # pyright: ignore[reportUnknownVariableType]
    return None
