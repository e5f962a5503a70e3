"""``to_dataframe``: one call from any Gumloop result that holds data to a pandas DataFrame.

Dispatch is on shape, so typed responses (gumloop_nb or official SDK models), their plain-dict JSON
and raw JSON text all give the same frame. See :func:`to_dataframe` for the rules.
"""

# pandas ships without type stubs (pandas-stubs is not a dependency): pyright reads its inline
# annotations; the few calls whose results stay unknown carry a narrow ignore.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from ._decode import Table, decode_content, loads, value_to_table
from ._errors import FrameError, FrameWarning
from ._flatten import Columns, columns_to_frame, concat_columns, flatten_records
from ._json import as_list, as_mapping
from ._limits import DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS, frame_limits
from ._shapes import (
    Opts,
    chat_frame,
    compare_frame,
    flow_frame,
    listing_frame,
    messages_frame,
    models_frame,
    to_plain,
)

if TYPE_CHECKING:
    import pandas as pd
    from typing_extensions import Buffer

__all__ = ["to_dataframe"]

MCP_META = ("ref", "server_id", "tool_name", "status", "error")
# The list-valued key of each listing response (agents, sessions, skills, artifacts, ...).
LISTING_KEYS = frozenset(
    {
        "agents",
        "sessions",
        "skills",
        "artifacts",
        "teams",
        "organizations",
        "servers",
        "tools",
        "versions",
        "results",
        "evaluations",
        "triggers",
        "items",
        "resources",
        "prompts",
        "accounts",
        "profiles",
        "queue",
        "sources",
        "files",
        "operators",
        "cards",
        "knowledge_sources",
        "app_rules",
        "mcp_servers",
    }
)
GENERIC_LISTING_KEYS = frozenset(
    {"results", "items", "files", "sources", "queue", "cards", "resources", "prompts", "accounts"}
)
# Scalar companions of a listing's items; kept in ``df.attrs``, not repeated on every row.
LISTING_AUX = frozenset(
    {
        "next_cursor",
        "total_count",
        "server_id",
        "status",
        "gumloop_auth_url",
        "agent_id",
        "has_more",
    }
)


def to_dataframe(
    obj: Any,
    *,
    meta: bool = True,
    max_level: int | None = None,
    sep: str = ".",
    max_columns: int | None = DEFAULT_MAX_COLUMNS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
) -> pd.DataFrame:
    """Turn a Gumloop result that holds data into a DataFrame with predictable columns.

    Accepts typed responses (``gumloop_nb.types`` or the official SDK), the same shapes as plain
    dicts/lists, raw JSON text or bytes, and iterators (e.g. ``client.agents.iter_all()``).

    **MCP results** (``McpExecuteResponse``, one ``McpToolCallResult`` or a list of them): rows come
    from the decoded content (text items are JSON-decoded). A list of records gives one row each;
    an object holding one list of records (``{"rows": [...], "row_count": 2}``) gives that list's
    rows with the other scalar fields repeated; a scalar or plain text gives one row with a
    ``content`` column. With ``meta=True`` the columns ``ref, server_id, tool_name, status, error``
    come first. Failed results are rows carrying their ``error`` (message), never dropped; with
    ``meta=False`` only that ``error`` column is kept, and only when some result failed. Content
    that looks like JSON but does not parse stays as text in ``content`` (with a FrameWarning).

    >>> to_dataframe({"results": [{"ref": "q", "server_id": "db", "tool_name": "query",
    ...     "status": "success", "error": None,
    ...     "content": [{"type": "text", "text": '{"rows": [{"a": 1}, {"a": 2}]}'}]}]}).shape
    (2, 6)

    **Flow outputs** (the dict ``run_flow`` returns; also ``get_run_status(...)``'s ``outputs``):

    - all scalars (or objects of scalars) -> one row:
      ``{"summary": "ok", "n": 3}`` -> columns ``summary, n``;
    - one list of records, the rest scalars -> its rows, scalars repeated:
      ``{"records": [{"a": 1}, {"a": 2}], "source": "x"}`` -> 2 rows, columns ``a, source``;
    - lists of equal length -> columns: ``{"x": [1, 2], "y": ["a", "b"]}`` -> 2 rows;
    - anything else -> a long table with ``output, index, value``:
      ``{"summary": "ok", "tags": ["a", "b"]}`` -> rows (summary, <NA>, ok), (tags, 0, a), (tags, 1, b).

    **Listings** (agents, sessions, a session's messages, skills, artifacts, teams, models, MCP
    servers/tools, brain search results, agent versions, ...): one row per item; nested objects
    flattened one level (``creator.email``, ``usage.input_tokens``; pass ``max_level`` to change
    that), schema-like blobs kept whole, ``*_at``/``*_ts`` columns parsed to UTC datetimes;
    ``next_cursor`` and similar go to ``df.attrs``. A single typed object (an ``Agent``) is one row.

    **Chat**: a ``ChatResult`` (or a list of them) gives one row per choice: ``id, model, created,
    index, content, finish_reason, tool_calls, images, reasoning, refusal, prompt_tokens,
    completion_tokens, total_tokens, cost``. Compare results (dicts or objects with ``model,
    answer, ttft_s, total_s, prompt_tokens, completion_tokens, cost, error``) give one row each,
    those columns first.

    Any other list of records is flattened like :func:`records_to_dataframe`. Columns are the union
    of keys over all rows in first-seen order, whatever the first row holds. Records whose keys
    differ from row to row would make one column per distinct key: past ``max_columns`` columns or
    ``max_cells`` cells a :class:`FrameError` says how to go on (``None`` switches a limit off).
    """
    opts = Opts(meta=meta, max_level=max_level, sep=sep)
    with frame_limits(max_columns, max_cells):
        return _dispatch(obj, opts)


