"""Skill models (§7.2): skills, lists, downloads and deletes."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import GumloopModel
from ._common import CreatorPayload

__all__ = [
    "Skill",
    "SkillDeleteResponse",
    "SkillDownloadResponse",
    "SkillListResponse",
    "SkillResponse",
]


class Skill(GumloopModel):
    """A skill: a ``SKILL.md`` (plus files) an agent can load."""

    id: str
    name: str
    description: str
    team_id: str
    created_at: str | None = None
    updated_at: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict[str, Any])
    usage_count: int | None = None
    view_count: int | None = None
    last_used_at: str | None = None
    version_id: str | None = None
    major_version: int | None = None
    is_deployed: bool | None = None
    version_created_at: str | None = None
    creator: CreatorPayload | None = None


class SkillListResponse(GumloopModel):
    """``{"skills": [Skill], "next_cursor", "total_count"?}``."""

    skills: list[Skill] = Field(default_factory=list[Skill])
    next_cursor: str | None = None
    total_count: int | None = None

    def page_items(self) -> list[Skill]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.skills


class SkillResponse(GumloopModel):
    """``{"skill": Skill}``."""

    skill: Skill


class SkillDeleteResponse(GumloopModel):
    """``{"deleted": true}`` (the client synthesises it for an empty 204)."""

    deleted: bool


class SkillDownloadResponse(GumloopModel):
    """A short-lived signed ``download_url`` to the skill's zip."""

    download_url: str
    filename: str
    media_type: str
    size: int | None = None
    id: str
    version_id: str | None = None
    major_version: int | None = None
