"""One-pass interpolation of ``{name}``, ``{name.attr}`` and ``{name[key]}`` into prompts.

Only brace groups that look like a reference are touched, so JSON, code and set literals in a
prompt stay as they are. ``{{name}}`` gives a literal ``{name}``. Substituted values are never
scanned again, so a value containing braces is inserted verbatim.

>>> interpolate("Summarise {doc[title]} for {user.name}; keep {1, 2}", ns).text   # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Interpolated", "interpolate"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# A key inside [...]: an integer, a quoted string, or a bare word (used as a dict key).
_KEY = r"-?\d+|'[^'\]]*'|\"[^\"\]]*\"|[A-Za-z0-9_.\- ]+"
_REF = rf"{_IDENT}(?:\.{_IDENT}|\[(?:{_KEY})\])*"
# Escaped reference first ({{ref}}), then a plain reference ({ref}).
_PATTERN = re.compile(rf"\{{\{{(?P<escaped>{_REF})\}}\}}|\{{(?P<ref>{_REF})\}}")
_STEP = re.compile(rf"\.(?P<attr>{_IDENT})|\[(?P<key>{_KEY})\]")


@dataclass
class Interpolated:
    """The prompt after interpolation and the references that could not be resolved."""

    text: str
    missing: list[str] = field(default_factory=list)

    @property
    def notice(self) -> str | None:
        """A one-line notice naming the unresolved references, or None if all resolved."""
        if not self.missing:
            return None
        names = ", ".join("{" + m + "}" for m in self.missing)
        return (
            f"Not interpolated (not defined in the notebook): {names}. "
            "Define them, write {{...}} for literal braces, or pass --no-interpolate."
        )


class _Missing(Exception):
    pass


def _key(raw: str) -> Any:
    if raw[:1] in ("'", '"'):
        return raw[1:-1]
    try:
        return int(raw)
    except ValueError:
        return raw


def _resolve(ref: str, namespace: Mapping[str, Any]) -> Any:
    head = re.match(_IDENT, ref)
    assert head is not None
    name = head.group(0)
    if name not in namespace:
        raise _Missing(ref)
    value = namespace[name]
    for step in _STEP.finditer(ref, head.end()):
        try:
            if step.group("attr") is not None:
                value = getattr(value, step.group("attr"))
            else:
                raw = step.group("key")
                key = _key(raw)
                try:
                    value = value[key]
                except (KeyError, IndexError, TypeError):
                    # {d[1]} on a dict with string keys: fall back to the text of the key.
                    if isinstance(key, int):
                        value = value[raw]
                    else:
                        raise
        except (AttributeError, KeyError, IndexError, TypeError) as exc:
            raise _Missing(ref) from exc
    return value


def interpolate(template: str, namespace: Mapping[str, Any]) -> Interpolated:
    """Substitute references to ``namespace`` values in one pass; unknown ones stay verbatim."""
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        escaped = match.group("escaped")
        if escaped is not None:
            return "{" + escaped + "}"
        ref = match.group("ref")
        try:
            return str(_resolve(ref, namespace))
        except _Missing:
            if ref not in missing:
                missing.append(ref)
            return match.group(0)

    return Interpolated(_PATTERN.sub(substitute, template), missing)
