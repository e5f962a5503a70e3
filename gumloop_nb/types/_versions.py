"""Agent version models (§6.1.3): summaries, full compositions and change sets."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ._base import GumloopModel
from ._common import CreatorPayload

__all__ = [
    "AgentVersion",
    "AgentVersionChanges",
    "AgentVersionCollectionItemChange",
    "AgentVersionComposition",
    "AgentVersionFieldChange",
    "AgentVersionKnowledgeSource",
    "AgentVersionKnowledgeSourceChange",
    "AgentVersionResponse",
    "AgentVersionSkillChange",
    "AgentVersionSummary",
    "AgentVersionTextFieldChange",
    "AgentVersionTextHunk",
    "AgentVersionsResponse",
]


class AgentVersionSummary(GumloopModel):
    """One entry of an agent's version list."""

    id: str
    agent_id: str
    major_version: int
    name: str
    is_deployed: bool | None = None
    created_at: str | None = None
    creator: CreatorPayload | None = None


class AgentVersionKnowledgeSource(GumloopModel):
    """A knowledge source as recorded in a version."""

    connector_id: str
    config: dict[str, Any] | None = None


class AgentVersionComposition(GumloopModel):
    """Everything a version pins: prompt, model, tools, resources, skills, knowledge."""

    complete: bool
    schema_version: int | None = None
    name: str
    description: str | None = None
    model_name: str
    system_prompt: str | None = None
    tools: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])
    resources: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])
    metadata: dict[str, Any] = Field(default_factory=dict[str, Any])
    skill_ids: list[str] | None = None
    knowledge_sources: list[AgentVersionKnowledgeSource] | None = None


class AgentVersion(AgentVersionSummary):
    """A full version: the summary plus its ``composition``."""

    composition: AgentVersionComposition


class AgentVersionFieldChange(GumloopModel):
    """A scalar/structured field that changed: old and new values."""

    field: str
    status: str
    old_value: Any
    new_value: Any


class AgentVersionTextHunk(GumloopModel):
    """One hunk of a text diff (line ranges and texts)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    old_text: str
    new_text: str


class AgentVersionTextFieldChange(GumloopModel):
    """A long text field that changed, as diff hunks."""

    field: str
    status: str
    text_hunks: list[AgentVersionTextHunk]


class AgentVersionCollectionItemChange(GumloopModel):
    """A tool that was added, removed, moved or edited."""

    identity: dict[str, Any]
    status: str
    old_position: int | None = None
    new_position: int | None = None
    old_value: Any = None
    new_value: Any = None
    field_changes: list[AgentVersionFieldChange] = Field(
        default_factory=list[AgentVersionFieldChange]
    )


class AgentVersionSkillChange(GumloopModel):
    """A skill attached or detached between versions."""

    skill_id: str
    status: str


class AgentVersionKnowledgeSourceChange(GumloopModel):
    """A knowledge source whose attachment or scope changed."""

    connector_id: str
    status: str
    old_config: Any
    new_config: Any
    field_changes: list[AgentVersionFieldChange] = Field(
        default_factory=list[AgentVersionFieldChange]
    )


class AgentVersionChanges(GumloopModel):
    """What changed relative to ``base_version_id``."""

    base_version_id: str
    attachment_changes_complete: bool
    # Text diffs carry ``text_hunks``; trying that shape first keeps them typed.
    field_changes: list[
        Annotated[
            AgentVersionTextFieldChange | AgentVersionFieldChange,
            Field(union_mode="left_to_right"),
        ]
    ] = Field(default_factory=list[AgentVersionTextFieldChange | AgentVersionFieldChange])
    tool_changes: list[AgentVersionCollectionItemChange] = Field(
        default_factory=list[AgentVersionCollectionItemChange]
    )
    skill_changes: list[AgentVersionSkillChange] = Field(
        default_factory=list[AgentVersionSkillChange]
    )
    knowledge_source_changes: list[AgentVersionKnowledgeSourceChange] = Field(
        default_factory=list[AgentVersionKnowledgeSourceChange]
    )


class AgentVersionResponse(GumloopModel):
    """``{"version": AgentVersion, "changes": AgentVersionChanges | null}``."""

    version: AgentVersion
    changes: AgentVersionChanges | None = None


class AgentVersionsResponse(GumloopModel):
    """``{"versions": [AgentVersionSummary], "next_cursor"}``."""

    versions: list[AgentVersionSummary] = Field(default_factory=list[AgentVersionSummary])
    next_cursor: str | None = None

    def page_items(self) -> list[AgentVersionSummary]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.versions
