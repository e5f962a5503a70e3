from __future__ import annotations

import csv
import itertools
import json

import jsonschema
import pytest

from gumloop_nb.emulator import mcp_demo

DATA = mcp_demo.DATA_DIR


def _csv(name):
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _ok(server, tool, arguments):
    result = mcp_demo.call_tool(server, tool, arguments)
    assert result["status"] == "success", result["error"]
    assert result["error"] is None
    [item] = result["content"]
    assert item["type"] == "text"
    return json.loads(item["text"])


def _failed(server, tool, arguments, status="error"):
    result = mcp_demo.call_tool(server, tool, arguments)
    assert result["status"] == status
    assert result["content"] is None
    assert set(result["error"]) >= {"code", "message", "type"}
    return result["error"]


def test_the_bundled_periodic_table_is_complete_and_consistent():
    rows = _csv("elements")
    assert [int(r["atomic_number"]) for r in rows] == list(range(1, 119))
    assert len({r["symbol"] for r in rows}) == 118
    by_symbol = {r["symbol"]: r for r in rows}
    # Spot checks against well-known facts.
    assert by_symbol["Fe"]["name"] == "Iron" and by_symbol["Fe"]["group"] == "8"
    assert by_symbol["Au"]["atomic_mass"].startswith("196.9")
    assert by_symbol["Og"]["period"] == "7" and by_symbol["Og"]["group"] == "18"
    assert by_symbol["Hg"]["phase_at_stp"] == "liquid"
    assert by_symbol["Ne"]["category"] == "noble gas"
    masses = [(r["symbol"], float(r["atomic_mass"])) for r in rows]
    inversions = {(a, b) for (a, ma), (b, mb) in itertools.pairwise(masses) if mb < ma}
    # The well-known places where the mass goes down as the atomic number goes up.
    assert inversions == {
        ("Ar", "K"),
        ("Co", "Ni"),
        ("Te", "I"),
        ("Th", "Pa"),
        ("U", "Np"),
        ("Pu", "Am"),
        ("Bh", "Hs"),
    }


def test_query_results_match_the_csv():
    expected = sorted(
        (r["symbol"], r["name"]) for r in _csv("elements") if r["category"] == "noble gas"
    )
    out = _ok(
        "datasets",
        "query",
        {"sql": "SELECT symbol, name FROM elements WHERE category = 'noble gas' ORDER BY symbol"},
    )
    assert out["columns"] == ["symbol", "name"]
    assert [(r["symbol"], r["name"]) for r in out["rows"]] == expected
    assert out["row_count"] == len(expected) and out["truncated"] is False


def test_numbers_come_back_as_numbers_and_empty_cells_as_null():
    out = _ok(
        "datasets",
        "query",
        {
            "sql": 'SELECT atomic_mass, year_discovered, "group" '
            "FROM elements WHERE symbol IN ('Au', 'La') "
            "ORDER BY atomic_number"
        },
    )
    lanthanum, gold = out["rows"]
    assert gold["atomic_mass"] == pytest.approx(196.97)
    assert gold["year_discovered"] is None  # known since antiquity
    assert lanthanum["group"] is None and isinstance(lanthanum["year_discovered"], int)


def test_query_applies_a_row_limit():
    out = _ok("datasets", "query", {"sql": "SELECT * FROM elements", "limit": 10})
    assert out["row_count"] == 10 and out["truncated"] is True


def test_get_rows_filters_orders_and_selects_columns():
    out = _ok(
        "datasets",
        "get_rows",
        {
            "table": "planets",
            "filters": {"moons": {"gt": 20}},
            "columns": ["name", "moons"],
            "order_by": "-moons",
        },
    )
    expected = sorted(
        ((r["name"], int(r["moons"])) for r in _csv("planets") if int(r["moons"]) > 20),
        key=lambda p: -p[1],
    )
    assert [(r["name"], r["moons"]) for r in out["rows"]] == expected
    assert out["columns"] == ["name", "moons"]


