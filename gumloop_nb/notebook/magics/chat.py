"""``chat``, ``fix``, ``thread`` and ``alias`` subcommands."""

from __future__ import annotations

import argparse
import inspect
import json
import linecache
import re
import sys
import traceback
from typing import Any

from IPython.core.error import UsageError

from .._display import display_bundle
from .._results import ChatReply, Provenance
from .._secrets import redact_secrets
from ..render import escape, render_markdown
from ._context import LAST_NAME, MagicContext, describe_error, interrupted, prompt_options
from ._registry import argument, subcommand

FORMATS = ("markdown", "text", "json", "html", "code")
_MAX_TOOL_ROUNDS = 4
_PY_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
}


# -- request pieces ------------------------------------------------------------------------------
def _schema_format(ctx: MagicContext, spec: str) -> tuple[dict[str, Any], Any]:
    """Build ``response_format`` from a variable name or inline JSON; also return a validator."""
    spec = spec.strip()
    validator: Any = None
    name = "answer"
    if spec.startswith("{"):
        schema = ctx.parse_json(spec, "--schema value")
    else:
        value = ctx.lookup(spec, "Schema")
        name = spec
        if isinstance(value, type) and hasattr(value, "model_json_schema"):
            schema, validator = value.model_json_schema(), value
        elif isinstance(value, dict):
            schema = value
        elif isinstance(value, str):
            schema = ctx.parse_json(value, f"schema in {spec!r}")
        else:
            raise UsageError(
                f"--schema {spec}: expected a JSON Schema dict or a pydantic model class, "
                f"got {type(value).__name__}."
            )
    if not isinstance(schema, dict):
        raise UsageError("--schema must describe a JSON object schema ({...}).")
    fmt = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    return fmt, validator


def _tool_spec(func: Any) -> dict[str, Any]:
    """An OpenAI-style function tool for a Python callable (from its signature and docstring)."""
    params: dict[str, Any] = {}
    required: list[str] = []
    for pname, param in inspect.signature(func).parameters.items():
        annotation = param.annotation
        kind = (
            _PY_TYPES.get(annotation, "string")
            if not isinstance(annotation, str)
            else {
                "int": "integer",
                "float": "number",
                "bool": "boolean",
                "list": "array",
                "dict": "object",
            }.get(annotation, "string")
        )
        params[pname] = {"type": kind}
        if param.default is inspect.Parameter.empty:
            required.append(pname)
    doc = inspect.getdoc(func) or func.__name__
    return {
        "type": "function",
        "function": {
            "name": func.__name__,
            "description": doc.splitlines()[0],
            "parameters": {"type": "object", "properties": params, "required": required},
        },
    }


