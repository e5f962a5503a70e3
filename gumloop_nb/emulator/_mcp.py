"""MCP endpoints (contract §7.1); the content comes from `gumloop_nb.emulator.mcp_demo`."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._http import ApiError, field, json_body, ok

__all__ = ["ROUTES"]


def _server(server_id: str) -> dict[str, Any]:
    from . import mcp_demo

    server = mcp_demo.get_server(server_id)
    if server is None:
        raise ApiError(
            404,
            "mcp_server_not_found",
            f"No MCP server with id '{server_id}'. List servers with GET /mcp/servers.",
            type="not_found_error",
        )
    return server


def _status_fields(server: dict[str, Any]) -> dict[str, Any]:
    return {
        "server_id": server["server_id"],
        "status": server.get("status"),
        "gumloop_auth_url": server.get("gumloop_auth_url"),
    }


async def list_servers(request: Request) -> Response:
    from . import mcp_demo

    return ok({"servers": mcp_demo.list_servers()})


async def get_server(request: Request) -> Response:
    return ok({"server": _server(request.path_params["server_id"])})


async def list_tools(request: Request) -> Response:
    from . import mcp_demo

    server = _server(request.path_params["server_id"])
    tools = mcp_demo.list_tools(server["server_id"]) if server.get("status") == "connected" else []
    return ok({"tools": tools, **_status_fields(server)})


async def list_resources(request: Request) -> Response:
    from . import mcp_demo

    server = _server(request.path_params["server_id"])
    resources = mcp_demo.list_resources(server["server_id"])
    return ok({"resources": resources, "next_cursor": None, **_status_fields(server)})


async def read_resource(request: Request) -> Response:
    from . import mcp_demo

    server = _server(request.path_params["server_id"])
    uri = request.query_params.get("uri")
    if not uri:
        raise ApiError(
            400, "invalid_request", "The query parameter 'uri' is required.", param="uri"
        )
    contents = mcp_demo.read_resource(server["server_id"], uri)
    if contents is None:
        raise ApiError(
            404,
            "resource_not_found",
            f"Server '{server['server_id']}' has no resource '{uri}'.",
            type="not_found_error",
            param="uri",
        )
    return ok({"server_id": server["server_id"], "uri": uri, "contents": contents})


async def list_prompts(request: Request) -> Response:
    from . import mcp_demo

    server = _server(request.path_params["server_id"])
    return ok({"prompts": mcp_demo.list_prompts(server["server_id"]), **_status_fields(server)})


async def get_prompt(request: Request) -> Response:
    from . import mcp_demo

    server = _server(request.path_params["server_id"])
    body = await json_body(request)
    name = field(body, "name", str, required=True)
    arguments = field(body, "arguments", dict) or {}
    prompt = mcp_demo.get_prompt(server["server_id"], name, arguments)
    if prompt is None:
        raise ApiError(
            404,
            "prompt_not_found",
            f"Server '{server['server_id']}' has no prompt '{name}'.",
            type="not_found_error",
            param="name",
        )
    return ok({"server_id": server["server_id"], "name": name, **prompt})


async def list_accounts(request: Request) -> Response:
    from . import mcp_demo

    server = _server(request.path_params["server_id"])
    getter = getattr(mcp_demo, "list_accounts", None)
    accounts = getter(server["server_id"]) if getter else []
    return ok({"server_id": server["server_id"], "accounts": accounts})


def _check_call(index: int, call: Any) -> dict[str, Any]:
    where = f"calls[{index}]"
    if not isinstance(call, dict):
        raise ApiError(400, "invalid_request", f"{where} must be an object.", param=where)
    for key in ("server_id", "tool_name"):
        if not isinstance(call.get(key), str) or not call[key]:
            raise ApiError(
                400,
                "invalid_request",
                f"{where}.{key} is required (a string).",
                param=f"{where}.{key}",
            )
    if call.get("arguments") is not None and not isinstance(call["arguments"], dict):
        raise ApiError(
            400,
            "invalid_request",
            f"{where}.arguments must be an object.",
            param=f"{where}.arguments",
        )
    return call


async def call_tools(request: Request) -> Response:
    from . import mcp_demo

    body = await json_body(request)
    calls = field(body, "calls", list, required=True)
    if not 1 <= len(calls) <= 5:
        raise ApiError(
            400,
            "invalid_request",
            f"Send between 1 and 5 calls per request (got {len(calls)}); split the batch.",
            param="calls",
        )
    checked = [_check_call(i, c) for i, c in enumerate(calls)]

    async def one(index: int, call: dict[str, Any]) -> dict[str, Any]:
        ref = call.get("ref")
        try:
            result = await asyncio.to_thread(
                mcp_demo.call_tool,
                call["server_id"],
                call["tool_name"],
                call.get("arguments") or {},
            )
        except Exception as exc:  # a demo tool bug is a per-result failure, not a 500
            result = {
                "status": "error",
                "content": None,
                "error": {
                    "code": "tool_execution_failed",
                    "message": str(exc),
                    "type": "api_error",
                },
            }
        return {
            "ref": str(ref) if ref is not None else str(index),
            "server_id": call["server_id"],
            "tool_name": call["tool_name"],
            "status": result.get("status", "error"),
            "content": result.get("content"),
            "error": result.get("error"),
        }

    results = await asyncio.gather(*(one(i, c) for i, c in enumerate(checked)))
    succeeded = {r["status"] == "success" for r in results}
    return ok({"results": results}, 207 if len(succeeded) > 1 else 200)


_S = "/api/v1/mcp/servers/{server_id}"
ROUTES = [
    Route("/api/v1/mcp/servers", list_servers, methods=["GET"]),
    Route(_S, get_server, methods=["GET"]),
    Route(_S + "/tools", list_tools, methods=["GET"]),
    Route(_S + "/resources", list_resources, methods=["GET"]),
    Route(_S + "/resources/read", read_resource, methods=["GET"]),
    Route(_S + "/prompts", list_prompts, methods=["GET"]),
    Route(_S + "/prompts/get", get_prompt, methods=["POST"]),
    Route(_S + "/accounts", list_accounts, methods=["GET"]),
    Route("/api/v1/mcp/tools/call", call_tools, methods=["POST"]),
]
