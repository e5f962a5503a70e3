"""Decisions models (§5.3, *0.5.9*): ask a model yes/no ("noul"), choice or score questions.

Example::

    DecisionsRequest.build(
        model="claude-sonnet-4-5",
        state="The customer asked for a refund twice.",
        questions={"escalate": {"type": "noul", "instructions": "Should we escalate?"}},
    )
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from ._base import GumloopModel
from ._chat import ProviderPreferences, TraceConfig

__all__ = [
    "DecisionsAnswer",
    "DecisionsChoiceAnswer",
    "DecisionsChoiceQuestion",
    "DecisionsNoulAnswer",
    "DecisionsNoulQuestion",
    "DecisionsNoulQuestionCriteria",
    "DecisionsQuestion",
    "DecisionsRequest",
    "DecisionsResponse",
    "DecisionsResponseUsage",
    "DecisionsScoreAnswer",
    "DecisionsScoreQuestion",
]

# Instructions and criteria may be text or structured content.
_Content = str | dict[str, Any] | list[Any]


class _Tagged(GumloopModel):
    # ``type`` defaults for convenience but must reach the wire (dumps use exclude_unset).
    def model_post_init(self, context: Any, /) -> None:
        self.__pydantic_fields_set__.add("type")


class DecisionsNoulQuestionCriteria(GumloopModel):
    """What "true" and "false" mean for a noul question."""

    true: _Content | None = None
    false: _Content | None = None


class DecisionsNoulQuestion(_Tagged):
    """A yes/no question answered with a probability-like ``noul`` in [0, 1]."""

    type: Literal["noul"] = "noul"
    instructions: _Content
    criteria: DecisionsNoulQuestionCriteria | None = None


class DecisionsChoiceQuestion(_Tagged):
    """Pick one label from ``criteria`` (label -> description)."""

    type: Literal["choice"] = "choice"
    instructions: _Content
    criteria: dict[str, _Content | None]


class DecisionsScoreQuestion(_Tagged):
    """Score along the ordered ``criteria`` levels."""

    type: Literal["score"] = "score"
    instructions: _Content
    criteria: list[_Content]


DecisionsQuestion = Annotated[
    DecisionsNoulQuestion | DecisionsChoiceQuestion | DecisionsScoreQuestion,
    Field(discriminator="type"),
]


class DecisionsRequest(GumloopModel):
    """Body of ``POST /decisions``."""

    model: str
    state: _Content
    questions: dict[str, DecisionsQuestion]
    provider: ProviderPreferences | None = None
    session_id: str | None = Field(default=None, max_length=256)
    trace: TraceConfig | None = None
    user: str | None = None


class DecisionsNoulAnswer(_Tagged):
    """Answer to a noul question."""

    type: Literal["noul"] = "noul"
    noul: float


class DecisionsChoiceAnswer(_Tagged):
    """Answer to a choice question."""

    type: Literal["choice"] = "choice"
    choice: str
    confidence: float | None = None
    probabilities: dict[str, float] | None = None


class DecisionsScoreAnswer(_Tagged):
    """Answer to a score question."""

    type: Literal["score"] = "score"
    score: float
    confidence: float | None = None
    legend: dict[str, _Content] | None = None
    probabilities: dict[str, float] | None = None


DecisionsAnswer = Annotated[
    DecisionsNoulAnswer | DecisionsChoiceAnswer | DecisionsScoreAnswer,
    Field(discriminator="type"),
]


class DecisionsResponseUsage(GumloopModel):
    """Tokens and cost of a decisions call."""

    input_tokens: int
    output_tokens: int
    cost: float | None = None


class DecisionsResponse(GumloopModel):
    """``{"answers": {name: answer}, "model", "usage", "id"?, "provider"?}``."""

    answers: dict[str, DecisionsAnswer]
    model: str
    usage: DecisionsResponseUsage
    id: str | None = None
    provider: str | None = None
