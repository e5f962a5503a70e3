"""Drop-in surface: top-level names, resource methods and parameter names of the official SDK
exist on ours (compared with ``inspect.signature``), and importing stays light."""

from __future__ import annotations

import functools
import inspect
import subprocess
import sys
from typing import Any

import pytest

import gumloop_nb
from gumloop_nb import AsyncGumloop, Gumloop

TOP_LEVEL = (
    "Gumloop",
    "AsyncGumloop",
    "GumloopClient",
    "GumloopError",
    "APIStatusError",
    "AuthenticationError",
    "OAuth",
    "__version__",
)


def test_import_does_not_load_pandas_ipython_or_ipywidgets() -> None:
    code = (
        "import sys, gumloop_nb\n"
        "heavy = sorted(m for m in ('pandas', 'IPython', 'ipywidgets') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "gumloop_nb.Gumloop(api_key='k')\n"
        "heavy = sorted(m for m in ('pandas', 'IPython', 'ipywidgets') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_official_top_level_names_exist(name: str) -> None:
    assert hasattr(gumloop_nb, name)


def test_errors_keep_the_official_hierarchy() -> None:
    assert issubclass(gumloop_nb.AuthenticationError, gumloop_nb.GumloopError)
    assert issubclass(gumloop_nb.APIStatusError, gumloop_nb.GumloopError)
    assert isinstance(gumloop_nb.__version__, str) and gumloop_nb.__version__


@functools.cache
def _clients(kind: str) -> tuple[Any, Any]:
    """(official, ours) clients of one kind, built once: each costs an SSL context."""
    official = pytest.importorskip("gumloop")
    if kind == "sync":
        return official.Gumloop(api_key="k"), Gumloop(api_key="k")
    return official.AsyncGumloop(api_key="k"), AsyncGumloop(api_key="k")


def _params(fn: Any) -> list[str]:
    return [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _resources(client: Any) -> dict[str, Any]:
    """Public resource objects of a client (``chat.completions`` flattened)."""
    out: dict[str, Any] = {}
    for name, value in vars(client).items():
        if name.startswith("_") or isinstance(value, (str, int, float, type(None))):
            continue
        out[name] = value
    if "chat" in out:
        out["chat.completions"] = out["chat"].completions
    return out


def _differences(official_client: Any, our_client: Any) -> list[str]:
    problems: list[str] = []
    ours = _resources(our_client)
    for name, resource in _resources(official_client).items():
        mine = ours.get(name)
        if mine is None:
            mine_attr = getattr(our_client, name, None)
            if mine_attr is None:
                problems.append(f"missing resource {name}")
                continue
            mine = mine_attr
        for method_name, method in inspect.getmembers(resource, callable):
            if method_name.startswith("_") or inspect.isclass(method):
                continue
            our_method = getattr(mine, method_name, None)
            if our_method is None:
                problems.append(f"missing {name}.{method_name}")
                continue
            missing = [p for p in _params(method) if p not in _params(our_method)]
            if missing:
                problems.append(f"{name}.{method_name} lacks parameters {missing}")
    return problems


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_every_official_resource_method_and_parameter_exists_on_ours(kind: str) -> None:
    assert _differences(*_clients(kind)) == []


def test_official_constructor_parameters_exist_on_ours() -> None:
    official = pytest.importorskip("gumloop")
    for theirs, ours in (
        (official.Gumloop, Gumloop),
        (official.AsyncGumloop, AsyncGumloop),
        (official.GumloopClient, gumloop_nb.GumloopClient),
        (official.OAuth, gumloop_nb.OAuth),
    ):
        missing = [p for p in _params(theirs.__init__) if p not in _params(ours.__init__)]
        assert missing == [], f"{ours.__name__} lacks {missing}"
        theirs_pos = _positional(theirs.__init__)
        assert _positional(ours.__init__)[: len(theirs_pos)] == theirs_pos
    flows = official.GumloopClient
    for method in ("run_flow", "get_run_status", "close"):
        theirs_params = _params(getattr(flows, method))
        ours_method = getattr(gumloop_nb.GumloopClient, method)
        assert [p for p in theirs_params if p not in _params(ours_method)] == []
        theirs_pos = _positional(getattr(flows, method))
        assert _positional(ours_method)[: len(theirs_pos)] == theirs_pos


def _positional(fn: Any) -> list[str]:
    return [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
    ]


def test_official_parameter_order_is_kept_for_positional_callers() -> None:
    problems = []
    theirs, ours = (_resources(c) for c in _clients("sync"))
    for name, resource in theirs.items():
        for method_name, method in inspect.getmembers(resource, callable):
            if method_name.startswith("_") or inspect.isclass(method) or name not in ours:
                continue
            our_method = getattr(ours[name], method_name, None)
            if our_method is None:
                continue
            positional = [
                p.name
                for p in inspect.signature(method).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
            ]
            our_positional = [
                p.name
                for p in inspect.signature(our_method).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
            ]
            if our_positional[: len(positional)] != positional:
                problems.append(f"{name}.{method_name}: {positional} vs {our_positional}")
    assert problems == []


@pytest.mark.parametrize("cls", [Gumloop, AsyncGumloop])
def test_bound_methods_do_not_show_self_in_their_signature(cls: Any) -> None:
    client = _clients("sync" if cls is Gumloop else "async")[1]
    assert list(inspect.signature(client.agents.retrieve).parameters) == [
        "agent_id",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
    ]
    assert next(iter(inspect.signature(client.sessions.stream).parameters)) == "agent_id"


def test_async_client_methods_are_coroutine_functions() -> None:
    client = _clients("async")[1]
    assert inspect.iscoroutinefunction(client.agents.retrieve)
    assert inspect.iscoroutinefunction(client.chat.completions.create)
