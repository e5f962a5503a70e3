from __future__ import annotations

import pytest

from gumloop_nb.emulator.llm import MODELS, EmulatorError, model_groups, plan_completion

from ._support import chat

REQUIRED = {
    "claude-sonnet-4-5",
    "gpt-4.1",
    "gemini-2.5-flash",
    "gpt-image-1",
    "gemini-2.5-flash-image-preview",
}


def test_the_registry_has_the_required_models_each_with_its_own_pace():
    assert set(MODELS) >= REQUIRED
    assert {MODELS[n].kind for n in REQUIRED} == {"text", "image"}
    text = [m for m in MODELS.values() if m.kind == "text"]
    assert len({m.tokens_per_second for m in text}) == len(text)
    assert len({m.first_token_latency for m in text}) == len(text)
    for spec in MODELS.values():
        assert 40 <= spec.tokens_per_second <= 200
        assert 0.2 <= spec.first_token_latency <= 1.2
    assert all(MODELS[n].image_cost > 0 for n in REQUIRED if MODELS[n].kind == "image")


def test_model_groups_list_every_model_once_by_provider():
    groups = model_groups()
    values = [o["value"] for g in groups for o in g["options"]]
    assert sorted(values) == sorted(MODELS)
    anthropic = next(g for g in groups if g["groupLabel"] == "Anthropic")
    assert {
        "value": "claude-sonnet-4-5",
        "label": "Claude Sonnet 4.5",
        "status": "available",
    } in anthropic["options"]


def test_an_unknown_model_gets_a_404_listing_the_available_models():
    with pytest.raises(EmulatorError) as info:
        chat("hi", model="gpt-17-ultra")
    err = info.value
    assert (err.status, err.code) == (404, "model_not_found")
    assert "Unknown model 'gpt-17-ultra'" in err.message and "claude-sonnet-4-5" in err.message
    envelope = err.envelope()["error"]
    assert envelope == {
        "code": "model_not_found",
        "message": err.message,
        "type": "invalid_request_error",
        "param": "model",
        "details": {},
    }


def test_provider_prefixed_names_and_fallback_lists_resolve():
    assert chat("hi", model="openai/gpt-4.1").unary()["model"] == "gpt-4.1"
    plan = plan_completion(
        {"models": ["nope", "gemini-2.5-flash"], "messages": [{"role": "user", "content": "hi"}]}
    )
    assert plan.model.name == "gemini-2.5-flash"


def test_image_modality_on_a_text_model_and_the_reverse_are_clear_400s():
    with pytest.raises(EmulatorError) as info:
        chat("draw a cat", model="gpt-4.1", modalities=["image", "text"])
    assert info.value.status == 400 and "gpt-image-1" in info.value.message
    with pytest.raises(EmulatorError) as info:
        chat("draw a cat", model="gpt-image-1")
    assert info.value.status == 400 and "modalities" in info.value.message


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({}, "messages"),
        ({"messages": []}, "messages"),
        ({"messages": "hello"}, "messages"),
        ({"messages": [{"content": "no role"}]}, "role"),
        ({"messages": [{"role": "user"}]}, "content"),
        ({"messages": [{"role": "user", "content": 5}]}, "content"),
        ({"messages": [{"role": "user", "content": [{"text": "no type"}]}]}, "type"),
        ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, "max_tokens"),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": 9}, "temperature"),
        (
            {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]},
            "tools",
        ),
        ({"messages": [{"role": "user", "content": "x"}], "tool_choice": "always"}, "tool_choice"),
        (
            {
                "messages": [{"role": "user", "content": "x"}],
                "response_format": {"type": "json_schema"},
            },
            "json_schema",
        ),
        ({"messages": [{"role": "user", "content": "x"}], "model": 3}, "model"),
    ],
)
def test_malformed_requests_are_400s_that_say_what_is_wrong(body, mentions):
    with pytest.raises(EmulatorError) as info:
        plan_completion(body)
    assert info.value.status == 400
    assert mentions in info.value.message


def test_a_body_that_is_not_an_object_is_refused():
    with pytest.raises(EmulatorError):
        plan_completion(["not", "a", "dict"])  # type: ignore[arg-type]


def test_unary_results_have_the_contract_fields():
    result = chat("hello there").unary()
    assert result["object"] == "chat.completion"
    assert "system_fingerprint" in result
    [choice] = result["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert isinstance(result["created"], int)
