"""Convenience properties (MCP content decoding, resource text), chat request wire shape,
dict-style access for 0.4.7 code, and secret masking in reprs."""

from __future__ import annotations

import pytest

from gumloop_nb.spec import (
    ChatFormatJSONSchemaConfig,
    ChatFunctionTool,
    ChatJSONSchemaConfig,
    ChatMessages,
    ChatRequest,
    FormatJSONObjectConfig,
    WebSearchPlugin,
)
from gumloop_nb.types import (
    Agent,
    AgentTool,
    EvaluationResult,
    McpExecuteResponse,
    McpResourceReadResponse,
    McpToolCallResult,
    TriggerCredentialSelector,
)


def _result(content):
    return McpToolCallResult(ref="0", status="success", content=content)


# --- MCP content ------------------------------------------------------------------------------


def test_decoded_content_decodes_json_strings_and_keeps_plain_text():
    assert _result(['{"a": 1}', "plain text", "[1]"]).decoded_content == [
        {"a": 1},
        "plain text",
        [1],
    ]


def test_decoded_content_passes_content_objects_through_unchanged():
    item = {"type": "text", "text": '{"a": 1}'}
    assert _result([item]).decoded_content == [item]


def test_decoded_content_is_none_without_content():
    assert _result(None).decoded_content is None


def test_data_decodes_text_content_objects_and_unwraps_a_single_item():
    assert _result([{"type": "text", "text": '{"n": 3}'}]).data == {"n": 3}
    assert _result([{"type": "text", "text": "hello"}]).data == "hello"


def test_data_returns_a_list_for_several_items_and_leaves_other_objects_alone():
    image = {"type": "image", "data": "AA==", "mimeType": "image/png"}
    assert _result(['{"a": 1}', image]).data == [{"a": 1}, image]
    assert _result([]).data == []
    assert _result(None).data is None


def test_ok_is_true_only_for_success():
    assert _result([]).ok
    assert not McpToolCallResult(ref="0", status="error").ok


def test_model_dump_decoded_content_replaces_each_results_content():
    resp = McpExecuteResponse(
        results=[
            _result(['{"a": 1}', {"type": "text", "text": "{}"}]),
            McpToolCallResult(ref="1", status="error", content=None, error={"code": "x"}),
        ],
        request_id="r1",
    )
    dumped = resp.model_dump_decoded_content()
    assert dumped["results"][0]["content"] == [{"a": 1}, {"type": "text", "text": "{}"}]
    assert dumped["results"][1]["content"] is None
    assert dumped["results"][1]["error"] == {"code": "x"}
    assert dumped["request_id"] == "r1"
    assert resp.results[0].content == ['{"a": 1}', {"type": "text", "text": "{}"}]  # untouched


def test_resource_text_joins_non_empty_texts():
    resp = McpResourceReadResponse(
        contents=[{"text": "a"}, {"text": ""}, {"blob": "AA=="}, {"text": "b"}]
    )
    assert resp.text == "a\nb"
    assert McpResourceReadResponse(contents=[{"blob": "AA=="}]).text is None
    assert McpResourceReadResponse().text is None


# --- chat request wire shape ------------------------------------------------------------------


def test_json_schema_is_sent_under_schema_not_schema_underscore():
    fmt = ChatFormatJSONSchemaConfig(
        json_schema=ChatJSONSchemaConfig(name="prime", strict=True, schema_={"type": "object"})
    )
    body = ChatRequest.build(messages=[{"role": "user", "content": "x"}], response_format=fmt)
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "prime", "strict": True, "schema": {"type": "object"}},
    }


def test_a_dict_response_format_parses_into_the_typed_config():
    request = ChatRequest.model_validate(
        {
            "messages": [],
            "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": {}}},
        }
    )
    assert isinstance(request.response_format, ChatFormatJSONSchemaConfig)
    assert request.response_format.json_schema.schema_ == {}


def test_unknown_response_format_and_tool_variants_pass_through_as_dicts():
    body = ChatRequest.build(
        messages=[],
        response_format={"type": "grammar", "grammar": "root ::= x"},
        tools=[{"type": "openrouter:datetime"}],
    )
    assert body["response_format"] == {"type": "grammar", "grammar": "root ::= x"}
    assert body["tools"] == [{"type": "openrouter:datetime"}]


