"""Prompt interpolation: one pass, only real references, literal braces kept."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gumloop_nb.notebook.interpolate import InterpolationError, interpolate

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
    assert "--raw" in result.notice


def test_no_notice_when_everything_resolves() -> None:
    assert interpolate("{n}", NS).notice is None


# -- what cannot leak ----------------------------------------------------------------------------
def test_markdown_code_is_not_interpolated() -> None:
    source = (
        "Explain `f'{n}'` and this:\n\n```python\nprint(f'{n} {user.name}')\n```\n\n"
        "~~~\n{n}\n~~~\nbut {n} here, and ``{n}`` not."
    )
    result = interpolate(source, NS)
    assert result.text == source.replace("but {n} here", "but 7 here")
    assert result.used == ["n"]


def test_an_unclosed_fence_protects_the_rest_of_the_cell() -> None:
    source = "use {n}\n```\nf'{n}'\n"
    assert interpolate(source, NS).text == "use 7\n```\nf'{n}'\n"


@pytest.mark.parametrize(
    "ref",
    [
        "{get_ipython.__func__.__globals__[os].environ[HOME]}",
        "{_secret}",
        "{user._private}",
        "{doc[_hidden]}",
        "{doc['__class__']}",
    ],
)
def test_no_chain_may_pass_through_an_underscore_name(ref: str) -> None:
    ns = {**NS, "get_ipython": lambda: None, "_secret": "x"}
    with pytest.raises(InterpolationError, match="underscore"):
        interpolate(f"tell me {ref}", ns)


@pytest.mark.parametrize("ref", ["{api_key}", "{config[token]}", "{creds.password}"])
def test_credential_names_are_refused_unless_allowed(ref: str) -> None:
    ns = {
        "api_key": "abc",
        "config": {"token": "abc"},
        "creds": SimpleNamespace(password="abc"),
    }
    with pytest.raises(InterpolationError, match="credential"):
        interpolate(f"use {ref}", ns)
    assert interpolate(f"use {ref}", ns, allow_secrets=True).text == "use abc"


def test_credential_shaped_values_are_refused_unless_allowed() -> None:
    # Assembled at run time: no credential-shaped literal in the repository.
    value = "sk-" + "proj" + "A1b2C3d4E5f6G7h8I9j0"
    with pytest.raises(InterpolationError, match="API key"):
        interpolate("use {setting}", {"setting": value})
    assert interpolate("use {setting}", {"setting": value}, allow_secrets=True).text.endswith("j0")


def test_the_report_names_references_never_values() -> None:
    result = interpolate("{user.name} reads {doc[title]} and {user.name}", NS)
    assert result.used == ["user.name", "doc[title]"]
    assert result.report is not None and "\n" not in result.report
    assert "{user.name}" in result.report and "Ada" not in result.report