def _tools(ctx: MagicContext, var: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    value = ctx.lookup(var, "Tools variable")
    items = value if isinstance(value, (list, tuple)) else [value]
    specs: list[dict[str, Any]] = []
    funcs: dict[str, Any] = {}
    for item in items:
        if callable(item) and not isinstance(item, dict):
            spec = _tool_spec(item)
            funcs[spec["function"]["name"]] = item
            specs.append(spec)
        elif isinstance(item, dict) and item.get("type") == "function":
            specs.append(item)
        else:
            raise UsageError(
                f"--tools {var}: each tool must be a Python function or a "
                '{"type": "function", "function": {...}} dict.'
            )
    return specs, funcs


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _tool_calls(result: Any) -> list[Any]:
    choices = _get(result, "choices") or []
    if not choices:
        return []
    return list(_get(_get(choices[0], "message"), "tool_calls") or [])


def _extract_code(text: str) -> str:
    blocks = re.findall(r"```[\w+-]*\n(.*?)```", text, re.S)
    return "\n".join(b.rstrip("\n") for b in blocks) if blocks else text


# -- running -------------------------------------------------------------------------------------
def run_chat(
    ctx: MagicContext,
    *,
    messages: list[dict[str, Any]],
    model: str,
    params: dict[str, Any],
    fmt: str = "markdown",
    stream: bool = True,
    var: str | None = None,
    funcs: dict[str, Any] | None = None,
    validator: Any = None,
    schema: bool = False,
    on_done: Any = None,
) -> Any:
    """Send a chat request, show it live (or at the end), keep the result; shared by chat and fix."""
    client = ctx.client()
    funcs = funcs or {}

    def finalize(reply: ChatReply) -> Any:
        value: Any = reply
        if schema and not reply.stopped and not reply.error:
            try:
                reply.parsed = json.loads(reply.text)
                if validator is not None:
                    reply.parsed = validator.model_validate(reply.parsed)
            except Exception as exc:
                ctx.bind(var, reply)
                ctx.record(exc)
                raise UsageError(
                    f"The answer is not valid JSON for the schema ({describe_error(exc)}); the raw "
                    f"answer is in {var or LAST_NAME}."
                ) from None
            value = reply.parsed
        if fmt == "code" and reply.text and not reply.stopped:
            ctx.shell.set_next_input(_extract_code(reply.text), replace=False)
        if on_done is not None:
            on_done(reply)
        ctx.bind(var, value)
        return value

    if not stream:
        with ctx.api("The chat request"):
            result = client.chat.completions.create(model=model, messages=messages, **params)
        choice = (_get(result, "choices") or [None])[0]
        text = _get(_get(choice, "message"), "content") or ""
        provenance = Provenance(model=_get(result, "model") or model)
        provenance.add_usage(_get(result, "usage"))
        reply = ChatReply(text=text, fmt=fmt, provenance=provenance)
        bundle, metadata = reply._repr_mimebundle_()
        display_bundle(bundle, metadata)
        finalize(reply)
        return None

    from ..widgets import ChatStream

    # The stream is consumed here, on the cell's thread: the cell ends when the answer does,
    # so the next cell sees the reply, the thread and -o VAR. The kernel's interrupt lands here
    # too; the Stop button's click is let through while this blocks (see ChatStream.consume).
    view = ChatStream(title=model, model=model, fmt=fmt)
    with ctx.api("The chat request"):
        source = client.chat.completions.create(
            model=model, messages=messages, stream=True, **params
        )
    turn = list(messages)
    try:
        for _round in range(_MAX_TOOL_ROUNDS):
            view.consume(source, finish=False)
            if view.stopped or not funcs:
                break
            calls = _tool_calls(source.final())
            if not calls:
                break
            turn.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [_plain_call(c) for c in calls],
                }
            )
            for call in calls:
                turn.append(_run_tool(view, funcs, call))
            with ctx.api("The chat request (after tool calls)"):
                source = client.chat.completions.create(
                    model=model, messages=turn, stream=True, **params
                )
        reply = view.finish()
    except KeyboardInterrupt:
        # Interrupted: the partial answer (marked stopped) is kept like a finished one.
        view.stop()
        partial = view.finish()
        finalize(partial)
        raise interrupted(
            f"stopped after {len(partial.text)} characters; the partial answer is in "
            f"{var or LAST_NAME} (marked stopped)."
        ) from None
    except UsageError:
        raise
    except Exception as exc:
        ctx.record(exc)
        reply = view.reply or view.finish(error=exc)
        ctx.bind(var, reply)
        raise UsageError(
            f"The stream stopped with an error after {len(reply.text)} characters: "
            f"{describe_error(exc)} The partial answer is in {var or LAST_NAME}."
        ) from None
    finalize(reply)
    return None


def _plain_call(call: Any) -> dict[str, Any]:
    function = _get(call, "function")
    return {
        "id": _get(call, "id"),
        "type": "function",
        "function": {
            "name": _get(function, "name"),
            "arguments": _get(function, "arguments") or "{}",
        },
    }


