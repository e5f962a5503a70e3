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

import ast
import csv
import hashlib
import json
import logging
import math
import operator
import re
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
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
_DATA = Path(__file__).with_name("data")
_AUTH_BASE = "https://www.gumloop.com/settings/credentials"
_MAX_ROWS = 200
_TABLES = {
    "elements": "The 118 chemical elements: atomic number, symbol, name, standard atomic mass, "
    "group, period, block, category, phase at STP and year of discovery (empty = antiquity).",
    "planets": "The eight planets of the Solar System: radius, mass (Earth = 1), mean distance "
    "(AU), orbital period (days), number of confirmed moons and rings.",
}

# -- the dataset database ---------------------------------------------------------------------

_db_lock = threading.Lock()
_db: sqlite3.Connection | None = None


def _convert(values: list[str]) -> tuple[str, list[Any]]:
    """SQL type and converted values for one CSV column (empty cells become NULL)."""
    present = [v for v in values if v != ""]

    def _all(pattern: str) -> bool:
        return all(re.fullmatch(pattern, v) for v in present)

    if present and _all(r"-?\d+"):
        return "INTEGER", [int(v) if v else None for v in values]
    if present and _all(r"-?\d+(\.\d+)?"):
        return "REAL", [float(v) if v else None for v in values]
    if present and all(v in ("true", "false") for v in present):
        return "BOOLEAN", [(v == "true") if v else None for v in values]
    return "TEXT", [v if v else None for v in values]


def _authorize(action: int, arg1: Any, arg2: Any, db: Any, source: Any) -> int:
    # Reads only: anything that would write, attach or change settings is denied.
    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
    recursive = getattr(sqlite3, "SQLITE_RECURSIVE", None)
    if recursive is not None:
        allowed.add(recursive)
    return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY


def _database() -> sqlite3.Connection:
    global _db
    with _db_lock:
        if _db is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            for table in _TABLES:
                with open(_DATA / f"{table}.csv", newline="", encoding="utf-8") as fh:
                    header, *records = list(csv.reader(fh))
                columns = [_convert([r[i] for r in records]) for i in range(len(header))]
                ddl = ", ".join(f'"{h}" {t}' for h, (t, _) in zip(header, columns, strict=True))
                conn.execute(f'CREATE TABLE "{table}" ({ddl})')
                rows = list(zip(*(vals for _, vals in columns), strict=True))
                marks = ", ".join("?" for _ in header)
                conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
            conn.commit()
            conn.execute("PRAGMA query_only = ON")
            limit_length = getattr(sqlite3, "SQLITE_LIMIT_LENGTH", None)
            if limit_length is not None and hasattr(conn, "setlimit"):
                # Python 3.11+: cap string/blob sizes so zeroblob(1e9) cannot eat the memory.
                conn.setlimit(limit_length, 1_000_000)
            conn.set_authorizer(_authorize)
            _db = conn
        return _db


class _ToolFailure(Exception):
    """A tool-level failure that becomes a per-result error."""


def _run_select(sql: str, params: list[Any], limit: int) -> dict[str, Any]:
    conn = _database()
    steps = [0]

    def _budget() -> int:
        steps[0] += 1
        return 1 if steps[0] > 2000 else 0  # about 2 million VM steps, then abort

    with _db_lock:
        conn.set_progress_handler(_budget, 1000)
        try:
            cursor = conn.execute(sql, params)
            fetched = cursor.fetchmany(limit + 1)
            columns = [d[0] for d in cursor.description or []]
        except (sqlite3.Error, sqlite3.Warning) as exc:
            text = str(exc).rstrip(".")
            if "interrupted" in text:
                text = "the query ran too long and was stopped; add a LIMIT or simplify it"
            elif "not authorized" in text or "prohibited" in text or "readonly" in text:
                text = "only read-only SELECT queries are allowed on the demo datasets"
            raise _ToolFailure(f"The query failed: {text}.") from None
        finally:
            conn.set_progress_handler(None, 0)
    rows = [{c: _jsonable(v) for c, v in zip(columns, row, strict=True)} for row in fetched[:limit]]
    return {
        "columns": columns,
        "rows": rows,
        "row_count": len(rows),
        "truncated": len(fetched) > limit,
    }


