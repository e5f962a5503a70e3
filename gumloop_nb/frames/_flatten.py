"""Flatten lists of JSON records into typed DataFrame columns, without json_normalize's traps.

The core works column by column instead of record by record: the union of keys (first-seen order)
is collected once per nesting level, each column is pulled out with a C-level ``map(dict.get, ...)``
and nested objects are flattened by recursing on the pulled-out column. Dtypes are decided per
column from all of its values (``pandas.api.types.infer_dtype``), so they never depend on the first
row: integers with gaps become ``Int64``, booleans with gaps ``boolean``.

Guarantees (each one a trap of ``pandas.json_normalize``):

- columns are the union of keys over all rows, in first-seen order, nested ones in place;
- a key that already contains the separator never silently overwrites another column: the
  colliding column is renamed (``a.b`` -> ``a.b_2``), a :class:`FrameWarning` says so, and
  ``df.attrs["renamed_columns"]`` maps the new name to the original key path;
- an empty nested object never drops a row, and a field whose objects are all empty stays a column;
- a field that holds an object in some rows and a scalar in others keeps both (``a`` and ``a.x``);
- lists inside records stay Python lists.
"""

# pandas ships without type stubs (pandas-stubs is not a dependency): pyright reads its inline
# annotations; the few calls whose results stay unknown carry a narrow ignore.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

import functools
import operator
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any, cast

from ._errors import FrameError, FrameWarning
from ._json import as_list, as_mapping
from ._limits import DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS, current_limits, frame_limits

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Columns",
    "columns_to_frame",
    "flatten_records",
    "records_to_dataframe",
    "records_to_long",
]

Path = tuple[Hashable, ...]
Kind = tuple[str, bool]

_EMPTY: dict[Any, Any] = {}
_SCALAR_TYPES = (str, int, float, bool, type(None))


@dataclass
class Columns:
    """Flattened data: ``n`` rows, one value list per key path (insertion order = column order)."""

    n: int
    cols: dict[Path, list[Any]] = field(default_factory=dict[Path, list[Any]])
    # column_kind() results computed while flattening, reused when building the frame.
    kinds: dict[Path, Kind] = field(default_factory=dict[Path, Kind])
    # Set once objects deeper than MAX_EXPAND_DEPTH were kept whole (warned about once).
    too_deep: bool = False

    def add_constant(self, path: Path, value: Any) -> bool:
        """Add a column repeating ``value``; False (nothing added) when the path already exists."""
        if path in self.cols:
            return False
        self.cols[path] = [value] * self.n
        return True


def _union_keys(rows: list[dict[Any, Any]]) -> list[Any]:
    seen: dict[Any, None] = {}
    prev: Any = None
    for row in rows:
        keys = row.keys()
        # Set-equality of key views is a C-level check; most rows share the previous row's keys.
        if keys != prev:
            for k in keys:
                if k not in seen:
                    seen[k] = None
            prev = keys
    return list(seen)


# dict's own methods, typed for pyright (unbound, their key/value types stay unknown): mapped
# over rows they run at C speed, with no Python-level call per row.
_get: Callable[[dict[Any, Any], Any], Any] = dict.get  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
_has: Callable[[dict[Any, Any], Any], bool] = dict.__contains__  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def _columns_of(rows: list[dict[Any, Any]], taken: int) -> Iterator[tuple[Any, list[Any], Kind]]:
    """``(key, values, kind)`` for the union of keys in first-seen order; missing keys give None.

    ``taken`` is how many columns already exist: the keys found here are counted against the
    frame limits (:mod:`._limits`) *before* any column is built, so a key-per-row shape fails
    after one pass over the keys instead of after rows x distinct-keys work.

    Fast path: when every row holds all of the first row's keys and nothing else (checked with
    C-level passes: the total key count, and a key count for columns holding Nones), the first
    row's keys are the union and no per-row key scan is needed.
    """
    if not rows:
        return
    limits = current_limits()
    first = list(rows[0])
    n = len(rows)
    uniform = sum(map(len, rows)) == n * len(first)
    union = first if uniform else _union_keys(rows)
    limits.check(n, taken + len(union))
    for key in first:
        vals = list(map(_get, rows, repeat(key)))
        kind = column_kind(vals)
        # Nones may be explicit nulls or missing keys: only then count the keys themselves.
        if uniform and kind[1] and sum(map(_has, rows, repeat(key))) != n:
            uniform = False
            union = _union_keys(rows)
            limits.check(n, taken + len(union))
        yield key, vals, kind
    if uniform:
        return
    known = set(first)
    for key in union:
        if key not in known:
            vals = list(map(_get, rows, repeat(key)))
            yield key, vals, column_kind(vals)


