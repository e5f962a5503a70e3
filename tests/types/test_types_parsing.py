"""Contract example payloads parse, keep extras (chat models ignore them) and round-trip."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from gumloop_nb.spec import ChatResult, ChatStreamChunk
from gumloop_nb.types import (
    AgentMcpServerResponse,
    AgentResponse,
    AgentVersionChanges,
    AgentVersionTextFieldChange,
    EvaluationResult,
    McpExecuteResponse,
    SessionResponse,
)

AGENT = {
    "agent": {
        "id": "agt_demo1",
        "name": "Research helper",
        "team_id": "team_demo",
        "is_active": True,
        "tools": [],
        "resources": [],
        "metadata": {},
        "model_name": "claude-sonnet-4-5",
        "system_prompt": "Be brief.",
        "folder_id": None,
        "type": None,
        "created_at": "2026-01-05T10:00:00Z",
        "active_trigger_count": None,
        "creator": {
            "id": "usr_demo",
            "first_name": "Ada",
            "last_name": "L",
            "email": "ada@example.com",
            "profile_picture": None,
        },
    }
}

SESSION = {
    "session": {
        "id": "ses_demo1",
        "agent_id": "agt_demo1",
        "name": None,
        "type": "api",
        "state": "processing",
        "created_at": "2026-01-05T10:01:00Z",
        "messages": [
            {
                "id": "msg_1",
                "role": "user",
                "content": "Summarise the memo",
                "created_at": "2026-01-05T10:01:00Z",
                "creator_id": "usr_demo",
                "parts": None,
            }
        ],
        "agent_name": "Research helper",
        "agent_tools": [],
        "participants": {},
    },
    "queue_position": None,
}

CHUNK_1 = (
    '{"id":"gen-1","object":"chat.completion.chunk","created":1760000000,"model":"demo-echo",'
    '"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}'
)
CHUNK_2 = (
    '{"id":"gen-1","object":"chat.completion.chunk","created":1760000000,"model":"demo-echo",'
    '"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,'
    '"completion_tokens":1,"total_tokens":5,"cost":0.00002,"is_byok":false}}'
)

UNARY = {
    "id": "gen-2",
    "object": "chat.completion",
    "created": 1760000000,
    "model": "demo-echo",
    "system_fingerprint": None,
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"q": "x"}'},
                    }
                ],
                "images": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5, "cost": 0.5},
    "provider": "made-up-extra",
}


def test_agent_example_parses_with_typed_creator_and_metadata():
    agent = AgentResponse.model_validate(AGENT).agent
    assert agent.id == "agt_demo1"
    assert agent.creator is not None and agent.creator.first_name == "Ada"
    assert agent.metadata.icon_url is None
    assert agent.incognito.enforced is False


def test_agent_round_trips_and_keeps_unknown_fields():
    payload = json.loads(json.dumps(AGENT))
    payload["agent"]["future_flag"] = {"on": True}
    parsed = AgentResponse.model_validate(payload)
    assert parsed.agent.model_extra == {"future_flag": {"on": True}}
    again = AgentResponse.model_validate(parsed.model_dump(mode="json"))
    assert again == parsed
    assert parsed.model_dump(mode="json", exclude_unset=True) == payload


def test_agent_requires_id_and_name():
    with pytest.raises(ValidationError):
        AgentResponse.model_validate({"agent": {"id": "a"}})


def test_mcp_server_entry_is_typed_but_indexable_like_047_dicts():
    resp = AgentMcpServerResponse.model_validate(
        {
            "agent_id": "a",
            "mcp_server": {"type": "gumcp_server", "server_id": "gmail"},
            "created": True,
        }
    )
    assert resp.mcp_server is not None
    assert resp.mcp_server.server_id == "gmail"
    assert resp.mcp_server["server_id"] == "gmail"


def test_session_example_parses_and_round_trips():
    parsed = SessionResponse.model_validate(SESSION)
    assert parsed.session.state == "processing"
    assert parsed.session.messages[0].content == "Summarise the memo"
    assert parsed.model_dump(mode="json", exclude_unset=True) == SESSION


def test_chat_stream_chunks_parse_with_usage_cost():
    first = ChatStreamChunk.model_validate_json(CHUNK_1)
    last = ChatStreamChunk.model_validate_json(CHUNK_2)
    assert first.choices[0].delta.content == "Hi"
    assert first.choices[0].finish_reason is None
    assert last.choices[0].finish_reason == "stop"
    assert last.usage is not None and last.usage.cost == pytest.approx(0.00002)
    assert last.usage.is_byok is False


def test_chat_chunk_requires_the_finish_reason_key():
    broken = json.loads(CHUNK_1)
    del broken["choices"][0]["finish_reason"]
    with pytest.raises(ValidationError):
        ChatStreamChunk.model_validate(broken)


def test_chat_chunk_error_code_must_be_an_integer():
    chunk = json.loads(CHUNK_1)
    chunk["error"] = {"code": 402, "message": "budget exceeded"}
    assert ChatStreamChunk.model_validate(chunk).error.code == 402  # type: ignore[union-attr]
    chunk["error"] = {"code": "budget", "message": "budget exceeded"}
    with pytest.raises(ValidationError):
        ChatStreamChunk.model_validate(chunk)


def test_chat_unary_result_keeps_cost_and_ignores_extras():
    result = ChatResult.model_validate(UNARY)
    message = result.choices[0].message
    assert message.tool_calls is not None and message.tool_calls[0].function.name == "lookup"
    assert message.images is not None
    assert message.images[0].image_url.url.startswith("data:image/png")
    assert result.usage is not None and result.usage.cost == 0.5
    assert not hasattr(result, "provider")
    assert "provider" not in result.model_dump()


def test_chat_unary_result_requires_the_system_fingerprint_key():
    broken = dict(UNARY)
    del broken["system_fingerprint"]
    with pytest.raises(ValidationError):
        ChatResult.model_validate(broken)


def test_chat_result_built_in_code_dumps_its_object_kind():
    result = ChatResult(id="g", created=1, model="m", system_fingerprint=None, choices=[])
    wire = result.model_dump(mode="json", exclude_unset=True)
    assert wire["object"] == "chat.completion"
    assert wire["system_fingerprint"] is None


def test_mcp_results_parse_with_error_objects():
    resp = McpExecuteResponse.model_validate(
        {
            "results": [
                {
                    "ref": "0",
                    "server_id": "gmail",
                    "tool_name": "read",
                    "status": "success",
                    "content": [{"type": "text", "text": "[1, 2]"}],
                    "error": None,
                },
                {
                    "ref": "1",
                    "server_id": "gmail",
                    "tool_name": "send",
                    "status": "unauthenticated",
                    "content": None,
                    "error": {"code": "auth_required", "message": "Connect Gmail"},
                },
            ]
        }
    )
    assert [r.ok for r in resp.results] == [True, False]
    assert resp.results[1].error == {"code": "auth_required", "message": "Connect Gmail"}


def test_evaluation_result_accepts_interaction_id_and_evaluation_id_only():
    result = EvaluationResult.model_validate(
        {"evaluation_id": "ev_1", "interaction_id": "ses_1", "agent_id": "a", "status": "completed"}
    )
    assert (result.id, result.session_id) == ("ev_1", "ses_1")
    newer = EvaluationResult.model_validate({"id": "ev_2", "session_id": "ses_2", "agent_id": "a"})
    assert (newer.id, newer.evaluation_id) == ("ev_2", "ev_2")


def test_version_changes_keep_text_diffs_typed():
    changes = AgentVersionChanges.model_validate(
        {
            "base_version_id": "v1",
            "attachment_changes_complete": True,
            "field_changes": [
                {"field": "name", "status": "changed", "old_value": "a", "new_value": "b"},
                {
                    "field": "system_prompt",
                    "status": "changed",
                    "text_hunks": [
                        {
                            "old_start": 1,
                            "old_end": 1,
                            "new_start": 1,
                            "new_end": 2,
                            "old_text": "x",
                            "new_text": "y",
                        }
                    ],
                },
            ],
        }
    )
    assert not isinstance(changes.field_changes[0], AgentVersionTextFieldChange)
    assert isinstance(changes.field_changes[1], AgentVersionTextFieldChange)


def test_our_dumps_validate_in_the_official_models():
    official = pytest.importorskip("gumloop.types")
    official_spec = pytest.importorskip("gumloop.spec")
    ours = AgentResponse.model_validate(AGENT).model_dump(mode="json")
    assert official.AgentResponse.model_validate(ours).agent.name == "Research helper"
    ours = SessionResponse.model_validate(SESSION).model_dump(mode="json")
    assert official.SessionResponse.model_validate(ours).session.id == "ses_demo1"
    chunk = ChatStreamChunk.model_validate_json(CHUNK_2).model_dump(mode="json", exclude_unset=True)
    theirs = official_spec.ChatStreamChunk.model_validate(chunk)
    assert theirs.usage.cost == pytest.approx(0.00002)
    result = ChatResult.model_validate(UNARY).model_dump(mode="json", exclude_unset=True)
    assert official_spec.ChatResult.model_validate(result).choices[0].finish_reason == "tool_calls"


def test_chat_message_built_in_code_dumps_role_and_tool_call_type():
    from gumloop_nb.spec import ChatMessage, ChatToolCall

    message = ChatMessage(
        content=None, tool_calls=[ChatToolCall(id="c1", function={"name": "f", "arguments": "{}"})]
    )
    wire = message.model_dump(mode="json", exclude_unset=True)
    assert wire["role"] == "assistant"
    assert wire["tool_calls"][0]["type"] == "function"


FIDELITY_CASES = [
    (
        "McpExecuteResponse",
        {
            "results": [
                {
                    "ref": "0",
                    "server_id": "g",
                    "tool_name": "t",
                    "status": "success",
                    "content": ['{"a": 1}'],
                    "error": None,
                }
            ]
        },
    ),
    (
        "SkillListResponse",
        {
            "skills": [
                {
                    "id": "sk_1",
                    "name": "n",
                    "description": "d",
                    "team_id": "t",
                    "metadata": {"related_server_ids": ["apollo"]},
                }
            ],
            "next_cursor": None,
        },
    ),
    ("ArtifactDownloadResponse", {"download_url": "http://127.0.0.1/x", "filename": "a.csv"}),
    (
        "EvaluationResultResponse",
        {
            "evaluation": {
                "evaluation_id": "e",
                "interaction_id": "s",
                "agent_id": "a",
                "status": "failed",
                "grade": None,
            }
        },
    ),
    (
        "AgentMcpServersResponse",
        {
            "agent_id": "a",
            "mcp_servers": [{"type": "gumcp_server", "server_id": "gmail", "approval_mode": "off"}],
        },
    ),
    (
        "McpResourceReadResponse",
        {"server_id": "s", "uri": "file://x", "contents": [{"uri": "file://x", "text": "hi"}]},
    ),
    ("SessionMessageReceipt", {"message_id": "m1", "status": "accepted"}),
    (
        "WikiQueryResponse",
        {
            "cards": [
                {
                    "type": "person",
                    "name": "Ada",
                    "facts": [
                        {"id": "f", "kind": "k", "text": "t", "origin": "o", "pinned": False}
                    ],
                }
            ]
        },
    ),
]


@pytest.mark.parametrize(("name", "payload"), FIDELITY_CASES, ids=[c[0] for c in FIDELITY_CASES])
def test_our_parse_and_dump_match_the_official_model(name, payload):
    official = pytest.importorskip("gumloop.types")
    import gumloop_nb.types as ours_module

    ours = getattr(ours_module, name).model_validate(payload)
    theirs = getattr(official, name).model_validate(payload)
    assert ours.model_dump(mode="json") == theirs.model_dump(mode="json")
    assert getattr(official, name).model_validate(ours.model_dump(mode="json")) == theirs
