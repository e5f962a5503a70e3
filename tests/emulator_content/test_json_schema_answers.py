from __future__ import annotations

import json

import jsonschema
import pytest

from gumloop_nb.emulator.llm import plan_completion

from ._support import chat

FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 2},
        "email": {"type": "string", "format": "email"},
        "age": {"type": "integer", "minimum": 18, "maximum": 99},
        "city": {"type": "string"},
    },
    "required": ["name", "email", "age", "city"],
    "additionalProperties": False,
}

SCHEMAS = {
    "flat": PERSON,
    "nested_with_refs": {
        "$defs": {
            "address": {
                "type": "object",
                "properties": {
                    "street": {"type": "string"},
                    "city": {"type": "string"},
                    "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
                },
                "required": ["street", "city", "zip"],
                "additionalProperties": False,
            },
            "person": {
                **PERSON,
                "properties": {**PERSON["properties"], "address": {"$ref": "#/$defs/address"}},
                "required": [*PERSON["required"], "address"],
            },
        },
        "type": "object",
        "properties": {
            "team": {
                "type": "array",
                "items": {"$ref": "#/$defs/person"},
                "minItems": 2,
                "maxItems": 4,
            }
        },
        "required": ["team"],
        "additionalProperties": False,
    },
    "draft7_definitions": {
        "definitions": {"tag": {"type": "string", "enum": ["red", "green", "blue"]}},
        "type": "object",
        "properties": {
            "tags": {
                "type": "array",
                "items": {"$ref": "#/definitions/tag"},
                "uniqueItems": True,
                "minItems": 1,
                "maxItems": 3,
            }
        },
        "required": ["tags"],
    },
    "formats": {
        "type": "object",
        "properties": {
            "day": {"type": "string", "format": "date"},
            "at": {"type": "string", "format": "date-time"},
            "site": {"type": "string", "format": "uri"},
            "id": {"type": "string", "format": "uuid"},
            "contact": {"type": "string", "format": "email"},
        },
        "required": ["day", "at", "site", "id", "contact"],
    },
    "numbers": {
        "type": "object",
        "properties": {
            "pct": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "even": {"type": "integer", "multipleOf": 2, "minimum": 10, "maximum": 20},
            "step": {"type": "number", "multipleOf": 0.5, "minimum": 1, "maximum": 3},
            "neg": {"type": "integer", "maximum": -5},
            "big": {"type": "integer", "minimum": 1000},
        },
        "required": ["pct", "even", "step", "neg", "big"],
    },
    "strings": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
            "short": {"type": "string", "maxLength": 5},
            "long": {"type": "string", "minLength": 80},
            "fixed": {"const": "v1"},
            "level": {"enum": ["low", "medium", "high"]},
        },
        "required": ["code", "short", "long", "fixed", "level"],
    },
    "combinators": {
        "type": "object",
        "properties": {
            "value": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 3}]},
            "choice": {
                "oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 100}]
            },
            "both": {
                "allOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                    {"properties": {"b": {"type": "boolean"}}, "required": ["b"]},
                ]
            },
            "maybe": {"type": ["string", "null"]},
            "nothing": {"type": "null"},
        },
        "required": ["value", "choice", "both", "maybe", "nothing"],
    },
    "array_root": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"title": {"type": "string"}, "done": {"type": "boolean"}},
            "required": ["title", "done"],
        },
        "minItems": 3,
        "maxItems": 3,
    },
    "recursive": {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["label"],
            }
        },
        "$ref": "#/$defs/node",
    },
    "tuple": {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
        "items": False,
        "minItems": 2,
    },
    "min_properties": {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "minProperties": 3,
    },
}


def _structured(schema, prompt="Describe a small engineering team based in Paris", **kw):
    plan = chat(
        prompt,
        response_format={"type": "json_schema", "json_schema": {"name": "out", "schema": schema}},
        **kw,
    )
    return json.loads(plan.text)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "gpt-4.1", "gemini-2.5-flash"])
def test_json_schema_answers_validate_against_the_schema(name, model):
    value = _structured(SCHEMAS[name], model=model)
    jsonschema.validate(value, SCHEMAS[name], format_checker=FORMATS)


@pytest.mark.parametrize("seed", range(12))
def test_json_schema_answers_validate_for_many_seeds(seed):
    for schema in SCHEMAS.values():
        jsonschema.validate(_structured(schema, seed=seed), schema, format_checker=FORMATS)


def test_values_relate_to_the_prompt():
    value = _structured(PERSON, prompt="Invent a customer who lives in Tokyo")
    assert value["city"] == "Tokyo"
    first, last = value["name"].split(" ", 1)  # a first and a last name
    assert value["email"].startswith(f"{first}.{last}".lower())
    numbers = _structured(
        {"type": "object", "properties": {"guests": {"type": "integer"}}, "required": ["guests"]},
        prompt="Plan a dinner for 12 guests",
    )
    assert numbers["guests"] == 12


def test_enums_prefer_the_value_the_prompt_mentions():
    schema = {
        "type": "object",
        "properties": {"sentiment": {"enum": ["positive", "negative", "neutral"]}},
        "required": ["sentiment"],
    }
    assert _structured(schema, prompt="This review is clearly negative")["sentiment"] == "negative"


def test_the_official_example_prime_request_returns_an_integer():
    plan = plan_completion(
        {
            "model": "claude-sonnet-4-5",
            "messages": [{"role": "user", "content": "Name a prime above 40"}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "prime",
                    "strict": True,
                    "schema": {
                        "type": "object",
                        "properties": {"n": {"type": "integer"}},
                        "required": ["n"],
                        "additionalProperties": False,
                    },
                },
            },
        }
    )
    n = json.loads(plan.text)["n"]
    assert isinstance(n, int) and n > 40
    assert all(n % d for d in range(2, n))  # a prime, as asked


def test_comparisons_in_the_prompt_move_the_number():
    schema = {"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]}
    assert _structured(schema, prompt="Pick a number below 10")["count"] < 10
    assert _structured(schema, prompt="Pick a number greater than 99")["count"] > 99
