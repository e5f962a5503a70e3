"""Structured output: a JSON Schema or pydantic model in, typed DataFrame columns out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["OutputSchema"]

_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


class SchemaMismatch(ValueError):
    """An answer that does not fit the schema (reported in the row's ``error``)."""


def _plain_type(prop: dict[str, Any]) -> str | None:
    kind = prop.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if len(kinds) == 1 else None
    if kind is None:
        for key in ("anyOf", "oneOf"):
            options = [o for o in prop.get(key, []) if o.get("type") != "null"]
            if len(options) == 1:
                return _plain_type(options[0])
        if "enum" in prop and all(isinstance(v, str) for v in prop["enum"]):
            return "string"
    return kind if isinstance(kind, str) else None


def _check(name: str, value: Any, prop: dict[str, Any]) -> Any:
    if value is None:
        return None
    kind = _plain_type(prop)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaMismatch(f"{name}: expected an integer, got {json.dumps(value)[:60]}")
        if isinstance(value, float):
            if not value.is_integer():
                raise SchemaMismatch(f"{name}: expected an integer, got {value}")
            value = int(value)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaMismatch(f"{name}: expected a number, got {json.dumps(value)[:60]}")
        value = float(value)
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise SchemaMismatch(f"{name}: expected true or false, got {json.dumps(value)[:60]}")
    elif kind == "string":
        if not isinstance(value, str):
            raise SchemaMismatch(f"{name}: expected a string, got {json.dumps(value)[:60]}")
    elif kind == "array" and not isinstance(value, list):
        raise SchemaMismatch(f"{name}: expected a list, got {json.dumps(value)[:60]}")
    elif kind == "object" and not isinstance(value, dict):
        raise SchemaMismatch(f"{name}: expected an object, got {json.dumps(value)[:60]}")
    enum = prop.get("enum")
    if enum is not None and value not in enum:
        raise SchemaMismatch(f"{name}: {json.dumps(value)[:60]} is not one of {enum}")
    return value


@dataclass
class OutputSchema:
    """The schema sent as ``response_format`` and the parser of answers into column values."""

    name: str
    schema: dict[str, Any]
    model: Any = None  # a pydantic model class, when given one

    @classmethod
    def of(cls, spec: Any) -> OutputSchema:
        if isinstance(spec, type) and hasattr(spec, "model_json_schema"):
            return cls(spec.__name__, spec.model_json_schema(), spec)
        if isinstance(spec, str):
            try:
                spec = json.loads(spec)
            except ValueError:
                raise TypeError("schema text is not valid JSON.") from None
        if not isinstance(spec, dict):
            raise TypeError(
                "schema must be a JSON Schema dict or a pydantic model class, "
                f"not {type(spec).__name__}."
            )
        if spec.get("type") not in (None, "object") or not isinstance(spec.get("properties"), dict):
            raise ValueError(
                "schema must describe an object with properties, e.g. "
                '{"type": "object", "properties": {"year": {"type": "integer"}}}: each '
                "property becomes a column."
            )
        return cls(str(spec.get("title") or "extraction"), spec)

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        props = self.schema.get("properties") or {}
        defs = self.schema.get("$defs") or {}
        resolved: dict[str, dict[str, Any]] = {}
        for name, prop in props.items():
            ref = prop.get("$ref") if isinstance(prop, dict) else None
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                prop = defs.get(ref.split("/")[-1], prop)
            resolved[name] = prop if isinstance(prop, dict) else {}
        return resolved

    @property
    def columns(self) -> list[str]:
        return list(self.properties)

    def dtype(self, column: str) -> str | None:
        return _DTYPES.get(_plain_type(self.properties[column]) or "")

    def response_format(self) -> dict[str, Any]:
        name = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in self.name)[:64]
        return {
            "type": "json_schema",
            "json_schema": {"name": name or "extraction", "schema": self.schema, "strict": True},
        }

    def parse(self, text: Any) -> dict[str, Any]:
        """Column values from one answer; raises SchemaMismatch when it does not fit."""
        if isinstance(text, str):
            try:
                data = json.loads(text)
            except ValueError:
                raise SchemaMismatch(f"the answer is not JSON: {text[:80]!r}") from None
        else:
            data = text
        if not isinstance(data, dict):
            raise SchemaMismatch(f"the answer is not a JSON object: {json.dumps(data)[:80]}")
        if self.model is not None:
            from pydantic import ValidationError

            try:
                validated = self.model.model_validate(data)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
                raise SchemaMismatch(f"{where}: {first.get('msg')}") from None
            data = validated.model_dump(mode="json")
        missing = [r for r in self.schema.get("required", []) if r not in data]
        if missing:
            raise SchemaMismatch(f"the answer lacks required field(s): {', '.join(missing)}")
        return {name: _check(name, data.get(name), prop) for name, prop in self.properties.items()}