def _dispatch(obj: Any, opts: Opts) -> pd.DataFrame:
    pd_mod = sys.modules.get("pandas")
    if pd_mod is not None and isinstance(obj, pd_mod.DataFrame):
        return obj
    if isinstance(obj, (bytes, bytearray, memoryview)):
        obj = _decode_bytes(bytes(cast("Buffer", obj)))
    if isinstance(obj, str):
        value = _parse_json_text(obj)
        if not isinstance(value, (dict, list)):
            raise FrameError(
                f"to_dataframe() got JSON text holding a single {type(value).__name__}, not an "
                "object or a list; there is no table in it."
            )
        return _dispatch(value, opts)
    plain, from_model = to_plain(obj)
    plain_obj = as_mapping(plain)
    if from_model and plain_obj is not None:
        # The type says what it is even when the wire left out keys the shape test looks for.
        kind = type(obj).__name__
        if kind == "McpExecuteResponse":
            return _mcp_frame(list(plain_obj.get("results") or []), opts)
        if kind == "McpToolCallResult":
            return _mcp_frame([plain], opts)
    if plain_obj is not None:
        return _from_mapping(dict(plain_obj), from_model, opts)
    if isinstance(plain, (list, tuple)):
        return _from_list(list(cast("Sequence[Any]", plain)), opts)
    if isinstance(plain, (Iterator, Iterable)) and not isinstance(plain, (str, bytes)):
        return _from_list(list(cast("Iterable[object]", plain)), opts)
    raise FrameError(
        f"to_dataframe() cannot tabulate a {type(obj).__name__}. It accepts Gumloop responses "
        "(MCP results, listings, chat results), flow outputs (dicts), lists of records, and raw "
        "JSON text."
    )


def _decode_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameError(
            f"to_dataframe() got bytes that are not valid UTF-8 (byte {exc.start}: "
            f"{data[exc.start : exc.start + 1]!r}). Decode them yourself with the right encoding "
            "(e.g. data.decode('latin-1')) and pass the text."
        ) from None


def _parse_json_text(text: str) -> Any:
    try:
        return loads(text)
    except (json.JSONDecodeError, ValueError) as exc:
        where = (
            f" at line {exc.lineno}, column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise FrameError(
            f"to_dataframe() got text that is not valid JSON ({getattr(exc, 'msg', exc)}{where}). "
            "Pass the decoded object instead, or wrap plain text as {'content': text}."
        ) from None


def _looks_like_mcp_result(x: Any) -> bool:
    return (
        isinstance(x, Mapping)
        and "tool_name" in x
        and "status" in x
        and ("content" in x or "error" in x)
    )


def _looks_like_chat(x: Any) -> bool:
    obj = as_mapping(x)
    return obj is not None and (
        obj.get("object") == "chat.completion"
        or (isinstance(obj.get("choices"), list) and "model" in obj and "created" in obj)
    )


def _looks_like_compare(x: Any) -> bool:
    return (
        isinstance(x, Mapping)
        and "model" in x
        and any(k in x for k in ("answer", "ttft_s", "total_s"))
    )


