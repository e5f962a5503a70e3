"""``ddf.gumloop``: the same operators on a Dask DataFrame, run per partition on the cluster.

``import gumloop_nb.batch.dask`` registers the accessor on ``dask.dataframe.DataFrame`` (pandas
users never import Dask). Each partition runs the pandas operator on its worker with a client of
its own and at most ``concurrency`` requests in flight; results come back as a Dask DataFrame::

    from distributed import Client
    import dask.dataframe as dd, gumloop_nb.batch.dask
    client = Client("tcp://scheduler:8786")
    ddf = dd.from_pandas(df, npartitions=8)
    labelled = ddf.gumloop.classify("{title}", ["bug", "question"]).compute()

**Credentials** never enter the task graph: the graph holds a random reference, and the
credential travels to the workers inside a worker plugin (``Client.register_plugin``) whose
repr hides it, is never logged, and is kept only in the workers' memory. With a local scheduler
(threads, synchronous) the reference resolves in this process. A worker that does not know the
reference falls back to its own ``GUMLOOP_ACCESS_TOKEN``/``GUMLOOP_API_KEY`` environment.

**Cache and checkpoints** are SQLite files opened by each worker at the same path: on one
machine (``LocalCluster``) they are shared; across machines give ``checkpoint=`` a path on a
shared filesystem, or rely on each worker's own cache. Reports (``.gumloop.report``) stay on the
workers; the rows carry the answers and their ``error``.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dask.dataframe as dd
import pandas as pd
from dask.dataframe.extensions import register_dataframe_accessor

from . import _ops
from ._engine import Backend
from ._run import RunOptions

__all__ = ["DaskGumloopAccessor", "PartitionError"]

_RUN_KEYS = ("model", "client", "concurrency", "retries", "cache", "checkpoint")
_lock = threading.Lock()
# reference -> credential, in every process that may run a partition (this one, each worker).
_CREDENTIALS: dict[str, str] = {}
# id of the distributed client -> {credential reference} already sent to its workers
_SENT: dict[int, set[str]] = {}


class PartitionError(RuntimeError):
    """A partition failed on its worker (the message says why; no exception chain is kept)."""


class _Credential:
    """A worker plugin carrying one credential to every worker; its repr never shows it."""

    def __init__(self, ref: str, secret: str) -> None:
        self.ref = ref
        self._secret = secret
        self.name = f"gumloop-credential-{ref}"

    def __repr__(self) -> str:
        return f"<gumloop credential {self.ref} (hidden)>"

    __str__ = __repr__

    def setup(self, worker: Any = None) -> None:
        with _lock:
            _CREDENTIALS[self.ref] = self._secret

    def teardown(self, worker: Any = None) -> None:
        with _lock:
            _CREDENTIALS.pop(self.ref, None)

    def transition(self, *args: Any, **kwargs: Any) -> None:
        return None


def _active_distributed_client() -> Any:
    if "distributed" not in sys.modules:  # no client can be active; do not import it for nothing
        return None
    from distributed import default_client

    try:
        return default_client()
    except ValueError:
        return None


def _reference_for(secret: str | None) -> str | None:
    """A random reference for ``secret``, made known to every process that may need it."""
    if not secret:
        return None
    with _lock:
        ref = next((r for r, s in _CREDENTIALS.items() if s == secret), None)
        if ref is None:
            ref = secrets.token_hex(12)
            _CREDENTIALS[ref] = secret
    client = _active_distributed_client()
    if client is not None:
        sent = _SENT.setdefault(id(client), set())
        if ref not in sent:
            plugin = _Credential(ref, secret)
            try:
                from distributed.diagnostics.plugin import WorkerPlugin

                # A WorkerPlugin subclass built here, so distributed recognises it.
                plugin = type("GumloopCredential", (_Credential, WorkerPlugin), {})(ref, secret)
            except ImportError:  # pragma: no cover - distributed is part of the dask extra
                pass
            client.register_plugin(plugin, name=plugin.name)
            sent.add(ref)
    return ref


class _WorkerBackend:
    """What a partition needs to reach the server; the credential only as a reference."""

    def __init__(self, backend: Backend) -> None:
        settings = backend.settings()
        self.ref = _reference_for(settings.pop("api_key", None))
        self.settings = settings

    def __repr__(self) -> str:
        return f"<gumloop backend {self.settings.get('base_url')} credential={self.ref}>"

    def backend(self) -> Backend:
        settings = dict(self.settings)
        with _lock:
            secret = _CREDENTIALS.get(self.ref) if self.ref else None
        if secret is None:
            secret = os.environ.get("GUMLOOP_ACCESS_TOKEN") or os.environ.get("GUMLOOP_API_KEY")
        if secret is None and self.ref is not None:
            raise RuntimeError(
                "This Dask worker has no Gumloop credential: run the operator with a "
                "distributed.Client connected (it ships the credential to the workers), or set "
                "GUMLOOP_ACCESS_TOKEN in the workers' environment."
            )
        settings["api_key"] = secret
        return Backend.from_settings(settings)


def _run_partition(
    pdf: pd.DataFrame,
    operation: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    run: dict[str, Any],
    where: _WorkerBackend,
) -> pd.DataFrame:
    options = RunOptions(client=where.backend(), progress=False, **run)
    func = getattr(_ops, f"{operation}_frame")
    try:
        with _quiet():
            return func(pdf, *args, options=options, **kwargs)
    except Exception as exc:
        failure = f"{type(exc).__name__}: {exc}"
    # Raised outside the handler so it carries no __context__: distributed pickles exceptions
    # with their context chain (tblib), and a chained HTTP error holds the request's headers.
    raise PartitionError(f"a gumloop {operation} partition failed: {failure}")


@contextmanager
def _quiet() -> Iterator[None]:
    """Per-partition warnings about failed rows are noise on a worker: rows carry ``error``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _ops.BatchWarning)
        yield


