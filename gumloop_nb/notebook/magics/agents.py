"""``agent`` (stream a session) and the listings ``agents``, ``sessions``, ``artifacts``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from IPython.core.error import UsageError

from ._context import LAST_NAME, MagicContext, describe_error, interrupted, prompt_options
from ._registry import argument, subcommand


def _field(event: Any, name: str) -> Any:
    if isinstance(event, dict):
        return event.get(name)
    value = getattr(event, name, None)
    if value is None:
        extra = getattr(event, "model_extra", None) or {}
        value = extra.get(name)
    return value


def _short(value: Any, limit: int = 100) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def session_text(view: Any, events: Any) -> Iterator[str]:
    """Turn session events into text deltas; tool activity and errors become notes on ``view``."""
    for event in events:
        kind = _field(event, "type") or ""
        if kind == "text-delta":
            delta = _field(event, "delta")
            if isinstance(delta, str):
                yield delta
        elif kind.startswith("tool-"):
            name = (
                _field(event, "toolName")
                or _field(event, "tool_name")
                or _field(event, "name")
                or "tool"
            )
            if kind == "tool-input-available":
                view.note(f"🔧 {name} ← {_short(_field(event, 'input'))}")
            elif kind == "tool-output-available":
                view.note(f"✔ {name} → {_short(_field(event, 'output'))}")
            else:
                view.note(f"{kind}: {name}")
        elif kind == "error" or _field(event, "error"):
            view.note(f"error: {_short(_field(event, 'error') or _field(event, 'error_message'))}")
        elif kind == "finish" and _field(event, "finish_reason") not in (None, "stop"):
            view.note(f"finished: {_field(event, 'finish_reason')}")


@subcommand(
    "agent",
    help="Send the cell to an agent: starts a session (or continues --session) and streams it.",
    cell="optional",
)
@argument("agent_id", help="Agent id.")
@argument("--session", metavar="SID", help="Continue this session instead of starting one.")
@prompt_options
@argument("-o", "--output", metavar="VAR", help="Keep the reply (with .session_id) here.")
@argument("prompt", nargs="*", help="Message (line form).")
def agent(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from ..widgets import ChatStream

    text = cell.rstrip() if cell is not None and cell.strip() else " ".join(args.prompt)
    if not text.strip():
        raise UsageError(
            "The message is empty: write it in the cell below %%gumloop agent AGENT_ID."
        )
    prompt = ctx.prompt(text, args)
    client = ctx.client()
    view = ChatStream(title=f"agent {args.agent_id}", model=args.agent_id)
    with ctx.api("Starting the agent session"):
        if args.session:
            events = client.sessions.stream_message(args.session, input=prompt)
        else:
            events = client.sessions.stream(args.agent_id, input=prompt)

    def finalize(error: BaseException | None = None) -> Any:
        session_id = getattr(events, "session_id", None) or args.session
        if session_id and view.reply is None:
            view.note(f"session {session_id} (continue with --session {session_id})")
        reply = view.finish(error=error)
        reply.session_id = session_id
        ctx.bind(args.output, reply)
        return reply

    source = session_text(view, events)
    try:
        view.consume(source, close=getattr(events, "close", None), finish=False)
    except KeyboardInterrupt:
        view.stop()
        partial = finalize()
        raise interrupted(
            f"stopped after {len(partial.text)} characters; the partial answer is in "
            f"{args.output or LAST_NAME} (marked stopped)."
        ) from None
    except Exception as exc:
        ctx.record(exc)
        finalize(exc)
        raise UsageError(
            f"The agent stream failed: {describe_error(exc)} What arrived is in "
            f"{args.output or LAST_NAME}."
        ) from None
    finalize()
    return None


def show_listing(ctx: MagicContext, action: str, call: Any, var: str | None) -> None:
    from IPython.display import display

    with ctx.api(action):
        response = call()
        frame = ctx.frame(response)
    display(frame)
    ctx.bind(var, frame)


@subcommand("agents", help="List agents as a DataFrame.")
@argument("--search", help="Filter by text.")
@argument("-o", "--output", metavar="VAR", help="Keep the DataFrame here.")
def agents(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    client = ctx.client()
    kwargs = {"search": args.search} if args.search else {}
    show_listing(ctx, "Listing agents", lambda: client.agents.list(**kwargs), args.output)


@subcommand("sessions", help="List an agent's sessions as a DataFrame.")
@argument("agent_id", help="Agent id.")
@argument("-o", "--output", metavar="VAR", help="Keep the DataFrame here.")
def sessions(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    client = ctx.client()
    show_listing(ctx, "Listing sessions", lambda: client.sessions.list(args.agent_id), args.output)


@subcommand("artifacts", help="List an agent's artifacts as a DataFrame.")
@argument("agent_id", help="Agent id.")
@argument("-o", "--output", metavar="VAR", help="Keep the DataFrame here.")
def artifacts(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    client = ctx.client()
    show_listing(
        ctx, "Listing artifacts", lambda: client.artifacts.list(args.agent_id), args.output
    )
