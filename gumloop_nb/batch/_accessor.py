"""``df.gumloop``: the operators as methods of a pandas DataFrame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._ops import (
    agg_frame,
    classify_frame,
    compare_frame,
    extract_frame,
    filter_frame,
    flow_frame,
    map_frame,
    mcp_frame,
)
from ._report import BatchReport, report_for
from ._run import RunOptions

__all__ = ["GumloopAccessor"]

_RUN_DOC = """
        Run options (every operator): ``model`` (default ``configure(model=...)``, "gpt-4.1"),
        ``client`` (a ``Gumloop``/``AsyncGumloop`` or a function returning an ``AsyncGumloop``;
        default: the notebook's connection, else ``Gumloop()`` from the environment),
        ``concurrency`` (requests in flight, default 16), ``retries`` (on rate limits and
        dropped connections, default 6), ``cache`` (True, False or a file path), ``checkpoint``
        (a file path: results are written there as they arrive and a re-run continues from it),
        ``progress`` (show the live bar).
"""


class GumloopAccessor:
    """Models over whole DataFrames: ``df.gumloop.map("Summarise: {abstract}")``.

    Each operator returns a new DataFrame (the input is not modified); its provenance (model,
    tokens, cost, latency, cached, error per request) is on ``result.gumloop.report``.
    """

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    @property
    def report(self) -> BatchReport | None:
        """The `BatchReport` of the operator that produced this frame (None for other frames)."""
        return report_for(self._obj)

    @property
    def cost(self) -> float:
        """Credits this frame's operator spent (0.0 when it came from the cache or no operator)."""
        report = self.report
        return report.cost if report is not None else 0.0

    @staticmethod
    def _options(run: dict[str, Any]) -> RunOptions:
        allowed = {"model", "client", "concurrency", "retries", "cache", "checkpoint", "progress"}
        unknown = sorted(set(run) - allowed)
        if unknown:
            raise TypeError(
                f"unexpected argument(s) {', '.join(unknown)}; run options are "
                f"{', '.join(sorted(allowed))} (model parameters go in params={{...}})."
            )
        return RunOptions(**run)

    def map(
        self,
        prompt: Any,
        *,
        output: str = "answer",
        system: str | None = None,
        params: Mapping[str, Any] | None = None,
        **run: Any,
    ) -> Any:
        """One answer per row: ``df.gumloop.map("Summarise: {abstract}", model="gpt-4.1")``.

        ``prompt`` is a template over the row's columns (or a function row -> text); names that
        are not columns are reported before anything is sent. Adds ``output`` and ``error``.
        ``params`` adds request fields such as ``{"temperature": 0}``.
        """
        return map_frame(
            self._obj,
            prompt,
            output=output,
            system=system,
            params=params,
            options=self._options(run),
        )

    def extract(
        self,
        prompt: Any,
        schema: Any,
        *,
        prefix: str = "",
        system: str | None = None,
        params: Mapping[str, Any] | None = None,
        **run: Any,
    ) -> Any:
        """Structured output per row, one typed column per schema field.

        ``schema``: a JSON Schema object or a pydantic model. Integers become ``Int64``, numbers
        ``Float64``, booleans ``boolean``, strings ``string``. A row whose answer does not fit
        gets NA fields and its reason in ``error``.
        """
        return extract_frame(
            self._obj,
            prompt,
            schema,
            prefix=prefix,
            system=system,
            params=params,
            options=self._options(run),
        )

    def classify(
        self,
        column_or_prompt: Any,
        labels: Sequence[str] | Mapping[str, str],
        *,
        output: str = "label",
        reason: bool = False,
        instructions: str | None = None,
        params: Mapping[str, Any] | None = None,
        **run: Any,
    ) -> Any:
        """One label per row from ``labels`` (a list, or a dict label -> description).

        Uses the decisions endpoint (``POST /decisions``, adds ``{output}_confidence``) where
        the backend has it, else structured output; ``reason=True`` asks for a
        ``{output}_reason`` column (structured output). The label column is categorical.
        """
        return classify_frame(
            self._obj,
            column_or_prompt,
            labels,
            output=output,
            reason=reason,
            instructions=instructions,
            params=params,
            options=self._options(run),
        )

    def filter(
        self,
        predicate: Any,
        *,
        threshold: float = 0.5,
        params: Mapping[str, Any] | None = None,
        **run: Any,
    ) -> Any:
        """The rows for which the model says yes.

        ``predicate``: a description (``"is a noble gas"``, the model sees every column) or a
        template naming columns (``"{name} is a metal"``). Rows whose request failed are left
        out (with a warning); ``report.provenance`` has every row's verdict.
        """
        return filter_frame(
            self._obj, predicate, threshold=threshold, params=params, options=self._options(run)
        )

    def agg(
        self,
        prompt: str,
        *,
        row_template: Any = None,
        batch_tokens: int = 6000,
        fan_in: int = 8,
        output: str = "answer",
        params: Mapping[str, Any] | None = None,
        **run: Any,
    ) -> Any:
        """One answer over all rows (map-reduce over batches of about ``batch_tokens``).

        Returns a one-row frame (``answer, rows, batches, levels, error``); every intermediate
        answer is in ``result.gumloop.report.steps``.
        """
        return agg_frame(
            self._obj,
            prompt,
            row_template=row_template,
            batch_tokens=batch_tokens,
            fan_in=fan_in,
            output=output,
            params=params,
            options=self._options(run),
        )

    def compare(
        self,
        prompt: Any,
        models: Sequence[str],
        *,
        system: str | None = None,
        params: Mapping[str, Any] | None = None,
        **run: Any,
    ) -> Any:
        """The same ``map`` on several models: one column per model and ``agreement``.

        ``agreement`` is the share of models giving the most common answer (after trimming and
        case folding); ``report.agreement`` holds the pairwise agreement matrix.
        """
        return compare_frame(
            self._obj, prompt, models, system=system, params=params, options=self._options(run)
        )

    def mcp(
        self, server: str, tool: str, *, arguments: Any = None, prefix: str = "", **run: Any
    ) -> Any:
        """One MCP tool call per row; ``arguments`` values that are strings are row templates.

        Each result is flattened with ``gumloop_nb.frames.to_dataframe`` and joined to its row
        (a result of several records repeats the row).
        """
        return mcp_frame(
            self._obj, server, tool, arguments=arguments, prefix=prefix, options=self._options(run)
        )

    def flow(
        self,
        flow_id: str,
        *,
        inputs: Any = None,
        user_id: str | None = None,
        poll_interval: float = 1.0,
        prefix: str = "",
        **run: Any,
    ) -> Any:
        """One run of a saved flow per row; ``inputs`` values that are strings are row templates."""
        return flow_frame(
            self._obj,
            flow_id,
            inputs=inputs,
            user_id=user_id,
            poll_interval=poll_interval,
            prefix=prefix,
            options=self._options(run),
        )


for _name in ("map", "extract", "classify", "filter", "agg", "compare", "mcp", "flow"):
    _method = getattr(GumloopAccessor, _name)
    _method.__doc__ = (_method.__doc__ or "") + _RUN_DOC
