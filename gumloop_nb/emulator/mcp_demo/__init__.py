"""Demo MCP servers for the emulator: a real dataset, an unauthenticated mailbox, and utilities.

Shapes follow the contract (§7.1): ``list_servers()`` gives McpServer dicts, ``call_tool()``
gives a McpToolCallResult dict without ``ref``. Failures are per result, never exceptions::

    call_tool("datasets", "query", {"sql": "SELECT name FROM planets WHERE moons > 20"})
    # {"server_id": "datasets", "tool_name": "query", "status": "success", "error": None,
    #  "content": [{"type": "text", "text": '{"columns": ["name"], "rows": [...], ...}'}]}

Tool results that carry rows are always one text item holding JSON of the form
``{"columns": [...], "rows": [{column: value}, ...], "row_count": n, "truncated": bool}``.
The ``datasets`` server loads ``data/*.csv`` into an in-memory SQLite database on first use.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from ._datasets import (
    DATA_DIR,
    MAX_ROWS,
    TABLES,
    ToolFailure,
    tool_describe_table,
    tool_get_rows,
    tool_list_tables,
    tool_query,
)
from ._utilities import ZONES, tool_calculator, tool_current_time, tool_weather

__all__ = [
    "DATA_DIR",
    "call_tool",
    "get_prompt",
    "get_server",
    "list_accounts",
    "list_prompts",
    "list_resources",
    "list_servers",
    "list_tools",
    "read_resource",
]

_log = logging.getLogger(__name__)
_AUTH_BASE = "https://www.gumloop.com/settings/credentials"

# -- server and tool registry ----------------------------------------------------------------

_Handler = Callable[[dict[str, Any]], Any]


def _obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


_LIMIT_SCHEMA = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_ROWS,
    "default": 50,
    "description": "Maximum number of rows to return.",
}
_TABLE_SCHEMA = {"type": "string", "enum": list(TABLES), "description": "Table name."}

_TOOLS: dict[str, list[tuple[str, str, dict[str, Any], _Handler | None]]] = {
    "datasets": [
        (
            "list_tables",
            "List the tables of the demo datasets with their row counts.",
            _obj({}, []),
            tool_list_tables,
        ),
        (
            "describe_table",
            "Describe a table: columns, types, row count and sample rows.",
            _obj({"table": _TABLE_SCHEMA}, ["table"]),
            tool_describe_table,
        ),
        (
            "query",
            "Run one read-only SQL query (SELECT or WITH) against the demo datasets "
            "(SQLite dialect). Returns rows as JSON.",
            _obj(
                {
                    "sql": {
                        "type": "string",
                        "minLength": 1,
                        "description": "A single SELECT/WITH statement.",
                    },
                    "limit": _LIMIT_SCHEMA,
                },
                ["sql"],
            ),
            tool_query,
        ),
        (
            "get_rows",
            "Fetch rows from a table with equality or comparison filters.",
            _obj(
                {
                    "table": _TABLE_SCHEMA,
                    "filters": {
                        "type": "object",
                        "description": "Column -> value, or column -> "
                        "{op: value} with op in eq, ne, gt, gte, lt, lte, like.",
                        "additionalProperties": True,
                    },
                    "columns": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Columns to return (default: all).",
                    },
                    "order_by": {
                        "type": "string",
                        "description": "Column; prefix '-' for descending.",
                    },
                    "limit": _LIMIT_SCHEMA,
                },
                ["table"],
            ),
            tool_get_rows,
        ),
    ],
    "gmail": [
        (
            "read_emails",
            "Read recent emails from the connected Gmail inbox.",
            _obj(
                {
                    "max_results": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                    "query": {"type": "string", "description": "Gmail search, e.g. 'is:unread'."},
                    "label": {"type": "string", "default": "INBOX"},
                },
                [],
            ),
            None,
        ),
        (
            "send_email",
            "Send an email from the connected Gmail account.",
            _obj(
                {
                    "to": {
                        "type": "array",
                        "items": {"type": "string", "format": "email"},
                        "minItems": 1,
                    },
                    "subject": {"type": "string", "maxLength": 250},
                    "body": {"type": "string"},
                    "cc": {"type": "array", "items": {"type": "string", "format": "email"}},
                },
                ["to", "subject", "body"],
            ),
            None,
        ),
    ],
    "utils": [
        (
            "calculator",
            "Evaluate an arithmetic expression, e.g. '2 * (3 + 4) ** 2'.",
            _obj({"expression": {"type": "string", "minLength": 1}}, ["expression"]),
            tool_calculator,
        ),
        (
            "weather",
            "Current weather for a city (deterministic demo data).",
            _obj(
                {
                    "city": {"type": "string", "minLength": 1},
                    "unit": {
                        "type": "string",
                        "enum": ["celsius", "fahrenheit"],
                        "default": "celsius",
                    },
                },
                ["city"],
            ),
            tool_weather,
        ),
        (
            "current_time",
            "The current time in a timezone (the demo clock is fixed).",
            _obj({"timezone": {"type": "string", "enum": list(ZONES), "default": "UTC"}}, []),
            tool_current_time,
        ),
    ],
}

_SERVERS: dict[str, dict[str, Any]] = {
    "datasets": {
        "name": "Demo datasets",
        "type": "gumcp_server",
        "status": "connected",
        "description": "Read-only SQL over public-domain tables: the periodic table "
        "of the elements and the planets of the Solar System.",
    },
    "gmail": {
        "name": "Gmail",
        "type": "gumcp_server",
        "status": "unauthenticated",
        "description": "Read and send email. Not connected in the emulator: every call "
        "returns a per-result authentication error.",
    },
    "utils": {
        "name": "Demo utilities",
        "type": "gumcp_server",
        "status": "connected",
        "description": "A calculator, a deterministic weather service and a fixed clock.",
    },
}


def _auth_url(server_id: str) -> str:
    return f"{_AUTH_BASE}?connect={server_id}"


def list_servers() -> list[dict[str, Any]]:
    """Every demo server as an McpServer dict."""
    return [s for s in (get_server(sid) for sid in _SERVERS) if s is not None]


def get_server(server_id: str) -> dict[str, Any] | None:
    """One McpServer dict, or None if there is no such server."""
    meta = _SERVERS.get(server_id)
    if meta is None:
        return None
    tool_ids = [f"{server_id}__{name}" for name, *_ in _TOOLS[server_id]]
    return {
        "server_id": server_id,
        "name": meta["name"],
        "type": meta["type"],
        "status": meta["status"],
        "icon_url": f"https://www.gumloop.com/icons/mcp/{server_id}.svg",
        "description": meta["description"],
        "gumloop_auth_url": _auth_url(server_id),
        "mcp_url": f"https://mcp.gumloop.com/{server_id}/mcp",
        "tool_count": len(tool_ids),
        "allowed_tool_call_ids": tool_ids,
    }


def list_tools(server_id: str) -> list[dict[str, Any]]:
    """McpTool dicts of a server ([] if unknown). The unauthenticated server lists its tools
    too, so demos can show their schemas; calling them fails per result."""
    meta = _SERVERS.get(server_id)
    if meta is None:
        return []
    return [
        {
            "tool_call_id": f"{server_id}__{name}",
            "server_id": server_id,
            "server_type": meta["type"],
            "name": name,
            "description": description,
            "input_schema": json.loads(json.dumps(schema)),
            "server": {"server_id": server_id, "name": meta["name"], "type": meta["type"]},
        }
        for name, description, schema, _ in _TOOLS[server_id]
    ]


def _error(
    server_id: str, tool: str, status: str, code: str, message: str, kind: str
) -> dict[str, Any]:
    return {
        "server_id": server_id,
        "tool_name": tool,
        "status": status,
        "content": None,
        "error": {"code": code, "message": message, "type": kind, "param": None, "details": {}},
    }


def _check_arguments(schema: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Required keys present, no unknown keys, simple types right (enough for clear errors)."""
    props = schema.get("properties", {})
    missing = [k for k in schema.get("required", []) if k not in arguments]
    if missing:
        raise ToolFailure(f"Missing required argument(s): {', '.join(missing)}.")
    unknown = [k for k in arguments if k not in props]
    if unknown and schema.get("additionalProperties") is False:
        raise ToolFailure(
            f"Unknown argument(s): {', '.join(unknown)}. Expected: {', '.join(props) or 'none'}."
        )
    kinds = {"string": str, "integer": int, "object": dict, "array": list}
    for key, value in arguments.items():
        want = props.get(key, {}).get("type")
        expected = kinds.get(want) if isinstance(want, str) else None
        if expected and (not isinstance(value, expected) or isinstance(value, bool)):
            raise ToolFailure(f"Argument '{key}' must be of type {want}.")
        allowed = props.get(key, {}).get("enum")
        if allowed and value not in allowed:
            raise ToolFailure(
                f"Argument '{key}' is {value!r}; it must be one of: {', '.join(map(str, allowed))}."
            )


