"""The registry of demo models: names like real ones, each with its own speed and price."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["MODELS", "ModelSpec", "model_groups", "resolve_model_name"]


@dataclass(frozen=True)
class ModelSpec:
    """What a demo model is and how fast/expensive it pretends to be.

    Costs are in Gumloop credits: per 1000 tokens for text, plus a flat fee per image.
    """

    name: str
    label: str
    group: str
    kind: str  # "text" | "image"
    tokens_per_second: float
    first_token_latency: float
    cost_per_1k_input: float
    cost_per_1k_output: float
    image_cost: float = 0.0
    context_window: int = 128_000
    # Seconds an image model spends "painting" between its first and last frame (at speed 1).
    image_seconds: float = 0.0
    # Style knob for the text generator: how many sentences the model likes to write.
    verbosity: int = 2
    style: str = "plain"  # "warm" | "structured" | "concise" | "plain"


def _m(*args: Any, **kwargs: Any) -> ModelSpec:
    return ModelSpec(*args, **kwargs)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        _m(
            "claude-sonnet-4-5",
            "Claude Sonnet 4.5",
            "Anthropic",
            "text",
            72.0,
            0.85,
            0.30,
            1.50,
            context_window=200_000,
            verbosity=3,
            style="warm",
        ),
        _m(
            "claude-haiku-4-5",
            "Claude Haiku 4.5",
            "Anthropic",
            "text",
            165.0,
            0.35,
            0.10,
            0.50,
            context_window=200_000,
            verbosity=2,
            style="warm",
        ),
        _m(
            "gpt-4.1",
            "GPT-4.1",
            "OpenAI",
            "text",
            88.0,
            0.55,
            0.20,
            0.80,
            context_window=1_047_576,
            verbosity=3,
            style="structured",
        ),
        _m(
            "gpt-4.1-mini",
            "GPT-4.1 mini",
            "OpenAI",
            "text",
            140.0,
            0.30,
            0.04,
            0.16,
            context_window=1_047_576,
            verbosity=2,
            style="structured",
        ),
        _m(
            "gemini-2.5-flash",
            "Gemini 2.5 Flash",
            "Google",
            "text",
            195.0,
            0.25,
            0.03,
            0.25,
            context_window=1_048_576,
            verbosity=1,
            style="concise",
        ),
        _m(
            "gemini-2.5-pro",
            "Gemini 2.5 Pro",
            "Google",
            "text",
            58.0,
            1.15,
            0.125,
            1.00,
            context_window=1_048_576,
            verbosity=4,
            style="plain",
        ),
        _m(
            "gpt-image-1",
            "GPT Image 1",
            "OpenAI",
            "image",
            60.0,
            1.10,
            0.50,
            4.00,
            image_cost=4.0,
            context_window=32_000,
            image_seconds=3.0,
            style="structured",
        ),
        _m(
            "gemini-2.5-flash-image-preview",
            "Gemini 2.5 Flash Image",
            "Google",
            "image",
            150.0,
            0.45,
            0.03,
            0.25,
            image_cost=1.5,
            context_window=32_768,
            image_seconds=1.4,
            style="concise",
        ),
    ]
}

# Provider prefixes that OpenRouter-style callers put in front of a slug.
_PREFIXES = ("anthropic/", "openai/", "google/")


def resolve_model_name(name: str) -> str | None:
    """The canonical demo-model name for ``name`` (accepts ``openai/gpt-4.1``), or None."""
    if name in MODELS:
        return name
    lowered = name.strip().lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
    lowered = lowered.replace("4.5", "4-5") if lowered.startswith("claude") else lowered
    return lowered if lowered in MODELS else None


def model_groups() -> list[dict[str, Any]]:
    """The models list as the API returns it: one group per provider, in registry order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for spec in MODELS.values():
        groups.setdefault(spec.group, []).append(
            {"value": spec.name, "label": spec.label, "status": "available"}
        )
    return [{"groupLabel": label, "options": options} for label, options in groups.items()]
