"""Agent models (§6.1-§6.3): the agent object, its tools, metadata sections, abilities, knowledge
sources and the create/update bodies.

0.4.7 returned ``Agent.tools``, ``Agent.metadata`` and ``AgentMcpServerResponse.mcp_server`` as
plain dicts; here they are typed models that still answer ``obj["key"]`` / ``obj.get("key")``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ._base import GumloopModel
from ._common import CreatorPayload
from ._triggers import AgentTrigger

__all__ = [
    "AbilityToggle",
    "Agent",
    "AgentAbilities",
    "AgentAbilitiesResponse",
    "AgentAbilitiesUpdateRequest",
    "AgentAppRule",
    "AgentAppRulesResponse",
    "AgentArtifactSetting",
    "AgentCompactionSetting",
    "AgentCreateRequest",
    "AgentCreationSetting",
    "AgentDeleteResponse",
    "AgentEmailSetting",
    "AgentEnabledSetting",
    "AgentFallbackSetting",
    "AgentImageGenerationSetting",
    "AgentIncognito",
    "AgentKnowledgeSource",
    "AgentKnowledgeSourceAttachment",
    "AgentKnowledgeSourceDetachResponse",
    "AgentKnowledgeSourceResponse",
    "AgentKnowledgeSourcesResponse",
    "AgentListResponse",
    "AgentMcpServerDetachResponse",
    "AgentMcpServerResponse",
    "AgentMcpServersResponse",
    "AgentMetadata",
    "AgentResponse",
    "AgentSelfImprovementSetting",
    "AgentSkillsResponse",
    "AgentSlackSetting",
    "AgentSubagentSetting",
    "AgentSubagentsResponse",
    "AgentSuggestedPrompt",
    "AgentSuggestedPromptServer",
    "AgentTool",
    "AgentToolApprovalSetting",
    "AgentToolDiscoverySetting",
    "AgentUpdateRequest",
    "AgentVoiceSetting",
    "BrowserAbility",
    "ImageGenerationAbility",
    "KnowledgeScopeRule",
    "KnowledgeSourceScope",
    "ProviderAbility",
    "ToolDiscoveryAbility",
]

ApprovalMode = Literal["inherit", "off", "all", "write", "custom"]


# --- tools ------------------------------------------------------------------------------------


class AgentTool(GumloopModel):
    """One entry of ``Agent.tools``: an MCP server, a native ability or a remembered approval.

    ``secret_id`` is never echoed by the server and is masked in reprs.
    """

    type: str | None = None
    name: str | None = None
    server_id: str | None = None
    secret_id: str | None = None
    saved_item_id: str | None = None
    credentials_to_use: dict[str, dict[str, Any]] | None = None
    credential_mode: Literal["end_user", "agent_owned"] | None = None
    approval_mode: ApprovalMode | None = None
    tool_approval_modes: dict[str, str] | None = None
    restricted_tools: list[str] | None = None
    is_incognito: bool | None = None
    is_disabled: bool | None = None
    metadata: dict[str, Any] | None = None


# --- metadata sections ------------------------------------------------------------------------


class AgentSuggestedPromptServer(GumloopModel):
    """A server a suggested prompt relies on."""

    server_id: str
    server_type: str


class AgentSuggestedPrompt(GumloopModel):
    """A starter prompt shown to users of the agent."""

    title: str
    message: str
    icon: str | None = None
    servers: list[AgentSuggestedPromptServer] | None = None


class AgentCompactionSetting(GumloopModel):
    """``metadata.compaction``: how long conversations are summarised."""

    override_auto_compaction: bool | None = None
    summary_model: str | None = None
    context_limit: int | None = None
    output_reserve_tokens: int | None = None
    prune_protect_tokens: int | None = None
    summary_max_tokens: int | None = None
    proactive_trigger_percent: int | None = None


class AgentFallbackSetting(GumloopModel):
    """``metadata.fallback``: models to try when the main one fails."""

    enabled: bool | None = None
    override_auto_fallback: bool | None = None
    fallback_models: list[str] | None = None


class AgentImageGenerationSetting(GumloopModel):
    """``metadata.image_generation``."""

    model: str | None = None


class AgentCreationSetting(GumloopModel):
    """``metadata.skills`` / ``triggers`` / ``app_rules``: may the agent create them."""

    creation_enabled: bool | None = None


class AgentEnabledSetting(GumloopModel):
    """An on/off metadata section (``app_discovery``, ``self_modification``)."""

    enabled: bool | None = None


class AgentToolDiscoverySetting(GumloopModel):
    """``metadata.tool_discovery``."""

    mode: Literal["auto", "enabled"] | None = None


class AgentToolApprovalSetting(GumloopModel):
    """``metadata.tool_approval``: default approval policy for tool calls."""

    default_mode: ApprovalMode | None = None
    reason: str | None = None
    approver_user_id: str | None = None


class AgentSelfImprovementSetting(GumloopModel):
    """``metadata.self_improvement``."""

    enabled: bool | None = None
    cron_expression: str | None = None
    timezone: str | None = None


class AgentSubagentSetting(GumloopModel):
    """``metadata.subagent``."""

    allow_self_clone: bool | None = None
    allowed_gummie_ids: list[str] | None = None


class AgentArtifactSetting(GumloopModel):
    """``metadata.artifacts``."""

    default_access: Literal["default", "organization", "anyone"] | None = None


class AgentVoiceSetting(GumloopModel):
    """``metadata.voice``."""

    enabled: bool | None = None
    voice: str | None = None


class AgentSlackSetting(GumloopModel):
    """``metadata.slack``."""

    thread_response_trigger: str | None = None
    attribution_stamp_enabled: bool | None = None
    show_detailed_steps: bool | None = None


class AgentEmailSetting(GumloopModel):
    """``metadata.email``."""

    attribution_stamp_enabled: bool | None = None


class AgentMetadata(GumloopModel):
    """``Agent.metadata``: optional sections; unknown sections are kept as extras."""

    icon_url: str | None = None
    suggested_prompts: list[AgentSuggestedPrompt] | None = None
    max_steps: int | float | None = None
    model_settings: dict[str, Any] | None = None
    compaction: AgentCompactionSetting | None = None
    fallback: AgentFallbackSetting | None = None
    image_generation: AgentImageGenerationSetting | None = None
    skills: AgentCreationSetting | None = None
    triggers: AgentCreationSetting | None = None
    app_rules: AgentCreationSetting | None = None
    app_discovery: AgentEnabledSetting | None = None
    tool_discovery: AgentToolDiscoverySetting | None = None
    tool_approval: AgentToolApprovalSetting | None = None
    self_modification: AgentEnabledSetting | None = None
    self_improvement: AgentSelfImprovementSetting | None = None
    subagent: AgentSubagentSetting | None = None
    artifacts: AgentArtifactSetting | None = None
    voice: AgentVoiceSetting | None = None
    slack: AgentSlackSetting | None = None
    email: AgentEmailSetting | None = None


# --- abilities --------------------------------------------------------------------------------


class AbilityToggle(GumloopModel):
    """An ability that is simply on or off."""

    enabled: bool


class ProviderAbility(GumloopModel):
    """``web_search`` / ``web_fetch`` with an optional provider."""

    enabled: bool
    provider: str | None = None


class ImageGenerationAbility(GumloopModel):
    """``image_generation`` with an optional model."""

    enabled: bool
    model: str | None = None


class ToolDiscoveryAbility(GumloopModel):
    """``tool_discovery`` mode."""

    mode: Literal["auto", "enabled"]


class BrowserAbility(GumloopModel):
    """``browser`` ability: proxy country and stored profile."""

    enabled: bool
    proxy_country: str | None = None
    profile_id: str | None = None


class AgentAbilities(GumloopModel):
    """The agent's native abilities."""

    web_search: ProviderAbility | None = None
    web_fetch: ProviderAbility | None = None
    image_generation: ImageGenerationAbility | None = None
    search_past_conversations: AbilityToggle | None = None
    ask_question: AbilityToggle | None = None
    tool_discovery: ToolDiscoveryAbility | None = None
    manage_evaluations: AbilityToggle | None = None
    browser: BrowserAbility | None = None


