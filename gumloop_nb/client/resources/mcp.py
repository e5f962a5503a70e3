"""``client.mcp``: MCP servers, their tools, resources and prompts, and tool calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from typing_extensions import Unpack

from ... import types as t
from ...errors import GumloopError
from .._endpoint import M, Resource, endpoint
from .._op import Op, RequestOptions, drop_none, model_parser
from ._util import get, seg, send

MAX_CALLS = 5


def _call_dict(call: Any) -> dict[str, Any]:
    if isinstance(call, Mapping):
        return dict(cast("Mapping[str, Any]", call))
    if hasattr(call, "model_dump"):
        return dict(call.model_dump(exclude_none=True, by_alias=True, mode="json"))
    raise TypeError(f"an MCP call must be a dict or McpToolCallRequest, not {type(call).__name__}")


class Mcp(Resource[M]):
    @endpoint
    def list_servers(
        self, /, *, team_id: str | None = None, **kwargs: Any
    ) -> Op[t.McpServersResponse]:
        return get("/mcp/servers", t.McpServersResponse, {"team_id": team_id, **kwargs})

    @endpoint
    def get_server(
        self, /, server_id: str, *, team_id: str | None = None, **kwargs: Any
    ) -> Op[t.McpServerResponse]:
        params = {"team_id": team_id, **kwargs}
        return get(f"/mcp/servers/{seg(server_id)}", t.McpServerResponse, params)

    @endpoint
    def list_accounts(
        self, /, server_id: str, *, team_id: str | None = None, **options: Unpack[RequestOptions]
    ) -> Op[t.McpServerAccountsResponse]:
        path = f"/mcp/servers/{seg(server_id)}/accounts"
        return get(path, t.McpServerAccountsResponse, {"team_id": team_id})

    @endpoint
    def list_tools(
        self, /, server_id: str, *, team_id: str | None = None, **kwargs: Any
    ) -> Op[t.McpToolsResponse]:
        path = f"/mcp/servers/{seg(server_id)}/tools"
        return get(path, t.McpToolsResponse, {"team_id": team_id, **kwargs})

    @endpoint
    def list_resources(
        self,
        /,
        server_id: str,
        *,
        cursor: str | None = None,
        team_id: str | None = None,
        **kwargs: Any,
    ) -> Op[t.McpResourcesResponse]:
        path = f"/mcp/servers/{seg(server_id)}/resources"
        return get(path, t.McpResourcesResponse, {"cursor": cursor, "team_id": team_id, **kwargs})

    @endpoint
    def get_resource(
        self, /, server_id: str, uri: str, *, team_id: str | None = None, **kwargs: Any
    ) -> Op[t.McpResourceReadResponse]:
        path = f"/mcp/servers/{seg(server_id)}/resources/read"
        return get(path, t.McpResourceReadResponse, {"uri": uri, "team_id": team_id, **kwargs})

    @endpoint
    def list_prompts(
        self, /, server_id: str, *, team_id: str | None = None, **kwargs: Any
    ) -> Op[t.McpPromptsResponse]:
        path = f"/mcp/servers/{seg(server_id)}/prompts"
        return get(path, t.McpPromptsResponse, {"team_id": team_id, **kwargs})

    @endpoint
    def get_prompt(
        self,
        /,
        server_id: str,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        *,
        team_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.McpPromptResponse]:
        body: dict[str, Any] = {"name": name, "arguments": dict(arguments or {})}
        team = team_id or self._client.team_id
        if team:
            body["team_id"] = team
        path = f"/mcp/servers/{seg(server_id)}/prompts/get"
        return send("POST", path, t.McpPromptResponse, body, idempotent=True)

    @endpoint
    def execute(
        self,
        /,
        server_id: str,
        tool_name: str,
        arguments: Mapping[str, Any] | None = None,
        *,
        ref: str | None = None,
        account: str | None = None,
        team_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.McpExecuteResponse]:
        """Call one tool. Failures are per result (``result.status``/``.error``), not exceptions."""
        call = drop_none(
            {
                "server_id": server_id,
                "tool_name": tool_name,
                "arguments": dict(arguments or {}),
                "ref": ref,
                "account": account,
            }
        )
        return self._call_op([call], team_id)

    @endpoint
    def execute_many(
        self,
        /,
        calls: Sequence[Any],
        *,
        team_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.McpExecuteResponse]:
        """Call 1 to 5 tools concurrently; results come back in call order, each with a status.

        The server answers 200 when all calls share an outcome and 207 when they are mixed;
        both are returned the same way: check each result's ``status``.
        """
        return self._call_op(list(calls), team_id)

    def _call_op(self, calls: list[Any], team_id: str | None) -> Op[t.McpExecuteResponse]:
        if not calls:
            raise ValueError("execute_many() needs at least one call; the list is empty")
        if len(calls) > MAX_CALLS:
            raise ValueError(
                f"execute_many() takes at most {MAX_CALLS} calls per request, got {len(calls)}: "
                "split them into batches"
            )
        body: dict[str, Any] = {"calls": [_call_dict(c) for c in calls]}
        if any("account" in c for c in body["calls"]) and not self._client._has_credential():
            raise GumloopError("Selecting an MCP account needs a bearer token (access_token=...).")
        team = team_id or self._client.team_id
        if team:
            body["team_id"] = team
        # Tool calls may have side effects (sending mail): never repeated after the server saw them.
        return Op(
            "POST",
            "/mcp/tools/call",
            json=body,
            parse=model_parser(t.McpExecuteResponse),
            idempotent=False,
        )

    def close(self) -> None:
        """Nothing to release: tool calls share the client's connection pool (the official
        SDK's direct sandbox transport is not used). Kept for drop-in compatibility."""

    async def aclose(self) -> None:
        """Async counterpart of :meth:`close` (nothing to release)."""
