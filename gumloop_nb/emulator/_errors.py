"""The emulator's error: an HTTP status plus the contract's nested envelope (§3.1 shape 1).

Raised by the demo models (``gumloop_nb.emulator.llm``) and by the HTTP layer (whose
``ApiError`` adds response headers); the app renders either as a JSON response.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EmulatorError"]


class EmulatorError(Exception):
    """A request the emulator refuses, carrying the HTTP status and the contract's error fields.

    Example: ``EmulatorError(404, "model_not_found", "Unknown model 'x'. ...").envelope()``
    gives ``{"error": {"code": "model_not_found", "message": ..., "type": ..., ...}}``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.type = type
        self.param = param
        self.details: dict[str, Any] = dict(details or {})

    def envelope(self) -> dict[str, Any]:
        """The nested developer-API error envelope (contract §3.1, shape 1)."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "details": dict(self.details),
            }
        }

    def __repr__(self) -> str:
        return f"EmulatorError({self.status}, {self.code!r}, {self.message!r})"
