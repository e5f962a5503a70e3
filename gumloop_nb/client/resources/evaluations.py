"""``client.evaluations``: organization-level evaluations of agent sessions."""

from __future__ import annotations

import builtins
from collections.abc import Generator, Mapping
from typing import Any

from typing_extensions import Unpack

from ... import types as t
from .. import _params
from .._endpoint import M, Resource, endpoint
from .._op import Op, RequestOptions
from ._util import get, merged, seg, send


class Evaluations(Resource[M]):
    @endpoint
    def options(self, /, **options: Unpack[RequestOptions]) -> Op[t.EvaluationOptionsResponse]:
        return get("/evaluation-options", t.EvaluationOptionsResponse)

    @endpoint
    def list(
        self,
        /,
        organization_id: str,
        *,
        page_size: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.EvaluationListResponse]:
        params = {"organization_id": organization_id, "page_size": page_size, "cursor": cursor}
        return get("/evaluations", t.EvaluationListResponse, params)

    @endpoint
    def create(
        self,
        /,
        request: t.EvaluationCreateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.EvaluationCreateParams],
    ) -> Op[t.EvaluationResponse]:
        body = merged(t.EvaluationCreateRequest, request, kwargs)
        return send("POST", "/evaluations", t.EvaluationResponse, body)

    @endpoint
    def retrieve(
        self, /, evaluation_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.EvaluationResponse]:
        return get(f"/evaluations/{seg(evaluation_id)}", t.EvaluationResponse)

    @endpoint
    def update(
        self,
        /,
        evaluation_id: str,
        request: t.EvaluationUpdateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.EvaluationUpdateParams],
    ) -> Op[t.EvaluationResponse]:
        body = merged(t.EvaluationUpdateRequest, request, kwargs)
        return send("PATCH", f"/evaluations/{seg(evaluation_id)}", t.EvaluationResponse, body)

    @endpoint
    def delete(
        self, /, evaluation_id: str, **options: Unpack[RequestOptions]
    ) -> Generator[Op[Any], Any, None]:
        yield Op("DELETE", f"/evaluations/{seg(evaluation_id)}")
        return None

    @endpoint
    def set_targets(
        self, /, evaluation_id: str, targets: builtins.list[Any], **options: Unpack[RequestOptions]
    ) -> Op[t.EvaluationTargetsResponse]:
        items = [
            x.model_dump(exclude_none=True) if hasattr(x, "model_dump") else x for x in targets
        ]
        path = f"/evaluations/{seg(evaluation_id)}/targets"
        return send("PUT", path, t.EvaluationTargetsResponse, {"targets": items})

    @endpoint
    def run(
        self,
        /,
        evaluation_id: str,
        session_ids: builtins.list[str],
        *,
        dry_run: bool = False,
        **options: Unpack[RequestOptions],
    ) -> Op[t.EvaluationRunResponse]:
        body = {"session_ids": list(session_ids), "dry_run": dry_run}
        return send("POST", f"/evaluations/{seg(evaluation_id)}/run", t.EvaluationRunResponse, body)

    @endpoint
    def list_results(
        self,
        /,
        evaluation_id: str,
        *,
        agent_id: str | None = None,
        session_id: str | None = None,
        grade: str | None = None,
        status: str | None = None,
        created_after: str | None = None,
        created_before: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.EvaluationResultRecordListResponse]:
        params = {
            "agent_id": agent_id,
            "session_id": session_id,
            "grade": grade,
            "status": status,
            "created_after": created_after,
            "created_before": created_before,
            "page_size": page_size,
            "cursor": cursor,
        }
        path = f"/evaluations/{seg(evaluation_id)}/results"
        return get(path, t.EvaluationResultRecordListResponse, params)

    @endpoint
    def get_result(
        self, /, evaluation_id: str, result_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.EvaluationResultRecordResponse]:
        path = f"/evaluations/{seg(evaluation_id)}/results/{seg(result_id)}"
        return get(path, t.EvaluationResultRecordResponse)

    @endpoint
    def metrics(
        self, /, evaluation_id: str, *, days: int | None = None, **options: Unpack[RequestOptions]
    ) -> Op[t.EvaluationMetricsResponse]:
        return get(
            f"/evaluations/{seg(evaluation_id)}/metrics",
            t.EvaluationMetricsResponse,
            {"days": days},
        )
