"""Brain (company knowledge) models (§7.6): search, sources, sync runs and files."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ._base import GumloopModel

__all__ = [
    "BrainFile",
    "BrainFileDeleteResponse",
    "BrainFileListResponse",
    "BrainFileRejection",
    "BrainFileUploadResponse",
    "BrainSearchRequest",
    "BrainSearchResponse",
    "BrainSearchResult",
    "BrainSource",
    "BrainSourceChild",
    "BrainSourceChildrenResponse",
    "BrainSourceCreateRequest",
    "BrainSourceDeleteResponse",
    "BrainSourceEstimate",
    "BrainSourceEstimateResponse",
    "BrainSourceHistoryResponse",
    "BrainSourceIssue",
    "BrainSourceIssuesResponse",
    "BrainSourceListResponse",
    "BrainSourceResponse",
    "BrainSourceSyncResponse",
    "BrainSourceSyncRun",
]


class BrainSearchRequest(GumloopModel):
    """Body of ``POST /brain/search``; ``source_type``, when given, must not be empty.

    Example::

        BrainSearchRequest.build(query="onboarding", limit=3, source_type=["notion"])
    """

    query: str
    limit: int | None = None
    source_type: list[str] | None = Field(default=None, min_length=1)


class BrainSearchResult(GumloopModel):
    """One search hit."""

    document_id: str | None = None
    source: str | None = None
    title: str | None = None
    content: str | None = None
    url: str | None = None
    score: float | None = None
    updated_at: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    parent_title: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict[str, Any])


class BrainSearchResponse(GumloopModel):
    """``{"results": [BrainSearchResult]}``."""

    results: list[BrainSearchResult] = Field(default_factory=list[BrainSearchResult])


class BrainSource(GumloopModel):
    """A connected knowledge source (Notion, Drive, uploads, ...)."""

    id: str
    name: str
    source_type: str
    status: str
    scope: str
    team_id: str | None = None
    created_by_user_id: str | None = None
    created_at: str | None = None


class BrainSourceListResponse(GumloopModel):
    """``{"sources", "next_cursor"}``."""

    sources: list[BrainSource] = Field(default_factory=list[BrainSource])
    next_cursor: str | None = None

    def page_items(self) -> list[BrainSource]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.sources


class BrainSourceResponse(GumloopModel):
    """``{"source": BrainSource}``."""

    source: BrainSource


class BrainSourceCreateRequest(GumloopModel):
    """Body of ``POST /brain/sources``."""

    name: str
    source_type: str | None = None
    scope: str | None = None
    team_id: str | None = None
    require_approval: bool | None = None


class BrainSourceDeleteResponse(GumloopModel):
    """``{"deleted": bool}``."""

    deleted: bool


class BrainSourceSyncResponse(GumloopModel):
    """``{"source_id", "status": "queued", "sync_run_id"?}``."""

    source_id: str
    status: Literal["queued"]
    sync_run_id: str | None = None


class BrainSourceSyncRun(GumloopModel):
    """One sync run of a source."""

    sync_run_id: str
    source_id: str | None = None
    connector_id: str
    status: str
    trigger: str
    sync_mode: str
    coverage_status: str
    budget_status: str
    docs_seen: int = 0
    docs_changed: int = 0
    docs_deleted: int = 0
    docs_skipped: int = 0
    chunks_indexed: int = 0
    total_units: int | None = None
    units_processed: int = 0
    progress_unit: str | None = None
    error_code: str | None = None
    created_ts: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    credit_cost: float = 0
    require_approval: bool = False
    estimated_credits: float | None = None
    estimated_tokens: int | None = None
    estimate_is_sampled: bool | None = None
    estimated_documents_sampled: int | None = None
    estimated_documents_total: int | None = None


class BrainSourceHistoryResponse(GumloopModel):
    """``{"items": [BrainSourceSyncRun], "next_cursor"}``."""

    items: list[BrainSourceSyncRun] = Field(default_factory=list[BrainSourceSyncRun])
    next_cursor: str | None = None

    def page_items(self) -> list[BrainSourceSyncRun]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.items


class BrainSourceIssue(GumloopModel):
    """A document the last sync could not index (or chose to skip)."""

    source_item_key: str
    title: str | None = None
    url: str | None = None
    status: str
    error: str | None = None
    skip_reason: str | None = None
    verdict: str | None = None
    hidden_from_search: bool = False
    updated_ts: str | None = None
    details_hidden: bool = False


class BrainSourceIssuesResponse(GumloopModel):
    """``{"items": [BrainSourceIssue], "next_cursor"}``."""

    items: list[BrainSourceIssue] = Field(default_factory=list[BrainSourceIssue])
    next_cursor: str | None = None

    def page_items(self) -> list[BrainSourceIssue]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.items


class BrainSourceChild(GumloopModel):
    """A container or document inside a source."""

    document_id: str
    title: str
    kind: str
    is_document: bool
    child_count: int | None = None
    descendant_doc_count: int | None = None
    retrieval_count: int = 0
    url: str | None = None
    updated_at: str | None = None
    status: str
    error: str | None = None
    ancestors: list[str] = Field(default_factory=list[str])


class BrainSourceChildrenResponse(GumloopModel):
    """One page of a source's children under ``parent_id``."""

    source_id: str | None = None
    connector_id: str
    parent_id: str | None = None
    items: list[BrainSourceChild] = Field(default_factory=list[BrainSourceChild])
    total_count: int | None = None
    next_cursor: str | None = None
    has_more: bool = False

    def page_items(self) -> list[BrainSourceChild]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.items


class BrainSourceEstimate(GumloopModel):
    """Estimated cost of syncing a source."""

    sync_run_id: str
    status: str
    estimated_tokens: int
    estimated_credits: int
    document_count: int


class BrainSourceEstimateResponse(GumloopModel):
    """``{"source_id", "status", "estimate"?}``."""

    source_id: str
    status: str
    estimate: BrainSourceEstimate | None = None


class BrainFile(GumloopModel):
    """A file uploaded to a direct-upload source."""

    id: str
    file_name: str
    mime_type: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    status: str
    error: str | None = None
    document_id: str | None = None
    created_at: str | None = None
    indexed_at: str | None = None


class BrainFileListResponse(GumloopModel):
    """``{"files", "next_cursor"}``."""

    files: list[BrainFile] = Field(default_factory=list[BrainFile])
    next_cursor: str | None = None

    def page_items(self) -> list[BrainFile]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.files


class BrainFileRejection(GumloopModel):
    """A file an upload refused, and why."""

    file_name: str
    error: str


class BrainFileUploadResponse(GumloopModel):
    """``{"files", "rejected", "sync_run_id"?}``."""

    files: list[BrainFile] = Field(default_factory=list[BrainFile])
    rejected: list[BrainFileRejection] = Field(default_factory=list[BrainFileRejection])
    sync_run_id: str | None = None


class BrainFileDeleteResponse(GumloopModel):
    """``{"deleted": bool}``."""

    deleted: bool