def _from_mapping(d: dict[str, Any], from_model: bool, opts: Opts) -> pd.DataFrame:
    if _looks_like_chat(d):
        return chat_frame([d], opts)
    results = as_list(d.get("results"))
    if results is not None and (
        (results and all(_looks_like_mcp_result(to_plain(r)[0]) for r in results))
        or (not results and set(d) == {"results"})
    ):
        return _mcp_frame(results, opts)
    if _looks_like_mcp_result(d):
        return _mcp_frame([d], opts)
    if isinstance(d.get("model_groups"), list):
        return models_frame(d["model_groups"], opts)
    session = as_mapping(d.get("session"))
    if session is not None and isinstance(session.get("messages"), list):
        d = dict(session)
    if isinstance(d.get("messages"), list) and "agent_id" in d:
        return messages_frame(d, opts)
    listing = [k for k in d if k in LISTING_KEYS and isinstance(d[k], list)]
    if (
        len(listing) == 1
        and all(k in LISTING_AUX for k in d if k != listing[0])
        # A plain {"results": [...]} may just as well be a flow's output: trust generic names
        # only on typed responses or next to a listing's companions (next_cursor, ...).
        and (from_model or listing[0] not in GENERIC_LISTING_KEYS or len(d) > 1)
    ):
        key = listing[0]
        attrs = {k: v for k, v in d.items() if k != key}
        return listing_frame(d[key], opts, attrs=attrs)
    if "outputs" in d and "state" in d and isinstance(d["outputs"], (Mapping, type(None))):
        outputs = as_mapping(d.get("outputs"))
        df = flow_frame(dict(outputs) if outputs is not None else {}, opts)
        df.attrs.update(
            {k: d[k] for k in ("state", "run_id", "created_ts", "finished_ts") if k in d}
        )
        return df
    if from_model:
        return listing_frame([d], opts)
    return flow_frame(d, opts)


def _from_list(items: list[Any], opts: Opts) -> pd.DataFrame:
    import pandas as pd

    if not items:
        return pd.DataFrame()
    if all(type(x) is dict for x in items):
        plains, any_model = items, False
    else:
        pairs = [to_plain(x) for x in items]
        plains = [p for p, _ in pairs]
        any_model = any(m for _, m in pairs)
    if all(_looks_like_chat(p) for p in plains):
        return chat_frame(plains, opts)
    if all(
        type(x).__name__ == "McpToolCallResult" or _looks_like_mcp_result(p)
        for x, p in zip(items, plains, strict=True)
    ):
        return _mcp_frame(plains, opts)
    if all(_looks_like_compare(p) for p in plains):
        return compare_frame(plains, opts)
    if any_model:
        return listing_frame(plains, opts)
    return columns_to_frame(flatten_records(plains, max_level=opts.max_level), sep=opts.sep)


# --- MCP -------------------------------------------------------------------------------------


def _error_text(err: Any) -> str | None:
    if err is None:
        return None
    err_obj = as_mapping(err)
    if err_obj is not None:
        msg = err_obj.get("message")
        if isinstance(msg, str) and msg:
            return msg
        return json.dumps(err, default=str)
    return str(err)


def _mcp_frame(results: list[Any], opts: Opts) -> pd.DataFrame:
    meta_cols: dict[str, list[Any]] = {name: [] for name in MCP_META}
    parts: list[Columns] = []
    any_failed = False
    context: dict[str, Any] = {}
    for i, raw in enumerate(results):
        plain = to_plain(raw)[0]
        r = as_mapping(plain)
        if r is None:
            raise FrameError(
                f"MCP result #{i} is a {type(plain).__name__}, not a result object with "
                "ref/server_id/tool_name/status/content/error."
            )
        status = r.get("status")
        error = _error_text(r.get("error"))
        failed = error is not None or (status is not None and status != "success")
        any_failed = any_failed or failed
        content = r.get("content")
        value, problems = decode_content(content)
        label = f"{r.get('ref') or i} ({r.get('server_id')}/{r.get('tool_name')})"
        for problem in problems:
            warnings.warn(
                f"MCP result {label}: the content {problem}; kept the raw text in the 'content' "
                "column.",
                FrameWarning,
                stacklevel=4,
            )
        table = Table(records=[]) if content is None else value_to_table(value)
        cols = flatten_records(table.records, max_level=opts.max_level)
        if cols.n == 0 and (failed or content is None):
            cols = Columns(n=1)  # the call itself stays visible as a row
        elif cols.n == 0 and table.columns_hint:
            for name in table.columns_hint:
                cols.cols.setdefault((name,), [])
        for k, v in table.extras.items():
            if not cols.add_constant((k,), v):
                table.dropped[k] = v
        if table.dropped:
            context[str(r.get("ref") or i)] = table.dropped
        parts.append(cols)
        for name in ("ref", "server_id", "tool_name", "status"):
            meta_cols[name].extend([r.get(name)] * cols.n)
        meta_cols["error"].extend([error] * cols.n)
    data = concat_columns(parts) if parts else Columns(n=0)
    # Without meta, errors still never vanish: the error column stays when something failed.
    failed_only = {"error": meta_cols["error"]} if any_failed else {}
    leading = meta_cols if opts.meta else failed_only
    df = columns_to_frame(data, sep=opts.sep, leading=leading)
    if context:
        df.attrs["context"] = context
    return df
