"""The ``datasets`` demo server: public-domain CSV tables in a read-only, in-memory SQLite.

Rows always come back as ``{"columns": [...], "rows": [{column: value}], "row_count": n,
"truncated": bool}``; failures raise ToolFailure, which the registry turns into a per-result
error.
"""

from __future__ import annotations

import csv
import math
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

__all__ = [
    "DATA_DIR",
    "MAX_ROWS",
    "TABLES",
    "ToolFailure",
    "tool_describe_table",
    "tool_get_rows",
    "tool_list_tables",
    "tool_query",
]


class ToolFailure(Exception):
    """A tool-level failure that becomes a per-result error."""


DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MAX_ROWS = 200
TABLES = {
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
    # Reads only: anything that would write, attach or change settings is denied. The one
    # pragma allowed, table_info, only reads the schema (describe_table / get_rows use it).
    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
    recursive = getattr(sqlite3, "SQLITE_RECURSIVE", None)
    if recursive is not None:
        allowed.add(recursive)
    if action == sqlite3.SQLITE_PRAGMA and str(arg1).lower() == "table_info":
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY


def _database() -> sqlite3.Connection:
    global _db
    with _db_lock:
        if _db is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            for table in TABLES:
                with open(DATA_DIR / f"{table}.csv", newline="", encoding="utf-8") as fh:
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
            raise ToolFailure(f"The query failed: {text}.") from None
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
    if table not in TABLES:
        raise ToolFailure(f"Unknown table '{table}'. Available tables: {', '.join(TABLES)}.")
    conn = _database()
    with _db_lock:
        # Not by switching the authorizer off: set_authorizer(None) only works on Python 3.11+.
        info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    return [(row[1], row[2]) for row in info]


def _limit(arguments: dict[str, Any]) -> int:
    raw = arguments.get("limit", 50)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ToolFailure("'limit' must be a positive integer.")
    return min(raw, MAX_ROWS)


def tool_list_tables(arguments: dict[str, Any]) -> Any:
    tables = []
    for name, description in TABLES.items():
        count = _run_select(f'SELECT COUNT(*) AS n FROM "{name}"', [], 1)["rows"][0]["n"]
        tables.append({"name": name, "row_count": count, "description": description})
    return {"tables": tables}


def tool_describe_table(arguments: dict[str, Any]) -> Any:
    table = str(arguments.get("table", ""))
    columns = _table_columns(table)
    sample = _run_select(f'SELECT * FROM "{table}" LIMIT 3', [], 3)["rows"]
    count = _run_select(f'SELECT COUNT(*) AS n FROM "{table}"', [], 1)["rows"][0]["n"]
    return {
        "table": table,
        "description": TABLES[table],
        "row_count": count,
        "columns": [{"name": n, "type": t} for n, t in columns],
        "sample_rows": sample,
    }


def tool_query(arguments: dict[str, Any]) -> Any:
    sql = arguments.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise ToolFailure("Pass the SQL to run as 'sql', e.g. SELECT * FROM elements LIMIT 5.")
    statement = sql.strip().rstrip(";").strip()
    first = re.match(r"\s*(\w+)", statement)
    if not first or first.group(1).upper() not in ("SELECT", "WITH"):
        raise ToolFailure(
            "Only read-only queries are allowed: start with SELECT or WITH "
            "(INSERT, UPDATE, DELETE, CREATE, DROP and PRAGMA are refused)."
        )
    return _run_select(statement, [], _limit(arguments))


_OPS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "like": "LIKE"}


def tool_get_rows(arguments: dict[str, Any]) -> Any:
    table = str(arguments.get("table", ""))
    known = [name for name, _ in _table_columns(table)]
    filters = arguments.get("filters") or {}
    if not isinstance(filters, dict):
        raise ToolFailure("'filters' must be an object mapping column names to values.")
    where, params = [], []
    for column, condition in filters.items():
        if column not in known:
            raise ToolFailure(
                f"Unknown column '{column}' in table '{table}'. Columns: {', '.join(known)}."
            )
        if isinstance(condition, dict):
            for op, value in condition.items():
                if op not in _OPS:
                    raise ToolFailure(
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
        raise ToolFailure(f"'columns' must be a list of columns of '{table}': {', '.join(known)}.")
    sql = f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} FROM "{table}"'
    if where:
        sql += " WHERE " + " AND ".join(where)
    order_by = arguments.get("order_by")
    if order_by:
        desc = isinstance(order_by, str) and order_by.startswith("-")
        name = str(order_by).lstrip("-")
        if name not in known:
            raise ToolFailure(f"Cannot order by unknown column '{name}'.")
        sql += f' ORDER BY "{name}"' + (" DESC" if desc else "")
    return _run_select(sql, params, _limit(arguments))