_NONE = type(None)
_SIMPLE_KINDS = {str: "string", int: "integer", float: "floating", bool: "boolean"}


def column_kind(vals: list[Any]) -> Kind:
    """What a column holds: ``(kind, has_missing)``; kinds follow pandas' ``infer_dtype`` names.

    ``"objects"`` marks a column of plain dicts (to be flattened), ``"objects+"`` dicts mixed
    with other values. One C-level pass over the
    value types decides the common cases; anything unusual goes to ``infer_dtype``.
    """
    types = set(map(type, vals))
    has_none = _NONE in types
    types.discard(_NONE)
    if not types:
        return "empty", has_none
    if len(types) == 1:
        simple = _SIMPLE_KINDS.get(next(iter(types)))
        if simple is not None:
            return simple, has_none
    elif types == {int, float}:
        return "mixed-integer-float", has_none
    if types == {dict}:
        return "objects", has_none
    if any(issubclass(t, dict) for t in types):
        return "objects+", has_none  # dicts next to other values (or dict subclasses)
    from pandas.api.types import infer_dtype

    return infer_dtype(vals, skipna=True), has_none


def _normalise_rows(records: Iterable[Any]) -> list[dict[Any, Any]]:
    """Rows as plain dicts; anything that is not an object becomes ``{"content": value}``."""
    rows = records if isinstance(records, list) else list(records)
    if set(map(type, rows)) <= {dict}:
        return rows
    out: list[dict[Any, Any]] = []
    for r in rows:
        if type(r) is dict:
            out.append(cast("dict[Hashable, Any]", r))
        elif (obj := as_mapping(r)) is not None:
            out.append(dict(obj))
        else:
            out.append({"content": r})
    return out


def flatten_records(
    records: Iterable[Any],
    *,
    max_level: int | None = None,
    opaque: frozenset[str] = frozenset(),
) -> Columns:
    """Flatten records into :class:`Columns` (no pandas DataFrame yet).

    ``max_level`` limits how many levels of nested objects are expanded (``0``: none). Keys listed
    in ``opaque`` (top-level names) are never expanded: free-form blobs such as a JSON Schema.
    """
    rows = _normalise_rows(records)
    out = Columns(n=len(rows))
    _walk(rows, (), 0, max_level, opaque, out)
    return out


# Objects nested deeper than this are kept whole as values: deeper expansion would only make
# unreadable column names, and Python's recursion limit is not a user-facing error.
MAX_EXPAND_DEPTH = 100


