"""``build()`` follows the request-merging convention of §10.4."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gumloop_nb.spec import ChatRequest
from gumloop_nb.types import (
    AgentCreateRequest,
    AgentUpdateRequest,
    BrainSearchRequest,
    McpToolCallRequest,
    SessionContinueRequest,
    SessionCreateRequest,
    UnknownFieldWarning,
    VoiceSessionCreateRequest,
)


def test_kwargs_overlay_a_mapping_request():
    body = AgentCreateRequest.build({"name": "Draft", "model_name": "old"}, model_name="auto")
    assert body == {"name": "Draft", "model_name": "auto"}


def test_unknown_keyword_fields_are_sent_too():
    with pytest.warns(UnknownFieldWarning, match="some_future_field"):
        body = AgentCreateRequest.build(name="A", model_name="m", some_future_field=1)
    assert body == {"name": "A", "model_name": "m", "some_future_field": 1}


def test_none_kwargs_are_dropped_and_do_not_clear_the_request_value():
    body = AgentUpdateRequest.build({"description": "keep me"}, description=None, name=None)
    assert body == {"description": "keep me"}


def test_an_explicit_null_in_the_mapping_is_sent():
    assert AgentUpdateRequest.build({"description": None}) == {"description": None}


def test_declared_defaults_are_not_sent_unless_set():
    body = AgentCreateRequest.build(name="A")
    assert body == {"name": "A"}  # no is_active/tools/resources/incognito defaults
    assert SessionCreateRequest.build(input="Hi") == {"input": "Hi"}


def test_an_explicit_false_default_is_sent():
    assert SessionCreateRequest.build(input="Hi", stream=False) == {"input": "Hi", "stream": False}


def test_a_model_request_contributes_only_its_set_fields():
    request = SessionContinueRequest(input="hello")
    assert SessionContinueRequest.build(request, delivery="queued") == {
        "input": "hello",
        "delivery": "queued",
    }


def test_a_model_request_keeps_its_extras():
    request = AgentCreateRequest(name="A", labels=["x"])
    assert AgentCreateRequest.build(request) == {"name": "A", "labels": ["x"]}


def test_nested_models_dump_as_json_ready_dicts_without_unset_defaults():
    body = AgentCreateRequest.build(
        name="A", tools=[{"type": "gumcp_server", "server_id": "gmail"}], metadata={"max_steps": 5}
    )
    assert body["tools"] == [{"type": "gumcp_server", "server_id": "gmail"}]
    assert body["metadata"] == {"max_steps": 5}


def test_build_validates_required_fields():
    with pytest.raises(ValidationError):
        AgentCreateRequest.build(model_name="m")


def test_build_rejects_a_request_of_the_wrong_kind_with_a_sentence():
    with pytest.raises(TypeError, match="mapping"):
        AgentCreateRequest.build(["name", "A"])


def test_brain_search_rejects_an_empty_source_type_list():
    with pytest.raises(ValidationError):
        BrainSearchRequest.build(query="q", source_type=[])
    assert BrainSearchRequest.build(query="q", source_type=["notion"]) == {
        "query": "q",
        "source_type": ["notion"],
    }


def test_mcp_tool_call_arguments_default_to_an_empty_object():
    call = McpToolCallRequest(server_id="gmail", tool_name="read_emails")
    assert call.arguments == {}
    assert "ref" not in McpToolCallRequest.build(server_id="gmail", tool_name="read_emails")


def test_voice_request_serialises_wire_names():
    body = VoiceSessionCreateRequest.build(session_id="ses_1", offer_sdp="v=0", incognito=False)
    assert body == {"interaction_id": "ses_1", "offer_sdp": "v=0", "is_incognito": False}
    again = VoiceSessionCreateRequest.model_validate(body)
    assert (again.session_id, again.incognito) == ("ses_1", False)


def test_voice_request_refuses_an_oversized_offer():
    with pytest.raises(ValidationError, match="1 MiB"):
        VoiceSessionCreateRequest(session_id="s", offer_sdp="x" * (1024 * 1024 + 1))


def test_chat_build_drops_unknown_keys_and_none_kwargs():
    with pytest.warns(UnknownFieldWarning, match="not_a_field"):
        body = ChatRequest.build(
            {"messages": [{"role": "user", "content": "Hi"}], "not_a_field": 1},
            model="demo-echo",
            temperature=None,
        )
    assert body == {"messages": [{"role": "user", "content": "Hi"}], "model": "demo-echo"}


def test_chat_build_requires_messages():
    with pytest.raises(ValidationError):
        ChatRequest.build(model="demo-echo")
