"""Demo language and image models for the emulator: deterministic answers that read like text.

The HTTP layer calls ``plan_completion(body)`` and renders ``plan.unary()`` or
``plan.stream_chunks()``; ``model_groups()`` feeds ``GET /models``. Example::

    from gumloop_nb.emulator.llm import plan_completion
    plan = plan_completion({"model": "claude-sonnet-4-5",
                            "messages": [{"role": "user", "content": "Repeat exactly: <b>hi</b>"}]})
    assert plan.text == "<b>hi</b>"

What the demo models do (same request + seed -> same answer, every time):

- text: answers assembled from the prompt's key phrases in each model's style (Claude warm,
  GPT structured with bullets, Gemini Flash terse); numbered steps for "how do I", lists for
  "list 5 ..."/"tips", code blocks for code requests, a few facts (2+2, capitals, Gumloop,
  MCP, speed of light...), arithmetic, summaries, sentiment labels, and error explanations
  quoting the exception, line and failing cell line (``%gumloop fix``). ``Repeat exactly:``
  echoes the rest verbatim. System prompts nudge tone (pirate, concise, formal, friendly).
- ``response_format``: ``json_schema`` output validates against the schema (refs, combinators,
  formats, bounds, patterns); ``json_object`` gives a small object about the prompt.
- ``tools``: the first turn calls the best-matching (or named) tool with schema-valid
  arguments; after ``tool`` messages the answer quotes the results (or the failure).
- images (``modalities`` with ``"image"`` on an image model): a PNG painted from the prompt
  (palette words like sunset/ocean/forest/night/snow/desert/fire), streamed as partial frames.
- limits: ``max_completion_tokens``/``max_tokens`` truncate with ``finish_reason: "length"``;
  ``stop`` cuts the text. Bad input raises EmulatorError (400/404) with a clear message.
- decisions (``decide(body)``, ``POST /decisions``): noul/choice/score answers read from the
  text's words, its positive/negative cues and written ratings, each with a ``reason``.
"""

from __future__ import annotations

from ._decide import DECISION_MODELS, decide
from ._errors import EmulatorError
from ._models import MODELS, ModelSpec, model_groups, resolve_model_name
from ._plan import CompletionPlan, count_tokens, plan_completion

__all__ = [
    "DECISION_MODELS",
    "MODELS",
    "CompletionPlan",
    "EmulatorError",
    "ModelSpec",
    "count_tokens",
    "decide",
    "model_groups",
    "plan_completion",
    "resolve_model_name",
]
