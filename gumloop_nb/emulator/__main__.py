"""``python -m gumloop_nb.emulator``: serve the emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from ._config import EmulatorConfig
from .faults import parse_fault_spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gumloop_nb.emulator",
        description="A local Gumloop-compatible server (API and stream paths on one port).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", metavar="PATH", help="SQLite file for persistent state")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="multiplier of artificial delays (0 = none, 1 = real time)",
    )
    parser.add_argument(
        "--token",
        action="append",
        metavar="T",
        help="accepted bearer token (repeatable; default: any non-empty)",
    )
    parser.add_argument(
        "--fault", metavar="SPEC", help="server-wide fault spec, e.g. 'status=429;times=1'"
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    args = parser.parse_args(argv)
    if args.fault:
        try:
            parse_fault_spec(args.fault)
        except ValueError as exc:
            parser.error(str(exc))
    from .._optional import MissingExtraError, require

    try:
        require("The emulator", "starlette", "uvicorn", "python_multipart")
    except MissingExtraError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        config = EmulatorConfig(
            tokens=args.token, db_path=args.db, speed=args.speed, faults=args.fault
        )
    except ValueError as exc:
        parser.error(str(exc))

    import uvicorn

    from . import create_app

    app = create_app(config)
    base = f"http://{args.host}:{args.port}/api/v1"
    print(f"Gumloop emulator on {base} (stream host: same)", flush=True)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=args.log_level == "debug",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
