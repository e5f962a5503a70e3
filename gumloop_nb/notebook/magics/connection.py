"""``connect``, ``login``, ``status`` and ``debug`` subcommands."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from IPython.core.error import UsageError

from ..connect import DEFAULT_API_BASE, Connection
from ._context import MagicContext
from ._registry import argument, subcommand


@subcommand("connect", help="Connect to the local emulator or to a Gumloop API base URL.")
@argument("--emulator", action="store_true", help="Start (or reuse) the embedded emulator.")
@argument("--base-url", metavar="URL", help="API base URL, e.g. https://api.gumloop.com/api/v1.")
@argument("--user-id", help="User id sent as x-auth-key (personal API keys need it).")
@argument("--team-id", help="Team to scope requests to.")
def connect(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    if args.emulator and args.base_url:
        raise UsageError("Choose one: --emulator or --base-url URL.")
    if not args.emulator and not args.base_url:
        raise UsageError("Say where to connect: %gumloop connect --emulator or --base-url URL.")
    current = ctx.magics._connection
    if args.emulator:
        if current is not None and current.mode == "emulator":
            print(current.banner())
            return None
        connection = Connection(mode="emulator", emulator_speed=ctx.magics.emulator_speed)
    else:
        if not args.base_url.startswith(("http://", "https://")):
            raise UsageError(
                f"--base-url must start with http:// or https:// (got {args.base_url!r})."
            )
        key, source = _current_key(current)
        connection = Connection(
            mode="api",
            base_url=args.base_url.rstrip("/"),
            api_key=key,
            user_id=args.user_id or (current.user_id if current else None),
            team_id=args.team_id or (current.team_id if current else None),
            credential_source=source,
        )
    ctx.magics.set_connection(connection)
    print(connection.banner())
    return None


def _current_key(current: Connection | None) -> tuple[str | None, str]:
    if current is not None and current.mode == "api":
        return current._key(), current.credential_source
    token = os.environ.get("GUMLOOP_ACCESS_TOKEN") or os.environ.get("GUMLOOP_API_KEY")
    if token:
        return token, "from $GUMLOOP_ACCESS_TOKEN"
    return None, "no API key yet: run %gumloop login"


@subcommand(
    "login", help="Enter an API key (asked with getpass: never echoed or stored in the notebook)."
)
@argument(
    "--base-url", metavar="URL", help="API base URL (default: $GUMLOOP_BASE_URL or the public API)."
)
@argument("--user-id", help="User id (personal API keys need it).")
@argument("--team-id", help="Team to scope requests to.")
def login(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    try:
        key = getpass.getpass("Gumloop API key: ").strip()
    except (EOFError, KeyboardInterrupt):
        raise UsageError("Login cancelled; nothing changed.") from None
    if not key:
        raise UsageError("No key entered; nothing changed. Run %gumloop login again to retry.")
    base = args.base_url or os.environ.get("GUMLOOP_BASE_URL") or DEFAULT_API_BASE
    connection = Connection(
        mode="api",
        base_url=base.rstrip("/"),
        api_key=key,
        user_id=args.user_id or os.environ.get("GUMLOOP_USER_ID"),
        team_id=args.team_id or os.environ.get("GUMLOOP_TEAM_ID"),
        credential_source="entered with %gumloop login",
    )
    del key
    ctx.magics.set_connection(connection)
    print(connection.banner())
    return None


@subcommand("status", help="Where the notebook is connected, as whom, which team (no secrets).")
def status(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    for line in ctx.connection.status_lines():
        print(line)
    return None


@subcommand("debug", help="Show the full traceback of the last Gumloop error.")
def debug(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    print(ctx.last_traceback())
    return None
