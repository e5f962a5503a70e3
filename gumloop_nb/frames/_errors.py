"""Errors and warnings raised while turning Gumloop results into DataFrames."""

from __future__ import annotations

from ..errors import GumloopError

__all__ = ["ArtifactTooLargeError", "FrameError", "FrameWarning", "MissingDependencyError"]


class FrameError(GumloopError, ValueError):
    """A result or artifact could not be turned into a DataFrame; the message says why and what to do."""


class ArtifactTooLargeError(FrameError):
    """An artifact is bigger than the ``max_bytes`` limit of :func:`read_artifact`."""


class MissingDependencyError(FrameError, ImportError):
    """An optional package needed for this format (e.g. ``openpyxl`` for Excel) is not installed."""


class FrameWarning(UserWarning):
    """Something was adjusted on the way to a DataFrame (a renamed column, a fallback to text)."""