def call_tool(server_id: str, tool_name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Run one tool call; every outcome is a McpToolCallResult-shaped dict (without ``ref``)."""
    meta = _SERVERS.get(server_id)
    if meta is None:
        return _error(
            server_id,
            tool_name,
            "error",
            "tool_not_allowed",
            f"Unknown MCP server '{server_id}'. Available servers: {', '.join(_SERVERS)}.",
            "invalid_request_error",
        )
    tools = {name: (schema, handler) for name, _, schema, handler in _TOOLS[server_id]}
    if tool_name not in tools:
        return _error(
            server_id,
            tool_name,
            "error",
            "tool_not_allowed",
            f"Server '{server_id}' has no tool '{tool_name}'. Its tools: {', '.join(tools)}.",
            "invalid_request_error",
        )
    if meta["status"] != "connected":
        return _error(
            server_id,
            tool_name,
            "unauthenticated",
            "auth_required",
            f"Connect {meta['name']} at {_auth_url(server_id)} and try again; "
            "this account has not authorised it yet.",
            "authentication_error",
        )
    schema, handler = tools[tool_name]
    if not isinstance(arguments, dict):
        return _error(
            server_id,
            tool_name,
            "error",
            "tool_execution_failed",
            "Tool arguments must be a JSON object.",
            "tool_error",
        )
    try:
        _check_arguments(schema, arguments)
        assert handler is not None
        value = handler(arguments)
        text = json.dumps(value, ensure_ascii=False)
    except ToolFailure as exc:
        return _error(
            server_id, tool_name, "error", "tool_execution_failed", str(exc), "tool_error"
        )
    except Exception:  # a bug in a demo tool must stay a per-result error, like a real server's
        _log.exception("demo MCP tool %s/%s failed", server_id, tool_name)
        return _error(
            server_id,
            tool_name,
            "error",
            "mcp_tool_error",
            f"The demo tool '{tool_name}' failed unexpectedly; see the emulator log.",
            "tool_error",
        )
    return {
        "server_id": server_id,
        "tool_name": tool_name,
        "status": "success",
        "content": [{"type": "text", "text": text}],
        "error": None,
    }


# -- resources, prompts, accounts --------------------------------------------------------------


def list_resources(server_id: str) -> list[dict[str, Any]]:
    """McpResource dicts: the CSV files behind the datasets server ([] elsewhere)."""
    if server_id != "datasets":
        return []
    return [
        {
            "uri": f"dataset://{table}.csv",
            "name": f"{table}.csv",
            "title": table.capitalize(),
            "description": description,
            "mime_type": "text/csv",
            "size": (DATA_DIR / f"{table}.csv").stat().st_size,
            "server_id": server_id,
        }
        for table, description in TABLES.items()
    ]


def read_resource(server_id: str, uri: str) -> list[dict[str, Any]] | None:
    """The resource's contents (``[{uri, mime_type, text}]``), or None when unknown."""
    if server_id != "datasets":
        return None
    match = re.fullmatch(r"dataset://(\w+)\.csv", uri)
    if not match or match.group(1) not in TABLES:
        return None
    text = (DATA_DIR / f"{match.group(1)}.csv").read_text(encoding="utf-8")
    return [{"uri": uri, "mime_type": "text/csv", "text": text}]


_PROMPTS = {
    "explore_table": (
        "Explore a demo table: describe it, then answer a question with SQL.",
        [
            {"name": "table", "description": "elements or planets", "required": True},
            {"name": "question", "description": "What you want to know", "required": False},
        ],
    ),
}


def list_prompts(server_id: str) -> list[dict[str, Any]]:
    """Prompt templates of a server ([] when it has none)."""
    if server_id != "datasets":
        return []
    return [
        {
            "name": name,
            "description": desc,
            "arguments": json.loads(json.dumps(args)),
            "server_id": server_id,
        }
        for name, (desc, args) in _PROMPTS.items()
    ]


def get_prompt(server_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
    """A rendered prompt, or None for an unknown server/prompt. A missing ``table`` falls
    back to ``elements`` so the prompt always renders."""
    if server_id != "datasets" or name not in _PROMPTS:
        return None
    args = arguments if isinstance(arguments, dict) else {}
    table = str(args.get("table") or "elements")
    question = str(args.get("question") or "What are the most interesting patterns?")
    text = (
        f"Use the datasets tools to explore the '{table}' table. First call describe_table "
        f"with table='{table}', then write one read-only SQL query with the query tool to "
        f"answer: {question} Show the SQL you ran and summarise the rows you got."
    )
    return {
        "server_id": server_id,
        "name": name,
        "description": _PROMPTS[name][0],
        "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
    }


def list_accounts(server_id: str) -> list[dict[str, Any]]:
    """Connected accounts of a server: one demo account on connected servers, none otherwise."""
    meta = _SERVERS.get(server_id)
    if meta is None or meta["status"] != "connected":
        return []
    return [
        {
            "id": f"acct_demo_{server_id}",
            "label": "Demo workspace",
            "is_default": True,
            "in_use": True,
        }
    ]