class DaskGumloopAccessor:
    """``ddf.gumloop.map / extract / classify / filter / compare / mcp / flow / agg``.

    The same arguments as on a pandas DataFrame (``df.gumloop``); ``concurrency`` applies per
    partition. Results are lazy Dask DataFrames (``agg`` returns a pandas frame).
    """

    def __init__(self, obj: dd.DataFrame) -> None:
        self._obj = obj

    def _split(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], Backend, dict[str, Any]]:
        run = {k: kwargs.pop(k) for k in list(kwargs) if k in _RUN_KEYS}
        kwargs.pop("progress", None)  # partitions run on workers: no bar there
        client = run.pop("client", None)
        backend = RunOptions(client=client).backend()
        return run, backend, kwargs

    def _apply(self, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        run, backend, kwargs = self._split(dict(kwargs))
        meta = self._meta(operation, args, kwargs, run, backend)
        where = _WorkerBackend(backend)
        return self._obj.map_partitions(
            _run_partition, operation, args, kwargs, run, where, meta=meta, align_dataframes=False
        )

    def _meta(
        self,
        operation: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        run: dict[str, Any],
        backend: Backend,
    ) -> pd.DataFrame:
        empty = self._obj._meta
        if operation in ("mcp", "flow"):
            # Their columns depend on what the tool returns: learn them from the first row
            # (one request, cached, so the worker that owns that row does not pay again).
            first = self._obj.head(1, npartitions=-1)
            options = RunOptions(client=backend, progress=False, **run)
            with _quiet():
                sample = getattr(_ops, f"{operation}_frame")(
                    first, *args, options=options, **kwargs
                )
            return sample.iloc[:0]
        options = RunOptions(client=backend, progress=False, cache=False)
        with _quiet():
            return getattr(_ops, f"{operation}_frame")(empty, *args, options=options, **kwargs)

    def map(self, prompt: Any, **kwargs: Any) -> Any:
        """Per partition ``df.gumloop.map`` (see there)."""
        return self._apply("map", (prompt,), kwargs)

    def extract(self, prompt: Any, schema: Any, **kwargs: Any) -> Any:
        """Per partition ``df.gumloop.extract``."""
        return self._apply("extract", (prompt, schema), kwargs)

    def classify(self, column_or_prompt: Any, labels: Any, **kwargs: Any) -> Any:
        """Per partition ``df.gumloop.classify``."""
        return self._apply("classify", (column_or_prompt, labels), kwargs)

    def filter(self, predicate: Any, **kwargs: Any) -> Any:
        """Per partition ``df.gumloop.filter``."""
        return self._apply("filter", (predicate,), kwargs)

    def compare(self, prompt: Any, models: Sequence[str], **kwargs: Any) -> Any:
        """Per partition ``df.gumloop.compare`` (agreement per row; no pairwise matrix)."""
        return self._apply("compare", (prompt, list(models)), kwargs)

    def mcp(self, server: str, tool: str, **kwargs: Any) -> Any:
        """Per partition ``df.gumloop.mcp`` (the first row is run here to learn the columns)."""
        return self._apply("mcp", (server, tool), kwargs)

    def flow(self, flow_id: str, **kwargs: Any) -> Any:
        """Per partition ``df.gumloop.flow`` (the first row is run here to learn the columns)."""
        return self._apply("flow", (flow_id,), kwargs)

    def agg(self, prompt: str, **kwargs: Any) -> pd.DataFrame:
        """Map-reduce: each partition reduces its rows on its worker, the partials here.

        Returns a pandas one-row frame like ``df.gumloop.agg``; the final step's report (with
        the partial answers as its first level) is on ``result.gumloop.report``.
        """
        agg_args = {k: kwargs[k] for k in ("batch_tokens", "fan_in", "params") if k in kwargs}
        row_template = kwargs.pop("row_template", None)
        run, backend, _ = self._split(dict(kwargs))
        where = _WorkerBackend(backend)
        meta = pd.DataFrame(
            {
                "answer": pd.Series([], dtype="string"),
                "rows": pd.Series([], dtype="int64"),
                "batches": pd.Series([], dtype="int64"),
                "levels": pd.Series([], dtype="int64"),
                "error": pd.Series([], dtype="string"),
            }
        )
        partials = self._obj.map_partitions(
            _run_partition,
            "agg",
            (prompt,),
            {"row_template": row_template, **agg_args},
            run,
            where,
            meta=meta,
            align_dataframes=False,
        ).compute()
        partials = partials[partials["answer"].notna()].reset_index(drop=True)
        if partials.empty:
            raise RuntimeError("agg: every partition failed; see the workers' errors.")
        if len(partials) == 1:
            return partials
        options = RunOptions(client=backend, **run)
        total = int(partials["rows"].sum())
        result = _ops.agg_frame(
            partials,
            prompt,
            row_template="Partial answer over {rows} rows: {answer}",
            options=options,
            **agg_args,
        )
        result["rows"] = total
        return result


def _register() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        register_dataframe_accessor("gumloop")(DaskGumloopAccessor)


_register()