def _walk(
    rows: list[dict[Any, Any]],
    prefix: Path,
    depth: int,
    max_level: int | None,
    opaque: frozenset[str],
    out: Columns,
) -> None:
    expand_here = (max_level is None or depth < max_level) and depth < MAX_EXPAND_DEPTH
    limits = current_limits()
    for key, vals, kind in _columns_of(rows, len(out.cols)):
        path = (*prefix, key)
        if (
            kind[0] in ("objects", "objects+")
            and expand_here
            and not (depth == 0 and key in opaque)
        ):
            has_other = kind[0] == "objects+" and any(
                not isinstance(v, dict) for v in vals if v is not None
            )
            before = len(out.cols)
            if has_other:
                # Scalars/lists next to objects under the same key keep their own column.
                out.cols[path] = [None if isinstance(v, dict) else v for v in vals]
            sub: list[Any]
            if kind == ("objects", False):
                sub = vals  # all plain dicts: no copy needed
            elif kind[0] == "objects":
                sub = [_EMPTY if v is None else v for v in vals]
            else:
                sub = [
                    v
                    if type(v) is dict
                    else (dict(cast("Mapping[Any, Any]", v)) if isinstance(v, dict) else _EMPTY)
                    for v in vals
                ]
            _walk(sub, path, depth + 1, max_level, opaque, out)
            if len(out.cols) == before + has_other:
                # Every object was empty: keep the field itself rather than let it vanish.
                out.cols[path] = vals
                out.kinds[path] = kind
            continue
        if kind[0] in ("objects", "objects+") and depth >= MAX_EXPAND_DEPTH and not out.too_deep:
            out.too_deep = True
            warnings.warn(
                f"Records are nested more than {MAX_EXPAND_DEPTH} objects deep; objects below "
                f"that depth are kept whole as values (e.g. in column "
                f"{'.'.join(map(str, path[:3]))}...).",
                FrameWarning,
                stacklevel=2,
            )
        # Siblings found at a shallower level are counted here, as they are added.
        limits.check(out.n, len(out.cols) + 1)
        out.cols[path] = vals
        out.kinds[path] = kind


def concat_columns(parts: Sequence[Columns]) -> Columns:
    """Stack several :class:`Columns` vertically; the column union keeps first-seen order."""
    if len(parts) == 1:
        return parts[0]
    order: dict[Path, None] = {}
    for p in parts:
        for path in p.cols:
            order.setdefault(path, None)
    total = sum(p.n for p in parts)
    out = Columns(n=total)
    for path in order:
        vals: list[Any] = []
        for p in parts:
            col = p.cols.get(path)
            vals.extend(col if col is not None else repeat(None, p.n))
        out.cols[path] = vals
    return out


def column_names(
    paths: Sequence[Path], sep: str, reserved: Iterable[str] = ()
) -> tuple[list[str], dict[str, Path]]:
    """Names for key paths, disambiguated; returns the names and ``{renamed: original path}``.

    A name claimed by several paths goes to the path with the fewest parts (the one a reader
    expects under that name), the others get ``_2``, ``_3``... Names in ``reserved`` (e.g. the MCP
    meta columns) are never reused by data columns.
    """
    names = [sep.join(str(p) for p in path) for path in paths]
    taken = set(reserved)
    if not taken and len(set(names)) == len(names):
        return names, {}
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(name, []).append(i)
    winners: set[int] = set()
    for name, idxs in groups.items():
        if name not in taken:
            # min() keeps the first-seen path among equals, so ties follow column order.
            winners.add(min(idxs, key=lambda i: len(paths[i])))
    used = set(taken) | {names[i] for i in winners}
    renamed: dict[str, Path] = {}
    for i, name in enumerate(names):
        if i in winners:
            continue
        k = 2
        while f"{name}_{k}" in used:
            k += 1
        new = f"{name}_{k}"
        used.add(new)
        names[i] = new
        renamed[new] = paths[i]
    return names, renamed


@functools.lru_cache(maxsize=1)
def _default_string_dtype() -> Any:
    import pandas as pd

    return pd.Series(["a"]).dtype


def _string_array(vals: list[Any]) -> Any:
    """Strings in pandas' default string dtype; built straight from pyarrow when it is backed by it.

    pandas' own inference pass costs ~5x more than handing the list to pyarrow directly.
    """
    import pandas as pd

    dtype = _default_string_dtype()
    if getattr(dtype, "storage", None) == "pyarrow":
        try:
            import pyarrow as pa

            # pyarrow has no stubs either.
            arr = pa.array(vals, type=pa.string(), from_pandas=True)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            return dtype.__from_arrow__(arr)
        except Exception:
            pass
    return pd.Series(vals, copy=False).array


def _masked(vals: list[Any], np_dtype: Any, array_cls: Any) -> Any:
    """A nullable pandas array (``Int64``/``boolean``) from values with Nones, in C-level passes."""
    import numpy as np

    mask = np.fromiter(map(operator.is_, vals, repeat(None)), dtype=bool, count=len(vals))
    obj = np.empty(len(vals), dtype=object)
    obj[:] = vals
    obj[mask] = 0
    return array_cls(obj.astype(np_dtype), mask)


