"""The %gumloop magics driven through a real IPython shell against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError

from gumloop_nb.notebook._results import ChatReply, ImageResult

Shell = Any  # the fixture type from conftest.py


def assert_usage_error(cell: Any, *fragments: str) -> str:
    assert isinstance(cell.error, UsageError), cell.error
    message = str(cell.error)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message
    return message


# -- chat --------------------------------------------------------------------------------------
def test_chat_cell_streams_and_keeps_the_answer_in_a_variable(shell: Shell) -> None:
    cell = shell.run("%%gumloop chat -m gpt-4.1 -o answer\nRepeat exactly: Hello *there*")
    assert cell.error is None
    reply = shell.ns["answer"]
    assert isinstance(reply, ChatReply)
    assert reply.text == "Hello *there*"
    assert shell.ns["_gumloop_last"] is reply
    assert cell.outputs[-1].data["text/plain"] == "Hello *there*"
    assert "<em>there</em>" in cell.outputs[-1].data["text/html"]


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_model_html_from_the_emulator_is_escaped_in_the_output(shell: Shell, payload: str) -> None:
    cell = shell.run(f"%%gumloop chat -o a\nRepeat exactly: {payload}")
    assert cell.error is None
    assert shell.ns["a"].text == payload  # the raw text is kept for programs
    html = cell.html()
    assert "<script" not in html and "<img" not in html
    assert "&lt;" in html


def test_every_output_carries_provenance_metadata(shell: Shell) -> None:
    cell = shell.run("%%gumloop chat -m claude-sonnet-4-5\nWhat is Gumloop?")
    meta = cell.outputs[-1].metadata["gumloop_nb"]
    assert meta["model"] == "claude-sonnet-4-5"
    assert meta["completion_tokens"] > 0
    assert meta["cost"] > 0
    assert meta["elapsed_s"] >= 0 and "started" in meta


def test_line_form_takes_the_prompt_after_the_options(shell: Shell) -> None:
    cell = shell.run("%gumloop chat -m gpt-4.1 Repeat exactly: what's 2+2")
    assert cell.error is None
    assert shell.ns["_gumloop_last"].text == "what's 2+2"


def test_no_stream_returns_the_same_answer(shell: Shell) -> None:
    shell.run("%%gumloop chat --no-stream -o a\nRepeat exactly: one shot")
    assert shell.ns["a"].text == "one shot"


def test_interpolation_substitutes_notebook_values_once(shell: Shell) -> None:
    shell.run("city = 'Paris'\ntemplate = '{city}'")
    cell = shell.run('%%gumloop chat -o a\nRepeat exactly: {city} {template} {"k": 1}')
    assert shell.ns["a"].text == 'Paris {city} {"k": 1}'
    assert cell.stderr == ""


def test_missing_reference_gives_a_one_line_notice_naming_it(shell: Shell) -> None:
    cell = shell.run("%%gumloop chat -o a\nRepeat exactly: {undefined_thing}")
    assert shell.ns["a"].text == "{undefined_thing}"
    assert "{undefined_thing}" in cell.stderr
    assert cell.stderr.strip().count("\n") == 0


def test_no_interpolate_sends_braces_verbatim(shell: Shell) -> None:
    shell.run("city = 'Paris'")
    shell.run("%%gumloop chat --no-interpolate -o a\nRepeat exactly: {city}")
    assert shell.ns["a"].text == "{city}"


def test_each_substitution_is_reported_in_one_line_by_name(shell: Shell) -> None:
    shell.run("city = 'Paris'\nplan = {'days': 3}")
    cell = shell.run("%%gumloop chat -o a\nRepeat exactly: {city} for {plan[days]} days")
    assert shell.ns["a"].text == "Paris for 3 days"
    report = [line for line in cell.stdout.splitlines() if line.startswith("Interpolated")]
    assert len(report) == 1
    assert "{city}" in report[0] and "{plan[days]}" in report[0] and "Paris" not in report[0]


def test_raw_and_the_interpolate_setting_turn_substitution_off(shell: Shell) -> None:
    shell.run("city = 'Paris'")
    shell.run("%%gumloop chat --raw -o a\nRepeat exactly: {city}")
    assert shell.ns["a"].text == "{city}"
    shell.run("%config GumloopMagics.interpolate = False")
    try:
        cell = shell.run("%%gumloop chat -o b\nRepeat exactly: {city}")
        assert shell.ns["b"].text == "{city}" and "Interpolated" not in cell.stdout
    finally:
        shell.magics.interpolate = True
        del shell.ip.config.GumloopMagics["interpolate"]


def test_a_credential_reference_is_refused_in_one_line_unless_allowed(shell: Shell) -> None:
    shell.run("api_key = 'not-really-a-key'")
    cell = shell.run("%%gumloop chat -o leaked\nRepeat exactly: {api_key}")
    assert cell.error is not None and "leaked" not in shell.ns
    assert "credential" in str(cell.error) and "--allow-secrets" in str(cell.error)
    assert "not-really-a-key" not in str(cell.error)
    shell.run("%%gumloop chat --allow-secrets -o sent\nRepeat exactly: {api_key}")
    assert shell.ns["sent"].text == "not-really-a-key"


def test_python_internals_cannot_be_reached_through_a_reference(shell: Shell) -> None:
    shell.run("import os\nos.environ['GUMLOOP_NB_TEST_VALUE'] = 'from-the-environment'")
    cell = shell.run(
        "%%gumloop chat -o leaked\nRepeat exactly: "
        "{get_ipython.__func__.__globals__[os].environ[GUMLOOP_NB_TEST_VALUE]}"
    )
    assert cell.error is not None and "underscore" in str(cell.error)
    assert "leaked" not in shell.ns


def test_schema_answers_are_parsed_into_the_result(shell: Shell) -> None:
    shell.run(
        "schema = {'type': 'object', 'properties': {'n': {'type': 'integer'}, "
        "'name': {'type': 'string'}}, 'required': ['n', 'name'], 'additionalProperties': False}"
    )
    cell = shell.run("%%gumloop chat --schema schema -o out\nName a prime above 40")
    assert cell.error is None
    out = shell.ns["out"]
    assert isinstance(out, dict) and set(out) == {"n", "name"} and isinstance(out["n"], int)


def test_inline_json_schema_with_quotes_is_accepted(shell: Shell) -> None:
    cell = shell.run(
        '%%gumloop chat --schema \'{"type": "object", "properties": {"ok": {"type": '
        '"boolean"}}, "required": ["ok"]}\' -o out\nIs the sky blue?'
    )
    assert cell.error is None
    assert isinstance(shell.ns["out"]["ok"], bool)


def test_code_format_puts_the_answer_into_a_new_cell(shell: Shell) -> None:
    shell.ip.rl_next_input = None
    shell.run("%%gumloop chat -f code\nRepeat exactly: ```python\nprint('hi')\n```")
    assert shell.ip.rl_next_input == "print('hi')"


def test_threads_keep_a_multi_turn_history(shell: Shell) -> None:
    shell.run("%%gumloop chat --thread t1\nRepeat exactly: first")
    shell.run("%%gumloop chat --thread t1\nRepeat exactly: second")
    history = shell.magics.threads["t1"]
    assert [m["content"] for m in history] == [
        "Repeat exactly: first",
        "first",
        "Repeat exactly: second",
        "second",
    ]
    shown = shell.run("%gumloop thread t1 --show")
    assert "second" in shown.plain()
    shell.run("%gumloop thread t1 --clear")
    assert "t1" not in shell.magics.threads


def test_python_functions_are_offered_as_tools_and_called(shell: Shell) -> None:
    shell.run(
        "calls = []\n"
        "def get_weather(city: str) -> str:\n"
        "    '''Current weather for a city.'''\n"
        "    calls.append(city)\n"
        "    return f'sunny in {city}'\n"
    )
    cell = shell.run("%%gumloop chat --tools get_weather -o a\nWhat is the weather in Paris?")
    assert cell.error is None, cell.error
    assert len(shell.ns["calls"]) == 1
    assert "sunny" in shell.ns["a"].text


def test_default_model_and_aliases_are_configurable(shell: Shell) -> None:
    shell.run('%config GumloopMagics.default_model = "claude-haiku-4-5"')
    shell.run("%%gumloop chat -o a\nRepeat exactly: x")
    assert shell.ns["a"].provenance.model == "claude-haiku-4-5"
    shell.run("%gumloop alias fast gemini-2.5-flash")
    shell.run("%%gumloop chat -m fast -o b\nRepeat exactly: y")
    assert shell.ns["b"].provenance.model == "gemini-2.5-flash"


# -- bad input ---------------------------------------------------------------------------------
def test_unknown_option_is_a_one_line_usage_error(shell: Shell) -> None:
    assert_usage_error(shell.run("%%gumloop chat --bogus\nhi"), "--bogus")


def test_unknown_subcommand_lists_the_valid_ones(shell: Shell) -> None:
    assert_usage_error(shell.run("%gumloop chta"), "chta", "chat")


def test_unknown_model_says_which_models_exist(shell: Shell) -> None:
    message = assert_usage_error(shell.run("%%gumloop chat -m nope\nhi"), "nope", "gpt-4.1")
    assert "test-secret-token-123" not in message


def test_invalid_format_and_empty_prompt_are_usage_errors(shell: Shell) -> None:
    assert_usage_error(shell.run("%%gumloop chat -f pdf\nhi"), "pdf")
    assert_usage_error(shell.run("%%gumloop chat\n   "), "empty")


def test_invalid_json_in_an_mcp_cell_points_at_the_mistake(shell: Shell) -> None:
    assert_usage_error(
        shell.run('%%gumloop mcp datasets query\n{"sql": '), "not valid JSON", "line 2"
    )


def test_debug_shows_the_last_full_traceback(shell: Shell) -> None:
    shell.run("%%gumloop chat -m nope\nhi")
    cell = shell.run("%gumloop debug")
    assert "Traceback (most recent call last)" in cell.stdout
    assert "test-secret-token-123" not in cell.stdout


def test_help_documents_every_subcommand_and_option(shell: Shell) -> None:
    doc = shell.ip.find_magic("gumloop").__doc__
    for name in (
        "chat",
        "image",
        "compare",
        "agent",
        "mcp",
        "flow",
        "fix",
        "thread",
        "alias",
        "login",
    ):
        assert f"gumloop {name}" in doc
    assert "--max-tokens" in doc and "--no-interpolate" in doc


# -- fix ---------------------------------------------------------------------------------------
def test_fix_explains_the_last_exception_from_ipythons_record(shell: Shell) -> None:
    failing = shell.run("values = [1, 2]\nvalues[5]")
    assert isinstance(failing.error, IndexError)
    cell = shell.run("%gumloop fix -o explanation")
    assert cell.error is None
    text = shell.ns["explanation"].text
    assert "IndexError" in text
    # IPython's own exception handling is untouched.
    assert shell.ip.custom_exceptions == ()


# -- images, compare -----------------------------------------------------------------------------
def test_image_renders_inline_and_keeps_png_bytes_and_data_url(shell: Shell) -> None:
    cell = shell.run("%%gumloop image -o img\na sunset over the ocean")
    assert cell.error is None
    img = shell.ns["img"]
    assert isinstance(img, ImageResult)
    assert img.png.startswith(b"\x89PNG")
    assert img.data_url.startswith("data:image/png;base64,")
    assert any("image/png" in o.data for o in cell.outputs)


def test_compare_runs_models_side_by_side_and_one_failure_does_not_hide_others(
    shell: Shell,
) -> None:
    cell = shell.run(
        "%%gumloop compare -m gpt-4.1,claude-sonnet-4-5,no-such-model -o table\nWhat is Gumloop?"
    )
    assert cell.error is None
    table = shell.ns["table"]
    assert list(table["model"]) == ["gpt-4.1", "claude-sonnet-4-5", "no-such-model"]
    assert {
        "answer",
        "ttft_s",
        "total_s",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "error",
    } <= set(table.columns)
    ok = table[table["model"] != "no-such-model"]
    assert ok["answer"].str.len().min() > 0 and ok["error"].isna().all()
    assert "no-such-model" in table.iloc[2]["error"]
    assert "gpt-4.1" in cell.outputs[0].data["text/html"]


def test_compare_without_models_uses_the_configured_default_set(shell: Shell) -> None:
    cell = shell.run("%%gumloop compare -o table\nSay hi.")
    assert cell.error is None, cell.error
    models = list(shell.magics.compare_models)
    assert len(models) == 3
    table = shell.ns["table"]
    assert list(table["model"]) == models
    assert table["error"].isna().all() and (table["answer"].str.len() > 0).all()
    shell.run('%config GumloopMagics.compare_models = ["gpt-4.1", "gemini-2.5-flash"]')
    try:
        shell.run("%%gumloop compare -o table\nSay hi.")
        assert list(shell.ns["table"]["model"]) == ["gpt-4.1", "gemini-2.5-flash"]
    finally:
        shell.magics.compare_models = models
        del shell.ip.config.GumloopMagics["compare_models"]


def test_compare_is_one_output_with_the_answers_and_the_measurements(shell: Shell) -> None:
    cell = shell.run("%%gumloop compare -m gpt-4.1,claude-sonnet-4-5\nWhat is Gumloop?")
    assert cell.error is None
    assert len(cell.outputs) == 1
    html = cell.outputs[0].data["text/html"]
    assert html.count("gumloop-compare") == 1 and "ttft_s" in html
    assert cell.outputs[0].metadata["gumloop_nb"]["compare"][0]["model"] == "gpt-4.1"


# -- agents, MCP, flows, listings ----------------------------------------------------------------
def test_agent_streams_a_session_and_can_continue_it(shell: Shell) -> None:
    client = shell.magics.get_connection().client()
    agent = client.agents.create(name="Helper", model_name="gpt-4.1").agent
    cell = shell.run(f"%%gumloop agent {agent.id} -o r\nRepeat exactly: hi agent")
    assert cell.error is None, cell.error
    reply = shell.ns["r"]
    assert reply.text and reply.session_id
    again = shell.run(f"%%gumloop agent {agent.id} --session {reply.session_id} -o r2\nAnd again?")
    assert again.error is None, again.error
    assert shell.ns["r2"].session_id == reply.session_id


def test_mcp_listing_and_call_show_status_and_a_dataframe(shell: Shell) -> None:
    servers = shell.run("%gumloop mcp servers -o servers")
    assert servers.error is None
    assert {"datasets", "gmail"} <= set(shell.ns["servers"]["server_id"])
    shell.run("%gumloop mcp tools datasets -o tools")
    assert len(shell.ns["tools"]) > 0
    cell = shell.run(
        '%%gumloop mcp datasets query -o rows\n{"sql": "select symbol from elements order by atomic_number limit 3"}'
    )
    assert cell.error is None, cell.error
    assert "success" in cell.outputs[0].data["text/plain"]
    assert list(shell.ns["rows"]["symbol"]) == ["H", "He", "Li"]


def test_mcp_failure_is_reported_per_call(shell: Shell) -> None:
    cell = shell.run('%%gumloop mcp gmail read_emails\n{"query": "x"}')
    message = assert_usage_error(cell, "gmail/read_emails")
    assert "unauthenticated" in message


def test_flow_accepts_name_value_lines_and_returns_outputs(shell: Shell) -> None:
    cell = shell.run(
        "%%gumloop flow summarize -o out\ntext: Gumloop flows turn inputs into outputs."
    )
    assert cell.error is None, cell.error
    assert "summary" in shell.ns["out"].columns


def test_failing_flow_is_a_usage_error(shell: Shell) -> None:
    assert_usage_error(shell.run("%%gumloop flow fail\n{}"), "fail")


@pytest.mark.parametrize("line", ["models", "agents", "skills", "teams"])
def test_listings_come_back_as_dataframes(shell: Shell, line: str) -> None:
    import pandas as pd

    cell = shell.run(f"%gumloop {line} -o frame")
    assert cell.error is None, cell.error
    assert isinstance(shell.ns["frame"], pd.DataFrame)


# -- connection --------------------------------------------------------------------------------
def test_status_says_where_and_never_shows_the_key(shell: Shell) -> None:
    cell = shell.run("%gumloop status")
    assert "127.0.0.1" in cell.stdout and "GUMLOOP_ACCESS_TOKEN" in cell.stdout
    assert "test-secret-token-123" not in cell.stdout
    assert "test-secret-token-123" not in repr(shell.magics.get_connection())


def test_login_asks_with_getpass_and_never_echoes_the_key(
    shell: Shell, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "typed-secret-999")
    cell = shell.run(f"%gumloop login --base-url {emulator.base_url}")
    assert cell.error is None
    status = shell.run("%gumloop status")
    everything = cell.stdout + status.stdout + repr(shell.magics.get_connection())
    assert "typed-secret-999" not in everything
    assert "login" in status.stdout
    assert shell.run("%%gumloop chat -o a\nRepeat exactly: ok").error is None


def test_connect_without_a_target_is_a_usage_error(shell: Shell) -> None:
    assert_usage_error(shell.run("%gumloop connect"), "--emulator")


def test_flow_inputs_as_json_with_a_project(shell: Shell) -> None:
    cell = shell.run(
        '%%gumloop flow summarize --project team_demo -o out\n{"text": "one two three"}'
    )
    assert cell.error is None, cell.error
    assert "summary" in shell.ns["out"].columns


def test_flow_inputs_that_are_neither_json_nor_lines_are_a_usage_error(shell: Shell) -> None:
    assert_usage_error(
        shell.run("%%gumloop flow summarize\njust some words"), "Line 1", "name: value"
    )


def test_html_format_answer_is_sandboxed(shell: Shell) -> None:
    cell = shell.run("%%gumloop chat -f html\nRepeat exactly: <b onclick=alert(1)>x</b>")
    html = cell.html()
    assert '<iframe sandbox=""' in html and "<b onclick" not in html


def test_connect_emulator_switches_to_an_embedded_emulator(shell: Shell) -> None:
    shell.run("%config GumloopMagics.emulator_speed = 0.0")
    cell = shell.run("%gumloop connect --emulator")
    assert cell.error is None and "emulator" in cell.stdout
    status = shell.run("%gumloop status")
    assert "local emulator" in status.stdout
    assert shell.run("%%gumloop chat -o a\nRepeat exactly: embedded").error is None
    assert shell.ns["a"].text == "embedded"


@pytest.mark.parametrize("name", ["__builtins__", "'a b'", "class", "1x", "__name__"])
def test_output_names_must_be_plain_variables(shell: Shell, name: str) -> None:
    before = dict(shell.ns)
    cell = shell.run(f"%%gumloop chat -o {name}\nRepeat exactly: never sent")
    assert isinstance(cell.error, UsageError) and "-o" in str(cell.error)
    assert shell.ns.get("__builtins__") is before.get("__builtins__")
    assert "_gumloop_last" not in shell.ns or shell.ns["_gumloop_last"] is before.get(
        "_gumloop_last"
    )


def test_fix_redacts_credentials_before_sending_the_cell(shell: Shell) -> None:
    # Assembled at run time: no credential-shaped literal in the repository.
    key = "sk-" + "live" + "Q1w2E3r4T5y6U7i8O9p0"
    failing = shell.run(f'API_KEY = "{key}"\nmissing_function(API_KEY)')
    assert isinstance(failing.error, NameError)
    cell = shell.run("%gumloop fix -o explanation")
    assert cell.error is None
    assert "Redacted" in cell.stdout and "\n" not in cell.stdout.strip()
    sent = shell.ns["explanation"].text  # the demo model's answer quotes what it was sent
    assert key not in sent and key not in cell.stdout


def test_connect_emulator_with_credentials_says_they_are_not_used(shell: Shell) -> None:
    shell.run("%config GumloopMagics.emulator_speed = 0.0")
    cell = shell.run("%gumloop connect --emulator")
    assert cell.error is None
    assert "no credentials found" not in cell.stdout
    assert "GUMLOOP_ACCESS_TOKEN" in cell.stdout and "not used" in cell.stdout
    assert "test-secret-token-123" not in cell.stdout
