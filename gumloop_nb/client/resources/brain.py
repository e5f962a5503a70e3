"""``client.brain``: search company knowledge, and manage its sources and files."""

from __future__ import annotations

from typing import Any

from typing_extensions import Unpack

from ... import types as t
from .. import _params
from .._endpoint import M, Resource, endpoint
from .._op import Op, RequestOptions, model_parser
from ._util import get, merged, seg, send
from .skills import FileSpec, file_parts


class Brain(Resource[M]):
    @endpoint
    def search(
        self,
        /,
        query: str,
        *,
        limit: int | None = None,
        source_type: list[str] | None = None,
        **kwargs: Unpack[_params.BrainSearchParams],
    ) -> Op[t.BrainSearchResponse]:
        """Search connected knowledge (Notion, Drive, Slack, ...); ``limit`` 1-50."""
        body = merged(
            t.BrainSearchRequest,
            None,
            {"query": query, "limit": limit, "source_type": source_type, **kwargs},
        )
        return send("POST", "/brain/search", t.BrainSearchResponse, body, idempotent=True)

    @endpoint
    def list_sources(
        self,
        /,
        *,
        source_type: str | None = None,
        scope: str | None = None,
        team_id: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        **kwargs: Any,
    ) -> Op[t.BrainSourceListResponse]:
        params = {
            "source_type": source_type,
            "scope": scope,
            "team_id": team_id,
            "page_size": page_size,
            "cursor": cursor,
            **kwargs,
        }
        return get("/brain/sources", t.BrainSourceListResponse, params)

    @endpoint
    def create_source(
        self,
        /,
        name: str,
        *,
        scope: str | None = None,
        team_id: str | None = None,
        require_approval: bool | None = None,
        **kwargs: Unpack[_params.BrainSourceCreateParams],
    ) -> Op[t.BrainSourceResponse]:
        body = merged(
            t.BrainSourceCreateRequest,
            None,
            {
                "name": name,
                "scope": scope,
                "team_id": team_id,
                "require_approval": require_approval,
                **kwargs,
            },
        )
        return send("POST", "/brain/sources", t.BrainSourceResponse, body)

    @endpoint
    def get_source(
        self, /, source_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.BrainSourceResponse]:
        return get(f"/brain/sources/{seg(source_id)}", t.BrainSourceResponse)

    @endpoint
    def delete_source(
        self, /, source_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.BrainSourceDeleteResponse]:
        return Op(
            "DELETE",
            f"/brain/sources/{seg(source_id)}",
            parse=model_parser(t.BrainSourceDeleteResponse),
        )

    @endpoint
    def sync_source(
        self, /, source_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.BrainSourceSyncResponse]:
        return send("POST", f"/brain/sources/{seg(source_id)}/sync", t.BrainSourceSyncResponse, {})

    @endpoint
    def approve_source(
        self, /, source_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.BrainSourceResponse]:
        return send("POST", f"/brain/sources/{seg(source_id)}/approve", t.BrainSourceResponse, {})

    @endpoint
    def get_estimate(
        self, /, source_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.BrainSourceEstimateResponse]:
        return get(f"/brain/sources/{seg(source_id)}/estimate", t.BrainSourceEstimateResponse)

    @endpoint
    def list_sync_runs(
        self,
        /,
        source_id: str,
        *,
        page_size: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.BrainSourceHistoryResponse]:
        return get(
            f"/brain/sources/{seg(source_id)}/sync-runs",
            t.BrainSourceHistoryResponse,
            {"page_size": page_size, "cursor": cursor},
        )

    @endpoint
    def list_source_issues(
        self,
        /,
        source_id: str,
        *,
        page_size: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.BrainSourceIssuesResponse]:
        return get(
            f"/brain/sources/{seg(source_id)}/issues",
            t.BrainSourceIssuesResponse,
            {"page_size": page_size, "cursor": cursor},
        )

    @endpoint
    def list_source_children(
        self,
        /,
        source_id: str,
        *,
        parent_id: str | None = None,
        query: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.BrainSourceChildrenResponse]:
        params = {"parent_id": parent_id, "query": query, "page_size": page_size, "cursor": cursor}
        return get(
            f"/brain/sources/{seg(source_id)}/children", t.BrainSourceChildrenResponse, params
        )

    @endpoint
    def list_files(
        self,
        /,
        source_id: str,
        *,
        page_size: int | None = None,
        cursor: str | None = None,
        **kwargs: Any,
    ) -> Op[t.BrainFileListResponse]:
        params = {"page_size": page_size, "cursor": cursor, **kwargs}
        return get(f"/brain/sources/{seg(source_id)}/files", t.BrainFileListResponse, params)

    @endpoint
    def upload_files(
        self, /, source_id: str, files: FileSpec, **options: Unpack[RequestOptions]
    ) -> Op[t.BrainFileUploadResponse]:
        return Op(
            "POST",
            f"/brain/sources/{seg(source_id)}/files",
            files=file_parts(files),
            parse=model_parser(t.BrainFileUploadResponse),
        )

    @endpoint
    def delete_file(
        self, /, source_id: str, file_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.BrainFileDeleteResponse]:
        return Op(
            "DELETE",
            f"/brain/sources/{seg(source_id)}/files/{seg(file_id)}",
            parse=model_parser(t.BrainFileDeleteResponse),
        )
