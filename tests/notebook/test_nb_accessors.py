"""The notebook's client accessors, the emulator-speed knob, and saved-notebook fallbacks."""

from __future__ import annotations

from typing import Any

import pytest
from traitlets import TraitError

from gumloop_nb.notebook import get_client, get_flows_client
from gumloop_nb.notebook.compare import CompareRow, compare_frame
from gumloop_nb.notebook.magics import GumloopMagics


def test_get_client_is_the_client_the_magics_use(shell: Any) -> None:
    client = get_client()
    assert client is shell.magics.get_connection().client()
    # and it talks to the same server: an agent made through it is listed by %gumloop agents
    agent = client.agents.create(name="accessor-check", model_name="gpt-4.1").agent
    cell = shell.run("%gumloop agents")
    assert cell.error is None
    assert agent.id in cell.plain() or "accessor-check" in cell.plain()


def test_get_flows_client_runs_flows_on_the_same_server(shell: Any) -> None:
    outputs = get_flows_client().run_flow("summarize", {"text": "One. Two. Three."}, timeout=30)
    assert "summary" in outputs


def test_the_emulator_speed_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUMLOOP_EMULATOR_SPEED", "0")
    assert GumloopMagics(shell=None, connection=object()).emulator_speed == 0.0
    monkeypatch.setenv("GUMLOOP_EMULATOR_SPEED", "2.5")
    assert GumloopMagics(shell=None, connection=object()).emulator_speed == 2.5
    monkeypatch.delenv("GUMLOOP_EMULATOR_SPEED")
    assert GumloopMagics(shell=None, connection=object()).emulator_speed == 1.0


def test_a_bad_emulator_speed_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUMLOOP_EMULATOR_SPEED", "fast")
    with pytest.raises(TraitError, match="GUMLOOP_EMULATOR_SPEED must be a number"):
        _ = GumloopMagics(shell=None, connection=object()).emulator_speed


def test_a_chat_box_saves_its_conversation_as_plain_text(shell: Any) -> None:
    from gumloop_nb.notebook.widgets import ChatBox

    box = ChatBox(get_client(), models=["gpt-4.1"], system="Be brief.")
    box.send("Repeat exactly: hello **there**")
    plain: Any = box._repr_mimebundle_()["text/plain"]
    assert plain == "you: Repeat exactly: hello **there**\nassistant: hello **there**"


def test_a_failed_model_keeps_the_token_columns_integer() -> None:
    rows = [
        CompareRow("gpt-4.1", 1, "4", 0.1, 0.2, 12, 3, 0.002, None),
        CompareRow("nope", 1, "", None, 0.05, None, None, None, "Unknown model 'nope'"),
    ]
    frame = compare_frame(rows)
    assert str(frame["prompt_tokens"].dtype) == "Int64"
    assert str(frame["completion_tokens"].dtype) == "Int64"
    assert frame["prompt_tokens"].tolist()[0] == 12
    assert frame["error"].tolist()[1] == "Unknown model 'nope'"
