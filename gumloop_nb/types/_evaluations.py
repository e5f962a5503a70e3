"""Evaluation models: per-agent evaluation config/results (§6.5) and organization
evaluations (§7.7, *0.5.9*)."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, model_validator

from ._base import GumloopModel, as_dict
from ._common import CreatorPayload

__all__ = [
    "AgentEvaluationMetricsResponse",
    "AgentEvaluationOptionsResponse",
    "Evaluation",
    "EvaluationConfig",
    "EvaluationConfigResponse",
    "EvaluationConfigUpdateRequest",
    "EvaluationCreateRequest",
    "EvaluationListResponse",
    "EvaluationMetricsResponse",
    "EvaluationOptionLimits",
    "EvaluationOptionsResponse",
    "EvaluationResponse",
    "EvaluationResult",
    "EvaluationResultListResponse",
    "EvaluationResultRecord",
    "EvaluationResultRecordListResponse",
    "EvaluationResultRecordResponse",
    "EvaluationResultResponse",
    "EvaluationRubric",
    "EvaluationRunRequest",
    "EvaluationRunResponse",
    "EvaluationRunResult",
    "EvaluationRunSkippedSession",
    "EvaluationTarget",
    "EvaluationTargetsResponse",
    "EvaluationUpdateRequest",
]


# --- agent evaluation -------------------------------------------------------------------------


class EvaluationConfig(GumloopModel):
    """How an agent's sessions are graded."""

    agent_id: str
    enabled: bool = False
    is_active: bool = True
    model_name: str | None = None
    frequency: str | None = None
    language: str | None = None
    include_auto_tags: bool = False
    interaction_types: list[Any] = Field(default_factory=list[Any])
    criteria: list[Any] = Field(default_factory=list[Any])
    tags: list[Any] = Field(default_factory=list[Any])
    data_points: list[Any] = Field(default_factory=list[Any])
    sentiment: dict[str, Any] | None = None
    notifications: dict[str, Any] | None = None
    updated_ts: str | None = None
    updated_at: str | None = None
    organization_evaluations: list[Any] = Field(default_factory=list[Any])


class EvaluationConfigResponse(GumloopModel):
    """``{"config": EvaluationConfig}``."""

    config: EvaluationConfig


class EvaluationConfigUpdateRequest(GumloopModel):
    """Body of ``PATCH /agents/{id}/evaluation-config``: lists replace wholesale."""

    enabled: bool | None = None
    model_name: str | None = None
    frequency: str | None = None
    language: str | None = None
    include_auto_tags: bool | None = None
    interaction_types: list[Any] | None = None
    criteria: list[Any] | None = None
    tags: list[Any] | None = None
    data_points: list[Any] | None = None
    sentiment: dict[str, Any] | None = None
    notifications: dict[str, Any] | None = None


class EvaluationResult(GumloopModel):
    """One graded session. ``grade``/``call_successful`` are null when ``status`` is failed.

    The wire may name the session ``interaction_id`` and the id ``evaluation_id`` only; both
    are accepted.
    """

    evaluation_id: str
    id: str = Field(validation_alias=AliasChoices("id", "evaluation_id"))
    session_id: str = Field(validation_alias=AliasChoices("session_id", "interaction_id"))
    agent_id: str
    created_ts: str | None = None
    created_at: str | None = None
    organization_evaluation_id: str | None = None
    status: str | None = None
    grade: str | None = None
    error_code: str | None = None
    model_name: str | None = None
    call_successful: str | None = None
    sentiment: str | None = None
    summary: str | None = None
    criteria_results: list[Any] = Field(default_factory=list[Any])
    data_results: list[Any] = Field(default_factory=list[Any])
    applied_tags: list[Any] = Field(default_factory=list[Any])

    @model_validator(mode="before")
    @classmethod
    def _evaluation_id_from_id(cls, value: Any) -> Any:
        # Newer payloads may carry only ``id``; ``evaluation_id`` then mirrors it.
        data = as_dict(value)
        if data is not None and "evaluation_id" not in data and "id" in data:
            return {**data, "evaluation_id": data["id"]}
        return value


class EvaluationResultResponse(GumloopModel):
    """``{"evaluation": EvaluationResult | null}``."""

    evaluation: EvaluationResult | None = None


class EvaluationResultListResponse(GumloopModel):
    """``{"evaluations": [EvaluationResult], "next_cursor"}``."""

    evaluations: list[EvaluationResult] = Field(default_factory=list[EvaluationResult])
    next_cursor: str | None = None

    def page_items(self) -> list[EvaluationResult]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.evaluations


class EvaluationOptionLimits(GumloopModel):
    """Maximum sizes of an evaluation config."""

    criteria: int
    tags: int
    data_points: int
    tag_name_max_len: int
    tag_description_max_len: int
    notification_recipients: int


class AgentEvaluationOptionsResponse(GumloopModel):
    """Allowed values for an agent evaluation config."""

    interaction_types: list[str] = Field(default_factory=list[str])
    criterion_types: list[str] = Field(default_factory=list[str])
    criterion_priorities: list[str] = Field(default_factory=list[str])
    data_point_types: list[str] = Field(default_factory=list[str])
    frequencies: list[str] = Field(default_factory=list[str])
    default_interaction_types: list[str] = Field(default_factory=list[str])
    limits: EvaluationOptionLimits


class AgentEvaluationMetricsResponse(GumloopModel):
    """Grade and tag counts over the last ``days``."""

    days: int
    grades: dict[str, int] = Field(default_factory=dict[str, int])
    tags: dict[str, int] = Field(default_factory=dict[str, int])