class AgentAbilitiesUpdateRequest(AgentAbilities):
    """Body of ``PATCH /agents/{id}/abilities``; ``version`` guards against concurrent edits."""

    version: int | None = None


class AgentAbilitiesResponse(GumloopModel):
    """``{"agent_id", "abilities", "version"?}``."""

    agent_id: str
    abilities: AgentAbilities
    version: int | None = None


# --- incognito and knowledge sources ----------------------------------------------------------


class AgentIncognito(GumloopModel):
    """``Agent.incognito``: whether every session of the agent is incognito."""

    enforced: bool = False


class KnowledgeScopeRule(GumloopModel):
    """One container or document included in / excluded from a knowledge source."""

    type: Literal["container", "document"]
    id: str
    name: str | None = None


class KnowledgeSourceScope(GumloopModel):
    """Which part of a Brain source an agent may use."""

    mode: Literal["denylist", "include_only"] | None = None
    inclusions: list[KnowledgeScopeRule] | None = None
    exclusions: list[KnowledgeScopeRule] | None = None


class AgentKnowledgeSource(GumloopModel):
    """A Brain source attached to an agent; ``config=None`` means the whole source."""

    connector_id: str
    config: KnowledgeSourceScope | None = None


class AgentKnowledgeSourceAttachment(AgentKnowledgeSource):
    """A knowledge source given in an agent create body."""


class AgentKnowledgeSourcesResponse(GumloopModel):
    """``{"agent_id", "knowledge_sources"}``."""

    agent_id: str
    knowledge_sources: list[AgentKnowledgeSource] = Field(
        default_factory=list[AgentKnowledgeSource]
    )


class AgentKnowledgeSourceResponse(GumloopModel):
    """``{"agent_id", "knowledge_source", "outcome"}`` after an attach."""

    agent_id: str
    knowledge_source: AgentKnowledgeSource
    outcome: str


