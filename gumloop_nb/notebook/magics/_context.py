"""What every subcommand gets: the shell, the connection, settings, and error handling.

User mistakes and API failures become one-line ``UsageError``s (the cell still fails under nbval);
the full traceback is kept for ``%gumloop debug``.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ..interpolate import InterpolationError, interpolate
from ._registry import argument

if TYPE_CHECKING:
    from ..connect import Connection
    from . import GumloopMagics

__all__ = ["LAST_NAME", "MagicContext", "describe_error", "interrupted", "prompt_options"]

LAST_NAME = "_gumloop_last"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe_error(exc: BaseException) -> str:
    """One line saying what went wrong and what to do, without secrets or a traceback."""
    from ...errors import APIConnectionError, APIStatusError  # not at %load_ext: pulls httpx

    message = _one_line(str(exc)).rstrip(".") or type(exc).__name__
    # What to do comes from the error itself (the client's one hint table), never from a
    # second table here.
    hint = getattr(exc, "hint", None)
    fix = f" Fix: {_one_line(hint).rstrip('.')}." if isinstance(hint, str) and hint else ""
    if isinstance(exc, APIStatusError):
        label = f"HTTP {exc.status_code}" + (f" {exc.code}" if exc.code else "")
        return f"{label}: {message}.{fix}"
    if isinstance(exc, (APIConnectionError, ConnectionError, TimeoutError)):
        return f"{message}. Fix: check the connection (%gumloop status) and retry."
    if isinstance(exc, (ValueError, TypeError)):  # incl. pydantic's ValidationError
        return f"{message}."
    if fix:
        return f"{message}.{fix}"
    return f"{type(exc).__name__}: {_one_line(str(exc))}"


def prompt_options(func: Any) -> Any:
    """The options of every subcommand whose cell is a prompt with ``{name}`` references."""
    func = argument(
        "--allow-secrets",
        action="store_true",
        help="Send {references} whose name or value looks like a credential.",
    )(func)
    func = argument("--no-interpolate", dest="raw", action="store_true", help="Same as --raw.")(
        func
    )
    return argument(
        "--raw", action="store_true", help="Send the cell as written (no {name} substitution)."
    )(func)


def interrupted(what: str) -> UsageError:
    """The one-line error a cell ends with after the kernel's interrupt (the ■ button).

    A short UsageError rather than the KeyboardInterrupt itself: IPython shows it at once,
    where formatting a full traceback through the magic machinery takes about a second. The
    cell still fails, so Run All stops there as it does after any interrupt.
    """
    return UsageError(f"Interrupted: {what}")


class MagicContext:
    """Shared services for subcommands; one per ``GumloopMagics`` instance."""

    def __init__(self, magics: GumloopMagics) -> None:
        self.magics = magics
        self.last_exc_info: tuple[Any, Any, Any] | None = None

    @property
    def shell(self) -> Any:
        return self.magics.shell

    @property
    def user_ns(self) -> dict[str, Any]:
        return self.shell.user_ns

    @property
    def connection(self) -> Connection:
        return self.magics.get_connection()

    def client(self) -> Any:
        with self.api("Connecting to Gumloop"):
            return self.connection.client()

    def flows(self) -> Any:
        with self.api("Connecting to Gumloop"):
            return self.connection.flows()

    # -- settings ------------------------------------------------------------------------------
    def model(self, name: str | None) -> str:
        """Resolve an alias (``%gumloop alias``) or fall back to the default model."""
        chosen = name or self.magics.default_model
        return str(self.magics.aliases.get(chosen, chosen))

    # -- results -------------------------------------------------------------------------------
    def bind(self, var: str | None, value: Any) -> None:
        """Keep a result in ``var`` (if given) and in ``_gumloop_last``."""
        self.user_ns[LAST_NAME] = value
        if var:
            self.user_ns[var] = value

    # -- errors --------------------------------------------------------------------------------
    def record(self, exc: BaseException) -> None:
        self.last_exc_info = (type(exc), exc, exc.__traceback__)

    @contextmanager
    def api(self, action: str) -> Iterator[None]:
        """Turn failures inside the block into a one-line UsageError naming ``action``."""
        try:
            yield
        except (UsageError, KeyboardInterrupt):
            raise
        except Exception as exc:
            self.record(exc)
            raise UsageError(
                f"{action} failed: {describe_error(exc)} (%gumloop debug shows the traceback)"
            ) from None

    def last_traceback(self) -> str:
        if self.last_exc_info is None:
            return "No Gumloop error recorded in this session."
        return "".join(traceback.format_exception(*self.last_exc_info))

    # -- input helpers -------------------------------------------------------------------------
    def prompt(self, text: str, args: Any = None, *, enabled: bool = True) -> str:
        """Interpolate ``{name}`` references once, unless ``--raw`` or
        ``GumloopMagics.interpolate = False``; report the substituted names (never values) in
        one line, and the unresolved ones in another."""
        raw = bool(getattr(args, "raw", False)) or not enabled
        if raw or not self.magics.interpolate:
            return text
        try:
            result = interpolate(
                text, self.user_ns, allow_secrets=bool(getattr(args, "allow_secrets", False))
            )
        except InterpolationError as exc:
            raise UsageError(str(exc)) from None
        if result.report:
            print(result.report)
        if result.notice:
            print(result.notice, file=sys.stderr)
        return result.text

    def parse_json(self, text: str, what: str) -> Any:
        """Parse JSON typed by the user, or raise a UsageError pointing at the mistake."""
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"The {what} is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                f"{exc.colno}. Fix the cell and run it again."
            ) from None

    def lookup(self, name: str, what: str) -> Any:
        if name not in self.user_ns:
            raise UsageError(f"{what} {name!r} is not defined in the notebook; define it first.")
        return self.user_ns[name]

    # -- display -------------------------------------------------------------------------------
    def frame(self, obj: Any) -> Any:
        """A pandas DataFrame for a response object or records."""
        from ._frames import to_frame

        return to_frame(obj)
