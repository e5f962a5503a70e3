from __future__ import annotations

import json

import jsonschema
import pytest

from gumloop_nb.emulator import mcp_demo
from gumloop_nb.emulator.llm import plan_completion

from ._support import chat

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}
SEARCH = {
    "type": "function",
    "function": {
        "name": "search_web",
        "description": "Search the web for pages",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 1},
                "max_results": {"type": "integer", "minimum": 1, "maximum": 10},
            },
            "required": ["query", "max_results"],
        },
    },
}
EMAIL = {
    "type": "function",
    "function": {
        "name": "send_email",
        "description": "Send an email message",
        "parameters": {
            "type": "object",
            "properties": {
                "to": {
                    "type": "array",
                    "items": {"type": "string", "format": "email"},
                    "minItems": 1,
                },
                "subject": {"type": "string"},
                "body": {"type": "string"},
            },
            "required": ["to", "subject", "body"],
        },
    },
}
TOOLS = [SEARCH, EMAIL, WEATHER]


def _calls(plan):
    message = plan.unary()["choices"][0]["message"]
    return message, message.get("tool_calls") or []


def _schema_of(name):
    return next(t["function"]["parameters"] for t in TOOLS if t["function"]["name"] == name)


def test_the_first_turn_calls_the_best_matching_tool_with_valid_arguments():
    plan = chat("What's the weather like in Lisbon today?", tools=TOOLS)
    message, calls = _calls(plan)
    assert plan.unary()["choices"][0]["finish_reason"] == "tool_calls"
    assert message["content"] is None and plan.text is None
    assert [c["function"]["name"] for c in calls] == ["get_weather"]
    args = json.loads(calls[0]["function"]["arguments"])
    jsonschema.validate(args, _schema_of("get_weather"))
    assert args["city"] == "Lisbon"
    assert calls[0]["id"].startswith("call_") and calls[0]["type"] == "function"


def test_query_parameters_get_the_relevant_words_of_the_prompt():
    _, calls = _calls(chat("Search the web for the best pizza in Naples", tools=TOOLS))
    args = json.loads(calls[0]["function"]["arguments"])
    assert calls[0]["function"]["name"] == "search_web"
    jsonschema.validate(args, _schema_of("search_web"))
    assert "pizza in Naples" in args["query"]


def test_tool_choice_names_the_tool_to_call():
    plan = chat(
        "What's the weather in Oslo?",
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "send_email"}},
    )
    _, calls = _calls(plan)
    assert [c["function"]["name"] for c in calls] == ["send_email"]
    jsonschema.validate(
        json.loads(calls[0]["function"]["arguments"]),
        _schema_of("send_email"),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def test_tool_choice_none_answers_in_text():
    plan = chat("What's the weather in Oslo?", tools=TOOLS, tool_choice="none")
    _, calls = _calls(plan)
    assert calls == [] and plan.text


def test_parallel_tool_calls_may_call_several_matching_tools():
    plan = chat(
        "Search the web for the weather in Rome and email me the results",
        tools=TOOLS,
        parallel_tool_calls=True,
    )
    _, calls = _calls(plan)
    names = [c["function"]["name"] for c in calls]
    assert len(names) >= 2 and len(set(names)) == len(names)
    assert len({c["id"] for c in calls}) == len(calls)
    for call in calls:
        jsonschema.validate(
            json.loads(call["function"]["arguments"]), _schema_of(call["function"]["name"])
        )


def test_the_second_turn_answers_with_the_tool_result():
    first = chat("What's the weather in Lisbon?", tools=[WEATHER])
    call = first.tool_calls[0]
    result = json.dumps({"city": "Lisbon", "temperature": 23, "conditions": "breezy"})
    second = plan_completion(
        {
            "model": "claude-sonnet-4-5",
            "tools": [WEATHER],
            "messages": [
                {"role": "user", "content": "What's the weather in Lisbon?"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": call["id"], "content": result},
            ],
        }
    )
    assert second.tool_calls is None
    assert second.unary()["choices"][0]["finish_reason"] == "stop"
    assert "23" in second.text and "breezy" in second.text and "get_weather" in second.text


def test_a_tool_message_needs_a_tool_call_id():
    from gumloop_nb.emulator.llm import EmulatorError

    with pytest.raises(EmulatorError) as info:
        plan_completion(
            {
                "model": "gpt-4.1",
                "messages": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "x"}],
            }
        )
    assert info.value.status == 400 and "tool_call_id" in info.value.message


def test_mcp_demo_tools_can_be_offered_to_a_model_and_called_for_real():
    tools = [
        {
            "type": "function",
            "function": {
                "name": t["name"],
                "description": t["description"],
                "parameters": t["input_schema"],
            },
        }
        for t in mcp_demo.list_tools("datasets")
    ]
    plan = chat("Run a SQL query listing the planets with their moons", tools=tools)
    call = plan.tool_calls[0]
    assert call["function"]["name"] == "query"
    result = mcp_demo.call_tool("datasets", "query", json.loads(call["function"]["arguments"]))
    assert result["status"] == "success", result["error"]
    assert "Jupiter" in result["content"][0]["text"]


def test_a_failed_tool_result_is_reported_as_a_failure_with_its_message():
    from gumloop_nb.emulator import mcp_demo as demo

    failure = demo.call_tool("gmail", "read_emails", {})["error"]
    second = plan_completion(
        {
            "model": "gpt-4.1",
            "messages": [
                {"role": "user", "content": "Summarise my unread emails"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "gmail__read_emails", "arguments": "{}"},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(failure)},
            ],
        }
    )
    assert "`read_emails` failed" in second.text
    assert failure["message"] in second.text


def test_repeat_exactly_wins_over_optional_tools_but_not_a_forced_tool():
    plan = chat("Repeat exactly: <i>hi</i>", tools=TOOLS)
    assert plan.text == "<i>hi</i>" and plan.tool_calls is None
    forced = chat("Repeat exactly: <i>hi</i>", tools=TOOLS, tool_choice="required")
    assert forced.tool_calls
