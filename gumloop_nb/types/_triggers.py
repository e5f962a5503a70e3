"""Agent trigger models (§6.4, *0.5.9*): schedule, webhook and integration triggers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ._base import GumloopModel

__all__ = [
    "AgentTrigger",
    "AgentTriggerCreateRequest",
    "AgentTriggerDeleteResponse",
    "AgentTriggerResponse",
    "AgentTriggerRun",
    "AgentTriggerRunsResponse",
    "AgentTriggerStatsResponse",
    "AgentTriggerUpdateRequest",
    "AgentTriggerWebhookUrlResponse",
    "AgentTriggersResponse",
    "IntegrationTriggerConfig",
    "IntegrationTriggerPayload",
    "TriggerBackgroundTask",
    "TriggerCredentialSelector",
    "TriggerOperator",
    "TriggerOperatorParameter",
    "TriggerOperatorsResponse",
]


class TriggerCredentialSelector(GumloopModel):
    """Which stored credential an integration trigger uses.

    ``secret_id`` is masked in reprs.
    """

    secret_id: str
    is_personal_credential: bool = True


class IntegrationTriggerConfig(GumloopModel):
    """``integration`` block of a trigger create/update body."""

    operator_name: str
    parameters: dict[str, Any] = Field(default_factory=dict[str, Any])
    credentials_to_use: dict[str, TriggerCredentialSelector] = Field(
        default_factory=dict[str, TriggerCredentialSelector]
    )


class IntegrationTriggerPayload(GumloopModel):
    """``integration`` block as the server returns it."""

    operator_name: str
    operator_version: str
    parameters: dict[str, Any] = Field(default_factory=dict[str, Any])


class AgentTrigger(GumloopModel):
    """A trigger; ``webhook_url`` only appears on create and the dedicated endpoint."""

    id: str
    agent_id: str
    type: str
    name: str | None = None
    prompt: str | None = None
    cron_expression: str | None = None
    run_at: str | None = None
    timezone: str | None = None
    pass_raw_data: bool | None = None
    enabled: bool = False
    status: str | None = None
    max_failures: int | None = None
    webhook_url: str | None = None
    created_at: str | None = None
    last_run_at: str | None = None
    integration: IntegrationTriggerPayload | None = None


class AgentTriggerCreateRequest(GumloopModel):
    """Body of ``POST /agents/{id}/triggers``; ``cron_expression`` xor ``run_at`` for schedules."""

    type: Literal["schedule", "webhook", "integration"]
    prompt: str
    name: str | None = None
    cron_expression: str | None = None
    run_at: str | None = None
    timezone: str | None = None
    pass_raw_data: bool | None = None
    enabled: bool | None = None
    max_failures: int | None = None
    integration: IntegrationTriggerConfig | None = None


class AgentTriggerUpdateRequest(GumloopModel):
    """Body of ``PATCH /agents/{id}/triggers/{tid}``: only fields sent change."""

    prompt: str | None = None
    name: str | None = None
    cron_expression: str | None = None
    run_at: str | None = None
    timezone: str | None = None
    pass_raw_data: bool | None = None
    enabled: bool | None = None
    max_failures: int | None = None
    integration: IntegrationTriggerConfig | None = None


class AgentTriggerResponse(GumloopModel):
    """``{"trigger": AgentTrigger}``."""

    trigger: AgentTrigger


class AgentTriggersResponse(GumloopModel):
    """``{"agent_id", "triggers", "next_cursor"}``."""

    agent_id: str
    triggers: list[AgentTrigger] = Field(default_factory=list[AgentTrigger])
    next_cursor: str | None = None

    def page_items(self) -> list[AgentTrigger]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.triggers


class AgentTriggerDeleteResponse(GumloopModel):
    """``{"agent_id", "trigger_id", "deleted"}``."""

    agent_id: str
    trigger_id: str
    deleted: bool = False


class AgentTriggerWebhookUrlResponse(GumloopModel):
    """``{"agent_id", "trigger_id", "webhook_url"}``."""

    agent_id: str
    trigger_id: str
    webhook_url: str | None = None


class TriggerBackgroundTask(GumloopModel):
    """Background-task details of a trigger run."""

    type: str | None = None
    window_start: str | None = None
    window_end: str | None = None
    source_outcomes: list[dict[str, Any]] | None = None
    external_delivery_outcomes: dict[str, dict[str, Any]] | None = None
    suggested_action_ids: list[str] | None = None
    skip_reason: str | None = None
    meeting_reference: dict[str, Any] | None = None


class AgentTriggerRun(GumloopModel):
    """One run of a trigger."""

    gummie_trigger_run_id: str
    interaction_id: str | None = None
    state: str
    name: str | None = None
    message_id: str | None = None
    continuation_mode: str | None = None
    created_ts: str | None = None
    finished_ts: str | None = None
    duration_ms: int | None = None
    credit_cost: float | None = None
    delivery_refusal: str | None = None
    background_task: TriggerBackgroundTask | None = None


class AgentTriggerRunsResponse(GumloopModel):
    """``{"items": [AgentTriggerRun], "next_cursor"}``."""

    items: list[AgentTriggerRun] = Field(default_factory=list[AgentTriggerRun])
    next_cursor: str | None = None

    def page_items(self) -> list[AgentTriggerRun]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.items


class AgentTriggerStatsResponse(GumloopModel):
    """Run count and credits spent by a trigger."""

    run_count: int
    last_run_ts: str | None = None
    run_credits: float
    poll_credits: float
    total_credits: float


class TriggerOperatorParameter(GumloopModel):
    """A parameter an integration operator takes."""

    name: str
    data_type: str = "string"
    description: str = ""
    required: bool = False
    default_value: Any = None
    is_dynamic: bool = False
    is_hidden: bool = False


class TriggerOperator(GumloopModel):
    """An integration event an agent can be triggered by."""

    name: str
    display_name: str
    version: str
    description: str = ""
    category: str = ""
    credential_types: list[str] = Field(default_factory=list[str])
    parameters: list[TriggerOperatorParameter] = Field(
        default_factory=list[TriggerOperatorParameter]
    )


class TriggerOperatorsResponse(GumloopModel):
    """``{"operators": [TriggerOperator]}``."""

    operators: list[TriggerOperator] = Field(default_factory=list[TriggerOperator])