def to_array(vals: list[Any], kind: Kind | None = None) -> Any:
    """A pandas/numpy array for one column, dtype chosen from all of its values."""
    import numpy as np
    import pandas as pd

    name, has_none = kind if kind is not None else column_kind(vals)
    try:
        if name == "integer":
            if has_none:
                return _masked(vals, np.int64, pd.arrays.IntegerArray)  # gaps: stay integers
            return np.array(vals, dtype=np.int64)
        if name == "boolean":
            if has_none:
                return _masked(vals, np.bool_, pd.arrays.BooleanArray)
            return np.array(vals, dtype=bool)
        if name in ("floating", "mixed-integer-float"):
            return np.array(vals, dtype=np.float64)
        if name == "string":
            return _string_array(vals)
        if name in ("datetime", "datetime64"):
            return pd.to_datetime(pd.Series(vals, dtype=object), utc=True).array  # pyright: ignore[reportUnknownMemberType]
    except (TypeError, ValueError, OverflowError):
        pass  # e.g. an int beyond 64 bits: keep the Python objects
    return pd.Series(vals, dtype=object).array


def columns_to_frame(
    data: Columns,
    *,
    sep: str = ".",
    leading: Mapping[str, list[Any]] | None = None,
    trailing: Columns | None = None,
) -> pd.DataFrame:
    """Build the DataFrame: ``leading`` columns (already named) first, then the data columns.

    ``trailing`` (same row count) comes last and loses name collisions with the data columns.
    """
    import pandas as pd

    leading = leading or {}
    triples = [(path, vals, data.kinds.get(path)) for path, vals in data.cols.items()]
    if trailing is not None:
        triples += [(path, vals, trailing.kinds.get(path)) for path, vals in trailing.cols.items()]
    names, renamed = column_names([t[0] for t in triples], sep, reserved=leading)
    arrays: dict[str, Any] = {name: to_array(vals) for name, vals in leading.items()}
    for name, (_, vals, kind) in zip(names, triples, strict=True):
        arrays[name] = to_array(vals, kind)
    if arrays:
        df = pd.DataFrame(arrays, index=pd.RangeIndex(data.n), copy=False)
    else:
        df = pd.DataFrame(index=pd.RangeIndex(data.n))
    if renamed:
        shown = ", ".join(f"{new!r} (key path {list(p)!r})" for new, p in renamed.items())
        warnings.warn(
            f"Some flattened column names collided (a key containing {sep!r}, or a name used "
            f"by another column); renamed: {shown}. Pass sep=... to choose another separator. "
            "The mapping is in df.attrs['renamed_columns'].",
            FrameWarning,
            stacklevel=3,
        )
        df.attrs["renamed_columns"] = {k: list(v) for k, v in renamed.items()}
    return df


def _explode(
    rows: list[dict[Any, Any]], path: tuple[str, ...]
) -> tuple[list[Any], list[dict[Any, Any]]]:
    """Rows of the lists found at ``path`` in each record, and each row's parent fields.

    A record whose path is missing, null or an empty list stays as one row (parent fields only),
    where ``json_normalize`` raises ``KeyError`` or silently drops it.
    """
    items: list[Any] = []
    parents: list[dict[Any, Any]] = []
    for rec in rows:
        node: Any = rec
        for key in path:
            obj = as_mapping(node)
            node = obj.get(key) if obj is not None else None
        parent = {k: v for k, v in rec.items() if k != path[0]}
        found = as_list(node)
        if found:
            items.extend(found)
            parents.extend([parent] * len(found))
        else:
            items.append(
                node
                if isinstance(node, Mapping)
                else ({} if node in (None, []) else {"content": node})
            )
            parents.append(parent)
    return items, parents


