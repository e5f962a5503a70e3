"""``mcp``, ``flow`` and the listings ``models``, ``skills``, ``teams``."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from IPython.core.error import UsageError

from .._display import display_bundle
from ..render import escape
from ._context import MagicContext, describe_error, interrupted
from ._frames import plain
from ._registry import argument, subcommand
from .agents import show_listing


@subcommand("models", help="List the available models as a DataFrame.")
@argument("-o", "--output", metavar="VAR", help="Keep the DataFrame here.")
def models(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    client = ctx.client()
    show_listing(ctx, "Listing models", client.models.list, args.output)


@subcommand("skills", help="List skills as a DataFrame.")
@argument("-o", "--output", metavar="VAR", help="Keep the DataFrame here.")
def skills(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    client = ctx.client()
    show_listing(ctx, "Listing skills", client.skills.list, args.output)


@subcommand("teams", help="List your teams as a DataFrame.")
@argument("-o", "--output", metavar="VAR", help="Keep the DataFrame here.")
def teams(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    client = ctx.client()
    show_listing(ctx, "Listing teams", client.teams.list, args.output)


# -- MCP -----------------------------------------------------------------------------------------
def _decoded(result: Any) -> Any:
    if not isinstance(result, dict) and hasattr(result, "data"):
        return result.data
    content = plain(
        result.get("content") if isinstance(result, dict) else getattr(result, "content", None)
    )
    if isinstance(content, list):
        texts = [c.get("text") for c in content if isinstance(c, dict) and c.get("type") == "text"]
        if len(texts) == 1 and isinstance(texts[0], str):
            try:
                return json.loads(texts[0])
            except ValueError:
                return texts[0]
    return content


def _tabular(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, dict):
        for key in ("rows", "records", "items", "results", "data"):
            if isinstance(value.get(key), list):
                value = value[key]
                break
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    return None


@subcommand(
    "mcp",
    help="MCP: %gumloop mcp servers | %gumloop mcp tools SERVER | %%gumloop mcp SERVER TOOL (cell: JSON arguments).",
    cell="optional",
)
@argument("target", nargs="+", help="'servers', 'tools SERVER', or 'SERVER TOOL'.")
@argument("-o", "--output", metavar="VAR", help="Keep the result here.")
def mcp(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    client = ctx.client()
    target = args.target
    has_cell = cell is not None and cell.strip()
    if target == ["servers"] and not has_cell:
        show_listing(ctx, "Listing MCP servers", client.mcp.list_servers, args.output)
        return None
    if len(target) == 2 and target[0] == "tools" and not has_cell:
        show_listing(
            ctx, "Listing MCP tools", lambda: client.mcp.list_tools(target[1]), args.output
        )
        return None
    if len(target) != 2:
        raise UsageError(
            "Use %gumloop mcp servers, %gumloop mcp tools SERVER, or %%gumloop mcp SERVER TOOL "
            "with the JSON arguments in the cell."
        )
    server, tool = target
    arguments = ctx.parse_json(cell or "", "cell (MCP tool arguments)") if has_cell else {}
    if not isinstance(arguments, dict):
        raise UsageError('The MCP tool arguments must be a JSON object, e.g. {"sql": "select 1"}.')
    with ctx.api(f"Calling {server}/{tool}"):
        response = client.mcp.execute(server, tool, arguments)
    results = list(getattr(response, "results", None) or plain(response).get("results", []))
    lines = []
    value: Any = None
    for result in results:
        status = (
            result.get("status") if isinstance(result, dict) else getattr(result, "status", None)
        )
        error = plain(
            result.get("error") if isinstance(result, dict) else getattr(result, "error", None)
        )
        line = f"{server}/{tool}: {status}"
        if error:
            message = error.get("message") if isinstance(error, dict) else error
            line += f" — {message}"
        lines.append(line)
        if status in ("success", "ok", "succeeded", None) or not error:
            value = _decoded(result)
    display_bundle(
        {
            "text/html": "<br>".join(f"<code>{escape(line)}</code>" for line in lines),
            "text/plain": "\n".join(lines),
        }
    )
    rows = _tabular(value)
    if rows is not None:
        from IPython.display import display

        value = ctx.frame(rows)
        display(value)
    elif value is not None:
        from ..render import render_json

        display_bundle(
            {
                "text/html": render_json(value),
                "text/plain": json.dumps(value, indent=2, default=str),
            }
        )
    ctx.bind(args.output, value if value is not None else response)
    if results and all(
        (r.get("status") if isinstance(r, dict) else getattr(r, "status", None))
        not in ("success", "ok")
        for r in results
    ):
        raise UsageError(f"The MCP call did not succeed: {lines[0]}")
    return None


# -- flows ---------------------------------------------------------------------------------------
def parse_inputs(ctx: MagicContext, text: str) -> dict[str, Any]:
    """Flow inputs from JSON or ``name: value`` lines (values may be JSON literals)."""
    stripped = text.strip()
    if not stripped:
        return {}
    if stripped.startswith("{"):
        value = ctx.parse_json(stripped, "cell (flow inputs)")
        if not isinstance(value, dict):
            raise UsageError("Flow inputs must be a JSON object.")
        return value
    inputs: dict[str, Any] = {}
    for number, line in enumerate(stripped.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, raw = line.partition(":")
        if not sep or not name.strip():
            raise UsageError(
                f"Line {number} of the flow inputs is not 'name: value' or JSON: {line.strip()!r}."
            )
        raw = raw.strip()
        try:
            inputs[name.strip()] = json.loads(raw)
        except ValueError:
            inputs[name.strip()] = raw
    return inputs


class _Progress:
    def __init__(self, flow_id: str, live: bool) -> None:
        self.flow_id = flow_id
        self.start = time.monotonic()
        self.state: str | None = None
        self.widget: Any = None
        if live:
            from IPython.display import display
            from ipywidgets import HTML

            self.widget = HTML(value=f"⏳ flow {escape(flow_id)}: starting…")
            display(self.widget)

    def __call__(self, status: Any) -> None:
        data = plain(status) if not isinstance(status, dict) else status
        state = str(data.get("state") or data.get("status") or "RUNNING")
        elapsed = time.monotonic() - self.start
        if self.widget is not None:
            self.widget.value = f"⏳ flow {escape(self.flow_id)}: {escape(state)} ({elapsed:.1f} s)"
        elif state != self.state:
            print(f"flow {self.flow_id}: {state} ({elapsed:.1f} s)")
        self.state = state

    def done(self, text: str) -> None:
        if self.widget is not None:
            self.widget.value = escape(text)


@subcommand(
    "flow",
    help="Run a saved flow; the cell holds the inputs (JSON or 'name: value' lines).",
    cell="optional",
)
@argument("flow_id", help="Saved flow id.")
@argument("--project", metavar="P", help="Project (team) id.")
@argument("--timeout", type=float, metavar="S", help="Give up after S seconds.")
@argument("-o", "--output", metavar="VAR", help="Keep the outputs DataFrame here.")
def flow(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from .._display import widget_frontend

    inputs = parse_inputs(ctx, cell or "")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds.")
    if args.project:
        with ctx.api("Connecting to Gumloop"):
            flows = ctx.connection.flows_for_project(args.project)
    else:
        flows = ctx.flows()
    progress = _Progress(args.flow_id, widget_frontend())
    start = time.monotonic()
    try:
        outputs = flows.run_flow(
            args.flow_id, inputs, poll_interval=0.5, timeout=args.timeout, on_progress=progress
        )
    except UsageError:
        raise
    except KeyboardInterrupt:
        progress.done(f"flow {args.flow_id}: stopped waiting")
        raise interrupted(
            f"stopped waiting for flow {args.flow_id!r}; a run already started keeps running "
            "on the server."
        ) from None
    except Exception as exc:
        ctx.record(exc)
        progress.done(f"flow {args.flow_id}: failed")
        raise UsageError(f"Flow {args.flow_id!r} failed: {describe_error(exc)}") from None
    progress.done(f"flow {args.flow_id}: done in {time.monotonic() - start:.1f} s")
    from IPython.display import display

    frame = ctx.frame(outputs)
    display(frame)
    ctx.bind(args.output, frame)
    return None