def _jsonable(value: Any) -> Any:
    """SQLite values as JSON values: blobs as hex text, non-finite floats as strings."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _table_columns(table: str) -> list[tuple[str, str]]:
    if table not in _TABLES:
        raise _ToolFailure(f"Unknown table '{table}'. Available tables: {', '.join(_TABLES)}.")
    conn = _database()
    with _db_lock:
        conn.set_authorizer(None)
        try:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        finally:
            conn.set_authorizer(_authorize)
    return [(row[1], row[2]) for row in info]


def _limit(arguments: dict[str, Any]) -> int:
    raw = arguments.get("limit", 50)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise _ToolFailure("'limit' must be a positive integer.")
    return min(raw, _MAX_ROWS)


def _tool_list_tables(arguments: dict[str, Any]) -> Any:
    tables = []
    for name, description in _TABLES.items():
        count = _run_select(f'SELECT COUNT(*) AS n FROM "{name}"', [], 1)["rows"][0]["n"]
        tables.append({"name": name, "row_count": count, "description": description})
    return {"tables": tables}


def _tool_describe_table(arguments: dict[str, Any]) -> Any:
    table = str(arguments.get("table", ""))
    columns = _table_columns(table)
    sample = _run_select(f'SELECT * FROM "{table}" LIMIT 3', [], 3)["rows"]
    count = _run_select(f'SELECT COUNT(*) AS n FROM "{table}"', [], 1)["rows"][0]["n"]
    return {
        "table": table,
        "description": _TABLES[table],
        "row_count": count,
        "columns": [{"name": n, "type": t} for n, t in columns],
        "sample_rows": sample,
    }


def _tool_query(arguments: dict[str, Any]) -> Any:
    sql = arguments.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise _ToolFailure("Pass the SQL to run as 'sql', e.g. SELECT * FROM elements LIMIT 5.")
    statement = sql.strip().rstrip(";").strip()
    first = re.match(r"\s*(\w+)", statement)
    if not first or first.group(1).upper() not in ("SELECT", "WITH"):
        raise _ToolFailure(
            "Only read-only queries are allowed: start with SELECT or WITH "
            "(INSERT, UPDATE, DELETE, CREATE, DROP and PRAGMA are refused)."
        )
    return _run_select(statement, [], _limit(arguments))


_OPS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "like": "LIKE"}


def _tool_get_rows(arguments: dict[str, Any]) -> Any:
    table = str(arguments.get("table", ""))
    known = [name for name, _ in _table_columns(table)]
    filters = arguments.get("filters") or {}
    if not isinstance(filters, dict):
        raise _ToolFailure("'filters' must be an object mapping column names to values.")
    where, params = [], []
    for column, condition in filters.items():
        if column not in known:
            raise _ToolFailure(
                f"Unknown column '{column}' in table '{table}'. Columns: {', '.join(known)}."
            )
        if isinstance(condition, dict):
            for op, value in condition.items():
                if op not in _OPS:
                    raise _ToolFailure(
                        f"Unknown filter operator '{op}'; use one of {', '.join(_OPS)}."
                    )
                where.append(f'"{column}" {_OPS[op]} ?')
                params.append(value)
        elif condition is None:
            where.append(f'"{column}" IS NULL')
        else:
            where.append(f'"{column}" = ?')
            params.append(condition)
    columns = arguments.get("columns") or known
    if not isinstance(columns, list) or any(c not in known for c in columns):
        raise _ToolFailure(f"'columns' must be a list of columns of '{table}': {', '.join(known)}.")
    sql = f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} FROM "{table}"'
    if where:
        sql += " WHERE " + " AND ".join(where)
    order_by = arguments.get("order_by")
    if order_by:
        desc = isinstance(order_by, str) and order_by.startswith("-")
        name = str(order_by).lstrip("-")
        if name not in known:
            raise _ToolFailure(f"Cannot order by unknown column '{name}'.")
        sql += f' ORDER BY "{name}"' + (" DESC" if desc else "")
    return _run_select(sql, params, _limit(arguments))


# -- utilities -----------------------------------------------------------------------------

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_FUNCS: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": round,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "min": min,
    "max": max,
}
_CONSTS = {"pi": math.pi, "e": math.e}


def _evaluate(node: ast.AST) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTS:
        return _CONSTS[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise _ToolFailure("Exponents above 100 are not supported by the demo calculator.")
        return _BINARY[type(node.op)](left, right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCS
        and not node.keywords
    ):
        return _FUNCS[node.func.id](*[_evaluate(a) for a in node.args])
    raise _ToolFailure(
        "The expression may only use numbers, + - * / // % **, parentheses, "
        f"pi, e and {', '.join(_FUNCS)}."
    )


def _tool_calculator(arguments: dict[str, Any]) -> Any:
    expression = str(arguments.get("expression", "")).replace("^", "**")
    if len(expression) > 200:
        raise _ToolFailure("The expression is too long (200 characters at most).")
    try:
        result = _evaluate(ast.parse(expression, mode="eval"))
    except SyntaxError:
        raise _ToolFailure(f"Could not parse the expression {expression!r}.") from None
    except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
        raise _ToolFailure(f"Could not evaluate {expression!r}: {exc}.") from None
    return {"expression": expression, "result": result}


_CONDITIONS = ["sunny", "partly cloudy", "cloudy", "light rain", "windy", "clear", "foggy"]


def _tool_weather(arguments: dict[str, Any]) -> Any:
    city = str(arguments.get("city", "")).strip()
    if not city:
        raise _ToolFailure("Pass a 'city', e.g. {'city': 'Paris'}.")
    seed = int(hashlib.sha256(city.lower().encode()).hexdigest()[:8], 16)
    celsius = seed % 31 - 3
    unit = arguments.get("unit", "celsius")
    temperature = round(celsius * 9 / 5 + 32) if unit == "fahrenheit" else celsius
    return {
        "city": city,
        "temperature": temperature,
        "unit": "fahrenheit" if unit == "fahrenheit" else "celsius",
        "conditions": _CONDITIONS[seed // 31 % len(_CONDITIONS)],
        "humidity_percent": 35 + seed // 7 % 55,
        "wind_kph": seed // 13 % 40,
        "note": "Demo data: deterministic per city, not a real forecast.",
    }


_FIXED_NOW = "2025-06-01T12:00:00"
_ZONES = {
    "UTC": 0,
    "Europe/Paris": 2,
    "Europe/London": 1,
    "America/New_York": -4,
    "America/Los_Angeles": -7,
    "Asia/Tokyo": 9,
    "Australia/Sydney": 10,
}


def _tool_current_time(arguments: dict[str, Any]) -> Any:
    zone = str(arguments.get("timezone", "UTC"))
    if zone not in _ZONES:
        raise _ToolFailure(f"Unknown timezone '{zone}'. Known: {', '.join(_ZONES)}.")
    offset = _ZONES[zone]
    hour = 12 + offset
    sign = "+" if offset >= 0 else "-"
    return {
        "timezone": zone,
        "iso": f"2025-06-01T{hour:02d}:00:00{sign}{abs(offset):02d}:00",
        "utc": _FIXED_NOW + "Z",
        "note": "The demo clock is fixed so outputs are repeatable.",
    }


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
    "maximum": _MAX_ROWS,
    "default": 50,
    "description": "Maximum number of rows to return.",
}
_TABLE_SCHEMA = {"type": "string", "enum": list(_TABLES), "description": "Table name."}

_TOOLS: dict[str, list[tuple[str, str, dict[str, Any], _Handler | None]]] = {
    "datasets": [
        (
            "list_tables",
            "List the tables of the demo datasets with their row counts.",
            _obj({}, []),
            _tool_list_tables,
        ),
        (
            "describe_table",
            "Describe a table: columns, types, row count and sample rows.",
            _obj({"table": _TABLE_SCHEMA}, ["table"]),
            _tool_describe_table,
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
            _tool_query,
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
            _tool_get_rows,
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
            _tool_calculator,
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
            _tool_weather,
        ),
        (
            "current_time",
            "The current time in a timezone (the demo clock is fixed).",
            _obj({"timezone": {"type": "string", "enum": list(_ZONES), "default": "UTC"}}, []),
            _tool_current_time,
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
        raise _ToolFailure(f"Missing required argument(s): {', '.join(missing)}.")
    unknown = [k for k in arguments if k not in props]
    if unknown and schema.get("additionalProperties") is False:
        raise _ToolFailure(
            f"Unknown argument(s): {', '.join(unknown)}. Expected: {', '.join(props) or 'none'}."
        )
    kinds = {"string": str, "integer": int, "object": dict, "array": list}
    for key, value in arguments.items():
        want = props.get(key, {}).get("type")
        expected = kinds.get(want) if isinstance(want, str) else None
        if expected and (not isinstance(value, expected) or isinstance(value, bool)):
            raise _ToolFailure(f"Argument '{key}' must be of type {want}.")
        allowed = props.get(key, {}).get("enum")
        if allowed and value not in allowed:
            raise _ToolFailure(
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
    except _ToolFailure as exc:
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
            "size": (_DATA / f"{table}.csv").stat().st_size,
            "server_id": server_id,
        }
        for table, description in _TABLES.items()
    ]


def read_resource(server_id: str, uri: str) -> list[dict[str, Any]] | None:
    """The resource's contents (``[{uri, mime_type, text}]``), or None when unknown."""
    if server_id != "datasets":
        return None
    match = re.fullmatch(r"dataset://(\w+)\.csv", uri)
    if not match or match.group(1) not in _TABLES:
        return None
    text = (_DATA / f"{match.group(1)}.csv").read_text(encoding="utf-8")
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
