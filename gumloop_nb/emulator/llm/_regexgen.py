"""Produce a string matching a (simple) regular expression, for JSON Schema ``pattern``.

Walks the parse tree of Python's own regex parser, so classes, repeats, groups and alternation
work; look-arounds and back-references are best effort.
"""

from __future__ import annotations

import importlib
import random
import re
import string
import warnings
from typing import Any

__all__ = ["sample_pattern"]

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        _parser: Any = importlib.import_module("re._parser")
        _consts: Any = importlib.import_module("re._constants")
    except ImportError:  # Python 3.10
        _parser = importlib.import_module("sre_parse")
        _consts = importlib.import_module("sre_constants")

_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-.,!",
}
_SAFE = string.ascii_lowercase + string.digits


def _category(cat: Any) -> str:
    return _CATEGORY_CHARS.get(str(cat), _SAFE)


def _class_chars(items: list[Any]) -> str:
    negate = False
    chars: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.append(chr(av))
        elif name == "RANGE":
            lo, hi = av
            chars.extend(chr(c) for c in range(lo, min(hi, lo + 200) + 1))
        elif name == "CATEGORY":
            chars.extend(_category(av))
    if negate:
        excluded = set(chars)
        return "".join(c for c in _SAFE if c not in excluded) or "~"
    return "".join(chars) or "a"


def _emit(tree: Any, rng: random.Random, out: list[str]) -> None:
    for op, av in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(av))
        elif name == "NOT_LITERAL":
            out.append(next(c for c in _SAFE if ord(c) != av))
        elif name == "ANY":
            out.append(rng.choice(string.ascii_lowercase))
        elif name == "IN":
            out.append(rng.choice(_class_chars(av)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = av
            lo = min(lo, 64)
            hi = lo + 3 if hi == _consts.MAXREPEAT or hi > lo + 3 else hi
            for _ in range(rng.randint(lo, max(lo, hi)) if lo < hi else lo):
                _emit(sub, rng, out)
        elif name == "SUBPATTERN":
            _emit(av[-1], rng, out)
        elif name == "ATOMIC_GROUP":
            _emit(av, rng, out)
        elif name == "BRANCH":
            _emit(rng.choice(av[1]), rng, out)
        elif name == "CATEGORY":
            out.append(rng.choice(_category(av)))
        # AT (anchors), ASSERT, GROUPREF...: emit nothing (best effort)


def sample_pattern(pattern: str, rng: random.Random) -> str | None:
    """A string that ``re.search(pattern, s)`` accepts, or None if this one is too clever."""
    try:
        tree = _parser.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, ValueError, TypeError):
        return None
    for _ in range(8):
        out: list[str] = []
        try:
            _emit(tree, rng, out)
        except (ValueError, TypeError, StopIteration, RecursionError):
            return None
        candidate = "".join(out)
        if compiled.search(candidate):
            return candidate
    return None