def test_list_and_describe_tables():
    tables = {t["name"]: t for t in _ok("datasets", "list_tables", {})["tables"]}
    assert tables["elements"]["row_count"] == 118 and tables["planets"]["row_count"] == 8
    described = _ok("datasets", "describe_table", {"table": "planets"})
    assert [c["name"] for c in described["columns"]] == list(_csv("planets")[0])
    assert described["sample_rows"][0]["name"] == "Mercury"


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM elements",
        "UPDATE planets SET moons = 0",
        "DROP TABLE planets",
        "INSERT INTO planets (name) VALUES ('Pluto')",
        "PRAGMA writable_schema = ON",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "SELECT 1; DELETE FROM planets",
        "WITH x AS (SELECT 1) DELETE FROM planets",
        "CREATE TABLE t AS SELECT * FROM planets",
    ],
)
def test_write_attempts_are_refused_per_result(sql):
    error = _failed("datasets", "query", {"sql": sql})
    assert error["code"] == "tool_execution_failed"
    assert _ok("datasets", "query", {"sql": "SELECT COUNT(*) AS n FROM planets"})["rows"] == [
        {"n": 8}
    ]
    assert "Pluto" not in json.dumps(_ok("datasets", "query", {"sql": "SELECT name FROM planets"}))


def test_invalid_sql_and_unknown_tables_are_clear_per_result_errors():
    assert (
        "no such table" in _failed("datasets", "query", {"sql": "SELECT * FROM moons"})["message"]
    )
    assert "syntax" in _failed("datasets", "query", {"sql": "SELECT FROM WHERE"})["message"]
    message = _failed("datasets", "get_rows", {"table": "moons"})["message"]
    assert "moons" in message and "elements" in message
    assert "Missing" in _failed("datasets", "query", {})["message"]


def test_runaway_queries_are_stopped():
    error = _failed(
        "datasets",
        "query",
        {
            "sql": "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL "
            "SELECT n + 1 FROM c) SELECT COUNT(*) FROM c"
        },
    )
    assert "too long" in error["message"]


def test_the_unauthenticated_server_fails_every_call_per_result():
    server = mcp_demo.get_server("gmail")
    assert server["status"] == "unauthenticated" and server["gumloop_auth_url"]
    names = [t["name"] for t in mcp_demo.list_tools("gmail")]
    assert {"read_emails", "send_email"} <= set(names)
    for name in names:
        error = _failed("gmail", name, {}, status="unauthenticated")
        assert error["code"] == "auth_required"
        assert error["type"] == "authentication_error"
        assert server["gumloop_auth_url"] in error["message"]
    assert mcp_demo.list_accounts("gmail") == []


def test_unknown_servers_and_tools_are_per_result_errors_and_empty_getters():
    assert _failed("nope", "query", {})["code"] == "tool_not_allowed"
    error = _failed("datasets", "drop_everything", {})
    assert error["code"] == "tool_not_allowed" and "query" in error["message"]
    assert mcp_demo.get_server("nope") is None
    assert mcp_demo.list_tools("nope") == []
    assert mcp_demo.list_resources("nope") == []
    assert mcp_demo.read_resource("nope", "dataset://elements.csv") is None
    assert mcp_demo.read_resource("datasets", "dataset://nope.csv") is None
    assert mcp_demo.get_prompt("datasets", "nope", {}) is None


def test_utility_tools_always_succeed_deterministically():
    assert _ok("utils", "calculator", {"expression": "2 * (3 + 4) ** 2"})["result"] == 98
    first = _ok("utils", "weather", {"city": "Paris"})
    assert first == _ok("utils", "weather", {"city": "Paris"})
    assert first != _ok("utils", "weather", {"city": "Tokyo"})
    assert _ok("utils", "current_time", {})["utc"].endswith("Z")
    assert _failed("utils", "calculator", {"expression": "__import__('os')"})["code"] == (
        "tool_execution_failed"
    )


