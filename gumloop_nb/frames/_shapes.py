"""Frames for listings, a session's messages, the model list, chat/compare results, flow outputs.

The builders behind :func:`gumloop_nb.frames.to_dataframe` once it knows what it was given.
"""

# pandas ships without type stubs (pandas-stubs is not a dependency): pyright reads its inline
# annotations; the few calls whose results stay unknown carry a narrow ignore.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ._flatten import Columns, columns_to_frame, flatten_records, is_scalar
from ._json import as_list, as_mapping

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
    if type(obj) in (dict, list) or isinstance(obj, type):
        return obj, False  # already plain, or a class rather than a value to convert
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        # Only what the server sent: a typed response then gives the same frame as its JSON,
        # without a column for every optional field the model declares.
        try:
            return dump(exclude_unset=True), True
        except TypeError:
            return dump(), True
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj), True
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
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
    from pandas.api import types as pdt

    # pandas has no stubs: its Series members are partially unknown to pyright (narrow ignores).
    for col in df.columns:
        last = str(col).rsplit(sep, 1)[-1]
        if not (last.endswith(("_at", "_ts")) or last in ("created", "updated", "timestamp")):
            continue
        s = df[col]  # pyright: ignore[reportUnknownVariableType]
        if s.isna().all():  # pyright: ignore[reportUnknownMemberType]
            continue
        try:
            if pdt.is_numeric_dtype(s.dtype) and s.dtype != bool:  # pyright: ignore[reportUnknownMemberType]
                unit = "ms" if s.abs().max() > 1e11 else "s"  # pyright: ignore[reportUnknownMemberType]
                df[col] = pd.to_datetime(s, unit=unit, utc=True)  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
            elif pdt.is_string_dtype(s.dtype) or s.dtype == object:  # pyright: ignore[reportUnknownMemberType]
                df[col] = pd.to_datetime(s, utc=True, format="ISO8601")  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        except (ValueError, TypeError, OverflowError):
            continue  # not timestamps after all: leave the column as it came


def models_frame(groups: list[Any], opts: Opts) -> pd.DataFrame:
    """One row per model option, its group label first; an empty group still shows as a row."""
    rows: list[dict[str, Any]] = []
    for raw in groups:
        g = as_mapping(to_plain(raw)[0])
        if g is None:
            continue
        label = g.get("groupLabel", g.get("label"))
        options: list[Any] = g.get("options") or []
        if not options:
            rows.append({"group": label})
        for raw_option in options:
            o = to_plain(raw_option)[0]
            o_obj = as_mapping(o)
            rows.append({"group": label, **(o_obj if o_obj is not None else {"value": o})})
    return listing_frame(rows, opts)


def messages_frame(session: Mapping[str, Any], opts: Opts) -> pd.DataFrame:
    """One row per message of a session, led by the session id."""
    messages: list[Any] = session.get("messages") or []
    leading = {"session_id": [session.get("id")] * len(messages)}
    return listing_frame(messages, opts, leading=leading)


# --- chat and compare -------------------------------------------------------------------------


def chat_frame(results: list[Any], opts: Opts) -> pd.DataFrame:
    """One row per choice of each chat result, with a fixed set of columns."""
    rows: list[dict[str, Any]] = []
    for r in results:
        r = to_plain(r)[0]
        usage: Mapping[str, Any] = r.get("usage") or {}
        base = {"id": r.get("id"), "model": r.get("model"), "created": r.get("created")}
        tokens = {
            k: usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens", "cost")
        }
        choices: list[Mapping[str, Any]] = r.get("choices") or [{}]
        for c in choices:
            msg: Mapping[str, Any] = c.get("message") or {}
            calls: list[Mapping[str, Any]] | None = msg.get("tool_calls")
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
                                "name": _function(t).get("name"),
                                "arguments": _function(t).get("arguments"),
                            }
                            for t in calls
                        ]
                        if calls
                        else None
                    ),
                    "images": len(cast("list[Any]", msg.get("images") or [])),
                    "reasoning": msg.get("reasoning"),
                    "refusal": msg.get("refusal"),
                    **tokens,
                }
            )
    cols = flatten_records(rows, max_level=0)
    df = columns_to_frame(cols, sep=opts.sep)
    parse_timestamps(df, opts.sep)
    return df


def _function(call: Mapping[str, Any]) -> Mapping[str, Any]:
    """A tool call's ``function`` object (empty when the call has none)."""
    function: Mapping[str, Any] = call.get("function") or {}
    return function


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
        if (items := as_list(v)) and all(isinstance(x, Mapping) for x in items)
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
        items = as_list(v)
        if items:
            long["output"].extend([k] * len(items))
            long["index"].extend(range(len(items)))
            long["value"].extend(items)
        else:
            long["output"].append(k)
            long["index"].append(None)
            long["value"].append(v)
    cols = Columns(n=len(long["output"]), cols={(k,): v for k, v in long.items()})
    cols.kinds[("value",)] = ("mixed", True)  # values of different outputs: keep them as objects
    return columns_to_frame(cols, sep=opts.sep)