def records_to_dataframe(
    records: Iterable[Any],
    *,
    record_path: str | Sequence[str] | None = None,
    max_level: int | None = None,
    sep: str = ".",
    max_columns: int | None = DEFAULT_MAX_COLUMNS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
) -> pd.DataFrame:
    """One row per record, nested objects flattened with ``sep``; a faster, trap-free json_normalize.

    >>> records_to_dataframe([{"id": 1, "user": {"name": "Ada"}}, {"id": 2, "n": 5}]).columns.tolist()
    ['id', 'user.name', 'n']

    Items that are not objects become rows with their value in a ``content`` column.
    ``record_path`` (a key, or a list of keys to descend) makes the lists found there the rows,
    each followed by its parent record's other fields; a record where the path is missing or
    empty stays as one row:

    >>> records_to_dataframe([{"team": "a", "people": [{"n": 1}, {"n": 2}]}, {"team": "b"}],
    ...                      record_path="people")["team"].tolist()
    ['a', 'a', 'b']

    Records whose keys differ from row to row would make one column per distinct key; past
    ``max_columns`` columns or ``max_cells`` cells a :class:`FrameError` says how to go on
    (``record_path``, :func:`records_to_long`, or a raised limit; ``None`` for no limit).
    """
    # Checked at run time: a notebook passes whatever it has.
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise FrameError(
            f"records_to_dataframe() needs a list of records (dicts), got {type(cast(object, records)).__name__}. "
            "Use to_dataframe() for a whole response or a single object."
        )
    with frame_limits(max_columns, max_cells):
        if record_path is None:
            return columns_to_frame(flatten_records(records, max_level=max_level), sep=sep)
        path = (record_path,) if isinstance(record_path, str) else tuple(record_path)
        if not path:
            raise FrameError("record_path is empty: pass a key, or a list of keys to descend.")
        items, parents = _explode(_normalise_rows(records), path)
        return columns_to_frame(
            flatten_records(items, max_level=max_level),
            trailing=flatten_records(parents, max_level=max_level),
            sep=sep,
        )


def records_to_long(
    records: Iterable[Any], *, max_level: int | None = None, sep: str = "."
) -> pd.DataFrame:
    """One row per value: columns ``record`` (position), ``key`` (path joined by ``sep``), ``value``.

    The long layout for records whose keys differ from row to row, where the wide layout of
    :func:`records_to_dataframe` would need a column per distinct key: its size is the number of
    values, whatever the keys. Nested objects are walked like the wide layout walks them (up to
    ``max_level`` levels; lists stay values); a record with no values keeps one row with a
    missing key.

    >>> records_to_long([{"id": 1, "tags": {"a": 2}}, {"b": 3}]).values.tolist()
    [[0, 'id', 1], [0, 'tags.a', 2], [1, 'b', 3]]
    """
    import pandas as pd

    # Checked at run time: a notebook passes whatever it has.
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise FrameError(
            f"records_to_long() needs a list of records (dicts), got {type(cast(object, records)).__name__}."
        )
    limit = MAX_EXPAND_DEPTH if max_level is None else min(max_level, MAX_EXPAND_DEPTH)
    rec_col: list[int] = []
    key_col: list[str | None] = []
    val_col: list[Any] = []
    for i, row in enumerate(_normalise_rows(records)):
        before = len(rec_col)
        # An explicit stack (not recursion) so deeply nested records cannot exhaust the stack.
        stack: list[tuple[Path, Any, int]] = [((), row, 0)]
        while stack:
            path, node, depth = stack.pop()
            if isinstance(node, dict) and node and (not path or depth - 1 < limit):
                obj = cast("dict[Hashable, Any]", node)
                stack.extend(((*path, k), v, depth + 1) for k, v in reversed(obj.items()))
                continue
            if not path:
                continue  # an empty record: handled below
            rec_col.append(i)
            key_col.append(sep.join(map(str, path)))
            val_col.append(node)
        if len(rec_col) == before:
            rec_col.append(i)
            key_col.append(None)
            val_col.append(None)
    return pd.DataFrame(
        {
            "record": to_array(rec_col, ("integer", False)),
            "key": to_array(key_col),
            "value": pd.Series(val_col, dtype=object).array,
        }
    )


def is_scalar(value: Any) -> bool:
    return isinstance(value, _SCALAR_TYPES)
