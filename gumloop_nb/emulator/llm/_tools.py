"""Decide which tools a demo model calls and with which (schema-valid) arguments."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from ._schema import SchemaFaker
from ._seed import digest
from ._words import STOPWORDS, query_from, words_of

__all__ = ["plan_tool_calls"]


def _tool_words(fn: dict[str, Any]) -> set[str]:
    name = re.sub(r"([a-z])([A-Z])", r"\1 \2", fn.get("name", ""))
    text = f"{name} {fn.get('description') or ''}"
    params = fn.get("parameters") or {}
    if isinstance(params, dict):
        text += " " + " ".join((params.get("properties") or {}).keys())
    return {w for w in words_of(text.replace("_", " ")) if w not in STOPWORDS and len(w) > 2}


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _score(fn: dict[str, Any], prompt_words: set[str]) -> int:
    tool = {_stem(w) for w in _tool_words(fn)}
    return len(tool & {_stem(w) for w in prompt_words})


class _ArgFaker(SchemaFaker):
    """Schema faker whose free-text slots are filled from the user's request."""

    def _named(self, name: str) -> str:
        last = re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name)[-1].lower()
        if last in ("sql",) or name.lower() in ("sql", "statement"):
            return self._sql()
        if last in ("city", "location", "place", "where", "destination", "region"):
            return self.cities[0] if self.cities else super()._named(name)
        if last in ("query", "q", "search", "keywords", "question", "term", "terms", "topic"):
            return query_from(self.prompt)
        if last in ("table", "dataset"):
            lowered = self.prompt.lower()
            return "planets" if "planet" in lowered else "elements"
        if last in ("expression", "formula"):
            match = re.search(r"[-+*/().\d\s^%]{3,}", self.prompt)
            return match.group(0).strip() if match else "2 + 2"
        if last in ("to", "recipient", "recipients"):
            return self._formatted("email", name)
        return super()._named(name)

    def _sql(self) -> str:
        lowered = self.prompt.lower()
        if "planet" in lowered:
            return "SELECT name, mean_radius_km, moons FROM planets ORDER BY mean_radius_km DESC"
        if "noble gas" in lowered:
            return "SELECT atomic_number, symbol, name FROM elements WHERE category = 'noble gas'"
        return "SELECT atomic_number, symbol, name, atomic_mass FROM elements LIMIT 10"


def plan_tool_calls(
    prompt: str,
    tools: list[dict[str, Any]],
    tool_choice: Any,
    parallel: bool | None,
    rng: random.Random,
    salt: str,
) -> list[dict[str, Any]]:
    """OpenAI-style ``tool_calls`` for the first turn (at least one call).

    Example: a prompt "What's the weather in Paris?" with a ``get_weather(city)`` tool gives
    ``[{"id": "call_…", "type": "function", "function": {"name": "get_weather",
    "arguments": "{\\"city\\": \\"Paris\\"}"}}]``.
    """
    fns = [t["function"] for t in tools]
    if isinstance(tool_choice, dict):
        wanted = tool_choice["function"]["name"]
        chosen = [f for f in fns if f["name"] == wanted][:1]
    else:
        prompt_words = {w for w in words_of(prompt) if w not in STOPWORDS}
        ranked = sorted(enumerate(fns), key=lambda item: (-_score(item[1], prompt_words), item[0]))
        best = ranked[0][1]
        chosen = [best]
        if parallel:
            top = _score(best, prompt_words)
            chosen += [f for _, f in ranked[1:3] if top > 0 and _score(f, prompt_words) > 0]
    calls = []
    for i, fn in enumerate(chosen):
        schema = fn.get("parameters") or {"type": "object", "properties": {}}
        args = _ArgFaker(prompt, rng).generate(schema, "arguments")
        if not isinstance(args, dict):
            args = {}
        calls.append(
            {
                "id": "call_" + digest(salt, fn["name"], i)[:24],
                "type": "function",
                "function": {"name": fn["name"], "arguments": json.dumps(args, ensure_ascii=False)},
            }
        )
    return calls