def test_defaulted_discriminators_reach_the_wire():
    body = ChatRequest.build(
        messages=[ChatMessages(role="user", content="hi")],
        tools=[ChatFunctionTool(function={"name": "f"})],
        response_format=FormatJSONObjectConfig(),
        plugins=[WebSearchPlugin(max_results=2)],
    )
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["tools"] == [{"type": "function", "function": {"name": "f"}}]
    assert body["response_format"] == {"type": "json_object"}
    assert body["plugins"] == [{"id": "web", "max_results": 2}]


def test_chat_request_validates_in_the_official_model():
    official = pytest.importorskip("gumloop.spec")
    body = ChatRequest.build(
        model="claude-sonnet-4-5",
        messages=[{"role": "user", "content": "Name a prime above 40"}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "prime", "strict": True, "schema": {"type": "object"}},
        },
    )
    theirs = official.ChatRequest.model_validate(body)
    assert theirs.response_format.json_schema.schema_ == {"type": "object"}


# --- dict-style access ------------------------------------------------------------------------


def test_fields_and_extras_can_be_indexed_like_a_dict():
    tool = AgentTool(server_id="gmail", custom="x")
    assert tool["server_id"] == "gmail"
    assert tool["custom"] == "x"
    with pytest.raises(KeyError):
        tool["nope"]


def test_get_returns_the_default_only_for_unknown_keys():
    tool = AgentTool(server_id="gmail")
    assert tool.get("server_id") == "gmail"
    assert tool.get("nope", 7) == 7
    assert tool.get("approval_mode", "dflt") is None  # declared field: its value, like the wire


def test_in_is_true_for_given_or_non_null_fields_and_extras():
    tool = AgentTool(server_id="gmail", custom=None)
    assert "server_id" in tool
    assert "custom" in tool
    assert "secret_id" not in tool  # never sent by the server
    assert "nope" not in tool
    assert 3 not in tool


def test_wire_aliases_work_as_keys():
    result = EvaluationResult.model_validate(
        {"evaluation_id": "e", "interaction_id": "s", "agent_id": "a"}
    )
    assert result["interaction_id"] == "s"
    assert result["session_id"] == "s"
    assert "interaction_id" in result


def test_nested_typed_values_support_047_style_chains():
    agent = Agent(id="a", name="n", tools=[{"server_id": "s"}], metadata={"icon_url": "u", "x": 1})
    assert agent["tools"][0]["server_id"] == "s"
    assert agent["metadata"].get("icon_url") == "u"
    assert agent.metadata["x"] == 1


def test_models_are_not_mappings():
    from collections.abc import Mapping

    tool = AgentTool(server_id="gmail")
    assert not isinstance(tool, Mapping)
    assert ("server_id", "gmail") in list(tool)  # pydantic's own iteration


# --- secrets in reprs -------------------------------------------------------------------------


def test_secret_fields_are_masked_in_repr():
    text = repr(AgentTool(server_id="gmail", secret_id="sec_123456"))
    assert "sec_123456" not in text
    assert "secret_id='***'" in text
    assert "gmail" in text
    assert "sec_987" not in repr(TriggerCredentialSelector(secret_id="sec_987"))


def test_secret_extras_and_nested_dict_values_are_masked_in_repr():
    tool = AgentTool(
        server_id="s",
        api_key="key_abc",
        metadata={"access_token": "tok_xyz", "refresh_token": "ref_1", "label": "ok"},
        password="hunter2",
    )
    text = repr(tool)
    for secret in ("key_abc", "tok_xyz", "ref_1", "hunter2"):
        assert secret not in text
    assert "'label': 'ok'" in text
    assert tool.metadata == {"access_token": "tok_xyz", "refresh_token": "ref_1", "label": "ok"}


def test_nested_models_mask_their_own_secrets():
    agent = Agent(id="a", name="n", tools=[{"secret_id": "sec_nested"}])
    assert "sec_nested" not in repr(agent)
    assert "sec_nested" not in str(agent)


def test_token_counts_are_not_mistaken_for_secrets():
    from gumloop_nb.types import SessionUsage

    assert "input_tokens=12" in repr(SessionUsage(input_tokens=12))


def test_chat_models_mask_secret_named_options_in_repr():
    from gumloop_nb.spec import ProviderPreferences

    prefs = ProviderPreferences(order=["openai"], api_key="sk-live-123")
    assert "sk-live-123" not in repr(prefs)
    assert "openai" in repr(prefs)
