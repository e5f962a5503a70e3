"""Subcommands of ``%gumloop``: small typed functions, each with its own magic_arguments parser.

>>> @subcommand("models", help="List the models as a DataFrame.")
... def models(ctx: MagicContext, args: argparse.Namespace, cell: str | None) -> Any: ...
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from IPython.core import magic_arguments

if TYPE_CHECKING:
    from ._context import MagicContext

__all__ = ["SUBCOMMANDS", "Subcommand", "argument", "subcommand"]

Handler = Callable[["MagicContext", argparse.Namespace, "str | None"], Any]
argument = magic_arguments.argument


@dataclass
class Subcommand:
    name: str
    handler: Handler
    help: str
    cell: str  # "no" (line only), "yes" (cell only), "optional"

    @property
    def parser(self) -> magic_arguments.MagicArgumentParser:
        return self.handler.parser  # type: ignore[attr-defined]

    def usage(self) -> str:
        # construct_parser already formatted the help into the docstring; reuse it (cheap load).
        return (self.handler.__doc__ or self.parser.format_help()).strip()

    def parse(self, line: str) -> argparse.Namespace:
        """Parse shell-style (quotes group words); an unbalanced quote such as "what's" in a
        line-form prompt falls back to plain whitespace splitting."""
        try:
            argv = shlex.split(line, posix=True)
        except ValueError:
            argv = line.split()
        return self.parser.parse_args(argv)


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str, *, help: str, cell: str = "no") -> Callable[[Handler], Handler]:
    """Register ``%gumloop NAME``; apply it *above* the ``@argument`` decorators."""

    def register(func: Handler) -> Handler:
        func.__doc__ = help
        # The name makes usage lines read "%gumloop chat ..." (the formatter adds the "%").
        decorated = magic_arguments.magic_arguments(name=f"gumloop {name}")(func)
        SUBCOMMANDS[name] = Subcommand(name, decorated, help, cell)
        return decorated

    return register


def overview() -> str:
    """The text of ``%gumloop?``: every subcommand with its options."""
    head = (
        "Work with Gumloop from a notebook: %gumloop SUBCOMMAND [options] (line) or\n"
        "%%gumloop SUBCOMMAND [options] with the cell as the prompt/input.\n"
        "Bad input raises a one-line UsageError; %gumloop debug shows the last full traceback.\n"
    )
    parts = [head]
    for name in sorted(SUBCOMMANDS):
        parts.append(SUBCOMMANDS[name].usage())
    return "\n\n".join(parts)