def _run_tool(view: Any, funcs: dict[str, Any], call: Any) -> dict[str, Any]:
    plain = _plain_call(call)
    name = plain["function"]["name"]
    raw_args = plain["function"]["arguments"]
    try:
        kwargs = json.loads(raw_args) if raw_args else {}
        output = funcs[name](**kwargs) if name in funcs else f"error: no Python tool named {name}"
        content = output if isinstance(output, str) else json.dumps(output, default=str)
    except Exception as exc:  # the model sees the error and can recover
        content = f"error: {type(exc).__name__}: {exc}"
    view.note(f"🔧 {name}({raw_args}) → {content[:120]}")
    return {"role": "tool", "tool_call_id": plain["id"], "content": content}


# -- subcommands ---------------------------------------------------------------------------------
@subcommand(
    "chat",
    help="Ask a model; the cell (or the rest of the line) is the prompt. Streams live.",
    cell="optional",
)
@argument("-m", "--model", help="Model or alias (default: GumloopMagics.default_model).")
@argument("--system", help="System prompt.")
@argument("--temperature", type=float, help="Sampling temperature.")
@argument("--max-tokens", type=int, help="Maximum completion tokens.")
@argument(
    "--schema", metavar="NAME_OR_JSON", help="JSON Schema (variable, pydantic class or JSON)."
)
@argument("--tools", metavar="VAR", help="Variable with Python functions or tool dicts.")
@argument("-f", "--format", choices=FORMATS, default="markdown", help="How to render the answer.")
@argument("--no-stream", action="store_true", help="Wait for the whole answer.")
@prompt_options
@argument("--thread", metavar="NAME", help="Keep a multi-turn history under this name.")
@argument(
    "-o",
    "--output",
    metavar="VAR",
    help="Keep the reply (a ChatReply; the parsed value with --schema) here.",
)
@argument("prompt", nargs="*", help="Prompt (line form).")
def chat(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    text = cell.rstrip() if cell is not None and cell.strip() else " ".join(args.prompt)
    if not text.strip():
        raise UsageError(
            "The prompt is empty: write it in the cell below %%gumloop chat, or after the options."
        )
    if cell is not None and cell.strip() and args.prompt:
        raise UsageError(
            f"Unexpected text after the options: {' '.join(args.prompt)!r}. In the cell form the "
            "cell is the prompt; quote option values that contain spaces."
        )
    if args.max_tokens is not None and args.max_tokens <= 0:
        raise UsageError("--max-tokens must be a positive number.")
    prompt = ctx.prompt(text, args)
    model = ctx.model(args.model)
    params: dict[str, Any] = {}
    if args.temperature is not None:
        params["temperature"] = args.temperature
    if args.max_tokens is not None:
        params["max_completion_tokens"] = args.max_tokens
    validator = None
    if args.schema:
        params["response_format"], validator = _schema_format(ctx, args.schema)
    funcs: dict[str, Any] = {}
    if args.tools:
        params["tools"], funcs = _tools(ctx, args.tools)
    history = ctx.magics.threads.get(args.thread, []) if args.thread else []
    messages: list[dict[str, Any]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.extend(history)
    messages.append({"role": "user", "content": prompt})

    def remember(reply: ChatReply) -> None:
        # A finished turn records the prompt and the answer. A stopped turn records what the
        # user saw: the prompt and the partial answer (nothing if no text had arrived yet).
        # A failed turn records nothing, so running the cell again does not repeat the prompt.
        if args.thread and not reply.error and (reply.text or not reply.stopped):
            thread = ctx.magics.threads.setdefault(args.thread, [])
            thread.append({"role": "user", "content": prompt})
            thread.append({"role": "assistant", "content": reply.text})

    fmt = "json" if args.schema and args.format == "markdown" else args.format
    return run_chat(
        ctx,
        messages=messages,
        model=model,
        params=params,
        fmt=fmt,
        stream=not args.no_stream,
        var=args.output,
        funcs=funcs,
        validator=validator,
        schema=bool(args.schema),
        on_done=remember,
    )


def _cell_source(tb: Any) -> str:
    """Source of the innermost notebook cell in the traceback (from IPython's compile cache)."""
    source = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if (
            filename.startswith("<ipython-input-")
            or "ipykernel_" in filename
            or filename.startswith("<cell")
        ):
            lines = linecache.getlines(filename)
            if lines:
                source = "".join(lines)
        tb = tb.tb_next
    return source


@subcommand("fix", help="Explain the last exception raised in this notebook and propose a fix.")
@argument("-m", "--model", help="Model or alias.")
@argument("-o", "--output", metavar="VAR", help="Keep the answer in this variable.")
def fix(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    etype = getattr(sys, "last_type", None)
    value = getattr(sys, "last_value", None)
    tb = getattr(sys, "last_traceback", None)
    if etype is None or value is None:
        raise UsageError("No exception has been raised in this notebook yet; nothing to fix.")
    trace = "".join(traceback.format_exception(etype, value, tb))[-6000:]
    source = _cell_source(tb)[-4000:]
    # The cell and the traceback leave the notebook: credential-looking values stay behind.
    source, in_source = redact_secrets(source)
    trace, in_trace = redact_secrets(trace)
    if in_source + in_trace:
        count = in_source + in_trace
        print(
            f"Redacted {count} credential-looking value{'s' if count > 1 else ''} from the cell "
            "and traceback before sending them to the model."
        )
    prompt = (
        "Explain this Python error from a Jupyter notebook and propose a fix.\n\n"
        + (f"Cell:\n```python\n{source}\n```\n\n" if source else "")
        + f"Traceback:\n```\n{trace}\n```"
    )
    messages = [
        {"role": "system", "content": "You are a concise Python debugging assistant."},
        {"role": "user", "content": prompt},
    ]
    return run_chat(ctx, messages=messages, model=ctx.model(args.model), params={}, var=args.output)


@subcommand("thread", help="Show or clear a chat thread (%%gumloop chat --thread NAME).")
@argument("name", nargs="?", help="Thread name (omit to list threads).")
@argument("--show", action="store_true", help="Show the messages.")
@argument("--clear", action="store_true", help="Forget the messages.")
def thread(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    threads = ctx.magics.threads
    if not args.name:
        if not threads:
            print("No chat threads yet; start one with %%gumloop chat --thread NAME.")
        for name, messages in threads.items():
            print(f"{name}: {len(messages)} messages")
        return None
    if args.name not in threads:
        raise UsageError(
            f"No thread named {args.name!r}. Known threads: {', '.join(threads) or 'none'}."
        )
    if args.clear:
        del threads[args.name]
        print(f"Thread {args.name!r} cleared.")
        return None
    messages = threads[args.name]
    html = "".join(
        f"<div><b>{escape(m['role'])}</b>{render_markdown(str(m.get('content') or ''))}</div>"
        for m in messages
    )
    plain = "\n\n".join(f"{m['role']}: {m.get('content') or ''}" for m in messages)
    display_bundle({"text/html": html, "text/plain": plain})
    return None


@subcommand("alias", help="Name a model: %gumloop alias NAME MODEL (no arguments lists aliases).")
@argument("name", nargs="?", help="Alias to define.")
@argument("model", nargs="?", help="Model it stands for.")
def alias(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    aliases = dict(ctx.magics.aliases)
    if args.name is None:
        for name, model in sorted(aliases.items()):
            print(f"{name} -> {model}")
        if not aliases:
            print("No aliases; define one with %gumloop alias NAME MODEL.")
        return None
    if args.model is None:
        raise UsageError(
            f"Say which model {args.name!r} stands for: %gumloop alias {args.name} MODEL."
        )
    aliases[args.name] = args.model
    ctx.magics.aliases = aliases
    print(f"{args.name} -> {args.model}")
    return None
