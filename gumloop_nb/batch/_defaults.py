"""Process-wide defaults of the operators (import-light: the notebook extension sets these)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULTS", "UNSET", "configure", "set_default_client"]

UNSET: Any = object()


@dataclass
class _Defaults:
    model: str = "gpt-4.1"
    concurrency: int = 16
    retries: int = 6
    progress: bool = True
    cache: Any = UNSET  # UNSET: $GUMLOOP_NB_CACHE, else the user cache directory
    client: Any = None  # a provider: zero-argument callable returning a Gumloop client


DEFAULTS = _Defaults()


def positive(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return value


def configure(
    *,
    model: str | None = None,
    concurrency: int | None = None,
    retries: int | None = None,
    progress: bool | None = None,
    cache: Any = UNSET,
) -> None:
    """Process-wide defaults for ``df.gumloop`` operators.

    ``cache``: ``True`` (the default location), ``False`` (off), or a file path. Example:
    ``configure(cache="~/gumloop-cache.sqlite3", concurrency=32)``.
    """
    if model is not None:
        DEFAULTS.model = model
    if concurrency is not None:
        DEFAULTS.concurrency = positive(concurrency, "concurrency")
    if retries is not None:
        if not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be a whole number, 0 or more.")
        DEFAULTS.retries = retries
    if progress is not None:
        DEFAULTS.progress = bool(progress)
    if cache is not UNSET:
        DEFAULTS.cache = cache


def set_default_client(provider: Callable[[], Any] | None) -> None:
    """Where operators get their client when none is passed (the notebook extension sets this)."""
    DEFAULTS.client = provider
