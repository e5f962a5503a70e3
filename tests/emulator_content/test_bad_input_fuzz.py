"""Whatever the body, planning either succeeds or raises EmulatorError (never a server error)."""

from __future__ import annotations

import json
import random

import pytest

from gumloop_nb.emulator.llm import EmulatorError, plan_completion

ATOMS = [
    None,
    True,
    0,
    -1,
    3,
    1e308,
    "",
    "x",
    "image",
    [],
    {},
    ["image", "text"],
    [1, 2],
    {"type": "object"},
    {"type": "function"},
    float("nan"),
]
KEYS = [
    "model",
    "messages",
    "tools",
    "tool_choice",
    "response_format",
    "modalities",
    "image_config",
    "max_tokens",
    "max_completion_tokens",
    "stop",
    "temperature",
    "seed",
    "parallel_tool_calls",
    "models",
    "stream",
]
HOSTILE_SCHEMAS = [
    {"type": "object", "properties": {"a": {"$ref": "#"}}, "required": ["a"]},
    {"$ref": "#/$defs/missing"},
    {"type": "string", "minLength": 10**9},
    {"type": "array", "minItems": 10**9},
    {"type": "number", "minimum": 1e300, "multipleOf": 1e-300},
    {"type": "object", "properties": ["not", "a", "dict"]},
    {"type": "string", "pattern": "(a{1000000})"},
    {"type": "string", "pattern": "[unclosed"},
    {"allOf": [{"$ref": "#"}]},
    {"anyOf": []},
    {"type": "object", "minProperties": 10**9},
]


def _random_value(rng: random.Random, depth: int = 0):
    if depth > 2 or rng.random() < 0.5:
        return rng.choice(ATOMS)
    if rng.random() < 0.5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {
        rng.choice(
            ["role", "content", "type", "function", "name", "schema", "json_schema", "tool_call_id"]
        ): _random_value(rng, depth + 1)
        for _ in range(rng.randint(0, 3))
    }


def _plan_or_error(body):
    try:
        plan = plan_completion(body)
    except EmulatorError as exc:
        assert 400 <= exc.status < 500
        assert exc.message.endswith(".")
        json.dumps(exc.envelope())
        return None
    json.dumps(plan.unary())
    for _, chunk in plan.stream_chunks():
        json.dumps(chunk)
    return plan


@pytest.mark.parametrize("seed", range(40))
def test_random_bodies_plan_or_raise_a_clear_error(seed):
    rng = random.Random(seed)
    for _ in range(25):
        body = {key: _random_value(rng) for key in rng.sample(KEYS, rng.randint(0, 6))}
        if rng.random() < 0.6:
            body["messages"] = [
                {
                    "role": rng.choice(["user", "tool", "assistant", "x"]),
                    "content": rng.choice(["Weather in Paris?", "", _random_value(rng)]),
                }
            ]
        _plan_or_error(body)


@pytest.mark.parametrize("schema", HOSTILE_SCHEMAS)
def test_hostile_schemas_never_crash_the_generator(schema):
    body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}
    _plan_or_error(
        {
            **body,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": schema},
            },
        }
    )
    _plan_or_error(
        {**body, "tools": [{"type": "function", "function": {"name": "f", "parameters": schema}}]}
    )


@pytest.mark.parametrize(
    "prompt",
    [
        "What is " + "1" * 50_000 + "?",
        "What is " + "+".join(["1"] * 20_000) + "?",
        "Traceback\n" + '  File "x.py", line 3, in f\n' * 5_000 + "KeyError: 'a'",
        "word " * 50_000,
    ],
)
def test_huge_prompts_get_answers_of_a_normal_size(prompt):
    plan = plan_completion({"model": "gpt-4.1", "messages": [{"role": "user", "content": prompt}]})
    assert 0 < len(plan.text) < 3_000
