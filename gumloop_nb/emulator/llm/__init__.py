"""Demo language and image models for the emulator: deterministic answers that read like text.

The HTTP layer calls ``plan_completion(body)`` and renders ``plan.unary()`` or
``plan.stream_chunks()``; ``model_groups()`` feeds ``GET /models``. Example::

    from gumloop_nb.emulator.llm import plan_completion
    plan = plan_completion({"model": "claude-sonnet-4-5",
                            "messages": [{"role": "user", "content": "Repeat exactly: <b>hi</b>"}]})
    assert plan.text == "<b>hi</b>"
"""

from __future__ import annotations

from ._errors import EmulatorError
from ._models import MODELS, ModelSpec, model_groups, resolve_model_name
from ._plan import CompletionPlan, count_tokens, plan_completion

__all__ = [
    "MODELS",
    "CompletionPlan",
    "EmulatorError",
    "ModelSpec",
    "count_tokens",
    "model_groups",
    "plan_completion",
    "resolve_model_name",
]