class AgentKnowledgeSourceDetachResponse(GumloopModel):
    """``{"agent_id", "connector_id", "detached"}``."""

    agent_id: str
    connector_id: str
    detached: bool = False


# --- the agent --------------------------------------------------------------------------------


class Agent(GumloopModel):
    """An agent ("gummie"): model, prompt, tools, skills and settings."""

    id: str
    name: str
    description: str | None = None
    team_id: str | None = None
    is_active: bool = False
    tools: list[AgentTool] = Field(default_factory=list[AgentTool])
    resources: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])
    skill_ids: list[str] | None = None
    abilities: AgentAbilities | None = None
    incognito: AgentIncognito = Field(default_factory=AgentIncognito)
    knowledge_sources: list[AgentKnowledgeSource] | None = None
    triggers: list[AgentTrigger] | None = None
    version: int | None = None
    metadata: AgentMetadata = Field(default_factory=AgentMetadata)
    model_name: str | None = None
    system_prompt: str | None = None
    folder_id: str | None = None
    type: str | None = None
    created_at: str | None = None
    last_used_at: str | None = None
    last_updated_at: str | None = None
    active_trigger_count: int | None = None
    creator: CreatorPayload | None = None


class AgentResponse(GumloopModel):
    """``{"agent": Agent}``."""

    agent: Agent


class AgentListResponse(GumloopModel):
    """``{"agents": [Agent], "next_cursor"}``."""

    agents: list[Agent] = Field(default_factory=list[Agent])
    next_cursor: str | None = None

    def page_items(self) -> list[Agent]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.agents


class AgentCreateRequest(GumloopModel):
    """Body of ``POST /agents``. Only fields you set are sent; unknown keys pass through.

    Example::

        AgentCreateRequest.build(name="Research helper", model_name="claude-sonnet-4-5")
    """

    name: str
    model_name: str | None = None
    description: str | None = None
    system_prompt: str | None = None
    tools: list[AgentTool] = Field(default_factory=list[AgentTool])
    resources: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])
    skill_ids: list[str] | None = None
    knowledge_sources: list[AgentKnowledgeSourceAttachment] | None = None
    metadata: AgentMetadata | None = None
    folder_id: str | None = None
    is_active: bool = True
    agent_id: str | None = None
    team_id: str | None = None
    incognito: bool = False


class AgentUpdateRequest(GumloopModel):
    """Body of ``PATCH /agents/{id}``: partial; ``tools`` replaces the whole list."""

    name: str | None = None
    model_name: str | None = None
    description: str | None = None
    system_prompt: str | None = None
    tools: list[AgentTool] | None = None
    resources: list[dict[str, Any]] | None = None
    metadata: AgentMetadata | None = None
    is_active: bool | None = None
    team_id: str | None = None
    version: int | None = None


class AgentDeleteResponse(GumloopModel):
    """``{"agent_id", "deleted"}``."""

    agent_id: str
    deleted: bool = False


# --- attachments ------------------------------------------------------------------------------


class AgentSkillsResponse(GumloopModel):
    """Result of attaching/detaching skills; replays land in ``already_*``."""

    agent_id: str
    skill_ids: list[str] = Field(default_factory=list[str])
    attached: list[str] = Field(default_factory=list[str])
    detached: list[str] = Field(default_factory=list[str])
    already_attached: list[str] = Field(default_factory=list[str])
    already_detached: list[str] = Field(default_factory=list[str])


class AgentMcpServerResponse(GumloopModel):
    """Result of ``PUT /agents/{id}/mcp-servers/{server_id}``; ``created`` is true on first attach."""

    agent_id: str
    mcp_server: AgentTool | None = None
    created: bool = False
    auth_status: str | None = None
    version: int | None = None


class AgentMcpServerDetachResponse(GumloopModel):
    """``{"agent_id", "server_id", "detached"}``; ``detached`` is false the second time."""

    agent_id: str
    server_id: str
    detached: bool = False


class AgentMcpServersResponse(GumloopModel):
    """``{"agent_id", "mcp_servers": [AgentTool]}``."""

    agent_id: str
    mcp_servers: list[AgentTool] = Field(default_factory=list[AgentTool])


class AgentSubagentsResponse(GumloopModel):
    """``{"agent_id", "subagent_ids", "changed"}``."""

    agent_id: str
    subagent_ids: list[str] = Field(default_factory=list[str])
    changed: bool = False


class AgentAppRule(GumloopModel):
    """One app rule of an agent."""

    id: str
    name: str | None = None
    description: str | None = None
    status: str | None = None
    server_id: str | None = None
    config: dict[str, Any] = Field(default_factory=dict[str, Any])
    priority: int | None = None


class AgentAppRulesResponse(GumloopModel):
    """``{"agent_id", "app_rules"}``."""

    agent_id: str
    app_rules: list[AgentAppRule] = Field(default_factory=list[AgentAppRule])
