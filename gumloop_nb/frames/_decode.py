"""Decode JSON-ish payloads (MCP content, flow outputs, JSON artifacts) into rows.

The shape rules, shared by MCP results and JSON artifacts:

- a list -> one row per item (objects flattened; other items in a ``content`` column);
- an object holding one list of records (``{"rows": [...], "row_count": 2}``) -> that list's rows,
  the object's other scalar fields repeated as columns;
- any other object -> one row;
- a scalar or plain text -> one row with a ``content`` column.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import FrameError
from ._flatten import is_scalar
from ._json import as_list, as_mapping

__all__ = ["Table", "decode_content", "find_record_list", "loads", "maybe_json", "value_to_table"]

# Names that mark a list as "the" records of an object even when it is empty.
RECORD_LIST_NAMES = ("rows", "records", "items", "data", "results", "entries")


def loads(text: str | bytes) -> Any:
    """``json.loads``; raises ``ValueError`` on bad JSON.

    ``json.JSONDecodeError`` for malformed text; :class:`FrameError` (also a ``ValueError``) for
    JSON nested too deeply to decode, where ``json`` itself raises ``RecursionError``. (The
    standard decoder is used on purpose: orjson, once used here when installed, decodes a million
    levels of nesting and then crashes the process, and was no faster on a 32 MB artifact.)
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise FrameError(
            "the JSON is nested too deeply to decode (thousands of levels of objects or lists)"
        ) from None


def maybe_json(text: str) -> tuple[Any, str | None]:
    """Decode ``text`` as JSON when it is JSON; else keep it as text.

    Returns ``(value, problem)``: ``problem`` is a sentence when the text looks like a JSON
    object/array (starts with ``{`` or ``[``) but does not parse, e.g. truncated output.
    """
    stripped = text.lstrip()
    if not stripped:
        return text, None
    first = stripped[0]
    if first not in '{["-0123456789tfnNI':
        return text, None  # plain prose: do not pay for a failing parse
    try:
        return loads(text), None
    except (json.JSONDecodeError, ValueError) as exc:
        if first in "{[":
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            where = (
                f" (line {exc.lineno}, column {exc.colno})"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            return text, f"it looks like JSON but does not parse: {detail}{where}"
        return text, None


def decode_item(item: Any) -> tuple[Any, str | None]:
    """One MCP content item: strings and text content objects JSON-decoded when possible."""
    if isinstance(item, str):
        return maybe_json(item)
    obj = as_mapping(item)
    if obj is not None and obj.get("type") == "text" and isinstance(obj.get("text"), str):
        return maybe_json(obj["text"])
    return item, None  # images, resources, anything else: passed through


def decode_content(content: Any) -> tuple[Any, list[str]]:
    """The decoded value of an MCP result's ``content`` (single item unwrapped) and any problems."""
    if content is None:
        return None, []
    items = as_list(content)
    if items is None:
        return decode_item(content)[0], []
    problems: list[str] = []
    values: list[Any] = []
    for item in items:
        value, problem = decode_item(item)
        values.append(value)
        if problem:
            problems.append(problem)
    if len(values) == 1:
        return values[0], problems
    # Several items (e.g. one per page or per table): their rows, one after the other.
    rows: list[Any] = []
    for value in values:
        nested = as_list(value)
        if nested is not None:
            rows.extend(nested)
        else:
            rows.append(value)
    return rows, problems


def find_record_list(obj: Mapping[str, Any]) -> str | None:
    """The key of the one list of records inside ``obj``, or None when there is none or several."""
    candidates = [
        k
        for k, v in obj.items()
        if (items := as_list(v)) is not None
        and (not items or any(isinstance(x, Mapping) for x in items))
    ]
    if not candidates:
        return None
    nonempty = [k for k in candidates if obj[k]]
    pool = nonempty or [k for k in candidates if k in RECORD_LIST_NAMES]
    if len(pool) == 1:
        return pool[0]
    named = [k for k in pool if k in RECORD_LIST_NAMES]
    return named[0] if len(named) == 1 else None


@dataclass
class Table:
    """Rows found in a decoded value, plus the context fields repeated on every row."""

    records: list[Any]
    extras: dict[str, Any] = field(default_factory=dict[str, Any])
    dropped: dict[str, Any] = field(default_factory=dict[str, Any])  # non-scalar context fields
    columns_hint: list[str] | None = None  # column names to use when there are no rows
    record_key: str | None = None


def value_to_table(value: Any) -> Table:
    """Apply the shape rules of this module's docstring to a decoded value."""
    records = as_list(value)
    if records is not None:
        return Table(records=records)
    obj = as_mapping(value)
    if obj is not None:
        key = find_record_list(obj)
        if key is None:
            return Table(records=[dict(obj)])
        table = Table(records=obj[key], record_key=key)
        for k, v in obj.items():
            if k == key:
                continue
            if is_scalar(v):
                table.extras[k] = v
            else:
                table.dropped[k] = v
        if not table.records:
            hint = as_list(obj.get("columns", obj.get("fields")))
            if hint is not None and all(isinstance(c, str) for c in hint):
                table.columns_hint = hint
        return table
    return Table(records=[{"content": value}])
