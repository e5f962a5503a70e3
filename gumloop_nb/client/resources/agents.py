"""``client.agents``: agents, their versions, attachments, triggers and evaluations."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from ... import types as t
from .. import _params
from .._endpoint import M, Pages, Resource, endpoint, pager
from .._op import Op, RequestOptions, drop_none
from ._util import get, merged, seg, send


def _ids(value: str | list[str] | tuple[str, ...]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class Agents(Resource[M]):
    # -- core ------------------------------------------------------------------------------
    @endpoint
    def list(
        self, /, *, search: str | None = None, team_id: str | None = None, **kwargs: Any
    ) -> Op[t.AgentListResponse]:
        """One page of agents; pass ``cursor=resp.next_cursor`` for the next (or use ``iter_all``)."""
        return get("/agents", t.AgentListResponse, {"search": search, "team_id": team_id, **kwargs})

    @pager
    def iter_all(
        self, /, *, search: str | None = None, team_id: str | None = None, **kwargs: Any
    ) -> Pages[t.Agent]:
        """Every agent across pages (``max_items=N`` stops early)."""
        params = {"search": search, "team_id": team_id, **kwargs}
        return Pages(
            lambda cursor: get("/agents", t.AgentListResponse, {**params, "cursor": cursor}),
            "agents",
            t.Agent,
        )

    @endpoint
    def create(
        self,
        /,
        request: t.AgentCreateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.AgentCreateParams],
    ) -> Op[t.AgentResponse]:
        body = merged(t.AgentCreateRequest, request, kwargs)
        team = self._client.team_id
        if team and "team_id" not in body:
            body["team_id"] = team
        return send("POST", "/agents", t.AgentResponse, body)

    @endpoint
    def retrieve(self, /, agent_id: str, **options: Unpack[RequestOptions]) -> Op[t.AgentResponse]:
        return get(f"/agents/{seg(agent_id)}", t.AgentResponse)

    @endpoint
    def update(
        self,
        /,
        agent_id: str,
        request: t.AgentUpdateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.AgentUpdateParams],
    ) -> Op[t.AgentResponse]:
        body = merged(t.AgentUpdateRequest, request, kwargs)
        return send("PATCH", f"/agents/{seg(agent_id)}", t.AgentResponse, body)

    @endpoint
    def delete(
        self, /, agent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentDeleteResponse]:
        return Op(
            "DELETE",
            f"/agents/{seg(agent_id)}",
            parse=t.AgentDeleteResponse.model_validate,
            empty={"agent_id": agent_id, "deleted": True},
        )

    # -- versions --------------------------------------------------------------------------
    @endpoint
    def list_versions(
        self,
        /,
        agent_id: str,
        *,
        page_size: int | None = None,
        cursor: str | None = None,
        team_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.AgentVersionsResponse]:
        params = {"page_size": page_size, "cursor": cursor, "team_id": team_id}
        return get(f"/agents/{seg(agent_id)}/versions", t.AgentVersionsResponse, params)

    @endpoint
    def get_version(
        self,
        /,
        agent_id: str,
        version_id: str,
        *,
        team_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.AgentVersionResponse]:
        path = f"/agents/{seg(agent_id)}/versions/{seg(version_id)}"
        return get(path, t.AgentVersionResponse, {"team_id": team_id})

    # -- skills and MCP servers ------------------------------------------------------------
    @endpoint
    def attach_skills(
        self,
        /,
        agent_id: str,
        skill_ids: str | builtins.list[str],
        **options: Unpack[RequestOptions],
    ) -> Op[t.AgentSkillsResponse]:
        body = {"attach": _ids(skill_ids)}
        return send("PATCH", f"/agents/{seg(agent_id)}/skills", t.AgentSkillsResponse, body)

    @endpoint
    def detach_skills(
        self,
        /,
        agent_id: str,
        skill_ids: str | builtins.list[str],
        **options: Unpack[RequestOptions],
    ) -> Op[t.AgentSkillsResponse]:
        body = {"detach": _ids(skill_ids)}
        return send("PATCH", f"/agents/{seg(agent_id)}/skills", t.AgentSkillsResponse, body)

    @endpoint
    def list_skills(self, /, agent_id: str, **kwargs: Any) -> Op[t.SkillListResponse]:
        return get("/skills", t.SkillListResponse, {"agent_id": agent_id, **kwargs})

    @endpoint
    def attach_mcp_server(
        self, /, agent_id: str, server_id: str, **config: Any
    ) -> Op[t.AgentMcpServerResponse]:
        path = f"/agents/{seg(agent_id)}/mcp-servers/{seg(server_id)}"
        return send("PUT", path, t.AgentMcpServerResponse, drop_none(config))

    @endpoint
    def detach_mcp_server(
        self, /, agent_id: str, server_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentMcpServerDetachResponse]:
        path = f"/agents/{seg(agent_id)}/mcp-servers/{seg(server_id)}"
        return Op("DELETE", path, parse=t.AgentMcpServerDetachResponse.model_validate)

    @endpoint
    def list_mcp_servers(
        self, /, agent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentMcpServersResponse]:
        return get(f"/agents/{seg(agent_id)}/mcp-servers", t.AgentMcpServersResponse)

    # -- abilities, incognito, knowledge, subagents, app rules ------------------------------
    @endpoint
    def update_abilities(
        self,
        /,
        agent_id: str,
        request: t.AgentAbilitiesUpdateRequest | Mapping[str, Any] | None = None,
        **abilities: Unpack[_params.AgentAbilitiesParams],
    ) -> Op[t.AgentAbilitiesResponse]:
        body = merged(t.AgentAbilitiesUpdateRequest, request, abilities)
        return send("PATCH", f"/agents/{seg(agent_id)}/abilities", t.AgentAbilitiesResponse, body)

    @endpoint
    def set_incognito(
        self, /, agent_id: str, enforced: bool, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentResponse]:
        body = {"enforced": bool(enforced)}
        return send("PATCH", f"/agents/{seg(agent_id)}/incognito", t.AgentResponse, body)

    @endpoint
    def list_knowledge_sources(
        self, /, agent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentKnowledgeSourcesResponse]:
        return get(f"/agents/{seg(agent_id)}/knowledge-sources", t.AgentKnowledgeSourcesResponse)

    @endpoint
    def attach_knowledge_source(
        self,
        /,
        agent_id: str,
        connector_id: str,
        *,
        config: Any = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.AgentKnowledgeSourceResponse]:
        if config is not None and hasattr(config, "model_dump"):
            config = config.model_dump(exclude_unset=True, by_alias=True, mode="json")
        path = f"/agents/{seg(agent_id)}/knowledge-sources/{seg(connector_id)}"
        return send("PUT", path, t.AgentKnowledgeSourceResponse, {"config": config})

    @endpoint
    def detach_knowledge_source(
        self, /, agent_id: str, connector_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentKnowledgeSourceDetachResponse]:
        path = f"/agents/{seg(agent_id)}/knowledge-sources/{seg(connector_id)}"
        return Op("DELETE", path, parse=t.AgentKnowledgeSourceDetachResponse.model_validate)

    @endpoint
    def attach_subagent(
        self, /, agent_id: str, subagent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentSubagentsResponse]:
        path = f"/agents/{seg(agent_id)}/subagents/{seg(subagent_id)}"
        return Op("PUT", path, parse=t.AgentSubagentsResponse.model_validate)

    @endpoint
    def detach_subagent(
        self, /, agent_id: str, subagent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentSubagentsResponse]:
        path = f"/agents/{seg(agent_id)}/subagents/{seg(subagent_id)}"
        return Op("DELETE", path, parse=t.AgentSubagentsResponse.model_validate)

    @endpoint
    def list_app_rules(
        self, /, agent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentAppRulesResponse]:
        return get(f"/agents/{seg(agent_id)}/app-rules", t.AgentAppRulesResponse)

    # -- triggers --------------------------------------------------------------------------
    @endpoint
    def list_triggers(
        self,
        /,
        agent_id: str,
        *,
        page_size: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.AgentTriggersResponse]:
        params = {"page_size": page_size, "cursor": cursor}
        return get(f"/agents/{seg(agent_id)}/triggers", t.AgentTriggersResponse, params)

    @endpoint
    def create_trigger(
        self,
        /,
        agent_id: str,
        request: t.AgentTriggerCreateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.AgentTriggerCreateParams],
    ) -> Op[t.AgentTriggerResponse]:
        body = merged(t.AgentTriggerCreateRequest, request, kwargs)
        return send("POST", f"/agents/{seg(agent_id)}/triggers", t.AgentTriggerResponse, body)

    @endpoint
    def get_trigger(
        self, /, agent_id: str, trigger_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentTriggerResponse]:
        return get(f"/agents/{seg(agent_id)}/triggers/{seg(trigger_id)}", t.AgentTriggerResponse)

    @endpoint
    def update_trigger(
        self,
        /,
        agent_id: str,
        trigger_id: str,
        request: t.AgentTriggerUpdateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.AgentTriggerUpdateParams],
    ) -> Op[t.AgentTriggerResponse]:
        body = merged(t.AgentTriggerUpdateRequest, request, kwargs)
        path = f"/agents/{seg(agent_id)}/triggers/{seg(trigger_id)}"
        return send("PATCH", path, t.AgentTriggerResponse, body)

    @endpoint
    def delete_trigger(
        self, /, agent_id: str, trigger_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentTriggerDeleteResponse]:
        path = f"/agents/{seg(agent_id)}/triggers/{seg(trigger_id)}"
        return Op("DELETE", path, parse=t.AgentTriggerDeleteResponse.model_validate)

    @endpoint
    def get_trigger_webhook_url(
        self, /, agent_id: str, trigger_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentTriggerWebhookUrlResponse]:
        path = f"/agents/{seg(agent_id)}/triggers/{seg(trigger_id)}/webhook-url"
        return get(path, t.AgentTriggerWebhookUrlResponse)

    @endpoint
    def list_trigger_runs(
        self,
        /,
        agent_id: str,
        trigger_id: str,
        *,
        page_size: int | None = None,
        cursor: str | None = None,
        states: builtins.list[str] | str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.AgentTriggerRunsResponse]:
        state = ",".join(states) if isinstance(states, (list, tuple)) else states
        path = f"/agents/{seg(agent_id)}/triggers/{seg(trigger_id)}/runs"
        params = {"page_size": page_size, "cursor": cursor, "state": state}
        return get(path, t.AgentTriggerRunsResponse, params)

    @endpoint
    def get_trigger_stats(
        self, /, agent_id: str, trigger_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentTriggerStatsResponse]:
        path = f"/agents/{seg(agent_id)}/triggers/{seg(trigger_id)}/stats"
        return get(path, t.AgentTriggerStatsResponse)

    @endpoint
    def list_trigger_operators(
        self, /, agent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.TriggerOperatorsResponse]:
        return get(f"/agents/{seg(agent_id)}/trigger-operators", t.TriggerOperatorsResponse)

    # -- evaluation ------------------------------------------------------------------------
    @endpoint
    def get_evaluation_options(
        self, /, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentEvaluationOptionsResponse]:
        return get("/agents/evaluation-options", t.AgentEvaluationOptionsResponse)

    @endpoint
    def get_evaluation_config(
        self, /, agent_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.EvaluationConfigResponse]:
        return get(f"/agents/{seg(agent_id)}/evaluation-config", t.EvaluationConfigResponse)

    @endpoint
    def update_evaluation_config(
        self,
        /,
        agent_id: str,
        request: t.EvaluationConfigUpdateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.EvaluationConfigUpdateParams],
    ) -> Op[t.EvaluationConfigResponse]:
        body = merged(t.EvaluationConfigUpdateRequest, request, kwargs)
        path = f"/agents/{seg(agent_id)}/evaluation-config"
        return send("PATCH", path, t.EvaluationConfigResponse, body)

    @endpoint
    def list_evaluations(
        self,
        /,
        agent_id: str,
        *,
        grade: str | None = None,
        status: str | None = None,
        created_after: str | None = None,
        created_before: str | None = None,
        session_id: str | None = None,
        organization_evaluation_id: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        **kwargs: Any,
    ) -> Op[t.EvaluationResultListResponse]:
        params = {
            "grade": grade,
            "status": status,
            "created_after": created_after,
            "created_before": created_before,
            "session_id": session_id,
            "organization_evaluation_id": organization_evaluation_id,
            "page_size": page_size,
            "cursor": cursor,
            **kwargs,
        }
        return get(f"/agents/{seg(agent_id)}/evaluations", t.EvaluationResultListResponse, params)

    @endpoint
    def get_evaluation(
        self, /, agent_id: str, evaluation_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.EvaluationResultResponse]:
        path = f"/agents/{seg(agent_id)}/evaluations/{seg(evaluation_id)}"
        return get(path, t.EvaluationResultResponse)

    @endpoint
    def get_evaluation_metrics(
        self, /, agent_id: str, days: int = 30, **options: Unpack[RequestOptions]
    ) -> Op[t.AgentEvaluationMetricsResponse]:
        path = f"/agents/{seg(agent_id)}/evaluations/metrics"
        return get(path, t.AgentEvaluationMetricsResponse, {"days": days})

    @endpoint
    def run_evaluations(
        self,
        /,
        agent_id: str,
        request: t.EvaluationRunRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.EvaluationRunParams],
    ) -> Op[t.EvaluationRunResponse]:
        body = merged(t.EvaluationRunRequest, request, kwargs)
        path = f"/agents/{seg(agent_id)}/evaluations/run"
        return send("POST", path, t.EvaluationRunResponse, body)
