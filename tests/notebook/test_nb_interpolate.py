"""Prompt interpolation: one pass, only real references, literal braces kept."""

from __future__ import annotations

from types import SimpleNamespace

from gumloop_nb.notebook.interpolate import interpolate

NS = {
    "doc": {"title": "Q3 report", "tags": ["a", "b"]},
    "user": SimpleNamespace(name="Ada", team=SimpleNamespace(name="Research")),
    "In": ["", "x = 1", "print(x)"],
    "Out": {2: 42},
    "n": 7,
    "tricky": "{n} stays",
}


def test_names_attributes_and_items_are_substituted() -> None:
    result = interpolate("{user.name} of {user.team.name} reads {doc[title]} #{doc[tags][1]}", NS)
    assert result.text == "Ada of Research reads Q3 report #b"
    assert result.missing == []


def test_in_and_out_history_references_work() -> None:
    assert interpolate("code: {In[1]} -> {Out[2]}", NS).text == "code: x = 1 -> 42"


def test_json_code_and_set_literals_are_left_alone() -> None:
    source = 'Parse {"a": {"b": 1}} and {1, 2} and def f(): return {k: v}'
    assert interpolate(source, NS).text == source


def test_doubled_braces_give_a_literal_reference() -> None:
    assert interpolate("keep {{n}} but use {n}", NS).text == "keep {n} but use 7"


def test_substituted_values_are_not_formatted_again() -> None:
    # "tricky" contains "{n}"; a second formatting pass would turn it into "7 stays".
    assert interpolate("{tricky}", NS).text == "{n} stays"


def test_missing_references_stay_and_are_named_in_one_notice() -> None:
    result = interpolate("{nope} and {user.age} and {doc[missing]} and {nope}", NS)
    assert result.text == "{nope} and {user.age} and {doc[missing]} and {nope}"
    assert result.missing == ["nope", "user.age", "doc[missing]"]
    assert result.notice is not None
    assert "{nope}" in result.notice and "\n" not in result.notice
    assert "--no-interpolate" in result.notice


def test_no_notice_when_everything_resolves() -> None:
    assert interpolate("{n}", NS).notice is None
