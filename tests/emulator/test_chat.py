"""Chat completions (unary + SSE), models list and routing."""

from __future__ import annotations

import json

import jsonschema

from .conftest import sse_events

MSG = [{"role": "user", "content": "What is the capital of France?"}]


def test_a_unary_completion_has_the_fields_the_official_sdk_requires(http):
    r = http.post("/chat/completions", json={"model": "gpt-4.1", "messages": MSG})
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "chat.completion" and "system_fingerprint" in body
    choice = body["choices"][0]
    assert "finish_reason" in choice and choice["message"]["role"] == "assistant"
    assert choice["message"]["content"]
    assert body["usage"]["total_tokens"] == (
        body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    )


def test_a_streamed_completion_uses_data_frames_and_ends_with_done(http):
    body = {"model": "claude-sonnet-4-5", "messages": MSG, "stream": True}
    with http.stream("POST", "/chat/completions", json=body) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = r.read().decode()
    frames = sse_events(text)
    assert frames[-1]["data"] == "[DONE]"
    chunks = [json.loads(f["data"]) for f in frames[:-1]]
    assert len(chunks) >= 2
    assert all("finish_reason" in c["choices"][0] for c in chunks if c["choices"])
    assert chunks[-1]["usage"]["completion_tokens"] >= 1
    streamed = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    unary = http.post("/chat/completions", json={"model": "claude-sonnet-4-5", "messages": MSG})
    assert streamed == unary.json()["choices"][0]["message"]["content"]


def test_a_json_schema_response_format_validates_against_the_schema(http):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer", "minimum": 0}},
        "required": ["city", "population"],
        "additionalProperties": False,
    }
    body = {
        "model": "gpt-4.1",
        "messages": MSG,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "city", "schema": schema},
        },
    }
    r = http.post("/chat/completions", json=body)
    jsonschema.validate(json.loads(r.json()["choices"][0]["message"]["content"]), schema)


def test_the_models_list_has_groups_with_the_demo_models(http):
    groups = http.get("/models").json()["model_groups"]
    names = {o["value"] for g in groups for o in g["options"]}
    assert {"claude-sonnet-4-5", "gpt-4.1", "gemini-2.5-flash", "gpt-image-1"} <= names


def test_a_chat_request_without_messages_is_a_400_envelope(http):
    r = http.post("/chat/completions", json={"model": "gpt-4.1"})
    assert r.status_code == 400 and r.json()["error"]["code"]


def test_the_router_sends_an_image_task_to_an_image_model(http):
    r = http.post("/models/route", json={"input": "Draw a picture of a lighthouse"})
    route = r.json()["route"]
    from gumloop_nb.emulator.llm import MODELS

    assert MODELS[route["model"]].kind == "image"
    short = http.post("/models/route", json={"input": "2+2?"}).json()["route"]
    assert MODELS[short["model"]].kind == "text"


def test_the_router_needs_an_input(http):
    assert http.post("/models/route", json={}).status_code == 400
