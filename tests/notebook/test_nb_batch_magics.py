"""%%gumloop map / extract / classify / filter: the cell is a per-row template, safely interpolated."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError

from gumloop_nb.batch import _engine


@pytest.fixture
def batch_shell(shell: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("GUMLOOP_NB_CACHE", str(tmp_path / "cache.sqlite3"))
    shell.ns["elements"] = pd.read_csv(
        resources.files("gumloop_nb.emulator") / "data" / "elements.csv"
    ).head(8)
    return shell


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The chat requests the operators send (the real executor still answers them)."""
    requests: list[dict[str, Any]] = []
    inner = _engine._EXECUTORS["chat"]

    async def capture(client: Any, request: dict[str, Any]) -> dict[str, Any]:
        requests.append(request)
        return await inner(client, request)

    monkeypatch.setitem(_engine._EXECUTORS, "chat", capture)
    return requests


def _user_texts(requests: list[dict[str, Any]]) -> list[str]:
    return [r["messages"][-1]["content"] for r in requests]


def test_map_runs_the_cell_on_every_row_and_keeps_the_frame(batch_shell: Any, sent: Any) -> None:
    cell = batch_shell.run(
        "%%gumloop map elements -m gpt-4.1-mini -o out --no-progress\nSummarise {name} ({symbol})"
    )
    assert cell.error is None, cell.error
    out = batch_shell.ns["out"]
    assert out is batch_shell.ns["_gumloop_last"]
    assert len(out) == 8 and out["answer"].notna().all()
    assert sorted(_user_texts(sent)) == sorted(
        f"Summarise {n} ({s})" for n, s in zip(out["name"], out["symbol"], strict=True)
    )
    assert {r["model"] for r in sent} == {"gpt-4.1-mini"}
    assert out.gumloop.report.made == 8


def test_values_are_not_interpolated_twice_and_columns_win_over_variables(
    batch_shell: Any, sent: Any
) -> None:
    batch_shell.ns["style"] = "in {symbol} words"
    batch_shell.ns["name"] = "NOT A COLUMN VALUE"
    cell = batch_shell.run(
        "%%gumloop map elements -o out --no-progress\nDescribe {name} {style}; keep {{name}}"
    )
    assert cell.error is None, cell.error
    texts = _user_texts(sent)
    assert "Describe Hydrogen in {symbol} words; keep {name}" in texts
    assert not any("NOT A COLUMN VALUE" in t for t in texts)


def test_an_unknown_reference_is_reported_before_anything_is_sent(
    batch_shell: Any, sent: Any
) -> None:
    cell = batch_shell.run("%%gumloop map elements --no-progress\nDescribe {nmae}")
    assert isinstance(cell.error, UsageError)
    assert "{nmae}" in str(cell.error) and "Nothing was sent" in str(cell.error)
    assert sent == []


def test_classify_with_labels_on_the_line(batch_shell: Any) -> None:
    cell = batch_shell.run(
        "%%gumloop classify elements --labels 'metal,noble gas,other' -o labelled --no-progress\n"
        "{name} is a {category}"
    )
    assert cell.error is None, cell.error
    labelled = batch_shell.ns["labelled"]
    assert isinstance(labelled["label"].dtype, pd.CategoricalDtype)
    assert labelled["label"].isin(["metal", "noble gas", "other"]).all()


def test_extract_with_a_schema_variable(batch_shell: Any) -> None:
    batch_shell.ns["facts"] = {
        "type": "object",
        "properties": {"year": {"type": "integer"}, "rare": {"type": "boolean"}},
        "required": ["year", "rare"],
    }
    cell = batch_shell.run(
        "%%gumloop extract elements --schema facts -o facts_df --no-progress\nFacts about {name}"
    )
    assert cell.error is None, cell.error
    out = batch_shell.ns["facts_df"]
    assert str(out["year"].dtype) == "Int64" and str(out["rare"].dtype) == "boolean"


def test_filter_keeps_rows_where_the_statement_holds(batch_shell: Any) -> None:
    cell = batch_shell.run(
        "%%gumloop filter elements -o gases --no-progress\n{name} is a gas ({phase_at_stp})"
    )
    assert cell.error is None, cell.error
    gases = batch_shell.ns["gases"]
    assert list(gases.columns) == list(batch_shell.ns["elements"].columns)
    assert len(gases.gumloop.report.provenance) == 8


def test_a_name_that_is_not_a_dataframe_is_a_usage_error(batch_shell: Any) -> None:
    batch_shell.ns["numbers"] = [1, 2, 3]
    cell = batch_shell.run("%%gumloop map numbers --no-progress\n{x}")
    assert isinstance(cell.error, UsageError) and "not a pandas DataFrame" in str(cell.error)


def test_the_extension_registers_the_accessor_on_its_connection(batch_shell: Any) -> None:
    cell = batch_shell.run("r = elements.head(2).gumloop.map('{name}', progress=False)")
    assert cell.error is None, cell.error
    assert batch_shell.ns["r"]["answer"].notna().all()
