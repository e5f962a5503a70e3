"""to_dataframe on hand-built responses: every dispatch case, typed and as plain dicts."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pandas as pd
import pytest

from gumloop_nb import types as t
from gumloop_nb.frames import FrameError, FrameWarning, to_dataframe

META = ["ref", "server_id", "tool_name", "status", "error"]


def text(value: Any) -> dict[str, Any]:
    return {"type": "text", "text": value if isinstance(value, str) else json.dumps(value)}


def result(
    content: Any,
    *,
    ref: str = "q",
    status: str = "success",
    error: Any = None,
    server_id: str = "db",
    tool_name: str = "query",
) -> dict[str, Any]:
    return {
        "ref": ref,
        "server_id": server_id,
        "tool_name": tool_name,
        "status": status,
        "content": content,
        "error": error,
    }


ROWS = [{"id": 1, "name": "H", "props": {"mass": 1.008}}, {"id": 2, "name": "He"}]


# --- MCP ------------------------------------------------------------------------------------


def test_mcp_list_of_records_gives_one_row_each_with_meta_columns_first() -> None:
    df = to_dataframe({"results": [result([text(ROWS)])]})
    assert df.columns.tolist() == [*META, "id", "name", "props.mass"]
    assert df["name"].tolist() == ["H", "He"]
    assert df["ref"].tolist() == ["q", "q"]
    assert df["props.mass"].tolist()[0] == 1.008 and pd.isna(df["props.mass"][1])


def test_typed_and_plain_mcp_responses_give_the_same_frame() -> None:
    raw = {
        "results": [
            result([text({"rows": ROWS, "row_count": 2})], ref="a"),
            result(
                None,
                ref="b",
                status="error",
                error={"code": "tool_execution_failed", "message": "bad SQL"},
            ),
        ]
    }
    typed = t.McpExecuteResponse.model_validate(raw)
    pd.testing.assert_frame_equal(to_dataframe(typed), to_dataframe(raw))
    pd.testing.assert_frame_equal(to_dataframe(json.dumps(raw)), to_dataframe(raw))


def test_official_sdk_mcp_responses_are_accepted_too() -> None:
    gtypes = pytest.importorskip("gumloop.types")
    raw = {"results": [result([text(ROWS)])]}
    official = gtypes.McpExecuteResponse.model_validate(raw)
    pd.testing.assert_frame_equal(to_dataframe(official), to_dataframe(raw))


def test_a_record_holding_one_list_gives_its_rows_with_the_other_scalars_repeated() -> None:
    payload = {"emails": [{"subject": "a"}, {"subject": "b"}], "next_page": "p2", "labels": ["x"]}
    df = to_dataframe({"results": [result([text(payload)], tool_name="read_emails")]})
    assert df.columns.tolist() == [*META, "subject", "next_page"]
    assert df["next_page"].tolist() == ["p2", "p2"]
    assert df.attrs["context"] == {"q": {"labels": ["x"]}}


def test_string_content_items_from_the_direct_transport_are_decoded() -> None:
    df = to_dataframe({"results": [result([json.dumps(ROWS)])]})
    assert df["id"].tolist() == [1, 2]


def test_a_scalar_or_plain_text_gives_one_row_with_a_content_column() -> None:
    df = to_dataframe(
        {"results": [result([text("All good")], ref="t"), result([text("42")], ref="n")]}
    )
    assert df["content"].tolist() == ["All good", 42]
    assert df["ref"].tolist() == ["t", "n"]


def test_failed_results_are_rows_carrying_their_error_never_dropped() -> None:
    raw = {
        "results": [
            result([text(ROWS)], ref="ok"),
            result(
                None,
                ref="mail",
                status="unauthenticated",
                server_id="gmail",
                tool_name="read_emails",
                error={"code": "auth_required", "message": "Connect Gmail first."},
            ),
        ]
    }
    df = to_dataframe(raw)
    assert len(df) == 3
    failed = df[df["ref"] == "mail"].iloc[0]
    assert failed["status"] == "unauthenticated"
    assert failed["error"] == "Connect Gmail first."
    assert pd.isna(failed["id"])
    assert df["error"].isna().tolist() == [True, True, False]


def test_without_meta_only_the_error_column_survives_and_only_when_something_failed() -> None:
    ok = {"results": [result([text(ROWS)])]}
    assert to_dataframe(ok, meta=False).columns.tolist() == ["id", "name", "props.mass"]
    bad = {
        "results": [
            result([text(ROWS)]),
            result(None, ref="x", status="error", error={"message": "boom"}),
        ]
    }
    df = to_dataframe(bad, meta=False)
    assert df.columns.tolist() == ["error", "id", "name", "props.mass"]
    assert df["error"].tolist()[-1] == "boom"


def test_an_error_without_a_message_keeps_its_json() -> None:
    df = to_dataframe({"results": [result(None, status="error", error={"code": "x"})]})
    assert json.loads(df["error"][0]) == {"code": "x"}


def test_malformed_json_content_falls_back_to_the_raw_text_with_a_warning() -> None:
    broken = '{"rows": [{"id": 1}, {"id": 2'
    with pytest.warns(FrameWarning, match="does not parse"):
        df = to_dataframe({"results": [result([text(broken)])]})
    assert df["content"].tolist() == [broken]


def test_ragged_records_in_content_keep_every_row_and_field() -> None:
    ragged = [{"a": 1}, {"b": "x"}, "stray", {"a": 3, "c": {"d": True}}]
    df = to_dataframe({"results": [result([text(ragged)])]}, meta=False)
    assert df.columns.tolist() == ["a", "b", "content", "c.d"]
    assert len(df) == 4
    assert df["a"].tolist() == [1, pd.NA, pd.NA, 3]
    assert df["content"].tolist()[2] == "stray"


def test_a_data_column_named_like_a_meta_column_is_renamed_not_lost() -> None:
    with pytest.warns(FrameWarning, match="status_2"):
        df = to_dataframe({"results": [result([text([{"status": "open"}])])]})
    assert df["status"][0] == "success"
    assert df["status_2"][0] == "open"


def test_an_empty_result_keeps_the_columns_the_server_announced() -> None:
    payload = {"columns": ["id", "name"], "rows": [], "row_count": 0}
    df = to_dataframe({"results": [result([text(payload)])]}, meta=False)
    assert len(df) == 0
    assert df.columns.tolist() == ["id", "name", "row_count"]


def test_an_integer_column_present_in_only_one_result_stays_integer() -> None:
    raw = {
        "results": [
            result([text([{"n": 1}, {"n": 2}])], ref="a"),
            result([text([{"m": "x"}])], ref="b"),
        ]
    }
    df = to_dataframe(raw)
    assert str(df["n"].dtype) == "Int64"
    assert df["n"].tolist() == [1, 2, pd.NA]


def test_a_single_result_and_a_list_of_results_are_tabulated_like_a_response() -> None:
    r1 = t.McpToolCallResult.model_validate(result([text(ROWS)]))
    single = to_dataframe(r1)
    assert single["name"].tolist() == ["H", "He"]
    both = to_dataframe([r1, result([text("hi")], ref="z")])
    assert both["ref"].tolist() == ["q", "q", "z"]


def test_several_content_items_give_their_rows_one_after_the_other() -> None:
    content = [text([{"a": 1}, {"a": 2}]), text([{"a": 3}]), text({"a": 4}), text("note")]
    df = to_dataframe({"results": [result(content)]}, meta=False)
    assert df["a"].tolist() == [1, 2, 3, 4, pd.NA]
    assert df["content"].tolist()[-1] == "note"


def test_non_text_content_objects_pass_through_as_rows() -> None:
    image = {"type": "image", "data": "AAAA", "mimeType": "image/png"}
    df = to_dataframe({"results": [result([image])]}, meta=False)
    assert df.columns.tolist() == ["type", "data", "mimeType"]


# --- flow outputs -----------------------------------------------------------------------------


def test_flow_outputs_of_scalars_give_one_row() -> None:
    df = to_dataframe({"summary": "ok", "n": 3, "stats": {"mean": 1.5}})
    assert df.columns.tolist() == ["summary", "n", "stats.mean"]
    assert df.iloc[0].tolist() == ["ok", 3, 1.5]


def test_flow_outputs_with_one_list_of_records_give_its_rows() -> None:
    df = to_dataframe({"records": [{"a": 1}, {"a": 2}], "source": "x"})
    assert df.columns.tolist() == ["a", "source"]
    assert df["source"].tolist() == ["x", "x"]


def test_flow_outputs_of_equal_length_lists_become_columns() -> None:
    df = to_dataframe({"x": [1, 2], "y": ["a", "b"]})
    assert df.to_dict("list") == {"x": [1, 2], "y": ["a", "b"]}


def test_other_flow_outputs_become_a_long_table() -> None:
    df = to_dataframe({"summary": "ok", "tags": ["a", "b"], "empty": []})
    assert df.columns.tolist() == ["output", "index", "value"]
    assert df["output"].tolist() == ["summary", "tags", "tags", "empty"]
    assert df["index"].tolist() == [pd.NA, 0, 1, pd.NA]
    assert df["value"].tolist() == ["ok", "a", "b", []]


def test_a_run_status_dict_is_tabulated_from_its_outputs() -> None:
    status = {
        "state": "DONE",
        "outputs": {"summary": "fine"},
        "log": ["a"],
        "created_ts": "2026-01-05T10:00:00Z",
    }
    df = to_dataframe(status)
    assert df.columns.tolist() == ["summary"]
    assert df.attrs["state"] == "DONE"


def test_empty_flow_outputs_give_an_empty_frame() -> None:
    assert to_dataframe({}).shape == (0, 0)


# --- listings ---------------------------------------------------------------------------------

CREATOR = {
    "id": "usr_demo",
    "first_name": "Ada",
    "last_name": "L",
    "email": "ada@example.com",
    "profile_picture": None,
}


def agent(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"agt_{i}",
        "name": f"A{i}",
        "is_active": True,
        "tools": [],
        "metadata": {},
        "created_at": f"2026-01-0{i}T10:00:00Z",
        "creator": CREATOR,
        **extra,
    }


def test_agent_listings_flatten_the_creator_and_parse_timestamps() -> None:
    raw = {"agents": [agent(1), agent(2, model_name="gpt-4.1")], "next_cursor": "c2"}
    for obj in (raw, t.AgentListResponse.model_validate(raw)):
        df = to_dataframe(obj)
        assert df["id"].tolist() == ["agt_1", "agt_2"]
        assert df["creator.email"].tolist() == ["ada@example.com"] * 2
        assert str(df["created_at"].dtype).startswith("datetime64")
        assert str(df["created_at"].dt.tz) == "UTC"
        assert df["created_at"][1] == pd.Timestamp("2026-01-02T10:00:00Z")
        assert df["tools"].tolist() == [[], []]
        assert df.attrs["next_cursor"] == "c2"
        assert "next_cursor" not in df.columns


def test_an_iterator_of_typed_items_is_a_listing() -> None:
    items = (t.Agent.model_validate(agent(i)) for i in (1, 2))
    df = to_dataframe(items)
    assert df["name"].tolist() == ["A1", "A2"]
    assert str(df["created_at"].dtype).startswith("datetime64")


def test_session_listings_flatten_usage() -> None:
    raw = {
        "sessions": [
            {
                "id": "s1",
                "agent_id": "a",
                "state": "completed",
                "usage": {"credit_cost": 2, "input_tokens": 10},
                "participants": {"usr_demo": {"first_name": "Ada"}},
            }
        ],
        "next_cursor": None,
    }
    df = to_dataframe(t.SessionListResponse.model_validate(raw))
    assert df["usage.input_tokens"].tolist() == [10]
    assert "participants" in df.columns  # keyed by user id: kept whole, not exploded


def test_a_session_gives_its_messages_one_row_each() -> None:
    session = {
        "id": "ses_1",
        "agent_id": "a",
        "messages": [
            {
                "id": "m1",
                "role": "user",
                "content": "hi",
                "created_at": "2026-01-05T10:01:00Z",
                "parts": None,
            },
            {
                "id": "m2",
                "role": "assistant",
                "content": "hello",
                "created_at": "2026-01-05T10:01:02Z",
                "parts": [{"type": "text", "text": "hello"}],
            },
        ],
    }
    for obj in (
        session,
        t.Session.model_validate(session),
        {"session": session, "queue_position": None},
    ):
        df = to_dataframe(obj)
        assert df["session_id"].tolist() == ["ses_1", "ses_1"]
        assert df["role"].tolist() == ["user", "assistant"]
        assert df["parts"][1] == [{"type": "text", "text": "hello"}]
        assert str(df["created_at"].dtype).startswith("datetime64")


def test_the_model_list_gives_one_row_per_model_with_its_group() -> None:
    raw = {
        "model_groups": [
            {
                "groupLabel": "Anthropic",
                "options": [{"value": "claude-sonnet-4-5", "label": "S", "status": "available"}],
            },
            {
                "groupLabel": "OpenAI",
                "options": [
                    {"value": "gpt-4.1", "label": "G"},
                    {"value": "gpt-image-1", "label": "I"},
                ],
            },
            {"groupLabel": "Empty", "options": []},
        ]
    }
    df = to_dataframe(t.ModelListResponse.model_validate(raw))
    assert df.columns.tolist()[:3] == ["group", "value", "label"]
    assert df["group"].tolist() == ["Anthropic", "OpenAI", "OpenAI", "Empty"]
    assert df["value"].tolist()[:3] == ["claude-sonnet-4-5", "gpt-4.1", "gpt-image-1"]


def test_mcp_tool_listings_keep_the_input_schema_whole() -> None:
    schema = {"type": "object", "properties": {"sql": {"type": "string"}}}
    raw = {
        "tools": [
            {
                "tool_call_id": "db__query",
                "server_id": "db",
                "name": "query",
                "input_schema": schema,
            }
        ],
        "server_id": "db",
        "status": "connected",
        "gumloop_auth_url": "https://x",
    }
    df = to_dataframe(t.McpToolsResponse.model_validate(raw))
    assert df["input_schema"][0] == schema
    assert df.attrs["status"] == "connected"


@pytest.mark.parametrize(
    ("model", "raw", "column", "expected"),
    [
        (
            t.SkillListResponse,
            {
                "skills": [{"id": "s", "name": "n", "description": "d", "team_id": "t"}],
                "next_cursor": None,
                "total_count": 1,
            },
            "name",
            ["n"],
        ),
        (
            t.ArtifactListResponse,
            {
                "artifacts": [
                    {
                        "id": "art",
                        "filename": "a.csv",
                        "metadata": {"media_type": "text/csv", "size": 3},
                    }
                ],
                "next_cursor": None,
            },
            "metadata.media_type",
            ["text/csv"],
        ),
        (
            t.TeamsResponse,
            {"teams": [{"id": "t1", "name": "Demo"}, {"id": "t2", "name": "R"}]},
            "name",
            ["Demo", "R"],
        ),
        (
            t.McpServersResponse,
            {
                "servers": [
                    {
                        "server_id": "gmail",
                        "name": "Gmail",
                        "type": "gumcp_server",
                        "status": "unauthenticated",
                        "gumloop_auth_url": "https://x",
                    }
                ]
            },
            "status",
            ["unauthenticated"],
        ),
        (
            t.BrainSearchResponse,
            {
                "results": [
                    {"document_id": "d", "title": "Onboarding", "score": 0.87, "metadata": {}}
                ]
            },
            "score",
            [0.87],
        ),
        (
            t.AgentVersionsResponse,
            {
                "versions": [
                    {
                        "id": "v1",
                        "agent_id": "a",
                        "name": "v1",
                        "major_version": 1,
                        "created_at": "2026-01-05T10:00:00Z",
                    }
                ],
                "next_cursor": None,
            },
            "major_version",
            [1],
        ),
    ],
)
def test_every_listing_gives_one_row_per_item(
    model: Any, raw: dict[str, Any], column: str, expected: list[Any]
) -> None:
    for obj in (raw, model.model_validate(raw)):
        df = to_dataframe(obj)
        assert df[column].tolist() == expected


def test_a_plain_dict_with_only_a_generic_list_is_read_as_flow_outputs() -> None:
    df = to_dataframe({"results": [{"a": {"b": {"c": 1}}, "created_at": "2026-01-05"}]})
    assert df.columns.tolist() == ["a.b.c", "created_at"]  # fully flattened, text kept as text
    assert df["created_at"].tolist() == ["2026-01-05"]


def test_a_typed_listing_gives_the_same_frame_as_its_json() -> None:
    raw = {"agents": [agent(1), agent(2, model_name="gpt-4.1")], "next_cursor": None}
    typed = to_dataframe(t.AgentListResponse.model_validate(raw))
    pd.testing.assert_frame_equal(typed, to_dataframe(raw))
    assert not any(c.startswith("metadata.") for c in typed.columns)  # no unsent defaults


def test_a_typed_result_is_recognised_even_with_sparse_fields() -> None:
    df = to_dataframe(t.McpToolCallResult(ref="r", status="error"))
    assert df.columns.tolist() == ["ref", "server_id", "tool_name", "status", "error"]
    assert df["status"].tolist() == ["error"]


def test_official_sdk_chat_results_are_accepted_too() -> None:
    spec = pytest.importorskip("gumloop.spec")
    raw = chat("m", ["hi"])
    df = to_dataframe(spec.ChatResult.model_validate(raw))
    assert df["content"].tolist() == ["hi"]
    assert df["total_tokens"].tolist() == [10]


def test_a_single_typed_object_is_one_row() -> None:
    df = to_dataframe(t.Agent.model_validate(agent(1)))
    assert len(df) == 1
    assert df["creator.first_name"][0] == "Ada"


# --- chat and compare -------------------------------------------------------------------------


def chat(model: str, contents: list[str], cost: float | None = 0.25) -> dict[str, Any]:
    return {
        "id": f"gen-{model}",
        "object": "chat.completion",
        "created": 1760000000,
        "model": model,
        "system_fingerprint": None,
        "choices": [
            {"index": i, "finish_reason": "stop", "message": {"role": "assistant", "content": c}}
            for i, c in enumerate(contents)
        ],
        "usage": {"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10, "cost": cost},
    }


def test_a_chat_result_gives_one_row_per_choice() -> None:
    typed = t.ChatResult.model_validate(chat("gpt-4.1", ["one", "two"]))
    df = to_dataframe(typed)
    assert df["content"].tolist() == ["one", "two"]
    assert df["finish_reason"].tolist() == ["stop", "stop"]
    assert df["total_tokens"].tolist() == [10, 10]
    assert df["cost"].tolist() == [0.25, 0.25]
    assert df["created"][0] == pd.Timestamp(1760000000, unit="s", tz="UTC")


def test_tool_calls_and_images_are_summarised_in_the_chat_row() -> None:
    raw = chat("m", ["x"])
    raw["choices"][0]["message"].update(
        content=None,
        tool_calls=[
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"city": "Oslo"}'},
            }
        ],
        images=[{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}],
    )
    df = to_dataframe(raw)
    assert df["tool_calls"][0] == [{"id": "c1", "name": "weather", "arguments": '{"city": "Oslo"}'}]
    assert df["images"][0] == 1


def test_a_list_of_chat_results_compares_models_row_by_row() -> None:
    df = to_dataframe(
        [
            t.ChatResult.model_validate(chat("a", ["x"])),
            t.ChatResult.model_validate(chat("b", ["y"], cost=None)),
        ]
    )
    assert df["model"].tolist() == ["a", "b"]
    assert df["cost"].tolist()[0] == 0.25 and pd.isna(df["cost"][1])


def test_compare_dicts_give_one_row_each_with_the_fixed_columns_first() -> None:
    rows = [
        {
            "model": "gpt-4.1",
            "answer": "4",
            "ttft_s": 0.2,
            "total_s": 0.9,
            "prompt_tokens": 5,
            "completion_tokens": 1,
            "cost": 0.01,
            "error": None,
            "extra": "x",
        },
        {"extra": "y", "model": "broken", "error": "model_not_found", "total_s": 0.1},
    ]
    df = to_dataframe(rows)
    assert df.columns.tolist() == [
        "model",
        "answer",
        "ttft_s",
        "total_s",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "error",
        "extra",
    ]
    assert str(df["prompt_tokens"].dtype) == "Int64"
    assert df["error"].tolist()[1] == "model_not_found"


def test_compare_objects_as_dataclasses_are_accepted() -> None:
    from dataclasses import dataclass

    @dataclass
    class Row:
        model: str
        answer: str
        total_s: float

    df = to_dataframe([Row("a", "x", 1.0), Row("b", "y", 2.0)])
    assert df.columns.tolist()[:4] == ["model", "answer", "ttft_s", "total_s"]
    assert df["total_s"].tolist() == [1.0, 2.0]


def test_the_notebook_compare_rows_are_tabulated_with_the_fixed_columns_first() -> None:
    from gumloop_nb.notebook import compare

    rows = [
        compare.CompareRow(model="a", answer="x", total_s=1.0, prompt_tokens=3),
        compare.CompareRow(model="b", error="timeout"),
    ]
    df = to_dataframe(rows)
    assert df.columns.tolist()[:8] == [
        "model",
        "answer",
        "ttft_s",
        "total_s",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "error",
    ]
    assert df["prompt_tokens"].tolist() == [3, pd.NA]
    assert df["error"].tolist()[1] == "timeout"


# --- generic and bad input --------------------------------------------------------------------


def test_a_plain_list_of_records_is_flattened() -> None:
    df = to_dataframe([{"a": {"b": 1}}, {"a": {"b": 2}}])
    assert df["a.b"].tolist() == [1, 2]


def test_raw_json_bytes_are_accepted() -> None:
    df = to_dataframe(json.dumps([{"a": 1}]).encode())
    assert df["a"].tolist() == [1]


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (None, "cannot tabulate a NoneType"),
        (42, "cannot tabulate a int"),
        ("not json at all", "not valid JSON"),
        ('"just a string"', "single str"),
        (b"\xff\xfe{\x00", "not valid UTF-8"),
    ],
)
def test_bad_input_raises_a_clear_frame_error(bad: Any, match: str) -> None:
    with pytest.raises(FrameError, match=match):
        to_dataframe(bad)


def test_a_results_list_mixing_results_and_junk_is_still_tabulated() -> None:
    df = to_dataframe({"results": [result([text("x")]), 5]})
    assert len(df) == 2
    assert df.iloc[1].tolist() == [5]


def test_importing_the_package_does_not_import_pandas() -> None:
    code = "import sys, gumloop_nb.frames; print('pandas' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
