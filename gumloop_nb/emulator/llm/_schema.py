"""Generate a JSON value that validates against a JSON Schema, with values related to a prompt.

Example: ``SchemaFaker("Plan a trip to Paris for 3 people", rng).generate({"type": "object",
"properties": {"city": {"type": "string"}, "people": {"type": "integer"}}})`` gives
``{"city": "Paris", "people": 3}``.
"""

from __future__ import annotations

import math
import random
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ._regexgen import sample_pattern
from ._words import (
    CITIES,
    COLORS,
    COMPANIES,
    COUNTRIES,
    FIRST_NAMES,
    LAST_NAMES,
    cities_in,
    key_phrases,
    number_targets,
    query_from,
    sentence_about,
)

__all__ = ["SchemaFaker"]

_MAX_DEPTH = 8
_HARD_DEPTH = 40
# Caps on sizes a schema may demand, so a hostile schema cannot exhaust memory.
_MAX_ITEMS = 200
_MAX_LENGTH = 5000
_BASE_DATE = date(2025, 3, 14)


def _as_int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _words(name: str) -> list[str]:
    """``firstName`` / ``first_name`` -> ["first", "name"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


class SchemaFaker:
    """Builds schema instances; one faker per request so choices are deterministic."""

    def __init__(self, prompt: str, rng: random.Random) -> None:
        self.prompt = prompt
        self.rng = rng
        self.phrases = key_phrases(prompt) or ["example"]
        self.numbers = number_targets(prompt)
        self.cities = cities_in(prompt)
        self.root: Any = {}
        # The person named most recently in the current object, so its email matches.
        self._person: tuple[str, str] | None = None

    # -- entry -----------------------------------------------------------------------------
    def generate(self, schema: Any, name: str = "value") -> Any:
        self.root = schema
        return self._gen(schema, name, 0)

    # -- dispatch --------------------------------------------------------------------------
    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return {}
        node: Any = self.root
        for token in ref.lstrip("#").split("/"):
            if not token:
                continue
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return {}
        return node

    def _merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, dict) and "$ref" in part:
                part = self._resolve(part["$ref"])
            if not isinstance(part, dict):
                continue
            if "allOf" in part:
                part = self._merge_all_of(part)
            for key, value in part.items():
                if key == "properties":
                    merged.setdefault("properties", {})
                    merged["properties"] = {**merged["properties"], **value}
                elif key == "required":
                    merged["required"] = sorted(set(merged.get("required", [])) | set(value))
                elif key in ("minimum", "exclusiveMinimum", "minLength", "minItems"):
                    merged[key] = max(merged.get(key, value), value)
                elif key in ("maximum", "exclusiveMaximum", "maxLength", "maxItems"):
                    merged[key] = min(merged.get(key, value), value)
                else:
                    merged.setdefault(key, value)
        return merged

    def _gen(self, schema: Any, name: str, depth: int) -> Any:
        if depth > _HARD_DEPTH:
            return None  # a schema that requires infinite nesting: give up gracefully
        if schema is True or schema is None:
            schema = {}
        if schema is False:
            return None  # nothing validates; best effort
        if not isinstance(schema, dict):
            return None
        if "$ref" in schema:
            target = self._resolve(schema["$ref"])
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra} if isinstance(target, dict) else extra
        if "allOf" in schema:
            schema = self._merge_all_of(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self._pick_enum(schema["enum"], name)
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                base = {k: v for k, v in schema.items() if k != key}
                return self._gen({**base, **self._pick_option(options)}, name, depth)
        kind = self._type_of(schema)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "integer":
            return self._number(schema, name, integer=True)
        if kind == "number":
            return self._number(schema, name, integer=False)
        if kind == "boolean":
            return self._boolean(name)
        if kind == "null":
            return None
        return self._string(schema, name)

    def _type_of(self, schema: dict[str, Any]) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"]
            kind = non_null[0] if non_null else "null"
        if isinstance(kind, str):
            return kind
        if "properties" in schema or "required" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema or "minItems" in schema:
            return "array"
        if any(k in schema for k in ("minimum", "maximum", "multipleOf", "exclusiveMinimum")):
            return "number"
        return "string"

    def _pick_option(self, options: list[Any]) -> dict[str, Any]:
        resolved = []
        for option in options:
            if isinstance(option, dict) and "$ref" in option:
                target = self._resolve(option["$ref"])
                option = {**target, **{k: v for k, v in option.items() if k != "$ref"}}
            if isinstance(option, dict):
                resolved.append(option)
        non_null = [o for o in resolved if o.get("type") != "null"]
        pool = non_null or resolved or [{}]
        return pool[0]

    def _pick_enum(self, values: list[Any], name: str) -> Any:
        # Prefer a value the prompt mentions; otherwise a stable pick.
        lowered = self.prompt.lower()
        for value in values:
            if isinstance(value, str) and value and value.lower() in lowered:
                return value
        return values[self.rng.randrange(len(values))]

    # -- containers ------------------------------------------------------------------------
    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties") or {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        out: dict[str, Any] = {}
        self._person = None
        deep = depth >= _MAX_DEPTH // 2
        for key, sub in props.items():
            if deep and key not in required:
                continue  # prune optional branches so recursive schemas terminate
            out[key] = self._gen(sub, key, depth + 1)
        additional = schema.get("additionalProperties", True)
        for key in required:
            if key not in out:
                sub = additional if isinstance(additional, dict) else {}
                out[key] = self._gen(sub, key, depth + 1)
        min_props = schema.get("minProperties")
        if isinstance(min_props, int) and additional is not False:
            min_props = min(min_props, _MAX_ITEMS)
            sub = additional if isinstance(additional, dict) else {"type": "string"}
            i = 0
            while len(out) < min_props:
                i += 1
                key = f"{self.phrases[i % len(self.phrases)].replace(' ', '_')}_{i}"
                out.setdefault(key, self._gen(sub, key, depth + 1))
        max_props = schema.get("maxProperties")
        if isinstance(max_props, int) and len(out) > max_props:
            keep = required + [k for k in out if k not in required]
            out = {k: out[k] for k in keep[:max_props]}
        return out

    def _array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        lo = min(_as_int(schema.get("minItems"), 0), _MAX_ITEMS)
        hi_raw = schema.get("maxItems")
        hi = int(hi_raw) if isinstance(hi_raw, int) else max(lo, 4)
        prefix = schema.get("prefixItems")
        items = schema.get("items", {})
        if isinstance(items, list):  # draft-04 tuple form
            prefix, items = items, schema.get("additionalItems", {})
        wanted = lo if depth >= _MAX_DEPTH else self.rng.randint(2, 3)
        count = min(max(wanted, lo), hi)
        singular = name[:-1] if name.endswith("s") and len(name) > 3 else name
        out: list[Any] = []
        attempts = 0
        while len(out) < count and attempts < count * 6 + 10:
            attempts += 1
            index = len(out)
            if isinstance(prefix, list) and index < len(prefix):
                sub = prefix[index]
            elif items is False:
                break
            else:
                sub = items
            value = self._gen(sub, singular, depth + 1)
            if schema.get("uniqueItems") and value in out:
                continue
            out.append(value)
        return out

    # -- scalars ---------------------------------------------------------------------------
    def _boolean(self, name: str) -> bool:
        words = _words(name)
        if words and words[0] in ("is", "has", "can", "should") and "not" in self.prompt.lower():
            return False
        return self.rng.random() < 0.6

    def _number(self, schema: dict[str, Any], name: str, *, integer: bool) -> int | float:
        lo: float = -math.inf
        hi: float = math.inf
        if isinstance(schema.get("minimum"), (int, float)):
            lo = schema["minimum"]
        if isinstance(schema.get("maximum"), (int, float)):
            hi = schema["maximum"]
        ex_lo, ex_hi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        step = 1.0 if integer else 0.01
        if ex_lo is True and lo > -math.inf:  # draft-04 boolean form
            lo += step
        elif isinstance(ex_lo, (int, float)) and not isinstance(ex_lo, bool):
            lo = max(lo, ex_lo + step)
        if ex_hi is True and hi < math.inf:
            hi -= step
        elif isinstance(ex_hi, (int, float)) and not isinstance(ex_hi, bool):
            hi = min(hi, ex_hi - step)
        value = self._number_guess(name, integer)
        if value < lo or value > hi:
            if lo > -math.inf and hi < math.inf:
                value = lo + (hi - lo) * self.rng.uniform(0.2, 0.8)
            elif lo > -math.inf:
                value = lo + abs(value) % 10 + (0 if integer else 0.5)
            else:
                value = hi - abs(value) % 10 - (0 if integer else 0.5)
        multiple = schema.get("multipleOf")
        if isinstance(multiple, (int, float)) and multiple > 0:
            k = math.ceil(lo / multiple) if lo > -math.inf else math.floor(value / multiple)
            k = max(k, math.floor(value / multiple))
            if hi < math.inf and k * multiple > hi:
                k = math.floor(hi / multiple)
            if integer and float(multiple).is_integer():
                return int(k * int(multiple))
            candidate = round(k * multiple, 10)
            if integer:
                return int(candidate) if float(candidate).is_integer() else int(k)
            return candidate
        if integer:
            as_int = math.floor(value) if value >= 0 else math.ceil(value)
            if as_int < lo:
                as_int = math.ceil(lo)
            if as_int > hi:
                as_int = math.floor(hi)
            return as_int
        return round(value, 2) if lo <= round(value, 2) <= hi else value

    def _number_guess(self, name: str, integer: bool) -> float:
        words = _words(name)
        if self.numbers:
            # A number from the prompt, nudged a little per field so siblings differ.
            base = self.numbers[self.rng.randrange(len(self.numbers))]
            return base if integer else base + self.rng.choice([0, 0.25, 0.5])
        if any(w in words for w in ("age", "years")):
            return float(self.rng.randint(21, 64))
        if any(w in words for w in ("year",)):
            return float(self.rng.randint(1990, 2025))
        if any(w in words for w in ("score", "confidence", "probability", "ratio")):
            return (
                round(self.rng.uniform(0.55, 0.97), 2) if not integer else self.rng.randint(1, 10)
            )
        if any(w in words for w in ("price", "cost", "amount", "total")):
            return round(self.rng.uniform(5, 250), 2)
        if any(w in words for w in ("count", "quantity", "number", "n", "size")):
            return float(self.rng.randint(1, 12))
        if any(w in words for w in ("rating", "stars")):
            return float(self.rng.randint(1, 5))
        if any(w in words for w in ("lat", "latitude")):
            return round(self.rng.uniform(-60, 60), 4)
        if any(w in words for w in ("lon", "lng", "longitude")):
            return round(self.rng.uniform(-150, 150), 4)
        return float(self.rng.randint(1, 100)) if integer else round(self.rng.uniform(1, 100), 2)

    def _string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        if isinstance(fmt, str):
            value = self._formatted(fmt, name)
        elif isinstance(pattern, str):
            value = sample_pattern(pattern, self.rng) or self._named(name)
        else:
            value = self._named(name)
        lo = min(_as_int(schema.get("minLength"), 0), _MAX_LENGTH)
        hi_raw = schema.get("maxLength")
        if len(value) < lo:
            filler = " " + " ".join(self.phrases) + " " + sentence_about(self.phrases, self.rng)
            while len(value) < lo:
                value += filler
            value = value[: max(lo, len(value))]
        if isinstance(hi_raw, int) and len(value) > hi_raw:
            value = value[:hi_raw].rstrip() if hi_raw >= lo else value[:hi_raw]
            if len(value) < lo:
                value = value.ljust(lo, "x")
        if isinstance(pattern, str) and not fmt:
            try:
                if not re.search(pattern, value):
                    value = sample_pattern(pattern, self.rng) or value
            except re.error:
                pass
        return value

    def _formatted(self, fmt: str, name: str) -> str:
        day = _BASE_DATE + timedelta(days=self.rng.randint(0, 400))
        if fmt == "date":
            return day.isoformat()
        if fmt == "date-time":
            moment = datetime(
                day.year,
                day.month,
                day.day,
                self.rng.randint(7, 19),
                self.rng.choice([0, 15, 30, 45]),
                tzinfo=timezone.utc,
            )
            return moment.isoformat().replace("+00:00", "Z")
        if fmt == "time":
            return f"{self.rng.randint(7, 19):02d}:{self.rng.choice([0, 15, 30, 45]):02d}:00Z"
        if fmt in ("email", "idn-email"):
            first, last = self._person or (
                self.rng.choice(FIRST_NAMES),
                self.rng.choice(LAST_NAMES),
            )
            local = re.sub(r"[^a-z0-9.]", "", f"{first}.{last}".lower())
            return f"{local}@example.com"
        if fmt in ("uri", "url", "iri", "uri-reference"):
            slug = "-".join(self.phrases[0].split())[:40] or "page"
            return f"https://example.com/{re.sub(r'[^a-z0-9-]', '', slug.lower()) or 'page'}"
        if fmt == "uuid":
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        if fmt == "ipv4":
            return ".".join(str(self.rng.randint(1, 254)) for _ in range(4))
        if fmt == "ipv6":
            return "2001:db8::" + format(self.rng.getrandbits(16), "x")
        if fmt in ("hostname", "idn-hostname"):
            return "demo.example.com"
        if fmt == "duration":
            return f"PT{self.rng.randint(1, 59)}M"
        return self._named(name)

    def _named(self, name: str) -> str:
        words = _words(name)
        last = words[-1] if words else ""
        rng = self.rng
        if last in ("city", "town", "location", "place", "destination", "origin"):
            return self.cities[0] if self.cities else rng.choice(CITIES)
        if last == "country":
            return rng.choice(COUNTRIES)
        if words[:1] == ["first"] or last in ("firstname",):
            return rng.choice(FIRST_NAMES)
        if words[:1] == ["last"] or last in ("surname", "lastname"):
            return rng.choice(LAST_NAMES)
        if last in ("name", "author", "person", "user", "username", "owner", "customer"):
            if any(w in words for w in ("company", "organization", "org", "business")):
                return rng.choice(COMPANIES)
            if any(w in words for w in ("product", "project", "file", "item", "tool")):
                return self.phrases[0].title()
            self._person = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
            return f"{self._person[0]} {self._person[1]}"
        if last in ("company", "organization", "employer", "brand"):
            return rng.choice(COMPANIES)
        if last in ("email", "mail"):
            return self._formatted("email", name)
        if last in ("url", "link", "website", "homepage", "uri"):
            return self._formatted("uri", name)
        if last in ("id", "uuid", "identifier"):
            return f"{(words[0] if len(words) > 1 else 'item')[:4]}_{rng.getrandbits(32):08x}"
        if last in ("date", "day", "birthday", "deadline"):
            return self._formatted("date", name)
        if last in ("time", "timestamp", "at"):
            return self._formatted("date-time", name)
        if last in ("color", "colour"):
            return rng.choice(COLORS)
        if last in ("phone", "telephone", "mobile"):
            return f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        if last in ("language", "lang"):
            return rng.choice(["English", "French", "Spanish", "German", "Japanese"])
        if last in ("currency",):
            return rng.choice(["USD", "EUR", "GBP", "JPY"])
        if last in ("query", "q", "search", "keywords", "question", "input", "prompt", "text"):
            return query_from(self.prompt)
        if last in ("title", "headline", "subject", "topic", "label", "heading"):
            return self.phrases[0].capitalize() if len(self.phrases[0]) > 3 else self.phrases[0]
        if last in (
            "summary",
            "description",
            "explanation",
            "reason",
            "body",
            "content",
            "answer",
            "message",
            "notes",
            "details",
            "comment",
            "rationale",
            "reasoning",
        ):
            return sentence_about(self.phrases, rng)
        if last in ("tag", "keyword", "category", "genre", "type", "kind"):
            return rng.choice(self.phrases).split()[0]
        if last in ("status", "state"):
            return rng.choice(["active", "pending", "done"])
        if last in ("sentiment", "mood", "tone"):
            return rng.choice(["positive", "neutral", "mixed"])
        if last in ("code", "sku"):
            return f"{rng.choice('ABCDEFGH')}{rng.randint(100, 999)}"
        if last in ("address", "street"):
            return f"{rng.randint(1, 220)} {rng.choice(LAST_NAMES)} Street"
        return rng.choice(self.phrases)
