"""Frames for listings, a session's messages, the model list, chat/compare results, flow outputs.

The builders behind :func:`gumloop_nb.frames.to_dataframe` once it knows what it was given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._flatten import Columns, columns_to_frame, flatten_records, is_scalar

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Opts",
    "chat_frame",
    "compare_frame",
    "flow_frame",
    "listing_frame",
    "messages_frame",
    "models_frame",
    "parse_timestamps",
    "to_plain",
]

COMPARE_COLUMNS = (
    "model",
    "answer",
    "ttft_s",
    "total_s",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "error",
)
# Free-form objects in listing items that would explode into dozens of columns.
LISTING_OPAQUE = frozenset(
    {"input_schema", "server", "participants", "composition", "parts", "config", "changes"}
)


@dataclasses.dataclass(frozen=True)
class Opts:
    """What ``to_dataframe`` was asked for: meta columns, flattening depth, separator."""

    meta: bool
    max_level: int | None
    sep: str


def to_plain(obj: Any) -> tuple[Any, bool]:
    """A plain dict/list for a typed object; the flag says it came from a model/dataclass."""
    if type(obj) in (dict, list):
        return obj, False
    dump = getattr(obj, "model_dump", None)
    if callable(dump) and not isinstance(obj, type):
        # Only what the server sent: a typed response then gives the same frame as its JSON,
        # without a column for every optional field the model declares.
        try:
            return dump(exclude_unset=True), True
        except TypeError:
            return dump(), True
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj), True
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict) and not isinstance(obj, type):
        return to_dict(), True
    return obj, False


# --- listings ---------------------------------------------------------------------------------


def listing_frame(
    items: list[Any],
    opts: Opts,
    *,
    attrs: Mapping[str, Any] | None = None,
    leading: dict[str, list[Any]] | None = None,
) -> pd.DataFrame:
    """One row per listing item: one level of nesting flattened, blobs kept, timestamps parsed."""
    plains = [to_plain(x)[0] for x in items]
    level = 1 if opts.max_level is None else opts.max_level
    cols = flatten_records(plains, max_level=level, opaque=LISTING_OPAQUE)
    df = columns_to_frame(cols, sep=opts.sep, leading=leading)
    parse_timestamps(df, opts.sep)
    if attrs:
        df.attrs.update(attrs)
    return df


def parse_timestamps(df: pd.DataFrame, sep: str = ".") -> None:
    """Parse ``*_at``/``*_ts``/``created`` columns to UTC datetimes in place; others untouched."""
    import pandas as pd
    from pandas.api.types import is_numeric_dtype, is_string_dtype

    for col in df.columns:
        last = str(col).rsplit(sep, 1)[-1]
        if not (last.endswith(("_at", "_ts")) or last in ("created", "updated", "timestamp")):
            continue
        s = df[col]
        if s.isna().all():
            continue
        try:
            if is_numeric_dtype(s.dtype) and s.dtype != bool:
                unit = "ms" if s.abs().max() > 1e11 else "s"
                df[col] = pd.to_datetime(s, unit=unit, utc=True)
            elif is_string_dtype(s.dtype) or s.dtype == object:
                df[col] = pd.to_datetime(s, utc=True, format="ISO8601")
        except (ValueError, TypeError, OverflowError):
            continue  # not timestamps after all: leave the column as it came


def models_frame(groups: list[Any], opts: Opts) -> pd.DataFrame:
    """One row per model option, its group label first; an empty group still shows as a row."""
    rows: list[dict[str, Any]] = []
    for g in groups:
        g = to_plain(g)[0]
        if not isinstance(g, Mapping):
            continue
        label = g.get("groupLabel", g.get("label"))
        options = g.get("options") or []
        if not options:
            rows.append({"group": label})
        for o in options:
            o = to_plain(o)[0]
            rows.append({"group": label, **(o if isinstance(o, Mapping) else {"value": o})})
    return listing_frame(rows, opts)


def messages_frame(session: Mapping[str, Any], opts: Opts) -> pd.DataFrame:
    """One row per message of a session, led by the session id."""
    messages = session.get("messages") or []
    leading = {"session_id": [session.get("id")] * len(messages)}
    return listing_frame(messages, opts, leading=leading)


# --- chat and compare -------------------------------------------------------------------------


def chat_frame(results: list[Any], opts: Opts) -> pd.DataFrame:
    """One row per choice of each chat result, with a fixed set of columns."""
    rows: list[dict[str, Any]] = []
    for r in results:
        r = to_plain(r)[0]
        usage = r.get("usage") or {}
        base = {"id": r.get("id"), "model": r.get("model"), "created": r.get("created")}
        tokens = {
            k: usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens", "cost")
        }
        choices = r.get("choices") or [{}]
        for c in choices:
            msg = c.get("message") or {}
            calls = msg.get("tool_calls")
            rows.append(
                {
                    **base,
                    "index": c.get("index"),
                    "content": msg.get("content"),
                    "finish_reason": c.get("finish_reason"),
                    "tool_calls": (
                        [
                            {
                                "id": t.get("id"),
                                "name": (t.get("function") or {}).get("name"),
                                "arguments": (t.get("function") or {}).get("arguments"),
                            }
                            for t in calls
                        ]
                        if calls
                        else None
                    ),
                    "images": len(msg.get("images") or []),
                    "reasoning": msg.get("reasoning"),
                    "refusal": msg.get("refusal"),
                    **tokens,
                }
            )
    cols = flatten_records(rows, max_level=0)
    df = columns_to_frame(cols, sep=opts.sep)
    parse_timestamps(df, opts.sep)
    return df


def compare_frame(items: list[Mapping[str, Any]], opts: Opts) -> pd.DataFrame:
    """One row per compared model run; the COMPARE_COLUMNS always come first, then any extras."""
    cols = flatten_records(items, max_level=opts.max_level)
    ordered = Columns(n=cols.n)
    for name in COMPARE_COLUMNS:
        ordered.cols[(name,)] = cols.cols.get((name,), [None] * cols.n)
    for path, vals in cols.cols.items():
        ordered.cols.setdefault(path, vals)
    return columns_to_frame(ordered, sep=opts.sep)


# --- flow outputs -----------------------------------------------------------------------------


def flow_frame(outputs: dict[str, Any], opts: Opts) -> pd.DataFrame:
    """Flow outputs by the rules documented on ``to_dataframe`` (one row, rows, columns, long)."""
    import pandas as pd

    if not outputs:
        return pd.DataFrame()
    values = list(outputs.values())
    if all(is_scalar(v) or isinstance(v, Mapping) for v in values):
        return columns_to_frame(flatten_records([outputs], max_level=opts.max_level), sep=opts.sep)
    record_lists = [
        k
        for k, v in outputs.items()
        if isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v)
    ]
    if len(record_lists) == 1 and all(
        is_scalar(v) for k, v in outputs.items() if k != record_lists[0]
    ):
        key = record_lists[0]
        cols = flatten_records(outputs[key], max_level=opts.max_level)
        for k, v in outputs.items():
            if k != key and not cols.add_constant((k,), v):
                cols.add_constant((key, k), v)
        return columns_to_frame(cols, sep=opts.sep)
    if all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1:
        cols = Columns(n=len(values[0]), cols={(k,): list(v) for k, v in outputs.items()})
        return columns_to_frame(cols, sep=opts.sep)
    long: dict[str, list[Any]] = {"output": [], "index": [], "value": []}
    for k, v in outputs.items():
        if isinstance(v, list) and v:
            long["output"].extend([k] * len(v))
            long["index"].extend(range(len(v)))
            long["value"].extend(v)
        else:
            long["output"].append(k)
            long["index"].append(None)
            long["value"].append(v)
    cols = Columns(n=len(long["output"]), cols={(k,): v for k, v in long.items()})
    cols.kinds[("value",)] = ("mixed", True)  # values of different outputs: keep them as objects
    return columns_to_frame(cols, sep=opts.sep)