def test_every_tool_schema_is_valid_json_schema_and_ids_are_composite():
    for server in mcp_demo.list_servers():
        tools = mcp_demo.list_tools(server["server_id"])
        assert server["tool_count"] == len(tools)
        assert server["allowed_tool_call_ids"] == [t["tool_call_id"] for t in tools]
        for tool in tools:
            jsonschema.Draft202012Validator.check_schema(tool["input_schema"])
            assert tool["tool_call_id"] == f"{server['server_id']}__{tool['name']}"
            assert tool["input_schema"]["type"] == "object"


def test_resources_are_the_csv_files():
    [elements, planets] = mcp_demo.list_resources("datasets")
    assert elements["uri"] == "dataset://elements.csv" and elements["mime_type"] == "text/csv"
    [content] = mcp_demo.read_resource("datasets", "dataset://planets.csv")
    assert content["text"] == (DATA / "planets.csv").read_text(encoding="utf-8")
    assert len(content["text"].encode()) == planets["size"]


def test_prompts_render_with_their_arguments():
    [prompt] = mcp_demo.list_prompts("datasets")
    assert prompt["name"] == "explore_table"
    assert any(a["name"] == "table" and a["required"] for a in prompt["arguments"])
    rendered = mcp_demo.get_prompt(
        "datasets", "explore_table", {"table": "planets", "question": "Which has most moons?"}
    )
    [message] = rendered["messages"]
    assert message["role"] == "user" and "planets" in message["content"]["text"]
    assert "Which has most moons?" in message["content"]["text"]


def test_shapes_validate_against_the_official_sdk_models():
    types = pytest.importorskip("gumloop.types")
    types.McpServersResponse.model_validate({"servers": mcp_demo.list_servers()})
    for server in mcp_demo.list_servers():
        types.McpToolsResponse.model_validate({"tools": mcp_demo.list_tools(server["server_id"])})
    results = [
        {"ref": str(i), **mcp_demo.call_tool(*call)}
        for i, call in enumerate([("datasets", "list_tables", {}), ("gmail", "read_emails", {})])
    ]
    parsed = types.McpExecuteResponse.model_validate({"results": results})
    assert parsed.results[0].decoded_content[0]["text"]
    types.McpResourcesResponse.model_validate({"resources": mcp_demo.list_resources("datasets")})
    read = types.McpResourceReadResponse.model_validate(
        {"contents": mcp_demo.read_resource("datasets", "dataset://elements.csv")}
    )
    assert read.text.startswith("atomic_number,")
    types.McpPromptsResponse.model_validate({"prompts": mcp_demo.list_prompts("datasets")})
    types.McpPromptResponse.model_validate(mcp_demo.get_prompt("datasets", "explore_table", {}))
    types.McpServerAccountsResponse.model_validate(
        {"server_id": "datasets", "accounts": mcp_demo.list_accounts("datasets")}
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT randomblob(4) AS b",
        "SELECT zeroblob(100000000) AS z",
        "SELECT 1e999 AS big",
        "SELECT * FROM elements a, elements b, elements c",
    ],
)
def test_odd_queries_give_json_rows_or_a_clear_error(sql):
    result = mcp_demo.call_tool("datasets", "query", {"sql": sql, "limit": 5})
    if result["status"] == "success":
        out = json.loads(result["content"][0]["text"])
        assert out["row_count"] <= 5
    else:
        assert result["error"]["code"] == "tool_execution_failed"


def test_concurrent_calls_from_many_threads_all_succeed():
    from concurrent.futures import ThreadPoolExecutor

    calls = [
        ("datasets", "query", {"sql": f"SELECT name FROM planets WHERE order_from_sun = {i}"})
        for i in range(1, 9)
    ] * 5
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda c: mcp_demo.call_tool(*c), calls))
    names = [json.loads(r["content"][0]["text"])["rows"][0]["name"] for r in results]
    assert names == [r["name"] for r in _csv("planets")] * 5