class EvaluationRunRequest(GumloopModel):
    """Body of an evaluation run: which sessions, and whether to only price it."""

    session_ids: list[str]
    dry_run: bool = False


class EvaluationRunResult(GumloopModel):
    """A session queued for grading."""

    id: str | None = None
    session_id: str
    status: str


class EvaluationRunSkippedSession(GumloopModel):
    """A session the run skipped, and why."""

    session_id: str
    reason: str
    result_id: str | None = None


class EvaluationRunResponse(GumloopModel):
    """``{"dry_run", "credit_cost", "results", "skipped"}``."""

    dry_run: bool = False
    credit_cost: int = 0
    results: list[EvaluationRunResult] = Field(default_factory=list[EvaluationRunResult])
    skipped: list[EvaluationRunSkippedSession] = Field(
        default_factory=list[EvaluationRunSkippedSession]
    )


# --- organization evaluations -----------------------------------------------------------------


class EvaluationTarget(GumloopModel):
    """Who an organization evaluation covers: ``organization``, ``team``, ``user`` or ``agent``."""

    type: str
    id: str | None = None


class EvaluationRubric(GumloopModel):
    """The grading rubric of an organization evaluation."""

    model_name: str | None = None
    frequency: str | None = None
    language: str | None = None
    include_auto_tags: bool | None = None
    session_types: list[str] | None = None
    criteria: list[Any] | None = None
    tags: list[Any] | None = None
    data_points: list[Any] | None = None
    sentiment: dict[str, Any] | None = None
    notifications: dict[str, Any] | None = None


class Evaluation(GumloopModel):
    """An organization-level evaluation."""

    id: str
    scope: str
    agent_id: str | None = None
    organization_id: str | None = None
    name: str
    description: str | None = None
    enabled: bool = False
    targets: list[EvaluationTarget] = Field(default_factory=list[EvaluationTarget])
    covered_agent_count: int = 0
    config: EvaluationRubric
    run_summary: dict[str, Any] = Field(default_factory=dict[str, Any])
    creator: CreatorPayload | None = None
    created_at: str | None = None
    updated_at: str | None = None


class EvaluationResponse(GumloopModel):
    """``{"evaluation": Evaluation}``."""

    evaluation: Evaluation


class EvaluationListResponse(GumloopModel):
    """``{"evaluations": [Evaluation], "next_cursor"}``."""

    evaluations: list[Evaluation] = Field(default_factory=list[Evaluation])
    next_cursor: str | None = None

    def page_items(self) -> list[Evaluation]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.evaluations


class EvaluationCreateRequest(GumloopModel):
    """Body of ``POST /evaluations``."""

    organization_id: str
    name: str
    description: str | None = None
    enabled: bool | None = None
    config: dict[str, Any] | None = None


class EvaluationUpdateRequest(GumloopModel):
    """Body of ``PATCH /evaluations/{id}``."""

    name: str | None = None
    description: str | None = None
    enabled: bool | None = None
    config: dict[str, Any] | None = None


class EvaluationTargetsResponse(GumloopModel):
    """``{"targets", "covered_agent_count", "enabled"}``."""

    targets: list[EvaluationTarget] = Field(default_factory=list[EvaluationTarget])
    covered_agent_count: int = 0
    enabled: bool = False


class EvaluationResultRecord(GumloopModel):
    """One result of an organization evaluation."""

    id: str
    evaluation_id: str | None = None
    session_id: str
    agent_id: str
    status: str
    grade: str | None = None
    error_code: str | None = None
    model_name: str | None = None
    call_successful: str | None = None
    sentiment: str | None = None
    summary: str | None = None
    criteria_results: list[Any] = Field(default_factory=list[Any])
    data_results: list[Any] = Field(default_factory=list[Any])
    applied_tags: list[Any] = Field(default_factory=list[Any])
    created_at: str | None = None


class EvaluationResultRecordListResponse(GumloopModel):
    """``{"results": [EvaluationResultRecord], "next_cursor"}``."""

    results: list[EvaluationResultRecord] = Field(default_factory=list[EvaluationResultRecord])
    next_cursor: str | None = None

    def page_items(self) -> list[EvaluationResultRecord]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.results


class EvaluationResultRecordResponse(GumloopModel):
    """``{"result": EvaluationResultRecord}``."""

    result: EvaluationResultRecord


class EvaluationMetricsResponse(GumloopModel):
    """Grade counts of an organization evaluation over ``days``."""

    days: int
    grades: dict[str, int] = Field(default_factory=dict[str, int])


class EvaluationOptionsResponse(GumloopModel):
    """Allowed values for organization evaluations."""

    scopes: list[str] = Field(default_factory=list[str])
    target_types: list[str] = Field(default_factory=list[str])
    session_types: list[str] = Field(default_factory=list[str])
    default_session_types: list[str] = Field(default_factory=list[str])
    criterion_types: list[str] = Field(default_factory=list[str])
    criterion_priorities: list[str] = Field(default_factory=list[str])
    data_point_types: list[str] = Field(default_factory=list[str])
    frequencies: list[str] = Field(default_factory=list[str])
    grades: list[str] = Field(default_factory=list[str])
    statuses: list[str] = Field(default_factory=list[str])
    skip_reasons: list[str] = Field(default_factory=list[str])
    limits: dict[str, int] = Field(default_factory=dict[str, int])
