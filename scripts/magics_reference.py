"""Regenerate the README's magics reference from the magics' own help text.

The text between ``<!-- MAGICS-REFERENCE:START -->`` and ``<!-- MAGICS-REFERENCE:END -->`` in
README.md is replaced by one section per ``%gumloop`` subcommand: its one-line help and its
``--help`` usage, exactly as ``%gumloop SUBCOMMAND --help`` prints it in a notebook. So the README
can never document an option the magic does not have.

Usage::

    python scripts/magics_reference.py            # rewrite README.md in place
    python scripts/magics_reference.py --check    # exit 1 if README.md is out of date (CI)
    python scripts/magics_reference.py --print    # print the generated Markdown
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- MAGICS-REFERENCE:START -->"
END = "<!-- MAGICS-REFERENCE:END -->"

# Reading order for people: connecting first, then chat, media, agents, data. Subcommands not
# listed here still appear (alphabetically, at the end), so a new one is never left out.
ORDER = (
    "connect",
    "login",
    "status",
    "chat",
    "thread",
    "alias",
    "fix",
    "image",
    "compare",
    "agent",
    "agents",
    "sessions",
    "artifacts",
    "mcp",
    "flow",
    "models",
    "skills",
    "teams",
    "debug",
)


def subcommands() -> dict[str, object]:
    """The registered ``%gumloop`` subcommands, by name."""
    from gumloop_nb.notebook.magics import _document
    from gumloop_nb.notebook.magics._registry import SUBCOMMANDS

    _document()  # imports every subcommand module, which registers them
    return dict(SUBCOMMANDS)


def _usage(text: str) -> str:
    # IPython formats magic usage as reStructuredText ("::" then an indented block).
    text = text.strip()
    if text.startswith("::"):
        text = text[2:]
    return textwrap.dedent(text.strip("\n")).strip()


def generate() -> str:
    """The Markdown for the reference section (without the markers)."""
    # argparse wraps help to the terminal width: fix it so the output is the same everywhere.
    os.environ["COLUMNS"] = "100"
    subs = subcommands()
    names = [n for n in ORDER if n in subs] + sorted(n for n in subs if n not in ORDER)
    lines = [
        "## Magics reference",
        "",
        "Generated from the magics' own help by `python scripts/magics_reference.py`; in a "
        "notebook, `%gumloop?` shows all of it and `%gumloop SUBCOMMAND --help` one subcommand.",
        "Line form `%gumloop SUB ...`; cell form `%%gumloop SUB ...` with the cell as the "
        "prompt/input.",
        "",
        "| Subcommand | What it does |",
        "|---|---|",
    ]
    for name in names:
        sub = subs[name]
        summary = str(getattr(sub, "help", "")).replace("|", "\\|")
        lines.append(f"| [`{name}`](#gumloop-{name}) | {summary} |")
    for name in names:
        sub = subs[name]
        lines += ["", f"### %gumloop {name}", "", "```text", _usage(sub.usage()), "```"]  # type: ignore[attr-defined]
    return "\n".join(lines)


def replace_between_markers(document: str, body: str) -> str:
    """``document`` with the text between the markers replaced by ``body``."""
    start = document.find(START)
    end = document.find(END)
    if start < 0 or end < 0 or end < start:
        raise SystemExit(
            f"README.md has no {START} ... {END} block; add both markers where the reference goes."
        )
    return document[: start + len(START)] + "\n" + body + "\n" + document[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    mode.add_argument("--print", action="store_true", help="print the Markdown only")
    parser.add_argument("--readme", type=Path, default=README, help="default: README.md")
    args = parser.parse_args(argv)
    body = generate()
    if args.print:
        print(body)
        return 0
    current = args.readme.read_text(encoding="utf-8")
    updated = replace_between_markers(current, body)
    if args.check:
        if updated != current:
            print(
                f"{args.readme.name}: the magics reference is out of date; "
                "run python scripts/magics_reference.py",
                file=sys.stderr,
            )
            return 1
        print(f"{args.readme.name}: the magics reference is up to date.")
        return 0
    if updated != current:
        args.readme.write_text(updated, encoding="utf-8")
        print(f"{args.readme.name}: magics reference updated ({len(body.splitlines())} lines).")
    else:
        print(f"{args.readme.name}: already up to date.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
