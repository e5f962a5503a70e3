from __future__ import annotations

import json

import pytest

from gumloop_nb.emulator.llm import MODELS

from ._support import chat

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _chunks(plan):
    return list(plan.stream_chunks())


@pytest.mark.parametrize(
    "prompt",
    [
        "Explain how a hash map works",
        "Write a Python function that reverses a string",
        "Repeat exactly: <b>bold</b> and *stars*",
    ],
)
def test_stream_chunks_reassemble_to_the_unary_answer(prompt):
    plan = chat(prompt)
    chunks = [c for _, c in _chunks(plan)]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == plan.unary()["choices"][0]["message"]["content"]


def test_every_chunk_is_a_well_formed_chat_completion_chunk():
    plan = chat("Describe the water cycle")
    chunks = [c for _, c in _chunks(plan)]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    for chunk in chunks:
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["id"] == plan.unary()["id"]
        assert "finish_reason" in chunk["choices"][0]
    assert [c["choices"][0]["finish_reason"] for c in chunks[:-1]] == [None] * (len(chunks) - 1)
    last = chunks[-1]
    assert last["choices"][0]["delta"] == {}
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["usage"] == plan.unary()["usage"]
    assert all("usage" not in c for c in chunks[:-1])


def test_text_arrives_in_small_deltas():
    plan = chat("Explain the difference between concurrency and parallelism")
    pieces = [c["choices"][0]["delta"].get("content") for _, c in _chunks(plan)][1:-1]
    assert len(pieces) > 20
    assert max(len(p) for p in pieces) <= 9


def test_delays_follow_the_model_speed_and_first_token_latency():
    totals = {}
    for name in ("gemini-2.5-flash", "claude-sonnet-4-5"):
        plan = chat("Repeat exactly: " + "word " * 200, model=name)
        delays = [d for d, _ in _chunks(plan)]
        spec = MODELS[name]
        assert delays[0] == pytest.approx(spec.first_token_latency)
        generation = sum(delays[1:])
        tokens = plan.unary()["usage"]["completion_tokens"]
        assert generation == pytest.approx(tokens / spec.tokens_per_second, rel=0.35)
        totals[name] = sum(delays)
    assert totals["gemini-2.5-flash"] < totals["claude-sonnet-4-5"]


def test_a_truncated_stream_ends_with_finish_reason_length():
    chunks = [c for _, c in _chunks(chat("Explain compilers in depth", max_tokens=3))]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


def test_tool_calls_stream_openai_style_and_reassemble():
    plan = chat("What's the weather in Berlin?", tools=[WEATHER])
    chunks = [c for _, c in _chunks(plan)]
    calls: dict[int, dict] = {}
    for chunk in chunks:
        for part in chunk["choices"][0]["delta"].get("tool_calls") or []:
            slot = calls.setdefault(part["index"], {"arguments": ""})
            if "id" in part:
                slot["id"], slot["name"] = part["id"], part["function"]["name"]
                assert part["type"] == "function"
            slot["arguments"] += part["function"].get("arguments", "")
    expected = plan.unary()["choices"][0]["message"]["tool_calls"]
    assert [
        {"id": c["id"], "name": c["name"], "arguments": c["arguments"]} for c in calls.values()
    ] == [
        {"id": e["id"], "name": e["function"]["name"], "arguments": e["function"]["arguments"]}
        for e in expected
    ]
    assert json.loads(calls[0]["arguments"]) == {"city": "Berlin"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_chunks_validate_against_the_official_sdk_models():
    spec = pytest.importorskip("gumloop.spec")
    plan = chat("Tell me about owls")
    spec.ChatResult.model_validate(plan.unary())
    for _, chunk in _chunks(plan):
        parsed = spec.ChatStreamChunk.model_validate(chunk)
    assert parsed.usage.cost == plan.unary()["usage"]["cost"]
    image = chat("a forest at dawn", model="gpt-image-1", modalities=["image", "text"])
    spec.ChatResult.model_validate(image.unary())
    frames = [spec.ChatStreamChunk.model_validate(c) for _, c in _chunks(image)]
    urls = [
        f.choices[0].delta.images[0].image_url.url
        for f in frames
        if f.choices and f.choices[0].delta.images
    ]
    assert urls[-1] == image.unary()["choices"][0]["message"]["images"][0]["image_url"]["url"]


def test_unary_and_streamed_calls_of_one_request_share_id_and_answer():
    unary = chat("Describe a lighthouse")
    streamed = chat("Describe a lighthouse", stream=True, stream_options={"include_usage": True})
    assert unary.unary()["id"] == streamed.unary()["id"]
    assert unary.text == streamed.text
