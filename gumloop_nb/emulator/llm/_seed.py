"""Deterministic randomness: every choice derives from a hash of the request, never the clock."""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

__all__ = ["digest", "rng_for", "stable_json"]


def stable_json(value: Any) -> str:
    """A canonical JSON text for hashing (sorted keys, no whitespace variance)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(*parts: Any) -> str:
    """A hex sha256 over the canonical JSON of ``parts``."""
    return hashlib.sha256(stable_json(list(parts)).encode("utf-8")).hexdigest()


def rng_for(*parts: Any) -> random.Random:
    """A ``random.Random`` seeded from ``parts``: same parts, same sequence, on every run."""
    return random.Random(int(digest(*parts)[:16], 16))
