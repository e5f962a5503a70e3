"""How big a DataFrame the flattening may build before it stops with a clear error.

JSON records whose keys differ from row to row (an id used as a key, a free-form ``attributes``
object) flatten into one column per distinct key path: 4,000 records with 20 unique keys each
become 80,000 columns and 320 million cells, minutes of work and gigabytes of memory for a frame
nobody wants. The flattening counts the columns it is about to create *before* it creates them and
stops with :class:`~gumloop_nb.frames.FrameError` when a limit would be passed, saying how to go on:
a ``record_path`` to the records that matter, the long layout of :func:`records_to_long` (one row
per value, which scales with the data), or a raised limit.

Limits are set per call: ``max_columns=`` / ``max_cells=`` on :func:`records_to_dataframe`,
:func:`to_dataframe`, :func:`parse_artifact`, :func:`read_artifact` and :func:`aread_artifact`
(``None`` switches a limit off).
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ._errors import FrameError

__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_COLUMNS",
    "FrameLimits",
    "current_limits",
    "frame_limits",
]

#: More columns than this is almost always a key-per-row shape, not a table.
DEFAULT_MAX_COLUMNS = 10_000
#: Rows x columns; 50 million object cells is several GB once the values are Python objects.
DEFAULT_MAX_CELLS = 50_000_000


@dataclass(frozen=True)
class FrameLimits:
    """The limits in force: ``None`` switches one off."""

    max_columns: int | None = DEFAULT_MAX_COLUMNS
    max_cells: int | None = DEFAULT_MAX_CELLS

    def check(self, rows: int, columns: int) -> None:
        """Raise :class:`FrameError` if a frame of ``rows`` x ``columns`` passes a limit."""
        too_wide = self.max_columns is not None and columns > self.max_columns
        too_big = self.max_cells is not None and rows * columns > self.max_cells
        if not (too_wide or too_big):
            return
        if too_wide:
            what = f"{columns:,} columns (limit max_columns={self.max_columns:,})"
        else:
            what = (
                f"{rows:,} rows x {columns:,} columns = {rows * columns:,} cells "
                f"(limit max_cells={self.max_cells:,})"
            )
        raise FrameError(
            f"Flattening these records would build {what}: their keys differ from record to "
            "record (an id or a free-form object used as keys), so every distinct key becomes a "
            "column. To go on: pass record_path=... to take the rows from a list inside the "
            "records; or use records_to_long(records) for one row per (record, key, value), "
            "which scales with the data; or raise the limit (max_columns=... / max_cells=..., "
            "None for no limit) if you really want this frame."
        )


_DEFAULT_LIMITS = FrameLimits()
_LIMITS: ContextVar[FrameLimits | None] = ContextVar("gumloop_nb_frame_limits", default=None)


def current_limits() -> FrameLimits:
    """The limits in force for this call (set by the public entry points)."""
    return _LIMITS.get() or _DEFAULT_LIMITS


@contextmanager
def frame_limits(
    max_columns: int | None, max_cells: int | None
) -> Generator[FrameLimits, None, None]:
    """Apply a public call's ``max_columns``/``max_cells`` to the flattening it runs."""
    new = FrameLimits(_positive("max_columns", max_columns), _positive("max_cells", max_cells))
    token = _LIMITS.set(new)
    try:
        yield new
    finally:
        _LIMITS.reset(token)


def _positive(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FrameError(f"{name} must be a positive int or None (no limit), got {value!r}.")
    return value
