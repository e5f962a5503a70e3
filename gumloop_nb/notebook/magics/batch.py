"""``%%gumloop map|extract|classify|filter DF``: the cell is a prompt template run on every row.

``{name}`` in the cell is a column of the row (or, when DF has no such column, a notebook
variable), substituted in one pass by the same interpolation as ``chat``: values are never
scanned again, ``{{name}}`` is a literal ``{name}``. References that are neither are reported
before anything is sent. The result is a new DataFrame (shown, and kept in ``-o VAR``); its
cost and provenance are on ``VAR.gumloop.report``.
"""

from __future__ import annotations

import argparse
from collections import ChainMap
from collections.abc import Callable, Mapping
from typing import Any

from IPython.core.error import UsageError

from ..interpolate import interpolate
from ._context import MagicContext
from ._registry import argument, subcommand


def _frame(ctx: MagicContext, name: str) -> Any:
    value = ctx.lookup(name, "DataFrame")
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas comes with the notebook extra
        raise UsageError(
            "These subcommands need pandas: pip install 'gumloop_nb[notebook]'."
        ) from None
    if not isinstance(value, pd.DataFrame):
        raise UsageError(f"{name} is a {type(value).__name__}, not a pandas DataFrame.")
    import gumloop_nb.batch  # noqa: F401  (registers df.gumloop)

    return value


def _template(
    ctx: MagicContext, df: Any, name: str, cell: str | None
) -> Callable[[Mapping[str, Any]], str]:
    text = (cell or "").strip()
    if not text:
        raise UsageError(
            f"The cell is empty: write the prompt for each row of {name} below the magic line, "
            "e.g. Summarise: {title}"
        )
    namespace = ctx.user_ns

    def render(row: Mapping[str, Any]) -> str:
        return interpolate(text, ChainMap(dict(row), namespace)).text

    if len(df):
        first = {str(k): v for k, v in df.iloc[0].items()}
        missing = interpolate(text, ChainMap(first, namespace)).missing
        if missing:
            refs = ", ".join("{" + m + "}" for m in missing)
            columns = ", ".join(str(c) for c in list(df.columns)[:20])
            raise UsageError(
                f"{refs}: not a column of {name} nor a notebook variable. Columns: {columns}. "
                "Write {{...}} for literal braces. Nothing was sent."
            )
    return render


def _run(
    ctx: MagicContext, args: argparse.Namespace, action: str, call: Callable[[dict[str, Any]], Any]
) -> Any:
    options: dict[str, Any] = {
        "model": ctx.model(args.model),
        "client": ctx.client(),
    }
    if args.no_progress:
        options["progress"] = False
    if args.concurrency is not None:
        if args.concurrency < 1:
            raise UsageError("--concurrency must be at least 1.")
        options["concurrency"] = args.concurrency
    if args.checkpoint:
        options["checkpoint"] = args.checkpoint
    if args.no_cache:
        options["cache"] = False
    from gumloop_nb.batch import TemplateError

    try:
        with ctx.api(action):
            try:
                result = call(options)
            except (TemplateError, ValueError, TypeError) as exc:
                raise UsageError(str(exc)) from None
    except KeyboardInterrupt:
        raise
    ctx.bind(args.output, result)
    return result


def _common(func: Any) -> Any:
    for decorator in reversed(
        [
            argument("frame", metavar="DF", help="The DataFrame variable."),
            argument("-m", "--model", help="Model (or alias); default: the default_model setting."),
            argument("-o", "--output", metavar="VAR", help="Keep the resulting DataFrame here."),
            argument("--concurrency", type=int, help="Requests in flight (default 16)."),
            argument("--checkpoint", metavar="PATH", help="Write results here; a re-run resumes."),
            argument("--no-cache", action="store_true", help="Neither read nor write the cache."),
            argument("--no-progress", action="store_true", help="Hide the progress bar."),
        ]
    ):
        func = decorator(func)
    return func


@subcommand(
    "map", help="One answer per row of DF: the cell is the prompt, {column} per row.", cell="yes"
)
@argument("--column", default="answer", help="Name of the answer column (default: answer).")
@_common
def map_rows(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    df = _frame(ctx, args.frame)
    render = _template(ctx, df, args.frame, cell)
    return _run(
        ctx,
        args,
        f"map over {args.frame}",
        lambda run: df.gumloop.map(render, output=args.column, **run),
    )


def _schema(ctx: MagicContext, spec: str) -> Any:
    spec = spec.strip()
    if spec.startswith("{"):
        return ctx.parse_json(spec, "--schema value")
    return ctx.lookup(spec, "Schema")


@subcommand(
    "extract",
    help="Structured fields per row of DF (--schema: a JSON Schema or pydantic model), one typed column each.",
    cell="yes",
)
@argument("--schema", required=True, metavar="NAME_OR_JSON", help="Variable or inline JSON Schema.")
@argument("--prefix", default="", help="Prefix for the new column names.")
@_common
def extract_rows(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    df = _frame(ctx, args.frame)
    schema = _schema(ctx, args.schema)
    render = _template(ctx, df, args.frame, cell)
    return _run(
        ctx,
        args,
        f"extract over {args.frame}",
        lambda run: df.gumloop.extract(render, schema, prefix=args.prefix, **run),
    )


def _labels(ctx: MagicContext, spec: str) -> Any:
    if spec in ctx.user_ns and not isinstance(ctx.user_ns[spec], str):
        return ctx.user_ns[spec]
    labels = [part.strip() for part in spec.split(",") if part.strip()]
    if len(labels) < 2:
        raise UsageError("--labels needs at least two labels, e.g. --labels metal,nonmetal.")
    return labels


@subcommand(
    "classify",
    help="One label per row of DF from --labels (comma-separated, or a list/dict variable).",
    cell="yes",
)
@argument("--labels", required=True, help="a,b,c or a variable holding a list or a dict.")
@argument("--reason", action="store_true", help="Also ask for a short reason per row.")
@argument("--column", default="label", help="Name of the label column (default: label).")
@_common
def classify_rows(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    df = _frame(ctx, args.frame)
    labels = _labels(ctx, args.labels)
    render = _template(ctx, df, args.frame, cell)
    return _run(
        ctx,
        args,
        f"classify over {args.frame}",
        lambda run: df.gumloop.classify(
            render, labels, output=args.column, reason=args.reason, **run
        ),
    )


@subcommand(
    "filter",
    help="Keep the rows of DF for which the model says the cell (a statement about {column}s) holds.",
    cell="yes",
)
@_common
def filter_rows(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    df = _frame(ctx, args.frame)
    render = _template(ctx, df, args.frame, cell)
    return _run(
        ctx, args, f"filter over {args.frame}", lambda run: df.gumloop.filter(render, **run)
    )
