"""Configuration of an emulator instance (kept import-light: no Starlette here)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_TEAM", "EmulatorConfig"]

DEFAULT_TEAM = "team_demo"


@dataclass
class EmulatorConfig:
    """How an emulator behaves.

    - ``tokens``: accepted bearer tokens; None accepts any non-empty bearer.
    - ``db_path``: SQLite file for persistent state; None keeps everything in memory.
    - ``speed``: multiplier applied to every artificial delay (model latency, token pacing,
      flow durations): 1.0 is "real time", 0.5 twice as fast, 0 removes all delays (tests).
    - ``faults``: server-wide fault spec (see `gumloop_nb.emulator.faults`), off when None.
    - ``max_body_bytes``: larger request bodies get 413 ``payload_too_large``.
    - ``default_team``: the team given to objects created without a ``team_id``.
    """

    tokens: list[str] | None = None
    db_path: str | None = None
    speed: float = 1.0
    faults: str | None = None
    max_body_bytes: int = 25 * 1024 * 1024
    default_team: str = DEFAULT_TEAM
    default_model: str = "claude-sonnet-4-5"

    def __post_init__(self) -> None:
        if self.speed < 0:
            raise ValueError("speed must be >= 0 (0 removes every artificial delay).")
        if self.tokens is not None and not all(isinstance(t, str) and t for t in self.tokens):
            raise ValueError("tokens must be a list of non-empty strings, or None.")

    def delay(self, seconds: float) -> float:
        """A real-time delay scaled by `speed`."""
        return max(0.0, seconds) * self.speed
