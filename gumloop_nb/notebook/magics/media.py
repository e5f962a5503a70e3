"""``image`` and ``compare`` subcommands."""

from __future__ import annotations

import argparse
import re
from typing import Any

from IPython.core.error import UsageError

from ._context import LAST_NAME, MagicContext, describe_error, interrupted, prompt_options
from ._registry import argument, subcommand

_SIZE = re.compile(r"^\d{2,4}x\d{2,4}$")


@subcommand(
    "image",
    help="Generate an image from the cell's prompt; partial frames show as they stream.",
    cell="optional",
)
@argument("-m", "--model", default=None, help="Image model (default: gpt-image-1).")
@argument("--size", help="Image size, e.g. 512x512.")
@prompt_options
@argument("-o", "--output", metavar="VAR", help="Keep the ImageResult (PNG bytes, data URL) here.")
@argument("prompt", nargs="*", help="Prompt (line form).")
def image(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from ..widgets import ImageView
    from ..widgets.chat_stream import chunk_parts

    text = cell.rstrip() if cell is not None and cell.strip() else " ".join(args.prompt)
    if not text.strip():
        raise UsageError("The image prompt is empty: describe the image in the cell.")
    if args.size and not _SIZE.match(args.size):
        raise UsageError(f"--size must look like 512x512 (got {args.size!r}).")
    prompt = ctx.prompt(text, args)
    model = ctx.model(args.model or "gpt-image-1")
    params: dict[str, Any] = {"modalities": ["image", "text"]}
    if args.size:
        params["image_config"] = {"size": args.size}
    client = ctx.client()
    view = ImageView(model=model)
    view.show()
    caption: list[str] = []
    with ctx.api("The image request"):
        stream = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": prompt}], stream=True, **params
        )
    try:
        # Read on the cell's thread: the cell ends with the final image. Widget messages (Save)
        # are let through while it blocks.
        with _events(view.live) as poll:
            for chunk in stream:
                delta, usage, _model, frames = chunk_parts(chunk)
                caption.append(delta)
                for frame in frames:
                    view.add_frame(frame)
                if usage is not None:
                    view.provenance.add_usage(usage)
                poll()
        if getattr(stream, "error", None) is not None:  # an error frame, yielded as a chunk
            raise stream.error
    except KeyboardInterrupt:
        stream.close()
        view.set_caption("".join(caption))
        partial = view.finish(stopped=True)
        ctx.bind(args.output, partial)
        kept = (
            f"the last of {partial.frames} frames is in {args.output or LAST_NAME}"
            if partial is not None
            else "no frame had arrived"
        )
        raise interrupted(f"image generation stopped; {kept}.") from None
    except Exception as exc:
        ctx.record(exc)
        view.set_caption("".join(caption))
        ctx.bind(args.output, view.finish(stopped=True))
        raise UsageError(
            f"The image stream failed: {describe_error(exc)} Frames so far are in "
            f"{args.output or LAST_NAME}."
        ) from None
    view.set_caption("".join(caption).strip())
    result = view.finish()
    if result is None:
        raise UsageError(f"{model} returned no image; pick an image model (e.g. gpt-image-1).")
    ctx.bind(args.output, result)
    return None


def _events(live: bool) -> Any:
    """The widget-message pump for a widget frontend, else a no-op."""
    import contextlib

    from .._pump import ui_events

    return ui_events() if live else contextlib.nullcontext(lambda: None)


def _one_line(text: Any, limit: int = 100) -> Any:
    if not isinstance(text, str):
        return text
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@subcommand(
    "compare",
    help="Send the cell's prompt to several models at once; answers side by side, then a table.",
    cell="optional",
)
@argument(
    "-m",
    "--models",
    metavar="MODEL_A,MODEL_B,...",
    help="Comma-separated models or aliases (default: GumloopMagics.compare_models).",
)
@argument("--runs", type=int, default=1, help="Runs per model (concurrent).")
@argument("--system", help="System prompt.")
@argument("--max-tokens", type=int, help="Maximum completion tokens.")
@prompt_options
@argument("-o", "--output", metavar="VAR", help="Keep the comparison DataFrame here.")
@argument("prompt", nargs="*", help="Prompt (line form).")
def compare(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from ..compare import CompareInterrupted, compare_frame, compare_metadata, compare_models
    from ..widgets import CompareGrid

    text = cell.rstrip() if cell is not None and cell.strip() else " ".join(args.prompt)
    if not text.strip():
        raise UsageError("The prompt is empty: write it in the cell below %%gumloop compare.")
    if args.models is None:
        names = list(ctx.magics.compare_models)
        if not names:
            raise UsageError(
                "No models to compare: give -m MODEL_A,MODEL_B or set "
                '%config GumloopMagics.compare_models = ["gpt-4.1", "claude-sonnet-4-5"].'
            )
    else:
        names = [m.strip() for m in args.models.split(",") if m.strip()]
    models = [ctx.model(m) for m in names]
    if not models:
        raise UsageError("-m needs at least one model, e.g. -m gpt-4.1,claude-sonnet-4-5.")
    if len(set(models)) != len(models):
        raise UsageError(f"Each model may appear once in -m (got {', '.join(models)}).")
    if not 1 <= args.runs <= 20:
        raise UsageError("--runs must be between 1 and 20.")
    prompt = ctx.prompt(text, args)
    messages: list[dict[str, Any]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    params: dict[str, Any] = {}
    if args.max_tokens:
        params["max_completion_tokens"] = args.max_tokens
    client = ctx.client()
    grid = CompareGrid(models)
    grid.show()
    stopped: CompareInterrupted | None = None
    try:
        with _events(grid.live) as poll:
            rows = compare_models(
                client, models, messages, runs=args.runs, grid=grid, poll=poll, **params
            )
    except CompareInterrupted as exc:
        rows, stopped = exc.rows, exc
    metadata = compare_metadata(rows)
    frame = compare_frame(rows)
    # One output: the answers side by side in full, then the measurements (without the answers,
    # which are right above). text/plain has the table with each answer on one line; the full
    # text is in the DataFrame kept in -o VAR.
    metrics = frame.drop(columns=["answer"]) if "answer" in frame else frame
    shown = frame.assign(answer=frame["answer"].map(_one_line)) if "answer" in frame else frame
    grid.finish(metadata, extra_html=metrics.to_html(escape=True), plain=shown.to_string())
    ctx.bind(args.output, frame)
    if stopped is not None:
        raise interrupted(
            "the comparison stopped; what each model had sent is in "
            f"{args.output or LAST_NAME} (error 'stopped')."
        )
    return None
