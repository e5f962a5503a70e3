"""Prompt templates over a row's columns: ``"Summarise: {abstract}"``.

A template names columns in braces; ``{{`` and ``}}`` are literal braces. Every name is checked
against the frame's columns before any call is made, so a misspelt column costs nothing. Values
are inserted in one pass and never scanned again (a value holding ``{x}`` stays verbatim), and a
name is only ever looked up as a column: no attribute or index access, so a template cannot reach
into Python objects. A format spec works as in ``str.format``: ``{atomic_mass:.1f}``.
"""

from __future__ import annotations

import difflib
import math
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["RowTemplate", "TemplateError", "render_row"]


class TemplateError(ValueError):
    """A template names a column the frame does not have, or is not a valid template."""


_FORMATTER = string.Formatter()


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:
        return False


def _text(value: Any) -> str:
    if _is_missing(value):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is always there when frames are used
        pass
    return str(value)


@dataclass(frozen=True)
class RowTemplate:
    """A parsed template: literal text and column references, checked against ``columns``."""

    source: str
    parts: tuple[tuple[str, str | None, str, str | None], ...]

    @classmethod
    def parse(cls, source: str, columns: Sequence[Any]) -> RowTemplate:
        if not isinstance(source, str):
            raise TemplateError(
                f"The prompt must be a string template such as 'Summarise: {{text}}', "
                f"not {type(source).__name__}."
            )
        try:
            parsed = list(_FORMATTER.parse(source))
        except ValueError as exc:
            raise TemplateError(
                f"The prompt template is not valid ({exc}); write {{{{ and }}}} for literal braces."
            ) from None
        names = [str(c) for c in columns]
        missing: list[str] = []
        parts: list[tuple[str, str | None, str, str | None]] = []
        for literal, field, spec, conversion in parsed:
            if field is not None:
                if field == "" or field.isdigit():
                    raise TemplateError(
                        "The prompt template has a positional field ('{}' or '{0}'); name a column "
                        "instead, e.g. {title}, or write {{}} for literal braces."
                    )
                if field not in names and field not in missing:
                    missing.append(field)
                if spec and "{" in spec:
                    raise TemplateError(
                        f"Nested fields in a format spec ({{{field}:{spec}}}) are not supported."
                    )
            parts.append((literal, field, spec or "", conversion))
        if missing:
            raise TemplateError(_missing_message(missing, names))
        return cls(source, tuple(parts))

    @property
    def fields(self) -> list[str]:
        seen: list[str] = []
        for _, field, _, _ in self.parts:
            if field is not None and field not in seen:
                seen.append(field)
        return seen

    def render(self, row: Mapping[str, Any]) -> str:
        out: list[str] = []
        for literal, field, spec, conversion in self.parts:
            out.append(literal)
            if field is None:
                continue
            value = row[field]
            if conversion == "r":
                out.append(repr(value))
            elif spec and not _is_missing(value):
                try:
                    out.append(format(value, spec))
                except (TypeError, ValueError):
                    out.append(_text(value))
            else:
                out.append(_text(value))
        return "".join(out)


def _missing_message(missing: list[str], columns: list[str]) -> str:
    pieces = []
    for name in missing:
        close = difflib.get_close_matches(name, columns, n=1)
        hint = f" (did you mean {{{close[0]}}}?)" if close else ""
        pieces.append(f"{{{name}}}{hint}")
    shown = ", ".join(columns[:20]) + (", ..." if len(columns) > 20 else "")
    return (
        f"The prompt names {'a column' if len(missing) == 1 else 'columns'} the DataFrame does not "
        f"have: {', '.join(pieces)}. Columns: {shown}. Write {{{{ and }}}} for literal braces. "
        "Nothing was sent."
    )


Renderer = Callable[[Mapping[str, Any]], str]


def render_row(prompt: str | Renderer, columns: Sequence[Any]) -> Renderer:
    """A function row -> text: a parsed template (checked now), or the given callable."""
    if callable(prompt):
        return prompt
    return RowTemplate.parse(prompt, columns).render


def describe_row(row: Mapping[str, Any]) -> str:
    """A row as ``column: value`` lines (the input when a prompt names no column)."""
    return "\n".join(f"{k}: {_text(v)}" for k, v in row.items())
