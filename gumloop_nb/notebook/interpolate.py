"""One-pass interpolation of ``{name}``, ``{name.attr}`` and ``{name[key]}`` into prompts.

Only brace groups that look like a reference are touched, so JSON, code and set literals in a
prompt stay as they are. ``{{name}}`` gives a literal ``{name}``. Substituted values are never
scanned again, so a value containing braces is inserted verbatim.

What cannot leak:

* Markdown code (fenced blocks and ``inline code``) is never interpolated, so pasted code keeps
  its f-strings and format strings.
* A reference may not pass through a name that starts with an underscore, anywhere in its
  attribute/item chain (``{get_ipython.__func__.__globals__[os]}``, ``{_secret}``, ``{d[_k]}``):
  that is how Python internals (and everything they reach) would be sent to a model.
* A reference whose name (any part of the chain) or value looks like a credential is refused
  unless ``allow_secrets`` is set.

Refusals raise ``InterpolationError`` with a one-line message; ``Interpolated.used`` names the
references that were substituted (names only, never values).

>>> interpolate("Summarise {doc[title]} for {user.name}; keep {1, 2}", ns).text   # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._secrets import looks_like_secret_name, looks_like_secret_value

__all__ = ["Interpolated", "InterpolationError", "interpolate"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# A key inside [...]: an integer, a quoted string, or a bare word (used as a dict key).
_KEY = r"-?\d+|'[^'\]]*'|\"[^\"\]]*\"|[A-Za-z0-9_.\- ]+"
_REF = rf"{_IDENT}(?:\.{_IDENT}|\[(?:{_KEY})\])*"
# Escaped reference first ({{ref}}), then a plain reference ({ref}).
_PATTERN = re.compile(rf"\{{\{{(?P<escaped>{_REF})\}}\}}|\{{(?P<ref>{_REF})\}}")
_STEP = re.compile(rf"\.(?P<attr>{_IDENT})|\[(?P<key>{_KEY})\]")


class InterpolationError(ValueError):
    """A reference that must not be sent to a model (underscore name, credential)."""


@dataclass
class Interpolated:
    """The prompt after interpolation, the references substituted and those not resolved."""

    text: str
    missing: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)

    @property
    def report(self) -> str | None:
        """One line naming the substituted references (never their values), or None."""
        if not self.used:
            return None
        names = ", ".join("{" + u + "}" for u in self.used)
        return f"Interpolated {names} (--raw sends the cell as written)."

    @property
    def notice(self) -> str | None:
        """A one-line notice naming the unresolved references, or None if all resolved."""
        if not self.missing:
            return None
        names = ", ".join("{" + m + "}" for m in self.missing)
        return (
            f"Not interpolated (not defined in the notebook): {names}. "
            "Define them, write {{...}} for literal braces, or pass --raw."
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


def _names(ref: str) -> list[str]:
    """Every name in a reference's chain: the head, attributes and item keys."""
    head = re.match(_IDENT, ref)
    assert head is not None
    names = [head.group(0)]
    for step in _STEP.finditer(ref, head.end()):
        attr = step.group("attr")
        names.append(attr if attr is not None else str(_key(step.group("key"))))
    return names


def _check(ref: str, allow_secrets: bool) -> None:
    names = _names(ref)
    hidden = [n for n in names if n.strip().startswith("_")]
    if hidden:
        raise InterpolationError(
            f"{{{ref}}} is not interpolated: it goes through {hidden[0]!r}, and names starting "
            "with an underscore are never sent to a model. Use a plain variable, write "
            "{{...}} for literal braces, or pass --raw."
        )
    if not allow_secrets and any(looks_like_secret_name(n) for n in names):
        raise InterpolationError(
            f"{{{ref}}} looks like a credential (by its name) and is not sent to the model. "
            "Add --allow-secrets to the cell if you mean it, or --raw to send the braces as "
            "written."
        )


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


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*$")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of Markdown code: fenced blocks (to the closing fence, or the end of the
    text if unclosed) and inline code spans (a run of backticks to the same run)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    fence_start: int | None = None
    fence = ""
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line.rstrip("\r\n"))
        if fence_start is None and match:
            fence_start, fence = pos, match.group(1)
        elif (
            fence_start is not None
            and match
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence)
            and not line.strip()[len(match.group(1)) :].strip()
        ):
            spans.append((fence_start, pos + len(line)))
            fence_start = None
        pos += len(line)
    if fence_start is not None:
        spans.append((fence_start, len(text)))
    # Inline code outside the fenced blocks.
    inline: list[tuple[int, int]] = []
    outside_start = 0
    for start, end in [*spans, (len(text), len(text))]:
        chunk = text[outside_start:start]
        for m in re.finditer(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", chunk, re.S):
            inline.append((outside_start + m.start(), outside_start + m.end()))
        outside_start = end
    return sorted(spans + inline)


def interpolate(
    template: str, namespace: Mapping[str, Any], *, allow_secrets: bool = False
) -> Interpolated:
    """Substitute references to ``namespace`` values in one pass; unknown ones stay verbatim.

    Markdown code is left alone. Raises ``InterpolationError`` for a reference through an
    underscore name, or (unless ``allow_secrets``) one that looks like a credential.
    """
    missing: list[str] = []
    used: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        escaped = match.group("escaped")
        if escaped is not None:
            return "{" + escaped + "}"
        ref = match.group("ref")
        _check(ref, allow_secrets)
        try:
            value = str(_resolve(ref, namespace))
        except _Missing:
            if ref not in missing:
                missing.append(ref)
            return match.group(0)
        if not allow_secrets and looks_like_secret_value(value):
            raise InterpolationError(
                f"The value of {{{ref}}} looks like an API key or token and is not sent to the "
                "model. Add --allow-secrets to the cell if you mean it."
            )
        if ref not in used:
            used.append(ref)
        return value

    parts: list[str] = []
    pos = 0
    for start, end in _code_spans(template):
        if start < pos:
            continue
        parts.append(_PATTERN.sub(substitute, template[pos:start]))
        parts.append(template[start:end])
        pos = end
    parts.append(_PATTERN.sub(substitute, template[pos:]))
    return Interpolated("".join(parts), missing, used)
