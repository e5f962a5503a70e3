"""Models over whole DataFrames: ``df.gumloop.map / extract / classify / filter / agg / compare``.

Importing this module registers the ``df.gumloop`` accessor on pandas DataFrames: at once when
pandas is loaded, else the moment pandas is first imported (so ``import gumloop_nb.batch``,
which the notebook extension does, never loads pandas itself). Requests run on ``AsyncGumloop``
with bounded concurrency and retries; each answer is stored as it arrives in a content-addressed
SQLite cache (and an optional checkpoint), so re-running costs nothing and an interrupted run
continues where it stopped.

>>> import gumloop_nb.batch                                             # doctest: +SKIP
>>> labelled = df.gumloop.classify("{name}: {category}", ["metal", "nonmetal"])  # doctest: +SKIP
>>> labelled.gumloop.report.cost                                        # doctest: +SKIP

On Dask: ``import gumloop_nb.batch.dask`` registers the same accessor on Dask DataFrames.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .._lazy import load_lazy
from ._defaults import configure, set_default_client

if TYPE_CHECKING:
    from ._accessor import GumloopAccessor
    from ._engine import FatalBatchError
    from ._ops import BatchWarning
    from ._report import BatchReport, last_report
    from ._schema import SchemaMismatch
    from ._store import ResultStore, default_cache_path
    from ._template import TemplateError

__all__ = [
    "BatchReport",
    "BatchWarning",
    "FatalBatchError",
    "GumloopAccessor",
    "ResultStore",
    "SchemaMismatch",
    "TemplateError",
    "configure",
    "default_cache_path",
    "last_report",
    "set_default_client",
]

_LAZY = {
    "GumloopAccessor": "._accessor",
    "FatalBatchError": "._engine",
    "BatchWarning": "._ops",
    "BatchReport": "._report",
    "last_report": "._report",
    "SchemaMismatch": "._schema",
    "ResultStore": "._store",
    "default_cache_path": "._store",
    "TemplateError": "._template",
}


def __getattr__(name: str) -> Any:
    return load_lazy(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _register() -> None:
    import warnings

    import pandas as pd

    from ._accessor import GumloopAccessor

    if getattr(pd.DataFrame, "gumloop", None) is GumloopAccessor:
        return
    with warnings.catch_warnings():
        # Re-registering (autoreload, a second import path) replaces the accessor; pandas warns.
        warnings.simplefilter("ignore", UserWarning)
        pd.api.extensions.register_dataframe_accessor("gumloop")(GumloopAccessor)


if "pandas" in sys.modules:
    _register()
else:
    from ._hook import call_after_import

    call_after_import("pandas", _register)
