"""Artifact models (§7.3): files agents produce, their versions and downloads."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import GumloopModel
from ._common import CreatorPayload

__all__ = [
    "Artifact",
    "ArtifactDeletedResponse",
    "ArtifactDownloadResponse",
    "ArtifactListResponse",
    "ArtifactNameResponse",
    "ArtifactPasswordResponse",
    "ArtifactVersion",
    "ArtifactVersionsResponse",
]


class Artifact(GumloopModel):
    """A file an agent produced; ``metadata`` usually has ``media_type`` and ``size``."""

    id: str
    version_id: str | None = None
    major_version: int | None = None
    agent_id: str | None = None
    session_id: str | None = None
    filename: str | None = None
    created_at: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict[str, Any])
    url: str | None = None
    creator: CreatorPayload | None = None


class ArtifactListResponse(GumloopModel):
    """``{"artifacts": [Artifact], "next_cursor"}``."""

    artifacts: list[Artifact] = Field(default_factory=list[Artifact])
    next_cursor: str | None = None

    def page_items(self) -> list[Artifact]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.artifacts


class ArtifactDownloadResponse(GumloopModel):
    """A signed ``download_url``; fetch the bytes from it with a plain GET (no auth)."""

    download_url: str
    filename: str | None = None
    media_type: str | None = None
    size: int | None = None


class ArtifactVersion(GumloopModel):
    """One stored version of an artifact."""

    version_id: str
    major_version: int | None = None
    created_ts: str | None = None
    is_deployed: bool | None = None
    is_current: bool | None = None
    filename: str | None = None
    media_type: str | None = None
    size: int | None = None


class ArtifactVersionsResponse(GumloopModel):
    """``{"versions": [ArtifactVersion]}``."""

    versions: list[ArtifactVersion] = Field(default_factory=list[ArtifactVersion])


class ArtifactDeletedResponse(GumloopModel):
    """``{"deleted": bool}``."""

    deleted: bool


class ArtifactNameResponse(GumloopModel):
    """``{"name"}`` after a rename (``None`` = reset to the file name)."""

    name: str | None = None


class ArtifactPasswordResponse(GumloopModel):
    """``{"success": bool}`` after setting a password."""

    success: bool
