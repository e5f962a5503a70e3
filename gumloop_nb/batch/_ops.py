"""The operators: rows in, requests out, answers back into a new DataFrame.

Each operator builds one request per row (content-addressed, so identical rows are asked once),
runs them through the engine, and assembles a new frame; the input is never modified. Every
operator records a `BatchReport` (provenance, cost, cached counts) for its result.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._engine import Backend, Call, Outcome, backend_lacks
from ._report import BatchReport, attach
from ._run import Executed, RunOptions, execute
from ._schema import OutputSchema, SchemaMismatch
from ._template import TemplateError, describe_row, render_row

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "agg_frame",
    "classify_frame",
    "compare_frame",
    "extract_frame",
    "filter_frame",
    "flow_frame",
    "map_frame",
    "mcp_frame",
]

ERROR = "error"
_PROVENANCE = [
    "model",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "latency_s",
    "cached",
    "error",
]


class BatchWarning(UserWarning):
    """Some rows failed (their errors are in the ``error`` column or the report)."""


# -- building blocks ------------------------------------------------------------------------------
def _check_frame(df: Any) -> None:
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}.")
    if not df.columns.is_unique:
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise ValueError(
            f"The DataFrame has duplicate column names ({', '.join(dup)}); rename them."
        )


def _records(df: pd.DataFrame, fields: Sequence[str] | None) -> list[dict[str, Any]]:
    frame = df if fields is None else df[list(fields)]
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    return frame.to_dict("records")


def _renderer(
    prompt: Any, df: pd.DataFrame
) -> tuple[Callable[[Mapping[str, Any]], str], list[str] | None]:
    """A row renderer for ``prompt`` and the columns it needs (None: all of them)."""
    if callable(prompt):
        return prompt, None
    from ._template import RowTemplate

    template = RowTemplate.parse(prompt, list(df.columns))
    return template.render, template.fields


def _no_clash(df: pd.DataFrame, names: Sequence[str], hint: str) -> None:
    taken = [n for n in names if n in df.columns and n != ERROR]
    if taken:
        raise ValueError(
            f"The DataFrame already has column(s) {', '.join(map(repr, taken))}; {hint} "
            "Nothing was sent."
        )


def _chat_request(
    model: str,
    user: str,
    *,
    system: str | None = None,
    response_format: dict[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": user})
    request: dict[str, Any] = {"model": model, "messages": messages}
    if response_format is not None:
        request["response_format"] = response_format
    for key, value in (params or {}).items():
        if key in ("model", "messages", "stream", "response_format"):
            raise ValueError(f"params cannot set {key!r}; it is set by the operator.")
        if value is not None:
            request[key] = value
    return request


def _call(
    backend: Backend, kind: str, request: dict[str, Any], fallback: Call | None = None
) -> Call:
    return Call(kind, request, backend.key(kind, request), fallback)


def _provenance(index: Any, outcomes: Sequence[Outcome], model: str | None) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for outcome in outcomes:
        value = outcome.value or {}
        rows.append(
            {
                "model": value.get("model") or model,
                "prompt_tokens": value.get("prompt_tokens"),
                "completion_tokens": value.get("completion_tokens"),
                "cost": value.get("cost"),
                "latency_s": value.get("latency_s"),
                "cached": outcome.cached,
                "error": outcome.error,
            }
        )
    frame = pd.DataFrame(rows, index=index, columns=_PROVENANCE)
    for column in ("prompt_tokens", "completion_tokens"):
        frame[column] = frame[column].astype("Int64")
    for column in ("cost", "latency_s"):
        frame[column] = frame[column].astype("Float64")
    frame["error"] = frame["error"].astype("string")
    return frame


def _report(
    operation: str, provenance: pd.DataFrame, executed: Executed | list[Executed], **extra: Any
) -> BatchReport:
    runs = executed if isinstance(executed, list) else [executed]
    outcomes = [o for run in runs for o in run.outcomes.values()]
    fresh = [o for o in outcomes if not o.cached and o.value is not None]
    cached = [o for o in outcomes if o.cached]
    tokens = sum(
        int(o.value.get("prompt_tokens") or 0) + int(o.value.get("completion_tokens") or 0)
        for o in fresh
        if o.value
    )
    return BatchReport(
        operation=operation,
        provenance=provenance,
        requests=len(outcomes),
        made=sum(1 for o in outcomes if not o.cached),
        cached=len(cached),
        errors=sum(1 for o in outcomes if o.error is not None),
        cost=round(sum(float((o.value or {}).get("cost") or 0.0) for o in fresh), 10),
        cached_cost=round(sum(float((o.value or {}).get("cost") or 0.0) for o in cached), 10),
        tokens=tokens,
        elapsed_s=sum(run.elapsed for run in runs),
        retries=sum(run.tally.retries for run in runs),
        **extra,
    )


def _errors_column(df: pd.DataFrame, errors: Sequence[str | None]) -> Any:
    import pandas as pd

    new = pd.Series(list(errors), index=df.index, dtype="string")
    if ERROR in df.columns:
        old = df[ERROR].astype("string")
        return old.where(old.notna(), new)
    return new


def _warn_errors(operation: str, errors: int, total: int) -> None:
    if errors:
        warnings.warn(
            f"{operation}: {errors} of {total} rows failed; see the 'error' column or "
            "result.gumloop.report.provenance, and run again to retry them.",
            BatchWarning,
            stacklevel=4,
        )


def _outcomes(calls: Sequence[Call], executed: Executed) -> list[Outcome]:
    return [executed.outcomes[c.key] for c in calls]


def _finish(result: pd.DataFrame, report: BatchReport) -> pd.DataFrame:
    attach(result, report)
    return result


# -- map ------------------------------------------------------------------------------------------
def map_frame(
    df: pd.DataFrame,
    prompt: Any,
    *,
    output: str = "answer",
    system: str | None = None,
    params: Mapping[str, Any] | None = None,
    options: RunOptions,
    operation: str = "map",
) -> pd.DataFrame:
    """One answer per row in column ``output``."""
    _check_frame(df)
    _no_clash(df, [output], "pass output='another_name'.")
    render, fields = _renderer(prompt, df)
    backend = options.backend()
    model = options.resolved_model
    calls = [
        _call(backend, "chat", _chat_request(model, render(row), system=system, params=params))
        for row in _records(df, fields)
    ]
    executed = execute(calls, options, operation, backend)
    outcomes = _outcomes(calls, executed)
    result = df.copy()
    result[output] = _answers(outcomes, result.index)
    result[ERROR] = _errors_column(df, [o.error for o in outcomes])
    report = _report(operation, _provenance(df.index, outcomes, model), executed)
    _warn_errors(operation, report.errors, len(df))
    return _finish(result, report)


def _answers(outcomes: Sequence[Outcome], index: Any) -> Any:
    import pandas as pd

    values = [(o.value or {}).get("answer") if o.error is None else None for o in outcomes]
    return pd.Series(values, index=index, dtype="string")


# -- extract --------------------------------------------------------------------------------------
def extract_frame(
    df: pd.DataFrame,
    prompt: Any,
    schema: Any,
    *,
    prefix: str = "",
    system: str | None = None,
    params: Mapping[str, Any] | None = None,
    options: RunOptions,
) -> pd.DataFrame:
    """Structured output per row, one typed column per schema property."""
    import pandas as pd

    _check_frame(df)
    out_schema = OutputSchema.of(schema)
    columns = [prefix + c for c in out_schema.columns]
    _no_clash(df, columns, "pass prefix='x_' to name the new columns apart.")
    render, fields = _renderer(prompt, df)
    backend = options.backend()
    model = options.resolved_model
    fmt = out_schema.response_format()
    system = system or "Extract the requested fields from the input. Answer with JSON only."
    calls = [
        _call(
            backend,
            "chat",
            _chat_request(model, render(row), system=system, response_format=fmt, params=params),
        )
        for row in _records(df, fields)
    ]
    executed = execute(calls, options, "extract", backend)
    outcomes = _outcomes(calls, executed)
    values: dict[str, list[Any]] = {c: [] for c in out_schema.columns}
    errors: list[str | None] = []
    for outcome in outcomes:
        parsed: dict[str, Any] = {}
        error = outcome.error
        if error is None:
            try:
                parsed = out_schema.parse((outcome.value or {}).get("answer"))
            except SchemaMismatch as exc:
                error = f"answer does not fit the schema: {exc}"
        errors.append(error)
        for column in out_schema.columns:
            values[column].append(parsed.get(column))
    result = df.copy()
    for column in out_schema.columns:
        series = pd.Series(values[column], index=df.index, dtype=object)
        dtype = out_schema.dtype(column)
        if dtype is not None:
            series = series.astype(dtype)
        result[prefix + column] = series
    result[ERROR] = _errors_column(df, errors)
    provenance = _provenance(df.index, outcomes, model)
    provenance["error"] = pd.Series(errors, index=df.index, dtype="string")
    report = _report("extract", provenance, executed)
    report.errors = sum(e is not None for e in errors)
    _warn_errors("extract", report.errors, len(df))
    return _finish(result, report)


# -- classify -------------------------------------------------------------------------------------
def _labels(labels: Any) -> dict[str, str]:
    if isinstance(labels, Mapping):
        out = {str(k): str(v) for k, v in labels.items()}
    elif isinstance(labels, (list, tuple, set, frozenset)) or hasattr(labels, "__iter__"):
        if isinstance(labels, str):
            raise TypeError("labels must be a list of labels (or a dict label -> description).")
        out = {str(k): str(k) for k in labels}
    else:
        raise TypeError("labels must be a list of labels (or a dict label -> description).")
    if len(out) < 2:
        raise ValueError("classify needs at least two labels.")
    return out


def classify_frame(
    df: pd.DataFrame,
    column_or_prompt: Any,
    labels: Any,
    *,
    output: str = "label",
    reason: bool = False,
    instructions: str | None = None,
    params: Mapping[str, Any] | None = None,
    options: RunOptions,
) -> pd.DataFrame:
    """One label per row (decisions endpoint; structured output when it is missing or for reasons)."""
    import pandas as pd

    _check_frame(df)
    label_map = _labels(labels)
    reason_col = f"{output}_reason"
    confidence_col = f"{output}_confidence"
    _no_clash(df, [output, reason_col, confidence_col], "pass output='another_name'.")
    render: Callable[[Mapping[str, Any]], str]
    fields: list[str] | None
    if not callable(column_or_prompt) and column_or_prompt in df.columns:
        column = str(column_or_prompt)
        fields = [column]

        def render(row: Mapping[str, Any]) -> str:
            return describe_row({column: row[column]})
    else:
        render, fields = _renderer(column_or_prompt, df)
    backend = options.backend()
    model = options.resolved_model
    instructions = instructions or "Pick the one label that best fits the input."
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"label": {"type": "string", "enum": list(label_map)}},
        "required": ["label"],
        "additionalProperties": False,
    }
    if reason:
        schema["properties"]["reason"] = {"type": "string"}
        schema["required"].append("reason")
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "classification", "schema": schema, "strict": True},
    }
    listing = "\n".join(f"- {k}: {v}" if v != k else f"- {k}" for k, v in label_map.items())
    system = f"{instructions}\nLabels:\n{listing}\nAnswer with JSON only."
    use_decisions = not reason and not params
    calls = []
    for row in _records(df, fields):
        text = render(row)
        structured = _call(
            backend,
            "chat",
            _chat_request(model, text, system=system, response_format=fmt, params=params),
        )
        if use_decisions:
            question = {"type": "choice", "instructions": instructions, "criteria": label_map}
            request = {"model": model, "state": text, "questions": {"label": question}}
            calls.append(_call(backend, "decisions", request, fallback=structured))
        else:
            calls.append(structured)
    executed = execute(calls, options, "classify", backend)
    outcomes = _outcomes(calls, executed)
    chosen: list[str | None] = []
    confidences: list[float | None] = []
    reasons: list[str | None] = []
    errors: list[str | None] = []
    for outcome in outcomes:
        label = confidence = why = None
        error = outcome.error
        if error is None:
            try:
                label, confidence, why = _read_label(outcome.value or {}, label_map)
            except SchemaMismatch as exc:
                error = str(exc)
        chosen.append(label)
        confidences.append(confidence)
        reasons.append(why)
        errors.append(error)
    result = df.copy()
    result[output] = pd.Categorical(chosen, categories=list(label_map))
    if use_decisions:  # a fixed set of columns (Dask needs it); NA after a fallback
        result[confidence_col] = pd.Series(confidences, index=df.index, dtype="Float64")
    if reason:
        result[reason_col] = pd.Series(reasons, index=df.index, dtype="string")
    result[ERROR] = _errors_column(df, errors)
    provenance = _provenance(df.index, outcomes, model)
    provenance["error"] = pd.Series(errors, index=df.index, dtype="string")
    report = _report("classify", provenance, executed)
    report.errors = sum(e is not None for e in errors)
    report.extra["endpoint"] = (
        "decisions"
        if use_decisions and not backend_lacks(backend.base_url, "decisions")
        else "chat"
    )
    _warn_errors("classify", report.errors, len(df))
    return _finish(result, report)


def _read_label(
    value: Mapping[str, Any], labels: Mapping[str, str]
) -> tuple[str, float | None, str | None]:
    answer = value.get("answer")
    confidence = why = None
    if isinstance(answer, dict) and "label" in answer and isinstance(answer["label"], dict):
        decision = answer[
            "label"
        ]  # decisions: {"type": "choice", "choice": ..., "confidence": ...}
        label = decision.get("choice")
        confidence = decision.get("confidence")
    else:
        try:
            data = json.loads(answer) if isinstance(answer, str) else answer
        except ValueError:
            raise SchemaMismatch(f"the answer is not JSON: {str(answer)[:80]!r}") from None
        if not isinstance(data, dict):
            raise SchemaMismatch("the answer is not a JSON object with a 'label'.")
        label, why = data.get("label"), data.get("reason")
    if label not in labels:
        raise SchemaMismatch(f"the answer {label!r} is not one of the labels {list(labels)}")
    return str(label), (float(confidence) if confidence is not None else None), why


# -- filter ---------------------------------------------------------------------------------------
_FIELD = re.compile(r"(?<!\{)\{[^{}]+\}(?!\})")


def filter_frame(
    df: pd.DataFrame,
    predicate: Any,
    *,
    threshold: float = 0.5,
    params: Mapping[str, Any] | None = None,
    options: RunOptions,
) -> pd.DataFrame:
    """The rows for which the model says the predicate holds."""
    import pandas as pd

    _check_frame(df)
    described = not (callable(predicate) or _FIELD.search(str(predicate)))
    if not described:
        render, fields = _renderer(predicate, df)
        instructions = "Does the statement hold? Answer true or false."

        def state(row: Mapping[str, Any]) -> str:
            return render(row)
    else:
        instructions = str(predicate)
        fields = None

        def state(row: Mapping[str, Any]) -> str:
            return describe_row(row)

    backend = options.backend()
    model = options.resolved_model
    schema = {
        "type": "object",
        "properties": {"keep": {"type": "boolean"}},
        "required": ["keep"],
        "additionalProperties": False,
    }
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "verdict", "schema": schema, "strict": True},
    }
    system = (
        f"{instructions}\nAnswer with JSON: keep is true when it holds for the input, else false."
    )
    use_decisions = not params
    calls = []
    for row in _records(df, fields):
        text = state(row)
        structured = _call(
            backend,
            "chat",
            _chat_request(model, text, system=system, response_format=fmt, params=params),
        )
        if use_decisions:
            question: dict[str, Any] = {"type": "noul", "instructions": instructions}
            if described:  # a description: it is also what a "yes" means
                question["criteria"] = {"true": instructions}
            request = {"model": model, "state": text, "questions": {"keep": question}}
            calls.append(_call(backend, "decisions", request, fallback=structured))
        else:
            calls.append(structured)
    executed = execute(calls, options, "filter", backend)
    outcomes = _outcomes(calls, executed)
    keep: list[bool] = []
    errors: list[str | None] = []
    for outcome in outcomes:
        error = outcome.error
        verdict = False
        if error is None:
            try:
                verdict = _read_verdict(outcome.value or {}, threshold)
            except SchemaMismatch as exc:
                error = str(exc)
        keep.append(verdict)
        errors.append(error)
    result = df.loc[pd.Series(keep, index=df.index).to_numpy()].copy()
    provenance = _provenance(df.index, outcomes, model)
    provenance["error"] = pd.Series(errors, index=df.index, dtype="string")
    provenance["keep"] = pd.Series(
        [k if e is None else None for k, e in zip(keep, errors, strict=True)],
        index=df.index,
        dtype="boolean",
    )
    report = _report("filter", provenance, executed)
    report.errors = sum(e is not None for e in errors)
    if report.errors:
        warnings.warn(
            f"filter: {report.errors} of {len(df)} rows failed and are left out; see "
            "result.gumloop.report.provenance, and run again to retry them.",
            BatchWarning,
            stacklevel=3,
        )
    return _finish(result, report)


def _read_verdict(value: Mapping[str, Any], threshold: float) -> bool:
    answer = value.get("answer")
    if isinstance(answer, dict) and isinstance(answer.get("keep"), dict):
        score = answer["keep"].get("noul")
        if not isinstance(score, (int, float)):
            raise SchemaMismatch("the decision has no yes/no score.")
        return float(score) >= threshold
    try:
        data = json.loads(answer) if isinstance(answer, str) else answer
    except ValueError:
        raise SchemaMismatch(f"the answer is not JSON: {str(answer)[:80]!r}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keep"), bool):
        raise SchemaMismatch("the answer is not a JSON object with a boolean 'keep'.")
    return bool(data["keep"])


# -- compare --------------------------------------------------------------------------------------
def _normal(text: Any) -> str | None:
    if text is None:
        return None
    return re.sub(r"\s+", " ", str(text)).strip().strip(".!").casefold()


def compare_frame(
    df: pd.DataFrame,
    prompt: Any,
    models: Sequence[str],
    *,
    system: str | None = None,
    params: Mapping[str, Any] | None = None,
    options: RunOptions,
) -> pd.DataFrame:
    """The same ``map`` across several models: one column per model, plus ``agreement``."""
    import pandas as pd

    _check_frame(df)
    models = [str(m) for m in models]
    if len(models) < 2 or len(set(models)) != len(models):
        raise ValueError("compare needs a list of at least two different models.")
    _no_clash(df, [*models, "agreement"], "rename those columns first.")
    render, fields = _renderer(prompt, df)
    backend = options.backend()
    texts = [render(row) for row in _records(df, fields)]
    calls = {
        model: [
            _call(backend, "chat", _chat_request(model, text, system=system, params=params))
            for text in texts
        ]
        for model in models
    }
    every = [c for model in models for c in calls[model]]
    executed = execute(every, options, "compare", backend)
    result = df.copy()
    answers: dict[str, list[Any]] = {}
    errors: list[list[str]] = [[] for _ in texts]
    provenance = []
    for model in models:
        outcomes = _outcomes(calls[model], executed)
        result[model] = _answers(outcomes, df.index)
        answers[model] = [_normal(a) for a in result[model].tolist()]
        for i, o in enumerate(outcomes):
            if o.error:
                errors[i].append(f"{model}: {o.error}")
        provenance.append(_provenance(df.index, outcomes, model))
    agreement = []
    for i in range(len(texts)):
        seen = [answers[m][i] for m in models if answers[m][i] is not None]
        agreement.append(Counter(seen).most_common(1)[0][1] / len(models) if seen else None)
    result["agreement"] = pd.Series(agreement, index=df.index, dtype="Float64")
    result[ERROR] = _errors_column(df, ["; ".join(e) if e else None for e in errors])
    matrix = pd.DataFrame(index=models, columns=models, dtype="Float64")
    for a in models:
        for b in models:
            pairs = [
                (x, y)
                for x, y in zip(answers[a], answers[b], strict=True)
                if x is not None and y is not None
            ]
            matrix.loc[a, b] = sum(x == y for x, y in pairs) / len(pairs) if pairs else None
    report = _report("compare", pd.concat(provenance), executed, agreement=matrix)
    _warn_errors("compare", sum(bool(e) for e in errors), len(df))
    return _finish(result, report)


# -- agg ------------------------------------------------------------------------------------------
def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def agg_frame(
    df: pd.DataFrame,
    prompt: str,
    *,
    row_template: Any = None,
    batch_tokens: int = 6000,
    fan_in: int = 8,
    output: str = "answer",
    params: Mapping[str, Any] | None = None,
    options: RunOptions,
) -> pd.DataFrame:
    """One answer over all rows: map over batches that fit ``batch_tokens``, then reduce."""
    import pandas as pd

    _check_frame(df)
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("agg needs a prompt: what to answer about the rows.")
    if batch_tokens < 100 or fan_in < 2:
        raise ValueError("batch_tokens must be at least 100 and fan_in at least 2.")
    if row_template is None:
        lines = ["; ".join(f"{k}={v}" for k, v in r.items()) for r in _records(df, None)]
    else:
        render, fields = _renderer(row_template, df)
        lines = [render(row) for row in _records(df, fields)]
    backend = options.backend()
    model = options.resolved_model
    batches: list[list[str]] = []
    size = 0
    for line in lines:
        cost = _estimate_tokens(line) + 1
        if batches and size + cost <= batch_tokens:
            batches[-1].append(line)
            size += cost
        else:
            batches.append([line])
            size = cost
    if not batches:
        raise ValueError("agg needs at least one row.")
    system = (
        f"Answer the question about the rows below. Use only the rows given.\nQuestion: {prompt}"
    )
    steps: list[dict[str, Any]] = []
    runs: list[Executed] = []
    level = 0
    texts = ["\n".join(batch) for batch in batches]
    counts = [len(batch) for batch in batches]
    while True:
        calls = [
            _call(backend, "chat", _chat_request(model, text, system=system, params=params))
            for text in texts
        ]
        executed = execute(calls, options, f"agg level {level}", backend)
        runs.append(executed)
        outcomes = _outcomes(calls, executed)
        answers = []
        for i, (outcome, rows) in enumerate(zip(outcomes, counts, strict=True)):
            answer = (outcome.value or {}).get("answer") if outcome.error is None else None
            steps.append(
                {
                    "level": level,
                    "batch": i,
                    "rows": rows,
                    "answer": answer,
                    "cost": (outcome.value or {}).get("cost"),
                    "cached": outcome.cached,
                    "error": outcome.error,
                }
            )
            if answer is not None:
                answers.append((answer, rows))
        if not answers:
            raise RuntimeError(
                f"agg: every batch at level {level} failed ({outcomes[0].error}); "
                "see the report's steps, fix the cause and run again (finished batches are kept)."
            )
        if len(answers) == 1:
            final, total = answers[0]
            break
        level += 1
        groups = [answers[i : i + fan_in] for i in range(0, len(answers), fan_in)]
        texts = [
            "Partial answers, each over some of the rows:\n"
            + "\n".join(f"{n + 1}. {a}" for n, (a, _) in enumerate(group))
            for group in groups
        ]
        counts = [sum(r for _, r in group) for group in groups]
        system = (
            "Combine the partial answers into one answer to the question, covering all of them.\n"
            f"Question: {prompt}"
        )
    failed = sum(1 for s in steps if s["error"] is not None)
    result = pd.DataFrame(
        {
            output: pd.Series([final], dtype="string"),
            "rows": [total],
            "batches": [len(batches)],
            "levels": [level + 1],
            ERROR: pd.Series(
                [f"{failed} batches failed; their rows are not covered" if failed else None],
                dtype="string",
            ),
        }
    )
    steps_frame = pd.DataFrame(steps)
    provenance = pd.DataFrame(
        {
            "model": model,
            "cost": steps_frame["cost"].astype("Float64"),
            "cached": steps_frame["cached"],
            "error": steps_frame["error"].astype("string"),
        }
    )
    report = _report("agg", provenance, runs, steps=steps_frame)
    return _finish(result, report)


# -- mcp and flow ---------------------------------------------------------------------------------
def _render_arguments(
    arguments: Any, df: pd.DataFrame
) -> tuple[Callable[[Mapping[str, Any]], Any], list[str] | None]:
    """Arguments per row: a callable(row) -> dict, or a dict whose string values are templates."""
    if callable(arguments):
        return arguments, None
    if arguments is None:
        return (lambda row: {}), []
    if not isinstance(arguments, Mapping):
        raise TypeError("arguments must be a dict (string values are row templates) or a function.")
    renders: dict[str, Any] = {}
    fields: list[str] = []
    for key, value in arguments.items():
        if isinstance(value, str):
            render, needed = _renderer(value, df)
            renders[key] = render
            fields += [f for f in needed or [] if f not in fields]
        else:
            renders[key] = value

    def build(row: Mapping[str, Any]) -> dict[str, Any]:
        return {k: (v(row) if callable(v) else v) for k, v in renders.items()}

    return build, fields


def _flatten_per_row(df: pd.DataFrame, outcomes: Sequence[Outcome], prefix: str) -> pd.DataFrame:
    import pandas as pd

    from ..frames import to_dataframe

    pieces = []
    for position, outcome in enumerate(outcomes):
        base = df.iloc[[position]]
        if outcome.error is None:
            flat = to_dataframe((outcome.value or {}).get("answer"), meta=False)
        else:
            flat = pd.DataFrame(index=[0])
        if len(flat) == 0:
            flat = pd.DataFrame(index=[0])
        flat = flat.rename(
            columns=lambda c: (
                f"{prefix}{c}" if f"{prefix}{c}" not in df.columns else f"{prefix}{c}_result"
            )
        )
        repeated = base.loc[base.index.repeat(len(flat))]
        flat.index = repeated.index
        if ERROR in flat.columns:
            flat = flat.rename(columns={ERROR: "result_error"})
        joined = pd.concat([repeated, flat], axis=1)
        joined[ERROR] = pd.Series([outcome.error] * len(joined), index=joined.index, dtype="string")
        pieces.append(joined)
    if not pieces:
        return df.copy()
    result = pd.concat(pieces)
    if ERROR in df.columns:
        old = df[ERROR].astype("string").reindex(result.index)
        result[ERROR] = (
            old.where(old.notna(), result[ERROR]) if old.index.is_unique else result[ERROR]
        )
    return result


def mcp_frame(
    df: pd.DataFrame,
    server: str,
    tool: str,
    *,
    arguments: Any = None,
    prefix: str = "",
    options: RunOptions,
) -> pd.DataFrame:
    """One MCP tool call per row; each result flattened (``frames.to_dataframe``) beside its row."""
    _check_frame(df)
    build, fields = _render_arguments(arguments, df)
    backend = options.backend()
    calls = [
        _call(backend, "mcp", {"server_id": server, "tool_name": tool, "arguments": build(row)})
        for row in _records(df, fields)
    ]
    executed = execute(calls, options, f"mcp {tool}", backend)
    outcomes = _outcomes(calls, executed)
    result = _flatten_per_row(df, outcomes, prefix)
    report = _report("mcp", _provenance(df.index, outcomes, None), executed)
    _warn_errors("mcp", report.errors, len(df))
    return _finish(result, report)


async def _flow(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    flows = getattr(client, "_gumloop_batch_flows", None)
    if flows is None:
        from ..client import GumloopClient

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            flows = GumloopClient(
                api_key=client.api_key or "",
                user_id=request["user_id"],
                base_url=client.base_url,
                max_retries=0,
            )
        client._gumloop_batch_flows = flows
    outputs = await flows.arun_flow(
        request["flow_id"], request.get("inputs") or {}, poll_interval=request["poll_interval"]
    )
    return {"answer": outputs, "model": None, "prompt_tokens": None, "completion_tokens": None}


def flow_frame(
    df: pd.DataFrame,
    flow_id: str,
    *,
    inputs: Any = None,
    user_id: str | None = None,
    poll_interval: float = 1.0,
    prefix: str = "",
    options: RunOptions,
) -> pd.DataFrame:
    """One run of a saved flow per row; the outputs flattened beside their row."""
    from ._engine import register_executor

    register_executor("flow", _flow)
    _check_frame(df)
    build, fields = _render_arguments(inputs, df)
    backend = options.backend()
    user = user_id or backend.user_id
    if not user:
        raise ValueError(
            "Saved flows need a user id: pass user_id=... or use a client with user_id set."
        )
    calls = [
        _call(
            backend,
            "flow",
            {
                "flow_id": flow_id,
                "inputs": build(row),
                "user_id": user,
                "poll_interval": poll_interval,
            },
        )
        for row in _records(df, fields)
    ]
    executed = execute(calls, options, f"flow {flow_id}", backend)
    outcomes = _outcomes(calls, executed)
    result = _flatten_per_row(df, outcomes, prefix)
    report = _report("flow", _provenance(df.index, outcomes, None), executed)
    _warn_errors("flow", report.errors, len(df))
    return _finish(result, report)


__all__ += ["BatchWarning", "TemplateError", "render_row"]
