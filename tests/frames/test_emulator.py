"""to_dataframe / read_artifact against the emulator's real MCP servers, flows and artifacts."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pandas as pd
import pytest

import gumloop_nb
from gumloop_nb import emulator
from gumloop_nb.frames import FrameError, aread_artifact, read_artifact, to_dataframe


@pytest.fixture(scope="module")
def em() -> Iterator[Any]:
    with emulator.serve(speed=0) as server:
        yield server


@pytest.fixture(scope="module")
def client(em: Any) -> Iterator[Any]:
    c = gumloop_nb.Gumloop(api_key="k", base_url=em.base_url)
    yield c
    c.close()


@pytest.fixture(scope="module")
def flows(em: Any) -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = gumloop_nb.GumloopClient(api_key="k", user_id="usr_demo", base_url=em.base_url)
    yield client
    client.close()


def bundled(name: str) -> pd.DataFrame:
    data = resources.files("gumloop_nb.emulator").joinpath("data", name).read_bytes()
    import io

    return pd.read_csv(io.BytesIO(data))


def test_a_query_on_the_datasets_server_gives_the_bundled_table(client: Any) -> None:
    r = client.mcp.execute(
        "datasets", "query", {"sql": "SELECT * FROM elements ORDER BY atomic_number", "limit": 200}
    )
    df = to_dataframe(r, meta=False)
    expected = bundled("elements.csv").sort_values("atomic_number").reset_index(drop=True)
    assert df.columns.tolist()[: len(expected.columns)] == expected.columns.tolist()
    assert len(df) == len(expected) == 118
    pd.testing.assert_frame_equal(df[expected.columns], expected, check_dtype=False)
    # the integer columns with gaps (no group for lanthanides) stay integers
    assert str(df["group"].dtype) == "Int64" and df["group"].isna().any()


def test_meta_columns_come_first_and_the_ref_is_echoed(client: Any) -> None:
    r = client.mcp.execute(
        "datasets", "query", {"sql": "SELECT symbol FROM elements LIMIT 2"}, ref="two"
    )
    df = to_dataframe(r)
    assert df.columns.tolist()[:6] == ["ref", "server_id", "tool_name", "status", "error", "symbol"]
    assert df["ref"].tolist() == ["two", "two"]
    assert df["status"].tolist() == ["success", "success"]


def test_a_mixed_batch_keeps_the_failed_calls_as_rows(client: Any) -> None:
    r = client.mcp.execute_many(
        [
            {
                "ref": "ok",
                "server_id": "datasets",
                "tool_name": "query",
                "arguments": {"sql": "SELECT symbol FROM elements LIMIT 3"},
            },
            {
                "ref": "mail",
                "server_id": "gmail",
                "tool_name": "read_emails",
                "arguments": {"max_results": 2},
            },
            {
                "ref": "bad",
                "server_id": "datasets",
                "tool_name": "query",
                "arguments": {"sql": "DELETE FROM elements"},
            },
        ]
    )
    df = to_dataframe(r)
    assert df["ref"].tolist() == ["ok", "ok", "ok", "mail", "bad"]
    mail = df[df["ref"] == "mail"].iloc[0]
    assert mail["status"] == "unauthenticated"
    assert "Gmail" in mail["error"]
    bad = df[df["ref"] == "bad"].iloc[0]
    assert bad["status"] == "error" and isinstance(bad["error"], str) and bad["error"]
    assert df["error"].isna().tolist()[:3] == [True, True, True]


def test_listings_from_the_emulator_are_tabulated(client: Any) -> None:
    servers = to_dataframe(client.mcp.list_servers())
    assert {"datasets", "gmail"} <= set(servers["server_id"])
    tools = to_dataframe(client.mcp.list_tools("datasets"))
    assert "query" in set(tools["name"])
    assert isinstance(tools["input_schema"][0], dict)
    models = to_dataframe(client.models.list())
    assert models.columns.tolist()[:2] == ["group", "value"]
    assert "gpt-4.1" in set(models["value"])
    teams = to_dataframe(client.teams.list())
    assert len(teams) >= 1 and "name" in teams.columns


def test_a_session_its_messages_and_its_artifacts_become_frames(client: Any) -> None:
    agent = client.agents.create(name="Frames test", model_name="gpt-4.1").agent
    agents = to_dataframe(client.agents.list())
    assert agent.id in set(agents["id"])
    assert str(agents["created_at"].dtype).startswith("datetime64")
    session = client.sessions.create(agent.id, input="Export the data as a CSV table").session
    deadline = time.monotonic() + 20
    while session.state not in ("completed", "failed") and time.monotonic() < deadline:
        session = client.sessions.retrieve(session.id).session
    assert session.state == "completed"
    messages = to_dataframe(session)
    assert messages["role"].tolist()[0] == "user"
    assert "assistant" in set(messages["role"])
    sessions = to_dataframe(client.sessions.list(agent.id))
    assert "usage.input_tokens" in sessions.columns
    artifacts = client.artifacts.list(agent.id)
    listing = to_dataframe(artifacts)
    assert {"text/csv", "application/json"} <= set(listing["metadata.media_type"])
    for art in artifacts.artifacts:
        table = read_artifact(client, art)
        assert isinstance(table, pd.DataFrame) and len(table) > 0
        assert table.attrs["artifact"]["id"] == art.id


def test_flow_outputs_become_frames(flows: Any) -> None:
    summary = to_dataframe(flows.run_flow("summarize", {"text": "One. Two. Three."}))
    assert summary.columns.tolist() == ["summary"] and len(summary) == 1
    outputs = flows.run_flow("table", {})
    table = to_dataframe(outputs)
    records = outputs["records"]
    assert len(table) == len(records)
    assert table.columns.tolist() == [*records[0].keys(), "artifact_id"]


def test_the_table_flows_csv_artifact_reads_back_to_the_same_rows(client: Any, flows: Any) -> None:
    outputs = flows.run_flow("table", {})
    from_flow = to_dataframe(outputs["records"])
    from_artifact = read_artifact(client, outputs["artifact_id"])
    pd.testing.assert_frame_equal(from_artifact, from_flow, check_dtype=False)
    with pytest.raises(FrameError, match="larger than max_bytes"):
        read_artifact(client, outputs["artifact_id"], max_bytes=10)


async def test_aread_artifact_works_with_the_async_client(em: Any, flows: Any) -> None:
    outputs = flows.run_flow("table", {})
    async with gumloop_nb.AsyncGumloop(api_key="k", base_url=em.base_url) as aclient:
        df = await aread_artifact(aclient, outputs["artifact_id"])
    assert len(df) == len(outputs["records"])


def test_a_chat_result_from_the_emulator_is_one_row(client: Any) -> None:
    r = client.chat.completions.create(
        model="gpt-4.1", messages=[{"role": "user", "content": "What is 2+2?"}]
    )
    df = to_dataframe(r)
    assert df["content"].tolist() == [r.choices[0].message.content]
    assert df["model"].tolist() == ["gpt-4.1"]
    assert df["total_tokens"][0] == r.usage.total_tokens
