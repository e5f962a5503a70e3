"""Helpers for calling the demo models directly (no HTTP)."""

from __future__ import annotations

from typing import Any

from gumloop_nb.emulator.llm import CompletionPlan, plan_completion


def chat(prompt: str, model: str = "claude-sonnet-4-5", **fields: Any) -> CompletionPlan:
    """Plan a one-message chat request."""
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    body.update(fields)
    return plan_completion(body)


def without_clock(result: dict[str, Any]) -> dict[str, Any]:
    """The response minus ``created`` (the only field allowed to follow the clock)."""
    return {k: v for k, v in result.items() if k != "created"}
