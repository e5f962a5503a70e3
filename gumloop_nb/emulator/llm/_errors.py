"""The error the demo models raise for a bad request (defined with the HTTP layer's errors)."""

from __future__ import annotations

from .._errors import EmulatorError

__all__ = ["EmulatorError"]
